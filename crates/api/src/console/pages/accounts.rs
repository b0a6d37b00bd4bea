//! i3D platform accounts: the search, an account's page (profile, state, 2FA, linked
//! players, API keys it used, the latest events about it), and a new API key shown once.

use maud::{Markup, html};
use playgate_core::account::{Account, ApiKey};
use playgate_core::accounts::{AccountApiKey, AccountLink};
use playgate_core::audit::AuditEvent;

use super::{Chrome, audit_table, csrf_field, error_for, layout, player_href, secret, seg, shown_once, state, when};

/// The search as typed and a page of accounts.
#[derive(Debug, Clone)]
pub struct AccountResults<'a> {
    /// The text searched for.
    pub q: &'a str,
    /// The accounts found.
    pub items: &'a [Account],
    /// The cursor of the next page.
    pub next: Option<i64>,
    /// An error in the search text.
    pub error: Option<&'a str>,
}

/// The typed fields of a new API key and the error of a refused one (`(field, message)`).
#[derive(Debug, Clone, Default)]
pub struct ApiKeyForm<'a> {
    /// Its label.
    pub label: &'a str,
    /// Addresses or networks, separated by commas or spaces.
    pub allow_ips: &'a str,
    /// `YYYY-MM-DD` or RFC 3339.
    pub expires_at: &'a str,
    /// A refused form's error.
    pub error: Option<(&'a str, &'a str)>,
}

fn ips(k: &ApiKey) -> String {
    if k.allowed.is_empty() {
        "anywhere".to_owned()
    } else {
        k.allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// The accounts page: the search, the accounts, and (admins) a new API key.
pub fn accounts(c: &Chrome<'_>, r: &AccountResults<'_>, key: &ApiKeyForm<'_>) -> Markup {
    let err = |field: &str| key.error.filter(|(f, _)| *f == field).map(|(_, m)| m);
    layout(
        c,
        html! {
            @if c.is_admin() { p { a.button href="/console/accounts/new" { "New account" } } }
            form.filters method="get" action="/console/accounts" role="search" {
                div {
                    label for="account-q" { "Id, user name, e-mail or name" }
                    input #account-q type="search" name="q" value=(r.q) autocomplete="off"
                        data-search="/console/accounts" data-target="account-results";
                }
                div { button type="submit" { "Search" } }
            }
            div #account-results aria-live="polite" { (account_results(r)) }
            @if c.is_admin() {
                section {
                    h2 { "New API key" }
                    p.muted { "An i3D API key (" code { "PRIVATE-TOKEN" } "): the key is shown once." }
                    form.stack method="post" action="/console/api-keys" {
                        (csrf_field(c.csrf))
                        label for="key-label" { "Label" }
                        (error_for("label-error", err("label")))
                        input #key-label type="text" name="label" value=(key.label) required maxlength="200";
                        label for="allow_ips" { "Allowed addresses (CIDR or single addresses, comma separated; empty: anywhere)" }
                        (error_for("allow_ips-error", err("allow_ips")))
                        input #allow_ips type="text" name="allow_ips" value=(key.allow_ips) placeholder="203.0.113.0/24, 2001:db8::1";
                        label for="expires_at" { "Expires (YYYY-MM-DD or RFC 3339; empty: never)" }
                        (error_for("expires_at-error", err("expires_at")))
                        input #expires_at type="text" name="expires_at" value=(key.expires_at) placeholder="2027-01-31";
                        button.primary type="submit" { "Create the key" }
                    }
                }
            }
        },
    )
}

/// The accounts found (also the fragment the search as you type loads).
pub fn account_results(r: &AccountResults<'_>) -> Markup {
    html! {
        @if let Some(e) = r.error {
            p.field-error role="alert" { (e) }
        } @else if r.items.is_empty() {
            p.muted { "No account matches." }
        } @else {
            div.scroll { table {
                thead { tr { th { "Id" } th { "User name" } th { "E-mail" } th { "Level" } th { "2FA" } th { "State" } th { "Created" } } }
                tbody { @for a in r.items { tr {
                    td { (a.id.0) }
                    td { a href={ "/console/accounts/" (a.id.0) } { (a.user_name) } }
                    td { (a.profile.email) }
                    td { (a.access_level.as_i64()) }
                    td { (if a.totp_enabled { "on" } else { "off" }) }
                    td { (state(a.enabled)) }
                    td { (when(a.created_at)) }
                } } }
            } }
            @if let Some(next) = r.next {
                p { a rel="next" href={ "/console/accounts?q=" (seg(r.q)) "&after=" (next) } { "Next page" } }
            }
        }
    }
}

/// What an account's page shows.
#[derive(Debug, Clone)]
pub struct AccountData {
    /// The account.
    pub account: Account,
    /// Its linked players.
    pub links: Vec<AccountLink>,
    /// The API keys it logged in through.
    pub keys: Vec<AccountApiKey>,
    /// The latest events about it.
    pub events: Vec<AuditEvent>,
}

/// An account's page.
pub fn account(c: &Chrome<'_>, d: &AccountData) -> Markup {
    let a = &d.account;
    let base = format!("/console/accounts/{}", a.id.0);
    layout(
        c,
        html! {
            p { a href="/console/accounts" { "← Accounts" } }
            dl.facts {
                dt { "Id" } dd { (a.id.0) }
                dt { "Public id" } dd { code { (a.public_id) } }
                dt { "User name" } dd { (a.user_name) }
                dt { "E-mail" } dd { (a.profile.email) (if a.email_validated { " (validated)" } else { "" }) }
                dt { "Name" } dd { (a.profile.first_name) " " (a.profile.last_name) }
                dt { "Phone" } dd { (a.profile.phone) }
                dt { "Access level" } dd { (a.access_level.as_i64()) }
                dt { "Wallet address" } dd { code { (a.wallet_address) } }
                dt { "Two-factor" } dd #account-2fa { (if a.totp_enabled { "on" } else { "off" }) }
                dt { "State" } dd #account-state { (state(a.enabled)) }
                dt { "Created" } dd { (when(a.created_at)) }
            }
            section {
                h2 { "Linked players" }
                @if d.links.is_empty() { p.muted { "None." } } @else {
                    div.scroll { table {
                        thead { tr { th { "Game" } th { "User id" } th { "Linked" } } }
                        tbody { @for l in &d.links { tr {
                            td { a href={ "/console/games/" (l.game_id) } { (l.game_id) } }
                            td { a href=(player_href(l.game_id, &l.user_id)) { code { (l.user_id) } } }
                            td { (when(l.linked_at)) }
                        } } }
                    } }
                }
            }
            section {
                h2 { "API keys it logged in through" }
                @if d.keys.is_empty() { p.muted { "None." } } @else {
                    div.scroll { table #api-keys {
                        thead { tr { th { "Id" } th { "Label" } th { "Allowed from" } th { "Expires" } th { "Last login" } @if c.is_admin() { th { span.sr { "Actions" } } } } }
                        tbody { @for k in &d.keys { tr {
                            td { (k.key.id.0) }
                            td { (k.key.label) }
                            td { (ips(&k.key)) }
                            td { @if let Some(t) = k.key.expires_at { (when(t)) } @else { "never" } }
                            td { (when(k.last_login_at)) }
                            @if c.is_admin() { td {
                                form method="post" action={ (base) "/api-keys/" (k.key.id.0) "/revoke" } {
                                    (csrf_field(c.csrf))
                                    button.small type="submit" { "Revoke" }
                                }
                            } }
                        } } }
                    } }
                }
            }
            section {
                h2 { "Latest events" }
                (audit_table(&d.events))
                p { a href={ "/console/audit?subject=account:" (a.id.0) } { "All events about this account" } }
            }
            @if c.is_admin() {
                section.danger {
                    h2 { "Danger zone" }
                    form method="post" action={ (base) "/enabled" } {
                        (csrf_field(c.csrf))
                        input type="hidden" name="enabled" value=(if a.enabled { "false" } else { "true" });
                        p { (if a.enabled { "Disabling ends the account's logins; it cannot log in until enabled." } else { "Enabling lets the account log in again." }) }
                        button.danger #account-enabled type="submit" { (if a.enabled { "Disable the account" } else { "Enable the account" }) }
                    }
                    @if a.totp_enabled {
                        form method="post" action={ (base) "/reset-2fa" } {
                            (csrf_field(c.csrf))
                            p { "Turns two-factor login off: its holder logs in with the password and enrols again." }
                            button.danger #reset-2fa type="submit" { "Reset two-factor login" }
                        }
                    }
                }
            }
        },
    )
}

/// A new API key, shown this once.
pub fn api_key_created(c: &Chrome<'_>, k: &ApiKey, value: &str) -> Markup {
    layout(
        c,
        html! {
            (shown_once(html! { " Playgate keeps only a hash of the key." }))
            (secret("api-key", "API key (PRIVATE-TOKEN)", value))
            dl.facts {
                dt { "Id" } dd { (k.id.0) }
                dt { "Label" } dd { (k.label) }
                dt { "Allowed from" } dd { (ips(k)) }
                dt { "Expires" } dd { @if let Some(t) = k.expires_at { (when(t)) } @else { "never" } }
            }
            p { a href="/console/accounts" { "Back to the accounts" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::pages::tests::chrome;
    use playgate_core::operators::Role;

    fn empty() -> AccountResults<'static> {
        AccountResults {
            q: "a&b",
            items: &[],
            next: None,
            error: None,
        }
    }

    #[test]
    fn the_key_form_labels_its_fields_and_keeps_what_was_typed() {
        let form = ApiKeyForm {
            label: "ops",
            allow_ips: "not-an-ip",
            expires_at: "",
            error: Some(("allow_ips", "\"not-an-ip\" is not a CIDR or IP address")),
        };
        let html = accounts(&chrome(Role::Admin), &empty(), &form).into_string();
        for id in ["key-label", "allow_ips", "expires_at", "account-q"] {
            assert!(html.contains(&format!("<label for=\"{id}\">")), "{id}: {html}");
        }
        assert!(html.contains("id=\"allow_ips-error\""), "{html}");
        assert!(html.contains("value=\"not-an-ip\""));
        assert!(html.contains("value=\"a&amp;b\""));
        assert!(html.contains("data-search=\"/console/accounts\""));
        assert!(html.contains("No account matches"));
        assert_eq!(
            html.matches("name=\"csrf\" value=\"tok123\"").count(),
            html.matches("method=\"post\"").count()
        );
    }

    #[test]
    fn viewers_get_no_key_form() {
        let html = accounts(&chrome(Role::Viewer), &empty(), &ApiKeyForm::default()).into_string();
        assert!(
            !html.contains("/console/api-keys") && !html.contains("New account"),
            "{html}"
        );
    }
}
