//! Who is logged in: the body of `GET /api/v1/me`, and of a login.

use crate::Role;
use serde::{Deserialize, Serialize};

/// Who the server thinks the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Me {
    /// Login name.
    pub user: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// The host answering, when it is part of a school's cluster: the
    /// dashboard names its own sessions by id and other hosts' by
    /// `HOST/ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The answer to `POST /api/v1/auth/login`: who logged in, as [`Me`]
/// says; and, when the login opens a station on a host of a school's
/// cluster and the user's desktop is to be shown by another host, where
/// the browser goes instead (no cookie is set here then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginAnswer {
    /// Login name.
    pub user: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// The host answering, when it is part of a school's cluster (as
    /// [`Me::host`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Where the login goes on: the host that runs the user's session, or
    /// the one with the most room. Absent when the login is this host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<Handoff>,
}

/// A login handed to another host of the school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    /// The host's name in the school.
    pub host: String,
    /// Where the browser goes: that host's `GET /api/v1/auth/handoff`,
    /// with a one-time token good for 30 s, which logs the user in there.
    pub url: String,
}

impl LoginAnswer {
    /// The answer for a login kept on this host.
    #[must_use]
    pub fn here(me: Me) -> LoginAnswer {
        LoginAnswer {
            user: me.user,
            full_name: me.full_name,
            role: me.role,
            host: me.host,
            handoff: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_kept_here_answers_as_me_did() {
        let me = Me {
            user: "marie".into(),
            full_name: "Marie Curie".into(),
            role: Role::Standard,
            host: Some("a".into()),
        };
        let here = serde_json::to_value(LoginAnswer::here(me.clone())).expect("json");
        assert_eq!(here, serde_json::to_value(&me).expect("json"));
        let handed = LoginAnswer {
            handoff: Some(Handoff {
                host: "b".into(),
                url: "https://b:8443/api/v1/auth/handoff?token=t".into(),
            }),
            ..LoginAnswer::here(me)
        };
        let text = serde_json::to_string(&handed).expect("json");
        assert!(
            text.ends_with(r#","host":"a","handoff":{"host":"b","url":"https://b:8443/api/v1/auth/handoff?token=t"}}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<LoginAnswer>(&text).expect("reads back"), handed);
    }
}
