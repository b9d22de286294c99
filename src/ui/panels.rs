//! Step panels, the claims view and the token view.

use leptos::prelude::*;

use super::state::AppState;
use crate::protocol::explain::param_meaning;
use crate::protocol::step::{mask, CheckStatus, Step, StepStatus};

#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="steps" aria-label="Steps of the flow">
            <h2>"Steps"</h2>
            <p class="muted">"Each redirect and request appears here as it happens, with what it means and what was checked."</p>
            <ol class="step-list">
                {move || state.steps.get().into_iter().enumerate().map(|(i, s)| view! { <StepPanel n=i + 1 step=s/> }).collect_view()}
            </ol>
        </section>
    }
}

fn status_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "pending",
        StepStatus::Done => "done",
        StepStatus::Failed => "failed",
    }
}

/// A native checkbox: its state lives in the DOM, so it needs no reactive attributes.
#[component]
fn RevealToggle(reveal: RwSignal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <label class="reveal">
            <input type="checkbox" on:change=move |ev| reveal.set(event_target_checked(&ev))/>
            " " {label}
        </label>
    }
}

/// Text that shows `revealed` while the switch is on and `masked` otherwise.
fn switch(
    reveal: RwSignal<bool>,
    revealed: String,
    masked: String,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        if reveal.get() {
            revealed.clone()
        } else {
            masked.clone()
        }
    }
}

#[component]
fn StepPanel(n: usize, step: Step) -> impl IntoView {
    let reveal = RwSignal::new(false);
    let has_secrets = step
        .request
        .iter()
        .chain(step.response.iter())
        .any(|r| !r.secrets.is_empty())
        || step.params.iter().any(|p| p.secret);
    let Step {
        id,
        title,
        kind,
        from,
        to,
        request,
        response,
        explanation,
        params,
        checks,
        status,
        duration_ms,
    } = step;
    let timing = duration_ms.map(|d| format!("{d} ms"));
    let status = status_class(status);
    // Parameters and HTTP messages are static markup; only their text switches between masked
    // and revealed (text closures of one type are the cheapest reactive views).
    let params = (!params.is_empty()).then(|| {
        let rows = params
            .into_iter()
            .map(|p| {
                let masked = if p.secret { mask(&p.value) } else { p.value.clone() };
                let value = p.value;
                view! { <tr><th scope="row"><code>{p.name}</code></th><td><code class="val">{switch(reveal, value, masked)}</code></td><td>{p.meaning}</td></tr> }
            })
            .collect_view();
        view! {
            <table class="params">
                <thead><tr><th scope="col">"Parameter"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let http = [("Request", request), ("Response", response)]
        .into_iter()
        .filter_map(|(label, r)| r.map(|r| (label, r)))
        .map(|(label, r)| {
            let text = switch(reveal, r.to_text(), r.masked().to_text());
            view! { <div class="http"><h4>{label}</h4><pre class="code">{text}</pre></div> }
        })
        .collect_view();
    view! {
        <li class=format!("step {status}") data-step=id data-status=status>
            <header>
                <span class="num">{n}</span>
                <h3>{title}</h3>
                <span class="badge">{kind.label()}</span>
                <span class="actors">{from.label()} " \u{2192} " {to.label()}</span>
                {timing.map(|t| view! { <span class="muted">{t}</span> })}
                {has_secrets.then(|| view! { <RevealToggle reveal=reveal label="Reveal secrets"/> })}
            </header>
            <p class="explain">{explanation}</p>
            {params}
            {http}
            {(!checks.is_empty()).then(|| view! {
                <ul class="checks" aria-label="Checks">
                    {checks.into_iter().map(|c| {
                        let cls = format!("check {}", c.status.label());
                        let icon = match c.status { CheckStatus::Pass => "\u{2714}", CheckStatus::Fail => "\u{2718}", CheckStatus::Skip => "\u{2013}" };
                        let cmp = c.expected.zip(c.actual).map(|(e, a)| view! {
                            <span class="cmp">"expected " <code>{e}</code> ", got " <code>{a}</code></span>
                        });
                        view! {
                            <li class=cls>
                                <span class="icon" aria-hidden="true">{icon}</span>
                                <span class="sr-only">{c.status.label()}</span>
                                <strong>{c.name}</strong>
                                " " <span>{c.detail}</span> " " {cmp}
                                <span class="spec">{c.spec}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// What a signed-in session shows: the verified claims, the tokens (masked until revealed) and
/// the last API answer. A new session always passes through "signed out", which rebuilds this
/// section, so the claims and tokens are read once; only the reveal switch and the API answer
/// are reactive (as text, the cheapest kind of reactive view).
#[component]
pub fn SessionView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let session = state.session.get_untracked();
    let claims = session
        .as_ref()
        .map(|s| {
            s.claims_text
                .iter()
                .map(|(k, value)| {
                    let meaning = param_meaning(k);
                    view! { <tr><th scope="row"><code>{k.clone()}</code></th><td><code class="val">{value.clone()}</code></td><td>{meaning}</td></tr> }
                })
                .collect_view()
        });
    let reveal = RwSignal::new(false);
    let tokens = session.map(|s| {
        let t = s.tokens;
        [
            ("access_token", Some(t.access_token)),
            ("id_token", t.id_token),
            ("refresh_token", t.refresh_token),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.map(|v| (name, v)))
        .map(|(name, v)| {
            let shown = move || if reveal.get() { v.clone() } else { mask(&v) };
            view! { <dt>{name}</dt><dd><code class="val">{shown}</code></dd> }
        })
        .collect_view()
    });
    view! {
        <section class="card">
            <h2>"Verified ID token claims"</h2>
            <table class="params" data-testid="id-token-claims">
                <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>{claims}</tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Tokens (in memory only)"</h2>
            <RevealToggle reveal=reveal label="Reveal tokens"/>
            <dl class="tokens">{tokens}</dl>
        </section>
        <section class="card">
            <h2>"API response"</h2>
            <pre class="code" data-testid="api-response">{move || state.api_body.get().unwrap_or_default()}</pre>
        </section>
    }
}
