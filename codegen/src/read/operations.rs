//! Every operation (and path item) of a bundled document, visited with its pointer: under `paths`, `webhooks` and
//! `components.pathItems`, and in callbacks (an operation's own and `components.callbacks`), at any
//! depth.

use serde_json::{Map, Value};

use super::pointer;

/// The methods a path item holds operations under.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

type Visit<'v> = &'v mut dyn FnMut(&mut Map<String, Value>, &str);

/// Calls `visit` on every operation object of `document` with its pointer.
pub(crate) fn for_each_operation(document: &mut Value, visit: Visit<'_>) {
    walk(document, &mut |_, _| {}, visit);
}

/// Calls `visit` on every path item object of `document` with its pointer, before its operations'
/// callbacks.
pub(crate) fn for_each_path_item(document: &mut Value, visit: Visit<'_>) {
    walk(document, visit, &mut |_, _| {});
}

fn walk(document: &mut Value, on_item: Visit<'_>, on_operation: Visit<'_>) {
    for section in ["/paths", "/webhooks", "/components/pathItems"] {
        if let Some(items) = document.pointer_mut(section).and_then(Value::as_object_mut) {
            for (key, item) in items.iter_mut() {
                if !key.starts_with("x-") {
                    path_item(item, &pointer::push(section, key), on_item, on_operation);
                }
            }
        }
    }
    if let Some(callbacks) = document
        .pointer_mut("/components/callbacks")
        .and_then(Value::as_object_mut)
    {
        for (name, callback) in callbacks.iter_mut() {
            let at = pointer::push("/components/callbacks", name);
            callback_items(callback, &at, on_item, on_operation);
        }
    }
}

fn path_item(item: &mut Value, at: &str, on_item: Visit<'_>, on_operation: Visit<'_>) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    on_item(item, at);
    for method in METHODS {
        let Some(Value::Object(operation)) = item.get_mut(*method) else {
            continue;
        };
        let operation_at = pointer::push(at, method);
        on_operation(operation, &operation_at);
        if let Some(Value::Object(callbacks)) = operation.get_mut("callbacks") {
            let callbacks_at = pointer::push(&operation_at, "callbacks");
            for (name, callback) in callbacks.iter_mut() {
                let at = pointer::push(&callbacks_at, name);
                callback_items(callback, &at, on_item, on_operation);
            }
        }
    }
}

fn callback_items(callback: &mut Value, at: &str, on_item: Visit<'_>, on_operation: Visit<'_>) {
    if let Some(items) = callback.as_object_mut() {
        for (expression, item) in items.iter_mut() {
            if !expression.starts_with("x-") {
                path_item(item, &pointer::push(at, expression), on_item, on_operation);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::for_each_operation;

    #[test]
    fn operations_of_paths_webhooks_and_callbacks_are_visited_and_look_alikes_are_not() {
        let mut doc = json!({
            "paths": { "/a": {
                "get": { "callbacks": { "onDone": { "{$request.body#/url}": {
                    "post": {}
                } } } },
                "parameters": []
            } },
            "webhooks": { "created": { "post": {} } },
            "components": {
                "callbacks": { "onEvent": { "{$url}": { "put": {} } } },
                "securitySchemes": { "get": { "type": "http" } },
                "schemas": { "S": { "properties": { "get": {} } } }
            }
        });
        let mut seen = Vec::new();
        for_each_operation(&mut doc, &mut |_, at| seen.push(at.to_owned()));
        assert_eq!(
            seen,
            [
                "/paths/~1a/get",
                "/paths/~1a/get/callbacks/onDone/{$request.body#~1url}/post",
                "/webhooks/created/post",
                "/components/callbacks/onEvent/{$url}/put",
            ]
        );
    }
}
