//! The teaching text: step explanations, parameter and claim meanings, the form's hints and the
//! flow guide's answers live in `content/en.json`, not in Rust. Code names a text by its key
//! (`"step/discovery"`, `"param/state"`, `"field/issuer"`, `"guide/spa"`); the page fetches the file
//! next to the wasm and looks the keys up. Someone who does not write Rust can correct an
//! explanation there.
//!
//! The file is one flat JSON object of strings. A key without text is shown as the key itself:
//! visible, never a panic (the coverage test below keeps that from shipping).

use super::error::{ErrorCode, FlowError};
use super::json::{self, Json};

/// The content file is small (tens of KiB); anything far larger is not it.
pub const MAX_BYTES: usize = 256 * 1024;

/// The texts by key, sorted for lookup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Content {
    texts: Vec<(String, String)>,
}

impl Content {
    /// Reads the content file. Every member must be a string.
    pub fn parse(text: &str) -> Result<Content, FlowError> {
        let bad = |why: String| {
            FlowError::new(
                ErrorCode::Network,
                format!("The page's content file could not be read: {why}. The explanations show their keys instead."),
            )
        };
        if text.len() > MAX_BYTES {
            return Err(bad(format!("it is larger than {MAX_BYTES} bytes")));
        }
        let v = json::parse_strict(text)
            .map_err(|e| bad(format!("{} at byte {}", e.reason, e.offset)))?;
        let Some(members) = v.as_object() else {
            return Err(bad("it is not a JSON object".into()));
        };
        let mut texts = Vec::with_capacity(members.len());
        for (k, v) in members {
            match v {
                Json::String(s) => texts.push((k.clone(), s.clone())),
                _ => return Err(bad(format!("{k} is not a string"))),
            }
        }
        texts.sort();
        Ok(Content { texts })
    }

    /// The text of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.texts[i].1.as_str())
    }

    /// The text of `key`; the key itself where there is none (a meaning that is plain text, such
    /// as a preset's note, is shown as it is).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).unwrap_or(key)
    }

    /// Whether the texts are loaded (the page shows keys until they are).
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(|(k, _)| k.as_str())
    }
}

/// The sections of keys, each a prefix before `/`.
pub const SECTIONS: [&str; 5] = ["step", "param", "field", "guide", "check"];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn file() -> Content {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/content/en.json"))
            .expect("content/en.json");
        Content::parse(&text).expect("content/en.json parses")
    }

    /// The code of every source file, test modules and comment lines left out.
    fn sources() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut files,
        );
        files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap_or("")
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }

    /// Every content key written in the code: a string literal of the form `"<section>/<name>"`.
    fn keys_in_code() -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for code in sources() {
            for (i, _) in code.match_indices('"') {
                let rest = &code[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let lit = &rest[..end];
                let Some((section, name)) = lit.split_once('/') else {
                    continue;
                };
                if SECTIONS.contains(&section)
                    && !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                {
                    keys.insert(lit.to_string());
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_the_code_names_has_text_and_no_text_is_orphaned() {
        let content = file();
        let code = keys_in_code();
        assert!(code.len() > 60, "the scan finds the keys ({})", code.len());
        let missing: Vec<&String> = code.iter().filter(|k| content.get(k).is_none()).collect();
        assert!(missing.is_empty(), "keys without text: {missing:?}");
        let orphans: Vec<&str> = content.keys().filter(|k| !code.contains(*k)).collect();
        assert!(orphans.is_empty(), "texts no code uses: {orphans:?}");
        for k in content.keys() {
            assert!(
                SECTIONS.iter().any(|s| k.starts_with(&format!("{s}/"))),
                "{k}"
            );
            assert!(!content.text(k).trim().is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn every_parameter_and_claim_the_code_emits_has_its_own_text() {
        use crate::protocol::config::Config;
        use crate::protocol::explain::param_meaning;
        // The parameters of every request the flows build, and the claims the ID token checks
        // read: each has a meaning of its own, not the fallback for a provider's extension.
        let mut names: Vec<String> = Vec::new();
        for q in [
            "flow=pkce",
            "flow=code",
            "flow=hybrid",
            "flow=implicit&response_type=id_token%20token",
        ] {
            let (mut c, _) = Config::defaults("https://app.example/").apply_query(q);
            c.client_secret = "s".into();
            let meta = crate::protocol::discovery::ProviderMetadata {
                issuer: "https://op".into(),
                authorization_endpoint: "https://op/authorize".into(),
                jwks_uri: "https://op/jwks".into(),
                ..Default::default()
            };
            let secrets = crate::protocol::pkce::LoginSecrets::from_random([7u8; 96]);
            let req = crate::protocol::authorize::build_authorization_request(&c, &meta, &secrets)
                .expect("an authorization request");
            names.extend(req.params.iter().map(|(k, _)| k.clone()));
        }
        names.extend(
            [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "nbf",
                "azp",
                "nonce",
                "auth_time",
                "at_hash",
                "c_hash",
                "acr",
                "amr",
                "sid",
                "jti",
                "alg",
                "kid",
                "typ",
                "code",
                "state",
                "code_verifier",
                "grant_type",
                "client_secret",
                "client_assertion",
                "client_assertion_type",
                "username",
                "password",
                "access_token",
                "id_token",
                "refresh_token",
                "token_type",
                "expires_in",
                "error",
                "error_description",
                "error_uri",
                "id_token_hint",
                "post_logout_redirect_uri",
                "user_code",
                "verification_uri",
                "verification_uri_complete",
                "dpop_jkt",
                "request_uri",
            ]
            .map(String::from),
        );
        let content = file();
        for n in names {
            let key = param_meaning(&n);
            assert_ne!(key, "param/other", "{n} has no meaning of its own");
            assert!(content.get(key).is_some(), "{n}: {key}");
        }
    }

    #[test]
    fn every_check_the_code_names_has_its_own_explanation() {
        use crate::protocol::explain::check_meaning;
        // The names written where checks are made: the first argument of a Check constructor
        // (or of a judge's `fail` helper), and the `NAME` constants of the support checks.
        let mut names = BTreeSet::new();
        for text in sources() {
            for pat in [
                "Check::pass(",
                "Check::fail(",
                "Check::warn(",
                "Check::skip(",
                "Check::failing(",
                "fail(&mut checks, ",
                "const NAME: &str = ",
            ] {
                for (i, _) in text.match_indices(pat) {
                    let rest = text[i + pat.len()..].trim_start();
                    if let Some(lit) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        names.insert(lit.to_string());
                    }
                }
            }
        }
        assert!(
            names.len() > 60,
            "the scan finds the checks ({})",
            names.len()
        );
        let content = file();
        for n in &names {
            let key = check_meaning(n);
            assert_ne!(
                key, "check/other",
                "the check \"{n}\" has no explanation of its own"
            );
            assert!(content.get(key).is_some(), "{n}: {key}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_content_file() {
        assert!(Content::parse("[1]").is_err());
        assert!(Content::parse(r#"{"a": 1}"#).is_err());
        assert!(Content::parse(&" ".repeat(MAX_BYTES + 1)).is_err());
        let c = Content::parse(r#"{"b": "two", "a": "one"}"#).unwrap();
        assert_eq!((c.text("a"), c.text("b"), c.text("c")), ("one", "two", "c"));
    }
}
