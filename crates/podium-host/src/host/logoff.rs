//! Log off (SPEC §4), the core of the product: per-session permission,
//! warning with countdown, polite close (`WM_DELETE_WINDOW`, then SIGTERM
//! from the worker), kill, cleanup, audit. Every target is handled on its
//! own task, so one slow session never holds up the others.

use crate::error::Result;
use crate::host::state::{Host, HostEvent};
use crate::live::{Live, PendingLogoff};
use crate::worker::protocol::Request;
use podium_core::NewAudit;
use podium_core::permission::decide;
use podium_core::{
    Action, ActionResult, ActionResults, Caller, EndKind, LogoffRequest, Outcome, Refusal, Selection, SessionState,
    Targets,
};
use podium_x11::notice::{Content, Notice};
use podium_x11::{DisplayAccess, windows};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How often the polite phase looks whether the asked windows are gone.
const WINDOW_POLL: Duration = Duration::from_millis(50);
/// How much longer than the terminate timeout the worker holds a session
/// whose desktop exits during the log off, should the daemon go away.
const HOLD_MARGIN: Duration = Duration::from_secs(5);

impl Host {
    /// Resolves an action's targets into (session, selection) pairs, with
    /// a `not_found` result for each unknown id.
    pub(crate) fn targets(&self, targets: &Targets) -> (Vec<(Arc<Live>, Selection)>, Vec<ActionResult>) {
        let sessions = self.sessions();
        match targets {
            Targets::All => (
                sessions.values().map(|l| (l.clone(), Selection::All)).collect(),
                Vec::new(),
            ),
            Targets::Ids(ids) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for id in ids {
                    match sessions.get(id) {
                        Some(l) => found.push((l.clone(), Selection::Named)),
                        None => missing.push(ActionResult::not_found(*id)),
                    }
                }
                (found, missing)
            }
        }
    }

    /// Applies the permission rule to one target; audits a refusal.
    pub(crate) fn permit(
        &self,
        caller: &Caller,
        live: &Live,
        action: Action,
        sel: Selection,
    ) -> std::result::Result<(), Refusal> {
        let verdict = decide(caller, live.account.uid, self.owner_role(live), action, sel);
        if let Err(r) = verdict {
            // Being left out of "all" is not worth an audit line; a refusal is.
            if r != Refusal::OwnSessionInAll {
                self.record(
                    &NewAudit::refused(caller.user.clone(), action.as_str(), r.reason())
                        .on(live.id, live.account.name.clone()),
                );
            }
        }
        verdict
    }

    /// Logs off the sessions a request names, each as far as `caller` may.
    /// With `wait`, answers once every target has ended.
    ///
    /// # Errors
    /// [`crate::error::HostError::Invalid`] for a malformed request; per-session
    /// problems are outcomes, not errors.
    pub async fn logoff(self: &Arc<Self>, caller: &Caller, req: &LogoffRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let grace = Duration::from_secs(u64::from(
            req.grace_seconds.unwrap_or(self.config.session.grace_seconds),
        ));
        let (found, mut results) = self.targets(&targets);
        let mut waiting = Vec::new();
        for (live, sel) in found {
            let user = live.account.name.clone();
            let result = match self.permit(caller, &live, Action::Logoff, sel) {
                Err(r) => ActionResult::refused(live.id, &user, r),
                Ok(()) if live.state().state == SessionState::Starting => {
                    ActionResult::failed(live.id, &user, "the session is still starting; try again in a moment")
                }
                Ok(()) => {
                    self.schedule_logoff(&live, grace, caller);
                    waiting.push((results.len(), live.clone()));
                    ActionResult::done(live.id, &user)
                }
            };
            results.push(result);
        }
        results.sort_by_key(|r| r.session);
        if req.wait {
            let ends = futures_join(waiting.iter().map(|(_, l)| l.clone()).collect()).await;
            for ((_, live), end) in waiting.iter().zip(ends) {
                if let Some(r) = results.iter_mut().find(|r| r.session == live.id) {
                    r.ended = Some(end.end);
                    r.duration_ms = end.duration_ms;
                    r.applications = end.applications.clone();
                    if end.end == EndKind::Failed {
                        r.outcome = Outcome::Failed;
                        r.reason = end.problem.clone();
                    }
                }
            }
        }
        Ok(ActionResults { results })
    }

    /// Starts (or brings forward) the log off of one session.
    fn schedule_logoff(self: &Arc<Self>, live: &Arc<Live>, grace: Duration, caller: &Caller) {
        let now = SystemTime::now();
        let deadline = now + grace;
        let by_name =
            crate::users::Account::by_name(&caller.user).map_or_else(|_| caller.user.clone(), |a| a.full_name);
        let started = {
            let mut st = live.state();
            match &mut st.logoff {
                Some(pending) => {
                    if deadline < pending.deadline {
                        pending.deadline = deadline;
                        live.set_deadline(deadline);
                    }
                    false
                }
                None => {
                    st.logoff = Some(PendingLogoff {
                        deadline,
                        by: caller.user.clone(),
                        by_name,
                        asked_at: now,
                    });
                    st.state = SessionState::Closing;
                    live.set_deadline(deadline);
                    true
                }
            }
        };
        let pending = live.state().logoff.clone();
        if let Some(pending) = pending
            && let Err(e) = self.registry.set_logoff(live.id, &pending.stored())
        {
            tracing::error!(session = live.id, "cannot record the log off: {e}");
        }
        self.emit(HostEvent::Changed(self.info(live)));
        if started {
            tracing::info!(session = live.id, user = %live.account.name, by = %caller.user, grace_s = grace.as_secs(), "log off requested");
            let host = self.clone();
            let live = live.clone();
            tokio::spawn(async move { host.run_logoff(live).await });
        }
    }

    /// Continues a log off a previous daemon had started.
    pub(crate) fn resume_logoff(self: &Arc<Self>, live: &Arc<Live>) {
        tracing::info!(session = live.id, "resuming an interrupted log off");
        let host = self.clone();
        let live = live.clone();
        tokio::spawn(async move { host.run_logoff(live).await });
    }

    /// The sequence itself, from warning to the worker's Terminate.
    async fn run_logoff(self: Arc<Self>, live: Arc<Live>) {
        let Some(pending) = live.state().logoff.clone() else {
            return;
        };
        let access = live.display_access();
        let mut ended = live.watch_end();
        let mut deadline_rx = live.watch_deadline();
        let mut deadline = pending.deadline;

        let mut notice = None;
        if let Some(access) = access.clone()
            && deadline > SystemTime::now()
        {
            let content = Content::LogoffWarning {
                deadline,
                requested_by: pending.by_name.clone(),
            };
            let lang = live.lang();
            match tokio::task::spawn_blocking(move || Notice::show(&access, content, lang)).await {
                Ok(Ok(n)) => notice = Some(n),
                Ok(Err(e)) => {
                    tracing::warn!(session = live.id, "cannot show the log-off warning: {e}")
                }
                Err(e) => tracing::warn!(session = live.id, "warning task failed: {e}"),
            }
        }
        loop {
            let left = deadline.duration_since(SystemTime::now()).unwrap_or_default();
            tokio::select! {
                () = tokio::time::sleep(left) => break,
                changed = deadline_rx.changed() => {
                    if changed.is_err() { break; }
                    if let Some(d) = *deadline_rx.borrow_and_update() {
                        deadline = d;
                        if let Some(n) = &notice {
                            n.update(Content::LogoffWarning { deadline, requested_by: pending.by_name.clone() });
                        }
                    }
                }
                _ = ended.changed() => {
                    drop_notice(notice).await;
                    return;
                }
            }
        }
        drop_notice(notice).await;

        let timeout = Duration::from_secs(u64::from(self.config.session.terminate_timeout_seconds));
        let started = Instant::now();
        self.polite_close(&live, access, timeout).await;
        let left = timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(500));
        live.send(Request::Terminate {
            timeout_ms: u64::try_from(left.as_millis()).unwrap_or(u64::MAX),
        });
    }

    /// The polite part of a log off, in the first half of the terminate
    /// timeout: the desktop's own programs asked to end as at a log out,
    /// then the applications' windows asked to close; each application
    /// followed for its outcome.
    async fn polite_close(&self, live: &Live, access: Option<DisplayAccess>, timeout: Duration) {
        let started = Instant::now();
        // The desktop's own log out may end the desktop command before the
        // applications it does not manage are closed: hold the session.
        live.send(Request::Hold {
            for_ms: u64::try_from((timeout + HOLD_MARGIN).as_millis()).unwrap_or(u64::MAX),
        });
        let Some(access) = access else {
            let _ = self.ask_desktop(live, timeout / 2).await;
            return;
        };
        let at_deadline = applications(live, access.clone()).await;
        let mut tracked = crate::desktop::apps::track(&at_deadline);
        let asked = self.ask_desktop(live, timeout / 2).await;
        for (pid, answer) in &asked.offices {
            if let Ok(answer) = answer {
                crate::desktop::apps::note_kept(&mut tracked, *pid, answer);
            }
        }
        // What the desktop's own log out left on the screen: looked at
        // again only when it did something.
        let open = if asked.acted() {
            applications(live, access.clone()).await
        } else {
            at_deadline
        };
        let left = (timeout / 2).saturating_sub(started.elapsed());
        let all_closed = self.close_windows(live, &access, &open, left).await;
        let remaining = if all_closed {
            Vec::new()
        } else {
            applications(live, access).await
        };
        crate::desktop::apps::note_remaining(&mut tracked, &remaining, |pid| {
            i32::try_from(pid).is_ok_and(crate::desktop::procs::running)
        });
        live.state().apps = tracked;
    }

    /// Asks the desktop's own programs to end the way the desktop does at
    /// a log out, for at most `patience`.
    async fn ask_desktop(&self, live: &Live, patience: Duration) -> crate::desktop::Asked {
        let (cgroup, account) = (live.spec.cgroup.clone(), live.account.clone());
        let Ok(asked) =
            tokio::task::spawn_blocking(move || crate::desktop::ask_to_end(&cgroup, &account, patience)).await
        else {
            return crate::desktop::Asked::default();
        };
        match &asked.manager {
            Some(Ok(crate::desktop::manager::Asked::LoggedOut { pid, route })) => {
                tracing::info!(
                    session = live.id,
                    pid,
                    "the session manager logged the desktop out over {}",
                    route.name()
                );
            }
            Some(Ok(crate::desktop::manager::Asked::Cancelled { pid })) => {
                tracing::warn!(session = live.id, pid, "an application cancelled the desktop's log out");
            }
            Some(Err(e)) => tracing::warn!(session = live.id, "{e}"),
            Some(Ok(crate::desktop::manager::Asked::NoManager)) | None => {}
        }
        for (pid, answer) in &asked.offices {
            match answer {
                Ok(a) => tracing::info!(
                    session = live.id,
                    pid,
                    documents = a.documents.len(),
                    unsaved = a.documents.iter().filter(|d| d.modified).count(),
                    "LibreOffice kept its documents for the next session"
                ),
                Err(e) => tracing::warn!(session = live.id, "{e}"),
            }
        }
        asked
    }

    /// Asks the `open` windows to close and waits up to `patience` for them
    /// to go; whether every one of them is gone.
    async fn close_windows(
        &self,
        live: &Live,
        access: &DisplayAccess,
        open: &[windows::AppWindow],
        patience: Duration,
    ) -> bool {
        let (a, apps) = (access.clone(), open.to_vec());
        let asked = match tokio::task::spawn_blocking(move || windows::ask_to_close(&a, &apps)).await {
            Ok(Ok(w)) => w,
            Ok(Err(e)) => {
                tracing::warn!(session = live.id, "cannot ask windows to close: {e}");
                return false;
            }
            Err(_) => return false,
        };
        tracing::info!(session = live.id, windows = asked.len(), "asked windows to close");
        if asked.is_empty() {
            return open.is_empty();
        }
        let until = Instant::now() + patience;
        while Instant::now() < until && !live.has_ended() {
            tokio::time::sleep(WINDOW_POLL).await;
            let (a, w) = (access.clone(), asked.clone());
            match tokio::task::spawn_blocking(move || windows::still_open(&a, &w)).await {
                Ok(Ok(0)) => return asked.len() == open.len(),
                Ok(Err(_)) | Err(_) => return false,
                Ok(Ok(_)) => {}
            }
        }
        false
    }
}

/// The applications' windows on the session's screen (none when the
/// display cannot be reached).
async fn applications(live: &Live, access: DisplayAccess) -> Vec<windows::AppWindow> {
    match tokio::task::spawn_blocking(move || windows::applications(&access, &[])).await {
        Ok(Ok(apps)) => apps,
        Ok(Err(e)) => {
            tracing::warn!(session = live.id, "cannot list the applications: {e}");
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}

async fn drop_notice(notice: Option<Notice>) {
    if let Some(n) = notice {
        let _ = tokio::task::spawn_blocking(move || n.close()).await;
    }
}

/// Waits for all sessions to end, concurrently.
async fn futures_join(lives: Vec<Arc<Live>>) -> Vec<crate::live::Ended> {
    let mut set = tokio::task::JoinSet::new();
    for (i, l) in lives.into_iter().enumerate() {
        set.spawn(async move { (i, l.wait_end().await) });
    }
    let mut out: Vec<Option<crate::live::Ended>> = vec![None; set.len()];
    while let Some(Ok((i, e))) = set.join_next().await {
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(e);
        }
    }
    out.into_iter()
        .map(|e| {
            e.unwrap_or(crate::live::Ended {
                end: EndKind::Failed,
                problem: Some("lost".into()),
                duration_ms: None,
                applications: Vec::new(),
            })
        })
        .collect()
}
