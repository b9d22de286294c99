//! The Export: the run as a Markdown transcript (masked unless secrets are asked for), drawn
//! only while the disclosure is open.

use leptos::prelude::*;

use super::kit::redrawn;
use super::state::AppState;
use crate::protocol::transcript::transcript_md;

#[component]
pub fn Export() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let secrets = RwSignal::new(false);
    let text = move || {
        let steps: Vec<_> = state.steps.get().iter().map(|e| e.step.get()).collect();
        state
            .content
            .with(|c| transcript_md(&steps, secrets.get(), c))
    };
    view! {
        <details class="export" on:toggle=move |ev| {
            open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())
        }>
            <summary data-testid="export">"Export"</summary>
            <label class="reveal">
                <input type="checkbox" id="transcript-secrets"
                    on:change=move |ev| secrets.set(event_target_checked(&ev)) />
                " include secrets"
            </label>
            {redrawn(move || {
                if open.get() {
                    view! {
                        <pre class="code transcript" data-testid="transcript" tabindex="0"
                            aria-label="Transcript (Markdown)">{text()}</pre>
                    }
                    .into_any()
                } else {
                    ().into_any()
                }
            })}
        </details>
    }
}
