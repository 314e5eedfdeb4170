//! cgroup v2 groups that hold every process of a session, so that nothing
//! started in a session can outlive its log off (`cgroup.kill`).
//!
//! Layout, under the cgroup v2 mount (found in `/proc/self/mountinfo`):
//!
//! ```text
//! <mount>/<name>/session-<id>/           pids.max when the v2 pids controller is there
//! <mount>/<name>/session-<id>/display    the Xvnc server
//! <mount>/<name>/session-<id>/desktop    every program of the user
//! ```
//!
//! When systemd delegates a cgroup to the daemon (`Delegate=yes` in
//! `podium.service`; systemd marks it with the `trusted.delegate` or
//! `user.delegate` attribute), Podium's subtree goes inside it instead, as
//! systemd expects, and the daemon moves itself (with its session workers)
//! into a `daemon` leaf, keeping the service's own cgroup free of
//! processes. It does so only where the process limit needs no v2
//! controller passed down from the service's cgroup (see `offers_pids`);
//! elsewhere the sessions stay under the cgroup root.
//!
//! ```text
//! /system.slice/podium.service/daemon                  the daemon, the session workers
//! /system.slice/podium.service/<name>/session-<id>/…   as above
//! ```
//!
//! Splitting display and desktop lets a log off ask the user's programs to
//! quit and wait for them while their display still runs. Every directory
//! is root's, so a user's process cannot move itself out. Where the pids
//! controller lives on cgroup v1 (hybrid hosts), the process limit is set
//! there instead, in `<v1 pids mount>/<name>/session-<id>`.

use crate::error::{HostError, Result};
use podium_core::SessionId;
use std::fs;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// One part of a session's cgroup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The X server.
    Display,
    /// Everything the user runs.
    Desktop,
}

impl Part {
    fn dir(self) -> &'static str {
        match self {
            Part::Display => "display",
            Part::Desktop => "desktop",
        }
    }
}

/// Where Podium's cgroups live on this host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    /// `<v2 mount>/<name>`, or `<delegated>/<name>`.
    pub base: PathBuf,
    /// The cgroup systemd delegated to the daemon's service, if any.
    pub delegated: Option<PathBuf>,
    /// `<v1 pids mount>/<name>` when the pids controller is on cgroup v1.
    pub pids_v1: Option<PathBuf>,
    /// Whether the v2 hierarchy offers the pids controller.
    pub pids_v2: bool,
}

/// Mount points of interest from `/proc/self/mountinfo` text.
#[derive(Debug, Default, PartialEq, Eq)]
struct Mounts {
    v2: Option<PathBuf>,
    pids_v1: Option<PathBuf>,
}

fn parse_mountinfo(text: &str) -> Mounts {
    let mut m = Mounts::default();
    for line in text.lines() {
        // `36 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:5 - cgroup cgroup rw,pids`
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let Some(mount_point) = left.split(' ').nth(4) else {
            continue;
        };
        let mut r = right.split(' ');
        let fstype = r.next().unwrap_or("");
        let super_opts = r.nth(1).unwrap_or("");
        let path = PathBuf::from(unescape_octal(mount_point));
        if fstype == "cgroup2" && m.v2.is_none() {
            m.v2 = Some(path);
        } else if fstype == "cgroup" && super_opts.split(',').any(|o| o == "pids") && m.pids_v1.is_none() {
            m.pids_v1 = Some(path);
        }
    }
    m
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && let Some(oct) = s.get(i + 1..i + 4)
            && let Ok(v) = u8::from_str_radix(oct, 8)
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Hierarchy {
    /// Finds the cgroup v2 mount (and a v1 pids mount, on hybrid hosts) and
    /// names Podium's subtree `name`.
    ///
    /// # Errors
    /// [`HostError::NoCgroup2`] when cgroup v2 is not mounted.
    pub fn discover(name: &str) -> Result<Hierarchy> {
        let text = fs::read_to_string("/proc/self/mountinfo").map_err(HostError::io("read", "/proc/self/mountinfo"))?;
        let mounts = parse_mountinfo(&text);
        let v2 = mounts.v2.ok_or(HostError::NoCgroup2)?;
        let own = fs::read_to_string("/proc/self/cgroup")
            .ok()
            .and_then(|t| own_cgroup(&v2, &t));
        let delegated = own.and_then(|own| delegated_root(&own)).filter(|root| {
            let usable = !offers_pids(root);
            if !usable {
                tracing::info!(
                    cgroup = %root.display(),
                    "systemd delegated a cgroup, but the sessions' process limit would need it to pass the pids \
                     controller down, which would keep the next daemon out of it: sessions stay under the cgroup root"
                );
            }
            usable
        });
        let top = delegated.as_ref().unwrap_or(&v2);
        let pids_v2 = offers_pids(top);
        Ok(Hierarchy {
            base: top.join(name),
            delegated,
            pids_v1: if pids_v2 {
                None
            } else {
                mounts.pids_v1.map(|p| p.join(name))
            },
            pids_v2,
        })
    }

    /// Creates Podium's subtree if needed, with the pids controller enabled
    /// for sessions when cgroup v2 has it.
    ///
    /// # Errors
    /// When the directories cannot be made.
    pub fn prepare(&self) -> Result<()> {
        if let Some(root) = &self.delegated {
            enter_daemon_leaf(root)?;
        }
        fs::create_dir_all(&self.base).map_err(HostError::io("create cgroup", &self.base))?;
        // Only outside a delegated cgroup (see `offers_pids`).
        if self.pids_v2 && self.delegated.is_none() {
            // Every ancestor up to the mount must pass the controller down.
            let mut chain = vec![self.base.clone()];
            while let Some(parent) = chain.last().and_then(|p| p.parent()).map(Path::to_path_buf) {
                if !parent.join("cgroup.subtree_control").exists() {
                    break;
                }
                chain.push(parent);
            }
            for dir in chain.iter().rev() {
                write_file(&dir.join("cgroup.subtree_control"), "+pids")?;
            }
        }
        if let Some(v1) = &self.pids_v1 {
            fs::create_dir_all(v1).map_err(HostError::io("create cgroup", v1))?;
        }
        Ok(())
    }

    /// The cgroup of session `id` (which may not exist yet).
    #[must_use]
    pub fn session(&self, id: SessionId) -> SessionCgroup {
        let leaf = format!("session-{id}");
        SessionCgroup {
            dir: self.base.join(&leaf),
            pids_v1: self.pids_v1.as_ref().map(|p| p.join(&leaf)),
            pids_v2: self.pids_v2,
        }
    }

    /// Ids of the session cgroups that exist (to find leftovers after a crash).
    #[must_use]
    pub fn existing_sessions(&self) -> Vec<SessionId> {
        let Ok(dir) = fs::read_dir(&self.base) else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("session-")?.parse().ok())
            .collect()
    }
}

/// The cgroup of one session.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionCgroup {
    /// `<base>/session-<id>`.
    pub dir: PathBuf,
    /// The v1 pids group, on hybrid hosts.
    pub pids_v1: Option<PathBuf>,
    /// Whether `pids.max` is set on `dir`.
    pub pids_v2: bool,
}

/// The leaf of a delegated cgroup that holds the daemon and its workers.
pub const DAEMON_LEAF: &str = "daemon";

/// The cgroup v2 path (`/a/b`) in `/proc/PID/cgroup` text: its `0::` line.
fn unified_path(proc_cgroup: &str) -> Option<&str> {
    proc_cgroup.lines().find_map(|l| l.strip_prefix("0::")).map(str::trim)
}

/// The daemon's own cgroup directory, from `/proc/self/cgroup` text.
fn own_cgroup(v2: &Path, proc_self_cgroup: &str) -> Option<PathBuf> {
    let rel = unified_path(proc_self_cgroup)?.trim_start_matches('/');
    if rel.split('/').any(|c| c == "..") {
        return None;
    }
    Some(if rel.is_empty() { v2.to_path_buf() } else { v2.join(rel) })
}

/// Whether the cgroup `dir` offers the v2 pids controller.
///
/// A delegated cgroup that does is not used: limiting sessions there would
/// mean enabling pids in the service's own `cgroup.subtree_control`, and
/// then systemd cannot put the next daemon into the service's cgroup while
/// the sessions (which outlive a restart, `KillMode=process`) are still
/// in it (EBUSY: systemd issue 24064; `DelegateSubgroup=` needs systemd 254).
#[must_use]
pub fn offers_pids(dir: &Path) -> bool {
    fs::read_to_string(dir.join("cgroup.controllers"))
        .unwrap_or_default()
        .split_whitespace()
        .any(|c| c == "pids")
}

/// Whether systemd marked `dir` as delegated to the service in it.
fn is_delegated(dir: &Path) -> bool {
    ["trusted.delegate", "user.delegate"]
        .iter()
        .any(|name| matches!(podium_sys::xattr::get(dir, name), Ok(Some(v)) if v == b"1"))
}

/// The delegated cgroup the daemon runs in: its own cgroup, or the parent
/// of the `daemon` leaf a previous start moved it into.
fn delegated_root(own: &Path) -> Option<PathBuf> {
    if is_delegated(own) {
        return Some(own.to_path_buf());
    }
    let parent = own.parent()?;
    (own.file_name()? == DAEMON_LEAF && is_delegated(parent)).then(|| parent.to_path_buf())
}

/// Moves every process of the delegated cgroup `root` (the daemon, and
/// workers an older version left there) into its `daemon` leaf.
fn enter_daemon_leaf(root: &Path) -> Result<()> {
    let leaf = root.join(DAEMON_LEAF);
    fs::create_dir_all(&leaf).map_err(HostError::io("create cgroup", &leaf))?;
    let procs = root.join("cgroup.procs");
    let text = fs::read_to_string(&procs).map_err(HostError::io("read", &procs))?;
    let target = leaf.join("cgroup.procs");
    for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
        match write_file(&target, &pid.to_string()) {
            Ok(()) => {}
            // It ended in the meantime.
            Err(_) if !Path::new(&format!("/proc/{pid}")).exists() => {}
            Err(e) => return Err(e),
        }
    }
    tracing::info!(cgroup = %root.display(), "running in the cgroup systemd delegated; sessions go under it");
    Ok(())
}

/// Whether `pid` is (still) a member of the cgroup directory `dir`.
fn process_in(pid: i32, dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
        return false;
    };
    let Some(rel) = unified_path(&text) else {
        return false;
    };
    dir.to_string_lossy().ends_with(rel)
}

fn write_file(path: &Path, value: &str) -> Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(HostError::io("open", path))?;
    f.write_all(value.as_bytes()).map_err(HostError::io("write", path))
}

impl SessionCgroup {
    /// Makes the session's groups and sets its process limit.
    ///
    /// # Errors
    /// When a directory cannot be made or the limit not set.
    pub fn create(&self, max_processes: u32) -> Result<()> {
        for part in [Part::Display, Part::Desktop] {
            let d = self.dir.join(part.dir());
            fs::create_dir_all(&d).map_err(HostError::io("create cgroup", &d))?;
        }
        if self.pids_v2 {
            write_file(&self.dir.join("pids.max"), &max_processes.to_string())?;
        }
        if let Some(v1) = &self.pids_v1 {
            fs::create_dir_all(v1).map_err(HostError::io("create cgroup", v1))?;
            write_file(&v1.join("pids.max"), &max_processes.to_string())?;
        }
        Ok(())
    }

    /// Whether the session's cgroup exists.
    #[must_use]
    pub fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    /// Open `cgroup.procs` files a child writes `0` into to join `part`
    /// (and the v1 pids group).
    ///
    /// # Errors
    /// When a file cannot be opened.
    pub fn join_fds(&self, part: Part) -> Result<Vec<OwnedFd>> {
        let mut paths = vec![self.dir.join(part.dir()).join("cgroup.procs")];
        if let Some(v1) = &self.pids_v1 {
            paths.push(v1.join("cgroup.procs"));
        }
        paths
            .iter()
            .map(|p| {
                fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .map(OwnedFd::from)
                    .map_err(HostError::io("open", p))
            })
            .collect()
    }

    /// Pids in `part` now.
    #[must_use]
    pub fn pids(&self, part: Part) -> Vec<i32> {
        let path = self.dir.join(part.dir()).join("cgroup.procs");
        fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    /// Pids of the whole session (display and desktop).
    #[must_use]
    pub fn all_pids(&self) -> Vec<i32> {
        let mut p = self.pids(Part::Display);
        p.extend(self.pids(Part::Desktop));
        p
    }

    /// Sends `sig` to every process now in `part` and returns their pids.
    /// Each process is pinned with a pidfd and checked to still be in the
    /// group before it is signalled, so a recycled pid is never hit.
    pub fn signal(&self, part: Part, sig: nix::sys::signal::Signal, skip: &std::collections::HashSet<i32>) -> Vec<i32> {
        let dir = self.dir.join(part.dir());
        let mut sent = Vec::new();
        for pid in self.pids(part) {
            if skip.contains(&pid) {
                continue;
            }
            let Ok(fd) = podium_sys::pidfd::Pidfd::open(pid) else {
                continue;
            };
            if !process_in(pid, &dir) {
                continue;
            }
            if fd.signal(sig).is_ok() {
                sent.push(pid);
            }
        }
        sent
    }

    /// Whether any process is left in `part` (read from `cgroup.events`,
    /// which counts processes in child groups too). A missing group is empty.
    #[must_use]
    pub fn populated(&self, part: Part) -> bool {
        let path = self.dir.join(part.dir()).join("cgroup.events");
        fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim() == "populated 1"))
    }

    /// Sends SIGKILL to every process in `part` at once, forks in flight included.
    ///
    /// # Errors
    /// When `cgroup.kill` cannot be written (kernels before 5.14 lack it).
    pub fn kill(&self, part: Part) -> Result<()> {
        let d = self.dir.join(part.dir());
        if !d.is_dir() {
            return Ok(());
        }
        write_file(&d.join("cgroup.kill"), "1")
    }

    /// Removes the (empty) groups. Missing ones are fine.
    ///
    /// # Errors
    /// When a group still has processes or cannot be removed.
    pub fn remove(&self) -> Result<()> {
        for d in [
            self.dir.join(Part::Display.dir()),
            self.dir.join(Part::Desktop.dir()),
            self.dir.clone(),
        ]
        .iter()
        .chain(self.pids_v1.iter())
        {
            match fs::remove_dir(d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(HostError::Io {
                        what: "remove cgroup",
                        path: d.clone(),
                        source: e,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn finds_the_v2_mount_and_v1_pids_on_a_hybrid_host() {
        let m = parse_mountinfo(HYBRID);
        assert_eq!(m.v2, Some(PathBuf::from("/sys/fs/cgroup/unified")));
        assert_eq!(m.pids_v1, Some(PathBuf::from("/sys/fs/cgroup/pids")));
    }

    #[test]
    fn finds_a_pure_v2_host_with_optional_fields() {
        let m = parse_mountinfo("30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
        assert_eq!(m.v2, Some(PathBuf::from("/sys/fs/cgroup")));
        assert_eq!(m.pids_v1, None);
        assert_eq!(parse_mountinfo("garbage\n\n- -\n"), Mounts::default());
    }

    #[test]
    fn the_daemons_own_cgroup_is_read_from_the_unified_line() {
        let v2 = Path::new("/sys/fs/cgroup");
        let hybrid = "4:memory:/x\n0::/system.slice/podium.service\n1:cpu:/\n";
        assert_eq!(
            own_cgroup(v2, hybrid),
            Some(PathBuf::from("/sys/fs/cgroup/system.slice/podium.service"))
        );
        assert_eq!(own_cgroup(v2, "0::/\n"), Some(PathBuf::from("/sys/fs/cgroup")));
        assert_eq!(own_cgroup(v2, "1:name=systemd:/\n"), None, "no unified line");
        assert_eq!(own_cgroup(v2, "0::/a/../../etc\n"), None);
        // Not delegated: no attribute on a plain directory, or no directory.
        assert_eq!(delegated_root(&std::env::temp_dir()), None);
        assert_eq!(delegated_root(Path::new("/nonexistent/podium.service/daemon")), None);
    }

    #[test]
    fn the_pids_controller_is_read_from_cgroup_controllers() {
        let dir = std::env::temp_dir().join(format!("podium-cgroup-test-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        assert!(!offers_pids(&dir), "no file: no controller");
        fs::write(dir.join("cgroup.controllers"), "cpu io memory pids\n").expect("write");
        assert!(offers_pids(&dir));
        fs::write(dir.join("cgroup.controllers"), "hugetlb pidsx\n").expect("write");
        assert!(!offers_pids(&dir));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn mount_points_with_spaces_are_unescaped() {
        assert_eq!(unescape_octal(r"/mnt/a\040b"), "/mnt/a b");
        assert_eq!(unescape_octal(r"/x\"), r"/x\");
    }
}
