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

/// A numeric id in the path, as the route names it ([`Param::DOC`]). It is read when the
/// request arrives but judged only when the handler asks ([`PathId::get`]), after the
/// credentials: a caller without them is told so before being told the id names nothing.
pub struct PathId<P> {
    id: Option<i64>,
    of: PhantomData<P>,
}

/// A kind of id in the paths.
pub trait Param {
    /// What it is called and what it names.
    const DOC: ParamDoc;
}

/// What one path parameter is called and what it names.
pub struct ParamDoc {
    /// Its name in the route (`{id}`, `{user_id}`).
    name: &'static str,
    /// What an id that is not a number does not find (the 404's text).
    entity: Entity,
    /// Its description in the OpenAPI document.
    about: &'static str,
}

impl ParamDoc {
    const fn new(name: &'static str, entity: Entity, about: &'static str) -> Self {
        ParamDoc { name, entity, about }
    }
}

impl<P: Param> PathId<P> {
    /// The id; anything but a number names nothing that exists (404).
    pub fn get(&self) -> Result<i64, GfError> {
        self.id
            .ok_or_else(|| playgate_core::Error::NotFound(P::DOC.entity).into())
    }
}

impl<P: Param, S: Send + Sync> FromRequestParts<S> for PathId<P> {
    // Axum's own answer to a path it cannot decode, as `Path<String>` gives it.
    type Rejection = <Path<Vec<(String, String)>> as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        Ok(PathId {
            id: id_named(&params, P::DOC.name),
            of: PhantomData,
        })
    }
}

/// The parameter `name` of a route's `params`, if it is a number.
fn id_named(params: &[(String, String)], name: &str) -> Option<i64> {
    let (_, raw) = params.iter().find(|(n, _)| n == name)?;
    raw.trim().parse().ok()
}

impl<P: Param> IntoParams for PathId<P> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name(P::DOC.name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(P::DOC.about))
                .schema(Some(i64::schema()))
                .build(),
        ]
    }
}

/// `{id}`: a user.
pub enum User {}
impl Param for User {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::User, "The user's id");
}

/// `{user_id}`: a member of a group.
pub enum Member {}
impl Param for Member {
    const DOC: ParamDoc = ParamDoc::new("user_id", Entity::User, "The member");
}

/// `{user_id}`: an admin of a group.
pub enum Admin {}
impl Param for Admin {
    const DOC: ParamDoc = ParamDoc::new("user_id", Entity::User, "The admin");
}

/// `{user_id}`: whose friends.
pub enum FriendsOf {}
impl Param for FriendsOf {
    const DOC: ParamDoc = ParamDoc::new("user_id", Entity::User, "Whose friends");
}

/// `{id}`: a group.
pub enum Group {}
impl Param for Group {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::Group, "The group's id");
}

/// `{group_id}`: the group the caller leaves.
pub enum GroupLeft {}
impl Param for GroupLeft {
    const DOC: ParamDoc = ParamDoc::new("group_id", Entity::Group, "The group's id");
}

/// `{id}`: a group connection (invite, join request, membership).
pub enum Connection {}
impl Param for Connection {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::GroupConnection, "The connection's id");
}

/// `{id}`: a friendship or friend request.
pub enum Friendship {}
impl Param for Friendship {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::Friendship, "The friendship's id");
}

/// `{id}`: a chat message.
pub enum Message {}
impl Param for Message {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::Message, "The message's id");
}

/// `{page}`: a page of a list, from 1.
pub enum Page {}
impl Param for Page {
    const DOC: ParamDoc = ParamDoc::new("page", Entity::Page, "From 1");
}

/// `{id}`: a game round.
pub enum Round {}
impl Param for Round {
    const DOC: ParamDoc = ParamDoc::new("id", Entity::GameRound, "The round's id");
}

/// `{game_id}`: a game.
pub enum Game {}
impl Param for Game {
    const DOC: ParamDoc = ParamDoc::new("game_id", Entity::Game, "The game's id");
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each id is found by its name and trimmed; a bad one is a 404 only when asked for.
    #[test]
    fn reads_ids_by_name_and_judges_them_when_asked() {
        let params = |group: &str, user: &str| {
            [
                ("id".to_owned(), group.to_owned()),
                ("user_id".to_owned(), user.to_owned()),
            ]
        };
        assert_eq!(id_named(&params("7", " 9"), "id"), Some(7));
        assert_eq!(id_named(&params("7", " 9"), "user_id"), Some(9));
        assert_eq!(id_named(&params("seven", "9"), "id"), None);
        assert_eq!(id_named(&params("7", "9"), "group_id"), None);
        let bad: PathId<Group> = PathId {
            id: None,
            of: PhantomData,
        };
        assert_eq!(bad.get().map_err(|e| e.status().as_u16()), Err(404));
    }

    #[test]
    fn documents_each_id_once() -> Result<(), serde_json::Error> {
        let p = serde_json::to_value(<PathId<Admin> as IntoParams>::into_params(|| None))?;
        let want = serde_json::json!([{
            "name": "user_id", "in": "path", "required": true, "description": "The admin",
            "schema": {"type": "integer", "format": "int64"},
        }]);
        assert_eq!(p, want);
        Ok(())
    }
}
