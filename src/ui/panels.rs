//! Step panels, the claims view and the token view.

use leptos::prelude::*;

use super::state::AppState;
use crate::browser;
use crate::protocol::render::{sequence_svg, session_html, step_html, transcript_html};

/// The steps, rendered by `protocol::render` (one reactive string for the whole list). A
/// delegated `change` handler flips a panel between masked and revealed; the revealed markup
/// exists only after that deliberate click.
#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let revealed = RwSignal::new(Vec::<usize>::new());
    // The diagram and the panels: one rendered string.
    let html = move || {
        let open = revealed.get();
        let steps = state.steps.get();
        let mut out = format!(
            "<div class=\"diagram\">{}</div><ol class=\"step-list\">",
            sequence_svg(&steps)
        );
        for (i, s) in steps.iter().enumerate() {
            out.push_str(&step_html(i + 1, s, open.contains(&(i + 1))));
        }
        out.push_str("</ol>");
        out
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
    let with_secrets = RwSignal::new(false);
    view! {
        <section class="steps" aria-label="Steps of the flow">
            <h2>"Steps"</h2>
            <p class="muted">"Each redirect and request appears here as it happens, with what it means and what was checked. Front channel dashed, back channel solid; select an arrow to open its step."</p>
            <div on:change=on_change inner_html=html></div>
            <details class="export">
                <summary data-testid="export">"Export"</summary>
                <label class="reveal"><input type="checkbox" on:change=move |ev| with_secrets.set(event_target_checked(&ev))/>" include secrets"</label>
                <div inner_html=move || transcript_html(&state.steps.get(), with_secrets.get())></div>
            </details>
        </section>
    }
}

/// The signed-in section, from `protocol::render::session_html`: empty without a session. The
/// token reveal switch (reset with the session) and the API answer re-render it.
#[component]
pub fn SessionView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let revealed = state.tokens_revealed;
    let html = move || {
        let Some(s) = state.session.get() else {
            return String::new();
        };
        let t = &s.tokens;
        let tokens: Vec<(&str, &str)> = [
            ("access_token", &t.access_token),
            ("id_token", &t.id_token),
            ("refresh_token", &t.refresh_token),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
        .collect();
        session_html(
            &s.claims_text,
            &tokens,
            revealed.get(),
            state.api_body.get().as_deref(),
        )
    };
    let on_change = move |ev: leptos::ev::Event| {
        if browser::event_target_data(&ev, "data-reveal").as_deref() == Some("tokens") {
            revealed.set(!revealed.get_untracked());
        }
    };
    view! { <div on:change=on_change inner_html=html></div> }
}
