//! A step as an HTML panel: the one rendering of the step model that the page shows.
//!
//! Everything that comes from a provider or a user is escaped here, so provider text is always
//! shown as text (the page's Content-Security-Policy forbids inline scripts as a second line).
//! Secrets appear only when the panel is revealed; otherwise only their masks are in the markup.

use super::step::{mask, CheckStatus, HttpRecord, Step, StepStatus};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn status_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "pending",
        StepStatus::Done => "done",
        StepStatus::Failed => "failed",
    }
}

fn has_secrets(step: &Step) -> bool {
    step.request
        .iter()
        .chain(step.response.iter())
        .any(|r| !r.secrets.is_empty())
        || step.params.iter().any(|p| p.secret)
}

fn http_block(out: &mut String, label: &str, record: &HttpRecord, revealed: bool) {
    let text = if revealed {
        record.to_text()
    } else {
        record.masked().to_text()
    };
    out.push_str(&format!(
        "<div class=\"http\"><h4>{label}</h4><pre class=\"code\">{}</pre></div>",
        escape(&text)
    ));
}

/// The panel of step number `n`. `revealed` shows secrets instead of their masks.
pub fn step_html(n: usize, step: &Step, revealed: bool) -> String {
    let status = status_class(step.status);
    let mut out = format!(
        "<li class=\"step {status}\" data-step=\"{}\" data-status=\"{status}\"><header><span class=\"num\">{n}</span>\
         <h3>{}</h3><span class=\"badge\">{}</span><span class=\"actors\">{} \u{2192} {}</span>",
        escape(step.id),
        escape(step.title),
        step.kind.label(),
        step.from.label(),
        step.to.label()
    );
    if let Some(ms) = step.duration_ms {
        out.push_str(&format!("<span class=\"muted\">{ms} ms</span>"));
    }
    if has_secrets(step) {
        let checked = if revealed { " checked" } else { "" };
        out.push_str(&format!(
            "<label class=\"reveal\"><input type=\"checkbox\" data-reveal=\"{n}\"{checked}> Reveal secrets</label>"
        ));
    }
    out.push_str(&format!(
        "</header><p class=\"explain\">{}</p>",
        escape(step.explanation)
    ));

    if !step.params.is_empty() {
        out.push_str(
            "<table class=\"params\"><thead><tr><th scope=\"col\">Parameter</th><th scope=\"col\">Value</th>\
             <th scope=\"col\">Meaning</th></tr></thead><tbody>",
        );
        for p in &step.params {
            let value = if p.secret && !revealed {
                mask(&p.value)
            } else {
                p.value.clone()
            };
            out.push_str(&format!(
                "<tr><th scope=\"row\"><code>{}</code></th><td><code class=\"val\">{}</code></td><td>{}</td></tr>",
                escape(&p.name),
                escape(&value),
                escape(p.meaning)
            ));
        }
        out.push_str("</tbody></table>");
    }
    if let Some(r) = &step.request {
        http_block(&mut out, "Request", r, revealed);
    }
    if let Some(r) = &step.response {
        http_block(&mut out, "Response", r, revealed);
    }

    if !step.checks.is_empty() {
        out.push_str("<ul class=\"checks\" aria-label=\"Checks\">");
        for c in &step.checks {
            let icon = match c.status {
                CheckStatus::Pass => "\u{2714}",
                CheckStatus::Fail => "\u{2718}",
                CheckStatus::Skip => "\u{2013}",
            };
            let label = c.status.label();
            out.push_str(&format!(
                "<li class=\"check {label}\"><span class=\"icon\" aria-hidden=\"true\">{icon}</span>\
                 <span class=\"sr-only\">{label}</span><strong>{}</strong> <span>{}</span> ",
                escape(c.name),
                escape(&c.detail)
            ));
            if let (Some(e), Some(a)) = (&c.expected, &c.actual) {
                out.push_str(&format!(
                    "<span class=\"cmp\">expected <code>{}</code>, got <code>{}</code></span>",
                    escape(e),
                    escape(a)
                ));
            }
            out.push_str(&format!(
                "<span class=\"spec\">{}</span></li>",
                escape(c.spec)
            ));
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::ErrorCode;
    use crate::protocol::step::{Actor, Check, Param, StepKind};

    fn step() -> Step {
        let mut s = Step::new(
            "token",
            "Exchange",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "why <b>",
        );
        s.request = Some(
            HttpRecord::request("POST", "https://op/token")
                .body("code=SECRET")
                .secret("SECRET"),
        );
        s.response = Some(HttpRecord::response(400).body("<script>alert(1)</script>"));
        s.params = vec![Param {
            name: "code".into(),
            value: "SECRET".into(),
            meaning: "m",
            secret: true,
        }];
        s.checks = vec![Check::fail(
            "state",
            "a \"quoted\" <detail>",
            "RFC 6749 10.12",
            ErrorCode::StateMismatch,
        )
        .compared("x&y", "<z>")];
        s.duration_ms = Some(12);
        s.settle()
    }

    #[test]
    fn escapes_everything_from_outside() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        let html = step_html(3, &step(), false);
        assert!(
            !html.contains("<script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("why &lt;b&gt;"));
        assert!(html.contains("a &quot;quoted&quot; &lt;detail&gt;"));
        assert!(html.contains("expected <code>x&amp;y</code>, got <code>&lt;z&gt;</code>"));
    }

    #[test]
    fn secrets_only_when_revealed() {
        let masked = step_html(1, &step(), false);
        assert!(!masked.contains("SECRET"), "{masked}");
        assert!(masked.contains("[masked, 6 chars]"));
        assert!(masked.contains("data-reveal=\"1\">"));
        let shown = step_html(1, &step(), true);
        assert!(shown.contains("code=SECRET") && shown.contains("data-reveal=\"1\" checked>"));
    }

    #[test]
    fn panel_attributes_and_checks() {
        let html = step_html(2, &step(), false);
        assert!(html
            .starts_with("<li class=\"step failed\" data-step=\"token\" data-status=\"failed\">"));
        assert!(html.contains("<li class=\"check fail\">"));
        assert!(html.contains("<span class=\"muted\">12 ms</span>"));
        assert!(html.ends_with("</li>"));
        let plain = Step::new("prepare", "P", StepKind::Local, Actor::App, Actor::App, "e");
        assert!(!step_html(1, &plain, false).contains("Reveal"));
    }
}
