//! Leptos components. They render steps and send intents; no protocol logic lives here.

mod config;
mod inspector;
mod panels;
mod state;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::flows::{pkce, Session};
use crate::protocol::config::Config;
use config::ConfigPanel;
use inspector::Inspector;
use panels::{SessionView, StepList};
pub use state::{AppState, Outcome, Status};

/// Whether this page is the redirect URI's page (`callback.html`).
fn on_callback_page() -> bool {
    browser::location_href()
        .split(['?', '#'])
        .next()
        .is_some_and(|p| p.ends_with("/callback.html"))
}

/// The action buttons.
#[derive(Clone, Copy)]
enum Button {
    SignIn,
    CallApi,
    Refresh,
    SignOut,
    Continue,
}

/// Whether a button is disabled, as a reactive closure. Every call returns the same closure
/// type, so the buttons share one instantiation of the attribute machinery.
fn disabled(state: AppState, b: Button) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || {
        let busy = state.outcome.get().status == Status::InProgress;
        let session = state.session.get();
        let signed_in = session.is_some();
        let has = |t: fn(&Session) -> bool| session.as_ref().is_some_and(t);
        let has_access_token = has(|s| s.tokens.access_token.is_some());
        match b {
            Button::SignIn => busy,
            Button::CallApi => busy || !has_access_token,
            Button::Refresh => busy || !has(|s| s.tokens.refresh_token.is_some()),
            Button::SignOut => !signed_in,
            Button::Continue => !state.paused.get(),
        }
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let base = browser::app_base();
    let (config, ignored) = Config::defaults(&base)
        .apply_query(crate::protocol::url::query_of(&browser::location_href()));
    let state = AppState::new(config);
    provide_context(state);
    browser::register_worker();

    if let Some(logout_state) = pkce::pending_logout_return() {
        match pkce::finish_logout(&state, &logout_state) {
            Ok(()) => state.outcome.set(Outcome {
                text: "Signed out here and at the provider.".into(),
                ..Outcome::idle()
            }),
            Err(e) => state.fail(e),
        }
    } else if browser::opener_app().is_some() && on_callback_page() {
        // This page is a login popup: hand the answer to the page that opened it.
        state
            .outcome
            .set(Outcome::busy("Handing the answer to Flowlab\u{2026}"));
        spawn_local(async move {
            if !pkce::relay_if_popup().await {
                state.outcome.set(Outcome::idle());
            }
        });
    } else if let Some(params) = pkce::pending_callback() {
        state
            .outcome
            .set(Outcome::busy("Finishing the login\u{2026}"));
        spawn_local(state.finish_login(Ok(params)));
    } else if browser::location_href()
        .split(['?', '#'])
        .next()
        .is_some_and(|p| p.ends_with("/callback.html"))
    {
        // A form_post answer arrives as a POST the Service Worker took; ask it.
        spawn_local(async move {
            if let Some(posted) = pkce::claim_posted().await {
                state
                    .outcome
                    .set(Outcome::busy("Finishing the login\u{2026}"));
                state.finish_login(posted).await;
            }
        });
    } else if !ignored.is_empty() {
        let text = ignored
            .iter()
            .map(|i| format!("{} ({})", i.name, i.why))
            .collect::<Vec<_>>()
            .join("; ");
        state.outcome.set(Outcome {
            text: format!("Ready, but some link parameters were not used: {text}."),
            ..Outcome::idle()
        });
    }

    let sign_in = move |_| {
        let cfg = state.config.get_untracked();
        // A popup must open in the click itself: after an await, browsers block it.
        let popup = if cfg.window == "popup" {
            match browser::open_popup() {
                Ok(p) => Some(p),
                Err(e) => return state.fail(e),
            }
        } else {
            None
        };
        state.reset();
        state
            .outcome
            .set(Outcome::busy("Discovering the provider\u{2026}"));
        spawn_local(async move {
            match pkce::start(&state, cfg, popup).await {
                Ok(Some(session)) => state.settle_login(Ok(session)).await,
                Ok(None) => {}
                Err(e) => state.fail(e),
            }
        });
    };
    // Keyboard control for presenters: N continues a paused flow (or moves to the next panel),
    // P goes back to the previous panel.
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if browser::typing(&ev) {
            return;
        }
        match ev.key().as_str() {
            "n" | "N" if state.paused.get_untracked() => state.paused.set(false),
            "n" | "N" => browser::focus_step(1),
            "p" | "P" => browser::focus_step(-1),
            _ => return,
        }
        ev.prevent_default();
    });
    let call_api = move |_| spawn_local(state.call_api());
    let refresh = move |_| spawn_local(state.refresh());
    let sign_out = move |_| {
        let session = state.session.get_untracked();
        // Forget the tokens first: whatever the provider does next, this page holds none.
        state.session.set(None);
        state.api_body.set(None);
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
    };

    view! {
        <header class="top">
            <h1>"Flowlab"</h1>
            <p class="tagline">"OAuth 2.0 and OpenID Connect, live in your browser: every redirect and token exchange shown and explained."</p>
        </header>
        <main>
            <ConfigPanel/>
            <section class="actions" aria-label="Actions">
                <button class="primary" data-testid="sign-in" on:click=sign_in disabled=disabled(state, Button::SignIn)>"Sign in"</button>
                <button data-testid="call-api" on:click=call_api disabled=disabled(state, Button::CallApi)>"Call the API"</button>
                <button data-testid="refresh" on:click=refresh disabled=disabled(state, Button::Refresh)>"Refresh"</button>
                <button data-testid="sign-out" on:click=sign_out disabled=disabled(state, Button::SignOut)>"Sign out"</button>
                <button data-testid="continue" on:click=move |_| state.paused.set(false) disabled=disabled(state, Button::Continue)>"Continue"</button>
            </section>
            <OutcomeView/>
            <SessionView/>
            <StepList/>
            <Inspector/>
        </main>
        <footer class="foot">
            <p>"Tokens live in this tab's memory only, and go nowhere but to your provider and API."</p>
        </footer>
    }
}

/// The automation contract's outcome element. The live region is a stable wrapper; its content
/// is one reactive block (one closure instead of one per attribute keeps the wasm small).
#[component]
fn OutcomeView() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! { <div class="live" role="status" aria-live="polite" inner_html=panels::html(state, panels::Part::Outcome)></div> }
}
