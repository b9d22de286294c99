//! The step panels: one `<li>` per step, keyed, each reading its own step signal. A device
//! flow's poll redraws the body of its own panel; every other panel keeps its DOM nodes, its
//! focus, its reveal switch and any text selected in it.

use leptos::prelude::*;

use super::kit::{each_step, flag, number, redrawn, text};
use super::state::{AppState, StepEntry};
use crate::protocol::content::Content;
use crate::protocol::explain::check_meaning;
use crate::protocol::step::{mask, CheckStatus, HttpRecord, Param, Step};

fn has_secrets(step: &Step) -> bool {
    step.request
        .iter()
        .chain(step.response.iter())
        .any(|r| !r.secrets.is_empty())
        || step.params.iter().any(|p| p.secret)
}

/// The list of panels.
#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! { <ol class="step-list" id="step-list">{each_step(state, panel)}</ol> }
}

/// One step's panel. The header and the explanation are drawn once and follow the step's
/// signal; the body (parameters, HTTP blocks, checks) is drawn again when the step changes or
/// its secrets are revealed.
fn panel(state: AppState, entry: StepEntry) -> AnyView {
    let step = entry.step;
    let key = entry.key;
    let revealed = RwSignal::new(false);
    let status = text(move || step.with(|s| s.status.as_str()).to_string());
    let id = text(move || step.with(|s| s.id).to_string());
    let class = text(move || {
        let current = if state.current() == Some(key) {
            " current"
        } else {
            ""
        };
        format!("step {}{current}", status.get())
    });
    let header = text(move || {
        step.with(|s| {
            let ms = s
                .duration_ms
                .map(|ms| format!(" \u{b7} {ms} ms"))
                .unwrap_or_default();
            format!(
                "{} \u{b7} {} \u{2192} {}{ms}",
                s.kind.label(),
                s.from.label(),
                s.to.label()
            )
        })
    });
    let explanation = text(move || state.text(step.with(|s| s.explanation)));
    view! {
        <li class=class id=text(move || format!("step-{}", id.get())) data-step=id data-status=status
            tabindex="-1"
            on:focusin=move |_| {
                if state.selected.get_untracked() != Some(key) {
                    state.selected.set(Some(key));
                }
            }>
            <header>
                <span class="num">{text(move || number(state, key).to_string())}</span>
                <h3>{text(move || step.with(|s| s.title).to_string())}</h3>
                <span class="actors">{header}</span>
                <label class="reveal" hidden=flag(move || !step.with(has_secrets))>
                    <input type="checkbox" prop:checked=revealed
                        on:change=move |ev| revealed.set(event_target_checked(&ev)) />
                    " Reveal secrets"
                </label>
            </header>
            <p class="explain">{explanation}</p>
            {redrawn(move || {
                let shown = revealed.get();
                state.content.with(|c| step.with(|s| body(s, shown, c)))
            })}
        </li>
    }
    .into_any()
}

/// The parameters, the request and response, and the checks of a step, as they are now.
fn body(s: &Step, revealed: bool, content: &Content) -> AnyView {
    let params = (!s.params.is_empty()).then(|| params(&s.params, revealed, content));
    let request = s
        .request
        .as_ref()
        .map(|r| http_block("Request", r, revealed));
    let response = s
        .response
        .as_ref()
        .map(|r| http_block("Response", r, revealed));
    let checks = (!s.checks.is_empty()).then(|| checks(s, content));
    view! { {params} {request} {response} {checks} }.into_any()
}

/// The parameters with their meanings. The device flow's code and addresses are what the user
/// acts on: stable test ids, the addresses as links (the flow admitted only http(s) ones), and
/// the complete one as a QR code.
fn params(params: &[Param], revealed: bool, content: &Content) -> AnyView {
    let rows = params
        .iter()
        .map(|p| {
            let value = if p.secret && !revealed {
                mask(&p.value)
            } else {
                p.value.clone()
            };
            let cell = match p.name.as_str() {
                "user_code" => {
                    view! { <code class="val user-code" data-testid="user-code">{value}</code> }
                        .into_any()
                }
                "verification_uri" | "verification_uri_complete" => {
                    let testid = (p.name == "verification_uri").then_some("verification-uri");
                    let qr = (p.name == "verification_uri_complete").then(|| qr(&value));
                    let href = value.clone();
                    view! {
                        <a href=href target="_blank" rel="noopener noreferrer" data-testid=testid>
                            <code class="val">{value}</code>
                        </a>
                        {qr}
                    }
                    .into_any()
                }
                _ => view! { <code class="val">{value}</code> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row"><code>{p.name.clone()}</code></th>
                    <td>{cell}</td>
                    <td>{content.text(p.meaning).to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="params">
            <thead>
                <tr><th scope="col">"Parameter"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// A QR code of the address, for a phone's camera: black on white in both themes.
fn qr(text: &str) -> Option<AnyView> {
    let (d, size) = crate::protocol::qr::path(text)?;
    Some(
        view! {
            <svg class="qr" data-testid="qr-code" viewBox=format!("0 0 {size} {size}") role="img"
                aria-label="QR code of the address with the user code" shape-rendering="crispEdges">
                <rect width=size height=size fill="#fff" />
                <path d=d />
            </svg>
        }
        .into_any(),
    )
}

/// A request or response as sent or received; masked until the panel is revealed. Copy copies
/// what is shown.
fn http_block(label: &'static str, record: &HttpRecord, revealed: bool) -> AnyView {
    let shown = if revealed {
        record.to_text()
    } else {
        record.masked().to_text()
    };
    let copy = shown.clone();
    view! {
        <div class="http">
            <h4>
                {label}
                <button type="button" class="copy" on:click=move |_| crate::browser::copy_text(&copy)>"Copy"</button>
            </h4>
            <pre class="code">{shown}</pre>
        </div>
    }
    .into_any()
}

/// The checks of a step, each with its outcome, its detail, the values compared and the spec;
/// each line opens to say what the check protects against (content `check/...`).
fn checks(s: &Step, content: &Content) -> AnyView {
    let items = s
        .checks
        .iter()
        .map(|c| {
            let icon = match c.status {
                CheckStatus::Pass => "\u{2714}",
                CheckStatus::Fail => "\u{2718}",
                CheckStatus::Warn => "!",
                CheckStatus::Skip => "\u{2013}",
            };
            let label = c.status.label();
            let cmp = c.expected.clone().zip(c.actual.clone()).map(|(e, a)| {
                view! { <span class="cmp">"expected "<code>{e}</code>", got "<code>{a}</code></span> }
            });
            let why = content.text(check_meaning(c.name)).to_string();
            view! {
                <li class=format!("check {label}")>
                    <details>
                        <summary>
                            <span class="icon" aria-hidden="true">{icon}</span>
                            <span class="sr-only">{label}</span>
                            <strong>{c.name}</strong>" "<span>{c.detail.clone()}</span>" "
                            {cmp}
                            <span class="spec">{c.spec}</span>
                        </summary>
                        <p class="why">{why}</p>
                    </details>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="checks" aria-label="Checks">{items}</ul> }.into_any()
}
