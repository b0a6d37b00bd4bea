//! The pages of games: the list, the form of a new game, its credentials shown once, and
//! a game's page with its GameFuse data.

use maud::{Markup, html};
use playgate_core::audit::AuditEvent;
use playgate_core::economy::leaderboards::LeaderboardEntry;
use playgate_core::economy::store_items::StoreItem;
use playgate_core::game::Game;
use playgate_core::game_variables::GameVariable;
use playgate_core::gamefuse::keys::{RouteAccess, ServiceKey};
use playgate_core::ids::GameId;

use super::{Chrome, audit_table, csrf_field, error_for, layout, secret, seg, shown_once, state, when};

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
            (shown_once(html! { " Playgate keeps only a hash of the client secret: store it in your game backend's secrets before leaving this page." }))
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
