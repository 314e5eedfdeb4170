//! Whole numbers as JSON Schema counts them: `3` and `3.0` alike, for
//! session ids and counts in request bodies.

use serde::{Deserialize, Deserializer, de::Error};

/// A JSON number as a session id or a count: whole, from 0 to `u32::MAX`
/// (`3.0` is 3, `2.5` is refused).
///
/// # Errors
/// Saying what the number should have been.
pub fn to_u32<E: Error>(n: &serde_json::Number) -> Result<u32, E> {
    let v = match n.as_u64() {
        Some(v) => Some(v),
        // Exact for every value a u32 can hold; the fractional check rules out 2.5.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        None => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
            .map(|f| f as u64),
    };
    v.and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| E::custom(format!("expected a whole number from 0 to {}, not {n}", u32::MAX)))
}

/// An optional whole number (`serde(deserialize_with)`).
///
/// # Errors
/// When it is given and not whole, or out of range.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?
        .as_ref()
        .map(to_u32)
        .transpose()
}
