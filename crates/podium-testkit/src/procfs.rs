//! Looking at the host's real state: processes, their ids, groups and
//! cgroups, and listening TCP sockets.

use std::collections::HashSet;

/// One process, from `/proc/<pid>/{stat,status,cgroup,cmdline}`.
#[derive(Clone, Debug)]
pub struct Proc {
    /// Pid.
    pub pid: i32,
    /// Parent pid.
    pub ppid: i32,
    /// State letter (`R`, `S`, `Z` …).
    pub state: char,
    /// Real uid.
    pub uid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// cgroup v2 path (`0::` line).
    pub cgroup: String,
    /// Command line, space-joined.
    pub cmdline: String,
}

impl Proc {
    /// Reads a process; `None` if it is gone.
    #[must_use]
    pub fn read(pid: i32) -> Option<Proc> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (_, rest) = stat.rsplit_once(") ")?;
        let mut fields = rest.split(' ');
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let uid = field("Uid:")
            .split_whitespace()
            .next()
            .and_then(|u| u.parse().ok())
            .unwrap_or(u32::MAX);
        let groups = field("Groups:")
            .split_whitespace()
            .filter_map(|g| g.parse().ok())
            .collect();
        let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("0::").map(str::to_owned))
            .unwrap_or_default();
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Some(Proc {
            pid,
            ppid,
            state,
            uid,
            groups,
            cgroup,
            cmdline,
        })
    }
}

/// Every process on the host.
#[must_use]
pub fn all() -> Vec<Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(Proc::read)
        .collect()
}

/// Live (non-zombie) processes of `uid`.
#[must_use]
pub fn of_user(uid: u32) -> Vec<Proc> {
    all().into_iter().filter(|p| p.uid == uid && p.state != 'Z').collect()
}

/// Processes whose cgroup is `cgroup` or below it.
#[must_use]
pub fn in_cgroup(cgroup: &str) -> Vec<Proc> {
    all()
        .into_iter()
        .filter(|p| p.state != 'Z' && (p.cgroup == cgroup || p.cgroup.starts_with(&format!("{cgroup}/"))))
        .collect()
}

/// Every descendant of `pid` (children, grandchildren …), zombies included.
#[must_use]
pub fn descendants(pid: i32) -> Vec<Proc> {
    descendants_in(&all(), pid)
}

/// The descendants of `pid` among `procs` (one look at `/proc` serving
/// several counts).
#[must_use]
pub fn descendants_in(procs: &[Proc], pid: i32) -> Vec<Proc> {
    let mut found: HashSet<i32> = HashSet::from([pid]);
    let mut out = Vec::new();
    loop {
        let before = found.len();
        for p in procs {
            if found.contains(&p.ppid) && found.insert(p.pid) {
                out.push(p.clone());
            }
        }
        if found.len() == before {
            return out;
        }
    }
}

/// Socket inodes a process holds open.
#[must_use]
pub fn socket_inodes(pid: i32) -> HashSet<u64> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return HashSet::new();
    };
    dir.filter_map(|e| {
        let target = std::fs::read_link(e.ok()?.path()).ok()?;
        target
            .to_str()?
            .strip_prefix("socket:[")?
            .strip_suffix(']')?
            .parse()
            .ok()
    })
    .collect()
}

/// Inodes of TCP sockets in LISTEN state (IPv4 and IPv6).
#[must_use]
pub fn tcp_listen_inodes() -> HashSet<u64> {
    let mut out = HashSet::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in std::fs::read_to_string(file).unwrap_or_default().lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(3) == Some(&"0A")
                && let Some(inode) = cols.get(9).and_then(|i| i.parse().ok())
            {
                out.insert(inode);
            }
        }
    }
    out
}

/// This process's resident memory in KiB (nextest runs each test alone in
/// its process, so a test can see what it made the code under test hold).
#[must_use]
pub fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// The processes among `procs` that are not inside cgroup `cgroup` (a
/// `/proc/PID/cgroup` path) or one of its children.
#[must_use]
pub fn outside<'p>(procs: &'p [Proc], cgroup: &str) -> Vec<&'p Proc> {
    let prefix = format!("{cgroup}/");
    procs
        .iter()
        .filter(|p| p.cgroup != cgroup && !p.cgroup.starts_with(&prefix))
        .collect()
}
