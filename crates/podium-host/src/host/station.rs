//! Stations: who is looking at a session now. A station is a browser
//! (later a native viewer) connected to the session's VNC stream through
//! the daemon. One station at a time: a newer one takes the session over,
//! and the older is told so. Locking a station ends the stream until the
//! user gives their password again; disconnecting ends it and leaves the
//! session running.

use crate::error::{HostError, Result};
use crate::host::state::{Host, HostEvent};
use crate::live::{Kick, Live, StationConn};
use podium_core::permission::decide;
use podium_core::{
    Action, AuditKind, Caller, Refusal, Selection, SessionId, SessionState, Station, StationStatus, Timestamp,
};
use podium_core::{AuditOutcome, NewAudit};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::watch;

static SERIAL: AtomicU64 = AtomicU64::new(1);

/// A station's open connection. Dropping it marks the station gone.
#[derive(Debug)]
pub struct StationGuard {
    host: Arc<Host>,
    live: Arc<Live>,
    serial: u64,
    /// Changes when the host ends the connection, saying why.
    pub kicked: watch::Receiver<Option<Kick>>,
    /// The session's VNC socket.
    pub vnc_socket: PathBuf,
    /// Who must be listening on it: the session's user and Xvnc's pid.
    pub vnc_server: (u32, i32),
}

impl StationGuard {
    /// Whether the session is logging off or over: a VNC stream that ends
    /// then ends with the session, not by accident.
    #[must_use]
    pub fn session_ending(&self) -> bool {
        self.live.has_ended() || self.live.state().state == SessionState::Closing
    }
}

impl Drop for StationGuard {
    fn drop(&mut self) {
        self.host.station_gone(&self.live, self.serial);
    }
}

impl Host {
    /// The session of user `uid`, if any.
    pub(crate) fn session_of(&self, uid: u32) -> Option<Arc<Live>> {
        self.snapshot().into_iter().find(|l| l.account.uid == uid)
    }

    /// The caller's own session and whether it is locked.
    #[must_use]
    pub fn station_status(&self, caller: &Caller) -> StationStatus {
        match self.session_of(caller.uid) {
            Some(live) => {
                // The state lock must be released before `info` takes it again.
                let (locked, messages) = {
                    let st = live.state();
                    (st.locked, st.messages.clone())
                };
                StationStatus {
                    locked,
                    session: Some(self.info(&live)),
                    messages,
                    follow_size: live.spec.follow_station_size,
                }
            }
            None => StationStatus {
                session: None,
                locked: false,
                messages: Vec::new(),
                follow_size: self.config.session.follow_station_size,
            },
        }
    }

    /// Connects a station from `address` to the caller's own session: any
    /// other station of it is told it was taken over.
    ///
    /// # Errors
    /// [`HostError::NoSuchSession`] without a running session;
    /// [`HostError::Locked`] while the station is locked.
    pub fn open_station(self: &Arc<Self>, caller: &Caller, kind: &str, address: &str) -> Result<StationGuard> {
        let live = self.session_of(caller.uid).ok_or(HostError::NoSuchSession)?;
        let (guard, previous) = {
            let mut st = live.state();
            let running = st.running.clone().ok_or(HostError::NoSuchSession)?;
            // While closing, the user may still come and save their work.
            if st.state == SessionState::Starting {
                return Err(HostError::NoSuchSession);
            }
            if st.locked {
                return Err(HostError::Locked);
            }
            let (kick, kicked) = watch::channel(None);
            let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
            let info = Station {
                kind: kind.to_owned(),
                address: address.to_owned(),
                since: Timestamp::now(),
            };
            let previous = st.station.replace(StationConn { serial, info, kick });
            st.connected_at = st.station.as_ref().map(|c| c.info.since);
            st.disconnected_since = None;
            if st.state == SessionState::Disconnected {
                st.state = SessionState::Active;
            }
            let guard = StationGuard {
                host: self.clone(),
                live: live.clone(),
                serial,
                kicked,
                vnc_socket: live.spec.vnc_socket(),
                vnc_server: (live.account.uid, running.xvnc_pid),
            };
            (guard, previous)
        };
        if let Some(old) = previous {
            old.kick.send_replace(Some(Kick::TakenOver));
        }
        self.enforce_block(&live);
        self.station_changed(&live);
        self.audit_station(
            &caller.user,
            &live,
            "connect",
            AuditOutcome::Done,
            Some(format!("{kind} from {address}")),
        );
        tracing::info!(session = live.id, user = %live.account.name, %address, "station connected");
        Ok(guard)
    }

    /// Records the station's change in the registry and tells watchers.
    fn station_changed(&self, live: &Live) {
        let (station, since, state) = {
            let st = live.state();
            (
                st.station.as_ref().map(|c| c.info.clone()),
                st.disconnected_since,
                st.state,
            )
        };
        if let Err(e) = self.registry.set_station(live.id, station.as_ref(), since, state) {
            tracing::error!(session = live.id, "registry: {e}");
        }
        self.emit(HostEvent::Changed(self.info(live)));
    }

    /// A station's connection ended: if it was the current one, the
    /// session is now disconnected (unless it is closing).
    fn station_gone(&self, live: &Arc<Live>, serial: u64) {
        {
            let mut st = live.state();
            if st.station.as_ref().is_none_or(|c| c.serial != serial) {
                return;
            }
            st.station = None;
            st.disconnected_since = Some(Timestamp::now());
            if st.state == SessionState::Active {
                st.state = SessionState::Disconnected;
            }
        }
        if live.has_ended() {
            return;
        }
        tracing::info!(session = live.id, "station disconnected");
        self.audit_station(&live.account.name, live, "disconnect", AuditOutcome::Done, None);
        self.station_changed(live);
    }

    /// Ends the station connection of a session with `why`.
    pub(crate) fn kick(&self, live: &Live, why: Kick) {
        let st = live.state();
        if let Some(c) = &st.station {
            c.kick.send_replace(Some(why));
        }
    }

    /// Locks the caller's own station: the stream stops until they give
    /// their password again.
    ///
    /// # Errors
    /// [`HostError::NoSuchSession`] without a session.
    pub fn lock(&self, caller: &Caller) -> Result<()> {
        let live = self.session_of(caller.uid).ok_or(HostError::NoSuchSession)?;
        decide(
            caller,
            live.account.uid,
            self.owner_role(&live),
            Action::Lock,
            Selection::Named,
        )
        .map_err(HostError::Refused)?;
        live.state().locked = true;
        self.registry.set_locked(live.id, true)?;
        self.kick(&live, Kick::Locked);
        self.audit_station(&caller.user, &live, "lock", AuditOutcome::Done, None);
        Ok(())
    }

    /// Unlocks the caller's station once PAM accepted their password.
    ///
    /// # Errors
    /// [`HostError::NoSuchSession`] without a session.
    pub fn unlock(&self, caller: &Caller) -> Result<()> {
        let live = self.session_of(caller.uid).ok_or(HostError::NoSuchSession)?;
        live.state().locked = false;
        self.registry.set_locked(live.id, false)?;
        self.audit_station(&caller.user, &live, "unlock", AuditOutcome::Done, None);
        self.emit(HostEvent::Changed(self.info(&live)));
        Ok(())
    }

    /// Audits an action on a station.
    pub(crate) fn audit_station(
        &self,
        actor: &str,
        live: &Live,
        action: &str,
        outcome: AuditOutcome,
        reason: Option<String>,
    ) {
        self.record(
            &NewAudit::new(actor, AuditKind::Station, outcome)
                .on(live.id, live.account.name.clone())
                .action(action)
                .reason(reason),
        );
    }

    /// Records `language`, picked on the login page by `user`, as their
    /// language from now on; the host's locale that carries it (what their
    /// next session speaks). A language the host has no locale for is still
    /// remembered, and the log says how to add it.
    pub async fn pick_language(&self, user: &str, language: podium_core::Language) -> String {
        let installed = tokio::task::spawn_blocking(crate::locale::installed)
            .await
            .unwrap_or_default();
        let (locale, present) = crate::locale::for_language(language, &installed);
        if !present {
            tracing::warn!(
                user,
                locale = %locale,
                "the host has no {} locale: programs will speak English until one is made \
                 (dpkg-reconfigure locales, or locale-gen)",
                language.code()
            );
        }
        if let Err(e) = self.registry().remember_locale(user, &locale) {
            tracing::warn!(user, "cannot remember the user's language: {e}");
        }
        locale
    }

    /// The id of the caller's own session, if they have one.
    #[must_use]
    pub fn own_session(&self, caller: &Caller) -> Option<SessionId> {
        self.session_of(caller.uid).map(|l| l.id)
    }

    /// Whether `caller` may open the relay of session `id` (their own only).
    ///
    /// # Errors
    /// [`HostError::Refused`] for somebody else's session.
    pub fn check_own(&self, caller: &Caller, id: SessionId) -> Result<()> {
        match self.sessions().get(&id) {
            Some(l) if l.account.uid == caller.uid => Ok(()),
            Some(_) => Err(HostError::Refused(Refusal::NotYourSession)),
            None => Err(HostError::NoSuchSession),
        }
    }
}
