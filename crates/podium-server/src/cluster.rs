//! The daemon's side of the cluster: what the node publishes is the host's
//! sessions, renewed whenever one appears, changes or goes, and its audit
//! log, sent on whenever a record is written.

use podium_cluster::{AuditLog, BoxFuture, Ended, Identity, Local, Node, Remote};
use podium_core::{ActionResults, AuditRecord, PictureFrame};
use podium_host::{Host, HostEvent};
use podium_thumbnail::{Service, Size, Thumbnail};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

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
pub async fn join(host: &Arc<Host>, thumbnails: &Arc<Service>) -> podium_cluster::Result<Arc<Node>> {
    let config = host.config().cluster.clone();
    let identity = Identity::load(&config.host, &config.seed_file)?;
    let node = Node::start(&config, identity, Arc::new(Sessions(host.clone()))).await?;
    tokio::spawn(send_pictures(node.clone(), host.clone(), thumbnails.clone()));
    let mut events = host.subscribe();
    let watcher = node.clone();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(HostEvent::Removed {
                    id,
                    uid,
                    end: Some(end),
                    applications,
                }) => {
                    watcher.changed();
                    watcher
                        .publish_ended(&Ended {
                            id,
                            uid,
                            end,
                            applications,
                        })
                        .await;
                }
                Ok(_) | Err(RecvError::Lagged(_)) => watcher.changed(),
                Err(RecvError::Closed) => return,
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

/// Sends this host's pictures of each size another host leases: every
/// current one when a lease starts, then each as it changes, for as long
/// as a lease holds. While one does, the desktops are captured as if a
/// dashboard here watched them.
async fn send_pictures(node: Arc<Node>, host: Arc<Host>, thumbnails: Arc<Service>) {
    let mut starts = node.lease_starts();
    let mut changes = thumbnails.subscribe();
    let mut watching: BTreeMap<Size, podium_thumbnail::WatchGuard> = BTreeMap::new();
    let mut check = tokio::time::interval(podium_cluster::Lease::RENEWED);
    loop {
        tokio::select! {
            started = starts.recv() => match started {
                Ok(word) => {
                    let Some(size) = Size::from_word(&word) else {
                        tracing::warn!(size = %word, "a lease on a size this host does not make; ignored");
                        continue;
                    };
                    watching
                        .entry(size)
                        .or_insert_with(|| thumbnails.watch_pushing(0, true, Some(size)));
                    // Made now if this size was not being made.
                    let (node, host, thumbnails) = (node.clone(), host.clone(), thumbnails.clone());
                    tokio::spawn(async move {
                        for id in host.all_sessions().iter().map(|s| s.id) {
                            if let Ok(t) = thumbnails.get(id, size).await {
                                send(&node, id, size, &t).await;
                            }
                        }
                    });
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            changed = changes.recv() => match changed {
                Ok(e) => {
                    for (size, t) in &e.pictures {
                        if watching.contains_key(size) && node.leased(size.as_str()) {
                            send(&node, e.id, *size, t).await;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            _ = check.tick() => watching.retain(|size, _| node.leased(size.as_str())),
        }
    }
}

async fn send(node: &Node, id: u32, size: Size, t: &Thumbnail) {
    let frame = PictureFrame {
        id,
        host: None,
        etag: &t.etag,
        jpeg: &t.jpeg,
    };
    if let Some(bytes) = frame.encode() {
        node.publish_picture(id, size.as_str(), bytes).await;
    }
}
