//! Starting a child process the way a session needs it: placed in its
//! cgroup, in a new session, with the user's groups and ids, in its home,
//! with a clean environment — all before `exec`, so no instruction of the
//! program ever runs outside the session or with root's rights.
//!
//! Everything the child needs is prepared in the parent ([`ExecPlan`]);
//! between `fork` and `exec` the child only makes async-signal-safe system
//! calls on that prepared data: no allocation, no locks, no unwinding. A
//! failure is written to a close-on-exec pipe as (step, errno) and the child
//! `_exit`s; the parent turns it into a [`SysError`].

use crate::error::SysError;
use std::ffi::{CString, c_char};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The descriptor number a [`ExecPlan::pass_fd`] descriptor gets in the child.
pub const PASSED_FD: RawFd = 3;

/// Which step of the child's set-up failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Step {
    /// Joining the session's cgroup.
    Cgroup = 1,
    /// `setsid`.
    Setsid = 2,
    /// Redirecting stdin/stdout/stderr or passing an extra descriptor.
    Descriptors = 3,
    /// `setgroups`.
    Groups = 4,
    /// `setgid`.
    Gid = 5,
    /// `setuid`.
    Uid = 6,
    /// Changing to the working directory.
    Chdir = 7,
    /// `execve` itself.
    Exec = 8,
    /// Resetting the signal mask.
    Signals = 9,
    /// Opening the output file.
    Output = 10,
}

impl Step {
    fn from_u32(v: u32) -> Option<Step> {
        [
            Step::Cgroup,
            Step::Setsid,
            Step::Descriptors,
            Step::Groups,
            Step::Gid,
            Step::Uid,
            Step::Chdir,
            Step::Exec,
            Step::Signals,
            Step::Output,
        ]
        .into_iter()
        .find(|s| *s as u32 == v)
    }

    fn describe(self) -> &'static str {
        match self {
            Step::Cgroup => "join the session cgroup",
            Step::Setsid => "start a new process session",
            Step::Descriptors => "set up standard descriptors",
            Step::Groups => "set supplementary groups",
            Step::Gid => "set group id",
            Step::Uid => "set user id",
            Step::Chdir => "change to the home directory",
            Step::Exec => "execute",
            Step::Signals => "reset signals",
            Step::Output => "open the output file",
        }
    }
}

/// User and groups the child becomes before `exec`.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// User id.
    pub uid: libc::uid_t,
    /// Primary group id.
    pub gid: libc::gid_t,
    /// Supplementary groups, resolved in the parent (`getgrouplist`),
    /// because `initgroups` reads NSS and must not run after `fork`.
    pub groups: Vec<libc::gid_t>,
}

/// Where the child's stdout and stderr go.
#[derive(Debug)]
pub enum Output {
    /// `/dev/null`.
    Null,
    /// A descriptor the parent opened.
    Fd(OwnedFd),
    /// A file opened by the child *after* dropping privileges, without
    /// following symlinks, so a user cannot make root write elsewhere.
    UserFile(CString),
}

/// Everything needed to start one child.
#[derive(Debug)]
pub struct ExecPlan {
    program: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
    cgroup_procs: Vec<OwnedFd>,
    credentials: Option<Credentials>,
    workdir: Option<CString>,
    output: Output,
    pass_fd: Option<OwnedFd>,
    devnull: CString,
}

fn cstring(what: &'static str, s: &str) -> Result<CString, SysError> {
    CString::new(s).map_err(|_| SysError::Nul(what))
}

impl ExecPlan {
    /// A plan to run `program` (an absolute path) with `argv` (argv\[0\] included).
    ///
    /// # Errors
    /// [`SysError::Nul`] when a string holds a NUL byte.
    pub fn new(program: &str, argv: &[String]) -> Result<Self, SysError> {
        Ok(ExecPlan {
            program: cstring("program path", program)?,
            argv: argv.iter().map(|a| cstring("argument", a)).collect::<Result<_, _>>()?,
            envp: Vec::new(),
            cgroup_procs: Vec::new(),
            credentials: None,
            workdir: None,
            output: Output::Null,
            pass_fd: None,
            devnull: cstring("path", "/dev/null")?,
        })
    }

    /// Sets the whole environment (`NAME=value` pairs); nothing is inherited.
    ///
    /// # Errors
    /// [`SysError::Nul`] when a string holds a NUL byte.
    pub fn env<'a>(mut self, vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, SysError> {
        self.envp = vars
            .into_iter()
            .map(|(k, v)| cstring("environment variable", &format!("{k}={v}")))
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// The child writes `0` into each of these open `cgroup.procs` files,
    /// which moves it (and so everything it will start) into that cgroup.
    #[must_use]
    pub fn cgroups(mut self, procs: Vec<OwnedFd>) -> Self {
        self.cgroup_procs = procs;
        self
    }

    /// Drop to these credentials before `exec`.
    #[must_use]
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = Some(c);
        self
    }

    /// Working directory, entered after dropping privileges.
    ///
    /// # Errors
    /// [`SysError::Nul`] when the path holds a NUL byte.
    pub fn workdir(mut self, dir: &str) -> Result<Self, SysError> {
        self.workdir = Some(cstring("working directory", dir)?);
        Ok(self)
    }

    /// Where stdout and stderr go (stdin is always `/dev/null`).
    #[must_use]
    pub fn output(mut self, out: Output) -> Self {
        self.output = out;
        self
    }

    /// Pass `fd` to the child as descriptor [`PASSED_FD`] (e.g. for Xvnc's `-displayfd 3`).
    #[must_use]
    pub fn pass_fd(mut self, fd: OwnedFd) -> Self {
        self.pass_fd = Some(fd);
        self
    }

    /// Forks and executes the plan; returns the child's pid once `exec`
    /// succeeded. Safe in a threaded process too (the daemon starts a
    /// program in a running session with it): like `posix_spawn`, the child
    /// takes no lock and allocates nothing, it only makes async-signal-safe
    /// system calls on data prepared before `fork`, and every descriptor
    /// but its standard ones is closed at `exec`. The caller reaps the child
    /// (in the daemon, its reaper does).
    ///
    /// # Errors
    /// [`SysError`] saying which step failed and why.
    pub fn spawn(self) -> Result<libc::pid_t, SysError> {
        let mut argv: Vec<*const c_char> = self.argv.iter().map(|a| a.as_ptr()).collect();
        argv.push(std::ptr::null());
        let mut envp: Vec<*const c_char> = self.envp.iter().map(|a| a.as_ptr()).collect();
        envp.push(std::ptr::null());

        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe2 writes two descriptors into the array we own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(SysError::Fork(std::io::Error::last_os_error()));
        }
        // SAFETY: pipe2 succeeded, so both descriptors are open and ours alone.
        let (status_r, first_w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // Keep the child's status pipe clear of 0–3, which the child rearranges.
        // SAFETY: F_DUPFD_CLOEXEC on a descriptor we own returns a new one or -1.
        let high = unsafe { libc::fcntl(first_w.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
        if high < 0 {
            return Err(SysError::Fork(std::io::Error::last_os_error()));
        }
        drop(first_w);
        // SAFETY: fcntl just returned this new descriptor; nothing else owns it.
        let status_w = unsafe { OwnedFd::from_raw_fd(high) };

        // SAFETY: the child only runs `child_after_fork`, which makes
        // async-signal-safe calls on memory prepared above (no lock another
        // thread could hold, no allocation) and never returns.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(SysError::Fork(std::io::Error::last_os_error()));
        }
        if pid == 0 {
            child_after_fork(&self, argv.as_ptr(), envp.as_ptr(), status_w.as_raw_fd());
        }
        drop(status_w);
        let program = || self.program.to_string_lossy().into_owned();
        let mut report = [0u8; 8];
        let n = match read_report(&status_r, &mut report, SET_UP_TIMEOUT) {
            Some(n) => n,
            None => {
                // Stuck before exec (a hung file system under the home
                // directory, say): it will not get another chance.
                // SAFETY: signalling and reaping our own child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
                return Err(SysError::Child {
                    what: "finish setting up (timed out)",
                    program: program(),
                    error: std::io::ErrorKind::TimedOut.into(),
                });
            }
        };
        if n == 0 {
            return Ok(pid);
        }
        // The child failed before exec and is exiting: collect it now.
        // SAFETY: waitpid on our own child; no status wanted.
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        let step = u32::from_ne_bytes([report[0], report[1], report[2], report[3]]);
        let errno = i32::from_ne_bytes([report[4], report[5], report[6], report[7]]);
        Err(SysError::Child {
            what: Step::from_u32(step).map_or("start", Step::describe),
            program: program(),
            error: std::io::Error::from_raw_os_error(errno),
        })
    }
}

/// How long a child may take between `fork` and `exec`.
const SET_UP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads the child's report: `Some(0)` at end of file (exec happened),
/// `Some(n)` for a report, `None` when nothing came within `timeout`.
fn read_report(fd: &OwnedFd, buf: &mut [u8], timeout: std::time::Duration) -> Option<usize> {
    let deadline = std::time::Instant::now() + timeout;
    let mut got = 0;
    while got < buf.len() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let ms = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&raw mut pfd, 1, ms) };
        if ready == 0 {
            return None;
        }
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Some(got);
        }
        let rest = &mut buf[got..];
        // SAFETY: reading into a live buffer of the given length.
        let n = unsafe { libc::read(fd.as_raw_fd(), rest.as_mut_ptr().cast(), rest.len()) };
        if n == 0 {
            break;
        }
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        got += n.unsigned_abs();
    }
    Some(got)
}

/// The child between `fork` and `exec`. Async-signal-safe calls only.
#[expect(
    clippy::too_many_lines,
    reason = "the child's steps between fork and exec, in order, each reporting its own failure: \
              one sequence to read top to bottom, where a helper would hide which step runs when"
)]
fn child_after_fork(plan: &ExecPlan, argv: *const *const c_char, envp: *const *const c_char, status: RawFd) -> ! {
    let fail = |step: Step| -> ! {
        // SAFETY: __errno_location is always valid in the calling thread.
        let errno = unsafe { *libc::__errno_location() };
        let mut report = [0u8; 8];
        report[..4].copy_from_slice(&(step as u32).to_ne_bytes());
        report[4..].copy_from_slice(&errno.to_ne_bytes());
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer is on our stack.
        unsafe {
            libc::write(status, report.as_ptr().cast(), report.len());
            libc::_exit(127)
        }
    };

    // SAFETY: every call below is an async-signal-safe system call made on
    // descriptors and NUL-terminated strings prepared before fork; the
    // pointers stay valid because the parent's memory is copied into the child.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&raw mut empty);
        if libc::sigprocmask(libc::SIG_SETMASK, &raw const empty, std::ptr::null_mut()) != 0 {
            fail(Step::Signals);
        }
        // Every disposition back to the default: an ignored signal would be
        // inherited through exec.
        super::signals::reset_all_to_default();
        for fd in &plan.cgroup_procs {
            if libc::write(fd.as_raw_fd(), b"0".as_ptr().cast(), 1) != 1 {
                fail(Step::Cgroup);
            }
        }
        if libc::setsid() < 0 {
            fail(Step::Setsid);
        }
        let null = libc::open(plan.devnull.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
        if null < 0 || libc::dup2(null, 0) < 0 {
            fail(Step::Descriptors);
        }
        let out = match &plan.output {
            Output::Fd(fd) => fd.as_raw_fd(),
            Output::Null | Output::UserFile(_) => null,
        };
        if libc::dup2(out, 1) < 0 || libc::dup2(out, 2) < 0 {
            fail(Step::Descriptors);
        }
        if let Some(fd) = &plan.pass_fd {
            let fd = fd.as_raw_fd();
            // dup2 clears close-on-exec on the copy; a descriptor that
            // already is number 3 needs it cleared by hand.
            let ok = if fd == PASSED_FD {
                libc::fcntl(fd, libc::F_SETFD, 0) == 0
            } else {
                libc::dup2(fd, PASSED_FD) == PASSED_FD
            };
            if !ok {
                fail(Step::Descriptors);
            }
        }
        if let Some(c) = &plan.credentials {
            if libc::setgroups(c.groups.len(), c.groups.as_ptr()) != 0 {
                fail(Step::Groups);
            }
            if libc::setgid(c.gid) != 0 {
                fail(Step::Gid);
            }
            if libc::setuid(c.uid) != 0 {
                fail(Step::Uid);
            }
            // Paranoia: the drop must be irreversible.
            if c.uid != 0 && libc::setuid(0) == 0 {
                fail(Step::Uid);
            }
        }
        if let Output::UserFile(path) = &plan.output {
            // Non-blocking so a FIFO planted in its place cannot hang us, and
            // only a regular file is used; anything else leaves /dev/null.
            let flags = libc::O_WRONLY
                | libc::O_CREAT
                | libc::O_TRUNC
                | libc::O_NOFOLLOW
                | libc::O_CLOEXEC
                | libc::O_NONBLOCK
                | libc::O_NOCTTY;
            let fd = libc::open(path.as_ptr(), flags, 0o600);
            if fd >= 0 {
                let mut st: libc::stat = std::mem::zeroed();
                let regular = libc::fstat(fd, &raw mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG;
                if regular {
                    libc::fcntl(fd, libc::F_SETFL, libc::O_WRONLY);
                    if libc::dup2(fd, 1) < 0 || libc::dup2(fd, 2) < 0 {
                        fail(Step::Output);
                    }
                }
                libc::close(fd);
            }
        }
        if let Some(dir) = &plan.workdir
            && libc::chdir(dir.as_ptr()) != 0
        {
            fail(Step::Chdir);
        }
        // Everything else (the status pipe is close-on-exec already) closes at exec.
        let first: libc::c_uint = if plan.pass_fd.is_some() { 4 } else { 3 };
        libc::syscall(
            libc::SYS_close_range,
            first,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        );
        libc::execve(plan.program.as_ptr(), argv, envp);
        fail(Step::Exec)
    }
}
