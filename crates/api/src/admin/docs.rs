//! The admin API's OpenAPI document (`/openapi/admin.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::common::doc_edits::{Errors, TOO_LARGE, UNAVAILABLE, add_errors, item_operations};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Playgate: admin API",
        description = "Playgate's own calls for operators' tooling: games (their secrets shown once, \
            when made), the game data operators manage under a game (game variables, store items, \
            service keys, route switches; the `/admin/gamefuse/games/{game}/...` paths are the \
            deprecated earlier names of the same calls), platform accounts and API keys, stats for a dashboard, \
            the audit log, the operators. Lists answer `{\"items\": [...], \"next_cursor\": ...}`: pass \
            `next_cursor` as `cursor` for the next page (`null` on the last). Errors are `{\"error\": CODE, \"message\": TEXT}` \
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
        super::games::list,
        super::games::create,
        super::games::show,
        super::games::update,
        super::games::delete,
        super::games::rotate_secret,
        super::accounts_v1::search,
        super::accounts_v1::show,
        super::accounts_v1::update,
        super::accounts_v1::reset_2fa,
        super::accounts_v1::set_password,
        super::accounts_v1::api_keys,
        super::accounts_v1::revoke_api_key,
        super::accounts_v1::links,
        super::accounts_v1::end_all,
        super::stats::show,
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
        deprecated_game_data(doc);
        add_errors(doc, &Errors::json("Error", ADMIN_ERRORS));
    }
}

/// Documents the earlier paths of the game data calls (`/admin/gamefuse/games/{game}/…`,
/// with `store_items` and `service_keys`), which the same handlers answer, as deprecated
/// copies of the `/admin/v1/games/{game}/…` ones; and the earlier token rotation as
/// deprecated.
fn deprecated_game_data(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::Deprecated;
    const NEW: &str = "/admin/v1/games/{game}/";
    const OLD: &str = "/admin/gamefuse/games/{game}/";
    let mark = |item: &mut utoipa::openapi::PathItem, suffix: &str| {
        for op in item_operations(item) {
            op.deprecated = Some(Deprecated::True);
            if !suffix.is_empty() {
                op.operation_id = op.operation_id.take().map(|id| format!("{id}{suffix}"));
            }
        }
    };
    let copies: Vec<(String, utoipa::openapi::PathItem)> = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix(NEW)?;
            let (first, tail) = rest.split_once('/').map_or((rest, None), |(f, t)| (f, Some(t)));
            let first = match first {
                "variables" | "routes" => first,
                "store-items" => "store_items",
                "service-keys" => "service_keys",
                _ => return None,
            };
            let old = match tail {
                Some(t) => format!("{OLD}{first}/{t}"),
                None => format!("{OLD}{first}"),
            };
            let mut item = item.clone();
            mark(&mut item, "_deprecated");
            Some((old, item))
        })
        .collect();
    doc.paths.paths.extend(copies);
    if let Some(item) = doc.paths.paths.get_mut(&format!("{OLD}rotate_token")) {
        mark(item, "");
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
    TOO_LARGE,
    (429, "Too many failed token attempts from this address"),
    (500, "A server fault (logged; the body says nothing more)"),
    UNAVAILABLE,
];

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
