//! Edits every dialect makes to its OpenAPI document: its error body on every error
//! response, the statuses every operation may answer, and a second path for an operation.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

/// The error responses a dialect adds to its operations.
pub struct Errors {
    /// The content of every error response (the dialect's error body).
    pub content: (&'static str, RefOr<Schema>),
    /// Statuses every operation may answer, with their descriptions.
    pub common: &'static [(u16, &'static str)],
}

impl Errors {
    /// Error responses whose body is the document's schema `name` as JSON.
    pub fn json(name: &str, common: &'static [(u16, &'static str)]) -> Self {
        Errors {
            content: ("application/json", RefOr::Ref(Ref::from_schema_name(name))),
            common,
        }
    }
}

/// The 413 every dialect may answer, in the words of every dialect's document.
pub const TOO_LARGE: (u16, &str) = (413, "The body is over the size limit");

/// The 503 every dialect may answer, in the words of every dialect's document.
pub const UNAVAILABLE: (u16, &str) = (
    503,
    "The database is unreachable or the request took too long; see `Retry-After`",
);

/// The credential scheme of a key in the request header `header` (`what`: what it is).
pub fn header_key(header: &str, what: &str) -> SecurityScheme {
    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(header, what)))
}

/// The operations of one path (those of its methods the dialects serve).
pub fn item_operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn operations(doc: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(item_operations)
}

/// Adds `errors.common` to every operation of `doc` that does not list them, and the
/// dialect's error body to every 4xx and 5xx response that has none.
pub fn add_errors(doc: &mut OpenApi, errors: &Errors) {
    for op in operations(doc) {
        for (status, description) in errors.common {
            let key = status.to_string();
            op.responses
                .responses
                .entry(key)
                .or_insert_with(|| ResponseBuilder::new().description(*description).into());
        }
        for (status, resp) in op.responses.responses.iter_mut() {
            let is_error = status.starts_with('4') || status.starts_with('5');
            if let (true, RefOr::T(resp)) = (is_error, resp)
                && resp.content.is_empty()
            {
                let (ctype, schema) = &errors.content;
                resp.content
                    .insert((*ctype).to_owned(), RefOr::T(Content::new(Some(schema.clone()))));
            }
        }
    }
}

/// Serves the operations of `path` under `alias` too (same handler, two paths), each
/// `operationId` suffixed so they stay unique.
pub fn alias(doc: &mut OpenApi, path: &str, alias: &str, suffix: &str) {
    let Some(mut item) = doc.paths.paths.get(path).cloned() else {
        return;
    };
    for op in item_operations(&mut item) {
        if let Some(id) = &mut op.operation_id {
            id.push_str(suffix);
        }
        let note = format!("The same operation as `{path}`.");
        op.description = Some(match &op.description {
            Some(d) => format!("{note}\n\n{d}"),
            None => note,
        });
    }
    doc.paths.paths.insert(alias.to_owned(), item);
}
