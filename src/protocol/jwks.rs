//! JSON Web Key Sets (RFC 7517) and choosing the key that verifies a token.
//!
//! Keys come from the provider's `jwks_uri` only, never from the token's own header (`jwk`,
//! `jku`, `x5u` are ignored): a key carried by the token proves nothing.

use super::json::Json;

use super::error::{ErrorCode, FlowError};
use super::jwt::{JoseHeader, SigAlg};

/// A public key as published by the provider. Private members, if a careless provider
/// published them, are never read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    pub kid: Option<String>,
    pub use_: Option<String>,
    pub alg: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub crv: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

/// A key set; members that are not keys are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// Parses a JWKS document. Keys of unknown shape are skipped rather than failing the set.
pub fn parse_jwks(body: &str) -> Result<Jwks, FlowError> {
    let not_a_set = || {
        FlowError::new(
            ErrorCode::BadResponse,
            "The jwks_uri did not return a JSON Web Key Set ({\"keys\": [...]}).",
        )
        .spec("RFC 7517 5")
    };
    let v: Json = super::json::parse(body).ok_or_else(not_a_set)?;
    let keys = v
        .get("keys")
        .and_then(Json::as_array)
        .ok_or_else(not_a_set)?;
    Ok(Jwks {
        keys: keys.iter().filter_map(Jwk::from_json).collect(),
    })
}

impl Jwk {
    /// Reads one key; anything without a string `kty` is not a key.
    fn from_json(v: &Json) -> Option<Jwk> {
        let s = |name: &str| v.get(name).and_then(Json::as_str).map(String::from);
        Some(Jwk {
            kty: s("kty")?,
            kid: s("kid"),
            use_: s("use"),
            alg: s("alg"),
            n: s("n"),
            e: s("e"),
            crv: s("crv"),
            x: s("x"),
            y: s("y"),
        })
    }

    fn fits(&self, alg: SigAlg) -> bool {
        if self.kty != alg.key_type() {
            return false;
        }
        if self.use_.as_deref().is_some_and(|u| u != "sig") {
            return false;
        }
        if let Some(a) = &self.alg {
            let same = a == alg.as_str() || (alg == SigAlg::EdDSA && a == "Ed25519");
            if !same {
                return false;
            }
        }
        match alg {
            SigAlg::RS256 | SigAlg::PS256 => self.n.is_some() && self.e.is_some(),
            SigAlg::ES256 => {
                self.crv.as_deref() == Some("P-256") && self.x.is_some() && self.y.is_some()
            }
            SigAlg::EdDSA => self.crv.as_deref() == Some("Ed25519") && self.x.is_some(),
        }
    }

    /// The public members only, as the JSON object handed to WebCrypto `importKey("jwk", ...)`.
    pub fn public_json(&self) -> Json {
        let mut m = vec![("kty".to_string(), Json::String(self.kty.clone()))];
        for (k, v) in [
            ("n", &self.n),
            ("e", &self.e),
            ("crv", &self.crv),
            ("x", &self.x),
            ("y", &self.y),
        ] {
            if let Some(v) = v {
                m.push((k.to_string(), Json::String(v.clone())));
            }
        }
        Json::Object(m)
    }
}

/// Why no key was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChoiceError {
    /// The token names a kid that the set does not hold: re-fetch the JWKS once (key rotation).
    UnknownKid(String),
    /// No key fits the algorithm (or several fit and the token names no kid).
    NoFit(String),
}

impl KeyChoiceError {
    pub fn into_error(self) -> FlowError {
        let msg = match self {
            KeyChoiceError::UnknownKid(kid) => format!(
                "The token was signed with the key \"{kid}\", which the provider's JWKS does not contain, even after \
                 fetching it again."
            ),
            KeyChoiceError::NoFit(m) => m,
        };
        FlowError::new(ErrorCode::UnknownKey, msg).spec("OIDC Core 10.1.1; RFC 7515 4.1.4")
    }
}

/// Chooses the key for a token header: by `kid` when present, else the single key that fits.
pub fn select_key<'a>(
    jwks: &'a Jwks,
    header: &JoseHeader,
    alg: SigAlg,
) -> Result<&'a Jwk, KeyChoiceError> {
    if let Some(kid) = &header.kid {
        let named: Vec<&Jwk> = jwks
            .keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
            .collect();
        if named.is_empty() {
            return Err(KeyChoiceError::UnknownKid(kid.clone()));
        }
        return named.into_iter().find(|k| k.fits(alg)).ok_or_else(|| {
            KeyChoiceError::NoFit(format!(
                "The key \"{kid}\" exists but cannot verify {} (wrong type, curve, use or alg).",
                alg.as_str()
            ))
        });
    }
    let fitting: Vec<&Jwk> = jwks.keys.iter().filter(|k| k.fits(alg)).collect();
    match fitting.as_slice() {
        [one] => Ok(one),
        [] => Err(KeyChoiceError::NoFit(format!("The provider's JWKS has no key that can verify {}.", alg.as_str()))),
        _ => Err(KeyChoiceError::NoFit(format!(
            "The token names no kid and the JWKS holds {} keys for {}: the key cannot be chosen safely.",
            fitting.len(),
            alg.as_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &str = r#"{"keys":[
        {"kty":"RSA","kid":"r1","use":"sig","alg":"RS256","n":"nn","e":"AQAB","d":"PRIVATE"},
        {"kty":"EC","kid":"e1","use":"sig","alg":"ES256","crv":"P-256","x":"xx","y":"yy"},
        {"kty":"RSA","kid":"enc","use":"enc","n":"nn","e":"AQAB"},
        {"kty":"weird"},
        "not a key"
    ]}"#;

    fn header(kid: Option<&str>) -> JoseHeader {
        JoseHeader {
            alg: "x".into(),
            kid: kid.map(String::from),
            typ: None,
        }
    }

    #[test]
    fn selects_by_kid_and_type() {
        let jwks = parse_jwks(SET).unwrap();
        assert_eq!(jwks.keys.len(), 4);
        assert_eq!(
            select_key(&jwks, &header(Some("r1")), SigAlg::RS256)
                .unwrap()
                .kid
                .as_deref(),
            Some("r1")
        );
        assert_eq!(
            select_key(&jwks, &header(Some("e1")), SigAlg::ES256)
                .unwrap()
                .kid
                .as_deref(),
            Some("e1")
        );
        assert_eq!(
            select_key(&jwks, &header(None), SigAlg::ES256)
                .unwrap()
                .kid
                .as_deref(),
            Some("e1")
        );
    }

    #[test]
    fn refuses_unknown_kid_wrong_type_and_encryption_keys() {
        let jwks = parse_jwks(SET).unwrap();
        assert_eq!(
            select_key(&jwks, &header(Some("nope")), SigAlg::RS256),
            Err(KeyChoiceError::UnknownKid("nope".into()))
        );
        assert!(matches!(
            select_key(&jwks, &header(Some("e1")), SigAlg::RS256),
            Err(KeyChoiceError::NoFit(_))
        ));
        assert!(matches!(
            select_key(&jwks, &header(Some("enc")), SigAlg::RS256),
            Err(KeyChoiceError::NoFit(_))
        ));
        // r1 declares alg RS256, so it cannot be used for PS256.
        assert!(matches!(
            select_key(&jwks, &header(Some("r1")), SigAlg::PS256),
            Err(KeyChoiceError::NoFit(_))
        ));
        assert!(matches!(
            select_key(&jwks, &header(None), SigAlg::EdDSA),
            Err(KeyChoiceError::NoFit(_))
        ));
    }

    #[test]
    fn ambiguous_without_kid() {
        let jwks =
            parse_jwks(r#"{"keys":[{"kty":"RSA","n":"a","e":"b"},{"kty":"RSA","n":"c","e":"d"}]}"#)
                .unwrap();
        assert!(matches!(
            select_key(&jwks, &header(None), SigAlg::RS256),
            Err(KeyChoiceError::NoFit(_))
        ));
    }

    #[test]
    fn public_json_drops_private_members() {
        let jwks = parse_jwks(SET).unwrap();
        let j = crate::protocol::json::write(&jwks.keys[0].public_json());
        assert!(!j.contains("PRIVATE") && !j.contains("\"d\""), "{j}");
        assert!(j.contains("\"n\": \"nn\""));
        assert!(parse_jwks("<html>").is_err());
        assert!(parse_jwks(r#"{"nokeys":1}"#).is_err());
    }
}
