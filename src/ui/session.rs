//! The session: the verified claims, the tokens (masked until revealed) and the API's answer,
//! as tabs of one panel (WAI-ARIA tabs: the arrow keys move between them).

use leptos::prelude::*;

use super::kit::redrawn;
use super::state::AppState;
use crate::flows::Session;
use crate::protocol::content::Content;
use crate::protocol::explain::param_meaning;
use crate::protocol::jwt::claim_text;
use crate::protocol::step::mask;

/// The tabs: (id, label).
const TABS: [(&str, &str); 4] = [
    ("claims", "ID token claims"),
    ("tokens", "Tokens"),
    ("api", "API response"),
    ("binding", "DPoP binding"),
];

/// The tabs this session has: claims only with an ID token, the API's answer once it came,
/// the binding with DPoP-bound tokens.
fn tabs_of(s: &Session) -> Vec<usize> {
    [
        !s.claims.is_empty(),
        true,
        s.api_body.is_some(),
        s.dpop_jkt.is_some(),
    ]
    .iter()
    .enumerate()
    .filter(|(_, on)| **on)
    .map(|(i, _)| i)
    .collect()
}

#[component]
pub fn SessionView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = RwSignal::new(None::<usize>);
    redrawn(move || {
        let revealed = state.tokens_revealed.get();
        let picked = chosen.get();
        state.content.with(|content| {
            state.session.with(|s| match s {
                Some(s) => session(state, s, picked, chosen, revealed, content),
                None => ().into_any(),
            })
        })
    })
}

fn session(
    state: AppState,
    s: &Session,
    picked: Option<usize>,
    chosen: RwSignal<Option<usize>>,
    revealed: bool,
    content: &Content,
) -> AnyView {
    let tabs = tabs_of(s);
    let active = picked.filter(|p| tabs.contains(p)).unwrap_or(tabs[0]);
    let keys = tabs.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(i) = keys.iter().position(|t| *t == active) else {
            return;
        };
        let next = match ev.key().as_str() {
            "ArrowRight" => keys[(i + 1) % keys.len()],
            "ArrowLeft" => keys[(i + keys.len() - 1) % keys.len()],
            _ => return,
        };
        ev.prevent_default();
        chosen.set(Some(next));
        crate::browser::reveal(&format!("tab-{}", TABS[next].0), true);
    };
    let buttons = tabs
        .iter()
        .map(|&t| {
            let (id, label) = TABS[t];
            let on = t == active;
            view! {
                <button type="button" role="tab" id=format!("tab-{id}") aria-controls=format!("tabpanel-{id}")
                    aria-selected=if on { "true" } else { "false" } tabindex=if on { "0" } else { "-1" }
                    on:click=move |_| chosen.set(Some(t))>{label}</button>
            }
        })
        .collect_view();
    // Every tab's panel is in the page; the others are hidden.
    let panels = tabs
        .iter()
        .map(|&t| {
            let id = TABS[t].0;
            let body = match t {
                0 => claims(s, content),
                1 => tokens(state, s, revealed),
                3 => binding(state, s),
                _ => view! {
                    <pre class="code" data-testid="api-response" tabindex="0" aria-label="The API's answer">
                        {s.api_body.clone().unwrap_or_default()}
                    </pre>
                }
                .into_any(),
            };
            view! {
                <div role="tabpanel" id=format!("tabpanel-{id}") aria-labelledby=format!("tab-{id}")
                    hidden=t != active>{body}</div>
            }
        })
        .collect_view();
    view! {
        <section class="card session" aria-label="Session">
            <div class="tabs" role="tablist" aria-label="Session" on:keydown=on_key>{buttons}</div>
            {panels}
        </section>
    }
    .into_any()
}

fn claims(s: &Session, content: &Content) -> AnyView {
    let rows = s
        .claims
        .iter()
        .map(|(k, v)| {
            view! {
                <tr>
                    <th scope="row"><code>{k.clone()}</code></th>
                    <td><code class="val">{claim_text(k, v)}</code></td>
                    <td>{content.text(param_meaning(k)).to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="params" data-testid="id-token-claims">
            <caption class="sr-only">"Verified ID token claims"</caption>
            <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

fn tokens(state: AppState, s: &Session, revealed: bool) -> AnyView {
    let t = &s.tokens;
    let rows = [
        ("access_token", &t.access_token),
        ("id_token", &t.id_token),
        ("refresh_token", &t.refresh_token),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.as_ref().map(|v| (n, v)))
    .map(|(n, v)| {
        let shown = if revealed { v.clone() } else { mask(v) };
        view! { <dt>{n}</dt><dd><code class="val">{shown}</code></dd> }
    })
    .collect_view();
    view! {
        <p class="muted">"In this tab's memory only: never stored, never in a URL."</p>
        <label class="reveal">
            <input type="checkbox" id="reveal-tokens" prop:checked=revealed
                on:change=move |ev| {
                    state.tokens_revealed.set(event_target_checked(&ev));
                    crate::browser::reveal("reveal-tokens", true);
                } />
            " Reveal tokens"
        </label>
        <dl class="tokens">{rows}</dl>
    }
    .into_any()
}

/// Where the key's thumbprint travels (RFC 9449): the authorization request, every proof, the
/// access token; and "Steal the token", which shows what the binding is for.
fn binding(state: AppState, s: &Session) -> AnyView {
    let rows = crate::protocol::dpop::binding_rows(
        s.dpop_jkt.as_deref().unwrap_or_default(),
        s.code_bound,
        s.tokens.access_token.as_deref().unwrap_or_default(),
        &s.tokens.token_type,
    )
    .into_iter()
    .map(|(place, value, spec)| {
        view! {
            <tr><th scope="row">{place}</th><td><code class="val">{value}</code></td><td class="spec">{spec}</td></tr>
        }
    })
    .collect_view();
    let busy = super::kit::flag(move || {
        state
            .outcome
            .with(|o| o.status == super::state::Status::InProgress)
    });
    view! {
        <p class="muted">"The key's thumbprint (SHA-256 of its public half), wherever it travels; ath is the access token's hash."</p>
        <table class="params" data-testid="dpop-binding">
            <caption class="sr-only">"Where the DPoP key's thumbprint travels"</caption>
            <thead><tr><th scope="col">"Where"</th><th scope="col">"Value"</th><th scope="col">"Spec"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <button type="button" id="steal-token" data-testid="steal-token" disabled=busy
            on:click=move |_| leptos::task::spawn_local(state.steal())>"Steal the token"</button>
    }
    .into_any()
}
