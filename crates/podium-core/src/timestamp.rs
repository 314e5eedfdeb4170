//! Points in time as the API shows them: RFC 3339, UTC, whole seconds.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The instants RFC 3339 can write in UTC, in seconds since the Unix epoch:
/// `0000-01-01T00:00:00Z` to `9999-12-31T23:59:59Z`.
const RFC3339_UTC: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

/// A UTC instant that prints as `2026-11-24T09:00:00Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time, truncated to the second.
    #[must_use]
    pub fn now() -> Self {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// From seconds since the Unix epoch (how the registry stores times).
    #[must_use]
    pub fn from_unix(secs: i64) -> Self {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub fn unix(self) -> i64 {
        self.0
    }

    /// This instant plus `secs` seconds.
    #[must_use]
    pub fn plus_secs(self, secs: u64) -> Self {
        Timestamp(self.0.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)))
    }

    /// Parses RFC 3339 (any offset); `None` when the text is not a time, or
    /// is one that cannot be written back in UTC (`0000-01-01T00:00:00+01:00`
    /// is in the year -1).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(OffsetDateTime::unix_timestamp)
            .filter(|secs| RFC3339_UTC.contains(secs))
            .map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => {
                let (y, mo, d) = (t.year(), u8::from(t.month()), t.day());
                let (h, mi, s) = (t.hour(), t.minute(), t.second());
                write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            }
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {text:?}")))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339, UTC, whole seconds"))
            .examples(["2026-11-24T09:00:00Z"])
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_rfc3339_utc_whole_seconds() {
        let t = Timestamp::from_unix(1_795_510_800);
        assert_eq!(t.to_string(), "2026-11-24T09:00:00Z");
        assert_eq!(Timestamp::parse("2026-11-24T10:00:00+01:00"), Some(t));
    }

    /// An offset can move a time written in years 0000 or 9999 out of
    /// them, where it cannot be printed back.
    #[test]
    fn only_times_that_print_back_are_accepted() {
        for text in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:59:59+00:59",
        ] {
            let t = Timestamp::parse(text).expect("a time in range");
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t), "{text} printed as {t}");
        }
        assert_eq!(Timestamp::parse("0000-01-01T00:00:00+01:00"), None);
        assert_eq!(Timestamp::parse("9999-12-31T23:59:59-01:00"), None);
    }

    #[test]
    fn rejects_text_that_is_not_a_time() {
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert!(serde_json::from_str::<Timestamp>("\"12\"").is_err());
    }
}
