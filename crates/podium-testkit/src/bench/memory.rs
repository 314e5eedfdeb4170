//! Memory as a sizing guide counts it: PSS, the proportional set size, in
//! which each page a process shares is split between the processes that
//! map it. The PSS of every process of a session adds up to what that
//! session adds to the host, the libraries it shares with the other
//! sessions counted once across all of them; RSS would count Xfce's,
//! LibreOffice's and Firefox's libraries once per session.

use crate::procfs::Proc;

/// The value of a `Name:   1234 kB` line of a /proc file, in KiB.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().trim_end_matches("kB").trim().parse().ok())
}

/// PSS of process `pid` in KiB, from `/proc/PID/smaps_rollup` (which only
/// root may read for another user's process); `None` when it is gone.
#[must_use]
pub fn pss_kib(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    kib_field(&text, "Pss:")
}

/// What a set of processes holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// PSS in KiB.
    pub pss_kib: u64,
    /// Processes counted (those that ended while being read are not).
    pub processes: usize,
}

impl Held {
    /// The PSS of every process of `procs`.
    #[must_use]
    pub fn of<'p>(procs: impl IntoIterator<Item = &'p Proc>) -> Held {
        procs
            .into_iter()
            .filter_map(|p| pss_kib(p.pid))
            .fold(Held::default(), |h, kib| Held {
                pss_kib: h.pss_kib + kib,
                processes: h.processes + 1,
            })
    }

    /// Both sets together.
    #[must_use]
    pub fn plus(self, o: Held) -> Held {
        Held {
            pss_kib: self.pss_kib + o.pss_kib,
            processes: self.processes + o.processes,
        }
    }

    /// The PSS in MiB.
    #[must_use]
    pub fn mib(self) -> f64 {
        self.pss_kib as f64 / 1024.0
    }
}

/// The host's `MemAvailable` in KiB: what the kernel reckons it can give
/// new work without swapping (free memory plus the page cache and slab it
/// can reclaim).
#[must_use]
pub fn available_kib() -> u64 {
    kib_field(&meminfo(), "MemAvailable:").unwrap_or(0)
}

/// The host's RAM (`MemTotal`) in KiB.
#[must_use]
pub fn total_kib() -> u64 {
    kib_field(&meminfo(), "MemTotal:").unwrap_or(0)
}

fn meminfo() -> String {
    std::fs::read_to_string("/proc/meminfo").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pss_line_is_read_and_not_the_ones_that_look_like_it() {
        let rollup = "5581e000-7ffd0000 ---p 00000000 00:00 0    [rollup]\n\
                      Rss:               14480 kB\n\
                      Pss:                4021 kB\n\
                      Pss_Anon:           2048 kB\n\
                      Pss_File:           1973 kB\n";
        assert_eq!(kib_field(rollup, "Pss:"), Some(4021));
        assert_eq!(kib_field(rollup, "Swap:"), None);
        let meminfo = "MemTotal:       24683584 kB\nMemFree:         1152332 kB\nMemAvailable:   23218252 kB\n";
        assert_eq!(kib_field(meminfo, "MemAvailable:"), Some(23_218_252));
    }

    #[test]
    fn a_process_of_ours_holds_memory_and_a_gone_one_none() {
        let me = crate::procfs::Proc::read(i32::try_from(std::process::id()).expect("a pid")).expect("this process");
        let held = Held::of([&me]);
        assert_eq!(held.processes, 1);
        assert!(held.pss_kib > 0, "{held:?}");
        assert_eq!(pss_kib(i32::MAX), None);
        assert!(total_kib() >= available_kib() && available_kib() > 0);
    }
}
