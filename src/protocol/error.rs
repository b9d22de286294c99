//! Typed errors with stable codes.
//!
//! Every failure the app can show carries a stable `code` (the `data-error` attribute of the
//! automation contract, documented in the README), a sentence for a person, and the spec section
//! that the failed rule comes from. Nothing in `protocol` panics on input: it returns one of these.

use std::fmt;

/// The stable error codes of the automation contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The configuration cannot be used (missing issuer, bad URL, ...).
    InvalidConfig,
    /// An endpoint is plain http on a host that is not loopback.
    InsecureEndpoint,
    /// The discovery document is not valid JSON or lacks required members.
    DiscoveryInvalid,
    /// The discovery document names another issuer than the one configured.
    IssuerMismatch,
    /// The provider could not be reached at all.
    Network,
    /// The provider answered but did not allow this origin to read the answer.
    Cors,
    /// An HTTP answer that is not what the protocol expects (HTML page, bad JSON, bad status).
    BadResponse,
    /// A callback arrived with no login transaction waiting for it.
    NoTransaction,
    /// The login transaction is older than its lifetime.
    TransactionExpired,
    /// The `state` of the callback matches no transaction.
    StateMismatch,
    /// The RFC 9207 `iss` parameter is missing or wrong.
    IssMismatch,
    /// The provider returned an OAuth error.
    IdpError,
    /// The callback lacks a required parameter or has a malformed one.
    CallbackInvalid,
    /// A JWT cannot be split or decoded.
    MalformedJwt,
    /// The JWT's `alg` is not on the allow-list.
    UnsupportedAlg,
    /// No key of the provider's JWKS fits the JWT header.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// The ID token's `iss` differs from the issuer.
    IdTokenIssMismatch,
    /// The ID token's `aud` does not contain the client.
    AudMismatch,
    /// The ID token's `azp` is missing or is another client.
    AzpMismatch,
    /// The ID token has expired.
    TokenExpired,
    /// The ID token's `iat` is missing or in the future.
    IatInvalid,
    /// A JWT's `nbf` (not before) is in the future.
    NotYetValid,
    /// The ID token's `nonce` differs from the transaction's.
    NonceMismatch,
    /// A required claim is missing.
    ClaimMissing,
    /// at_hash or c_hash does not match.
    HashMismatch,
    /// The userinfo `sub` differs from the ID token's.
    SubMismatch,
    /// A refreshed ID token names another issuer, subject, audience or sign-in time.
    SessionMismatch,
    /// The browser lacks something the app needs (WebCrypto, storage).
    Browser,
    /// response_mode=form_post needs the Service Worker in control of the page, and it is not.
    WorkerUnavailable,
    /// The browser refused to open the login popup.
    PopupBlocked,
    /// The login popup was closed before the provider answered.
    PopupClosed,
    /// Discovery says the provider does not support what the configuration asks for.
    UnsupportedByProvider,
    /// The authorization response came by another response mode than the one asked for.
    ResponseModeMismatch,
    /// A provider response is larger than the bound Flowlab reads.
    ResponseTooLarge,
    /// A DPoP request came back with tokens that are not bound to the tab's key.
    DpopNotBound,
}

impl ErrorCode {
    /// The stable string used in `data-error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::InsecureEndpoint => "insecure_endpoint",
            ErrorCode::DiscoveryInvalid => "discovery_invalid",
            ErrorCode::IssuerMismatch => "issuer_mismatch",
            ErrorCode::Network => "network",
            ErrorCode::Cors => "cors",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::NoTransaction => "no_transaction",
            ErrorCode::TransactionExpired => "transaction_expired",
            ErrorCode::StateMismatch => "state_mismatch",
            ErrorCode::IssMismatch => "iss_mismatch",
            ErrorCode::IdpError => "idp_error",
            ErrorCode::CallbackInvalid => "callback_invalid",
            ErrorCode::MalformedJwt => "malformed_jwt",
            ErrorCode::UnsupportedAlg => "unsupported_alg",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::IdTokenIssMismatch => "id_token_iss_mismatch",
            ErrorCode::AudMismatch => "aud_mismatch",
            ErrorCode::AzpMismatch => "azp_mismatch",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::IatInvalid => "iat_invalid",
            ErrorCode::NotYetValid => "nbf_invalid",
            ErrorCode::NonceMismatch => "nonce_mismatch",
            ErrorCode::ClaimMissing => "claim_missing",
            ErrorCode::HashMismatch => "hash_mismatch",
            ErrorCode::SubMismatch => "sub_mismatch",
            ErrorCode::SessionMismatch => "session_mismatch",
            ErrorCode::Browser => "browser",
            ErrorCode::WorkerUnavailable => "worker_unavailable",
            ErrorCode::PopupBlocked => "popup_blocked",
            ErrorCode::PopupClosed => "popup_closed",
            ErrorCode::UnsupportedByProvider => "unsupported_by_provider",
            ErrorCode::ResponseModeMismatch => "response_mode_mismatch",
            ErrorCode::ResponseTooLarge => "response_too_large",
            ErrorCode::DpopNotBound => "dpop_not_bound",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure shown to the user: a code, a plain explanation, and where the rule comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowError {
    pub code: ErrorCode,
    pub message: String,
    /// The spec section, e.g. "OIDC Core 3.1.3.7 (11)".
    pub spec: Option<&'static str>,
}

impl FlowError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FlowError {
            code,
            message: message.into(),
            spec: None,
        }
    }

    /// Names the spec section the broken rule comes from.
    pub fn spec(mut self, spec: &'static str) -> Self {
        self.spec = Some(spec);
        self
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(spec) = &self.spec {
            write!(f, " [{spec}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for FlowError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_documented() {
        assert_eq!(ErrorCode::StateMismatch.as_str(), "state_mismatch");
        assert_eq!(ErrorCode::BadSignature.as_str(), "bad_signature");
        assert_eq!(
            ErrorCode::IdTokenIssMismatch.to_string(),
            "id_token_iss_mismatch"
        );
    }

    #[test]
    fn display_names_code_and_spec() {
        let e = FlowError::new(ErrorCode::Cors, "blocked").spec("Fetch");
        assert_eq!(e.to_string(), "blocked (cors) [Fetch]");
    }
}
