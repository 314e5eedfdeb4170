//! Watching a pupil's desktop from the dashboard ("View") and driving it
//! ("Take control"): the permission, the audit of the start and the end,
//! the bar on the desktop that names whoever watches, and the teacher's
//! keys and pointer on the display.
//!
//! The relay (podium-server) holds a [`Watch`] for as long as its viewer's
//! connection lives, and reads the VNC stream from the socket the watch
//! names; it passes a controller's keys and pointer to [`Watch::key`] and
//! [`Watch::pointer`], which press them through XTEST
//! ([`podium_x11::xtest`]), not through Xvnc's VNC input: a block turns that
//! off for every VNC client, and a teacher must still drive a blocked
//! desktop while the pupil's own keyboard and mouse stay off.

use crate::error::{HostError, Result};
use crate::host::state::Host;
use crate::live::{Live, Watcher};
use podium_core::{Action, AuditKind, AuditOutcome, Caller, NewAudit, Selection, SessionId, SessionState};
use podium_x11::xtest::{Input, Remote};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::watch;

static SERIAL: AtomicU64 = AtomicU64::new(1);

/// One viewer's (or controller's) hold on a session's desktop. Dropping it
/// ends the view: the end is audited, the bar on the desktop changes or
/// goes, and every key and button the controller still held is released.
#[derive(Debug)]
pub struct Watch {
    host: Arc<Host>,
    live: Arc<Live>,
    serial: u64,
    actor: String,
    since: Instant,
    vnc_socket: PathBuf,
    vnc_server: (u32, i32),
    ended: watch::Receiver<bool>,
    remote: Option<Remote>,
}

impl Watch {
    /// The session's VNC socket, which the relay reads the desktop from.
    #[must_use]
    pub fn vnc_socket(&self) -> &Path {
        &self.vnc_socket
    }

    /// Who must be listening on the socket: the session's user and its
    /// Xvnc's pid (checked with `SO_PEERCRED`, as for a station).
    #[must_use]
    pub fn vnc_server(&self) -> (u32, i32) {
        self.vnc_server
    }

    /// Becomes true once the session has ended: the relay then closes.
    #[must_use]
    pub fn ended(&self) -> watch::Receiver<bool> {
        self.ended.clone()
    }

    /// Whether this watch drives the desktop.
    #[must_use]
    pub fn controls(&self) -> bool {
        self.remote.is_some()
    }

    /// The controller pressed (`down`) or released a key, as an X keysym.
    /// Nothing happens for a viewer who only views. Never blocks: the key
    /// is queued for the control's thread.
    pub fn key(&self, keysym: u32, down: bool) {
        if let Some(r) = &self.remote {
            r.send(Input::Key { keysym, down });
        }
    }

    /// The controller's pointer is at (`x`, `y`) with `buttons` down (RFB's
    /// mask: bit 0 is button 1). Nothing happens for a viewer who only views.
    pub fn pointer(&self, buttons: u8, x: u16, y: u16) {
        if let Some(r) = &self.remote {
            r.send(Input::Pointer { buttons, x, y });
        }
    }

    /// The audit kind of this watch.
    fn kind(&self) -> AuditKind {
        if self.controls() {
            AuditKind::Control
        } else {
            AuditKind::View
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Before the control's thread goes, which `kind` looks at.
        let kind = self.kind();
        // The control's thread releases what is still down and ends.
        self.remote.take();
        self.live.state().watchers.retain(|w| w.serial != self.serial);
        self.host.record(
            &NewAudit::new(self.actor.clone(), kind, AuditOutcome::Done)
                .on(self.live.id, self.live.account.name.clone())
                .action("end")
                .took(Some(
                    u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX),
                )),
        );
        tracing::info!(session = self.live.id, by = %self.actor, %kind, "watch ended");
        if self.live.has_ended() {
            return;
        }
        let (host, live) = (self.host.clone(), self.live.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = host.show_watchers(&live).await {
                    tracing::warn!(session = live.id, "cannot change the watched bar: {e}");
                }
            });
        }
    }
}

impl Host {
    /// `caller` starts viewing session `id` (`control`: and driving it).
    /// Decides with the permission rule (a refusal is audited), puts the
    /// bar on the desktop, audits the start, and returns the watch whose
    /// drop ends it all.
    ///
    /// # Errors
    /// [`HostError::NoSuchSession`] for an unknown id;
    /// [`HostError::Refused`] when the rule says no (own session, a
    /// dashboard user on an administrator's, a standard user);
    /// [`HostError::StillStarting`] before the desktop runs; an X error
    /// when the desktop cannot be reached (the pupil could not be told).
    pub async fn watch(self: &Arc<Self>, caller: &Caller, id: SessionId, control: bool) -> Result<Watch> {
        let live = self.sessions().get(&id).cloned().ok_or(HostError::NoSuchSession)?;
        let (action, kind) = if control {
            (Action::Control, AuditKind::Control)
        } else {
            (Action::View, AuditKind::View)
        };
        self.permit(caller, &live, action, Selection::Named)
            .map_err(HostError::Refused)?;
        let xvnc_pid = {
            let st = live.state();
            match &st.running {
                Some(r) if st.state != SessionState::Starting => r.xvnc_pid,
                _ => return Err(HostError::StillStarting),
            }
        };
        let result = self.begin(caller, &live, control).await;
        let (serial, remote) = match result {
            Ok(r) => r,
            Err(e) => {
                self.record(
                    &NewAudit::new(caller.user.clone(), kind, AuditOutcome::Failed)
                        .on(live.id, live.account.name.clone())
                        .action("start")
                        .because(e.reason()),
                );
                return Err(e);
            }
        };
        self.record(
            &NewAudit::new(caller.user.clone(), kind, AuditOutcome::Done)
                .on(live.id, live.account.name.clone())
                .action("start"),
        );
        tracing::info!(session = live.id, user = %live.account.name, by = %caller.user, %kind, "watch started");
        Ok(Watch {
            host: self.clone(),
            serial,
            actor: caller.user.clone(),
            since: Instant::now(),
            vnc_socket: live.spec.vnc_socket(),
            vnc_server: (live.account.uid, xvnc_pid),
            ended: ended_flag(&live),
            remote,
            live,
        })
    }

    /// Connects the controller's XTEST thread, adds the watcher and shows
    /// the bar; undoes it all if the bar cannot be shown.
    async fn begin(
        self: &Arc<Self>,
        caller: &Caller,
        live: &Arc<Live>,
        control: bool,
    ) -> Result<(u64, Option<Remote>)> {
        let remote = if control {
            let access = live.display_access().ok_or(HostError::NoDisplay)?;
            let started = tokio::task::spawn_blocking(move || Remote::start(&access)).await;
            Some(started.map_err(|e| HostError::Unreachable(e.to_string()))??)
        } else {
            None
        };
        let name = crate::users::Account::by_name(&caller.user).map_or_else(|_| caller.user.clone(), |a| a.full_name);
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        live.state().watchers.push(Watcher {
            serial,
            login: caller.user.clone(),
            name: if name.trim().is_empty() {
                caller.user.clone()
            } else {
                name
            },
            controls: control,
        });
        if let Err(e) = self.show_watchers(live).await {
            live.state().watchers.retain(|w| w.serial != serial);
            let _ = self.show_watchers(live).await;
            return Err(e);
        }
        Ok((serial, remote))
    }
}

/// A flag that becomes true when the session ends, for the relay.
fn ended_flag(live: &Arc<Live>) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(live.has_ended());
    let mut end = live.watch_end();
    tokio::spawn(async move {
        tokio::select! {
            () = tx.closed() => {}
            r = end.wait_for(Option::is_some) => {
                drop(r);
                tx.send_replace(true);
            }
        }
    });
    rx
}
