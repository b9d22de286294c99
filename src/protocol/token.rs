//! The token request and response (RFC 6749 4.1.3, 4.1.4, 5.1, 5.2; RFC 7636 4.5) and the
//! userinfo call (OIDC Core 5.3).

use super::json::Json;

use super::authorize::param;
use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, excerpt, HttpAnswer, OAuthError};
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use super::url::encode_pairs;

/// Tokens from the token endpoint. They live in memory only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSet {
    /// None when the login obtained no access token (implicit `id_token`).
    pub access_token: Option<String>,
    pub token_type: String,
    pub expires_in: Option<i64>,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

impl TokenSet {
    /// Every token value, for masking.
    pub fn secrets(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.access_token.as_deref().into_iter().collect();
        v.extend(self.id_token.as_deref());
        v.extend(self.refresh_token.as_deref());
        v
    }
}

/// The form body of the authorization code exchange for a public client.
pub fn code_exchange_body(
    code: &str,
    redirect_uri: &str,
    client_id: &str,
    verifier: &str,
) -> String {
    encode_pairs([
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ])
}

/// The token step with its request filled in (the response is added by [`judge_token_response`]).
pub fn token_step(endpoint: &str, body: &str, code: &str, verifier: &str) -> Step {
    let mut step = Step::new(
        "token",
        "Exchange the code for tokens",
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        "The app calls the token endpoint directly (fetch, not a redirect), sending the code together with \
         the code verifier. The provider hashes the verifier and compares it with the challenge it kept: \
         only the app that started the login can redeem the code. A public client sends no secret.",
    );
    step.request = Some(
        HttpRecord::request("POST", endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .secret(code)
            .secret(verifier),
    );
    step.params = super::url::parse_pairs(body)
        .iter()
        .map(|(k, v)| param(k, v, k == "code" || k == "code_verifier"))
        .collect();
    step
}

fn str_member(v: &Json, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Records an HTTP answer as a response record.
pub fn response_record(answer: &HttpAnswer) -> HttpRecord {
    let mut r = HttpRecord::response(answer.status).body(answer.body.clone());
    if let Some(ct) = &answer.content_type {
        r = r.header("Content-Type", ct);
    }
    r
}

/// Judges the token endpoint's answer. `want_id_token` is true for OpenID Connect logins.
pub fn judge_token_response(
    answer: &HttpAnswer,
    want_id_token: bool,
) -> (HttpRecord, Vec<Check>, Result<TokenSet, FlowError>) {
    let mut record = response_record(answer);
    let mut checks = Vec::new();
    let parsed: Option<Json> = super::json::parse(&answer.body).filter(Json::is_object);
    let Some(json) = parsed else {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            format!(
                "The token endpoint did not answer with JSON: {}",
                describe_non_json(answer)
            ),
        )
        .spec("RFC 6749 5.1");
        checks.push(Check::failing("JSON answer", &e));
        return (record, checks, Err(e));
    };
    if answer.status != 200 {
        let e = match OAuthError::from_json(&answer.body) {
            Some(err) => FlowError::new(ErrorCode::IdpError, err.sentence()).spec("RFC 6749 5.2"),
            None => FlowError::new(
                ErrorCode::BadResponse,
                format!(
                    "The token endpoint answered HTTP {} without an OAuth error.",
                    answer.status
                ),
            )
            .spec("RFC 6749 5.2"),
        };
        checks.push(Check::failing("HTTP 200", &e));
        return (record, checks, Err(e));
    }
    checks.push(Check::pass(
        "HTTP 200 with JSON",
        "The provider accepted the request.",
        "RFC 6749 5.1",
    ));

    let Some(access_token) = str_member(&json, "access_token") else {
        let e = FlowError::new(ErrorCode::BadResponse, "The answer has no access_token.")
            .spec("RFC 6749 5.1");
        checks.push(Check::failing("access_token", &e));
        return (record, checks, Err(e));
    };
    let token_type = str_member(&json, "token_type").unwrap_or_default();
    if token_type.eq_ignore_ascii_case("bearer") {
        checks.push(Check::pass(
            "token_type",
            "Bearer: the access token is sent in the Authorization header.",
            "RFC 6749 5.1; RFC 6750",
        ));
    } else {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            format!(
                "token_type is \"{}\", not Bearer.",
                excerpt(&token_type, 40)
            ),
        )
        .spec("RFC 6749 7.1");
        checks.push(Check::failing("token_type", &e));
        return (record, checks, Err(e));
    }
    let id_token = str_member(&json, "id_token");
    match (&id_token, want_id_token) {
        (Some(_), _) => checks.push(Check::pass(
            "id_token present",
            "An ID token came back; it is validated next.",
            "OIDC Core 3.1.3.3",
        )),
        (None, true) => {
            let e = FlowError::new(
                ErrorCode::BadResponse,
                "The scope included openid but the answer has no id_token.",
            )
            .spec("OIDC Core 3.1.3.3");
            checks.push(Check::failing("id_token present", &e));
            return (record, checks, Err(e));
        }
        (None, false) => {}
    }
    let expires_in = json.get("expires_in").and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    });
    let tokens = TokenSet {
        access_token: Some(access_token),
        token_type,
        expires_in,
        id_token,
        refresh_token: str_member(&json, "refresh_token"),
        scope: str_member(&json, "scope"),
    };
    for s in tokens.secrets() {
        record = record.secret(s);
    }
    (record, checks, Ok(tokens))
}

/// The userinfo request step (the "call the API" step when no API URL is set).
pub fn api_step(url: &str, access_token: &str, is_userinfo: bool) -> Step {
    let (title, explanation) = if is_userinfo {
        (
            "Call the API: userinfo",
            "With the access token in the Authorization header, the app asks the provider's userinfo endpoint \
             who the user is. Its sub must equal the ID token's sub, or the answer is about someone else.",
        )
    } else {
        ("Call the API", "The app calls the API with the access token as a Bearer token in the Authorization header.")
    };
    let mut step = Step::new(
        "api",
        title,
        StepKind::BackChannel,
        Actor::App,
        Actor::ResourceServer,
        explanation,
    );
    step.request = Some(
        HttpRecord::request("GET", url)
            .header("Authorization", &format!("Bearer {access_token}"))
            .header("Accept", "application/json")
            .secret(access_token),
    );
    step
}

/// Judges an API answer; for userinfo, compares `sub` with the ID token's (OIDC Core 5.3.4).
pub fn judge_api_response(
    answer: &HttpAnswer,
    id_token_sub: Option<&str>,
) -> (Vec<Check>, Result<String, FlowError>) {
    let mut checks = Vec::new();
    if !(200..300).contains(&answer.status) {
        let www = if answer.status == 401 {
            " The access token was refused (expired, revoked, or not meant for this API)."
        } else {
            ""
        };
        let e = FlowError::new(
            ErrorCode::BadResponse,
            format!("The API answered HTTP {}.{www}", answer.status),
        )
        .spec("RFC 6750 3.1");
        checks.push(Check::failing("HTTP 2xx", &e));
        return (checks, Err(e));
    }
    checks.push(Check::pass(
        "HTTP 2xx",
        format!(
            "The API accepted the access token (HTTP {}).",
            answer.status
        ),
        "RFC 6750 2.1",
    ));
    let Some(sub) = id_token_sub else {
        return (checks, Ok(answer.body.clone()));
    };
    let json: Option<Json> = super::json::parse(&answer.body);
    match json
        .as_ref()
        .and_then(|j| j.get("sub"))
        .and_then(Json::as_str)
    {
        Some(s) if s == sub => {
            checks.push(
                Check::pass(
                    "sub matches ID token",
                    "The userinfo answer is about the user who signed in.",
                    "OIDC Core 5.3.4",
                )
                .compared(sub, s),
            );
            (checks, Ok(answer.body.clone()))
        }
        other => {
            let e = FlowError::new(
                ErrorCode::SubMismatch,
                "The userinfo answer is about another subject than the ID token (or has none): it must not be used.",
            )
            .spec("OIDC Core 5.3.4");
            checks.push(
                Check::failing("sub matches ID token", &e)
                    .compared(sub, other.unwrap_or("(missing)")),
            );
            (checks, Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            content_type: Some("application/json".into()),
            body: body.into(),
        }
    }

    #[test]
    fn exchange_body_and_step_mask() {
        let body = code_exchange_body(
            "C+1",
            "http://127.0.0.1:8080/callback.html",
            "app",
            "VERIFIER",
        );
        assert_eq!(
            body,
            "grant_type=authorization_code&code=C%2B1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback.html&client_id=app&code_verifier=VERIFIER"
        );
        let s = token_step("http://op/token", &body, "C+1", "VERIFIER").masked();
        let text = format!("{s:?}");
        assert!(
            !text.contains("VERIFIER") && !text.contains("C%2B1"),
            "{text}"
        );
    }

    #[test]
    fn good_response() {
        let (rec, checks, r) = judge_token_response(
            &ans(
                200,
                r#"{"access_token":"AT","token_type":"Bearer","expires_in":3600,"id_token":"a.b.c","scope":"openid"}"#,
            ),
            true,
        );
        let t = r.unwrap();
        assert_eq!(t.expires_in, Some(3600));
        assert!(checks.iter().all(|c| !c.failed()));
        let masked = rec.masked().body.unwrap_or_default();
        assert!(
            !masked.contains("\"AT\"") && !masked.contains("a.b.c"),
            "{masked}"
        );
    }

    #[test]
    fn error_and_garbage_responses() {
        let code = |a: HttpAnswer| judge_token_response(&a, true).2.unwrap_err().code;
        assert_eq!(
            code(ans(
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#
            )),
            ErrorCode::IdpError
        );
        assert_eq!(code(ans(500, "{}")), ErrorCode::BadResponse);
        assert_eq!(
            code(HttpAnswer {
                status: 502,
                content_type: Some("text/html".into()),
                body: "<html><title>Bad</title>".into()
            }),
            ErrorCode::BadResponse
        );
        assert_eq!(
            code(ans(200, r#"{"token_type":"Bearer"}"#)),
            ErrorCode::BadResponse
        );
        assert_eq!(
            code(ans(200, r#"{"access_token":"x","token_type":"mac"}"#)),
            ErrorCode::BadResponse
        );
        assert_eq!(
            code(ans(200, r#"{"access_token":"x","token_type":"bearer"}"#)),
            ErrorCode::BadResponse
        );
        assert!(judge_token_response(
            &ans(200, r#"{"access_token":"x","token_type":"bearer"}"#),
            false
        )
        .2
        .is_ok());
    }

    #[test]
    fn userinfo_sub_comparison() {
        assert!(
            judge_api_response(&ans(200, r#"{"sub":"alice"}"#), Some("alice"))
                .1
                .is_ok()
        );
        assert_eq!(
            judge_api_response(&ans(200, r#"{"sub":"bob"}"#), Some("alice"))
                .1
                .unwrap_err()
                .code,
            ErrorCode::SubMismatch
        );
        assert_eq!(
            judge_api_response(&ans(200, "not json"), Some("alice"))
                .1
                .unwrap_err()
                .code,
            ErrorCode::SubMismatch
        );
        assert_eq!(
            judge_api_response(&ans(401, ""), Some("alice"))
                .1
                .unwrap_err()
                .code,
            ErrorCode::BadResponse
        );
        assert!(judge_api_response(&ans(200, "anything"), None).1.is_ok());
        let s = api_step("https://api/x", "TOKEN", false).masked();
        assert!(!format!("{s:?}").contains("TOKEN"));
    }
}
