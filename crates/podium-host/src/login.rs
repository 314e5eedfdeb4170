//! Checking a password with PAM (service `podium`: auth + account, so an
//! expired or locked account is refused), in a helper process.
//!
//! The daemon is multi-threaded and must not call PAM itself, so each check
//! runs `podium auth-check`, a short-lived single-threaded process, like
//! the session worker. The password travels on the helper's stdin, never
//! on a command line or in the environment, and is zeroed after use.

use crate::error::{HostError, Result};
use podium_sys::pam::{Pam, code};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long a PAM check may take (PAM delays failures by about 2 s).
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// What PAM said of a password. Not an error of the host: the check was
/// made, and this is its answer (only [`Verdict::Right`] lets the user in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password is the user's and the account may log in now.
    Right,
    /// Unknown user or wrong password (never told apart).
    BadCredentials,
    /// The account or its password expired, or PAM's account checks said no.
    AccountRefused(String),
    /// PAM could not be asked.
    Unavailable(String),
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Right => f.write_str("the password is right"),
            Verdict::BadCredentials => f.write_str("wrong user name or password"),
            Verdict::AccountRefused(why) => write!(f, "this account may not log in now: {why}"),
            Verdict::Unavailable(why) => write!(f, "cannot check the password: {why}"),
        }
    }
}

impl Verdict {
    fn word(&self) -> &'static str {
        match self {
            Verdict::Right => "ok",
            Verdict::BadCredentials => "bad_credentials",
            Verdict::AccountRefused(_) => "account_refused",
            Verdict::Unavailable(_) => "unavailable",
        }
    }

    fn from_line(line: &str) -> Verdict {
        let (word, message) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "ok" => Verdict::Right,
            "bad_credentials" => Verdict::BadCredentials,
            "account_refused" => Verdict::AccountRefused(message.to_owned()),
            _ => Verdict::Unavailable(if message.is_empty() {
                line.to_owned()
            } else {
                message.to_owned()
            }),
        }
    }
}

/// Asks PAM whether `password` is `user`'s and the account may log in now.
///
/// # Errors
/// [`HostError::Io`] when the helper cannot be started; PAM's answer, right
/// or not, is the [`Verdict`].
pub async fn check_password(exe: &Path, service: &str, user: &str, password: Zeroizing<String>) -> Result<Verdict> {
    let mut child = Command::new(exe)
        .arg("auth-check")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(HostError::io("start", exe))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(HostError::Protocol("auth-check pipes missing".into()));
    };
    let pid = child.id();
    // Not waited for here: the daemon's reaper collects every child.
    drop(child);
    let mut input = Zeroizing::new(Vec::with_capacity(service.len() + user.len() + password.len() + 2));
    input.extend_from_slice(service.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(user.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(password.as_bytes());
    drop(password);
    let talk = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        stdin.write_all(&input)?;
        drop(stdin);
        let mut answer = String::new();
        stdout.take(4096).read_to_string(&mut answer)?;
        Ok(answer)
    });
    match tokio::time::timeout(CHECK_TIMEOUT, talk).await {
        Ok(Ok(Ok(answer))) => Ok(Verdict::from_line(answer.trim())),
        Ok(Ok(Err(e))) => Ok(Verdict::Unavailable(e.to_string())),
        Ok(Err(e)) => Ok(Verdict::Unavailable(e.to_string())),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX)),
                nix::sys::signal::Signal::SIGKILL,
            );
            Ok(Verdict::Unavailable("PAM did not answer".into()))
        }
    }
}

/// `podium auth-check`: reads `service\nuser\npassword` on stdin, asks PAM,
/// prints `ok` or the failure word and message.
#[must_use]
pub fn auth_check_main() -> i32 {
    let mut input = Zeroizing::new(Vec::new());
    if std::io::stdin().take(8192).read_to_end(&mut input).is_err() {
        println!("unavailable cannot read the request");
        return 2;
    }
    let mut parts = input.splitn(3, |b| *b == b'\n');
    let (Some(service), Some(user), Some(password)) = (parts.next(), parts.next(), parts.next()) else {
        println!("unavailable malformed request");
        return 2;
    };
    let (Ok(service), Ok(user)) = (std::str::from_utf8(service), std::str::from_utf8(user)) else {
        println!("bad_credentials");
        return 1;
    };
    let verdict = check(service, user, Zeroizing::new(password.to_vec()));
    match &verdict {
        Verdict::Right => println!("ok"),
        Verdict::BadCredentials => println!("{} ", verdict.word()),
        Verdict::AccountRefused(m) | Verdict::Unavailable(m) => {
            println!("{} {}", verdict.word(), m.replace('\n', " "));
        }
    }
    0
}

fn check(service: &str, user: &str, password: Zeroizing<Vec<u8>>) -> Verdict {
    let mut pam = match Pam::start(service, user, Some(password)) {
        Ok(pam) => pam,
        Err(e) => return Verdict::Unavailable(e.to_string()),
    };
    if let Err(e) = pam.authenticate() {
        return match e.pam_code().unwrap_or_default() {
            code::AUTH_ERR | code::USER_UNKNOWN | code::PERM_DENIED => Verdict::BadCredentials,
            code::MAXTRIES | code::CRED_INSUFFICIENT | code::AUTHINFO_UNAVAIL => Verdict::BadCredentials,
            _ => Verdict::Unavailable(e.said()),
        };
    }
    match pam.account() {
        Ok(()) => Verdict::Right,
        Err(e) => match e.pam_code().unwrap_or_default() {
            code::ACCT_EXPIRED => Verdict::AccountRefused("the account has expired".into()),
            code::NEW_AUTHTOK_REQD => Verdict::AccountRefused("the password has expired and must be changed".into()),
            _ => Verdict::AccountRefused(e.said()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_answers_are_parsed_strictly() {
        assert_eq!(Verdict::from_line("ok"), Verdict::Right);
        assert_eq!(Verdict::from_line("bad_credentials "), Verdict::BadCredentials);
        assert_eq!(
            Verdict::from_line("account_refused the account has expired"),
            Verdict::AccountRefused("the account has expired".into())
        );
        assert!(matches!(Verdict::from_line(""), Verdict::Unavailable(_)));
        assert!(matches!(Verdict::from_line("okay"), Verdict::Unavailable(_)));
    }
}
