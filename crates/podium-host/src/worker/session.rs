//! Bringing one session up, and taking it down again, inside the worker.
//!
//! [`Session::start`] does the steps in order and remembers each one done;
//! if a step fails, [`Session::end`] undoes exactly the ones done, so a
//! failed start leaves nothing behind. The same `end` closes a session at
//! log off, and [`Session::reclaim`] runs it for a session whose worker died.

use super::protocol::{Running, WorkerSpec};
use crate::cgroup::Part;
use crate::error::{HostError, Result};
use crate::reaper::reap;
use crate::sys::pam::{Item, Pam};
use crate::sys::spawn::{Credentials, ExecPlan, Output};
use crate::users::Account;
use crate::xauth::{self, Cookie};
use nix::sys::signal::Signal;
use podium_core::EndKind;
use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long Xvnc may take to open its display.
const DISPLAY_START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long killed processes may take to disappear.
const KILL_WAIT: Duration = Duration::from_secs(3);
/// How often the end sequence looks at the cgroup.
const TICK: Duration = Duration::from_millis(10);

/// A session in the worker, with a record of what has been set up.
#[derive(Debug)]
pub struct Session {
    spec: WorkerSpec,
    made_run_dir: bool,
    made_cgroup: bool,
    xvnc_pid: Option<i32>,
    display: Option<u32>,
    pam: Option<Pam>,
    credentials_set: bool,
    pam_open: bool,
    runtime_dir: Option<(PathBuf, bool)>,
    user_xauth: Option<PathBuf>,
    desktop_pid: Option<i32>,
    /// Reclaiming: PAM must be closed with a fresh handle.
    pam_to_close_fresh: bool,
}

impl Session {
    fn new(spec: WorkerSpec) -> Session {
        Session {
            spec,
            made_run_dir: false,
            made_cgroup: false,
            xvnc_pid: None,
            display: None,
            pam: None,
            credentials_set: false,
            pam_open: false,
            runtime_dir: None,
            user_xauth: None,
            desktop_pid: None,
            pam_to_close_fresh: false,
        }
    }

    /// Starts the session; on failure everything done so far is undone.
    ///
    /// # Errors
    /// What failed, in words for the person who asked for the session.
    pub fn start(spec: WorkerSpec) -> Result<Session> {
        let mut s = Session::new(spec);
        match s.start_steps() {
            Ok(()) => Ok(s),
            Err(e) => {
                let (_, problems) = s.end(Duration::from_secs(1));
                for p in problems {
                    tracing::warn!(session = s.spec.id, "undoing failed start: {p}");
                }
                Err(e)
            }
        }
    }

    /// The running session's facts (valid after a successful start).
    #[must_use]
    pub fn running(&self) -> Option<Running> {
        Some(Running {
            display: self.display?,
            worker_pid: i32::try_from(std::process::id()).unwrap_or(0),
            xvnc_pid: self.xvnc_pid?,
            desktop_pid: self.desktop_pid?,
            runtime_dir: self.runtime_dir.as_ref()?.0.clone(),
            runtime_dir_created: self.runtime_dir.as_ref()?.1,
            xauthority: self.user_xauth.clone()?,
        })
    }

    /// The session's spec.
    #[must_use]
    pub fn spec(&self) -> &WorkerSpec {
        &self.spec
    }

    /// The desktop leader's pid.
    #[must_use]
    pub fn desktop_pid(&self) -> Option<i32> {
        self.desktop_pid
    }

    /// Xvnc's pid.
    #[must_use]
    pub fn xvnc_pid(&self) -> Option<i32> {
        self.xvnc_pid
    }

    fn start_steps(&mut self) -> Result<()> {
        let account = Account::by_name(&self.spec.user)?;
        if account.uid != self.spec.uid {
            return Err(HostError::UnusableAccount {
                user: account.name,
                why: "uid changed".into(),
            });
        }
        let groups = account.group_ids()?;

        let run_dir = self.spec.run_dir.clone();
        if run_dir.exists() {
            // Left by a session with the same id that did not end cleanly.
            fs::remove_dir_all(&run_dir).map_err(HostError::io("remove stale", &run_dir))?;
        }
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&run_dir)
            .map_err(HostError::io("create", &run_dir))?;
        self.made_run_dir = true;

        self.spec.cgroup.create(self.spec.max_processes)?;
        self.made_cgroup = true;

        let mut pam = Pam::start(&self.spec.pam_service, &self.spec.user, None)?;
        pam.account()?;
        self.pam = Some(pam);

        let cookie = Cookie::generate()?;
        xauth::write(&self.spec.server_xauth(), &xauth::file_contents("", "", &cookie), 0, 0)?;
        self.start_display()?;
        let display = self
            .display
            .ok_or_else(|| HostError::StartFailed("no display".into()))?;
        let display_name = format!(":{display}");

        let pam = self
            .pam
            .as_mut()
            .ok_or_else(|| HostError::StartFailed("PAM handle lost".into()))?;
        pam.set_item(Item::Tty, &display_name)?;
        pam.set_item(Item::XDisplay, &display_name)?;
        pam.putenv("XDG_SESSION_TYPE", "x11")?;
        pam.putenv("XDG_SESSION_CLASS", "user")?;
        pam.establish_credentials()?;
        self.credentials_set = true;
        pam.open_session()?;
        self.pam_open = true;
        let pam_env = pam.env_list();

        let runtime = pam_env
            .iter()
            .find(|(k, _)| k == "XDG_RUNTIME_DIR")
            .map(|(_, v)| PathBuf::from(v));
        let (runtime_dir, created) = ensure_runtime_dir(runtime, &account)?;
        self.runtime_dir = Some((runtime_dir.clone(), created));

        let user_xauth = runtime_dir.join("podium-Xauthority");
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        xauth::write(
            &user_xauth,
            &xauth::file_contents(&host, &display.to_string(), &cookie),
            account.uid,
            account.gid,
        )?;
        self.user_xauth = Some(user_xauth.clone());

        let home = account.home.to_string_lossy().into_owned();
        let shell = account.shell.to_string_lossy().into_owned();
        let runtime_s = runtime_dir.to_string_lossy().into_owned();
        let xauth_s = user_xauth.to_string_lossy().into_owned();
        let mut env: Vec<(&str, &str)> = pam_env
            .iter()
            .filter(|(k, _)| !OWN_VARS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.extend([
            ("HOME", home.as_str()),
            ("USER", self.spec.user.as_str()),
            ("LOGNAME", self.spec.user.as_str()),
            ("SHELL", shell.as_str()),
            ("PATH", self.spec.path_env.as_str()),
            ("DISPLAY", display_name.as_str()),
            ("XAUTHORITY", xauth_s.as_str()),
            ("XDG_RUNTIME_DIR", runtime_s.as_str()),
            ("XDG_SESSION_TYPE", "x11"),
        ]);
        if !env.iter().any(|(k, _)| *k == "LANG") {
            // Without a system locale, still speak UTF-8 (names like Chloé).
            env.push(("LANG", "C.UTF-8"));
        }
        let errors_file =
            CString::new(account.home.join(".xsession-errors").to_string_lossy().as_bytes()).map_err(|_| {
                HostError::UnusableAccount {
                    user: account.name.clone(),
                    why: "home path".into(),
                }
            })?;
        let plan = ExecPlan::new(&self.spec.program.to_string_lossy(), &self.spec.argv)?
            .env(env)?
            .cgroups(self.spec.cgroup.join_fds(Part::Desktop)?)
            .credentials(Credentials {
                uid: account.uid,
                gid: account.gid,
                groups,
            })
            .workdir(&home)?
            .output(Output::UserFile(errors_file));
        self.desktop_pid = Some(plan.spawn()?);
        Ok(())
    }

    fn start_display(&mut self) -> Result<()> {
        let log_path = self.spec.run_dir.join("xvnc.log");
        let log: OwnedFd = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&log_path)
            .map_err(HostError::io("create", &log_path))?
            .into();
        let (ready_r, ready_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(HostError::sys("pipe"))?;
        let argv = crate::display::xvnc_args(&self.spec);
        let plan = ExecPlan::new(&self.spec.xvnc.to_string_lossy(), &argv)?
            .cgroups(self.spec.cgroup.join_fds(Part::Display)?)
            .output(Output::Fd(log))
            .pass_fd(ready_w);
        let pid = plan.spawn()?;
        self.xvnc_pid = Some(pid);
        // `plan` (and with it our copy of the write end) is gone: EOF on the
        // pipe now means Xvnc exited.
        match read_display_number(ready_r, DISPLAY_START_TIMEOUT) {
            Some(n) => {
                self.display = Some(n);
                Ok(())
            }
            None => {
                let log = fs::read_to_string(&log_path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).rev().take(3).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(HostError::StartFailed(format!(
                    "Xvnc did not start: {}",
                    tail.join(" / ")
                )))
            }
        }
    }

    /// Ends the session: SIGTERM to every program, up to `timeout` for them
    /// to go, `cgroup.kill` for the rest, then the display, PAM and files.
    /// Returns how it ended and the problems met on the way.
    pub fn end(&mut self, timeout: Duration) -> (EndKind, Vec<String>) {
        let mut problems = Vec::new();
        let mut forced = false;
        let cg = self.spec.cgroup.clone();
        if self.made_cgroup {
            forced = stop_part(&cg, Part::Desktop, timeout, &mut problems);
            stop_part(&cg, Part::Display, Duration::from_secs(2), &mut problems);
        }
        reap();
        self.close_pam(&mut problems);
        if let Some(path) = self.user_xauth.take() {
            remove_if_there(&path, &mut problems, |p| fs::remove_file(p));
        }
        if let Some((dir, true)) = self.runtime_dir.take() {
            // remove_dir_all does not follow symlinks the user may have planted.
            remove_if_there(&dir, &mut problems, |p| fs::remove_dir_all(p));
        }
        if let (Some(display), Some(pid)) = (self.display, self.xvnc_pid) {
            remove_stale_x_files(display, pid);
        }
        if self.made_run_dir {
            remove_if_there(&self.spec.run_dir, &mut problems, |p| fs::remove_dir_all(p));
            self.made_run_dir = false;
        }
        if self.made_cgroup {
            if let Err(e) = cg.remove() {
                problems.push(e.to_string());
            }
            self.made_cgroup = false;
        }
        let kind = if !problems.is_empty() {
            EndKind::Failed
        } else if forced {
            EndKind::Forced
        } else {
            EndKind::Closed
        };
        (kind, problems)
    }

    fn close_pam(&mut self, problems: &mut Vec<String>) {
        if self.pam_to_close_fresh {
            match Pam::start(&self.spec.pam_service, &self.spec.user, None) {
                Ok(mut pam) => {
                    if let Some(d) = self.display {
                        let _ = pam.set_item(Item::Tty, &format!(":{d}"));
                        let _ = pam.set_item(Item::XDisplay, &format!(":{d}"));
                    }
                    self.pam = Some(pam);
                    self.pam_open = true;
                    self.credentials_set = true;
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if let Some(pam) = self.pam.as_mut() {
            if self.pam_open
                && let Err(e) = pam.close_session()
            {
                problems.push(e.to_string());
            }
            if self.credentials_set
                && let Err(e) = pam.delete_credentials()
            {
                problems.push(e.to_string());
            }
        }
        self.pam_open = false;
        self.credentials_set = false;
        self.pam = None;
    }

    /// Ends a session whose worker died: same steps as [`Session::end`], with
    /// a fresh PAM handle to close the PAM session.
    #[must_use]
    pub fn reclaim(spec: WorkerSpec, running: Option<Running>) -> (EndKind, Vec<String>) {
        let mut s = Session::new(spec);
        s.made_run_dir = s.spec.run_dir.exists();
        s.made_cgroup = s.spec.cgroup.exists();
        if let Some(r) = running {
            s.display = Some(r.display);
            s.xvnc_pid = Some(r.xvnc_pid);
            s.desktop_pid = Some(r.desktop_pid);
            s.runtime_dir = Some((r.runtime_dir, r.runtime_dir_created));
            s.user_xauth = Some(r.xauthority);
            s.pam_to_close_fresh = true;
        }
        s.end(Duration::from_secs(2))
    }
}

/// Variables the session sets itself, whatever PAM modules say.
const OWN_VARS: [&str; 9] = [
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PATH",
    "DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "XDG_SESSION_TYPE",
];

fn remove_if_there(path: &Path, problems: &mut Vec<String>, remove: fn(&Path) -> std::io::Result<()>) {
    match remove(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => problems.push(format!("cannot remove {}: {e}", path.display())),
    }
}

/// Asks every process of `part` to stop (SIGTERM, then SIGCONT so stopped
/// ones see it), waits up to `timeout` for the part to be empty, then kills
/// what is left. Returns whether anything had to be killed.
fn stop_part(cg: &crate::cgroup::SessionCgroup, part: Part, timeout: Duration, problems: &mut Vec<String>) -> bool {
    let deadline = Instant::now() + timeout;
    let mut asked = std::collections::HashSet::new();
    loop {
        reap();
        if !cg.populated(part) {
            return false;
        }
        let new = cg.signal(part, Signal::SIGTERM, &asked);
        if !new.is_empty() {
            // Stopped processes only see SIGTERM once they run again.
            cg.signal(part, Signal::SIGCONT, &std::collections::HashSet::new());
            asked.extend(new);
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(TICK);
    }
    if let Err(e) = cg.kill(part) {
        problems.push(e.to_string());
    }
    let deadline = Instant::now() + KILL_WAIT;
    while cg.populated(part) && Instant::now() < deadline {
        reap();
        std::thread::sleep(TICK);
    }
    reap();
    if cg.populated(part) {
        problems.push(format!("processes {:?} survived cgroup.kill", cg.pids(part)));
    }
    true
}

/// Reads the display number Xvnc writes to `-displayfd` once it accepts clients.
fn read_display_number(fd: OwnedFd, timeout: Duration) -> Option<u32> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let deadline = Instant::now() + timeout;
    let mut file = fs::File::from(fd);
    let mut text = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        let t = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, t) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return None,
        }
        let mut buf = [0u8; 16];
        match file.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => {
                text.extend_from_slice(&buf[..n]);
                if text.contains(&b'\n') {
                    return std::str::from_utf8(&text).ok()?.trim().parse().ok();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// `XDG_RUNTIME_DIR`: the one PAM gave (pam_systemd), or `/run/user/<uid>`,
/// made 0700 for the user when missing. Returns the path and whether we made it.
fn ensure_runtime_dir(from_pam: Option<PathBuf>, account: &Account) -> Result<(PathBuf, bool)> {
    use std::os::unix::fs::MetadataExt;
    let dir = from_pam.unwrap_or_else(|| PathBuf::from(format!("/run/user/{}", account.uid)));
    if let Ok(meta) = fs::symlink_metadata(&dir) {
        if meta.is_dir() && meta.uid() == account.uid {
            return Ok((dir, false));
        }
        return Err(HostError::UnusableAccount {
            user: account.name.clone(),
            why: format!("{} exists but is not the user's directory", dir.display()),
        });
    }
    if let Some(parent) = dir.parent()
        && !parent.exists()
    {
        fs::DirBuilder::new()
            .mode(0o755)
            .recursive(true)
            .create(parent)
            .map_err(HostError::io("create", parent))?;
    }
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(HostError::io("create", &dir))?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(HostError::io("chmod", &dir))?;
    std::os::unix::fs::chown(&dir, Some(account.uid), Some(account.gid)).map_err(HostError::io("chown", &dir))?;
    Ok((dir, true))
}

/// An X server killed hard leaves its lock file and socket; remove them if
/// they are this session's server's.
fn remove_stale_x_files(display: u32, xvnc_pid: i32) {
    let lock = PathBuf::from(format!("/tmp/.X{display}-lock"));
    let owner = fs::read_to_string(&lock)
        .ok()
        .and_then(|t| t.trim().parse::<i32>().ok());
    if owner == Some(xvnc_pid) {
        let _ = fs::remove_file(&lock);
        let _ = fs::remove_file(format!("/tmp/.X11-unix/X{display}"));
    }
}
