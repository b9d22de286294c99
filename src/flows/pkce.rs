//! Authorization Code with PKCE, entirely in the browser.
//!
//! start: discovery -> secrets -> transaction stored -> redirect.
//! resume (at the redirect URI): clean the URL -> consume the transaction by state -> RFC 9207 iss
//! -> error -> code exchange -> ID token validation -> call the API (userinfo).

use super::verify::{verify_id_token, verify_unsolicited, Companions};
use super::{post_form, token_endpoint, token_request, Boxed, Session, StepSink};
use crate::browser::{self, HttpCall};
use crate::protocol::authorize::{
    altered, authorize_step, broken_authorize, build_authorization_request, check_form_post_target,
    form_post_unavailable, secrets_step, user_step,
};
use crate::protocol::callback::{
    handover_step, judge_callback, orphan_callback_step, CallbackParams, ResponseSource,
};
use crate::protocol::config::{Config, Flow, ResponseMode, Window};
use crate::protocol::discovery::{
    discovery_request_step, discovery_step, discovery_url, ProviderMetadata,
};
use crate::protocol::error::{ErrorCode, FlowError};
use crate::protocol::idtoken::{no_identity_step, Expectations, Previous};
use crate::protocol::logout::{
    build_logout, logout_return_state, logout_return_step, LogoutRequest, LogoutTransaction,
};
use crate::protocol::par::{self, push_request};
use crate::protocol::pkce::b64url;
use crate::protocol::pkce::LoginSecrets;
use crate::protocol::refresh::{merge_refreshed, refresh_request, refresh_step};
use crate::protocol::revoke::{judge_revocation, revoke_request, revoke_step, to_revoke};
use crate::protocol::step::StepId;
use crate::protocol::step::StepStatus;
use crate::protocol::token::TokenSet;
use crate::protocol::token::{api_step, code_exchange, judge_api_response, token_step};
use crate::protocol::transaction::{Recorded, Transaction, TRANSACTION_LIFETIME_SECS};
use crate::protocol::url::{parse_pairs, query_of};

/// Fetches and judges the discovery document, emitting its step.
///
/// With a `config`, the provider's support for it is judged on the same panel (and a login it
/// does not support is refused before anything is sent).
pub fn discover<'a>(
    sink: &'a dyn StepSink,
    issuer: &'a str,
    config: Option<&'a Config>,
) -> Boxed<'a, Result<(ProviderMetadata, Recorded), FlowError>> {
    Box::pin(async move {
        let url = match discovery_url(issuer) {
            Ok(u) => u,
            Err(e) => {
                let (step, _) = discovery_step(issuer, issuer, Err(&e), None, None);
                sink.emit(step);
                return Err(e);
            }
        };
        sink.hold(&discovery_request_step(&url)).await;
        let started = browser::now_ms();
        let answer = browser::fetch(HttpCall {
            method: "GET",
            url: &url,
            headers: &[("Accept", "application/json")],
            body: None,
        })
        .await;
        let duration_ms = Some((browser::now_ms() - started) as u32);
        let (step, meta) = discovery_step(issuer, &url, answer.as_ref(), duration_ms, config);
        sink.emit(step);
        let meta = meta?;
        let answer = answer?;
        Ok((
            meta,
            Recorded {
                url,
                answer,
                duration_ms,
            },
        ))
    })
}

/// Starts a login: on success the browser is leaving for the provider.
///
/// Redirect window: the transaction goes to sessionStorage and the page leaves (`Ok(None)`).
/// Popup window: the transaction stays in memory, the popup relays the answer, and the login
/// finishes here (`Ok(Some(session))`). The popup is closed whatever happens.
pub async fn start(
    sink: &dyn StepSink,
    config: Config,
    popup: Option<browser::Popup>,
) -> Result<Option<Session>, FlowError> {
    let result = start_inner(sink, config, popup.as_ref()).await;
    if let Some(p) = popup {
        p.close();
    }
    result
}

async fn start_inner(
    sink: &dyn StepSink,
    config: Config,
    popup: Option<&browser::Popup>,
) -> Result<Option<Session>, FlowError> {
    // Checked before anything is sent: without the worker the provider's POST would be lost.
    if config.effective_response_mode() == ResponseMode::FormPost {
        check_form_post_target(&config, &browser::app_base())?;
        if !browser::worker_in_control() {
            return Err(form_post_unavailable());
        }
    }
    let (meta, discovery) = discover(sink, &config.issuer, Some(&config)).await?;
    let secrets = LoginSecrets::from_random(browser::random_bytes::<96>()?);
    // A popup login's state says so, for the callback page's relay (see POPUP_STATE_PREFIX).
    let secrets = if popup.is_some() {
        secrets.for_popup()
    } else {
        secrets
    };
    sink.emit(secrets_step(&secrets, config.flow));
    // PAR: chosen, or demanded by the provider (RFC 9126 5).
    let par_endpoint = if config.par || meta.require_pushed_authorization_requests {
        Some(meta.pushed_authorization_request_endpoint.clone().ok_or_else(|| {
            FlowError::new(
                ErrorCode::InvalidConfig,
                "The provider has no pushed_authorization_request_endpoint: it does not take pushed \
                 authorization requests. Turn PAR off.",
            )
            .spec("RFC 9126 5")
        })?)
    } else {
        None
    };
    let mut request = build_authorization_request(&config, &meta, &secrets)?;
    // DPoP: in the popup window this page stays and keeps its key, so the code is bound to it
    // too (dpop_jkt); in the redirect window the key is made on the callback page.
    let code_binding = if config.dpop && config.flow != Flow::Implicit {
        let jkt = match popup {
            Some(_) => {
                let jkt = super::dpop::thumbprint().await?;
                request = request.bind_code(&jkt);
                Some(jkt)
            }
            None => None,
        };
        Some(crate::protocol::dpop::code_binding_check(jkt.as_deref()))
    } else {
        None
    };
    let mut tx = Transaction {
        state: secrets.state.clone(),
        nonce: secrets.nonce.clone(),
        code_verifier: secrets.verifier.as_str().to_string(),
        config,
        created_at: browser::now_secs(),
        discovery,
        broken: String::new(),
        pushed: None,
    };
    let with_binding = |mut step: crate::protocol::step::Step| {
        step.checks.extend(code_binding.clone());
        step
    };
    let url = match par_endpoint {
        Some(endpoint) => {
            // Break-it changes the request before it is pushed.
            let tamper = sink.take_tamper(StepId::Authorize);
            let sent = tamper.map_or(request.clone(), |t| altered(&request, t));
            let push = push_request(&sent, &tx.config);
            let mut step = par::push_step(&endpoint, &push);
            step.checks.extend(par::required_check(tx.config.par));
            if let Some(t) = tamper {
                step.checks.push(t.check());
                tx.broken = t.as_str().into();
                tx.config.break_it = None;
            }
            let answer = post_form(sink, &mut step, &endpoint, &push).await;
            let pushed_at = browser::now_secs();
            let pushed = answer.and_then(|a| {
                tx.pushed = Some(Recorded {
                    url: endpoint.clone(),
                    answer: a.clone(),
                    duration_ms: step.duration_ms,
                });
                par::judge_onto(&mut step, &a)
            });
            sink.emit(step.settle());
            let pushed = pushed?;
            let sent =
                par::pushed_request(&meta.authorization_endpoint, &tx.config.client_id, &pushed);
            let mut redirect = with_binding(authorize_step(&sent));
            redirect.status = StepStatus::Pending;
            sink.emit(redirect.clone());
            sink.hold(&redirect).await;
            // A step-through pause can outlast the pushed request.
            par::still_valid(&pushed, browser::now_secs() - pushed_at)?;
            sent.url
        }
        None => {
            let mut redirect = with_binding(authorize_step(&request));
            redirect.status = StepStatus::Pending;
            sink.emit(redirect.clone());
            sink.hold(&redirect).await;
            // Break-it: the request changed on its way; the panel shows what actually leaves,
            // and the transaction remembers it (the panel is rebuilt from it after the redirect).
            match sink.take_tamper(StepId::Authorize) {
                Some(t) => {
                    let (url, step) = broken_authorize(&request, t);
                    let mut step = with_binding(step);
                    step.status = StepStatus::Pending;
                    sink.emit(step);
                    tx.broken = t.as_str().into();
                    tx.config.break_it = None;
                    url
                }
                None => request.url.clone(),
            }
        }
    };
    let Some(popup) = popup else {
        browser::store_transaction(&Transaction::storage_key(&tx.state), &tx.to_json())?;
        browser::navigate(&url)?;
        return Ok(None);
    };
    // Popup: nothing is stored; the transaction waits here in memory.
    popup.navigate(&url)?;
    let deadline_ms = (tx.created_at + TRANSACTION_LIFETIME_SECS) as f64 * 1000.0;
    let waiting = |looks_closed: bool| {
        sink.cancellable(true);
        sink.say(if looks_closed {
            "Waiting for the sign-in window. The browser reports it closed: either you closed it (then press \
             Cancel), or the provider cut this page's link to it with Cross-Origin-Opener-Policy, and the answer \
             will still arrive when you finish signing in there."
                .into()
        } else {
            "Waiting for the sign-in window: sign in there. Cancel stops waiting.".into()
        });
    };
    let answer = popup
        .answer(&tx.state, deadline_ms, &waiting, &|| {
            sink.cancel_requested()
        })
        .await;
    sink.cancellable(false);
    let (pairs, source, callback_url) = answer?;
    browser::mark("transaction");
    // The redirect's panel is done: the provider answered.
    if let Some(mut redirect) = sink.steps().pop().filter(|s| s.id == StepId::Authorize) {
        redirect.status = StepStatus::Done;
        sink.emit(redirect);
    }
    sink.emit(user_step());
    if browser::now_secs() - tx.created_at > TRANSACTION_LIFETIME_SECS {
        return Err(FlowError::new(
            ErrorCode::TransactionExpired,
            "The login took longer than 10 minutes; start it again.",
        )
        .spec("RFC 9700 4.7"));
    }
    let source = match source.as_str() {
        "form_post" => ResponseSource::FormPost,
        "fragment" => ResponseSource::Fragment,
        _ => ResponseSource::Query,
    };
    finish(
        sink,
        &callback_url,
        CallbackParams { pairs, source },
        tx,
        meta,
    )
    .await
    .map(Some)
}

/// Whether the page was opened as an authorization response.
pub fn pending_callback() -> Option<CallbackParams> {
    CallbackParams::from_url(&browser::location_href())
}

/// On the callback page without a query: the form the provider POSTed, claimed from the
/// Service Worker that received it (`None` when nothing was posted to this page).
pub async fn claim_posted() -> Option<Result<CallbackParams, FlowError>> {
    let posted = browser::claim_form_post().await?;
    Some(match posted.problem {
        Some(p) => Err(FlowError::new(
            ErrorCode::CallbackInvalid,
            format!("The POST to the callback could not be used: {p}."),
        )
        .spec("OAuth 2.0 Form Post Response Mode 2")),
        None => Ok(CallbackParams::posted(posted.fields)),
    })
}

/// Finishes a login at the redirect URI.
pub async fn resume(sink: &dyn StepSink, params: CallbackParams) -> Result<Session, FlowError> {
    // 1. The code must not stay in the address bar or history.
    let callback_url = browser::location_href();
    browser::replace_url(&browser::app_base());

    // 2. Find and consume the transaction by state.
    let tx = match take_by_state(&params) {
        Ok(tx) => tx,
        Err((e, restored)) => {
            if let Some(tx) = restored {
                sink.restore_config(tx.config.clone());
                if let Ok((_, steps)) = tx.replay() {
                    steps.into_iter().for_each(|s| sink.emit(s));
                }
            }
            sink.emit(orphan_callback_step(&callback_url, &params, &e));
            return Err(e);
        }
    };
    browser::mark("transaction");
    sink.restore_config(tx.config.clone());
    // The panels from before the redirect, rebuilt from the transaction (and re-judged).
    let (meta, steps) = tx.replay()?;
    steps.into_iter().for_each(|s| sink.emit(s));
    sink.emit(user_step());
    finish(sink, &callback_url, params, tx, meta).await
}

/// Judges the answer for its transaction, obtains and validates the tokens.
///
/// Boxed, so both windows (redirect and popup) share one copy of this long state machine
/// instead of each inlining its own.
fn finish<'a>(
    sink: &'a dyn StepSink,
    callback_url: &'a str,
    params: CallbackParams,
    tx: Transaction,
    meta: ProviderMetadata,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Session, FlowError>> + 'a>> {
    Box::pin(async move {
        // 3-4. RFC 9207 iss, then error, then the code.
        let (mut step, delivered) = judge_callback(callback_url, &params, &tx, &meta);
        if params.source == ResponseSource::FormPost {
            // The POST as the worker caught it, then the hand-over, where the app checks the answer.
            let checks = std::mem::take(&mut step.checks);
            sink.emit(step.settle());
            let mut handover = handover_step(params.pairs.len());
            handover.checks.extend(checks);
            sink.emit(handover.settle());
        } else {
            sink.emit(step);
        }
        let delivered = delivered?;
        let now = browser::now_secs();
        let openid = tx.config.asks_openid();
        let want = Expectations {
            issuer: &meta.issuer,
            client_id: &tx.config.client_id,
            nonce: openid.then_some(tx.nonce.as_str()),
            now,
            at_hash: None,
            require_at_hash: false,
            c_hash: None,
            previous: None,
        };

        // 5. Hybrid: the front channel's ID token is validated before the code is used; its
        // c_hash binds the code (OIDC Core 3.3.2.11).
        let front = match (tx.config.flow, &delivered.code, &delivered.id_token) {
            (Flow::Hybrid, Some(code), Some(id_token)) => {
                let companions = Companions {
                    access_token: None,
                    code: Some(code),
                };
                Some(verify_id_token(sink, &meta.jwks_uri, id_token, &want, companions).await?)
            }
            _ => None,
        };

        // 6. The tokens: from the front channel (implicit), or by exchanging the code.
        let implicit = tx.config.flow == Flow::Implicit;
        let tokens = match delivered.code {
            Some(code) if !implicit => {
                // The keys are needed right after the token answer: ask for them now, in
                // parallel (after a hybrid front-channel check they are cached already).
                if front.is_none() && openid && !tx.config.step_through {
                    super::verify::prefetch_jwks(&meta.jwks_uri);
                }
                exchange_code(sink, &tx, &meta, &code).await?
            }
            _ => TokenSet {
                token_type: if delivered.access_token.is_some() {
                    "Bearer".into()
                } else {
                    String::new()
                },
                access_token: delivered.access_token,
                expires_in: delivered.expires_in,
                id_token: delivered.id_token,
                refresh_token: None,
                scope: None,
            },
        };

        // DPoP: the key the tokens are bound to (token_request refused unbound ones).
        let dpop_jkt = super::dpop::session_binding(&tx.config, &tokens).await?;
        let code_bound = dpop_jkt.is_some() && tx.config.window == Window::Popup;

        // 7. Validate the ID token. Through the front channel, at_hash must bind the access token
        // (OIDC Core 3.2.2.10); the signature is checked in every flow. After a hybrid front
        // channel token, the token endpoint's must be about the same session (OIDC Core 3.3.3.6).
        // Plain OAuth 2.0 (no openid): no ID token was asked for, so there is no identity to
        // verify; one sent all the same is still validated (without a nonce: none was sent).
        if !openid {
            let claims = match &tokens.id_token {
                Some(t) => {
                    verify_unsolicited(sink, &meta, &tx.config.client_id, t, None, None)
                        .await?
                        .claims
                }
                None => {
                    sink.emit(no_identity_step());
                    Vec::new()
                }
            };
            return Ok(Session {
                config: tx.config,
                metadata: meta,
                tokens,
                claims,
                api_body: None,
                dpop_jkt,
                code_bound,
            });
        }
        let id_token = tokens.id_token.clone().unwrap_or_default();
        let want = Expectations {
            require_at_hash: implicit && tokens.access_token.is_some(),
            previous: front
                .as_ref()
                .map(|j| Previous::Hybrid(j.claims.as_slice())),
            ..want
        };
        let companions = Companions {
            access_token: tokens.access_token.as_deref(),
            code: None,
        };
        let jwt = verify_id_token(sink, &meta.jwks_uri, &id_token, &want, companions).await?;
        Ok(Session {
            config: tx.config,
            metadata: meta,
            tokens,
            claims: jwt.claims,
            api_body: None,
            dpop_jkt,
            code_bound,
        })
    })
}

/// Exchanges the authorization code at the token endpoint (with the PKCE verifier).
async fn exchange_code(
    sink: &dyn StepSink,
    tx: &Transaction,
    meta: &ProviderMetadata,
    code: &str,
) -> Result<TokenSet, FlowError> {
    let token_endpoint = token_endpoint(meta)?;
    let request = code_exchange(&tx.config, code, &tx.code_verifier);
    let step = token_step(&token_endpoint, &request, tx.config.confidential());
    token_request(
        sink,
        step,
        &token_endpoint,
        &request,
        tx.config.asks_openid(),
    )
    .await
}

/// Refreshes the session's tokens (RFC 6749 6). A public client's refresh token is rotated;
/// a new ID token is validated like the first and must name the same session (OIDC Core 12.2).
pub async fn refresh(sink: &dyn StepSink, session: &Session) -> Result<Session, FlowError> {
    let Some(refresh_token) = session.tokens.refresh_token.clone() else {
        return Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "This session has no refresh token: add offline_access to the scopes (many providers also want prompt=consent).",
        ));
    };
    let endpoint = token_endpoint(&session.metadata)?;
    let request = refresh_request(&refresh_token, &session.config);
    let step = refresh_step(&endpoint, &request);
    let fresh = token_request(sink, step, &endpoint, &request, false).await?;
    // Any ID token that comes back is validated, even one identical to the first.
    let new_id_token = fresh.id_token.clone();
    let (tokens, rotation) = merge_refreshed(&session.tokens, fresh);
    // The rotation check belongs to the refresh step, which is the last one emitted.
    let dpop_jkt = if request.dpop {
        Some(super::dpop::thumbprint().await?)
    } else {
        None
    };
    if let Some(mut last) = sink
        .steps()
        .pop()
        .filter(|s| matches!(s.id, StepId::Refresh | StepId::NonceRetry))
    {
        last.checks.push(rotation);
        if let Some(jkt) = &dpop_jkt {
            let kept = crate::protocol::dpop::binding_kept_check(session.dpop_jkt.as_deref(), jkt);
            let broken = kept.failed();
            last.checks.push(kept);
            sink.emit(last.settle());
            if broken {
                return Err(FlowError::new(
                    ErrorCode::DpopNotBound,
                    "The refreshed tokens are not bound to the session's key.",
                )
                .spec("RFC 9449 5"));
            }
        } else {
            sink.emit(last);
        }
    }
    let mut next = session.clone();
    next.dpop_jkt = dpop_jkt;
    if let Some(id_token) = new_id_token {
        let jwt = verify_unsolicited(
            sink,
            &session.metadata,
            &session.config.client_id,
            &id_token,
            tokens.access_token.as_deref(),
            Some(&session.claims),
        )
        .await?;
        next.claims = jwt.claims;
    }
    next.tokens = tokens;
    Ok(next)
}

/// Why no transaction was taken, with the abandoned one (if any) to replay its panels.
type TakeError = (FlowError, Option<Box<Transaction>>);

fn take_by_state(params: &CallbackParams) -> Result<Transaction, TakeError> {
    let now = browser::now_secs();
    let found = params
        .get("state")
        .and_then(|s| browser::take_transaction(&Transaction::storage_key(s)));
    match found {
        Some(json) => {
            // Any other pending login in this tab is abandoned now.
            browser::discard_transactions();
            Transaction::from_json(&json, now).map_err(|e| (e, None))
        }
        None => {
            let (pending, last) = browser::discard_transactions();
            if pending > 0 {
                let restored = last
                    .and_then(|j| Transaction::from_json(&j, now).ok())
                    .map(Box::new);
                Err((
                    FlowError::new(
                        ErrorCode::StateMismatch,
                        "The answer's state matches no login started in this tab: it may be forged (CSRF) or altered. \
                         The pending login was cancelled; nothing was exchanged.",
                    )
                    .spec("RFC 6749 10.12"),
                    restored,
                ))
            } else {
                Err((
                    FlowError::new(
                        ErrorCode::NoTransaction,
                        "No login is waiting for this answer: it was already used (a reload or a replay), was started \
                         in another tab, or never started here. Nothing was exchanged; sign in again.",
                    )
                    .spec("RFC 9700 4.7"),
                    None,
                ))
            }
        }
    }
}

/// The API the session calls: the configured API URL, or else the userinfo endpoint; and
/// whether it is userinfo.
pub(crate) fn api_target(session: &Session) -> Result<(String, bool), FlowError> {
    match (
        session.config.api_url.trim(),
        &session.metadata.userinfo_endpoint,
    ) {
        ("", Some(u)) => Ok((u.clone(), true)),
        ("", None) => Err(FlowError::new(
            ErrorCode::InvalidConfig,
            "The provider has no userinfo endpoint and no API URL is configured.",
        )),
        (api, _) => Ok((
            api.to_string(),
            session.metadata.userinfo_endpoint.as_deref() == Some(api),
        )),
    }
}

/// The session's access token, or why there is none.
pub(crate) fn access_token(session: &Session) -> Result<&str, FlowError> {
    session.tokens.access_token.as_deref().ok_or_else(|| {
        FlowError::new(
            ErrorCode::InvalidConfig,
            "This login obtained no access token: response_type=id_token is authentication only. Use the code \
             flow (or, for learning, the legacy id_token token) to call an API.",
        )
    })
}

/// Calls the API (or userinfo) with the access token: a Bearer token, or a DPoP-bound one
/// with a proof (RFC 9449 7.1).
pub async fn call_api(sink: &dyn StepSink, session: &Session) -> Result<String, FlowError> {
    let (url, is_userinfo) = api_target(session)?;
    let access_token = access_token(session)?;
    let bound = session.dpop_jkt.is_some();
    let mut step = api_step(&url, access_token, is_userinfo, bound);
    let answer = if bound {
        super::dpop::get_with_proof(sink, &mut step, &url, access_token).await
    } else {
        let auth = format!("Bearer {access_token}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Accept", "application/json"),
        ];
        super::get(sink, &mut step, &url, &headers).await
    };
    let result = answer.and_then(|a| {
        let (checks, r) = judge_api_response(&a, if is_userinfo { session.sub() } else { None });
        step.checks.extend(checks);
        r
    });
    sink.emit(step.settle());
    result
}

/// Signs out: the caller has forgotten the tokens; this revokes them at the provider when it has
/// a revocation endpoint (RFC 7009), then sends the browser to its end_session_endpoint
/// (RP-Initiated Logout 1.0). Returns false when the provider has none.
pub async fn sign_out(sink: &dyn StepSink, session: Session) -> Result<bool, FlowError> {
    let mut revoked: Vec<&str> = Vec::new();
    if let Some(endpoint) = &session.metadata.revocation_endpoint {
        let t = &session.tokens;
        for (hint, token) in to_revoke(t.refresh_token.as_deref(), t.access_token.as_deref()) {
            let request = revoke_request(token, hint, &session.config);
            let mut step = revoke_step(endpoint, &request, hint);
            let answer = post_form(sink, &mut step, endpoint, &request).await;
            if let Ok(a) = &answer {
                let check = judge_revocation(a);
                if !check.failed() {
                    revoked.push(hint);
                }
                step.checks.push(check);
            }
            sink.emit(step.settle());
        }
    }
    let Some(end) = session.metadata.end_session_endpoint.clone() else {
        return Ok(false);
    };
    let state = b64url(&browser::random_bytes::<32>()?);
    let (request, step) = build_logout(
        &end,
        &session.config.client_id,
        session.tokens.id_token.as_deref(),
        &browser::app_base(),
        &state,
        session.config.logout,
    );
    let tx = LogoutTransaction {
        state: state.clone(),
        config: session.config.clone(),
        created_at: browser::now_secs(),
        revoked: revoked.join(", "),
    };
    browser::store_transaction(&LogoutTransaction::storage_key(&state), &tx.to_json())?;
    sink.emit(step);
    match request {
        LogoutRequest::Navigate(url) => browser::navigate(&url)?,
        LogoutRequest::Post { url, fields } => browser::navigate_post(&url, &fields)?,
    }
    Ok(true)
}

/// The state of a return from the provider's logout, if this page is one.
pub fn pending_logout_return() -> Option<String> {
    logout_return_state(&parse_pairs(query_of(&browser::location_href()))).map(String::from)
}

/// Finishes a return from logout: cleans the URL and restores the configuration.
pub fn finish_logout(sink: &dyn StepSink, state: &str) -> Result<(), FlowError> {
    browser::replace_url(&browser::app_base());
    let found = browser::take_transaction(&LogoutTransaction::storage_key(state))
        .and_then(|j| LogoutTransaction::from_json(&j, browser::now_secs()));
    if let Some(tx) = &found {
        sink.restore_config(tx.config.clone());
    }
    let (step, result) = logout_return_step(found.as_ref().ok_or(()), state);
    sink.emit(step);
    result
}
