//! Values of the configuration written as text: a screen size (`1280x800`)
//! and a length of time with units (`90s`, `1h30m`, `never`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A screen size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Pixels across.
    pub width: u16,
    /// Pixels down.
    pub height: u16,
}

impl fmt::Display for Geometry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl std::str::FromStr for Geometry {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected WIDTHxHEIGHT between 320x200 and 8192x8192, not {s:?}");
        let (w, h) = s.split_once('x').ok_or_else(bad)?;
        let width: u16 = w.parse().map_err(|_| bad())?;
        let height: u16 = h.parse().map_err(|_| bad())?;
        if !(320..=8192).contains(&width) || !(200..=8192).contains(&height) {
            return Err(bad());
        }
        Ok(Geometry { width, height })
    }
}

impl Serialize for Geometry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Geometry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A length of time written with units (`90s`, `30m`, `2h`, `1h30m`), or
/// `never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Every {
    /// Not at all.
    #[default]
    Never,
    /// After this many seconds (at least 1).
    Seconds(u64),
}

impl Every {
    /// The duration, unless it is `never`.
    #[must_use]
    pub fn duration(self) -> Option<std::time::Duration> {
        match self {
            Every::Never => None,
            Every::Seconds(s) => Some(std::time::Duration::from_secs(s)),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Every::Seconds(s) = *self else {
            return f.write_str("never");
        };
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if sec > 0 {
            write!(f, "{sec}s")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Every {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a time such as \"90s\", \"30m\", \"2h\", \"1h30m\" or \"never\", not {s:?}");
        let text = s.trim();
        if text == "never" {
            return Ok(Every::Never);
        }
        let (mut total, mut number, mut last_unit) = (0u64, None::<u64>, u8::MAX);
        for c in text.chars() {
            if let Some(d) = c.to_digit(10) {
                let n = number
                    .unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d)));
                number = Some(n.ok_or_else(bad)?);
                continue;
            }
            // Units in decreasing order, each at most once: 1h30m, not 30m1h.
            let (rank, scale) = match c {
                'h' => (0, 3600),
                'm' => (1, 60),
                's' => (2, 1),
                _ => return Err(bad()),
            };
            let n = number.take().ok_or_else(bad)?;
            if last_unit != u8::MAX && rank <= last_unit {
                return Err(bad());
            }
            last_unit = rank;
            total = n
                .checked_mul(scale)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(bad)?;
        }
        // A bare number has no unit: ambiguous, so refused.
        if number.is_some() || last_unit == u8::MAX || total == 0 || total > 366 * 24 * 3600 {
            return Err(bad());
        }
        Ok(Every::Seconds(total))
    }
}

impl Serialize for Every {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Every {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}
