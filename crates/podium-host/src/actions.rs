//! The actions other than log off (SPEC §4): disconnect, and the shared
//! way every action goes over its targets — one permission decision per
//! session, refusals reported and audited, each target's outcome returned.

use crate::live::{Kick, Live};
use crate::manager::Host;
use crate::registry::NewAudit;
use podium_core::{Action, ActionResult, ActionResults, AuditKind, Caller, Targets, TargetsRequest};
use std::sync::Arc;

impl Host {
    /// Runs `apply` on every target `caller` may do `action` to; reports
    /// each target. `apply` returns why it failed, if it did.
    pub(crate) fn act(
        &self,
        caller: &Caller,
        targets: &Targets,
        action: Action,
        kind: AuditKind,
        mut apply: impl FnMut(&Arc<Live>) -> Result<(), String>,
    ) -> ActionResults {
        let (found, mut results) = self.targets(targets);
        for (live, sel) in found {
            let user = live.account.name.clone();
            let result = match self.permit(caller, &live, action, sel) {
                Err(r) => ActionResult::refused(live.id, &user, r),
                Ok(()) => match apply(&live) {
                    Ok(()) => ActionResult::done(live.id, &user),
                    Err(why) => ActionResult::failed(live.id, &user, why),
                },
            };
            if result.outcome != podium_core::Outcome::Refused {
                self.record(&NewAudit {
                    actor: caller.user.clone(),
                    kind,
                    action: None,
                    session: Some(live.id),
                    target_user: Some(user),
                    outcome: result.outcome.as_str().into(),
                    reason: result.reason.clone(),
                    duration_ms: None,
                });
            }
            results.push(result);
        }
        results.sort_by_key(|r| r.session);
        ActionResults { results }
    }

    /// Disconnects sessions ("suspend and leave the session active"): every
    /// station connection is dropped, the programs keep running.
    ///
    /// # Errors
    /// [`crate::HostError::Invalid`] for a malformed request.
    pub fn disconnect(&self, caller: &Caller, req: &TargetsRequest) -> crate::Result<ActionResults> {
        let targets = req.targets()?;
        Ok(
            self.act(caller, &targets, Action::Disconnect, AuditKind::Disconnect, |live| {
                self.kick(live, Kick::Disconnected);
                Ok(())
            }),
        )
    }
}
