//! The Device Authorization Grant (RFC 8628): the device asks for a user code, shows it with the
//! address where the user enters it (on a phone or computer), and polls the token endpoint,
//! `interval` seconds apart, until the user has approved or denied, or the code expired.

use super::config::Config;
use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, HttpAnswer, OAuthError};
use super::json::Json;
use super::step::{Actor, Check, HttpRecord, Param, Step, StepKind};
use super::token::{grant_step, judge_token_response, response_record, TokenRequest, TokenSet};
use super::url::HttpUrl;
use crate::protocol::step::StepId;

/// RFC 8628 3.5: without an `interval`, clients wait 5 seconds between polls.
pub const DEFAULT_INTERVAL_SECS: u32 = 5;
/// RFC 8628 3.5: `slow_down` adds 5 seconds to the interval, for this and every later poll.
pub const SLOW_DOWN_SECS: u32 = 5;

/// What the device authorization endpoint granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceGrant {
    /// Secret: it is what the polls redeem.
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: u32,
}

/// The device authorization request (RFC 8628 3.1): the scope, the client authenticated as
/// configured.
pub fn device_request(config: &Config) -> TokenRequest {
    let scope = config.scope.trim();
    if scope.is_empty() {
        TokenRequest::new(&[], config)
    } else {
        TokenRequest::new(&[("scope", scope)], config)
    }
}

/// The step of the device authorization request.
pub fn device_step(endpoint: &str, request: &TokenRequest) -> Step {
    grant_step(
        StepId::DeviceAuthorization,
        "Ask for a user code",
        "step/device-authorization",
        endpoint,
        request,
    )
}

fn member(v: &Json, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Judges the device authorization response (RFC 8628 3.2).
pub fn judge_device_response(
    answer: &HttpAnswer,
) -> (HttpRecord, Vec<Check>, Result<DeviceGrant, FlowError>) {
    const SPEC: &str = "RFC 8628 3.2";
    let mut record = response_record(answer);
    let mut checks = Vec::new();
    let fail = |checks: &mut Vec<Check>, name: &'static str, e: FlowError| {
        checks.push(Check::failing(name, &e));
        Err(e)
    };
    let json = super::json::parse(&answer.body).filter(Json::is_object);
    if answer.status != 200 {
        let e = match OAuthError::from_json(&answer.body) {
            Some(err) => FlowError::new(ErrorCode::IdpError, err.sentence())
                .spec("RFC 8628 3.2; RFC 6749 5.2"),
            None => FlowError::new(
                ErrorCode::BadResponse,
                format!(
                    "The device authorization endpoint answered HTTP {}: {}",
                    answer.status,
                    describe_non_json(answer)
                ),
            )
            .spec(SPEC),
        };
        let r = fail(&mut checks, "HTTP 200", e);
        return (record, checks, r);
    }
    let Some(json) = json else {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            format!(
                "The device authorization endpoint did not answer with JSON: {}",
                describe_non_json(answer)
            ),
        )
        .spec(SPEC);
        let r = fail(&mut checks, "JSON answer", e);
        return (record, checks, r);
    };
    let (Some(device_code), Some(user_code), Some(verification_uri)) = (
        member(&json, "device_code"),
        member(&json, "user_code"),
        member(&json, "verification_uri"),
    ) else {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            "The answer lacks device_code, user_code or verification_uri.",
        )
        .spec(SPEC);
        let r = fail(&mut checks, "device_code, user_code, verification_uri", e);
        return (record, checks, r);
    };
    checks.push(Check::pass(
        "device_code, user_code, verification_uri",
        "The provider issued the codes and named where the user goes.",
        SPEC,
    ));
    // The address is shown to the user as a link: only web addresses qualify.
    if HttpUrl::parse(&verification_uri).is_err() {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            "verification_uri is not an http(s) address, so it cannot be shown as a link.",
        )
        .spec(SPEC);
        let r = fail(&mut checks, "verification_uri", e);
        return (record, checks, r);
    }
    let interval = json
        .get("interval")
        .and_then(Json::as_i64)
        .filter(|i| (1..=3600).contains(i))
        .map_or(DEFAULT_INTERVAL_SECS, |i| i as u32);
    checks.push(Check::pass(
        "interval",
        format!("The device waits {interval} s between polls (5 s when the provider names none)."),
        "RFC 8628 3.2, 3.5",
    ));
    record = record.secret(&device_code);
    let grant = DeviceGrant {
        device_code,
        user_code,
        verification_uri_complete: member(&json, "verification_uri_complete")
            .filter(|u| HttpUrl::parse(u).is_ok()),
        verification_uri,
        expires_in: json.get("expires_in").and_then(Json::as_i64).unwrap_or(0),
        interval,
    };
    (record, checks, Ok(grant))
}

/// The step where the device shows the user what to do. Its parameters carry the user code and
/// the address (the panel gives them stable test ids).
pub fn user_code_step(grant: &DeviceGrant) -> Step {
    let mut step = Step::new(
        StepId::UserCode,
        "Show the user code and where to enter it",
        StepKind::Interaction,
        Actor::App,
        Actor::User,
        "step/user-code",
    );
    let p = |name: &str, value: &str, meaning: &'static str| Param {
        name: name.into(),
        value: value.into(),
        meaning,
        secret: false,
    };
    step.params = vec![
        p("user_code", &grant.user_code, "param/user_code"),
        p(
            "verification_uri",
            &grant.verification_uri,
            "param/verification_uri",
        ),
    ];
    if let Some(c) = &grant.verification_uri_complete {
        step.params.push(p(
            "verification_uri_complete",
            c,
            "param/verification_uri_complete",
        ));
    }
    step.params.push(p(
        "expires_in",
        &grant.expires_in.to_string(),
        "param/expires_in.device",
    ));
    step
}

/// The poll request (RFC 8628 3.4).
pub fn poll_request(grant: &DeviceGrant, config: &Config) -> TokenRequest {
    TokenRequest::to_token_endpoint(
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", &grant.device_code),
        ],
        config,
    )
}

/// The polling step (one panel, updated after each poll).
pub fn poll_step(endpoint: &str, request: &TokenRequest) -> Step {
    grant_step(
        StepId::Poll,
        "Poll the token endpoint",
        "step/poll",
        endpoint,
        request,
    )
}

/// What one poll answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Poll {
    /// `authorization_pending`: ask again after the interval.
    Pending,
    /// `slow_down`: ask again, 5 seconds more apart from now on.
    SlowDown,
    Tokens(TokenSet),
    Failed(FlowError),
}

/// Judges one poll's answer (RFC 8628 3.5), returning the check for the panel.
pub fn judge_poll(answer: &HttpAnswer, attempt: u32, interval: u32) -> (HttpRecord, Check, Poll) {
    const SPEC: &str = "RFC 8628 3.5";
    if answer.status != 200 {
        if let Some(err) = OAuthError::from_json(&answer.body) {
            let record = response_record(answer);
            let (check, poll) = match err.error.as_str() {
                "authorization_pending" => (
                    Check::pass("poll", format!("Poll {attempt}: authorization_pending, the user has not finished; asking again in {interval} s."), SPEC),
                    Poll::Pending,
                ),
                "slow_down" => (
                    Check::pass("poll", format!("Poll {attempt}: slow_down, so the device now waits {} s between polls.", interval + SLOW_DOWN_SECS), SPEC),
                    Poll::SlowDown,
                ),
                code => {
                    let why = match code {
                        "access_denied" => "The user denied the request on the other device.",
                        "expired_token" => "The device code expired before the user finished: start again for a new code.",
                        _ => "",
                    };
                    let e = FlowError::new(ErrorCode::IdpError, format!("{why} {}", err.sentence()).trim().to_string()).spec(SPEC);
                    (Check::failing("poll", &e), Poll::Failed(e))
                }
            };
            return (record, check, poll);
        }
    }
    let (record, checks, result) = judge_token_response(answer, false);
    match result {
        Ok(tokens) => (
            record,
            Check::pass(
                "poll",
                format!("Poll {attempt}: the user approved; the tokens came back."),
                SPEC,
            ),
            Poll::Tokens(tokens),
        ),
        Err(e) => {
            let check = checks
                .into_iter()
                .find(Check::failed)
                .unwrap_or_else(|| Check::failing("poll", &e));
            (record, check, Poll::Failed(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::protocol::http::json_answer as ans;

    #[test]
    fn device_authorization_answers() {
        let (rec, checks, grant) = judge_device_response(&ans(
            200,
            r#"{"device_code":"DEVSECRET","user_code":"WDJB-MJHT","verification_uri":"https://op/device",
                "verification_uri_complete":"https://op/device?user_code=WDJB-MJHT","expires_in":600}"#,
        ));
        let grant = grant.unwrap();
        assert_eq!(grant.interval, DEFAULT_INTERVAL_SECS);
        assert_eq!(grant.user_code, "WDJB-MJHT");
        assert!(checks.iter().all(|c| !c.failed()));
        assert!(!rec.masked().to_text().contains("DEVSECRET"));
        let step = user_code_step(&grant);
        assert_eq!(step.params[0].name, "user_code");
        assert_eq!(step.params.len(), 4);
        let bad = |body: &str| judge_device_response(&ans(200, body)).2.unwrap_err().code;
        assert_eq!(bad(r#"{"user_code":"X"}"#), ErrorCode::BadResponse);
        assert_eq!(
            bad(r#"{"device_code":"D","user_code":"U","verification_uri":"javascript:alert(1)"}"#),
            ErrorCode::BadResponse
        );
        assert_eq!(bad("<html>"), ErrorCode::BadResponse);
        let refused = judge_device_response(&ans(400, r#"{"error":"unauthorized_client"}"#));
        assert_eq!(refused.2.unwrap_err().code, ErrorCode::IdpError);
        let g = judge_device_response(&ans(
            200,
            r#"{"device_code":"D","user_code":"U","verification_uri":"https://op/d","interval":2,"verification_uri_complete":"data:x"}"#,
        ))
        .2
        .unwrap();
        assert_eq!((g.interval, g.verification_uri_complete), (2, None));
    }

    #[test]
    fn polls() {
        let poll = |status, body: &str| judge_poll(&ans(status, body), 3, 5);
        assert_eq!(
            poll(400, r#"{"error":"authorization_pending"}"#).2,
            Poll::Pending
        );
        let (_, check, p) = poll(400, r#"{"error":"slow_down"}"#);
        assert_eq!(p, Poll::SlowDown);
        assert!(check.detail.contains("10 s"), "{}", check.detail);
        for (error, words) in [("access_denied", "denied"), ("expired_token", "expired")] {
            let (_, check, p) = poll(400, &format!(r#"{{"error":"{error}"}}"#));
            assert!(
                check.failed() && check.detail.contains(words),
                "{}",
                check.detail
            );
            assert!(matches!(p, Poll::Failed(e) if e.code == ErrorCode::IdpError));
        }
        let (rec, _, p) = poll(200, r#"{"access_token":"AT","token_type":"Bearer"}"#);
        assert!(matches!(p, Poll::Tokens(t) if t.access_token.as_deref() == Some("AT")));
        assert!(!rec.masked().to_text().contains("\"AT\""));
        assert!(
            matches!(poll(502, "<html>").2, Poll::Failed(e) if e.code == ErrorCode::BadResponse)
        );
    }

    #[test]
    fn requests_mask_the_device_code() {
        let c = Config::defaults("http://a/")
            .apply_query("flow=pkce&scope=openid")
            .0;
        assert_eq!(
            device_request(&c).body,
            "scope=openid&client_id=flowlab-demo"
        );
        let g = DeviceGrant {
            device_code: "DC".into(),
            user_code: "U".into(),
            verification_uri: "https://op/d".into(),
            verification_uri_complete: None,
            expires_in: 600,
            interval: 5,
        };
        let req = poll_request(&g, &c);
        assert!(req.body.contains("device_code=DC"));
        assert!(
            !format!("{:?}", poll_step("https://op/token", &req).masked())
                .contains("device_code=DC")
        );
    }
}
