//! Podium as an XSMP client of a session manager: it joins the session,
//! asks for the log-out the desktop's own menu would start (minus the
//! dialog), answers every save as a client with nothing to save, and
//! follows the shutdown to its end.

use crate::authority::Cookies;
use crate::conn::Conn;
use crate::error::{Result, XsmpError};
use crate::message::{Message, Save};
use crate::outgoing::{close_connection, logout_request, properties, register_client, save_yourself_done};
use crate::setup::{self, unexpected};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// How long to wait for each step of the save a manager makes a new
/// client do (a SaveYourself right after registering, then SaveComplete
/// after our answer). XSMP says a manager "should" send it, so one that
/// does not costs this much once.
const SETTLE: Duration = Duration::from_secs(2);
/// How long leaving the session may take when the conversation is over.
const LEAVE: Duration = Duration::from_secs(1);

/// How a log-out request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// The manager told us to die: every client agreed, the shutdown
    /// proceeds and the manager exits once its clients have.
    Died,
    /// A client refused (its user may have unsaved work); the session goes on.
    Cancelled,
    /// The manager closed the connection during the shutdown without
    /// telling us to die first: it is ending.
    ManagerClosed,
}

/// A registered client of one session manager.
pub struct Client {
    conn: Conn,
    client_id: String,
    /// Our login name, for the `UserID` property.
    user: String,
    left: bool,
}

impl Client {
    /// Sets up ICE and XSMP on `stream` (connected to the manager's
    /// socket), authenticated with `cookies` if the manager asks, and
    /// registers as a new client with restart style "never". Returns once
    /// the save a manager makes a new client do is over, because
    /// xfce4-session drops a client that makes a request during it.
    ///
    /// `timeout` bounds the whole exchange.
    ///
    /// # Errors
    /// [`XsmpError::Peer`] when the manager refuses (a wrong cookie gives
    /// `IceAuthRejected`), [`XsmpError::NoCookie`] when it asks for a
    /// cookie we lack, [`XsmpError::Timeout`], [`XsmpError::Closed`], and
    /// the errors of a manager that breaks the protocol.
    pub fn register(stream: UnixStream, cookies: &Cookies, timeout: Duration) -> Result<Client> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut conn = Conn::open(stream, deadline)?;
        setup::connection(&mut conn, cookies.ice.as_deref(), deadline)?;
        setup::protocol(&mut conn, cookies.xsmp.as_deref(), deadline)?;
        conn.send(&register_client(), deadline)?;
        let client_id = registered(&mut conn, deadline)?;
        let mut client = Client {
            conn,
            client_id,
            user: user_name(),
            left: false,
        };
        client.settle(deadline)?;
        tracing::info!(client_id = %client.client_id, elapsed = ?started.elapsed(), "XSMP: registered with the session manager");
        Ok(client)
    }

    /// The id the manager gave us.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Asks for a global save that shuts the session down, with no
    /// interaction and `fast` set, and follows it until the manager tells
    /// us to die, cancels, or closes the connection. `patience` bounds it:
    /// the manager waits for every client of the session to save.
    ///
    /// # Errors
    /// [`XsmpError::Dropped`] when the manager closes the connection
    /// before the shutdown began (xfce4-session does when it is busy);
    /// [`XsmpError::Timeout`] after `patience`; [`XsmpError::Peer`] when
    /// it answers with an Error.
    pub fn request_logout(mut self, patience: Duration) -> Result<LogoutOutcome> {
        let started = Instant::now();
        let deadline = started + patience;
        self.conn.send(&logout_request(), deadline)?;
        let mut shutting_down = false;
        let outcome = loop {
            match self.conn.recv(deadline, "the shutdown")? {
                None | Some(Message::WantToClose) => {
                    self.left = true;
                    self.conn.close();
                    if !shutting_down {
                        return Err(XsmpError::Dropped);
                    }
                    break LogoutOutcome::ManagerClosed;
                }
                Some(Message::SaveYourself(save)) => {
                    shutting_down |= save.shutdown;
                    self.answer(&save, deadline)?;
                }
                Some(Message::SaveYourselfPhase2) => self.conn.send(&save_yourself_done(), deadline)?,
                Some(Message::Die) => break LogoutOutcome::Died,
                Some(Message::ShutdownCancelled) => break LogoutOutcome::Cancelled,
                Some(Message::Error(e)) => return Err(self.conn.refusal(&e)),
                Some(other) => tracing::debug!(message = other.name(), "XSMP: ignored during the shutdown"),
            }
        };
        self.leave();
        tracing::info!(?outcome, elapsed = ?started.elapsed(), "XSMP: log-out request ended");
        Ok(outcome)
    }

    /// Waits for the save XSMP asks a manager to make a new client do,
    /// answers it, and waits for the SaveComplete that ends it. Each wait
    /// is at most [`SETTLE`]: a manager that sends neither is not waited for.
    fn settle(&mut self, deadline: Instant) -> Result<()> {
        const WAITING_FOR: &str = "the first save";
        let mut saving = false;
        loop {
            if !self.conn.wait_readable(deadline.min(Instant::now() + SETTLE))? {
                tracing::debug!(saving, "XSMP: no more of the first save came");
                return Ok(());
            }
            match self.conn.recv(deadline, WAITING_FOR)? {
                None => {
                    return Err(XsmpError::Closed {
                        waiting_for: WAITING_FOR,
                    });
                }
                Some(Message::SaveYourself(save)) => {
                    self.answer(&save, deadline)?;
                    saving = true;
                }
                Some(Message::SaveComplete) if saving => return Ok(()),
                Some(Message::Error(e)) => return Err(self.conn.refusal(&e)),
                Some(other) => tracing::debug!(message = other.name(), "XSMP: ignored after registering"),
            }
        }
    }

    /// Answers a SaveYourself: our properties (restart style "never"
    /// above all), then done — we have nothing to save.
    fn answer(&mut self, save: &Save, deadline: Instant) -> Result<()> {
        tracing::debug!(?save, "XSMP: asked to save");
        self.conn.send(&properties(&self.user, std::process::id()), deadline)?;
        self.conn.send(&save_yourself_done(), deadline)
    }

    /// Leaves the session (CloseConnection, then the socket closed), once.
    fn leave(&mut self) {
        if !self.left {
            self.left = true;
            if let Err(e) = self.conn.send(&close_connection(), Instant::now() + LEAVE) {
                tracing::debug!(error = %e, "XSMP: could not say goodbye");
            }
            self.conn.close();
        }
    }
}

impl Drop for Client {
    /// A client given up on still leaves the session properly, so the
    /// manager does not wait for it.
    fn drop(&mut self) {
        self.leave();
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Waits for RegisterClientReply and returns the client id in it.
fn registered(conn: &mut Conn, deadline: Instant) -> Result<String> {
    const WAITING_FOR: &str = "RegisterClientReply";
    loop {
        match conn.recv(deadline, WAITING_FOR)? {
            None => {
                return Err(XsmpError::Closed {
                    waiting_for: WAITING_FOR,
                });
            }
            Some(Message::RegisterClientReply { client_id }) => {
                return Ok(String::from_utf8_lossy(&client_id).into_owned());
            }
            Some(Message::Error(e)) => return Err(conn.refusal(&e)),
            Some(m @ Message::Unknown { .. }) => tracing::debug!(message = m.name(), "XSMP: ignored"),
            Some(other) => return Err(unexpected(&other, WAITING_FOR)),
        }
    }
}

/// Our login name, or our uid when it has none.
fn user_name() -> String {
    let uid = nix::unistd::geteuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}
