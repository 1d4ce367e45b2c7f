//! Orange's JSON request bodies, read liberally and checked strictly before the generated types
//! parse them.
//!
//! Two things the generated types cannot do on their own:
//! - **Shapes Orange's page describes.** A `productOfferingOperation` may carry the offering's
//!   `externalReference` directly (`{"action": "swap", "externalReference": {…}}`, the wording of
//!   the getting-started page) as well as inside `productOffering`; the flat shape is moved into
//!   `productOffering` so the rest of the server sees one shape.
//! - **Values of the wrong JSON type.** poem-openapi reads a JSON boolean or number given for a
//!   string property as its text (`"city": false` would be stored as `"false"`), and a `null`
//!   given for an optional property as the property left out, though no schema of the spec is
//!   nullable. Each body is checked against the schema of its operation in the served document,
//!   and a boolean or number where a string is declared, or a `null` where the schema does not
//!   allow it, is refused with 400 (code 24) naming the property.
//!
//! Properties the spec does not name are left alone (the generated types ignore them). Other
//! violations are left to the generated types, which answer them with the usual codes.

use std::collections::HashMap;
use std::sync::Arc;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::types::JsonType;
use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use poem_openapi::types::ToJSON;
use serde_json::Value;

use crate::wire::OrangeCode;

/// The path of Orange's update, whose items may carry the flat `productOfferingOperation`.
const UPDATE_PATH: &str = "/userservice/v2/userService/update";

/// The checks of every JSON request body the served document declares, by path (POST only).
#[derive(Clone)]
pub(crate) struct RequestBodies {
    validators: Arc<HashMap<String, jsonschema::Validator>>,
}

impl RequestBodies {
    /// From the OpenAPI document the server serves (poem-openapi's JSON). An operation whose
    /// schema does not compile is left unchecked (logged): the generated types still parse it.
    pub(crate) fn from_document(document: &str) -> Self {
        let mut validators = HashMap::new();
        let document: Value = serde_json::from_str(document).unwrap_or_default();
        let components = document.get("components").cloned().unwrap_or_default();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                // poem-openapi names the media type `application/json; charset=utf-8`.
                let Some(schema) = item
                    .pointer("/post/requestBody/content")
                    .and_then(Value::as_object)
                    .and_then(|content| {
                        content
                            .iter()
                            .find(|(media_type, _)| media_type.starts_with("application/json"))
                    })
                    .and_then(|(_, media)| media.get("schema"))
                else {
                    continue;
                };
                // The body's schema with the document's components beside it, so its `$ref`s
                // (`#/components/schemas/…`) resolve.
                let mut root = schema.clone();
                if let Value::Object(map) = &mut root {
                    map.insert("components".to_owned(), components.clone());
                }
                nullable_as_type(&mut root);
                match jsonschema::draft4::new(&root) {
                    Ok(validator) => {
                        validators.insert(path.clone(), validator);
                    }
                    Err(error) => {
                        tracing::warn!(%path, %error, "request body schema left unchecked");
                    }
                }
            }
        }
        Self {
            validators: Arc::new(validators),
        }
    }

    /// Where a string was expected and a boolean or number came, or a `null` where its schema
    /// does not allow one, the first one found.
    fn misplaced_value(&self, path: &str, body: &Value) -> Option<String> {
        let validator = self.validators.get(path)?;
        validator.iter_errors(body).find_map(|error| {
            let ValidationErrorKind::Type { kind } = error.kind() else {
                return None;
            };
            let wants = |wanted: JsonType| match kind {
                TypeKind::Single(expected) => *expected == wanted,
                TypeKind::Multiple(expected) => expected.contains(wanted),
            };
            let instance = error.instance();
            match instance.as_ref() {
                Value::Bool(_) | Value::Number(_) if wants(JsonType::String) => Some(format!(
                    "{}: a string is expected, not {instance}",
                    error.instance_path()
                )),
                // A type error on `null` means its schema allows no `null` (OpenAPI's `nullable`
                // is folded into the types): poem-openapi would read it as the property left out.
                Value::Null => Some(format!(
                    "{}: null is not allowed (leave the property out instead)",
                    error.instance_path()
                )),
                _ => None,
            }
        })
    }
}

impl<E: Endpoint> Middleware<E> for RequestBodies {
    type Output = RequestBodiesEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RequestBodiesEndpoint {
            inner: ep,
            bodies: self.clone(),
        }
    }
}

pub(crate) struct RequestBodiesEndpoint<E> {
    inner: E,
    bodies: RequestBodies,
}

impl<E: Endpoint> Endpoint for RequestBodiesEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let path = req.uri().path().to_owned();
        let is_json = req
            .content_type()
            .is_some_and(|content_type| content_type.contains("json"));
        if req.method() != Method::POST || !is_json || !self.bodies.validators.contains_key(&path) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let bytes = req.take_body().into_bytes().await?;
        let Ok(mut body) = serde_json::from_slice::<Value>(&bytes) else {
            // Not JSON: the generated types answer it (code 22).
            req.set_body(Body::from(bytes));
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let reshaped = path == UPDATE_PATH && flat_offering_operations(&mut body);
        if let Some(detail) = self.bodies.misplaced_value(&path, &body) {
            return Ok(invalid_field(detail));
        }
        if reshaped {
            req.set_body(Body::from(body.to_string()));
        } else {
            req.set_body(Body::from(bytes));
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema says it (`null` among the `type`s), which the
/// draft 4 validator understands.
fn nullable_as_type(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(single)) = map.get("type")
            {
                let types = serde_json::json!([single, "null"]);
                map.insert("type".to_owned(), types);
            }
            map.values_mut().for_each(nullable_as_type);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_type),
        _ => {}
    }
}

/// Moves each `productOfferingOperation.externalReference` given without `productOffering`
/// into `productOffering`; true when something moved.
fn flat_offering_operations(body: &mut Value) -> bool {
    let Some(items) = body.get_mut("userService").and_then(Value::as_array_mut) else {
        return false;
    };
    let mut moved = false;
    for item in items {
        let Some(operation) = item
            .get_mut("productOfferingOperation")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if operation.contains_key("productOffering") {
            continue;
        }
        if let Some(reference) = operation.remove("externalReference") {
            operation.insert(
                "productOffering".to_owned(),
                serde_json::json!({ "externalReference": reference }),
            );
            moved = true;
        }
    }
    moved
}

/// 400 with code 24, in Orange's error body.
fn invalid_field(detail: String) -> Response {
    let body = OrangeCode::InvalidBodyField.body(detail);
    Response::builder()
        .status(StatusCode::BAD_REQUEST)
        .content_type("application/json; charset=utf-8")
        .body(body.to_json_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The checks of one POST `/things` whose body is `schema`.
    fn bodies_of(schema: Value) -> RequestBodies {
        let document = json!({"paths": {"/things": {"post": {"requestBody": {"content":
            {"application/json; charset=utf-8": {"schema": schema}}}}}}});
        RequestBodies::from_document(&document.to_string())
    }

    #[test]
    fn a_null_for_an_optional_property_that_is_not_nullable_is_refused() {
        let bodies = bodies_of(json!({"type": "object", "properties": {
            "thing": {"type": "object", "properties": {"name": {"type": "string"}}}}}));
        let refused = bodies.misplaced_value("/things", &json!({"thing": null}));
        assert_eq!(
            refused.as_deref(),
            Some("/thing: null is not allowed (leave the property out instead)")
        );
        let nested = bodies.misplaced_value("/things", &json!({"thing": {"name": null}}));
        assert!(nested.is_some_and(|detail| detail.starts_with("/thing/name: null")));
        assert_eq!(
            bodies.misplaced_value("/things", &json!({"thing": {}})),
            None
        );
    }

    #[test]
    fn a_null_for_a_nullable_property_is_accepted() {
        let bodies = bodies_of(json!({"type": "object", "properties": {
            "name": {"type": "string", "nullable": true}}}));
        assert_eq!(
            bodies.misplaced_value("/things", &json!({"name": null})),
            None
        );
        assert!(
            bodies
                .misplaced_value("/things", &json!({"name": 3}))
                .is_some()
        );
    }

    #[test]
    fn a_flat_offering_reference_moves_into_product_offering() {
        let mut body = json!({"userService": [
            {"id": "a", "productOfferingOperation": {"action": "swap",
                "externalReference": {"type": "orange", "id": "PO-GOLD"}}},
            {"id": "b", "externalState": "active"}
        ]});
        assert!(flat_offering_operations(&mut body));
        assert_eq!(
            body["userService"][0]["productOfferingOperation"],
            json!({"action": "swap", "productOffering":
                {"externalReference": {"type": "orange", "id": "PO-GOLD"}}})
        );
        assert_eq!(
            body["userService"][1],
            json!({"id": "b", "externalState": "active"})
        );
    }

    #[test]
    fn a_nested_offering_reference_is_left_as_sent() {
        let mut body = json!({"userService": [{"id": "a", "productOfferingOperation":
            {"action": "swap", "productOffering": {"externalReference": {"id": "PO-GOLD"}}}}]});
        let before = body.clone();
        assert!(!flat_offering_operations(&mut body));
        assert_eq!(body, before);
    }
}
