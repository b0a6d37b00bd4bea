//! The i3d dialect's OpenAPI document (`/openapi/i3d.json`). For the four session
//! operations of i3D's own document (`../shared/reference/i3d-v3-session.openapi.json`) it
//! says what i3D's says (paths, methods, bodies, schemas, statuses; a test compares them),
//! plus the error statuses Playgate answers beyond it; then Playgate's additions.

use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

use crate::common::doc_edits::{Errors, TOO_LARGE, UNAVAILABLE, add_errors, header_key};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Playgate: i3D.net API v3, the session calls",
        description = "i3D.net API v3's `/v3/session` calls as a person's tools make them, with a \
            `PRIVATE-TOKEN` API key; plus 2FA enrollment and linking a game's player to the \
            account. Errors are API v3's `{errorCode, errorMessage, errors}` object."
    ),
    paths(
        super::session::user,
        super::session::login,
        super::session::login_otp,
        super::session::logout,
        super::twofa::begin,
        super::twofa::enable,
        super::twofa::disable,
        super::links::redeem,
    ),
    components(schemas(super::error::Body, super::wire::UnconfirmedEmail)),
    security(("ApiKey" = [])),
    modifiers(&Dialect),
)]
struct Doc;

struct Dialect;

impl Modify for Dialect {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("ApiKey", header_key("PRIVATE-TOKEN", "An API key of the account"));
        // i3D's request objects allow no other fields (its document); Playgate ignores
        // unknown ones, but says what i3D says.
        for name in ["SessionLogin", "SessionLoginOtp", "LinkRequest"] {
            if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name) {
                o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
        add_errors(
            doc,
            &Errors::json(
                "Error",
                &[
                    (
                        400,
                        "A missing or invalid field (named in `errors`) or a body that is not a JSON object",
                    ),
                    (401, "Missing, unknown, expired or not allowed `PRIVATE-TOKEN`"),
                    TOO_LARGE,
                    (429, "Too many failed attempts"),
                    (500, "Internal Server Error"),
                    UNAVAILABLE,
                ],
            ),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
