//! The school's simulated hosts: each is Podium's own
//! [`podium_cluster::Node`] with its own NATS identity, so that on the
//! wire it is a host like the real ones — its load every 2 s, a copy of
//! each session in the bucket, actions answered on its own subject with
//! the caller's signature checked, pictures sent only while leased and
//! only when changed, how a log off ended told on its `ended` subject —
//! but its sessions are records, not desktops.
//!
//! What a real host spends, a simulated one borrows from the real hosts
//! of the same run ([`Borrowed`]): a log off of its sessions takes, session
//! by session and all at once, the times a real host's waited log off of
//! as many sessions took; its pictures are real thumbnails of the leased
//! size, taken from a real host's desktops, changing as often as theirs.

use futures_util::future::join_all;
use podium_cluster::{AuditLog, BoxFuture, Ended, Identity, Local, Node, Remote};
use podium_core::config::ClusterConfig;
use podium_core::{
    ActionResult, ActionResults, EndKind, PictureFrame, Role, SessionInfo, SessionRef, SessionState, Timestamp,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// The size of picture the benchmark's dashboard shows, and the only one
/// the simulated hosts have real thumbnails of.
pub(crate) const SIZE: &str = "small";

/// How often a simulated host looks whether one of its desktops changed.
const TICK: Duration = Duration::from_millis(50);

/// What the real hosts of this run lend the simulated ones.
#[derive(Debug, Default)]
pub(crate) struct Borrowed {
    /// A real host's waited log off of all its sessions at once: each
    /// session's time from the request to gone, and how it ended.
    endings: Mutex<Vec<(Duration, EndKind)>>,
    /// Real thumbnails of [`SIZE`] of a real host's desktops.
    jpegs: Mutex<Arc<Vec<Vec<u8>>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Borrowed {
    /// The times a real host's log off took, session by session.
    pub(crate) fn set_endings(&self, endings: Vec<(Duration, EndKind)>) {
        *lock(&self.endings) = endings;
    }

    /// Real thumbnails to show.
    pub(crate) fn set_jpegs(&self, jpegs: Vec<Vec<u8>>) {
        *lock(&self.jpegs) = Arc::new(jpegs);
    }

    fn jpegs(&self) -> Arc<Vec<Vec<u8>>> {
        lock(&self.jpegs).clone()
    }
}

/// One simulated host's sessions.
#[derive(Debug)]
struct Desk {
    host: String,
    sessions: Mutex<BTreeMap<u32, SessionInfo>>,
    node: OnceLock<Arc<Node>>,
    borrowed: Arc<Borrowed>,
    /// Its audit log, as a real host's registry keeps one: a record per
    /// session logged off, delivered to the school's stream by the node.
    audit: Mutex<Vec<podium_core::AuditRecord>>,
    /// How far the node delivered it.
    delivered: Mutex<i64>,
}

/// The node's view of a [`Desk`].
struct Sim(Arc<Desk>);

impl AuditLog for Sim {
    fn audit_after(&self, after: i64, limit: u32) -> Result<Vec<podium_core::AuditRecord>, String> {
        let audit = lock(&self.0.audit);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(audit.iter().filter(|r| r.id > after).take(limit).cloned().collect())
    }

    fn audit_cursor(&self, _outbox: &str) -> Result<i64, String> {
        Ok(*lock(&self.0.delivered))
    }

    fn audit_delivered(&self, _outbox: &str, id: i64) -> Result<(), String> {
        *lock(&self.0.delivered) = id;
        Ok(())
    }
}

impl Local for Sim {
    fn sessions(&self) -> Vec<SessionInfo> {
        lock(&self.0.sessions).values().cloned().collect()
    }

    fn act(&self, _user: String, action: Remote) -> BoxFuture<'static, Result<ActionResults, String>> {
        let desk = self.0.clone();
        Box::pin(async move {
            match action {
                Remote::Logoff(r) => desk.logoff(&r.sessions, r.all, r.wait).await,
                Remote::Block(r) => Ok(desk.touch(&r.sessions, r.all)),
                Remote::Message(r) => Ok(desk.touch(&r.sessions, r.all)),
                Remote::Disconnect(r) | Remote::Unblock(r) => Ok(desk.touch(&r.sessions, r.all)),
            }
        })
    }
}

impl Desk {
    /// The sessions a request names (`Err(id)`: no such session).
    fn targets(&self, refs: &[SessionRef], all: bool) -> Vec<Result<SessionInfo, u32>> {
        let sessions = lock(&self.sessions);
        if all {
            return sessions.values().cloned().map(Ok).collect();
        }
        refs.iter().map(|r| sessions.get(&r.id).cloned().ok_or(r.id)).collect()
    }

    /// An action that changes nothing a benchmark looks at: done for each
    /// session there is.
    fn touch(&self, refs: &[SessionRef], all: bool) -> ActionResults {
        let results = self
            .targets(refs, all)
            .into_iter()
            .map(|t| match t {
                Ok(s) => ActionResult::done(s.id, &s.user),
                Err(id) => ActionResult::not_found(id),
            })
            .collect();
        ActionResults { results }
    }

    /// Logs the sessions off all at once, each taking the time a real
    /// host's session took; with `wait`, answers once all have ended,
    /// saying how, as a real host does.
    async fn logoff(self: &Arc<Self>, refs: &[SessionRef], all: bool, wait: bool) -> Result<ActionResults, String> {
        let endings = lock(&self.borrowed.endings).clone();
        if endings.is_empty() {
            return Err("no real host's log off was measured to take its time from".to_owned());
        }
        let mut results = Vec::new();
        let mut ending = Vec::new();
        for (i, target) in self.targets(refs, all).into_iter().enumerate() {
            match target {
                Err(id) => results.push(ActionResult::not_found(id)),
                Ok(s) => {
                    results.push(ActionResult::done(s.id, &s.user));
                    let (took, end) = endings[i % endings.len()];
                    let desk = self.clone();
                    ending.push(tokio::spawn(async move {
                        tokio::time::sleep(took).await;
                        desk.end(&s, end, took).await;
                        (s.id, took, end)
                    }));
                }
            }
        }
        if wait {
            for (id, took, end) in join_all(ending).await.into_iter().flatten() {
                if let Some(r) = results.iter_mut().find(|r| r.session == id) {
                    r.ended = Some(end);
                    r.duration_ms = u64::try_from(took.as_millis()).ok();
                }
            }
        }
        Ok(ActionResults { results })
    }

    /// A session is gone: out of the bucket, and its ending told.
    async fn end(&self, s: &SessionInfo, end: EndKind, took: Duration) {
        lock(&self.sessions).remove(&s.id);
        {
            let mut audit = lock(&self.audit);
            let id = i64::try_from(audit.len()).unwrap_or(i64::MAX - 1) + 1;
            audit.push(podium_core::AuditRecord {
                id,
                at: Timestamp::now(),
                actor: "bench".to_owned(),
                kind: podium_core::AuditKind::Logoff,
                action: None,
                session: Some(s.id),
                target_user: Some(s.user.clone()),
                outcome: end.as_str().to_owned(),
                reason: None,
                duration_ms: u64::try_from(took.as_millis()).ok(),
                applications: Vec::new(),
                host: None,
            });
        }
        if let Some(node) = self.node.get() {
            node.changed();
            node.audit_written();
            node.publish_ended(&Ended {
                id: s.id,
                uid: s.uid,
                end,
                applications: Vec::new(),
            })
            .await;
        }
    }
}

/// A session record of a simulated host: a pupil's running desktop.
fn record(host: &str, index: u32, id: u32) -> SessionInfo {
    SessionInfo {
        id,
        user: format!("{host}-pupil{id}"),
        uid: 3_000_000 + index * 1000 + id,
        full_name: format!("Pupil {id} of {host}"),
        role: Role::Standard,
        station: None,
        state: SessionState::Disconnected,
        blocked: false,
        block_message: None,
        display: format!(":{}", id + 9),
        created_at: Timestamp::now(),
        connected_at: None,
        logoff_deadline: None,
        host: None,
        projected_by: None,
    }
}

/// The simulated hosts, running until dropped.
pub(crate) struct Sims {
    /// Declared first: its tasks stop before the rest goes.
    _rt: tokio::runtime::Runtime,
    desks: Vec<Arc<Desk>>,
    borrowed: Arc<Borrowed>,
}

impl std::fmt::Debug for Sims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sims")
            .field("hosts", &self.desks.len())
            .finish_non_exhaustive()
    }
}

impl Sims {
    /// Starts a simulated host for each of `configs` (its `[cluster]`, with
    /// its identity), each with `sessions` sessions; session i of the
    /// host-th changes its picture every `periods(host)[i]` ms, on the wall
    /// clock's multiples.
    ///
    /// # Errors
    /// When a node cannot start (its NATS options are wrong), or there is
    /// no runtime.
    pub(crate) fn start(
        configs: Vec<(ClusterConfig, Identity)>,
        sessions: u32,
        periods: impl Fn(usize) -> Vec<u64>,
    ) -> Result<Sims, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("no runtime for the simulated hosts: {e}"))?;
        let borrowed = Arc::new(Borrowed::default());
        let mut desks = Vec::new();
        for (index, (config, identity)) in (0u32..).zip(configs) {
            let desk = Arc::new(Desk {
                host: config.host.clone(),
                sessions: Mutex::new((1..=sessions).map(|id| (id, record(&config.host, index, id))).collect()),
                node: OnceLock::new(),
                borrowed: borrowed.clone(),
                audit: Mutex::default(),
                delivered: Mutex::default(),
            });
            let node = rt
                .block_on(Node::start(&config, identity, Arc::new(Sim(desk.clone()))))
                .map_err(|e| format!("simulated host {}: {e}", config.host))?;
            let _ = desk.node.set(node.clone());
            rt.spawn(send_pictures(
                desk.clone(),
                node,
                periods(usize::try_from(index).unwrap_or(0)),
            ));
            desks.push(desk);
        }
        Ok(Sims {
            _rt: rt,
            desks,
            borrowed,
        })
    }

    /// What the real hosts lend them.
    pub(crate) fn borrowed(&self) -> &Borrowed {
        &self.borrowed
    }

    /// Their names.
    pub(crate) fn names(&self) -> Vec<String> {
        self.desks.iter().map(|d| d.host.clone()).collect()
    }

    /// Sessions they still run, in all.
    pub(crate) fn sessions_left(&self) -> usize {
        self.desks.iter().map(|d| lock(&d.sessions).len()).sum()
    }

    /// A session id of host `host` that runs, if any.
    pub(crate) fn a_session_of(&self, host: &str) -> Option<u32> {
        let desk = self.desks.iter().find(|d| d.host == host)?;
        lock(&desk.sessions).keys().next().copied()
    }
}

/// Sends `desk`'s pictures of [`SIZE`] as a real host does: every current
/// one when a lease starts, then each desktop's as it changes, while a
/// lease holds. Desktop i changes every `periods[i]` ms.
async fn send_pictures(desk: Arc<Desk>, node: Arc<Node>, periods: Vec<u64>) {
    let mut starts = node.lease_starts();
    let mut tick = tokio::time::interval(TICK);
    // The change each desktop's last picture sent showed.
    let mut sent: BTreeMap<u32, u64> = BTreeMap::new();
    loop {
        let everything = tokio::select! {
            started = starts.recv() => match started {
                Ok(size) => size == SIZE,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick() => false,
        };
        let jpegs = desk.borrowed.jpegs();
        if !node.leased(SIZE) || jpegs.is_empty() || periods.is_empty() {
            continue;
        }
        let now = podium_cluster::record::now_ms();
        let ids: Vec<u32> = lock(&desk.sessions).keys().copied().collect();
        for (i, id) in ids.into_iter().enumerate() {
            let change = now / periods[i % periods.len()].max(1);
            if !everything && sent.get(&id) == Some(&change) {
                continue;
            }
            sent.insert(id, change);
            let picked = usize::try_from(change).unwrap_or(0).wrapping_add(i) % jpegs.len();
            let etag = format!("\"{id}-{change}\"");
            let frame = PictureFrame {
                id,
                host: None,
                etag: &etag,
                jpeg: &jpegs[picked],
            };
            if let Some(bytes) = frame.encode() {
                node.publish_picture(id, SIZE, bytes).await;
            }
        }
    }
}
