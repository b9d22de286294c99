//! The page, as Leptos components: one concern per module. No protocol logic lives here, and
//! the protocol writes no markup: components render its steps and send intents to the flows.
//!
//! - `actions`: the buttons and the outcome line of the automation contract;
//! - `config`: the configuration, its one-line summary, the shareable link, the client key;
//! - `diagram`: the sequence diagram (a step list at phone width);
//! - `steps`: the step panels with their HTTP blocks, parameters and checks;
//! - `session`: the claims, tokens and the API's answer, as tabs;
//! - `guide`, `inspector`, `export`: "Which flow should I use?", the JWT inspector, the
//!   transcript;
//! - `state`: the shared signals (a typed context) and the flows' step sink.
//!
//! Teaching text is content (`content/en.json`), fetched beside the wasm.

mod actions;
mod config;
mod diagram;
mod embed;
mod export;
mod guide;
mod inspector;
mod kit;
mod session;
mod state;
mod steps;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::flows::pkce;
use crate::protocol::config::Config;
use crate::protocol::content::Content;
use crate::protocol::embed::{Embed, EmbedConfig};
pub use state::{AppState, Outcome, Status};

/// Whether this page is the redirect URI's page (`callback.html`).
fn on_callback_page() -> bool {
    browser::location_href()
        .split(['?', '#'])
        .next()
        .is_some_and(|p| p.ends_with("/callback.html"))
}

/// N continues a paused flow, or selects the next step; P the previous one. The selected
/// step's panel comes into view beside the diagram. Typing in a field is left alone.
fn on_key(state: AppState, ev: &web_sys::KeyboardEvent) {
    if browser::typing(ev) {
        return;
    }
    let key = match ev.key().as_str() {
        "n" | "N" if state.paused.get_untracked() => {
            state.paused.set(false);
            None
        }
        "n" | "N" => state.select_by(1),
        "p" | "P" => state.select_by(-1),
        _ => return,
    };
    ev.prevent_default();
    if let Some(key) = key {
        diagram::show_panel(state, key);
    }
}

/// How the page is laid out: the full page, or embedded in another site's frame.
#[derive(Clone, Copy)]
struct Layout {
    embed: bool,
    config: EmbedConfig,
}

#[component]
fn App() -> impl IntoView {
    let layout = expect_context::<Layout>();
    let full = !layout.embed;
    // The configuration: always on the full page; in an embed as its host chose.
    let config = match (full, layout.config) {
        (false, EmbedConfig::Hidden) => None,
        (false, EmbedConfig::ReadOnly) => Some(true),
        _ => Some(false),
    }
    .map(|readonly| view! { <config::ConfigPanel readonly=readonly /> });
    // The full page has the guide, the inspector, the export and the footer; an embed is
    // compact: Sign in, the outcome, the diagram and the panels.
    // An embed keeps the page's heading for assistive technology, not on screen.
    let top = view! {
        <a class="skip-link" href="#sign-in" on:click=move |ev| {
            ev.prevent_default();
            browser::reveal("sign-in", true);
        }>"Skip to Sign in"</a>
        <header class=if full { "top" } else { "top sr-only" }>
            <h1>"Flowlab"</h1>
            <p class="tagline">
                "OAuth 2.0 and OpenID Connect, live in your browser: every redirect and token exchange shown and explained."
            </p>
        </header>
    };
    let bottom = full.then(|| {
        view! {
            <footer class="foot">
                <p>"Tokens live in this tab's memory only, and go nowhere but to your provider and API."</p>
            </footer>
        }
    });
    view! {
        {top}
        <main class=if full { "layout" } else { "layout embed" }>
            <div class="pane run-pane">
                <actions::Actions />
                <actions::OutcomeView />
                {(!full).then(|| view! { <embed::EmbedBar /> })}
                <section class="card sequence-card" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Steps"</h2>
                    <p class="muted legend">
                        "Dashed arrows: front channel; solid: back channel. Select an arrow (or press N and P) to see its step."
                    </p>
                    <diagram::Diagram />
                </section>
            </div>
            <div class="pane detail-pane">
                {config}
                <session::SessionView />
                <section class="steps" aria-label="Steps of the flow">
                    <steps::StepList />
                    {full.then(|| view! { <export::Export /> })}
                </section>
                {full.then(|| view! { <guide::Guide /> <inspector::Inspector /> })}
            </div>
        </main>
        {bottom}
    }
}

/// Fetches the teaching text (preloaded by `index.html`, so it travels with the wasm).
fn load_content(state: AppState) {
    spawn_local(async move {
        let url = format!("{}content/en.json", browser::app_base());
        let loaded = browser::fetch_text(&url, crate::protocol::content::MAX_BYTES)
            .await
            .and_then(|t| Content::parse(&t));
        match loaded {
            Ok(c) => {
                state.content.set(c);
                browser::mark("content");
            }
            Err(e) => state.fail(e),
        }
    });
}

/// The whole app: the state, the view, the keyboard, and a login to finish if this page is
/// the provider's answer.
pub fn app() {
    let base = browser::app_base();
    let href = browser::location_href();
    let query = crate::protocol::url::query_of(&href);
    let (config, ignored) = Config::defaults(&base).apply_query(query);
    let state = AppState::new(config);
    provide_context(state);
    let settings = Embed::from_query(query);
    provide_context(Layout {
        embed: settings.on,
        config: settings.config,
    });
    if settings.on {
        embed::start(state, &settings, embed::asks_redirect(query));
    }
    load_content(state);
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
        // Back from the provider: the run goes on, the configuration stays folded.
        state.folded.set(true);
        state
            .outcome
            .set(Outcome::busy("Finishing the login\u{2026}"));
        spawn_local(state.finish_login(Ok(params)));
    } else if on_callback_page() {
        // A form_post answer arrives as a POST the Service Worker took; ask it.
        spawn_local(async move {
            if let Some(posted) = pkce::claim_posted().await {
                state.folded.set(true);
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

    // The view is drawn in a task of its own, queued after the login's: on the callback page
    // the token request is on its way before the page is drawn, not after (the signals hold
    // what happened meanwhile, and the view shows it when it is drawn). It does not wait for
    // the teaching text: Sign in works without it, and the texts fill in when it comes.
    let owner = Owner::current();
    spawn_local(async move {
        let draw = move || {
            leptos::mount::mount_to_body(App);
            browser::mark("mounted");
            // The newest step comes into view as it arrives, unless the user picked another.
            Effect::new(move |seen: Option<usize>| {
                let n = state.steps.with(Vec::len);
                if n > seen.unwrap_or(0) && state.selected.get_untracked().is_none() {
                    if let Some(id) = state
                        .steps
                        .with_untracked(|v| v.last().map(|e| e.step.with_untracked(|s| s.id)))
                    {
                        browser::follow(&format!("step-{id}"));
                    }
                }
                n
            });
        };
        match owner {
            Some(o) => o.with(draw),
            None => draw(),
        }
    });
    let handle = window_event_listener(leptos::ev::keydown, move |ev| on_key(state, &ev));
    std::mem::forget(handle);
}
