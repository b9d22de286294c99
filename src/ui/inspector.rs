//! The JWT inspector's card: a static form (`protocol::render::INSPECTOR_HTML`) and one
//! delegated click handler. Its steps go to the shared step list.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::browser;
use crate::flows::inspect::inspect;
use crate::protocol::inspect::KeySource;
use crate::protocol::render::INSPECTOR_HTML;

#[component]
pub fn Inspector() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if browser::event_target_id(&ev).as_deref() != Some("inspect") {
            return;
        }
        let token = browser::field_value("jwt");
        let audience = browser::field_value("jwt_aud");
        let source = KeySource::parse(
            &browser::field_value("jwt_via"),
            &browser::field_value("jwt_url"),
            &state.config.get_untracked().issuer,
        );
        // The inspection is a run of its own: it replaces the steps, not the session.
        state.steps.set(Vec::new());
        state.steps_revealed.set(Vec::new());
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
        });
    };
    view! {
        <details class="card inspector">
            <summary data-testid="jwt-inspector">"JWT inspector"</summary>
            <div on:click=on_click inner_html=INSPECTOR_HTML></div>
        </details>
    }
}
