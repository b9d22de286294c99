//! "Which flow should I use?": two questions, and the flow that fits, with a button that opens
//! it in the configuration. The answers are content (`guide/...`).

use leptos::prelude::*;

use super::kit::redrawn;
use super::state::{AppState, Outcome};

/// Where the app runs: (id, label, answer key, [(flow, button text)]).
type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PLACES: [Place; 5] = [
    (
        "spa",
        "In the browser (a single-page app)",
        "guide/spa",
        &[("pkce", "Open Authorization Code with PKCE")],
    ),
    (
        "web",
        "On a server that can keep a secret (a web app)",
        "guide/web",
        &[
            ("code", "Open the code flow with a secret"),
            ("hybrid", "Open Hybrid"),
        ],
    ),
    (
        "native",
        "On a phone or desktop (a native app)",
        "guide/native",
        &[("pkce", "Open Authorization Code with PKCE")],
    ),
    (
        "device",
        "On a device without a browser or keyboard (a TV, a CLI)",
        "guide/device",
        &[("device", "Open Device Authorization")],
    ),
    (
        "legacy",
        "It collects users' passwords itself, and cannot change yet",
        "guide/legacy",
        &[("password", "Open the password flow (not recommended)")],
    ),
];

const M2M: Place = (
    "m2m",
    "",
    "guide/m2m",
    &[("client-credentials", "Open Client Credentials")],
);

/// Opens a flow in the configuration and says so.
fn open_flow(state: AppState, flow: &'static str) {
    state.edit_config(&mut |c| c.set_form_field("flow", flow.into()));
    state.redraw_config();
    state.reset();
    state.folded.set(false);
    state.outcome.set(Outcome {
        text: "The flow is configured above: check its fields, then press Sign in.".into(),
        ..Outcome::idle()
    });
    crate::browser::reveal("flow", true);
}

#[component]
pub fn Guide() -> impl IntoView {
    let state = expect_context::<AppState>();
    // None: not answered; Some(false): no user; Some(true): a user.
    let user = RwSignal::new(None::<bool>);
    let place = RwSignal::new(None::<&'static str>);
    let answer = move || match (user.get(), place.get()) {
        (Some(false), _) => Some(M2M),
        (Some(true), Some(p)) => PLACES.iter().find(|x| x.0 == p).copied(),
        _ => None,
    };
    // Drawn once first opened: a closed disclosure costs the page's first draw nothing.
    let opened = RwSignal::new(false);
    let body = move || {
        let places = PLACES
            .iter()
            .map(|(id, label, _, _)| {
                view! {
                    <label><input type="radio" name="g-where" on:change=move |_| place.set(Some(id)) />
                        " " {*label}</label>
                }
            })
            .collect_view();
        view! {
            <fieldset>
                <legend>"Does a person sign in?"</legend>
                <label><input type="radio" name="g-user" on:change=move |_| user.set(Some(true)) />
                    " Yes: a user signs in"</label>
                <label><input type="radio" name="g-user" on:change=move |_| user.set(Some(false)) />
                    " No: a program calls an API for itself"</label>
            </fieldset>
            <fieldset class="g-where" hidden=super::kit::flag(move || user.get() != Some(true))>
                <legend>"Where does the app run?"</legend>
                {places}
            </fieldset>
            {redrawn(move || match answer() {
                Some((id, _, key, flows)) => {
                    let buttons = flows
                        .iter()
                        .map(|(flow, text)| view! {
                            <button type="button" on:click=move |_| open_flow(state, flow)>{*text}</button>" "
                        })
                        .collect_view();
                    view! {
                        <div class=format!("g-answer g-{id}")>
                            <p>{state.text(key)}</p>
                            {buttons}
                        </div>
                    }
                    .into_any()
                }
                None => ().into_any(),
            })}
        }
        .into_any()
    };
    view! {
        <details class="card guide" id="guide" on:toggle=move |_| opened.set(true)>
            <summary data-testid="which-flow">"Which flow should I use?"</summary>
            {redrawn(move || if opened.get() { body() } else { ().into_any() })}
        </details>
    }
}
