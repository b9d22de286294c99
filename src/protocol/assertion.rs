//! `private_key_jwt` client authentication (OIDC Core 9; RFC 7523 2.2 and 3): the client signs a
//! short JWT with its own key, and the provider checks it with the public key it registered.
//!
//! Pure: the key is generated and used by WebCrypto (ECDSA P-256, the private half
//! non-extractable); this module takes the exported public JWK, names it by its RFC 7638
//! thumbprint, builds the bytes to sign and assembles the compact JWS from WebCrypto's signature
//! (for ECDSA already the JWS form: r and s, 32 bytes each, RFC 7518 3.4).
//!
//! Not wired into the flows yet (issue 5, item 9): see the README's Size section for why.

use super::error::{ErrorCode, FlowError};
use super::json::{object, parse, required_str, text, write, Json};
use super::pkce::b64url;
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
            let bytes =
                base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, c)
                    .map_err(|_| key_error("A key coordinate is not base64url."))?;
            if bytes.len() != 32 {
                return Err(key_error("A P-256 key coordinate has 32 bytes."));
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

    /// The JWK to register at the provider (as `jwks` of the client, RFC 7591 2).
    pub fn registration_jwk(&self) -> String {
        write(&object([
            ("kty", text("EC")),
            ("crv", text("P-256")),
            ("x", text(&self.x)),
            ("y", text(&self.y)),
            ("kid", text(&self.thumbprint())),
            ("use", text("sig")),
            ("alg", text("ES256")),
        ]))
    }
}

/// `BASE64URL(header) . BASE64URL(claims)` of a client assertion: `iss` and `sub` are the client,
/// `aud` the endpoint it is sent to (OIDC Core 9 names the token endpoint), `jti` a fresh random
/// value (the provider refuses a replay), `exp` one minute after `now`.
pub fn signing_input(
    key: &PublicKey,
    client_id: &str,
    audience: &str,
    jti: &str,
    now: i64,
) -> String {
    let header = object([
        ("alg", text("ES256")),
        ("typ", text("JWT")),
        ("kid", text(&key.thumbprint())),
    ]);
    let claims = object([
        ("iss", text(client_id)),
        ("sub", text(client_id)),
        ("aud", text(audience)),
        ("jti", text(jti)),
        ("iat", Json::from_i64(now)),
        ("exp", Json::from_i64(now + ASSERTION_LIFETIME_SECS)),
    ]);
    format!(
        "{}.{}",
        b64url(write(&header).as_bytes()),
        b64url(write(&claims).as_bytes())
    )
}

/// The compact JWS: the signing input and WebCrypto's ECDSA signature (64 bytes).
pub fn assemble(signing_input: &str, signature: &[u8]) -> Result<String, FlowError> {
    if signature.len() != 64 {
        return Err(key_error("An ES256 signature has 64 bytes (r and s)."));
    }
    Ok(format!("{signing_input}.{}", b64url(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;
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
        // A DER-encoded or truncated signature is refused, not sent.
        assert!(assemble(&input, &[0u8; 70]).is_err());
    }
}
