//! The JWT inspector: decode a pasted JWT, then (when asked) find the issuer's keys by discovery
//! or a JWKS URL and check the signature and the claims that apply. The steps go to the same
//! list as a login's, so the panels, the diagram and the export show them.

use super::verify::check_signature;
use super::StepSink;
use crate::browser;
use crate::protocol::error::FlowError;
use crate::protocol::inspect::{claim_checks, describe, inspect_step, verdict, KeySource};
use crate::protocol::jwt::decode;
use crate::protocol::step::Check;

/// Inspects `token`; `Ok` carries a sentence for the outcome line.
pub async fn inspect(
    sink: &dyn StepSink,
    token: &str,
    source: KeySource,
    audience: &str,
) -> Result<String, FlowError> {
    let mut step = inspect_step(token);
    let jwt = match decode(token) {
        Ok(j) => j,
        Err(e) => {
            step.checks.push(Check::failing("well-formed JWT", &e));
            sink.emit(step.settle());
            return Err(e);
        }
    };
    describe(&mut step, &jwt);
    step.checks.push(Check::pass(
        "well-formed JWT",
        "Three base64url parts: header, claims, signature.",
        "RFC 7519 7.2",
    ));
    let (jwks_uri, issuer) = match source {
        KeySource::None => (None, None),
        KeySource::Jwks(uri) => (Some(uri), None),
        KeySource::Issuer(issuer) => match super::pkce::discover(sink, &issuer, None).await {
            Ok((meta, _)) => (Some(meta.jwks_uri), Some(meta.issuer)),
            Err(e) => {
                step.checks.push(Check::failing("signature", &e));
                sink.emit(step.settle());
                return Err(e);
            }
        },
    };
    let mut checked = jwt.clone();
    if let Some(uri) = &jwks_uri {
        // On Err the failed check says why; the claims are shown all the same.
        if let Ok((_, jwt, _)) = check_signature(
            sink,
            crate::protocol::step::StepId::Inspect,
            uri,
            token,
            jwt,
            &mut step.checks,
        )
        .await
        {
            checked = jwt;
        }
    } else {
        step.checks.push(Check::skip(
            "signature",
            "Not checked: choose the issuer or a JWKS URL to verify who signed this token.",
            "RFC 7515 5.2",
        ));
    }
    let checks = claim_checks(&checked, browser::now_secs(), issuer.as_deref(), audience);
    step.checks.extend(checks);
    let step = step.settle();
    let result = verdict(&step, jwks_uri.is_some());
    sink.emit(step);
    result
}
