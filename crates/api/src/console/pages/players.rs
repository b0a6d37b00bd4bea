//! A game's players: the search (the whole page, or only its results for the search as
//! you type), and a player's page (profile, wallet, link, sessions, ban, export, erasure,
//! the latest events about it).

use maud::{Markup, html};
use playgate_core::audit::{AuditEvent, player_subject};
use playgate_core::clock::Timestamp;
use playgate_core::game::Game;
use playgate_core::players::{PlayerHit, PlayerOverview};
use playgate_core::session::Session;

use super::{Chrome, audit_table, csrf_field, error_for, layout, seg, when};

/// The search as typed, and a page of its results.
#[derive(Debug, Clone)]
pub struct PlayerResults<'a> {
    /// The game.
    pub game: &'a Game,
    /// The text searched for.
    pub q: &'a str,
    /// The players found.
    pub hits: &'a [PlayerHit],
    /// The cursor of the next page.
    pub next: Option<i64>,
    /// An error in the search text.
    pub error: Option<&'a str>,
}

/// The address of a player's page.
pub fn player_href(game: impl std::fmt::Display, user_id: &str) -> String {
    format!("/console/games/{game}/players/{}", seg(user_id))
}

/// The results of a player search: a table and the link to the next page (also the
/// fragment the search as you type loads).
pub fn player_results(r: &PlayerResults<'_>) -> Markup {
    html! {
        @if let Some(e) = r.error {
            p.field-error role="alert" { (e) }
        } @else if r.hits.is_empty() {
            p.muted { "No player matches." }
        } @else {
            div.scroll { table {
                thead { tr { th { "User id" } th { "Username" } th { "E-mail" } th { "Wallet address" } th { "Linked account" } th { "State" } th { "Created" } } }
                tbody {
                    @for h in r.hits {
                        @let p = &h.player;
                        tr {
                            td { a href=(player_href(r.game.id, p.user_id.as_str())) { code { (p.user_id.as_str()) } } }
                            td { (p.profile.username) }
                            td { (p.profile.email) }
                            td { code { (p.wallet_address) } }
                            td { @if let Some(l) = &p.linked { code { (l.public_id) } } }
                            td { @if p.ban.is_some() { span.badge.off { "banned" } } @else { span.badge.ok { "ok" } } }
                            td { (when(p.created_at)) }
                        }
                    }
                }
            } }
            @if let Some(next) = r.next {
                p { a rel="next" href={ "/console/games/" (r.game.id) "/players?q=" (seg(r.q)) "&cursor=" (next) } { "Next page" } }
            }
        }
    }
}

/// The players page: the search box (a plain GET form; with JavaScript it searches as
/// you type) and the results.
pub fn players(c: &Chrome<'_>, r: &PlayerResults<'_>) -> Markup {
    let base = format!("/console/games/{}/players", r.game.id);
    layout(
        c,
        html! {
            p { a href={ "/console/games/" (r.game.id) } { "← " (r.game.name) } }
            form.filters method="get" action=(base) role="search" {
                div {
                    label for="player-q" { "User id, username, e-mail or wallet address" }
                    input #player-q type="search" name="q" value=(r.q) autocomplete="off"
                        data-search=(base) data-target="player-results";
                }
                div { button type="submit" { "Search" } }
            }
            div #player-results aria-live="polite" { (player_results(r)) }
        },
    )
}

/// What a player's page shows.
#[derive(Debug, Clone)]
pub struct PlayerData {
    /// Its game.
    pub game: Game,
    /// The player, its GameFuse data and its sessions in figures.
    pub overview: PlayerOverview,
    /// A page of its sessions, newest first.
    pub sessions: Vec<Session>,
    /// The cursor of the next page of sessions.
    pub next_sessions: Option<String>,
    /// The latest events about it.
    pub events: Vec<AuditEvent>,
    /// Now, to tell live sessions.
    pub now: Timestamp,
}

/// A player's page; `error` is `(field, message)` of a refused form (`reason`, `confirm`).
pub fn player(c: &Chrome<'_>, d: &PlayerData, error: Option<(&str, &str)>) -> Markup {
    let p = &d.overview.player;
    let base = player_href(d.game.id, p.user_id.as_str());
    let err = |field: &str| error.filter(|(f, _)| *f == field).map(|(_, m)| m);
    let pr = &p.profile;
    let fields: [(&str, String); 12] = [
        ("Name", pr.name.clone()),
        ("Username", pr.username.clone()),
        ("E-mail", pr.email.clone()),
        ("Phone", pr.phonenumber.clone()),
        ("Level", pr.level.to_string()),
        ("Rank", pr.rank.to_string()),
        ("Player tag", pr.playertag.clone()),
        ("Location", pr.location_name.clone()),
        ("Device", pr.device_model.clone()),
        ("OS", format!("{} {}", pr.os_name, pr.os_version).trim().to_owned()),
        ("App version", pr.app_version.clone()),
        ("Joined (reported)", pr.date_joined.clone()),
    ];
    layout(
        c,
        html! {
            p { a href={ "/console/games/" (d.game.id) "/players" } { "← Players of " (d.game.name) } }
            @if let Some(b) = &p.ban {
                p.warning role="status" #ban-state { strong { "Banned" } " since " (when(b.at)) ": " (b.reason) }
            }
            dl.facts {
                dt { "User id" } dd { code #player-user-id { (p.user_id.as_str()) } }
                dt { "Wallet address" } dd { code #player-wallet { (p.wallet_address) } }
                dt { "Linked account" } dd #player-link {
                    @if let Some(l) = &p.linked {
                        code { (l.public_id) }
                        @if !l.wallet_address.is_empty() { " · wallet " code { (l.wallet_address) } }
                        @if !l.phone.is_empty() { " · phone " (l.phone) }
                    } @else { span.muted { "none" } }
                }
                @for (label, value) in &fields {
                    @if !value.is_empty() && value != "0" { dt { (label) } dd { (value) } }
                }
                dt { "Created" } dd { (when(p.created_at)) }
                dt { "Sessions" } dd { (d.overview.sessions.total) " in all, " (d.overview.sessions.active) " active" }
                @if let Some(u) = &d.overview.client_user {
                    dt { "GameFuse user" } dd { "id " (u.id.0) " · " (u.credits) " credits · score " (u.score) " · " (u.number_of_logins) " sign-ins" }
                }
            }
            p { a.button href={ (base) "/export" } download { "Export (JSON)" } }
            section {
                h2 { "Sessions" }
                @if d.sessions.is_empty() { p.muted { "No sessions." } } @else {
                    div.scroll { table #sessions {
                        thead { tr { th { "Id" } th { "State" } th { "Started" } th { "Last seen" } th { "Expires" } th { "From" } @if c.is_admin() { th { span.sr { "Actions" } } } } }
                        tbody {
                            @for s in &d.sessions {
                                tr {
                                    td { code { (s.id) } }
                                    td { @if s.is_live(d.now) { span.badge.ok { "live" } } @else { span.badge { (s.state.as_str()) } } }
                                    td { (when(s.started_at)) }
                                    td { (when(s.last_seen_at)) }
                                    td { (when(s.expires_at)) }
                                    td { (s.ip.as_deref().unwrap_or("")) }
                                    @if c.is_admin() {
                                        td { @if s.is_live(d.now) {
                                            form method="post" action={ (base) "/sessions/" (s.id) "/end" } {
                                                (csrf_field(c.csrf))
                                                button.small type="submit" { "End" }
                                            }
                                        } }
                                    }
                                }
                            }
                        }
                    } }
                }
                @if let Some(next) = &d.next_sessions {
                    p { a rel="next" href={ (base) "?sessions=" (seg(next)) } { "Older sessions" } }
                }
                @if c.is_admin() && d.overview.sessions.active > 0 {
                    form.inline method="post" action={ (base) "/sessions/end-all" } {
                        (csrf_field(c.csrf))
                        button #end-all type="submit" { "End all sessions" }
                    }
                }
            }
            section {
                h2 { "Latest events" }
                (audit_table(&d.events))
                p { a href={ "/console/audit?subject=" (seg(&player_subject(p.user_id.as_str()))) } { "All events about this player" } }
            }
            @if c.is_admin() {
                section.danger {
                    h2 { "Danger zone" }
                    @if let Some((f, m)) = error.filter(|(f, _)| !["reason", "confirm"].contains(f)) {
                        p.field-error role="alert" { (f) ": " (m) }
                    }
                    @if p.ban.is_some() {
                        form method="post" action={ (base) "/unban" } {
                            (csrf_field(c.csrf))
                            p { "Lifting the ban lets the player open sessions again." }
                            button.danger #unban type="submit" { "Lift the ban" }
                        }
                    } @else {
                        form method="post" action={ (base) "/ban" } {
                            (csrf_field(c.csrf))
                            label for="reason" { "Reason for the ban (the player's client may show it)" }
                            (error_for("reason-error", err("reason")))
                            input #reason type="text" name="reason" maxlength="500" required
                                aria-describedby=[err("reason").map(|_| "reason-error")];
                            button.danger #ban type="submit" { "Ban the player (ends its sessions)" }
                        }
                    }
                    form method="post" action={ (base) "/delete" } data-confirm=(p.user_id.as_str()) {
                        (csrf_field(c.csrf))
                        label for="confirm" { "Type the player's user id, " strong { (p.user_id.as_str()) } ", to erase it and its data for good" }
                        (error_for("confirm-error", err("confirm")))
                        input #confirm type="text" name="confirm" autocomplete="off" required
                            aria-describedby=[err("confirm").map(|_| "confirm-error")];
                        button.danger type="submit" { "Erase the player" }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::pages::tests::{chrome, game};
    use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
    use playgate_core::operators::Role;
    use playgate_core::player::{Ban, Player, Profile};
    use playgate_core::players::SessionSummary;
    use playgate_core::session::SessionState;

    fn a_player(user_id: &str, banned: bool) -> Player {
        Player {
            id: PlayerId(3),
            game_id: GameId(7),
            user_id: UserId::parse(user_id).expect("user id"),
            profile: Profile {
                username: "luna".into(),
                email: "luna@example.com".into(),
                ..Profile::default()
            },
            wallet_address: "0xAbC0000000000000000000000000000000000001".into(),
            linked: None,
            created_at: Timestamp(1_767_225_600_000_000_000),
            ban: banned.then(|| Ban {
                reason: "<b>cheat</b>".into(),
                at: Timestamp(1_767_225_600_000_000_000),
            }),
        }
    }

    fn data(user_id: &str, banned: bool) -> PlayerData {
        PlayerData {
            game: game("g"),
            overview: PlayerOverview {
                player: a_player(user_id, banned),
                client_user: None,
                sessions: SessionSummary {
                    total: 1,
                    active: 1,
                    last_started_at: None,
                },
            },
            sessions: vec![Session {
                id: SessionId(uuid::Uuid::nil()),
                game_id: GameId(7),
                player_id: PlayerId(3),
                state: SessionState::Active,
                started_at: Timestamp(1_767_225_600_000_000_000),
                last_seen_at: Timestamp(1_767_225_600_000_000_000),
                expires_at: Timestamp(1_767_229_200_000_000_000),
                ended_at: None,
                ip: Some("192.0.2.1".into()),
            }],
            next_sessions: None,
            events: vec![],
            now: Timestamp(1_767_225_660_000_000_000),
        }
    }

    #[test]
    fn a_player_page_links_by_encoded_id_and_sets_danger_apart() {
        let html = player(&chrome(Role::Admin), &data("a b/c#1", false), None).into_string();
        assert!(html.contains("/console/games/7/players/a%20b%2Fc%231/ban"), "{html}");
        assert!(
            html.contains("/sessions/00000000-0000-0000-0000-000000000000/end"),
            "{html}"
        );
        assert!(html.contains("/sessions/end-all"));
        assert!(html.contains("data-confirm=\"a b/c#1\""));
        assert!(html.contains("0xAbC0000000000000000000000000000000000001"));
        assert!(html.contains("/export\" download"), "{html}");
        let danger = html.find("Danger zone").expect("danger zone");
        assert!(
            html.find("/ban\"").is_some_and(|at| at > danger),
            "the ban form is in the danger zone"
        );
        assert_eq!(
            html.matches("name=\"csrf\" value=\"tok123\"").count(),
            html.matches("method=\"post\"").count()
        );
    }

    #[test]
    fn errors_sit_next_to_their_field_and_bans_are_escaped() {
        let html = player(
            &chrome(Role::Admin),
            &data("p-1", true),
            Some(("confirm", "must be the id")),
        )
        .into_string();
        assert!(
            html.contains("<p class=\"field-error\" id=\"confirm-error\" role=\"alert\">must be the id</p>"),
            "{html}"
        );
        assert!(html.contains("aria-describedby=\"confirm-error\""));
        assert!(html.contains("&lt;b&gt;cheat&lt;/b&gt;"));
        assert!(html.contains("/unban"), "a banned player's form lifts the ban");
        let html = player(&chrome(Role::Viewer), &data("p-1", false), None).into_string();
        assert!(
            !html.contains("Danger zone") && !html.contains("method=\"post\" action=\"/console/games"),
            "{html}"
        );
    }

    #[test]
    fn the_search_has_a_labelled_box_and_pages() {
        let g = game("g");
        let hits = [PlayerHit {
            player: a_player("p-1", false),
            client_user: false,
        }];
        let r = PlayerResults {
            game: &g,
            q: "p &",
            hits: &hits,
            next: Some(3),
            error: None,
        };
        let html = players(&chrome(Role::Viewer), &r).into_string();
        assert!(html.contains("<label for=\"player-q\">"));
        assert!(html.contains("data-search=\"/console/games/7/players\""));
        assert!(
            html.contains("href=\"/console/games/7/players?q=p%20%26&amp;cursor=3\""),
            "{html}"
        );
        let fragment = player_results(&r).into_string();
        assert!(!fragment.contains("<html") && fragment.contains("p-1"));
    }
}
