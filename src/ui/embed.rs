//! Embed mode (`embed=1`): Flowlab in another site's iframe. The frame tells the one origin
//! named by `embed_origin` what happens (`flowlab:ready`, `flowlab:status`, `flowlab:step`,
//! `flowlab:signed-in`) and takes `flowlab:configure`, `flowlab:sign-in` and `flowlab:sign-out`
//! from it: only from that origin, and only from the parent window itself. The messages are
//! built by `protocol::embed` and never carry a token, code, secret or password.

use leptos::prelude::*;

use super::actions::{sign_in, sign_out};
use super::kit::text;
use super::state::AppState;
use crate::browser;
use crate::protocol::config::Window;
use crate::protocol::embed::{self, Command, Embed};

/// What the frame last told the host.
#[derive(Default)]
struct Sent {
    status: String,
    steps: Vec<embed::StepSummary>,
    session: bool,
}

/// What the frame says about the embedding, and how many messages it did not take.
#[derive(Clone, Copy)]
pub struct EmbedState {
    pub notice: RwSignal<String>,
    pub ignored: RwSignal<u32>,
}

/// In an embed, logins use the popup: providers refuse to show their pages in a frame.
fn force_popup(state: AppState) {
    state.edit_config(&mut |c| c.window = Window::Popup);
}

/// What the frame says when the host asks for the redirect window.
const NO_REDIRECT: &str =
    "window=redirect is not used in an embed: providers refuse to be framed, so logins open a popup.";

/// Whether a query string asks for the redirect window.
pub fn asks_redirect(query: &str) -> bool {
    crate::protocol::url::parse_pairs(query)
        .iter()
        .any(|(k, v)| k == "window" && v == "redirect")
}

/// Starts embed mode: the messages out, the commands in.
pub fn start(state: AppState, settings: &Embed, asked_redirect: bool) -> EmbedState {
    let es = EmbedState {
        notice: RwSignal::new(String::new()),
        ignored: RwSignal::new(0),
    };
    provide_context(es);
    force_popup(state);
    let mut notes = Vec::new();
    if asked_redirect {
        notes.push(NO_REDIRECT.to_string());
    }
    let origin = match (&settings.origin, browser::framed()) {
        (Ok(o), true) => Some(o.clone()),
        (Ok(_), false) => {
            notes.push("Not in a frame: no messages are sent.".into());
            None
        }
        (Err(why), _) => {
            notes.push(format!("{why}: no messages are sent or taken."));
            None
        }
    };
    es.notice.set(notes.join(" "));
    let Some(origin) = origin else { return es };
    let own = browser::origin();

    let to = origin.clone();
    let post = move |m: &str| browser::post_to_parent(m, &to);
    post(&embed::ready());
    // One effect sends what changed since it last ran: the outcome line (at every change), each
    // step added or updated (its summary changed), and the verified claims once per session.
    Effect::new(move |before: Option<Sent>| {
        let before = before.unwrap_or_default();
        let status = state.outcome.with(|o| {
            embed::status(
                o.status.as_str(),
                o.error.as_ref().map(|e| e.code.as_str()),
                &o.text,
            )
        });
        if status != before.status {
            post(&status);
        }
        let steps: Vec<_> = state
            .steps
            .get()
            .iter()
            .map(|e| e.step.with(embed::step_summary))
            .collect();
        for (i, s) in steps.iter().enumerate() {
            if before.steps.get(i) != Some(s) {
                post(&embed::step(s));
            }
        }
        let signed_in = state.session.with(|s| {
            s.as_ref().map(|s| {
                let scope = s
                    .tokens
                    .scope
                    .clone()
                    .unwrap_or_else(|| s.config.scope.clone());
                embed::signed_in(&s.claims, &scope)
            })
        });
        if let (Some(m), false) = (&signed_in, before.session) {
            post(m);
        }
        Sent {
            status,
            steps,
            session: signed_in.is_some(),
        }
    });
    // Commands: from the embedding origin and the parent window only.
    browser::listen_messages(move |m| {
        if m.origin != origin || !m.from_parent {
            // The popup's relay talks to this page too (same origin): not the host's business.
            if m.origin != own {
                es.ignored.set(es.ignored.get_untracked() + 1);
            }
            return;
        }
        match m.data.as_deref().and_then(embed::command) {
            Some(Command::Configure(q)) => {
                let mut ignored = Vec::new();
                state.edit_config(&mut |c| {
                    let (next, why) = embed::configure(c.clone(), &q);
                    *c = next;
                    ignored = why;
                });
                let mut notes: Vec<String> = ignored
                    .iter()
                    .map(|i| format!("{} ({})", i.name, i.why))
                    .collect();
                force_popup(state);
                if asks_redirect(&q) {
                    notes.push(NO_REDIRECT.to_string());
                }
                state.redraw_config();
                super::config::show_key(state);
                es.notice.set(if notes.is_empty() {
                    String::new()
                } else {
                    format!("Configured by the host; not taken: {}.", notes.join("; "))
                });
            }
            Some(Command::SignIn) => sign_in(state),
            Some(Command::SignOut) => sign_out(state),
            None => es.ignored.set(es.ignored.get_untracked() + 1),
        }
    });
    es
}

/// The embed's line: why messages are not sent, what a configure command did not take, and
/// how many messages were ignored.
#[component]
pub fn EmbedBar() -> impl IntoView {
    let es = expect_context::<EmbedState>();
    let line = text(move || {
        let n = es.ignored.get();
        let ignored = match n {
            0 => String::new(),
            1 => " 1 message ignored (another origin or window, or not a command).".into(),
            n => format!(" {n} messages ignored (another origin or window, or not a command)."),
        };
        format!("{}{ignored}", es.notice.get()).trim().to_string()
    });
    view! { <p class="embed-bar muted" data-testid="embed-notice" role="status">{line}</p> }
}
