//! The authorization response at the redirect URI (RFC 6749 4.1.2, RFC 9207, OIDC Core 3.1.2.5).
//!
//! The browser module has already cleaned the URL and found the transaction by `state`; this
//! module judges the rest in the order the security rules require: RFC 9207 `iss`, then
//! `error`, then the code.

use super::authorize::param;
use super::config::Flow;
use super::discovery::ProviderMetadata;
use super::error::{ErrorCode, FlowError};
use super::http::OAuthError;
use super::step::{Actor, Check, HttpRecord, Step, StepKind};
use super::transaction::Transaction;
use super::url::{encode_pairs, parse_pairs, query_of};
use crate::protocol::step::StepId;

/// How an authorization response reached the app (the `response_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseSource {
    /// In the redirect URI's query (the code flow's default).
    #[default]
    Query,
    /// In the redirect URI's fragment (never sent to a server).
    Fragment,
    /// POSTed by the provider's auto-submitting form, received by the Service Worker.
    FormPost,
}

impl ResponseSource {
    /// The `response_mode` value that produces this source.
    pub fn mode(self) -> &'static str {
        match self {
            ResponseSource::Query => "query",
            ResponseSource::Fragment => "fragment",
            ResponseSource::FormPost => "form_post",
        }
    }
}

/// Response parameters that are credentials, masked in every view.
const SECRET_PARAMS: [&str; 3] = ["code", "id_token", "access_token"];

/// The parameters of an authorization response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackParams {
    pub pairs: Vec<(String, String)>,
    pub source: ResponseSource,
}

impl CallbackParams {
    /// Reads a query string.
    pub fn parse(input: &str) -> CallbackParams {
        CallbackParams {
            pairs: parse_pairs(input),
            source: ResponseSource::Query,
        }
    }

    /// Reads an authorization response from a page URL: its query, or else its fragment.
    pub fn from_url(url: &str) -> Option<CallbackParams> {
        let query = CallbackParams::parse(query_of(url));
        if query.is_response() {
            return Some(query);
        }
        let fragment = url.split_once('#').map_or("", |(_, f)| f);
        let params = CallbackParams {
            pairs: parse_pairs(fragment),
            source: ResponseSource::Fragment,
        };
        params.is_response().then_some(params)
    }

    /// The fields of a form the provider POSTed (response_mode=form_post).
    pub fn posted(fields: Vec<(String, String)>) -> CallbackParams {
        CallbackParams {
            pairs: fields,
            source: ResponseSource::FormPost,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A response parameter must not appear twice (RFC 6749 3.1).
    pub fn duplicated(&self) -> Option<&str> {
        self.pairs
            .iter()
            .enumerate()
            .find(|(i, (k, _))| self.pairs[..*i].iter().any(|(p, _)| p == k))
            .map(|(_, (k, _))| k.as_str())
    }

    /// True when these look like an authorization response rather than a prefill link.
    pub fn is_response(&self) -> bool {
        ["state", "code", "error", "id_token"]
            .iter()
            .any(|k| self.get(k).is_some())
    }

    fn error(&self) -> Option<OAuthError> {
        self.get("error").map(|e| OAuthError {
            error: e.into(),
            error_description: self.get("error_description").map(String::from),
            error_uri: self.get("error_uri").map(String::from),
        })
    }
}

/// The callback step before any transaction is known: for "no transaction" and "state mismatch".
pub fn orphan_callback_step(
    callback_url: &str,
    params: &CallbackParams,
    error: &FlowError,
) -> Step {
    let mut step = base_step(callback_url, params);
    step.checks.push(Check::fail(
        "state matches a pending login",
        error.message.clone(),
        "RFC 6749 10.12; RFC 9700 4.7",
        error.code,
    ));
    step.settle()
}

fn base_step(callback_url: &str, params: &CallbackParams) -> Step {
    let mut step = match params.source {
        ResponseSource::Query | ResponseSource::Fragment => Step::new(
            StepId::Callback,
            "Back at the redirect URI",
            StepKind::Redirect,
            Actor::AuthorizationServer,
            Actor::App,
            "step/callback.redirect",
        ),
        ResponseSource::FormPost => Step::new(
            StepId::Callback,
            "The provider's form, caught by the Service Worker",
            StepKind::Redirect,
            Actor::AuthorizationServer,
            Actor::ServiceWorker,
            "step/callback.form-post",
        ),
    };
    let mut rec = match params.source {
        ResponseSource::Query | ResponseSource::Fragment => {
            HttpRecord::request("GET", callback_url)
        }
        ResponseSource::FormPost => HttpRecord::request("POST", callback_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encode_pairs(
                params.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )),
    };
    for (k, v) in &params.pairs {
        if SECRET_PARAMS.contains(&k.as_str()) {
            rec = rec.secret(v);
        }
    }
    step.request = Some(rec);
    step.params = params
        .pairs
        .iter()
        .map(|(k, v)| param(k, v, SECRET_PARAMS.contains(&k.as_str())))
        .collect();
    step
}

/// What an accepted authorization response delivered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The authorization code (code flow).
    pub code: Option<String>,
    /// The ID token (implicit flow), still to be validated.
    pub id_token: Option<String>,
    /// The access token (implicit `id_token token`, legacy).
    pub access_token: Option<String>,
    pub expires_in: Option<i64>,
}

/// The hand-over of a posted form from the Service Worker to the page.
pub fn handover_step(fields: usize) -> Step {
    let mut step = Step::new(
        StepId::Handover,
        "The worker hands the form to the app",
        StepKind::Local,
        Actor::ServiceWorker,
        Actor::App,
        "step/handover",
    );
    step.checks.push(Check::pass(
        "claimed once",
        format!("{fields} field(s) handed over; the worker keeps nothing."),
        "OAuth 2.0 Form Post Response Mode 2",
    ));
    step
}

/// Judges the response for a found transaction. Returns the step and, on success, the code.
pub fn judge_callback(
    callback_url: &str,
    params: &CallbackParams,
    tx: &Transaction,
    meta: &ProviderMetadata,
) -> (Step, Result<Delivered, FlowError>) {
    let mut step = base_step(callback_url, params);
    let result = judge_inner(params, tx, meta, &mut step.checks);
    (step.settle(), result)
}

fn judge_inner(
    params: &CallbackParams,
    tx: &Transaction,
    meta: &ProviderMetadata,
    checks: &mut Vec<Check>,
) -> Result<Delivered, FlowError> {
    let state = params.get("state").unwrap_or("");
    if state == tx.state {
        checks.push(
            Check::pass(
                "state",
                "The state equals the one this browser sent, and the transaction was used up (single use).",
                "RFC 6749 4.1.2, 10.12",
            )
            .compared(&tx.state, state),
        );
    } else {
        let e = FlowError::new(
            ErrorCode::StateMismatch,
            "The state in the answer differs from the one this browser sent.",
        )
        .spec("RFC 6749 10.12");
        checks.push(Check::failing("state", &e).compared(&tx.state, state));
        return Err(e);
    }
    checks.push(Check::pass(
        "transaction fresh",
        "The login was started less than 10 minutes ago.",
        "RFC 9700 4.7",
    ));

    let asked = match tx.config.effective_response_mode().as_str() {
        "form_post" => ResponseSource::FormPost,
        "fragment" => ResponseSource::Fragment,
        _ => ResponseSource::Query,
    };
    if params.source != asked {
        let e = FlowError::new(
            ErrorCode::ResponseModeMismatch,
            format!(
                "This login asked for response_mode={} but the answer came by {}. Either the provider ignores \
                 response_mode (check response_modes_supported in its discovery document, and choose a mode it \
                 lists), or this answer was not made for this login. Refused: nothing was exchanged.",
                asked.mode(),
                params.source.mode(),
            ),
        )
        .spec("OAuth 2.0 Multiple Response Types 2.1; Form Post Response Mode 2");
        checks
            .push(Check::failing("response mode", &e).compared(asked.mode(), params.source.mode()));
        return Err(e);
    }
    checks.push(
        Check::pass(
            "response mode",
            "The answer came the way this login asked for it.",
            "OAuth 2.0 Multiple Response Types 2.1",
        )
        .compared(asked.mode(), params.source.mode()),
    );

    if let Some(dup) = params.duplicated() {
        let e = FlowError::new(
            ErrorCode::CallbackInvalid,
            format!("The answer contains \"{dup}\" more than once."),
        )
        .spec("RFC 6749 3.1");
        checks.push(Check::failing("no repeated parameters", &e));
        return Err(e);
    }

    let issuer = &meta.issuer;
    const ISS: &str = "RFC 9207 2.4";
    match params.get("iss") {
        Some(iss) if iss == issuer => checks.push(
            Check::pass("iss (RFC 9207)", "The answer names the provider this login was sent to: no mix-up.", ISS).compared(issuer, iss),
        ),
        Some(iss) => {
            let e = FlowError::new(
                ErrorCode::IssMismatch,
                format!(
                    "The answer says it comes from \"{iss}\", but this login was sent to \"{issuer}\". This is the \
                     mix-up attack RFC 9207 prevents: the code is not used.{}",
                    decoded_note(iss, issuer)
                ),
            )
            .spec(ISS);
            checks.push(Check::failing("iss (RFC 9207)", &e).compared(issuer, iss));
            return Err(e);
        }
        // RFC 9207 2.4: a response carrying an ID token may omit iss; the token's signed iss
        // claim, checked after the signature, gives the same protection.
        None if params.get("id_token").is_some() => checks.push(Check::skip(
            "iss (RFC 9207)",
            "No iss parameter: the answer carries an ID token, whose signed iss claim is checked instead.",
            ISS,
        )),
        None if meta.authorization_response_iss_parameter_supported => {
            let e = FlowError::new(
                ErrorCode::IssMismatch,
                "The provider announces the iss response parameter (RFC 9207) but the answer has none: it may not come from that provider.",
            )
            .spec(ISS);
            checks.push(Check::failing("iss (RFC 9207)", &e).compared(issuer, "(missing)"));
            return Err(e);
        }
        None => checks.push(Check::skip(
            "iss (RFC 9207)",
            "The provider does not announce the iss parameter and sent none; mix-up protection rests on distinct redirect URIs.",
            ISS,
        )),
    }

    if let Some(err) = params.error() {
        let e = FlowError::new(ErrorCode::IdpError, err.sentence()).spec("RFC 6749 4.1.2.1");
        checks.push(Check::failing("no error", &e));
        return Err(e);
    }
    checks.push(Check::pass(
        "no error",
        "The provider reports success.",
        "RFC 6749 4.1.2",
    ));

    if tx.config.flow == Flow::Implicit {
        return implicit_delivery(params, tx, checks);
    }
    match params.get("code") {
        Some(code) if !code.is_empty() => {
            checks.push(Check::pass(
                "code present",
                "An authorization code arrived; it is useless without the verifier.",
                "RFC 6749 4.1.2",
            ));
            let mut delivered = Delivered {
                code: Some(code.to_string()),
                ..Delivered::default()
            };
            // Hybrid: the ID token that binds the code comes along (OIDC Core 3.3.2.5).
            if tx.config.flow == Flow::Hybrid {
                delivered.id_token = Some(
                    implicit_delivery(params, tx, checks)?
                        .id_token
                        .unwrap_or_default(),
                );
            }
            Ok(delivered)
        }
        _ => {
            let e = FlowError::new(
                ErrorCode::CallbackInvalid,
                "The answer has neither a code nor an error.",
            )
            .spec("RFC 6749 4.1.2");
            checks.push(Check::failing("code present", &e));
            Err(e)
        }
    }
}

/// When a wrong `iss` decodes (percent-decoding, once or more) to the issuer, the provider
/// URL-encoded it twice: still refused, since the value compared is the one received, but the
/// user can report the provider's bug with this sentence.
fn decoded_note(iss: &str, issuer: &str) -> String {
    let mut value = iss.to_string();
    for round in 1..=3 {
        let next = super::url::percent_decode(&value);
        if next == value {
            break;
        }
        if next == issuer {
            let times = if round == 1 {
                "once more"
            } else {
                "more than once more"
            };
            return format!(
                " The value decodes {times} to \"{next}\", the issuer: the provider URL-encoded iss twice (RFC \
                 9207 2 wants the issuer exactly, encoded once for the URL). Report it to the provider."
            );
        }
        value = next;
    }
    String::new()
}

/// The implicit flow's answer: an ID token, and for `id_token token` a Bearer access token
/// (OIDC Core 3.2.2.5).
fn implicit_delivery(
    params: &CallbackParams,
    tx: &Transaction,
    checks: &mut Vec<Check>,
) -> Result<Delivered, FlowError> {
    const SPEC: &str = "OIDC Core 3.2.2.5";
    let Some(id_token) = params.get("id_token").filter(|t| !t.is_empty()) else {
        let e = FlowError::new(
            ErrorCode::CallbackInvalid,
            "The answer has no id_token, which this response type requires.",
        )
        .spec(SPEC);
        checks.push(Check::failing("id_token present", &e));
        return Err(e);
    };
    checks.push(Check::pass(
        "id_token present",
        "An ID token arrived; it is validated next.",
        SPEC,
    ));
    let mut delivered = Delivered {
        id_token: Some(id_token.to_string()),
        ..Delivered::default()
    };
    if tx.config.wants_front_channel_access_token() {
        let token_type = params.get("token_type").unwrap_or("");
        match params.get("access_token").filter(|t| !t.is_empty()) {
            Some(at) if token_type.eq_ignore_ascii_case("bearer") => {
                checks.push(Check::pass(
                    "access_token present",
                    "An access token arrived with token_type Bearer (legacy: it came through the browser).",
                    SPEC,
                ));
                delivered.access_token = Some(at.to_string());
                delivered.expires_in = params.get("expires_in").and_then(|v| v.parse().ok());
            }
            _ => {
                let e = FlowError::new(
                    ErrorCode::CallbackInvalid,
                    "response_type id_token token asks for an access_token with token_type Bearer, and the answer has none.",
                )
                .spec(SPEC);
                checks.push(Check::failing("access_token present", &e));
                return Err(e);
            }
        }
    } else if params.get("access_token").is_some() {
        checks.push(Check::skip(
            "access_token",
            "An access token arrived that this response type did not ask for; it is ignored.",
            SPEC,
        ));
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::Config;
    use crate::protocol::config::ResponseMode;
    use crate::protocol::http::HttpAnswer;
    use crate::protocol::transaction::Recorded;

    fn tx() -> Transaction {
        Transaction {
            state: "S".into(),
            nonce: "N".into(),
            code_verifier: "v".repeat(43),
            config: Config::defaults("http://a/"),
            created_at: 0,
            broken: String::new(),
            pushed: None,
            discovery: Recorded {
                url: String::new(),
                answer: HttpAnswer {
                    status: 200,
                    content_type: None,
                    body: String::new(),
                    ..Default::default()
                },
                duration_ms: None,
            },
        }
    }

    fn meta(iss_supported: bool) -> ProviderMetadata {
        ProviderMetadata {
            issuer: "https://op".into(),
            authorization_response_iss_parameter_supported: iss_supported,
            ..ProviderMetadata::default()
        }
    }

    fn run(query: &str, iss_supported: bool) -> Result<String, ErrorCode> {
        let p = CallbackParams::parse(query);
        judge_callback("https://app/callback.html", &p, &tx(), &meta(iss_supported))
            .1
            .map(|d| d.code.unwrap_or_default())
            .map_err(|e| e.code)
    }

    #[test]
    fn success_returns_code_and_masks_it() {
        assert_eq!(
            run("code=C1&state=S&iss=https%3A%2F%2Fop", true),
            Ok("C1".into())
        );
        let p = CallbackParams::parse("code=SECRETCODE&state=S&iss=https%3A%2F%2Fop");
        let (step, _) = judge_callback("https://app/cb?code=SECRETCODE", &p, &tx(), &meta(true));
        assert!(!format!("{:?}", step.masked()).contains("SECRETCODE"));
        assert!(p.is_response());
        assert!(!CallbackParams::parse("issuer=x&client_id=y").is_response());
    }

    #[test]
    fn hybrid_needs_the_code_and_the_id_token() {
        let mut t = tx();
        t.config
            .set_form_field("response_type", "code id_token".into());
        t.config.response_mode = ResponseMode::Query;
        let judge = |q: &str| {
            judge_callback("u", &CallbackParams::parse(q), &t, &meta(false))
                .1
                .map(|d| (d.code, d.id_token))
                .map_err(|e| e.code)
        };
        assert_eq!(
            judge("code=C&id_token=a.b.c&state=S"),
            Ok((Some("C".into()), Some("a.b.c".into())))
        );
        assert_eq!(judge("code=C&state=S"), Err(ErrorCode::CallbackInvalid));
        assert_eq!(
            judge("id_token=a.b.c&state=S"),
            Err(ErrorCode::CallbackInvalid)
        );
    }

    #[test]
    fn a_twice_encoded_iss_is_refused_and_explained() {
        let p = CallbackParams::parse("code=C&state=S&iss=https%253A%252F%252Fop");
        let e = judge_callback("u", &p, &tx(), &meta(true)).1.unwrap_err();
        assert_eq!(e.code, ErrorCode::IssMismatch);
        assert!(
            e.message.contains("decodes once more to \"https://op\""),
            "{}",
            e.message
        );
        let p = CallbackParams::parse("code=C&state=S&iss=https%3A%2F%2Fevil");
        let e = judge_callback("u", &p, &tx(), &meta(true)).1.unwrap_err();
        assert!(!e.message.contains("decodes"), "{}", e.message);
    }

    #[test]
    fn another_response_mode_than_asked_has_its_own_code() {
        let mut t = tx();
        t.config.response_mode = ResponseMode::FormPost;
        let e = judge_callback(
            "u",
            &CallbackParams::parse("code=C&state=S"),
            &t,
            &meta(false),
        )
        .1
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ResponseModeMismatch);
        assert!(e
            .message
            .contains("asked for response_mode=form_post but the answer came by query"));
    }

    #[test]
    fn rules_in_order() {
        assert_eq!(
            run("code=C&state=X&iss=https%3A%2F%2Fop", true),
            Err(ErrorCode::StateMismatch)
        );
        assert_eq!(
            run("code=C&state=S&iss=https%3A%2F%2Fevil", true),
            Err(ErrorCode::IssMismatch)
        );
        assert_eq!(run("code=C&state=S", true), Err(ErrorCode::IssMismatch));
        assert_eq!(run("code=C&state=S", false), Ok("C".into()));
        assert_eq!(
            run("code=C&state=S&iss=https%3A%2F%2Fevil", false),
            Err(ErrorCode::IssMismatch)
        );
        // iss is checked before the error is believed.
        assert_eq!(
            run("error=access_denied&state=S&iss=https%3A%2F%2Fevil", true),
            Err(ErrorCode::IssMismatch)
        );
        assert_eq!(
            run("error=access_denied&state=S&iss=https%3A%2F%2Fop", true),
            Err(ErrorCode::IdpError)
        );
        assert_eq!(
            run("state=S&iss=https%3A%2F%2Fop", true),
            Err(ErrorCode::CallbackInvalid)
        );
        assert_eq!(
            run("code=A&code=B&state=S&iss=https%3A%2F%2Fop", true),
            Err(ErrorCode::CallbackInvalid)
        );
    }

    #[test]
    fn response_mode_must_match_the_request() {
        let mut t = tx();
        t.config.response_mode = ResponseMode::FormPost;
        let posted = CallbackParams::posted(vec![
            ("code".into(), "C".into()),
            ("state".into(), "S".into()),
            ("iss".into(), "https://op".into()),
        ]);
        let (step, r) = judge_callback("https://app/callback.html", &posted, &t, &meta(true));
        assert_eq!(r.map(|d| d.code), Ok(Some("C".into())));
        let req = step.request.clone().unwrap_or_default();
        assert_eq!(req.method.as_deref(), Some("POST"));
        assert!(!format!("{:?}", step.masked()).contains("code=C&"));
        // The same answer injected through the query is refused for a form_post login ...
        let injected = CallbackParams::parse("code=C&state=S&iss=https%3A%2F%2Fop");
        assert_eq!(
            judge_callback("u", &injected, &t, &meta(true))
                .1
                .unwrap_err()
                .code,
            ErrorCode::ResponseModeMismatch
        );
        // ... and a posted answer for a query login too.
        assert_eq!(
            judge_callback("u", &posted, &tx(), &meta(true))
                .1
                .unwrap_err()
                .code,
            ErrorCode::ResponseModeMismatch
        );
        assert_eq!(handover_step(3).checks.len(), 1);
        // A fragment answer is read from the fragment, and only fits a fragment login.
        let frag = CallbackParams::from_url(
            "https://app/callback.html#code=C&state=S&iss=https%3A%2F%2Fop",
        )
        .unwrap();
        assert_eq!(frag.source, ResponseSource::Fragment);
        t.config.response_mode = ResponseMode::Fragment;
        assert_eq!(
            judge_callback("u", &frag, &t, &meta(true))
                .1
                .map(|d| d.code),
            Ok(Some("C".into()))
        );
        assert_eq!(
            CallbackParams::from_url("https://app/?code=C&state=S").map(|p| p.source),
            Some(ResponseSource::Query)
        );
        assert!(CallbackParams::from_url("https://app/?issuer=x#top").is_none());
    }

    #[test]
    fn iss_may_be_omitted_only_beside_an_id_token() {
        let mut t = tx();
        t.config = t.config.apply_query("flow=implicit").0;
        let p = CallbackParams::posted(vec![
            ("state".into(), "S".into()),
            ("id_token".into(), "a.b.c".into()),
        ]);
        let (step, r) = judge_callback("u", &p, &t, &meta(true));
        assert!(r.is_ok());
        assert!(step
            .checks
            .iter()
            .any(|c| c.name == "iss (RFC 9207)"
                && c.status == crate::protocol::step::CheckStatus::Skip));
        let wrong = CallbackParams::posted(vec![
            ("state".into(), "S".into()),
            ("id_token".into(), "a.b.c".into()),
            ("iss".into(), "https://evil".into()),
        ]);
        assert_eq!(
            judge_callback("u", &wrong, &t, &meta(true))
                .1
                .unwrap_err()
                .code,
            ErrorCode::IssMismatch
        );
    }

    #[test]
    fn implicit_answers() {
        let mut t = tx();
        t.config = t.config.apply_query("flow=implicit").0;
        let judge = |t: &Transaction, pairs: &[(&str, &str)]| {
            let p = CallbackParams::posted(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
            judge_callback("u", &p, t, &meta(true)).1
        };
        let base = [("state", "S"), ("iss", "https://op")];
        let ok = judge(
            &t,
            &[
                base[0],
                base[1],
                ("id_token", "a.b.c"),
                ("access_token", "AT"),
            ],
        )
        .unwrap();
        assert_eq!(
            (ok.id_token.as_deref(), ok.access_token),
            (Some("a.b.c"), None)
        );
        assert_eq!(
            judge(&t, &base).unwrap_err().code,
            ErrorCode::CallbackInvalid
        );
        t.config = t.config.apply_query("response_type=id_token+token").0;
        assert_eq!(
            judge(&t, &[base[0], base[1], ("id_token", "a.b.c")])
                .unwrap_err()
                .code,
            ErrorCode::CallbackInvalid
        );
        let legacy = judge(
            &t,
            &[
                base[0],
                base[1],
                ("id_token", "a.b.c"),
                ("access_token", "AT"),
                ("token_type", "Bearer"),
                ("expires_in", "60"),
            ],
        )
        .unwrap();
        assert_eq!(
            (legacy.access_token.as_deref(), legacy.expires_in),
            (Some("AT"), Some(60))
        );
        let wrong_type = [
            base[0],
            base[1],
            ("id_token", "a.b.c"),
            ("access_token", "AT"),
            ("token_type", "mac"),
        ];
        assert!(judge(&t, &wrong_type).is_err());
    }

    #[test]
    fn error_description_is_text() {
        let p = CallbackParams::parse("error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E&state=S&iss=https%3A%2F%2Fop");
        let (step, r) = judge_callback("u", &p, &tx(), &meta(true));
        let e = r.unwrap_err();
        assert!(
            e.message.contains("<script>x</script>"),
            "kept as text, rendered as text: {}",
            e.message
        );
        assert_eq!(step.first_failure().map(|c| c.name), Some("no error"));
    }

    #[test]
    fn orphan_step_fails() {
        let p = CallbackParams::parse("code=C&state=zzz");
        let s = orphan_callback_step("u", &p, &FlowError::new(ErrorCode::NoTransaction, "none"));
        assert_eq!(
            s.first_failure().and_then(|c| c.error),
            Some(ErrorCode::NoTransaction)
        );
    }
}
