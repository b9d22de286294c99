//! DPoP, sender-constrained tokens (RFC 9449): the pure part (`flows::dpop` signs and sends).
//!
//! The key is the tab's non-extractable WebCrypto ECDSA P-256 key, the same kind as
//! `private_key_jwt`'s ([`PublicKey`]). This module builds the proof's bytes to sign (RFC 9449
//! 4.2), names the key by its RFC 7638 thumbprint (`dpop_jkt`, RFC 9449 10; `cnf.jkt`, 6.1),
//! computes `ath` (4.2), judges what comes back (the token type, the binding of a JWT access
//! token), and recognises a server's demand for a nonce (8, 9).

use super::assertion::PublicKey;
use super::error::{ErrorCode, FlowError};
use super::http::HttpAnswer;
use super::json::{parse, text, write};
use super::jwt::decode;
use super::pkce::b64url;
use super::step::{Actor, Check, HttpRecord, Step, StepId, StepKind};
use super::token::TokenSet;
use sha2::{Digest, Sha256};

/// `htu`: the request URI without its query and fragment (RFC 9449 4.2).
pub fn htu(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// `ath`: base64url of the SHA-256 of the access token (RFC 9449 4.2), for proofs sent to a
/// resource server with that token.
pub fn ath(access_token: &str) -> String {
    b64url(&Sha256::digest(access_token.as_bytes()))
}

/// The public JWK in the proof's header: the required members only (no `d` can be there:
/// WebCrypto never exports the private half of this key).
pub fn proof_jwk(key: &PublicKey) -> String {
    format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
        key.x, key.y
    )
}

/// What one proof says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof<'a> {
    /// The HTTP method of the request the proof is for.
    pub htm: &'a str,
    /// The request's URL (query and fragment are left out of `htu`).
    pub url: &'a str,
    /// Seconds since the epoch.
    pub iat: i64,
    /// A fresh random value per proof: servers refuse a replay.
    pub jti: &'a str,
    /// The access token the request carries (resource server calls): bound by `ath`.
    pub access_token: Option<&'a str>,
    /// The server's nonce, when it demanded one (RFC 9449 8, 9).
    pub nonce: Option<&'a str>,
}

/// `BASE64URL(header) . BASE64URL(claims)` of a DPoP proof (RFC 9449 4.2): `typ` dpop+jwt,
/// ES256, the public `jwk`; `jti`, `htm`, `htu`, `iat`, and `ath` and `nonce` where they apply.
pub fn signing_input(key: &PublicKey, proof: &Proof<'_>) -> String {
    let header = format!(
        r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{}}}"#,
        proof_jwk(key)
    );
    let mut claims = format!(
        r#"{{"jti":{},"htm":{},"htu":{},"iat":{}"#,
        write(&text(proof.jti)),
        write(&text(proof.htm)),
        write(&text(htu(proof.url))),
        proof.iat
    );
    if let Some(t) = proof.access_token {
        claims.push_str(&format!(r#","ath":"{}""#, ath(t)));
    }
    if let Some(n) = proof.nonce {
        claims.push_str(&format!(r#","nonce":{}"#, write(&text(n))));
    }
    claims.push('}');
    format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    )
}

/// The token type a DPoP token request must get back: `DPoP`, compared case-insensitively
/// (RFC 9449 5). A Bearer answer means the provider ignored the proof: the tokens are not bound,
/// and a thief could use them; refused with its own code.
pub fn token_type_check(token_type: &str) -> Check {
    const SPEC: &str = "RFC 9449 5";
    if token_type.eq_ignore_ascii_case("DPoP") {
        Check::pass(
            "token_type DPoP",
            "The provider bound the access token to this tab's key: it is useless without a proof signed by it.",
            SPEC,
        )
    } else {
        Check::fail(
            "token_type DPoP",
            format!(
                "The request carried a DPoP proof but the answer's token_type is \"{token_type}\": the provider \
                 ignored the proof, so the tokens are not bound to this tab's key. Refused."
            ),
            SPEC,
            ErrorCode::DpopNotBound,
        )
        .compared("DPoP", token_type)
    }
}

/// What a JWT access token says of its binding: `Some(None)` for a JWT without `cnf.jkt`,
/// `None` for an opaque token the app cannot read.
fn cnf_jkt(access_token: &str) -> Option<Option<String>> {
    let jwt = decode(access_token).ok()?;
    Some(
        jwt.claim("cnf")
            .and_then(|c| c.get("jkt"))
            .and_then(|j| j.as_str())
            .map(String::from),
    )
}

/// Where the thumbprint `jkt` of the key travels (the binding view): (where, value, spec).
/// `code_bound`: whether the authorization request carried `dpop_jkt`.
pub fn binding_rows(
    jkt: &str,
    code_bound: bool,
    access_token: &str,
    token_type: &str,
) -> Vec<(&'static str, String, &'static str)> {
    let cnf = match cnf_jkt(access_token) {
        Some(Some(j)) => j,
        Some(None) => "(none: the JWT access token names no key)".into(),
        None => "(the token is opaque: the provider keeps the binding, the API looks it up)".into(),
    };
    let code = if code_bound {
        jkt.to_string()
    } else {
        "(not sent: see the authorization request's dpop_jkt line)".into()
    };
    vec![
        ("This tab's key", jkt.to_string(), "RFC 7638"),
        ("dpop_jkt (authorization request)", code, "RFC 9449 10"),
        (
            "jwk in every proof's header",
            jkt.to_string(),
            "RFC 9449 4.2",
        ),
        ("cnf.jkt (access token)", cnf, "RFC 9449 6.1"),
        ("ath (API proofs)", ath(access_token), "RFC 9449 4.2"),
        ("token_type", token_type.to_string(), "RFC 9449 5"),
    ]
}

/// Whether a JWT access token is bound to the key with `thumbprint` (`cnf.jkt`, RFC 9449 6.1).
/// An opaque token cannot be read by the app: a skip line says the resource server checks it.
pub fn binding_check(access_token: &str, thumbprint: &str) -> Check {
    const SPEC: &str = "RFC 9449 6.1";
    let Some(jkt) = cnf_jkt(access_token) else {
        return Check::skip(
            "cnf.jkt",
            "The access token is opaque to the app: only the resource server (or introspection) sees its binding.",
            SPEC,
        );
    };
    match jkt {
        Some(j) if j == thumbprint => Check::pass(
            "cnf.jkt",
            "The access token names this tab's key by its thumbprint: it is bound to it.",
            SPEC,
        )
        .compared(thumbprint, j),
        Some(j) => Check::fail(
            "cnf.jkt",
            "The access token is bound to another key than this tab's.",
            SPEC,
            ErrorCode::DpopNotBound,
        )
        .compared(thumbprint, j),
        None => Check::fail(
            "cnf.jkt",
            "The access token is a JWT without cnf.jkt: it is not bound to any key.",
            SPEC,
            ErrorCode::DpopNotBound,
        )
        .compared(thumbprint, "(missing)"),
    }
}

/// The checks on tokens a DPoP request obtained (RFC 9449 5, 6.1), and the error of the first
/// that failed: tokens that are not bound are refused (a thief could use them).
pub fn token_checks(tokens: &TokenSet, thumbprint: &str) -> (Vec<Check>, Result<(), FlowError>) {
    let mut checks = vec![token_type_check(&tokens.token_type)];
    if let Some(at) = &tokens.access_token {
        checks.push(binding_check(at, thumbprint));
    }
    let result = match checks.iter().find_map(Check::as_error) {
        Some(e) => Err(e),
        None => Ok(()),
    };
    (checks, result)
}

/// After a refresh: the new access token is bound to the same key as the first (RFC 9449 5).
pub fn binding_kept_check(before: Option<&str>, now: &str) -> Check {
    const SPEC: &str = "RFC 9449 5";
    match before {
        Some(b) if b == now => Check::pass(
            "binding kept",
            "The refresh request carried a proof of the same key, and the new tokens are bound to it: a refresh \
             cannot move the session to another key.",
            SPEC,
        )
        .compared(b, now),
        Some(b) => Check::fail(
            "binding kept",
            "The new tokens are bound to another key than the session's.",
            SPEC,
            ErrorCode::DpopNotBound,
        )
        .compared(b, now),
        None => Check::fail(
            "binding kept",
            "The session's tokens were not bound to a key; the refreshed ones are: DPoP was turned on after \
             sign-in. Sign in again with DPoP.",
            SPEC,
            ErrorCode::DpopNotBound,
        ),
    }
}

/// Where a nonce demand came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceFrom {
    /// The authorization server: HTTP 400, `{"error":"use_dpop_nonce"}` (RFC 9449 8).
    AuthorizationServer,
    /// A resource server: HTTP 401, `WWW-Authenticate: DPoP error="use_dpop_nonce"` (9).
    ResourceServer,
}

/// The nonce a server demands, when its answer is such a demand (its `DPoP-Nonce` header, and
/// the `use_dpop_nonce` error in the body at the authorization server or in `WWW-Authenticate`
/// at a resource server): the request is then sent once more with a proof that carries it.
pub fn nonce_demand(answer: &HttpAnswer) -> Option<(NonceFrom, String)> {
    let nonce = answer
        .header("dpop-nonce")
        .map(str::trim)
        .filter(|n| !n.is_empty())?;
    // RFC 9449 8.1: a nonce is visible ASCII (NQCHAR); anything else is not used.
    if !nonce
        .bytes()
        .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
    {
        return None;
    }
    let from = match answer.status {
        400 => {
            let v = parse(&answer.body)?;
            (v.get("error")?.as_str()? == "use_dpop_nonce")
                .then_some(NonceFrom::AuthorizationServer)?
        }
        401 => {
            let w = answer.header("www-authenticate")?;
            let dpop = w.trim_start().get(..4)?.eq_ignore_ascii_case("DPoP");
            (dpop && w.contains("use_dpop_nonce")).then_some(NonceFrom::ResourceServer)?
        }
        _ => return None,
    };
    Some((from, nonce.to_string()))
}

/// The line on a request a server answered with a nonce demand: not a failure, the protocol
/// at work (RFC 9449 8, 9).
pub fn nonce_check(from: NonceFrom, nonce: &str) -> Check {
    let (who, spec) = match from {
        NonceFrom::AuthorizationServer => ("The authorization server", "RFC 9449 8"),
        NonceFrom::ResourceServer => ("The resource server", "RFC 9449 9"),
    };
    Check::pass(
        "use_dpop_nonce",
        format!(
            "{who} wants proofs to carry a nonce it chose (DPoP-Nonce: {nonce}), so a proof made in advance \
             is worthless: the request goes once more, with a new proof that includes it."
        ),
        spec,
    )
}

/// The step of the same request sent again with the server's nonce (its request is filled in
/// by the caller, with the new proof).
pub fn retry_step(first: &Step) -> Step {
    Step::new(
        StepId::NonceRetry,
        "Send it again with the server's DPoP nonce",
        first.kind,
        first.from,
        first.to,
        "step/nonce-retry",
    )
}

/// The line that says what a proof is, on the step that sends it.
pub fn proof_check(key: &PublicKey, htm: &str, url: &str, bound_to_token: bool) -> Check {
    let ath = if bound_to_token {
        ", ath (the access token's hash)"
    } else {
        ""
    };
    Check::pass(
        "DPoP proof",
        format!(
            "A JWT of type dpop+jwt, signed (ES256) by this tab's non-extractable key, with the public key \
             only (thumbprint {}), htm {htm}, htu {}, iat, a fresh jti{ath}. Made for this request alone.",
            key.thumbprint(),
            htu(url)
        ),
        "RFC 9449 4.2",
    )
}

/// The authorization request's `dpop_jkt` (RFC 9449 10), or why it is not sent: in the
/// redirect window the page that asks is gone before the answer comes, and with it the key
/// (kept in memory only); the key is made on the callback page, and only the tokens are bound.
pub fn code_binding_check(jkt: Option<&str>) -> Check {
    const SPEC: &str = "RFC 9449 10";
    match jkt {
        Some(j) => Check::pass(
            "dpop_jkt",
            format!(
                "The authorization code is bound to this tab's key (thumbprint {j}): only a token request \
                 with a proof of that key can redeem it."
            ),
            SPEC,
        ),
        None => Check::skip(
            "dpop_jkt",
            "Not sent: in the redirect window this page is gone before the answer comes back, and the DPoP \
             key lives in its memory only (never in storage). The callback page makes the key; the tokens are \
             bound to it, the code is protected by PKCE alone. The popup window binds the code too.",
            SPEC,
        ),
    }
}

/// The two replays of "Steal the token": `with_key` false is the token alone as a Bearer
/// token, true is the token with a proof from another key (the thief's).
pub fn steal_step(url: &str, access_token: &str, with_key: bool) -> Step {
    let (id, title, scheme) = if with_key {
        (
            StepId::StealOtherKey,
            "A thief replays the token with a proof of their own key",
            "DPoP",
        )
    } else {
        (
            StepId::StealBearer,
            "A thief replays the token as a plain Bearer token",
            "Bearer",
        )
    };
    let mut step = Step::new(
        id,
        title,
        StepKind::BackChannel,
        Actor::App,
        Actor::ResourceServer,
        "step/steal",
    );
    let mut request = HttpRecord::request("GET", url)
        .header("Authorization", &format!("{scheme} {access_token}"))
        .secret(access_token);
    if with_key {
        request = request.header(
            "DPoP",
            "(a proof signed by another key than the one the token is bound to)",
        );
    }
    step.request = Some(request.header("Accept", "application/json"));
    step
}

/// Whether the API refused a replayed token, as it must (RFC 9449 7.1).
pub fn judge_steal(answer: &HttpAnswer, with_key: bool) -> Check {
    const SPEC: &str = "RFC 9449 7.1";
    let name = if with_key {
        "other key refused"
    } else {
        "Bearer replay refused"
    };
    if (400..500).contains(&answer.status) {
        let why = answer
            .header("www-authenticate")
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        Check::pass(
            name,
            format!(
                "The API refused it with HTTP {}{why}: the token is worthless without this tab's key.",
                answer.status
            ),
            SPEC,
        )
    } else {
        Check::fail(
            name,
            format!(
                "The API answered HTTP {}: it accepted a bound token without a proof of the key it is bound to. \
                 It does not enforce DPoP, so a stolen token works there.",
                answer.status
            ),
            SPEC,
            ErrorCode::DpopNotBound,
        )
    }
}

/// The assembled proof, checked before it is sent: a compact JWS whose header has no private
/// key member (a proof must never carry `d`).
pub fn check_proof(jws: &str) -> Result<(), FlowError> {
    let jwt = decode(jws)?;
    let private = jwt
        .header_json
        .get("jwk")
        .and_then(|j| j.get("d"))
        .is_some();
    if private {
        return Err(FlowError::new(
            ErrorCode::Browser,
            "The DPoP proof's header would carry a private key member: not sent.",
        )
        .spec("RFC 9449 4.2"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::assertion::assemble;
    use crate::protocol::json::Json;
    use crate::protocol::jwt::tests::make;

    fn key() -> PublicKey {
        PublicKey {
            x: "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0".into(),
            y: "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps".into(),
        }
    }

    #[test]
    fn htu_and_ath() {
        assert_eq!(htu("https://as/token?x=1#f"), "https://as/token");
        assert_eq!(htu("https://rs/api"), "https://rs/api");
        // RFC 9449 7.1's example: ath of "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn the_proof_says_what_it_must() {
        let input = signing_input(
            &key(),
            &Proof {
                htm: "GET",
                url: "https://rs.example/api?q=1",
                iat: 1_800_000_000,
                jti: "j-1",
                access_token: Some("AT"),
                nonce: Some("n\"1"),
            },
        );
        let jws = assemble(&input, &[7u8; 64]).unwrap();
        check_proof(&jws).unwrap();
        let jwt = decode(&jws).unwrap();
        assert_eq!(
            jwt.header_json.get("typ").and_then(Json::as_str),
            Some("dpop+jwt")
        );
        assert_eq!(
            jwt.header_json.get("alg").and_then(Json::as_str),
            Some("ES256")
        );
        let jwk = jwt.header_json.get("jwk").unwrap();
        assert_eq!(jwk.get("x").and_then(Json::as_str), Some(key().x.as_str()));
        assert!(jwk.get("d").is_none());
        assert_eq!(jwt.str_claim("htu"), Some("https://rs.example/api"));
        assert_eq!(jwt.str_claim("htm"), Some("GET"));
        assert_eq!(jwt.str_claim("ath"), Some(ath("AT").as_str()));
        assert_eq!(jwt.str_claim("nonce"), Some("n\"1"));
        assert_eq!(jwt.time_claim("iat"), Some(1_800_000_000));
        // A token request's proof has no ath; without a nonce, no nonce.
        let input = signing_input(
            &key(),
            &Proof {
                htm: "POST",
                url: "https://as/token",
                iat: 1,
                jti: "j-2",
                access_token: None,
                nonce: None,
            },
        );
        let jwt = decode(&assemble(&input, &[1u8; 64]).unwrap()).unwrap();
        assert!(jwt.claim("ath").is_none() && jwt.claim("nonce").is_none());
        // A header with a private member is never sent.
        let leaky = make(
            r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","d":"secret"}}"#,
            "{}",
            &[0; 64],
        );
        assert!(check_proof(&leaky).is_err());
    }

    #[test]
    fn token_type_and_binding() {
        assert!(!token_type_check("dpop").failed());
        let bearer = token_type_check("Bearer");
        assert_eq!(bearer.error, Some(ErrorCode::DpopNotBound));
        let jkt = key().thumbprint();
        let bound = make(
            r#"{"alg":"RS256"}"#,
            &format!(r#"{{"cnf":{{"jkt":"{jkt}"}}}}"#),
            b"s",
        );
        assert!(!binding_check(&bound, &jkt).failed());
        let other = make(r#"{"alg":"RS256"}"#, r#"{"cnf":{"jkt":"other"}}"#, b"s");
        assert!(binding_check(&other, &jkt).failed());
        let unbound = make(r#"{"alg":"RS256"}"#, r#"{"sub":"a"}"#, b"s");
        assert!(binding_check(&unbound, &jkt).failed());
        assert_eq!(
            binding_check("opaque-token", &jkt).status,
            crate::protocol::step::CheckStatus::Skip
        );
    }

    #[test]
    fn nonce_demands_from_both_servers() {
        let answer = |status, body: &str, nonce: Option<&str>, www: Option<&str>| HttpAnswer {
            status,
            content_type: Some("application/json".into()),
            body: body.into(),
            headers: [("dpop-nonce", nonce), ("www-authenticate", www)]
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?.to_string())))
                .collect(),
        };
        const AS_BODY: &str = r#"{"error":"use_dpop_nonce","error_description":"x"}"#;
        let as_demand = answer(400, AS_BODY, Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"), None);
        assert_eq!(
            nonce_demand(&as_demand),
            Some((
                NonceFrom::AuthorizationServer,
                "eyJ7S_zG.eyJH0-Z.HX4w-7v".into()
            ))
        );
        assert_eq!(nonce_demand(&answer(400, AS_BODY, None, None)), None);
        assert_eq!(
            nonce_demand(&answer(
                400,
                r#"{"error":"invalid_grant"}"#,
                Some("n"),
                None
            )),
            None
        );
        let rs = answer(
            401,
            "",
            Some("n-1"),
            Some(
                r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
            ),
        );
        assert_eq!(
            nonce_demand(&rs),
            Some((NonceFrom::ResourceServer, "n-1".into()))
        );
        assert_eq!(
            nonce_demand(&answer(
                401,
                "",
                Some("n-1"),
                Some(r#"Bearer error="invalid_token""#)
            )),
            None
        );
        // A nonce that is not visible ASCII is not used.
        assert_eq!(
            nonce_demand(&answer(400, AS_BODY, Some("bad nonce"), None)),
            None
        );
    }

    #[test]
    fn tokens_must_come_back_bound() {
        let jkt = key().thumbprint();
        let tokens = |token_type: &str, at: &str| TokenSet {
            access_token: Some(at.into()),
            token_type: token_type.into(),
            expires_in: None,
            id_token: None,
            refresh_token: None,
            scope: None,
        };
        let (checks, ok) = token_checks(&tokens("DPoP", "opaque"), &jkt);
        assert!(ok.is_ok() && checks.len() == 2);
        let (_, bearer) = token_checks(&tokens("Bearer", "opaque"), &jkt);
        assert_eq!(bearer.unwrap_err().code, ErrorCode::DpopNotBound);
        let other = make(r#"{"alg":"RS256"}"#, r#"{"cnf":{"jkt":"other"}}"#, b"s");
        assert!(token_checks(&tokens("DPoP", &other), &jkt).1.is_err());
        assert!(!binding_kept_check(Some("a"), "a").failed());
        assert!(binding_kept_check(Some("a"), "b").failed());
        assert!(binding_kept_check(None, "b").failed());
    }

    #[test]
    fn the_binding_view_names_each_place() {
        let jkt = key().thumbprint();
        let bound = make(
            r#"{"alg":"RS256"}"#,
            &format!(r#"{{"cnf":{{"jkt":"{jkt}"}}}}"#),
            b"s",
        );
        let rows = binding_rows(&jkt, true, &bound, "DPoP");
        assert_eq!(rows[1].1, jkt);
        assert_eq!(rows[3].1, jkt);
        assert_eq!(rows[4].1, ath(&bound));
        let rows = binding_rows(&jkt, false, "opaque", "DPoP");
        assert!(rows[1].1.starts_with("(not sent") && rows[3].1.contains("opaque"));
    }

    #[test]
    fn stolen_tokens_must_be_refused() {
        let answer = |status| HttpAnswer {
            status,
            headers: vec![(
                "www-authenticate".into(),
                r#"DPoP error="invalid_token""#.into(),
            )],
            ..Default::default()
        };
        assert!(!judge_steal(&answer(401), false).failed());
        assert!(!judge_steal(&answer(401), true).failed());
        let accepted = judge_steal(&answer(200), true);
        assert_eq!(accepted.error, Some(ErrorCode::DpopNotBound));
        let step = steal_step("https://rs/api", "AT", false);
        assert_eq!(step.id, StepId::StealBearer);
        let r = step.request.unwrap();
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v == "Bearer AT"));
        assert!(r.secrets.contains(&"AT".to_string()));
        assert_eq!(
            code_binding_check(None).status,
            crate::protocol::step::CheckStatus::Skip
        );
        assert!(!code_binding_check(Some("jkt")).failed());
    }
}
