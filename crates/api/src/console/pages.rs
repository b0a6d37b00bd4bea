//! The console's pages, as maud templates (HTML checked at compile time, every value
//! escaped unless wrapped in `PreEscaped`). Pure functions of what they show, so the unit
//! tests below render them directly. No inline script or style anywhere: the CSP forbids
//! them; behaviour hangs on `data-*` attributes read by `assets/console.js`.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use playgate_core::audit::AuditEvent;
use playgate_core::clock::Timestamp;
use playgate_core::operators::{Operator, Role};

use crate::common::time::rfc3339;

mod accounts;
mod charts;
mod games;
mod manage;
mod players;

pub use accounts::{AccountData, AccountResults, ApiKeyForm, account, account_results, accounts, api_key_created};
pub use charts::{Chart, SERIES_SHOWN, chart, charts_of};
pub use games::{GameData, game, game_created, games, new_game};
pub use manage::*;
pub use players::{PlayerData, PlayerResults, player, player_href, player_results, players};

/// `s` percent-encoded for a URL path segment or query value (everything but the
/// unreserved characters).
pub fn seg(s: &str) -> String {
    playgate_core::totp::uri_encode(s)
}

/// The part of the console a page belongs to (its tab in the navigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Counts and charts.
    Overview,
    /// Games and their GameFuse data.
    Games,
    /// i3D platform accounts.
    Accounts,
    /// The audit log.
    Audit,
    /// Operators.
    Operators,
    /// The signed-in operator's own settings.
    Me,
}

const NAV: [(Section, &str, &str); 5] = [
    (Section::Overview, "/console", "Overview"),
    (Section::Games, "/console/games", "Games"),
    (Section::Accounts, "/console/accounts", "Accounts"),
    (Section::Audit, "/console/audit", "Audit log"),
    (Section::Operators, "/console/operators", "Operators"),
];

/// What every signed-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome<'a> {
    /// The page's title.
    pub title: &'a str,
    /// Its tab.
    pub section: Section,
    /// The operator's name.
    pub operator: &'a str,
    /// The operator's role.
    pub role: Role,
    /// The session's synchronizer token, for the page's forms.
    pub csrf: &'a str,
    /// Whether the operator has TOTP enrolled (if not, a banner invites it).
    pub totp_enrolled: bool,
}

impl Chrome<'_> {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light dark";
            title { (title) " · Playgate console" }
            link rel="stylesheet" href="/console/assets/console.css";
            script src="/console/assets/console.js" defer {}
        }
    }
}

/// The synchronizer token's hidden field.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// A signed-in page: navigation, the operator's menu, then `content`.
pub fn layout(c: &Chrome<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(c.title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console" { "Playgate" }
                    nav aria-label="Sections" {
                        ul {
                            @for (section, href, label) in NAV {
                                li {
                                    a href=(href) aria-current=[(section == c.section).then_some("page")] { (label) }
                                }
                            }
                        }
                    }
                    div.me {
                        a href="/console/me" aria-current=[(c.section == Section::Me).then_some("page")] {
                            (c.operator)
                        }
                        " "
                        span.badge.(c.role.as_str()) { (c.role.as_str()) }
                        form method="post" action="/console/sign-out" {
                            (csrf_field(c.csrf))
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main #main {
                    @if !c.totp_enrolled {
                        p.banner role="note" {
                            "Two-factor sign-in is not set up for you yet. "
                            a href="/console/two-factor" { "Set it up" }
                            "."
                        }
                    }
                    h1 { (c.title) }
                    (content)
                }
            }
        }
    }
}

/// A page of its own (sign-in, errors): no navigation.
pub fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                main #main.narrow {
                    p.brand { "Playgate console" }
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// The page of an error.
pub fn problem(title: &str, message: &str) -> Markup {
    bare(
        title,
        html! {
            p.error role="alert" { (message) }
            p { a href="/console" { "Back to the console" } }
        },
    )
}

fn error_for(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.field-error id=(id) role="alert" { (e) }
        }
    }
}

/// The sign-in form (name and password).
pub fn sign_in(csrf: &str, name: &str, error: Option<&str>) -> Markup {
    bare(
        "Sign in",
        html! {
            form.stack method="post" action="/console/sign-in" {
                (csrf_field(csrf))
                (error_for("sign-in-error", error))
                label for="name" { "Operator name" }
                input #name type="text" name="name" value=(name) autocomplete="username" required autofocus
                    aria-describedby=[error.map(|_| "sign-in-error")];
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button.primary type="submit" { "Sign in" }
            }
        },
    )
}

/// The second step of sign-in: the TOTP code (or a recovery code).
pub fn sign_in_code(csrf: &str, error: Option<&str>) -> Markup {
    bare(
        "Two-factor code",
        html! {
            form.stack method="post" action="/console/sign-in/code" {
                (csrf_field(csrf))
                (error_for("code-error", error))
                label for="code" { "Code from your authenticator app, or a recovery code" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus
                    aria-describedby=[error.map(|_| "code-error")];
                button.primary type="submit" { "Continue" }
            }
        },
    )
}

fn when(t: Timestamp) -> Markup {
    let text = rfc3339(t);
    html! { time datetime=(text) { (text.replace('T', " ").replace('Z', " UTC")) } }
}

/// Counts the overview shows.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Games.
    pub games: i64,
    /// Players of every game.
    pub players: i64,
    /// Sessions active and not past their expiry.
    pub active_sessions: i64,
    /// Platform accounts.
    pub accounts: i64,
    /// Operators.
    pub operators: usize,
}

/// The overview: counts, the charts of the last 24 hours, the latest events.
pub fn overview(c: &Chrome<'_>, counts: &Counts, charts: &[Chart], latest: &[AuditEvent]) -> Markup {
    layout(
        c,
        html! {
            section.cards aria-label="Counts" {
                div.card #count-games { span.big { (counts.games) } span { "games" } }
                div.card #count-players { span.big { (counts.players) } span { "players" } }
                div.card #count-sessions { span.big { (counts.active_sessions) } span { "active sessions" } }
                div.card #count-accounts { span.big { (counts.accounts) } span { "platform accounts" } }
                div.card { span.big { (counts.operators) } span { "operators" } }
            }
            section.charts #charts aria-label="Last 24 hours" {
                h2 { "Last 24 hours" }
                div.chart-grid { @for ch in charts { (chart(ch)) } }
                p.muted { "Per hour, summed over every node; the current hour is the last bar." }
            }
            section {
                h2 { "Latest events" }
                (audit_table(latest))
                p { a href="/console/audit" { "The whole audit log" } }
            }
        },
    )
}

/// A table of audit events.
pub fn audit_table(events: &[AuditEvent]) -> Markup {
    html! {
        @if events.is_empty() {
            p.muted { "No events." }
        } @else {
            div.scroll {
                table {
                    thead { tr { th { "When" } th { "Action" } th { "Actor" } th { "Game" } th { "Subject" } th { "From" } } }
                    tbody {
                        @for e in events {
                            tr {
                                td { (when(e.at)) }
                                td { code { (e.action) } }
                                td { (e.actor) }
                                td { @if let Some(g) = e.game { a href={ "/console/games/" (g) } { (g) } } }
                                td { (e.subject.as_deref().unwrap_or("")) }
                                td { (e.origin.ip.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The audit log's filters as typed.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// A game id.
    pub game: String,
    /// An actor label (`operator:ada`).
    pub actor: String,
    /// An action, or a prefix ending in `.`.
    pub action: String,
    /// `YYYY-MM-DD` or RFC 3339: events at or after.
    pub since: String,
    /// A subject (`player:p-1`, `game:7`).
    pub subject: String,
}

/// The audit log with its filters and the link to the next page.
pub fn audit(
    c: &Chrome<'_>,
    q: &AuditQuery,
    error: Option<&str>,
    events: &[AuditEvent],
    next: Option<String>,
) -> Markup {
    layout(
        c,
        html! {
            form.filters method="get" action="/console/audit" {
                (error_for("filter-error", error))
                div { label for="f-game" { "Game id" } input #f-game type="text" name="game" inputmode="numeric" value=(q.game); }
                div { label for="f-actor" { "Actor" } input #f-actor type="text" name="actor" placeholder="operator:ada" value=(q.actor); }
                div { label for="f-action" { "Action" } input #f-action type="text" name="action" placeholder="console." value=(q.action); }
                div { label for="f-since" { "Since" } input #f-since type="text" name="since" placeholder="2026-01-31" value=(q.since); }
                div { label for="f-subject" { "Subject" } input #f-subject type="text" name="subject" placeholder="player:p-1" value=(q.subject); }
                div { button type="submit" { "Filter" } }
            }
            (audit_table(events))
            @if let Some(next) = next {
                p { a rel="next" href=(next) { "Older events" } }
            }
        },
    )
}

fn state(enabled: bool) -> Markup {
    html! {
        @if enabled { span.badge.ok { "enabled" } } @else { span.badge.off { "disabled" } }
    }
}

fn secret(id: &str, label: &str, value: &str) -> Markup {
    html! {
        div.secret {
            span.label { (label) }
            code #(id) { (value) }
            button type="button" data-copy=(id) { "Copy" }
        }
    }
}

/// The warning above a secret shown this once, followed by what to do with it.
fn shown_once(then: Markup) -> Markup {
    html! {
        p.warning role="alert" {
            strong { "Shown only now." }
            (then)
        }
    }
}

/// The form of a new i3D account, or the account just made.
pub fn new_account(
    c: &Chrome<'_>,
    user_name: &str,
    email: &str,
    error: Option<(&str, &str)>,
    made: Option<(i64, &str)>,
) -> Markup {
    let err = |field: &str| error.filter(|(f, _)| *f == field).map(|(_, m)| m);
    layout(
        c,
        html! {
            @if let Some((id, name)) = made {
                p.success role="status" { "Account " strong { (name) } " (id " (id) ") created." }
            }
            @if c.is_admin() {
                form.stack method="post" action="/console/accounts" {
                    (csrf_field(c.csrf))
                    label for="user_name" { "User name" }
                    (error_for("user_name-error", err("userName")))
                    input #user_name type="text" name="user_name" value=(user_name) required;
                    label for="email" { "E-mail" }
                    (error_for("email-error", err("email")))
                    input #email type="email" name="email" value=(email) required;
                    label for="password" { "Password" }
                    (error_for("password-error", err("password")))
                    input #password type="password" name="password" autocomplete="new-password" required;
                    @if let Some((f, m)) = error.filter(|(f, _)| !["userName", "email", "password"].contains(f)) {
                        p.field-error role="alert" { (f) ": " (m) }
                    }
                    button.primary type="submit" { "Create the account" }
                }
            } @else {
                p.muted { "Viewers cannot create accounts." }
            }
        },
    )
}

/// The operators.
pub fn operators(c: &Chrome<'_>, ops: &[Operator]) -> Markup {
    layout(
        c,
        html! {
            div.scroll { table {
                thead { tr { th { "Name" } th { "Role" } th { "State" } th { "Last API use" } @if c.is_admin() { th { span.sr { "Actions" } } } } }
                tbody {
                    @for o in ops {
                        tr {
                            td { (o.name) }
                            td { span.badge.(o.role.as_str()) { (o.role.as_str()) } }
                            td { (state(o.enabled)) }
                            td { @if let Some(t) = o.last_used_at { (when(t)) } @else { "never" } }
                            @if c.is_admin() {
                                td {
                                    form method="post" action={ "/console/operators/" (o.name) "/sign-out-everywhere" } {
                                        (csrf_field(c.csrf))
                                        button.small type="submit" { "Sign out everywhere" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            p.muted { "Operators are made with " code { "playgate operator create --name N --role R --console" } "." }
        },
    )
}

/// The operator's own page: sessions and two-factor state.
pub fn me(c: &Chrome<'_>, signed_out: Option<u64>) -> Markup {
    layout(
        c,
        html! {
            @if let Some(n) = signed_out {
                p.success role="status" { "Ended " (n) " other session(s)." }
            }
            dl.facts {
                dt { "Name" } dd { (c.operator) }
                dt { "Role" } dd { (c.role.as_str()) }
                dt { "Two-factor sign-in" } dd {
                    @if c.totp_enrolled { "on" } @else { a href="/console/two-factor" { "set it up" } }
                }
            }
            section.danger {
                h2 { "Sessions" }
                form method="post" action="/console/sign-out-everywhere" {
                    (csrf_field(c.csrf))
                    p { "Ends every console session of yours, this one included." }
                    button.danger type="submit" { "Sign out everywhere" }
                }
            }
        },
    )
}

/// Two-factor enrolment: start, scan and confirm, or the recovery codes once done.
pub fn two_factor(
    c: &Chrome<'_>,
    enrolling: Option<(&str, &str)>,
    error: Option<&str>,
    recovery: Option<&[String]>,
) -> Markup {
    layout(
        c,
        html! {
            @if let Some(codes) = recovery {
                p.success role="status" { "Two-factor sign-in is on." }
                p.warning {
                    strong { "Recovery codes, shown only now." }
                    " Each signs you in once if you lose your authenticator. Keep them somewhere safe."
                }
                ol.codes #recovery-codes { @for code in codes { li { code { (code) } } } }
                button type="button" data-copy="recovery-codes" { "Copy" }
                p { a href="/console" { "Continue" } }
            } @else if c.totp_enrolled {
                p { "Two-factor sign-in is on." }
            } @else if let Some((svg, secret_b32)) = enrolling {
                p { "Scan this code with an authenticator app, then type the six digits it shows." }
                figure.qr aria-label="QR code of the secret" { (PreEscaped(svg)) }
                p { "Or type the secret: " code #totp-secret { (secret_b32) } }
                form.stack method="post" action="/console/two-factor/enable" {
                    (csrf_field(c.csrf))
                    label for="code" { "Code" }
                    (error_for("code-error", error))
                    input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required
                        aria-describedby=[error.map(|_| "code-error")];
                    button.primary type="submit" { "Turn on two-factor sign-in" }
                }
            } @else {
                p { "With two-factor sign-in, a password alone no longer opens the console." }
                form method="post" action="/console/two-factor" {
                    (csrf_field(c.csrf))
                    button.primary type="submit" { "Set up two-factor sign-in" }
                }
            }
        },
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use playgate_core::crypto::SecretHash;
    use playgate_core::game::Game;
    use playgate_core::game_variables::GameVariable;
    use playgate_core::ids::GameId;

    pub(crate) fn chrome(role: Role) -> Chrome<'static> {
        Chrome {
            title: "Games",
            section: Section::Games,
            operator: "ada",
            role,
            csrf: "tok123",
            totp_enrolled: true,
        }
    }

    pub(crate) fn game(name: &str) -> Game {
        Game {
            id: GameId(7),
            name: name.into(),
            description: String::new(),
            client_id: "1234".into(),
            client_name: "X".into(),
            secret_hash: SecretHash::of("s"),
            enabled: true,
            created_at: Timestamp(1_767_225_600_000_000_000),
            gamefuse_token: "gft".into(),
            access_token_ttl: None,
            refresh_token_ttl: None,
        }
    }

    #[test]
    fn values_are_escaped() {
        let html = games(&chrome(Role::Admin), &[game("<script>alert(1)</script>")], None).into_string();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn no_inline_script_or_style() {
        let pages = [
            sign_in("t", "ada", Some("wrong")).into_string(),
            games(&chrome(Role::Admin), &[game("g")], Some(GameId(7))).into_string(),
            me(&chrome(Role::Viewer), None).into_string(),
        ];
        for html in pages {
            assert!(!html.contains("<style"), "{html}");
            assert!(!html.contains(" style="), "{html}");
            assert!(!html.contains("onclick"), "{html}");
            for (i, _) in html.match_indices("<script") {
                assert!(
                    html[i..].starts_with("<script src=\"/console/assets/console.js\""),
                    "{html}"
                );
            }
        }
    }

    #[test]
    fn every_form_carries_the_token() {
        let data = GameData {
            game: game("g"),
            variables: vec![GameVariable {
                id: 1,
                key: "wind".into(),
                value: "calm".into(),
            }],
            store_items: vec![],
            service_keys: vec![],
            routes: vec![],
            leaderboard: vec![],
            events: vec![],
        };
        let html = super::game(&chrome(Role::Admin), &data, None).into_string();
        let forms = html.matches("<form method=\"post\"").count()
            + html.matches("<form class=\"inline\" method=\"post\"").count();
        assert!(forms >= 3, "{html}");
        assert_eq!(
            html.matches("name=\"csrf\" value=\"tok123\"").count(),
            html.matches("method=\"post\"").count(),
            "{html}"
        );
        assert!(html.contains("Danger zone"));
        assert!(html.contains("data-confirm=\"g\""));
    }

    #[test]
    fn viewers_see_no_change_forms() {
        let data = GameData {
            game: game("g"),
            variables: vec![],
            store_items: vec![],
            service_keys: vec![],
            routes: vec![],
            leaderboard: vec![],
            events: vec![],
        };
        let html = super::game(&chrome(Role::Viewer), &data, None).into_string();
        assert!(!html.contains("Danger zone"));
        assert!(!html.contains("/variables\""));
        let html = games(&chrome(Role::Viewer), &[], None).into_string();
        assert!(!html.contains("New game"));
    }

    #[test]
    fn a_new_game_shows_its_secret_once_with_a_working_curl() {
        let html = game_created(&chrome(Role::Admin), &game("g"), "pgs_secret", "http://127.0.0.1:8080").into_string();
        assert!(html.contains("pgs_secret"));
        assert!(html.contains("curl -s -X POST http://127.0.0.1:8080/s2s/session"));
        assert!(html.contains("data-copy=\"client-secret\""));
        assert!(html.contains("Shown only now"));
    }

    #[test]
    fn sign_in_errors_are_next_to_the_field() {
        let html = sign_in("t", "a\"da", Some("Wrong name or password.")).into_string();
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("aria-describedby=\"sign-in-error\""));
        assert!(html.contains("value=\"a&quot;da\""));
        assert!(html.contains("<label for=\"password\">"));
    }
}
