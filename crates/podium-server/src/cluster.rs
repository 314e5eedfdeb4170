//! The daemon's side of the cluster: what the node publishes is the host's
//! sessions, renewed whenever one appears, changes or goes.

use podium_cluster::{Identity, Local, Node};
use podium_host::Host;
use std::sync::Arc;

/// The host's sessions, for the node.
struct Sessions(Arc<Host>);

impl Local for Sessions {
    fn sessions(&self) -> Vec<podium_core::SessionInfo> {
        self.0.all_sessions()
    }
}

/// Joins the school's cluster as `[cluster]` says: reads the host's key,
/// starts the node (which connects in the background) and tells it of
/// every change of the host's sessions.
///
/// # Errors
/// When the key cannot be read or the NATS options are wrong; an
/// unreachable NATS is not an error.
pub async fn join(host: &Arc<Host>) -> podium_cluster::Result<Arc<Node>> {
    let config = host.config().cluster.clone();
    let identity = Identity::load(&config.host, &config.seed_file)?;
    let node = Node::start(&config, identity, Arc::new(Sessions(host.clone()))).await?;
    let mut events = host.subscribe();
    let watcher = node.clone();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => watcher.changed(),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(node)
}
