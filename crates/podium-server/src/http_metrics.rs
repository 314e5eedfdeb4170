//! The counters the HTTP layer keeps for `/metrics`: requests by route and
//! status, refused web logins by reason.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Counters the HTTP layer keeps.
#[derive(Debug, Default)]
pub struct HttpMetrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    login_failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl HttpMetrics {
    /// Counts a failed login, by reason (`bad_credentials`, `account_refused`, `throttled`).
    pub fn login_failure(&self, reason: &'static str) {
        *self
            .login_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(reason)
            .or_default() += 1;
    }

    /// Counts a request answered with `status` on `route`.
    pub fn request(&self, route: String, status: u16) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route, status))
            .or_default() += 1;
    }

    /// The requests counted so far, by route and status.
    #[must_use]
    pub fn requests(&self) -> BTreeMap<(String, u16), u64> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The failed logins counted so far for `reason`.
    #[must_use]
    pub fn login_failures(&self, reason: &str) -> u64 {
        self.login_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(reason)
            .copied()
            .unwrap_or(0)
    }
}
