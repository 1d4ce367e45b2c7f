//! Responses: the schema becomes `content` for each produced media type, headers get a `schema`.

use serde_json::{Map, Value, json};

use super::parameter::header;
use super::schema::schema;
use super::{Converter, DEFAULT_MEDIA_TYPE, copy_extensions};

impl Converter<'_> {
    pub(super) fn responses(&self, responses: &Value, produces: &[String]) -> Value {
        let Some(responses) = responses.as_object() else {
            return responses.clone();
        };
        let converted = responses
            .iter()
            .map(|(code, r)| {
                let value = if code.starts_with("x-") {
                    r.clone()
                } else {
                    self.response(r, produces)
                };
                (code.clone(), value)
            })
            .collect();
        Value::Object(converted)
    }

    pub(super) fn response(&self, r: &Value, produces: &[String]) -> Value {
        let Some(map) = r.as_object() else {
            return r.clone();
        };
        if map.contains_key("$ref") {
            return r.clone();
        }
        let mut out = Map::new();
        if let Some(description) = map.get("description") {
            out.insert("description".into(), description.clone());
        }
        if let Some(headers) = map.get("headers").and_then(Value::as_object) {
            let headers = headers
                .iter()
                .map(|(name, h)| (name.clone(), header(h)))
                .collect();
            out.insert("headers".into(), Value::Object(headers));
        }
        let mut content = Map::new();
        let schema_value = map.get("schema").map(schema);
        if let Some(schema_value) = &schema_value {
            let media_types = if produces.is_empty() {
                vec![DEFAULT_MEDIA_TYPE.to_owned()]
            } else {
                produces.to_vec()
            };
            for media_type in media_types {
                content.insert(media_type, json!({ "schema": schema_value }));
            }
        }
        if let Some(examples) = map.get("examples").and_then(Value::as_object) {
            for (media_type, example) in examples {
                let entry =
                    content
                        .entry(media_type.clone())
                        .or_insert_with(|| match &schema_value {
                            Some(s) => json!({ "schema": s }),
                            None => json!({}),
                        });
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert("example".into(), example.clone());
                }
            }
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        copy_extensions(r, &mut out, &[]);
        Value::Object(out)
    }
}
