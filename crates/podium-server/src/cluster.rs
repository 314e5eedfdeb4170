//! The daemon's side of the cluster: what the node publishes is the host's
//! sessions, renewed whenever one appears, changes or goes, and its audit
//! log, sent on whenever a record is written.

use podium_cluster::{AuditLog, BoxFuture, Identity, Local, Node, Remote};
use podium_core::{ActionResults, AuditRecord};
use podium_host::Host;
use std::sync::Arc;

/// The host's sessions and audit log, for the node.
struct Sessions(Arc<Host>);

impl AuditLog for Sessions {
    fn audit_after(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>, String> {
        self.0.registry().audit_after(after, limit).map_err(|e| e.to_string())
    }

    fn audit_cursor(&self, outbox: &str) -> Result<i64, String> {
        self.0.registry().delivered(outbox).map_err(|e| e.to_string())
    }

    fn audit_delivered(&self, outbox: &str, id: i64) -> Result<(), String> {
        self.0.registry().set_delivered(outbox, id).map_err(|e| e.to_string())
    }
}

impl Local for Sessions {
    fn sessions(&self) -> Vec<podium_core::SessionInfo> {
        self.0.all_sessions()
    }

    fn act(&self, user: String, action: Remote) -> BoxFuture<'static, Result<ActionResults, String>> {
        let host = self.0.clone();
        Box::pin(async move {
            // Who the caller is here: this host's own view of that user.
            let account = podium_host::users::Account::by_name(&user).map_err(|e| e.to_string())?;
            let caller = host.roles().caller_for_uid(account.uid).map_err(|e| e.to_string())?;
            let results = match &action {
                Remote::Logoff(r) => host.logoff(&caller, r).await,
                Remote::Disconnect(r) => host.disconnect(&caller, r).await,
                Remote::Block(r) => host.block(&caller, r).await,
                Remote::Unblock(r) => host.unblock(&caller, r).await,
                Remote::Message(r) => host.message(&caller, r).await,
            };
            results.map_err(|e| e.to_string())
        })
    }
}

/// Joins the school's cluster as `[cluster]` says: reads the host's key,
/// starts the node (which connects in the background) and tells it of
/// every change of the host's sessions and every audit record written.
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
    let mut written = host.registry().audit_written();
    let outbox = node.clone();
    tokio::spawn(async move {
        while written.changed().await.is_ok() {
            outbox.audit_written();
        }
    });
    Ok(node)
}
