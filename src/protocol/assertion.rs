//! `private_key_jwt` client authentication (OIDC Core 9; RFC 7523 2.2 and 3): the client signs a
//! short JWT with its own key, and the provider checks it with the public key it registered.
//!
//! Pure: the key is generated and used by WebCrypto (ECDSA P-256, the private half
//! non-extractable); this module takes the exported public JWK, names it by its RFC 7638
//! thumbprint, builds the bytes to sign and assembles the compact JWS from WebCrypto's signature
//! (for ECDSA already the JWS form: r and s, 32 bytes each, RFC 7518 3.4).
//!
//! The provider learns the public key by registration: pasted into its console, or sent by the
//! app itself with RFC 7591 dynamic client registration ([`registration`]).

use super::config::{Config, Flow};
use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, HttpAnswer, OAuthError};
use super::json::{parse, required_str, str_or_none, text, write, Json};
use super::jwt::decode_part;
use super::pkce::b64url;
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use crate::protocol::step::StepId;
use sha2::{Digest, Sha256};

/// `client_assertion_type` for a JWT assertion (RFC 7523 2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion is valid: it is made for one request.
pub const ASSERTION_LIFETIME_SECS: i64 = 60;

/// The public half of the client's P-256 key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub x: String,
    pub y: String,
}

fn key_error(msg: &str) -> FlowError {
    FlowError::new(ErrorCode::Browser, msg).spec("RFC 7518 6.2.1")
}

impl PublicKey {
    /// Reads the JWK WebCrypto exported (`exportKey("jwk", publicKey)`): an EC P-256 key whose
    /// coordinates are 32 bytes of base64url each.
    pub fn from_jwk(json: &str) -> Result<PublicKey, FlowError> {
        let v = parse(json).ok_or_else(|| key_error("The exported key is not JSON."))?;
        let member = |n: &str| required_str(&v, n).map_err(|e| key_error(&e));
        if member("kty")? != "EC" || member("crv")? != "P-256" {
            return Err(key_error("The exported key is not an EC P-256 key."));
        }
        let (x, y) = (member("x")?, member("y")?);
        for c in [&x, &y] {
            if decode_part(c, "key").map_or(0, |b| b.len()) != 32 {
                return Err(key_error(
                    "A P-256 key coordinate is 32 bytes of base64url.",
                ));
            }
        }
        Ok(PublicKey { x, y })
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, with
    /// no white space. Used as `kid`, so the key names itself.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.x, self.y
        );
        b64url(&Sha256::digest(canonical.as_bytes()))
    }

    /// The JWK to register at the provider (as `jwks` of the client, RFC 7591 2). The
    /// coordinates are base64url (checked when read), so they need no JSON escaping.
    pub fn registration_jwk(&self) -> String {
        format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}","kid":"{}","use":"sig","alg":"ES256"}}"#,
            self.x,
            self.y,
            self.thumbprint()
        )
    }
}

/// `BASE64URL(header) . BASE64URL(claims)` of a client assertion: `iss` and `sub` are the client,
/// `aud` the provider's issuer as one string (draft-ietf-oauth-rfc7523bis; OIDC Core 9 still
/// suggests the token endpoint), `jti` a fresh random value (the provider refuses a replay),
/// `exp` one minute after `now`.
pub fn signing_input(
    key: &PublicKey,
    client_id: &str,
    audience: &str,
    jti: &str,
    now: i64,
) -> String {
    let header = format!(
        r#"{{"alg":"ES256","typ":"JWT","kid":"{}"}}"#,
        key.thumbprint()
    );
    let id = write(&text(client_id));
    let claims = format!(
        r#"{{"iss":{id},"sub":{id},"aud":{},"jti":{},"iat":{now},"exp":{}}}"#,
        write(&text(audience)),
        write(&text(jti)),
        now + ASSERTION_LIFETIME_SECS
    );
    format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    )
}

/// The step's record of a signed assertion (its value is masked: this says what it holds).
pub fn signed_check(key: &PublicKey, client_id: &str, audience: &str) -> Check {
    Check::pass(
        "client assertion signed",
        format!(
            "ES256 by this tab's key {}: iss and sub {client_id}, aud {audience}, a fresh jti, valid {ASSERTION_LIFETIME_SECS} s.",
            key.thumbprint()
        ),
        "RFC 7523 3",
    )
}

/// The compact JWS: the signing input and WebCrypto's ECDSA signature (64 bytes).
pub fn assemble(signing_input: &str, signature: &[u8]) -> Result<String, FlowError> {
    if signature.len() != 64 {
        return Err(key_error("An ES256 signature has 64 bytes (r and s)."));
    }
    Ok(format!("{signing_input}.{}", b64url(signature)))
}

/// The RFC 7591 registration request of a client for `config`'s flow that authenticates with
/// this key: the JSON body and its step. `logout_uri` is where sign-out returns.
pub fn registration(
    config: &Config,
    key: &PublicKey,
    endpoint: &str,
    logout_uri: &str,
) -> (String, Step) {
    let s = |v: &str| write(&text(v));
    let grants = match config.flow {
        Flow::ClientCredentials => "client_credentials",
        Flow::Password => "password",
        Flow::Device => "urn:ietf:params:oauth:grant-type:device_code",
        Flow::Hybrid => "authorization_code\",\"implicit\",\"refresh_token",
        _ => "authorization_code\",\"refresh_token",
    };
    // Only a flow with a redirect has response types and redirect URIs.
    let uris = |v: &str| {
        if config.flow.redirects() {
            format!("[{}]", s(v))
        } else {
            "[]".into()
        }
    };
    let scope = config.scope.trim();
    let body = format!(
        "{{\"client_name\":\"Flowlab (private_key_jwt)\",\"application_type\":\"{}\",\
         \"token_endpoint_auth_method\":\"private_key_jwt\",\"token_endpoint_auth_signing_alg\":\"ES256\",\
         \"grant_types\":[\"{grants}\"],\"response_types\":{},\"redirect_uris\":{},\
         \"post_logout_redirect_uris\":{},{}\"jwks\":{{\"keys\":[{}]}}}}",
        // A loopback http redirect URI is a native app's (RFC 8252 7.3).
        if config.redirect_uri.starts_with("http:") {
            "native"
        } else {
            "web"
        },
        uris(config.response_type.as_str()),
        uris(&config.redirect_uri),
        uris(logout_uri),
        if scope.is_empty() {
            String::new()
        } else {
            format!("\"scope\":{},", s(scope))
        },
        key.registration_jwk()
    );
    let mut step = Step::new(
        StepId::Register,
        "Register the client with its public key",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        "step/register",
    );
    step.request = Some(
        HttpRecord::request("POST", endpoint)
            .header("Content-Type", "application/json")
            .body(body.clone()),
    );
    (body, step)
}

/// Judges the registration answer (RFC 7591 3.2): the new client's id, registered for
/// `private_key_jwt`. Credentials in the answer are masked on the step.
pub fn judge_registration(step: &mut Step, answer: &HttpAnswer) -> Result<String, FlowError> {
    let json = parse(&answer.body).unwrap_or(Json::Null);
    let member = |name| str_or_none(&json, name);
    if let Some(r) = step.response.as_mut() {
        for name in ["registration_access_token", "client_secret"] {
            if let Some(v) = member(name) {
                *r = std::mem::take(r).secret(&v);
            }
        }
    }
    let id = member("client_id").filter(|_| (200..300).contains(&answer.status));
    let (code, message) = match (&id, member("token_endpoint_auth_method")) {
        (None, _) => match OAuthError::from_json(&answer.body) {
            Some(e) => (ErrorCode::IdpError, e.sentence()),
            None => (
                ErrorCode::BadResponse,
                format!(
                    "The registration endpoint answered HTTP {} without a client_id: {}",
                    answer.status,
                    describe_non_json(answer)
                ),
            ),
        },
        (_, Some(m)) if m != "private_key_jwt" => (
            ErrorCode::BadResponse,
            format!("The provider registered the client for {m}, not private_key_jwt."),
        ),
        (Some(id), _) => {
            step.checks.push(Check::pass(
                "client registered",
                format!("The provider registered client {id} with this key."),
                "RFC 7591 3.2.1",
            ));
            return Ok(id.clone());
        }
    };
    let e = FlowError::new(code, message).spec("RFC 7591 3.2");
    step.checks.push(Check::failing("client registered", &e));
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::http::json_answer;
    use crate::protocol::jwt::decode;

    const JWK: &str = r#"{"kty":"EC","x":"tvqGqbPmpX4-Q56gXGl8Z2QtIfkdxnVNqywyLCaVSP0","y":"ipPXpDEXEtIfXiBBFWJ0rBtBvFyJg49dGAfGxww6Q1Q","crv":"P-256"}"#;

    #[test]
    fn thumbprint_matches_jose() {
        // The value `jose.calculateJwkThumbprint` computes for this key (oidc-provider's library).
        let key = PublicKey::from_jwk(JWK).unwrap();
        assert_eq!(
            key.thumbprint(),
            "fxCAYz_SvqTB_F38uEYDxvwCnkg8BTO2y8dOjI6mvY0"
        );
        let jwk = parse(&key.registration_jwk()).unwrap();
        assert_eq!(required_str(&jwk, "kid").unwrap(), key.thumbprint());
        assert_eq!(required_str(&jwk, "alg").unwrap(), "ES256");
    }

    #[test]
    fn refuses_other_keys() {
        for bad in [
            "nope",
            r#"{"kty":"RSA","crv":"P-256","x":"a","y":"b"}"#,
            r#"{"kty":"EC","crv":"P-384","x":"a","y":"b"}"#,
            r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#,
            r#"{"kty":"EC","crv":"P-256","x":"!!","y":"AAAA"}"#,
            r#"{"kty":"EC","crv":"P-256"}"#,
        ] {
            assert!(PublicKey::from_jwk(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn assertion_claims_follow_oidc_core_9() {
        let key = PublicKey::from_jwk(JWK).unwrap();
        let input = signing_input(&key, "app", "https://op/token", "j1", 1000);
        let jwt = assemble(&input, &[7u8; 64]).unwrap();
        let d = decode(&jwt).unwrap();
        assert_eq!(d.header.alg, "ES256");
        assert_eq!(d.header.kid.as_deref(), Some(key.thumbprint().as_str()));
        assert_eq!(d.signing_input, input);
        assert_eq!(d.signature, vec![7u8; 64]);
        assert_eq!(d.str_claim("iss"), Some("app"));
        assert_eq!(d.str_claim("sub"), Some("app"));
        assert_eq!(d.str_claim("aud"), Some("https://op/token"));
        assert_eq!(d.str_claim("jti"), Some("j1"));
        assert_eq!(d.time_claim("iat"), Some(1000));
        assert_eq!(d.time_claim("exp"), Some(1060));
        assert!(signed_check(&key, "app", "https://op")
            .detail
            .contains("aud https://op"));
        // A client id is JSON-escaped into the claims.
        let odd = signing_input(&key, "a\"b\\", "https://op", "j", 1);
        let d = decode(&assemble(&odd, &[1u8; 64]).unwrap()).unwrap();
        assert_eq!(d.str_claim("sub"), Some("a\"b\\"));
        // A DER-encoded or truncated signature is refused, not sent.
        assert!(assemble(&input, &[0u8; 70]).is_err());
    }

    fn strings(items: &[&str]) -> Json {
        Json::Array(items.iter().map(|s| text(s)).collect())
    }

    #[test]
    fn registers_a_client_for_the_flow() {
        let key = PublicKey::from_jwk(JWK).unwrap();
        let (c, _) = Config::defaults("http://127.0.0.1:8080/")
            .apply_query("flow=client-credentials&scope=api:read");
        let (body, step) = registration(&c, &key, "http://op/reg", "http://127.0.0.1:8080/");
        let v = parse(&body).unwrap();
        assert_eq!(
            required_str(&v, "token_endpoint_auth_method").unwrap(),
            "private_key_jwt"
        );
        assert_eq!(
            v.get("grant_types"),
            Some(&strings(&["client_credentials"]))
        );
        assert_eq!(v.get("redirect_uris"), Some(&strings(&[])));
        assert_eq!(required_str(&v, "scope").unwrap(), "api:read");
        let keys = v.get("jwks").and_then(|j| j.get("keys")).unwrap();
        assert_eq!(
            keys,
            &Json::Array(vec![parse(&key.registration_jwk()).unwrap()])
        );
        assert_eq!(step.request.unwrap().body.as_deref(), Some(body.as_str()));

        let (c, _) = Config::defaults("http://127.0.0.1:8080/").apply_query("flow=code");
        let (body, _) = registration(&c, &key, "http://op/reg", "http://127.0.0.1:8080/");
        let v = parse(&body).unwrap();
        assert_eq!(required_str(&v, "application_type").unwrap(), "native");
        assert_eq!(
            v.get("redirect_uris"),
            Some(&strings(&["http://127.0.0.1:8080/callback.html"]))
        );
        assert_eq!(v.get("response_types"), Some(&strings(&["code"])));
        assert!(v.get("post_logout_redirect_uris").is_some());
    }

    #[test]
    fn judges_the_registration_answer() {
        let judge = |status, body: &str| {
            let (_, mut step) = registration(
                &Config::defaults("https://app/"),
                &PublicKey::from_jwk(JWK).unwrap(),
                "https://op/reg",
                "https://app/",
            );
            step.response = Some(HttpRecord::response(status).body(body));
            let r = judge_registration(&mut step, &json_answer(status, body));
            (r, step)
        };
        let (r, step) = judge(
            201,
            r#"{"client_id":"c1","token_endpoint_auth_method":"private_key_jwt","registration_access_token":"RAT"}"#,
        );
        assert_eq!(r.unwrap(), "c1");
        assert!(!step.checks[0].failed());
        assert!(!format!("{:?}", step.masked()).contains("RAT"));
        for (status, body, code, words) in [
            (
                400,
                r#"{"error":"invalid_client_metadata","error_description":"bad jwks"}"#,
                ErrorCode::IdpError,
                "bad jwks",
            ),
            (201, "<html>", ErrorCode::BadResponse, "client_id"),
            (
                201,
                r#"{"client_name":"x"}"#,
                ErrorCode::BadResponse,
                "client_id",
            ),
            (
                201,
                r#"{"client_id":"c1","token_endpoint_auth_method":"client_secret_basic"}"#,
                ErrorCode::BadResponse,
                "client_secret_basic",
            ),
            (404, "Not Found", ErrorCode::BadResponse, "404"),
        ] {
            let (r, step) = judge(status, body);
            let e = r.unwrap_err();
            assert_eq!(e.code, code, "{body}");
            assert!(e.message.contains(words), "{}", e.message);
            assert!(step.checks[0].failed());
        }
    }
}
