//! The parts of the page that change, as markup from `protocol::render`.

use leptos::prelude::*;

use super::state::AppState;
use crate::protocol::jwt::claim_text;
use crate::protocol::render::{
    config_form_html, outcome_html, sequence_svg, session_html, step_html, transcript_html,
};

/// The parts of the page that change. Each is kept current by one effect.
#[derive(Clone, Copy)]
pub enum Part {
    Outcome,
    Steps,
    Transcript,
    Config,
    Session,
    /// The shareable link's value.
    Share,
    /// The action buttons' `disabled` state.
    Buttons,
}

impl Part {
    /// The id of the element (in `index.html`) whose content this part is.
    pub fn target(self) -> &'static str {
        match self {
            Part::Outcome => "outcome",
            Part::Steps => "diagram",
            Part::Transcript => "transcript",
            Part::Config => "config-fields",
            Part::Session => "session",
            Part::Share => "share",
            Part::Buttons => "actions",
        }
    }
}

/// The step panels: each drawn from its step, and only the ones that changed are replaced in
/// the page (a device flow's polls update their own panel; the others keep their DOM nodes).
pub fn sync_panels(state: AppState, shown: &mut Vec<String>) {
    let steps = state.steps.get();
    let items: Vec<String> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| step_html(i + 1, s, s.revealed))
        .collect();
    crate::browser::sync_children("step-list", &items, shown);
}

/// A part's markup, read from the signals it depends on (so the effect that calls it re-runs
/// when they change).
pub fn markup(state: AppState, part: Part) -> String {
    match part {
        Part::Outcome => {
            let o = state.outcome.get();
            outcome_html(
                o.status.as_str(),
                o.status_headline(),
                &o.text,
                o.error.as_ref(),
            )
        }
        // The diagram (the panels are kept by `sync_panels`, one at a time).
        Part::Steps => sequence_svg(&state.steps.get()),
        // Drawn only while the Export disclosure is open.
        Part::Transcript => {
            if state.export_open.get() {
                transcript_html(&state.steps.get(), state.transcript_secrets.get())
            } else {
                String::new()
            }
        }
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
                &s.claims
                    .iter()
                    .map(|(k, v)| (k.clone(), claim_text(k, v)))
                    .collect::<Vec<_>>(),
                &tokens,
                state.tokens_revealed.get(),
                s.api_body.as_deref(),
            )
        }
        Part::Share | Part::Buttons => String::new(),
    }
}
