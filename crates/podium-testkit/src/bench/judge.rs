//! The targets a benchmark's figures are held to, and the verdict: each
//! benchmark returns its checks with its report, `podium-bench` prints
//! every verdict and exits non-zero naming what was missed. A figure that
//! could not be measured (no picture came, nothing was timed) is missed,
//! never met.

use std::fmt::Write as _;

/// Which side of its limit a figure must stay on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// At most this much.
    AtMost(f64),
    /// Less than this.
    Below(f64),
    /// At least this much.
    AtLeast(f64),
}

impl Bound {
    fn holds(self, v: f64) -> bool {
        match self {
            Bound::AtMost(l) => v <= l,
            Bound::Below(l) => v < l,
            Bound::AtLeast(l) => v >= l,
        }
    }

    /// A bound no real figure can meet, for checking that a missed target
    /// fails the run.
    #[must_use]
    pub fn impossible(self) -> Bound {
        match self {
            Bound::AtMost(_) | Bound::Below(_) => Bound::Below(0.0),
            Bound::AtLeast(_) => Bound::AtLeast(f64::INFINITY),
        }
    }

    fn words(self, unit: &str) -> String {
        let n = |v: f64| {
            if v.is_infinite() {
                "∞".to_owned()
            } else {
                format!("{}", (v * 1000.0).round() / 1000.0)
            }
        };
        match self {
            Bound::AtMost(l) => format!("≤ {}{unit}", n(l)),
            Bound::Below(l) => format!("< {}{unit}", n(l)),
            Bound::AtLeast(l) => format!("≥ {}{unit}", n(l)),
        }
    }
}

/// How this run judges: by the real targets, or by impossible ones (to
/// show that a missed target fails the run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Targets {
    /// SPEC §10's targets and the issues' figures.
    Real,
    /// Targets no figure can meet.
    Impossible,
}

/// One figure held to its target.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// What was measured.
    pub what: String,
    /// The figure; `None` when there was nothing to measure.
    pub value: Option<f64>,
    /// Its unit, written after numbers (" ms", " %", "×").
    pub unit: &'static str,
    /// The target.
    pub bound: Bound,
}

impl Check {
    /// A figure and its target, as `targets` judges it.
    #[must_use]
    pub fn new(
        what: impl Into<String>,
        value: Option<f64>,
        unit: &'static str,
        bound: Bound,
        targets: Targets,
    ) -> Check {
        let value = value.filter(|v| v.is_finite());
        Check {
            what: what.into(),
            value,
            unit,
            bound: match targets {
                Targets::Real => bound,
                Targets::Impossible => bound.impossible(),
            },
        }
    }

    /// Whether the figure exists and meets its target.
    #[must_use]
    pub fn met(&self) -> bool {
        self.value.is_some_and(|v| self.bound.holds(v))
    }

    /// "met", "MISSED" or "NO DATA".
    #[must_use]
    pub fn verdict(&self) -> &'static str {
        match self.value {
            None => "NO DATA",
            Some(_) if self.met() => "met",
            Some(_) => "MISSED",
        }
    }

    /// The figure in words.
    #[must_use]
    pub fn figure(&self) -> String {
        self.value.map_or_else(
            || "no data".to_owned(),
            |v| {
                let digits = if v.abs() >= 100.0 {
                    0
                } else if v.abs() >= 10.0 {
                    1
                } else {
                    2
                };
                format!("{v:.digits$}{}", self.unit)
            },
        )
    }

    /// One line for the terminal: `met  what: 1.20 ms (target ≤ 1.5 ms)`.
    #[must_use]
    pub fn line(&self) -> String {
        format!(
            "{:7} {}: {} (target {})",
            self.verdict(),
            self.what,
            self.figure(),
            self.bound.words(self.unit)
        )
    }
}

/// A benchmark's result: its section of the report, and its checks.
#[derive(Clone, Debug)]
pub struct Report {
    /// The section's name (`<!-- bench:NAME -->`).
    pub name: &'static str,
    /// The section's Markdown, targets table included.
    pub body: String,
    /// Every figure held to a target.
    pub checks: Vec<Check>,
}

/// The Markdown table of `checks`, for the end of a section.
#[must_use]
pub fn table(checks: &[Check]) -> String {
    let mut t = String::from("| target | figure | verdict |\n|---|---|---|\n");
    for c in checks {
        let _ = writeln!(
            t,
            "| {} {} | {} | **{}** |",
            c.what,
            c.bound.words(c.unit),
            c.figure(),
            c.verdict()
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_meet_or_miss_their_targets_and_no_data_is_a_miss() {
        let c = Check::new("cpu", Some(1.2), " ms", Bound::AtMost(1.5), Targets::Real);
        assert!(c.met());
        assert_eq!(c.line(), "met     cpu: 1.20 ms (target ≤ 1.5 ms)");
        let c = Check::new("ratio", Some(27.7), "×", Bound::AtLeast(40.0), Targets::Real);
        assert_eq!((c.met(), c.verdict()), (false, "MISSED"));
        let c = Check::new("latency", None, " ms", Bound::AtMost(1200.0), Targets::Real);
        assert_eq!(
            (c.met(), c.verdict(), c.figure().as_str()),
            (false, "NO DATA", "no data")
        );
        let c = Check::new("nan", Some(f64::NAN), " ms", Bound::AtMost(1.0), Targets::Real);
        assert_eq!(c.verdict(), "NO DATA", "a figure divided by nothing is no figure");
        assert!(Check::new("x", Some(0.0), " %", Bound::Below(1.0), Targets::Real).met());
        assert!(!Check::new("x", Some(1.0), " %", Bound::Below(1.0), Targets::Real).met());
    }

    #[test]
    fn impossible_targets_are_missed_by_every_figure() {
        for (v, b) in [
            (0.0, Bound::AtMost(1.5)),
            (0.0, Bound::Below(10.0)),
            (1e12, Bound::AtLeast(40.0)),
        ] {
            let c = Check::new("x", Some(v), "", b, Targets::Impossible);
            assert_eq!(c.verdict(), "MISSED", "{c:?}");
        }
        let t = table(&[Check::new("cpu", Some(1.0), " ms", Bound::AtMost(1.5), Targets::Real)]);
        assert!(t.contains("| cpu ≤ 1.5 ms | 1.00 ms | **met** |"), "{t}");
    }
}
