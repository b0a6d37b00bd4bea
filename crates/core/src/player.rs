//! Players: a person inside one game, keyed by the game's `user_id`.

use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId, UserId};

/// The profile a game backend reports about its player (KGeN seed 000's fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub username: String,
    pub email: String,
    pub device_id: String,
    pub phonenumber: String,
    pub level: i64,
    pub rank: i64,
    pub date_joined: String,
    pub playertag: String,
    pub location: String,
    pub location_name: String,
    pub device_model: String,
    pub screen_height: String,
    pub screen_width: String,
    pub os_name: String,
    pub os_version: String,
    pub browser_name: String,
    pub fb_login: String,
    pub google_login: String,
    pub app_version: String,
}

/// Profile fields to change; `None` keeps the stored value. Built by
/// [`ProfilePatch::non_empty`] so that empty values never erase what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub phonenumber: Option<String>,
    pub level: Option<i64>,
    pub rank: Option<i64>,
    pub date_joined: Option<String>,
    pub playertag: Option<String>,
    pub location: Option<String>,
    pub location_name: Option<String>,
    pub device_model: Option<String>,
    pub screen_height: Option<String>,
    pub screen_width: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub browser_name: Option<String>,
    pub fb_login: Option<String>,
    pub google_login: Option<String>,
    pub app_version: Option<String>,
}

fn keep(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.is_empty())
}

impl ProfilePatch {
    /// The merge rule of `POST /s2s/session`: only non-empty values sent change the stored
    /// profile (an empty string or an absent field keeps what is there).
    pub fn non_empty(self) -> ProfilePatch {
        ProfilePatch {
            name: keep(self.name),
            username: keep(self.username),
            email: keep(self.email),
            device_id: keep(self.device_id),
            phonenumber: keep(self.phonenumber),
            level: self.level,
            rank: self.rank,
            date_joined: keep(self.date_joined),
            playertag: keep(self.playertag),
            location: keep(self.location),
            location_name: keep(self.location_name),
            device_model: keep(self.device_model),
            screen_height: keep(self.screen_height),
            screen_width: keep(self.screen_width),
            os_name: keep(self.os_name),
            os_version: keep(self.os_version),
            browser_name: keep(self.browser_name),
            fb_login: keep(self.fb_login),
            google_login: keep(self.google_login),
            app_version: keep(self.app_version),
        }
    }

    /// Longest accepted profile value, in characters.
    pub const MAX_CHARS: usize = 1024;

    /// Checks every value's length, naming the first field that is too long.
    pub fn validate(&self) -> crate::Result<()> {
        let fields = [
            ("name", &self.name),
            ("username", &self.username),
            ("email", &self.email),
            ("device_id", &self.device_id),
            ("phonenumber", &self.phonenumber),
            ("date_joined", &self.date_joined),
            ("playertag", &self.playertag),
            ("location", &self.location),
            ("location_name", &self.location_name),
            ("device_model", &self.device_model),
            ("screen_height", &self.screen_height),
            ("screen_width", &self.screen_width),
            ("os_name", &self.os_name),
            ("os_version", &self.os_version),
            ("browser_name", &self.browser_name),
            ("fb_login", &self.fb_login),
            ("google_login", &self.google_login),
            ("app_version", &self.app_version),
        ];
        for (field, value) in fields {
            if value.as_ref().is_some_and(|v| v.chars().count() > Self::MAX_CHARS) {
                return Err(crate::Error::invalid(field, "must be at most 1024 characters"));
            }
        }
        Ok(())
    }

    /// Whether applying it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ProfilePatch::default()
    }

    /// Applies it to a profile.
    pub fn apply(self, p: &mut Profile) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { p.$f = v; } )* };
        }
        crate::profile_fields!(set);
    }
}

/// Calls the macro `$m` with the names of the profile's fields, in their stored order: the
/// one list that [`ProfilePatch::apply`] and the store's profile columns (each named like
/// its field) are built from.
#[macro_export]
macro_rules! profile_fields {
    ($m:ident) => {
        $m! {
            name,
            username,
            email,
            device_id,
            phonenumber,
            level,
            rank,
            date_joined,
            playertag,
            location,
            location_name,
            device_model,
            screen_height,
            screen_width,
            os_name,
            os_version,
            browser_name,
            fb_login,
            google_login,
            app_version
        }
    };
}

/// The platform account a player is linked to, as the KGeN dialect shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAccount {
    /// The account's public id (`indigg_id`).
    pub public_id: String,
    /// The account's custodial wallet (`indigg_wallet_address`).
    pub wallet_address: String,
    /// The account's phone (`linked_phone`).
    pub phone: String,
}

/// A ban: a banned player cannot open sessions (its sessions ended when it was banned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    /// The operator's reason, shown to the player's client where the dialect can.
    pub reason: String,
    /// When it was banned.
    pub at: Timestamp,
}

/// A player as stored.
#[derive(Debug, Clone)]
pub struct Player {
    /// Internal id.
    pub id: PlayerId,
    /// Its game.
    pub game_id: GameId,
    /// The game's id for it.
    pub user_id: UserId,
    /// Reported profile.
    pub profile: Profile,
    /// EIP-55 address of its custodial wallet.
    pub wallet_address: String,
    /// The linked platform account, if any.
    pub linked: Option<LinkedAccount>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Its ban, if it is banned.
    pub ban: Option<Ban>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_stored_values_for_empty_fields() {
        let mut p = Profile {
            name: "Ann".into(),
            level: 3,
            ..Profile::default()
        };
        let patch = ProfilePatch {
            name: Some(String::new()),
            email: Some("a@b.c".into()),
            level: Some(4),
            ..ProfilePatch::default()
        }
        .non_empty();
        assert!(!patch.is_empty());
        patch.apply(&mut p);
        assert_eq!(p.name, "Ann");
        assert_eq!(p.email, "a@b.c");
        assert_eq!(p.level, 4);
        assert!(
            ProfilePatch {
                name: Some(String::new()),
                ..Default::default()
            }
            .non_empty()
            .is_empty()
        );
    }
}
