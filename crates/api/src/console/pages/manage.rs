//! The pages of an admin's changes to a game: the edit form and a rotated secret.

use maud::{Markup, html};
use playgate_core::game::Game;
use playgate_core::games::{ACCESS_TTL_RANGE, REFRESH_TTL_RANGE};

use super::{Chrome, csrf_field, error_for, layout, secret, shown_once};

/// A game's editable fields as typed (lifetimes in seconds; empty: the server's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GameFields {
    /// Display name.
    pub name: String,
    /// Client name (`third_party_client_name`).
    pub client_name: String,
    /// Free text.
    pub description: String,
    /// Access token lifetime in seconds, or empty.
    pub access_token_ttl_secs: String,
    /// Refresh token lifetime in seconds, or empty.
    pub refresh_token_ttl_secs: String,
}

impl GameFields {
    /// The fields of `g` as stored.
    pub fn of(g: &Game) -> Self {
        let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs().to_string()).unwrap_or_default();
        GameFields {
            name: g.name.clone(),
            client_name: g.client_name.clone(),
            description: g.description.clone(),
            access_token_ttl_secs: secs(g.access_token_ttl),
            refresh_token_ttl_secs: secs(g.refresh_token_ttl),
        }
    }
}

/// The edit form of a game; `error` is `(field, message)`.
pub fn edit_game(c: &Chrome<'_>, g: &Game, f: &GameFields, error: Option<(&str, &str)>) -> Markup {
    let err = |field: &str| error.filter(|(x, _)| *x == field).map(|(_, m)| m);
    let known = [
        "name",
        "client_name",
        "description",
        "access_token_ttl_secs",
        "refresh_token_ttl_secs",
    ];
    let field = |id: &'static str, label: &'static str, value: &str, hint: Option<String>| {
        let eid = format!("{id}-error");
        html! {
            label for=(id) { (label) }
            @if let Some(h) = &hint { span.muted #{ (id) "-hint" } { (h) } }
            (error_for(&eid, err(id)))
            input #(id) type="text" name=(id) value=(value)
                aria-describedby=[err(id).map(|_| eid.clone()).or(hint.as_ref().map(|_| format!("{id}-hint")))];
        }
    };
    layout(
        c,
        html! {
            p { a href={ "/console/games/" (g.id) } { "← " (g.name) } }
            form.stack method="post" action={ "/console/games/" (g.id) "/edit" } {
                (csrf_field(c.csrf))
                (field("name", "Name", &f.name, None))
                (field("client_name", "Client name", &f.client_name, Some("A-Z, 0-9 and _ (third_party_client_name)".to_owned())))
                label for="description" { "Description" }
                (error_for("description-error", err("description")))
                textarea #description name="description" rows="3" { (f.description) }
                (field("access_token_ttl_secs", "Access token lifetime (seconds)",
                    &f.access_token_ttl_secs,
                    Some(format!("{} to {}; empty: the server's default", ACCESS_TTL_RANGE.0, ACCESS_TTL_RANGE.1))))
                (field("refresh_token_ttl_secs", "Refresh token and session lifetime (seconds)",
                    &f.refresh_token_ttl_secs,
                    Some(format!("{} to {}; empty: the server's default", REFRESH_TTL_RANGE.0, REFRESH_TTL_RANGE.1))))
                @if let Some((f, m)) = error.filter(|(f, _)| !known.contains(f)) {
                    p.field-error role="alert" { (f) ": " (m) }
                }
                button.primary type="submit" { "Save" }
            }
        },
    )
}

/// A new GameFuse service key, its token shown this once.
pub fn service_key_created(c: &Chrome<'_>, g: &Game, name: &str, token: &str) -> Markup {
    layout(
        c,
        html! {
            (shown_once(html! { " Playgate keeps only a hash of the token: store it in your game server's secrets." }))
            (secret("service-key-name", "Service key name", name))
            (secret("service-key-token", "Service key token", token))
            p { a href={ "/console/games/" (g.id) } { "Go to the game" } }
        },
    )
}

/// A replaced credential, shown this once.
pub fn secret_rotated(c: &Chrome<'_>, g: &Game, kgen: bool, value: &str) -> Markup {
    layout(
        c,
        html! {
            (shown_once(html! {
                " The old one stopped working. "
                @if kgen { "Playgate keeps only a hash of the client secret: store it in your game backend's secrets before leaving this page." }
                @else { "Build the new token into your game clients." }
            }))
            @if kgen {
                (secret("client-id", "KGeN client id", &g.client_id))
                (secret("client-secret", "KGeN client secret", value))
            } @else {
                (secret("gamefuse-token", "GameFuse game token", value))
            }
            p { a href={ "/console/games/" (g.id) } { "Go to the game" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::pages::tests::{chrome, game};
    use playgate_core::operators::Role;

    #[test]
    fn the_edit_form_labels_every_field_and_keeps_what_was_typed() {
        let g = game("g");
        let mut f = GameFields::of(&g);
        assert_eq!(f.access_token_ttl_secs, "", "the server's default");
        f.access_token_ttl_secs = "5\"".into();
        let html = edit_game(
            &chrome(Role::Admin),
            &g,
            &f,
            Some(("access_token_ttl_secs", "too short")),
        )
        .into_string();
        for id in [
            "name",
            "client_name",
            "description",
            "access_token_ttl_secs",
            "refresh_token_ttl_secs",
        ] {
            assert!(html.contains(&format!("<label for=\"{id}\">")), "{id}: {html}");
        }
        assert!(html.contains("id=\"access_token_ttl_secs-error\""));
        assert!(html.contains("aria-describedby=\"access_token_ttl_secs-error\""));
        assert!(html.contains("value=\"5&quot;\""));
        assert!(html.contains("name=\"csrf\" value=\"tok123\""));
    }

    #[test]
    fn a_rotated_secret_is_shown_with_a_copy_button() {
        let g = game("g");
        let html = secret_rotated(&chrome(Role::Admin), &g, true, "pgs_new").into_string();
        assert!(
            html.contains("pgs_new") && html.contains("data-copy=\"client-secret\"") && html.contains("Shown only now")
        );
        let html = secret_rotated(&chrome(Role::Admin), &g, false, "tok").into_string();
        assert!(html.contains("data-copy=\"gamefuse-token\"") && !html.contains("client-secret"));
    }
}
