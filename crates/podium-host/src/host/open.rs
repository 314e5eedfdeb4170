//! Open… (SPEC §5): a website or a program the administrator listed,
//! started on each target desktop as its user. The daemon decides who may,
//! finds the program, and asks each session's worker to start it
//! ([`crate::worker::client::Connection::launch`]); the worker does the
//! fork and exec, as it did for the desktop. Every target is reported and
//! audited, with what was opened.

use super::start::find_program;
use crate::error::{HostError, Result};
use crate::host::state::Host;
use crate::live::Live;
use crate::worker::client::Connection;
use podium_core::permission::decide;
use podium_core::{
    Action, ActionResult, ActionResults, AuditKind, Caller, NewAudit, OpenRequest, OpenWhat, Refusal, SessionState,
};
use std::path::PathBuf;
use std::sync::Arc;

impl Host {
    /// Opens the request's website or program on each target the caller
    /// may act on, all at once; one result per target.
    ///
    /// # Errors
    /// [`HostError::Invalid`] for a malformed request;
    /// [`HostError::UnknownProgram`] for a program the config does not list.
    pub async fn open_on(self: &Arc<Self>, caller: &Caller, req: &OpenRequest) -> Result<ActionResults> {
        let (targets, what) = req.check()?;
        let argv = self.open_argv(&what)?;
        // Found once for every target; a program that is not there fails each one.
        let program = argv
            .first()
            .map_or_else(|| Err("no program".to_owned()), |p| find_program(p));
        let detail = what.describe();
        let (found, mut results) = self.targets(&targets);
        let mut running = tokio::task::JoinSet::new();
        for (live, sel) in found {
            let user = live.account.name.clone();
            match decide(caller, live.account.uid, self.owner_role(&live), Action::Open, sel) {
                Err(r) => {
                    if r != Refusal::OwnSessionInAll {
                        self.record(
                            &NewAudit::refused(caller.user.clone(), Action::Open.as_str(), r.reason())
                                .on(live.id, user.clone())
                                .reason(Some(format!("{}; {detail}", r.reason()))),
                        );
                    }
                    results.push(ActionResult::refused(live.id, &user, r));
                }
                Ok(()) => {
                    let (program, argv) = (program.clone(), argv.clone());
                    running.spawn(async move { (live.id, user, launch_in(&live, program, &argv).await) });
                }
            }
        }
        while let Some(joined) = running.join_next().await {
            let Ok((id, user, outcome)) = joined else {
                continue;
            };
            let (result, reason) = match outcome {
                Ok(pid) => {
                    tracing::info!(session = id, user = %user, pid, "{detail} opened");
                    (ActionResult::done(id, &user), detail.clone())
                }
                Err(why) => {
                    tracing::warn!(session = id, user = %user, "{detail} not opened: {why}");
                    let reason = format!("{detail}: {why}");
                    (ActionResult::failed(id, &user, why), reason)
                }
            };
            self.record(
                &NewAudit::new(caller.user.clone(), AuditKind::Open, result.outcome)
                    .on(id, user)
                    .reason(Some(reason)),
            );
            results.push(result);
        }
        results.sort_by_key(|r| r.session);
        Ok(ActionResults { results })
    }

    /// The command line that opens `what`: the configured opener with the
    /// URL as its last word, or the listed program's command.
    fn open_argv(&self, what: &OpenWhat) -> Result<Vec<String>> {
        let open = &self.config.open;
        match what {
            OpenWhat::Url(url) => {
                let mut argv = open.url_command.clone();
                argv.push(url.clone());
                Ok(argv)
            }
            OpenWhat::Program(name) => {
                open.program(name)
                    .map(|p| p.command.clone())
                    .ok_or_else(|| HostError::UnknownProgram {
                        name: name.clone(),
                        known: open.programs.iter().map(|p| p.name.clone()).collect(),
                    })
            }
        }
    }
}

/// Asks `live`'s worker to start `argv`; the pid, or why not in words.
async fn launch_in(
    live: &Live,
    program: std::result::Result<PathBuf, String>,
    argv: &[String],
) -> std::result::Result<i32, String> {
    let program = program?;
    let socket = {
        let st = live.state();
        match st.state {
            SessionState::Starting => return Err(HostError::StillStarting.to_string()),
            SessionState::Closing => return Err("the session is logging off".into()),
            _ => {}
        }
        if st.running.is_none() {
            return Err(HostError::StillStarting.to_string());
        }
        live.spec.socket()
    };
    let mut conn = Connection::connect(&socket)
        .await
        .map_err(|e| format!("the session cannot be reached: {e}"))?;
    conn.launch(&program, argv)
        .await
        .map_err(|e| format!("the session did not answer: {e}"))?
}
