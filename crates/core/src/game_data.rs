//! Operators' changes to a game's data (its variables, store items, service keys and route
//! switches), as the admin API, the console and the CLI make them (its credentials are
//! [`Games::rotate`](crate::games::Games::rotate)'s). Each change is
//! made through the service of what it changes, then recorded in the audit log under the
//! operator's event (actor and origin, started by the caller), with one action, subject and
//! detail whichever surface made it (`Change`). The change is made by then: a failure to
//! record is logged, not answered.

use serde_json::json;

use crate::Result;
use crate::audit::{Audit, NewAuditEvent};
use crate::crypto::Secret;
use crate::economy::store_items::{NewStoreItem, StoreItem, StoreItems};
use crate::game_variables::{GameVariable, GameVariables};
use crate::gamefuse::Gamefuse;
use crate::gamefuse::keys::{RouteAccess, ServiceKey};
use crate::ids::GameId;

/// A change to a game's data, as the audit log names it.
#[derive(Debug, Clone, Copy)]
enum Change<'a> {
    /// A variable was set to a value.
    VariableSet { key: &'a str, value: &'a str },
    /// A variable was deleted.
    VariableDeleted { key: &'a str },
    /// A store item was added.
    StoreItemAdded(&'a StoreItem),
    /// A store item (by id) was deleted.
    StoreItemDeleted(i64),
    /// A service key (by name) was created.
    ServiceKeyCreated { name: &'a str },
    /// A service key (by name) was deleted.
    ServiceKeyDeleted { name: &'a str },
    /// A route switch was set.
    RouteSet(&'a RouteAccess),
}

impl Change<'_> {
    /// `by` (the operator and the request's origin) completed with the change's action,
    /// `game`, subject and detail.
    fn event(self, by: NewAuditEvent, game: GameId) -> NewAuditEvent {
        let (action, subject, detail) = match self {
            Change::VariableSet { key, value } => (
                "game_variable.set",
                Some(format!("game_variable:{key}")),
                Some(json!({"after": {"value": value}})),
            ),
            Change::VariableDeleted { key } => ("game_variable.deleted", Some(format!("game_variable:{key}")), None),
            Change::StoreItemAdded(item) => (
                "store_item.added",
                Some(format!("store_item:{}", item.id)),
                Some(json!({"after": {"name": item.name, "cost": item.cost, "category": item.category}})),
            ),
            Change::StoreItemDeleted(id) => ("store_item.deleted", Some(format!("store_item:{id}")), None),
            Change::ServiceKeyCreated { name } => ("service_key.created", Some(format!("service_key:{name}")), None),
            Change::ServiceKeyDeleted { name } => ("service_key.deleted", Some(format!("service_key:{name}")), None),
            Change::RouteSet(access) => (
                "route_access.set",
                Some(format!("route:{}", access.route)),
                Some(json!({"after": {"user_allowed": access.user_allowed, "key_allowed": access.key_allowed}})),
            ),
        };
        let mut event = by.action(action).game(game);
        if let Some(subject) = subject {
            event = event.subject(subject);
        }
        match detail {
            Some(detail) => event.detail(detail),
            None => event,
        }
    }
}

/// The service of operators' changes to a game's data, each recorded in the audit log.
#[derive(Clone)]
pub struct GameData {
    variables: GameVariables,
    store_items: StoreItems,
    gamefuse: Gamefuse,
    audit: Audit,
}

impl GameData {
    /// The service over the services of what it changes and the audit log.
    pub fn new(variables: GameVariables, store_items: StoreItems, gamefuse: Gamefuse, audit: Audit) -> Self {
        GameData {
            variables,
            store_items,
            gamefuse,
            audit,
        }
    }

    /// Records `change` of `game` by `by`; a failure to record is logged.
    async fn record(&self, change: Change<'_>, game: GameId, by: NewAuditEvent) {
        self.audit.record_alone(change.event(by, game)).await;
    }

    /// Sets a game variable (created if new): `game_variable.set`.
    pub async fn set_variable(&self, game: GameId, key: &str, value: &str, by: NewAuditEvent) -> Result<GameVariable> {
        let var = self.variables.set(game, key, value).await?;
        self.record(Change::VariableSet { key, value }, game, by).await;
        Ok(var)
    }

    /// Deletes a game variable: `game_variable.deleted`.
    pub async fn delete_variable(&self, game: GameId, key: &str, by: NewAuditEvent) -> Result<()> {
        self.variables.delete(game, key).await?;
        self.record(Change::VariableDeleted { key }, game, by).await;
        Ok(())
    }

    /// Adds a store item: `store_item.added`.
    pub async fn add_store_item(&self, game: GameId, item: NewStoreItem, by: NewAuditEvent) -> Result<StoreItem> {
        let item = self.store_items.add(game, item).await?;
        self.record(Change::StoreItemAdded(&item), game, by).await;
        Ok(item)
    }

    /// Deletes a store item (and its purchases): `store_item.deleted`.
    pub async fn delete_store_item(&self, game: GameId, item: i64, by: NewAuditEvent) -> Result<()> {
        self.store_items.delete(game, item).await?;
        self.record(Change::StoreItemDeleted(item), game, by).await;
        Ok(())
    }

    /// Creates a service key, its token returned this once: `service_key.created`.
    pub async fn create_service_key(
        &self,
        game: GameId,
        name: &str,
        by: NewAuditEvent,
    ) -> Result<(ServiceKey, Secret)> {
        let (key, token) = self.gamefuse.create_service_key(game, name).await?;
        self.record(Change::ServiceKeyCreated { name: &key.name }, game, by)
            .await;
        Ok((key, token))
    }

    /// Deletes a service key, which stops working at once: `service_key.deleted`.
    pub async fn delete_service_key(&self, game: GameId, name: &str, by: NewAuditEvent) -> Result<()> {
        self.gamefuse.delete_service_key(game, name).await?;
        self.record(Change::ServiceKeyDeleted { name }, game, by).await;
        Ok(())
    }

    /// Sets one route switch (whether the game's users and its service keys may call the
    /// route): `route_access.set`.
    pub async fn set_route_access(&self, game: GameId, access: RouteAccess, by: NewAuditEvent) -> Result<()> {
        let change = access.clone();
        self.gamefuse.set_route_access(game, access).await?;
        self.record(Change::RouteSet(&change), game, by).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Actor, Origin};

    fn by() -> NewAuditEvent {
        let origin = Origin {
            ip: Some("192.0.2.7".into()),
            user_agent: None,
        };
        NewAuditEvent::by(Actor::Operator("ada".into())).origin(origin)
    }

    /// Every change keeps the operator and origin and gets its action, the game, its
    /// subject and its detail (`{}` when it has none).
    #[test]
    fn each_change_is_recorded_under_its_action_subject_and_detail() {
        let game = GameId(3);
        let item = StoreItem {
            id: 9,
            game_id: game,
            name: "Sword".into(),
            description: String::new(),
            category: "weapons".into(),
            cost: 40,
            icon_url: None,
        };
        let route = RouteAccess {
            route: "users/{id}/add_credits".into(),
            user_allowed: false,
            key_allowed: true,
        };
        let cases = [
            (
                Change::VariableSet { key: "k", value: "v" },
                "game_variable.set",
                Some("game_variable:k"),
                json!({"after": {"value": "v"}}),
            ),
            (
                Change::VariableDeleted { key: "k" },
                "game_variable.deleted",
                Some("game_variable:k"),
                json!({}),
            ),
            (
                Change::StoreItemAdded(&item),
                "store_item.added",
                Some("store_item:9"),
                json!({"after": {"name": "Sword", "cost": 40, "category": "weapons"}}),
            ),
            (
                Change::StoreItemDeleted(9),
                "store_item.deleted",
                Some("store_item:9"),
                json!({}),
            ),
            (
                Change::ServiceKeyCreated { name: "server" },
                "service_key.created",
                Some("service_key:server"),
                json!({}),
            ),
            (
                Change::ServiceKeyDeleted { name: "server" },
                "service_key.deleted",
                Some("service_key:server"),
                json!({}),
            ),
            (
                Change::RouteSet(&route),
                "route_access.set",
                Some("route:users/{id}/add_credits"),
                json!({"after": {"user_allowed": false, "key_allowed": true}}),
            ),
        ];
        for (change, action, subject, detail) in cases {
            let e = change.event(by(), game);
            assert_eq!(e.action, action);
            assert_eq!(e.actor, Actor::Operator("ada".into()), "{action}");
            assert_eq!(e.origin, by().origin, "{action}");
            assert_eq!(e.game, Some(game), "{action}");
            assert_eq!(e.subject.as_deref(), subject, "{action}");
            assert_eq!(e.detail, detail, "{action}");
        }
    }
}
