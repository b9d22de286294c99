//! JSON (RFC 8259): a small strict parser, a writer, and getters that name the member.
//!
//! Flowlab parses provider documents, JWT headers and claims, JWK sets and token responses.
//! A general-purpose JSON library costs about 25 KB of wasm for what the app needs: values,
//! member lookup, strings and integers. This module is that, and stricter where it matters:
//! duplicate member names are rejected (RFC 7519 section 4 requires it of claim sets; RFC 8259
//! leaves it open, and a parser that silently keeps one of two `sub` members invites confusion
//! attacks), nesting is limited, and no input can make it panic.
//!
//! Numbers keep their literal text; integers (NumericDate, status codes, `expires_in`) are read
//! exactly, fractional seconds are truncated.

/// A JSON value. Objects keep their members in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's literal text, validated against the JSON grammar.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Deepest nesting accepted: real documents are shallow, and recursion must stay bounded.
const MAX_DEPTH: usize = 64;

impl Json {
    /// A member of an object.
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// A number as an integer: exact for integer literals; a fraction is truncated toward zero
    /// (`1.5e9` is 1500000000). None when it is not a number or does not fit.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => integer_part(n),
            _ => None,
        }
    }

    /// A number, as text for people (no re-formatting).
    pub fn from_i64(n: i64) -> Json {
        Json::Number(n.to_string())
    }
}

/// The integer part of a validated JSON number literal, without floating point: the digits
/// before the decimal point once the exponent has moved it.
fn integer_part(lit: &str) -> Option<i64> {
    let (negative, rest) = match lit.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, lit),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int_digits, frac_digits) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = int_digits.bytes().chain(frac_digits.bytes());
    let point = i64::try_from(int_digits.len()).ok()? + i64::from(exponent);
    if point <= 0 || digits.clone().all(|b| b == b'0') {
        return Some(0);
    }
    // Bounds the loop; anything that long with a non-zero digit overflows anyway, but for
    // leading zeros after "0.", which the checked arithmetic handles below.
    let point = usize::try_from(point).ok().filter(|p| *p <= 400)?;
    let mut value: i64 = 0;
    for b in digits.chain(std::iter::repeat(b'0')).take(point) {
        value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(if negative { -value } else { value })
}

/// Why a text is not JSON (with the byte offset, for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub reason: &'static str,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn fail<T>(&self, reason: &'static str) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.i,
            reason,
        })
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ParseError> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.ws();
        match self.s.get(self.i) {
            None => self.fail("unexpected end"),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) if self.eat(b"true") => Ok(Json::Bool(true)),
            Some(_) if self.eat(b"false") => Ok(Json::Bool(false)),
            Some(_) if self.eat(b"null") => Ok(Json::Null),
            Some(_) => self.fail("unexpected character"),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, ParseError> {
        self.i += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(Json::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return self.fail("expected a member name");
            }
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return self.fail("duplicate member name");
            }
            self.ws();
            if !self.eat(b":") {
                return self.fail("expected ':'");
            }
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                return Ok(Json::Object(members));
            }
            return self.fail("expected ',' or '}'");
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, ParseError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(Json::Array(items));
            }
            return self.fail("expected ',' or ']'");
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.i;
        self.eat(b"-");
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("invalid number"),
        }
        if self.eat(b".") && self.digits() == 0 {
            return self.fail("invalid number");
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.fail("invalid number");
            }
        }
        // ASCII by construction.
        Ok(Json::Number(
            String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
        ))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.s.get(self.i) {
                Some(b) => (*b as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => v = v * 16 + d,
                None => return self.fail("invalid \\u escape"),
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return self.fail("unterminated string");
            };
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return self.fail("unterminated string");
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return self.fail("unpaired surrogate");
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail("unpaired surrogate");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => c,
                                None => return self.fail("unpaired surrogate"),
                            }
                        }
                        _ => return self.fail("invalid escape"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return self.fail("control character in string"),
                _ => out.push(b),
            }
        }
        // The input is a &str, and escapes were encoded as UTF-8: always valid.
        String::from_utf8(out).or_else(|_| self.fail("invalid UTF-8"))
    }
}

/// Parses a JSON text, reporting where and why it is not JSON.
pub fn parse_strict(text: &str) -> Result<Json, ParseError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return p.fail("trailing characters");
    }
    Ok(v)
}

/// Parses a JSON text.
pub fn parse(text: &str) -> Option<Json> {
    parse_strict(text).ok()
}

/// Writes JSON indented by two spaces (the layout of `JSON.stringify(v, null, 2)`).
pub fn write(v: &Json) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, v: &Json, depth: usize) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => write_str(out, s),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Json::Object(m) if m.is_empty() => out.push_str("{}"),
        Json::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_str(out, k);
                out.push_str(": ");
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds a JSON object from members, in order.
pub fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A string value.
pub fn text(s: &str) -> Json {
    Json::String(s.to_string())
}

/// A member that must be a non-empty string.
pub fn required_str(v: &Json, name: &str) -> Result<String, String> {
    match v.get(name) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Json::String(_)) => Err(format!("\"{name}\" is empty")),
        Some(_) => Err(format!("\"{name}\" is not a string")),
        None => Err(format!("\"{name}\" is missing")),
    }
}

/// An optional string member; present with another type is an error.
pub fn optional_str(v: &Json, name: &str) -> Result<Option<String>, String> {
    match v.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{name}\" is not a string")),
    }
}

/// An optional array of strings.
pub fn optional_list(v: &Json, name: &str) -> Result<Option<Vec<String>>, String> {
    match v.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(String::from)
                    .ok_or_else(|| format!("\"{name}\" holds a non-string"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(format!("\"{name}\" is not an array")),
    }
}

/// An optional boolean, false when absent.
pub fn flag(v: &Json, name: &str) -> Result<bool, String> {
    match v.get(name) {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("\"{name}\" is not true or false")),
    }
}

/// A string member, or None for anything else (lenient reading).
pub fn str_or_none(v: &Json, name: &str) -> Option<String> {
    v.get(name).and_then(Json::as_str).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_value() {
        let v =
            parse(r#" {"a":[1,-2,3.5,1e3,0.5E-2,true,false,null],"b":{"c":"d"},"e":[],"f":{}} "#)
                .unwrap();
        assert_eq!(
            v.get("a").and_then(Json::as_array).map(<[Json]>::len),
            Some(8)
        );
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")).and_then(Json::as_str),
            Some("d")
        );
        assert!(v.get("f").is_some_and(Json::is_object));
        assert_eq!(
            v.as_object()
                .map(|m| m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()),
            Some(vec!["a", "b", "e", "f"])
        );
    }

    #[test]
    fn strings_and_escapes() {
        let v = parse(r#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 é""#).unwrap();
        assert_eq!(v.as_str(), Some("q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 é"));
        for bad in [
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            r#""\x""#,
            r#""\u12""#,
            "\"a\u{1}b\"",
            r#""open"#,
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "tru",
            "nul",
            "NaN",
            "Infinity",
            "[1] 2",
            "'a'",
            "{\"a\":1,\"a\":2}",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert_eq!(parse_strict(&deep).unwrap_err().reason, "nested too deeply");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_some());
        assert_eq!(
            parse_strict("[1, x]").unwrap_err(),
            ParseError {
                offset: 4,
                reason: "unexpected character"
            }
        );
    }

    #[test]
    fn duplicate_members_are_refused() {
        assert_eq!(
            parse_strict(r#"{"sub":"alice","sub":"mallory"}"#)
                .unwrap_err()
                .reason,
            "duplicate member name"
        );
        assert!(parse(r#"{"a":{"x":1},"b":{"x":1}}"#).is_some());
    }

    #[test]
    fn integers_exact_and_fractions_truncated() {
        let n = |s: &str| parse(s).and_then(|v| v.as_i64());
        assert_eq!(n("0"), Some(0));
        assert_eq!(n("-0"), Some(0));
        assert_eq!(n("1767225600"), Some(1_767_225_600));
        assert_eq!(n("-42"), Some(-42));
        assert_eq!(n("1.5e9"), Some(1_500_000_000));
        assert_eq!(n("1767225600.999"), Some(1_767_225_600));
        assert_eq!(n("15E-1"), Some(1));
        assert_eq!(n("0.000123e7"), Some(1230));
        assert_eq!(n("9223372036854775807"), Some(i64::MAX));
        assert_eq!(n("9223372036854775808"), None);
        assert_eq!(n("1e100"), None);
        assert_eq!(n("1e-100"), Some(0));
        assert_eq!(n("\"1\""), None);
    }

    #[test]
    fn writer_round_trips_through_the_parser() {
        let samples = [
            r#"{"a":[1,-2,3.5,1e300,18446744073709551615],"b":{"c":null,"d":true,"e":false},"f":[],"g":{}}"#,
            r#"["quote \" backslash \\ newline \n tab \t ctl \u0001 \u001f unicode \u00e9 \ud83d\ude00 slash /"]"#,
            r#""just a string""#,
            "0",
        ];
        for sample in samples {
            let v = parse(sample).unwrap();
            let written = write(&v);
            assert_eq!(parse(&written), Some(v.clone()), "{written}");
        }
        assert_eq!(
            write(&parse(r#"{"a":[1,{"b":"x"}]}"#).unwrap()),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\"\n    }\n  ]\n}"
        );
        assert_eq!(write(&text("\u{1}")), "\"\\u0001\"");
        assert_eq!(
            write(&object([("k", text("v")), ("n", Json::Null)])),
            "{\n  \"k\": \"v\",\n  \"n\": null\n}"
        );
    }

    #[test]
    fn getters_name_the_member() {
        let v = parse(r#"{"a":"x","e":"","n":1,"l":["p","q"],"bad":[1],"b":true}"#).unwrap();
        assert_eq!(required_str(&v, "a").unwrap(), "x");
        assert_eq!(required_str(&v, "e").unwrap_err(), "\"e\" is empty");
        assert_eq!(required_str(&v, "n").unwrap_err(), "\"n\" is not a string");
        assert_eq!(required_str(&v, "z").unwrap_err(), "\"z\" is missing");
        assert_eq!(optional_str(&v, "z").unwrap(), None);
        assert!(optional_str(&v, "n").is_err());
        assert_eq!(
            optional_list(&v, "l").unwrap(),
            Some(vec!["p".into(), "q".into()])
        );
        assert!(optional_list(&v, "bad").is_err());
        assert!(flag(&v, "b").unwrap());
        assert!(!flag(&v, "z").unwrap());
        assert!(flag(&v, "a").is_err());
        assert_eq!(str_or_none(&v, "n"), None);
    }
}
