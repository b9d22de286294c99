//! The page. Its static structure is `index.html`; this module fills the parts that change
//! (escaped HTML from `protocol::render`) from effects, and takes every intent (click, change,
//! input, key) through four listeners on the document. Leptos supplies the reactive state
//! (signals, effects, the owner) and the task executor; no view tree is built or mounted, which
//! keeps the element machinery of a view tree out of the wasm. No protocol logic lives here.

mod config;
mod inspector;
mod panels;
mod state;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::flows::{device, direct, pkce, Session};
use crate::protocol::config::{Config, Flow};
use panels::{markup, Part};
pub use state::{AppState, Outcome, Status};

/// Whether this page is the redirect URI's page (`callback.html`).
fn on_callback_page() -> bool {
    browser::location_href()
        .split(['?', '#'])
        .next()
        .is_some_and(|p| p.ends_with("/callback.html"))
}

/// Sets the action buttons' `disabled` state from the app's state. The buttons are static
/// markup; one effect keeps them current (cheaper in the wasm than a reactive attribute each).
fn sync_buttons(state: AppState) {
    let busy = state.outcome.get().status == Status::InProgress;
    let session = state.session.get();
    let has = |t: fn(&Session) -> bool| session.as_ref().is_some_and(t);
    for (id, off) in [
        ("sign-in", busy),
        ("register", busy),
        (
            "call-api",
            busy || !has(|s| s.tokens.access_token.is_some()),
        ),
        (
            "refresh",
            busy || !has(|s| s.tokens.refresh_token.is_some()),
        ),
        ("sign-out", session.is_none()),
        ("continue", !state.paused.get()),
        ("cancel", !state.cancellable.get()),
    ] {
        browser::set_disabled(id, off);
    }
}

/// Every button of the page, found by its id: one delegated click handler for all of them.
fn on_click(state: AppState, ev: &web_sys::Event) {
    match browser::event_target_id(ev).as_deref() {
        Some("sign-in") => sign_in(state),
        Some("call-api") => spawn_local(state.call_api()),
        Some("refresh") => spawn_local(state.refresh()),
        Some("sign-out") => sign_out(state),
        Some("continue") => state.paused.set(false),
        Some("cancel") => state.cancelled.set(true),
        Some("discover") => config::discover(state),
        Some("copy-share") => browser::copy_text(&config::share_link(state)),
        Some("copy-jwk") => browser::copy_text(&state.config.get_untracked().client_jwk),
        Some("register") => config::register(state),
        Some("inspect") => inspector::run(state),
        // "Which flow should I use?": open the flow it recommends.
        _ if browser::event_target_data(ev, "data-flow").is_some() => {
            let flow = browser::event_target_data(ev, "data-flow").unwrap_or_default();
            state.edit_config(&mut |c| c.set_form_field("flow", flow.clone()));
            state.redraw_config();
            state.reset();
            state.outcome.set(Outcome {
                text: "The flow is configured above: check its fields, then press Sign in.".into(),
                ..Outcome::idle()
            });
            browser::focus_id("flow");
        }
        // The Export disclosure: its transcript is drawn while it is open (the click comes
        // before the browser toggles it).
        _ if browser::event_target_data(ev, "data-testid").as_deref() == Some("export") => state
            .export_open
            .set(!browser::event_within(ev, "details.export[open]")),
        // The Copy buttons of the HTTP blocks.
        _ => browser::copy_block(ev),
    }
}

/// The change events: a panel's or the tokens' reveal switch, the export's secrets switch.
fn on_change(state: AppState, ev: &web_sys::Event) {
    if browser::event_target_id(ev).as_deref() == Some("transcript-secrets") {
        state.transcript_secrets.set(event_target_checked(ev));
        return;
    }
    match browser::event_target_data(ev, "data-reveal").as_deref() {
        Some("tokens") => state
            .tokens_revealed
            .set(!state.tokens_revealed.get_untracked()),
        Some(n) => {
            let mut steps = state.steps.get_untracked();
            if let Some(s) = n
                .parse::<usize>()
                .ok()
                .and_then(|n| steps.get_mut(n.wrapping_sub(1)))
            {
                s.revealed = !s.revealed;
                state.steps.set(steps);
            }
        }
        None => {}
    }
}

/// Keyboard control for presenters: N continues a paused flow (or moves to the next panel), P
/// goes back to the previous panel. Typing in a field is left alone.
fn on_key(state: AppState, ev: &web_sys::Event) {
    if browser::typing(ev) {
        return;
    }
    match browser::key(ev).as_str() {
        "n" | "N" if state.paused.get_untracked() => state.paused.set(false),
        "n" | "N" => browser::focus_step(1),
        "p" | "P" => browser::focus_step(-1),
        _ => return,
    }
    ev.prevent_default();
}

/// What a listener on the document does with an event.
type Handler = fn(AppState, &web_sys::Event);

fn sign_in(state: AppState) {
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

fn sign_out(state: AppState) {
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

/// The whole app: the state, the effects that keep the page current, the listeners.
pub fn app() {
    let base = browser::app_base();
    let (config, ignored) = Config::defaults(&base)
        .apply_query(crate::protocol::url::query_of(&browser::location_href()));
    let state = AppState::new(config);
    browser::register_worker();
    config::show_key(state);

    if let Some(logout_state) = pkce::pending_logout_return() {
        match pkce::finish_logout(&state, &logout_state) {
            Ok(()) => state.outcome.set(Outcome {
                text: "Signed out here and at the provider.".into(),
                ..Outcome::idle()
            }),
            Err(e) => state.fail(e),
        }
    } else if let Some(params) = pkce::pending_callback() {
        state
            .outcome
            .set(Outcome::busy("Finishing the login\u{2026}"));
        spawn_local(state.finish_login(Ok(params)));
    } else if on_callback_page() {
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

    for part in [
        Part::Outcome,
        Part::Config,
        Part::Session,
        Part::Steps,
        Part::Transcript,
        Part::Share,
        Part::Buttons,
    ] {
        Effect::new(move |_| match part {
            Part::Share => browser::set_value("share", &config::share_link(state)),
            Part::Buttons => sync_buttons(state),
            _ => browser::set_html(part.target(), &markup(state, part)),
        });
    }
    let mut shown: Vec<String> = Vec::new();
    Effect::new(move |_| panels::sync_panels(state, &mut shown));
    let handlers: [(&str, Handler); 4] = [
        ("click", on_click),
        ("change", on_change),
        ("input", config::on_input),
        ("keydown", on_key),
    ];
    for (event, handler) in handlers {
        browser::listen(event, Box::new(move |ev| handler(state, &ev)));
    }
}
