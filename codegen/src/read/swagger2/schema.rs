//! Schemas: keyword for keyword, except `x-nullable`, `type: file` and string discriminators.

use serde_json::{Map, Value, json};

/// Keywords a non-body parameter, an items object or a header shares with a schema.
const SIMPLE_SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// A 2.0 schema as a 3.0 schema: `x-nullable`, `type: file` and string discriminators change, the rest maps 1:1.
pub(super) fn schema(value: &Value) -> Value {
    let Some(map) = value.as_object() else {
        return value.clone();
    };
    if map.contains_key("$ref") {
        // 3.0 ignores a reference's siblings, so a nullable reference needs a wrapper to stay nullable.
        if map.get("x-nullable").and_then(Value::as_bool) == Some(true) {
            let mut wrapper = Map::new();
            wrapper.insert("nullable".into(), true.into());
            wrapper.insert("allOf".into(), json!([{ "$ref": map["$ref"] }]));
            for (k, v) in map {
                if k != "$ref" && k != "x-nullable" {
                    wrapper.insert(k.clone(), v.clone());
                }
            }
            return Value::Object(wrapper);
        }
        let mut out = map.clone();
        out.remove("x-nullable");
        return Value::Object(out);
    }
    let is_file = map.get("type").and_then(Value::as_str) == Some("file");
    let mut out = Map::new();
    for (key, v) in map {
        match key.as_str() {
            "type" if is_file => {
                out.insert("type".into(), "string".into());
                out.insert("format".into(), "binary".into());
            }
            "format" if is_file => {}
            "x-nullable" => {
                if v.is_boolean() && !map.contains_key("nullable") {
                    out.insert("nullable".into(), v.clone());
                }
            }
            "discriminator" => {
                let converted = match v {
                    Value::String(property) => json!({ "propertyName": property }),
                    other => other.clone(),
                };
                out.insert(key.clone(), converted);
            }
            "properties" | "patternProperties" => {
                let converted = match v.as_object() {
                    Some(props) => {
                        Value::Object(props.iter().map(|(n, s)| (n.clone(), schema(s))).collect())
                    }
                    None => v.clone(),
                };
                out.insert(key.clone(), converted);
            }
            "items" | "additionalProperties" | "not" => {
                let converted = match v {
                    Value::Array(items) => Value::Array(items.iter().map(schema).collect()),
                    Value::Object(_) => schema(v),
                    other => other.clone(),
                };
                out.insert(key.clone(), converted);
            }
            "allOf" | "oneOf" | "anyOf" => {
                let converted = match v.as_array() {
                    Some(items) => Value::Array(items.iter().map(schema).collect()),
                    None => v.clone(),
                };
                out.insert(key.clone(), converted);
            }
            _ => {
                out.insert(key.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// The schema of a non-body parameter, an items object or a header: their schema keywords, converted.
pub(super) fn simple_schema(value: &Value) -> Value {
    let Some(map) = value.as_object() else {
        return json!({});
    };
    let mut out = Map::new();
    for (key, v) in map {
        if !SIMPLE_SCHEMA_KEYS.contains(&key.as_str()) {
            continue;
        }
        if key == "items" {
            out.insert(key.clone(), simple_schema(v));
        } else {
            out.insert(key.clone(), v.clone());
        }
    }
    schema(&Value::Object(out))
}
