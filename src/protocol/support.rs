//! What the provider says it supports, against what the configuration asks for (OpenID Connect
//! Discovery 1.0 section 3, RFC 8414 section 2).
//!
//! Each question is one check on the discovery panel, quoting the member it read. A check fails
//! only where the document says "no" (a list without the value, or an absent list whose default
//! leaves the value out); the login is then refused before anything is sent. Sets of values
//! (response types) are compared as sets.

use super::config::{response_type_set, same_response_type, Config, Flow};
use super::discovery::ProviderMetadata;
use super::error::ErrorCode;
use super::step::Check;

const DISCOVERY: &str = "OIDC Discovery 3; RFC 8414 2";

/// The lists a provider publishes, or the default its absence means.
fn listed<'a>(list: &'a Option<Vec<String>>, default: &'a [&'a str]) -> (Vec<&'a str>, bool) {
    match list {
        Some(l) => (l.iter().map(String::as_str).collect(), false),
        None => (default.to_vec(), true),
    }
}

/// "lists a, b" or "does not publish it (the default is a, b)".
fn quote(member: &str, values: &[&str], defaulted: bool) -> String {
    let shown = if values.is_empty() {
        "nothing".to_string()
    } else {
        values.join(", ")
    };
    if defaulted {
        format!("The provider does not publish {member}; its default is {shown}.")
    } else {
        format!("The provider's {member} lists {shown}.")
    }
}

/// The grant type a flow uses at the token endpoint (or, for implicit, at the authorization
/// endpoint).
pub fn grant_type(flow: Flow) -> &'static str {
    match flow {
        Flow::Pkce | Flow::Code | Flow::Hybrid => "authorization_code",
        Flow::Implicit => "implicit",
        Flow::ClientCredentials => "client_credentials",
        Flow::Password => "password",
        Flow::Device => "urn:ietf:params:oauth:grant-type:device_code",
    }
}

/// Judges the configuration against the provider's metadata: one check per question that
/// applies to the configured flow.
pub fn support_checks(config: &Config, meta: &ProviderMetadata) -> Vec<Check> {
    let mut checks = Vec::new();
    let flow = config.flow;
    if flow.redirects() {
        checks.push(response_type_check(config, meta));
        checks.push(response_mode_check(config, meta));
    }
    checks.push(grant_type_check(flow, meta));
    if flow != Flow::Implicit {
        checks.push(auth_method_check(config, meta));
    }
    if flow == Flow::Device && meta.device_authorization_endpoint.is_none() {
        checks.push(Check::fail(
            "device endpoint",
            "The provider publishes no device_authorization_endpoint, so the device flow has nowhere to start. \
             If it has one all the same, a preset can name it.",
            "RFC 8628 4",
            ErrorCode::UnsupportedByProvider,
        ));
    }
    if flow.has_user() {
        checks.push(openid_check(config, meta));
    }
    if config.dpop && flow != Flow::Implicit {
        checks.push(dpop_check(meta));
    }
    if flow.redirects() && (config.par || meta.require_pushed_authorization_requests) {
        checks.push(par_check(meta));
    }
    checks
}

/// DPoP: the proof is ES256 (WebCrypto's P-256 key). A provider that lists other algorithms
/// only would refuse it; one that lists none may not do DPoP at all (then its tokens come back
/// Bearer and are refused after the token request).
fn dpop_check(meta: &ProviderMetadata) -> Check {
    const NAME: &str = "DPoP supported";
    const SPEC: &str = "RFC 9449 5.1";
    match &meta.dpop_signing_alg_values_supported {
        Some(l) if l.iter().any(|a| a == "ES256") => Check::pass(
            NAME,
            format!(
                "The provider's dpop_signing_alg_values_supported lists {}: it takes this tab's ES256 proofs.",
                l.join(", ")
            ),
            SPEC,
        ),
        Some(l) => Check::fail(
            NAME,
            format!(
                "The provider's dpop_signing_alg_values_supported lists {} but not ES256, the only algorithm \
                 of the key WebCrypto makes here: its proofs would be refused. Turn DPoP off.",
                if l.is_empty() { "nothing".to_string() } else { l.join(", ") }
            ),
            SPEC,
            ErrorCode::UnsupportedByProvider,
        ),
        None => Check::warn(
            NAME,
            "The provider does not publish dpop_signing_alg_values_supported: it may not do DPoP. If it \
             ignores the proof, its tokens come back as Bearer tokens and are refused (dpop_not_bound).",
            SPEC,
        ),
    }
}

/// PAR: the push needs the provider's endpoint for it.
fn par_check(meta: &ProviderMetadata) -> Check {
    const NAME: &str = "PAR endpoint";
    const SPEC: &str = "RFC 9126 5";
    match &meta.pushed_authorization_request_endpoint {
        Some(e) => Check::pass(
            NAME,
            format!("The provider's pushed_authorization_request_endpoint is {e}."),
            SPEC,
        ),
        None => Check::fail(
            NAME,
            "The provider publishes no pushed_authorization_request_endpoint: it takes no pushed \
             requests. Turn PAR off.",
            SPEC,
            ErrorCode::UnsupportedByProvider,
        ),
    }
}

fn response_type_check(config: &Config, meta: &ProviderMetadata) -> Check {
    const NAME: &str = "response_type supported";
    let asked = config.response_type.as_str();
    let offered = &meta.response_types_supported;
    if offered.is_empty() {
        return Check::skip(
            NAME,
            "The provider does not publish response_types_supported (required of an OpenID Provider); \
             Flowlab sends the request anyway.",
            DISCOVERY,
        );
    }
    let list: Vec<&str> = offered.iter().map(String::as_str).collect();
    match offered.iter().find(|t| same_response_type(t, asked)) {
        Some(t) => Check::pass(
            NAME,
            format!(
                "{} The same set as {asked}: the order of the words does not matter.",
                quote("response_types_supported", &list, false)
            ),
            "OIDC Discovery 3; RFC 6749 3.1.1",
        )
        .compared(asked, t.as_str()),
        None => {
            let flows: Vec<&str> = offered
                .iter()
                .filter_map(|t| match response_type_set(t).as_slice() {
                    ["code"] => Some("the code flow (code)"),
                    ["id_token"] => Some("implicit (id_token)"),
                    ["id_token", "token"] => Some("implicit with an access token (id_token token)"),
                    ["code", "id_token"] => Some("hybrid (code id_token)"),
                    _ => None,
                })
                .collect();
            let offer = if flows.is_empty() {
                "None of them is a response type Flowlab runs.".to_string()
            } else {
                format!("Choose {} instead.", flows.join(" or "))
            };
            Check::fail(
                NAME,
                format!(
                    "{} It does not offer response_type={asked}, so the request would be refused. {offer}",
                    quote("response_types_supported", &list, false)
                ),
                "OIDC Discovery 3; RFC 6749 3.1.1",
                ErrorCode::UnsupportedByProvider,
            )
            .compared(asked, list.join(", "))
        }
    }
}

fn response_mode_check(config: &Config, meta: &ProviderMetadata) -> Check {
    const NAME: &str = "response_mode supported";
    let asked = config.effective_response_mode().as_str();
    // OIDC Discovery 3: absent means query and fragment.
    let (list, defaulted) = listed(&meta.response_modes_supported, &["query", "fragment"]);
    let said = quote("response_modes_supported", &list, defaulted);
    if list.contains(&asked) {
        return Check::pass(
            NAME,
            format!("{said} The answer will come by {asked}."),
            "OIDC Discovery 3; OAuth 2.0 Multiple Response Types 2.1",
        )
        .compared(asked, list.join(", "));
    }
    let other = ["form_post", "fragment", "query"]
        .into_iter()
        .filter(|m| list.contains(m))
        .filter(|m| !(*m == "query" && config.flow != Flow::Pkce && config.flow != Flow::Code))
        .map(|m| format!("response mode {m}"))
        .collect::<Vec<_>>();
    let offer = if other.is_empty() {
        String::new()
    } else {
        format!(" Choose {} instead.", other.join(" or "))
    };
    Check::fail(
        NAME,
        format!(
            "{said} It would not answer by {asked}: a provider that ignores response_mode answers some other \
             way, and the app could not take it.{offer}"
        ),
        "OIDC Discovery 3; OAuth 2.0 Multiple Response Types 2.1",
        ErrorCode::UnsupportedByProvider,
    )
    .compared(asked, list.join(", "))
}

fn grant_type_check(flow: Flow, meta: &ProviderMetadata) -> Check {
    const NAME: &str = "grant type supported";
    let grant = grant_type(flow);
    // RFC 8414 2: absent means authorization_code and implicit.
    let (list, defaulted) = listed(
        &meta.grant_types_supported,
        &["authorization_code", "implicit"],
    );
    let said = quote("grant_types_supported", &list, defaulted);
    if list.contains(&grant) {
        Check::pass(
            NAME,
            format!("{said} This flow uses {grant}."),
            "RFC 8414 2",
        )
        .compared(grant, list.join(", "))
    } else if defaulted {
        // An absent list is a weak "no": many providers leave it out and still offer more.
        Check::warn(
            NAME,
            format!(
                "{said} This flow uses {grant}, which the default leaves out; Flowlab tries anyway, and the \
                 provider's own error will say if it is refused."
            ),
            "RFC 8414 2",
        )
        .compared(grant, list.join(", "))
    } else {
        Check::fail(
            NAME,
            format!(
                "{said} This flow uses {grant}, which the provider does not offer. Choose a flow whose grant it \
                 lists."
            ),
            "RFC 8414 2",
            ErrorCode::UnsupportedByProvider,
        )
        .compared(grant, list.join(", "))
    }
}

fn auth_method_check(config: &Config, meta: &ProviderMetadata) -> Check {
    const NAME: &str = "client authentication supported";
    let method = config.auth_method.as_str();
    let (list, defaulted) = listed(
        &meta.token_endpoint_auth_methods_supported,
        &["client_secret_basic"],
    );
    let said = quote("token_endpoint_auth_methods_supported", &list, defaulted);
    if list.contains(&method) {
        return Check::pass(
            NAME,
            format!("{said} This client authenticates by {method}."),
            "RFC 8414 2; OIDC Core 9",
        )
        .compared(method, list.join(", "));
    }
    if method == "none" {
        // Providers often leave `none` out of the list and still take public clients with PKCE.
        return Check::warn(
            NAME,
            format!(
                "{said} It does not list none (a public client, no secret); many providers take public \
                 clients anyway. If the token request is refused with invalid_client, register this client \
                 as a single-page app or choose one of the listed methods."
            ),
            "RFC 8414 2; OIDC Core 9",
        )
        .compared(method, list.join(", "));
    }
    let choices: Vec<&str> = list
        .iter()
        .copied()
        .filter(|m| super::config::AuthMethod::parse(m).is_some())
        .collect();
    let offer = if choices.is_empty() {
        String::new()
    } else {
        format!(" Choose {} instead.", choices.join(" or "))
    };
    Check::fail(
        NAME,
        format!("{said} It does not take {method} at its token endpoint.{offer}"),
        "RFC 8414 2; OIDC Core 9",
        ErrorCode::UnsupportedByProvider,
    )
    .compared(method, list.join(", "))
}

fn openid_check(config: &Config, meta: &ProviderMetadata) -> Check {
    const NAME: &str = "OpenID Connect";
    if !config.asks_openid() {
        return Check::skip(
            NAME,
            "The scope has no openid: this is a plain OAuth 2.0 login. No nonce is sent and no ID token is \
             expected, so there is no verified identity; the API (or userinfo) is the only source of who \
             signed in.",
            "OIDC Core 3.1.2.1; RFC 6749 3.3",
        );
    }
    match &meta.scopes_supported {
        Some(s) if !s.iter().any(|x| x == "openid") => Check::warn(
            NAME,
            format!(
                "The scope asks for openid, but the provider's scopes_supported lists {}: it may be a plain \
                 OAuth 2.0 server. Remove openid from the scope to run without an ID token.",
                s.join(", ")
            ),
            "OIDC Discovery 3",
        ),
        _ => Check::pass(
            NAME,
            "The scope asks for openid: an ID token is expected and validated.",
            "OIDC Core 3.1.2.1",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::step::CheckStatus;

    fn meta() -> ProviderMetadata {
        ProviderMetadata {
            issuer: "https://op".into(),
            response_types_supported: vec!["code".into(), "token id_token".into()],
            ..ProviderMetadata::default()
        }
    }

    fn status(checks: &[Check], name: &str) -> Option<CheckStatus> {
        checks.iter().find(|c| c.name == name).map(|c| c.status)
    }

    #[test]
    fn response_types_compare_as_sets() {
        let (c, _) = Config::defaults("http://a/")
            .apply_query("response_type=id_token+token&response_mode=fragment");
        let checks = support_checks(&c, &meta());
        assert_eq!(
            status(&checks, "response_type supported"),
            Some(CheckStatus::Pass),
            "{checks:?}"
        );
        let (c, _) =
            Config::defaults("http://a/").apply_query("flow=hybrid&response_mode=fragment");
        let checks = support_checks(&c, &meta());
        let f = checks.iter().find(|c| c.failed()).unwrap();
        assert_eq!(f.error, Some(ErrorCode::UnsupportedByProvider));
        assert!(
            f.detail
                .contains("Choose the code flow (code) or implicit with an access token"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn absent_response_modes_default_to_query_and_fragment() {
        let (c, _) = Config::defaults("http://a/").apply_query("flow=implicit");
        let checks = support_checks(
            &c,
            &ProviderMetadata {
                response_types_supported: vec!["id_token".into()],
                ..meta()
            },
        );
        let f = checks
            .iter()
            .find(|c| c.name == "response_mode supported")
            .unwrap();
        assert!(f.failed());
        assert!(f
            .detail
            .contains("does not publish response_modes_supported; its default is query, fragment"));
        assert!(
            f.detail.contains("Choose response mode fragment instead"),
            "{}",
            f.detail
        );
        let m = ProviderMetadata {
            response_types_supported: vec!["id_token".into()],
            response_modes_supported: Some(vec!["form_post".into(), "fragment".into()]),
            ..meta()
        };
        assert_eq!(
            status(&support_checks(&c, &m), "response_mode supported"),
            Some(CheckStatus::Pass)
        );
    }

    #[test]
    fn grants_and_client_authentication() {
        let (c, _) = Config::defaults("http://a/").apply_query("flow=client-credentials");
        let checks = support_checks(&c, &meta());
        // Absent list: client_credentials is outside the default, a warning only.
        assert_eq!(
            status(&checks, "grant type supported"),
            Some(CheckStatus::Warn)
        );
        assert_eq!(
            status(&checks, "client authentication supported"),
            Some(CheckStatus::Pass)
        );
        let m = ProviderMetadata {
            grant_types_supported: Some(vec!["authorization_code".into()]),
            token_endpoint_auth_methods_supported: Some(vec!["client_secret_post".into()]),
            ..meta()
        };
        let checks = support_checks(&c, &m);
        assert_eq!(
            status(&checks, "grant type supported"),
            Some(CheckStatus::Fail)
        );
        let auth = checks
            .iter()
            .find(|c| c.name == "client authentication supported")
            .unwrap();
        assert!(
            auth.failed() && auth.detail.contains("Choose client_secret_post instead"),
            "{}",
            auth.detail
        );
        // A public client where `none` is not listed: a warning, not a refusal.
        let (c, _) = Config::defaults("http://a/").apply_query("flow=pkce");
        assert_eq!(
            status(&support_checks(&c, &m), "client authentication supported"),
            Some(CheckStatus::Warn)
        );
        let (c, _) = Config::defaults("http://a/").apply_query("flow=device");
        let checks = support_checks(&c, &m);
        assert_eq!(status(&checks, "device endpoint"), Some(CheckStatus::Fail));
    }

    #[test]
    fn dpop_and_par_as_the_provider_publishes_them() {
        let (c, _) = Config::defaults("https://app/").apply_query("dpop=on&par=on");
        let mut m = meta();
        assert_eq!(
            status(&support_checks(&c, &m), "DPoP supported"),
            Some(CheckStatus::Warn)
        );
        assert_eq!(
            status(&support_checks(&c, &m), "PAR endpoint"),
            Some(CheckStatus::Fail)
        );
        m.dpop_signing_alg_values_supported = Some(vec!["EdDSA".into()]);
        m.pushed_authorization_request_endpoint = Some("https://op/par".into());
        assert_eq!(
            status(&support_checks(&c, &m), "DPoP supported"),
            Some(CheckStatus::Fail)
        );
        assert_eq!(
            status(&support_checks(&c, &m), "PAR endpoint"),
            Some(CheckStatus::Pass)
        );
        m.dpop_signing_alg_values_supported = Some(vec!["ES256".into()]);
        assert_eq!(
            status(&support_checks(&c, &m), "DPoP supported"),
            Some(CheckStatus::Pass)
        );
        let (plain, _) = Config::defaults("https://app/").apply_query("");
        assert_eq!(status(&support_checks(&plain, &m), "DPoP supported"), None);
    }

    #[test]
    fn without_openid_the_login_is_plain_oauth() {
        let (c, _) = Config::defaults("http://a/").apply_query("scope=read");
        let checks = support_checks(&c, &meta());
        let o = checks.iter().find(|c| c.name == "OpenID Connect").unwrap();
        assert_eq!(o.status, CheckStatus::Skip);
        assert!(o.detail.contains("plain OAuth 2.0"));
        let (c, _) = Config::defaults("http://a/").apply_query("flow=client-credentials");
        assert!(support_checks(&c, &meta())
            .iter()
            .all(|c| c.name != "OpenID Connect"));
    }
}
