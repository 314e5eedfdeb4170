//! The body of `GET /api/v1/me`.

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
