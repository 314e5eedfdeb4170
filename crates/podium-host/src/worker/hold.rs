//! Holding a session whose desktop command exits during a log off.
//!
//! A session manager asked to log out exits once it is done; applications
//! it does not manage may still run. Ending the session then would send
//! them SIGTERM at once and kill them, skipping the `WM_DELETE_WINDOW` the
//! daemon is about to send. While the daemon holds the session, the
//! desktop's exit is noted and the session waits for the daemon's
//! `Terminate` — or, should the daemon be gone, for the hold to run out.

use super::protocol::EndCause;
use nix::poll::PollTimeout;
use std::time::{Duration, Instant};

/// The daemon's hold on the session, and what happened under it.
#[derive(Debug, Default)]
pub(super) struct Hold {
    until: Option<Instant>,
    desktop_gone: bool,
}

impl Hold {
    /// Holds the session for `time` from now (a later hold replaces it).
    pub(super) fn start(&mut self, time: Duration) {
        tracing::info!(
            hold_ms = time.as_millis(),
            "holding the session while the log off closes its programs"
        );
        self.until = Some(Instant::now() + time);
    }

    fn active(&self) -> bool {
        self.until.is_some_and(|u| Instant::now() < u)
    }

    /// Whether a log off holds the session now (Open… starts nothing then:
    /// the desktop may be gone and its pid taken by another process).
    pub(super) fn holding(&self) -> bool {
        self.active() || self.desktop_gone
    }

    /// What ends the session now that it has exited for `cause`: nothing
    /// while held and only the desktop command is gone.
    pub(super) fn desktop_exited(&mut self, cause: EndCause) -> Option<EndCause> {
        if cause == EndCause::DesktopExited && self.active() {
            tracing::info!("the desktop command exited during the log off; its applications get closed first");
            self.desktop_gone = true;
            return None;
        }
        Some(cause)
    }

    /// The desktop exited under a hold that has run out without the
    /// daemon's `Terminate`: end the session as the desktop's exit would have.
    pub(super) fn expired(&mut self) -> Option<EndCause> {
        if self.desktop_gone && !self.active() {
            tracing::warn!("the log off's hold ran out; ending the session");
            self.desktop_gone = false;
            return Some(EndCause::DesktopExited);
        }
        None
    }

    /// How long the worker's poll may sleep: until the hold runs out while
    /// it matters, forever otherwise.
    pub(super) fn poll_timeout(&self) -> PollTimeout {
        match self.until {
            Some(until) if self.desktop_gone => {
                let left = until.saturating_duration_since(Instant::now()) + Duration::from_millis(1);
                PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX)
            }
            _ => PollTimeout::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_hold_the_desktop_exit_ends_the_session() {
        let mut h = Hold::default();
        assert_eq!(h.desktop_exited(EndCause::DesktopExited), Some(EndCause::DesktopExited));
        assert_eq!(h.expired(), None);
        assert_eq!(h.poll_timeout(), PollTimeout::NONE);
    }

    #[test]
    fn a_hold_keeps_the_session_until_it_runs_out() {
        let mut h = Hold::default();
        h.start(Duration::from_millis(80));
        assert_eq!(h.desktop_exited(EndCause::DesktopExited), None);
        assert_eq!(h.expired(), None);
        assert_ne!(h.poll_timeout(), PollTimeout::NONE);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(h.expired(), Some(EndCause::DesktopExited));
        assert_eq!(h.expired(), None, "reported once");
    }

    #[test]
    fn a_dead_display_ends_the_session_even_when_held() {
        let mut h = Hold::default();
        h.start(Duration::from_secs(60));
        assert_eq!(h.desktop_exited(EndCause::DisplayDied), Some(EndCause::DisplayDied));
    }
}
