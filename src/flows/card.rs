//! The provider card ("Discover the provider"): discovery judged against the configuration,
//! the preset's console settings, a CORS probe of every endpoint the chosen flow calls from
//! this page, and the key set. Nothing is signed in; each finding is a check on a panel.

use super::pkce::discover;
use super::StepSink;
use crate::browser::{self, HttpCall};
use crate::protocol::config::Config;
use crate::protocol::discovery::{judge_for, ProviderMetadata};
use crate::protocol::error::{ErrorCode, FlowError};
use crate::protocol::jwks::parse_jwks;
use crate::protocol::presets::Preset;
use crate::protocol::provider::{
    cors_check, cors_step, cors_targets, jwks_card_step, jwks_checks, CorsTarget, Probe,
};
use crate::protocol::step::Check;
use crate::protocol::step::StepId;
use crate::protocol::token::response_record;

/// Runs the provider card for `config`; returns the metadata and how many findings failed.
pub async fn provider_card(
    sink: &dyn StepSink,
    config: &Config,
) -> Result<(ProviderMetadata, usize), FlowError> {
    // What the provider does not support is a finding here, not a reason to stop: the
    // document is judged for the configuration on the discovery panel, and the card goes on.
    let (mut meta, _) = discover(sink, &config.issuer, None).await?;
    if let Some(mut last) = sink.steps().pop().filter(|s| s.id == StepId::Discovery) {
        last.checks.extend(judge_for(config, &mut meta));
        sink.emit(last.settle());
    }
    let mut failed = sink
        .steps()
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter(|c| c.failed())
        .count();
    if let Some(p) = Preset::find(&config.preset) {
        sink.emit(p.step(
            &browser::origin(),
            &browser::app_base(),
            &config.redirect_uri,
        ));
    }
    let mut step = cors_step();
    sink.emit(step.clone());
    let here = browser::origin();
    for target in cors_targets(config, &meta) {
        let found = probe(&target, config.client_id.trim()).await;
        step.checks.push(cors_check(&target, &found, &here));
        sink.emit(step.clone());
    }
    if step.checks.is_empty() {
        step.checks.push(Check::skip(
            "CORS",
            "This flow calls no endpoint of the provider from this page.",
            "Fetch standard, CORS protocol",
        ));
    }
    let step = step.settle();
    failed += step.checks.iter().filter(|c| c.failed()).count();
    sink.emit(step);

    let mut step = jwks_card_step(&meta.jwks_uri);
    let answer = browser::fetch(HttpCall {
        method: "GET",
        url: &meta.jwks_uri,
        headers: &[("Accept", "application/json")],
        body: None,
    })
    .await;
    match answer.and_then(|a| {
        step.response = Some(response_record(&a));
        parse_jwks(&a.body)
    }) {
        Ok(set) => step.checks.extend(jwks_checks(&set, &meta)),
        Err(e) => step.checks.push(Check::failing("key set", &e)),
    }
    let step = step.settle();
    failed += step.checks.iter().filter(|c| c.failed()).count();
    sink.emit(step);
    Ok((meta, failed))
}

/// Probes one endpoint with the flow's headers (and no credential); when that is refused,
/// again without them, to tell a refused header from a refused origin.
async fn probe(t: &CorsTarget, client_id: &str) -> Probe {
    let mut headers: Vec<(&str, &str)> = t.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let json = t.headers.iter().any(|(k, _)| *k == "Content-Type");
    if t.body.is_some() && !json {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    match send(t, &headers, t.body.as_deref()).await {
        Ok(a) => Probe::Readable(a.status),
        Err(e) if e.code == ErrorCode::ResponseTooLarge => Probe::Readable(0),
        Err(e) if e.code == ErrorCode::Cors => {
            if t.headers.is_empty() {
                return Probe::OriginRefused;
            }
            let simple: Vec<(&str, &str)> = if t.body.is_some() && !json {
                vec![("Content-Type", "application/x-www-form-urlencoded")]
            } else {
                Vec::new()
            };
            // The client stays named (in the body), as providers that decide CORS per client
            // need: only the header differs between the two probes.
            let named = crate::protocol::url::encode_pairs([("client_id", client_id)]);
            let body = t.body.as_ref().map(|_| named.as_str());
            match send(t, &simple, body).await {
                Ok(_) => Probe::HeaderRefused,
                Err(e) if e.code == ErrorCode::Cors => Probe::OriginRefused,
                Err(_) => Probe::Unreachable,
            }
        }
        Err(_) => Probe::Unreachable,
    }
}

async fn send(
    t: &CorsTarget,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<crate::protocol::http::HttpAnswer, FlowError> {
    browser::fetch(HttpCall {
        method: t.method,
        url: &t.url,
        headers,
        body,
    })
    .await
}
