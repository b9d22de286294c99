//! The configuration form and its shareable link.
//!
//! The fields are markup from `protocol::render::config_form_html`. The `input` handler writes
//! every edit into the configuration by the control's id (`Config::set_form_field`); the fields
//! are rebuilt only when the configuration is replaced from outside (restored after a
//! redirect), never while the user types.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::browser;

/// The shareable link for the current configuration (never a secret: there is none in it).
pub fn share_link(state: AppState) -> String {
    format!("{}?{}", browser::app_base(), state.config.get().to_query())
}

/// "Discover the provider": the provider card (discovery judged for this configuration, the
/// preset's console settings, a CORS probe, the key set); nothing is signed in.
pub fn discover(state: AppState) {
    let cfg = state.config.get_untracked();
    state.reset();
    state
        .outcome
        .set(Outcome::busy("Discovering the provider\u{2026}"));
    spawn_local(async move {
        match crate::flows::card::provider_card(&state, &cfg).await {
            Ok((meta, 0)) => state.outcome.set(Outcome {
                text: format!("Discovered {}: ready to sign in.", meta.issuer),
                ..Outcome::idle()
            }),
            Ok((meta, n)) => state.outcome.set(Outcome {
                text: format!(
                    "Discovered {}, with {n} finding(s) to fix before this configuration can sign in: see the \
                     failed checks below.",
                    meta.issuer
                ),
                ..Outcome::idle()
            }),
            Err(e) => state.fail(e),
        }
    });
}

/// An edit in the configuration form, written into the configuration by the control's id
/// (`Config::set_form_field`). Input elsewhere on the page (the JWT inspector) is not
/// configuration.
pub fn on_input(state: AppState, ev: &web_sys::Event) {
    if !browser::event_within(ev, "#config-fields") {
        return;
    }
    if let Some(id) = browser::event_target_id(ev) {
        // A checkbox's value is its checked state.
        let value = if browser::event_target_data(ev, "type").as_deref() == Some("checkbox") {
            if event_target_checked(ev) {
                "on".into()
            } else {
                String::new()
            }
        } else {
            event_target_value(ev)
        };
        state.edit_config(&mut |c| c.set_form_field(&id, value.clone()));
        // These change which fields the form shows: draw it again (the focus stays put).
        if matches!(
            id.as_str(),
            "flow" | "response_type" | "token_endpoint_auth_method" | "preset"
        ) {
            state.redraw_config();
            show_key(state);
        }
    }
}

/// With `private_key_jwt` chosen: makes this tab's key (once) and shows its public half.
pub fn show_key(state: AppState) {
    let c = state.config.get_untracked();
    if c.auth_method != "private_key_jwt" || !c.client_jwk.is_empty() {
        return;
    }
    spawn_local(async move {
        match browser::client_key().await {
            Ok(key) => {
                let jwk = key.registration_jwk();
                state.edit_config(&mut |c| c.client_jwk = jwk.clone());
                state.redraw_config();
            }
            Err(e) => state.fail(e),
        }
    });
}

/// "Register a client with this key" (RFC 7591): the new client's id goes into the form.
pub fn register(state: AppState) {
    let cfg = state.config.get_untracked();
    state.reset();
    state
        .outcome
        .set(Outcome::busy("Registering the client\u{2026}"));
    spawn_local(async move {
        match crate::flows::register(&state, &cfg).await {
            Ok(id) => {
                state.edit_config(&mut |c| c.client_id = id.clone());
                state.redraw_config();
                state.outcome.set(Outcome {
                    text: format!("Registered client {id} with this tab's key: press Sign in."),
                    ..Outcome::idle()
                });
            }
            Err(e) => state.fail(e),
        }
    });
}
