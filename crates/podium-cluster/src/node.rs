//! This host's part in the school: connected to NATS in the background,
//! it publishes its load every 2 s and a copy of each of its sessions,
//! delivers its audit records to the school's stream, and feeds the
//! [`Directory`] with everyone's. Nothing here is waited on by the
//! daemon's own work: when NATS is away, publishing waits and the host
//! goes on alone.

use crate::assertion::{self, Claims, Purpose, Verifier};
use crate::audit::{self, StreamSink};
use crate::directory::Directory;
use crate::error::{ClusterError, Result};
use crate::identity::Identity;
use crate::outbox::{self, AuditLog};
use crate::pictures::{Lease, Leases, Picture, Pictures};
use crate::record::HostLoad;
use crate::service::{Answer, Ask, Remote};
use crate::subjects;
use async_nats::jetstream::{self, kv};
use futures_util::StreamExt;
use podium_core::config::ClusterConfig;
use podium_core::{ActionResults, AuditRecord, SessionInfo, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// What the node needs of the daemon: its sessions as they are now, its
/// actions for a caller another host vouches for, and its audit log with
/// the mark of how far the log went to the school's stream ([`AuditLog`]).
pub trait Local: AuditLog + Send + Sync + 'static {
    /// Every session this host runs.
    fn sessions(&self) -> Vec<SessionInfo>;

    /// Runs `action` for the user named `user`, whose rights this host
    /// decides from its own view of that user; or says why it cannot.
    fn act(&self, user: String, action: Remote) -> BoxFuture<'static, std::result::Result<ActionResults, String>>;
}

/// A future a [`Local`] returns.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// How long one NATS call may take before it is tried again later.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// A watch of the sessions is made afresh this often: one whose consumer
/// was lost with a server would otherwise leave the directory stale. A
/// fresh watch delivers every key's last value again, deletions included.
const WATCH_RENEWED: Duration = Duration::from_secs(30);
/// Audit records not delivered are tried again this often (and at once
/// when a record is written or NATS comes back).
const AUDIT_RETRY: Duration = Duration::from_secs(3);

/// This host on the school's NATS.
pub struct Node {
    host: String,
    client: async_nats::Client,
    directory: Directory,
    changed: Notify,
    /// Wakes the audit outbox: a record was written.
    audit_written: Notify,
    /// Wakes the session watch after a reconnection: its consumer may have
    /// lived on the server that went away.
    reconnected: Arc<Notify>,
    connected: Arc<AtomicBool>,
    identity: Identity,
    /// Other hosts' leases on this host's pictures.
    leases: Leases,
    /// Other hosts' pictures, as they come.
    pictures: Pictures,
    /// When this host last leased each other host's pictures of a size.
    asked: std::sync::Mutex<BTreeMap<(String, String), std::time::Instant>>,
    /// Whether this host reads other hosts' pictures now: only while it
    /// leases some, so a host nobody watches from receives none.
    reading: tokio::sync::Mutex<bool>,
    /// What other hosts assert, checked against `[cluster.peers]`; one
    /// for every purpose, so a nonce is believed once whatever it came with.
    verifier: Arc<Verifier>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node").field("host", &self.host).finish_non_exhaustive()
    }
}

impl Node {
    /// Starts connecting to `config`'s NATS servers as `identity`, and the
    /// tasks that publish `local`'s sessions and load and read everyone
    /// else's. Returns at once: the connection is made, and made again
    /// after any loss, in the background.
    ///
    /// # Errors
    /// [`ClusterError::Nats`] when the options themselves are wrong (a CA
    /// file that cannot be read, say); never for an unreachable server.
    pub async fn start(config: &ClusterConfig, identity: Identity, local: Arc<dyn Local>) -> Result<Arc<Node>> {
        let host = config.host.clone();
        let flag = Arc::new(AtomicBool::new(false));
        let reconnected = Arc::new(Notify::new());
        let events = flag.clone();
        let woken = reconnected.clone();
        let name = host.clone();
        let mut options = async_nats::ConnectOptions::with_nkey(identity.seed())
            .name(format!("podium {host}"))
            .require_tls(true)
            .retry_on_initial_connect()
            .max_reconnects(None)
            .connection_timeout(Duration::from_secs(3))
            .ping_interval(Duration::from_secs(2))
            .request_timeout(Some(CALL_TIMEOUT))
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis(250 * u64::try_from(attempts.min(8)).unwrap_or(8))
            })
            .event_callback(move |event| {
                let flag = events.clone();
                let woken = woken.clone();
                let name = name.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            flag.store(true, Ordering::SeqCst);
                            woken.notify_waiters();
                            tracing::info!(host = %name, "connected to the school's NATS");
                        }
                        async_nats::Event::Disconnected => {
                            flag.store(false, Ordering::SeqCst);
                            tracing::warn!(host = %name, "lost the school's NATS; going on as a single host");
                        }
                        other => tracing::debug!(host = %name, "NATS: {other}"),
                    }
                }
            });
        if let Some(ca) = &config.ca {
            options = options.add_root_certificates(ca.clone());
        }
        let client = options
            .connect(config.urls.as_slice())
            .await
            .map_err(ClusterError::nats)?;
        let node = Arc::new(Node {
            host,
            client,
            directory: Directory::default(),
            changed: Notify::new(),
            audit_written: Notify::new(),
            reconnected,
            connected: flag,
            identity,
            leases: Leases::default(),
            pictures: Pictures::default(),
            asked: std::sync::Mutex::default(),
            reading: tokio::sync::Mutex::new(false),
            verifier: Arc::new(Verifier::new(&config.host, config.peers.clone())),
        });
        tokio::spawn(
            node.clone()
                .publish(local.clone(), config.capacity, config.address.clone(), config.replicas),
        );
        tokio::spawn(node.clone().read_loads());
        tokio::spawn(node.clone().deliver_audit(local.clone(), config.replicas));
        tokio::spawn(node.clone().read_sessions(config.replicas));
        tokio::spawn(node.clone().take_leases());
        tokio::spawn(node.clone().read_endings());
        tokio::spawn(node.clone().serve(local));
        Ok(node)
    }

    /// This host's name.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The school as this host sees it.
    #[must_use]
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// Whether NATS is reachable now.
    #[must_use]
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Asks host `host` to run `action` for `user` (this host vouches for
    /// the name), waiting at most `patience` for its results.
    ///
    /// # Errors
    /// In words: the host did not answer (unreachable, or no such host),
    /// or it refused the request.
    pub async fn ask(
        &self,
        host: &str,
        user: &str,
        action: Remote,
        patience: Duration,
    ) -> std::result::Result<ActionResults, String> {
        let caller = assertion::sign(&self.identity, Purpose::Action, host, user, crate::record::now_ms())
            .map_err(|e| e.to_string())?;
        let body = serde_json::to_vec(&Ask { caller, action }).map_err(|e| e.to_string())?;
        let request = async_nats::Request::new().payload(body.into()).timeout(Some(patience));
        let reply = self
            .client
            .send_request(crate::service::subject(host), request)
            .await
            .map_err(|e| match e.kind() {
                async_nats::RequestErrorKind::NoResponders => format!("host {host} is unreachable"),
                async_nats::RequestErrorKind::TimedOut => format!("host {host} did not answer in time"),
                _ => format!("host {host} could not be asked: {e}"),
            })?;
        match serde_json::from_slice::<Answer>(&reply.payload) {
            Ok(Answer::Results(results)) => Ok(results),
            Ok(Answer::Refused(why)) => Err(format!("host {host} refused the request: {why}")),
            Err(e) => Err(format!("host {host} answered something unreadable: {e}")),
        }
    }

    /// Asks every other reachable host for its pictures of `size` for the
    /// next [`Lease::LASTS`]: a stream that shows them calls this every
    /// [`Lease::RENEWED`], `fresh` the first time (every current picture
    /// is sent again then).
    pub async fn lease(self: &Arc<Self>, size: &str, fresh: bool) {
        for (host, view) in self.directory.hosts() {
            if host != self.host && view.state == podium_core::HostState::Reachable {
                self.lease_from(&host, size, fresh).await;
            }
        }
    }

    async fn lease_from(self: &Arc<Self>, host: &str, size: &str, fresh: bool) {
        let lease = Lease {
            from: self.host.clone(),
            size: size.to_owned(),
            fresh,
        };
        let Ok(body) = serde_json::to_vec(&lease) else {
            return;
        };
        // Noted first: the reader keeps reading while a lease is recent.
        self.asked_now()
            .insert((host.to_owned(), size.to_owned()), std::time::Instant::now());
        // Subscribed before the lease goes: NATS keeps one connection's
        // messages in order, so the answer cannot pass the subscription.
        self.read_pictures().await;
        if let Err(e) = self.client.publish(subjects::lease(host), body.into()).await {
            tracing::debug!(%host, "cannot renew the lease on its pictures: {e}");
        }
    }

    fn asked_now(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), std::time::Instant>> {
        self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether this host leased some other host's pictures lately.
    fn watching(&self) -> bool {
        let mut asked = self.asked_now();
        asked.retain(|_, at| at.elapsed() < Lease::LASTS);
        !asked.is_empty()
    }

    /// The current picture of session `id` of `host` of `size`: the last
    /// one received while this host holds a lease on that size, or else a
    /// fresh one asked for now, waiting at most `patience`. `None` when
    /// none came.
    pub async fn picture(self: &Arc<Self>, host: &str, id: u32, size: &str, patience: Duration) -> Option<Picture> {
        let key = (host.to_owned(), size.to_owned());
        let leased = self.asked_now().get(&key).is_some_and(|at| at.elapsed() < Lease::LASTS);
        if leased && let Some(p) = self.pictures.one(host, id, size) {
            // Renewed, so that the next question finds it current too.
            self.lease_from(host, size, false).await;
            return Some(p);
        }
        let mut new = self.pictures.subscribe();
        self.lease_from(host, size, true).await;
        let wait = async {
            loop {
                match new.recv().await {
                    Ok(p) if p.host == host && p.id == id && p.size == size => return Some(p),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        };
        tokio::time::timeout(patience, wait).await.ok().flatten()
    }

    /// Whether another host watches this host's pictures of `size` now.
    #[must_use]
    pub fn leased(&self, size: &str) -> bool {
        self.leases.holds_at(size, std::time::Instant::now())
    }

    /// Each size another host starts watching, as it does: its current
    /// pictures are due at once, the next ones as they change.
    #[must_use]
    pub fn lease_starts(&self) -> broadcast::Receiver<String> {
        self.leases.starts()
    }

    /// Sends a picture of this host's session `id`: `frame` is its
    /// [`podium_core::PictureFrame`] bytes.
    pub async fn publish_picture(&self, id: u32, size: &str, frame: Vec<u8>) {
        if let Err(e) = self
            .client
            .publish(subjects::picture(&self.host, id, size), frame.into())
            .await
        {
            tracing::debug!("cannot send a picture: {e}");
        }
    }

    /// Other hosts' pictures as they come.
    #[must_use]
    pub fn pictures(&self) -> broadcast::Receiver<Picture> {
        self.pictures.subscribe()
    }

    /// The last picture of `size` of every other host's session.
    #[must_use]
    pub fn pictures_of(&self, size: &str) -> Vec<Picture> {
        self.pictures.of_size(size)
    }

    /// Tells the school how a log off ended one of this host's sessions.
    pub async fn publish_ended(&self, ended: &crate::directory::Ended) {
        let Ok(body) = serde_json::to_vec(ended) else {
            return;
        };
        if let Err(e) = self.client.publish(subjects::ended(&self.host), body.into()).await {
            tracing::debug!("cannot tell how a session ended: {e}");
        }
    }

    /// Other hosts' log off endings into the directory's changes. One is
    /// believed only for the host its subject names.
    async fn read_endings(self: Arc<Self>) {
        loop {
            match self.client.subscribe(subjects::ALL_ENDED).await {
                Ok(mut sub) => {
                    while let Some(message) = sub.next().await {
                        let from = message.subject.split('.').nth(2).unwrap_or_default();
                        if from == self.host {
                            continue;
                        }
                        match serde_json::from_slice::<crate::directory::Ended>(&message.payload) {
                            Ok(ended) => self.directory.note_ended(from, ended),
                            Err(e) => tracing::warn!(subject = %message.subject, "an unreadable ending: {e}"),
                        }
                    }
                }
                Err(e) => tracing::debug!("cannot subscribe to the sessions' endings: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Other hosts' leases on this host's pictures.
    async fn take_leases(self: Arc<Self>) {
        loop {
            match self.client.subscribe(subjects::lease(&self.host)).await {
                Ok(mut leases) => {
                    while let Some(message) = leases.next().await {
                        match serde_json::from_slice::<Lease>(&message.payload) {
                            Ok(lease) if Lease::size_is_a_word(&lease.size) => {
                                self.leases.take(lease, std::time::Instant::now());
                            }
                            Ok(lease) => tracing::warn!(from = %lease.from, "a lease on no size; ignored"),
                            Err(e) => tracing::warn!("an unreadable lease: {e}"),
                        }
                    }
                }
                Err(e) => tracing::debug!("cannot take leases yet: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Reads every other host's pictures into [`Pictures`] from now until
    /// this host leases none (a task, started here unless it runs). A
    /// session gone takes its pictures with it.
    async fn read_pictures(self: &Arc<Self>) {
        let mut reading = self.reading.lock().await;
        if *reading {
            return;
        }
        let sub = match self.client.subscribe(subjects::ALL_PICTURES).await {
            Ok(sub) => sub,
            Err(e) => {
                tracing::debug!("cannot subscribe to the pictures yet: {e}");
                return;
            }
        };
        *reading = true;
        tokio::spawn(self.clone().read_pictures_until_unwatched(sub));
    }

    async fn read_pictures_until_unwatched(self: Arc<Self>, mut sub: async_nats::Subscriber) {
        let mut gone = self.directory.changes();
        let mut check = tokio::time::interval(Lease::RENEWED);
        loop {
            tokio::select! {
                message = sub.next() => match message {
                    Some(message) => self.note_picture(&message.subject, &message.payload),
                    None => break,
                },
                change = gone.recv() => match change {
                    Ok(crate::directory::Change::Gone { host, id }) => self.pictures.forget(&host, id),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = check.tick() => {
                    // Decided under the lock a new lease takes first.
                    let mut reading = self.reading.lock().await;
                    if !self.watching() {
                        *reading = false;
                        let _ = sub.unsubscribe().await;
                        self.pictures.clear();
                        return;
                    }
                }
            }
        }
        *self.reading.lock().await = false;
    }

    fn note_picture(&self, subject: &str, payload: &bytes::Bytes) {
        let Some((host, id, size)) = subjects::parse_picture(subject) else {
            tracing::warn!(%subject, "a picture on a subject that names no session; ignored");
            return;
        };
        if host == self.host {
            return;
        }
        let Some(frame) = podium_core::PictureFrame::decode(payload) else {
            tracing::warn!(%subject, "an unreadable picture; ignored");
            return;
        };
        if frame.id != id {
            tracing::warn!(%subject, "a picture of another session than its subject says; ignored");
            return;
        }
        let start = payload.len() - frame.jpeg.len();
        self.pictures.note(Picture {
            host: host.to_owned(),
            id,
            size: size.to_owned(),
            etag: frame.etag.to_owned(),
            jpeg: payload.slice(start..),
        });
    }

    /// A one-time login of `user` at host `host`, which this host vouches
    /// for (the user's password was right here): what that host's
    /// hand-off route takes, for half a minute.
    ///
    /// # Errors
    /// When signing fails (never in practice).
    pub fn sign_handoff(&self, host: &str, user: &str) -> Result<String> {
        assertion::sign(&self.identity, Purpose::Handoff, host, user, crate::record::now_ms())
    }

    /// The claims of a login another host handed to this one, if it is
    /// good now (and was not used before); else why not, in words.
    ///
    /// # Errors
    /// The refusal's reason ([`Verifier::verify`]).
    pub fn verify_handoff(&self, token: &str) -> std::result::Result<Claims, String> {
        self.verifier.verify(Purpose::Handoff, token, crate::record::now_ms())
    }

    /// Takes other hosts' requests for this host's sessions, one task each.
    async fn serve(self: Arc<Self>, local: Arc<dyn Local>) {
        loop {
            match self.client.subscribe(crate::service::subject(&self.host)).await {
                Ok(mut requests) => {
                    while let Some(message) = requests.next().await {
                        let Some(reply) = message.reply.clone() else {
                            continue;
                        };
                        let (node, local) = (self.clone(), local.clone());
                        tokio::spawn(async move {
                            let answer = node.answer(&message.payload, local).await;
                            let bytes = serde_json::to_vec(&answer).unwrap_or_default();
                            if let Err(e) = node.client.publish(reply, bytes.into()).await {
                                tracing::warn!("cannot answer another host's request: {e}");
                            }
                        });
                    }
                }
                Err(e) => tracing::debug!("cannot take other hosts' requests yet: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn answer(&self, payload: &[u8], local: Arc<dyn Local>) -> Answer {
        let ask = match serde_json::from_slice::<Ask>(payload) {
            Ok(ask) => ask,
            Err(e) => return Answer::Refused(format!("an unreadable request: {e}")),
        };
        let claims = match self
            .verifier
            .verify(Purpose::Action, &ask.caller, crate::record::now_ms())
        {
            Ok(claims) => claims,
            Err(why) => {
                tracing::warn!("refused another host's request: {why}");
                return Answer::Refused(why);
            }
        };
        tracing::info!(from = %claims.issuer, user = %claims.user, "an action asked by another host");
        match local.act(claims.user, ask.action).await {
            Ok(results) => Answer::Results(results),
            Err(why) => Answer::Refused(why),
        }
    }

    /// A local session changed: publish soon rather than at the next beat.
    pub fn changed(&self) {
        self.changed.notify_one();
    }

    /// An audit record was written: deliver it now rather than at the next
    /// retry.
    pub fn audit_written(&self) {
        self.audit_written.notify_one();
    }

    /// The school's audit log, every host's records with their `host`:
    /// at most `limit` (the newest to reach the stream), at or after
    /// `since` when given, oldest first.
    ///
    /// # Errors
    /// [`ClusterError::Nats`] when NATS cannot be reached now, or the
    /// stream not read in time.
    pub async fn school_audit(&self, since: Option<Timestamp>, limit: u32) -> Result<Vec<AuditRecord>> {
        if !self.connected() {
            return Err(ClusterError::Nats(
                "this host cannot reach the school's NATS now".to_owned(),
            ));
        }
        audit::read(&self.client, since, limit).await
    }

    /// Delivers this host's audit records to the school's stream, in
    /// order, from the cursor its registry keeps: whenever one is written,
    /// when NATS comes back, and every [`AUDIT_RETRY`] while some wait.
    /// Nothing is sent while NATS is away (the client would only queue it).
    async fn deliver_audit(self: Arc<Self>, local: Arc<dyn Local>, replicas: usize) {
        let mut sink: Option<StreamSink> = None;
        // Records may be waiting (NATS was away, or refused them): the
        // next delivery is worth saying, and a refusal said once.
        let mut held_back = false;
        let mut refused = false;
        loop {
            if self.connected() {
                if sink.is_none() {
                    match audit::ensure_stream(&self.client, replicas).await {
                        Ok(stream) => sink = Some(StreamSink::new(&self.client, stream)),
                        Err(e) => tracing::debug!("no audit stream yet: {e}"),
                    }
                }
                if let Some(s) = &sink {
                    let log: &dyn AuditLog = local.as_ref();
                    match outbox::deliver(&self.host, log, s).await {
                        Ok(n) => {
                            if held_back && n > 0 {
                                tracing::info!(records = n, "audit records held back reached the school's stream");
                            }
                            (held_back, refused) = (false, false);
                        }
                        Err(e) if self.connected() && !refused => {
                            tracing::warn!(
                                "audit records cannot reach the school's stream yet, tried again every {AUDIT_RETRY:?}: {e}"
                            );
                            (held_back, refused) = (true, true);
                        }
                        Err(e) => {
                            tracing::debug!("audit records wait: {e}");
                            held_back = true;
                        }
                    }
                }
            } else {
                held_back = true;
            }
            tokio::select! {
                () = self.audit_written.notified() => {}
                () = self.reconnected.notified() => {}
                () = tokio::time::sleep(AUDIT_RETRY) => {}
            }
        }
    }

    /// Publishes the load every [`HostLoad::EVERY`], and the sessions'
    /// copies whenever they change. The first pass removes keys of this
    /// host for sessions that no longer run (a restart after a crash).
    async fn publish(self: Arc<Self>, local: Arc<dyn Local>, capacity: u32, address: Option<String>, replicas: usize) {
        let mut store: Option<kv::Store> = None;
        // What the bucket holds for this host, as last published (`None`:
        // not read yet).
        let mut published: Option<BTreeMap<u32, Vec<u8>>> = None;
        loop {
            let sessions = local.sessions();
            let load = HostLoad::measure(
                &self.host,
                u32::try_from(sessions.len()).unwrap_or(u32::MAX),
                capacity,
                address.clone(),
            );
            if let Ok(bytes) = serde_json::to_vec(&load)
                && let Err(e) = self.client.publish(subjects::load(&self.host), bytes.into()).await
            {
                tracing::debug!("cannot publish the load: {e}");
            }
            if store.is_none() {
                store = self.bucket(replicas).await;
            }
            if let Some(s) = &store {
                if published.is_none() {
                    published = self.own_keys(s).await;
                }
                if let Some(p) = published.as_mut()
                    && let Err(e) = self.sync(s, p, &sessions).await
                {
                    tracing::debug!("cannot publish the sessions yet: {e}");
                }
            }
            tokio::select! {
                () = self.changed.notified() => {}
                () = tokio::time::sleep(HostLoad::EVERY) => {}
            }
        }
    }

    /// The sessions bucket, made if it is the first host to ask.
    async fn bucket(&self, replicas: usize) -> Option<kv::Store> {
        let js = jetstream::new(self.client.clone());
        let found = tokio::time::timeout(CALL_TIMEOUT, js.get_key_value(subjects::SESSIONS_BUCKET)).await;
        match found {
            Ok(Ok(store)) => return Some(store),
            Ok(Err(e)) => tracing::debug!("the sessions bucket: {e}"),
            Err(_) => tracing::debug!("the sessions bucket: no answer in {CALL_TIMEOUT:?}"),
        }
        let made = js.create_stream(crate::bucket::stream_of(subjects::SESSIONS_BUCKET, replicas));
        match tokio::time::timeout(CALL_TIMEOUT, made).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!("no sessions bucket yet: {e}"),
            Err(_) => {
                tracing::debug!("making the sessions bucket: no answer in {CALL_TIMEOUT:?}");
                return None;
            }
        }
        match tokio::time::timeout(CALL_TIMEOUT, js.get_key_value(subjects::SESSIONS_BUCKET)).await {
            Ok(Ok(store)) => Some(store),
            Ok(Err(e)) => {
                tracing::debug!("no sessions bucket yet: {e}");
                None
            }
            Err(_) => None,
        }
    }

    /// This host's keys in the bucket now, with their values.
    async fn own_keys(&self, store: &kv::Store) -> Option<BTreeMap<u32, Vec<u8>>> {
        let mut keys = tokio::time::timeout(CALL_TIMEOUT, store.keys()).await.ok()?.ok()?;
        let mut own = BTreeMap::new();
        while let Ok(Some(Ok(key))) = tokio::time::timeout(CALL_TIMEOUT, keys.next()).await {
            if let Some((host, id)) = subjects::parse_session_key(&key)
                && host == self.host
            {
                // A value never equal to a real copy: it is rewritten.
                own.insert(id, Vec::new());
            }
        }
        Some(own)
    }

    /// Makes the bucket's copy of this host's sessions match `sessions`.
    async fn sync(
        &self,
        store: &kv::Store,
        published: &mut BTreeMap<u32, Vec<u8>>,
        sessions: &[SessionInfo],
    ) -> Result<()> {
        let mut now: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
        for s in sessions {
            now.insert(
                s.id,
                serde_json::to_vec(s).map_err(|e| ClusterError::Record(e.to_string()))?,
            );
        }
        for (id, bytes) in &now {
            if published.get(id) != Some(bytes) {
                let put = store.put(subjects::session_key(&self.host, *id), bytes.clone().into());
                tokio::time::timeout(CALL_TIMEOUT, put)
                    .await
                    .map_err(|_| ClusterError::Nats("timed out".into()))?
                    .map_err(ClusterError::nats)?;
                published.insert(*id, bytes.clone());
            }
        }
        let gone: Vec<u32> = published.keys().filter(|id| !now.contains_key(id)).copied().collect();
        for id in gone {
            let delete = store.delete(subjects::session_key(&self.host, id));
            tokio::time::timeout(CALL_TIMEOUT, delete)
                .await
                .map_err(|_| ClusterError::Nats("timed out".into()))?
                .map_err(ClusterError::nats)?;
            published.remove(&id);
        }
        Ok(())
    }

    /// Every host's load records into the directory. A record is believed
    /// only for the host its subject names (which only that host may
    /// publish).
    async fn read_loads(self: Arc<Self>) {
        loop {
            match self.client.subscribe(subjects::ALL_LOADS).await {
                Ok(mut sub) => {
                    while let Some(message) = sub.next().await {
                        let from = message.subject.split('.').nth(2).unwrap_or_default().to_owned();
                        match serde_json::from_slice::<HostLoad>(&message.payload) {
                            Ok(load) if load.host == from => self.directory.note_load(load),
                            Ok(load) => {
                                tracing::warn!(subject = %message.subject, host = %load.host, "a load record for another host; ignored")
                            }
                            Err(e) => tracing::warn!(subject = %message.subject, "an unreadable load record: {e}"),
                        }
                    }
                }
                Err(e) => tracing::debug!("cannot subscribe to the hosts' loads: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Every host's session copies into the directory, as they change.
    async fn read_sessions(self: Arc<Self>, replicas: usize) {
        loop {
            if let Some(store) = self.bucket(replicas).await {
                let renew = tokio::time::sleep(WATCH_RENEWED);
                tokio::pin!(renew);
                match tokio::time::timeout(CALL_TIMEOUT, store.watch_with_history(">")).await {
                    Err(_) => tracing::debug!("cannot watch the sessions: no answer in {CALL_TIMEOUT:?}"),
                    Ok(Ok(mut watch)) => loop {
                        tokio::select! {
                            () = &mut renew => break,
                            entry = watch.next() => match entry {
                                Some(Ok(entry)) => self.note_entry(&entry),
                                Some(Err(e)) => {
                                    tracing::debug!("the sessions' watch: {e}");
                                    break;
                                }
                                None => break,
                            },
                            () = self.reconnected.notified() => {
                                tracing::debug!("NATS reconnected: watching the sessions afresh");
                                break;
                            }
                        }
                    },
                    Ok(Err(e)) => tracing::debug!("cannot watch the sessions: {e}"),
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    fn note_entry(&self, entry: &kv::Entry) {
        let Some((host, id)) = subjects::parse_session_key(&entry.key) else {
            tracing::warn!(key = %entry.key, "a session key that names no host and id; ignored");
            return;
        };
        tracing::trace!(key = %entry.key, operation = ?entry.operation, revision = entry.revision, "a session's copy");
        match entry.operation {
            kv::Operation::Put => match serde_json::from_slice::<SessionInfo>(&entry.value) {
                Ok(s) if s.id == id => self.directory.note_session(host, id, Some(s)),
                Ok(_) => tracing::warn!(key = %entry.key, "a session copy under another id; ignored"),
                Err(e) => tracing::warn!(key = %entry.key, "an unreadable session copy: {e}"),
            },
            kv::Operation::Delete | kv::Operation::Purge => self.directory.note_session(host, id, None),
        }
    }
}
