//! Bringing one session up, and taking it down again, inside the worker.
//!
//! [`Session::start`] does the steps in order and records each one done in
//! a [`Progress`], kept on disk in the session's root-only directory as it
//! grows. If a step fails, [`Session::end`] undoes exactly the ones done,
//! so a failed start leaves nothing behind. The same `end` closes a session
//! at log off, and [`Session::reclaim`] runs it from the record on disk for
//! a session whose worker died, even in the middle of starting.

use super::protocol::{Running, WorkerSpec};
use crate::cgroup::Part;
use crate::error::{HostError, Result};
use crate::reaper::reap;
use crate::users::Account;
use nix::sys::signal::Signal;
use podium_core::EndKind;
use podium_sys::pam::{Item, Pam};
use podium_sys::spawn::{Credentials, ExecPlan, Output};
use podium_x11::xauth::{self, Cookie};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long Xvnc may take to open its display.
const DISPLAY_START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long killed processes may take to disappear.
const KILL_WAIT: Duration = Duration::from_secs(3);
/// How often the end sequence looks at the cgroup.
const TICK: Duration = Duration::from_millis(10);

/// The locale programs write their messages in, as the C library picks it:
/// the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`.
fn messages_locale<'a>(env: &[(&str, &'a str)]) -> Option<&'a str> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| env.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| *v))
}

/// What has been set up so far: the record the teardown works from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Progress {
    /// The session's directory was made.
    pub run_dir: bool,
    /// The session's cgroup was made.
    pub cgroup: bool,
    /// Xvnc's pid, once started.
    pub xvnc_pid: Option<i32>,
    /// The display number, once Xvnc reported it.
    pub display: Option<u32>,
    /// `pam_setcred(ESTABLISH_CRED)` succeeded.
    pub pam_credentials: bool,
    /// `pam_open_session` succeeded.
    pub pam_session: bool,
    /// `XDG_RUNTIME_DIR`, and whether the worker made it.
    pub runtime_dir: Option<(PathBuf, bool)>,
    /// The user's X authority file.
    pub user_xauth: Option<PathBuf>,
    /// The desktop leader's pid.
    pub desktop_pid: Option<i32>,
    /// The display's cookie (hex).
    pub cookie: Option<String>,
    /// The locale of the desktop's messages (`LC_ALL`, `LC_MESSAGES` or `LANG`).
    pub locale: Option<String>,
    /// The worker that made it: a restarted daemon that finds it gone
    /// stops waiting for a session that was still starting.
    pub worker_pid: Option<i32>,
}

/// A session in the worker.
#[derive(Debug)]
pub struct Session {
    spec: WorkerSpec,
    progress: Progress,
    pam: Option<Pam>,
}

impl Session {
    fn new(spec: WorkerSpec) -> Session {
        Session {
            spec,
            progress: Progress::default(),
            pam: None,
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

    /// The running session's facts (complete after a successful start).
    #[must_use]
    pub fn running(&self) -> Option<Running> {
        let p = &self.progress;
        Some(Running {
            display: p.display?,
            worker_pid: i32::try_from(std::process::id()).unwrap_or(0),
            xvnc_pid: p.xvnc_pid?,
            desktop_pid: p.desktop_pid?,
            runtime_dir: p.runtime_dir.as_ref()?.0.clone(),
            runtime_dir_created: p.runtime_dir.as_ref()?.1,
            xauthority: p.user_xauth.clone()?,
            cookie: p.cookie.clone()?,
            locale: p.locale.clone(),
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
        self.progress.desktop_pid
    }

    /// Xvnc's pid.
    #[must_use]
    pub fn xvnc_pid(&self) -> Option<i32> {
        self.progress.xvnc_pid
    }

    /// Writes the progress record (atomically) so a reclaim can finish the job.
    fn save(&self) {
        if !self.progress.run_dir {
            return;
        }
        let path = self.spec.progress_file();
        let tmp = path.with_extension("tmp");
        // Root's alone: it holds the display's cookie, and the session
        // directory around it is traversable (0711) by every user.
        let written = serde_json::to_vec(&self.progress)
            .map_err(std::io::Error::other)
            .and_then(|b| {
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&tmp)?;
                f.set_permissions(fs::Permissions::from_mode(0o600))?;
                std::io::Write::write_all(&mut f, &b)
            })
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            tracing::warn!(session = self.spec.id, "cannot record progress: {e}");
        }
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
        let creds = Credentials {
            uid: account.uid,
            gid: account.gid,
            groups,
        };

        // 0711: other users may not list it; the user may reach the display
        // directory inside, nothing else.
        let run_dir = self.spec.run_dir.clone();
        fs::DirBuilder::new()
            .mode(0o711)
            .create(&run_dir)
            .map_err(HostError::io("create", &run_dir))?;
        self.progress.run_dir = true;
        self.progress.worker_pid = i32::try_from(std::process::id()).ok();
        fs::set_permissions(&run_dir, fs::Permissions::from_mode(0o711)).map_err(HostError::io("chmod", &run_dir))?;
        self.save();

        self.spec.cgroup.create(self.spec.max_processes)?;
        self.progress.cgroup = true;
        self.save();

        let mut pam = Pam::start(&self.spec.pam_service, &self.spec.user, None)?;
        pam.account()?;
        self.pam = Some(pam);

        let display_dir = self.spec.display_dir();
        make_private_dir(&display_dir, &account)?;
        let cookie = Cookie::generate()?;
        self.progress.cookie = Some(cookie.to_hex());
        xauth::write(
            &self.spec.display_xauth(),
            &xauth::file_contents("", "", &cookie),
            account.uid,
            account.gid,
        )?;
        self.start_display(&creds, &account)?;
        let display = self
            .progress
            .display
            .ok_or_else(|| HostError::StartFailed("no display".into()))?;
        let display_name = format!(":{display}");

        let pam = self.pam_mut()?;
        pam.set_item(Item::Tty, &display_name)?;
        pam.set_item(Item::XDisplay, &display_name)?;
        pam.putenv("XDG_SESSION_TYPE", "x11")?;
        pam.putenv("XDG_SESSION_CLASS", "user")?;
        pam.establish_credentials()?;
        self.progress.pam_credentials = true;
        self.save();
        self.pam_mut()?.open_session()?;
        self.progress.pam_session = true;
        self.save();
        let pam_env = self.pam_mut()?.env_list();

        let (runtime_dir, created) = ensure_runtime_dir(&account)?;
        self.progress.runtime_dir = Some((runtime_dir.clone(), created));
        self.save();

        let user_xauth = runtime_dir.join("podium-Xauthority");
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.progress.user_xauth = Some(user_xauth.clone());
        self.save();
        xauth::write(
            &user_xauth,
            &xauth::file_contents(&host, &display.to_string(), &cookie),
            account.uid,
            account.gid,
        )?;

        let home = account.home.to_string_lossy().into_owned();
        let shell = account.shell.to_string_lossy().into_owned();
        let runtime_s = runtime_dir.to_string_lossy().into_owned();
        let xauth_s = user_xauth.to_string_lossy().into_owned();
        let chosen = self.spec.locale.clone();
        let language = chosen.as_deref().and_then(crate::locale::language_list);
        let mut env: Vec<(&str, &str)> = pam_env
            .iter()
            .filter(|(k, _)| !OWN_VARS.contains(&k.as_str()))
            // The user's own locale replaces the system's message language.
            .filter(|(k, _)| chosen.is_none() || !LOCALE_VARS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(l) = &chosen {
            env.push(("LANG", l.as_str()));
            if let Some(list) = &language {
                env.push(("LANGUAGE", list.as_str()));
            }
        }
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
        self.progress.locale = messages_locale(&env).map(str::to_owned);
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
            .credentials(creds)
            .workdir(&home)?
            .output(Output::UserFile(errors_file));
        self.progress.desktop_pid = Some(plan.spawn()?);
        self.save();
        Ok(())
    }

    fn pam_mut(&mut self) -> Result<&mut Pam> {
        self.pam
            .as_mut()
            .ok_or_else(|| HostError::StartFailed("PAM handle lost".into()))
    }

    /// Starts Xvnc as the user, in the display part of the cgroup.
    fn start_display(&mut self, creds: &Credentials, account: &Account) -> Result<()> {
        let log_path = self.spec.run_dir.join("xvnc.log");
        let log: OwnedFd = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&log_path)
            .map_err(HostError::io("create", &log_path))?
            .into();
        let (ready_r, ready_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(HostError::sys("pipe"))?;
        let argv = crate::display::xvnc_args(&self.spec);
        let home = account.home.to_string_lossy().into_owned();
        let plan = ExecPlan::new(&self.spec.xvnc.to_string_lossy(), &argv)?
            .env([
                ("HOME", home.as_str()),
                ("USER", account.name.as_str()),
                ("PATH", "/usr/bin:/bin"),
            ])?
            .cgroups(self.spec.cgroup.join_fds(Part::Display)?)
            .credentials(creds.clone())
            .workdir(&self.spec.display_dir().to_string_lossy())?
            .output(Output::Fd(log))
            .pass_fd(ready_w);
        let pid = plan.spawn()?;
        self.progress.xvnc_pid = Some(pid);
        self.save();
        // `plan` (and with it our copy of the write end) is gone: end of
        // file on the pipe now means Xvnc exited.
        match read_display_number(ready_r, DISPLAY_START_TIMEOUT) {
            Some(n) => {
                self.progress.display = Some(n);
                self.save();
                Ok(())
            }
            None => {
                let log = read_small(&log_path, 64 * 1024).unwrap_or_default();
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
        if self.progress.cgroup {
            forced = stop_part(&cg, Part::Desktop, timeout, &mut problems);
            stop_part(&cg, Part::Display, Duration::from_secs(2), &mut problems);
        }
        reap();
        self.close_pam(&mut problems);
        if let Some(path) = self.progress.user_xauth.take() {
            remove_if_there(&path.with_extension("new"), &mut problems, |p| fs::remove_file(p));
            remove_if_there(&path, &mut problems, |p| fs::remove_file(p));
        }
        if let Some((dir, true)) = self.progress.runtime_dir.take() {
            if is_mount_point(&dir) {
                // Somebody (logind, for another login) mounted over it: theirs now.
                tracing::info!(dir = %dir.display(), "runtime directory is in use by another login; left in place");
            } else {
                // remove_dir_all does not follow symlinks the user may have planted.
                remove_if_there(&dir, &mut problems, |p| fs::remove_dir_all(p));
            }
        }
        if let (Some(display), Some(pid)) = (self.progress.display, self.progress.xvnc_pid) {
            remove_stale_x_files(display, pid, self.spec.uid);
        }
        if self.progress.run_dir {
            remove_if_there(&self.spec.run_dir, &mut problems, |p| fs::remove_dir_all(p));
            self.progress.run_dir = false;
        }
        if self.progress.cgroup {
            if let Err(e) = cg.remove() {
                problems.push(e.to_string());
            }
            self.progress.cgroup = false;
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
        let (session, credentials) = (self.progress.pam_session, self.progress.pam_credentials);
        if self.pam.is_none() && (session || credentials) {
            // Reclaiming: the PAM handle died with the worker; a fresh one
            // still runs the modules' close hooks.
            match Pam::start(&self.spec.pam_service, &self.spec.user, None) {
                Ok(mut pam) => {
                    if let Some(d) = self.progress.display {
                        let _ = pam.set_item(Item::Tty, &format!(":{d}"));
                        let _ = pam.set_item(Item::XDisplay, &format!(":{d}"));
                    }
                    self.pam = Some(pam);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if let Some(pam) = self.pam.as_mut() {
            if session && let Err(e) = pam.close_session() {
                problems.push(e.to_string());
            }
            if credentials && let Err(e) = pam.delete_credentials() {
                problems.push(e.to_string());
            }
        }
        self.progress.pam_session = false;
        self.progress.pam_credentials = false;
        self.pam = None;
    }

    /// The progress record a worker left for session `spec`, if any.
    #[must_use]
    pub fn recorded(spec: &WorkerSpec) -> Option<Progress> {
        read_small(&spec.progress_file(), 64 * 1024).and_then(|t| serde_json::from_str::<Progress>(&t).ok())
    }

    /// Ends a session whose worker died, from the progress record it left
    /// (or, failing that, what the daemon knew): the same steps as
    /// [`Session::end`], with a fresh PAM handle to close the PAM session.
    #[must_use]
    pub fn reclaim(spec: WorkerSpec, running: Option<Running>) -> (EndKind, Vec<String>) {
        let mut s = Session::new(spec);
        let recorded = Session::recorded(&s.spec);
        s.progress = match (recorded, running) {
            (Some(p), _) => p,
            (None, Some(r)) => Progress {
                run_dir: true,
                cgroup: true,
                xvnc_pid: Some(r.xvnc_pid),
                display: Some(r.display),
                pam_credentials: true,
                pam_session: true,
                runtime_dir: Some((r.runtime_dir, r.runtime_dir_created)),
                user_xauth: Some(r.xauthority),
                desktop_pid: Some(r.desktop_pid),
                cookie: Some(r.cookie),
                locale: r.locale,
                worker_pid: Some(r.worker_pid),
            },
            (None, None) => Progress::default(),
        };
        s.progress.run_dir |= s.spec.run_dir.exists();
        s.progress.cgroup |= s.spec.cgroup.exists();
        s.end(Duration::from_secs(2))
    }
}

/// Variables the session sets itself, whatever PAM modules say.
/// What decides the language of messages, replaced when the user has a
/// locale of their own (the other `LC_*` of the system stay).
const LOCALE_VARS: [&str; 4] = ["LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"];

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

/// Reads at most `limit` bytes of a regular file without following a
/// symlink or blocking on a FIFO: for files a user could have replaced.
fn read_small(path: &Path, limit: u64) -> Option<String> {
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    f.take(limit).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Makes `dir` (fresh), 0700 and the user's, without following a symlink.
fn make_private_dir(dir: &Path, account: &Account) -> Result<()> {
    fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(HostError::io("create", dir))?;
    let handle = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(dir)
        .map_err(HostError::io("open", dir))?;
    handle
        .set_permissions(fs::Permissions::from_mode(0o700))
        .map_err(HostError::io("chmod", dir))?;
    std::os::unix::fs::fchown(&handle, Some(account.uid), Some(account.gid)).map_err(HostError::io("chown", dir))
}

/// Whether `dir` is a mount point (its device differs from its parent's).
fn is_mount_point(dir: &Path) -> bool {
    let (Ok(d), Some(Ok(p))) = (fs::symlink_metadata(dir), dir.parent().map(fs::metadata)) else {
        return false;
    };
    d.dev() != p.dev()
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
                if text.len() > 16 {
                    return None;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// `XDG_RUNTIME_DIR`: `/run/user/<uid>`, the user's if it exists already
/// (another login made it), else made 0700 for the user here. Returns the
/// path and whether we made it.
fn ensure_runtime_dir(account: &Account) -> Result<(PathBuf, bool)> {
    let dir = PathBuf::from(format!("/run/user/{}", account.uid));
    if let Ok(meta) = fs::symlink_metadata(&dir) {
        if meta.is_dir() && meta.uid() == account.uid {
            return Ok((dir, false));
        }
        return Err(HostError::UnusableAccount {
            user: account.name.clone(),
            why: format!("{} exists but is not the user's directory", dir.display()),
        });
    }
    let parent = Path::new("/run/user");
    if !parent.exists() {
        fs::DirBuilder::new()
            .mode(0o755)
            .create(parent)
            .map_err(HostError::io("create", parent))?;
    }
    make_private_dir(&dir, account)?;
    Ok((dir, true))
}

/// An X server killed hard leaves its lock file and socket; remove them if
/// they are this session's server's. Xvnc runs as the user, so the lock is
/// read like any file the user could have replaced.
fn remove_stale_x_files(display: u32, xvnc_pid: i32, uid: u32) {
    let lock = PathBuf::from(format!("/tmp/.X{display}-lock"));
    let owned = fs::symlink_metadata(&lock).is_ok_and(|m| m.is_file() && m.uid() == uid);
    let pid = read_small(&lock, 32).and_then(|t| t.trim().parse::<i32>().ok());
    if owned && pid == Some(xvnc_pid) {
        let _ = fs::remove_file(&lock);
        let _ = fs::remove_file(podium_x11::x_socket(display));
    }
}

#[cfg(test)]
mod tests {
    use super::messages_locale;

    #[test]
    fn the_messages_locale_is_picked_as_the_c_library_does() {
        assert_eq!(messages_locale(&[("LANG", "fr_FR.UTF-8")]), Some("fr_FR.UTF-8"));
        assert_eq!(
            messages_locale(&[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "en_GB.UTF-8")]),
            Some("en_GB.UTF-8")
        );
        assert_eq!(
            messages_locale(&[("LC_MESSAGES", "en_GB.UTF-8"), ("LC_ALL", ""), ("LANG", "de_DE")]),
            Some("en_GB.UTF-8")
        );
        assert_eq!(
            messages_locale(&[("LC_ALL", "fr_CA.UTF-8"), ("LANG", "C")]),
            Some("fr_CA.UTF-8")
        );
        assert_eq!(messages_locale(&[]), None);
    }
}
