//! The one error type of the system-call layer.

/// What a system call or C library the host relies on refused: starting a
/// process, a PAM step, compressing a picture. Each says which step, so the
/// daemon can pass it on in words without knowing the C API behind it.
#[derive(Debug, thiserror::Error)]
pub enum SysError {
    /// An argument or variable contained a NUL byte.
    #[error("{0} contains a NUL byte")]
    Nul(&'static str),
    /// `fork` or the status pipe failed in the parent.
    #[error("cannot fork: {0}")]
    Fork(std::io::Error),
    /// The child reported a failed step before `exec`.
    #[error("cannot {what} {program}: {error}")]
    Child {
        /// The step, in words.
        what: &'static str,
        /// The program that was to run.
        program: String,
        /// The errno the step failed with.
        error: std::io::Error,
    },
    /// A PAM call did not succeed.
    #[error("PAM {call} failed for service {service}: {message}")]
    Pam {
        /// The PAM function, e.g. `pam_open_session`.
        call: &'static str,
        /// The service name.
        service: String,
        /// PAM's result code (see [`crate::pam::code`]).
        code: i32,
        /// `pam_strerror`'s text, plus any error message a module showed.
        message: String,
    },
    /// The kernel's random generator gave nothing.
    #[error("no random bytes: {0}")]
    Random(String),
    /// libjpeg-turbo could not compress a picture; its own words.
    #[error("{0}")]
    Jpeg(String),
}

impl SysError {
    /// PAM's result code, when a PAM call failed: what tells a wrong
    /// password from an expired account.
    #[must_use]
    pub fn pam_code(&self) -> Option<i32> {
        match self {
            SysError::Pam { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// What PAM or its modules said, without the call and service around
    /// it (for a user); the whole error otherwise.
    #[must_use]
    pub fn said(&self) -> String {
        match self {
            SysError::Pam { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// Results of this crate.
pub type Result<T, E = SysError> = std::result::Result<T, E>;
