//! Which specification a document claims to follow: Swagger 2.0 and OpenAPI 3.0.x and 3.1.x are read, the
//! rest refused.

use std::path::Path;

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};

/// The specification family of a root document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Swagger2,
    OpenApi3,
}

const SUPPORTED: &str = "only OpenAPI 3.0.x, 3.1.x and Swagger 2.0 documents can be read";

/// The dialect of `doc`, or why it cannot be read.
pub(crate) fn detect(doc: &Value, file: &Path) -> Result<Dialect, Diagnostics> {
    let fail = |pointer: &str, message: String| Err(Diagnostic::new(file, pointer, message).into());
    let Some(root) = doc.as_object() else {
        return fail(
            "",
            format!(
                "not an OpenAPI document: the top level is {}, not a mapping",
                kind(doc)
            ),
        );
    };
    if let Some(version) = root.get("openapi") {
        return match version {
            // 3.1 shares 3.0's layout (bundling reads both alike); its schemas are lowered after bundling.
            Value::String(v) if v.starts_with("3.0.") || v.starts_with("3.1.") => {
                Ok(Dialect::OpenApi3)
            }
            Value::String(v) if v.starts_with("3.") => fail(
                "/openapi",
                format!("OpenAPI {v} is not supported: {SUPPORTED}"),
            ),
            Value::String(v) => fail(
                "/openapi",
                format!("unsupported OpenAPI version `{v}`: {SUPPORTED}"),
            ),
            other => fail(
                "/openapi",
                format!(
                    "`openapi` must be a version string such as \"3.0.3\" (quote it in YAML), not {}",
                    kind(other)
                ),
            ),
        };
    }
    if let Some(version) = root.get("swagger") {
        // Unquoted `swagger: 2.0` is a YAML number; the conversion replaces the field anyway.
        let is_2_0 = match version {
            Value::String(v) => v == "2.0",
            Value::Number(n) => n.as_f64() == Some(2.0),
            _ => false,
        };
        return if is_2_0 {
            Ok(Dialect::Swagger2)
        } else {
            fail(
                "/swagger",
                format!("unsupported Swagger version {version}: {SUPPORTED}"),
            )
        };
    }
    fail(
        "",
        format!(
            "not an OpenAPI document: it has neither an `openapi` nor a `swagger` field ({SUPPORTED})"
        ),
    )
}

/// Whether an OpenAPI 3 document is 3.1 (JSON Schema 2020-12 schemas, `webhooks`).
pub(crate) fn is_openapi_3_1(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a sequence".into(),
        Value::Object(_) => "a mapping".into(),
    }
}
