//! Where each thing goes on NATS. One place, because the NATS servers'
//! permissions ([`crate::permissions`]) must match these names exactly.

/// The key-value bucket holding a copy of every host's sessions.
pub const SESSIONS_BUCKET: &str = "podium-sessions";

/// Every host's heartbeat and load record, every 2 s, on a plain subject:
/// JetStream's leader elections must not make a host look dead.
#[must_use]
pub fn load(host: &str) -> String {
    format!("podium.host.{host}.load")
}

/// All hosts' load records.
pub const ALL_LOADS: &str = "podium.host.*.load";

/// Everything a host may publish under its own name.
#[must_use]
pub fn host_prefix(host: &str) -> String {
    format!("podium.host.{host}.>")
}

/// A session's key in [`SESSIONS_BUCKET`].
#[must_use]
pub fn session_key(host: &str, id: u32) -> String {
    format!("{host}.{id}")
}

/// The host and session id of a key in [`SESSIONS_BUCKET`].
#[must_use]
pub fn parse_session_key(key: &str) -> Option<(&str, u32)> {
    let (host, id) = key.split_once('.')?;
    Some((host, id.parse().ok()?))
}

/// The subject a key-value put to `host`'s keys goes to.
#[must_use]
pub fn session_keys_subject(host: &str) -> String {
    format!("$KV.{SESSIONS_BUCKET}.{host}.>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back() {
        assert_eq!(parse_session_key(&session_key("room-12", 7)), Some(("room-12", 7)));
        assert_eq!(parse_session_key("a.b"), None);
        assert_eq!(parse_session_key("a"), None);
        assert_eq!(session_keys_subject("a"), "$KV.podium-sessions.a.>");
    }
}
