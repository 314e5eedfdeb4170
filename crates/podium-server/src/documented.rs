//! Routes registered from their handlers' own `#[utoipa::path]`
//! annotations, together with the OpenAPI paths those annotations make.
//! The router and the document come from one list of handlers, so a route
//! cannot be served without being documented, nor documented at a path or
//! for a method it is not served at.

use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};

/// Routes and the OpenAPI document of exactly those routes.
pub struct Documented {
    /// The routes.
    pub router: Router<AppState>,
    /// Their paths, and the schemas those use.
    pub openapi: OpenApi,
}

/// The routes of `handlers`, each served at the path its annotation gives
/// less `prefix` (where the router is nested), for the methods it gives:
/// `documented!("/api/v1", login, logout)`.
macro_rules! documented {
    ($prefix:literal, $($handler:ident),+ $(,)?) => {{
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler),+))]
        struct Paths;
        let routes = $crate::documented::Documented::paths(<Paths as utoipa::OpenApi>::openapi());
        $( let routes = routes.route($prefix, stringify!($handler), $handler); )+
        routes
    }};
}
pub(crate) use documented;

impl Documented {
    /// No routes yet, and `openapi` to serve them from.
    #[must_use]
    pub fn paths(openapi: OpenApi) -> Documented {
        Documented {
            router: Router::new(),
            openapi,
        }
    }

    /// Serves `handler` wherever the document has its operation (`name`,
    /// utoipa's default operation id), at that path less `prefix`.
    ///
    /// # Panics
    /// When the document has no such operation or its path does not start
    /// with `prefix`: the handler list and the annotations disagree, which
    /// every test that builds the router finds.
    #[must_use]
    pub fn route<H, T>(mut self, prefix: &str, name: &str, handler: H) -> Documented
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut places = Vec::new();
        for (path, item) in &self.openapi.paths.paths {
            for (filter, op) in operations(item) {
                if op.operation_id.as_deref() == Some(name) {
                    let Some(at) = path.strip_prefix(prefix) else {
                        panic!("{name} is documented at {path}, outside {prefix}");
                    };
                    places.push((at.to_owned(), filter));
                }
            }
        }
        assert!(!places.is_empty(), "{name} has no documented operation");
        for (at, filter) in places {
            self.router = self.router.route(&at, on(filter, handler.clone()));
        }
        self
    }

    /// These routes and `other`'s, with both documents in one.
    #[must_use]
    pub fn merge(mut self, other: Documented) -> Documented {
        self.router = self.router.merge(other.router);
        self.openapi.merge(other.openapi);
        self
    }
}

/// The operations of a path, each with the method it answers.
fn operations(item: &PathItem) -> impl Iterator<Item = (MethodFilter, &Operation)> {
    [
        (MethodFilter::GET, &item.get),
        (MethodFilter::PUT, &item.put),
        (MethodFilter::POST, &item.post),
        (MethodFilter::DELETE, &item.delete),
        (MethodFilter::OPTIONS, &item.options),
        (MethodFilter::HEAD, &item.head),
        (MethodFilter::PATCH, &item.patch),
        (MethodFilter::TRACE, &item.trace),
    ]
    .into_iter()
    .filter_map(|(filter, op)| op.as_ref().map(|op| (filter, op)))
}
