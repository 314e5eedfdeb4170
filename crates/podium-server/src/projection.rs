//! The server's part of "Project my desktop": one projector per projected
//! display, shared by every station that shows it, and how long a
//! projection started from the dashboard lasts.
//!
//! The rule: a projection started from a web login that has the dashboard
//! open (an events WebSocket: the dashboard keeps one open all the time
//! it is shown) lasts while that login has one open. When the login has
//! had none for [`DASHBOARD_GRACE`] — the teacher closed the tab — the
//! projection ends and the pupils get their desktops back; a reload of
//! the dashboard is shorter than that and ends nothing. A projection
//! started over the Unix socket, or from a login with no dashboard open
//! (the CLI's `--server`, a script), lasts until
//! `podium session project --stop`. Whichever started it last decides.

use podium_core::SessionId;
use podium_core::audit::SYSTEM_ACTOR;
use podium_host::Host;
use podium_thumbnail::ThumbError;
use podium_thumbnail::projector::{Frames, Projector};
use podium_x11::DisplayAccess;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a web login may have no dashboard open before the
/// projections it started end.
pub const DASHBOARD_GRACE: Duration = Duration::from_secs(3);

/// How often a projection started from the web looks for its dashboard.
const LOOK_EVERY: Duration = Duration::from_millis(250);

/// A web login, as its token's hash (the token itself is a secret).
type LoginKey = [u8; 32];

fn key(token: &str) -> LoginKey {
    Sha256::digest(token.as_bytes()).into()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The projections this server runs.
#[derive(Debug, Default)]
pub struct Projections {
    /// The capture of each projected display, by source session.
    projectors: Mutex<HashMap<SessionId, Projector>>,
    /// How many events WebSockets each web login has open now.
    dashboards: Mutex<HashMap<LoginKey, usize>>,
    /// The web login each projection started from the web depends on,
    /// by source session.
    tied: Mutex<HashMap<SessionId, LoginKey>>,
}

/// An open events WebSocket of a web login; dropping it closes it.
#[derive(Debug)]
pub struct DashboardOpen {
    projections: Arc<Projections>,
    key: LoginKey,
}

impl Drop for DashboardOpen {
    fn drop(&mut self) {
        let mut open = lock(&self.projections.dashboards);
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl Projections {
    /// The frames of session `source`'s screen, whose display `access`
    /// reaches: the running projector's, or a new one's.
    ///
    /// # Errors
    /// When a capture thread cannot be started.
    pub fn frames(&self, source: SessionId, access: DisplayAccess) -> Result<Frames, ThumbError> {
        let mut projectors = lock(&self.projectors);
        if let Some(frames) = projectors.get(&source).and_then(Projector::subscribe) {
            return Ok(frames);
        }
        projectors.retain(|_, p| p.is_running());
        let (projector, frames) = Projector::start(access, source.to_string())?;
        projectors.insert(source, projector);
        Ok(frames)
    }

    /// Frames encoded by the projector of `source` so far (0 when none
    /// runs): for the metrics and the benchmark's checks.
    #[must_use]
    pub fn frames_made(&self, source: SessionId) -> u64 {
        lock(&self.projectors).get(&source).map_or(0, Projector::frames_made)
    }

    /// Notes an events WebSocket of the web login `token` open, until the
    /// guard is dropped.
    #[must_use]
    pub fn dashboard_open(self: &Arc<Self>, token: &str) -> DashboardOpen {
        let key = key(token);
        *lock(&self.dashboards).entry(key).or_insert(0) += 1;
        DashboardOpen {
            projections: self.clone(),
            key,
        }
    }

    fn has_dashboard(&self, key: &LoginKey) -> bool {
        lock(&self.dashboards).contains_key(key)
    }

    /// Session `source`'s projection was (re)started from the web login
    /// `token`: when that login has a dashboard open, the projection now
    /// lasts while it does; else until stopped.
    pub fn tie(self: &Arc<Self>, host: &Arc<Host>, source: SessionId, token: &str) {
        let key = key(token);
        if !self.has_dashboard(&key) {
            self.untie(source);
            return;
        }
        let watching = lock(&self.tied).insert(source, key).is_some();
        if !watching {
            let (projections, host) = (self.clone(), host.clone());
            tokio::spawn(async move { projections.watch(&host, source).await });
        }
    }

    /// Session `source`'s projection was (re)started over the Unix socket:
    /// it lasts until stopped.
    pub fn untie(&self, source: SessionId) {
        lock(&self.tied).remove(&source);
    }

    /// Ends `source`'s projection once its web login has had no dashboard
    /// for [`DASHBOARD_GRACE`]; stops watching when the projection ends
    /// or is untied.
    async fn watch(&self, host: &Arc<Host>, source: SessionId) {
        let mut seen = Instant::now();
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            let Some(key) = lock(&self.tied).get(&source).copied() else {
                return;
            };
            if !host.is_projecting(source) {
                lock(&self.tied).remove(&source);
                return;
            }
            if self.has_dashboard(&key) {
                seen = Instant::now();
            } else if seen.elapsed() >= DASHBOARD_GRACE {
                lock(&self.tied).remove(&source);
                tracing::info!(
                    session = source,
                    "the dashboard that projects this session closed; projection ends"
                );
                host.end_projection(source, SYSTEM_ACTOR, Some("the dashboard that started it was closed"))
                    .await;
                return;
            }
        }
    }
}
