//! One `nats-server` process of a test cluster: started from its
//! configuration file, stopped, started again on the same file and store,
//! its output kept in a log that failure messages quote.

use super::monitor;
use crate::TestkitError;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a node has to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How many of the log's last lines an error quotes.
const LOG_TAIL_LINES: usize = 30;

/// A node of the cluster, running or not.
pub(crate) struct Node {
    index: usize,
    config: PathBuf,
    log: PathBuf,
    monitor: SocketAddr,
    process: Option<Child>,
}

impl Node {
    /// A node that runs `nats-server -c config`, writes to `log` and
    /// answers on `monitor`; not started yet.
    pub(crate) fn new(index: usize, config: PathBuf, log: PathBuf, monitor: SocketAddr) -> Node {
        Node {
            index,
            config,
            log,
            monitor,
            process: None,
        }
    }

    /// Its monitoring address, while it runs.
    pub(crate) fn monitor(&self) -> Option<SocketAddr> {
        self.process.is_some().then_some(self.monitor)
    }

    /// The server's pid, while it runs.
    pub(crate) fn pid(&self) -> Option<i32> {
        self.process.as_ref().and_then(|c| i32::try_from(c.id()).ok())
    }

    /// What the server has carried (none when it does not run or does
    /// not answer).
    pub(crate) fn traffic(&self) -> Option<monitor::Traffic> {
        self.process.as_ref()?;
        monitor::traffic(self.monitor).ok()
    }

    /// The node's log file.
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }

    /// Starts the server (if it does not run), appending its output to
    /// the log. It is not ready yet: see [`Node::wait_ready`].
    pub(crate) fn start(&mut self) -> Result<(), TestkitError> {
        if self.process.is_some() {
            return Ok(());
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|source| TestkitError::ClusterFile {
                doing: "open the log",
                path: self.log.clone(),
                source,
            })?;
        let log2 = log.try_clone().map_err(|source| TestkitError::ClusterFile {
            doing: "share the log",
            path: self.log.clone(),
            source,
        })?;
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|source| TestkitError::CommandStart {
                program: "nats-server".to_owned(),
                source,
            })?;
        self.process = Some(child);
        Ok(())
    }

    /// Waits until `/healthz` says the node is ready (JetStream current
    /// with a meta leader) and `/jsz` names that leader, or `deadline`.
    pub(crate) fn wait_ready(&mut self, deadline: Instant) -> Result<(), TestkitError> {
        let started = Instant::now();
        loop {
            let exited = match self.process.as_mut().map(Child::try_wait) {
                None => Some("it is not running".to_owned()),
                Some(Ok(Some(status))) => Some(format!("it exited: {status}")),
                Some(Ok(None)) => None,
                Some(Err(e)) => Some(format!("cannot wait for it: {e}")),
            };
            let last = match exited {
                Some(why) => return Err(self.not_ready(started, why)),
                None => monitor::healthy(self.monitor).and_then(|()| monitor::meta_leader(self.monitor)),
            };
            match last {
                Ok(_) => return Ok(()),
                Err(why) if Instant::now() >= deadline => return Err(self.not_ready(started, why)),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn not_ready(&self, started: Instant, last: String) -> TestkitError {
        TestkitError::NodeNotReady {
            node: self.index,
            waited: started.elapsed(),
            last,
            log_path: self.log.clone(),
            log: self.log_tail(),
        }
    }

    /// The last lines of the node's log, without the warnings our own
    /// polling of `/healthz` makes it write while it starts (the last
    /// answer is in the error already).
    pub(crate) fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(cannot read {}: {e})", self.log.display()));
        let lines: Vec<&str> = text.lines().filter(|l| !l.contains("Healthcheck failed")).collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    /// Stops the server as an administrator would (SIGTERM), killing it if
    /// it has not gone after a while.
    pub(crate) fn stop(&mut self) {
        let Some(mut child) = self.process.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
    }
}
