//! The token request and response (RFC 6749 4.1.3, 4.1.4, 5.1, 5.2; RFC 7636 4.5) and the
//! userinfo call (OIDC Core 5.3).

use super::json::Json;

use super::authorize::param;
use super::config::Config;
use super::error::{ErrorCode, FlowError};
use super::http::{describe_non_json, excerpt, HttpAnswer, OAuthError};
use super::step::{Actor, Check, HttpRecord, Step, StepId, StepKind};
use super::url::encode_pairs;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

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

/// Form parameters whose values are secrets, masked in every view.
pub fn is_secret_param(name: &str) -> bool {
    matches!(
        name,
        "code"
            | "code_verifier"
            | "refresh_token"
            | "password"
            | "client_secret"
            | "client_assertion"
            | "token"
            | "device_code"
    )
}

/// A token request as it is sent: the form body (the grant's parameters and the client's
/// authentication) and the headers. Every secret in it is listed for masking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub body: String,
    pub headers: Vec<(String, String)>,
    pub secrets: Vec<String>,
    /// `private_key_jwt`: the client that must sign an assertion for this request and its
    /// audience, the issuer (as draft-ietf-oauth-rfc7523bis requires: an endpoint URL as
    /// audience let assertions be replayed elsewhere). [`TokenRequest::with_assertion`] adds it
    /// once WebCrypto has signed it, a fresh one per request (a seen `jti` is refused).
    pub sign_as: Option<(String, String)>,
    /// DPoP (RFC 9449 5): the request carries a fresh proof of this tab's key, made when it is
    /// sent (token endpoint requests only: [`TokenRequest::to_token_endpoint`]).
    pub dpop: bool,
}

impl TokenRequest {
    /// The request for `grant` (its form parameters, in order), with the client authenticated
    /// as the configuration says (RFC 6749 2.3.1): `none` names the client in the body,
    /// `client_secret_post` adds the secret there, `client_secret_basic` sends both,
    /// form-encoded, in an HTTP Basic Authorization header; `private_key_jwt` names the client
    /// and waits for its signed assertion (OIDC Core 9).
    pub fn new(grant: &[(&str, &str)], config: &Config) -> TokenRequest {
        let id = config.client_id.trim();
        let secret = config.client_secret.as_str();
        let mut pairs: Vec<(&str, &str)> = grant.to_vec();
        let mut headers = vec![
            (
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        let mut secrets: Vec<String> = Vec::new();
        let mut sign_as = None;
        match config.auth_method.as_str() {
            "client_secret_basic" => {
                let enc =
                    |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
                let credentials = STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
                headers.push(("Authorization".into(), format!("Basic {credentials}")));
                secrets.push(credentials);
            }
            "client_secret_post" => {
                pairs.push(("client_id", id));
                pairs.push(("client_secret", secret));
            }
            "private_key_jwt" => {
                sign_as = Some((id.to_string(), config.issuer.trim().to_string()));
                pairs.push(("client_id", id));
            }
            _ => pairs.push(("client_id", id)),
        }
        secrets.extend(
            pairs
                .iter()
                .filter(|(k, v)| is_secret_param(k) && !v.is_empty())
                .map(|(_, v)| v.to_string()),
        );
        TokenRequest {
            body: encode_pairs(pairs),
            headers,
            secrets,
            sign_as,
            dpop: false,
        }
    }

    /// A request to the token endpoint for `grant`: as [`TokenRequest::new`], with a DPoP
    /// proof when the configuration binds the tokens (RFC 9449 5).
    pub fn to_token_endpoint(grant: &[(&str, &str)], config: &Config) -> TokenRequest {
        TokenRequest {
            dpop: config.dpop,
            ..TokenRequest::new(grant, config)
        }
    }

    /// This request with its client assertion (RFC 7523 2.2), masked like every secret.
    pub fn with_assertion(&self, jws: &str) -> TokenRequest {
        let mut r = self.clone();
        r.body.push('&');
        r.body.push_str(&encode_pairs([
            ("client_assertion_type", super::assertion::ASSERTION_TYPE),
            ("client_assertion", jws),
        ]));
        r.secrets.push(jws.into());
        r.sign_as = None;
        r
    }

    /// The headers as the fetch takes them.
    pub fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// The step of a token request (`id`, `title`, why it is made) with its request filled in; the
/// response is added by [`judge_token_response`].
pub fn grant_step(
    id: StepId,
    title: &'static str,
    explanation: &'static str,
    endpoint: &str,
    request: &TokenRequest,
) -> Step {
    let mut step = Step::new(
        id,
        title,
        StepKind::BackChannel,
        Actor::App,
        Actor::AuthorizationServer,
        explanation,
    );
    describe_request(&mut step, endpoint, request);
    step
}

/// Fills `step`'s request and parameters from `request` (again once an assertion is added).
pub fn describe_request(step: &mut Step, endpoint: &str, request: &TokenRequest) {
    let mut record = HttpRecord::request("POST", endpoint).body(request.body.clone());
    for (k, v) in &request.headers {
        record = record.header(k, v);
    }
    for secret in &request.secrets {
        record = record.secret(secret);
    }
    step.request = Some(record);
    step.params = super::url::parse_pairs(&request.body)
        .iter()
        .map(|(k, v)| param(k, v, is_secret_param(k)))
        .collect();
}

/// The authorization code exchange (RFC 6749 4.1.3, RFC 7636 4.5).
pub fn code_exchange(config: &Config, code: &str, verifier: &str) -> TokenRequest {
    TokenRequest::to_token_endpoint(
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &config.redirect_uri),
            ("code_verifier", verifier),
        ],
        config,
    )
}

/// The token step of the code flow.
pub fn token_step(endpoint: &str, request: &TokenRequest, confidential: bool) -> Step {
    let explanation = if confidential {
        "step/token.confidential"
    } else {
        "step/token.public"
    };
    grant_step(
        StepId::Token,
        "Exchange the code for tokens",
        explanation,
        endpoint,
        request,
    )
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
    for (name, value) in &answer.headers {
        let name = match name.as_str() {
            "dpop-nonce" => "DPoP-Nonce",
            "www-authenticate" => "WWW-Authenticate",
            other => other,
        };
        r = r.header(name, value);
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
    } else if token_type.eq_ignore_ascii_case("dpop") {
        checks.push(Check::pass(
            "token_type",
            "DPoP: the access token is bound to a key; it is sent as Authorization: DPoP with a proof of that key.",
            "RFC 6749 5.1; RFC 9449 5",
        ));
    } else {
        let e = FlowError::new(
            ErrorCode::BadResponse,
            format!(
                "token_type is \"{}\", neither Bearer nor DPoP.",
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

/// The API call's step (userinfo when no API URL is set): the access token as a Bearer token,
/// or with DPoP (`dpop`: `Authorization: DPoP`, and a proof the caller adds).
pub fn api_step(url: &str, access_token: &str, is_userinfo: bool, dpop: bool) -> Step {
    let (title, explanation) = match (is_userinfo, dpop) {
        (true, false) => ("Call the API: userinfo", "step/api.userinfo"),
        (true, true) => ("Call the API: userinfo, with a DPoP proof", "step/api.dpop"),
        (false, false) => ("Call the API", "step/api"),
        (false, true) => ("Call the API with a DPoP proof", "step/api.dpop"),
    };
    let mut step = Step::new(
        StepId::Api,
        title,
        StepKind::BackChannel,
        Actor::App,
        Actor::ResourceServer,
        explanation,
    );
    let scheme = if dpop { "DPoP" } else { "Bearer" };
    step.request = Some(
        HttpRecord::request("GET", url)
            .header("Authorization", &format!("{scheme} {access_token}"))
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
    use crate::protocol::config::AuthMethod;

    use crate::protocol::http::json_answer as ans;

    #[test]
    fn exchange_body_and_step_mask() {
        let config = Config::defaults("http://127.0.0.1:8080/");
        let req = code_exchange(&config, "C+1", "VERIFIER");
        assert_eq!(
            req.body,
            "grant_type=authorization_code&code=C%2B1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback.html&code_verifier=VERIFIER&client_id=flowlab-demo"
        );
        let s = token_step("http://op/token", &req, false).masked();
        let text = format!("{s:?}");
        assert!(
            !text.contains("VERIFIER") && !text.contains("C%2B1"),
            "{text}"
        );
    }

    #[test]
    fn client_authentication() {
        let mut config = Config::defaults("http://a/");
        config.client_id = "my app".into();
        config.client_secret = "s3:cr&t".into();
        config.auth_method = AuthMethod::ClientSecretBasic;
        let grant = [("grant_type", "client_credentials")];
        let basic = TokenRequest::new(&grant, &config);
        assert_eq!(basic.body, "grant_type=client_credentials");
        // RFC 6749 2.3.1: each part form-encoded, then base64 of id:secret.
        let expected = format!("Basic {}", STANDARD.encode("my+app:s3%3Acr%26t"));
        assert!(basic
            .headers
            .iter()
            .any(|(k, v)| k == "Authorization" && *v == expected));
        let step = grant_step(StepId::Token, "T", "", "https://op/token", &basic).masked();
        assert!(!format!("{step:?}").contains(&STANDARD.encode("my+app:s3%3Acr%26t")));

        config.auth_method = AuthMethod::ClientSecretPost;
        let post = TokenRequest::new(&grant, &config);
        assert_eq!(
            post.body,
            "grant_type=client_credentials&client_id=my+app&client_secret=s3%3Acr%26t"
        );
        assert!(post.headers.iter().all(|(k, _)| k != "Authorization"));
        let step = grant_step(StepId::Token, "T", "", "https://op/token", &post);
        assert!(step
            .params
            .iter()
            .any(|p| p.name == "client_secret" && p.secret));
        assert!(!format!("{:?}", step.masked()).contains("s3%3Acr%26t"));

        config.auth_method = AuthMethod::None;
        assert_eq!(
            TokenRequest::new(&grant, &config).body,
            "grant_type=client_credentials&client_id=my+app"
        );

        config.auth_method = AuthMethod::PrivateKeyJwt;
        let unsigned = TokenRequest::new(&grant, &config);
        assert_eq!(
            unsigned.sign_as,
            Some(("my app".to_string(), config.issuer.clone()))
        );
        assert!(!unsigned.body.contains("secret") && unsigned.headers.len() == 2);
        let signed = unsigned.with_assertion("h.c.SIG");
        assert_eq!(
            signed.body,
            "grant_type=client_credentials&client_id=my+app&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=h.c.SIG"
        );
        assert!(signed.sign_as.is_none());
        let mut step = grant_step(StepId::Token, "T", "", "https://op/token", &unsigned);
        describe_request(&mut step, "https://op/token", &signed);
        assert!(step
            .params
            .iter()
            .any(|p| p.name == "client_assertion" && p.secret));
        assert!(!format!("{:?}", step.masked()).contains("h.c.SIG"));
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
                body: "<html><title>Bad</title>".into(),
                ..Default::default()
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
        let s = api_step("https://api/x", "TOKEN", false, false).masked();
        assert!(!format!("{s:?}").contains("TOKEN"));
    }
}
