//! Credits and score.

use crate::common::lenient;
use serde::Deserialize;
use utoipa::ToSchema;

/// `add_credits` / `set_credits` (reference 8).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreditsRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub credits: Option<i64>,
}

/// `add_score` / `set_score` (reference 8).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub score: Option<i64>,
}
