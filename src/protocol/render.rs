//! A step as an HTML panel: the one rendering of the step model that the page shows.
//!
//! Everything that comes from a provider or a user is escaped here, so provider text is always
//! shown as text (the page's Content-Security-Policy forbids inline scripts as a second line).
//! Secrets appear only when the panel is revealed; otherwise only their masks are in the markup.

use super::config::{Config, Flow};
use super::explain::param_meaning;
use super::step::{mask, Actor, CheckStatus, HttpRecord, Step, StepKind, StepStatus};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn status_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "pending",
        StepStatus::Done => "done",
        StepStatus::Failed => "failed",
    }
}

fn has_secrets(step: &Step) -> bool {
    step.request
        .iter()
        .chain(step.response.iter())
        .any(|r| !r.secrets.is_empty())
        || step.params.iter().any(|p| p.secret)
}

fn http_block(out: &mut String, label: &str, record: &HttpRecord, revealed: bool) {
    let text = if revealed {
        record.to_text()
    } else {
        record.masked().to_text()
    };
    out.push_str(&format!(
        "<div class=\"http\"><h4>{label} <button type=\"button\" class=\"copy\" data-copy>Copy</button></h4>\
         <pre class=\"code\">{}</pre></div>",
        escape(&text)
    ));
}

/// The panel of step number `n`. `revealed` shows secrets instead of their masks.
pub fn step_html(n: usize, step: &Step, revealed: bool) -> String {
    let status = status_class(step.status);
    let mut out = format!(
        "<li class=\"step {status}\" id=\"step-{id}\" data-step=\"{id}\" data-status=\"{status}\" tabindex=\"-1\"><header><span class=\"num\">{n}</span>\
         <h3>{}</h3><span class=\"badge\">{}</span><span class=\"actors\">{} \u{2192} {}</span>",
        escape(step.title),
        step.kind.label(),
        step.from.label(),
        step.to.label(),
        id = escape(step.id)
    );
    if let Some(ms) = step.duration_ms {
        out.push_str(&format!("<span class=\"muted\">{ms} ms</span>"));
    }
    if has_secrets(step) {
        let checked = if revealed { " checked" } else { "" };
        out.push_str(&format!(
            "<label class=\"reveal\"><input type=\"checkbox\" data-reveal=\"{n}\"{checked}> Reveal secrets</label>"
        ));
    }
    out.push_str(&format!(
        "</header><p class=\"explain\">{}</p>",
        escape(step.explanation)
    ));

    if !step.params.is_empty() {
        out.push_str(
            "<table class=\"params\"><thead><tr><th scope=\"col\">Parameter</th><th scope=\"col\">Value</th>\
             <th scope=\"col\">Meaning</th></tr></thead><tbody>",
        );
        for p in &step.params {
            let value = if p.secret && !revealed {
                mask(&p.value)
            } else {
                p.value.clone()
            };
            // The device flow's code and addresses are what the user acts on: stable test ids,
            // and the addresses as links (the flow admitted only http(s) ones).
            let shown = match p.name.as_str() {
                "user_code" => format!("<code class=\"val user-code\" data-testid=\"user-code\">{}</code>", escape(&value)),
                "verification_uri" | "verification_uri_complete" => format!(
                    "<a href=\"{v}\" target=\"_blank\" rel=\"noopener noreferrer\"{}><code class=\"val\">{v}</code></a>{}",
                    if p.name == "verification_uri" { " data-testid=\"verification-uri\"" } else { "" },
                    // The complete address as a QR code, for a phone's camera.
                    if p.name == "verification_uri_complete" {
                        super::qr::svg(&value)
                    } else {
                        String::new()
                    },
                    v = escape(&value)
                ),
                _ => format!("<code class=\"val\">{}</code>", escape(&value)),
            };
            out.push_str(&format!(
                "<tr><th scope=\"row\"><code>{}</code></th><td>{shown}</td><td>{}</td></tr>",
                escape(&p.name),
                escape(p.meaning)
            ));
        }
        out.push_str("</tbody></table>");
    }
    if let Some(r) = &step.request {
        http_block(&mut out, "Request", r, revealed);
    }
    if let Some(r) = &step.response {
        http_block(&mut out, "Response", r, revealed);
    }

    if !step.checks.is_empty() {
        out.push_str("<ul class=\"checks\" aria-label=\"Checks\">");
        for c in &step.checks {
            let icon = match c.status {
                CheckStatus::Pass => "\u{2714}",
                CheckStatus::Fail => "\u{2718}",
                CheckStatus::Warn => "!",
                CheckStatus::Skip => "\u{2013}",
            };
            let label = c.status.label();
            out.push_str(&format!(
                "<li class=\"check {label}\"><span class=\"icon\" aria-hidden=\"true\">{icon}</span>\
                 <span class=\"sr-only\">{label}</span><strong>{}</strong> <span>{}</span> ",
                escape(c.name),
                escape(&c.detail)
            ));
            if let (Some(e), Some(a)) = (&c.expected, &c.actual) {
                out.push_str(&format!(
                    "<span class=\"cmp\">expected <code>{}</code>, got <code>{}</code></span>",
                    escape(e),
                    escape(a)
                ));
            }
            out.push_str(&format!(
                "<span class=\"spec\">{}</span></li>",
                escape(c.spec)
            ));
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
    out
}

/// The sequence diagram of a run: one column per actor taking part, one arrow per step, in
/// order. Front channel (redirects) dashed, back channel (fetch) solid, the user's part dotted,
/// work inside the app a loop. Each arrow is a link to its step's panel (`#step-<id>`): focusable,
/// opened by click or Enter with no script, and named by `data-step`.
pub fn sequence_svg(steps: &[Step]) -> String {
    let uses = |a: Actor| steps.iter().any(|s| s.from == a || s.to == a);
    let actors: Vec<Actor> = [
        Actor::User,
        Actor::App,
        Actor::ServiceWorker,
        Actor::AuthorizationServer,
        Actor::ResourceServer,
    ]
    .into_iter()
    .filter(|a| matches!(a, Actor::User | Actor::App | Actor::AuthorizationServer) || uses(*a))
    .collect();
    const COL: usize = 170;
    const ROW: usize = 44;
    const TOP: usize = 58;
    let x = |a: Actor| actors.iter().position(|b| *b == a).unwrap_or(0) * COL + COL / 2;
    let width = actors.len() * COL;
    let height = TOP + steps.len().max(1) * ROW + 16;
    let mut out = format!(
        "<svg data-testid=\"sequence-diagram\" class=\"sequence\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\" role=\"group\" aria-label=\"Sequence diagram of the steps\">"
    );
    for a in &actors {
        let cx = x(*a);
        out.push_str(&format!(
            "<rect class=\"actor\" x=\"{}\" y=\"6\" width=\"{}\" height=\"30\" rx=\"6\"/><text class=\"actor-label\" x=\"{cx}\" \
             y=\"26\" text-anchor=\"middle\">{}</text><line class=\"lifeline\" x1=\"{cx}\" y1=\"36\" x2=\"{cx}\" y2=\"{}\"/>",
            cx - COL / 2 + 8,
            COL - 16,
            escape(a.label()),
            height - 4
        ));
    }
    for (i, s) in steps.iter().enumerate() {
        let y = TOP + i * ROW + 22;
        let (x1, x2) = (x(s.from), x(s.to));
        let channel = match s.kind {
            StepKind::Redirect => "front",
            StepKind::BackChannel => "back",
            StepKind::Local => "local",
            StepKind::Interaction => "user",
        };
        let state = status_class(s.status);
        let label = format!("{}. {}", i + 1, s.title);
        out.push_str(&format!(
            "<a href=\"#step-{id}\" class=\"arrow {channel} {state}\" data-step=\"{id}\" aria-label=\"{} ({})\">",
            escape(&label),
            s.kind.label(),
            id = escape(s.id)
        ));
        if x1 == x2 {
            out.push_str(&format!(
                "<path d=\"M{x1} {} h34 v16 h-30\"/><polygon points=\"{x1},{} {},{} {},{}\"/>",
                y - 8,
                y + 8,
                x1 + 8,
                y + 4,
                x1 + 8,
                y + 12
            ));
        } else {
            let dir: isize = if x2 > x1 { 1 } else { -1 };
            let tip = x2 as isize - dir * 2;
            let base = tip - dir * 9;
            out.push_str(&format!(
                "<line x1=\"{x1}\" y1=\"{y}\" x2=\"{tip}\" y2=\"{y}\"/><polygon points=\"{tip},{y} {base},{} {base},{}\"/>",
                y - 5,
                y + 5
            ));
        }
        let tx = x1.min(x2) + 6;
        out.push_str(&format!(
            "<text x=\"{tx}\" y=\"{}\">{}</text></a>",
            y - 7,
            escape(&label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The run as a Markdown transcript: every step with its request and response, a curl command
/// for each back-channel call, and the checks. Secrets are masked unless `include_secrets`.
pub fn transcript_md(steps: &[Step], include_secrets: bool) -> String {
    let mut out = String::from("# Flowlab transcript\n\n");
    if !include_secrets {
        out.push_str("Codes, tokens, verifiers and secrets are masked.\n\n");
    }
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!(
            "## {}. {}\n\n*{}: {} \u{2192} {}*\n\n{}\n\n",
            i + 1,
            s.title,
            s.kind.label(),
            s.from.label(),
            s.to.label(),
            s.explanation
        ));
        for (label, r) in [("Request", &s.request), ("Response", &s.response)] {
            let Some(r) = r else { continue };
            let r = if include_secrets {
                r.clone()
            } else {
                r.masked()
            };
            out.push_str(&format!("{label}:\n\n```http\n{}\n```\n\n", r.to_text()));
            if label == "Request" && s.kind == StepKind::BackChannel {
                out.push_str(&format!("```sh\n{}\n```\n\n", curl(&r)));
            }
        }
        for c in &s.checks {
            let mark = match c.status {
                CheckStatus::Pass => "pass",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Warn => "WARN",
                CheckStatus::Skip => "skip",
            };
            out.push_str(&format!(
                "- {mark}: **{}**: {} ({})\n",
                c.name, c.detail, c.spec
            ));
        }
        if !s.checks.is_empty() {
            out.push('\n');
        }
    }
    out
}

/// The outcome element of the automation contract: `data-status`, and on error `data-error`
/// with the stable code; the text explains it (with the spec section).
pub fn outcome_html(
    status: &str,
    headline: &str,
    text: &str,
    error: Option<&super::error::FlowError>,
) -> String {
    let (code, spec) = match error {
        Some(e) => (
            format!(" data-error=\"{}\"", e.code.as_str()),
            e.spec
                .map(|s| format!(" ({})", escape(s)))
                .unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "<section class=\"outcome {status}\" data-testid=\"outcome\" data-status=\"{status}\"{code}><strong>{}</strong> \
         <span>{}</span><span class=\"spec\">{spec}</span></section>",
        escape(headline),
        escape(text)
    )
}

/// The transcript in a focusable, scrollable block for the page.
pub fn transcript_html(steps: &[Step], include_secrets: bool) -> String {
    format!(
        "<pre class=\"code transcript\" data-testid=\"transcript\" tabindex=\"0\" aria-label=\"Transcript (Markdown)\">{}</pre>",
        escape(&transcript_md(steps, include_secrets))
    )
}

/// A shell-quoted argument.
fn sh(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

/// The curl command that repeats a request.
fn curl(r: &HttpRecord) -> String {
    let mut cmd = format!(
        "curl -sS -X {} {}",
        r.method.as_deref().unwrap_or("GET"),
        sh(r.url.as_deref().unwrap_or(""))
    );
    for (k, v) in &r.headers {
        cmd.push_str(&format!(" \\\n  -H {}", sh(&format!("{k}: {v}"))));
    }
    if let Some(b) = &r.body {
        cmd.push_str(&format!(" \\\n  --data-raw {}", sh(b)));
    }
    cmd
}

/// A text field of the configuration form: (label, id, hint). The id is the field's name.
/// The text fields: (label, id, hint, input type). URLs are `url` inputs (the right keyboard
/// on a phone); nothing here is a credential, so autocomplete is off.
const FIELDS: [(&str, &str, &str, &str); 5] = [
    ("Issuer", "issuer", "The provider's issuer URL; its discovery document is read from /.well-known/openid-configuration.", "url"),
    ("Client ID", "client_id", "As registered at the provider.", "text"),
    ("Scopes", "scope", "Space-separated. With openid, an OpenID Connect login (an ID token); without it, plain OAuth 2.0.", "text"),
    ("Redirect URI", "redirect_uri", "Register exactly this URI at your provider.", "url"),
    ("API URL", "api_url", "Called with the access token; empty means the provider's userinfo endpoint.", "url"),
];

/// The memory-only fields: (label, id, hint, input type, autocomplete). Never in a URL or
/// storage. The user name is text a password manager may fill; the client secret is never
/// offered for saving.
const SECRET_FIELDS: [(&str, &str, &str, &str, &str); 3] = [
    ("Client secret", "client_secret", "For learning only: anyone who opens a browser app can read its secret, so real browser apps are public clients. Kept in this tab's memory; never in a URL or storage.", "password", "off"),
    ("Username", "username", "The user's name at the provider.", "text", "username"),
    ("Password", "password", "Typed into this app, not the provider's page: the reason this flow is not recommended. Kept in this tab's memory only.", "password", "current-password"),
];

/// Choices of the form's selects: (field, label, hint, [(value, text)]).
type Select = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);
const SELECTS: [Select; 8] = [
    (
        "preset",
        "Provider preset",
        "Fills in what is standard for a provider and lists the console settings it needs (shown by Discover the provider).",
        &[
            ("", "none"),
            ("bundled", "Bundled demo provider"),
            ("auth0", "Auth0"),
            ("okta", "Okta"),
            ("entra", "Microsoft Entra ID"),
            ("google", "Google"),
            ("keycloak", "Keycloak"),
            ("django-oauth-toolkit", "django-oauth-toolkit"),
        ],
    ),
    (
        "flow",
        "Flow",
        "Not sure? See \u{201c}Which flow should I use?\u{201d} below.",
        &[
            ("pkce", "Authorization Code with PKCE (browser apps)"),
            ("code", "Authorization Code with a client secret (confidential)"),
            ("hybrid", "Hybrid: code id_token"),
            ("implicit", "Implicit (legacy for access tokens)"),
            ("client-credentials", "Client Credentials (no user)"),
            ("password", "Resource Owner Password (not recommended)"),
            ("device", "Device Authorization (TV, command line)"),
        ],
    ),
    (
        "token_endpoint_auth_method",
        "Client authentication",
        "How the client proves itself at the token endpoint (RFC 6749 2.3).",
        &[
            ("none", "none (public client)"),
            ("client_secret_basic", "client_secret_basic (HTTP Basic header)"),
            ("client_secret_post", "client_secret_post (in the form body)"),
            ("private_key_jwt", "private_key_jwt (a JWT signed by a key made here)"),
        ],
    ),
    (
        "response_type",
        "Response type",
        "Use the code flow with PKCE. id_token token is legacy (RFC 9700, RFC 10017).",
        &[
            ("code", "code: Authorization Code"),
            ("code id_token", "code id_token: Hybrid"),
            ("id_token", "id_token: Implicit, authentication only"),
            (
                "id_token token",
                "id_token token: Implicit with an access token (legacy)",
            ),
        ],
    ),
    (
        "response_mode",
        "Response mode",
        "form_post keeps the answer out of URLs; the Service Worker receives it.",
        &[
            ("", "default (query for code, form_post with an ID token)"),
            ("query", "query"),
            ("fragment", "fragment"),
            ("form_post", "form_post (POST caught by the Service Worker)"),
        ],
    ),
    (
        "window",
        "Window",
        "popup keeps this page and its memory (a secret, the transaction); redirect leaves and returns.",
        &[
            ("redirect", "redirect (this page goes to the provider)"),
            ("popup", "popup (this page stays)"),
        ],
    ),
    (
        "logout",
        "Sign-out request",
        "How Sign out reaches the provider's end_session_endpoint (RP-Initiated Logout 1.0 2).",
        &[
            ("token-free", "token-free GET: client_id and return address (default)"),
            ("post-hint", "id_token_hint in a POSTed form (no token in any URL)"),
            (
                "get-hint",
                "id_token_hint in a GET: the ID token lands in history and the provider's logs",
            ),
        ],
    ),
    (
        "break_it",
        "Break it",
        "Alter one value once and watch who rejects it: the app or the provider.",
        &[
            ("", "nothing"),
            ("state", "state (the redirect)"),
            ("nonce", "nonce (the redirect)"),
            ("redirect_uri", "redirect_uri (the redirect)"),
            ("code", "the code (the token request)"),
            ("code_verifier", "code_verifier (the token request)"),
            ("signature", "the ID token's signature"),
        ],
    ),
];

/// Whether the form shows the field `id` for the configuration `c`: each flow shows what it
/// uses.
fn shown(c: &Config, id: &str) -> bool {
    let flow = c.flow;
    match id {
        "redirect_uri" | "response_type" | "response_mode" | "window" | "break_it" => {
            flow.redirects()
        }
        "token_endpoint_auth_method" => !matches!(flow, Flow::Pkce | Flow::Implicit),
        "logout" => flow.has_user(),
        "client_secret" => c.uses_secret(),
        "username" | "password" => flow == Flow::Password,
        _ => true,
    }
}

fn field_open(out: &mut String, id: &str, label: &str) {
    out.push_str(&format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>"
    ));
}

fn field_close(out: &mut String, id: &str, hint: &str) {
    out.push_str(&format!(
        "<small id=\"{id}-hint\">{}</small></div>",
        escape(hint)
    ));
}

/// The configuration form's fields, filled from `c`. Each control's id is the configuration
/// field it edits (`Config::set_form_field`).
pub fn config_form_html(c: &Config) -> String {
    let mut out = String::new();
    for (label, id, hint, kind) in FIELDS {
        if !shown(c, id) {
            continue;
        }
        field_open(&mut out, id, label);
        out.push_str(&format!(
            "<input id=\"{id}\" name=\"{id}\" type=\"{kind}\" spellcheck=\"false\" autocomplete=\"off\" \
             aria-describedby=\"{id}-hint\" value=\"{}\">",
            escape(&c.field(id))
        ));
        field_close(&mut out, id, hint);
    }
    for (label, id, hint, kind, autocomplete) in SECRET_FIELDS {
        if !shown(c, id) {
            continue;
        }
        field_open(&mut out, id, label);
        let testid = if id == "client_secret" {
            " data-testid=\"client-secret\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<input id=\"{id}\" type=\"{kind}\"{testid} spellcheck=\"false\" autocomplete=\"{autocomplete}\" \
             aria-describedby=\"{id}-hint\" value=\"{}\">",
            escape(&c.field(id))
        ));
        field_close(&mut out, id, hint);
    }
    if c.auth_method == "private_key_jwt" {
        field_open(&mut out, "client_jwk", "Client public key (JWK)");
        out.push_str(&format!(
            "<textarea id=\"client_jwk\" rows=\"4\" readonly data-testid=\"client-jwk\" \
             aria-describedby=\"client_jwk-hint\">{}</textarea>\
             <div class=\"actions\"><button type=\"button\" id=\"copy-jwk\">Copy</button>\
             <button type=\"button\" id=\"register\">Register a client with this key</button></div>",
            escape(&c.client_jwk)
        ));
        field_close(
            &mut out,
            "client_jwk",
            "Made by WebCrypto in this tab: the private half cannot leave it, and a reload makes a new key. \
             Register it as the client's jwks (Register does so by RFC 7591 where the provider allows), then sign in.",
        );
    }
    for (id, label, hint, options) in SELECTS {
        if !shown(c, id) {
            continue;
        }
        field_open(&mut out, id, label);
        out.push_str(&format!(
            "<select id=\"{id}\" aria-describedby=\"{id}-hint\">"
        ));
        let current = c.field(id);
        for (value, text) in options {
            let selected = if *value == current { " selected" } else { "" };
            out.push_str(&format!(
                "<option value=\"{value}\"{selected}>{}</option>",
                escape(text)
            ));
        }
        out.push_str("</select>");
        field_close(&mut out, id, hint);
    }
    for (id, on, label, hint) in [
        (
            "step_through",
            c.step_through,
            "Step through",
            "Pause before each redirect and request until Continue.",
        ),
        (
            "presenter",
            c.presenter,
            "Presenter view",
            "Large text and strong contrast, for a projector.",
        ),
    ] {
        let checked = if on { " checked" } else { "" };
        out.push_str(&format!(
            "<div class=\"field check-field\"><label><input type=\"checkbox\" id=\"{id}\" aria-describedby=\"{id}-hint\"{checked}> \
             {label}</label><small id=\"{id}-hint\">{hint}</small></div>"
        ));
    }
    field_open(&mut out, "extra", "Extra authorization parameters");
    out.push_str(&format!(
        "<textarea id=\"extra\" rows=\"3\" spellcheck=\"false\" aria-describedby=\"extra-hint\">{}</textarea>",
        escape(&c.field("extra"))
    ));
    field_close(
        &mut out,
        "extra",
        "One name=value per line: audience, prompt, login_hint, max_age, ...",
    );
    out
}

/// The signed-in section: verified claims, tokens (masked unless revealed), the API answer.
pub fn session_html(
    claims: &[(String, String)],
    tokens: &[(&str, &str)],
    revealed: bool,
    api: Option<&str>,
) -> String {
    let mut out = String::new();
    // A flow without a user (client credentials) has no ID token.
    if !claims.is_empty() {
        out.push_str(
            "<section class=\"card\"><h2>Verified ID token claims</h2><table class=\"params\" data-testid=\"id-token-claims\">\
             <thead><tr><th scope=\"col\">Claim</th><th scope=\"col\">Value</th><th scope=\"col\">Meaning</th></tr></thead><tbody>",
        );
        for (k, v) in claims {
            out.push_str(&format!(
                "<tr><th scope=\"row\"><code>{}</code></th><td><code class=\"val\">{}</code></td><td>{}</td></tr>",
                escape(k),
                escape(v),
                escape(param_meaning(k))
            ));
        }
        out.push_str("</tbody></table></section>");
    }
    let checked = if revealed { " checked" } else { "" };
    out.push_str(&format!(
        "<section class=\"card\"><h2>Tokens (in memory only)</h2>\
         <label class=\"reveal\"><input type=\"checkbox\" data-reveal=\"tokens\"{checked}> Reveal tokens</label><dl class=\"tokens\">"
    ));
    for (name, value) in tokens {
        let shown = if revealed {
            value.to_string()
        } else {
            mask(value)
        };
        out.push_str(&format!(
            "<dt>{name}</dt><dd><code class=\"val\">{}</code></dd>",
            escape(&shown)
        ));
    }
    out.push_str("</dl></section>");
    if let Some(body) = api {
        out.push_str(&format!(
            "<section class=\"card\"><h2>API response</h2><pre class=\"code\" data-testid=\"api-response\">{}</pre></section>",
            escape(body)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::ErrorCode;
    use crate::protocol::step::{Actor, Check, Param, StepKind};

    fn step() -> Step {
        let mut s = Step::new(
            "token",
            "Exchange",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "why <b>",
        );
        s.request = Some(
            HttpRecord::request("POST", "https://op/token")
                .body("code=SECRET")
                .secret("SECRET"),
        );
        s.response = Some(HttpRecord::response(400).body("<script>alert(1)</script>"));
        s.params = vec![Param {
            name: "code".into(),
            value: "SECRET".into(),
            meaning: "m",
            secret: true,
        }];
        s.checks = vec![Check::fail(
            "state",
            "a \"quoted\" <detail>",
            "RFC 6749 10.12",
            ErrorCode::StateMismatch,
        )
        .compared("x&y", "<z>")];
        s.duration_ms = Some(12);
        s.settle()
    }

    #[test]
    fn escapes_everything_from_outside() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        let html = step_html(3, &step(), false);
        assert!(
            !html.contains("<script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("why &lt;b&gt;"));
        assert!(html.contains("a &quot;quoted&quot; &lt;detail&gt;"));
        assert!(html.contains("expected <code>x&amp;y</code>, got <code>&lt;z&gt;</code>"));
    }

    #[test]
    fn secrets_only_when_revealed() {
        let masked = step_html(1, &step(), false);
        assert!(!masked.contains("SECRET"), "{masked}");
        assert!(masked.contains("[masked, 6 chars]"));
        assert!(masked.contains("data-reveal=\"1\">"));
        let shown = step_html(1, &step(), true);
        assert!(shown.contains("code=SECRET") && shown.contains("data-reveal=\"1\" checked>"));
    }

    fn run() -> Vec<Step> {
        let mut discovery = Step::new(
            "discovery",
            "Discover",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "d",
        );
        discovery.request = Some(
            HttpRecord::request("GET", "https://op/.well-known/openid-configuration")
                .header("Accept", "application/json"),
        );
        let authorize = Step::new(
            "authorize",
            "Redirect <x>",
            StepKind::Redirect,
            Actor::App,
            Actor::AuthorizationServer,
            "a",
        );
        let local = Step::new(
            "prepare",
            "Prepare",
            StepKind::Local,
            Actor::App,
            Actor::App,
            "p",
        );
        vec![discovery, local, authorize, step()]
    }

    #[test]
    fn sequence_diagram_has_one_arrow_per_step() {
        let svg = sequence_svg(&run());
        assert!(svg.starts_with("<svg data-testid=\"sequence-diagram\""));
        assert_eq!(svg.matches("<a href=\"#step-").count(), 4);
        assert!(svg.contains(
            "<a href=\"#step-discovery\" class=\"arrow back done\" data-step=\"discovery\""
        ));
        assert!(svg.contains("class=\"arrow front done\" data-step=\"authorize\""));
        assert!(svg.contains("class=\"arrow local done\""));
        assert!(svg.contains("class=\"arrow back failed\" data-step=\"token\""));
        assert!(svg.contains("Redirect &lt;x&gt;"));
        assert!(
            !svg.contains("Service Worker"),
            "actors not taking part are left out"
        );
        assert!(svg.ends_with("</svg>"));
        // Every link is closed (an unclosed one nests each following arrow inside it).
        assert_eq!(svg.matches("</a>").count(), 4);
    }

    #[test]
    fn transcript_masks_unless_asked_and_has_curl() {
        let md = transcript_md(&run(), false);
        assert!(md.contains("## 4. Exchange") && md.contains("## 1. Discover"));
        assert!(!md.contains("SECRET"), "{md}");
        assert!(md.contains("curl -sS -X POST 'https://op/token'"));
        assert!(md.contains("- FAIL: **state**"));
        assert!(transcript_md(&run(), true).contains("--data-raw 'code=SECRET'"));
        assert_eq!(sh("it's"), "'it'\\''s'");
        let html = transcript_html(&run(), false);
        assert!(html.starts_with(
            "<pre class=\"code transcript\" data-testid=\"transcript\" tabindex=\"0\""
        ));
        assert!(html.contains("Redirect &lt;x&gt;"));
    }

    #[test]
    fn outcome_element() {
        use crate::protocol::error::{ErrorCode, FlowError};
        let e = FlowError::new(ErrorCode::StateMismatch, "bad <state>").spec("RFC 6749 10.12");
        let html = outcome_html("error", "Stopped:", &e.message, Some(&e));
        assert!(html.starts_with("<section class=\"outcome error\" data-testid=\"outcome\" data-status=\"error\" data-error=\"state_mismatch\">"));
        assert!(html.contains("bad &lt;state&gt;") && html.contains("(RFC 6749 10.12)"));
        assert!(!outcome_html("idle", "Ready.", "x", None).contains("data-error"));
    }

    #[test]
    fn fields_have_the_type_and_autocomplete_their_content_needs() {
        let (c, _) = Config::defaults("http://a/").apply_query("flow=password");
        let html = config_form_html(&c);
        assert!(html.contains("<input id=\"username\" type=\"text\" spellcheck=\"false\" autocomplete=\"username\""), "{html}");
        assert!(html.contains("<input id=\"password\" type=\"password\" spellcheck=\"false\" autocomplete=\"current-password\""));
        assert!(html.contains("<input id=\"issuer\" name=\"issuer\" type=\"url\""));
        let (c, _) = Config::defaults("http://a/").apply_query("flow=code");
        assert!(config_form_html(&c).contains("type=\"password\" data-testid=\"client-secret\" spellcheck=\"false\" autocomplete=\"off\""));
    }

    #[test]
    fn the_preset_choices_are_the_presets() {
        let (_, _, _, options) = SELECTS.iter().find(|s| s.0 == "preset").unwrap();
        let ids: Vec<&str> = options
            .iter()
            .map(|o| o.0)
            .filter(|v| !v.is_empty())
            .collect();
        let presets: Vec<&str> = crate::protocol::presets::PRESETS
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, presets);
    }

    #[test]
    fn config_form_escapes_values_and_marks_selection() {
        let mut c = Config::defaults("http://a/");
        c.scope = "openid \"><script>x</script>".into();
        c.response_mode = "form_post".into();
        let html = config_form_html(&c);
        assert!(
            html.contains("value=\"openid &quot;&gt;&lt;script&gt;x&lt;/script&gt;\""),
            "{html}"
        );
        assert!(html.contains("<option value=\"form_post\" selected>"));
        assert!(html.contains("<option value=\"code\" selected>"));
        // preset, flow, response type, mode, window, sign-out request, break-it.
        assert_eq!(html.matches(" selected").count(), 7);
        assert!(html.contains("<option value=\"token-free\" selected>"));
        assert!(html.contains("id=\"extra\""));
        // A public PKCE client has no secret field, no client authentication choice.
        assert!(!html.contains("client_secret") && !html.contains("token_endpoint_auth_method"));
    }

    #[test]
    fn config_form_shows_what_each_flow_uses() {
        let form = |q: &str| config_form_html(&Config::defaults("http://a/").apply_query(q).0);
        let code = form("flow=code");
        assert!(
            code.contains("data-testid=\"client-secret\"") && code.contains("type=\"password\"")
        );
        assert!(code.contains("<option value=\"client_secret_basic\" selected>"));
        assert!(code.contains("<option value=\"popup\" selected>"));
        let cc = form("flow=client-credentials");
        assert!(cc.contains("id=\"client_secret\"") && !cc.contains("id=\"redirect_uri\""));
        assert!(!cc.contains("id=\"username\"") && !cc.contains("id=\"break_it\""));
        let pw = form("flow=password");
        assert!(pw.contains("<label for=\"username\">Username</label>"));
        assert!(pw.contains("<label for=\"password\">Password</label>"));
        assert!(!pw.contains("id=\"client_secret\""));
        let mut c = Config::defaults("http://a/").apply_query("flow=code").0;
        c.client_secret = "s\"<".into();
        assert!(config_form_html(&c).contains("value=\"s&quot;&lt;\""));
        assert!(!code.contains("client_jwk"));
        // private_key_jwt: no secret, the public key to register (escaped) and Register.
        c.auth_method = "private_key_jwt".into();
        c.client_jwk = "{\"kty\":\"EC\"}".into();
        let key = config_form_html(&c);
        assert!(!key.contains("id=\"client_secret\"") && key.contains("id=\"register\""));
        assert!(key.contains(">{&quot;kty&quot;:&quot;EC&quot;}</textarea>"));
    }

    #[test]
    fn session_section_masks_tokens_until_revealed() {
        let claims = vec![("sub".to_string(), "<alice>".to_string())];
        let html = session_html(
            &claims,
            &[("access_token", "TOKEN")],
            false,
            Some("{\"a\":1}"),
        );
        assert!(
            !html.contains("TOKEN")
                && html.contains("&lt;alice&gt;")
                && html.contains("data-testid=\"api-response\"")
        );
        assert!(session_html(&claims, &[("access_token", "TOKEN")], true, None).contains("TOKEN"));
    }

    #[test]
    fn panel_attributes_and_checks() {
        let html = step_html(2, &step(), false);
        assert!(html
            .starts_with("<li class=\"step failed\" id=\"step-token\" data-step=\"token\" data-status=\"failed\" tabindex=\"-1\">"));
        assert!(html.contains("<li class=\"check fail\">"));
        assert!(html.contains("<span class=\"muted\">12 ms</span>"));
        assert!(html.ends_with("</li>"));
        let plain = Step::new("prepare", "P", StepKind::Local, Actor::App, Actor::App, "e");
        assert!(!step_html(1, &plain, false).contains("Reveal"));
    }
}
