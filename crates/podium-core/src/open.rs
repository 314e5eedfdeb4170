//! Open… (SPEC §5): a website or a program the administrator listed, on
//! the desktops a teacher chose. The request, the check of its URL, and
//! the list of programs the dashboard offers.
//!
//! Only `http` and `https` URLs are taken: they go, as one argument, to the
//! program that opens a URL in the user's browser, and a URL that starts
//! with `http://` can never be read as that program's option, a file or
//! another scheme's handler (`file:`, `javascript:`, `smb:`).

use crate::core_error::CoreError;
use crate::request::Targets;
use crate::session_ref::SessionRef;
use serde::{Deserialize, Serialize};

/// The longest URL accepted, in characters: more than any address a
/// teacher types or pastes, less than what makes a command line unwieldy.
pub const MAX_URL_LEN: usize = 2048;

/// The shape of a program's name: what the API, the CLI and the config use.
pub const PROGRAM_NAME_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,31}$";

/// The JSON-schema pattern of a URL [`check_url`] accepts: `http` or
/// `https` (any case), `://`, a non-empty host part, then anything without
/// spaces or control characters.
pub const URL_PATTERN: &str =
    "^[Hh][Tt][Tt][Pp][Ss]?://[^\\x00-\\x20\\x7f-\\x9f/?#]+([/?#][^\\x00-\\x20\\x7f-\\x9f]*)?$";

/// Body of `POST /api/v1/sessions/open`: which sessions, and exactly one
/// of `url` and `program`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    /// Session ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionRef>,
    /// Every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// A website to open in each user's default browser (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The name of a program the administrator listed (`GET /api/v1/programs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

/// What to open, once the request is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenWhat {
    /// A checked http or https URL.
    Url(String),
    /// The name of a listed program (whether it is listed is the host's to say).
    Program(String),
}

impl OpenWhat {
    /// How the audit log and the daemon's log name it: `url https://…` or
    /// `program calculator`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            OpenWhat::Url(u) => format!("url {u}"),
            OpenWhat::Program(p) => format!("program {p}"),
        }
    }
}

impl OpenRequest {
    /// Checks the body: its sessions (ids or `all`), and exactly one of a
    /// well-formed `url` or `program`.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn check(&self) -> Result<(Targets, OpenWhat), CoreError> {
        let what = match (&self.url, &self.program) {
            (Some(url), None) => {
                check_url(url)?;
                OpenWhat::Url(url.clone())
            }
            (None, Some(name)) => {
                if !is_program_name(name) {
                    return Err(CoreError::ProgramName(name.clone()));
                }
                OpenWhat::Program(name.clone())
            }
            _ => return Err(CoreError::OpenWhat),
        };
        let targets = crate::request::TargetsRequest {
            sessions: self.sessions.clone(),
            all: self.all,
            school: false,
        }
        .targets()?;
        Ok((targets, what))
    }
}

/// Whether `name` has the shape of a program's name (lower-case letters,
/// digits, `-` and `_`, at most 32, starting with a letter or digit).
#[must_use]
pub fn is_program_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 32
}

/// Checks that `url` is an http or https URL a browser can be given as
/// one argument: at most [`MAX_URL_LEN`] characters, no space or control
/// character, the scheme http or https, and a host part. The same rule as
/// [`URL_PATTERN`].
///
/// # Errors
/// [`CoreError::Url`] saying what is wrong.
pub fn check_url(url: &str) -> Result<(), CoreError> {
    let bad = |why: String| Err(CoreError::Url(why));
    if url.is_empty() {
        return bad("it is empty".into());
    }
    if url.chars().count() > MAX_URL_LEN {
        return bad(format!("it is longer than {MAX_URL_LEN} characters"));
    }
    if url.chars().any(|c| c.is_control() || c == ' ') {
        return bad("it holds a space or a control character".into());
    }
    let Some((scheme, rest)) = url.split_once("://").filter(|(s, _)| is_scheme(s)).or_else(|| {
        // "javascript:…", "mailto:…": a scheme without "//".
        url.split_once(':').filter(|(s, _)| is_scheme(s)).map(|(s, _)| (s, ""))
    }) else {
        return bad("it must start with http:// or https://".into());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return bad(format!(
            "only http:// and https:// addresses may be opened, not {}:",
            scheme.to_ascii_lowercase()
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || !url.contains("://") {
        return bad("it names no web site after the scheme".into());
    }
    Ok(())
}

/// Whether `s` is a URL scheme: a letter, then letters, digits, `+`, `-`, `.`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// One program of the administrator's list, as the dashboard shows it
/// (the command stays on the host).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInfo {
    /// The word the API and the CLI use.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,31}$")]
    pub name: String,
    /// What the dashboard shows.
    pub label: String,
    /// What the dashboard shows in French, when the administrator gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_fr: Option<String>,
}

/// Body of `GET /api/v1/programs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramList {
    /// In the config's order.
    pub programs: Vec<ProgramInfo>,
}

impl utoipa::PartialSchema for OpenRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Schema};
        let ids = serde_json::json!({
            "type": "array",
            "description": "Sessions of this host to act on.",
            "items": { "type": "integer", "format": "int64", "minimum": 0, "maximum": 4_294_967_295_u64 }
        });
        let url = serde_json::json!({
            "type": "string", "minLength": 1, "maxLength": MAX_URL_LEN, "pattern": URL_PATTERN,
            "description": "A website to open in each user's default browser: http:// or https:// only."
        });
        let program = serde_json::json!({
            "type": "string", "pattern": PROGRAM_NAME_PATTERN,
            "description": "A program the administrator listed (GET /api/v1/programs)."
        });
        let mut builder = OneOfBuilder::new().description(Some(
            "Either \"sessions\" or \"all\": true, and either \"url\" or \"program\".",
        ));
        for (target, sessions, all) in [("sessions", true, false), ("all", false, true)] {
            for (field, value) in [("url", &url), ("program", &program)] {
                let mut list = ids.clone();
                list[if sessions { "minItems" } else { "maxItems" }] = if sessions { 1 } else { 0 }.into();
                let object = serde_json::json!({
                    "type": "object",
                    "additionalProperties": false,
                    "required": [target, field],
                    "properties": {
                        "sessions": list,
                        "all": { "type": "boolean", "enum": [all],
                                 "description": "Every session the caller may act on, except their own." },
                        field: value,
                    }
                });
                let branch: Schema = serde_json::from_value(object).unwrap_or_default();
                builder = builder.item(branch);
            }
        }
        builder.into()
    }
}

impl utoipa::ToSchema for OpenRequest {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_pass() {
        for good in [
            "https://example.org",
            "http://example.org/a?b=c#d",
            "HTTPS://Example.org/",
            "https://élève.fr/café",
            "http://10.0.0.1:8080",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        let why = |u: &str| match check_url(u) {
            Err(CoreError::Url(w)) => w,
            other => panic!("{u}: {other:?}"),
        };
        assert!(why("ftp://example.org").contains("not ftp:"), "{}", why("ftp://x"));
        assert!(why("javascript:alert(1)").contains("not javascript:"));
        assert!(why("file:///etc/passwd").contains("not file:"));
        assert!(why("example.org").contains("must start with http"));
        assert!(why("https://").contains("names no web site"));
        assert!(why("https:///path").contains("names no web site"));
        assert!(why("https:example.org").contains("names no web site"));
        assert!(why("https://a b").contains("space"));
        assert!(why("https://a\u{7}b").contains("control"));
        assert!(why("https://a\nb").contains("control"));
        assert!(why(&format!("https://{}", "a".repeat(MAX_URL_LEN))).contains("longer"));
        assert!(why("").contains("empty"));
        assert!(why("-https://x").contains("must start with http"));
    }

    #[test]
    fn exactly_one_of_url_and_program() {
        let req = |url: Option<&str>, program: Option<&str>| OpenRequest {
            sessions: vec![SessionRef::here(3)],
            all: false,
            url: url.map(str::to_owned),
            program: program.map(str::to_owned),
        };
        assert_eq!(
            req(Some("https://x.org"), None).check(),
            Ok((Targets::Ids(vec![3]), OpenWhat::Url("https://x.org".into())))
        );
        assert_eq!(
            req(None, Some("calculator")).check(),
            Ok((Targets::Ids(vec![3]), OpenWhat::Program("calculator".into())))
        );
        assert_eq!(req(None, None).check(), Err(CoreError::OpenWhat));
        assert_eq!(
            req(Some("https://x.org"), Some("calculator")).check(),
            Err(CoreError::OpenWhat)
        );
        assert_eq!(
            req(None, Some("../bin/sh")).check(),
            Err(CoreError::ProgramName("../bin/sh".into()))
        );
        let none = OpenRequest {
            url: Some("https://x.org".into()),
            ..Default::default()
        };
        assert_eq!(none.check(), Err(CoreError::Targets));
        assert!(serde_json::from_str::<OpenRequest>(r#"{"all":true,"url":"https://x","school":true}"#).is_err());
    }

    #[test]
    fn the_schema_has_a_branch_per_target_and_thing() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(OpenRequest::schema()).expect("schema");
        let branches = schema["oneOf"].as_array().expect("oneOf");
        assert_eq!(branches.len(), 4);
        assert_eq!(branches[1]["required"], serde_json::json!(["sessions", "program"]));
        assert_eq!(branches[2]["properties"]["url"]["maxLength"], MAX_URL_LEN);
    }
}
