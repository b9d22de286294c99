//! Embedding: Flowlab in another site's iframe, as a reference login page. The host chooses the
//! layout (`embed=1`), how much of the configuration its readers see (`embed_config`), and the
//! one origin that may talk to the frame (`embed_origin`). The frame tells that origin what
//! happens (status, steps, the verified claims) and takes three commands from it (configure,
//! sign in, sign out). Never a token, code, secret or password in any message: the messages are
//! built here from the step's id, title, status and check counts, and the claims.

use super::config::Config;
use super::json::{self, Json};
use super::step::{CheckStatus, Step};
use super::url::{encode_pairs, HttpUrl};

/// The version the `flowlab:ready` message announces (the message schema's, not the app's).
pub const VERSION: &str = "1";

/// How much of the configuration an embedding page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedConfig {
    Hidden,
    ReadOnly,
    Editable,
}

/// The page settings of an embed, read from the query string (not configuration: they are
/// never in the shareable link's configuration, nor settable by message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    pub on: bool,
    pub config: EmbedConfig,
    /// The one origin messages go to and come from, or why there is none (then nothing is sent
    /// and the frame says why).
    pub origin: Result<String, String>,
}

/// The query parameters that set the embed, not the configuration.
pub const PARAMS: [&str; 3] = ["embed", "embed_config", "embed_origin"];

impl Embed {
    pub fn from_query(query: &str) -> Embed {
        let pairs = super::url::parse_pairs(query);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let on = matches!(get("embed"), Some("1" | "true" | "on"));
        let config = match get("embed_config") {
            Some("hidden") => EmbedConfig::Hidden,
            Some("readonly") => EmbedConfig::ReadOnly,
            _ => EmbedConfig::Editable,
        };
        let origin = match get("embed_origin") {
            None | Some("") => Err("no embed_origin was given".into()),
            Some(v) => check_origin(v),
        };
        Embed { on, config, origin }
    }
}

/// An embedding page's origin: `https://host[:port]`, or `http` on loopback; exactly an origin
/// (no path, query or fragment; `*` refused), written as a browser writes `event.origin`.
pub fn check_origin(value: &str) -> Result<String, String> {
    if value.trim() == "*" {
        return Err(
            "embed_origin is *: messages would reach any page that frames Flowlab, so none are sent"
                .into(),
        );
    }
    let u = HttpUrl::parse(value).map_err(|e| format!("embed_origin: {e}"))?;
    if u.scheme != "https" && !u.is_loopback() {
        return Err(format!(
            "embed_origin {value} is plain http on a host that is not loopback: use https"
        ));
    }
    if !(u.rest.is_empty() || u.rest == "/") {
        return Err(format!(
            "embed_origin {value} is not an origin (scheme, host and port only)"
        ));
    }
    let default_port = if u.scheme == "https" { 443 } else { 80 };
    Ok(match u.port {
        Some(p) if p != default_port => format!("{}://{}:{p}", u.scheme, u.host),
        _ => format!("{}://{}", u.scheme, u.host),
    })
}

/// `{type: 'flowlab:ready', version}`.
pub fn ready() -> String {
    json::write(&json::object([
        ("type", json::text("flowlab:ready")),
        ("version", json::text(VERSION)),
    ]))
}

/// `{type: 'flowlab:status', status, error, text}`: the outcome line of the automation contract.
pub fn status(status: &str, error: Option<&str>, text: &str) -> String {
    json::write(&json::object([
        ("type", json::text("flowlab:status")),
        ("status", json::text(status)),
        ("error", error.map_or(Json::Null, json::text)),
        ("text", json::text(text)),
    ]))
}

/// What a step message says of a step: (id, title, status, passed checks, failed checks). A
/// message is due when it changes.
pub type StepSummary = (String, String, &'static str, i64, i64);

/// The summary of a step, for its message.
pub fn step_summary(step: &Step) -> StepSummary {
    let status = step.status.as_str();
    let count = |s: CheckStatus| step.checks.iter().filter(|c| c.status == s).count() as i64;
    (
        step.id.to_string(),
        step.title.to_string(),
        status,
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
    )
}

/// `{type: 'flowlab:step', id, title, status, checks: {passed, failed}}`.
pub fn step(summary: &StepSummary) -> String {
    let (id, title, status, passed, failed) = summary;
    json::write(&json::object([
        ("type", json::text("flowlab:step")),
        ("id", json::text(id)),
        ("title", json::text(title)),
        ("status", json::text(status)),
        (
            "checks",
            json::object([
                ("passed", Json::from_i64(*passed)),
                ("failed", Json::from_i64(*failed)),
            ]),
        ),
    ]))
}

/// `{type: 'flowlab:signed-in', claims, scope}`: the verified ID token's claims (none for a
/// login without one) and the scope granted.
pub fn signed_in(claims: &[(String, Json)], scope: &str) -> String {
    json::write(&json::object([
        ("type", json::text("flowlab:signed-in")),
        ("claims", Json::Object(claims.to_vec())),
        ("scope", json::text(scope)),
    ]))
}

/// A command from the embedding page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// The fields of the query-string contract, as a query string for `Config::apply_query`
    /// (which refuses secrets and what the app sets itself).
    Configure(String),
    SignIn,
    SignOut,
}

/// Reads a message's data (as JSON text). Anything that is not one of the three commands is
/// `None`.
pub fn command(data: &str) -> Option<Command> {
    let v = json::parse(data)?;
    match v.get("type")?.as_str()? {
        "flowlab:sign-in" => Some(Command::SignIn),
        "flowlab:sign-out" => Some(Command::SignOut),
        "flowlab:configure" => {
            let members = v.get("config")?.as_object()?;
            let mut pairs: Vec<(&str, String)> = Vec::new();
            for (k, value) in members {
                let text = match value {
                    Json::String(s) => s.clone(),
                    Json::Bool(b) => if *b { "on" } else { "" }.to_string(),
                    Json::Number(n) => n.clone(),
                    _ => continue,
                };
                pairs.push((k.as_str(), text));
            }
            Some(Command::Configure(encode_pairs(
                pairs.iter().map(|(k, v)| (*k, v.as_str())),
            )))
        }
        _ => None,
    }
}

/// Applies a configure command: the contract's fields on top of `config`, through
/// `Config::apply_query` (which refuses secrets and the app's own parameters, and leaves the
/// embed's own settings out). Returns what was not taken, as for a link.
pub fn configure(config: Config, query: &str) -> (Config, Vec<super::config::Ignored>) {
    config.apply_query(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::step::StepId;
    use crate::protocol::step::{Actor, Check, HttpRecord, StepKind};

    #[test]
    fn origins() {
        assert_eq!(
            check_origin("https://docs.example"),
            Ok("https://docs.example".into())
        );
        assert_eq!(
            check_origin("https://docs.example:443/"),
            Ok("https://docs.example".into())
        );
        assert_eq!(
            check_origin("HTTPS://Docs.Example:8443"),
            Ok("https://docs.example:8443".into())
        );
        assert_eq!(
            check_origin("http://localhost:8080"),
            Ok("http://localhost:8080".into())
        );
        assert_eq!(
            check_origin("http://127.0.0.1:80"),
            Ok("http://127.0.0.1".into())
        );
        for bad in [
            "*",
            "http://docs.example",
            "https://docs.example/path",
            "https://a/?q",
            "javascript:x",
            "",
            "null",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
        let e =
            Embed::from_query("embed=1&embed_config=readonly&embed_origin=https%3A%2F%2Fh.example");
        assert!(e.on && e.config == EmbedConfig::ReadOnly);
        assert_eq!(e.origin, Ok("https://h.example".into()));
        let e = Embed::from_query("issuer=x");
        assert!(!e.on && e.origin.is_err() && e.config == EmbedConfig::Editable);
    }

    #[test]
    fn messages_carry_no_secret() {
        let mut s = Step::new(
            StepId::Token,
            "Exchange the code",
            StepKind::BackChannel,
            Actor::App,
            Actor::AuthorizationServer,
            "step/token.public",
        );
        s.request = Some(
            HttpRecord::request("POST", "https://op/token")
                .body("code=SECRET")
                .secret("SECRET"),
        );
        s.response = Some(
            HttpRecord::response(200)
                .body("{\"access_token\":\"AT\"}")
                .secret("AT"),
        );
        s.checks = vec![Check::pass("a", "d", "s"), Check::pass("b", "d", "s")];
        let m = step(&step_summary(&s.settle()));
        assert_eq!(
            m,
            json::write(&json::parse(r#"{"type":"flowlab:step","id":"token","title":"Exchange the code","status":"done","checks":{"passed":2,"failed":0}}"#).unwrap())
        );
        assert!(!m.contains("SECRET") && !m.contains("AT\""));
        let m = signed_in(&[("sub".into(), json::text("alice"))], "openid");
        assert!(m.contains("\"sub\"") && m.contains("\"flowlab:signed-in\""));
        assert!(status("error", Some("state_mismatch"), "x").contains("\"error\""));
        assert!(ready().contains("\"version\""));
    }

    #[test]
    fn commands() {
        assert_eq!(
            command(r#"{"type":"flowlab:sign-in"}"#),
            Some(Command::SignIn)
        );
        assert_eq!(
            command(r#"{"type":"flowlab:sign-out"}"#),
            Some(Command::SignOut)
        );
        assert_eq!(command(r#"{"type":"other"}"#), None);
        assert_eq!(command("not json"), None);
        let Some(Command::Configure(q)) = command(
            r#"{"type":"flowlab:configure","config":{"issuer":"https://op","client_secret":"s","embed_origin":"https://evil","step_through":true}}"#,
        ) else {
            panic!("a configure command")
        };
        let (c, ignored) = configure(Config::defaults("https://app/"), &q);
        assert_eq!(c.issuer, "https://op");
        assert!(c.step_through);
        // The secret is refused as from a link; the embed's own settings are not configuration.
        assert!(c.client_secret.is_empty());
        assert!(ignored.iter().any(|i| i.name == "client_secret"));
        assert!(c.extra.iter().all(|(k, _)| k != "embed_origin"));
    }
}
