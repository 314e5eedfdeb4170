//! Helpers for fault tests: file systems mounted for one test (read-only,
//! or small enough to fill), the cgroup that holds a session's process
//! limit, zombies, the registry's integrity, and a daemon run on its own
//! with a given state directory.

use crate::host::{cgroup2_root, free_port};
use crate::procfs;
use crate::system::{run, wait_until};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A tmpfs mounted for one test; unmounted when dropped, even when the
/// test fails (lazily if something still holds it open).
#[derive(Debug)]
pub struct Mount {
    /// The mount point.
    pub path: PathBuf,
}

impl Mount {
    /// Mounts a tmpfs of `size_kib` KiB with root directory mode `mode` on
    /// `path` (made if missing).
    #[must_use]
    pub fn tmpfs(path: &Path, size_kib: u64, mode: u32) -> Mount {
        std::fs::create_dir_all(path).expect("mount point");
        let opts = format!("size={size_kib}k,mode={mode:o}");
        run("mount", &["-t", "tmpfs", "-o", &opts, "tmpfs", &path.to_string_lossy()]);
        Mount { path: path.to_owned() }
    }

    /// Remounts it read-only.
    pub fn read_only(&self) {
        run("mount", &["-o", "remount,ro", &self.path.to_string_lossy()]);
    }

    /// Remounts it read-write.
    pub fn read_write(&self) {
        run("mount", &["-o", "remount,rw", &self.path.to_string_lossy()]);
    }

    /// Fills it: writes a file until the file system says it is full.
    /// Returns the file and how many bytes went in.
    #[must_use]
    pub fn fill(&self, name: &str) -> (PathBuf, u64) {
        let path = self.path.join(name);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("open the filler");
        let mut total = 0u64;
        for chunk in [1 << 16, 1 << 12, 1] {
            let buf = vec![0x5a_u8; chunk];
            loop {
                match f.write(&buf) {
                    Ok(0) => break,
                    Ok(n) => total += n as u64,
                    Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                    Err(e) => panic!("filling {}: {e}", path.display()),
                }
            }
        }
        (path, total)
    }

    /// Free bytes, as `statvfs` reports them.
    #[must_use]
    pub fn free_bytes(&self) -> u64 {
        let s = nix::sys::statvfs::statvfs(&self.path).expect("statvfs");
        s.blocks_available() * s.fragment_size()
    }

    /// Whether it is still mounted.
    #[must_use]
    pub fn mounted(&self) -> bool {
        mounted(&self.path)
    }
}

/// Whether something is mounted on `path`.
#[must_use]
pub fn mounted(path: &Path) -> bool {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let want = path.to_string_lossy();
    text.lines().any(|l| l.split(' ').nth(4) == Some(&*want))
}

impl Drop for Mount {
    fn drop(&mut self) {
        let target = self.path.to_string_lossy().into_owned();
        for _ in 0..20 {
            if !mounted(&self.path) {
                return;
            }
            let _ = Command::new("umount").arg(&target).output();
            if !mounted(&self.path) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Something (a daemon still running on it) holds it: detach it now;
        // the kernel frees it once the last user is gone.
        let _ = Command::new("umount").args(["-l", &target]).output();
        if mounted(&self.path) {
            eprintln!("could not unmount {target}");
        }
    }
}

/// The cgroup directory that holds session `id`'s `pids.max` on this host,
/// found as the daemon finds it: the v2 session group when the v2 hierarchy
/// offers the pids controller, else the session's group in the cgroup v1
/// pids hierarchy (hybrid hosts). Also says which.
#[must_use]
pub fn pids_limit_dir(cgroup_name: &str, id: u32) -> (PathBuf, &'static str) {
    let v2 = cgroup2_root();
    let controllers = std::fs::read_to_string(v2.join("cgroup.controllers")).unwrap_or_default();
    if controllers.split_whitespace().any(|c| c == "pids") {
        return (v2.join(cgroup_name).join(format!("session-{id}")), "cgroup v2");
    }
    (
        pids_v1_root()
            .expect("the pids controller is on neither cgroup v2 nor cgroup v1")
            .join(cgroup_name)
            .join(format!("session-{id}")),
        "cgroup v1 pids",
    )
}

/// The cgroup v1 pids mount, if there is one.
#[must_use]
pub fn pids_v1_root() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines().find_map(|l| {
        let (left, right) = l.split_once(" - ")?;
        let mut r = right.split(' ');
        let (fstype, opts) = (r.next()?, r.nth(1)?);
        let mount_point = left.split(' ').nth(4)?;
        (fstype == "cgroup" && opts.split(',').any(|o| o == "pids")).then(|| PathBuf::from(mount_point))
    })
}

/// Reads a number from a cgroup file (`pids.current`, `pids.max` …);
/// `None` when missing or `max`.
#[must_use]
pub fn read_number(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// How many forks the limit refused, from `pids.events` (`max N`).
#[must_use]
pub fn pids_refused(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join("pids.events"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("max ")?.trim().parse().ok())
        .unwrap_or(0)
}

/// Zombie processes whose parent is one of `parents` or a live descendant
/// of one of them.
#[must_use]
pub fn zombies_under(parents: &[i32]) -> Vec<procfs::Proc> {
    let mut watched: Vec<i32> = parents.iter().copied().filter(|p| *p > 0).collect();
    for p in parents.iter().filter(|p| **p > 0) {
        watched.extend(procfs::descendants(*p).iter().filter(|d| d.state != 'Z').map(|d| d.pid));
    }
    procfs::all()
        .into_iter()
        .filter(|p| p.state == 'Z' && watched.contains(&p.ppid))
        .collect()
}

/// `PRAGMA integrity_check` of an SQLite file, by the `sqlite3` program.
#[must_use]
pub fn integrity_check(db: &Path) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("PRAGMA integrity_check;")
        .output()
        .expect("run sqlite3 (apt-get install sqlite3)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

/// One query's output from an SQLite file, by the `sqlite3` program.
#[must_use]
pub fn query(db: &Path, sql: &str) -> String {
    run("sqlite3", &[&db.to_string_lossy(), sql])
}

/// How a `podium serve` run ended.
#[derive(Debug)]
pub struct Ended {
    /// Exit status; `None` when killed by a signal (or by our timeout).
    pub code: Option<i32>,
    /// What it wrote to stderr (its log).
    pub stderr: String,
    /// How long it ran.
    pub took: Duration,
}

/// `podium serve` on its own, with its own config, socket, port, run
/// directory and cgroup name, and a state directory of the test's choosing.
/// Dropping it stops the daemon and removes what it made outside `state_dir`.
#[derive(Debug)]
pub struct Standalone {
    /// The `podium` binary.
    pub podium: PathBuf,
    /// Its directory (config, socket, run directory, log).
    pub dir: PathBuf,
    /// Its control socket.
    pub socket: PathBuf,
    /// Its state directory.
    pub state_dir: PathBuf,
    /// Its cgroup name.
    pub cgroup_name: String,
    daemon: Option<Child>,
}

impl Standalone {
    /// Prepares (does not start) a daemon whose state is in `state_dir`.
    #[must_use]
    pub fn new(podium: &str, state_dir: &Path) -> Standalone {
        static N: AtomicU32 = AtomicU32::new(0);
        let tag = format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let dir = PathBuf::from(format!("/tmp/podium-test-fault-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("daemon dir");
        let socket = dir.join("podium.sock");
        let cgroup_name = format!("podium-test-fault-{tag}");
        let config = format!(
            "[server]\nsocket = \"{}\"\nstate_dir = \"{}\"\nrun_dir = \"{}\"\n\n[web]\nlisten = \"{}\"\n\n[session]\ncgroup = \"{cgroup_name}\"\n",
            socket.display(),
            state_dir.display(),
            dir.join("run").display(),
            free_port(),
        );
        std::fs::write(dir.join("podium.toml"), config).expect("write config");
        Standalone {
            podium: PathBuf::from(podium),
            dir,
            socket,
            state_dir: state_dir.to_owned(),
            cgroup_name,
            daemon: None,
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.podium);
        c.args(["serve", "--config"])
            .arg(self.dir.join("podium.toml"))
            .env("PODIUM_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        c
    }

    /// Runs `podium serve` expecting it to stop by itself; kills it after
    /// `timeout` (then `code` is `None`).
    #[must_use]
    pub fn run_until_exit(&self, timeout: Duration) -> Ended {
        let log = self.dir.join("serve.err");
        let started = Instant::now();
        let mut child = self
            .command()
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start podium serve");
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break Some(s);
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Ended {
            code: status.and_then(|s| s.code()),
            stderr: std::fs::read_to_string(&log).unwrap_or_default(),
            took: started.elapsed(),
        }
    }

    /// Starts the daemon and waits until it answers on its socket.
    pub fn start(&mut self) {
        let log = crate::host::daemon_log(&self.dir);
        // Kept before waiting, so a daemon that never answers is stopped on drop.
        self.daemon = Some(self.command().stderr(log).spawn().expect("start podium serve"));
        let (podium, socket, log) = (self.podium.clone(), self.socket.clone(), self.dir.join("daemon.log"));
        let daemon = &mut self.daemon;
        wait_until(Duration::from_secs(15), "the standalone daemon answers", || {
            if let Some(Ok(Some(status))) = daemon.as_mut().map(Child::try_wait) {
                panic!(
                    "podium serve ended ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            Command::new(&podium)
                .arg("--socket")
                .arg(&socket)
                .args(["session", "list"])
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success())
        });
    }

    /// Stops the daemon with SIGTERM and waits for it; returns its exit status.
    pub fn stop(&mut self) -> Option<i32> {
        let mut c = self.daemon.take()?;
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(c.id()).unwrap_or(0)),
            nix::sys::signal::Signal::SIGTERM,
        );
        c.wait().ok()?.code()
    }

    /// Its log so far (of [`Standalone::start`]).
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("daemon.log")).unwrap_or_default()
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir(cgroup2_root().join(&self.cgroup_name));
        if let Some(v1) = pids_v1_root() {
            let _ = std::fs::remove_dir(v1.join(&self.cgroup_name));
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
