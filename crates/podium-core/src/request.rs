//! Request bodies shared by the HTTP API and the CLI.

use crate::core_error::CoreError;
use crate::limits::{MAX_COMMAND_LEN, MAX_GRACE_SECONDS, MAX_MESSAGE_LEN, MAX_PASSWORD_LEN};
use crate::session::SessionId;
use crate::session_ref::SessionRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which sessions an action aims at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// These ids, each reported on even if it does not exist. Duplicates
    /// are folded so a session is never acted on twice.
    Ids(Vec<SessionId>),
    /// Every session the caller may act on, minus their own.
    All,
}

fn targets(sessions: &[SessionRef], all: bool, school: bool) -> Result<Targets, CoreError> {
    if school && !all {
        return Err(CoreError::Targets);
    }
    if let Some(other) = sessions.iter().find(|r| r.host.is_some()) {
        return Err(CoreError::OtherHost(other.to_string()));
    }
    match (sessions.is_empty(), all) {
        (false, false) => {
            let mut seen = BTreeSet::new();
            Ok(Targets::Ids(
                sessions.iter().map(|r| r.id).filter(|id| seen.insert(*id)).collect(),
            ))
        }
        (true, true) => Ok(Targets::All),
        _ => Err(CoreError::Targets),
    }
}

/// Body of `POST /api/v1/sessions/logoff`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogoffRequest {
    /// Session ids to log off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionRef>,
    /// Log off every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// With `all`: the sessions of every host of the school, not only of
    /// the host asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub school: bool,
    /// Seconds of warning before applications are asked to close
    /// (0–600; default from the config, 10 s out of the box).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub grace_seconds: Option<u32>,
    /// Answer only when every target has ended (the CLI does this), so the
    /// results say `closed` or `forced`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
}

impl LogoffRequest {
    /// Checks the body and says which sessions it aims at.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn targets(&self) -> Result<Targets, CoreError> {
        if let Some(g) = self.grace_seconds.filter(|g| *g > MAX_GRACE_SECONDS) {
            return Err(CoreError::Grace(g));
        }
        targets(&self.sessions, self.all, self.school)
    }
}

/// Body of `POST /api/v1/sessions/disconnect` and `/unblock`: which sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsRequest {
    /// Session ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionRef>,
    /// Every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// With `all`: the sessions of every host of the school, not only of
    /// the host asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub school: bool,
}

impl TargetsRequest {
    /// Checks the body and says which sessions it aims at.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn targets(&self) -> Result<Targets, CoreError> {
        targets(&self.sessions, self.all, self.school)
    }
}

impl utoipa::PartialSchema for TargetsRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        targets_schema(&serde_json::json!({}))
    }
}

impl utoipa::ToSchema for TargetsRequest {}

/// Checks a teacher's text: at most [`MAX_MESSAGE_LEN`] characters and,
/// when `required`, not empty or blank.
fn check_text(field: &'static str, text: &str, required: bool) -> Result<(), CoreError> {
    let n = text.chars().count();
    if n > MAX_MESSAGE_LEN || (required && text.trim().is_empty()) {
        return Err(CoreError::Text {
            field,
            max: MAX_MESSAGE_LEN,
        });
    }
    Ok(())
}

/// Body of `POST /api/v1/sessions/block`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// Session ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionRef>,
    /// Every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// With `all`: the sessions of every host of the school, not only of
    /// the host asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub school: bool,
    /// The notice's text; absent, null or blank for the default ("This
    /// station is blocked." in the user's language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl BlockRequest {
    /// Checks the body and says which sessions it aims at.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn targets(&self) -> Result<Targets, CoreError> {
        check_text("message", self.message.as_deref().unwrap_or(""), false)?;
        targets(&self.sessions, self.all, self.school)
    }

    /// The custom text, if the request has one (blank counts as none).
    #[must_use]
    pub fn custom_message(&self) -> Option<String> {
        self.message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
    }
}

impl utoipa::PartialSchema for BlockRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        targets_schema_with(
            &serde_json::json!({
                "message": {
                    "type": ["string", "null"], "maxLength": MAX_MESSAGE_LEN,
                    "description": "The notice's text; absent or blank for \"This station is blocked.\" in the user's language."
                }
            }),
            &[],
        )
    }
}

impl utoipa::ToSchema for BlockRequest {}

/// Body of `POST /api/v1/sessions/message`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// Session ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionRef>,
    /// Every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// With `all`: the sessions of every host of the school, not only of
    /// the host asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub school: bool,
    /// What the users read, until they dismiss it.
    pub text: String,
}

impl MessageRequest {
    /// Checks the body and says which sessions it aims at.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn targets(&self) -> Result<Targets, CoreError> {
        check_text("text", &self.text, true)?;
        targets(&self.sessions, self.all, self.school)
    }
}

impl utoipa::PartialSchema for MessageRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        targets_schema_with(
            &serde_json::json!({
                "text": {
                    "type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_LEN, "pattern": "\\S",
                    "description": "What the users read, until they dismiss it."
                }
            }),
            &["text"],
        )
    }
}

impl utoipa::ToSchema for MessageRequest {}

/// Body of `POST /api/v1/sessions` (administrators: `podium session start`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Login name of the user whose session to start.
    #[schema(pattern = r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")]
    pub user: String,
    /// Desktop command instead of the configured one, e.g. `xterm -geometry 80x24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 4096, pattern = r"^[^\x00]*\S[^\x00]*$")]
    pub command: Option<String>,
    /// The session's locale (`LANG`), e.g. `fr_FR.UTF-8`, instead of the
    /// user's own (docs/ADMIN.md: the language of a session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9_.@-]{0,63}$")]
    pub locale: Option<String>,
}

impl StartRequest {
    /// Checks the user name and command for shape (not for existence).
    ///
    /// # Errors
    /// A [`CoreError`] naming the field that is wrong.
    pub fn validate(&self) -> Result<(), CoreError> {
        if !is_login_name(&self.user) {
            return Err(CoreError::User(self.user.clone()));
        }
        if let Some(c) = &self.command
            && (c.trim().is_empty() || c.chars().count() > MAX_COMMAND_LEN || c.contains('\0'))
        {
            return Err(CoreError::Text {
                field: "command",
                max: MAX_COMMAND_LEN,
            });
        }
        if let Some(l) = &self.locale
            && !is_locale_name(l)
        {
            return Err(CoreError::Locale(l.clone()));
        }
        Ok(())
    }
}

/// A name the C library could take for a locale: a letter, then letters,
/// digits, `_`, `.`, `@`, `-`, at most 64 characters. Nothing in it can
/// reach a shell or a path outside the locale directories.
#[must_use]
pub fn is_locale_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
        && name.len() <= 64
}

/// The languages Podium's pages and notices are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

impl Language {
    /// The language's ISO 639-1 code, as the API and the pages write it.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// The language of a locale such as `fr_FR.UTF-8` (English unless it
    /// is French: the notices have no third language).
    #[must_use]
    pub fn of_locale(locale: &str) -> Language {
        if locale.starts_with("fr") {
            Language::Fr
        } else {
            Language::En
        }
    }
}

/// Body of `POST /api/v1/station/session` (optional): the language the
/// user picked on the login page, which a new session speaks and the user
/// keeps for their next sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationOpenRequest {
    /// The language picked on the login page, if the user picked one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// A login name of a person's account: starts with a letter or `_`, then
/// letters, digits, `_`, `-`, `.`, at most 32 characters
/// (`^[A-Za-z_][A-Za-z0-9_.-]{0,31}$`, as the API schema says).
#[must_use]
pub fn is_login_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name.len() <= 32
}

/// The JSON schema of an action's body: either a non-empty list of
/// session ids, or `"all": true` — exactly one of them — plus the
/// action's own fields (`extra`, JSON-schema properties).
fn targets_schema(extra: &serde_json::Value) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    targets_schema_with(extra, &[])
}

/// [`targets_schema`] whose `extra` fields named in `required` must be given.
fn targets_schema_with(
    extra: &serde_json::Value,
    required: &[&str],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{OneOfBuilder, Schema};
    let ids = serde_json::json!({
        "type": "array",
        "description": "Sessions to act on: an id of the host asked, or \"HOST/ID\" for a session of another host of the school.",
        "items": { "oneOf": [
            { "type": "integer", "format": "int64", "minimum": 0, "maximum": 4_294_967_295_u64 },
            { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}/(0|[1-9][0-9]{0,8})$" }
        ] }
    });
    let branch = |sessions: serde_json::Value, all: bool, target: &str| -> Schema {
        let mut properties = serde_json::json!({
            "sessions": sessions,
            "all": { "type": "boolean", "enum": [all],
                     "description": "Every session the caller may act on, except their own." }
        });
        if all && let Some(p) = properties.as_object_mut() {
            p.insert(
                "school".into(),
                serde_json::json!({ "type": "boolean",
                    "description": "Every host of the school, not only the host asked." }),
            );
        }
        if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        let mut names = vec![target];
        names.extend_from_slice(required);
        let object = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": names,
            "properties": properties
        });
        serde_json::from_value(object).unwrap_or_default()
    };
    let mut named = ids.clone();
    named["minItems"] = 1.into();
    let mut none = ids;
    none["maxItems"] = 0.into();
    OneOfBuilder::new()
        .description(Some("Either a non-empty \"sessions\" list, or \"all\": true."))
        .item(branch(named, false, "sessions"))
        .item(branch(none, true, "all"))
        .into()
}

impl utoipa::PartialSchema for LogoffRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        targets_schema(&serde_json::json!({
            "grace_seconds": {
                "type": ["integer", "null"], "minimum": 0, "maximum": MAX_GRACE_SECONDS,
                "description": "Seconds of warning before applications are asked to close (default from the config)."
            },
            "wait": { "type": "boolean", "description": "Answer once every target has ended." }
        }))
    }
}

impl utoipa::ToSchema for LogoffRequest {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_need_ids_or_all_but_not_both() {
        let ids = LogoffRequest {
            sessions: [3, 4, 3].map(SessionRef::here).to_vec(),
            ..Default::default()
        };
        assert_eq!(ids.targets(), Ok(Targets::Ids(vec![3, 4])));
        let elsewhere = LogoffRequest {
            sessions: vec![SessionRef::here(3), SessionRef::on("b", 4)],
            ..Default::default()
        };
        assert_eq!(elsewhere.targets(), Err(CoreError::OtherHost("b/4".into())));
        let all = LogoffRequest {
            all: true,
            ..Default::default()
        };
        assert_eq!(all.targets(), Ok(Targets::All));
        assert_eq!(LogoffRequest::default().targets(), Err(CoreError::Targets));
        let both = LogoffRequest {
            sessions: vec![SessionRef::here(1)],
            all: true,
            ..Default::default()
        };
        assert_eq!(both.targets(), Err(CoreError::Targets));
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        let r: LogoffRequest = serde_json::from_str(r#"{"sessions":[3.0],"grace_seconds":5.0}"#).expect("parses");
        assert_eq!((r.sessions, r.grace_seconds), (vec![SessionRef::here(3)], Some(5)));
        let r: LogoffRequest = serde_json::from_str(r#"{"all":true,"grace_seconds":null}"#).expect("parses");
        assert_eq!(r.grace_seconds, None);
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":[2.5]}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":[4294967296]}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"all":true,"grace_seconds":-1}"#).is_err());
    }

    #[test]
    fn block_and_message_texts_are_checked() {
        let block = |m: &str| BlockRequest {
            all: true,
            message: Some(m.to_owned()),
            ..Default::default()
        };
        assert_eq!(block("").targets(), Ok(Targets::All));
        assert_eq!(block("  ").custom_message(), None);
        assert_eq!(block(" Eyes on me ").custom_message().as_deref(), Some("Eyes on me"));
        assert_eq!(block(&"é".repeat(MAX_MESSAGE_LEN)).targets(), Ok(Targets::All));
        assert!(block(&"é".repeat(MAX_MESSAGE_LEN + 1)).targets().is_err());
        let message = |t: &str| MessageRequest {
            sessions: vec![SessionRef::here(2)],
            text: t.to_owned(),
            ..Default::default()
        };
        assert_eq!(message("Pens down").targets(), Ok(Targets::Ids(vec![2])));
        assert_eq!(
            message(" \n ").targets(),
            Err(CoreError::Text {
                field: "text",
                max: MAX_MESSAGE_LEN
            })
        );
        assert!(
            serde_json::from_str::<MessageRequest>(r#"{"all":true}"#).is_err(),
            "text is required"
        );
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(MessageRequest::schema()).expect("schema");
        assert_eq!(schema["oneOf"][0]["required"], serde_json::json!(["sessions", "text"]));
    }

    #[test]
    fn grace_above_ten_minutes_is_refused() {
        let r = LogoffRequest {
            all: true,
            grace_seconds: Some(601),
            ..Default::default()
        };
        assert_eq!(r.targets(), Err(CoreError::Grace(601)));
    }

    #[test]
    fn unknown_fields_and_wrong_types_do_not_parse() {
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"all":true,"force":1}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":["3"]}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":[-1]}"#).is_err());
    }

    #[test]
    fn the_logoff_schema_says_ids_or_all_exactly_once() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(LogoffRequest::schema()).expect("schema serializes");
        let branches = schema["oneOf"].as_array().expect("oneOf");
        assert_eq!(branches.len(), 2, "{schema}");
        assert_eq!(branches[0]["properties"]["sessions"]["minItems"], 1);
        assert_eq!(
            branches[0]["properties"]["sessions"]["items"]["oneOf"][0]["maximum"],
            4_294_967_295_u64
        );
        assert_eq!(branches[1]["properties"]["all"]["enum"], serde_json::json!([true]));
        assert_eq!(branches[1]["properties"]["grace_seconds"]["maximum"], 600);
        assert_eq!(branches[0]["additionalProperties"], false);
    }

    #[test]
    fn login_names_are_checked_for_shape() {
        assert!(is_login_name("alice"));
        assert!(is_login_name("podium-demo-1"));
        assert!(!is_login_name(""));
        assert!(!is_login_name("1abc"));
        assert!(!is_login_name("../etc"));
        assert!(!is_login_name(&"a".repeat(33)));
        let bad = StartRequest {
            user: "bob".into(),
            command: Some("  ".into()),
            locale: None,
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn locales_are_names_and_nothing_else() {
        for good in ["fr_FR.UTF-8", "C.UTF-8", "de_CH@euro", "en_US.utf8", "C"] {
            assert!(is_locale_name(good), "{good}");
        }
        for bad in ["", "../fr", "fr FR", "fr_FR;rm", "_fr", &"a".repeat(65)] {
            assert!(!is_locale_name(bad), "{bad}");
        }
        let start = |l: &str| StartRequest {
            user: "bob".into(),
            command: None,
            locale: Some(l.into()),
        };
        assert_eq!(start("fr_FR.UTF-8").validate(), Ok(()));
        assert_eq!(start("$(id)").validate(), Err(CoreError::Locale("$(id)".into())));
        assert_eq!(Language::of_locale("fr_CA.UTF-8"), Language::Fr);
        assert_eq!(Language::of_locale("C.UTF-8"), Language::En);
        let open: StationOpenRequest = serde_json::from_str(r#"{"language":"fr"}"#).expect("parses");
        assert_eq!(open.language, Some(Language::Fr));
        assert!(serde_json::from_str::<StationOpenRequest>(r#"{"language":"de"}"#).is_err());
        assert!(serde_json::from_str::<StationOpenRequest>(r#"{"lang":"fr"}"#).is_err());
    }
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    #[schema(pattern = r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")]
    pub username: String,
    /// Password, checked by PAM.
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
    /// The login opens a station (the login page says so). On a host of a
    /// school's cluster a standard user is then sent where their desktop
    /// is to be shown: the host that runs their session, or the one with
    /// the most room (see `LoginAnswer.handoff`). Other clients (the CLI,
    /// scripts) leave it out and are always logged in where they ask.
    #[serde(default)]
    pub station: bool,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"…")
            .field("station", &self.station)
            .finish()
    }
}

impl LoginRequest {
    /// Checks the fields' shape.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field.
    pub fn validate(&self) -> Result<(), CoreError> {
        if !is_login_name(&self.username) {
            return Err(CoreError::User(self.username.clone()));
        }
        if !(1..=MAX_PASSWORD_LEN).contains(&self.password.chars().count()) {
            return Err(CoreError::Text {
                field: "password",
                max: MAX_PASSWORD_LEN,
            });
        }
        Ok(())
    }
}

/// Body of `POST /api/v1/station/unlock`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    /// The user's password, checked by PAM.
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
}

impl std::fmt::Debug for UnlockRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnlockRequest { password: … }")
    }
}

impl UnlockRequest {
    /// Checks the password's shape (1 to [`MAX_PASSWORD_LEN`] characters)
    /// before it goes anywhere near PAM.
    ///
    /// # Errors
    /// A [`CoreError`] naming the field.
    pub fn validate(&self) -> Result<(), CoreError> {
        if !(1..=MAX_PASSWORD_LEN).contains(&self.password.chars().count()) {
            return Err(CoreError::Text {
                field: "password",
                max: MAX_PASSWORD_LEN,
            });
        }
        Ok(())
    }
}
