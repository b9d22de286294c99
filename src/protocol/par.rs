//! Pushed Authorization Requests (RFC 9126).
//!
//! The authorization parameters go to the provider over the back channel, with the client's
//! authentication where it has one; the browser then carries only `client_id` and the
//! `request_uri` the provider answered with, valid `expires_in` seconds.

use super::authorize::AuthorizationRequest;
use super::config::Config;
use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, HttpAnswer, OAuthError};
use super::json::{parse, Json};
use super::step::{Check, Step, StepId};
use super::token::{grant_step, response_record, TokenRequest};
use super::url::{append_query, parse_pairs, query_of};

/// The push: every authorization parameter of `request` in a form body, the client
/// authenticated as for the token endpoint (RFC 9126 2.1). A public client names itself with
/// `client_id`, which the parameters already carry.
pub fn push_request(request: &AuthorizationRequest, config: &Config) -> TokenRequest {
    // The client's authentication names the client (client_id, or the Basic header).
    let pairs: Vec<(&str, &str)> = request
        .params
        .iter()
        .filter(|(k, _)| k != "client_id")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    TokenRequest::new(&pairs, config)
}

/// What the provider answered a push with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    pub request_uri: String,
    pub expires_in: i64,
}

/// Judges the push's answer: 201 Created with `request_uri` and a positive `expires_in`
/// (RFC 9126 2.2); an OAuth error in its own words (2.3).
pub fn judge_push(answer: &HttpAnswer) -> Result<Pushed, FlowError> {
    const SPEC: &str = "RFC 9126 2.2";
    if answer.status != 201 && answer.status != 200 {
        return Err(match OAuthError::from_json(&answer.body) {
            Some(e) => FlowError::new(ErrorCode::IdpError, e.sentence()).spec("RFC 9126 2.3"),
            None => FlowError::new(
                ErrorCode::BadResponse,
                format!(
                    "The pushed authorization request endpoint answered HTTP {}: {}",
                    answer.status,
                    describe_non_json(answer)
                ),
            )
            .spec(SPEC),
        });
    }
    let bad = |why: &str| {
        FlowError::new(
            ErrorCode::BadResponse,
            format!("The push was accepted, but {why}."),
        )
        .spec(SPEC)
    };
    let v = parse(&answer.body).ok_or_else(|| bad("its answer is not JSON"))?;
    let request_uri = v
        .get("request_uri")
        .and_then(Json::as_str)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| bad("the answer has no request_uri"))?
        .to_string();
    let expires_in = v
        .get("expires_in")
        .and_then(Json::as_i64)
        .filter(|e| *e > 0)
        .ok_or_else(|| bad("the answer has no positive expires_in"))?;
    Ok(Pushed {
        request_uri,
        expires_in,
    })
}

/// The browser's address after a push: the authorization endpoint with `client_id` and
/// `request_uri` only (RFC 9126 4).
pub fn redirect_url(authorization_endpoint: &str, client_id: &str, pushed: &Pushed) -> String {
    append_query(
        authorization_endpoint,
        &[
            ("client_id".into(), client_id.trim().into()),
            ("request_uri".into(), pushed.request_uri.clone()),
        ],
    )
}

/// Whether the `request_uri` is still usable `elapsed` seconds after the push (RFC 9126 2.2:
/// expires_in; a step-through pause can outlast it).
pub fn still_valid(pushed: &Pushed, elapsed: i64) -> Result<(), FlowError> {
    if elapsed >= pushed.expires_in {
        return Err(FlowError::new(
            ErrorCode::TransactionExpired,
            format!(
                "The pushed request expired {}s ago (the provider gave it {} s): start the login again.",
                elapsed - pushed.expires_in,
                pushed.expires_in
            ),
        )
        .spec("RFC 9126 2.2"));
    }
    Ok(())
}

/// The push's step, its request filled in.
pub fn push_step(endpoint: &str, request: &TokenRequest) -> Step {
    grant_step(
        StepId::Par,
        "Push the authorization request",
        "step/par",
        endpoint,
        request,
    )
}

/// Judges the push's answer onto its step: the response, and a line for the `request_uri`.
pub fn judge_onto(step: &mut Step, answer: &HttpAnswer) -> Result<Pushed, FlowError> {
    step.response = Some(response_record(answer));
    match judge_push(answer) {
        Ok(p) => {
            step.checks.push(Check::pass(
                "request_uri",
                format!(
                    "The provider holds the parameters under {} for {} s: the browser carries only this \
                     reference and client_id, so nothing in the address bar can be read or changed on the way.",
                    p.request_uri, p.expires_in
                ),
                "RFC 9126 2.2",
            ));
            Ok(p)
        }
        Err(e) => {
            step.checks.push(Check::failing("request_uri", &e));
            Err(e)
        }
    }
}

/// The authorization request the browser carries after a push (RFC 9126 4).
pub fn pushed_request(
    authorization_endpoint: &str,
    client_id: &str,
    pushed: &Pushed,
) -> AuthorizationRequest {
    let url = redirect_url(authorization_endpoint, client_id, pushed);
    AuthorizationRequest {
        params: parse_pairs(query_of(&url)),
        url,
        explanation: "step/authorize.par",
    }
}

/// Why the push is made: chosen, or demanded by the provider (RFC 9126 5), which turns it on.
pub fn required_check(config_par: bool) -> Option<Check> {
    (!config_par).then(|| {
        Check::pass(
            "PAR required",
            "Discovery says require_pushed_authorization_requests: this provider takes authorization \
             requests only by push, so Flowlab pushes it although PAR was not chosen.",
            "RFC 9126 5",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            url: "https://op/auth?x".into(),
            params: vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), "app".into()),
                ("redirect_uri".into(), "https://app/cb".into()),
                ("state".into(), "S".into()),
            ],
            explanation: "",
        }
    }

    #[test]
    fn a_public_client_pushes_its_parameters_with_one_client_id() {
        let c = Config {
            client_id: "app".into(),
            ..Config::defaults("https://app/")
        };
        let push = push_request(&request(), &c);
        let body = parse_pairs(&push.body);
        assert_eq!(
            body.iter().filter(|(k, _)| k == "client_id").count(),
            1,
            "{body:?}"
        );
        assert!(body.contains(&("state".into(), "S".into())));
        assert!(push.headers.iter().all(|(k, _)| k != "Authorization"));
    }

    #[test]
    fn a_confidential_client_authenticates_its_push() {
        let (mut c, _) = Config::defaults("https://app/").apply_query("flow=code&client_id=app");
        c.client_secret = "s3cret".into();
        let push = push_request(&request(), &c);
        assert!(push.headers.iter().any(|(k, _)| k == "Authorization"));
        assert!(parse_pairs(&push.body)
            .iter()
            .all(|(k, _)| k != "client_id"));
        assert!(!push.secrets.is_empty());
    }

    #[test]
    fn judges_the_answer_and_builds_the_redirect() {
        let answer = |status, body: &str| HttpAnswer {
            status,
            content_type: Some("application/json".into()),
            body: body.into(),
            ..Default::default()
        };
        let ok = judge_push(&answer(
            201,
            r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#,
        ))
        .unwrap();
        assert_eq!(ok.expires_in, 60);
        let url = redirect_url("https://op/auth", "app", &ok);
        let q = parse_pairs(query_of(&url));
        assert_eq!(
            q,
            vec![
                ("client_id".to_string(), "app".to_string()),
                ("request_uri".to_string(), ok.request_uri.clone())
            ]
        );
        assert!(still_valid(&ok, 59).is_ok());
        let sent = pushed_request("https://op/auth", "app", &ok);
        assert_eq!(sent.params.len(), 2);
        assert_eq!(sent.explanation, "step/authorize.par");
        let mut step = push_step(
            "https://op/par",
            &push_request(&request(), &Config::defaults("https://app/")),
        );
        assert_eq!(step.id, StepId::Par);
        assert!(judge_onto(
            &mut step,
            &answer(201, r#"{"request_uri":"urn:x","expires_in":90}"#)
        )
        .is_ok());
        assert!(!step.checks[0].failed() && step.response.is_some());
        assert!(judge_onto(&mut step, &answer(400, r#"{"error":"invalid_client"}"#)).is_err());
        assert!(required_check(true).is_none() && required_check(false).is_some());
        assert_eq!(
            still_valid(&ok, 61).unwrap_err().code,
            ErrorCode::TransactionExpired
        );
        assert_eq!(
            judge_push(&answer(400, r#"{"error":"invalid_request"}"#))
                .unwrap_err()
                .code,
            ErrorCode::IdpError
        );
        assert_eq!(
            judge_push(&answer(201, r#"{"request_uri":"u","expires_in":0}"#))
                .unwrap_err()
                .code,
            ErrorCode::BadResponse
        );
        assert_eq!(
            judge_push(&answer(502, "<html>")).unwrap_err().code,
            ErrorCode::BadResponse
        );
    }
}
