//! The login transaction: what the callback needs to finish a login started before a redirect.
//!
//! It holds the state, nonce, code verifier, issuer and endpoints, and the steps shown so far
//! (already masked; no token ever exists before the redirect). It may sit in sessionStorage only
//! across the full-page redirect, is single use, and expires.

use serde::{Deserialize, Serialize};

use super::config::Config;
use super::discovery::ProviderMetadata;
use super::error::{ErrorCode, FlowError};
use super::step::Step;

/// Seconds a login may take from the redirect to the callback.
pub const TRANSACTION_LIFETIME_SECS: i64 = 600;

/// Storage key prefix; the state follows it, so a callback finds its transaction by state.
pub const STORAGE_PREFIX: &str = "flowlab.tx.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub config: Config,
    pub metadata: ProviderMetadata,
    pub created_at: i64,
    pub steps: Vec<Step>,
}

impl Transaction {
    pub fn storage_key(state: &str) -> String {
        format!("{STORAGE_PREFIX}{state}")
    }

    /// Serializes for sessionStorage; steps are stored masked.
    pub fn to_json(&self) -> String {
        let mut stored = self.clone();
        stored.steps = self.steps.iter().map(Step::masked).collect();
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Reads a stored transaction and checks its age.
    pub fn from_json(json: &str, now: i64) -> Result<Transaction, FlowError> {
        let tx: Transaction = serde_json::from_str(json).map_err(|_| {
            FlowError::new(ErrorCode::NoTransaction, "The stored login transaction is unreadable; start the login again.")
        })?;
        let age = now - tx.created_at;
        if !(-60..=TRANSACTION_LIFETIME_SECS).contains(&age) {
            return Err(FlowError::new(
                ErrorCode::TransactionExpired,
                format!(
                    "This login was started {age} s ago; a login transaction lives {TRANSACTION_LIFETIME_SECS} s. \
                     It was discarded: start the login again."
                ),
            )
            .spec("RFC 9700 4.7 (single-use, short-lived state)"));
        }
        Ok(tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::step::{Actor, HttpRecord, StepKind};

    fn tx() -> Transaction {
        let mut step = Step::new("s", "S", StepKind::Local, Actor::App, Actor::App, "");
        step.request = Some(HttpRecord::request("GET", "https://h/?v=VERIFIER").secret("VERIFIER"));
        Transaction {
            state: "st".into(),
            nonce: "no".into(),
            code_verifier: "v".repeat(43),
            config: Config::defaults("http://a/"),
            metadata: ProviderMetadata::default(),
            created_at: 1000,
            steps: vec![step],
        }
    }

    #[test]
    fn round_trip_masks_steps() {
        let json = tx().to_json();
        assert!(!json.contains("VERIFIER"), "{json}");
        let back = Transaction::from_json(&json, 1000 + TRANSACTION_LIFETIME_SECS).unwrap();
        assert_eq!(back.state, "st");
        assert_eq!(Transaction::storage_key("st"), "flowlab.tx.st");
    }

    #[test]
    fn expiry_and_garbage() {
        let json = tx().to_json();
        assert_eq!(Transaction::from_json(&json, 1001 + TRANSACTION_LIFETIME_SECS).unwrap_err().code, ErrorCode::TransactionExpired);
        assert_eq!(Transaction::from_json(&json, 900).unwrap_err().code, ErrorCode::TransactionExpired);
        assert_eq!(Transaction::from_json("{", 1000).unwrap_err().code, ErrorCode::NoTransaction);
    }
}
