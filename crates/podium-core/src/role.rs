//! The three roles of SPEC §2.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person may do on a host. Derived from Unix groups at each request,
/// so a group change takes effect without a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Any account allowed to log on: acts on its own session only.
    Standard,
    /// Member of a dashboard group: oversees every session but administrators'.
    Dashboard,
    /// Member of an administrator group, or root: everything.
    Admin,
}

impl Role {
    /// The word used in JSON and in tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Standard => "standard",
            Role::Dashboard => "dashboard",
            Role::Admin => "admin",
        }
    }

    /// Dashboard users and administrators may watch every session.
    #[must_use]
    pub fn oversees(self) -> bool {
        matches!(self, Role::Dashboard | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
