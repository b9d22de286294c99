//! DPoP in the flows (RFC 9449): proofs signed by this tab's key for each request, the nonce a
//! server hands out kept for its next proof, and "Steal the token", which replays the access
//! token as a thief would and shows the API refusing it.
//!
//! The key is a non-extractable WebCrypto key made on first use and held in this page's memory
//! (`browser::KeyUse::Dpop`); a proof is a credential for one request and is masked like a token.

use std::cell::RefCell;

use super::{send, Session, StepSink};
use crate::browser::{self, HttpCall, KeyUse};
use crate::protocol::assertion::assemble;
use crate::protocol::config::Config;
use crate::protocol::dpop::{
    check_proof, htu, judge_steal, nonce_check, nonce_demand, proof_check, retry_step,
    signing_input, steal_step, token_checks, Proof,
};
use crate::protocol::error::FlowError;
use crate::protocol::http::HttpAnswer;
use crate::protocol::pkce::b64url;
use crate::protocol::step::{Check, Step};
use crate::protocol::token::TokenSet;

thread_local! {
    /// The last nonce each endpoint handed out (RFC 9449 8.2, 9), in memory. Kept by endpoint
    /// (`htu`), not by origin: one origin may host the authorization server and an API, each
    /// with nonces of its own.
    static NONCES: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps the nonce a server sent with its answer (on success too: servers rotate them).
pub(crate) fn remember(url: &str, answer: &HttpAnswer) {
    if let Some(n) = answer.header("dpop-nonce").filter(|n| !n.trim().is_empty()) {
        let endpoint = htu(url).to_string();
        NONCES.with_borrow_mut(|v| {
            v.retain(|(e, _)| *e != endpoint);
            v.push((endpoint, n.trim().to_string()));
        });
    }
}

fn nonce_for(url: &str) -> Option<String> {
    let endpoint = htu(url);
    NONCES.with_borrow(|v| {
        v.iter()
            .find(|(e, _)| e == endpoint)
            .map(|(_, n)| n.clone())
    })
}

/// A fresh proof for `htm url` by the key `which` (with `ath` when the request carries an
/// access token), and the line that says what it is. `wrong_htu`: break-it names another URL.
pub(crate) async fn proof(
    which: KeyUse,
    htm: &str,
    url: &str,
    access_token: Option<&str>,
    wrong_htu: bool,
) -> Result<(String, Check), FlowError> {
    let key = browser::key(which).await?;
    let jti = b64url(&browser::random_bytes::<16>()?);
    let nonce = nonce_for(url);
    let elsewhere = crate::protocol::tamper::elsewhere(url);
    let input = signing_input(
        &key,
        &Proof {
            htm,
            url: if wrong_htu { &elsewhere } else { url },
            iat: browser::now_secs(),
            jti: &jti,
            access_token,
            nonce: nonce.as_deref(),
        },
    );
    let jws = assemble(&input, &browser::sign_with(which, &input).await?)?;
    check_proof(&jws)?;
    Ok((jws, proof_check(&key, htm, url, access_token.is_some())))
}

/// The thumbprint of this tab's DPoP key (RFC 7638), made on first use.
pub(crate) async fn thumbprint() -> Result<String, FlowError> {
    Ok(browser::key(KeyUse::Dpop).await?.thumbprint())
}

/// A fresh proof of this tab's key for `htm url` on `step`: its line (once a panel), and the
/// `DPoP` header on the step's request, masked. Returns the proof to send.
pub(crate) async fn prove(
    step: &mut Step,
    htm: &str,
    url: &str,
    access_token: Option<&str>,
    wrong_htu: bool,
) -> Result<String, FlowError> {
    let (proof, check) = proof(KeyUse::Dpop, htm, url, access_token, wrong_htu)
        .await
        .inspect_err(|e| step.checks.push(Check::failing("DPoP proof", e)))?;
    if !step.checks.iter().any(|c| c.name == check.name) {
        step.checks.push(check);
    }
    if let Some(mut r) = step.request.take() {
        r.headers.retain(|(k, _)| k != "DPoP");
        step.request = Some(r.header("DPoP", &proof).secret(&proof));
    }
    Ok(proof)
}

/// After a request with a proof: keeps the nonce the server sent, and when its answer demands
/// one (RFC 9449 8, 9) says so on `step`, shows it, and makes `step` the retry's own step (the
/// same request; its new proof is added when it is sent). True when the request must go again.
pub(crate) fn retry_for_nonce(
    sink: &dyn StepSink,
    step: &mut Step,
    url: &str,
    answer: &HttpAnswer,
) -> bool {
    remember(url, answer);
    let Some((from, nonce)) = nonce_demand(answer) else {
        return false;
    };
    step.checks.push(nonce_check(from, &nonce));
    sink.emit(step.clone().settle());
    let mut retry = retry_step(step);
    retry.request = step.request.clone();
    *step = retry;
    true
}

/// The checks on tokens a DPoP request obtained, on its step (RFC 9449 5, 6.1); tokens not
/// bound to this tab's key are refused.
pub(crate) async fn check_binding(step: &mut Step, tokens: &TokenSet) -> Result<(), FlowError> {
    let (checks, bound) = token_checks(tokens, &thumbprint().await?);
    step.checks.extend(checks);
    bound
}

/// The key a session's tokens are bound to: with DPoP asked and given, this tab's.
pub(crate) async fn session_binding(
    config: &Config,
    tokens: &TokenSet,
) -> Result<Option<String>, FlowError> {
    if config.dpop && tokens.token_type.eq_ignore_ascii_case("DPoP") {
        Ok(Some(thumbprint().await?))
    } else {
        Ok(None)
    }
}

/// A GET to a resource server with a DPoP-bound access token (`Authorization: DPoP`, a proof
/// with `ath`); a nonce demand is answered by one retry, its own step.
pub(crate) async fn get_with_proof(
    sink: &dyn StepSink,
    step: &mut Step,
    url: &str,
    access_token: &str,
) -> Result<HttpAnswer, FlowError> {
    let auth = format!("DPoP {access_token}");
    let mut retried = false;
    loop {
        sink.hold(step).await;
        let proof = prove(step, "GET", url, Some(access_token), false).await?;
        let headers = [
            ("Authorization", auth.as_str()),
            ("DPoP", proof.as_str()),
            ("Accept", "application/json"),
        ];
        let call = HttpCall {
            method: "GET",
            url,
            headers: &headers,
            body: None,
        };
        let answer = send(step, call, None).await?;
        if retried || !retry_for_nonce(sink, step, url, &answer) {
            return Ok(answer);
        }
        retried = true;
    }
}

/// "Steal the token": the access token replayed as a plain Bearer token, then with a proof of
/// another key (a thief's, made for this); the API must refuse both (RFC 9449 7.1).
pub async fn steal(sink: &dyn StepSink, session: &Session) -> Result<(), FlowError> {
    let (url, _) = super::pkce::api_target(session)?;
    let access_token = super::pkce::access_token(session)?;
    let mut result = Ok(());
    for with_key in [false, true] {
        let mut step = steal_step(&url, access_token, with_key);
        let bearer = format!("Bearer {access_token}");
        let dpop = format!("DPoP {access_token}");
        let mut headers = vec![("Accept", "application/json")];
        let stolen_proof;
        if with_key {
            browser::new_key(KeyUse::Stranger).await?;
            let (p, _) = proof(KeyUse::Stranger, "GET", &url, Some(access_token), false).await?;
            stolen_proof = p;
            headers.push(("Authorization", dpop.as_str()));
            headers.push(("DPoP", stolen_proof.as_str()));
        } else {
            headers.push(("Authorization", bearer.as_str()));
        }
        let answer = super::get(sink, &mut step, &url, &headers).await;
        if let Ok(a) = &answer {
            let check = judge_steal(a, with_key);
            if let (Some(e), Ok(())) = (check.as_error(), &result) {
                result = Err(e);
            }
            step.checks.push(check);
        }
        sink.emit(step.settle());
        answer?;
    }
    result
}
