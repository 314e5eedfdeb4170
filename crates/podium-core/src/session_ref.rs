//! A session anywhere in the school: `3` is session 3 of the host asked,
//! `b/3` is session 3 of host `b`. In JSON the first is a number, as on a
//! single host, the second a string.

use crate::session::SessionId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A session of this host or of another host of the school.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionRef {
    /// The host, when not the one asked.
    pub host: Option<String>,
    /// The session's id on its host.
    pub id: SessionId,
}

impl SessionRef {
    /// Session `id` of the host asked.
    #[must_use]
    pub fn here(id: SessionId) -> SessionRef {
        SessionRef { host: None, id }
    }

    /// Session `id` of `host`.
    #[must_use]
    pub fn on(host: &str, id: SessionId) -> SessionRef {
        SessionRef {
            host: Some(host.to_owned()),
            id,
        }
    }

    /// The host that owns it, taking `here` for a reference without one.
    #[must_use]
    pub fn host_or<'a>(&'a self, here: &'a str) -> &'a str {
        self.host.as_deref().unwrap_or(here)
    }
}

impl std::fmt::Display for SessionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.host {
            Some(h) => write!(f, "{h}/{}", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

impl std::str::FromStr for SessionRef {
    type Err = String;

    fn from_str(text: &str) -> Result<SessionRef, String> {
        let id = |t: &str| {
            t.parse::<SessionId>()
                .map_err(|_| format!("{text:?} is not a session: give ID or HOST/ID"))
        };
        match text.split_once('/') {
            None => Ok(SessionRef::here(id(text)?)),
            Some((host, n)) => {
                crate::config::check_host_name(host).map_err(|why| format!("{text:?}: the host {why}"))?;
                Ok(SessionRef::on(host, id(n)?))
            }
        }
    }
}

impl Serialize for SessionRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.host {
            None => s.serialize_u32(self.id),
            Some(_) => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for SessionRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SessionRef, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => crate::whole::to_u32(&n).map(SessionRef::here),
            serde_json::Value::String(t) if t.contains('/') => t.parse().map_err(D::Error::custom),
            serde_json::Value::String(t) => Err(D::Error::custom(format!(
                "{t:?}: a session of the host asked is a number; a string names another host's, \"HOST/ID\""
            ))),
            other => Err(D::Error::custom(format!(
                "expected a session id (a number, or \"HOST/ID\"), not {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_both_forms() {
        let refs: Vec<SessionRef> = serde_json::from_str(r#"[3, "room-12/4", 5.0]"#).expect("parses");
        assert_eq!(
            refs,
            vec![SessionRef::here(3), SessionRef::on("room-12", 4), SessionRef::here(5)]
        );
        assert_eq!(serde_json::to_string(&refs).expect("json"), r#"[3,"room-12/4",5]"#);
        for bad in [
            r#""x""#,
            r#""Room/3""#,
            r#""a/-1""#,
            r#""a/""#,
            "2.5",
            "true",
            r#""a/3/4""#,
        ] {
            assert!(serde_json::from_str::<SessionRef>(bad).is_err(), "{bad}");
        }
        assert_eq!("b/7".parse::<SessionRef>().map(|r| r.to_string()), Ok("b/7".into()));
    }
}
