//! The JWT inspector: any pasted JWS (an ID token, a JWT access token per RFC 9068, a logout
//! token) decoded and explained, and optionally verified against a provider's keys, found by
//! issuer discovery (OIDC Discovery 4) or given as a JWKS URL (RFC 7517 5).
//!
//! Unlike the login's ID token checks, nothing here is expected of the token beyond what the user
//! names: without an issuer the `iss` check is skipped, without an audience the `aud` check, and
//! a missing `exp` is noted rather than refused (not every JWT is an ID token).

use super::error::{ErrorCode, FlowError};
use super::idtoken::{aud_check, exp_check, format_time, iat_check, iss_check, CLOCK_SKEW_SECS};
use super::jwt::DecodedJwt;
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use super::url::require_secure_endpoint;
use crate::protocol::step::StepId;

/// Where the inspector finds the keys to check the signature with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Decode and explain only; the signature is not checked.
    None,
    /// The issuer's discovery document names its `jwks_uri`; the token's `iss` must be it.
    Issuer(String),
    /// A JWKS URL given directly.
    Jwks(String),
}

impl KeySource {
    /// Reads the inspector's choice (`via`: empty, `issuer` or `jwks`) and URL. With `issuer`
    /// and no URL, the configured issuer is used.
    pub fn parse(via: &str, url: &str, configured_issuer: &str) -> Result<KeySource, FlowError> {
        let url = url.trim();
        match via {
            "" => Ok(KeySource::None),
            "issuer" if url.is_empty() => Ok(KeySource::Issuer(configured_issuer.trim().into())),
            "issuer" => Ok(KeySource::Issuer(url.into())),
            "jwks" if url.is_empty() => Err(FlowError::new(
                ErrorCode::InvalidConfig,
                "Enter the JWKS URL to check the signature with.",
            )),
            "jwks" => {
                require_secure_endpoint("The JWKS URL", url)?;
                Ok(KeySource::Jwks(url.into()))
            }
            other => Err(FlowError::new(
                ErrorCode::InvalidConfig,
                format!(
                    "\"{}\" is not a way to find keys (issuer, jwks).",
                    super::http::excerpt(other, 20)
                ),
            )),
        }
    }
}

/// What the inspector does, in plain words.
const EXPLAIN: &str = "step/inspect";

/// The inspector's step for `token`, before any check: the token itself (masked until revealed).
pub fn inspect_step(token: &str) -> Step {
    let mut step = Step::new(
        StepId::Inspect,
        "Inspect the JWT",
        StepKind::Local,
        Actor::App,
        Actor::App,
        EXPLAIN,
    );
    step.request = Some(
        HttpRecord::default()
            .body(token.trim())
            .secret(token.trim()),
    );
    step
}

/// Adds what decoding shows to the step: the header members and claims, each explained, and
/// both as JSON.
pub fn describe(step: &mut Step, jwt: &DecodedJwt) {
    step.params = jwt.described();
    step.response = Some(HttpRecord::default().body(format!(
        "{}\n.\n{}",
        super::json::write(&jwt.header_json),
        jwt.claims_pretty()
    )));
}

/// The claim checks that apply to any JWT: `iss` when the issuer is known, `aud` when an
/// audience is named, `exp`, `nbf` and `iat` when present.
pub fn claim_checks(
    jwt: &DecodedJwt,
    now: i64,
    issuer: Option<&str>,
    audience: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.push(match issuer {
        Some(i) => iss_check(jwt, i),
        None => Check::skip(
            "iss",
            "No issuer to compare with: verify by the issuer's discovery to check it.",
            "RFC 7519 4.1.1",
        ),
    });
    let audience = audience.trim();
    checks.push(if audience.is_empty() {
        Check::skip(
            "aud",
            "No audience named: enter the client ID (or API) the token must be meant for to check it.",
            "RFC 7519 4.1.3",
        )
    } else {
        aud_check(jwt, audience)
    });
    checks.push(if jwt.claim("exp").is_some() {
        exp_check(jwt, now)
    } else {
        Check::skip(
            "exp",
            "No expiry time: this token never expires (allowed for some JWTs, never for ID tokens).",
            "RFC 7519 4.1.4",
        )
    });
    if let Some(nbf) = jwt.time_claim("nbf") {
        let check = if nbf <= now + CLOCK_SKEW_SECS {
            Check::pass(
                "nbf",
                format!("Valid since {}.", format_time(nbf)),
                "RFC 7519 4.1.5",
            )
        } else {
            Check::fail(
                "nbf",
                format!("The token is not valid before {}.", format_time(nbf)),
                "RFC 7519 4.1.5",
                ErrorCode::NotYetValid,
            )
        };
        checks.push(check.compared(format!("not after {}", format_time(now)), format_time(nbf)));
    }
    if jwt.claim("iat").is_some() {
        checks.push(iat_check(jwt, now));
    }
    checks
}

/// The inspector's result: the first failed check as an error, or a sentence saying what was
/// established.
pub fn verdict(step: &Step, verified: bool) -> Result<String, FlowError> {
    if let Some(c) = step.first_failure() {
        return Err(FlowError::new(
            c.error.unwrap_or(ErrorCode::MalformedJwt),
            format!("JWT check \u{201c}{}\u{201d} failed: {}", c.name, c.detail),
        )
        .spec(c.spec));
    }
    Ok(if verified {
        "The JWT's signature verified with the issuer's published key, and every check that applies passed."
    } else {
        "The JWT is decoded below. Its signature was not checked: choose an issuer or a JWKS URL to verify it."
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::jwt::{decode, tests::make};
    use crate::protocol::step::CheckStatus;

    const NOW: i64 = 1_800_000_000;

    fn status(checks: &[Check], name: &str) -> Option<CheckStatus> {
        checks.iter().find(|c| c.name == name).map(|c| c.status)
    }

    #[test]
    fn key_source_choices() {
        assert_eq!(KeySource::parse("", "x", "i"), Ok(KeySource::None));
        assert_eq!(
            KeySource::parse("issuer", " ", "https://op.example"),
            Ok(KeySource::Issuer("https://op.example".into()))
        );
        assert_eq!(
            KeySource::parse("issuer", "https://other.example", "https://op.example"),
            Ok(KeySource::Issuer("https://other.example".into()))
        );
        assert_eq!(
            KeySource::parse("jwks", "https://op.example/jwks", ""),
            Ok(KeySource::Jwks("https://op.example/jwks".into()))
        );
        let code = |r: Result<KeySource, FlowError>| r.err().map(|e| e.code);
        assert_eq!(
            code(KeySource::parse("jwks", "", "")),
            Some(ErrorCode::InvalidConfig)
        );
        assert_eq!(
            code(KeySource::parse("jwks", "http://evil.example/jwks", "")),
            Some(ErrorCode::InsecureEndpoint)
        );
        assert_eq!(
            code(KeySource::parse("ftp", "", "")),
            Some(ErrorCode::InvalidConfig)
        );
    }

    #[test]
    fn checks_only_what_applies() {
        // No iss to compare, no audience named, no exp, nbf, iat.
        let jwt = decode(&make(r#"{"alg":"RS256"}"#, r#"{"sub":"x"}"#, b"sig")).unwrap();
        let c = claim_checks(&jwt, NOW, None, "");
        assert_eq!(status(&c, "iss"), Some(CheckStatus::Skip));
        assert_eq!(status(&c, "aud"), Some(CheckStatus::Skip));
        assert_eq!(status(&c, "exp"), Some(CheckStatus::Skip));
        assert_eq!(status(&c, "nbf"), None);
        assert_eq!(status(&c, "iat"), None);
        assert!(c.iter().all(|c| !c.failed()));
    }

    #[test]
    fn checks_against_what_is_named() {
        let claims = format!(
            r#"{{"iss":"https://op.example","aud":["api","app"],"exp":{},"nbf":{},"iat":{}}}"#,
            NOW - 10,
            NOW + 1000,
            NOW - 500
        );
        let jwt = decode(&make(r#"{"alg":"ES256"}"#, &claims, b"sig")).unwrap();
        let c = claim_checks(&jwt, NOW, Some("https://op.example"), " app ");
        assert_eq!(status(&c, "iss"), Some(CheckStatus::Pass));
        assert_eq!(status(&c, "aud"), Some(CheckStatus::Pass));
        // Expired 10 s ago: within the clock skew.
        assert_eq!(status(&c, "exp"), Some(CheckStatus::Pass));
        assert_eq!(status(&c, "nbf"), Some(CheckStatus::Fail));
        assert_eq!(status(&c, "iat"), Some(CheckStatus::Pass));
        let c = claim_checks(&jwt, NOW, Some("https://other.example"), "nobody");
        assert_eq!(status(&c, "iss"), Some(CheckStatus::Fail));
        assert_eq!(status(&c, "aud"), Some(CheckStatus::Fail));

        let mut step = inspect_step("a.b.c");
        step.checks = c;
        let e = verdict(&step, true).unwrap_err();
        assert_eq!(e.code, ErrorCode::IdTokenIssMismatch);
        assert!(e.message.contains("iss"), "{}", e.message);
    }

    #[test]
    fn step_masks_the_token_and_explains_the_claims() {
        let token = make(
            r#"{"alg":"RS256","kid":"k1","typ":"at+jwt"}"#,
            r#"{"sub":"alice","scope":"read"}"#,
            b"sig",
        );
        let mut step = inspect_step(&format!(" {token}\n"));
        let jwt = decode(&token).unwrap();
        describe(&mut step, &jwt);
        let req = step.request.as_ref().unwrap();
        assert_eq!(req.secrets, vec![token.clone()]);
        assert!(!req.masked().to_text().contains(&token));
        let names: Vec<&str> = step.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["alg", "kid", "typ", "sub", "scope"]);
        assert!(
            step.params.iter().all(|p| !p.meaning.is_empty()),
            "{:?}",
            step.params
        );
        let body = step.response.as_ref().and_then(|r| r.body.clone()).unwrap();
        assert!(
            body.contains("\"kid\"") && body.contains("\"alice\""),
            "{body}"
        );
        assert!(verdict(&step, false).unwrap().contains("not checked"));
    }
}
