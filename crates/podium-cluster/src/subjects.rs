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

/// How a log off ended one of `host`'s sessions.
#[must_use]
pub fn ended(host: &str) -> String {
    format!("podium.host.{host}.ended")
}

/// Every host's log off endings.
pub const ALL_ENDED: &str = "podium.host.*.ended";

/// All hosts' load records.
pub const ALL_LOADS: &str = "podium.host.*.load";

/// Everything a host may publish under its own name.
#[must_use]
pub fn host_prefix(host: &str) -> String {
    format!("podium.host.{host}.>")
}

/// A picture of session `id` of `host`, of size `size`: sent only while
/// another host holds a lease on it, only when it changed, and never
/// kept by JetStream.
#[must_use]
pub fn picture(host: &str, id: u32, size: &str) -> String {
    format!("podium.host.{host}.picture.{id}.{size}")
}

/// Every host's pictures.
pub const ALL_PICTURES: &str = "podium.host.*.picture.>";

/// The host, session id and size a picture's subject names.
#[must_use]
pub fn parse_picture(subject: &str) -> Option<(&str, u32, &str)> {
    let mut parts = subject.split('.');
    let (Some("podium"), Some("host"), Some(host), Some("picture"), Some(id), Some(size), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some((host, id.parse().ok()?, size))
}

/// Where host `host` takes leases on its pictures.
#[must_use]
pub fn lease(host: &str) -> String {
    format!("podium.request.{host}.lease")
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

/// The JetStream stream of every host's audit records.
pub const AUDIT_STREAM: &str = "podium-audit";

/// Every host's audit records, as the stream takes them.
pub const ALL_AUDIT: &str = "podium.audit.>";

/// Where `host` publishes its audit records (only it may).
#[must_use]
pub fn audit_prefix(host: &str) -> String {
    format!("podium.audit.{host}.>")
}

/// The subject of `host`'s audit record number `id`: one subject per
/// record, which the stream keeps at most one message of.
#[must_use]
pub fn audit_record(host: &str, id: i64) -> String {
    format!("podium.audit.{host}.{id}")
}

/// The host and record number of a subject [`audit_record`] made.
#[must_use]
pub fn parse_audit_record(subject: &str) -> Option<(&str, i64)> {
    let rest = subject.strip_prefix("podium.audit.")?;
    let (host, id) = rest.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    (!host.is_empty() && id > 0).then_some((host, id))
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
        assert_eq!(parse_picture(&picture("b", 4, "small")), Some(("b", 4, "small")));
        assert_eq!(parse_picture("podium.host.b.picture.x.small"), None);
        assert_eq!(parse_picture("podium.host.b.picture.4.small.more"), None);
        assert_eq!(parse_picture("podium.host.b.load"), None);
        assert_eq!(parse_audit_record(&audit_record("room-12", 42)), Some(("room-12", 42)));
        for wrong in [
            "podium.audit.a",
            "podium.audit..3",
            "podium.audit.a.0",
            "podium.audit.a.b.3",
            "x.a.3",
        ] {
            assert_eq!(parse_audit_record(wrong), None, "{wrong}");
        }
        assert_eq!(audit_prefix("a"), "podium.audit.a.>");
    }
}
