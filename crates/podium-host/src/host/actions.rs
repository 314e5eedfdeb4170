//! The actions other than log off (SPEC §4): disconnect, block, unblock and
//! message, and the shared way every action goes over its targets — one
//! permission decision per session, refusals reported and audited, the
//! allowed targets acted on concurrently, each target's outcome returned.

use crate::error::{HostError, Result};
use crate::host::state::{Host, HostEvent};
use crate::live::{Kick, Live};
use crate::registry::NewMessage;
use podium_core::NewAudit;
use podium_core::{
    Action, ActionResult, ActionResults, AuditKind, BlockRequest, Caller, MessageRequest, SessionState, Targets,
    TargetsRequest, Timestamp, UserMessage,
};
use std::future::Future;
use std::sync::Arc;

impl Host {
    /// Runs `apply` on every target `caller` may do `action` to, all at
    /// once; reports each target. `apply` returns why it failed, if it did.
    pub(crate) async fn act<F, Fut>(
        self: &Arc<Self>,
        caller: &Caller,
        targets: &Targets,
        action: Action,
        kind: AuditKind,
        apply: F,
    ) -> ActionResults
    where
        F: Fn(Arc<Live>) -> Fut,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.act_noted(caller, targets, (action, kind, None), apply).await
    }

    /// [`Host::act`], with `note` as each audit record's `action` (a
    /// projection's `start`).
    pub(crate) async fn act_noted<F, Fut>(
        self: &Arc<Self>,
        caller: &Caller,
        targets: &Targets,
        (action, kind, note): (Action, AuditKind, Option<&'static str>),
        apply: F,
    ) -> ActionResults
    where
        F: Fn(Arc<Live>) -> Fut,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let (found, mut results) = self.targets(targets);
        let mut running = tokio::task::JoinSet::new();
        for (live, sel) in found {
            let user = live.account.name.clone();
            match self.permit(caller, &live, action, sel) {
                Err(r) => results.push(ActionResult::refused(live.id, &user, r)),
                Ok(()) => {
                    let id = live.id;
                    let work = apply(live);
                    running.spawn(async move { (id, user, work.await) });
                }
            }
        }
        while let Some(joined) = running.join_next().await {
            let Ok((id, user, outcome)) = joined else {
                continue;
            };
            let result = match outcome {
                Ok(()) => ActionResult::done(id, &user),
                Err(why) => ActionResult::failed(id, &user, why.reason()),
            };
            let mut record = NewAudit::new(caller.user.clone(), kind, result.outcome)
                .on(id, user)
                .reason(result.reason.clone());
            if let Some(note) = note {
                record = record.action(note);
            }
            self.record(&record);
            results.push(result);
        }
        results.sort_by_key(|r| r.session);
        ActionResults { results }
    }

    /// Disconnects sessions ("suspend and leave the session active"): every
    /// station connection is dropped — the relay's, and any other VNC
    /// viewer of the display — and the programs keep running.
    ///
    /// # Errors
    /// [`crate::error::HostError::Invalid`] for a malformed request.
    pub async fn disconnect(self: &Arc<Self>, caller: &Caller, req: &TargetsRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let host = self.clone();
        Ok(self
            .act(
                caller,
                &targets,
                Action::Disconnect,
                AuditKind::Disconnect,
                move |live| {
                    let host = host.clone();
                    async move {
                        host.kick(&live, Kick::Disconnected);
                        host.drop_viewers(&live).await;
                        Ok(())
                    }
                },
            )
            .await)
    }

    /// Blocks sessions: a notice covers each screen and the stations'
    /// keyboard and pointer are ignored until [`Host::unblock`].
    ///
    /// # Errors
    /// [`crate::error::HostError::Invalid`] for a malformed request.
    pub async fn block(self: &Arc<Self>, caller: &Caller, req: &BlockRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let text = req.custom_message().unwrap_or_default();
        let host = self.clone();
        Ok(self
            .act(caller, &targets, Action::Block, AuditKind::Block, move |live| {
                let (host, text) = (host.clone(), text.clone());
                async move { host.set_block(&live, Some(text)).await }
            })
            .await)
    }

    /// Ends the block of sessions.
    ///
    /// # Errors
    /// [`crate::error::HostError::Invalid`] for a malformed request.
    pub async fn unblock(self: &Arc<Self>, caller: &Caller, req: &TargetsRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let host = self.clone();
        Ok(self
            .act(caller, &targets, Action::Unblock, AuditKind::Unblock, move |live| {
                let host = host.clone();
                async move { host.set_block(&live, None).await }
            })
            .await)
    }

    /// Sends a message to sessions: it shows on the desktop and the station
    /// until the user dismisses it.
    ///
    /// # Errors
    /// [`crate::error::HostError::Invalid`] for a malformed request.
    pub async fn message(self: &Arc<Self>, caller: &Caller, req: &MessageRequest) -> Result<ActionResults> {
        let targets = req.targets()?;
        let from_name =
            crate::users::Account::by_name(&caller.user).map_or_else(|_| caller.user.clone(), |a| a.full_name);
        let host = self.clone();
        let (from, text) = (caller.user.clone(), req.text.trim().to_owned());
        Ok(self
            .act(caller, &targets, Action::Message, AuditKind::Message, move |live| {
                let host = host.clone();
                let m = (from.clone(), from_name.clone(), text.clone());
                async move { host.queue_message(&live, &m.0, &m.1, &m.2).await }
            })
            .await)
    }

    /// Sets (`Some(text)`, empty for the default text) or ends the block of
    /// one session, on screen first: a block that could not be shown is
    /// not recorded.
    async fn set_block(self: &Arc<Self>, live: &Arc<Live>, block: Option<String>) -> Result<()> {
        let ready = {
            let st = live.state();
            st.running.is_some() && st.state != SessionState::Starting
        };
        if !ready {
            return Err(HostError::StillStarting);
        }
        match &block {
            Some(text) => self.show_block(live, text).await?,
            None => self.hide_block(live).await?,
        }
        live.state().block.clone_from(&block);
        if let Err(e) = self.registry.set_block(live.id, block.as_deref()) {
            tracing::error!(session = live.id, "registry: {e}");
        }
        self.emit(HostEvent::Changed(self.info(live)));
        tracing::info!(session = live.id, blocked = block.is_some(), "block changed");
        Ok(())
    }

    /// Queues one message and shows the queue; a message that cannot be
    /// shown is taken back and reported.
    async fn queue_message(self: &Arc<Self>, live: &Arc<Live>, from: &str, from_name: &str, text: &str) -> Result<()> {
        if live.state().running.is_none() {
            return Err(HostError::StillStarting);
        }
        let sent_at = Timestamp::now();
        let id = self
            .registry
            .add_message(
                live.id,
                &NewMessage {
                    from,
                    from_name,
                    text,
                    sent_at,
                },
            )
            .inspect_err(|e| tracing::error!(session = live.id, "cannot keep the message: {e}"))?;
        let message = UserMessage {
            id,
            from: from.to_owned(),
            from_name: from_name.to_owned(),
            text: text.to_owned(),
            sent_at,
        };
        live.state().messages.push(message);
        if let Err(why) = self.show_messages(live).await {
            live.state().messages.retain(|m| m.id != id);
            let _ = self.registry.remove_message(live.id, id);
            return Err(why);
        }
        self.messages_changed(live);
        Ok(())
    }

    /// The user dismissed message `id` of their session (OK on the desktop
    /// or on the station). False when there was no such message.
    pub(crate) async fn dismiss(self: &Arc<Self>, live: &Arc<Live>, id: u64) -> bool {
        let removed = {
            let mut st = live.state();
            let before = st.messages.len();
            st.messages.retain(|m| m.id != id);
            st.messages.len() != before
        };
        if !removed {
            return false;
        }
        if let Err(e) = self.registry.remove_message(live.id, id) {
            tracing::error!(session = live.id, "registry: {e}");
        }
        if let Err(why) = self.show_messages(live).await {
            tracing::warn!(session = live.id, "messages: {why}");
        }
        self.messages_changed(live);
        true
    }

    /// [`Host::dismiss`] as a named future: the desktop's OK button calls it
    /// from a task that showing the messages started, a cycle the compiler
    /// can only check for `Send` through a boxed type.
    pub(crate) fn dismiss_boxed(
        self: &Arc<Self>,
        live: Arc<Live>,
        id: u64,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + 'static>> {
        let host = self.clone();
        Box::pin(async move { host.dismiss(&live, id).await })
    }

    /// Dismisses message `id` of the caller's own session.
    ///
    /// # Errors
    /// [`crate::error::HostError::NoSuchSession`] without a session;
    /// [`crate::error::HostError::NoSuchMessage`] when the message is not waiting.
    pub async fn dismiss_own(self: &Arc<Self>, caller: &Caller, id: u64) -> Result<()> {
        let live = self
            .session_of(caller.uid)
            .ok_or(crate::error::HostError::NoSuchSession)?;
        if self.dismiss(&live, id).await {
            Ok(())
        } else {
            Err(crate::error::HostError::NoSuchMessage(id))
        }
    }

    /// Tells the session's user what is waiting now.
    fn messages_changed(&self, live: &Live) {
        let messages = live.state().messages.clone();
        self.emit(HostEvent::Messages {
            id: live.id,
            uid: live.account.uid,
            messages,
        });
    }
}
