//! The Device Authorization Grant (RFC 8628): ask for a user code, show it with the address,
//! then poll the token endpoint until the user approves or denies on another device, or the
//! code expires. The poll panel is one step, updated after each poll.

use super::direct::finish;
use super::pkce::discover;
use super::{post_form, token_endpoint, Session, StepSink};
use crate::browser;
use crate::protocol::config::Config;
use crate::protocol::device::{
    device_request, device_step, judge_device_response, judge_poll, poll_request, poll_step,
    user_code_step, Poll, SLOW_DOWN_SECS,
};
use crate::protocol::error::{ErrorCode, FlowError};
use crate::protocol::step::StepId;

/// How many poll results the panel keeps (the latest ones).
const POLLS_SHOWN: usize = 8;

/// Runs the device flow. `Ok(None)`: abandoned (another run replaced its panels).
pub async fn start(sink: &dyn StepSink, config: Config) -> Result<Option<Session>, FlowError> {
    let (meta, _) = discover(sink, &config.issuer, Some(&config)).await?;
    let Some(endpoint) = meta.device_authorization_endpoint.clone() else {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "The provider has no device_authorization_endpoint: it does not offer the device flow.",
        )
        .spec("RFC 8628 4"));
    };
    let token_url = token_endpoint(&meta)?;
    let request = device_request(&config);
    let mut step = device_step(&endpoint, &request);
    let answer = post_form(sink, &mut step, &endpoint, &request).await;
    let grant = answer.and_then(|a| {
        let (record, checks, result) = judge_device_response(&a);
        step.response = Some(record);
        step.checks.extend(checks);
        result
    });
    sink.emit(step.settle());
    let grant = grant?;
    sink.emit(user_code_step(&grant));
    sink.say(format!(
        "Waiting for the user: enter {} at {} on another device.",
        grant.user_code, grant.verification_uri
    ));

    let poll = poll_request(&grant, &config);
    let deadline = browser::now_secs() + grant.expires_in.max(1);
    let mut interval = grant.interval;
    let mut attempt = 0;
    let tokens = loop {
        browser::sleep_ms((interval * 1000) as i32).await;
        // Still this run? A new sign-in or inspection replaces the panels.
        let ours = sink.steps().iter().any(|s| {
            s.id == StepId::UserCode && s.params.first().is_some_and(|p| p.value == grant.user_code)
        });
        if !ours {
            return Ok(None);
        }
        attempt += 1;
        let mut step = poll_step(&token_url, &poll);
        // The earlier polls' lines stay, the latest few.
        if let Some(last) = sink.steps().pop().filter(|s| s.id == StepId::Poll) {
            let keep = last.checks.len().saturating_sub(POLLS_SHOWN - 1);
            step.checks.extend(last.checks.into_iter().skip(keep));
        }
        let answer = post_form(sink, &mut step, &token_url, &poll).await;
        let mut outcome = match answer {
            Ok(a) => {
                let (record, check, outcome) = judge_poll(&a, attempt, interval);
                step.response = Some(record);
                step.checks.push(check);
                outcome
            }
            Err(e) => Poll::Failed(e),
        };
        // DPoP: the tokens must come back bound to this tab's key.
        if let (true, Poll::Tokens(t)) = (poll.dpop, &outcome) {
            if let Err(e) = super::dpop::check_binding(&mut step, t).await {
                outcome = Poll::Failed(e);
            }
        }
        sink.emit(step.settle());
        match outcome {
            Poll::Pending => {}
            Poll::SlowDown => interval += SLOW_DOWN_SECS,
            Poll::Tokens(t) => break t,
            Poll::Failed(e) => return Err(e),
        }
        if browser::now_secs() > deadline {
            return Err(FlowError::new(
                ErrorCode::IdpError,
                "The device code expired before the user finished: start again for a new code.",
            )
            .spec("RFC 8628 3.5"));
        }
    };
    finish(sink, config, meta, tokens).await.map(Some)
}
