//! Operations: parameters split into path/query/header ones and a request body (body or formData).

use serde_json::{Map, Value, json};

use super::super::pointer;
use super::super::refs;
use super::parameter::query_style;
use super::schema::{schema, simple_schema};
use super::{Converter, DEFAULT_MEDIA_TYPE, copy_extensions, strings};

const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

impl Converter<'_> {
    /// The parameter itself, following a `#/parameters/...` reference; and the global name when referenced.
    fn resolve_parameter<'p>(&'p self, p: &'p Value) -> (&'p Value, Option<String>) {
        if let Some(name) = refs::ref_str(p).and_then(|r| r.strip_prefix("#/parameters/")) {
            let name = pointer::tokens(&format!("/{name}"))
                .and_then(|t| t.into_iter().next())
                .unwrap_or_default();
            if let Some(global) = self.root.get("parameters").and_then(|g| g.get(&name)) {
                return (global, Some(name));
            }
        }
        (p, None)
    }

    fn location<'p>(&'p self, p: &'p Value) -> Option<&'p str> {
        self.resolve_parameter(p)
            .0
            .get("in")
            .and_then(Value::as_str)
    }

    pub(super) fn is_payload(&self, p: &Value) -> bool {
        matches!(self.location(p), Some("body" | "formData"))
    }

    fn identity(&self, p: &Value) -> (String, String) {
        let p = self.resolve_parameter(p).0;
        let field = |k: &str| {
            p.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        (field("name"), field("in"))
    }

    pub(super) fn operation(&self, op: &Value, shared_payload: &[&Value], at: &str) -> Value {
        let Some(op) = op.as_object() else {
            return op.clone();
        };
        let consumes = op
            .get("consumes")
            .map(|c| strings(Some(c)))
            .unwrap_or_else(|| self.consumes.clone());
        let produces = op
            .get("produces")
            .map(|p| strings(Some(p)))
            .unwrap_or_else(|| self.produces.clone());
        let own: Vec<&Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();

        // An operation's parameter overrides a path-level one with the same name and location.
        let mut payload: Vec<&Value> = shared_payload
            .iter()
            .copied()
            .filter(|s| !own.iter().any(|o| self.identity(o) == self.identity(s)))
            .collect();
        let mut params = Vec::new();
        for (i, p) in own.iter().enumerate() {
            if self.is_payload(p) {
                payload.push(p);
            } else {
                let at = pointer::push_index(&pointer::push(at, "parameters"), i);
                params.extend(self.parameter_or_ref(p, &at));
            }
        }
        let body = self.operation_body(&payload, &consumes, op.contains_key("consumes"), at);

        let mut out = Map::new();
        let mut emitted = false;
        let mut emit = |out: &mut Map<String, Value>| {
            if !params.is_empty() {
                out.insert(
                    "parameters".into(),
                    Value::Array(std::mem::take(&mut params)),
                );
            }
            if let Some(body) = body.clone() {
                out.insert("requestBody".into(), body);
            }
        };
        for (key, value) in op {
            match key.as_str() {
                "parameters" | "responses" if !emitted => {
                    emit(&mut out);
                    emitted = true;
                    if key == "responses" {
                        out.insert(key.clone(), self.responses(value, &produces));
                    }
                }
                "parameters" | "consumes" | "produces" => {}
                "responses" => {
                    out.insert(key.clone(), self.responses(value, &produces));
                }
                "schemes" => {
                    let servers = self.servers(Some(value));
                    if self.root.contains_key("host") && !servers.is_empty() {
                        out.insert("servers".into(), Value::Array(servers));
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if !emitted {
            emit(&mut out);
        }
        Value::Object(out)
    }

    /// The request body for an operation's body or formData parameters.
    fn operation_body(
        &self,
        payload: &[&Value],
        consumes: &[String],
        own_consumes: bool,
        at: &str,
    ) -> Option<Value> {
        let (form, body): (Vec<&Value>, Vec<&Value>) = payload
            .iter()
            .copied()
            .partition(|p| self.location(p) == Some("formData"));
        if body.len() > 1 {
            self.diag(
                &pointer::push(at, "parameters"),
                "more than one body parameter; only the first is kept",
            );
        }
        if let Some(first) = body.first() {
            if !form.is_empty() {
                self.diag(
                    &pointer::push(at, "parameters"),
                    "both body and formData parameters; the formData ones are dropped",
                );
            }
            let (p, global) = self.resolve_parameter(first);
            // A shared request body carries the global media types; an operation with its own gets a copy.
            return Some(match global {
                Some(name) if !own_consumes => {
                    json!({ "$ref": pointer::local_ref(&pointer::from_tokens(&["components", "requestBodies", &name])) })
                }
                _ => self.request_body(p, consumes),
            });
        }
        if form.is_empty() {
            return None;
        }
        let fields: Vec<&Value> = form.iter().map(|p| self.resolve_parameter(p).0).collect();
        Some(self.form_body(&fields, consumes))
    }

    pub(super) fn request_body(&self, p: &Value, consumes: &[String]) -> Value {
        let media_types = if consumes.is_empty() {
            vec![DEFAULT_MEDIA_TYPE.to_owned()]
        } else {
            consumes.to_vec()
        };
        let schema_value = p.get("schema").map(schema).unwrap_or_else(|| json!({}));
        let examples = p.get("x-examples").and_then(Value::as_object);
        let mut content = Map::new();
        for media_type in media_types {
            let mut media = Map::new();
            media.insert("schema".into(), schema_value.clone());
            if let Some(example) = examples.and_then(|e| e.get(&media_type)) {
                media.insert("example".into(), example.clone());
            }
            content.insert(media_type, Value::Object(media));
        }
        let mut out = Map::new();
        if let Some(description) = p.get("description") {
            out.insert("description".into(), description.clone());
        }
        out.insert("content".into(), Value::Object(content));
        if p.get("required").and_then(Value::as_bool) == Some(true) {
            out.insert("required".into(), Value::Bool(true));
        }
        // 3.0 request bodies have no name; generators use this extension to keep the 2.0 one.
        if let Some(name) = p.get("name") {
            out.insert("x-codegen-request-body-name".into(), name.clone());
        }
        copy_extensions(p, &mut out, &["x-examples"]);
        Value::Object(out)
    }

    fn form_body(&self, fields: &[&Value], consumes: &[String]) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        let mut has_file = false;
        for field in fields {
            let Some(name) = field.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut property = simple_schema(field);
            if let (Some(description), Some(map)) =
                (field.get("description"), property.as_object_mut())
            {
                map.insert("description".into(), description.clone());
            }
            properties.insert(name.to_owned(), property);
            if field.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(name.to_owned()));
            }
            has_file |= field.get("type").and_then(Value::as_str) == Some("file");
            if field.get("type").and_then(Value::as_str) == Some("array") {
                let format = field
                    .get("collectionFormat")
                    .and_then(Value::as_str)
                    .unwrap_or("csv");
                let (style, explode) = query_style(format).unwrap_or(("form", false));
                encoding.insert(
                    name.to_owned(),
                    json!({ "style": style, "explode": explode }),
                );
            }
        }
        let mut object = Map::new();
        object.insert("type".into(), "object".into());
        object.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            object.insert("required".into(), Value::Array(required.clone()));
        }
        let object = Value::Object(object);

        let mut media_types: Vec<String> = consumes
            .iter()
            .filter(|c| is_form_media_type(c))
            .cloned()
            .collect();
        if media_types.is_empty() {
            media_types.push(if has_file { MULTIPART } else { FORM_URLENCODED }.to_owned());
        }
        let content: Map<String, Value> = media_types
            .into_iter()
            .map(|media_type| {
                let mut media = Map::new();
                media.insert("schema".into(), object.clone());
                if !encoding.is_empty() {
                    media.insert("encoding".into(), Value::Object(encoding.clone()));
                }
                (media_type, Value::Object(media))
            })
            .collect();
        let mut out = Map::new();
        out.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), Value::Bool(true));
        }
        Value::Object(out)
    }
}

fn is_form_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(FORM_URLENCODED) || essence.eq_ignore_ascii_case(MULTIPART)
}
