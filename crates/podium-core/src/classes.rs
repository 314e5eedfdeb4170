//! The classes a teacher can select on the dashboard in one action, as
//! `GET /api/v1/classes` lists them: the Unix groups of the users whose
//! sessions the caller sees (a school's directory makes one group per
//! class), each with those of its members who have a session.

use serde::{Deserialize, Serialize};

/// One class: a Unix group, and its members with a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Class {
    /// The group's name.
    pub name: String,
    /// Login names of its members who have a session the caller sees, on
    /// any host of the school, sorted.
    pub members: Vec<String>,
}

/// The body of `GET /api/v1/classes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassList {
    /// The classes, by name.
    pub classes: Vec<Class>,
}
