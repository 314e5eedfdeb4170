//! Project my desktop: a teacher's own session shown on other sessions'
//! stations and desktops, their input off meanwhile, until stopped.
//!
//! The host keeps who is projected onto what ([`Live::projection`]), puts
//! each target's desktop under a cover that says whose screen is shown
//! (the block notice's code, [`podium_x11::block::Purpose::Projection`])
//! and switches its display's input off as a block does. The pictures
//! themselves are not the host's: the server captures the source display
//! once and sends the frames to every target's station.

use crate::error::{HostError, Result};
use crate::host::state::{Host, HostEvent};
use crate::live::{Live, Projected};
use podium_core::{
    Action, ActionResult, ActionResults, AuditKind, Caller, NewAudit, SessionId, SessionState, TargetsRequest,
};
use podium_x11::DisplayAccess;
use podium_x11::block::{BlockNotice, Purpose, projection_text};
use podium_x11::vncext;
use std::sync::Arc;

/// A file in a projected session's directory: a daemon that restarts
/// finds it and gives the display its input back (the cover went with the
/// old daemon's X connection; the projection is not taken back).
const MARKER: &str = "projected";

/// The audit record's `action` when a projection onto a session starts.
const START: &str = "start";
/// … and when it ends.
const END: &str = "end";

/// Runs blocking X work off the async threads; its error in words.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> podium_x11::Result<T> + Send + 'static) -> Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(HostError::Unreachable(e.to_string())),
    }
}

impl Host {
    /// Projects the caller's own desktop onto sessions: each target's
    /// input goes off and a cover says whose screen is shown, and its
    /// station shows the caller's screen. Asking again while projecting
    /// adds the new targets to those already shown it; a target another
    /// teacher was projecting onto is taken over.
    ///
    /// # Errors
    /// [`HostError::NoDesktopToProject`] when the caller has no running
    /// session here; [`HostError::Invalid`] for a malformed request.
    pub async fn project(self: &Arc<Self>, caller: &Caller, req: &TargetsRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let source = self.projection_source_of(caller)?;
        let by_name =
            crate::users::Account::by_name(&caller.user).map_or_else(|_| caller.user.clone(), |a| a.full_name);
        let projected = Projected {
            source: source.id,
            by: caller.user.clone(),
            by_name,
        };
        let host = self.clone();
        // The caller's own session, the source, is never a target: the
        // permission rule refuses it named and leaves it out of "all".
        Ok(self
            .act_noted(
                caller,
                &targets,
                (Action::Project, AuditKind::Project, Some(START)),
                move |live| {
                    let (host, projected) = (host.clone(), projected.clone());
                    async move { host.start_projection(&live, projected).await }
                },
            )
            .await)
    }

    /// Stops the caller's projection: every session it was shown on gets
    /// its own desktop and its input back (unless blocked). One result per
    /// session it was shown on; none when nothing was projected.
    ///
    /// # Errors
    /// None today; a `Result` like the other actions.
    pub async fn stop_projecting(self: &Arc<Self>, caller: &Caller) -> Result<ActionResults> {
        let Some(source) = self.session_of(caller.uid) else {
            return Ok(ActionResults { results: Vec::new() });
        };
        Ok(self.end_projection(source.id, &caller.user, None).await)
    }

    /// Ends every projection of session `source`, recorded as asked by
    /// `actor` (the teacher, or `system` when their dashboard went away or
    /// their session ended, with `why` in the records).
    pub async fn end_projection(self: &Arc<Self>, source: SessionId, actor: &str, why: Option<&str>) -> ActionResults {
        let targets: Vec<Arc<Live>> = self
            .snapshot()
            .into_iter()
            .filter(|l| l.projection().is_some_and(|p| p.source == source))
            .collect();
        let mut running = tokio::task::JoinSet::new();
        for live in targets {
            let host = self.clone();
            running.spawn(async move {
                let outcome = host.stop_projection(&live).await;
                (live.id, live.account.name.clone(), outcome)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = running.join_next().await {
            let Ok((id, user, outcome)) = joined else {
                continue;
            };
            let result = match outcome {
                Ok(()) => ActionResult::done(id, &user),
                Err(e) => ActionResult::failed(id, &user, e.reason()),
            };
            self.record(
                &NewAudit::new(actor.to_owned(), AuditKind::Project, result.outcome)
                    .on(id, user)
                    .action(END)
                    .reason(result.reason.clone().or_else(|| why.map(str::to_owned))),
            );
            results.push(result);
        }
        results.sort_by_key(|r| r.session);
        ActionResults { results }
    }

    /// Whether session `source` is projected onto any session now.
    #[must_use]
    pub fn is_projecting(&self, source: SessionId) -> bool {
        self.snapshot()
            .iter()
            .any(|l| l.projection().is_some_and(|p| p.source == source))
    }

    /// What the caller's own station is to show instead of its desktop:
    /// the projection onto their session, the display it comes from, and
    /// a watch that says when it stops or changes.
    ///
    /// # Errors
    /// [`HostError::NoSuchSession`] without a session;
    /// [`HostError::NotProjected`] when nothing is projected onto it.
    pub fn projection_for(
        &self,
        caller: &Caller,
    ) -> Result<(
        Projected,
        DisplayAccess,
        tokio::sync::watch::Receiver<Option<Projected>>,
    )> {
        let live = self.session_of(caller.uid).ok_or(HostError::NoSuchSession)?;
        let watch = live.watch_projection();
        let projected = live.projection().ok_or(HostError::NotProjected)?;
        let source = self.sessions().get(&projected.source).cloned();
        let access = source.and_then(|s| s.display_access()).ok_or(HostError::NotProjected)?;
        Ok((projected, access, watch))
    }

    /// The caller's own running session, the one they project.
    fn projection_source_of(&self, caller: &Caller) -> Result<Arc<Live>> {
        let live = self.session_of(caller.uid).ok_or(HostError::NoDesktopToProject)?;
        let running = {
            let st = live.state();
            st.running.is_some() && matches!(st.state, SessionState::Active | SessionState::Disconnected)
        };
        if running {
            Ok(live)
        } else {
            Err(HostError::NoDesktopToProject)
        }
    }

    /// Covers one target and switches its input off, then records the
    /// projection (so its station starts showing it).
    async fn start_projection(self: &Arc<Self>, live: &Arc<Live>, projected: Projected) -> Result<()> {
        let ready = {
            let st = live.state();
            st.running.is_some() && st.state != SessionState::Starting
        };
        if !ready {
            return Err(HostError::StillStarting);
        }
        let access = live.display_access().ok_or(HostError::NoDisplay)?;
        let (lang, text) = (live.lang(), projection_text(live.lang(), &projected.by_name));
        let mut screen = live.screen.lock().await;
        if let Some(shown) = screen.projection.as_ref().filter(|c| c.is_shown()) {
            // Another teacher's projection: the cover names the new one.
            shown.update(&text);
        } else {
            let cover = blocking(move || {
                vncext::set_input_allowed(&access, false)?;
                BlockNotice::show_for(&access, lang, &text, Purpose::Projection)
            })
            .await?;
            if let Some(old) = screen.projection.replace(cover) {
                let _ = tokio::task::spawn_blocking(move || old.close()).await;
            }
        }
        drop(screen);
        if let Err(e) = std::fs::write(live.spec.run_dir.join(MARKER), b"") {
            tracing::warn!(session = live.id, "cannot mark the session projected: {e}");
        }
        live.set_projection(Some(projected));
        self.emit(HostEvent::Changed(self.info(live)));
        tracing::info!(session = live.id, "projection started");
        Ok(())
    }

    /// Takes one target's cover away and gives its input back, unless
    /// the session is blocked.
    async fn stop_projection(self: &Arc<Self>, live: &Arc<Live>) -> Result<()> {
        let cover = live.screen.lock().await.projection.take();
        let blocked = live.state().block.is_some();
        let access = live.display_access();
        let restored = blocking(move || {
            if let Some(cover) = cover {
                cover.close();
            }
            match access {
                Some(access) if !blocked => vncext::set_input_allowed(&access, true),
                _ => Ok(()),
            }
        })
        .await;
        // Only now: a session said not projected takes its user's keys.
        live.set_projection(None);
        self.emit(HostEvent::Changed(self.info(live)));
        restored?;
        let _ = std::fs::remove_file(live.spec.run_dir.join(MARKER));
        tracing::info!(session = live.id, "projection stopped");
        Ok(())
    }

    /// After a restart: a session that was projected onto when the old
    /// daemon went gets its input back, unless it is blocked.
    pub(crate) async fn end_left_projection(self: &Arc<Self>, live: &Arc<Live>) {
        let marker = live.spec.run_dir.join(MARKER);
        if !marker.exists() {
            return;
        }
        if live.state().block.is_none()
            && let Some(access) = live.display_access()
            && let Err(e) = blocking(move || vncext::set_input_allowed(&access, true)).await
        {
            tracing::warn!(session = live.id, "cannot give the display its input back: {e}");
            return;
        }
        let _ = std::fs::remove_file(marker);
        tracing::info!(session = live.id, "a projection of the previous daemon ended");
    }

    /// Session `source` ended: whatever it projected stops.
    pub(crate) fn source_ended(self: &Arc<Self>, source: SessionId) {
        if !self.is_projecting(source) {
            return;
        }
        let host = self.clone();
        tokio::spawn(async move {
            host.end_projection(
                source,
                podium_core::audit::SYSTEM_ACTOR,
                Some("the projected session ended"),
            )
            .await;
        });
    }
}
