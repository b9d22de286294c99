//! JWS compact serialization (RFC 7515 7.1) and the algorithm allow-list (RFC 8725 3.1).
//!
//! Decoding here never trusts anything: it splits, decodes and parses, and returns a typed error
//! for every malformed input. Signature verification happens in WebCrypto; this module supplies
//! the signing input, the signature bytes and the WebCrypto parameters for the chosen algorithm.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::error::{ErrorCode, FlowError};
use super::json::{parse, str_or_none, write, Json};

/// The signature algorithms Flowlab accepts. `none` and the HMAC family are refused: a public
/// client has no shared secret, so an HS256 token could be forged by anyone who knows the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigAlg {
    RS256,
    PS256,
    ES256,
    EdDSA,
}

impl SigAlg {
    /// Reads a JOSE `alg` and applies the allow-list.
    pub fn parse(alg: &str) -> Result<SigAlg, FlowError> {
        let spec = "RFC 8725 3.1; OIDC Core 3.1.3.7 (6, 7)";
        match alg {
            "RS256" => Ok(SigAlg::RS256),
            "PS256" => Ok(SigAlg::PS256),
            "ES256" => Ok(SigAlg::ES256),
            "EdDSA" | "Ed25519" => Ok(SigAlg::EdDSA),
            "none" => Err(FlowError::new(
                ErrorCode::UnsupportedAlg,
                "The token says alg \"none\": it is unsigned, so anyone could have written it. Refused.",
            )
            .spec(spec)),
            a if a.starts_with("HS") => Err(FlowError::new(
                ErrorCode::UnsupportedAlg,
                format!(
                    "The token is signed with {a}, an HMAC keyed with the client secret. A browser app has no secret \
                     worth the name, and accepting HMAC opens the door to key-confusion attacks. Refused."
                ),
            )
            .spec(spec)),
            other => Err(FlowError::new(
                ErrorCode::UnsupportedAlg,
                format!("The token is signed with \"{}\", which is not on Flowlab's allow-list (RS256, PS256, ES256, EdDSA).", super::http::excerpt(other, 20)),
            )
            .spec(spec)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SigAlg::RS256 => "RS256",
            SigAlg::PS256 => "PS256",
            SigAlg::ES256 => "ES256",
            SigAlg::EdDSA => "EdDSA",
        }
    }

    /// The JWK `kty` a key for this algorithm must have.
    pub fn key_type(self) -> &'static str {
        match self {
            SigAlg::RS256 | SigAlg::PS256 => "RSA",
            SigAlg::ES256 => "EC",
            SigAlg::EdDSA => "OKP",
        }
    }

    /// WebCrypto parameters: (importKey algorithm, verify algorithm).
    pub fn webcrypto(self) -> WebCryptoParams {
        match self {
            SigAlg::RS256 => WebCryptoParams {
                name: "RSASSA-PKCS1-v1_5",
                hash: Some("SHA-256"),
                named_curve: None,
                salt_length: None,
            },
            SigAlg::PS256 => WebCryptoParams {
                name: "RSA-PSS",
                hash: Some("SHA-256"),
                named_curve: None,
                salt_length: Some(32),
            },
            SigAlg::ES256 => WebCryptoParams {
                name: "ECDSA",
                hash: Some("SHA-256"),
                named_curve: Some("P-256"),
                salt_length: None,
            },
            SigAlg::EdDSA => WebCryptoParams {
                name: "Ed25519",
                hash: None,
                named_curve: None,
                salt_length: None,
            },
        }
    }
}

/// What WebCrypto needs to import a JWK and verify with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebCryptoParams {
    pub name: &'static str,
    pub hash: Option<&'static str>,
    pub named_curve: Option<&'static str>,
    /// RSA-PSS salt length in bytes (the hash length for PS256, RFC 7518 3.5).
    pub salt_length: Option<u32>,
}

/// The JOSE header members the app reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoseHeader {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

/// A decoded (not yet verified) JWS.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    pub header: JoseHeader,
    pub header_json: Json,
    /// The claims, in the token's order (names are unique: the parser refuses duplicates).
    pub claims: Vec<(String, Json)>,
    /// `BASE64URL(header) . BASE64URL(payload)`: the bytes that were signed.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

fn malformed(msg: impl Into<String>) -> FlowError {
    FlowError::new(ErrorCode::MalformedJwt, msg).spec("RFC 7515 7.1; RFC 7519 7.2")
}

pub(crate) fn decode_part(part: &str, what: &str) -> Result<Vec<u8>, FlowError> {
    URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| malformed(format!("The {what} of the token is not valid base64url.")))
}

/// Splits and decodes a compact JWS. A JWE (five parts) is reported as such.
pub fn decode(token: &str) -> Result<DecodedJwt, FlowError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(malformed("The token is empty."));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(malformed(
            "This is an encrypted token (JWE, five parts); Flowlab reads signed tokens (JWS) only.",
        )),
        n => {
            return Err(malformed(format!(
                "A signed JWT has three parts separated by dots; this one has {n}."
            )))
        }
    }
    let header_bytes = decode_part(parts[0], "header")?;
    let payload_bytes = decode_part(parts[1], "payload")?;
    let signature = decode_part(parts[2], "signature")?;
    let text = |bytes: Vec<u8>, what: &str| {
        String::from_utf8(bytes)
            .map_err(|_| malformed(format!("The token's {what} is not UTF-8 text.")))
    };
    let header_json: Json = parse(&text(header_bytes, "header")?)
        .ok_or_else(|| malformed("The token's header is not JSON."))?;
    let header = JoseHeader {
        alg: str_or_none(&header_json, "alg")
            .ok_or_else(|| malformed("The token's header has no \"alg\" string."))?,
        kid: str_or_none(&header_json, "kid"),
        typ: str_or_none(&header_json, "typ"),
    };
    let claims = match parse(&text(payload_bytes, "payload")?) {
        Some(Json::Object(m)) => m,
        _ => {
            return Err(malformed(
                "The token's payload is not a JSON object of claims.",
            ))
        }
    };
    Ok(DecodedJwt {
        header,
        header_json,
        claims,
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature,
    })
}

impl DecodedJwt {
    pub fn claim(&self, name: &str) -> Option<&Json> {
        self.claims.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claim(name).and_then(Json::as_str)
    }

    /// A NumericDate claim (RFC 7519 2): seconds, a fraction truncated.
    pub fn time_claim(&self, name: &str) -> Option<i64> {
        self.claim(name).and_then(Json::as_i64)
    }

    /// `aud` as a list: a single string or an array of strings (RFC 7519 4.1.3).
    pub fn audiences(&self) -> Vec<String> {
        match self.claim("aud") {
            Some(Json::String(s)) => vec![s.clone()],
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Each claim as text for people: strings as they are, times with their date, anything
    /// else as JSON.
    pub fn claims_for_display(&self) -> Vec<(String, String)> {
        self.claims
            .iter()
            .map(|(k, v)| (k.clone(), claim_text(k, v)))
            .collect()
    }

    /// The header members and the claims, each with its meaning, for a panel.
    pub fn described(&self) -> Vec<super::step::Param> {
        let h = &self.header;
        [
            ("alg", Some(&h.alg)),
            ("kid", h.kid.as_ref()),
            ("typ", h.typ.as_ref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| super::authorize::param(k, v, false)))
        .chain(
            self.claims_for_display()
                .iter()
                .map(|(k, v)| super::authorize::param(k, v, false)),
        )
        .collect()
    }

    /// Indented JSON of the claims, for display.
    pub fn claims_pretty(&self) -> String {
        write(&Json::Object(self.claims.clone()))
    }
}

/// A claim's value as text; NumericDate claims (RFC 7519 2) also show their UTC date.
pub fn claim_text(name: &str, v: &Json) -> String {
    let is_time = matches!(name, "exp" | "iat" | "nbf" | "auth_time" | "updated_at");
    match (v, v.as_i64()) {
        (Json::String(s), _) => s.clone(),
        (_, Some(t)) if is_time => format!("{t} ({})", super::idtoken::format_time(t)),
        _ => write(v),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn make(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    #[test]
    fn decodes_a_jws() {
        let t = make(
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"sub":"alice","aud":["a","b"],"exp":1.5e9}"#,
            b"sig",
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.header.kid.as_deref(), Some("k1"));
        assert_eq!(d.str_claim("sub"), Some("alice"));
        assert_eq!(d.audiences(), vec!["a", "b"]);
        assert_eq!(d.time_claim("exp"), Some(1_500_000_000));
        assert_eq!(d.signature, b"sig");
        assert_eq!(d.signing_input, t.rsplit_once('.').unwrap().0);
    }

    #[test]
    fn described_for_a_panel() {
        let t = decode(&make(
            r#"{"alg":"RS256","kid":"k"}"#,
            r#"{"sub":"a","exp":0}"#,
            b"",
        ))
        .unwrap();
        let names: Vec<String> = t.described().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["alg", "kid", "sub", "exp"]);
        assert_eq!(t.described()[0].meaning, "param/alg");
    }

    #[test]
    fn claims_for_people() {
        let t = decode(&make(
            r#"{"alg":"RS256"}"#,
            r#"{"sub":"a","exp":0,"n":5,"l":[1]}"#,
            b"",
        ))
        .unwrap();
        let shown = t.claims_for_display();
        assert_eq!(shown[0], ("sub".into(), "a".into()));
        assert_eq!(shown[1].1, "0 (1970-01-01 00:00:00 UTC)");
        assert_eq!(shown[2].1, "5");
        assert_eq!(shown[3].1, "[\n  1\n]");
    }

    #[test]
    fn malformed_tokens_are_typed_errors() {
        let cases = [
            "".to_string(),
            "abc".to_string(),
            "a.b".to_string(),
            "a.b.c.d.e".to_string(),
            "!!.e30.".to_string(),
            make("not json", "{}", b""),
            make(r#"{"typ":"JWT"}"#, "{}", b""),
            make(r#"{"alg":"RS256"}"#, "[1]", b""),
            make(r#"{"alg":"RS256"}"#, "\u{0}", b""),
        ];
        for c in cases {
            let e = decode(&c).unwrap_err();
            assert_eq!(e.code, ErrorCode::MalformedJwt, "{c}");
        }
    }

    #[test]
    fn allow_list() {
        assert_eq!(SigAlg::parse("RS256").unwrap(), SigAlg::RS256);
        assert_eq!(
            SigAlg::parse("ES256").unwrap().webcrypto().named_curve,
            Some("P-256")
        );
        assert_eq!(
            SigAlg::parse("PS256").unwrap().webcrypto().salt_length,
            Some(32)
        );
        for bad in ["none", "HS256", "HS512", "RS1", ""] {
            assert_eq!(
                SigAlg::parse(bad).unwrap_err().code,
                ErrorCode::UnsupportedAlg,
                "{bad}"
            );
        }
    }
}
