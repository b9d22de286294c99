//! JSON in and out.
//!
//! Provider documents are read through one `serde_json::Value` parse and these getters rather
//! than derived deserializers: the derives cost tens of kilobytes of wasm, and hand reading
//! makes every type error a message that names the member. Writing (the transaction, the panels'
//! indented bodies) uses the small writer below instead of serde's serializer, which the app
//! would otherwise link only for that.

use serde_json::{Map, Value};

/// Parses JSON text. Every parse in the app goes through here (one deserializer in the wasm).
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Writes JSON indented by two spaces (the layout of `JSON.stringify(v, null, 2)`).
pub fn write(v: &Value) -> String {
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

fn write_value(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // serde_json's own number formatting (core's f64 Display is far larger in wasm).
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
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
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
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
pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    // Inserted one by one: collecting into the map sorts first, which links a large sort.
    let mut m = Map::new();
    for (k, v) in members {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// A string value.
pub fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// A member that must be a non-empty string.
pub fn required_str(v: &Value, name: &str) -> Result<String, String> {
    match v.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("\"{name}\" is empty")),
        Some(_) => Err(format!("\"{name}\" is not a string")),
        None => Err(format!("\"{name}\" is missing")),
    }
}

/// An optional string member; present with another type is an error.
pub fn optional_str(v: &Value, name: &str) -> Result<Option<String>, String> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{name}\" is not a string")),
    }
}

/// An optional array of strings.
pub fn optional_list(v: &Value, name: &str) -> Result<Option<Vec<String>>, String> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
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
pub fn flag(v: &Value, name: &str) -> Result<bool, String> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("\"{name}\" is not true or false")),
    }
}

/// A string member, or None for anything else (lenient reading).
pub fn str_or_none(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            write(&object([("k", text("v")), ("n", Value::Null)])),
            "{\n  \"k\": \"v\",\n  \"n\": null\n}"
        );
    }

    #[test]
    fn getters_name_the_member() {
        let v: Value = serde_json::json!({"a":"x","e":"","n":1,"l":["p","q"],"bad":[1],"b":true});
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
