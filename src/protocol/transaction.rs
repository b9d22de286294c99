//! The login transaction: what the callback needs to finish a login started before a redirect.
//!
//! It holds the state, nonce, code verifier, configuration and the discovery answer exactly as
//! received. It may sit in sessionStorage only across the full-page redirect, is single use, and
//! expires. The panels shown before the redirect are not stored: [`Transaction::replay`] rebuilds
//! them from these values, which also re-judges the stored discovery document.

use super::json::Json;

use super::authorize::{altered, authorize_step, build_authorization_request, secrets_step};
use super::config::Config;
use super::discovery::{discovery_step, ProviderMetadata};
use super::dpop::code_binding_check;
use super::error::{ErrorCode, FlowError};
use super::http::HttpAnswer;
use super::json::{object, optional_str, parse, required_str, str_or_none, text, write};
use super::par::{self, push_request};
use super::pkce::{CodeVerifier, LoginSecrets};
use super::step::Step;
use super::tamper::Tamper;

/// Seconds a login may take from the redirect to the callback.
pub const TRANSACTION_LIFETIME_SECS: i64 = 600;

/// Storage key prefix; the state follows it, so a callback finds its transaction by state.
pub const STORAGE_PREFIX: &str = "flowlab.tx.";

/// An HTTP exchange as it happened: the URL asked, the answer, how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub url: String,
    pub answer: HttpAnswer,
    pub duration_ms: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub config: Config,
    pub created_at: i64,
    pub discovery: Recorded,
    /// Break-it: what was altered in the authorization request that was sent (empty: nothing).
    pub broken: String,
    /// PAR (RFC 9126): the push's answer, when the request was pushed.
    pub pushed: Option<Recorded>,
}

impl Recorded {
    fn to_json(&self) -> Json {
        object([
            ("url", text(&self.url)),
            ("status", Json::from_i64(i64::from(self.answer.status))),
            (
                "content_type",
                self.answer.content_type.as_deref().map_or(Json::Null, text),
            ),
            ("body", text(&self.answer.body)),
            (
                "duration_ms",
                self.duration_ms
                    .map_or(Json::Null, |ms| Json::from_i64(i64::from(ms))),
            ),
        ])
    }

    fn from_json(d: &Json) -> Result<Recorded, FlowError> {
        let status = d
            .get("status")
            .and_then(Json::as_i64)
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| unreadable("status"))?;
        Ok(Recorded {
            url: required_str(d, "url").map_err(|e| unreadable(&e))?,
            answer: HttpAnswer {
                status,
                content_type: optional_str(d, "content_type").map_err(|e| unreadable(&e))?,
                body: d
                    .get("body")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string(),
                ..Default::default()
            },
            duration_ms: d
                .get("duration_ms")
                .and_then(Json::as_i64)
                .and_then(|n| u32::try_from(n).ok()),
        })
    }
}

fn unreadable(what: &str) -> FlowError {
    FlowError::new(
        ErrorCode::NoTransaction,
        format!("The stored login transaction is unreadable ({what}); start the login again."),
    )
}

impl Transaction {
    pub fn storage_key(state: &str) -> String {
        format!("{STORAGE_PREFIX}{state}")
    }

    pub fn secrets(&self) -> LoginSecrets {
        LoginSecrets {
            state: self.state.clone(),
            nonce: self.nonce.clone(),
            verifier: CodeVerifier::from_string(self.code_verifier.clone()),
        }
    }

    /// Serializes for sessionStorage. The configuration travels as its (secret-free) query form.
    pub fn to_json(&self) -> String {
        write(&object([
            ("state", text(&self.state)),
            ("nonce", text(&self.nonce)),
            ("code_verifier", text(&self.code_verifier)),
            ("created_at", Json::from_i64(self.created_at)),
            ("config", text(&self.config.to_query())),
            ("broken", text(&self.broken)),
            ("discovery", self.discovery.to_json()),
            (
                "pushed",
                self.pushed.as_ref().map_or(Json::Null, Recorded::to_json),
            ),
        ]))
    }

    /// Reads a stored transaction and checks its age.
    pub fn from_json(stored: &str, now: i64) -> Result<Transaction, FlowError> {
        let v: Json = parse(stored).ok_or_else(|| unreadable("not JSON"))?;
        let created_at = v
            .get("created_at")
            .and_then(Json::as_i64)
            .ok_or_else(|| unreadable("no creation time"))?;
        let age = now - created_at;
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
        let d = v
            .get("discovery")
            .ok_or_else(|| unreadable("no discovery"))?;
        let (config, _) = Config::defaults("")
            .apply_query(&required_str(&v, "config").map_err(|e| unreadable(&e))?);
        let get = |name: &str| required_str(&v, name).map_err(|e| unreadable(&e));
        Ok(Transaction {
            state: get("state")?,
            nonce: get("nonce")?,
            code_verifier: get("code_verifier")?,
            config,
            created_at,
            broken: str_or_none(&v, "broken").unwrap_or_default(),
            discovery: Recorded::from_json(d)?,
            pushed: match v.get("pushed") {
                Some(p) if p.is_object() => Some(Recorded::from_json(p)?),
                _ => None,
            },
        })
    }

    /// Re-judges the stored discovery answer and rebuilds the panels shown before the redirect.
    pub fn replay(&self) -> Result<(ProviderMetadata, Vec<Step>), FlowError> {
        let d = &self.discovery;
        let (step, meta) = discovery_step(
            &self.config.issuer,
            &d.url,
            Ok(&d.answer),
            d.duration_ms,
            Some(&self.config),
        );
        let meta = meta?;
        let secrets = self.secrets();
        let request = build_authorization_request(&self.config, &meta, &secrets)?;
        // The request as it was sent (break-it may have altered it).
        let broken = Tamper::parse(&self.broken);
        let sent = broken.map_or(request.clone(), |t| altered(&request, t));
        let mut steps = vec![step, secrets_step(&secrets, self.config.flow)];
        let mut redirect = match &self.pushed {
            Some(p) => {
                let push = push_request(&sent, &self.config);
                let mut push_step = par::push_step(&p.url, &push);
                push_step.duration_ms = p.duration_ms;
                if let Some(c) = par::required_check(self.config.par) {
                    push_step.checks.push(c);
                }
                let pushed = par::judge_onto(&mut push_step, &p.answer);
                if let Some(t) = broken {
                    push_step.checks.push(t.check());
                }
                steps.push(push_step.settle());
                authorize_step(&par::pushed_request(
                    &meta.authorization_endpoint,
                    &self.config.client_id,
                    &pushed?,
                ))
            }
            None => authorize_step(&sent),
        };
        if self.config.dpop {
            redirect.checks.push(code_binding_check(None));
        }
        if let (Some(t), None) = (broken, &self.pushed) {
            redirect.checks.push(t.check());
        }
        steps.push(redirect);
        Ok((meta, steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"issuer":"http://127.0.0.1:9000","authorization_endpoint":"http://127.0.0.1:9000/auth",
        "token_endpoint":"http://127.0.0.1:9000/token","jwks_uri":"http://127.0.0.1:9000/jwks"}"#;

    fn tx() -> Transaction {
        let mut config = Config::defaults("http://127.0.0.1:8080/");
        config.extra = vec![("audience".into(), "api".into())];
        Transaction {
            state: "st".into(),
            nonce: "no".into(),
            code_verifier: "v".repeat(43),
            config,
            created_at: 1000,
            broken: String::new(),
            pushed: None,
            discovery: Recorded {
                url: "http://127.0.0.1:9000/.well-known/openid-configuration".into(),
                answer: HttpAnswer {
                    status: 200,
                    content_type: Some("application/json".into()),
                    body: DOC.into(),
                    ..Default::default()
                },
                duration_ms: Some(12),
            },
        }
    }

    #[test]
    fn round_trip_and_replay() {
        let original = tx();
        let json = original.to_json();
        let back = Transaction::from_json(&json, 1000 + TRANSACTION_LIFETIME_SECS).unwrap();
        assert_eq!(back, original);
        assert_eq!(Transaction::storage_key("st"), "flowlab.tx.st");
        let (meta, steps) = back.replay().unwrap();
        assert_eq!(meta.issuer, "http://127.0.0.1:9000");
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["discovery", "prepare", "authorize"]);
        assert_eq!(steps[0].duration_ms, Some(12));
        // The replayed authorization request is the one that was sent: same state and challenge.
        let url = steps[2]
            .request
            .as_ref()
            .and_then(|r| r.url.clone())
            .unwrap_or_default();
        assert!(
            url.contains("state=st") && url.contains(&back.secrets().verifier.challenge_s256()),
            "{url}"
        );
        assert!(url.contains("audience=api"));
    }

    #[test]
    fn replay_shows_what_break_it_sent() {
        let mut t = tx();
        t.broken = "nonce".into();
        let back = Transaction::from_json(&t.to_json(), 1000).unwrap();
        assert_eq!(back.broken, "nonce");
        let (_, steps) = back.replay().unwrap();
        let url = steps[2]
            .request
            .as_ref()
            .and_then(|r| r.url.clone())
            .unwrap_or_default();
        assert!(url.contains("nonce=Ao&"), "{url}");
        assert!(steps[2].checks.iter().any(|c| c.name == "break-it"));
    }

    #[test]
    fn a_pushed_request_is_kept_and_replayed() {
        let mut t = tx();
        t.config.par = true;
        t.config.dpop = true;
        t.discovery.answer.body = DOC.replace(
            r#""jwks_uri""#,
            r#""pushed_authorization_request_endpoint":"http://127.0.0.1:9000/request","dpop_signing_alg_values_supported":["ES256"],"jwks_uri""#,
        );
        t.broken = "state".into();
        t.pushed = Some(Recorded {
            url: "http://127.0.0.1:9000/request".into(),
            answer: HttpAnswer {
                status: 201,
                content_type: Some("application/json".into()),
                body: r#"{"request_uri":"urn:ietf:params:oauth:request_uri:x","expires_in":60}"#
                    .into(),
                ..Default::default()
            },
            duration_ms: Some(7),
        });
        let back = Transaction::from_json(&t.to_json(), 1000).unwrap();
        assert_eq!(back, t);
        let (_, steps) = back.replay().unwrap();
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["discovery", "prepare", "par", "authorize"]);
        // The push carried the parameters (break-it's altered state among them) ...
        let push = steps[2]
            .request
            .as_ref()
            .and_then(|r| r.body.clone())
            .unwrap_or_default();
        assert!(
            push.contains("code_challenge=") && !push.contains("state=st&"),
            "{push}"
        );
        assert!(steps[2].checks.iter().any(|c| c.name == "break-it"));
        assert_eq!(steps[2].duration_ms, Some(7));
        // ... the browser only the reference; the redirect window bound no code (dpop_jkt).
        let names: Vec<&str> = steps[3].params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["client_id", "request_uri"]);
        assert!(steps[3].checks.iter().any(|c| c.name == "dpop_jkt"));
        // An answer that is no push answer is not replayed as one.
        let mut bad = back.clone();
        if let Some(p) = bad.pushed.as_mut() {
            p.answer.body = "{}".into();
        }
        assert_eq!(bad.replay().unwrap_err().code, ErrorCode::BadResponse);
    }

    #[test]
    fn expiry_and_garbage() {
        let json = tx().to_json();
        assert_eq!(
            Transaction::from_json(&json, 1001 + TRANSACTION_LIFETIME_SECS)
                .unwrap_err()
                .code,
            ErrorCode::TransactionExpired
        );
        assert_eq!(
            Transaction::from_json(&json, 900).unwrap_err().code,
            ErrorCode::TransactionExpired
        );
        for bad in [
            "{",
            "[]",
            r#"{"created_at":1000}"#,
            r#"{"created_at":1000,"discovery":{"status":200}}"#,
        ] {
            assert_eq!(
                Transaction::from_json(bad, 1000).unwrap_err().code,
                ErrorCode::NoTransaction,
                "{bad}"
            );
        }
    }

    #[test]
    fn replay_rejudges_a_tampered_document() {
        let mut t = tx();
        t.discovery.answer.body = DOC.replace("127.0.0.1:9000/token", "evil.example/token");
        assert_eq!(t.replay().unwrap_err().code, ErrorCode::InsecureEndpoint);
    }
}
