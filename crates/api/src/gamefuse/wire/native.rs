//! The native SDKs' shapes (reference 17): what Unity and Unreal read differs from the JS SDK.

use super::{
    ChatCreatedOut, ChatOut, ChatPageOut, ConnectionOut, FullUserOut, GameRoundOut, GameRoundsOut, GroupOut, GroupsOut,
    OtherUserOut, RankingOut,
};

/// The shapes the native SDKs (C#, Unreal) need where the JS ones differ (reference 17.4,
/// 17.7): the C# client throws on `null` in a field it types as a number (and then sends
/// the request again), so those get numbers, `0` meaning "none" (no size limit, no place
/// or score yet); a direct chat's `creator_type` is `user` (Unreal compares it).
pub trait Native {
    /// Applies the native shapes in place, recursively.
    fn native(&mut self);
}

impl<T: Native> Native for Vec<T> {
    fn native(&mut self) {
        self.iter_mut().for_each(Native::native);
    }
}

impl<T: Native> Native for Option<T> {
    fn native(&mut self) {
        if let Some(v) = self {
            v.native();
        }
    }
}

impl Native for GroupOut {
    fn native(&mut self) {
        self.max_group_size.get_or_insert(0);
        self.join_requests.native();
        self.invites.native();
    }
}

impl Native for GroupsOut {
    fn native(&mut self) {
        self.groups.native();
    }
}

impl Native for ConnectionOut {
    fn native(&mut self) {
        self.group.native();
    }
}

/// A round's or a ranking's `place` and `score` as the native SDKs read them: `0` for none.
fn placed(place: &mut Option<i64>, score: &mut Option<f64>) {
    place.get_or_insert(0);
    score.get_or_insert(0.0);
}

impl Native for RankingOut {
    fn native(&mut self) {
        placed(&mut self.place, &mut self.score);
    }
}

impl Native for GameRoundOut {
    fn native(&mut self) {
        placed(&mut self.place, &mut self.score);
        self.rankings.native();
    }
}

impl Native for GameRoundsOut {
    fn native(&mut self) {
        self.game_rounds.native();
    }
}

impl Native for ChatOut {
    fn native(&mut self) {
        if self.group_id.is_none() {
            self.creator_type = "user";
        }
    }
}

impl Native for ChatPageOut {
    fn native(&mut self) {
        self.direct_chats.native();
        self.group_chats.native();
    }
}

impl Native for ChatCreatedOut {
    fn native(&mut self) {
        // Unreal's chat spec expects the message just posted unread in this answer
        // (reference 17.5); `read_by` still lists its sender.
        for c in [&mut self.top, &mut self.chat] {
            c.native();
            if let Some(m) = c.messages.first_mut() {
                m.read = false;
            }
        }
    }
}

impl Native for FullUserOut {
    fn native(&mut self) {
        self.direct_chats.native();
        self.group_chats.native();
        self.groups.native();
        self.group_invites.native();
        self.group_join_requests.native();
        self.game_rounds.native();
    }
}

impl Native for OtherUserOut {
    fn native(&mut self) {
        self.groups.native();
        self.game_rounds.native();
    }
}
