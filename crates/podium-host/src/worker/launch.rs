//! Open…: one program started in the running session, as its user.
//!
//! The daemon asks ([`super::protocol::Request::Launch`]) with a program
//! already found and its argv; the worker starts it exactly as it started
//! the desktop — placed in the desktop's cgroup, with the user's groups and
//! ids, in their home, before `exec` — so it is one more program of the
//! session: the session's end ends it, and the worker reaps it like every
//! other orphan. No shell is involved anywhere.
//!
//! Its environment is the one the worker gave the desktop, plus the few
//! variables the desktop set for itself once running and that programs
//! need to join it (its D-Bus, which desktop it is): read from the
//! desktop's leader, a process of the same user, so nothing crosses users.

use super::session::Session;
use crate::cgroup::Part;
use crate::desktop::procs;
use podium_sys::spawn::{Credentials, ExecPlan, Output};
use std::path::Path;

/// Variables taken from the running desktop's leader when it has them.
const FROM_DESKTOP: [&str; 8] = [
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_CURRENT_DESKTOP",
    "XDG_SESSION_DESKTOP",
    "DESKTOP_SESSION",
    "XDG_DATA_DIRS",
    "XDG_CONFIG_DIRS",
    "XDG_MENU_PREFIX",
    "BROWSER",
];

/// The most arguments a launch may have.
const MAX_ARGS: usize = 256;

/// Starts `program` with `argv` in `session`; the new process's pid, or
/// what went wrong in words for the teacher.
pub(super) fn launch(session: &Session, program: &Path, argv: &[String]) -> Result<i32, String> {
    if argv.is_empty() || argv.len() > MAX_ARGS {
        return Err(format!("a program needs 1 to {MAX_ARGS} words, not {}", argv.len()));
    }
    if !program.is_absolute() {
        return Err(format!("{} is not an absolute path", program.display()));
    }
    let (Some(leader), Some(base)) = (session.desktop_pid(), session.desktop_env()) else {
        return Err("the session's desktop is not running".into());
    };
    let spec = session.spec();
    let account = session.account().map_err(|e| e.to_string())?;
    let credentials = Credentials {
        uid: account.uid,
        gid: account.gid,
        groups: account.group_ids().map_err(|e| e.to_string())?,
    };
    let environ = if procs::running(leader) && procs::real_uid(leader) == Some(spec.uid) {
        procs::environ(leader)
    } else {
        Vec::new()
    };
    let env = with_desktop_vars(base, &environ);
    let plan = ExecPlan::new(&program.to_string_lossy(), argv)
        .and_then(|p| p.env(env.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
        .and_then(|p| p.workdir(&account.home.to_string_lossy()))
        .map_err(|e| e.to_string())?
        .cgroups(spec.cgroup.join_fds(Part::Desktop).map_err(|e| e.to_string())?)
        .credentials(credentials)
        .output(Output::Null);
    let pid = plan.spawn().map_err(|e| e.to_string())?;
    tracing::info!(pid, program = %program.display(), "opened a program in the session");
    Ok(pid)
}

/// The desktop's environment as the worker made it, with the running
/// desktop's own values of [`FROM_DESKTOP`] (from its `environ`) on top.
fn with_desktop_vars(base: &[(String, String)], environ: &[u8]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = base
        .iter()
        .filter(|(k, _)| !FROM_DESKTOP.contains(&k.as_str()) || procs::var(environ, k).is_none())
        .cloned()
        .collect();
    for name in FROM_DESKTOP {
        if let Some(value) = procs::var(environ, name) {
            env.push((name.to_owned(), value.to_owned()));
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::with_desktop_vars;

    #[test]
    fn the_desktop_adds_its_bus_and_keeps_the_session_s_own_display() {
        let base = vec![
            ("DISPLAY".to_owned(), ":3".to_owned()),
            ("XDG_DATA_DIRS".to_owned(), "/usr/share".to_owned()),
        ];
        let environ =
            b"DISPLAY=:9\0DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/dbus-x\0XDG_DATA_DIRS=/a:/b\0LD_PRELOAD=/x.so\0";
        let env = with_desktop_vars(&base, environ);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("DISPLAY"), Some(":3"));
        assert_eq!(get("DBUS_SESSION_BUS_ADDRESS"), Some("unix:path=/tmp/dbus-x"));
        assert_eq!(get("XDG_DATA_DIRS"), Some("/a:/b"));
        assert_eq!(get("LD_PRELOAD"), None);
        assert_eq!(env.iter().filter(|(k, _)| k == "XDG_DATA_DIRS").count(), 1);
        assert_eq!(with_desktop_vars(&base, b""), base);
    }
}
