//! Break-it mode: the presenter changes one value on its way and the audience watches who
//! rejects it, the app's own checks or the provider.

use super::pkce::b64url;
use super::step::{Check, StepId};
use super::url::{append_query, encode_pairs, parse_pairs, query_of};

/// What can be broken, and at which step it is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    State,
    Nonce,
    RedirectUri,
    Code,
    Verifier,
    Signature,
    /// DPoP: the token request's proof names another URL (`htu`).
    DpopHtu,
}

impl Tamper {
    pub const ALL: [Tamper; 7] = [
        Tamper::State,
        Tamper::Nonce,
        Tamper::RedirectUri,
        Tamper::Code,
        Tamper::Verifier,
        Tamper::Signature,
        Tamper::DpopHtu,
    ];

    /// Reads a choice of the break-it control.
    pub fn parse(s: &str) -> Option<Tamper> {
        Tamper::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The step the change is made at (the request about to leave, or the token about to be
    /// validated).
    pub fn step(self) -> StepId {
        match self {
            Tamper::State | Tamper::Nonce | Tamper::RedirectUri => StepId::Authorize,
            Tamper::Code | Tamper::Verifier | Tamper::DpopHtu => StepId::Token,
            Tamper::Signature => StepId::IdToken,
        }
    }

    /// The choice's name (as in the break-it control and `break_it=` links).
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::State => "state",
            Tamper::Nonce => "nonce",
            Tamper::RedirectUri => "redirect_uri",
            Tamper::Code => "code",
            Tamper::Verifier => "code_verifier",
            Tamper::Signature => "signature",
            Tamper::DpopHtu => "dpop_htu",
        }
    }

    /// Who should reject it, and why: what the audience is to watch for.
    pub fn expectation(self) -> &'static str {
        match self {
            Tamper::State => "The state sent no longer matches the transaction: the app must refuse the answer (state_mismatch).",
            Tamper::Nonce => "The provider copies the altered nonce into the ID token: the app must refuse it (nonce_mismatch).",
            Tamper::RedirectUri => "The redirect URI is not registered: the provider must refuse to send anything there.",
            Tamper::Code => "The provider must refuse an authorization code it never issued (invalid_grant).",
            Tamper::Verifier => "The verifier no longer hashes to the challenge: the provider must refuse the code (invalid_grant).",
            Tamper::Signature => "One character of the signature changed: WebCrypto must refuse the ID token (bad_signature).",
            Tamper::DpopHtu => "The DPoP proof names another URL than the token endpoint (htu): the provider must refuse it (invalid_dpop_proof).",
        }
    }

    /// The line recorded on the tampered step.
    pub fn check(self) -> Check {
        Check::skip("break-it", self.expectation(), "Flowlab break-it mode")
    }
}

/// Break-it `dpop_htu`: the URL the altered proof names instead of the request's.
pub fn elsewhere(url: &str) -> String {
    format!("{}/not-this-endpoint", url.trim_end_matches('/'))
}

impl Tamper {
    /// The authorization request URL with this change made (changes for other steps: none).
    pub fn apply_to_url(self, url: &str) -> String {
        let current = |name: &str| {
            parse_pairs(query_of(url))
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
        };
        match self {
            Tamper::State => with_param(url, "state", &altered(&current("state"))),
            Tamper::Nonce => with_param(url, "nonce", &altered(&current("nonce"))),
            Tamper::RedirectUri => {
                with_param(url, "redirect_uri", "https://tampered.invalid/callback")
            }
            _ => url.to_string(),
        }
    }

    /// The token request body with this change made (changes for other steps: none).
    pub fn apply_to_body(self, body: &str) -> String {
        let current = |name: &str| {
            parse_pairs(body)
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
        };
        match self {
            Tamper::Code => with_form_param(body, "code", &altered(&current("code"))),
            Tamper::Verifier => {
                with_form_param(body, "code_verifier", &altered(&current("code_verifier")))
            }
            _ => body.to_string(),
        }
    }
}

/// The same value with its first character changed (same length and alphabet). The first
/// character, not the last: the last of a base64url value may carry padding bits, and changing
/// it can make the value malformed rather than wrong.
pub fn altered(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    match chars.first_mut() {
        Some(c) => *c = if *c == 'A' { 'B' } else { 'A' },
        None => chars.push('A'),
    }
    chars.into_iter().collect()
}

/// A URL with one query parameter replaced.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or(url);
    let pairs: Vec<(String, String)> = parse_pairs(query_of(url))
        .into_iter()
        .map(|(k, v)| {
            if k == name {
                (k, value.to_string())
            } else {
                (k, v)
            }
        })
        .collect();
    append_query(base, &pairs)
}

/// A form body with one parameter replaced.
pub fn with_form_param(body: &str, name: &str, value: &str) -> String {
    let pairs = parse_pairs(body);
    encode_pairs(
        pairs
            .iter()
            .map(|(k, v)| (k.as_str(), if k == name { value } else { v.as_str() })),
    )
}

/// A compact JWS with one character of its signature changed.
pub fn alter_signature(token: &str) -> String {
    match token.rsplit_once('.') {
        Some((signed, sig)) if !sig.is_empty() => format!("{signed}.{}", altered(sig)),
        _ => format!("{token}{}", b64url(b"x")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_and_where_they_apply() {
        for (s, step) in [
            ("state", "authorize"),
            ("nonce", "authorize"),
            ("redirect_uri", "authorize"),
            ("code", "token"),
            ("code_verifier", "token"),
            ("signature", "id-token"),
        ] {
            let t = Tamper::parse(s).unwrap();
            assert_eq!(t.step().as_str(), step);
            assert!(!t.check().detail.is_empty());
        }
        assert_eq!(Tamper::parse(""), None);
    }

    #[test]
    fn applied_where_they_belong() {
        let url = "https://op/auth?state=S1&nonce=N1&redirect_uri=https%3A%2F%2Fapp%2Fcb";
        assert!(Tamper::State.apply_to_url(url).contains("state=A1&"));
        assert!(Tamper::Nonce.apply_to_url(url).contains("nonce=A1&"));
        assert!(Tamper::RedirectUri
            .apply_to_url(url)
            .contains("redirect_uri=https%3A%2F%2Ftampered.invalid%2Fcallback"));
        assert_eq!(Tamper::Code.apply_to_url(url), url);
        let body = "grant_type=authorization_code&code=C1&code_verifier=V1";
        assert!(Tamper::Verifier
            .apply_to_body(body)
            .ends_with("code_verifier=A1"));
        assert!(Tamper::Code.apply_to_body(body).contains("code=A1&"));
        assert_eq!(Tamper::State.apply_to_body(body), body);
    }

    #[test]
    fn alterations_keep_shape() {
        assert_eq!(altered("Abc"), "Bbc");
        assert_eq!(altered("abc"), "Abc");
        assert_eq!(altered(""), "A");
        assert_eq!(
            with_param(
                "https://op/auth?response_type=code&state=S1&x=1#f",
                "state",
                "S2"
            ),
            "https://op/auth?response_type=code&state=S2&x=1"
        );
        assert_eq!(
            with_form_param("code=C&code_verifier=V+1", "code_verifier", "W"),
            "code=C&code_verifier=W"
        );
        assert_eq!(alter_signature("h.p.sig"), "h.p.Aig");
        assert_ne!(alter_signature("h.p."), "h.p.");
    }
}
