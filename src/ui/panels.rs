//! Step panels, the claims view and the token view.

use leptos::prelude::*;
use serde_json::Value;

use super::state::AppState;
use crate::protocol::explain::param_meaning;
use crate::protocol::json;
use crate::protocol::step::{mask, CheckStatus, HttpRecord, Step, StepStatus};

#[component]
pub fn StepList() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="steps" aria-label="Steps of the flow">
            <h2>"Steps"</h2>
            {move || state.steps.with(Vec::is_empty).then(|| view! {
                <p class="muted">"Each redirect and request will appear here, with what it means and what was checked."</p>
            })}
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
    view! {
        <li class=format!("step {}", status_class(status)) data-step=id.clone() data-status=status_class(status)>
            <header>
                <span class="num">{n}</span>
                <h3>{title}</h3>
                <span class="badge">{kind.label()}</span>
                <span class="actors">{from.label()} " \u{2192} " {to.label()}</span>
                {timing.map(|t| view! { <span class="muted">{t}</span> })}
                {has_secrets.then(|| view! {
                    <button type="button" class="reveal" aria-pressed=move || reveal.get().to_string() on:click=move |_| reveal.update(|r| *r = !*r)>
                        {move || if reveal.get() { "Mask secrets" } else { "Reveal secrets" }}
                    </button>
                })}
            </header>
            <p class="explain">{explanation}</p>
            {(!params.is_empty()).then(|| view! {
                <table class="params">
                    <thead><tr><th scope="col">"Parameter"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
                    <tbody>
                        {params.into_iter().map(|p| {
                            let value = p.value.clone();
                            let shown = move || if p.secret && !reveal.get() { mask(&value) } else { value.clone() };
                            view! { <tr><th scope="row"><code>{p.name}</code></th><td><code class="val">{shown}</code></td><td>{p.meaning}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {request.map(|r| view! { <HttpView label="Request" record=r reveal=reveal/> })}
            {response.map(|r| view! { <HttpView label="Response" record=r reveal=reveal/> })}
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

#[component]
fn HttpView(label: &'static str, record: HttpRecord, reveal: RwSignal<bool>) -> impl IntoView {
    let masked = record.masked();
    let text = move |r: &HttpRecord| {
        let mut out = String::new();
        match (&r.method, &r.url, r.status) {
            (Some(m), Some(u), _) => out.push_str(&format!("{m} {u}\n")),
            (None, Some(u), _) => out.push_str(&format!("{u}\n")),
            (_, _, Some(s)) => out.push_str(&format!("HTTP {s}\n")),
            _ => {}
        }
        for (k, v) in &r.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(b) = &r.body {
            out.push('\n');
            out.push_str(&pretty(b));
        }
        out
    };
    let shown = move || {
        if reveal.get() {
            text(&record)
        } else {
            text(&masked)
        }
    };
    view! {
        <div class="http">
            <h4>{label}</h4>
            <pre class="code">{shown}</pre>
        </div>
    }
}

/// Pretty-prints JSON bodies; other text is shown as is.
fn pretty(body: &str) -> String {
    match json::parse(body) {
        Some(v @ (Value::Object(_) | Value::Array(_))) => json::write(&v),
        _ => body.to_string(),
    }
}

#[component]
pub fn ClaimsView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = move || {
        state.session.with(|s| {
            s.as_ref().map(|s| {
                s.claims
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| json::write(v), String::from),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <section class="card">
            <h2>"Verified ID token claims"</h2>
            <table class="params" data-testid="id-token-claims">
                <thead><tr><th scope="col">"Claim"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>
                    {move || rows().unwrap_or_default().into_iter().map(|(k, v)| {
                        let meaning = param_meaning(&k);
                        view! { <tr><th scope="row"><code>{k}</code></th><td><code class="val">{v}</code></td><td>{meaning}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn TokensView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let reveal = RwSignal::new(false);
    let tokens = move || {
        state.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    let t = &s.tokens;
                    let mut v = vec![("access_token", t.access_token.clone())];
                    v.extend(t.id_token.clone().map(|x| ("id_token", x)));
                    v.extend(t.refresh_token.clone().map(|x| ("refresh_token", x)));
                    v
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card">
            <h2>"Tokens (in memory only)"
                <button type="button" class="reveal" aria-pressed=move || reveal.get().to_string() on:click=move |_| reveal.update(|r| *r = !*r)>
                    {move || if reveal.get() { "Mask" } else { "Reveal" }}
                </button>
            </h2>
            <dl class="tokens">
                {move || tokens().into_iter().map(|(name, value)| {
                    let shown = if reveal.get() { value } else { mask(&value) };
                    view! { <dt>{name}</dt><dd><code class="val">{shown}</code></dd> }
                }).collect_view()}
            </dl>
        </section>
    }
}
