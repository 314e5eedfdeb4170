//! `/classes`: the classes a teacher selects on the dashboard in one action.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use podium_core::{ClassList, ErrorBody};
use std::collections::BTreeSet;

/// The classes route.
pub fn routes() -> Documented {
    documented!("/api/v1", classes)
}

/// The Unix groups of the users whose sessions the caller sees, on every
/// host of the school, each with those users (dashboard users and
/// administrators). System groups and users' private groups are left out.
#[utoipa::path(
    get,
    path = "/api/v1/classes",
    tag = "sessions",
    responses(
        (status = 200, description = "The classes, by name", body = ClassList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Standard users select no class", body = ErrorBody),
    )
)]
pub(crate) async fn classes(State(s): State<AppState>, Who(caller): Who) -> Result<Json<ClassList>, AppError> {
    podium_core::permission::may_see_hosts(&caller).map_err(|r| AppError::forbidden(r.reason()))?;
    let users: BTreeSet<String> = s
        .host
        .list(&caller)
        .sessions
        .into_iter()
        .chain(crate::school::others(&s, &caller))
        .map(|session| session.user)
        .collect();
    // NSS may ask a directory server: not on the runtime's threads.
    let list = tokio::task::spawn_blocking(move || podium_host::classes::of(&users))
        .await
        .unwrap_or_default();
    Ok(Json(list))
}
