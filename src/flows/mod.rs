//! Flows: each one drives the protocol through the browser module and emits [`Step`]s.
//!
//! A flow knows the order of things; `protocol` knows the rules; the UI only renders steps and
//! sends intents (sign in, call the API, sign out).

pub mod card;
pub mod device;
pub mod direct;
pub mod dpop;
pub mod inspect;
pub mod pkce;
pub mod verify;

use crate::browser::{self, HttpCall};
use crate::protocol::assertion::{
    assemble, judge_registration, registration, signed_check, signing_input,
};
use crate::protocol::config::Config;
use crate::protocol::discovery::ProviderMetadata;
use crate::protocol::error::FlowError;
use crate::protocol::http::HttpAnswer;
use crate::protocol::json::Json;
use crate::protocol::pkce::b64url;
use crate::protocol::step::Check;
use crate::protocol::step::Step;
use crate::protocol::step::StepId;
use crate::protocol::tamper::Tamper;
use crate::protocol::token::{
    describe_request, judge_token_response, response_record, TokenRequest, TokenSet,
};
use crate::protocol::url::parse_pairs;

/// Where a flow reports what happens.
pub trait StepSink {
    /// Appends a step (or replaces the last one when it has the same id).
    fn emit(&self, step: Step);
    /// The steps so far (carried across a full-page redirect).
    fn steps(&self) -> Vec<Step>;
    /// Restores the configuration a login was started with (after a redirect).
    fn restore_config(&self, config: Config);
    /// Shows `step` as about to happen and, in step-through mode, waits until the presenter
    /// continues.
    fn hold<'a>(
        &'a self,
        step: &Step,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;
    /// Break-it: the change the presenter chose, if it is made at step `at` (consumed once).
    fn take_tamper(&self, at: StepId) -> Option<Tamper>;
    /// Says what the flow is waiting for (the outcome line, while in progress).
    fn say(&self, text: String);
    /// Whether the user can cancel what the flow waits for now (the Cancel button).
    fn cancellable(&self, on: bool);
    /// Whether the user pressed Cancel since the flow became cancellable.
    fn cancel_requested(&self) -> bool;
}

/// Performs a back-channel call for a step: times it, records the response on the step, and
/// when the endpoint cannot be reached (or refuses this origin) records that as a failed check.
pub(crate) fn call<'a>(
    sink: &'a dyn StepSink,
    step: &'a mut Step,
    call: HttpCall<'a>,
) -> Answer<'a> {
    Box::pin(async move {
        sink.hold(step).await;
        // Only a request with a body can be changed here (the token request).
        let tamper = if call.body.is_some() {
            sink.take_tamper(step.id)
        } else {
            None
        };
        send(step, call, tamper).await
    })
}

/// A GET with `headers` for `step` (see [`call`]).
pub(crate) fn get<'a>(
    sink: &'a dyn StepSink,
    step: &'a mut Step,
    url: &'a str,
    headers: &'a [(&'a str, &'a str)],
) -> Answer<'a> {
    call(
        sink,
        step,
        HttpCall {
            method: "GET",
            url,
            headers,
            body: None,
        },
    )
}

/// Sends `call` for `step` once the step was shown (and held, in step-through mode), with
/// break-it's change `tamper` made to its body on the way (recorded on the step, masked like
/// the rest); see [`call`].
pub(crate) fn send<'a>(
    step: &'a mut Step,
    call: HttpCall<'a>,
    tamper: Option<Tamper>,
) -> Answer<'a> {
    Box::pin(async move {
        let HttpCall {
            method,
            url,
            headers,
            body,
        } = call;
        let tampered = match (tamper, body) {
            (Some(t), Some(b)) => {
                let changed = t.apply_to_body(b);
                step.checks.push(t.check());
                if let Some(r) = step.request.take() {
                    let mut r = r.body(changed.clone());
                    for (k, v) in parse_pairs(&changed) {
                        if k == "code" || k == "code_verifier" {
                            r = r.secret(&v);
                        }
                    }
                    step.request = Some(r);
                }
                Some(changed)
            }
            _ => None,
        };
        let call = HttpCall {
            method,
            url,
            headers,
            body: tampered.as_deref().or(body),
        };
        let started = browser::now_ms();
        let answer = browser::fetch(call).await;
        record_answer(step, started, &answer);
        answer
    })
}

/// Records a back-channel answer on its step: how long since `started_ms`, the response, or
/// (unreachable, refused by CORS) a failed check.
pub(crate) fn record_answer(
    step: &mut Step,
    started_ms: f64,
    answer: &Result<HttpAnswer, FlowError>,
) {
    step.duration_ms = Some((browser::now_ms() - started_ms) as u32);
    match answer {
        Ok(a) => step.response = Some(response_record(a)),
        Err(e) => step.checks.push(Check::failing("reachable", e)),
    }
}

/// A boxed back-channel call: its callers share one copy of the state machine.
pub(crate) type Answer<'a> = Boxed<'a, Result<HttpAnswer, FlowError>>;

/// A boxed future. Long async functions awaited from several places return one, so their state
/// machine exists once in the wasm instead of being inlined into every caller.
pub(crate) type Boxed<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>;

/// The token endpoint, which every grant but implicit needs.
pub(crate) fn token_endpoint(meta: &ProviderMetadata) -> Result<String, FlowError> {
    meta.token_endpoint.clone().ok_or_else(|| {
        FlowError::new(
            crate::protocol::error::ErrorCode::DiscoveryInvalid,
            "The provider has no token_endpoint.",
        )
    })
}

/// Sends a token request for `step` and judges the answer (one copy for every grant). With
/// DPoP, the tokens must come back bound to this tab's key.
pub(crate) fn token_request<'a>(
    sink: &'a dyn StepSink,
    mut step: Step,
    endpoint: &'a str,
    request: &'a TokenRequest,
    want_id_token: bool,
) -> Boxed<'a, Result<TokenSet, FlowError>> {
    Box::pin(async move {
        let answer = post_form(sink, &mut step, endpoint, request).await;
        browser::mark("token");
        let mut tokens = answer.and_then(|a| {
            let (record, checks, result) = judge_token_response(&a, want_id_token);
            step.response = Some(record);
            step.checks.extend(checks);
            result
        });
        if let (true, Ok(t)) = (request.dpop, &tokens) {
            if let Err(e) = dpop::check_binding(&mut step, t).await {
                tokens = Err(e);
            }
        }
        sink.emit(step.settle());
        tokens
    })
}

/// POSTs a form request (token, device authorization, push, revocation) for `step` (see
/// [`call`]). `private_key_jwt`: a fresh assertion signed for this one request. DPoP (token
/// requests): a fresh proof; a server's nonce demand is answered by one retry, its own step,
/// which `step` becomes.
pub(crate) fn post_form<'a>(
    sink: &'a dyn StepSink,
    step: &'a mut Step,
    url: &'a str,
    request: &'a TokenRequest,
) -> Answer<'a> {
    Box::pin(async move {
        let mut retried = false;
        loop {
            sink.hold(step).await;
            let mut tamper = sink.take_tamper(step.id);
            let signed;
            let mut sent = request;
            if let Some((client_id, audience)) = &request.sign_as {
                let (jws, check) =
                    client_assertion(client_id, audience)
                        .await
                        .inspect_err(|e| {
                            step.checks
                                .push(Check::failing("client assertion signed", e))
                        })?;
                // Once a panel (the device flow's polls share one).
                if !step.checks.iter().any(|c| c.name == check.name) {
                    step.checks.push(check);
                }
                signed = request.with_assertion(&jws);
                describe_request(step, url, &signed);
                sent = &signed;
            }
            let mut headers = sent.header_refs();
            let proof;
            if sent.dpop {
                // Break-it: the proof names another URL (the only change made to a proof).
                let wrong_htu = tamper == Some(Tamper::DpopHtu);
                if wrong_htu {
                    tamper = None;
                    step.checks.push(Tamper::DpopHtu.check());
                }
                proof = dpop::prove(step, "POST", url, None, wrong_htu).await?;
                headers.push(("DPoP", &proof));
            }
            let call = HttpCall {
                method: "POST",
                url,
                headers: &headers,
                body: Some(&sent.body),
            };
            let answer = send(step, call, tamper).await;
            match &answer {
                Ok(a) if sent.dpop && !retried && dpop::retry_for_nonce(sink, step, url, a) => {
                    retried = true
                }
                _ => return answer,
            }
        }
    })
}

/// A client assertion (RFC 7523 2.2) signed by this tab's key, and the check that says so.
async fn client_assertion(client_id: &str, audience: &str) -> Result<(String, Check), FlowError> {
    let key = browser::key(browser::KeyUse::Client).await?;
    let jti = b64url(&browser::random_bytes::<16>()?);
    let input = signing_input(&key, client_id, audience, &jti, browser::now_secs());
    let jws = assemble(
        &input,
        &browser::sign_with(browser::KeyUse::Client, &input).await?,
    )?;
    Ok((jws, signed_check(&key, client_id, audience)))
}

/// Registers a `private_key_jwt` client with this tab's key (RFC 7591) and returns its id.
pub async fn register(sink: &dyn StepSink, config: &Config) -> Result<String, FlowError> {
    let (meta, _) = pkce::discover(sink, &config.issuer, None).await?;
    let Some(endpoint) = meta.registration_endpoint else {
        return Err(FlowError::new(
            crate::protocol::error::ErrorCode::InvalidConfig,
            "The provider has no registration_endpoint: register the public key in its console instead.",
        )
        .spec("RFC 7591 3"));
    };
    let key = browser::key(browser::KeyUse::Client).await?;
    let (body, mut step) = registration(config, &key, &endpoint, &browser::app_base());
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
    ];
    let answer = call(
        sink,
        &mut step,
        HttpCall {
            method: "POST",
            url: &endpoint,
            headers: &headers,
            body: Some(&body),
        },
    )
    .await;
    let id = answer.and_then(|a| judge_registration(&mut step, &a));
    sink.emit(step.settle());
    id
}

/// A signed-in session. Held in memory only: never stored, never put in a URL.
#[derive(Clone, Debug)]
pub struct Session {
    pub config: Config,
    pub metadata: ProviderMetadata,
    pub tokens: TokenSet,
    /// The verified ID token's claims.
    pub claims: Vec<(String, Json)>,
    /// The body of the last API call, indented for display.
    pub api_body: Option<String>,
    /// DPoP: the thumbprint of the key the tokens are bound to (`None`: bearer tokens).
    pub dpop_jkt: Option<String>,
    /// DPoP: whether the authorization code was bound too (`dpop_jkt` sent, popup window).
    pub code_bound: bool,
}

impl Session {
    pub fn sub(&self) -> Option<&str> {
        self.claims
            .iter()
            .find(|(k, _)| k == "sub")
            .and_then(|(_, v)| v.as_str())
    }
}
