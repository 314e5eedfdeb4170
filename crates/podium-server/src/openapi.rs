//! The OpenAPI document, generated from the route annotations and the
//! wire types of `podium-core`, served at `/api/v1/openapi.json`.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

/// Podium's API.
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
    paths(
        crate::routes::auth::login,
        crate::routes::auth::logout,
        crate::routes::me::me,
        crate::routes::sessions::list,
        crate::routes::sessions::start,
        crate::routes::sessions::logoff,
        crate::routes::audit::audit,
        crate::routes::events::events,
                crate::routes::thumbnail::thumbnail,
        crate::routes::station::status,
        crate::routes::station::open,
        crate::routes::station::lock,
        crate::routes::station::unlock,
        crate::routes::station::vnc,
                crate::routes::sessions::disconnect,
        crate::routes::sessions::block,
        crate::routes::sessions::unblock,
        crate::routes::sessions::message,
        crate::routes::station::dismiss,
        crate::routes::document,
        crate::metrics::metrics,
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
        (name = "metrics", description = "Prometheus metrics"),
    )
)]
pub struct ApiDoc;

struct Cookie;

impl Modify for Cookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::COOKIE,
                "Set by POST /api/v1/auth/login",
            ))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podium_core::{ReasonCode, Refusal};

    #[test]
    fn the_document_gives_every_refusal_code_of_an_action_result() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
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
