//! Security definitions → security schemes: `basic` is HTTP basic, OAuth2's single `flow` becomes `flows`.

use serde_json::{Map, Value, json};

use super::super::pointer;
use super::{Converter, copy_extensions};

impl Converter<'_> {
    /// The 3.0 scheme; `None`, after saying why, when 2.0 names a type or flow that does not exist.
    pub(super) fn security_scheme(&self, s: &Value, at: &str) -> Option<Value> {
        let Some(map) = s.as_object() else {
            return Some(s.clone());
        };
        let field = |k: &str| map.get(k).cloned();
        let mut out = Map::new();
        match map.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".into(), "http".into());
                out.insert("scheme".into(), "basic".into());
            }
            Some("apiKey") => {
                out.insert("type".into(), "apiKey".into());
                for key in ["name", "in"] {
                    if let Some(v) = field(key) {
                        out.insert(key.into(), v);
                    }
                }
            }
            Some("oauth2") => {
                out.insert("type".into(), "oauth2".into());
                let scopes = field("scopes").unwrap_or_else(|| json!({}));
                let urls = |keys: &[&str]| {
                    let mut flow = Map::new();
                    for key in keys {
                        if let Some(v) = field(key) {
                            flow.insert((*key).into(), v);
                        }
                    }
                    flow.insert("scopes".into(), scopes.clone());
                    Value::Object(flow)
                };
                let flow = map.get("flow").and_then(Value::as_str).unwrap_or_default();
                let (name, flow_value) = match flow {
                    "implicit" => ("implicit", urls(&["authorizationUrl"])),
                    "password" => ("password", urls(&["tokenUrl"])),
                    "application" => ("clientCredentials", urls(&["tokenUrl"])),
                    "accessCode" => ("authorizationCode", urls(&["authorizationUrl", "tokenUrl"])),
                    "" => {
                        self.diag(at, "missing OAuth2 `flow`");
                        return None;
                    }
                    other => {
                        self.diag(
                            &pointer::push(at, "flow"),
                            format!("unknown OAuth2 flow `{other}`"),
                        );
                        return None;
                    }
                };
                out.insert("flows".into(), json!({ name: flow_value }));
            }
            None => {
                self.diag(at, "missing security scheme `type`");
                return None;
            }
            Some(other) => {
                self.diag(
                    &pointer::push(at, "type"),
                    format!("unknown security scheme type `{other}`"),
                );
                return None;
            }
        }
        if let Some(description) = field("description") {
            out.insert("description".into(), description);
        }
        copy_extensions(s, &mut out, &[]);
        Some(Value::Object(out))
    }
}
