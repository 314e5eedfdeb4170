//! `/me`: who the server thinks the caller is.

use crate::AppState;
use crate::identity::Who;
use axum::routing::get;
use axum::{Json, Router};
use podium_core::Me;
use podium_host::users::Account;

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

async fn me(Who(caller): Who) -> Json<Me> {
    let full_name = Account::by_uid(caller.uid).map_or_else(|_| caller.user.clone(), |a| a.full_name);
    Json(Me {
        user: caller.user,
        full_name,
        role: caller.role,
    })
}
