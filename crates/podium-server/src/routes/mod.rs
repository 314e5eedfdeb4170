//! The API's routes, one module per resource, and its answers to a route
//! or a method it does not have.

pub mod audit;
pub mod auth;
pub mod classes;
pub mod events;
pub mod handoff;
pub mod hosts;
pub mod me;
pub mod open;
pub mod project;
pub mod sessions;
pub mod station;
pub mod thumbnail;
// The dashboard's View and Take control.
pub mod watch;

use crate::documented::Documented;
use crate::error::AppError;
use podium_core::ErrorCode;

/// Everything under `/api/v1` but the OpenAPI document, with its paths.
#[must_use]
pub fn api() -> Documented {
    sessions::routes()
        .merge(audit::routes())
        .merge(me::routes())
        .merge(auth::routes())
        .merge(handoff::routes())
        .merge(events::routes())
        .merge(thumbnail::routes())
        .merge(station::routes())
        .merge(hosts::routes())
        .merge(classes::routes())
        // The dashboard's View and Take control.
        .merge(watch::routes())
        .merge(open::routes())
        .merge(project::routes())
}

/// Unknown routes, in the API's error format.
pub async fn not_found() -> AppError {
    AppError::not_found("no such route")
}

/// A method the route does not take, in the API's error format.
pub async fn method_not_allowed() -> AppError {
    AppError::new(ErrorCode::MethodNotAllowed, "this route does not accept that method")
}
