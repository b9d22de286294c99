//! ID token verification: JWKS from `jwks_uri` (one re-fetch on an unknown kid), the signature
//! through WebCrypto, then every claim check. Each is shown as its own line.

use super::{call, record_answer, Boxed, StepSink};
use crate::browser::{self, HttpCall};
use crate::protocol::discovery::ProviderMetadata;
use crate::protocol::error::{ErrorCode, FlowError};
use crate::protocol::idtoken::{
    check_claims, half_hash_sha256, left_half, needs_sha512, Expectations, Previous,
};
use crate::protocol::json::Json;
use crate::protocol::jwks::{parse_jwks, select_key, Jwk, Jwks, KeyChoiceError};
use crate::protocol::jwt::{decode, DecodedJwt, SigAlg};
use crate::protocol::step::{Actor, Check, HttpRecord, Step, StepId, StepKind};
use crate::protocol::tamper::alter_signature;

const SIG: &str = "OIDC Core 3.1.3.7 (6)";

thread_local! {
    /// The key set requested ahead of need (see [`prefetch_jwks`]), taken once by the next
    /// fetch of the same address.
    static PREFETCHED: std::cell::RefCell<Option<browser::InFlight>> =
        const { std::cell::RefCell::new(None) };
}

/// Sends the request for the key set now, so it travels while the token request is in flight:
/// its address is known from discovery. Its panel still comes after the token's, when the keys
/// are used. Not in step-through mode, where every request waits for the presenter.
pub fn prefetch_jwks(jwks_uri: &str) {
    let inflight = browser::InFlight::get_json(jwks_uri);
    PREFETCHED.with_borrow_mut(|p| *p = Some(inflight));
}

async fn fetch_jwks(
    sink: &dyn StepSink,
    jwks_uri: &str,
    id: StepId,
    why: &'static str,
) -> Result<Jwks, FlowError> {
    let mut step = Step::new(
        id,
        "Fetch the provider's signing keys (JWKS)",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        why,
    );
    step.request = Some(HttpRecord::request("GET", jwks_uri).header("Accept", "application/json"));
    let prefetched = PREFETCHED
        .with_borrow_mut(Option::take)
        // Only this login's: a request left over from a login that failed is not used.
        .filter(|p| p.url == jwks_uri && browser::now_ms() - p.started_ms < 30_000.0);
    let answer = match prefetched {
        // Sent while the token request was in flight: only its answer is awaited here.
        Some(inflight) => {
            let started = inflight.started_ms;
            let answer = inflight.answer().await;
            record_answer(&mut step, started, &answer);
            answer
        }
        None => {
            call(
                sink,
                &mut step,
                HttpCall {
                    method: "GET",
                    url: jwks_uri,
                    headers: &[("Accept", "application/json")],
                    body: None,
                },
            )
            .await
        }
    };
    browser::mark("keys");
    let result = answer.and_then(|a| parse_jwks(&a.body));
    match &result {
        Ok(j) => step.checks.push(Check::pass(
            "key set",
            format!("{} public key(s) published.", j.keys.len()),
            "RFC 7517 5; OIDC Core 10.1",
        )),
        Err(e) if step.response.is_some() => step.checks.push(Check::failing("key set", e)),
        Err(_) => {}
    }
    sink.emit(step.settle());
    result
}

/// Values that came with the ID token, bound to it by at_hash and c_hash.
#[derive(Clone, Copy, Default)]
pub struct Companions<'a> {
    pub access_token: Option<&'a str>,
    pub code: Option<&'a str>,
}

/// The half-hash of a companion value for the token's algorithm (SHA-512 through WebCrypto).
async fn expected_half_hash(alg: SigAlg, value: Option<&str>) -> Result<Option<String>, FlowError> {
    match value {
        None => Ok(None),
        Some(v) if needs_sha512(alg) => Ok(Some(left_half(&browser::sha512(v).await?))),
        Some(v) => Ok(Some(half_hash_sha256(v))),
    }
}

/// Verifies an ID token and returns it decoded. `want` holds what the claims must match.
pub fn verify_id_token<'a>(
    sink: &'a dyn StepSink,
    jwks_uri: &'a str,
    token: &'a str,
    want: &'a Expectations<'a>,
    companions: Companions<'a>,
) -> Boxed<'a, Result<DecodedJwt, FlowError>> {
    Box::pin(async move {
        // An ID token that came with a code through the front channel (hybrid) has its own
        // panel: it is checked before the code is exchanged, and its c_hash binds the code.
        let (id, title) = if companions.code.is_some() {
            (
                StepId::FrontIdToken,
                "Validate the ID token from the front channel",
            )
        } else {
            (StepId::IdToken, "Validate the ID token")
        };
        let mut step = Step::new(
            id,
            title,
            StepKind::Local,
            Actor::App,
            Actor::App,
            "step/id-token",
        );
        step.request = Some(HttpRecord::default().body(token).secret(token));
        // The decoded header and claims, each explained (shown even when a check fails).
        if let Ok(jwt) = decode(token) {
            step.params = jwt.described();
        }
        let result = verify_inner(sink, jwks_uri, token, want, companions, &mut step.checks).await;
        if let Ok(jwt) = &result {
            step.response = Some(HttpRecord::default().body(jwt.claims_pretty()));
        }
        sink.emit(step.settle());
        result
    })
}

/// Verifies an ID token that came without a nonce to compare (from a refresh, a direct grant or
/// the device flow); after a refresh, `previous` holds the first token's claims it must repeat.
pub fn verify_unsolicited<'a>(
    sink: &'a dyn StepSink,
    meta: &'a ProviderMetadata,
    client_id: &'a str,
    id_token: &'a str,
    access_token: Option<&'a str>,
    previous: Option<&'a [(String, Json)]>,
) -> Boxed<'a, Result<DecodedJwt, FlowError>> {
    Box::pin(async move {
        let want = Expectations {
            issuer: &meta.issuer,
            client_id,
            nonce: None,
            now: browser::now_secs(),
            at_hash: None,
            require_at_hash: false,
            c_hash: None,
            previous: previous.map(Previous::Refresh),
        };
        let companions = Companions {
            access_token,
            code: None,
        };
        verify_id_token(sink, &meta.jwks_uri, id_token, &want, companions).await
    })
}

async fn verify_inner(
    sink: &dyn StepSink,
    jwks_uri: &str,
    token: &str,
    want: &Expectations<'_>,
    companions: Companions<'_>,
    checks: &mut Vec<Check>,
) -> Result<DecodedJwt, FlowError> {
    let jwt = match decode(token) {
        Ok(j) => j,
        Err(e) => {
            checks.push(Check::failing("well-formed JWT", &e));
            return Err(e);
        }
    };
    checks.push(Check::pass(
        "well-formed JWT",
        "Three base64url parts: header, claims, signature.",
        "RFC 7519 7.2",
    ));
    let (alg, jwt, sig_error) =
        check_signature(sink, StepId::IdToken, jwks_uri, token, jwt, checks).await?;
    let mut want = want.clone();
    want.at_hash = expected_half_hash(alg, companions.access_token).await?;
    want.c_hash = expected_half_hash(alg, companions.code).await?;
    browser::mark("signature");
    let claim_checks = check_claims(&jwt, &want);
    let claim_error = claim_checks.iter().find(|c| c.failed()).map(|c| {
        FlowError::new(
            c.error.unwrap_or(ErrorCode::ClaimMissing),
            format!(
                "ID token check \u{201c}{}\u{201d} failed: {}",
                c.name, c.detail
            ),
        )
        .spec(c.spec)
    });
    checks.extend(claim_checks);
    match sig_error.or(claim_error) {
        Some(e) => Err(e),
        None => Ok(jwt),
    }
}

/// The algorithm, the token as checked, and the signature's failure if it did not verify.
pub(crate) type Signed = (SigAlg, DecodedJwt, Option<FlowError>);

/// The signature half of a JWT's validation, each step its own check: the algorithm
/// allow-list, the key from `jwks_uri` (one re-fetch on an unknown kid, never a key from the
/// token), break-it, then WebCrypto. Returns the algorithm, the token as checked, and the
/// signature's failure if it did not verify (the claims are still worth showing then); `Err`
/// when nothing more can be checked. `step` is the step checking it: break-it alters the
/// signature of a login's ID token only, never a token pasted into the inspector.
pub(crate) fn check_signature<'a>(
    sink: &'a dyn StepSink,
    step: StepId,
    jwks_uri: &'a str,
    token: &'a str,
    jwt: DecodedJwt,
    checks: &'a mut Vec<Check>,
) -> Boxed<'a, Result<Signed, FlowError>> {
    Box::pin(async move {
        let alg = match SigAlg::parse(&jwt.header.alg) {
            Ok(a) => a,
            Err(e) => {
                checks.push(
                    Check::failing("alg allowed", &e)
                        .compared("RS256, PS256, ES256, EdDSA", &jwt.header.alg),
                );
                return Err(e);
            }
        };
        checks.push(
            Check::pass(
                "alg allowed",
                format!("{} is on the allow-list (never none or HS*).", alg.as_str()),
                "RFC 8725 3.1",
            )
            .compared("RS256, PS256, ES256, EdDSA", alg.as_str()),
        );

        let jwks = fetch_jwks(sink, jwks_uri, StepId::Jwks, "step/jwks.verify").await?;
        let key: Jwk = match select_key(&jwks, &jwt.header, alg) {
            Ok(k) => k.clone(),
            Err(KeyChoiceError::UnknownKid(kid)) => {
                // Keys rotate: fetch once more before giving up (OIDC Core 10.1.1).
                let again =
                    fetch_jwks(sink, jwks_uri, StepId::JwksRefetch, "step/jwks-refetch").await?;
                match select_key(&again, &jwt.header, alg) {
                    Ok(k) => k.clone(),
                    Err(_) => return Err(key_failure(checks, KeyChoiceError::UnknownKid(kid))),
                }
            }
            Err(e) => return Err(key_failure(checks, e)),
        };
        checks.push(Check::pass(
            "signing key",
            format!(
                "Key \"{}\" ({}) from jwks_uri.",
                key.kid.as_deref().unwrap_or("(no kid)"),
                key.kty
            ),
            "OIDC Core 10.1",
        ));

        // Break-it: one character of the signature changed before WebCrypto sees it.
        let jwt = match sink.take_tamper(step) {
            Some(t) => {
                checks.push(t.check());
                decode(&alter_signature(token))?
            }
            None => jwt,
        };
        let verified =
            browser::verify_signature(alg, &key, jwt.signing_input.as_bytes(), &jwt.signature)
                .await;
        let sig_error = match verified {
            Ok(true) => {
                checks.push(Check::pass(
                "signature",
                "WebCrypto verified the signature: the token is exactly what the provider signed.",
                SIG,
            ));
                None
            }
            Ok(false) => {
                let e = FlowError::new(
                ErrorCode::BadSignature,
                "The signature does not verify: the token was altered or signed by someone else.",
            )
            .spec(SIG);
                checks.push(Check::failing("signature", &e));
                Some(e)
            }
            Err(e) => {
                checks.push(Check::failing("signature", &e));
                Some(e)
            }
        };
        Ok((alg, jwt, sig_error))
    })
}

fn key_failure(checks: &mut Vec<Check>, e: KeyChoiceError) -> FlowError {
    let err = e.into_error();
    checks.push(Check::fail(
        "signing key",
        err.message.clone(),
        "OIDC Core 10.1.1",
        err.code,
    ));
    err
}
