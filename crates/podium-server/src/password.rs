//! The one password check of the web login and the station unlock:
//! throttled per user and per address, answered by PAM through the host.
//!
//! Both share one [`Throttle`](crate::auth::Throttle), so wrong passwords
//! count the same whichever page they were typed in. A check under way
//! counts against the limit until it ends, so that wrong passwords sent
//! all at once get no more checks than the limit. A password PAM could not
//! check is no failure: it counts nothing and is answered 503.

use crate::error::AppError;
use crate::state::AppState;
use podium_core::ErrorCode;
use podium_host::login::{self, check_password};
use std::fmt::Display;
use zeroize::Zeroizing;

/// What a throttled password check found.
#[derive(Debug)]
pub enum Verdict {
    /// The password is right, and the account may log in now.
    Right,
    /// Too many failures for the user or from the address: PAM was not
    /// asked (counted as `throttled` in the metrics).
    Throttled,
    /// PAM refused: a wrong password, or an account not allowed in now.
    /// Counted against the user and the address.
    Refused(login::Verdict),
}

/// Checks `user`'s `password`, typed from `address`.
///
/// # Errors
/// 503 when PAM cannot be asked, or the host's error when the check
/// itself fails; neither counts against the limit.
pub async fn check(
    s: &AppState,
    user: &str,
    address: impl Display,
    password: Zeroizing<String>,
) -> Result<Verdict, AppError> {
    let keys = [format!("user:{user}"), format!("addr:{address}")];
    let Some(attempt) = s.throttle.begin(&keys) else {
        s.metrics.login_failure("throttled");
        return Ok(Verdict::Throttled);
    };
    let service = s.host.config().session.pam_service.clone();
    let verdict = match check_password(s.host.exe(), &service, user, password).await {
        Ok(v) => v,
        Err(e) => {
            attempt.passed();
            return Err(e.into());
        }
    };
    match verdict {
        login::Verdict::Right => {
            attempt.passed();
            Ok(Verdict::Right)
        }
        login::Verdict::Unavailable(m) => {
            attempt.passed();
            tracing::error!(user = %user, "PAM unavailable: {m}");
            Err(AppError::new(
                ErrorCode::Unavailable,
                "the password cannot be checked right now",
            ))
        }
        refused => {
            attempt.failed();
            Ok(Verdict::Refused(refused))
        }
    }
}
