//! Just enough URL handling for OAuth: endpoint checks, query building and parsing.
//!
//! The `url` crate costs about 79 KB gzipped in wasm; the app only needs to know an endpoint's
//! scheme and host (RFC 6749 3.1 and 3.1.2.1: TLS, no fragment), to append query parameters, and
//! to read `application/x-www-form-urlencoded` pairs (`form_urlencoded`, a few KB).

use super::error::{ErrorCode, FlowError};

/// The parts of an absolute http(s) URL that the security rules look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    pub scheme: String,
    /// Lower-cased host; IPv6 literals keep their brackets.
    pub host: String,
    pub port: Option<u16>,
    /// Everything after the authority (path, query, fragment), as written.
    pub rest: String,
}

impl HttpUrl {
    /// Parses an absolute `http` or `https` URL.
    pub fn parse(input: &str) -> Result<HttpUrl, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("the URL is empty".into());
        }
        let (scheme, after) = s
            .split_once("://")
            .ok_or_else(|| format!("'{s}' is not an absolute URL (it needs https://)"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!("'{s}' uses the scheme '{scheme}', not https"));
        }
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.contains('@') {
            return Err(format!("'{s}' carries user information before the host"));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| format!("'{s}' has no valid host"))?;
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '\\') {
            return Err(format!("'{s}' has no valid host"));
        }
        Ok(HttpUrl {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            rest: rest.to_string(),
        })
    }

    /// 127.0.0.0/8, [::1] and localhost: a local provider may use plain http there.
    pub fn is_loopback(&self) -> bool {
        if self.host == "localhost" || self.host == "[::1]" {
            return true;
        }
        let octets: Vec<&str> = self.host.split('.').collect();
        octets.len() == 4
            && octets[0] == "127"
            && octets
                .iter()
                .all(|o| !o.is_empty() && o.parse::<u8>().is_ok())
    }

    /// `scheme://host[:port]`, as a browser writes an origin.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    pub fn has_fragment(&self) -> bool {
        self.rest.contains('#')
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(stripped) = authority.strip_prefix('[') {
        let close = stripped.find(']')?;
        let host = &authority[..close + 2];
        let tail = &authority[close + 2..];
        return match tail.strip_prefix(':') {
            Some(p) => Some((host, Some(p.parse().ok()?))),
            None if tail.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p.parse().ok()?))),
        None => Some((authority, None)),
    }
}

/// Checks that an endpoint the app will talk to is https, or http on loopback only.
///
/// `what` names the endpoint in the message ("token_endpoint").
pub fn require_secure_endpoint(what: &str, value: &str) -> Result<HttpUrl, FlowError> {
    let url = HttpUrl::parse(value).map_err(|m| {
        FlowError::new(ErrorCode::InsecureEndpoint, format!("{what}: {m}"))
            .spec("RFC 6749 3.1, 3.2")
    })?;
    if url.scheme != "https" && !url.is_loopback() {
        return Err(FlowError::new(
            ErrorCode::InsecureEndpoint,
            format!(
                "{what} is '{value}': plain http is allowed only on this machine (127.0.0.1, [::1], localhost). \
                 Anywhere else tokens would cross the network unencrypted, so OAuth requires TLS."
            ),
        )
        .spec("RFC 6749 3.1, 3.2; RFC 9700 2.6"));
    }
    if url.has_fragment() {
        return Err(FlowError::new(
            ErrorCode::InsecureEndpoint,
            format!("{what} '{value}' must not contain a fragment"),
        )
        .spec("RFC 6749 3.1"));
    }
    Ok(url)
}

/// Encodes pairs as `application/x-www-form-urlencoded`.
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// Appends query parameters to a URL that may already have a query (RFC 6749 3.1 keeps it).
pub fn append_query(base: &str, pairs: &[(String, String)]) -> String {
    let (without_fragment, _) = base.split_once('#').unwrap_or((base, ""));
    let encoded = encode_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if encoded.is_empty() {
        return without_fragment.to_string();
    }
    let sep = if !without_fragment.contains('?') {
        "?"
    } else if without_fragment.ends_with('?') || without_fragment.ends_with('&') {
        ""
    } else {
        "&"
    };
    format!("{without_fragment}{sep}{encoded}")
}

/// Parses `a=1&b=2` (a query without `?`, a fragment without `#`, or a form body).
pub fn parse_pairs(input: &str) -> Vec<(String, String)> {
    let trimmed = input.trim_start_matches(['?', '#']);
    form_urlencoded::parse(trimmed.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Percent-decodes a value once (`%XX` only; `+` stays, as in a URL path). Invalid escapes
/// and bytes that are not UTF-8 are kept as they were.
pub fn percent_decode(value: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let pair = (bytes[i] == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match pair {
            Some((hi, lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_string())
}

/// The query part of a URL (without `?` and without the fragment), if any.
pub fn query_of(url: &str) -> &str {
    let before_fragment = url.split_once('#').map_or(url, |(a, _)| a);
    before_fragment.split_once('?').map_or("", |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decodes_once() {
        assert_eq!(percent_decode("https%253A%252F%252Fop"), "https%3A%2F%2Fop");
        assert_eq!(percent_decode("https%3A%2F%2Fop"), "https://op");
        assert_eq!(percent_decode("a+b%zz"), "a+b%zz");
        assert_eq!(percent_decode("a&b=c"), "a&b=c");
    }

    #[test]
    fn parses_hosts_ports_and_ipv6() {
        let u = HttpUrl::parse("https://Login.Example.com:8443/a?b#c").unwrap();
        assert_eq!(u.host, "login.example.com");
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.rest, "/a?b#c");
        assert_eq!(u.origin(), "https://login.example.com:8443");
        let v6 = HttpUrl::parse("http://[::1]:9000/x").unwrap();
        assert_eq!(v6.host, "[::1]");
        assert!(v6.is_loopback());
    }

    #[test]
    fn rejects_non_urls() {
        for bad in [
            "",
            "example.com",
            "ftp://x",
            "https://",
            "https://user@evil/x",
            "https://h:99999/",
            "https://[::1",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_only_for_local_hosts() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://127.1.2.3",
            "http://localhost:3000/",
            "http://[::1]/",
        ] {
            assert!(require_secure_endpoint("e", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://10.0.0.1",
        ] {
            let e = require_secure_endpoint("token_endpoint", bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InsecureEndpoint, "{bad}");
        }
        assert!(require_secure_endpoint("e", "https://example.com/#frag").is_err());
    }

    #[test]
    fn appends_to_existing_query_and_drops_fragment() {
        let p = vec![
            ("a".to_string(), "x y".to_string()),
            ("b".to_string(), "&=".to_string()),
        ];
        assert_eq!(
            append_query("https://h/auth", &p),
            "https://h/auth?a=x+y&b=%26%3D"
        );
        assert_eq!(
            append_query("https://h/auth?tenant=1", &p),
            "https://h/auth?tenant=1&a=x+y&b=%26%3D"
        );
        assert_eq!(
            append_query("https://h/auth?", &p),
            "https://h/auth?a=x+y&b=%26%3D"
        );
        assert_eq!(append_query("https://h/auth#f", &[]), "https://h/auth");
    }

    #[test]
    fn parses_pairs_from_query_fragment_and_body() {
        assert_eq!(
            parse_pairs("?code=a%2Bb&state=s+t"),
            vec![
                ("code".into(), "a+b".into()),
                ("state".into(), "s t".into())
            ]
        );
        assert_eq!(
            parse_pairs("#id_token=x"),
            vec![("id_token".into(), "x".into())]
        );
        assert_eq!(
            query_of("https://h/cb?code=1&state=2#frag"),
            "code=1&state=2"
        );
        assert_eq!(query_of("https://h/cb"), "");
    }
}
