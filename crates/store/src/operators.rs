//! `impl OperatorStore for SqlStore`: the admin API's operators, every query once for both
//! backends.

use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::operators::{Operator, OperatorStore, Role};

use crate::SqlStore;
use crate::exec::{params, row};

const OPERATOR_COLS: &str = "id, name, role, enabled, created_at, last_used_at";

row! {
    /// An operator's row ([`OPERATOR_COLS`]).
    pub(crate) struct OperatorRow {
    id: i64,
    name: String,
    role: String,
    enabled: bool,
    created_at: i64,
    last_used_at: Option<i64>,}
}

impl TryFrom<OperatorRow> for Operator {
    type Error = playgate_core::Error;

    fn try_from(r: OperatorRow) -> Result<Self> {
        Ok(Operator {
            id: r.id,
            name: r.name,
            // The table's CHECK allows only the two roles.
            role: Role::parse(&r.role)?,
            enabled: r.enabled,
            created_at: Timestamp(r.created_at),
            last_used_at: r.last_used_at.map(Timestamp),
        })
    }
}

fn operator(row: Option<OperatorRow>) -> Result<Option<Operator>> {
    row.map(Operator::try_from).transpose()
}

#[async_trait]
impl OperatorStore for SqlStore {
    async fn insert_operator(&self, name: &str, role: Role, token: &SecretHash, now: Timestamp) -> Result<Operator> {
        let (name, token) = (name.to_owned(), token.0.clone());
        let sql = format!(
            "INSERT INTO operators (name, role, enabled, token_hash, created_at) \
             VALUES ($1, $2, TRUE, $3, $4) RETURNING {OPERATOR_COLS}"
        );
        let row: OperatorRow = self
            .write_one(async move |c| c.fetch_one(&sql, params![name, role.as_str(), token, now.0]).await)
            .await?;
        Operator::try_from(row)
    }

    async fn operators(&self) -> Result<Vec<Operator>> {
        let sql = format!("SELECT {OPERATOR_COLS} FROM operators ORDER BY name");
        let rows: Vec<OperatorRow> = self.read_all(&sql, params![]).await?;
        rows.into_iter().map(Operator::try_from).collect()
    }

    async fn operator_by_token(&self, token: &SecretHash) -> Result<Option<Operator>> {
        let sql = format!("SELECT {OPERATOR_COLS} FROM operators WHERE token_hash = $1");
        let row = self.read_optional(&sql, params![&token.0]).await?;
        operator(row)
    }

    async fn set_operator_enabled(&self, name: &str, enabled: bool) -> Result<Option<Operator>> {
        let name = name.to_owned();
        let sql = format!("UPDATE operators SET enabled = $2 WHERE name = $1 RETURNING {OPERATOR_COLS}");
        let row = self
            .write_one(async move |c| c.fetch_optional(&sql, params![name, enabled]).await)
            .await?;
        operator(row)
    }

    async fn set_operator_token(&self, name: &str, token: &SecretHash) -> Result<Option<Operator>> {
        let (name, token) = (name.to_owned(), token.0.clone());
        let sql = format!("UPDATE operators SET token_hash = $2 WHERE name = $1 RETURNING {OPERATOR_COLS}");
        let row = self
            .write_one(async move |c| c.fetch_optional(&sql, params![name, token]).await)
            .await?;
        operator(row)
    }

    async fn touch_operator(&self, id: i64, now: Timestamp) -> Result<()> {
        self.execute_one(
            "UPDATE operators SET last_used_at = $2 WHERE id = $1",
            params![id, now.0],
        )
        .await?;
        Ok(())
    }

    async fn has_operators(&self) -> Result<bool> {
        let n: i64 = self
            .read_scalar_one("SELECT COUNT(*) FROM (SELECT 1 FROM operators LIMIT 1) t", params![])
            .await?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use playgate_core::clock::SystemClock;
    use playgate_core::operators::{Operators, Principal};
    use playgate_core::{Conflict, Entity, Error};

    use super::*;
    use crate::testing::{Backend, open_store};

    /// The operators service over each backend: names are unique (the store's key becomes
    /// the core's reason), only an enabled operator's current token is accepted, a rotated
    /// token replaces the old one at once, and use is recorded.
    async fn operators_lifecycle(b: Backend) {
        let Some((s, db)) = open_store(b).await else { return };
        let ops = Operators::new(s.clone(), Arc::new(SystemClock));
        assert!(!ops.any().await.expect("any"));
        let (ada, ada_token) = ops.create("ada", Role::Admin).await.expect("create");
        let (_, vic_token) = ops.create("vic", Role::Viewer).await.expect("create");
        assert!(ops.any().await.expect("any"));
        assert!(ada_token.expose().starts_with("pgo_"));
        assert_eq!((ada.name.as_str(), ada.role, ada.enabled), ("ada", Role::Admin, true));
        assert!(matches!(
            ops.create(" ada ", Role::Viewer).await,
            Err(Error::Conflict(Conflict::OperatorNameTaken))
        ));
        let names: Vec<String> = ops.list().await.expect("list").into_iter().map(|o| o.name).collect();
        assert_eq!(names, ["ada", "vic"]);

        let who = |token: String| {
            let ops = ops.clone();
            async move { ops.authenticate(&token).await.expect("authenticate") }
        };
        assert_eq!(
            who(vic_token.expose().to_owned()).await,
            Some(Principal {
                name: "vic".into(),
                role: Role::Viewer
            })
        );
        assert_eq!(who("pgo_wrong".into()).await, None);
        assert_eq!(who(String::new()).await, None);
        let listed = ops.list().await.expect("list");
        assert!(
            listed
                .iter()
                .find(|o| o.name == "vic")
                .is_some_and(|o| o.last_used_at.is_some())
        );
        assert!(
            listed
                .iter()
                .find(|o| o.name == "ada")
                .is_some_and(|o| o.last_used_at.is_none())
        );

        ops.set_enabled("vic", false).await.expect("disable");
        assert_eq!(who(vic_token.expose().to_owned()).await, None);
        ops.set_enabled("vic", true).await.expect("enable");
        assert!(who(vic_token.expose().to_owned()).await.is_some());

        let (_, new_token) = ops.rotate_token("ada").await.expect("rotate");
        assert_eq!(who(ada_token.expose().to_owned()).await, None);
        assert_eq!(
            who(new_token.expose().to_owned()).await.map(|p| p.role),
            Some(Role::Admin)
        );
        assert!(matches!(
            ops.rotate_token("nobody").await,
            Err(Error::NotFound(Entity::Operator))
        ));
        assert!(matches!(
            ops.set_enabled("nobody", false).await,
            Err(Error::NotFound(Entity::Operator))
        ));
        s.close().await;
        db.drop_it().await;
    }

    crate::on_both_backends!(operators_lifecycle);
}
