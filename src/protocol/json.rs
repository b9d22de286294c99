//! Reading JSON members by hand.
//!
//! Provider documents are read through one `serde_json::Value` parse and these getters rather
//! than derived deserializers: the derives cost tens of kilobytes of wasm, and hand reading
//! makes every type error a message that names the member.

use serde_json::Value;

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
