//! The authorization request (RFC 6749 4.1.1, OIDC Core 3.1.2.1, RFC 7636 4.3).

use super::config::{Config, Flow, ResponseMode, Window};
use super::discovery::ProviderMetadata;
use super::error::{ErrorCode, FlowError};
use super::explain::param_meaning;
use super::pkce::LoginSecrets;
use super::step::{Actor, Check, HttpRecord, Param, Step, StepKind};
use super::tamper::Tamper;
use super::url::{append_query, parse_pairs, query_of, require_secure_endpoint, HttpUrl};
use crate::protocol::step::StepId;

/// A ready authorization request: the URL to send the browser to, and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub url: String,
    pub params: Vec<(String, String)>,
    /// What this request asks for, in words, for its panel.
    pub explanation: &'static str,
}

/// Checks the redirect URI: absolute, no fragment, https or loopback (RFC 6749 3.1.2, RFC 8252 7.3).
pub fn check_redirect_uri(uri: &str) -> Result<(), FlowError> {
    let u = HttpUrl::parse(uri).map_err(|m| {
        FlowError::new(
            ErrorCode::InvalidConfig,
            format!("The redirect URI is not usable: {m}."),
        )
        .spec("RFC 6749 3.1.2")
    })?;
    if u.has_fragment() {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "The redirect URI must not contain a fragment (#).",
        )
        .spec("RFC 6749 3.1.2"));
    }
    if u.scheme != "https" && !u.is_loopback() {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "The redirect URI must be https (plain http only on 127.0.0.1, [::1] or localhost): the code travels in it.",
        )
        .spec("RFC 6749 3.1.2.1; RFC 9700 4.1"));
    }
    Ok(())
}

/// A client secret lives in this page's memory only, so a login that needs it for the code
/// exchange must keep the page: the popup window. A full-page redirect would forget it.
pub fn check_secret_kept(config: &Config) -> Result<(), FlowError> {
    if !config.confidential() {
        return Ok(());
    }
    if config.uses_secret() && config.client_secret.is_empty() {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "Enter the client secret first (or choose client authentication none for a public client).",
        ));
    }
    if config.window != Window::Popup {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "The client secret or key is kept in this page's memory only, never in storage, so a full-page \
             redirect would lose it before the code exchange. Choose the popup window: this page stays while the popup \
             visits the provider.",
        ));
    }
    Ok(())
}

/// The error for a form_post login when the Service Worker that would receive the POST does not
/// control the page: explained, with what works instead.
pub fn form_post_unavailable() -> FlowError {
    FlowError::new(
        ErrorCode::WorkerUnavailable,
        "form_post needs Flowlab's Service Worker to receive the provider's POST (the static host cannot), \
         and it does not control this page yet (first visit, hard reload, or no Service Workers). Nothing \
         was sent: reload normally and sign in again, or use response mode query.",
    )
    .spec("OAuth 2.0 Form Post Response Mode 2")
}

/// form_post can only be received at the app's own callback page, where its Service Worker
/// listens: any other redirect URI would send the provider's POST to a host that cannot take it.
pub fn check_form_post_target(config: &Config, app_base: &str) -> Result<(), FlowError> {
    let expected = super::config::default_redirect_uri(app_base);
    if config.effective_response_mode() == ResponseMode::FormPost && config.redirect_uri != expected
    {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            format!(
                "With response_mode=form_post the redirect URI must be this app's callback page, {expected}: \
                 only there does its Service Worker receive the provider's POST. Register that URI, or choose \
                 response mode query."
            ),
        )
        .spec("OAuth 2.0 Form Post Response Mode 2"));
    }
    Ok(())
}

/// Builds the Authorization Code + PKCE request.
pub fn build_authorization_request(
    config: &Config,
    meta: &ProviderMetadata,
    secrets: &LoginSecrets,
) -> Result<AuthorizationRequest, FlowError> {
    if config.client_id.trim().is_empty() {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "Enter the client_id registered at the provider.",
        ));
    }
    check_redirect_uri(&config.redirect_uri)?;
    check_secret_kept(config)?;
    require_secure_endpoint("authorization_endpoint", &meta.authorization_endpoint)?;
    let implicit = config.flow == Flow::Implicit;
    // The code flow's default (query) need not be sent; implicit and hybrid always name their
    // mode (form_post by default, which is not the provider's default for them: fragment).
    let mode = if config.response_mode == ResponseMode::Default
        && !implicit
        && config.flow != Flow::Hybrid
    {
        ""
    } else {
        config.effective_response_mode().as_str()
    };
    // What discovery says the provider does not support was refused on the discovery panel
    // (protocol::support); the response type goes as configured, a set in canonical order.
    let openid = config.asks_openid();
    if !openid && config.flow != Flow::Pkce && config.flow != Flow::Code {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            format!(
                "response_type={} returns an ID token, which only an OpenID Connect request (scope openid) \
                 gets: add openid to the scope, or use the code flow for plain OAuth 2.0.",
                config.response_type
            ),
        )
        .spec("OIDC Core 3.2.2.1, 3.3.2.1"));
    }
    let scope = config.scope.split_whitespace().collect::<Vec<_>>();
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), config.response_type.as_str().into()),
        ("client_id".into(), config.client_id.trim().into()),
        ("redirect_uri".into(), config.redirect_uri.clone()),
    ];
    if !scope.is_empty() {
        params.push(("scope".into(), scope.join(" ")));
    }
    params.push(("state".into(), secrets.state.clone()));
    // The nonce belongs to OpenID Connect: plain OAuth 2.0 has no ID token to carry it back.
    if openid {
        params.push(("nonce".into(), secrets.nonce.clone()));
    }
    if !implicit {
        params.push(("code_challenge".into(), secrets.verifier.challenge_s256()));
        params.push(("code_challenge_method".into(), "S256".into()));
    }
    if !mode.is_empty() {
        params.push(("response_mode".into(), mode.into()));
    }
    for (k, v) in &config.extra {
        if !params.iter().any(|(name, _)| name == k) {
            params.push((k.clone(), v.clone()));
        }
    }
    let explanation = match (implicit, config.wants_front_channel_access_token()) {
        (false, _) if config.flow == Flow::Hybrid => "step/authorize.hybrid",
        (false, _) => "step/authorize.code",
        (true, false) => "step/authorize.implicit",
        (true, true) => "step/authorize.implicit-token",
    };
    Ok(AuthorizationRequest {
        url: append_query(&meta.authorization_endpoint, &params),
        params,
        explanation,
    })
}

/// The panel for the secrets generated before the redirect.
pub fn secrets_step(secrets: &LoginSecrets, flow: Flow) -> Step {
    if flow == Flow::Implicit {
        let mut step = Step::new(
            StepId::Prepare,
            "Generate state and nonce",
            StepKind::Local,
            Actor::App,
            Actor::App,
            "step/prepare.implicit",
        );
        step.params = vec![
            param("state", &secrets.state, false),
            param("nonce", &secrets.nonce, false),
        ];
        step.checks = vec![
            Check::pass(
                "state entropy",
                "256 random bits (at least 128 are required).",
                "RFC 6749 10.10; RFC 9700 4.7.1",
            ),
            Check::pass(
                "nonce entropy",
                "256 random bits; mandatory in the implicit flow.",
                "OIDC Core 3.2.2.1, 15.5.2",
            ),
        ];
        return step;
    }
    let mut step = Step::new(
        StepId::Prepare,
        "Generate state, nonce and PKCE verifier",
        StepKind::Local,
        Actor::App,
        Actor::App,
        "step/prepare.pkce",
    );
    let challenge = secrets.verifier.challenge_s256();
    step.params = vec![
        param("state", &secrets.state, false),
        param("nonce", &secrets.nonce, false),
        param("code_verifier", secrets.verifier.as_str(), true),
        param("code_challenge", &challenge, false),
    ];
    step.checks = vec![
        Check::pass(
            "state entropy",
            "256 random bits (at least 128 are required).",
            "RFC 6749 10.10; RFC 9700 4.7.1",
        ),
        Check::pass("nonce entropy", "256 random bits.", "OIDC Core 15.5.2"),
        Check::pass(
            "code_verifier",
            "32 random bytes, base64url: 43 characters.",
            "RFC 7636 4.1",
        ),
        Check::pass(
            "S256 challenge",
            "BASE64URL(SHA256(code_verifier)); the plain method is never used.",
            "RFC 7636 4.2",
        ),
    ];
    step
}

/// The panel for the redirect to the authorization endpoint.
pub fn authorize_step(req: &AuthorizationRequest) -> Step {
    let mut step = Step::new(
        StepId::Authorize,
        "Redirect to the authorization endpoint",
        StepKind::Redirect,
        Actor::App,
        Actor::AuthorizationServer,
        req.explanation,
    );
    step.request = Some(HttpRecord::request("GET", &req.url));
    step.params = req.params.iter().map(|(k, v)| param(k, v, false)).collect();
    step
}

/// Break-it at the redirect: the request as it is sent, with `t`'s change made.
pub fn altered(request: &AuthorizationRequest, t: Tamper) -> AuthorizationRequest {
    let url = t.apply_to_url(&request.url);
    AuthorizationRequest {
        params: parse_pairs(query_of(&url)),
        url,
        explanation: request.explanation,
    }
}

/// Break-it at the redirect: the URL actually sent, and its panel with the break-it line.
pub fn broken_authorize(request: &AuthorizationRequest, t: Tamper) -> (String, Step) {
    let sent = altered(request, t);
    let mut step = authorize_step(&sent);
    step.checks.push(t.check());
    (sent.url, step)
}

impl AuthorizationRequest {
    /// This request with `dpop_jkt`, the thumbprint of the key the code is bound to
    /// (RFC 9449 10).
    pub fn bind_code(mut self, jkt: &str) -> AuthorizationRequest {
        let pair = [("dpop_jkt".to_string(), jkt.to_string())];
        self.url = append_query(&self.url, &pair);
        self.params.extend(pair);
        self
    }
}

/// The panel for what the user does at the provider (invisible to the app).
pub fn user_step() -> Step {
    Step::new(
        StepId::UserLogin,
        "Sign in and consent at the provider",
        StepKind::Interaction,
        Actor::User,
        Actor::AuthorizationServer,
        "step/user-login",
    )
}

/// A parameter with its meaning, for a panel.
pub fn param(name: &str, value: &str, secret: bool) -> Param {
    Param {
        name: name.into(),
        value: value.into(),
        meaning: param_meaning(name),
        secret,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::AuthMethod;

    #[test]
    fn a_secret_needs_the_popup() {
        let (mut c, _) = Config::defaults("http://127.0.0.1/").apply_query("flow=code");
        assert!(check_secret_kept(&c)
            .unwrap_err()
            .message
            .contains("secret first"));
        c.client_secret = "s".into();
        assert!(check_secret_kept(&c).is_ok());
        c.window = Window::Redirect;
        assert!(check_secret_kept(&c).unwrap_err().message.contains("popup"));
        assert!(check_secret_kept(&Config::defaults("http://a/")).is_ok());
        // A key needs no secret typed, but it too lives in this page only.
        c.auth_method = AuthMethod::PrivateKeyJwt;
        c.client_secret.clear();
        assert!(check_secret_kept(&c).unwrap_err().message.contains("popup"));
        c.window = Window::Popup;
        assert!(check_secret_kept(&c).is_ok());
    }
    use crate::protocol::url::{parse_pairs, query_of};

    /// Random-looking bytes where state, nonce and verifier differ.
    fn distinct(seed: u8) -> [u8; 96] {
        let mut b = [0u8; 96];
        for (i, x) in b.iter_mut().enumerate() {
            *x = seed.wrapping_mul(31).wrapping_add(i as u8);
        }
        b
    }

    fn meta() -> ProviderMetadata {
        ProviderMetadata {
            issuer: "https://op".into(),
            authorization_endpoint: "https://op/authorize?tenant=t1".into(),
            jwks_uri: "https://op/jwks".into(),
            ..ProviderMetadata::default()
        }
    }

    #[test]
    fn builds_pkce_request() {
        let mut c = Config::defaults("http://127.0.0.1:8080/");
        c.scope = "openid profile email".into();
        c.extra = vec![
            ("audience".into(), "https://api".into()),
            ("state".into(), "evil".into()),
        ];
        let s = LoginSecrets::from_random(distinct(7));
        let r = build_authorization_request(&c, &meta(), &s).unwrap();
        assert!(r
            .url
            .starts_with("https://op/authorize?tenant=t1&response_type=code&"));
        let q = parse_pairs(query_of(&r.url));
        let get = |k: &str| {
            q.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("scope"), vec!["openid profile email"]);
        assert_eq!(get("state"), vec![s.state.as_str()]);
        assert_eq!(
            get("code_challenge"),
            vec![s.verifier.challenge_s256().as_str()]
        );
        assert_eq!(get("code_challenge_method"), vec!["S256"]);
        assert_eq!(get("audience"), vec!["https://api"]);
        assert!(get("code_verifier").is_empty());
        assert!(!r.url.contains(s.verifier.as_str()));
    }

    #[test]
    fn refuses_bad_redirect_uris_and_missing_client() {
        let s = LoginSecrets::from_random(distinct(1));
        for bad in ["http://example.com/cb", "https://a/cb#x", "callback.html"] {
            let c = Config {
                redirect_uri: bad.into(),
                ..Config::defaults("http://127.0.0.1/")
            };
            assert_eq!(
                build_authorization_request(&c, &meta(), &s)
                    .unwrap_err()
                    .code,
                ErrorCode::InvalidConfig,
                "{bad}"
            );
        }
        let c = Config {
            client_id: " ".into(),
            ..Config::defaults("http://127.0.0.1/")
        };
        assert!(build_authorization_request(&c, &meta(), &s).is_err());
    }

    #[test]
    fn without_openid_no_nonce_and_no_id_token_types() {
        let s = LoginSecrets::from_random(distinct(5));
        let (c, _) = Config::defaults("http://127.0.0.1/").apply_query("scope=read+write");
        let r = build_authorization_request(&c, &meta(), &s).unwrap();
        let q = parse_pairs(query_of(&r.url));
        assert!(q.iter().all(|(k, _)| k != "nonce"), "{q:?}");
        assert!(q.contains(&("scope".into(), "read write".into())));
        let (c, _) = c.apply_query("flow=implicit");
        assert_eq!(
            build_authorization_request(&c, &meta(), &s)
                .unwrap_err()
                .code,
            ErrorCode::InvalidConfig
        );
        assert_eq!(form_post_unavailable().code, ErrorCode::WorkerUnavailable);
    }

    #[test]
    fn form_post_only_to_the_apps_callback() {
        let mut c = Config::defaults("https://app/x/");
        c.response_mode = ResponseMode::FormPost;
        assert!(check_form_post_target(&c, "https://app/x/").is_ok());
        c.redirect_uri = "https://app/other".into();
        assert_eq!(
            check_form_post_target(&c, "https://app/x/")
                .unwrap_err()
                .code,
            ErrorCode::InvalidConfig
        );
        c.response_mode = ResponseMode::Query;
        assert!(check_form_post_target(&c, "https://app/x/").is_ok());
    }

    #[test]
    fn hybrid_names_its_default_mode() {
        let s = LoginSecrets::from_random(distinct(11));
        let (c, _) = Config::defaults("http://127.0.0.1/").apply_query("flow=hybrid");
        let r = build_authorization_request(&c, &meta(), &s).unwrap();
        let q = parse_pairs(query_of(&r.url));
        assert!(
            q.contains(&("response_mode".into(), "form_post".into())),
            "{q:?}"
        );
    }

    #[test]
    fn implicit_requests() {
        let s = LoginSecrets::from_random(distinct(9));
        let (c, _) = Config::defaults("http://127.0.0.1/").apply_query("flow=implicit");
        let r = build_authorization_request(&c, &meta(), &s).unwrap();
        let q = parse_pairs(query_of(&r.url));
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("id_token"));
        assert_eq!(get("response_mode"), Some("form_post"));
        assert_eq!(get("nonce"), Some(s.nonce.as_str()));
        assert_eq!(get("code_challenge"), None);
        let (c, _) = c.apply_query("response_type=id_token+token");
        let r = build_authorization_request(&c, &meta(), &s).unwrap();
        assert_eq!(r.explanation, "step/authorize.implicit-token");
    }

    #[test]
    fn steps_keep_verifier_secret() {
        let s = LoginSecrets::from_random(distinct(3));
        let step = secrets_step(&s, Flow::Pkce).masked();
        assert!(!format!("{step:?}").contains(s.verifier.as_str()));
        assert!(step.params.iter().all(|p| !p.meaning.is_empty()));
    }
}
