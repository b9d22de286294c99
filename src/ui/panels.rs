//! Step panels, the claims view and the token view.

use leptos::prelude::*;

use super::state::AppState;
use crate::browser;
use crate::protocol::render::{
    config_form_html, outcome_html, sequence_svg, session_html, step_html, transcript_html,
};

/// The parts of the page rendered as HTML by `protocol::render`.
#[derive(Clone, Copy)]
pub enum Part {
    Outcome,
    Steps,
    Transcript,
    Config,
    Session,
}

/// A part's markup as a reactive closure. Every call returns the same closure type, so the
/// parts share one instantiation of the inner-HTML machinery.
pub fn html(state: AppState, part: Part) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || match part {
        Part::Outcome => {
            let o = state.outcome.get();
            outcome_html(
                o.status.as_str(),
                o.status_headline(),
                &o.text,
                o.error.as_ref(),
            )
        }
        // The diagram and the panels.
        Part::Steps => {
            let open = state.steps_revealed.get();
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
        }
        Part::Transcript => transcript_html(&state.steps.get(), state.transcript_secrets.get()),
        // Rebuilt only when the configuration is replaced from outside, never while typing.
        Part::Config => {
            state.config_rev.get();
            config_form_html(&state.config.get_untracked())
        }
        Part::Session => {
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
                state.tokens_revealed.get(),
                state.api_body.get().as_deref(),
            )
        }
    }
}

/// The steps, rendered by `protocol::render` (one reactive string for the whole list). A
/// delegated `change` handler flips a panel between masked and revealed; the revealed markup
/// exists only after that deliberate click.
#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(n) =
            browser::event_target_data(&ev, "data-reveal").and_then(|v| v.parse::<usize>().ok())
        {
            let mut open = state.steps_revealed.get_untracked();
            match open.iter().position(|x| *x == n) {
                Some(i) => {
                    open.swap_remove(i);
                }
                None => open.push(n),
            }
            state.steps_revealed.set(open);
        }
    };
    view! {
        <section class="steps" aria-label="Steps of the flow">
            <h2>"Steps"</h2>
            <p class="muted">"Every redirect and request as it happens, explained and checked. Dashed arrows: front channel; solid: back channel. Keys: N next panel (or Continue when paused), P previous panel."</p>
            <div on:change=on_change on:click=|ev| browser::copy_block(&ev) inner_html=html(state, Part::Steps)></div>
            <details class="export">
                <summary data-testid="export">"Export"</summary>
                <label class="reveal"><input type="checkbox" on:change=move |ev| state.transcript_secrets.set(event_target_checked(&ev))/>" include secrets"</label>
                <div inner_html=html(state, Part::Transcript)></div>
            </details>
        </section>
    }
}

/// The signed-in section, from `protocol::render::session_html`: empty without a session. The
/// token reveal switch (reset with the session) and the API answer re-render it.
#[component]
pub fn SessionView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev: leptos::ev::Event| {
        if browser::event_target_data(&ev, "data-reveal").as_deref() == Some("tokens") {
            state
                .tokens_revealed
                .set(!state.tokens_revealed.get_untracked());
        }
    };
    view! { <div on:change=on_change inner_html=html(state, Part::Session)></div> }
}
