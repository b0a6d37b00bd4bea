//! The OpenAPI 3.1 documents, one per surface (`kgen`, `i3d`, `gamefuse`, `admin`), built
//! from the handlers' `#[utoipa::path]` annotations and the wire types' `ToSchema`
//! (each dialect's `docs.rs`), served at `GET /openapi/{surface}.json`; and Swagger UI at
//! `GET /docs`, its files compiled into the binary (utoipa-swagger-ui's `vendored`
//! build), so it works offline.
//!
//! What every document shares is added here, once per dialect: each operation's error
//! responses in the dialect's error format ([`add_errors`]), and the routes that serve one
//! handler under two paths ([`alias`]).

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use axum::extract::Path;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{Config, Url};

use crate::common::routes::Routes;

/// The surfaces that have a document, in the order the docs UI lists them.
pub const SURFACES: [&str; 4] = ["kgen", "i3d", "gamefuse", "admin"];

/// Routes that are not part of any API: health, metrics, the documents and the docs UI.
/// (The web console's pages are not either: [`crate::console::ROUTES`].)
pub const OPERATIONAL: [(&str, &str); 7] = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi/{file}"),
    ("GET", "/docs"),
    ("GET", "/docs/"),
    ("GET", "/docs/{*file}"),
];

/// The document of `surface`, built from the code.
pub fn document(surface: &str) -> Option<OpenApi> {
    let mut doc = match surface {
        "kgen" => crate::kgen::docs::document(),
        "i3d" => crate::i3d::docs::document(),
        "gamefuse" => crate::gamefuse::docs::document(),
        "admin" => crate::admin::docs::document(),
        _ => return None,
    };
    unique_operation_ids(&mut doc);
    Some(doc)
}

/// A handler documented for several methods (`method(get, delete)`) gives each the same
/// `operationId`, and handlers of several resources may share a name (`show`): a later
/// duplicate gets the method as a suffix, and if that is taken too, the path's words
/// (`show_get` for a second method, `show_games_players` for another resource).
fn unique_operation_ids(doc: &mut OpenApi) {
    let mut seen = std::collections::BTreeSet::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ] {
            let Some(id) = op.and_then(|op| op.operation_id.as_mut()) else {
                continue;
            };
            if seen.contains(id.as_str()) {
                let by_method = format!("{id}_{method}");
                *id = if seen.contains(&by_method) {
                    format!("{id}_{}", path_words(path))
                } else {
                    by_method
                };
            }
            seen.insert(id.clone());
        }
    }
}

/// The literal words of a path, without its parameters and the surface's prefix:
/// `/admin/v1/games/{game}/players` is `games_players`.
fn path_words(path: &str) -> String {
    path.split('/')
        .filter(|w| !w.is_empty() && !w.starts_with('{') && !matches!(*w, "admin" | "v1" | "api" | "v3"))
        .map(|w| w.replace('-', "_"))
        .collect::<Vec<_>>()
        .join("_")
}

/// The documents as JSON, serialized once.
static JSON: LazyLock<BTreeMap<&'static str, String>> = LazyLock::new(|| {
    SURFACES
        .iter()
        .filter_map(|s| {
            let doc = document(s)?;
            let json = doc.to_pretty_json().ok()?;
            Some((*s, json))
        })
        .collect()
});

/// The document of `surface` as JSON.
pub fn json(surface: &str) -> Option<&'static str> {
    JSON.get(surface).map(String::as_str)
}

/// `GET /openapi/{surface}.json`, `GET /docs` and its files.
pub fn router() -> Routes {
    Routes::new()
        .get("/openapi/{file}", serve_document)
        .get("/docs", || async { Redirect::permanent("/docs/") })
        .get("/docs/", || async { docs_file("") })
        .get(
            "/docs/{*file}",
            |Path(file): Path<String>| async move { docs_file(&file) },
        )
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

async fn serve_document(Path(file): Path<String>) -> Response {
    let Some(doc) = file.strip_suffix(".json").and_then(json) else {
        return not_found();
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        doc,
    )
        .into_response()
}

/// Swagger UI's settings: the four documents, no calls to the online validator.
static UI_CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    let urls = SURFACES.map(|s| {
        let url: &'static str = match s {
            "kgen" => "/openapi/kgen.json",
            "i3d" => "/openapi/i3d.json",
            "gamefuse" => "/openapi/gamefuse.json",
            _ => "/openapi/admin.json",
        };
        Url::new(s, url)
    });
    Arc::new(Config::new(urls).validator_url("none").try_it_out_enabled(true))
});

fn docs_file(file: &str) -> Response {
    match utoipa_swagger_ui::serve(file, UI_CONFIG.clone()) {
        Ok(Some(f)) => {
            let mut resp = (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(&f.content_type)
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                )],
                f.bytes.into_owned(),
            )
                .into_response();
            if f.gzpipped {
                resp.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            resp
        }
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "docs UI file {file}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
        }
    }
}

/// The (method, path) of every operation of `doc`.
pub fn operation_list(doc: &OpenApi) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ] {
            if op.is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every route of the application is in exactly one document (or is operational), and
    /// every documented operation is a route.
    #[test]
    fn every_route_is_documented() {
        let exposition = Arc::new(crate::common::metrics::Exposition::new(Default::default(), None));
        let routes = crate::routes(Some(exposition));
        let registered: BTreeSet<(String, String)> = routes
            .list()
            .iter()
            .map(|r| (r.method.to_string(), r.path.clone()))
            .collect();
        assert_eq!(registered.len(), routes.list().len(), "a route registered twice");
        let operational: BTreeSet<(String, String)> = OPERATIONAL
            .iter()
            .chain(crate::console::ROUTES.iter())
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        let mut documented: BTreeMap<(String, String), &str> = BTreeMap::new();
        for surface in SURFACES {
            let doc = document(surface).expect("document");
            for (method, path) in operation_list(&doc) {
                let prev = documented.insert((method.to_string(), path.clone()), surface);
                assert!(prev.is_none(), "{method} {path} in two documents");
            }
        }
        let missing: Vec<_> = registered
            .iter()
            .filter(|r| !documented.contains_key(*r) && !operational.contains(*r))
            .collect();
        assert!(missing.is_empty(), "routes missing from the documents: {missing:?}");
        let phantom: Vec<_> = documented.keys().filter(|d| !registered.contains(*d)).collect();
        assert!(
            phantom.is_empty(),
            "documented operations that are no route: {phantom:?}"
        );
        let absent: Vec<_> = operational.iter().filter(|o| !registered.contains(*o)).collect();
        assert!(absent.is_empty(), "operational routes that do not exist: {absent:?}");
    }

    /// No module registers a route outside [`Routes`] (which records it): axum's
    /// `.route(`, `.route_service(` and `.nest_service(` appear only in `common/routes.rs`,
    /// and the `/metrics` router, whose route [`crate::routes`] declares by hand.
    #[test]
    fn no_route_bypasses_the_recorder() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&root, &mut files);
        assert!(files.len() > 20, "found the sources");
        let allowed = ["common/routes.rs", "common/metrics.rs"];
        let mut offenders = Vec::new();
        for f in files {
            let rel = f
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if allowed.contains(&rel.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&f).expect("read");
            // This file names the calls it looks for.
            let text = if rel == "openapi.rs" {
                text.split("mod tests").next().unwrap_or_default().to_owned()
            } else {
                text
            };
            for needle in [".route(", ".route_service(", ".nest_service(", "Router::new("] {
                if text.contains(needle) {
                    offenders.push(format!("{rel}: {needle}"));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes registered outside common::routes::Routes: {offenders:?}"
        );
    }

    #[test]
    fn documents_are_openapi_3_1_with_unique_operation_ids() {
        for surface in SURFACES {
            let doc: serde_json::Value = serde_json::from_str(json(surface).expect("json")).expect("parse");
            assert_eq!(doc["openapi"], "3.1.0", "{surface}");
            let mut ids = BTreeSet::new();
            for item in doc["paths"].as_object().expect("paths").values() {
                for op in item.as_object().expect("item").values() {
                    let id = op["operationId"].as_str().expect("operationId").to_owned();
                    assert!(ids.insert(id.clone()), "{surface}: operationId {id} twice");
                }
            }
        }
    }
}
