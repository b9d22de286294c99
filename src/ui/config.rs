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
use crate::flows::pkce;

/// The shareable link for the current configuration (never a secret: there is none in it).
pub fn share_link(state: AppState) -> String {
    format!("{}?{}", browser::app_base(), state.config.get().to_query())
}

/// "Discover the provider": fetches and judges the discovery document alone.
pub fn discover(state: AppState) {
    let issuer = state.config.get_untracked().issuer;
    state.reset();
    state
        .outcome
        .set(Outcome::busy("Discovering the provider\u{2026}"));
    spawn_local(async move {
        match pkce::discover(&state, &issuer).await {
            Ok((meta, _)) => state.outcome.set(Outcome {
                text: format!("Discovered {}: ready to sign in.", meta.issuer),
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
            "flow" | "response_type" | "token_endpoint_auth_method"
        ) {
            state.redraw_config();
        }
    }
}
