//! Running `ip` (iproute2), the one tool that builds the test network, so
//! every step that fails says which command and what the kernel answered.

use crate::TestkitError;
use std::process::Command;

/// Runs `ip ARGS…` and returns what it printed.
///
/// # Errors
/// When `ip` cannot be started or refuses: its words.
pub(crate) fn ip(args: &[&str]) -> Result<String, TestkitError> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|source| TestkitError::CommandStart {
            program: "ip".to_owned(),
            source,
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(TestkitError::CommandFailed {
            command: format!("ip {}", args.join(" ")),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

/// Runs `ip ARGS…` where failing is no news: undoing what may be half made
/// or already gone. What went wrong otherwise goes to standard error, so a
/// leftover is explained in the test's output.
pub(crate) fn ip_undo(args: &[&str]) {
    if let Err(e) = ip(args) {
        let gone = e.to_string();
        if !gone.contains("Cannot find device") && !gone.contains("No such file") {
            eprintln!("podium-testkit: {e}");
        }
    }
}

/// Fails unless the test runs as root: namespaces, links and addresses
/// are root's to make.
///
/// # Errors
/// [`TestkitError::ClusterPrerequisite`] when it does not.
pub(crate) fn require_root() -> Result<(), TestkitError> {
    if nix::unistd::geteuid().is_root() {
        Ok(())
    } else {
        Err(TestkitError::ClusterPrerequisite(
            "tests of several hosts run as root (they make network namespaces)".to_owned(),
        ))
    }
}
