//! The session worker: the `podium` binary re-executed as
//! `podium session-worker`, one per session, as greetd and conmon do.
//!
//! The daemon is multi-threaded and must never fork-and-run-code or call
//! PAM; the worker is single-threaded and does both. It holds the session's
//! PAM handle, starts Xvnc and the desktop (see [`session`]), reaps every
//! process the session orphans (it is a child subreaper), and waits for the
//! daemon's requests on its socket. It is its own process session, so it
//! keeps running — and the user's desktop with it — while the daemon
//! restarts; the new daemon reconnects to the socket.

pub mod client;
mod environment;
mod files;
mod hold;
mod launch;
mod progress;
pub mod protocol;
mod session;
mod stop;
mod xvnc;

use crate::error::HostError;
use crate::reaper::reap;
use hold::Hold;
use nix::poll::{PollFd, PollFlags, poll};
use podium_core::Timestamp;
use protocol::{EndCause, EndReport, Reply, Request, StartReport, WorkerSpec};
use session::Session;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

/// The pid of the worker that was starting `spec`'s session, as its
/// progress record says (none before it made the session's directory).
#[must_use]
pub fn recorded_worker_pid(spec: &WorkerSpec) -> Option<i32> {
    progress::Progress::recorded(spec).and_then(|p| p.worker_pid)
}

fn read_stdin<T: serde::de::DeserializeOwned>() -> Result<T, HostError> {
    let mut text = String::new();
    std::io::stdin()
        .take(protocol::MAX_LINE as u64 * 4)
        .read_to_string(&mut text)
        .map_err(HostError::io("read the session spec from", "stdin"))?;
    serde_json::from_str(&text).map_err(|e| HostError::BadSpec(e.to_string()))
}

/// Writes one JSON line on stdout (the daemon's pipe); false when it could
/// not be written, as when the daemon that started us is gone.
fn print_line<T: serde::Serialize>(value: &T) -> bool {
    let Ok(line) = serde_json::to_string(value) else {
        return false;
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").is_ok() && out.flush().is_ok()
}

/// Tells the daemon the session did not start; when the daemon that asked
/// is gone (killed meanwhile), leaves the reason where the next one looks,
/// so it lets the session go at once and says why.
fn start_failed(spec: &WorkerSpec, message: String) -> i32 {
    if !print_line(&StartReport::Failed {
        message: message.clone(),
    }) {
        tracing::warn!(
            session = spec.id,
            "nobody to tell that the session did not start; leaving a report"
        );
        leave_report(
            spec,
            &EndReport {
                id: spec.id,
                end: podium_core::EndKind::Failed,
                cause: EndCause::StartFailed,
                problem: Some(message),
                killed: Vec::new(),
                finished_at: Timestamp::now(),
            },
        );
    }
    1
}

/// Writes the end report where a daemon that was away will find it.
fn leave_report(spec: &WorkerSpec, report: &EndReport) {
    let path = WorkerSpec::ended_file(&spec.ended_dir, spec.id);
    let tmp = path.with_extension("tmp");
    let written = serde_json::to_vec(report)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&tmp, bytes))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        tracing::error!(session = spec.id, "cannot write end report {}: {e}", path.display());
    }
}

fn end_report(spec: &WorkerSpec, cause: EndCause, teardown: session::Teardown) -> EndReport {
    let session::Teardown { end, problems, killed } = teardown;
    for p in &problems {
        tracing::warn!(session = spec.id, user = %spec.user, "while ending: {p}");
    }
    EndReport {
        id: spec.id,
        end,
        cause,
        problem: if problems.is_empty() {
            None
        } else {
            Some(problems.join("; "))
        },
        killed,
        finished_at: Timestamp::now(),
    }
}

/// `podium session-worker --reclaim`: ends a session whose worker died.
/// Reads a [`protocol::ReclaimSpec`] on stdin, prints the [`EndReport`].
#[must_use]
pub fn reclaim_main() -> i32 {
    let r: protocol::ReclaimSpec = match read_stdin() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("{e}");
            return 2;
        }
    };
    let spec = r.spec.clone();
    let report = end_report(&spec, EndCause::WorkerDied, Session::reclaim(r.spec, r.running));
    leave_report(&spec, &report);
    let _ = print_line(&report);
    0
}

/// `podium session-worker`: starts the session described on stdin, prints
/// a [`StartReport`] line, then serves the session until it ends.
#[must_use]
pub fn worker_main() -> i32 {
    let spec: WorkerSpec = match read_stdin() {
        Ok(s) => s,
        Err(e) => {
            let _ = print_line(&StartReport::Failed { message: e.to_string() });
            return 2;
        }
    };
    let _span = tracing::info_span!("worker", session = spec.id, user = %spec.user).entered();
    // Own process session: a Ctrl-C on the daemon's terminal or the daemon's
    // death must not reach the user's desktop.
    let _ = nix::unistd::setsid();
    if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
        return start_failed(&spec, format!("cannot become a subreaper: {e}"));
    }
    // Start clean: how we were spawned may have left signals ignored, and
    // helpers PAM modules fork would inherit that.
    podium_sys::signals::reset_all_to_default();
    podium_sys::signals::ignore_sigpipe();
    let signals = match signal_pipe() {
        Ok(fd) => fd,
        Err(e) => return start_failed(&spec, format!("cannot set up signals: {e}")),
    };
    let mut session = match Session::start(spec.clone()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("session did not start: {e}");
            return start_failed(&spec, e.to_string());
        }
    };
    let listener = match bind(&spec.socket()) {
        Ok(l) => l,
        Err(e) => {
            let _ = session.end(Duration::from_secs(1));
            return start_failed(&spec, format!("cannot listen on {}: {e}", spec.socket().display()));
        }
    };
    let Some(running) = session.running() else {
        let _ = session.end(Duration::from_secs(1));
        return start_failed(&spec, "session incomplete".into());
    };
    tracing::info!(display = running.display, "session running");
    // A daemon that went away meanwhile finds the session through its
    // socket (it waits for a starting session's worker).
    let _ = print_line(&StartReport::Ready(running));
    // Let go of the daemon's pipe; keep descriptor 1 taken.
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = nix::unistd::dup2_stdout(null.as_fd());
    }
    serve(session, &listener, &signals)
}

/// Signals the worker acts on, delivered as bytes on a pipe.
fn signal_pipe() -> std::io::Result<std::os::fd::OwnedFd> {
    podium_sys::signals::self_pipe(&[libc::SIGCHLD, libc::SIGTERM, libc::SIGINT, libc::SIGHUP])
}

/// Signal numbers waiting on the pipe.
fn read_signals(pipe: &std::os::fd::OwnedFd) -> Vec<i32> {
    let mut buf = [0u8; 64];
    match nix::unistd::read(pipe, &mut buf) {
        Ok(n) => buf[..n].iter().map(|b| i32::from(*b)).collect(),
        Err(_) => Vec::new(),
    }
}

fn bind(path: &Path) -> std::io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    let l = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    l.set_nonblocking(true)?;
    Ok(l)
}

struct Client {
    stream: UnixStream,
    input: Vec<u8>,
}

impl Client {
    fn send(&mut self, reply: &Reply) -> bool {
        let Ok(mut line) = serde_json::to_vec(reply) else {
            return false;
        };
        line.push(b'\n');
        self.stream.write_all(&line).is_ok()
    }
}

fn accept_all(listener: &UnixListener, clients: &mut Vec<Client>) {
    while let Ok((stream, _)) = listener.accept() {
        if stream.set_nonblocking(false).is_ok() && stream.set_write_timeout(Some(Duration::from_secs(2))).is_ok() {
            clients.push(Client {
                stream,
                input: Vec::new(),
            });
        }
    }
}

/// Whether the session's display or desktop is among the `reaped` pids.
/// A display that dies takes its clients with it, and the desktop may be
/// reaped first: when the desktop exits, the display gets a moment to be
/// seen dead too, so the cause reported is the real one.
fn exited(session: &Session, reaped: &[i32]) -> Option<EndCause> {
    let display_died = |pids: &[i32]| session.xvnc_pid().is_some_and(|x| pids.contains(&x));
    if display_died(reaped) {
        tracing::warn!("display server exited");
        return Some(EndCause::DisplayDied);
    }
    if !session.desktop_pid().is_some_and(|d| reaped.contains(&d)) {
        return None;
    }
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(25));
        if display_died(&reap()) {
            tracing::warn!("display server exited");
            return Some(EndCause::DisplayDied);
        }
    }
    tracing::info!("desktop program exited");
    Some(EndCause::DesktopExited)
}

/// The worker's loop: signals, the daemon's requests, until the session ends.
fn serve(mut session: Session, listener: &UnixListener, signals: &std::os::fd::OwnedFd) -> i32 {
    let spec = session.spec().clone();
    let default_timeout = Duration::from_millis(spec.terminate_timeout_ms);
    let mut clients: Vec<Client> = Vec::new();
    let mut ending: Option<(EndCause, Duration)> = None;
    let mut hold = Hold::default();
    while ending.is_none() {
        ending = ending.or_else(|| {
            exited(&session, &reap())
                .and_then(|cause| hold.desktop_exited(cause))
                .or_else(|| hold.expired())
                .map(|cause| (cause, default_timeout))
        });
        if ending.is_some() {
            break;
        }
        let (sig_ready, listen_ready, readable) = {
            let mut fds = vec![
                PollFd::new(signals.as_fd(), PollFlags::POLLIN),
                PollFd::new(listener.as_fd(), PollFlags::POLLIN),
            ];
            fds.extend(clients.iter().map(|c| PollFd::new(c.stream.as_fd(), PollFlags::POLLIN)));
            match poll(&mut fds, hold.poll_timeout()) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => {
                    tracing::error!("poll failed: {e}");
                    ending = Some((EndCause::WorkerStopped, default_timeout));
                    break;
                }
            }
            let ready = |f: &PollFd| f.revents().is_some_and(|r| !r.is_empty());
            let readable: Vec<bool> = fds[2..].iter().map(ready).collect();
            (ready(&fds[0]), ready(&fds[1]), readable)
        };
        if sig_ready {
            for sig in read_signals(signals) {
                if [libc::SIGTERM, libc::SIGINT, libc::SIGHUP].contains(&sig) {
                    tracing::info!(signal = sig, "stopping the session on signal");
                    ending = Some((EndCause::WorkerStopped, default_timeout));
                }
            }
        }
        if listen_ready {
            accept_all(listener, &mut clients);
        }
        let mut keep = Vec::with_capacity(clients.len());
        for (mut client, is_readable) in clients
            .drain(..)
            .zip(readable.into_iter().chain(std::iter::repeat(false)))
        {
            if is_readable && !handle_input(&mut client, &session, &mut ending, &mut hold) {
                continue;
            }
            keep.push(client);
        }
        clients = keep;
    }
    let (cause, timeout) = ending.unwrap_or((EndCause::WorkerStopped, default_timeout));
    tracing::info!(cause = cause.describe(), "ending the session");
    let report = end_report(&spec, cause, session.end(timeout));
    leave_report(&spec, &report);
    accept_all(listener, &mut clients);
    for c in &mut clients {
        c.send(&Reply::Ended(report.clone()));
    }
    tracing::info!(end = %report.end, "session ended");
    0
}

/// Reads what the daemon sent and answers it. False when the connection is over.
fn handle_input(
    client: &mut Client,
    session: &Session,
    ending: &mut Option<(EndCause, Duration)>,
    hold: &mut Hold,
) -> bool {
    let mut buf = [0u8; 4096];
    let n = match client.stream.read(&mut buf) {
        Ok(0) | Err(_) => return false,
        Ok(n) => n,
    };
    client.input.extend_from_slice(&buf[..n]);
    if client.input.len() > protocol::MAX_LINE {
        tracing::warn!("dropping a client that sent an over-long line");
        return false;
    }
    while let Some(end) = client.input.iter().position(|b| *b == b'\n') {
        let line: Vec<u8> = client.input.drain(..=end).collect();
        let Ok(request) = serde_json::from_slice::<Request>(line.trim_ascii()) else {
            tracing::warn!("dropping a client that sent a malformed request");
            return false;
        };
        match request {
            Request::Status => {
                let Some(running) = session.running() else {
                    return false;
                };
                if !client.send(&Reply::Status {
                    running,
                    ending: ending.is_some(),
                }) {
                    return false;
                }
            }
            Request::Terminate { timeout_ms } => {
                if ending.is_none() {
                    *ending = Some((EndCause::Terminated, Duration::from_millis(timeout_ms.min(600_000))));
                }
            }
            Request::Hold { for_ms } => hold.start(Duration::from_millis(for_ms.min(600_000))),
            Request::Launch { program, argv } => {
                let reply = if ending.is_some() || hold.holding() {
                    Err("the session is ending".to_owned())
                } else {
                    launch::launch(session, &program, &argv)
                };
                let reply = match reply {
                    Ok(pid) => Reply::Launched { pid },
                    Err(why) => {
                        tracing::warn!(program = %program.display(), "could not open a program: {why}");
                        Reply::LaunchFailed { why }
                    }
                };
                if !client.send(&reply) {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether `pid` is a live (not zombie) session worker.
pub(crate) fn is_alive(pid: i32) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    crate::desktop::procs::running(pid) && cmdline.split(|b| *b == 0).any(|a| a == b"session-worker")
}
