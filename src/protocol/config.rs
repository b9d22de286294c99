//! The login configuration and its query-string form (the automation contract in the README).
//!
//! A configuration is prefilled from the page's query parameters and can be shared as a link.
//! Secrets (client secret, password) are never read from or written to a URL.

use super::tamper::Tamper;
use super::url::{encode_pairs, parse_pairs};

choices! {
    /// Where the provider's pages open.
    Window {
        /// This page goes to the provider and comes back (the transaction crosses the redirect
        /// in sessionStorage).
        Redirect = "redirect",
        /// A popup visits the provider; this page, its memory and the transaction stay.
        Popup = "popup",
    }
}

choices! {
    /// How the provider returns the answer (OAuth 2.0 Multiple Response Type Encoding Practices,
    /// Form Post Response Mode).
    ResponseMode {
        /// Not sent: the flow's default (see [`Config::effective_response_mode`]).
        Default = "",
        Query = "query",
        Fragment = "fragment",
        FormPost = "form_post",
    }
}

choices! {
    /// The response types Flowlab runs, each named by its canonical spelling.
    ResponseType {
        Code = "code",
        IdToken = "id_token",
        /// Implicit with an access token through the front channel (legacy).
        IdTokenToken = "id_token token",
        /// Hybrid.
        CodeIdToken = "code id_token",
    }
}

choices! {
    /// How the client authenticates at the token endpoint (RFC 6749 2.3, OIDC Core 9).
    AuthMethod {
        /// A public client.
        None = "none",
        ClientSecretBasic = "client_secret_basic",
        ClientSecretPost = "client_secret_post",
        /// A JWT signed by a key made in this tab (RFC 7523).
        PrivateKeyJwt = "private_key_jwt",
    }
}

impl ResponseType {
    /// The response type whose words are these, in any order (RFC 6749 3.1.1).
    pub fn from_words(value: &str) -> Option<ResponseType> {
        ResponseType::ALL
            .iter()
            .copied()
            .find(|t| same_response_type(t.as_str(), value))
    }
}

/// The flows the app knows by name (`flow=` in the query).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Authorization Code with PKCE (RFC 6749 4.1, RFC 7636), a public client.
    Pkce,
    /// Authorization Code with a client secret (and PKCE, RFC 9700 2.1.1): a confidential
    /// client, for learning in a browser.
    Code,
    /// Implicit (OIDC Core 3.2): the ID token (and, legacy, an access token) from the front
    /// channel, best with response_mode=form_post.
    Implicit,
    /// Hybrid (OIDC Core 3.3, `code id_token`): an ID token from the front channel binds the
    /// code (c_hash), which is then exchanged.
    Hybrid,
    /// Client Credentials (RFC 6749 4.4): no user, the client's own token.
    ClientCredentials,
    /// Resource Owner Password Credentials (RFC 6749 4.3): not recommended (RFC 9700 2.4).
    Password,
    /// Device Authorization (RFC 8628): the user approves on another device while this one polls.
    Device,
}

impl Flow {
    pub const ALL: [Flow; 7] = [
        Flow::Pkce,
        Flow::Code,
        Flow::Hybrid,
        Flow::Implicit,
        Flow::ClientCredentials,
        Flow::Password,
        Flow::Device,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Pkce => "pkce",
            Flow::Code => "code",
            Flow::Implicit => "implicit",
            Flow::Hybrid => "hybrid",
            Flow::ClientCredentials => "client-credentials",
            Flow::Password => "password",
            Flow::Device => "device",
        }
    }

    pub fn parse(s: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the flow sends the browser to the provider (and back to the redirect URI).
    pub fn redirects(self) -> bool {
        matches!(
            self,
            Flow::Pkce | Flow::Code | Flow::Implicit | Flow::Hybrid
        )
    }

    /// Whether the flow signs a user in (and so wants an ID token with `openid`).
    pub fn has_user(self) -> bool {
        self != Flow::ClientCredentials
    }

    /// The response type a redirect flow asks for by default.
    fn default_response_type(self) -> ResponseType {
        match self {
            Flow::Implicit => ResponseType::IdToken,
            Flow::Hybrid => ResponseType::CodeIdToken,
            _ => ResponseType::Code,
        }
    }
}

/// How Sign out reaches the provider's `end_session_endpoint` (RP-Initiated Logout 1.0 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogoutMethod {
    /// A GET with `client_id`, `post_logout_redirect_uri` and `state`: no token anywhere. The
    /// default; providers may then ask the user to confirm.
    #[default]
    TokenFree,
    /// `id_token_hint` in a POSTed form body: the token is in no URL (some providers refuse
    /// the POST, or demand a CSRF token).
    PostHint,
    /// `id_token_hint` in a GET: the ID token lands in this tab's history and the provider's
    /// logs. Only by explicit choice, for providers that accept nothing else.
    GetHint,
}

impl LogoutMethod {
    pub const ALL: [LogoutMethod; 3] = [
        LogoutMethod::TokenFree,
        LogoutMethod::PostHint,
        LogoutMethod::GetHint,
    ];

    /// The value in the query string and the form (`logout=`).
    pub fn as_str(self) -> &'static str {
        match self {
            LogoutMethod::TokenFree => "token-free",
            LogoutMethod::PostHint => "post-hint",
            LogoutMethod::GetHint => "get-hint",
        }
    }

    pub fn parse(s: &str) -> Option<LogoutMethod> {
        LogoutMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The words of a response type as a sorted set: `token id_token` and `id_token token` are the
/// same value (RFC 6749 3.1.1: the order of space-delimited values does not matter).
pub fn response_type_set(value: &str) -> Vec<&str> {
    let mut words: Vec<&str> = value.split_whitespace().collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Whether two response type values name the same set (RFC 6749 3.1.1; OAuth 2.0 Multiple
/// Response Type Encoding Practices 3).
pub fn same_response_type(a: &str, b: &str) -> bool {
    response_type_set(a) == response_type_set(b)
}

/// The canonical spelling of a response type Flowlab runs, in whatever order its words came.
pub fn canonical_response_type(value: &str) -> Option<&'static str> {
    ResponseType::from_words(value).map(ResponseType::as_str)
}

/// The scopes a login asks for unless told otherwise.
const DEFAULT_SCOPE: &str = "openid profile email";

/// Everything a login needs to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub issuer: String,
    pub client_id: String,
    pub flow: Flow,
    pub scope: String,
    pub redirect_uri: String,
    /// `code` for PKCE; `id_token` or `id_token token` for implicit.
    pub response_type: ResponseType,
    /// `query`, `fragment` or `form_post`, or the flow's default (see
    /// [`Config::effective_response_mode`]).
    pub response_mode: ResponseMode,
    /// The API that "call the API" calls; empty means the userinfo endpoint.
    pub api_url: String,
    /// `redirect` (the page goes to the provider and back) or `popup` (this page stays; the
    /// login transaction is kept in memory, nothing is stored).
    pub window: Window,
    /// Pause before each redirect and each back-channel call until the presenter continues.
    pub step_through: bool,
    /// Presenter view: large text and strong contrast, for a projector.
    pub presenter: bool,
    /// Break-it mode: the value to alter on its way (see `tamper::Tamper`), consumed once.
    pub break_it: Option<Tamper>,
    /// Extra authorization parameters (audience, prompt, login_hint, ...), in order.
    pub extra: Vec<(String, String)>,
    /// Token endpoint authentication.
    pub auth_method: AuthMethod,
    /// The client secret, typed by the user: in memory only, never in a URL, the transaction
    /// or storage (see [`Config::to_query`]).
    pub client_secret: String,
    /// The password flow's user name and password: in memory only, like the secret.
    pub username: String,
    pub password: String,
    /// How Sign out reaches the provider.
    pub logout: LogoutMethod,
    /// The provider preset applied (`protocol::presets`), or empty.
    pub preset: String,
    /// For `private_key_jwt`: the public JWK of the key this tab generated (set by the page,
    /// shown for registration; the private half never leaves WebCrypto).
    pub client_jwk: String,
    /// DPoP (RFC 9449): the tokens are bound to a key of this tab, each request proves it.
    pub dpop: bool,
    /// Pushed Authorization Requests (RFC 9126): the authorization parameters go to the
    /// provider over the back channel first (also used when discovery requires it).
    pub par: bool,
}

/// Parameters the app sets itself; a prefill link cannot override them.
const RESERVED: &[&str] = &[
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "session_state",
    "client_secret",
    "password",
    "username",
    "client_assertion",
];

/// Query keys that map to configuration fields.
const KNOWN: &[&str] = &[
    "issuer",
    "client_id",
    "flow",
    "response_type",
    "scope",
    "redirect_uri",
    "response_mode",
    "api_url",
    "window",
    "token_endpoint_auth_method",
    "logout",
    "preset",
    "dpop",
    "par",
];

/// A note about a query parameter that was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    pub name: String,
    pub why: String,
}

impl Config {
    /// The defaults: the bundled provider and this app's own callback.
    pub fn defaults(app_base: &str) -> Config {
        Config {
            issuer: "http://127.0.0.1:9000".into(),
            client_id: "flowlab-demo".into(),
            flow: Flow::Pkce,
            response_type: ResponseType::Code,
            scope: DEFAULT_SCOPE.into(),
            redirect_uri: default_redirect_uri(app_base),
            response_mode: ResponseMode::Default,
            api_url: String::new(),
            window: Window::Redirect,
            step_through: false,
            presenter: false,
            break_it: None,
            extra: Vec::new(),
            auth_method: AuthMethod::None,
            client_secret: String::new(),
            username: String::new(),
            password: String::new(),
            client_jwk: String::new(),
            logout: LogoutMethod::TokenFree,
            preset: String::new(),
            dpop: false,
            par: false,
        }
    }

    /// Whether the client authenticates with a secret (`client_secret_basic` or `_post`).
    pub fn uses_secret(&self) -> bool {
        matches!(
            self.auth_method,
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost
        )
    }

    /// Whether the client authenticates at all (a secret or `private_key_jwt`): a confidential
    /// client, whose credential lives in this page's memory only.
    pub fn confidential(&self) -> bool {
        self.auth_method != AuthMethod::None
    }

    /// Sets one field by its query (and form) name. `Ok(false)`: the name is no field of the
    /// configuration (the caller treats it as an extra authorization parameter); `Err`: the
    /// value is refused, with why.
    pub fn set_field(&mut self, name: &str, value: String) -> Result<bool, String> {
        match name {
            "issuer" => self.issuer = value,
            "client_id" => self.client_id = value,
            "scope" => self.scope = value,
            "redirect_uri" => self.redirect_uri = value,
            "api_url" => self.api_url = value,
            "flow" => {
                self.flow = Flow::parse(&value)
                    .ok_or_else(|| format!("the flow \"{value}\" is not available yet"))?;
                // A response type belongs to its flow.
                let fits = match self.flow {
                    Flow::Implicit => matches!(
                        self.response_type,
                        ResponseType::IdToken | ResponseType::IdTokenToken
                    ),
                    f => self.response_type == f.default_response_type(),
                };
                if !fits {
                    self.response_type = self.flow.default_response_type();
                }
                // A confidential flow needs a secret; the code flow with one keeps this page
                // (and the secret in its memory) while the popup visits the provider.
                match self.flow {
                    Flow::Code | Flow::ClientCredentials if !self.confidential() => {
                        self.auth_method = AuthMethod::ClientSecretBasic
                    }
                    Flow::Pkce | Flow::Implicit | Flow::Device => {
                        self.auth_method = AuthMethod::None
                    }
                    _ => {}
                }
                if self.flow == Flow::Code {
                    self.window = Window::Popup;
                }
                // A machine has no OpenID Connect scopes: the default ones would be refused.
                if self.flow == Flow::ClientCredentials && self.scope == DEFAULT_SCOPE {
                    self.scope.clear();
                }
            }
            "response_type" => {
                let t = ResponseType::from_words(&value)
                    .ok_or_else(|| format!("response_type \"{value}\" is not available yet"))?;
                self.flow = match t {
                    ResponseType::Code if self.flow == Flow::Code => Flow::Code,
                    ResponseType::Code => Flow::Pkce,
                    ResponseType::IdToken | ResponseType::IdTokenToken => Flow::Implicit,
                    ResponseType::CodeIdToken => Flow::Hybrid,
                };
                self.response_type = t;
            }
            "response_mode" => {
                self.response_mode = ResponseMode::parse(&value).ok_or_else(|| {
                    format!("response_mode \"{value}\" is not available for this flow yet")
                })?
            }
            "step_through" => self.step_through = matches!(value.as_str(), "on" | "true" | "1"),
            "presenter" => self.presenter = matches!(value.as_str(), "on" | "true" | "1"),
            "dpop" => self.dpop = matches!(value.as_str(), "on" | "true" | "1"),
            "par" => self.par = matches!(value.as_str(), "on" | "true" | "1"),
            "break_it" if value.is_empty() => self.break_it = None,
            "break_it" => {
                self.break_it = Some(Tamper::parse(&value).ok_or_else(|| {
                    let names: Vec<&str> = Tamper::ALL.iter().map(|t| t.as_str()).collect();
                    format!("break_it \"{value}\" is not one of {}", names.join(", "))
                })?)
            }
            "window" => {
                self.window = Window::parse(&value)
                    .ok_or_else(|| format!("window \"{value}\" is not one of redirect, popup"))?
            }
            "token_endpoint_auth_method" => {
                self.auth_method = AuthMethod::parse(&value).ok_or_else(|| {
                    let names: Vec<&str> = AuthMethod::ALL.iter().map(|m| m.as_str()).collect();
                    format!(
                        "token_endpoint_auth_method \"{value}\" is not one of {}",
                        names.join(", ")
                    )
                })?
            }
            "preset" => {
                if value.is_empty() {
                    self.preset.clear();
                    return Ok(true);
                }
                let p = super::presets::Preset::find(&value).ok_or_else(|| {
                    let ids: Vec<&str> = super::presets::PRESETS.iter().map(|p| p.id).collect();
                    format!("preset \"{value}\" is not one of {}", ids.join(", "))
                })?;
                // Fills in what is standard for the provider; what the user set stays.
                self.preset = value;
                self.logout = p.logout;
                if !p.issuer.is_empty() {
                    self.issuer = p.issuer.into();
                }
                if !p.client_id.is_empty() {
                    self.client_id = p.client_id.into();
                }
                for (k, v) in p.extra {
                    if !self.extra.iter().any(|(name, _)| name == k) {
                        self.extra.push((k.to_string(), v.to_string()));
                    }
                }
            }
            "logout" => {
                self.logout = LogoutMethod::parse(&value).ok_or_else(|| {
                    format!("logout \"{value}\" is not one of token-free, post-hint, get-hint")
                })?
            }
            // Typed into the form only: a URL never reaches here (apply_query refuses them).
            "client_secret" => self.client_secret = value,
            "username" => self.username = value,
            "password" => self.password = value,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A field's value by its form name, for the configuration form.
    pub fn field(&self, name: &str) -> String {
        match name {
            "issuer" => self.issuer.clone(),
            "client_id" => self.client_id.clone(),
            "scope" => self.scope.clone(),
            "redirect_uri" => self.redirect_uri.clone(),
            "api_url" => self.api_url.clone(),
            "response_mode" => self.response_mode.as_str().into(),
            "response_type" => self.response_type.as_str().into(),
            "window" => self.window.as_str().into(),
            "step_through" => if self.step_through { "on" } else { "" }.into(),
            "presenter" => if self.presenter { "on" } else { "" }.into(),
            "dpop" => if self.dpop { "on" } else { "" }.into(),
            "par" => if self.par { "on" } else { "" }.into(),
            "break_it" => self.break_it.map_or("", Tamper::as_str).into(),
            "extra" => self.extra_text(),
            "flow" => self.flow.as_str().into(),
            "token_endpoint_auth_method" => self.auth_method.as_str().into(),
            "client_secret" => self.client_secret.clone(),
            "username" => self.username.clone(),
            "password" => self.password.clone(),
            "client_jwk" => self.client_jwk.clone(),
            "logout" => self.logout.as_str().into(),
            "preset" => self.preset.clone(),
            _ => String::new(),
        }
    }

    /// Applies an edit from the configuration form (`extra` is the text box of extra
    /// parameters). Unknown names are ignored.
    pub fn set_form_field(&mut self, name: &str, value: String) {
        if name == "extra" {
            self.extra = Config::parse_extra(&value).0;
        } else {
            let _ = self.set_field(name, value);
        }
    }

    /// Applies a page query string (the automation contract) on top of `self`.
    pub fn apply_query(mut self, query: &str) -> (Config, Vec<Ignored>) {
        let mut ignored = Vec::new();
        for (k, v) in parse_pairs(query) {
            // Empty names, and the embed's page settings (`protocol::embed`): not configuration.
            if k.is_empty() || super::embed::PARAMS.contains(&k.as_str()) {
                continue;
            }
            if RESERVED.contains(&k.as_str()) {
                ignored.push(Ignored {
                    name: k,
                    why: "set by the app itself, or never taken from a URL".into(),
                });
                continue;
            }
            match self.set_field(&k, v.clone()) {
                Ok(true) => {}
                Ok(false) => {
                    self.extra.retain(|(name, _)| *name != k);
                    self.extra.push((k, v));
                }
                Err(why) => ignored.push(Ignored { name: k, why }),
            }
        }
        (self, ignored)
    }

    /// The response mode actually requested: the chosen one, or the flow's default (query for
    /// the code flow; form_post for implicit, which keeps tokens out of URLs and history).
    pub fn effective_response_mode(&self) -> ResponseMode {
        match (self.response_mode, self.flow) {
            (ResponseMode::Default, Flow::Implicit | Flow::Hybrid) => ResponseMode::FormPost,
            (ResponseMode::Default, _) => ResponseMode::Query,
            (m, _) => m,
        }
    }

    /// Whether the scope asks for `openid`: an OpenID Connect login with a nonce and an ID
    /// token. Without it the login is plain OAuth 2.0 (RFC 6749): no ID token is expected.
    pub fn asks_openid(&self) -> bool {
        self.scope.split_whitespace().any(|s| s == "openid")
    }

    /// True for `id_token token`: an access token through the front channel (legacy).
    pub fn wants_front_channel_access_token(&self) -> bool {
        self.flow == Flow::Implicit && self.response_type == ResponseType::IdTokenToken
    }

    /// The query string that reproduces this configuration (no secrets: there are none in it).
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        // First, so that the fields after it keep their values when the link is opened.
        if !self.preset.is_empty() {
            pairs.push(("preset", &self.preset));
        }
        pairs.extend([
            ("issuer", self.issuer.as_str()),
            ("client_id", &self.client_id),
            ("flow", self.flow.as_str()),
        ]);
        if self.flow.redirects() {
            pairs.push(("response_type", self.response_type.as_str()));
        }
        pairs.push(("scope", &self.scope));
        pairs.push(("redirect_uri", &self.redirect_uri));
        if self.response_mode != ResponseMode::Default {
            pairs.push(("response_mode", self.response_mode.as_str()));
        }
        if !self.api_url.is_empty() {
            pairs.push(("api_url", &self.api_url));
        }
        if self.window != Window::Redirect {
            pairs.push(("window", self.window.as_str()));
        }
        if self.confidential() {
            pairs.push(("token_endpoint_auth_method", self.auth_method.as_str()));
        }
        if self.logout != LogoutMethod::TokenFree {
            pairs.push(("logout", self.logout.as_str()));
        }
        if self.dpop {
            pairs.push(("dpop", "on"));
        }
        if self.par {
            pairs.push(("par", "on"));
        }
        if self.step_through {
            pairs.push(("step_through", "on"));
        }
        if self.presenter {
            pairs.push(("presenter", "on"));
        }
        if let Some(t) = self.break_it {
            pairs.push(("break_it", t.as_str()));
        }
        for (k, v) in &self.extra {
            if !RESERVED.contains(&k.as_str()) && !KNOWN.contains(&k.as_str()) {
                pairs.push((k, v));
            }
        }
        encode_pairs(pairs)
    }

    /// Reads the "extra parameters" text box: one `name=value` per line.
    pub fn parse_extra(text: &str) -> (Vec<(String, String)>, Vec<Ignored>) {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut ignored = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            let (k, v) = (k.trim().to_string(), v.trim().to_string());
            if RESERVED.contains(&k.as_str()) || KNOWN.contains(&k.as_str()) {
                ignored.push(Ignored {
                    name: k,
                    why: "set by the app or by its own field".into(),
                });
            } else {
                out.retain(|(name, _)| *name != k);
                out.push((k, v));
            }
        }
        (out, ignored)
    }

    /// The inverse of [`Config::parse_extra`].
    pub fn extra_text(&self) -> String {
        self.extra
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The callback page of the app at `app_base` (the page's base URL, ending in `/`).
pub fn default_redirect_uri(app_base: &str) -> String {
    let base = if app_base.ends_with('/') {
        app_base.to_string()
    } else {
        format!("{app_base}/")
    };
    format!("{base}callback.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_bundled_provider_and_callback() {
        let c = Config::defaults("http://127.0.0.1:8080/flowlab/");
        assert_eq!(
            c.redirect_uri,
            "http://127.0.0.1:8080/flowlab/callback.html"
        );
        assert_eq!(
            default_redirect_uri("https://x.test"),
            "https://x.test/callback.html"
        );
        assert_eq!(c.issuer, "http://127.0.0.1:9000");
    }

    #[test]
    fn query_prefills_and_refuses_secrets() {
        let (c, ignored) = Config::defaults("http://a/").apply_query(
            "issuer=https%3A%2F%2Fop.example&client_id=abc&scope=openid+email&audience=api&prompt=login\
             &client_secret=s3cret&password=pw&state=forced&flow=ciba&prompt=consent",
        );
        assert_eq!(c.issuer, "https://op.example");
        assert_eq!(c.client_id, "abc");
        assert_eq!(c.scope, "openid email");
        assert_eq!(
            c.extra,
            vec![
                ("audience".to_string(), "api".to_string()),
                ("prompt".to_string(), "consent".to_string())
            ]
        );
        let names: Vec<&str> = ignored.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, vec!["client_secret", "password", "state", "flow"]);
        assert!(!format!("{c:?}").contains("s3cret"));
        assert!(c.client_secret.is_empty() && c.password.is_empty());
    }

    #[test]
    fn share_link_round_trips() {
        let (c, _) = Config::defaults("http://a/")
            .apply_query("issuer=https%3A%2F%2Fop&audience=x+y&api_url=https%3A%2F%2Fapi%2Fme");
        let q = c.to_query();
        assert!(q.contains("audience=x+y"));
        let (back, ignored) = Config::defaults("http://other/").apply_query(&q);
        assert_eq!(back, c);
        assert!(ignored.is_empty());
    }

    #[test]
    fn form_fields_read_and_write() {
        let mut c = Config::defaults("http://a/");
        c.set_form_field("issuer", "https://op".into());
        c.set_form_field("extra", "prompt=login\nstate=x".into());
        c.set_form_field("response_mode", "web_message".into());
        c.set_form_field("nonsense", "x".into());
        assert_eq!(c.field("issuer"), "https://op");
        assert_eq!(c.field("extra"), "prompt=login");
        assert_eq!(c.field("response_mode"), "");
        assert_eq!(c.field("nonsense"), "");
        assert_eq!(
            c.set_field("flow", "ciba".into()),
            Err("the flow \"ciba\" is not available yet".into())
        );
        // Typed secrets stay in memory and never reach the link.
        c.set_form_field("flow", "code".into());
        c.set_form_field("client_secret", "s3cret".into());
        c.set_form_field("password", "pw".into());
        assert_eq!(c.field("client_secret"), "s3cret");
        let q = c.to_query();
        assert!(!q.contains("s3cret") && !q.contains("pw"), "{q}");
        assert!(
            q.contains("flow=code") && q.contains("token_endpoint_auth_method=client_secret_basic")
        );
        assert_eq!(c.set_field("audience", "x".into()), Ok(false));
    }

    #[test]
    fn flows_and_response_types_go_together() {
        let (c, ignored) = Config::defaults("http://a/").apply_query("flow=implicit");
        assert!(ignored.is_empty());
        assert_eq!(
            (
                c.flow,
                c.response_type.as_str(),
                c.effective_response_mode().as_str()
            ),
            (Flow::Implicit, "id_token", "form_post")
        );
        let (c, _) = Config::defaults("http://a/")
            .apply_query("response_type=id_token+token&response_mode=fragment");
        assert_eq!(c.flow, Flow::Implicit);
        assert!(c.wants_front_channel_access_token());
        assert_eq!(c.effective_response_mode().as_str(), "fragment");
        let (back, _) = Config::defaults("http://b/").apply_query(&c.to_query());
        assert_eq!(back, c);
        let (c, _) = c.apply_query("flow=pkce");
        assert_eq!(
            (
                c.response_type.as_str(),
                c.effective_response_mode().as_str()
            ),
            ("code", "fragment")
        );
        // A response type is a set: the order of its words does not matter.
        let (c, ignored) =
            Config::defaults("http://a/").apply_query("response_type=token+id_token");
        assert!(ignored.is_empty());
        assert_eq!(
            (c.flow, c.response_type.as_str()),
            (Flow::Implicit, "id_token token")
        );
        let (c, _) = Config::defaults("http://a/").apply_query("response_type=id_token%20code");
        assert_eq!(
            (c.flow, c.response_type.as_str()),
            (Flow::Hybrid, "code id_token")
        );
        assert!(same_response_type("token id_token", "id_token  token"));
        assert!(!same_response_type("code", "code id_token"));
        let (_, ignored) = Config::defaults("http://a/").apply_query("response_type=token");
        assert_eq!(ignored.len(), 1);
        let (c, ignored) = Config::defaults("http://a/").apply_query("window=popup");
        assert!(ignored.is_empty());
        assert_eq!(c.window, Window::Popup);
        assert_eq!(
            Config::defaults("http://b/").apply_query(&c.to_query()).0,
            c
        );
        assert_eq!(
            Config::defaults("http://a/")
                .apply_query("window=tab")
                .1
                .len(),
            1
        );
    }

    #[test]
    fn each_flow_brings_its_response_type_and_client_authentication() {
        let flow = |q: &str| Config::defaults("http://a/").apply_query(q);
        let (c, ignored) = flow("flow=code");
        assert!(ignored.is_empty());
        assert_eq!(
            (
                c.response_type.as_str(),
                c.auth_method.as_str(),
                c.window.as_str()
            ),
            ("code", "client_secret_basic", "popup")
        );
        let (c, _) = flow("flow=code&token_endpoint_auth_method=client_secret_post");
        assert_eq!(c.auth_method, AuthMethod::ClientSecretPost);
        let (c, _) = flow("response_type=code+id_token");
        assert_eq!(
            (c.flow, c.effective_response_mode().as_str()),
            (Flow::Hybrid, "form_post")
        );
        let (c, _) = flow("flow=client-credentials");
        assert_eq!(
            (c.flow, c.auth_method.as_str()),
            (Flow::ClientCredentials, "client_secret_basic")
        );
        assert!(!c.flow.redirects() && !c.flow.has_user());
        let (c, _) = flow("flow=password");
        assert_eq!((c.flow, c.auth_method.as_str()), (Flow::Password, "none"));
        let (c, _) = flow("flow=code&flow=pkce");
        assert_eq!(c.auth_method, AuthMethod::None);
        let (c, ignored) =
            flow("flow=client-credentials&token_endpoint_auth_method=private_key_jwt");
        assert!(ignored.is_empty() && c.confidential() && !c.uses_secret());
        assert!(c
            .to_query()
            .contains("token_endpoint_auth_method=private_key_jwt"));
        let (c, _) = flow("token_endpoint_auth_method=private_key_jwt&flow=code");
        assert_eq!(
            (c.auth_method.as_str(), c.window.as_str()),
            ("private_key_jwt", "popup")
        );
        assert_eq!(
            flow("token_endpoint_auth_method=tls_client_auth").1.len(),
            1
        );
        for f in [
            "pkce",
            "code",
            "implicit",
            "hybrid",
            "client-credentials",
            "password",
            "device",
        ] {
            let (c, _) = flow(&format!("flow={f}"));
            assert_eq!(
                Config::defaults("http://b/").apply_query(&c.to_query()).0,
                c,
                "{f}"
            );
        }
    }

    #[test]
    fn logout_method_round_trips_and_defaults_token_free() {
        let c = Config::defaults("http://a/");
        assert_eq!(c.logout, LogoutMethod::TokenFree);
        assert!(!c.to_query().contains("logout"));
        let (c, ignored) = c.apply_query("logout=get-hint");
        assert!(ignored.is_empty());
        assert_eq!(c.logout, LogoutMethod::GetHint);
        assert_eq!(
            Config::defaults("http://b/").apply_query(&c.to_query()).0,
            c
        );
        assert_eq!(
            Config::defaults("http://a/")
                .apply_query("logout=always")
                .1
                .len(),
            1
        );
    }

    #[test]
    fn extra_text_box() {
        let (extra, ignored) = Config::parse_extra(
            " audience = api \nprompt=login\n\nstate=x\nlogin_hint=alice\nprompt=consent",
        );
        assert_eq!(extra.len(), 3);
        assert_eq!(extra[2], ("prompt".to_string(), "consent".to_string()));
        assert_eq!(ignored.len(), 1);
        let c = Config {
            extra,
            ..Config::defaults("http://a/")
        };
        assert_eq!(
            c.extra_text(),
            "audience=api\nlogin_hint=alice\nprompt=consent"
        );
    }
}
