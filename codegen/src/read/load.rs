//! One file on disk → `serde_json::Value`: YAML or JSON, chosen by extension, else by the first character.

use std::path::Path;

use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;

use crate::diag::{Diagnostic, Diagnostics};

use super::loose_yaml::{self, BIG_INTEGER};
use super::pointer;

/// Reads and parses one document; syntax errors carry line and column in the message.
pub(crate) fn load_file(path: &Path) -> Result<Value, Diagnostics> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::new(path, "", format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::new(
            path,
            "",
            format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    // Editors on Windows like to start files with a byte-order mark; neither parser wants it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if is_json(path, text) {
        parse_json(path, text)
    } else {
        parse_yaml(path, text)
    }
}

fn is_json(path: &Path, text: &str) -> bool {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with(['{', '[']),
    }
}

fn parse_json(path: &Path, text: &str) -> Result<Value, Diagnostics> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json appends " at line L column C" itself; rebuild the message so both formats read alike.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        Diagnostic::new(
            path,
            "",
            format!(
                "invalid JSON at line {}, column {}: {message}",
                e.line(),
                e.column()
            ),
        )
        .into()
    })
}

fn parse_yaml(path: &Path, text: &str) -> Result<Value, Diagnostics> {
    let mut yaml: Yaml = loose_yaml::from_str(text).map_err(|e| yaml_error(path, &e))?;
    // `<<: *anchor` merge keys are a YAML 1.1 habit many hand-written specs rely on.
    yaml.apply_merge().map_err(|e| yaml_error(path, &e))?;
    let mut diags = Diagnostics::default();
    let value = to_json(yaml, String::new(), path, &mut diags);
    diags.into_result(value)
}

fn yaml_error(path: &Path, e: &serde_yaml::Error) -> Diagnostics {
    let message = e.to_string();
    let message = match e.location() {
        Some(loc) => {
            // libyaml says "<problem> at line L column C, <context> at line L2 column C2": the problem's
            // position leads the message; the context's says where the enclosing construct starts.
            let problem = format!(" at line {} column {}", loc.line(), loc.column());
            let detail = message.replacen(&problem, "", 1);
            let detail = match detail.split_once(" at line ") {
                Some((context, position)) => {
                    let position = position.replacen(" column ", ", column ", 1);
                    format!("{context} that starts at line {position}")
                }
                None => detail,
            };
            format!(
                "invalid YAML at line {}, column {}: {detail}",
                loc.line(),
                loc.column()
            )
        }
        None => format!("invalid YAML: {message}"),
    };
    Diagnostic::new(path, "", message).into()
}

/// YAML allows what JSON cannot hold (non-string keys, NaN, tags); map the harmless cases, report the rest.
fn to_json(yaml: Yaml, at: String, path: &Path, diags: &mut Diagnostics) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f).map(Value::Number).unwrap_or_else(|| {
                    diags.push(Diagnostic::new(
                        path,
                        &at,
                        format!("the number {n} cannot be represented in JSON"),
                    ));
                    Value::Null
                })
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_json(v, pointer::push_index(&at, i), path, diags))
                .collect(),
        ),
        Yaml::Mapping(mapping) => {
            let mut map = Map::with_capacity(mapping.len());
            for (k, v) in mapping {
                // Unquoted response codes (`200:`) arrive as numbers; JSON object keys are their text.
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Null => "null".to_owned(),
                    _ => {
                        diags.push(Diagnostic::new(
                            path,
                            &at,
                            "a mapping key is not a scalar (JSON keys must be strings)",
                        ));
                        continue;
                    }
                };
                let child = pointer::push(&at, &key);
                let value = to_json(v, child, path, diags);
                if map.insert(key.clone(), value).is_some() {
                    diags.push(Diagnostic::new(path, &at, format!("duplicate key `{key}`")));
                }
            }
            Value::Object(map)
        }
        // An integer beyond 64 bits is read as the nearest floating-point number; a schema bound read so
        // is reported by the tolerant reading, which knows what the number bounds.
        Yaml::Tagged(tagged) if tagged.tag == serde_yaml::value::Tag::new(BIG_INTEGER) => {
            let text = tagged.value.as_str().unwrap_or_default();
            match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => {
                    diags.push(Diagnostic::new(
                        path,
                        &at,
                        format!("the number {text} cannot be represented in JSON"),
                    ));
                    Value::Null
                }
            }
        }
        // Custom tags (`!include`, `!!binary`, …) have no meaning in OpenAPI; keep the tagged value itself.
        Yaml::Tagged(tagged) => to_json(tagged.value, at, path, diags),
    }
}
