//! Step panels, the claims view and the token view.

use leptos::prelude::*;

use super::state::AppState;
use crate::browser;
use crate::protocol::explain::param_meaning;
use crate::protocol::render::step_html;
use crate::protocol::step::mask;

/// The steps, rendered by `protocol::render` (one reactive string for the whole list). A
/// delegated `change` handler flips a panel between masked and revealed; the revealed markup
/// exists only after that deliberate click.
#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let revealed = RwSignal::new(Vec::<usize>::new());
    let html = move || {
        let open = revealed.get();
        state
            .steps
            .get()
            .iter()
            .enumerate()
            .map(|(i, s)| step_html(i + 1, s, open.contains(&(i + 1))))
            .collect::<String>()
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(n) =
            browser::event_target_data(&ev, "data-reveal").and_then(|v| v.parse::<usize>().ok())
        {
            let mut open = revealed.get_untracked();
            match open.iter().position(|x| *x == n) {
                Some(i) => {
                    open.swap_remove(i);
                }
                None => open.push(n),
            }
            revealed.set(open);
        }
    };
    view! {
        <section class="steps" aria-label="Steps of the flow">
            <h2>"Steps"</h2>
            <p class="muted">"Each redirect and request appears here as it happens, with what it means and what was checked."</p>
            <ol class="step-list" on:change=on_change inner_html=html></ol>
        </section>
    }
}

/// A native checkbox: its state lives in the DOM, so it needs no reactive attributes.
#[component]
fn RevealToggle(reveal: RwSignal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <label class="reveal">
            <input type="checkbox" on:change=move |ev| reveal.set(event_target_checked(&ev))/>
            " " {label}
        </label>
    }
}

/// What a signed-in session shows: the verified claims, the tokens (masked until revealed) and
/// the last API answer. A new session always passes through "signed out", which rebuilds this
/// section, so the claims and tokens are read once; only the reveal switch and the API answer
/// are reactive (as text, the cheapest kind of reactive view).
#[component]
pub fn SessionView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let session = state.session.get_untracked();
    let claims = session
        .as_ref()
        .map(|s| {
            s.claims_text
                .iter()
                .map(|(k, value)| {
                    let meaning = param_meaning(k);
                    view! { <tr><th scope="row"><code>{k.clone()}</code></th><td><code class="val">{value.clone()}</code></td><td>{meaning}</td></tr> }
                })
                .collect_view()
        });
    let reveal = RwSignal::new(false);
    let tokens = session.map(|s| {
        let t = s.tokens;
        [
            ("access_token", t.access_token),
            ("id_token", t.id_token),
            ("refresh_token", t.refresh_token),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.map(|v| (name, v)))
        .map(|(name, v)| {
            let shown = move || if reveal.get() { v.clone() } else { mask(&v) };
            view! { <dt>{name}</dt><dd><code class="val">{shown}</code></dd> }
        })
        .collect_view()
    });
    view! {
        <section class="card">
            <h2>"Verified ID token claims"</h2>
            <table class="params" data-testid="id-token-claims">
                <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>{claims}</tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Tokens (in memory only)"</h2>
            <RevealToggle reveal=reveal label="Reveal tokens"/>
            <dl class="tokens">{tokens}</dl>
        </section>
        <section class="card">
            <h2>"API response"</h2>
            <pre class="code" data-testid="api-response">{move || state.api_body.get().unwrap_or_default()}</pre>
        </section>
    }
}
