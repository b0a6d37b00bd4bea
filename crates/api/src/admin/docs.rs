//! The admin API's OpenAPI document (`/openapi/admin.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::openapi::{Errors, add_errors};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Playgate: admin API",
        description = "Playgate's own calls for operators' tooling: platform accounts and API keys, \
            and the game data operators manage (game variables, store items, service keys, route \
            switches, the GameFuse game token). Errors are `{\"error\": CODE, \"message\": TEXT}` \
            (plus `field`). Every call needs `Authorization: Bearer <token>`: an operator's personal token \
            (the `viewer` role reads, `admin` also changes) or the configured `admin_token` (an admin). \
            With neither an `admin_token` nor any operator the routes answer 404 as if they did not exist."
    ),
    paths(
        super::accounts::create_account,
        super::accounts::update_account,
        super::accounts::create_api_key,
        super::game_data::list_vars,
        super::game_data::set_var,
        super::game_data::delete_var,
        super::game_data::list_items,
        super::game_data::add_item,
        super::game_data::delete_item,
        super::game_data::list_keys,
        super::game_data::add_key,
        super::game_data::delete_key,
        super::game_data::list_routes,
        super::game_data::set_route,
        super::game_data::rotate_token,
        super::audit::list,
        super::operators::list,
        super::players::search,
        super::players::show,
        super::players::delete,
        super::players::ban,
        super::players::unban,
        super::players::export,
        super::players::sessions,
        super::players::end_sessions,
        super::players::end_game_sessions,
        super::sessions::show,
        super::sessions::end,
    ),
    components(schemas(super::Body)),
    security(("adminToken" = [])),
    modifiers(&Dialect),
)]
struct Doc;

struct Dialect;

impl Modify for Dialect {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.components.get_or_insert_with(Default::default).add_security_scheme(
            "adminToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An operator's personal token (`playgate operator create`), or the `admin_token` of the configuration"))
                    .build(),
            ),
        );
        add_errors(
            doc,
            &Errors {
                content: ("application/json", RefOr::Ref(Ref::from_schema_name("Error"))),
                common: ADMIN_ERRORS,
            },
        );
    }
}

/// The statuses every admin call may answer.
const ADMIN_ERRORS: &[(u16, &str)] = &[
    (
        400,
        "A missing or invalid field (named in `field`), or a body that is not a JSON object",
    ),
    (401, "Missing or wrong admin token"),
    (403, "An operator with the viewer role asked for a change"),
    (404, "Not found; every route when no `admin_token` is configured"),
    (
        409,
        "Already exists (a name taken), or refers to something that does not exist",
    ),
    (413, "The body is over the size limit"),
    (429, "Too many failed token attempts from this address"),
    (500, "A server fault (logged; the body says nothing more)"),
    (
        503,
        "The database is unreachable or the request took too long; see `Retry-After`",
    ),
];

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
