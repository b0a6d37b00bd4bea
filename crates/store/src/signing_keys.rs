//! `impl SigningKeyStore for SqlStore`: the JWT signing keys, sealed.

use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::signing_keys::SigningKeyStore;
use playgate_core::token::SigningKeyRecord;

use crate::SqlStore;
use crate::exec::params;
use crate::rows::KeyRow;

#[async_trait]
impl SigningKeyStore for SqlStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        let rows: Vec<KeyRow> = self
            .read_all(
                "SELECT kid, sealed_secret, created_at FROM signing_keys ORDER BY created_at",
                params![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SigningKeyRecord {
                kid: r.kid,
                sealed_secret: r.sealed_secret,
                created_at: Timestamp(r.created_at),
            })
            .collect())
    }

    async fn insert_signing_key(&self, rec: &SigningKeyRecord) -> Result<()> {
        let rec = rec.clone();
        self.write_one(async move |conn| {
            conn.execute(
                "INSERT INTO signing_keys (kid, sealed_secret, created_at) VALUES ($1, $2, $3)",
                params![rec.kid, rec.sealed_secret, rec.created_at.0],
            )
            .await
            .map(drop)
        })
        .await
    }
}
