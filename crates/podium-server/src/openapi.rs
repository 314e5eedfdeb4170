//! The OpenAPI document, served at `/api/v1/openapi.json`, and the routes
//! it describes: everything under `/api/v1` and `/metrics`. Each route is
//! registered from its handler's `#[utoipa::path]` annotation (see
//! [`crate::documented`]), so the document lists exactly the routes
//! served; this module adds the API's title, tags and login cookie.

use crate::auth::COOKIE;
use crate::documented::{Documented, documented};
use crate::{metrics, routes};
use axum::{Json, Router};
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Podium's API, apart from its paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Podium API",
        description = "Sessions on a Podium host: list, start, log off; web login; live events. \
                       Errors are {\"error\":{\"code\",\"message\"}} with a 4xx status. \
                       An action answers {\"results\":[…]} with one outcome per target; a refused or \
                       missing target has an English `reason` and a stable `code` (ReasonCode) to match \
                       or translate.",
        version = "1"
    ),
    components(schemas(
        podium_core::Event,
        podium_core::Action,
        podium_core::ActionResults,
        podium_core::ReasonCode
    )),
    modifiers(&Cookie),
    security(("cookie" = [])),
    tags(
        (name = "auth", description = "Web login"),
        (name = "sessions", description = "Desktop sessions and actions on them"),
        (name = "station", description = "A user's own desktop in the browser"),
        (name = "audit", description = "Who did what"),
        (name = "hosts", description = "The school's hosts (the dashboard's Systems tab)"),
        (name = "metrics", description = "Prometheus metrics"),
    )
)]
struct ApiDoc;

struct Cookie;

impl Modify for Cookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                COOKIE,
                "Set by POST /api/v1/auth/login",
            ))),
        );
    }
}

/// Everything under `/api/v1` (a method a route does not take is refused
/// in the API's error format) and `/metrics`, with the document that
/// describes it.
#[must_use]
pub fn api() -> Documented {
    let v1 = routes::api().merge(documented!("/api/v1", document));
    let mut all = Documented {
        router: Router::new().nest(
            "/api/v1",
            v1.router.method_not_allowed_fallback(routes::method_not_allowed),
        ),
        openapi: ApiDoc::openapi(),
    };
    all.openapi.merge(v1.openapi);
    all.merge(metrics::routes())
}

/// This API's OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "sessions",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object))
)]
async fn document() -> Json<utoipa::openapi::OpenApi> {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    Json(DOCUMENT.get_or_init(|| api().openapi).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use podium_core::{ReasonCode, Refusal};

    #[test]
    fn the_document_gives_every_refusal_code_of_an_action_result() {
        let doc = serde_json::to_value(api().openapi).expect("the document serializes");
        let schemas = &doc["components"]["schemas"];
        let code = &schemas["ActionResult"]["properties"]["code"];
        assert!(
            code.to_string().contains("#/components/schemas/ReasonCode"),
            "a result's code is a ReasonCode: {code}"
        );
        assert!(
            schemas["ActionResult"]["properties"]["reason"].is_object(),
            "the English reason stays beside it"
        );
        let listed = schemas["ReasonCode"]["enum"]
            .as_array()
            .expect("ReasonCode lists its words");
        let expected: Vec<&str> = Refusal::ALL
            .map(Refusal::code)
            .into_iter()
            .chain([ReasonCode::NoSuchSession])
            .map(ReasonCode::as_str)
            .collect();
        assert_eq!(listed, &expected, "{}", schemas["ReasonCode"]);
    }
}
