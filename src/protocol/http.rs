//! A transport-free view of HTTP answers, and OAuth error responses (RFC 6749 4.1.2.1, 5.2).
//!
//! The browser module performs the requests and hands back an [`HttpAnswer`]; everything that
//! judges an answer lives here and is tested natively.

use super::error::{ErrorCode, FlowError};
use super::json::str_or_none;

/// The most Flowlab reads of any provider response (1 MiB). Discovery documents, key sets and
/// token responses are a few KiB; anything larger is refused before it is parsed, and dropped.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// The refusal of a response over [`MAX_RESPONSE_BYTES`].
pub fn too_large(url: &str, seen: usize) -> FlowError {
    FlowError::new(
        ErrorCode::ResponseTooLarge,
        format!(
            "{url} sent more than {} KiB ({} KiB read when Flowlab stopped reading). No OAuth or OpenID \
             Connect answer is that large; it was dropped unparsed.",
            MAX_RESPONSE_BYTES / 1024,
            seen / 1024
        ),
    )
    .spec("RFC 9700 4; Flowlab's response bound")
}

/// An HTTP answer as the browser received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    /// The response headers the protocol reads besides the content type (`DPoP-Nonce`,
    /// `WWW-Authenticate`), names in lower case; a cross-origin answer shows them only when the
    /// server exposes them (CORS).
    pub headers: Vec<(String, String)>,
}

impl HttpAnswer {
    /// A response header the protocol reads (see [`HttpAnswer::headers`]), by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Says in words what a non-JSON answer was: an HTML page (with its title), empty, or text.
pub fn describe_non_json(answer: &HttpAnswer) -> String {
    let body = answer.body.trim();
    let looks_html = answer
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("html"))
        || body.starts_with('<') && body.to_ascii_lowercase().contains("<html");
    if body.is_empty() {
        return format!("the answer (HTTP {}) had an empty body.", answer.status);
    }
    if looks_html {
        let title = html_title(body)
            .map(|t| format!(" titled \u{201c}{t}\u{201d}"))
            .unwrap_or_default();
        return format!(
            "the server sent an HTML page{title} (HTTP {}), not JSON: the URL probably points at a web page or an \
             error page rather than at the endpoint.",
            answer.status
        );
    }
    format!(
        "the answer (HTTP {}) begins with \u{201c}{}\u{201d}.",
        answer.status,
        excerpt(body, 80)
    )
}

/// A body for display: JSON objects and arrays indented, anything else as received.
pub fn pretty_body(body: &str) -> String {
    match super::json::parse(body) {
        Some(v) if v.is_object() || v.is_array() => super::json::write(&v),
        _ => body.to_string(),
    }
}

/// The first `max` characters of a text, on one line.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > max {
        format!("{}\u{2026}", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let close = lower[open_end..].find("</title")? + open_end;
    let t = html.get(open_end..close)?.trim();
    (!t.is_empty()).then(|| excerpt(t, 80))
}

/// An OAuth error response, from a redirect or from a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub error: String,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
}

impl OAuthError {
    /// Reads an error from a JSON body, if it is one.
    pub fn from_json(body: &str) -> Option<OAuthError> {
        let v = super::json::parse(body)?;
        let error = str_or_none(&v, "error").filter(|e| !e.is_empty())?;
        Some(OAuthError {
            error,
            error_description: str_or_none(&v, "error_description"),
            error_uri: str_or_none(&v, "error_uri"),
        })
    }

    /// The explanation of the standard error codes (RFC 6749 4.1.2.1 and 5.2, OIDC Core 3.1.2.6).
    pub fn meaning(&self) -> &'static str {
        match self.error.as_str() {
            "invalid_request" => "The request is missing a parameter, repeats one, or is otherwise malformed.",
            "unauthorized_client" => "This client is not allowed to use this grant or response type.",
            "access_denied" => "The user or the provider refused the request.",
            "unsupported_response_type" => "The provider does not offer this response type (for this client).",
            "invalid_scope" => "A requested scope is unknown or not allowed for this client.",
            "server_error" => "The provider hit an unexpected error.",
            "temporarily_unavailable" => "The provider is overloaded or down for maintenance.",
            "invalid_client" => "The client could not be authenticated (unknown client, wrong secret or method).",
            "invalid_grant" => {
                "The code or refresh token is invalid, expired, already used, or was issued to another client \
                 or redirect URI; with PKCE, the code_verifier may not match the challenge."
            }
            "unsupported_grant_type" => "The provider does not support this grant type.",
            "login_required" => "prompt=none was asked but the user is not signed in at the provider.",
            "consent_required" => "prompt=none was asked but the user has not consented yet.",
            "interaction_required" => "prompt=none was asked but the provider needs the user to act.",
            "invalid_request_uri" | "invalid_request_object" => "The request object or request_uri is invalid.",
            _ => "A provider-specific error: read its description.",
        }
    }

    /// One sentence for the outcome: the code, the description as text, the meaning.
    pub fn sentence(&self) -> String {
        let desc = self
            .error_description
            .as_deref()
            .map(|d| format!(": \u{201c}{}\u{201d}", excerpt(d, 300)))
            .unwrap_or_default();
        format!(
            "The provider returned the error \u{201c}{}\u{201d}{desc}. {}",
            excerpt(&self.error, 80),
            self.meaning()
        )
    }

    /// error_uri, only when it is https (anything else is not made a link).
    pub fn safe_error_uri(&self) -> Option<&str> {
        self.error_uri
            .as_deref()
            .filter(|u| u.starts_with("https://"))
    }
}

/// A JSON answer with this status, for the tests of the modules that judge answers.
#[cfg(test)]
pub(crate) fn json_answer(status: u16, body: &str) -> HttpAnswer {
    HttpAnswer {
        status,
        content_type: Some("application/json".into()),
        body: body.into(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_html_error_pages() {
        let a = HttpAnswer {
            status: 502,
            content_type: Some("text/html".into()),
            body: "<!doctype html><html><head><title>502 Bad Gateway</title></head></html>".into(),
            ..Default::default()
        };
        let d = describe_non_json(&a);
        assert!(
            d.contains("HTML page titled \u{201c}502 Bad Gateway\u{201d}"),
            "{d}"
        );
        let e = HttpAnswer {
            status: 204,
            content_type: None,
            body: " ".into(),
            ..Default::default()
        };
        assert!(describe_non_json(&e).contains("empty"));
        let t = HttpAnswer {
            status: 200,
            content_type: None,
            body: "x".repeat(200),
            ..Default::default()
        };
        assert!(describe_non_json(&t).ends_with("\u{2026}\u{201d}."));
    }

    #[test]
    fn pretty_bodies() {
        assert_eq!(pretty_body(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_body("plain"), "plain");
        assert_eq!(pretty_body("42"), "42");
    }

    #[test]
    fn oauth_error_parsing_and_safe_uri() {
        let e = OAuthError::from_json(r#"{"error":"invalid_grant","error_description":"grant request is invalid","error_uri":"javascript:alert(1)"}"#)
            .unwrap();
        assert!(e.sentence().contains("invalid_grant"));
        assert!(e.sentence().contains("code_verifier"));
        assert_eq!(e.safe_error_uri(), None);
        assert!(OAuthError::from_json(r#"{"access_token":"x"}"#).is_none());
        assert!(OAuthError::from_json("<html>").is_none());
        let ok = OAuthError {
            error: "x".into(),
            error_description: None,
            error_uri: Some("https://e/x".into()),
        };
        assert_eq!(ok.safe_error_uri(), Some("https://e/x"));
    }
}
