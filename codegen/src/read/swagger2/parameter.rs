//! Path, query and header parameters and response headers: 2.0 keeps their schema inline, 3.0 under `schema`.

use serde_json::{Map, Value};

use super::super::{pointer, refs};
use super::schema::{schema, simple_schema};
use super::{Converter, copy_extensions};

impl Converter<'_> {
    pub(super) fn parameter_or_ref(&self, p: &Value, at: &str) -> Option<Value> {
        if refs::ref_str(p).is_some() {
            Some(p.clone())
        } else {
            self.parameter(p, at)
        }
    }

    /// A path, query or header parameter; `None`, after saying why, when its location is missing or unknown.
    pub(super) fn parameter(&self, p: &Value, at: &str) -> Option<Value> {
        let Some(map) = p.as_object() else {
            return Some(p.clone());
        };
        let location = match map.get("in").and_then(Value::as_str) {
            Some(location @ ("query" | "header" | "path" | "cookie")) => location,
            Some(other) => {
                self.diag(
                    &pointer::push(at, "in"),
                    format!("unknown parameter location `{other}`"),
                );
                return None;
            }
            None => {
                self.diag(at, "missing parameter location `in`");
                return None;
            }
        };
        let mut out = Map::new();
        for key in ["name", "in", "description", "required", "deprecated"] {
            if let Some(v) = map.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        if location == "query"
            && let Some(v) = map.get("allowEmptyValue")
        {
            out.insert("allowEmptyValue".into(), v.clone());
        }
        if map.get("type").and_then(Value::as_str) == Some("array") {
            let format = map
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            let style = if location == "query" {
                query_style(format)
            } else {
                simple_style(format)
            };
            match style {
                Some((style, explode)) => {
                    if location == "query" || style != "simple" {
                        out.insert("style".into(), style.into());
                        out.insert("explode".into(), explode.into());
                    }
                }
                None => {
                    out.insert("x-collectionFormat".into(), format.into());
                    if location == "query" {
                        out.insert("style".into(), "form".into());
                        out.insert("explode".into(), false.into());
                    }
                }
            }
        }
        // Invalid in 2.0 but seen in the wild: a non-body parameter with a `schema` instead of `type`.
        let schema_value = match (map.get("type"), map.get("schema")) {
            (None, Some(s)) => schema(s),
            _ => simple_schema(p),
        };
        out.insert("schema".into(), schema_value);
        if let Some(example) = map.get("x-example") {
            out.insert("example".into(), example.clone());
        }
        copy_extensions(p, &mut out, &["x-example", "x-nullable"]);
        Some(Value::Object(out))
    }
}

pub(super) fn header(h: &Value) -> Value {
    let Some(map) = h.as_object() else {
        return h.clone();
    };
    let mut out = Map::new();
    if let Some(description) = map.get("description") {
        out.insert("description".into(), description.clone());
    }
    if map.get("type").and_then(Value::as_str) == Some("array") {
        let format = map
            .get("collectionFormat")
            .and_then(Value::as_str)
            .unwrap_or("csv");
        if simple_style(format).is_none() {
            out.insert("x-collectionFormat".into(), format.into());
        }
    }
    out.insert("schema".into(), simple_schema(h));
    copy_extensions(h, &mut out, &["x-nullable"]);
    Value::Object(out)
}

/// 2.0 `collectionFormat` of a query or form parameter → 3.0 `style` and `explode`; `None` when 3.0 has none.
pub(super) fn query_style(format: &str) -> Option<(&'static str, bool)> {
    match format {
        "csv" => Some(("form", false)),
        "multi" => Some(("form", true)),
        "ssv" => Some(("spaceDelimited", false)),
        "pipes" => Some(("pipeDelimited", false)),
        _ => None,
    }
}

/// 2.0 `collectionFormat` of a path or header parameter → 3.0 `style` and `explode`.
fn simple_style(format: &str) -> Option<(&'static str, bool)> {
    (format == "csv").then_some(("simple", false))
}
