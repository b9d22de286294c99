//! The configuration: its fields, the shareable link, Discover, and the client key of
//! `private_key_jwt`. Once a run starts it folds into a one-line summary that opens again on
//! demand.
//!
//! Every edit is written into the configuration by the field's name
//! (`Config::set_form_field`). A field shows the configuration's value when it is first drawn
//! and again when the configuration is replaced from outside (a preset, a flow that brings its
//! own response type, a login restored after a redirect: `config_rev`), never while the user
//! types in it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::kit::{flag, redrawn, text};
use super::state::{AppState, Outcome, Status};
use crate::browser;
use crate::protocol::config::{
    AuthMethod, Config, Flow, LogoutMethod, ResponseMode, ResponseType, Window,
};
use crate::protocol::presets::PRESETS;
use crate::protocol::tamper::Tamper;

/// The shareable link for the current configuration (never a secret: there is none in it).
pub fn share_link(state: AppState) -> String {
    format!("{}?{}", browser::app_base(), state.config.get().to_query())
}

/// A text field: (label, name, input type, autocomplete). URLs are `url` inputs (the right
/// keyboard on a phone). The secret fields are never in a URL or storage; the user name is text
/// a password manager may fill, the client secret is never offered for saving.
const TEXT_FIELDS: [(&str, &str, &str, &str); 8] = [
    ("Issuer", "issuer", "url", "off"),
    ("Client ID", "client_id", "text", "off"),
    ("Scopes", "scope", "text", "off"),
    ("Redirect URI", "redirect_uri", "url", "off"),
    ("API URL", "api_url", "url", "off"),
    ("Client secret", "client_secret", "password", "off"),
    ("Username", "username", "text", "username"),
    ("Password", "password", "password", "current-password"),
];

/// The selects: (name, label). Their choices come from the closed sets of the protocol
/// (`choices`), each with its label here: a new variant without a label does not compile.
pub const SELECTS: [(&str, &str); 8] = [
    ("preset", "Provider preset"),
    ("flow", "Flow"),
    ("token_endpoint_auth_method", "Client authentication"),
    ("response_type", "Response type"),
    ("response_mode", "Response mode"),
    ("window", "Window"),
    ("logout", "Sign-out request"),
    ("break_it", "Break it"),
];

fn flow_label(f: Flow) -> &'static str {
    match f {
        Flow::Pkce => "Authorization Code with PKCE (browser apps)",
        Flow::Code => "Authorization Code with a client secret (confidential)",
        Flow::Hybrid => "Hybrid: code id_token",
        Flow::Implicit => "Implicit (legacy for access tokens)",
        Flow::ClientCredentials => "Client Credentials (no user)",
        Flow::Password => "Resource Owner Password (not recommended)",
        Flow::Device => "Device Authorization (TV, command line)",
    }
}

/// The choices of a select: (value, text).
fn choices(name: &str) -> Vec<(&'static str, &'static str)> {
    match name {
        "preset" => std::iter::once(("", "none"))
            .chain(PRESETS.iter().map(|p| (p.id, p.name)))
            .collect(),
        "flow" => Flow::ALL.iter().map(|f| (f.as_str(), flow_label(*f))).collect(),
        "token_endpoint_auth_method" => AuthMethod::ALL
            .iter()
            .map(|m| {
                let text = match m {
                    AuthMethod::None => "none (public client)",
                    AuthMethod::ClientSecretBasic => "client_secret_basic (HTTP Basic header)",
                    AuthMethod::ClientSecretPost => "client_secret_post (in the form body)",
                    AuthMethod::PrivateKeyJwt => "private_key_jwt (a JWT signed by a key made here)",
                };
                (m.as_str(), text)
            })
            .collect(),
        "response_type" => ResponseType::ALL
            .iter()
            .map(|t| {
                let text = match t {
                    ResponseType::Code => "code: Authorization Code",
                    ResponseType::CodeIdToken => "code id_token: Hybrid",
                    ResponseType::IdToken => "id_token: Implicit, authentication only",
                    ResponseType::IdTokenToken => "id_token token: Implicit with an access token (legacy)",
                };
                (t.as_str(), text)
            })
            .collect(),
        "response_mode" => ResponseMode::ALL
            .iter()
            .map(|m| {
                let text = match m {
                    ResponseMode::Default => "default (query for code, form_post with an ID token)",
                    ResponseMode::Query => "query",
                    ResponseMode::Fragment => "fragment",
                    ResponseMode::FormPost => "form_post (POST caught by the Service Worker)",
                };
                (m.as_str(), text)
            })
            .collect(),
        "window" => Window::ALL
            .iter()
            .map(|w| {
                let text = match w {
                    Window::Redirect => "redirect (this page goes to the provider)",
                    Window::Popup => "popup (this page stays)",
                };
                (w.as_str(), text)
            })
            .collect(),
        "logout" => LogoutMethod::ALL
            .iter()
            .map(|m| {
                let text = match m {
                    LogoutMethod::TokenFree => "token-free GET: client_id and return address (default)",
                    LogoutMethod::PostHint => "id_token_hint in a POSTed form (no token in any URL)",
                    LogoutMethod::GetHint => {
                        "id_token_hint in a GET: the ID token lands in history and the provider's logs"
                    }
                };
                (m.as_str(), text)
            })
            .collect(),
        _ => std::iter::once(("", "nothing"))
            .chain(Tamper::ALL.iter().map(|t| {
                let text = match t {
                    Tamper::State => "state (the redirect)",
                    Tamper::Nonce => "nonce (the redirect)",
                    Tamper::RedirectUri => "redirect_uri (the redirect)",
                    Tamper::Code => "the code (the token request)",
                    Tamper::Verifier => "code_verifier (the token request)",
                    Tamper::Signature => "the ID token's signature",
                    Tamper::DpopHtu => "the DPoP proof's htu (the token request)",
                };
                (t.as_str(), text)
            }))
            .collect(),
    }
}

/// Whether the form shows the field `name` for the configuration `c`: each flow shows what it
/// uses.
fn shown(c: &Config, name: &str) -> bool {
    let flow = c.flow;
    match name {
        "redirect_uri" | "response_type" | "response_mode" | "window" | "break_it" => {
            flow.redirects()
        }
        "token_endpoint_auth_method" => !matches!(flow, Flow::Pkce | Flow::Implicit),
        "logout" => flow.has_user(),
        "client_secret" => c.uses_secret(),
        "username" | "password" => flow == Flow::Password,
        "client_jwk" => c.auth_method == AuthMethod::PrivateKeyJwt,
        // DPoP binds what the token endpoint issues: every flow but implicit gets its tokens
        // there; PAR pushes an authorization request: the flows that redirect, but implicit
        // and hybrid too.
        "dpop" => flow != Flow::Implicit,
        "par" => flow.redirects(),
        _ => true,
    }
}

/// The content key of a field's hint.
fn hint_key(name: &str) -> &'static str {
    match name {
        "issuer" => "field/issuer",
        "client_id" => "field/client_id",
        "scope" => "field/scope",
        "redirect_uri" => "field/redirect_uri",
        "api_url" => "field/api_url",
        "client_secret" => "field/client_secret",
        "username" => "field/username",
        "password" => "field/password",
        "preset" => "field/preset",
        "flow" => "field/flow",
        "token_endpoint_auth_method" => "field/token_endpoint_auth_method",
        "response_type" => "field/response_type",
        "response_mode" => "field/response_mode",
        "window" => "field/window",
        "logout" => "field/logout",
        "break_it" => "field/break_it",
        "client_jwk" => "field/client_jwk",
        "step_through" => "field/step_through",
        "dpop" => "field/dpop",
        "par" => "field/par",
        "presenter" => "field/presenter",
        "extra" => "field/extra",
        _ => "field/share",
    }
}

/// Writes an edit into the configuration. Fields that change which others are shown, or
/// their values, redraw the form.
fn edit(state: AppState, name: &'static str, value: String) {
    state.edit_config(&mut |c| c.set_form_field(name, value.clone()));
    if matches!(
        name,
        "flow" | "response_type" | "token_endpoint_auth_method" | "preset"
    ) {
        state.redraw_config();
        show_key(state);
        // The control was drawn again: the focus goes back to it.
        browser::reveal(name, true);
    }
}

/// One field of the form as the configuration `c` has it. Every control's id is the
/// configuration field it edits; its hint is content.
fn field(state: AppState, c: &Config, name: &'static str) -> AnyView {
    let hint = hint(state, name);
    let described = format!("{name}-hint");
    let on_input = move |ev: leptos::ev::Event| {
        // A checkbox's value is its checked state.
        let value = if event_target::<web_sys::HtmlInputElement>(&ev).type_() == "checkbox" {
            if event_target_checked(&ev) {
                "on".into()
            } else {
                String::new()
            }
        } else {
            event_target_value(&ev)
        };
        edit(state, name, value)
    };
    if let Some((label, _, kind, autocomplete)) = TEXT_FIELDS.iter().find(|f| f.1 == name) {
        let testid = (name == "client_secret").then_some("client-secret");
        return view! {
            <div class="field">
                <label for=name>{*label}</label>
                <input id=name name=name type=*kind data-testid=testid spellcheck="false"
                    autocomplete=*autocomplete aria-describedby=described prop:value=c.field(name)
                    on:input=on_input />
                {hint}
            </div>
        }
        .into_any();
    }
    if let Some((_, label)) = SELECTS.iter().find(|f| f.0 == name) {
        let current = c.field(name);
        let options = choices(name)
            .into_iter()
            .map(|(v, text)| view! { <option value=v selected=current == v>{text}</option> })
            .collect_view();
        return view! {
            <div class="field">
                <label for=name>{*label}</label>
                <select id=name aria-describedby=described on:input=on_input>{options}</select>
                {hint}
            </div>
        }
        .into_any();
    }
    match name {
        "step_through" | "presenter" | "dpop" | "par" => {
            let label = match name {
                "presenter" => "Presenter view",
                "dpop" => "DPoP: bind the tokens to a key of this tab",
                "par" => "PAR: push the authorization request first",
                _ => "Step through",
            };
            view! {
                <div class="field check-field">
                    <label>
                        <input type="checkbox" id=name aria-describedby=described
                            prop:checked=!c.field(name).is_empty() on:input=on_input />
                        " " {label}
                    </label>
                    {hint}
                </div>
            }
            .into_any()
        }
        "client_jwk" => {
            let jwk = c.client_jwk.clone();
            view! {
                <div class="field">
                    <label for="client_jwk">"Client public key (JWK)"</label>
                    <textarea id="client_jwk" rows="4" readonly data-testid="client-jwk"
                        aria-describedby=described prop:value=jwk.clone()></textarea>
                    <div class="actions">
                        <button type="button" id="copy-jwk" on:click=move |_| browser::copy_text(&jwk)>"Copy"</button>
                        <button type="button" id="register" on:click=move |_| register(state)>
                            "Register a client with this key"
                        </button>
                    </div>
                    {hint}
                </div>
            }
            .into_any()
        }
        _ => view! {
            <div class="field">
                <label for=name>"Extra authorization parameters"</label>
                <textarea id=name rows="3" spellcheck="false" aria-describedby=described
                    prop:value=c.field(name) on:input=on_input></textarea>
                {hint}
            </div>
        }
        .into_any(),
    }
}

/// A field's hint, from the content file.
fn hint(state: AppState, name: &'static str) -> impl IntoView {
    view! { <small id=format!("{name}-hint")>{text(move || state.text(hint_key(name)))}</small> }
}

/// The fields in their order.
const ORDER: [&str; 22] = [
    "preset",
    "flow",
    "issuer",
    "client_id",
    "scope",
    "redirect_uri",
    "api_url",
    "token_endpoint_auth_method",
    "client_secret",
    "client_jwk",
    "username",
    "password",
    "response_type",
    "response_mode",
    "window",
    "logout",
    "dpop",
    "par",
    "break_it",
    "step_through",
    "presenter",
    "extra",
];

/// One line saying what is configured, for the folded form.
fn summary(c: &Config) -> String {
    let flow = flow_label(c.flow);
    let client = if c.client_id.is_empty() {
        String::new()
    } else {
        format!(", client {}", c.client_id)
    };
    format!("{flow} at {}{client}", c.issuer)
}

/// The configuration; `readonly` (an embed whose host fixes it) shows it without letting it be
/// changed.
#[component]
pub fn ConfigPanel(readonly: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.config;
    // Which fields the configuration shows: the form is drawn again when that changes or the
    // configuration is replaced from outside, never while the user types.
    let visible =
        Memo::new(move |_| c.with(|c| ORDER.iter().map(|n| shown(c, n)).collect::<Vec<bool>>()));
    let form = redrawn(move || {
        state.config_rev.get();
        let shown = visible.get();
        c.with_untracked(|cfg| {
            ORDER
                .iter()
                .zip(shown)
                .filter(|(_, on)| *on)
                .map(|(name, _)| field(state, cfg, name))
                .collect_view()
                .into_any()
        })
    });
    let share = text(move || share_link(state));
    let busy = flag(move || state.outcome.with(|o| o.status == Status::InProgress));
    view! {
        <details class="card config" id="config" prop:open=flag(move || !state.folded.get())
            on:toggle=move |ev| {
                let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                if open == state.folded.get_untracked() {
                    state.folded.set(!open);
                }
            }>
            <summary>
                <h2 id="config-title">"Configuration"</h2>
                <span class="summary muted" data-testid="config-summary">{text(move || c.with(summary))}</span>
            </summary>
            <fieldset class="fields" disabled=readonly>
                <legend class="sr-only">"Configuration fields"</legend>
                <div id="config-fields">{form}</div>
                <button type="button" id="discover" data-testid="discover" disabled=busy
                    on:click=move |_| discover(state)>"Discover the provider"</button>
            </fieldset>
            <div class="field">
                <label for="share">"Shareable link"</label>
                <div class="issuer-row">
                    <input id="share" type="text" readonly prop:value=share aria-describedby="share-hint" />
                    <button type="button" id="copy-share" on:click=move |_| browser::copy_text(&share.get_untracked())>"Copy"</button>
                </div>
                {hint(state, "share")}
            </div>
        </details>
    }
}

/// "Discover the provider": the provider card (discovery judged for this configuration, the
/// preset's console settings, a CORS probe, the key set); nothing is signed in.
pub fn discover(state: AppState) {
    let cfg = state.config.get_untracked();
    state.reset();
    state
        .outcome
        .set(Outcome::busy("Discovering the provider\u{2026}"));
    spawn_local(async move {
        match crate::flows::card::provider_card(&state, &cfg).await {
            Ok((meta, 0)) => state.outcome.set(Outcome {
                text: format!("Discovered {}: ready to sign in.", meta.issuer),
                ..Outcome::idle()
            }),
            Ok((meta, n)) => state.outcome.set(Outcome {
                text: format!(
                    "Discovered {}, with {n} finding(s) to fix before this configuration can sign in: see the \
                     failed checks below.",
                    meta.issuer
                ),
                ..Outcome::idle()
            }),
            Err(e) => state.fail(e),
        }
    });
}

/// With `private_key_jwt` chosen: makes this tab's key (once) and shows its public half.
pub fn show_key(state: AppState) {
    let c = state.config.get_untracked();
    if c.auth_method != AuthMethod::PrivateKeyJwt || !c.client_jwk.is_empty() {
        return;
    }
    spawn_local(async move {
        match browser::key(browser::KeyUse::Client).await {
            Ok(key) => {
                let jwk = key.registration_jwk();
                state.edit_config(&mut |c| c.client_jwk = jwk.clone());
                state.redraw_config();
            }
            Err(e) => state.fail(e),
        }
    });
}

/// "Register a client with this key" (RFC 7591): the new client's id goes into the form.
pub fn register(state: AppState) {
    let cfg = state.config.get_untracked();
    state.reset();
    state
        .outcome
        .set(Outcome::busy("Registering the client\u{2026}"));
    spawn_local(async move {
        match crate::flows::register(&state, &cfg).await {
            Ok(id) => {
                state.edit_config(&mut |c| c.client_id = id.clone());
                state.redraw_config();
                state.outcome.set(Outcome {
                    text: format!("Registered client {id} with this tab's key: press Sign in."),
                    ..Outcome::idle()
                });
            }
            Err(e) => state.fail(e),
        }
    });
}
