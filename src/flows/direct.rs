//! Client Credentials and the password grant: discovery, then one token request (no browser
//! redirect), then, when an ID token came back, its validation.

use super::pkce::discover;
use super::verify::verify_unsolicited;
use super::{token_endpoint, token_request, Boxed, Session, StepSink};
use crate::protocol::config::Config;
use crate::protocol::discovery::ProviderMetadata;
use crate::protocol::error::FlowError;
use crate::protocol::grant::direct_grant;
use crate::protocol::idtoken::not_issued_check;
use crate::protocol::token::TokenSet;

/// Runs a direct grant for `config` and returns the session it yields.
pub async fn start(sink: &dyn StepSink, config: Config) -> Result<Session, FlowError> {
    let (meta, _) = discover(sink, &config.issuer, Some(&config)).await?;
    let endpoint = token_endpoint(&meta)?;
    let (request, step) = direct_grant(&config, &endpoint)?;
    let tokens = token_request(sink, step, &endpoint, &request, false).await?;
    finish(sink, config, meta, tokens).await
}

/// The session for tokens obtained without a redirect; an ID token among them is validated
/// (there is no nonce: none was sent).
pub(crate) fn finish(
    sink: &dyn StepSink,
    config: Config,
    meta: ProviderMetadata,
    tokens: TokenSet,
) -> Boxed<'_, Result<Session, FlowError>> {
    Box::pin(async move {
        let mut session = Session {
            config,
            metadata: meta,
            tokens,
            claims: Vec::new(),
            api_body: None,
            dpop_jkt: None,
            code_bound: false,
        };
        session.dpop_jkt = super::dpop::session_binding(&session.config, &session.tokens).await?;
        // openid asked, no ID token back: this grant is outside OpenID Connect, and the
        // provider need not issue one; named on the step that obtained the tokens.
        if session.config.asks_openid() && session.tokens.id_token.is_none() {
            if let Some(mut last) = sink.steps().pop() {
                last.checks.push(not_issued_check());
                sink.emit(last);
            }
        }
        if let Some(id_token) = &session.tokens.id_token {
            let jwt = verify_unsolicited(
                sink,
                &session.metadata,
                &session.config.client_id,
                id_token,
                session.tokens.access_token.as_deref(),
                None,
            )
            .await?;
            session.claims = jwt.claims;
        }
        Ok(session)
    })
}
