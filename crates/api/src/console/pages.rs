//! The console's pages, as maud templates (HTML checked at compile time, every value
//! escaped unless wrapped in `PreEscaped`). Pure functions of what they show, so the unit
//! tests below render them directly. No inline script or style anywhere: the CSP forbids
//! them; behaviour hangs on `data-*` attributes read by `assets/console.js`.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use playgate_core::audit::AuditEvent;
use playgate_core::clock::Timestamp;
use playgate_core::economy::leaderboards::LeaderboardEntry;
use playgate_core::economy::store_items::StoreItem;
use playgate_core::game::Game;
use playgate_core::game_variables::GameVariable;
use playgate_core::gamefuse::keys::{RouteAccess, ServiceKey};
use playgate_core::ids::GameId;
use playgate_core::operators::{Operator, Role};

use crate::common::time::rfc3339;

mod accounts;
mod charts;
mod manage;
mod players;

pub use accounts::{AccountData, AccountResults, ApiKeyForm, account, account_results, accounts, api_key_created};
pub use charts::{Chart, SERIES_SHOWN, chart, charts_of};
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

/// A page of games, and the link to the next (`next`: the cursor).
pub fn games(c: &Chrome<'_>, games: &[Game], next: Option<GameId>) -> Markup {
    layout(
        c,
        html! {
            @if c.is_admin() {
                p { a.button href="/console/games/new" { "New game" } }
            }
            div.scroll {
                table {
                    thead { tr { th { "Id" } th { "Name" } th { "Client id" } th { "State" } th { "Created" } } }
                    tbody {
                        @for g in games {
                            tr {
                                td { (g.id) }
                                td { a href={ "/console/games/" (g.id) } { (g.name) } }
                                td { code { (g.client_id) } }
                                td { (state(g.enabled)) }
                                td { (when(g.created_at)) }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = next {
                p { a rel="next" href={ "/console/games?after=" (next) } { "Next page" } }
            }
        },
    )
}

fn state(enabled: bool) -> Markup {
    html! {
        @if enabled { span.badge.ok { "enabled" } } @else { span.badge.off { "disabled" } }
    }
}

/// The form of a new game.
pub fn new_game(c: &Chrome<'_>, name: &str, description: &str, error: Option<(&str, &str)>) -> Markup {
    let err = |field: &str| error.filter(|(f, _)| *f == field).map(|(_, m)| m);
    layout(
        c,
        html! {
            form.stack method="post" action="/console/games" {
                (csrf_field(c.csrf))
                label for="name" { "Name" }
                (error_for("name-error", err("name")))
                input #name type="text" name="name" value=(name) required maxlength="200"
                    aria-describedby=[err("name").map(|_| "name-error")];
                label for="description" { "Description (optional)" }
                (error_for("description-error", err("description")))
                textarea #description name="description" rows="3" { (description) }
                @if let Some((f, m)) = error.filter(|(f, _)| !["name", "description"].contains(f)) {
                    p.field-error role="alert" { (f) ": " (m) }
                }
                button.primary type="submit" { "Create the game" }
            }
        },
    )
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

/// A new game's credentials, shown this once, and a curl that works as printed.
pub fn game_created(c: &Chrome<'_>, game: &Game, client_secret: &str, base_url: &str) -> Markup {
    let curl = format!(
        "curl -s -X POST {base_url}/s2s/session -H 'Content-Type: application/json' \
         -H 'x-client-id: {cid}' -H 'x-client-secret: {client_secret}' -d '{{\"user_id\":\"player-1\"}}'",
        cid = game.client_id
    );
    layout(
        c,
        html! {
            p.warning role="alert" {
                strong { "Shown only now." }
                " Playgate keeps only a hash of the client secret: store it in your game backend's secrets before leaving this page."
            }
            (secret("client-id", "KGeN client id", &game.client_id))
            (secret("client-secret", "KGeN client secret", client_secret))
            (secret("gamefuse-token", "GameFuse game token", &game.gamefuse_token))
            h2 { "Try it" }
            (secret("curl", "Open a player session", &curl))
            p { "GameFuse SDKs: base URL " code { (base_url) "/api/v3" } ", game id " code { (game.id) } "." }
            p { a href={ "/console/games/" (game.id) } { "Go to the game" } }
        },
    )
}

/// What the game page shows.
#[derive(Debug, Clone)]
pub struct GameData {
    /// The game.
    pub game: Game,
    /// Its GameFuse variables.
    pub variables: Vec<GameVariable>,
    /// Its GameFuse store items.
    pub store_items: Vec<StoreItem>,
    /// Its GameFuse service keys (names only).
    pub service_keys: Vec<ServiceKey>,
    /// Its GameFuse route switches.
    pub routes: Vec<RouteAccess>,
    /// The top entries of its leaderboards.
    pub leaderboard: Vec<LeaderboardEntry>,
    /// The latest events of the game.
    pub events: Vec<AuditEvent>,
}

/// A game and its GameFuse data; `delete_error` is the message of a refused deletion.
pub fn game(c: &Chrome<'_>, d: &GameData, delete_error: Option<&str>) -> Markup {
    let g = &d.game;
    let base = format!("/console/games/{}", g.id);
    layout(
        c,
        html! {
            dl.facts {
                dt { "Id" } dd { (g.id) }
                dt { "Client id" } dd { code { (g.client_id) } }
                dt { "Client name" } dd { (g.client_name) }
                dt { "State" } dd { (state(g.enabled)) }
                dt { "Created" } dd { (when(g.created_at)) }
                dt { "Access token lifetime" } dd { (lifetime(g.access_token_ttl)) }
                dt { "Refresh token lifetime" } dd { (lifetime(g.refresh_token_ttl)) }
                @if !g.description.is_empty() { dt { "Description" } dd { (g.description) } }
            }
            p.actions {
                a.button #players-link href={ (base) "/players" } { "Players" }
                @if c.is_admin() { " " a.button.secondary href={ (base) "/edit" } { "Edit" } }
            }
            section {
                h2 { "Variables" }
                div.scroll { table {
                    thead { tr { th { "Key" } th { "Value" } @if c.is_admin() { th { span.sr { "Actions" } } } } }
                    tbody {
                        @for v in &d.variables {
                            tr {
                                td { code { (v.key) } }
                                td { (v.value) }
                                @if c.is_admin() {
                                    td {
                                        form method="post" action={ (base) "/variables/delete" } {
                                            (csrf_field(c.csrf))
                                            input type="hidden" name="key" value=(v.key);
                                            button.small type="submit" { "Delete" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                @if c.is_admin() {
                    form.inline method="post" action={ (base) "/variables" } {
                        (csrf_field(c.csrf))
                        label for="var-key" { "Key" } input #var-key type="text" name="key" required;
                        label for="var-value" { "Value" } input #var-value type="text" name="value" required;
                        button type="submit" { "Set" }
                    }
                }
            }
            section {
                h2 { "Store items" }
                @if d.store_items.is_empty() { p.muted { "None." } } @else {
                    div.scroll { table #store-items {
                        thead { tr { th { "Id" } th { "Name" } th { "Category" } th { "Cost" } @if c.is_admin() { th { span.sr { "Actions" } } } } }
                        tbody { @for i in &d.store_items { tr {
                            td { (i.id) } td { (i.name) } td { (i.category) } td { (i.cost) }
                            @if c.is_admin() { td {
                                form method="post" action={ (base) "/store-items/" (i.id) "/delete" } {
                                    (csrf_field(c.csrf))
                                    button.small type="submit" { "Delete" }
                                }
                            } }
                        } } }
                    } }
                }
                @if c.is_admin() {
                    form.inline method="post" action={ (base) "/store-items" } {
                        (csrf_field(c.csrf))
                        label for="item-name" { "Name" } input #item-name type="text" name="name" required maxlength="255";
                        label for="item-category" { "Category" } input #item-category type="text" name="category";
                        label for="item-cost" { "Cost" } input #item-cost type="number" name="cost" required;
                        button type="submit" { "Add" }
                    }
                }
            }
            section {
                h2 { "Leaderboards (top entries)" }
                @if d.leaderboard.is_empty() { p.muted { "None." } } @else {
                    div.scroll { table #leaderboard {
                        thead { tr { th { "Board" } th { "Username" } th { "Score" } th { "When" } } }
                        tbody { @for e in &d.leaderboard { tr {
                            td { (e.leaderboard_name) } td { (e.username) } td { (e.score) } td { (when(e.created_at)) }
                        } } }
                    } }
                }
            }
            section {
                h2 { "Service keys" }
                @if d.service_keys.is_empty() { p.muted { "None." } } @else {
                    ul #service-keys { @for k in &d.service_keys { li {
                        code { (k.name) } " · made " (when(k.created_at))
                        @if c.is_admin() {
                            " "
                            form.inline-one method="post" action={ (base) "/service-keys/" (seg(&k.name)) "/delete" } {
                                (csrf_field(c.csrf))
                                button.small type="submit" { "Delete" }
                            }
                        }
                    } } }
                }
                @if c.is_admin() {
                    form.inline method="post" action={ (base) "/service-keys" } {
                        (csrf_field(c.csrf))
                        label for="key-name" { "Name" } input #key-name type="text" name="name" required;
                        button type="submit" { "Create a key (its token shown once)" }
                    }
                }
            }
            section {
                h2 { "Route switches" }
                div.scroll { table {
                    thead { tr { th { "Route" } th { "Users" } th { "Service keys" } } }
                    tbody { @for r in &d.routes { tr {
                        td { code { (r.route) } }
                        td { (if r.user_allowed { "allowed" } else { "refused" }) }
                        td { (if r.key_allowed { "allowed" } else { "refused" }) }
                    } } }
                } }
                // Only routes with a stored switch can be chosen (the GameFuse dialect names them).
                @if c.is_admin() && !d.routes.is_empty() {
                    form.inline method="post" action={ (base) "/routes" } {
                        (csrf_field(c.csrf))
                        label for="route" { "Route" }
                        select #route name="route" { @for r in &d.routes { option value=(r.route) { (r.route) } } }
                        label { input type="checkbox" name="user_allowed" value="true" checked; " users" }
                        label { input type="checkbox" name="key_allowed" value="true" checked; " service keys" }
                        button type="submit" { "Save" }
                    }
                }
            }
            section {
                h2 { "Latest events" }
                (audit_table(&d.events))
                p { a href={ "/console/audit?game=" (g.id) } { "All events of this game" } }
            }
            @if c.is_admin() {
                section.danger {
                    h2 { "Danger zone" }
                    form method="post" action={ (base) "/enabled" } data-confirm=(g.name) {
                        (csrf_field(c.csrf))
                        input type="hidden" name="enabled" value=(if g.enabled { "false" } else { "true" });
                        label for="confirm" { "Type the game's name, " strong { (g.name) } ", to " (if g.enabled { "disable" } else { "enable" }) " it" }
                        input #confirm type="text" name="confirm" autocomplete="off" required;
                        button.danger type="submit" { (if g.enabled { "Disable the game" } else { "Enable the game" }) }
                    }
                    form method="post" action={ (base) "/rotate" } {
                        (csrf_field(c.csrf))
                        input type="hidden" name="credential" value="kgen";
                        p { "A new KGeN client secret: the old one stops working at once." }
                        button.danger #rotate-kgen type="submit" { "Rotate the client secret" }
                    }
                    form method="post" action={ (base) "/rotate" } {
                        (csrf_field(c.csrf))
                        input type="hidden" name="credential" value="gamefuse";
                        p { "A new GameFuse game token: clients built with the old one are refused." }
                        button.danger #rotate-gamefuse type="submit" { "Rotate the GameFuse token" }
                    }
                    form method="post" action={ (base) "/delete" } data-confirm=(g.name) {
                        (csrf_field(c.csrf))
                        label for="delete-confirm" { "Type the game's name, " strong { (g.name) } ", to delete it with all its players and data" }
                        (error_for("delete-confirm-error", delete_error))
                        input #delete-confirm type="text" name="confirm" autocomplete="off" required;
                        button.danger type="submit" { "Delete the game" }
                    }
                }
            }
        },
    )
}

fn lifetime(d: Option<std::time::Duration>) -> String {
    match d {
        Some(d) => format!("{} s", d.as_secs()),
        None => "the server's default".to_owned(),
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
