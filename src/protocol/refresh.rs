//! Refreshing tokens (RFC 6749 6; OIDC Core 12): the request, refresh token rotation
//! (RFC 9700 4.14.2), and the rules a refreshed ID token must keep (OIDC Core 12.2).

use super::config::Config;
use super::error::ErrorCode;
use super::json::Json;
use super::jwt::DecodedJwt;
use super::step::{Check, Step};
use super::token::{grant_step, TokenRequest, TokenSet};
use crate::protocol::step::StepId;

/// The refresh request (RFC 6749 6), the client authenticated as configured.
pub fn refresh_request(refresh_token: &str, config: &Config) -> TokenRequest {
    TokenRequest::to_token_endpoint(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
        config,
    )
}

/// The refresh step with its request filled in.
pub fn refresh_step(endpoint: &str, request: &TokenRequest) -> Step {
    grant_step(
        StepId::Refresh,
        "Refresh the tokens",
        "step/refresh",
        endpoint,
        request,
    )
}

/// The session's tokens after a refresh: what came back replaces what was held; a refresh
/// token or ID token that did not come back is kept. The check says whether the refresh token
/// was rotated.
pub fn merge_refreshed(old: &TokenSet, new: TokenSet) -> (TokenSet, Check) {
    const SPEC: &str = "RFC 9700 4.14.2; RFC 6749 6";
    let check = match (&old.refresh_token, &new.refresh_token) {
        (Some(o), Some(n)) if o != n => Check::pass(
            "rotation",
            "A new refresh token came back and replaces the old one, which the provider no longer accepts.",
            SPEC,
        ),
        (_, Some(_)) => Check::skip(
            "rotation",
            "The same refresh token came back: the provider does not rotate it (allowed for confidential clients).",
            SPEC,
        ),
        (_, None) => Check::skip(
            "rotation",
            "No refresh token came back: the one held stays in use.",
            SPEC,
        ),
    };
    let merged = TokenSet {
        refresh_token: new.refresh_token.or_else(|| old.refresh_token.clone()),
        id_token: new.id_token.or_else(|| old.id_token.clone()),
        scope: new.scope.or_else(|| old.scope.clone()),
        ..new
    };
    (merged, check)
}

/// A claim of the first ID token, as text for comparison.
fn claim_of(claims: &[(String, Json)], name: &str) -> Option<String> {
    claims
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| super::json::write(v))
}

/// OIDC Core 12.2: a refreshed ID token has the same `iss`, `sub` and `aud` as the first one,
/// and the same `auth_time` and `nonce` when it has them (the user did not sign in again).
pub fn same_session_checks(first: &[(String, Json)], refreshed: &DecodedJwt) -> Vec<Check> {
    const SPEC: &str = "OIDC Core 12.2";
    ["iss", "sub", "aud", "auth_time", "nonce"]
    .into_iter()
    .filter_map(|name| {
        let before = claim_of(first, name);
        let after = claim_of(&refreshed.claims, name);
        if matches!(name, "auth_time" | "nonce") && after.is_none() {
            return None;
        }
        let label = match name {
            "iss" => "same iss",
            "sub" => "same sub",
            "aud" => "same aud",
            "nonce" => "same nonce",
            _ => "same auth_time",
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(missing)".into());
        let check = if before == after {
            Check::pass(
                label,
                "Unchanged from the first ID token: the same user, provider and client.",
                SPEC,
            )
        } else {
            Check::fail(
                label,
                "The refreshed ID token differs from the first one here: it is not about the same session.",
                SPEC,
                ErrorCode::SessionMismatch,
            )
        };
        Some(check.compared(shown(&before), shown(&after)))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::json::parse;
    use crate::protocol::jwt::{decode, tests::make};
    use crate::protocol::step::CheckStatus;

    fn tokens(refresh: Option<&str>, id: Option<&str>) -> TokenSet {
        TokenSet {
            access_token: Some("at".into()),
            token_type: "Bearer".into(),
            expires_in: Some(60),
            id_token: id.map(String::from),
            refresh_token: refresh.map(String::from),
            scope: None,
        }
    }

    #[test]
    fn body_and_step_mask_the_refresh_token() {
        let mut config = Config::defaults("http://a/");
        config.client_id = "app".into();
        let req = refresh_request("rt/1+", &config);
        assert_eq!(
            req.body,
            "grant_type=refresh_token&refresh_token=rt%2F1%2B&client_id=app"
        );
        let step = refresh_step("https://op/token", &req);
        let text = step.request.as_ref().unwrap().masked().to_text();
        assert!(
            !text.contains("rt%2F1%2B") && !text.contains("rt/1+"),
            "{text}"
        );
        assert!(step
            .params
            .iter()
            .any(|p| p.name == "refresh_token" && p.secret));
    }

    #[test]
    fn rotation_replaces_and_absence_keeps() {
        let old = tokens(Some("r1"), Some("id1"));
        let (m, c) = merge_refreshed(&old, tokens(Some("r2"), Some("id2")));
        assert_eq!(
            (m.refresh_token.as_deref(), m.id_token.as_deref()),
            (Some("r2"), Some("id2"))
        );
        assert_eq!(c.status, CheckStatus::Pass);
        let (m, c) = merge_refreshed(&old, tokens(None, None));
        assert_eq!(
            (m.refresh_token.as_deref(), m.id_token.as_deref()),
            (Some("r1"), Some("id1"))
        );
        assert_eq!(c.status, CheckStatus::Skip);
        let (_, c) = merge_refreshed(&old, tokens(Some("r1"), None));
        assert_eq!(c.status, CheckStatus::Skip);
    }

    #[test]
    fn refreshed_id_token_must_be_the_same_session() {
        let first = match parse(r#"{"iss":"https://op","sub":"alice","aud":"app","auth_time":5}"#) {
            Some(Json::Object(m)) => m,
            _ => unreachable!(),
        };
        let jwt = |claims: &str| decode(&make(r#"{"alg":"RS256"}"#, claims, b"s")).unwrap();
        let same = same_session_checks(
            &first,
            &jwt(r#"{"iss":"https://op","sub":"alice","aud":"app"}"#),
        );
        assert_eq!(same.len(), 3);
        assert!(
            same.iter().all(|c| c.status == CheckStatus::Pass),
            "{same:?}"
        );
        let other = same_session_checks(
            &first,
            &jwt(r#"{"iss":"https://op","sub":"bob","aud":["app"],"auth_time":6,"nonce":"n"}"#),
        );
        let failed: Vec<&str> = other
            .iter()
            .filter(|c| c.failed())
            .map(|c| c.name)
            .collect();
        assert_eq!(
            failed,
            ["same sub", "same aud", "same auth_time", "same nonce"]
        );
        assert!(other
            .iter()
            .filter(|c| c.failed())
            .all(|c| c.error == Some(ErrorCode::SessionMismatch)));
    }
}
