//! Actions on sessions of several hosts: a request's sessions are split by
//! the host that owns them; this host's are acted on here, each other
//! host's go to it in one NATS request, all at once, and the results come
//! back merged in the order of the request. A host that does not answer
//! is reported session by session.

use crate::error::AppError;
use crate::state::AppState;
use podium_cluster::Remote;
use podium_core::{
    ActionResult, ActionResults, BlockRequest, Caller, HostState, LogoffRequest, MessageRequest, SessionRef,
    TargetsRequest,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// How long another host may take over an action that is not waited for.
const PATIENCE: Duration = Duration::from_secs(15);

/// A request that names sessions.
pub(crate) trait Targeted: Clone + Send + Sync + 'static {
    /// Its sessions.
    fn refs(&self) -> &[SessionRef];
    /// Whether it aims at every session (of this host).
    fn all(&self) -> bool;
    /// Whether "all" means every host of the school.
    fn school(&self) -> bool;
    /// The same request for one host's sessions.
    #[must_use]
    fn one_host(&self) -> Self;
    /// Checks everything but where its sessions are (the grace, a text …).
    ///
    /// # Errors
    /// What is wrong with the request.
    fn check(&self) -> Result<(), podium_core::CoreError>;
    /// The same request for other sessions.
    #[must_use]
    fn with_refs(&self, refs: Vec<SessionRef>) -> Self;
    /// As another host takes it.
    fn remote(self) -> Remote;
    /// How long another host may take to answer it.
    fn patience(&self) -> Duration {
        PATIENCE
    }
}

macro_rules! targeted {
    ($t:ty, $variant:ident $(, $extra:item)*) => {
        impl Targeted for $t {
            $($extra)*
            fn refs(&self) -> &[SessionRef] {
                &self.sessions
            }
            fn all(&self) -> bool {
                self.all
            }
            fn school(&self) -> bool {
                self.school
            }
            fn one_host(&self) -> Self {
                let mut r = self.clone();
                r.school = false;
                r
            }
            fn check(&self) -> Result<(), podium_core::CoreError> {
                self.targets().map(|_| ())
            }
            fn with_refs(&self, refs: Vec<SessionRef>) -> Self {
                let mut r = self.clone();
                r.sessions = refs;
                r
            }
            fn remote(self) -> Remote {
                Remote::$variant(self)
            }
        }
    };
}

targeted!(TargetsRequest, Disconnect);
targeted!(BlockRequest, Block);
targeted!(MessageRequest, Message);

targeted!(
    LogoffRequest,
    Logoff,
    /// A waited-for log off lasts the warning and the applications' time.
    fn patience(&self) -> Duration {
        if self.wait {
            let grace = u64::from(self.grace_seconds.unwrap_or(podium_core::limits::MAX_GRACE_SECONDS));
            Duration::from_secs(grace + 660)
        } else {
            PATIENCE
        }
    }
);

/// Unblock goes as its own action, though its body is a disconnect's.
#[derive(Clone)]
pub(crate) struct Unblock(pub TargetsRequest);

impl Targeted for Unblock {
    fn refs(&self) -> &[SessionRef] {
        &self.0.sessions
    }
    fn all(&self) -> bool {
        self.0.all
    }
    fn school(&self) -> bool {
        self.0.school
    }
    fn one_host(&self) -> Self {
        Unblock(self.0.one_host())
    }
    fn check(&self) -> Result<(), podium_core::CoreError> {
        self.0.check()
    }
    fn with_refs(&self, refs: Vec<SessionRef>) -> Self {
        Unblock(self.0.with_refs(refs))
    }
    fn remote(self) -> Remote {
        Remote::Unblock(self.0)
    }
}

/// Runs `req`: this host's sessions through `here`, other hosts' sessions
/// on those hosts.
///
/// # Errors
/// What `here` fails with for a bad request (a 4xx).
pub(crate) async fn act<R, F, Fut>(s: &AppState, caller: &Caller, req: R, here: F) -> Result<ActionResults, AppError>
where
    R: Targeted,
    F: FnOnce(R) -> Fut,
    Fut: std::future::Future<Output = Result<ActionResults, podium_host::HostError>>,
{
    let me = s.host.config().cluster.name();
    let mut seen = BTreeSet::new();
    let refs: Vec<SessionRef> = req
        .refs()
        .iter()
        .map(|r| match (&r.host, me) {
            (Some(h), Some(me)) if h == me => SessionRef::here(r.id),
            _ => r.clone(),
        })
        .filter(|r| seen.insert(r.clone()))
        .collect();
    if req.all() && req.school() && refs.is_empty() {
        return everywhere(s, caller, req, here).await;
    }
    // "all" (with or without sessions, which this host refuses) stays here.
    if req.all() || refs.iter().all(|r| r.host.is_none()) {
        return Ok(here(req.with_refs(refs)).await?);
    }
    // The whole request is checked here first, as if all were this host's.
    req.with_refs(refs.iter().map(|r| SessionRef::here(r.id)).collect())
        .check()?;
    let mut by_host: BTreeMap<Option<String>, Vec<SessionRef>> = BTreeMap::new();
    for r in &refs {
        by_host.entry(r.host.clone()).or_default().push(SessionRef::here(r.id));
    }
    let local = by_host.remove(&None);
    let local = async {
        match local {
            Some(ids) => here(req.with_refs(ids)).await.map(|r| r.results),
            None => Ok(Vec::new()),
        }
    };
    let remote = by_host
        .into_iter()
        .filter_map(|(host, ids)| host.map(|h| (h, ids)))
        .map(|(host, ids)| {
            let numbers = ids.iter().map(|r| r.id).collect();
            on_host(s, caller, host, req.with_refs(ids), numbers)
        });
    let (local, remote) = tokio::join!(local, futures_util::future::join_all(remote));
    let mut found: BTreeMap<(Option<String>, u32), ActionResult> = local?
        .into_iter()
        .chain(remote.into_iter().flatten())
        .map(|r| ((r.host.clone(), r.session), r))
        .collect();
    let mut results: Vec<ActionResult> = refs
        .iter()
        .filter_map(|r| found.remove(&(r.host.clone(), r.id)))
        .collect();
    results.extend(found.into_values());
    Ok(ActionResults { results })
}

/// `ask` on `host`; its results, or one failure per session of `ids`
/// (the sessions it is known to have, for "all") saying why.
async fn on_host<R: Targeted>(s: &AppState, caller: &Caller, host: String, ask: R, ids: Vec<u32>) -> Vec<ActionResult> {
    let patience = ask.patience();
    let answer = match &s.cluster {
        // Known silent: no request that would wait for nobody.
        Some(node) => match node.directory().state_of(&host) {
            None => Err(format!("no host named {host} in the school")),
            Some(HostState::Unreachable) => Err(format!("host {host} is unreachable")),
            Some(HostState::Reachable) => node.ask(&host, &caller.user, ask.remote(), patience).await,
        },
        None => Err("this host is not part of a school's cluster".to_owned()),
    };
    match answer {
        Ok(results) => results
            .results
            .into_iter()
            .map(|mut r| {
                r.host = Some(host.clone());
                r
            })
            .collect(),
        Err(why) => ids
            .iter()
            .map(|id| ActionResult::not_reached(&host, *id, &why))
            .collect(),
    }
}

/// "all" on every host of the school: this host's sessions here, each
/// other host's there, in one request per host; a host that cannot be
/// reached is reported for each session it is known to have.
async fn everywhere<R, F, Fut>(s: &AppState, caller: &Caller, req: R, here: F) -> Result<ActionResults, AppError>
where
    R: Targeted,
    F: FnOnce(R) -> Fut,
    Fut: std::future::Future<Output = Result<ActionResults, podium_host::HostError>>,
{
    req.one_host().check()?;
    let local = here(req.one_host());
    let others: Vec<(String, Vec<u32>)> = match &s.cluster {
        Some(node) => {
            let sessions = node.directory().sessions();
            node.directory()
                .hosts()
                .into_keys()
                .filter(|h| h != node.host())
                .map(|h| {
                    let ids = sessions.iter().filter(|(o, _)| *o == h).map(|(_, s)| s.id).collect();
                    (h, ids)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let remote = others
        .into_iter()
        .map(|(host, ids)| on_host(s, caller, host, req.one_host(), ids));
    let (local, remote) = tokio::join!(local, futures_util::future::join_all(remote));
    let mut results = local?.results;
    results.extend(remote.into_iter().flatten());
    Ok(ActionResults { results })
}

/// The sessions of the school's other hosts that `caller` may see, as last
/// heard from them, each with its `host` (none on a single host).
pub(crate) fn others(s: &AppState, caller: &Caller) -> Vec<podium_core::SessionInfo> {
    let Some(node) = &s.cluster else {
        return Vec::new();
    };
    node.directory()
        .sessions()
        .into_iter()
        .filter(|(host, session)| host != node.host() && podium_core::permission::may_see(caller, session.uid))
        .map(|(host, mut session)| {
            session.host = Some(host);
            session
        })
        .collect()
}

/// This host's name, when it is part of a school's cluster.
pub(crate) fn here(s: &AppState) -> Option<String> {
    s.host.config().cluster.name().map(str::to_owned)
}
