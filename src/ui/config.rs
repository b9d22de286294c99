//! The configuration form and its shareable link.
//!
//! The fields are markup from `protocol::render::config_form_html`. One delegated `input`
//! handler writes every edit into the configuration by the control's id
//! (`Config::set_form_field`); the fields are rebuilt only when the configuration is replaced
//! from outside (restored after a redirect), never while the user types.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::panels::{html, Part};
use super::state::{AppState, Outcome};
use crate::browser;
use crate::flows::pkce;

#[component]
pub fn ConfigPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let share = move || format!("{}?{}", browser::app_base(), state.config.get().to_query());
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(id) = browser::event_target_id(&ev) {
            // A checkbox's value is its checked state.
            let value = if browser::event_target_data(&ev, "type").as_deref() == Some("checkbox") {
                if event_target_checked(&ev) {
                    "on".into()
                } else {
                    String::new()
                }
            } else {
                event_target_value(&ev)
            };
            state.edit_config(&mut |c| c.set_form_field(&id, value.clone()));
        }
    };
    let discover = move |_| {
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
    };
    view! {
        <section class="card config" aria-labelledby="config-title">
            <h2 id="config-title">"Configuration"</h2>
            <div on:input=on_input inner_html=html(state, Part::Config)></div>
            <button type="button" data-testid="discover" on:click=discover>"Discover the provider"</button>
            <div class="field">
                <label for="share">"Shareable link (never contains a secret)"</label>
                <div class="issuer-row">
                    <input id="share" type="text" readonly prop:value=share/>
                    <button type="button" on:click=move |_| browser::copy_text(&share())>"Copy"</button>
                </div>
            </div>
        </section>
    }
}
