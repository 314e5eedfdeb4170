//! A session the daemon knows about, and what it knows of it.

use crate::registry::StoredLogoff;
use crate::users::Account;
use crate::worker::protocol::{EndReport, Request, Running, WorkerSpec};
use podium_core::{EndKind, SessionId, SessionState, Timestamp, UserMessage};
use podium_x11::block::BlockNotice;
use podium_x11::message::MessageBox;
use podium_x11::watched::WatchedNotice;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;
use tokio::sync::{mpsc, watch};

/// A log off under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingLogoff {
    /// When the programs are asked to close.
    pub deadline: SystemTime,
    /// Login of who asked (`system` for automatic ones).
    pub by: String,
    /// Their full name, for the on-screen warning.
    pub by_name: String,
    /// When they asked.
    pub asked_at: SystemTime,
}

impl PendingLogoff {
    /// As stored in the registry.
    #[must_use]
    pub fn stored(&self) -> StoredLogoff {
        StoredLogoff {
            deadline: Timestamp::from_unix(unix_secs(self.deadline)),
            by: self.by.clone(),
            asked_ms: unix_millis(self.asked_at),
        }
    }
}

/// Seconds since the epoch, rounded up so a deadline is never shown early.
#[must_use]
pub fn unix_secs(t: SystemTime) -> i64 {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(d.as_secs() + u64::from(d.subsec_nanos() > 0)).unwrap_or(i64::MAX)
}

/// Milliseconds since the epoch.
#[must_use]
pub fn unix_millis(t: SystemTime) -> i64 {
    i64::try_from(t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_millis()).unwrap_or(i64::MAX)
}

/// The mutable part of a live session.
#[derive(Debug)]
pub struct LiveState {
    /// Life-cycle state.
    pub state: SessionState,
    /// Set once the worker reported the session running.
    pub running: Option<Running>,
    /// When the current station connected.
    pub connected_at: Option<Timestamp>,
    /// A log off under way.
    pub logoff: Option<PendingLogoff>,
    /// The station showing the session now.
    pub station: Option<StationConn>,
    /// The user locked their station: nothing is relayed until they unlock.
    pub locked: bool,
    /// While the session is blocked, the notice's custom text (empty for
    /// the default one).
    pub block: Option<String>,
    /// Since when no station shows the session (for the automatic log off
    /// of abandoned sessions).
    pub disconnected_since: Option<Timestamp>,
    /// Messages waiting for the user to dismiss them, oldest first.
    pub messages: Vec<UserMessage>,
    /// The applications a log off is following, for their outcomes.
    pub apps: Vec<crate::desktop::apps::Tracked>,
    /// Who views or drives the desktop from the dashboard now, in the
    /// order they came (the bar on the desktop names them).
    pub watchers: Vec<Watcher>,
}

/// Somebody viewing a session's desktop from the dashboard, or driving it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watcher {
    /// Tells one view from another (the same person may watch twice).
    pub serial: u64,
    /// Their login.
    pub login: String,
    /// Their full name, as the pupil is told.
    pub name: String,
    /// Whether they drive it.
    pub controls: bool,
}

impl LiveState {
    /// A state with nothing connected, locked or blocked.
    #[must_use]
    pub fn new(state: SessionState) -> LiveState {
        LiveState {
            state,
            running: None,
            connected_at: None,
            logoff: None,
            station: None,
            locked: false,
            block: None,
            disconnected_since: None,
            messages: Vec::new(),
            apps: Vec::new(),
            watchers: Vec::new(),
        }
    }
}

/// Why a station's connection was ended by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kick {
    /// The same user opened the session in another browser.
    TakenOver,
    /// Somebody disconnected the session (the user, or a teacher).
    Disconnected,
    /// The user locked the station.
    Locked,
    /// The session ended.
    Ended,
}

/// A station's connection to the session.
#[derive(Debug)]
pub struct StationConn {
    /// Tells connections apart (a newer one replaces an older).
    pub serial: u64,
    /// What the API shows.
    pub info: podium_core::Station,
    /// Ends the connection.
    pub kick: watch::Sender<Option<Kick>>,
}

/// How a session ended, for whoever waited on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// Closed, forced or failed.
    pub end: EndKind,
    /// What went wrong, if anything.
    pub problem: Option<String>,
    /// From the log-off request to the end, when there was one.
    pub duration_ms: Option<u64>,
    /// What became of each application, after a log off.
    pub applications: Vec<podium_core::AppOutcome>,
}

/// A session the daemon knows about.
#[derive(Debug)]
pub struct Live {
    /// Id.
    pub id: SessionId,
    /// Its user.
    pub account: Account,
    /// How it was made.
    pub spec: WorkerSpec,
    /// Start time.
    pub created_at: Timestamp,
    state: Mutex<LiveState>,
    commands: mpsc::UnboundedSender<Request>,
    command_rx: Mutex<Option<mpsc::UnboundedReceiver<Request>>>,
    ended: watch::Sender<Option<Ended>>,
    deadline: watch::Sender<Option<SystemTime>>,
    /// Podium's windows on the session's screen (block notice, messages).
    pub(crate) screen: tokio::sync::Mutex<Screen>,
    /// Whose desktop is projected onto this session, if anybody's.
    projected: watch::Sender<Option<Projected>>,
}

/// A teacher's desktop shown on a session (Project my desktop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projected {
    /// The session whose screen is shown: the teacher's own.
    pub source: SessionId,
    /// The teacher's login.
    pub by: String,
    /// Their full name, as the station and the cover say it.
    pub by_name: String,
}

impl Live {
    /// A live session in `state`.
    #[must_use]
    pub fn new(account: Account, spec: WorkerSpec, created_at: Timestamp, state: LiveState) -> Live {
        let (tx, rx) = mpsc::unbounded_channel();
        let deadline = state.logoff.as_ref().map(|l| l.deadline);
        Live {
            id: spec.id,
            account,
            spec,
            created_at,
            state: Mutex::new(state),
            commands: tx,
            command_rx: Mutex::new(Some(rx)),
            ended: watch::channel(None).0,
            deadline: watch::channel(deadline).0,
            screen: tokio::sync::Mutex::default(),
            projected: watch::channel(None).0,
        }
    }

    /// Whose desktop is projected onto this session now.
    #[must_use]
    pub fn projection(&self) -> Option<Projected> {
        self.projected.borrow().clone()
    }

    /// Watches the projection onto this session start, change and stop.
    #[must_use]
    pub fn watch_projection(&self) -> watch::Receiver<Option<Projected>> {
        self.projected.subscribe()
    }

    /// Records the projection onto this session (`None`: it stopped).
    pub(crate) fn set_projection(&self, p: Option<Projected>) {
        self.projected.send_replace(p);
    }

    /// The current state, locked (never held across an await).
    pub fn state(&self) -> MutexGuard<'_, LiveState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends a request to the worker (dropped if the session is gone).
    pub fn send(&self, r: Request) {
        let _ = self.commands.send(r);
    }

    /// The receiving end of [`Live::send`], taken once by the task that
    /// holds the worker connection.
    pub fn take_commands(&self) -> Option<mpsc::UnboundedReceiver<Request>> {
        self.command_rx.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Announces the end to everyone waiting.
    pub fn announce_end(&self, e: Ended) {
        self.ended.send_replace(Some(e));
    }

    /// Waits until the session has ended.
    pub async fn wait_end(&self) -> Ended {
        let mut rx = self.ended.subscribe();
        loop {
            if let Some(e) = rx.borrow_and_update().clone() {
                return e;
            }
            if rx.changed().await.is_err() {
                return Ended {
                    end: EndKind::Failed,
                    problem: Some("session lost".into()),
                    duration_ms: None,
                    applications: Vec::new(),
                };
            }
        }
    }

    /// Whether it has ended.
    #[must_use]
    pub fn has_ended(&self) -> bool {
        self.ended.borrow().is_some()
    }

    /// Watches the log-off deadline (it can be brought forward).
    #[must_use]
    pub fn watch_deadline(&self) -> watch::Receiver<Option<SystemTime>> {
        self.deadline.subscribe()
    }

    /// Watches for the end.
    #[must_use]
    pub fn watch_end(&self) -> watch::Receiver<Option<Ended>> {
        self.ended.subscribe()
    }

    /// Publishes a new log-off deadline.
    pub fn set_deadline(&self, d: SystemTime) {
        self.deadline.send_replace(Some(d));
    }

    /// How to reach the session's display as an X client, once it runs.
    #[must_use]
    pub fn display_access(&self) -> Option<podium_x11::DisplayAccess> {
        let st = self.state();
        let r = st.running.as_ref()?;
        Some(podium_x11::DisplayAccess {
            display: r.display,
            cookie: podium_x11::xauth::Cookie::from_hex(&r.cookie)?,
            server_uid: self.account.uid,
            server_pid: r.xvnc_pid,
        })
    }

    /// The language the session's user reads, which every notice on its
    /// screen is written in: the desktop's message locale, as the worker
    /// reported it (English when unknown).
    #[must_use]
    pub fn lang(&self) -> podium_x11::Lang {
        self.state()
            .running
            .as_ref()
            .and_then(|r| r.locale.as_deref())
            .map_or(podium_x11::Lang::En, podium_x11::Lang::from_locale)
    }

    /// The report a worker left, turned into what waiters see.
    #[must_use]
    pub fn ended_from(
        report: &EndReport,
        duration_ms: Option<u64>,
        applications: Vec<podium_core::AppOutcome>,
    ) -> Ended {
        Ended {
            end: report.end,
            problem: report.problem.clone(),
            duration_ms,
            applications,
        }
    }
}

/// The X windows Podium keeps on one session's screen.
#[derive(Default)]
pub struct Screen {
    /// The block notice, while the session is blocked.
    pub block: Option<BlockNotice>,
    /// The messages box, while messages wait.
    pub messages: Option<MessageBox>,
    /// The bar naming who watches the desktop, while somebody does.
    pub watched: Option<WatchedNotice>,
    /// What covers the desktop while a teacher's is projected onto it.
    pub projection: Option<BlockNotice>,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screen")
            .field("blocked", &self.block.is_some())
            .field("messages", &self.messages.is_some())
            .field("watched", &self.watched.is_some())
            .finish()
    }
}
