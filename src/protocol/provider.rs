//! The provider card ("Discover the provider"): what a provider publishes, judged before any
//! login. Beside the discovery checks (`discovery`, `support`): the members an OpenID Provider
//! must publish and the algorithms it signs with (OpenID Connect Discovery 1.0 section 3,
//! RFC 8414 section 2), a CORS probe of each endpoint the chosen flow calls from this page, and
//! the key set (RFC 7517, RFC 7518). Each finding is one check with its spec section.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

use super::config::{AuthMethod, Config, Flow};
use super::discovery::ProviderMetadata;
use super::error::ErrorCode;
use super::jwks::Jwks;
use super::jwt::SigAlg;
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use crate::protocol::step::StepId;

/// The members OpenID Connect Discovery 1.0 section 3 requires (beyond issuer,
/// authorization_endpoint and jwks_uri, which the app cannot work without), and the
/// algorithms: one check each.
pub fn metadata_checks(meta: &ProviderMetadata) -> Vec<Check> {
    const SPEC: &str = "OIDC Discovery 3; RFC 8414 2";
    let mut missing = Vec::new();
    if meta.token_endpoint.is_none() {
        missing.push("token_endpoint (required unless only the implicit flow is offered)");
    }
    if meta.response_types_supported.is_empty() {
        missing.push("response_types_supported");
    }
    if meta.subject_types_supported.is_none() {
        missing.push("subject_types_supported");
    }
    if meta.id_token_signing_alg_values_supported.is_empty() {
        missing.push("id_token_signing_alg_values_supported");
    }
    let mut checks = vec![if missing.is_empty() {
        Check::pass(
            "OpenID Provider metadata",
            "Every member an OpenID Provider must publish is there.",
            SPEC,
        )
    } else {
        Check::warn(
            "OpenID Provider metadata",
            format!(
                "Missing: {}. Flowlab assumes the defaults, but the document does not describe an OpenID \
                 Provider completely.",
                missing.join(", ")
            ),
            SPEC,
        )
    }];
    let algs = &meta.id_token_signing_alg_values_supported;
    if !algs.is_empty() {
        let usable: Vec<&str> = algs
            .iter()
            .filter(|a| SigAlg::parse(a).is_ok())
            .map(String::as_str)
            .collect();
        let refused: Vec<&str> = algs
            .iter()
            .filter(|a| SigAlg::parse(a).is_err())
            .map(String::as_str)
            .collect();
        let rs256 = algs.iter().any(|a| a == "RS256");
        let detail = format!(
            "It signs ID tokens with {}. Flowlab verifies {}{}{}",
            algs.join(", "),
            if usable.is_empty() {
                "none of them".to_string()
            } else {
                usable.join(", ")
            },
            if refused.is_empty() {
                String::new()
            } else {
                format!(
                    "; it never accepts {} (none and shared-secret HMAC prove nothing to a browser app)",
                    refused.join(", ")
                )
            },
            if rs256 {
                "."
            } else {
                "; RS256, which every OpenID Provider must offer, is not listed."
            }
        );
        // A warning, not a refusal: a plain OAuth 2.0 login needs no ID token, and one that
        // does is refused at its signature with the algorithm named.
        checks.push(if rs256 && !usable.is_empty() {
            Check::pass("signing algorithms", detail, "OIDC Discovery 3")
        } else {
            Check::warn(
                "signing algorithms",
                detail,
                "OIDC Discovery 3; OIDC Core 15.1",
            )
        });
    }
    checks
}

/// An endpoint the chosen flow calls with `fetch` from this page, and the request headers
/// that make the browser ask the provider first (a CORS preflight).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsTarget {
    pub member: &'static str,
    pub url: String,
    pub method: &'static str,
    /// Headers the real request carries beyond the CORS-safelisted ones (with probe values).
    pub headers: Vec<(&'static str, String)>,
    /// The probe's form body: it names the client, as the real request does, because many
    /// providers decide CORS per client; it carries no credential and no grant.
    pub body: Option<String>,
}

/// An endpoint to probe before it is known to exist: member, URL, method, headers and body.
type Wanted = (
    &'static str,
    Option<String>,
    &'static str,
    (Vec<(&'static str, String)>, Option<String>),
);

/// The endpoints the configured flow will call from the browser.
pub fn cors_targets(config: &Config, meta: &ProviderMetadata) -> Vec<CorsTarget> {
    let flow = config.flow;
    let client = config.client_id.trim();
    // The client named as the real request names it (Basic header or form body), with a
    // probe value where the credential goes: a refusal, never a grant.
    let (form_headers, form_body) = if config.auth_method == AuthMethod::ClientSecretBasic {
        let pair = STANDARD.encode(format!("{client}:flowlab-cors-probe"));
        (
            vec![("Authorization", format!("Basic {pair}"))],
            String::new(),
        )
    } else {
        (
            Vec::new(),
            super::url::encode_pairs([("client_id", client)]),
        )
    };
    let form = || (form_headers.clone(), Some(form_body.clone()));
    let bearer = || vec![("Authorization", "Bearer flowlab-cors-probe".to_string())];
    let mut wanted: Vec<Wanted> = Vec::new();
    if flow != Flow::Implicit {
        wanted.push((
            "token_endpoint",
            meta.token_endpoint.clone(),
            "POST",
            form(),
        ));
    }
    if flow == Flow::Device {
        wanted.push((
            "device_authorization_endpoint",
            meta.device_authorization_endpoint.clone(),
            "POST",
            form(),
        ));
    }
    match config.api_url.trim() {
        "" if flow.has_user() => wanted.push((
            "userinfo_endpoint",
            meta.userinfo_endpoint.clone(),
            "GET",
            (bearer(), None),
        )),
        "" => {}
        api => wanted.push(("API URL", Some(api.to_string()), "GET", (bearer(), None))),
    }
    wanted.push((
        "revocation_endpoint",
        meta.revocation_endpoint.clone(),
        "POST",
        form(),
    ));
    if config.auth_method == AuthMethod::PrivateKeyJwt {
        wanted.push((
            "registration_endpoint",
            meta.registration_endpoint.clone(),
            "POST",
            (
                vec![("Content-Type", "application/json".to_string())],
                Some("{}".into()),
            ),
        ));
    }
    wanted
        .into_iter()
        .filter_map(|(member, url, method, (headers, body))| {
            Some(CorsTarget {
                member,
                url: url?,
                method,
                headers,
                body,
            })
        })
        .collect()
}

/// What a probe of one endpoint found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// The answer was readable from this origin (with its status).
    Readable(u16),
    /// Refused with the flow's headers, readable without them: the preflight refused a header.
    HeaderRefused,
    /// The endpoint answered but did not allow this origin at all.
    OriginRefused,
    /// Nothing answered.
    Unreachable,
}

/// The check for one probed endpoint: which origin or header to allow, where.
pub fn cors_check(target: &CorsTarget, probe: &Probe, origin: &str) -> Check {
    const SPEC: &str = "Fetch standard, CORS protocol";
    let what = format!("{} ({} {})", target.member, target.method, target.url);
    let headers: Vec<&str> = target.headers.iter().map(|(k, _)| *k).collect();
    match probe {
        Probe::Readable(status) => Check::pass(
            "CORS",
            format!(
                "{what}: readable from {origin} (HTTP {status} to a probe that names the client but carries no \
                 credential){}.",
                if headers.is_empty() {
                    String::new()
                } else {
                    format!(", preflight for {} accepted", headers.join(", "))
                }
            ),
            SPEC,
        ),
        Probe::HeaderRefused => Check::fail(
            "CORS",
            format!(
                "{what}: the origin is allowed, but the preflight refuses the {} header this flow sends. Allow it at \
                 the provider: Access-Control-Allow-Headers: {}.",
                headers.join(", "),
                headers.join(", ")
            ),
            SPEC,
            ErrorCode::Cors,
        ),
        Probe::OriginRefused => Check::fail(
            "CORS",
            format!(
                "{what}: answers, but not to this page. Allow the origin {origin} at the provider \
                 (Access-Control-Allow-Origin: {origin}{}): usually the client's \"allowed web origins\" or \
                 \"trusted origins\" setting.",
                if headers.is_empty() {
                    String::new()
                } else {
                    format!(", and Access-Control-Allow-Headers: {}", headers.join(", "))
                }
            ),
            SPEC,
            ErrorCode::Cors,
        ),
        Probe::Unreachable => Check::fail(
            "CORS",
            format!("{what}: could not be reached at all (down, or a name that does not resolve)."),
            "Fetch standard, network error",
            ErrorCode::Network,
        ),
    }
}

/// The panel of the CORS probe.
pub fn cors_step() -> Step {
    Step::new(
        StepId::CorsProbe,
        "Can this page call the provider? (CORS)",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        "step/cors-probe",
    )
}

/// Judges the provider's key set: unique kids, what each key is for, RSA sizes, and a key for
/// every algorithm the provider says it signs with.
pub fn jwks_checks(jwks: &Jwks, meta: &ProviderMetadata) -> Vec<Check> {
    let mut checks = Vec::new();
    let sig_keys: Vec<_> = jwks
        .keys
        .iter()
        .filter(|k| k.use_.as_deref() != Some("enc"))
        .collect();
    checks.push(if sig_keys.is_empty() {
        Check::fail(
            "signing keys",
            "The key set holds no signing key: no ID token could be verified.",
            "RFC 7517 5; OIDC Core 10.1",
            ErrorCode::UnknownKey,
        )
    } else {
        Check::pass(
            "signing keys",
            format!(
                "{} signing key(s) of {} in the set.",
                sig_keys.len(),
                jwks.keys.len()
            ),
            "RFC 7517 5",
        )
    });
    let mut dup = Vec::new();
    for (i, k) in jwks.keys.iter().enumerate() {
        if let Some(kid) = &k.kid {
            if jwks.keys[..i].iter().any(|o| o.kid.as_ref() == Some(kid)) && !dup.contains(kid) {
                dup.push(kid.clone());
            }
        }
    }
    let without_kid = sig_keys.iter().filter(|k| k.kid.is_none()).count();
    checks.push(match (dup.is_empty(), without_kid) {
        (true, 0) => Check::pass("unique kid", "Every key has its own kid.", "RFC 7517 4.5; OIDC Core 10.1"),
        (true, n) if sig_keys.len() == 1 => Check::pass(
            "unique kid",
            format!("{n} key without a kid, but it is the only signing key."),
            "RFC 7517 4.5; OIDC Core 10.1",
        ),
        (true, n) => Check::warn(
            "unique kid",
            format!("{n} signing key(s) without a kid among several: a token can only name its key by kid."),
            "RFC 7517 4.5; OIDC Core 10.1",
        ),
        (false, _) => Check::fail(
            "unique kid",
            format!("More than one key has the kid {}: a token's kid must name one key.", dup.join(", ")),
            "RFC 7517 4.5; OIDC Core 10.1",
            ErrorCode::UnknownKey,
        ),
    });
    let unlabelled = sig_keys
        .iter()
        .filter(|k| k.use_.is_none() && k.alg.is_none())
        .count();
    checks.push(if unlabelled == 0 {
        Check::pass("use and alg", "Every signing key says what it is for (use or alg).", "RFC 7517 4.2, 4.4")
    } else {
        Check::warn(
            "use and alg",
            format!("{unlabelled} key(s) have neither use nor alg: they are taken for signing by their type alone."),
            "RFC 7517 4.2, 4.4",
        )
    });
    let small: Vec<String> = sig_keys
        .iter()
        .filter(|k| k.kty == "RSA")
        .filter_map(|k| {
            let bits = URL_SAFE_NO_PAD
                .decode(k.n.as_deref().unwrap_or("").trim_end_matches('='))
                .map(|n| n.iter().skip_while(|b| **b == 0).count() * 8)
                .unwrap_or(0);
            (bits < 2048).then(|| format!("{} ({bits} bits)", k.kid.as_deref().unwrap_or("no kid")))
        })
        .collect();
    if sig_keys.iter().any(|k| k.kty == "RSA") {
        checks.push(if small.is_empty() {
            Check::pass(
                "RSA key size",
                "Every RSA key has at least 2048 bits.",
                "RFC 7518 3.3",
            )
        } else {
            Check::fail(
                "RSA key size",
                format!(
                    "Too small: {}. RSA signature keys must have at least 2048 bits.",
                    small.join(", ")
                ),
                "RFC 7518 3.3",
                ErrorCode::UnknownKey,
            )
        });
    }
    let no_key: Vec<&str> = meta
        .id_token_signing_alg_values_supported
        .iter()
        .filter_map(|a| SigAlg::parse(a).ok())
        .filter(|alg| !sig_keys.iter().any(|k| k.kty == alg.key_type()))
        .map(SigAlg::as_str)
        .collect();
    if !no_key.is_empty() {
        checks.push(Check::warn(
            "a key for each algorithm",
            format!(
                "Discovery lists {} but the set holds no key of that type.",
                no_key.join(", ")
            ),
            "OIDC Discovery 3; RFC 7517 4.1",
        ));
    }
    checks
}

/// The panel of the key set check, with the request.
pub fn jwks_card_step(url: &str) -> Step {
    let mut step = Step::new(
        StepId::Jwks,
        "The provider's signing keys",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        "step/jwks",
    );
    step.request = Some(HttpRecord::request("GET", url).header("Accept", "application/json"));
    step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::jwks::parse_jwks;
    use crate::protocol::step::CheckStatus;

    fn status(c: &[Check], name: &str) -> Option<CheckStatus> {
        c.iter().find(|x| x.name == name).map(|x| x.status)
    }

    #[test]
    fn metadata_members_and_algorithms() {
        let m = ProviderMetadata {
            id_token_signing_alg_values_supported: vec!["RS256".into(), "HS256".into()],
            ..ProviderMetadata::default()
        };
        let c = metadata_checks(&m);
        assert_eq!(
            status(&c, "OpenID Provider metadata"),
            Some(CheckStatus::Warn)
        );
        let algs = c.iter().find(|x| x.name == "signing algorithms").unwrap();
        assert_eq!(algs.status, CheckStatus::Pass);
        assert!(
            algs.detail.contains("never accepts HS256"),
            "{}",
            algs.detail
        );
        let m = ProviderMetadata {
            id_token_signing_alg_values_supported: vec!["HS256".into()],
            ..ProviderMetadata::default()
        };
        assert_eq!(
            status(&metadata_checks(&m), "signing algorithms"),
            Some(CheckStatus::Warn)
        );
    }

    #[test]
    fn cors_targets_follow_the_flow() {
        let meta = ProviderMetadata {
            token_endpoint: Some("https://op/token".into()),
            userinfo_endpoint: Some("https://op/me".into()),
            revocation_endpoint: Some("https://op/revoke".into()),
            device_authorization_endpoint: Some("https://op/device".into()),
            ..ProviderMetadata::default()
        };
        let members = |q: &str| {
            let (c, _) = Config::defaults("https://app/").apply_query(q);
            cors_targets(&c, &meta)
                .into_iter()
                .map(|t| t.member)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            members("flow=pkce"),
            ["token_endpoint", "userinfo_endpoint", "revocation_endpoint"]
        );
        assert_eq!(
            members("flow=implicit"),
            ["userinfo_endpoint", "revocation_endpoint"]
        );
        assert_eq!(
            members("flow=device"),
            [
                "token_endpoint",
                "device_authorization_endpoint",
                "userinfo_endpoint",
                "revocation_endpoint"
            ]
        );
        assert_eq!(
            members("flow=client-credentials&api_url=https%3A%2F%2Fapi"),
            ["token_endpoint", "API URL", "revocation_endpoint"]
        );
        let (c, _) = Config::defaults("https://app/").apply_query("flow=client-credentials");
        let t = cors_targets(&c, &meta);
        // Basic base64 of "flowlab-demo:flowlab-cors-probe": the client named, no credential.
        assert_eq!(
            t[0].headers[0].1,
            "Basic Zmxvd2xhYi1kZW1vOmZsb3dsYWItY29ycy1wcm9iZQ=="
        );
        let (c, _) = Config::defaults("https://app/").apply_query("flow=pkce");
        assert_eq!(
            cors_targets(&c, &meta)[0].body.as_deref(),
            Some("client_id=flowlab-demo")
        );
        let refused = cors_check(&t[0], &Probe::HeaderRefused, "https://app");
        assert!(refused
            .detail
            .contains("Access-Control-Allow-Headers: Authorization"));
        let origin = cors_check(&t[0], &Probe::OriginRefused, "https://app");
        assert!(origin
            .detail
            .contains("Access-Control-Allow-Origin: https://app"));
        assert_eq!(
            cors_check(&t[0], &Probe::Readable(401), "https://app").status,
            CheckStatus::Pass
        );
    }

    #[test]
    fn key_set_rules() {
        let small_n = URL_SAFE_NO_PAD.encode([0xffu8; 128]);
        let big_n = URL_SAFE_NO_PAD.encode([0xffu8; 256]);
        let set = parse_jwks(&format!(
            r#"{{"keys":[{{"kty":"RSA","kid":"a","use":"sig","n":"{big_n}","e":"AQAB"}},
                {{"kty":"RSA","kid":"a","n":"{small_n}","e":"AQAB"}},
                {{"kty":"EC","crv":"P-256","x":"x","y":"y"}}]}}"#
        ))
        .unwrap();
        let meta = ProviderMetadata {
            id_token_signing_alg_values_supported: vec!["RS256".into(), "EdDSA".into()],
            ..ProviderMetadata::default()
        };
        let c = jwks_checks(&set, &meta);
        assert_eq!(status(&c, "unique kid"), Some(CheckStatus::Fail));
        assert_eq!(status(&c, "use and alg"), Some(CheckStatus::Warn));
        let size = c.iter().find(|x| x.name == "RSA key size").unwrap();
        assert!(
            size.failed() && size.detail.contains("1024 bits"),
            "{}",
            size.detail
        );
        assert_eq!(
            status(&c, "a key for each algorithm"),
            Some(CheckStatus::Warn)
        );
        let good = parse_jwks(&format!(
            r#"{{"keys":[{{"kty":"RSA","kid":"a","alg":"RS256","n":"{big_n}","e":"AQAB"}}]}}"#
        ))
        .unwrap();
        let meta = ProviderMetadata {
            id_token_signing_alg_values_supported: vec!["RS256".into()],
            ..ProviderMetadata::default()
        };
        assert!(jwks_checks(&good, &meta)
            .iter()
            .all(|c| c.status == CheckStatus::Pass));
    }
}
