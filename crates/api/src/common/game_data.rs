//! The changes operators make to a game's data (game variables, store items, service keys,
//! route switches), shared by the admin API and the console: each is made through its
//! service, then recorded in the audit log by the operator (`by`, the event the caller's
//! credential starts), under the same action and subject from either. The change is made
//! by then: a failure to record is logged, not answered.

use playgate_core::Error;
use playgate_core::audit::NewAuditEvent;
use playgate_core::economy::store_items::{NewStoreItem, StoreItem};
use playgate_core::game_variables::GameVariable;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::ids::GameId;
use serde_json::json;

use super::state::AppState;

/// Sets a game variable (created if new).
pub async fn set_variable(
    s: &AppState,
    by: NewAuditEvent,
    game: GameId,
    key: &str,
    value: &str,
) -> Result<GameVariable, Error> {
    let var = s.game_variables.set(game, key, value).await?;
    record(
        s,
        by,
        "game_variable.set",
        game,
        format!("game_variable:{key}"),
        Some(json!({"after": {"value": value}})),
    )
    .await;
    Ok(var)
}

/// Deletes a game variable.
pub async fn delete_variable(s: &AppState, by: NewAuditEvent, game: GameId, key: &str) -> Result<(), Error> {
    s.game_variables.delete(game, key).await?;
    record(
        s,
        by,
        "game_variable.deleted",
        game,
        format!("game_variable:{key}"),
        None,
    )
    .await;
    Ok(())
}

/// Adds a store item.
pub async fn add_store_item(
    s: &AppState,
    by: NewAuditEvent,
    game: GameId,
    item: NewStoreItem,
) -> Result<StoreItem, Error> {
    let item = s.store_items.add(game, item).await?;
    record(
        s,
        by,
        "store_item.added",
        game,
        format!("store_item:{}", item.id),
        Some(json!({"after": {"name": item.name, "cost": item.cost, "category": item.category}})),
    )
    .await;
    Ok(item)
}

/// Deletes a store item.
pub async fn delete_store_item(s: &AppState, by: NewAuditEvent, game: GameId, item: i64) -> Result<(), Error> {
    s.store_items.delete(game, item).await?;
    record(s, by, "store_item.deleted", game, format!("store_item:{item}"), None).await;
    Ok(())
}

/// Deletes a service key: it stops working at once.
pub async fn delete_service_key(s: &AppState, by: NewAuditEvent, game: GameId, name: &str) -> Result<(), Error> {
    s.gamefuse.delete_service_key(game, name).await?;
    record(s, by, "service_key.deleted", game, format!("service_key:{name}"), None).await;
    Ok(())
}

/// Sets one route switch: whether the game's users and its service keys may call the
/// route.
pub async fn set_route(s: &AppState, by: NewAuditEvent, game: GameId, access: RouteAccess) -> Result<(), Error> {
    let subject = format!("route:{}", access.route);
    let after = json!({"user_allowed": access.user_allowed, "key_allowed": access.key_allowed});
    s.gamefuse.set_route_access(game, access).await?;
    record(s, by, "route_access.set", game, subject, Some(json!({"after": after}))).await;
    Ok(())
}

/// Records `action` by `by` on `subject` of `game`, with `detail` if any.
async fn record(
    s: &AppState,
    by: NewAuditEvent,
    action: &str,
    game: GameId,
    subject: String,
    detail: Option<serde_json::Value>,
) {
    let event = by.action(action).game(game).subject(subject);
    s.audit
        .record_alone(match detail {
            Some(d) => event.detail(d),
            None => event,
        })
        .await;
}
