//! Token revocation (RFC 7009): on sign-out the app asks the provider to invalidate the
//! refresh token (and with it, at most providers, the grant) and the access token, before it
//! forgets them.

use super::config::Config;
use super::http::{HttpAnswer, OAuthError};
use super::step::{Check, Step, StepId};
use super::token::{grant_step, TokenRequest};

/// The tokens worth revoking, in order: the refresh token (long-lived), then the access token.
pub fn to_revoke<'a>(
    refresh_token: Option<&'a str>,
    access_token: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    [
        ("refresh_token", refresh_token),
        ("access_token", access_token),
    ]
    .into_iter()
    .filter_map(|(hint, t)| t.map(|t| (hint, t)))
    .collect()
}

/// The revocation request (RFC 7009 2.1), the client authenticated as for the token endpoint.
pub fn revoke_request(token: &str, hint: &str, config: &Config) -> TokenRequest {
    TokenRequest::new(&[("token", token), ("token_type_hint", hint)], config)
}

/// The revocation step for one token; `hint` is `refresh_token` or `access_token`.
pub fn revoke_step(endpoint: &str, request: &TokenRequest, hint: &str) -> Step {
    let (id, title) = if hint == "refresh_token" {
        (StepId::Revoke, "Revoke the refresh token")
    } else {
        (StepId::RevokeAccess, "Revoke the access token")
    };
    grant_step(id, title, "step/revoke", endpoint, request)
}

/// Judges the revocation answer: HTTP 200 means revoked (also for a token already invalid,
/// RFC 7009 2.2); anything else is shown with the provider's error.
pub fn judge_revocation(answer: &HttpAnswer) -> Check {
    const SPEC: &str = "RFC 7009 2.2";
    if answer.status == 200 {
        return Check::pass(
            "revoked",
            "The provider answered 200: the token is no longer valid.",
            SPEC,
        );
    }
    let why = OAuthError::from_json(&answer.body)
        .map(|e| e.sentence())
        .unwrap_or_else(|| format!("HTTP {}", answer.status));
    Check::fail(
        "revoked",
        format!("The provider did not revoke the token: {why}. The tab forgot it all the same."),
        "RFC 7009 2.2.1",
        super::error::ErrorCode::IdpError,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::step::CheckStatus;

    #[test]
    fn what_is_revoked_and_how() {
        assert_eq!(
            to_revoke(Some("r"), Some("a")),
            [("refresh_token", "r"), ("access_token", "a")]
        );
        assert_eq!(to_revoke(None, Some("a")), [("access_token", "a")]);
        let mut config = Config::defaults("http://a/");
        config.client_id = "app".into();
        let req = revoke_request("t+1", "refresh_token", &config);
        assert_eq!(
            req.body,
            "token=t%2B1&token_type_hint=refresh_token&client_id=app"
        );
        let step = revoke_step("https://op/revoke", &req, "refresh_token");
        assert_eq!(step.id, StepId::Revoke);
        assert!(!step.request.unwrap().masked().to_text().contains("t%2B1"));
        assert_eq!(
            revoke_step("u", &req, "access_token").id,
            StepId::RevokeAccess
        );
        // A confidential client authenticates its revocation too (RFC 7009 2.1).
        config.auth_method = crate::protocol::config::AuthMethod::ClientSecretBasic;
        config.client_secret = "s".into();
        let req = revoke_request("t", "access_token", &config);
        assert!(req.headers.iter().any(|(k, _)| k == "Authorization"));
    }

    #[test]
    fn answers() {
        let answer = |status, body: &str| HttpAnswer {
            status,
            content_type: None,
            body: body.into(),
            ..Default::default()
        };
        assert_eq!(judge_revocation(&answer(200, "")).status, CheckStatus::Pass);
        let c = judge_revocation(&answer(400, r#"{"error":"unsupported_token_type"}"#));
        assert!(
            c.failed() && c.detail.contains("unsupported_token_type"),
            "{}",
            c.detail
        );
        assert!(judge_revocation(&answer(503, "<html>"))
            .detail
            .contains("HTTP 503"));
    }
}
