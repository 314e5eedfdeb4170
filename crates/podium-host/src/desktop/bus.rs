//! The desktop's own log-out call on the session's D-Bus, for a session
//! manager that would not take Podium's request over XSMP (its ICE cookie
//! unreadable, say, or a manager still starting).
//!
//! The session bus answers only its own user, so the call is made by
//! `dbus-send` started as the user inside the session
//! ([`super::launch::as_user`]), on the bus the manager itself uses. The
//! call asks for no confirmation dialog and lets applications save. Whether
//! it worked is seen the one way that counts: the manager exits.

use super::{launch, procs};
use crate::cgroup::SessionCgroup;
use crate::error::{HostError, Result};
use crate::users::Account;
use std::time::{Duration, Instant};

/// How the program is named in messages.
const PROGRAM: &str = "the session manager";
/// Debian's `dbus-send` (package dbus-bin, which dbus-x11 brings).
const DBUS_SEND: &str = "/usr/bin/dbus-send";
/// How long one call may wait for its reply.
const REPLY_TIMEOUT_MS: u64 = 5000;
/// How long a manager gets to start logging out before it is asked again
/// (one still starting refuses the call).
const ASK_AGAIN: Duration = Duration::from_secs(2);

/// A log-out method call: destination, object, `interface.method`, and
/// arguments in `dbus-send`'s notation.
#[derive(Debug, PartialEq, Eq)]
pub struct Call {
    /// The manager's bus name.
    pub destination: &'static str,
    /// Its object path.
    pub object: &'static str,
    /// `interface.method`.
    pub method: &'static str,
    /// Typed arguments.
    pub args: &'static [&'static str],
}

/// The log-out call of the manager whose command name is `comm`, without
/// confirmation and with saving allowed; `None` for one Podium does not know.
#[must_use]
pub fn call_for(comm: &str) -> Option<Call> {
    Some(match comm {
        // Logout(show_dialog, allow_save)
        "xfce4-session" => Call {
            destination: "org.xfce.SessionManager",
            object: "/org/xfce/SessionManager",
            method: "org.xfce.Session.Manager.Logout",
            args: &["boolean:false", "boolean:true"],
        },
        // Logout(mode): 1 is "no confirmation"; MATE keeps GNOME's interface.
        "gnome-session-b" | "gnome-session" | "mate-session" => Call {
            destination: "org.gnome.SessionManager",
            object: "/org/gnome/SessionManager",
            method: "org.gnome.SessionManager.Logout",
            args: &["uint32:1"],
        },
        // logout(confirm, type, mode): no confirmation, log out, when ready.
        "ksmserver" => Call {
            destination: "org.kde.ksmserver",
            object: "/KSMServer",
            method: "org.kde.KSMServerInterface.logout",
            args: &["int32:0", "int32:0", "int32:0"],
        },
        "lxqt-session" => Call {
            destination: "org.lxqt.session",
            object: "/LXQtSession",
            method: "org.lxqt.session.logout",
            args: &[],
        },
        _ => return None,
    })
}

/// `dbus-send`'s command line for `call`.
fn argv(call: &Call) -> Vec<String> {
    let mut argv: Vec<String> = [
        "dbus-send".to_owned(),
        "--session".to_owned(),
        "--type=method_call".to_owned(),
        "--print-reply".to_owned(),
        format!("--reply-timeout={REPLY_TIMEOUT_MS}"),
        format!("--dest={}", call.destination),
        call.object.to_owned(),
        call.method.to_owned(),
    ]
    .into();
    argv.extend(call.args.iter().map(|a| (*a).to_owned()));
    argv
}

/// Asks the session manager `pid` over the session's D-Bus to log out,
/// and waits until `until` for it to exit.
///
/// # Errors
/// [`HostError::DesktopProgram`] when the manager has no known call, no
/// session bus, `dbus-send` cannot be started, or the manager does not exit
/// in time.
pub fn log_out(cgroup: &SessionCgroup, account: &Account, pid: i32, until: Instant) -> Result<()> {
    let fail = |why: String| HostError::DesktopProgram {
        program: PROGRAM,
        pid,
        why,
    };
    let comm = procs::comm(pid).unwrap_or_default();
    let call = call_for(&comm).ok_or_else(|| fail(format!("{comm} has no log-out call Podium knows")))?;
    let environ = procs::environ(pid);
    let address = procs::var(&environ, "DBUS_SESSION_BUS_ADDRESS")
        .ok_or_else(|| fail("has no session bus (DBUS_SESSION_BUS_ADDRESS)".into()))?;
    if !std::path::Path::new(DBUS_SEND).exists() {
        return Err(fail(format!(
            "cannot call it: {DBUS_SEND} is missing (package dbus-bin)"
        )));
    }
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS".to_owned(), address.to_owned()),
        ("HOME".to_owned(), account.home.to_string_lossy().into_owned()),
        ("PATH".to_owned(), "/usr/bin:/bin".to_owned()),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    let argv = argv(&call);
    loop {
        launch::as_user(cgroup, account, DBUS_SEND, &argv, &env)?;
        if procs::wait_gone(pid, (Instant::now() + ASK_AGAIN).min(until)) {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(fail("asked over D-Bus, but has not exited".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_known_desktop_is_asked_without_a_dialog() {
        let xfce = call_for("xfce4-session").expect("xfce");
        assert_eq!(
            argv(&xfce)[5..],
            [
                "--dest=org.xfce.SessionManager",
                "/org/xfce/SessionManager",
                "org.xfce.Session.Manager.Logout",
                "boolean:false",
                "boolean:true"
            ]
        );
        assert_eq!(call_for("gnome-session-b"), call_for("mate-session"));
        assert_eq!(call_for("gnome-session-b").map(|c| c.args), Some(&["uint32:1"][..]));
        assert!(call_for("ksmserver").is_some() && call_for("lxqt-session").is_some());
        assert_eq!(call_for("xterm"), None);
        assert!(argv(&xfce).contains(&"--session".to_owned()));
    }
}
