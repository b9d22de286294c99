//! RP-Initiated Logout 1.0: the request to `end_session_endpoint` and the return.
//!
//! Three forms, chosen in the configuration: a token-free GET (the default), id_token_hint in a
//! POSTed form (RP-Initiated Logout 1.0 2 says providers MUST take POST; not all do), or
//! id_token_hint in a GET by explicit choice (some providers take nothing else), which puts the
//! ID token into the address bar, history and logs; in a form body it is in none of them.
//! A logout transaction (state and the secret-free configuration) crosses the redirect so the
//! app comes back configured; like the login transaction it is single use and expires.

use super::json::Json;

use super::authorize::param;
use super::config::{Config, LogoutMethod};
use super::error::{ErrorCode, FlowError};
use super::json::{object, parse, required_str, text, write};
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use super::transaction::TRANSACTION_LIFETIME_SECS;
use super::url::encode_pairs;
use crate::protocol::step::StepId;

/// Storage key prefix for logout transactions.
pub const LOGOUT_PREFIX: &str = "flowlab.logout.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutTransaction {
    pub state: String,
    pub config: Config,
    pub created_at: i64,
    /// The kinds of token revoked before leaving (RFC 7009), e.g. "refresh_token, access_token",
    /// so the return can say so.
    pub revoked: String,
}

impl LogoutTransaction {
    pub fn storage_key(state: &str) -> String {
        format!("{LOGOUT_PREFIX}{state}")
    }

    pub fn to_json(&self) -> String {
        write(&object([
            ("state", text(&self.state)),
            ("config", text(&self.config.to_query())),
            ("created_at", Json::from_i64(self.created_at)),
            ("revoked", text(&self.revoked)),
        ]))
    }

    pub fn from_json(stored: &str, now: i64) -> Option<LogoutTransaction> {
        let v: Json = parse(stored)?;
        let created_at = v.get("created_at").and_then(Json::as_i64)?;
        if !(-60..=TRANSACTION_LIFETIME_SECS).contains(&(now - created_at)) {
            return None;
        }
        let (config, _) = Config::defaults("").apply_query(&required_str(&v, "config").ok()?);
        Some(LogoutTransaction {
            state: required_str(&v, "state").ok()?,
            config,
            created_at,
            revoked: required_str(&v, "revoked").unwrap_or_default(),
        })
    }
}

/// How the browser leaves for the provider's logout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogoutRequest {
    /// A GET to this URL.
    Navigate(String),
    /// A POST of these form fields (name, value), in order, to `url`.
    Post {
        url: String,
        fields: Vec<(String, String)>,
    },
}

/// The logout request and its panel, in the form the user chose (`method`). `id_token` is the
/// session's ID token, sent as id_token_hint where the method carries one.
pub fn build_logout(
    end_session_endpoint: &str,
    client_id: &str,
    id_token: Option<&str>,
    return_uri: &str,
    state: &str,
    method: LogoutMethod,
) -> (LogoutRequest, Step) {
    let hint = id_token.filter(|_| method != LogoutMethod::TokenFree);
    let mut fields: Vec<(&str, &str)> = hint.map(|t| ("id_token_hint", t)).into_iter().collect();
    fields.extend([
        ("client_id", client_id),
        ("post_logout_redirect_uri", return_uri),
        ("state", state),
    ]);
    let explanation = match method {
        LogoutMethod::TokenFree => "step/logout.token-free",
        LogoutMethod::PostHint => "step/logout.post-hint",
        LogoutMethod::GetHint => "step/logout.get-hint",
    };
    let mut step = Step::new(
        StepId::Logout,
        "Sign out at the provider",
        StepKind::Redirect,
        Actor::App,
        Actor::AuthorizationServer,
        explanation,
    );
    let body = encode_pairs(fields.iter().copied());
    let get_url = format!(
        "{end_session_endpoint}{}{body}",
        query_sep(end_session_endpoint)
    );
    let mut record = match method {
        LogoutMethod::PostHint => {
            HttpRecord::request("POST", end_session_endpoint).body(body.clone())
        }
        _ => HttpRecord::request("GET", &get_url),
    };
    for (k, v) in &fields {
        let secret = *k == "id_token_hint";
        if secret {
            record = record.secret(v);
        }
        step.params.push(param(k, v, secret));
    }
    step.request = Some(record);
    const SPEC: &str = "RP-Initiated Logout 1.0 2; RFC 9700 4.3";
    step.checks.push(match (method, hint) {
        (LogoutMethod::GetHint, Some(_)) => Check::warn(
            "no token in the URL",
            "Chosen: id_token_hint is in the URL, so the ID token is in this tab's history and the provider's \
             logs. Prefer the token-free or POST forms where the provider takes them.",
            SPEC,
        ),
        (LogoutMethod::PostHint, Some(_)) => Check::pass(
            "no token in the URL",
            "id_token_hint is in the form body; the URL has none.",
            SPEC,
        ),
        _ => Check::pass(
            "no token in the URL",
            "No token is sent at all: client_id and post_logout_redirect_uri name the app.",
            SPEC,
        ),
    });
    let request = match method {
        LogoutMethod::PostHint => LogoutRequest::Post {
            url: end_session_endpoint.to_string(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
        _ => LogoutRequest::Navigate(get_url),
    };
    (request, step)
}

fn query_sep(url: &str) -> &'static str {
    if url.contains('?') {
        "&"
    } else {
        "?"
    }
}

/// Whether a page query is a return from logout: only `state`, no authorization response.
pub fn logout_return_state(pairs: &[(String, String)]) -> Option<&str> {
    match pairs {
        [(k, v)] if k == "state" => Some(v.as_str()),
        _ => None,
    }
}

/// The panel for the return from the provider's logout.
pub fn logout_return_step(
    found: Result<&LogoutTransaction, ()>,
    state: &str,
) -> (Step, Result<(), FlowError>) {
    let mut step = Step::new(
        StepId::LogoutReturn,
        "Back from the provider's logout",
        StepKind::Redirect,
        Actor::AuthorizationServer,
        Actor::App,
        "step/logout-return",
    );
    step.params = vec![param("state", state, false)];
    match found {
        Ok(tx) => {
            step.checks.push(
                Check::pass(
                    "state",
                    "The state matches the sign-out this tab started.",
                    "RP-Initiated Logout 1.0 3",
                )
                .compared(&tx.state, state),
            );
            if !tx.revoked.is_empty() {
                step.checks.push(Check::pass(
                    "revoked",
                    format!("Before leaving, the provider revoked: {}.", tx.revoked),
                    "RFC 7009 2",
                ));
            }
            (step, Ok(()))
        }
        Err(()) => {
            let e = FlowError::new(
                ErrorCode::StateMismatch,
                "A return from logout arrived that this tab did not start (or it expired); nothing was changed.",
            )
            .spec("RP-Initiated Logout 1.0 3");
            step.checks.push(Check::failing("state", &e));
            (step.settle(), Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::url::{parse_pairs, query_of};

    #[test]
    fn logout_url_has_no_token_and_round_trips_config() {
        // The default: a token-free GET.
        let (req, step) = build_logout(
            "https://op/logout",
            "app",
            Some("t.o.k"),
            "https://app/",
            "st",
            LogoutMethod::TokenFree,
        );
        assert_eq!(
            req,
            LogoutRequest::Navigate(
                "https://op/logout?client_id=app&post_logout_redirect_uri=https%3A%2F%2Fapp%2F&state=st".into()
            )
        );
        assert!(!format!("{step:?}").contains("t.o.k"));
        // By choice: the hint in a POSTed form.
        let (req, step) = build_logout(
            "https://op/logout",
            "app",
            Some("t.o.k"),
            "https://app/",
            "s\"t",
            LogoutMethod::PostHint,
        );
        let LogoutRequest::Post { url, fields } = req else {
            panic!("a POST")
        };
        assert_eq!(url, "https://op/logout");
        assert_eq!(fields[0], ("id_token_hint".into(), "t.o.k".into()));
        assert_eq!(fields.last(), Some(&("state".into(), "s\"t".into())));
        let r = step.request.as_ref().unwrap();
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.url.as_deref(), Some("https://op/logout"));
        assert!(r.secrets.iter().any(|s| s == "t.o.k"));
        assert_eq!(
            r.body.as_deref(),
            Some("id_token_hint=t.o.k&client_id=app&post_logout_redirect_uri=https%3A%2F%2Fapp%2F&state=s%22t")
        );
        assert!(step.params[0].secret && !step.params[1].secret);
        // By explicit choice: the hint in a GET, with a warning line, masked in the panel.
        let (req, step) = build_logout(
            "https://op/l?x=1",
            "app",
            Some("t.o.k"),
            "https://app/",
            "st",
            LogoutMethod::GetHint,
        );
        assert!(
            matches!(&req, LogoutRequest::Navigate(u) if u.starts_with("https://op/l?x=1&id_token_hint=t.o.k&"))
        );
        assert_eq!(
            step.checks[0].status,
            crate::protocol::step::CheckStatus::Warn
        );
        assert!(!format!("{:?}", step.masked()).contains("t.o.k"));
        // Without an ID token (an OAuth-only session) the hint is left out.
        let (req, step) = build_logout(
            "https://op/l",
            "app",
            None,
            "https://app/",
            "st",
            LogoutMethod::PostHint,
        );
        assert!(
            matches!(req, LogoutRequest::Post { fields, .. } if fields.iter().all(|(k, _)| k != "id_token_hint"))
        );
        assert_eq!(step.params.len(), 3);
        let mut config = Config::defaults("https://app/");
        config.issuer = "https://op".into();
        let tx = LogoutTransaction {
            state: "st".into(),
            config: config.clone(),
            created_at: 100,
            revoked: "refresh_token".into(),
        };
        let back = LogoutTransaction::from_json(&tx.to_json(), 120).unwrap();
        assert_eq!(back, tx);
        let (step, r) = logout_return_step(Ok(&back), "st");
        assert!(r.is_ok());
        assert!(step
            .checks
            .iter()
            .any(|c| c.name == "revoked" && c.detail.contains("refresh_token")));
        assert!(
            LogoutTransaction::from_json(&tx.to_json(), 100 + TRANSACTION_LIFETIME_SECS + 1)
                .is_none()
        );
        assert!(LogoutTransaction::from_json("nope", 100).is_none());
    }

    #[test]
    fn recognises_logout_returns_only() {
        assert_eq!(
            logout_return_state(&parse_pairs(query_of("https://a/?state=abc"))),
            Some("abc")
        );
        assert_eq!(logout_return_state(&parse_pairs("state=abc&code=x")), None);
        assert_eq!(logout_return_state(&parse_pairs("")), None);
        let (step, r) = logout_return_step(Err(()), "zzz");
        assert_eq!(r.unwrap_err().code, ErrorCode::StateMismatch);
        assert!(step.first_failure().is_some());
    }
}
