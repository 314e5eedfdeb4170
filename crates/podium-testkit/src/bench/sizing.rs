//! How many pupils fit on a host, from what one pupil's session costs,
//! said the way a MultiPoint Server or Remote Desktop Services sizing
//! guide says it: memory bounds the count at (RAM − the host's reserve) /
//! memory per session; CPU bounds it at the cores' usable share / (a
//! session's idle CPU + the share of pupils typing × what a typing pupil
//! adds); the host fits the smaller of the two.

/// Memory kept for the host itself: the system, the daemon's base and the
/// page cache that keeps the applications' files from being read again.
pub const RESERVE_GIB: f64 = 2.0;

/// The share of the cores the sessions may use on average; the rest takes
/// the bursts (an application starting, a page loading) without every
/// pupil waiting.
pub const USABLE_CPU: f64 = 0.75;

/// The share of pupils typing at any moment, each at the benchmark's
/// 5 characters a second (a fast typist's pace).
pub const TYPING_DUTY: f64 = 0.5;

/// The host being sized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Host {
    /// RAM, GiB.
    pub ram_gib: f64,
    /// CPU cores.
    pub cores: f64,
}

/// What one pupil's session costs, as measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// Memory per session, MiB: its processes' PSS and its share of the
    /// daemon's and the session workers'.
    pub memory_mib: f64,
    /// CPU of one idle session, % of one core, its share of the daemon's
    /// included.
    pub idle_percent: f64,
    /// What one pupil typing adds to that, % of one core.
    pub typing_percent: f64,
}

/// How many pupils fit, by each bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Sessions the memory holds.
    pub by_memory: u32,
    /// Sessions the CPU carries.
    pub by_cpu: u32,
}

/// `v` rounded down to a count (`as` saturates: a figure near zero gives
/// a huge count, never a wrapped one).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn count(v: f64) -> u32 {
    v.floor() as u32
}

impl Fit {
    /// The counts for `cost` on `host`; `None` when a figure is missing,
    /// not a number, or not above zero (a session that costs nothing
    /// measured nothing).
    #[must_use]
    pub fn of(host: Host, cost: Cost) -> Option<Fit> {
        let demand = cost.idle_percent + TYPING_DUTY * cost.typing_percent;
        let measured = [cost.memory_mib, cost.idle_percent, cost.typing_percent]
            .iter()
            .all(|v| v.is_finite() && *v >= 0.0);
        if !measured || cost.memory_mib <= 0.0 || demand <= 0.0 {
            return None;
        }
        Some(Fit {
            by_memory: count(((host.ram_gib - RESERVE_GIB) * 1024.0 / cost.memory_mib).max(0.0)),
            by_cpu: count(host.cores * 100.0 * USABLE_CPU / demand),
        })
    }

    /// The pupils the host fits: the smaller bound.
    #[must_use]
    pub fn pupils(self) -> u32 {
        self.by_memory.min(self.by_cpu)
    }

    /// Which resource runs out first.
    #[must_use]
    pub fn bound_by(self) -> &'static str {
        if self.by_cpu < self.by_memory { "CPU" } else { "memory" }
    }
}

/// The sizing sentence and the rule with its figures, in Markdown, for a
/// host that runs `workload`.
#[must_use]
pub fn rule(host: Host, cost: Cost, workload: &str) -> String {
    let Some(fit) = Fit::of(host, cost) else {
        return "No sizing: a session's memory or CPU was not measured.".to_owned();
    };
    let demand = cost.idle_percent + TYPING_DUTY * cost.typing_percent;
    let usable = host.cores * 100.0 * USABLE_CPU;
    let spare = if fit.bound_by() == "memory" {
        format!(
            "At {} sessions the CPU has {:.2} % of one core to spare per session, for what is not measured here.",
            fit.by_memory,
            usable / f64::from(fit.by_memory.max(1)) - demand
        )
    } else {
        format!(
            "At {} sessions the memory has {:.0} MiB to spare per session.",
            fit.by_cpu,
            (host.ram_gib - RESERVE_GIB) * 1024.0 / f64::from(fit.by_cpu.max(1)) - cost.memory_mib
        )
    };
    format!(
        "**A host of this size ({cores} cores, {ram:.0} GiB) fits about {n} pupils** with {workload}; \
         {bound} runs out first.\n\n\
         - memory: ({ram:.1} GiB of RAM − {RESERVE_GIB:.0} GiB for the host) / {mem:.0} MiB per session = **{m}** sessions\n\
         - CPU: {cores} cores × {usable_share:.0} % usable / ({idle:.2} % idle per session + {duty:.0} % of the pupils \
         typing × {typing:.2} % per typing pupil) = **{c}** sessions\n\n\
         {spare}\n",
        cores = host.cores,
        ram = host.ram_gib,
        n = fit.pupils(),
        bound = fit.bound_by(),
        mem = cost.memory_mib,
        m = fit.by_memory,
        usable_share = USABLE_CPU * 100.0,
        idle = cost.idle_percent,
        duty = TYPING_DUTY * 100.0,
        typing = cost.typing_percent,
        c = fit.by_cpu,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: Host = Host {
        ram_gib: 24.0,
        cores: 2.0,
    };

    #[test]
    fn the_smaller_of_the_memory_and_the_cpu_bound_is_the_capacity() {
        // (24 − 2) GiB / 704 MiB = 32; 150 % / (0.5 % + 0.5 × 9 %) = 30.
        let cost = Cost {
            memory_mib: 704.0,
            idle_percent: 0.5,
            typing_percent: 9.0,
        };
        let fit = Fit::of(HOST, cost).expect("measured");
        assert_eq!(
            fit,
            Fit {
                by_memory: 32,
                by_cpu: 30
            }
        );
        assert_eq!((fit.pupils(), fit.bound_by()), (30, "CPU"));
        let rule = rule(HOST, cost, "Xfce");
        assert!(rule.contains("fits about 30 pupils"), "{rule}");
        assert!(
            rule.contains("= **32** sessions") && rule.contains("= **30** sessions"),
            "{rule}"
        );
        let heavy = Cost {
            memory_mib: 2048.0,
            ..cost
        };
        assert_eq!(
            Fit::of(HOST, heavy).map(|f| (f.pupils(), f.bound_by())),
            Some((11, "memory"))
        );
    }

    #[test]
    fn nothing_measured_sizes_nothing() {
        let cost = Cost {
            memory_mib: 700.0,
            idle_percent: 0.5,
            typing_percent: 9.0,
        };
        for bad in [
            Cost {
                memory_mib: 0.0,
                ..cost
            },
            Cost {
                idle_percent: f64::NAN,
                ..cost
            },
            Cost {
                idle_percent: 0.0,
                typing_percent: 0.0,
                ..cost
            },
            Cost {
                typing_percent: -1.0,
                ..cost
            },
        ] {
            assert_eq!(Fit::of(HOST, bad), None, "{bad:?}");
        }
        assert!(
            rule(
                HOST,
                Cost {
                    memory_mib: 0.0,
                    ..cost
                },
                "Xfce"
            )
            .starts_with("No sizing")
        );
        let tiny = Host {
            ram_gib: 1.0,
            cores: 2.0,
        };
        assert_eq!(
            Fit::of(tiny, cost).map(Fit::pupils),
            Some(0),
            "a host smaller than its reserve fits nobody"
        );
    }
}
