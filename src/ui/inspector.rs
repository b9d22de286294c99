//! The JWT inspector: a pasted token decoded, explained and (optionally) verified with the
//! issuer's keys, into the shared step list. The token is never stored or put in a URL.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::flows::inspect::inspect;
use crate::protocol::inspect::KeySource;

#[component]
pub fn Inspector() -> impl IntoView {
    let state = expect_context::<AppState>();
    let token = RwSignal::new(String::new());
    let via = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let hint = move |key: &'static str| super::kit::text(move || state.text(key));
    // Drawn once first opened: a closed disclosure costs the page's first draw nothing.
    let opened = RwSignal::new(false);
    let fields = move || {
        view! {
            <div>
                <div class="field">
                    <label for="jwt">"JWT"</label>
                    <textarea id="jwt" rows="4" spellcheck="false" autocomplete="off" aria-describedby="jwt-hint"
                        on:input=move |ev| token.set(event_target_value(&ev))></textarea>
                    <small id="jwt-hint">{hint("field/jwt")}</small>
                </div>
                <div class="field">
                    <label for="jwt_via">"Verify the signature with"</label>
                    <select id="jwt_via" aria-describedby="jwt_via-hint" on:change=move |ev| via.set(event_target_value(&ev))>
                        <option value="">"nothing: decode and explain only"</option>
                        <option value="issuer">"the issuer's keys (discovery, jwks_uri)"</option>
                        <option value="jwks">"the keys at a JWKS URL"</option>
                    </select>
                    <small id="jwt_via-hint">{hint("field/jwt_via")}</small>
                </div>
                {line_field("jwt_url", "Issuer or JWKS URL", "url", url, hint("field/jwt_url"))}
                {line_field("jwt_aud", "Expected audience (optional)", "text", audience, hint("field/jwt_aud"))}
                <button type="button" id="inspect" data-testid="inspect" on:click=move |_| {
                    run(state, token.get_untracked(), via.get_untracked(), url.get_untracked(), audience.get_untracked())
                }>"Inspect"</button>
            </div>
        }
        .into_any()
    };
    view! {
        <details class="card inspector" on:toggle=move |_| opened.set(true)>
            <summary data-testid="jwt-inspector">"JWT inspector"</summary>
            {super::kit::redrawn(move || if opened.get() { fields() } else { ().into_any() })}
        </details>
    }
}

/// A one-line field of the inspector, written into `value` as the user types.
fn line_field(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    value: RwSignal<String>,
    hint: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind spellcheck="false" autocomplete="off" aria-describedby=format!("{id}-hint")
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <small id=format!("{id}-hint")>{hint}</small>
        </div>
    }
}

/// Inspect: the inspection is a run of its own; it replaces the steps, not the session.
fn run(state: AppState, token: String, via: String, url: String, audience: String) {
    let source = KeySource::parse(&via, &url, &state.config.get_untracked().issuer);
    state.steps.set(Vec::new());
    state.selected.set(None);
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
        // The result is the newest panel: bring it into view once it is drawn.
        crate::browser::sleep_ms(0).await;
        crate::browser::reveal("step-inspect", true);
    });
}
