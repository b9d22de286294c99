//! OpenID Provider discovery (OpenID Connect Discovery 1.0, sections 3 and 4).

use super::json::Json;

use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, HttpAnswer};
use super::json::{flag, optional_list, optional_str, required_str};
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use super::token::response_record;
use super::url::{require_secure_endpoint, HttpUrl};
use crate::protocol::step::StepId;

/// The provider metadata the app uses. Unknown members are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: Option<String>,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    /// RFC 7591 dynamic client registration.
    pub registration_endpoint: Option<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Option<Vec<String>>,
    pub code_challenge_methods_supported: Option<Vec<String>>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub authorization_response_iss_parameter_supported: bool,
    pub scopes_supported: Option<Vec<String>>,
    /// RFC 8414 2; absent means `authorization_code` and `implicit`.
    pub grant_types_supported: Option<Vec<String>>,
    /// RFC 8414 2; absent means `client_secret_basic`.
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// OIDC Discovery 3 (REQUIRED for an OpenID Provider).
    pub subject_types_supported: Option<Vec<String>>,
    /// RFC 9126 5: where authorization requests are pushed, and whether the provider demands it.
    pub pushed_authorization_request_endpoint: Option<String>,
    pub require_pushed_authorization_requests: bool,
    /// RFC 9449 5.1: the proof algorithms the provider takes (its absence says nothing).
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
}

impl ProviderMetadata {
    /// Reads the members of a discovery document (OIDC Discovery 3).
    pub fn from_json(v: &Json) -> Result<ProviderMetadata, String> {
        if !v.is_object() {
            return Err("the document is not a JSON object".into());
        }
        Ok(ProviderMetadata {
            issuer: required_str(v, "issuer")?,
            authorization_endpoint: required_str(v, "authorization_endpoint")?,
            token_endpoint: optional_str(v, "token_endpoint")?,
            jwks_uri: required_str(v, "jwks_uri")?,
            userinfo_endpoint: optional_str(v, "userinfo_endpoint")?,
            end_session_endpoint: optional_str(v, "end_session_endpoint")?,
            revocation_endpoint: optional_str(v, "revocation_endpoint")?,
            device_authorization_endpoint: optional_str(v, "device_authorization_endpoint")?,
            registration_endpoint: optional_str(v, "registration_endpoint")?,
            response_types_supported: optional_list(v, "response_types_supported")?
                .unwrap_or_default(),
            response_modes_supported: optional_list(v, "response_modes_supported")?,
            code_challenge_methods_supported: optional_list(v, "code_challenge_methods_supported")?,
            id_token_signing_alg_values_supported: optional_list(
                v,
                "id_token_signing_alg_values_supported",
            )?
            .unwrap_or_default(),
            authorization_response_iss_parameter_supported: flag(
                v,
                "authorization_response_iss_parameter_supported",
            )?,
            scopes_supported: optional_list(v, "scopes_supported")?,
            grant_types_supported: optional_list(v, "grant_types_supported")?,
            token_endpoint_auth_methods_supported: optional_list(
                v,
                "token_endpoint_auth_methods_supported",
            )?,
            subject_types_supported: optional_list(v, "subject_types_supported")?,
            pushed_authorization_request_endpoint: optional_str(
                v,
                "pushed_authorization_request_endpoint",
            )?,
            require_pushed_authorization_requests: flag(
                v,
                "require_pushed_authorization_requests",
            )?,
            dpop_signing_alg_values_supported: optional_list(
                v,
                "dpop_signing_alg_values_supported",
            )?,
        })
    }
}

/// The discovery URL for an issuer (Discovery 4.1): the issuer with any trailing `/` removed,
/// then `/.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> Result<String, FlowError> {
    let issuer = issuer.trim();
    if issuer.is_empty() {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "Enter the issuer URL of the provider first.",
        ));
    }
    let url = require_secure_endpoint("The issuer", issuer)?;
    if url.rest.contains('?') {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "An issuer URL has no query or fragment.",
        )
        .spec("OIDC Discovery 2"));
    }
    Ok(format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    ))
}

/// Judges a discovery response: parses it and applies every rule, returning the checks run.
///
/// The metadata is returned only when no check failed.
pub fn judge_discovery(
    expected_issuer: &str,
    answer: &HttpAnswer,
) -> (Option<ProviderMetadata>, Vec<Check>) {
    let mut checks = Vec::new();
    const S4: &str = "OIDC Discovery 4.2";
    if answer.status != 200 {
        checks.push(Check::fail(
            "HTTP 200",
            format!(
                "The discovery endpoint answered with status {}; {}",
                answer.status,
                describe_non_json(answer)
            ),
            S4,
            ErrorCode::DiscoveryInvalid,
        ));
        return (None, checks);
    }
    let value = match super::json::parse(&answer.body) {
        Some(v) => v,
        None => {
            checks.push(Check::fail(
                "JSON document",
                format!(
                    "The discovery document is not JSON: {}",
                    describe_non_json(answer)
                ),
                S4,
                ErrorCode::DiscoveryInvalid,
            ));
            return (None, checks);
        }
    };
    let meta = match ProviderMetadata::from_json(&value) {
        Ok(m) => m,
        Err(e) => {
            checks.push(Check::fail(
                "required members",
                format!(
                    "The document is not usable: {e}. Required: issuer, authorization_endpoint, jwks_uri, each a \
                     string; lists must be arrays of strings."
                ),
                "OIDC Discovery 3",
                ErrorCode::DiscoveryInvalid,
            ));
            return (None, checks);
        }
    };
    checks.push(Check::pass(
        "JSON document",
        "The answer is a JSON object with the required members.",
        "OIDC Discovery 3",
    ));

    let wanted = expected_issuer.trim();
    if meta.issuer == wanted {
        checks.push(
            Check::pass(
                "issuer matches",
                "The document names exactly the issuer you configured.",
                "OIDC Discovery 4.3",
            )
            .compared(wanted, &meta.issuer),
        );
    } else {
        checks.push(
            Check::fail(
                "issuer matches",
                "The document names another issuer. They must be identical, character for character (even a \
                 trailing slash): otherwise one provider could pose as another.",
                "OIDC Discovery 4.3",
                ErrorCode::IssuerMismatch,
            )
            .compared(wanted, &meta.issuer),
        );
    }

    let endpoints = [
        (
            "authorization_endpoint",
            Some(meta.authorization_endpoint.as_str()),
        ),
        ("token_endpoint", meta.token_endpoint.as_deref()),
        ("jwks_uri", Some(meta.jwks_uri.as_str())),
        ("userinfo_endpoint", meta.userinfo_endpoint.as_deref()),
        ("end_session_endpoint", meta.end_session_endpoint.as_deref()),
        ("revocation_endpoint", meta.revocation_endpoint.as_deref()),
        (
            "device_authorization_endpoint",
            meta.device_authorization_endpoint.as_deref(),
        ),
        (
            "registration_endpoint",
            meta.registration_endpoint.as_deref(),
        ),
        (
            "pushed_authorization_request_endpoint",
            meta.pushed_authorization_request_endpoint.as_deref(),
        ),
    ];
    let mut insecure = Vec::new();
    for (name, value) in endpoints {
        if let Some(v) = value {
            if let Err(e) = require_secure_endpoint(name, v) {
                insecure.push(e.message);
            }
        }
    }
    if insecure.is_empty() {
        let loopback = HttpUrl::parse(&meta.authorization_endpoint)
            .map(|u| u.is_loopback())
            .unwrap_or(false);
        let detail = if loopback {
            "Every endpoint is https, or plain http on this machine's loopback address (allowed for a local provider)."
        } else {
            "Every endpoint uses https."
        };
        checks.push(Check::pass(
            "endpoints use TLS",
            detail,
            "RFC 6749 3.1, 3.2",
        ));
    } else {
        checks.push(Check::fail(
            "endpoints use TLS",
            insecure.join(" "),
            "RFC 6749 3.1, 3.2",
            ErrorCode::InsecureEndpoint,
        ));
    }

    match &meta.code_challenge_methods_supported {
        Some(m) if m.iter().any(|x| x == "S256") => {
            checks.push(Check::pass("PKCE S256 supported", "code_challenge_methods_supported lists S256.", "RFC 8414 2; RFC 7636 4.2"))
        }
        Some(m) => checks.push(Check::fail(
            "PKCE S256 supported",
            format!("The provider lists only {}; Flowlab uses S256 only (plain gives no protection if the request leaks).", m.join(", ")),
            "RFC 7636 4.2; RFC 9700 2.1.1",
            ErrorCode::DiscoveryInvalid,
        )),
        None => checks.push(Check::skip(
            "PKCE S256 supported",
            "The document does not say which PKCE methods it supports; Flowlab sends S256 anyway.",
            "RFC 8414 2",
        )),
    }

    if meta.authorization_response_iss_parameter_supported {
        checks.push(Check::pass(
            "RFC 9207 iss parameter",
            "The provider adds `iss` to its authorization responses; Flowlab will require it and compare it.",
            "RFC 9207 3",
        ));
    } else {
        checks.push(Check::skip(
            "RFC 9207 iss parameter",
            "The provider does not announce the `iss` response parameter; if one arrives it is still compared.",
            "RFC 9207 3",
        ));
    }

    let ok = !checks.iter().any(Check::failed);
    (ok.then_some(meta), checks)
}

/// Judges accepted metadata for a configuration: endpoints the preset supplies (added to
/// `meta`), the provider's support for what the configuration asks (`support`), and the
/// members and algorithms an OpenID Provider publishes (`provider`).
pub fn judge_for(config: &super::config::Config, meta: &mut ProviderMetadata) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(p) = super::presets::Preset::find(&config.preset) {
        checks.extend(p.supplement(meta));
    }
    checks.extend(super::provider::metadata_checks(meta));
    checks.extend(super::support::support_checks(config, meta));
    checks
}

/// The discovery panel before the answer: the request about to be sent.
pub fn discovery_request_step(url: &str) -> Step {
    let mut step = Step::new(
        StepId::Discovery,
        "Discover the provider",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        "step/discovery",
    );
    step.request = Some(HttpRecord::request("GET", url).header("Accept", "application/json"));
    step
}

/// The discovery panel for a request to `url` and its outcome, with the metadata when accepted.
///
/// Used live, and again after the redirect to replay the same panel from the stored answer.
///
/// With a `config`, the document is also judged against what that configuration asks for
/// (`protocol::support`): a login the provider says it does not support is refused here,
/// before anything is sent.
pub fn discovery_step(
    issuer: &str,
    url: &str,
    answer: Result<&HttpAnswer, &FlowError>,
    duration_ms: Option<u32>,
    config: Option<&super::config::Config>,
) -> (Step, Result<ProviderMetadata, FlowError>) {
    let mut step = discovery_request_step(url);
    step.duration_ms = duration_ms;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            step.checks.push(Check::fail(
                "reachable",
                e.message.clone(),
                e.spec.unwrap_or("OIDC Discovery 4"),
                e.code,
            ));
            return (step.settle(), Err(e.clone()));
        }
    };
    step.response = Some(response_record(answer));
    let (mut meta, mut checks) = judge_discovery(issuer, answer);
    if let (Some(m), Some(c)) = (&mut meta, config) {
        checks.extend(judge_for(c, m));
    }
    let failure = checks.iter().find(|c| c.failed()).map(|c| {
        FlowError::new(
            c.error.unwrap_or(ErrorCode::DiscoveryInvalid),
            c.detail.clone(),
        )
        .spec(c.spec)
    });
    step.checks = checks;
    let result = match (meta, failure) {
        (Some(m), None) => Ok(m),
        (_, Some(e)) => Err(e),
        (None, None) => Err(FlowError::new(
            ErrorCode::DiscoveryInvalid,
            "The discovery document was not accepted.",
        )),
    };
    (step.settle(), result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_step_records_and_fails_cleanly() {
        let (step, meta) = discovery_step(
            "http://127.0.0.1:9000",
            "u",
            Ok(&answer(200, DOC)),
            Some(5),
            None,
        );
        assert!(meta.is_ok());
        assert_eq!(step.response.as_ref().and_then(|r| r.status), Some(200));
        let down = FlowError::new(ErrorCode::Network, "down");
        let (step, meta) = discovery_step("http://x", "u", Err(&down), None, None);
        assert_eq!(meta.unwrap_err().code, ErrorCode::Network);
        assert_eq!(
            step.first_failure().and_then(|c| c.error),
            Some(ErrorCode::Network)
        );
        let (_, bad) = discovery_step(
            "http://127.0.0.1:9000",
            "u",
            Ok(&answer(200, r#"{"issuer":1}"#)),
            None,
            None,
        );
        assert!(bad
            .unwrap_err()
            .message
            .contains("\"issuer\" is not a string"));
    }

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            content_type: Some("application/json".into()),
            body: body.into(),
            ..Default::default()
        }
    }

    const DOC: &str = r#"{"issuer":"http://127.0.0.1:9000","authorization_endpoint":"http://127.0.0.1:9000/auth",
        "token_endpoint":"http://127.0.0.1:9000/token","jwks_uri":"http://127.0.0.1:9000/jwks",
        "userinfo_endpoint":"http://127.0.0.1:9000/me","response_types_supported":["code"],
        "code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true,
        "unknown_member":{"x":1}}"#;

    #[test]
    fn discovery_url_rules() {
        assert_eq!(
            discovery_url("https://id.example.com/").unwrap(),
            "https://id.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://id.example.com/tenant").unwrap(),
            "https://id.example.com/tenant/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("").unwrap_err().code,
            ErrorCode::InvalidConfig
        );
        assert_eq!(
            discovery_url("http://id.example.com").unwrap_err().code,
            ErrorCode::InsecureEndpoint
        );
        assert!(discovery_url("https://id.example.com/?x=1").is_err());
    }

    #[test]
    fn accepts_recorded_document() {
        let (meta, checks) = judge_discovery("http://127.0.0.1:9000", &answer(200, DOC));
        let meta = meta.expect("valid");
        assert_eq!(
            meta.token_endpoint.as_deref(),
            Some("http://127.0.0.1:9000/token")
        );
        assert!(meta.authorization_response_iss_parameter_supported);
        assert!(checks.iter().all(|c| !c.failed()), "{checks:?}");
    }

    #[test]
    fn issuer_must_match_exactly() {
        let (meta, checks) = judge_discovery("http://127.0.0.1:9000/", &answer(200, DOC));
        assert!(meta.is_none());
        let f = checks.iter().find(|c| c.failed()).unwrap();
        assert_eq!(f.error, Some(ErrorCode::IssuerMismatch));
        assert_eq!(f.expected.as_deref(), Some("http://127.0.0.1:9000/"));
    }

    #[test]
    fn insecure_endpoint_rejected() {
        let doc = DOC.replace("http://127.0.0.1:9000/token", "http://evil.example/token");
        let (meta, checks) = judge_discovery("http://127.0.0.1:9000", &answer(200, &doc));
        assert!(meta.is_none());
        assert!(checks
            .iter()
            .any(|c| c.error == Some(ErrorCode::InsecureEndpoint)));
    }

    #[test]
    fn non_json_html_and_missing_members() {
        for (status, body) in [
            (200, "<html><body>Welcome</body></html>"),
            (404, "Not found"),
            (200, "[1,2]"),
            (200, r#"{"issuer":"x"}"#),
        ] {
            let (meta, checks) = judge_discovery("http://127.0.0.1:9000", &answer(status, body));
            assert!(meta.is_none(), "{body}");
            assert_eq!(
                checks.last().and_then(|c| c.error),
                Some(ErrorCode::DiscoveryInvalid),
                "{body}"
            );
        }
    }

    #[test]
    fn plain_pkce_only_rejected_and_absent_skipped() {
        let doc = DOC.replace(r#"["S256"]"#, r#"["plain"]"#);
        assert!(judge_discovery("http://127.0.0.1:9000", &answer(200, &doc))
            .0
            .is_none());
        let doc = DOC.replace(r#""code_challenge_methods_supported":["S256"],"#, "");
        let (meta, checks) = judge_discovery("http://127.0.0.1:9000", &answer(200, &doc));
        assert!(meta.is_some());
        assert!(checks
            .iter()
            .any(|c| c.status == crate::protocol::step::CheckStatus::Skip));
    }
}
