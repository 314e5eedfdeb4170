//! Bringing one session up, and taking it down again, inside the worker.
//!
//! [`Session::start`] does the steps in order and records each one done in
//! a [`Progress`], kept on disk in the session's root-only directory as it
//! grows. If a step fails, [`Session::end`] undoes exactly the ones done,
//! so a failed start leaves nothing behind. The same `end` closes a session
//! at log off, and [`Session::reclaim`] runs it from the record on disk for
//! a session whose worker died, even in the middle of starting.

use super::environment::{self, Desktop};
use super::files;
use super::progress::Progress;
use super::protocol::{Running, WorkerSpec};
use super::{stop, xvnc};
use crate::cgroup::Part;
use crate::error::{HostError, Result};
use crate::reaper::reap;
use crate::users::Account;
use podium_core::EndKind;
use podium_sys::pam::{Item, Pam};
use podium_sys::spawn::{Credentials, ExecPlan, Output};
use podium_x11::xauth::{self, Cookie};
use std::ffi::CString;
use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::time::Duration;

/// How the end of a session went.
#[derive(Debug)]
pub struct Teardown {
    /// Closed, forced or failed.
    pub end: EndKind,
    /// What went wrong on the way.
    pub problems: Vec<String>,
    /// The desktop's processes still running at the terminate timeout,
    /// killed (for the per-application outcome).
    pub killed: Vec<i32>,
}

/// How long Xvnc may take to open its display.
const DISPLAY_START_TIMEOUT: Duration = Duration::from_secs(15);

/// A session in the worker.
#[derive(Debug)]
pub struct Session {
    spec: WorkerSpec,
    progress: Progress,
    pam: Option<Pam>,
    /// The environment the desktop was started with (Open… starts its
    /// programs with it).
    desktop_env: Option<Vec<(String, String)>>,
}

impl Session {
    fn new(spec: WorkerSpec) -> Session {
        Session {
            spec,
            progress: Progress::default(),
            pam: None,
            desktop_env: None,
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
                let problems = s.end(Duration::from_secs(1)).problems;
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

    fn start_steps(&mut self) -> Result<()> {
        let account = self.account()?;
        let creds = Credentials {
            uid: account.uid,
            gid: account.gid,
            groups: account.group_ids()?,
        };
        self.make_run_dir()?;
        self.spec.cgroup.create(self.spec.max_processes)?;
        self.progress.cgroup = true;
        self.progress.save(&self.spec);
        let mut pam = Pam::start(&self.spec.pam_service, &self.spec.user, None)?;
        pam.account()?;
        self.pam = Some(pam);
        let cookie = self.make_display_cookie(&account)?;
        self.start_display(&creds, &account)?;
        let display = self
            .progress
            .display
            .ok_or_else(|| HostError::StartFailed("no display".into()))?;
        let pam_env = self.open_pam_session(display)?;
        let (runtime_dir, user_xauth) = self.make_user_files(&account, display, &cookie)?;
        self.start_desktop(
            &account,
            creds,
            &Desktop {
                display,
                pam_env,
                runtime_dir,
                user_xauth,
            },
        )
    }

    /// The environment the desktop was started with, once it was.
    #[must_use]
    pub fn desktop_env(&self) -> Option<&[(String, String)]> {
        self.desktop_env.as_deref()
    }

    /// The session's account, as long as it is still the one asked for.
    pub(super) fn account(&self) -> Result<Account> {
        let account = Account::by_name(&self.spec.user)?;
        if account.uid != self.spec.uid {
            return Err(HostError::UnusableAccount {
                user: account.name,
                why: "uid changed".into(),
            });
        }
        Ok(account)
    }

    /// The session's directory, 0711: other users may not list it; the user
    /// may reach the display directory inside, nothing else.
    fn make_run_dir(&mut self) -> Result<()> {
        let run_dir = self.spec.run_dir.clone();
        fs::DirBuilder::new()
            .mode(0o711)
            .create(&run_dir)
            .map_err(HostError::io("create", &run_dir))?;
        self.progress.run_dir = true;
        self.progress.worker_pid = i32::try_from(std::process::id()).ok();
        fs::set_permissions(&run_dir, fs::Permissions::from_mode(0o711)).map_err(HostError::io("chmod", &run_dir))?;
        self.progress.save(&self.spec);
        Ok(())
    }

    /// The display's secret cookie, in the private directory Xvnc reads it from.
    fn make_display_cookie(&mut self, account: &Account) -> Result<Cookie> {
        files::make_private_dir(&self.spec.display_dir(), account)?;
        let cookie = Cookie::generate()?;
        self.progress.cookie = Some(cookie.to_hex());
        xauth::write(
            &self.spec.display_xauth(),
            &xauth::file_contents("", "", &cookie),
            account.uid,
            account.gid,
        )?;
        Ok(cookie)
    }

    /// PAM's credentials and session for display `:N`; returns PAM's environment.
    fn open_pam_session(&mut self, display: u32) -> Result<Vec<(String, String)>> {
        let display_name = format!(":{display}");
        let pam = self.pam_mut()?;
        pam.set_item(Item::Tty, &display_name)?;
        pam.set_item(Item::XDisplay, &display_name)?;
        pam.putenv("XDG_SESSION_TYPE", "x11")?;
        pam.putenv("XDG_SESSION_CLASS", "user")?;
        pam.establish_credentials()?;
        self.progress.pam_credentials = true;
        self.progress.save(&self.spec);
        self.pam_mut()?.open_session()?;
        self.progress.pam_session = true;
        self.progress.save(&self.spec);
        Ok(self.pam_mut()?.env_list())
    }

    /// `XDG_RUNTIME_DIR` and the user's X authority file in it.
    fn make_user_files(&mut self, account: &Account, display: u32, cookie: &Cookie) -> Result<(PathBuf, PathBuf)> {
        let (runtime_dir, created) = files::ensure_runtime_dir(account)?;
        self.progress.runtime_dir = Some((runtime_dir.clone(), created));
        self.progress.save(&self.spec);
        let user_xauth = runtime_dir.join("podium-Xauthority");
        let host = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.progress.user_xauth = Some(user_xauth.clone());
        self.progress.save(&self.spec);
        xauth::write(
            &user_xauth,
            &xauth::file_contents(&host, &display.to_string(), cookie),
            account.uid,
            account.gid,
        )?;
        Ok((runtime_dir, user_xauth))
    }

    /// Starts the desktop command as the user, in the desktop part of the cgroup.
    fn start_desktop(&mut self, account: &Account, creds: Credentials, d: &Desktop) -> Result<()> {
        let home = account.home.to_string_lossy().into_owned();
        let env = environment::desktop_env(&self.spec, account, d);
        self.progress.locale = environment::messages_locale(&env).map(str::to_owned);
        let errors_file =
            CString::new(account.home.join(".xsession-errors").to_string_lossy().as_bytes()).map_err(|_| {
                HostError::UnusableAccount {
                    user: account.name.clone(),
                    why: "home path".into(),
                }
            })?;
        let plan = ExecPlan::new(&self.spec.program.to_string_lossy(), &self.spec.argv)?
            .env(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
            .cgroups(self.spec.cgroup.join_fds(Part::Desktop)?)
            .credentials(creds)
            .workdir(&home)?
            .output(Output::UserFile(errors_file));
        self.progress.desktop_pid = Some(plan.spawn()?);
        self.progress.save(&self.spec);
        self.desktop_env = Some(env);
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
        self.progress.save(&self.spec);
        // `plan` (and with it our copy of the write end) is gone: end of
        // file on the pipe now means Xvnc exited.
        match xvnc::read_display_number(ready_r, DISPLAY_START_TIMEOUT) {
            Some(n) => {
                self.progress.display = Some(n);
                self.progress.save(&self.spec);
                Ok(())
            }
            None => Err(HostError::StartFailed(format!(
                "Xvnc did not start: {}",
                xvnc::log_tail(&log_path)
            ))),
        }
    }

    /// Ends the session: SIGTERM to every program, up to `timeout` for them
    /// to go, `cgroup.kill` for the rest, then the display, PAM and files.
    /// Returns how it ended and the problems met on the way.
    pub fn end(&mut self, timeout: Duration) -> Teardown {
        let mut problems = Vec::new();
        let mut killed = Vec::new();
        let cg = self.spec.cgroup.clone();
        if self.progress.cgroup {
            killed = stop::stop_part(&cg, Part::Desktop, timeout, &mut problems);
            let _ = stop::stop_part(&cg, Part::Display, Duration::from_secs(2), &mut problems);
        }
        reap();
        self.close_pam(&mut problems);
        if let Some(path) = self.progress.user_xauth.take() {
            files::remove_if_there(&path.with_extension("new"), &mut problems, |p| fs::remove_file(p));
            files::remove_if_there(&path, &mut problems, |p| fs::remove_file(p));
        }
        if let Some((dir, true)) = self.progress.runtime_dir.take() {
            if files::is_mount_point(&dir) {
                // Somebody (logind, for another login) mounted over it: theirs now.
                tracing::info!(dir = %dir.display(), "runtime directory is in use by another login; left in place");
            } else {
                // remove_dir_all does not follow symlinks the user may have planted.
                files::remove_if_there(&dir, &mut problems, |p| fs::remove_dir_all(p));
            }
        }
        if let (Some(display), Some(pid)) = (self.progress.display, self.progress.xvnc_pid) {
            files::remove_stale_x_files(display, pid, self.spec.uid);
        }
        if self.progress.run_dir {
            files::remove_if_there(&self.spec.run_dir, &mut problems, |p| fs::remove_dir_all(p));
            self.progress.run_dir = false;
        }
        if self.progress.cgroup {
            if let Err(e) = cg.remove() {
                problems.push(e.to_string());
            }
            self.progress.cgroup = false;
        }
        let end = if !problems.is_empty() {
            EndKind::Failed
        } else if !killed.is_empty() {
            EndKind::Forced
        } else {
            EndKind::Closed
        };
        Teardown { end, problems, killed }
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

    /// Ends a session whose worker died, from the progress record it left
    /// (or, failing that, what the daemon knew): the same steps as
    /// [`Session::end`], with a fresh PAM handle to close the PAM session.
    #[must_use]
    pub fn reclaim(spec: WorkerSpec, running: Option<Running>) -> Teardown {
        let mut s = Session::new(spec);
        let recorded = Progress::recorded(&s.spec);
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
