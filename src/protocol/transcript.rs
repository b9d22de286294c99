//! The run as a Markdown transcript (the Export): every step with its request and response, a
//! curl command for each back-channel call, and the checks. Plain text: the page shows it in a
//! `<pre>`, and nothing here is HTML.

use super::content::Content;
use super::step::{CheckStatus, HttpRecord, Step, StepKind};

/// The run as a Markdown transcript: every step with its request and response, a curl command
/// for each back-channel call, and the checks. Secrets are masked unless `include_secrets`.
pub fn transcript_md(steps: &[Step], include_secrets: bool, content: &Content) -> String {
    let mut out = String::from("# Flowlab transcript\n\n");
    if !include_secrets {
        out.push_str("Codes, tokens, verifiers and secrets are masked.\n\n");
    }
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!(
            "## {}. {}\n\n*{}: {} \u{2192} {}*\n\n{}\n\n",
            i + 1,
            s.title,
            s.kind.label(),
            s.from.label(),
            s.to.label(),
            content.text(s.explanation)
        ));
        for (label, r) in [("Request", &s.request), ("Response", &s.response)] {
            let Some(r) = r else { continue };
            let r = if include_secrets {
                r.clone()
            } else {
                r.masked()
            };
            out.push_str(&format!("{label}:\n\n```http\n{}\n```\n\n", r.to_text()));
            if label == "Request" && s.kind == StepKind::BackChannel {
                out.push_str(&format!("```sh\n{}\n```\n\n", curl(&r)));
            }
        }
        for c in &s.checks {
            let mark = match c.status {
                CheckStatus::Pass => "pass",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Warn => "WARN",
                CheckStatus::Skip => "skip",
            };
            out.push_str(&format!(
                "- {mark}: **{}**: {} ({})\n",
                c.name, c.detail, c.spec
            ));
        }
        if !s.checks.is_empty() {
            out.push('\n');
        }
    }
    out
}

/// A shell-quoted argument.
fn sh(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

/// The curl command that repeats a request.
fn curl(r: &HttpRecord) -> String {
    let mut cmd = format!(
        "curl -sS -X {} {}",
        r.method.as_deref().unwrap_or("GET"),
        sh(r.url.as_deref().unwrap_or(""))
    );
    for (k, v) in &r.headers {
        cmd.push_str(&format!(" \\\n  -H {}", sh(&format!("{k}: {v}"))));
    }
    if let Some(b) = &r.body {
        cmd.push_str(&format!(" \\\n  --data-raw {}", sh(b)));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::ErrorCode;
    use crate::protocol::step::StepId;
    use crate::protocol::step::{Actor, Check};

    fn run() -> Vec<Step> {
        let mut discovery = Step::new(
            StepId::Discovery,
            "Discover",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "step/discovery",
        );
        discovery.request = Some(
            HttpRecord::request("GET", "https://op/.well-known/openid-configuration")
                .header("Accept", "application/json"),
        );
        let mut token = Step::new(
            StepId::Token,
            "Exchange",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "step/token.public",
        );
        token.request = Some(
            HttpRecord::request("POST", "https://op/token")
                .body("code=SECRET")
                .secret("SECRET"),
        );
        token.checks = vec![Check::fail(
            "state",
            "d",
            "RFC 6749 10.12",
            ErrorCode::StateMismatch,
        )];
        vec![discovery, token.settle()]
    }

    #[test]
    fn masks_unless_asked_explains_and_has_curl() {
        let content = Content::parse(r#"{"step/discovery": "Reads the <metadata>."}"#).unwrap();
        let md = transcript_md(&run(), false, &content);
        assert!(md.contains("## 2. Exchange") && md.contains("## 1. Discover"));
        assert!(md.contains("Reads the <metadata>."), "{md}");
        // A key without text shows the key, never nothing.
        assert!(md.contains("step/token.public"));
        assert!(!md.contains("SECRET"), "{md}");
        assert!(md.contains("curl -sS -X POST 'https://op/token'"));
        assert!(md.contains("- FAIL: **state**"));
        assert!(transcript_md(&run(), true, &content).contains("--data-raw 'code=SECRET'"));
        assert_eq!(sh("it's"), "'it'\\''s'");
    }
}
