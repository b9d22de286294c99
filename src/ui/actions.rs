//! The action buttons (Sign in, Call the API, Refresh, Sign out, Continue, Cancel) and the
//! outcome line of the automation contract.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::kit::{flag, text};
use super::state::{AppState, Outcome, Status};
use crate::browser;
use crate::flows::{device, direct, pkce, Session};
use crate::protocol::config::Flow;

#[component]
pub fn Actions() -> impl IntoView {
    let state = expect_context::<AppState>();
    let busy = move || state.outcome.with(|o| o.status == Status::InProgress);
    let has = move |t: fn(&Session) -> bool| state.session.with(|s| s.as_ref().is_some_and(t));
    view! {
        <section class="actions" aria-label="Actions">
            <button class="primary" id="sign-in" data-testid="sign-in" disabled=flag(busy)
                on:click=move |_| sign_in(state)>"Sign in"</button>
            <button id="call-api" data-testid="call-api"
                disabled=flag(move || busy() || !has(|s| s.tokens.access_token.is_some()))
                on:click=move |_| spawn_local(state.call_api())>"Call the API"</button>
            <button id="refresh" data-testid="refresh"
                disabled=flag(move || busy() || !has(|s| s.tokens.refresh_token.is_some()))
                on:click=move |_| spawn_local(state.refresh())>"Refresh"</button>
            <button id="sign-out" data-testid="sign-out" disabled=flag(move || state.session.with(Option::is_none))
                on:click=move |_| sign_out(state)>"Sign out"</button>
            <button id="continue" data-testid="continue" disabled=flag(move || !state.paused.get())
                on:click=move |_| state.paused.set(false)>"Continue"</button>
            <button id="cancel" data-testid="cancel" disabled=flag(move || !state.cancellable.get())
                on:click=move |_| state.cancelled.set(true)>"Cancel"</button>
        </section>
    }
}

/// The outcome element: `data-status`, and on error `data-error` with the stable code; the
/// text explains it, with the spec section.
#[component]
pub fn OutcomeView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let o = state.outcome;
    let status = text(move || o.with(|o| o.status.as_str()).to_string());
    let error =
        Signal::derive(move || o.with(|o| o.error.as_ref().map(|e| e.code.as_str().to_string())));
    view! {
        <div class="live" id="outcome" role="status" aria-live="polite">
            <section class=text(move || format!("outcome {}", status.get())) data-testid="outcome"
                data-status=status data-error=error>
                <strong>{text(move || o.with(Outcome::status_headline).to_string())}</strong>" "
                <span>{text(move || o.with(|o| o.text.clone()))}</span>
                <span class="spec">{text(move || {
                    o.with(|o| o.error.as_ref().and_then(|e| e.spec).map(|s| format!(" ({s})")).unwrap_or_default())
                })}</span>
            </section>
        </div>
    }
}

pub fn sign_in(state: AppState) {
    let cfg = state.config.get_untracked();
    // A popup must open in the click itself: after an await, browsers block it.
    let popup = if cfg.window == crate::protocol::config::Window::Popup {
        match browser::open_popup() {
            Ok(p) => Some(p),
            Err(e) => return state.fail(e),
        }
    } else {
        None
    };
    state.reset();
    // A run under way: the configuration folds to its one-line summary, and the diagram and the
    // panels have the room.
    state.folded.set(true);
    state
        .outcome
        .set(Outcome::busy("Discovering the provider\u{2026}"));
    spawn_local(async move {
        let result = match cfg.flow {
            f if f.redirects() => pkce::start(&state, cfg, popup).await,
            Flow::Device => device::start(&state, cfg).await,
            _ => direct::start(&state, cfg).await.map(Some),
        };
        match result {
            Ok(Some(session)) => state.settle_login(Ok(session)).await,
            Ok(None) => {}
            Err(e) => state.fail(e),
        }
    });
}

pub fn sign_out(state: AppState) {
    let session = state.session.get_untracked();
    // Forget the tokens first: whatever the provider does next, this page holds none.
    state.session.set(None);
    state.tokens_revealed.set(false);
    state.outcome.set(Outcome::idle());
    if let Some(session) = session {
        spawn_local(async move {
            match pkce::sign_out(&state, session).await {
                Ok(true) => {}
                Ok(false) => state.outcome.set(Outcome {
                    text: "Signed out here; the provider has no end_session_endpoint to end its own session.".into(),
                    ..Outcome::idle()
                }),
                Err(e) => state.fail(e),
            }
        });
    }
}
