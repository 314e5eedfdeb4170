//! A count of everything a session can leave behind on the host — the
//! daemon's file descriptors, memory and threads, session cgroups, display
//! servers and their sockets, workers, runtime directories and zombies —
//! taken before and after a load, so a leak shows as a difference.

use crate::{Kit, procfs};
use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt as _;

/// What was counted, at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    /// Open file descriptors of the daemon.
    pub fds: usize,
    /// Threads of the daemon.
    pub threads: usize,
    /// Resident memory of the daemon, KiB.
    pub rss_kib: u64,
    /// Session cgroups under the daemon's cgroup.
    pub cgroups: usize,
    /// `Xvnc` processes in the daemon's cgroups.
    pub displays: usize,
    /// X server sockets in /tmp/.X11-unix owned by the sessions' users.
    pub x_sockets: usize,
    /// Session workers under the daemon.
    pub workers: usize,
    /// Session runtime directories.
    pub run_dirs: usize,
    /// Zombies among the daemon's descendants and the sessions' users.
    pub zombies: usize,
}

fn count_dir(path: &std::path::Path, keep: impl Fn(&str) -> bool) -> usize {
    std::fs::read_dir(path).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| keep(&e.file_name().to_string_lossy()))
            .count()
    })
}

impl Census {
    /// Counts now, for the daemon of `kit` and sessions of the users `uids`.
    #[must_use]
    pub fn take(kit: &Kit, uids: &[u32]) -> Census {
        let pid = kit.daemon_pid();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let threads = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:")?.trim().parse().ok())
            .unwrap_or(0);
        let cgroup = format!("/{}/", kit.cgroup_name);
        let all = procfs::all();
        let descendants = procfs::descendants_in(&all, pid);
        Census {
            fds: count_dir(std::path::Path::new(&format!("/proc/{pid}/fd")), |_| true),
            threads,
            rss_kib: super::rss_kib(pid),
            cgroups: count_dir(&crate::host::cgroup2_root().join(&kit.cgroup_name), |n| {
                n.starts_with("session-")
            }),
            displays: all
                .iter()
                .filter(|p| p.state != 'Z' && p.cgroup.starts_with(&cgroup) && p.cmdline.starts_with("Xvnc"))
                .count(),
            x_sockets: std::fs::read_dir("/tmp/.X11-unix").map_or(0, |d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.metadata().is_ok_and(|m| uids.contains(&m.uid())))
                    .count()
            }),
            workers: descendants
                .iter()
                .filter(|p| p.state != 'Z' && p.cmdline.contains("session-worker"))
                .count(),
            run_dirs: count_dir(&kit.dir.join("run"), |n| n.starts_with("session-")),
            zombies: descendants
                .iter()
                .chain(all.iter().filter(|p| uids.contains(&p.uid)))
                .filter(|p| p.state == 'Z')
                .map(|p| p.pid)
                .collect::<std::collections::HashSet<_>>()
                .len(),
        }
    }

    /// The leak-relevant counts that differ from `before` (memory is
    /// reported apart: it moves for reasons other than leaks).
    #[must_use]
    pub fn leaks_since(&self, before: &Census) -> Vec<String> {
        let pairs = [
            ("daemon fds", before.fds, self.fds),
            ("daemon threads", before.threads, self.threads),
            ("session cgroups", before.cgroups, self.cgroups),
            ("Xvnc processes", before.displays, self.displays),
            ("X sockets", before.x_sockets, self.x_sockets),
            ("workers", before.workers, self.workers),
            ("runtime dirs", before.run_dirs, self.run_dirs),
            ("zombies", before.zombies, self.zombies),
        ];
        pairs
            .iter()
            .filter(|(_, a, b)| b > a)
            .map(|(what, a, b)| format!("{what} {a} → {b}"))
            .collect()
    }

    /// A Markdown table of `rows` (label, census).
    #[must_use]
    pub fn table(rows: &[(&str, Census)]) -> String {
        let mut t = String::from(
            "| when | daemon fds | threads | daemon RSS | session cgroups | Xvnc | X sockets | workers | runtime dirs | zombies |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
        );
        for (label, c) in rows {
            let _ = writeln!(
                t,
                "| {label} | {} | {} | {:.1} MiB | {} | {} | {} | {} | {} | {} |",
                c.fds,
                c.threads,
                c.rss_kib as f64 / 1024.0,
                c.cgroups,
                c.displays,
                c.x_sockets,
                c.workers,
                c.run_dirs,
                c.zombies
            );
        }
        t
    }
}

/// Removes what earlier runs left on the host that a census would count:
/// X server sockets and lock files no running server holds, and runtime
/// directories of accounts that are gone. How many were removed.
#[must_use]
pub fn clean_stale() -> usize {
    let mut removed = 0;
    for e in std::fs::read_dir("/tmp/.X11-unix").into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(n) = name.strip_prefix('X').and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let lock = std::path::PathBuf::from(format!("/tmp/.X{n}-lock"));
        let holder = std::fs::read_to_string(&lock)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok());
        let served =
            holder.is_some_and(crate::system::alive) || std::os::unix::net::UnixStream::connect(e.path()).is_ok();
        if !served {
            removed += usize::from(std::fs::remove_file(e.path()).is_ok());
            removed += usize::from(std::fs::remove_file(&lock).is_ok());
        }
    }
    for e in std::fs::read_dir("/run/user").into_iter().flatten().flatten() {
        let Some(uid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let gone = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).is_ok_and(|u| u.is_none());
        if gone && std::fs::remove_dir_all(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// User + system CPU seconds a process has used.
#[must_use]
pub fn cpu_seconds(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which ends at the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // /proc counts in USER_HZ, which Linux fixes at 100 for user space.
    let hz = 100;
    // utime and stime are the 14th and 15th fields; `rest` starts at the 3rd.
    (ticks(11) + ticks(12)) as f64 / f64::from(hz)
}
