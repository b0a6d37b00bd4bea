//! Credits and score (reference 8): 200 with `UserSelf`, 400 without the number.

use super::params::{PathId, User};
use super::wire::{CreditsRequest, ScoreRequest, UserSelfOut};
use super::{Authed, GfError};
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use playgate_core::economy::credits::CounterOp;

async fn apply(s: &AppState, id: PathId<User>, auth: &Authed, op: CounterOp) -> Result<Json<UserSelfOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let user = s.credits.apply(user, op).await?;
    Ok(super::users::self_view(s, auth, &user))
}

fn credits(auth: &Authed) -> Result<i64, GfError> {
    let req: CreditsRequest = auth.input.unwrapped("game_user").parse()?;
    Ok(required(req.credits, "credits")?)
}

fn score(auth: &Authed) -> Result<i64, GfError> {
    let req: ScoreRequest = auth.input.unwrapped("game_user").parse()?;
    Ok(required(req.score, "score")?)
}

/// `POST /users/{id}/add_credits`: may be negative, never below zero credits (403).
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/add_credits",
    tag = "credits",
    params(
        PathId<User>,
    ),
    request_body = CreditsRequest,
    responses(
        (status = 200, description = "The user after", body = UserSelfOut),
    ),
)]
pub async fn add_credits(
    State(s): State<AppState>,
    id: PathId<User>,
    auth: Authed,
) -> Result<Json<UserSelfOut>, GfError> {
    let n = credits(&auth)?;
    apply(&s, id, &auth, CounterOp::AddCredits(n)).await
}

/// `POST /users/{id}/set_credits`.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/set_credits",
    tag = "credits",
    params(
        PathId<User>,
    ),
    request_body = CreditsRequest,
    responses(
        (status = 200, description = "The user after", body = UserSelfOut),
    ),
)]
pub async fn set_credits(
    State(s): State<AppState>,
    id: PathId<User>,
    auth: Authed,
) -> Result<Json<UserSelfOut>, GfError> {
    let n = credits(&auth)?;
    apply(&s, id, &auth, CounterOp::SetCredits(n)).await
}

/// `POST /users/{id}/add_score`.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/add_score",
    tag = "credits",
    params(
        PathId<User>,
    ),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The user after", body = UserSelfOut),
    ),
)]
pub async fn add_score(
    State(s): State<AppState>,
    id: PathId<User>,
    auth: Authed,
) -> Result<Json<UserSelfOut>, GfError> {
    let n = score(&auth)?;
    apply(&s, id, &auth, CounterOp::AddScore(n)).await
}

/// `POST /users/{id}/set_score`.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/set_score",
    tag = "credits",
    params(
        PathId<User>,
    ),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The user after", body = UserSelfOut),
    ),
)]
pub async fn set_score(
    State(s): State<AppState>,
    id: PathId<User>,
    auth: Authed,
) -> Result<Json<UserSelfOut>, GfError> {
    let n = score(&auth)?;
    apply(&s, id, &auth, CounterOp::SetScore(n)).await
}
