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

/// Why a login was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginFailure {
    /// Unknown user or wrong password (never told apart).
    #[error("wrong user name or password")]
    BadCredentials,
    /// The account or its password expired, or PAM's account checks said no.
    #[error("this account may not log in now: {0}")]
    AccountRefused(String),
    /// PAM could not be asked.
    #[error("cannot check the password: {0}")]
    Unavailable(String),
}

impl LoginFailure {
    fn word(&self) -> &'static str {
        match self {
            LoginFailure::BadCredentials => "bad_credentials",
            LoginFailure::AccountRefused(_) => "account_refused",
            LoginFailure::Unavailable(_) => "unavailable",
        }
    }

    fn from_line(line: &str) -> Result<(), LoginFailure> {
        let (word, message) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "ok" => Ok(()),
            "bad_credentials" => Err(LoginFailure::BadCredentials),
            "account_refused" => Err(LoginFailure::AccountRefused(message.to_owned())),
            _ => Err(LoginFailure::Unavailable(if message.is_empty() {
                line.to_owned()
            } else {
                message.to_owned()
            })),
        }
    }
}

/// Asks PAM whether `password` is `user`'s and the account may log in now.
///
/// # Errors
/// [`HostError::Io`] when the helper cannot be started; the verdict itself
/// is the inner result.
pub async fn check_password(
    exe: &Path,
    service: &str,
    user: &str,
    password: Zeroizing<String>,
) -> Result<Result<(), LoginFailure>> {
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
        Ok(Ok(Ok(answer))) => Ok(LoginFailure::from_line(answer.trim())),
        Ok(Ok(Err(e))) => Ok(Err(LoginFailure::Unavailable(e.to_string()))),
        Ok(Err(e)) => Ok(Err(LoginFailure::Unavailable(e.to_string()))),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX)),
                nix::sys::signal::Signal::SIGKILL,
            );
            Ok(Err(LoginFailure::Unavailable("PAM did not answer".into())))
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
    match verdict {
        Ok(()) => println!("ok"),
        Err(f) => {
            let message = match &f {
                LoginFailure::BadCredentials => String::new(),
                LoginFailure::AccountRefused(m) | LoginFailure::Unavailable(m) => m.replace('\n', " "),
            };
            println!("{} {message}", f.word());
        }
    }
    0
}

fn check(service: &str, user: &str, password: Zeroizing<Vec<u8>>) -> Result<(), LoginFailure> {
    let mut pam = Pam::start(service, user, Some(password)).map_err(|e| LoginFailure::Unavailable(e.to_string()))?;
    pam.authenticate().map_err(|e| match e.pam_code().unwrap_or_default() {
        code::AUTH_ERR | code::USER_UNKNOWN | code::PERM_DENIED => LoginFailure::BadCredentials,
        code::MAXTRIES | code::CRED_INSUFFICIENT | code::AUTHINFO_UNAVAIL => LoginFailure::BadCredentials,
        _ => LoginFailure::Unavailable(e.said()),
    })?;
    pam.account().map_err(|e| match e.pam_code().unwrap_or_default() {
        code::ACCT_EXPIRED => LoginFailure::AccountRefused("the account has expired".into()),
        code::NEW_AUTHTOK_REQD => LoginFailure::AccountRefused("the password has expired and must be changed".into()),
        _ => LoginFailure::AccountRefused(e.said()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_answers_are_parsed_strictly() {
        assert_eq!(LoginFailure::from_line("ok"), Ok(()));
        assert_eq!(
            LoginFailure::from_line("bad_credentials "),
            Err(LoginFailure::BadCredentials)
        );
        assert_eq!(
            LoginFailure::from_line("account_refused the account has expired"),
            Err(LoginFailure::AccountRefused("the account has expired".into()))
        );
        assert!(matches!(LoginFailure::from_line(""), Err(LoginFailure::Unavailable(_))));
        assert!(matches!(
            LoginFailure::from_line("okay"),
            Err(LoginFailure::Unavailable(_))
        ));
    }
}
