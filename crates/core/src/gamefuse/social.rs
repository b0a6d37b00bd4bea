//! The relations of a GameFuse user's full data (reference 1.3): friends, groups, invites,
//! join requests and rounds, read in a constant number of queries; its chats come from
//! [`crate::social::chats::Chats::page`]. The rules of each feature are in
//! [`crate::social::friends`], [`crate::social::groups`] and [`crate::rounds`].

use super::Gamefuse;
use crate::Result;
use crate::client_users::ClientUser;
use crate::rounds::GameRound;
use crate::social::chats::Chat;
use crate::social::friends::FriendLists;
use crate::social::groups::{Connection, ConnectionKind, ConnectionView, GroupView, views};
use std::collections::{HashMap, HashSet};

/// The relation arrays of a user's full data (reference 1.3).
#[derive(Debug, Clone, Default)]
pub struct Relations {
    pub friends: FriendLists,
    /// Groups the user is an accepted member of, oldest membership first.
    pub groups: Vec<GroupView>,
    /// Pending invites addressed to the user, with group, user and inviter.
    pub group_invites: Vec<ConnectionView>,
    /// Pending join requests the user made, with group and user.
    pub group_join_requests: Vec<ConnectionView>,
    pub game_rounds: Vec<GameRound>,
    /// Page 1 of the user's direct chats (not for other users; filled by the caller).
    pub direct_chats: Vec<Chat>,
    /// Page 1 of the chats of the user's groups (not for other users; filled by the caller).
    pub group_chats: Vec<Chat>,
}

impl Gamefuse {
    // -------------------------------------------------------------- full user data
    /// The relations of a user's full data (reference 1.3), in a constant number of
    /// queries whatever their sizes. For another user (`public`), only the public ones:
    /// friends, groups and game rounds.
    pub async fn relations(&self, user: &ClientUser, public: bool) -> Result<Relations> {
        let store = self.store();
        let mut friends = FriendLists::from_links(store.friend_links(user.id).await?);
        let conns = store.connections_of_user(user.id).await?;
        let (member_of, pending): (Vec<Connection>, Vec<Connection>) =
            conns.into_iter().partition(|c| c.status == "accepted");
        let member_ids: Vec<i64> = member_of.iter().map(|c| c.group_id).collect();
        let pending = if public { Vec::new() } else { pending };
        let mut all_ids = member_ids.clone();
        all_ids.extend(pending.iter().map(|c| c.group_id));
        let groups = store.groups(user.game_id, &all_ids).await?;
        let members = store.members(&all_ids).await?;
        let mut by_id: HashMap<i64, GroupView> = views(groups, &members).into_iter().map(|v| (v.group.id, v)).collect();
        // Oldest membership first (the connections come oldest first).
        let groups = member_ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
        let people: Vec<i64> = pending
            .iter()
            .filter_map(|c| c.inviter_id.map(|i| i.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let inviters: HashMap<i64, ClientUser> = store
            .users(user.game_id, &people)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u))
            .collect();
        let (mut group_invites, mut group_join_requests) = (Vec::new(), Vec::new());
        for c in pending {
            let Some(group) = by_id.remove(&c.group_id) else {
                continue;
            };
            let v = ConnectionView {
                inviter: c.inviter_id.and_then(|i| inviters.get(&i.0).cloned()),
                user: user.clone(),
                group: Some(group),
                connection: c,
            };
            if v.connection.kind == ConnectionKind::Invite {
                group_invites.push(v);
            } else {
                group_join_requests.push(v);
            }
        }
        if public {
            friends.incoming.clear();
            friends.outgoing.clear();
        }
        Ok(Relations {
            friends,
            groups,
            group_invites,
            group_join_requests,
            game_rounds: store.rounds_of(user.id, 1000, 0).await?,
            ..Relations::default()
        })
    }
}
