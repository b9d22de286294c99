//! The JWT inspector: its form is static markup in `index.html`; Inspect reads it and runs the
//! inspection into the shared step list. The pasted token is never stored or put in a URL.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::browser;
use crate::flows::inspect::inspect;
use crate::protocol::inspect::KeySource;

/// Inspect: reads the form, then runs the inspection into the shared step list.
pub fn run(state: AppState) {
    let token = browser::field_value("jwt");
    let audience = browser::field_value("jwt_aud");
    let source = KeySource::parse(
        &browser::field_value("jwt_via"),
        &browser::field_value("jwt_url"),
        &state.config.get_untracked().issuer,
    );
    // The inspection is a run of its own: it replaces the steps, not the session.
    state.steps.set(Vec::new());
    let source = match source {
        Ok(s) => s,
        Err(e) => return state.fail(e),
    };
    state
        .outcome
        .set(Outcome::busy("Inspecting the JWT\u{2026}"));
    spawn_local(async move {
        match inspect(&state, &token, source, &audience).await {
            Ok(text) => state.outcome.set(Outcome {
                text,
                ..Outcome::idle()
            }),
            Err(e) => state.fail(e),
        }
        // The result is the panel above the form: bring it into view once it is drawn.
        browser::sleep_ms(0).await;
        browser::focus_id("step-inspect");
    });
}
