//! The parameters several routes share, each named and documented once: the numeric ids
//! in the paths ([`PathId`], one [`Param`] per kind of thing a path names), the game
//! credentials' `game_id` in the query ([`GameQuery`]) and the leaderboard queries'
//! ([`BoardQuery`]).

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use playgate_core::Entity;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::{IntoParams, PartialSchema};

use super::GfError;

/// A numeric id in the path, as the route's parameter [`Param::NAME`]. It is read when the
/// request arrives but judged only when the handler asks ([`PathId::get`]), after the
/// credentials: a caller without them is told so before being told the id names nothing.
pub struct PathId<P> {
    id: Option<i64>,
    of: PhantomData<P>,
}

/// What one path parameter names.
pub trait Param {
    /// The parameter's name in the route (`{id}`, `{user_id}`).
    const NAME: &'static str;
    /// What an id that is not a number does not find (the 404's text).
    const ENTITY: Entity;
    /// Its description in the OpenAPI document.
    const ABOUT: &'static str;
}

impl<P: Param> PathId<P> {
    /// The id; anything but a number names nothing that exists (404).
    pub fn get(&self) -> Result<i64, GfError> {
        self.id.ok_or_else(|| playgate_core::Error::NotFound(P::ENTITY).into())
    }
}

impl<P: Param, S: Send + Sync> FromRequestParts<S> for PathId<P> {
    // Axum's own answer to a path it cannot decode, as `Path<String>` gives it.
    type Rejection = <Path<Vec<(String, String)>> as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        let raw = params.iter().find(|(name, _)| name == P::NAME).map(|(_, v)| v.trim());
        Ok(PathId {
            id: raw.and_then(|v| v.parse().ok()),
            of: PhantomData,
        })
    }
}

impl<P: Param> IntoParams for PathId<P> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name(P::NAME)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(P::ABOUT))
                .schema(Some(i64::schema()))
                .build(),
        ]
    }
}

/// `{id}`: a user.
pub enum User {}
impl Param for User {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::User;
    const ABOUT: &'static str = "The user's id";
}

/// `{user_id}`: a member of a group.
pub enum Member {}
impl Param for Member {
    const NAME: &'static str = "user_id";
    const ENTITY: Entity = Entity::User;
    const ABOUT: &'static str = "The member";
}

/// `{user_id}`: an admin of a group.
pub enum Admin {}
impl Param for Admin {
    const NAME: &'static str = "user_id";
    const ENTITY: Entity = Entity::User;
    const ABOUT: &'static str = "The admin";
}

/// `{user_id}`: whose friends.
pub enum FriendsOf {}
impl Param for FriendsOf {
    const NAME: &'static str = "user_id";
    const ENTITY: Entity = Entity::User;
    const ABOUT: &'static str = "Whose friends";
}

/// `{id}`: a group.
pub enum Group {}
impl Param for Group {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::Group;
    const ABOUT: &'static str = "The group's id";
}

/// `{group_id}`: the group the caller leaves.
pub enum GroupLeft {}
impl Param for GroupLeft {
    const NAME: &'static str = "group_id";
    const ENTITY: Entity = Entity::Group;
    const ABOUT: &'static str = "The group's id";
}

/// `{id}`: a group connection (invite, join request, membership).
pub enum Connection {}
impl Param for Connection {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::GroupConnection;
    const ABOUT: &'static str = "The connection's id";
}

/// `{id}`: a friendship or friend request.
pub enum Friendship {}
impl Param for Friendship {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::Friendship;
    const ABOUT: &'static str = "The friendship's id";
}

/// `{id}`: a chat message.
pub enum Message {}
impl Param for Message {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::Message;
    const ABOUT: &'static str = "The message's id";
}

/// `{page}`: a page of a list, from 1.
pub enum Page {}
impl Param for Page {
    const NAME: &'static str = "page";
    const ENTITY: Entity = Entity::Page;
    const ABOUT: &'static str = "From 1";
}

/// `{id}`: a game round.
pub enum Round {}
impl Param for Round {
    const NAME: &'static str = "id";
    const ENTITY: Entity = Entity::GameRound;
    const ABOUT: &'static str = "The round's id";
}

/// `{game_id}`: a game.
pub enum Game {}
impl Param for Game {
    const NAME: &'static str = "game_id";
    const ENTITY: Entity = Entity::Game;
    const ABOUT: &'static str = "The game's id";
}

/// `game_id` in the query (or the body), with `game_token`: the game a call with game
/// credentials (`GameCall`) or the test suite's key acts on. For the document only; the
/// extractors read it from the merged input.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents a parameter only")]
pub struct GameQuery {
    /// The game's id
    game_id: i64,
}

/// The leaderboard queries' parameters (reference 9.3, 9.4), read as
/// `LeaderboardQueryRequest`. For the document only.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents parameters only")]
pub struct BoardQuery {
    /// One board
    #[param(required = false)]
    leaderboard_name: String,
    /// At most this many entries
    #[param(required = false)]
    limit: i64,
    /// Only each user's best entry
    #[param(required = false)]
    one_per_user: bool,
}
