//! The gamefuse dialect's OpenAPI document (`/openapi/gamefuse.json`).
//!
//! The schemas are the JS SDK's shapes. The native SDKs (C#/Unity and Unreal, `Client`)
//! read a few bodies differently; each operation that answers them another shape says how
//! in its description, and the two list answers that change form are documented as
//! alternatives (`GroupAttributesView`, `MessagesView`).

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::AnyOfBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
use utoipa::{Modify, OpenApi};

use crate::common::doc_edits::{Errors, TOO_LARGE, UNAVAILABLE, add_errors, alias, header_key, item_operations};

/// How a request shows it comes from a native SDK (`auth::Client::of`).
const NATIVE: &str = "The schemas are the JS SDK's shapes. Requests from the native SDKs get the \
    shapes those read where they differ (reference 17.7): the C# SDK under Unity (an \
    `X-Unity-Version` header, or a User-Agent naming `UnityPlayer` or `UnityWebRequest`) and \
    the Unreal SDK (the engine's User-Agent, `++UE5+Release-…`); `X-GameFuse-Client: js | csharp \
    | unreal` overrides the detection. Native shapes: numbers where the JS shapes have `null` \
    (`max_group_size`, a round's or ranking's `score` and `place`: `0` meaning none), a direct \
    chat's `creator_type` `user` (JS: `User`), the message just posted unread in `POST /chats`, \
    and wrapped lists for `GET /groups/{id}/attributes` (`{\"attributes\": [...]}`) and `GET \
    /messages/page/{page}` (`{\"messages\": [...]}`). Each operation concerned says so.";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Playgate: GameFuse V3 REST API",
        description = "GameFuse's `/api/v3` as its SDKs (JavaScript, C#/Unity, C++/Unreal) call it. \
            Calls of a signed-in user carry its `authentication-token` header (or an \
            `authentication_token` parameter); a game backend may use a service key instead \
            (`service-key-name`, `service-key-token`, acting as `current-user-id`). Sign-up and \
            the game calls take `game_id` and `game_token`. Parameters may come as JSON, \
            URL-encoded or multipart form data, or in the query; every value may be a string. \
            Errors are a short `text/plain` text with the status (400 bad or missing parameter, \
            401 authentication, 402 disabled game, 403 not allowed, 404 not found, 422 invalid \
            data, 429 too many attempts).\n\n",
    ),
    paths(
        super::games::verify,
        super::games::store_items,
        super::games::server_time,
        super::users::sign_up,
        super::users::show,
        super::users::update,
        super::users::change_password,
        super::sessions::sign_in,
        super::attributes::add,
        super::attributes::remove,
        super::attributes::list,
        super::credits::add_credits,
        super::credits::set_credits,
        super::credits::add_score,
        super::credits::set_score,
        super::store_items::purchase,
        super::store_items::remove,
        super::store_items::list,
        super::leaderboards::add,
        super::leaderboards::clear,
        super::leaderboards::of_game,
        super::leaderboards::of_user,
        super::password::forget,
        super::password::reset_page,
        super::password::reset_submit,
        super::password::reset_json,
        super::friends::create,
        super::friends::answer,
        super::friends::cancel,
        super::friends::unfriend,
        super::friends::lists,
        super::friends::friends,
        super::friends::friends_of_user,
        super::friends::incoming,
        super::friends::outgoing,
        super::groups::create,
        super::groups::list,
        super::groups::mine,
        super::groups::show,
        super::groups::update,
        super::groups::delete,
        super::groups::connect,
        super::groups::answer,
        super::groups::cancel,
        super::groups::leave,
        super::groups::remove_member,
        super::groups::make_admin,
        super::groups::attributes,
        super::groups::add_attribute,
        super::groups::modify_attribute,
        super::groups::add_admin,
        super::groups::remove_admin,
        super::chats::create,
        super::chats::page,
        super::chats::send,
        super::chats::messages,
        super::chats::mark_read,
        super::rounds::create,
        super::rounds::update,
        super::rounds::delete,
        super::rounds::show,
        super::rounds::list,
        super::test_suite::create_game,
        super::test_suite::create_user,
        super::test_suite::create_store_item,
        super::test_suite::clean_up,
    ),
    security(("authToken" = []), ("serviceKeyName" = [], "serviceKeyToken" = [])),
    modifiers(&Dialect),
)]
struct Doc;

fn text_error() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("What went wrong, for people"))
        .into()
}

/// The statuses every GameFuse call may answer (reference 0.5).
const COMMON: &[(u16, &str)] = &[
    (400, "A missing or invalid parameter"),
    (401, "Missing or wrong credentials"),
    (402, "The game is disabled"),
    (
        403,
        "Not allowed (including a route switched off for users or service keys)",
    ),
    (404, "Not found"),
    TOO_LARGE,
    (422, "Invalid data"),
    (429, "Too many attempts; see `Retry-After`"),
    (500, "A server fault (logged; the body says nothing more)"),
    UNAVAILABLE,
];

/// GameFuse takes every body as JSON, URL-encoded or multipart form (reference 0.4).
fn form_bodies(op: &mut Operation) {
    if let Some(RefOr::T(body)) = &mut op.request_body
        && let Some(json) = body.content.get("application/json").cloned()
    {
        for ctype in ["application/x-www-form-urlencoded", "multipart/form-data"] {
            body.content.entry(ctype.to_owned()).or_insert_with(|| json.clone());
        }
        // Every parameter may come in the query instead, or be absent (named in a 400).
        body.required = Some(utoipa::openapi::Required::False);
    }
}

struct Dialect;

impl Modify for Dialect {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(d) = &mut doc.info.description {
            d.push_str(NATIVE);
        }
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "authToken",
            header_key(
                "authentication-token",
                "A user's authentication token (sign-in or sign-up answer)",
            ),
        );
        components.add_security_scheme(
            "serviceKeyName",
            header_key(
                "service-key-name",
                "A service key's name; `current-user-id` names the user it acts as",
            ),
        );
        components.add_security_scheme(
            "serviceKeyToken",
            header_key("service-key-token", "A service key's token"),
        );
        components.add_security_scheme(
            "gameToken",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "game_token",
                "The game's GameFuse token (with `game_id`); also taken from the body",
            ))),
        );
        // The caller's full data also has every field of the public view: either, not one of.
        if let Some(RefOr::T(Schema::OneOf(one))) = components.schemas.get("UserView").cloned() {
            let any = one
                .items
                .into_iter()
                .fold(AnyOfBuilder::new(), AnyOfBuilder::item)
                .description(one.description)
                .build();
            components
                .schemas
                .insert("UserView".into(), RefOr::T(Schema::AnyOf(any)));
        }
        add_errors(
            doc,
            &Errors {
                content: ("text/plain", text_error()),
                common: COMMON,
            },
        );
        for item in doc.paths.paths.values_mut() {
            for op in [
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                form_bodies(op);
            }
            // Handlers are named per resource module (`groups::create`, `chats::create`):
            // the module, as the tag says, keeps operation ids apart.
            for op in item_operations(item) {
                if let (Some(id), Some(tag)) = (&mut op.operation_id, op.tags.as_ref().and_then(|t| t.first())) {
                    *id = format!("{}_{id}", tag.replace(' ', "_"));
                }
            }
        }
        // One handler, several paths (reference 2.2, 6.3, 17.3).
        alias(
            doc,
            "/api/v3/games/verify",
            "/api/v3/games/fetch_game_variables",
            "_fetch_game_variables",
        );
        alias(
            doc,
            "/api/v3/games/verify",
            "/api/v3/games/fetch_game_variables.json",
            "_fetch_game_variables_json",
        );
        alias(
            doc,
            "/api/v3/users/{id}/remove_game_user_attribute",
            "/api/v3/users/{id}/remove_game_user_attributes",
            "_plural",
        );
        alias(
            doc,
            "/api/v3/test_suite/create_store_item",
            "/api/v3/test_suite/create_store_items",
            "_plural",
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Doc::openapi()
}
