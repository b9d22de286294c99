//! ID token validation (OIDC Core 3.1.3.7, 3.2.2.11, 3.3.2.12) after the signature check.
//!
//! Each rule becomes its own [`Check`], so the panel shows every line, not only the first failure.

use sha2::{Digest, Sha256};

use super::error::ErrorCode;
use super::jwt::{DecodedJwt, SigAlg};
use super::pkce::b64url;
use super::step::Check;
use crate::protocol::step::StepId;

/// Allowed clock difference between the provider and this browser, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 120;

/// What the token must match.
#[derive(Clone, Debug)]
pub struct Expectations<'a> {
    /// The issuer from discovery (identical to the configured one).
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent in the authorization request; `None` when none was sent.
    pub nonce: Option<&'a str>,
    /// Current time, seconds since the epoch.
    pub now: i64,
    /// What at_hash must equal: the half-hash of the access token that came with the ID token,
    /// for this token's algorithm (see [`needs_sha512`]); `None` when no access token came.
    pub at_hash: Option<String>,
    /// at_hash is mandatory (implicit `id_token token`, OIDC Core 3.2.2.10).
    pub require_at_hash: bool,
    /// What c_hash must equal: the half-hash of the authorization code that came with the ID
    /// token (hybrid flow); `None` when no code came.
    pub c_hash: Option<String>,
    /// An earlier ID token of the same session that this one must agree with, and by which
    /// rules.
    pub previous: Option<Previous<'a>>,
}

/// The earlier ID token a new one is compared with; the rules differ by where both came from.
#[derive(Clone, Copy, Debug)]
pub enum Previous<'a> {
    /// After a refresh: the session's first ID token, whose iss, sub, aud (and auth_time,
    /// nonce) the new one must repeat (OIDC Core 12.2).
    Refresh(&'a [(String, super::json::Json)]),
    /// Hybrid: the ID token from the authorization endpoint. iss and sub MUST be identical;
    /// the other claims SHOULD match (OIDC Core 3.3.3.6), so a difference there is a warning.
    Hybrid(&'a [(String, super::json::Json)]),
}

/// The panel of a plain OAuth 2.0 login (no `openid` in the scope): there is no ID token, so
/// nothing says who signed in; what that means is the panel's point.
pub fn no_identity_step() -> super::step::Step {
    use super::step::{Actor, Step, StepKind};
    let mut step = Step::new(
        StepId::NoIdToken,
        "No ID token: plain OAuth 2.0",
        StepKind::Local,
        Actor::App,
        Actor::App,
        "step/no-id-token",
    );
    step.checks.push(Check::skip(
        "ID token",
        "None asked for and none validated: no nonce was sent, no identity is verified.",
        "OIDC Core 3.1.2.1; RFC 6749 1.3",
    ));
    step
}

/// The line on a token step when `openid` was asked but a grant outside OpenID Connect
/// (password, client credentials, device) returned no ID token: named, not refused.
pub fn not_issued_check() -> Check {
    Check::warn(
        "id_token present",
        "The scope included openid, but no ID token came back: the provider issues none for this \
         grant (OpenID Connect defines the ID token for its own flows only). No identity is \
         verified; the API or userinfo is the only source of who this is.",
        "OIDC Core 3.1.3.3; RFC 6749 5.1",
    )
}

/// at_hash and c_hash use the hash of the signature algorithm (OIDC Core 3.1.3.6): SHA-256 for
/// RS256, PS256 and ES256, SHA-512 for EdDSA with Ed25519. The caller computes SHA-512 with
/// WebCrypto, which keeps a second hash implementation out of the wasm.
pub fn needs_sha512(alg: SigAlg) -> bool {
    alg == SigAlg::EdDSA
}

/// BASE64URL of the left-most half of a digest (OIDC Core 3.1.3.6, 3.3.2.11).
pub fn left_half(digest: &[u8]) -> String {
    b64url(&digest[..digest.len() / 2])
}

/// The half-hash of `value` for the SHA-256 algorithms.
pub fn half_hash_sha256(value: &str) -> String {
    left_half(&Sha256::digest(value.as_bytes()))
}

/// Formats a NumericDate for people (UTC, ISO 8601) without a date library.
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `iss` is exactly the discovered issuer (OIDC Core 3.1.3.7 (2)).
pub fn iss_check(jwt: &DecodedJwt, issuer: &str) -> Check {
    const SPEC: &str = "OIDC Core 3.1.3.7 (2)";
    match jwt.str_claim("iss") {
        Some(iss) if iss == issuer => Check::pass(
            "iss",
            "The token was issued by the provider you discovered.",
            SPEC,
        )
        .compared(issuer, iss),
        other => Check::fail(
            "iss",
            "The token's issuer is not the discovered issuer: it may come from another provider.",
            SPEC,
            ErrorCode::IdTokenIssMismatch,
        )
        .compared(issuer, other.unwrap_or("(missing)")),
    }
}

/// `aud` contains the client (OIDC Core 3.1.3.7 (3)).
pub fn aud_check(jwt: &DecodedJwt, client_id: &str) -> Check {
    const SPEC: &str = "OIDC Core 3.1.3.7 (3)";
    let auds = jwt.audiences();
    let aud_text = if auds.is_empty() {
        "(missing)".to_string()
    } else {
        auds.join(", ")
    };
    if auds.iter().any(|a| a == client_id) {
        Check::pass("aud", "The token is meant for this client.", SPEC)
    } else {
        Check::fail(
            "aud",
            "The token was issued to another client: using it here would let that client's tokens sign users in.",
            SPEC,
            ErrorCode::AudMismatch,
        )
    }
    .compared(client_id, aud_text)
}

/// `exp` has not passed, with [`CLOCK_SKEW_SECS`] of tolerance (OIDC Core 3.1.3.7 (9)).
pub fn exp_check(jwt: &DecodedJwt, now: i64) -> Check {
    const SPEC: &str = "OIDC Core 3.1.3.7 (9)";
    let Some(exp) = jwt.time_claim("exp") else {
        return Check::fail(
            "exp",
            "The token has no expiry time (exp).",
            "OIDC Core 2",
            ErrorCode::ClaimMissing,
        );
    };
    if now <= exp + CLOCK_SKEW_SECS {
        Check::pass(
            "exp",
            format!(
                "The token is valid until {} (clock skew allowed: {CLOCK_SKEW_SECS} s).",
                format_time(exp)
            ),
            SPEC,
        )
    } else {
        Check::fail(
            "exp",
            format!("The token expired at {}.", format_time(exp)),
            SPEC,
            ErrorCode::TokenExpired,
        )
    }
    .compared(format!("after {}", format_time(now)), format_time(exp))
}

/// `iat` is not in the future, with [`CLOCK_SKEW_SECS`] of tolerance (OIDC Core 3.1.3.7 (10)).
pub fn iat_check(jwt: &DecodedJwt, now: i64) -> Check {
    const SPEC: &str = "OIDC Core 3.1.3.7 (10)";
    let Some(iat) = jwt.time_claim("iat") else {
        return Check::fail(
            "iat",
            "The token has no issue time (iat).",
            "OIDC Core 2",
            ErrorCode::ClaimMissing,
        );
    };
    if iat <= now + CLOCK_SKEW_SECS {
        Check::pass("iat", format!("Issued at {}.", format_time(iat)), SPEC)
    } else {
        Check::fail(
            "iat",
            format!(
                "The token says it was issued in the future ({}): check the clocks.",
                format_time(iat)
            ),
            SPEC,
            ErrorCode::IatInvalid,
        )
    }
    .compared(format!("not after {}", format_time(now)), format_time(iat))
}

/// Applies every claim rule to a decoded token whose signature was checked separately.
pub fn check_claims(jwt: &DecodedJwt, want: &Expectations<'_>) -> Vec<Check> {
    let mut checks = vec![iss_check(jwt, want.issuer)];

    match jwt.str_claim("sub") {
        Some(s) if !s.is_empty() && s.len() <= 255 => checks.push(Check::pass(
            "sub",
            "The token names the user (a stable identifier at this provider).",
            "OIDC Core 2",
        )),
        _ => checks.push(Check::fail(
            "sub",
            "The token has no valid subject (sub): it does not say who signed in.",
            "OIDC Core 2",
            ErrorCode::ClaimMissing,
        )),
    }

    let auds = jwt.audiences();
    checks.push(aud_check(jwt, want.client_id));
    match jwt.str_claim("azp") {
        Some(azp) if azp == want.client_id => checks.push(
            Check::pass("azp", "The authorized party is this client.", "OIDC Core 3.1.3.7 (4, 5)").compared(want.client_id, azp),
        ),
        Some(azp) => checks.push(
            Check::fail("azp", "The token was obtained by another client (azp).", "OIDC Core 3.1.3.7 (5)", ErrorCode::AzpMismatch)
                .compared(want.client_id, azp),
        ),
        None if auds.len() > 1 => checks.push(Check::fail(
            "azp",
            "The token has several audiences but no azp, so it cannot be told which client obtained it.",
            "OIDC Core 3.1.3.7 (4)",
            ErrorCode::AzpMismatch,
        )),
        None => checks.push(Check::skip("azp", "A single audience and no azp: nothing to compare.", "OIDC Core 3.1.3.7 (4)")),
    }

    checks.push(exp_check(jwt, want.now));
    checks.push(iat_check(jwt, want.now));

    match (want.nonce, jwt.str_claim("nonce")) {
        (Some(sent), Some(got)) if sent == got => checks.push(
            Check::pass("nonce", "The nonce equals the one this login sent: the token is not a replay.", "OIDC Core 3.1.3.7 (11)")
                .compared(sent, got),
        ),
        (Some(sent), got) => checks.push(
            Check::fail(
                "nonce",
                "The nonce differs from the one this login sent: the token may be replayed from another login.",
                "OIDC Core 3.1.3.7 (11)",
                ErrorCode::NonceMismatch,
            )
            .compared(sent, got.unwrap_or("(missing)")),
        ),
        (None, _) => checks.push(Check::skip("nonce", "No nonce was sent with this request.", "OIDC Core 3.1.3.7 (11)")),
    }

    hash_check(
        &mut checks,
        jwt,
        "at_hash",
        want.at_hash.as_deref(),
        want.require_at_hash,
        "OIDC Core 3.2.2.9",
    );
    hash_check(
        &mut checks,
        jwt,
        "c_hash",
        want.c_hash.as_deref(),
        // Computed only for an ID token that came with a code (hybrid), where it is required
        // (OIDC Core 3.3.2.11).
        true,
        "OIDC Core 3.3.2.11",
    );
    match want.previous {
        Some(Previous::Refresh(first)) => {
            checks.extend(super::refresh::same_session_checks(first, jwt))
        }
        Some(Previous::Hybrid(first)) => checks.extend(hybrid_session_checks(first, jwt)),
        None => {}
    }
    checks
}

/// Claims that differ from token to token by nature (when, which copy, what it binds).
const PER_TOKEN: [&str; 9] = [
    "iat", "exp", "nbf", "jti", "at_hash", "c_hash", "s_hash", "nonce", "aud",
];

/// OIDC Core 3.3.3.6: the hybrid flow's second ID token (from the token endpoint) against the
/// first (from the authorization endpoint). `iss` and `sub` MUST be identical: a refusal. Every
/// other claim present in both SHOULD have the same value, and claims about the authentication
/// (auth_time, acr, amr) SHOULD be in both: a warning line for each difference.
pub fn hybrid_session_checks(
    first: &[(String, super::json::Json)],
    second: &DecodedJwt,
) -> Vec<Check> {
    const SPEC: &str = "OIDC Core 3.3.3.6";
    let text = |claims: &[(String, super::json::Json)], name: &str| {
        claims
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| super::json::write(v))
    };
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(missing)".into());
    let mut checks = Vec::new();
    for (name, label) in [
        ("iss", "same iss as the front channel"),
        ("sub", "same sub as the front channel"),
    ] {
        let (a, b) = (text(first, name), text(&second.claims, name));
        let check = if a == b && a.is_some() {
            Check::pass(
                label,
                "Identical in the ID token from the authorization endpoint and the one from the token endpoint: \
                 the same provider says it is the same user.",
                SPEC,
            )
        } else {
            Check::fail(
                label,
                "The token endpoint's ID token names another provider or user than the one that came with the \
                 code: they are not about the same sign-in, and the hybrid flow requires both to be identical.",
                SPEC,
                ErrorCode::SessionMismatch,
            )
        };
        checks.push(check.compared(shown(&a), shown(&b)));
    }
    let mut differing = Vec::new();
    let mut names: Vec<&str> = first.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in &second.claims {
        if !names.contains(&k.as_str()) {
            names.push(k);
        }
    }
    for name in names {
        if matches!(name, "iss" | "sub") || PER_TOKEN.contains(&name) {
            continue;
        }
        let (a, b) = (text(first, name), text(&second.claims, name));
        let about_authentication = matches!(name, "auth_time" | "acr" | "amr");
        let differs = match (&a, &b) {
            (Some(x), Some(y)) => x != y,
            _ => about_authentication,
        };
        if differs {
            differing.push(format!("{name}: {} then {}", shown(&a), shown(&b)));
        }
    }
    checks.push(if differing.is_empty() {
        Check::pass(
            "other claims agree",
            "Every claim present in both ID tokens has the same value, and the authentication claims are in both.",
            SPEC,
        )
    } else {
        Check::warn(
            "other claims agree",
            format!(
                "The two ID tokens differ in {} (front channel, then token endpoint). The spec says they SHOULD \
                 agree, not MUST: the sign-in is accepted, and the token endpoint's values are the ones shown.",
                differing.join("; ")
            ),
            SPEC,
        )
    });
    checks
}

fn hash_check(
    checks: &mut Vec<Check>,
    jwt: &DecodedJwt,
    claim: &'static str,
    expected: Option<&str>,
    required: bool,
    spec: &'static str,
) {
    let what = if claim == "at_hash" {
        "access token"
    } else {
        "authorization code"
    };
    match (expected, jwt.str_claim(claim)) {
        (Some(computed), Some(h)) => {
            if computed == h {
                checks.push(
                    Check::pass(claim, format!("The {what} is the one this ID token was issued with."), spec).compared(computed, h),
                );
            } else {
                checks.push(
                    Check::fail(claim, format!("The {what} was swapped: its hash does not match {claim}."), spec, ErrorCode::HashMismatch)
                        .compared(computed, h),
                );
            }
        }
        (Some(_), None) if required => checks.push(Check::fail(
            claim,
            format!("An {what} came with the ID token through the front channel, but the token has no {claim}."),
            spec,
            ErrorCode::ClaimMissing,
        )),
        (Some(_), None) => checks.push(Check::skip(claim, format!("The token has no {claim}; it is optional here."), spec)),
        (None, _) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::json::{parse, write, Json};
    use crate::protocol::jwt::{decode, tests::make};

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn hybrid_second_id_token_rules() {
        let first = decode(&make(
            r#"{"alg":"RS256"}"#,
            r#"{"iss":"https://op","sub":"alice","auth_time":100,"nonce":"n","c_hash":"x","name":"Alice"}"#,
            b"s",
        ))
        .unwrap();
        let second = |claims: &str| decode(&make(r#"{"alg":"RS256"}"#, claims, b"s")).unwrap();
        let status = |c: &[Check], n: &str| c.iter().find(|x| x.name == n).map(|x| x.status);
        // Another auth_time: a warning worded for the hybrid flow, not a refusal.
        let c = hybrid_session_checks(
            &first.claims,
            &second(
                r#"{"iss":"https://op","sub":"alice","auth_time":101,"name":"Alice","at_hash":"y"}"#,
            ),
        );
        assert!(c.iter().all(|x| !x.failed()), "{c:?}");
        let w = c.iter().find(|x| x.name == "other claims agree").unwrap();
        assert_eq!(w.status, crate::protocol::step::CheckStatus::Warn);
        assert!(w.detail.contains("auth_time: 100 then 101"), "{}", w.detail);
        // The same values (nonce, c_hash and at_hash differ by nature): all pass.
        let c = hybrid_session_checks(
            &first.claims,
            &second(r#"{"iss":"https://op","sub":"alice","auth_time":100,"name":"Alice"}"#),
        );
        assert_eq!(
            status(&c, "other claims agree"),
            Some(crate::protocol::step::CheckStatus::Pass)
        );
        // Another sub: refused.
        let c = hybrid_session_checks(
            &first.claims,
            &second(r#"{"iss":"https://op","sub":"bob","auth_time":100}"#),
        );
        let f = c.iter().find(|x| x.failed()).unwrap();
        assert_eq!(
            (f.name, f.error),
            (
                "same sub as the front channel",
                Some(ErrorCode::SessionMismatch)
            )
        );
    }

    fn want() -> Expectations<'static> {
        Expectations {
            issuer: "https://op.example",
            client_id: "app",
            nonce: Some("n-1"),
            now: NOW,
            at_hash: None,
            require_at_hash: false,
            c_hash: None,
            previous: None,
        }
    }

    fn token(claims: Json) -> DecodedJwt {
        decode(&make(r#"{"alg":"RS256"}"#, &write(&claims), b"s")).unwrap()
    }

    fn good() -> Json {
        parse(&format!(
            r#"{{"iss":"https://op.example","sub":"alice","aud":"app","exp":{},"iat":{},"nonce":"n-1"}}"#,
            NOW + 300,
            NOW - 5
        ))
        .unwrap()
    }

    /// Sets a claim to a JSON text (replacing it, or adding it).
    fn set(mut claims: Json, key: &str, raw: &str) -> Json {
        let value = parse(raw).unwrap();
        if let Json::Object(m) = &mut claims {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(member) => member.1 = value,
                None => m.push((key.into(), value)),
            }
        }
        claims
    }

    fn failure(claims: Json, w: &Expectations<'_>) -> Option<ErrorCode> {
        check_claims(&token(claims), w)
            .iter()
            .find(|c| c.failed())
            .and_then(|c| c.error)
    }

    fn with(key: &str, raw: &str) -> Json {
        set(good(), key, raw)
    }

    #[test]
    fn good_token_passes_every_check() {
        let checks = check_claims(&token(good()), &want());
        assert!(checks.iter().all(|c| !c.failed()), "{checks:?}");
        assert_eq!(checks.len(), 7);
    }

    #[test]
    fn each_rule_fails_on_its_own() {
        let w = want();
        assert_eq!(
            failure(with("iss", r#""https://evil.example""#), &w),
            Some(ErrorCode::IdTokenIssMismatch)
        );
        assert_eq!(
            failure(with("aud", r#""other""#), &w),
            Some(ErrorCode::AudMismatch)
        );
        assert_eq!(
            failure(with("aud", r#"["app","other"]"#), &w),
            Some(ErrorCode::AzpMismatch)
        );
        assert_eq!(
            failure(with("azp", r#""other""#), &w),
            Some(ErrorCode::AzpMismatch)
        );
        assert_eq!(
            failure(with("exp", &(NOW - CLOCK_SKEW_SECS - 1).to_string()), &w),
            Some(ErrorCode::TokenExpired)
        );
        assert_eq!(
            failure(with("iat", &(NOW + CLOCK_SKEW_SECS + 1).to_string()), &w),
            Some(ErrorCode::IatInvalid)
        );
        assert_eq!(
            failure(with("nonce", r#""n-2""#), &w),
            Some(ErrorCode::NonceMismatch)
        );
        assert_eq!(
            failure(with("sub", r#""""#), &w),
            Some(ErrorCode::ClaimMissing)
        );
        let mut no_nonce = good();
        if let Json::Object(m) = &mut no_nonce {
            m.retain(|(k, _)| k != "nonce");
        }
        assert_eq!(failure(no_nonce, &w), Some(ErrorCode::NonceMismatch));
    }

    #[test]
    fn skew_is_tolerated() {
        let w = want();
        assert_eq!(
            failure(with("exp", &(NOW - CLOCK_SKEW_SECS).to_string()), &w),
            None
        );
        assert_eq!(
            failure(with("iat", &(NOW + CLOCK_SKEW_SECS).to_string()), &w),
            None
        );
        assert_eq!(
            failure(set(with("aud", r#"["app","x"]"#), "azp", r#""app""#), &w),
            None
        );
    }

    /// OIDC Core A.3: the example at_hash for this access token.
    #[test]
    fn at_hash_spec_vector_and_rules() {
        let at = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(half_hash_sha256(at), "77QmUPtjPfzWtF2AnpK9RQ");
        let mut w = want();
        w.at_hash = Some(half_hash_sha256(at));
        w.require_at_hash = true;
        assert_eq!(
            failure(with("at_hash", r#""77QmUPtjPfzWtF2AnpK9RQ""#), &w),
            None
        );
        assert_eq!(
            failure(with("at_hash", r#""AAAA""#), &w),
            Some(ErrorCode::HashMismatch)
        );
        assert_eq!(failure(good(), &w), Some(ErrorCode::ClaimMissing));
        w.require_at_hash = false;
        assert_eq!(failure(good(), &w), None);
    }

    /// OIDC Core A.4: c_hash for the example code.
    #[test]
    fn c_hash_spec_vector() {
        let code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
        assert_eq!(half_hash_sha256(code), "LDktKdoQak3Pk0cnXxCltA");
        let mut w = want();
        w.c_hash = Some(half_hash_sha256(code));
        assert_eq!(
            failure(with("c_hash", r#""LDktKdoQak3Pk0cnXxCltA""#), &w),
            None
        );
        assert_eq!(
            failure(with("c_hash", r#""x""#), &w),
            Some(ErrorCode::HashMismatch)
        );
    }

    #[test]
    fn sha512_half_for_eddsa() {
        use sha2::Sha512;
        assert!(needs_sha512(SigAlg::EdDSA) && !needs_sha512(SigAlg::ES256));
        let half = left_half(&Sha512::digest(b"token"));
        // 32 of SHA-512's 64 bytes, base64url: 43 characters.
        assert_eq!(half.len(), 43);
        assert_ne!(half, half_hash_sha256("token"));
    }

    #[test]
    fn formats_times() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(1_767_225_600), "2026-01-01 00:00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
