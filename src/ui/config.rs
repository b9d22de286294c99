//! The configuration form and its shareable link.
//!
//! One delegated `input` handler writes every edit into the configuration by the element's id
//! (`Config::set_form_field`), and every field's value comes from one closure-making function,
//! so all fields share one handler and one closure type. (Each distinct closure in a view costs
//! about a kilobyte of wasm; a reactive block returning the whole form costs more.)

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{AppState, Outcome};
use crate::browser;
use crate::flows::pkce;

/// A text field of the form: (label, id, hint). The id is the configuration field's name.
const FIELDS: [(&str, &str, &str); 5] = [
    ("Issuer", "issuer", "The provider's issuer URL; its discovery document is read from /.well-known/openid-configuration."),
    ("Client ID", "client_id", "As registered at the provider (a public client: no secret)."),
    ("Scopes", "scope", "Space-separated; openid is always included."),
    ("Redirect URI", "redirect_uri", "Register exactly this URI at your provider."),
    ("API URL", "api_url", "Called with the access token; empty means the provider's userinfo endpoint."),
];

/// The live value of a configuration field. Every call returns the same closure type.
fn value_of(state: AppState, id: &'static str) -> impl Fn() -> String + Copy {
    move || state.config.get().field(id)
}

/// The fields, each bound to its configuration value.
fn fields(state: AppState) -> impl IntoView {
    let text_fields = FIELDS
        .iter()
        .map(|(label, id, hint)| {
            let hint_id = format!("{id}-hint");
            view! {
                <div class="field">
                    <label for=*id>{*label}</label>
                    <input id=*id name=*id type="text" spellcheck="false" autocomplete="off"
                        aria-describedby=hint_id.clone() prop:value=value_of(state, id)/>
                    <small id=hint_id>{*hint}</small>
                </div>
            }
        })
        .collect_view();
    view! {
        {text_fields}
        <div class="field">
            <label for="response_type">"Flow (response type)"</label>
            <select id="response_type" aria-describedby="response_type-hint" prop:value=value_of(state, "response_type")>
                <option value="code">"code: Authorization Code with PKCE"</option>
                <option value="id_token">"id_token: Implicit, authentication only"</option>
                <option value="id_token token">"id_token token: Implicit with an access token (legacy)"</option>
            </select>
            <small id="response_type-hint">"The code flow with PKCE is the one to use. id_token token is legacy: RFC 9700 and RFC 10017 tell browser apps not to obtain access tokens through the front channel."</small>
        </div>
        <div class="field">
            <label for="response_mode">"Response mode"</label>
            <select id="response_mode" prop:value=value_of(state, "response_mode")>
                <option value="">"default (query for code, form_post for implicit)"</option>
                <option value="query">"query"</option>
                <option value="fragment">"fragment"</option>
                <option value="form_post">"form_post (POST caught by the Service Worker)"</option>
            </select>
        </div>
        <div class="field">
            <label for="extra">"Extra authorization parameters"</label>
            <textarea id="extra" rows="3" spellcheck="false" aria-describedby="extra-hint" prop:value=value_of(state, "extra")></textarea>
            <small id="extra-hint">"One name=value per line: audience, prompt, login_hint, max_age, ..."</small>
        </div>
    }
}

#[component]
pub fn ConfigPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let share = move || format!("{}?{}", browser::app_base(), state.config.get().to_query());
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(id) = browser::event_target_id(&ev) {
            let value = event_target_value(&ev);
            state.edit_config(&mut |c| c.set_form_field(&id, value.clone()));
        }
    };
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
            <div on:input=on_input>{fields(state)}</div>
            <button type="button" data-testid="discover" on:click=discover>"Discover the provider"</button>
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
