//! The one model behind every panel: a flow is an ordered list of [`Step`]s.
//!
//! A step records the real HTTP exchange (or redirect) as it happened, a plain-words explanation,
//! the parameters with their meaning, and the checks with their spec sections. Secret values
//! (codes, tokens, verifiers, secrets) are listed on the record so every view can mask them until
//! the user asks to reveal them.

use super::error::{ErrorCode, FlowError};

/// Who takes part in a step (the columns of the sequence diagram).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User,
    App,
    ServiceWorker,
    AuthorizationServer,
    ResourceServer,
}

impl Actor {
    pub fn label(self) -> &'static str {
        match self {
            Actor::User => "User",
            Actor::App => "Browser / App",
            Actor::ServiceWorker => "Service Worker",
            Actor::AuthorizationServer => "Authorization Server",
            Actor::ResourceServer => "Resource Server",
        }
    }
}

/// How a step travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Front channel: the browser is sent somewhere (a redirect or form post).
    Redirect,
    /// Back channel: the app calls an endpoint with fetch.
    BackChannel,
    /// Work done inside the app (generating secrets, validating a token).
    Local,
    /// Something a person does (signing in at the provider).
    Interaction,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Redirect => "front channel (redirect)",
            StepKind::BackChannel => "back channel (fetch)",
            StepKind::Local => "in the app",
            StepKind::Interaction => "user interaction",
        }
    }
}

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not a refusal, but worth the user's attention (a SHOULD broken, a provider's quirk).
    Warn,
    Skip,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Warn => "warn",
            CheckStatus::Skip => "skip",
        }
    }
}

/// One validation rule applied to a response or token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub status: CheckStatus,
    /// Why it passed, failed or was skipped, in plain words.
    pub detail: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// The spec section, e.g. "OIDC Core 3.1.3.7 (2)".
    pub spec: &'static str,
    /// The error this check raises when it fails.
    pub error: Option<ErrorCode>,
}

impl Check {
    pub fn pass(name: &'static str, detail: impl Into<String>, spec: &'static str) -> Check {
        Check {
            name,
            status: CheckStatus::Pass,
            detail: detail.into(),
            expected: None,
            actual: None,
            spec,
            error: None,
        }
    }

    pub fn fail(
        name: &'static str,
        detail: impl Into<String>,
        spec: &'static str,
        error: ErrorCode,
    ) -> Check {
        Check {
            status: CheckStatus::Fail,
            error: Some(error),
            ..Check::pass(name, detail, spec)
        }
    }

    pub fn warn(name: &'static str, detail: impl Into<String>, spec: &'static str) -> Check {
        Check {
            status: CheckStatus::Warn,
            ..Check::pass(name, detail, spec)
        }
    }

    pub fn skip(name: &'static str, detail: impl Into<String>, spec: &'static str) -> Check {
        Check {
            status: CheckStatus::Skip,
            ..Check::pass(name, detail, spec)
        }
    }

    /// The failed check that raises `e`, with its message and spec section.
    pub fn failing(name: &'static str, e: &FlowError) -> Check {
        Check::fail(name, e.message.clone(), e.spec.unwrap_or(""), e.code)
    }

    /// Records the two values compared.
    pub fn compared(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Check {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    pub fn failed(&self) -> bool {
        self.status == CheckStatus::Fail
    }

    /// A failed check as the error it raises (its own code, else `bad_response`), with its detail
    /// and spec; `None` when it did not fail.
    pub fn as_error(&self) -> Option<FlowError> {
        self.failed().then(|| {
            FlowError::new(
                self.error.unwrap_or(ErrorCode::BadResponse),
                self.detail.clone(),
            )
            .spec(self.spec)
        })
    }
}

/// An HTTP message (or a redirect URL) as actually sent or received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRecord {
    /// Request method; `None` for responses.
    pub method: Option<String>,
    /// Request URL (or the URL the browser was sent to).
    pub url: Option<String>,
    /// Response status; `None` for requests.
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Values that must be masked in views and exports until revealed.
    pub secrets: Vec<String>,
}

/// What a masked value looks like.
pub fn mask(value: &str) -> String {
    // Nothing of the value itself: a shorter secret must never match inside a mask.
    format!(
        "\u{2022}\u{2022}\u{2022}\u{2022}[masked, {} chars]",
        value.chars().count()
    )
}

impl HttpRecord {
    pub fn request(method: &str, url: &str) -> HttpRecord {
        HttpRecord {
            method: Some(method.into()),
            url: Some(url.into()),
            ..HttpRecord::default()
        }
    }

    pub fn response(status: u16) -> HttpRecord {
        HttpRecord {
            status: Some(status),
            ..HttpRecord::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> HttpRecord {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> HttpRecord {
        self.body = Some(body.into());
        self
    }

    /// Marks values (tokens, codes, secrets) to be masked. Empty values are ignored.
    pub fn secret(mut self, value: &str) -> HttpRecord {
        if !value.is_empty() && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.into());
        }
        self
    }

    /// Masks one piece of text from this record: each secret, raw and form-encoded.
    pub fn mask_text(&self, text: &str) -> String {
        let mut out = text.to_string();
        // Longest first, so a secret that contains another is masked whole. (A selection by
        // length rather than a sort: there are a handful of secrets, and sorting code is large.)
        let mut pending: Vec<&String> = self.secrets.iter().collect();
        while let Some(i) = (0..pending.len()).max_by_key(|&i| pending[i].len()) {
            let s = pending.swap_remove(i);
            let encoded: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            out = out.replace(s.as_str(), &mask(s));
            if encoded != *s {
                out = out.replace(&encoded, &mask(s));
            }
        }
        out
    }

    /// The message as text: request or status line, headers, a blank line, the body (JSON
    /// bodies indented).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        match (&self.method, &self.url, self.status) {
            // Each query parameter on its own line, as sent.
            (Some(m), Some(u), _) => out.push_str(&format!(
                "{m} {}\n",
                u.replacen('?', "\n    ?", 1).replace('&', "\n    &")
            )),
            (None, Some(u), _) => out.push_str(&format!("{u}\n")),
            (_, _, Some(s)) => out.push_str(&format!("HTTP {s}\n")),
            _ => {}
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(b) = &self.body {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&super::http::pretty_body(b));
        }
        out
    }

    /// The record with every secret masked.
    pub fn masked(&self) -> HttpRecord {
        HttpRecord {
            method: self.method.clone(),
            url: self.url.as_deref().map(|u| self.mask_text(u)),
            status: self.status,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), self.mask_text(v)))
                .collect(),
            body: self.body.as_deref().map(|b| self.mask_text(b)),
            secrets: Vec::new(),
        }
    }
}

choices! {
    /// Where a step stands (`data-status` of its panel, a class of its arrow).
    StepStatus {
        Pending = "pending",
        Done = "done",
        Failed = "failed",
    }
}

choices! {
    /// Which step a panel shows: its `data-step` and the `#step-<id>` of its panel.
    StepId {
        Api = "api",
        Authorize = "authorize",
        Callback = "callback",
        CorsProbe = "cors-probe",
        DeviceAuthorization = "device-authorization",
        Discovery = "discovery",
        Handover = "handover",
        Inspect = "inspect",
        Jwks = "jwks",
        JwksRefetch = "jwks-refetch",
        Logout = "logout",
        LogoutReturn = "logout-return",
        NoIdToken = "no-id-token",
        Poll = "poll",
        Prepare = "prepare",
        Preset = "preset",
        Refresh = "refresh",
        Register = "register",
        Token = "token",
        UserCode = "user-code",
        UserLogin = "user-login",
        IdToken = "id-token",
        FrontIdToken = "front-id-token",
        Revoke = "revoke",
        RevokeAccess = "revoke-access",
        Par = "par",
        NonceRetry = "nonce-retry",
        StealBearer = "steal-bearer",
        StealOtherKey = "steal-other-key",
    }
}

/// A parameter of a request or response, with what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub value: String,
    pub meaning: &'static str,
    pub secret: bool,
}

/// One step of a flow, rendered as a panel and as an arrow of the sequence diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Which step this is (`data-step`): the same id for the same kind of step in every run.
    pub id: StepId,
    pub title: &'static str,
    pub kind: StepKind,
    pub from: Actor,
    pub to: Actor,
    pub request: Option<HttpRecord>,
    pub response: Option<HttpRecord>,
    /// What happens and why: the key of its text in the content file (`content/en.json`).
    pub explanation: &'static str,
    pub params: Vec<Param>,
    pub checks: Vec<Check>,
    pub status: StepStatus,
    /// Milliseconds the step took (back-channel calls), if measured.
    pub duration_ms: Option<u32>,
}

impl Step {
    pub fn new(
        id: StepId,
        title: &'static str,
        kind: StepKind,
        from: Actor,
        to: Actor,
        explanation: &'static str,
    ) -> Step {
        Step {
            id,
            title,
            kind,
            from,
            to,
            request: None,
            response: None,
            explanation,
            params: Vec::new(),
            checks: Vec::new(),
            status: StepStatus::Done,
            duration_ms: None,
        }
    }

    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.failed())
    }

    /// Sets the status from the checks: failed if any check failed.
    pub fn settle(mut self) -> Step {
        self.status = if self.first_failure().is_some() {
            StepStatus::Failed
        } else {
            StepStatus::Done
        };
        self
    }

    /// The step with every secret masked (for storage across redirects and exports).
    pub fn masked(&self) -> Step {
        let mut s = self.clone();
        s.request = self.request.as_ref().map(HttpRecord::masked);
        s.response = self.response.as_ref().map(HttpRecord::masked);
        for p in &mut s.params {
            if p.secret {
                p.value = mask(&p.value);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_everywhere_raw_and_encoded() {
        let r = HttpRecord::request("POST", "https://h/token?code=ab%2Bcd")
            .header("Authorization", "Bearer tok123")
            .body("code=ab%2Bcd&x=1")
            .secret("ab+cd")
            .secret("tok123")
            .secret("");
        let m = r.masked();
        let all = format!("{:?}{:?}{:?}", m.url, m.headers, m.body);
        assert!(!all.contains("ab%2Bcd") && !all.contains("tok123"), "{all}");
        assert!(all.contains("[masked, 5 chars]"));
        assert!(m.secrets.is_empty());
        assert_eq!(r.secrets.len(), 2);
    }

    #[test]
    fn text_form_of_requests_and_responses() {
        let req = HttpRecord::request("POST", "https://h/token")
            .header("Accept", "application/json")
            .body("a=1");
        assert_eq!(
            req.to_text(),
            "POST https://h/token\nAccept: application/json\n\na=1"
        );
        let get = HttpRecord::request("GET", "https://op/auth?a=1&b=x%26y");
        assert_eq!(
            get.to_text(),
            "GET https://op/auth\n    ?a=1\n    &b=x%26y\n"
        );
        let resp = HttpRecord::response(200).body(r#"{"a":1}"#);
        assert_eq!(resp.to_text(), "HTTP 200\n\n{\n  \"a\": 1\n}");
        assert_eq!(HttpRecord::default().body("x").to_text(), "x");
    }

    #[test]
    fn longer_secret_masked_whole() {
        let r = HttpRecord::response(200)
            .body("abcdef abc")
            .secret("abc")
            .secret("abcdef");
        let body = r.masked().body.unwrap_or_default();
        assert_eq!(body, format!("{} {}", mask("abcdef"), mask("abc")));
    }

    #[test]
    fn settle_reflects_checks() {
        let mut s = Step::new(
            StepId::Prepare,
            "X",
            StepKind::Local,
            Actor::App,
            Actor::App,
            "",
        );
        s.checks.push(Check::pass("a", "", "s"));
        assert_eq!(s.clone().settle().status, StepStatus::Done);
        s.checks
            .push(Check::fail("b", "", "s", ErrorCode::StateMismatch));
        let s = s.settle();
        assert_eq!(s.status, StepStatus::Failed);
        assert_eq!(s.first_failure().map(|c| c.name), Some("b"));
    }
}
