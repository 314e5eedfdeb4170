//! The `podium` command line run against a test's daemon, as root or as
//! one of the test's users.

use crate::system::TestUser;
use std::path::Path;
use std::process::{Command, Stdio};

/// What a CLI run printed and returned.
#[derive(Debug, Clone)]
pub struct CliOutput {
    /// Exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// A CLI invocation being prepared.
#[derive(Debug)]
pub struct Cli<'k> {
    podium: &'k Path,
    socket: &'k Path,
    user: Option<(u32, u32)>,
    args: Vec<String>,
}

impl<'k> Cli<'k> {
    /// `podium` talking to the daemon on `socket`.
    #[must_use]
    pub fn new(podium: &'k Path, socket: &'k Path) -> Self {
        Cli {
            podium,
            socket,
            user: None,
            args: Vec::new(),
        }
    }

    /// Run as this user (through `setpriv`, so the daemon sees their uid).
    #[must_use]
    pub fn as_user(mut self, u: &TestUser) -> Self {
        self.user = Some((u.uid, u.gid));
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Runs it (no stdin, so it never prompts).
    #[must_use]
    pub fn run(self) -> CliOutput {
        let socket = self.socket.to_string_lossy().into_owned();
        let podium = self.podium.to_string_lossy().into_owned();
        let mut cmd = match self.user {
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.args([
                    format!("--reuid={uid}"),
                    format!("--regid={gid}"),
                    "--init-groups".into(),
                    "--".into(),
                    podium,
                ]);
                c
            }
            None => Command::new(podium),
        };
        cmd.arg("--socket")
            .arg(&socket)
            .args(&self.args)
            .stdin(Stdio::null())
            .env_remove("PODIUM_SOCKET");
        let out = cmd.output().expect("run podium");
        CliOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
