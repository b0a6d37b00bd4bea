//! The kgen dialect's OpenAPI document (`/openapi/kgen.json`).

use utoipa::{Modify, OpenApi};

use crate::common::doc_edits::{Errors, TOO_LARGE, UNAVAILABLE, add_errors, alias, header_key};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Playgate: KGeN server-to-server sessions",
        description = "KGeN's `POST /s2s/session` (create or retrieve a player's session) as a game \
            backend calls it, plus refresh, verify, end and link codes. Every call carries the \
            game's `x-client-id` and `x-client-secret` headers. Errors are \
            `{\"error\": CODE, \"message\": TEXT}` (plus `field` for a bad field)."
    ),
    paths(
        super::session::open,
        super::session::refresh,
        super::session::verify,
        super::session::end,
        super::link::create,
    ),
    components(schemas(super::error::Body)),
    security(("clientId" = [], "clientSecret" = [])),
    modifiers(&Dialect),
    tags(
        (name = "session", description = "Player sessions and their tokens"),
        (name = "link", description = "Linking a player to a platform account"),
    ),
)]
struct Doc;

/// What every kgen operation shares: the credential, the error responses, and the path
/// of the vendor's curl example.
struct Dialect;

impl Modify for Dialect {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, header, what) in [
            ("clientId", "x-client-id", "The game's client id"),
            ("clientSecret", "x-client-secret", "The game's client secret"),
        ] {
            components.add_security_scheme(name, header_key(header, what));
        }
        add_errors(
            doc,
            &Errors::json(
                "Error",
                &[
                    (
                        400,
                        "A missing or invalid field (named in `field`), or a body that is not a JSON object",
                    ),
                    (401, "Missing or wrong client credentials, or a disabled game"),
                    TOO_LARGE,
                    (429, "Too many failed credential attempts from this address"),
                    (500, "A server fault (logged; the body says nothing more)"),
                    UNAVAILABLE,
                ],
            ),
        );
        // The vendor's own curl example posts to `/s2s/session/` (seed 001).
        alias(doc, "/s2s/session", "/s2s/session/", "_slash");
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
