//! The daemon's side of a session worker: starting one, and talking to it.

use super::protocol::{EndReport, MAX_LINE, ReclaimSpec, Reply, Request, Running, StartReport, WorkerSpec};
use crate::error::{HostError, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// How long a session may take to start before the daemon gives up on it.
pub const START_TIMEOUT: Duration = Duration::from_secs(40);

/// Runs `exe <args>` with `input` as JSON on stdin and returns its first
/// stdout line, parsed. The child is not waited for here: the daemon's
/// reaper collects every child, so nothing else may call `wait`.
async fn run_json<I: serde::Serialize, O: serde::de::DeserializeOwned + Send + 'static>(
    exe: &Path,
    args: &[&str],
    input: &I,
    timeout: Duration,
) -> Result<(O, u32)> {
    let body = serde_json::to_vec(input).map_err(|e| HostError::Protocol(e.to_string()))?;
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(HostError::io("start", exe))?;
    let pid = child.id();
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(HostError::StartFailed("worker pipes missing".into()));
    };
    // Dropping `child` neither kills nor waits for it.
    drop(child);
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        stdin.write_all(&body)?;
        drop(stdin);
        let mut line = String::new();
        BufReader::new(stdout.take(MAX_LINE as u64)).read_line(&mut line)?;
        Ok(line)
    });
    let line = match tokio::time::timeout(timeout, read).await {
        Err(_) => {
            // Hung (a blocking file system, say): a signal handler might never
            // run, so no SIGTERM. The caller cleans up with a reclaim.
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid_i32(pid)),
                nix::sys::signal::Signal::SIGKILL,
            );
            return Err(HostError::StartFailed(format!(
                "no answer from the session worker in {}s",
                timeout.as_secs()
            )));
        }
        Ok(Err(e)) => {
            return Err(HostError::StartFailed(format!("session worker failed: {e}")));
        }
        Ok(Ok(Err(e))) => {
            return Err(HostError::StartFailed(format!(
                "cannot talk to the session worker: {e}"
            )));
        }
        Ok(Ok(Ok(line))) => line,
    };
    if line.trim().is_empty() {
        return Err(HostError::StartFailed(
            "the session worker exited without a report (see the daemon's log)".into(),
        ));
    }
    let value = serde_json::from_str(line.trim()).map_err(|e| HostError::Protocol(format!("{e}: {line}")))?;
    Ok((value, pid))
}

fn pid_i32(pid: u32) -> i32 {
    i32::try_from(pid).unwrap_or(i32::MAX)
}

/// Starts a worker for `spec` and waits until the session runs or failed.
/// Returns the worker's pid and the running session.
///
/// # Errors
/// [`HostError::StartFailed`] with the worker's explanation.
pub async fn start(exe: &Path, spec: &WorkerSpec) -> StartOutcome {
    match run_json::<_, StartReport>(exe, &["session-worker"], spec, START_TIMEOUT).await {
        Ok((StartReport::Ready(r), _)) => StartOutcome::Running(r),
        Ok((StartReport::Failed { message }, _)) => StartOutcome::Failed(HostError::StartFailed(message)),
        Err(e) => StartOutcome::Lost(e),
    }
}

/// How an attempt to start a session went.
#[derive(Debug)]
pub enum StartOutcome {
    /// The session runs.
    Running(Running),
    /// The worker could not start it, and undid what it had done.
    Failed(HostError),
    /// The worker died, hung or talked nonsense: whatever it made must be
    /// cleaned up by a reclaim.
    Lost(HostError),
}

/// Runs a reclaiming worker for a session whose worker died.
///
/// # Errors
/// When the reclaiming worker itself fails.
pub async fn reclaim(exe: &Path, spec: &ReclaimSpec) -> Result<EndReport> {
    let (report, _pid) = run_json(exe, &["session-worker", "--reclaim"], spec, Duration::from_secs(30)).await?;
    Ok(report)
}

/// A connection to a running worker.
#[derive(Debug)]
pub struct Connection {
    reader: AsyncBufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Connection {
    /// Connects to a worker's socket.
    ///
    /// # Errors
    /// When nobody listens there.
    pub async fn connect(socket: &Path) -> Result<Connection> {
        let stream = tokio::time::timeout(Duration::from_secs(2), UnixStream::connect(socket))
            .await
            .map_err(|_| HostError::io("connect to", socket)(std::io::ErrorKind::TimedOut.into()))?
            .map_err(HostError::io("connect to", socket))?;
        let (r, w) = stream.into_split();
        Ok(Connection {
            reader: AsyncBufReader::new(r),
            writer: w,
        })
    }

    /// Sends one request.
    ///
    /// # Errors
    /// When the worker is gone.
    pub async fn send(&mut self, request: &Request) -> Result<()> {
        let mut line = serde_json::to_vec(request).map_err(|e| HostError::Protocol(e.to_string()))?;
        line.push(b'\n');
        self.writer
            .write_all(&line)
            .await
            .map_err(HostError::io("write to", PathBuf::from("worker socket")))
    }

    /// The next reply; `None` when the worker closed the connection.
    ///
    /// # Errors
    /// When the line is not a [`Reply`].
    pub async fn next(&mut self) -> Result<Option<Reply>> {
        let mut line = String::new();
        let n = (&mut self.reader)
            .take(MAX_LINE as u64)
            .read_line(&mut line)
            .await
            .map_err(HostError::io("read from", PathBuf::from("worker socket")))?;
        if n == 0 {
            return Ok(None);
        }
        serde_json::from_str(line.trim())
            .map(Some)
            .map_err(|e| HostError::Protocol(format!("{e}: {line}")))
    }

    /// Asks for the status; a worker already ending answers with its end.
    ///
    /// # Errors
    /// When the worker does not answer within a few seconds.
    pub async fn status(&mut self) -> Result<Reply> {
        self.send(&Request::Status).await?;
        match tokio::time::timeout(Duration::from_secs(5), self.next()).await {
            Ok(Ok(Some(reply))) => Ok(reply),
            Ok(Ok(None)) => Err(HostError::Protocol("worker closed the connection".into())),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(HostError::Protocol("worker did not answer".into())),
        }
    }

    /// Open…: asks the worker to start `program` with `argv` in the
    /// session, as its user; the new pid, or why it could not start (the
    /// session ending meanwhile included). Meant for a connection of its
    /// own, so the answer is the next line.
    ///
    /// # Errors
    /// When the worker cannot be reached or does not answer in time.
    pub async fn launch(&mut self, program: &Path, argv: &[String]) -> Result<std::result::Result<i32, String>> {
        self.send(&Request::Launch {
            program: program.to_path_buf(),
            argv: argv.to_vec(),
        })
        .await?;
        let answer = async {
            loop {
                match self.next().await? {
                    Some(Reply::Launched { pid }) => return Ok(Ok(pid)),
                    Some(Reply::LaunchFailed { why }) => return Ok(Err(why)),
                    Some(Reply::Ended(_)) => return Ok(Err("the session ended".to_owned())),
                    Some(Reply::Status { .. }) => {}
                    None => return Err(HostError::Protocol("worker closed the connection".into())),
                }
            }
        };
        // The worker waits at most 10 s for a child to reach `exec`.
        tokio::time::timeout(LAUNCH_TIMEOUT, answer)
            .await
            .map_err(|_| HostError::Protocol("worker did not answer".into()))?
    }
}

/// How long a launch may take before the daemon stops waiting for it.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(15);
