//! `/me`: who the server thinks the caller is.

use crate::documented::{Documented, documented};
use crate::identity::Who;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use podium_core::{ErrorBody, Me};
use podium_host::users::Account;

/// The route.
pub fn routes() -> Documented {
    documented!("/api/v1", me)
}

/// Who the server thinks the caller is, and their role.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn me(State(s): State<AppState>, Who(caller): Who) -> Json<Me> {
    let full_name = Account::by_uid(caller.uid).map_or_else(|_| caller.user.clone(), |a| a.full_name);
    Json(Me {
        user: caller.user,
        full_name,
        role: caller.role,
        host: crate::school::here(&s),
    })
}
