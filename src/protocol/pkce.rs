//! PKCE (RFC 7636) and the random values of a login: state, nonce, code verifier.
//!
//! Randomness is injected as bytes so every rule is tested deterministically; the browser module
//! draws them from `getrandom` (WebCrypto `getRandomValues`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// base64url without padding (RFC 7515 Appendix C), the encoding of every value here.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A code verifier: 32 random bytes as 43 base64url characters (RFC 7636 4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    pub fn from_random(bytes: [u8; 32]) -> CodeVerifier {
        CodeVerifier(b64url(&bytes))
    }

    /// Wraps a verifier read back from the transaction.
    pub fn from_string(s: String) -> CodeVerifier {
        CodeVerifier(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The S256 challenge: BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 4.2).
    pub fn challenge_s256(&self) -> String {
        b64url(&Sha256::digest(self.0.as_bytes()))
    }
}

/// RFC 7636 4.1: 43 to 128 characters of [A-Z] [a-z] [0-9] "-" "." "_" "~".
pub fn verifier_is_well_formed(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The random values of one login attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginSecrets {
    /// CSRF protection: binds the callback to this browser (RFC 6749 10.12), 256 bits.
    pub state: String,
    /// Replay protection: binds the ID token to this login (OIDC Core 3.1.2.1), 256 bits.
    pub nonce: String,
    pub verifier: CodeVerifier,
}

/// The start of a popup login's `state`. The callback page's relay (`public/relay.js`) and the
/// Service Worker read it to know, before the app loads, that the answer is for a page that
/// waits in another window: they hand it over instead of loading the app a second time. It
/// adds nothing to the state's 256 random bits and grants nothing: the waiting page still
/// compares the whole state, once.
pub const POPUP_STATE_PREFIX: &str = "popup.";

/// The BroadcastChannel a popup login's answer travels on: named by the login's state, so each
/// login has its own (a BroadcastChannel reaches only this origin's pages).
pub fn popup_channel(state: &str) -> String {
    format!("flowlab-login:{state}")
}

impl LoginSecrets {
    /// Marks the state as a popup login's (see [`POPUP_STATE_PREFIX`]).
    pub fn for_popup(mut self) -> LoginSecrets {
        self.state = format!("{POPUP_STATE_PREFIX}{}", self.state);
        self
    }

    /// Builds the secrets from 96 random bytes (32 each).
    pub fn from_random(bytes: [u8; 96]) -> LoginSecrets {
        let mut parts = bytes.chunks_exact(32).map(|c| {
            let mut a = [0u8; 32];
            a.copy_from_slice(c);
            a
        });
        let mut next = || parts.next().unwrap_or([0u8; 32]);
        let state = b64url(&next());
        let nonce = b64url(&next());
        LoginSecrets {
            state,
            nonce,
            verifier: CodeVerifier::from_random(next()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relay and the Service Worker are JavaScript: they must spell the prefix and the
    /// channel name exactly as this module does.
    #[test]
    fn relay_and_worker_agree_on_the_popup_marker() {
        let relay = include_str!("../../public/relay.js");
        let worker = include_str!("../../public/sw.js");
        let quoted = format!("'{POPUP_STATE_PREFIX}'");
        assert!(relay.contains(&quoted) && worker.contains(&quoted));
        assert_eq!(popup_channel("s"), "flowlab-login:s");
        assert!(relay.contains("'flowlab-login:'"));
        let s = LoginSecrets::from_random([7; 96]).for_popup();
        assert!(s.state.starts_with("popup.") && s.state.len() == 6 + 43);
    }

    /// RFC 7636 Appendix B.
    #[test]
    fn rfc7636_appendix_b_vector() {
        let bytes: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let v = CodeVerifier::from_random(bytes);
        assert_eq!(v.as_str(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            v.challenge_s256(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifier_is_well_formed(v.as_str()));
    }

    #[test]
    fn verifier_shape_rules() {
        assert!(!verifier_is_well_formed("short"));
        assert!(!verifier_is_well_formed(&"a".repeat(129)));
        assert!(!verifier_is_well_formed(&format!("{}+", "a".repeat(43))));
        assert!(verifier_is_well_formed(&"a~._-".repeat(10)));
    }

    #[test]
    fn secrets_are_distinct_and_long_enough() {
        let mut bytes = [0u8; 96];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        let s = LoginSecrets::from_random(bytes);
        assert_ne!(s.state, s.nonce);
        // 32 bytes -> 43 base64url characters -> 256 bits, above the 128-bit floor.
        assert_eq!(s.state.len(), 43);
        assert_eq!(s.nonce.len(), 43);
        assert!(verifier_is_well_formed(s.verifier.as_str()));
        assert_eq!(s.verifier.as_str(), b64url(&bytes[64..]));
    }
}
