//! What every handler shares: one `AppState`, cloned into each request.

use crate::auth::{Logins, Throttle};
use crate::http_metrics::HttpMetrics;
use podium_host::Host;
use std::sync::Arc;
use std::time::Duration;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The host and its sessions.
    pub host: Arc<Host>,
    /// Web logins.
    pub logins: Arc<Logins>,
    /// Failed-login throttle.
    pub throttle: Arc<Throttle>,
    /// HTTP counters.
    pub metrics: Arc<HttpMetrics>,
    /// Live desktop thumbnails.
    pub thumbnails: Arc<podium_thumbnail::Service>,
    /// Desktops projected onto others' stations (Project my desktop).
    pub projections: Arc<crate::projection::Projections>,
    /// This host's part in the school's cluster, when it has one.
    pub cluster: Option<Arc<podium_cluster::Node>>,
}

impl AppState {
    /// The state for `host`, with its web settings and `thumbnails`.
    #[must_use]
    pub fn new(host: Arc<Host>, thumbnails: Arc<podium_thumbnail::Service>) -> AppState {
        let web = host.config().web.clone();
        let idle = Duration::from_secs(u64::from(web.idle_timeout_minutes) * 60);
        AppState {
            logins: Arc::new(Logins::load(host.clone(), idle)),
            throttle: Arc::new(Throttle::new(
                web.max_login_failures,
                Duration::from_secs(u64::from(web.login_failure_window_seconds)),
            )),
            metrics: Arc::new(HttpMetrics::default()),
            thumbnails,
            projections: Arc::default(),
            host,
            cluster: None,
        }
    }

    /// The same state, part of the school's cluster through `node`.
    #[must_use]
    pub fn with_cluster(mut self, node: Arc<podium_cluster::Node>) -> AppState {
        self.cluster = Some(node);
        self
    }
}
