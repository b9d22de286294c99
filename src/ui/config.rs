//! The configuration form and its shareable link.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::browser;
use crate::flows::pkce;
use crate::protocol::config::Config;

/// A text field of the configuration form.
struct FieldSpec {
    label: &'static str,
    id: &'static str,
    hint: &'static str,
    get: fn(&Config) -> String,
    set: fn(&mut Config, String),
}

/// The text fields, as data: one view is built in a loop rather than one per field.
const FIELDS: [FieldSpec; 5] = [
    FieldSpec {
        label: "Issuer",
        id: "issuer",
        hint: "The provider's issuer URL; its discovery document is read from /.well-known/openid-configuration.",
        get: |c| c.issuer.clone(),
        set: |c, v| c.issuer = v,
    },
    FieldSpec {
        label: "Client ID",
        id: "client_id",
        hint: "As registered at the provider (a public client: no secret).",
        get: |c| c.client_id.clone(),
        set: |c, v| c.client_id = v,
    },
    FieldSpec {
        label: "Scopes",
        id: "scope",
        hint: "Space-separated; openid is always included.",
        get: |c| c.scope.clone(),
        set: |c, v| c.scope = v,
    },
    FieldSpec {
        label: "Redirect URI",
        id: "redirect_uri",
        hint: "Register exactly this URI at your provider.",
        get: |c| c.redirect_uri.clone(),
        set: |c, v| c.redirect_uri = v,
    },
    FieldSpec {
        label: "API URL",
        id: "api_url",
        hint: "Called with the access token; empty means the provider's userinfo endpoint.",
        get: |c| c.api_url.clone(),
        set: |c, v| c.api_url = v,
    },
];

fn field(state: AppState, f: &'static FieldSpec) -> impl IntoView {
    let hint_id = format!("{}-hint", f.id);
    let (get, set) = (f.get, f.set);
    view! {
        <div class="field">
            <label for=f.id>{f.label}</label>
            <input id=f.id name=f.id type="text" spellcheck="false" autocomplete="off" aria-describedby=hint_id.clone()
                prop:value=move || get(&state.config.get())
                on:input=move |ev| { let v = event_target_value(&ev); state.edit_config(&mut |c| set(c, v.clone())) }/>
            <small id=hint_id>{f.hint}</small>
        </div>
    }
}

#[component]
pub fn ConfigPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let share = move || format!("{}?{}", browser::app_base(), state.config.get().to_query());
    let discover = move |_| {
        let issuer = state.config.get_untracked().issuer;
        state.reset();
        state
            .outcome
            .set(Outcome::busy("Discovering the provider\u{2026}"));
        spawn_local(async move {
            match pkce::discover(&state, &issuer).await {
                Ok((meta, _)) => state.outcome.set(Outcome {
                    text: format!("Discovered {}: ready to sign in.", meta.issuer),
                    ..Outcome::idle()
                }),
                Err(e) => state.fail(e),
            }
        });
    };
    view! {
        <section class="card config" aria-labelledby="config-title">
            <h2 id="config-title">"Configuration: " {move || state.config.get().flow.label()}</h2>
            {FIELDS.iter().map(|f| field(state, f)).collect_view()}
            <button type="button" data-testid="discover" on:click=discover>"Discover the provider"</button>
            <div class="field">
                <label for="response_mode">"Response mode"</label>
                <select id="response_mode" on:change=move |ev| { let v = event_target_value(&ev); state.edit_config(&mut |c| c.response_mode = v.clone()) }
                    prop:value=move || state.config.get().response_mode>
                    <option value="">"default (query)"</option>
                    <option value="query">"query"</option>
                    <option value="fragment">"fragment"</option>
                </select>
            </div>
            <div class="field">
                <label for="extra">"Extra authorization parameters"</label>
                <textarea id="extra" rows="3" spellcheck="false" aria-describedby="extra-hint"
                    prop:value=move || state.config.get().extra_text()
                    on:change=move |ev| {
                        let (extra, _) = Config::parse_extra(&event_target_value(&ev));
                        state.edit_config(&mut |c| c.extra = extra.clone());
                    }></textarea>
                <small id="extra-hint">"One name=value per line: audience, prompt, login_hint, max_age, ..."</small>
            </div>
            <div class="field">
                <label for="share">"Shareable link (never contains a secret)"</label>
                <div class="issuer-row">
                    <input id="share" type="text" readonly prop:value=share/>
                    <button type="button" on:click=move |_| browser::copy_text(&share())>"Copy"</button>
                </div>
            </div>
        </section>
    }
}
