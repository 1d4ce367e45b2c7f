//! In front of the mock's Orange operations: plays the faults, checks client credentials on the
//! token endpoint and bearer tokens on the event endpoints, refuses bodies with empty nodes, and
//! records every event it let through and the operation accepted.

use base64::Engine;
use poem::http::StatusCode;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::state::{MockOrange, ReceivedEvent};

pub(super) struct Gate(pub(super) MockOrange);

impl<E: Endpoint> Middleware<E> for Gate {
    type Output = GateEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        GateEndpoint {
            inner: ep,
            mock: self.0.clone(),
        }
    }
}

pub(super) struct GateEndpoint<E> {
    inner: E,
    mock: MockOrange,
}

fn error(status: StatusCode, code: i32, message: &str, description: &str) -> Response {
    let body = serde_json::json!({"code": code, "message": message, "description": description});
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

fn respond<R: IntoResponse>(result: Result<R>) -> Response {
    match result {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `(api, offer)` of an event path: `/{offer}/productordering/v2/event`.
fn event_path(path: &str) -> Option<(&'static str, String)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [offer, "productordering", "v2", "event"] => Some(("productOrdering", (*offer).to_owned())),
        [offer, "userservice", "v2", "event"] => Some(("userService", (*offer).to_owned())),
        _ => None,
    }
}

/// Where a JSON document has `null`, `{}` or `[]` (Orange rejects empty nodes).
fn empty_node(value: &serde_json::Value, at: &str) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(at.to_owned()),
        serde_json::Value::Array(a) if a.is_empty() => Some(at.to_owned()),
        serde_json::Value::Object(o) if o.is_empty() => Some(at.to_owned()),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| empty_node(v, &format!("{at}/{i}"))),
        serde_json::Value::Object(o) => o
            .iter()
            .find_map(|(k, v)| empty_node(v, &format!("{at}/{k}"))),
        _ => None,
    }
}

impl<E: Endpoint> Endpoint for GateEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let faults = self.mock.faults();
        if faults.delay_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(faults.delay_ms)).await;
        }
        if faults.unavailable {
            return Ok(error(
                StatusCode::SERVICE_UNAVAILABLE,
                503,
                "service unavailable",
                "the mock gateway plays an outage",
            ));
        }
        let path = req.uri().path().to_owned();
        if path == "/oauth/v3/token" {
            self.mock.count_token_request();
            if faults.token_endpoint_unavailable {
                return Ok(error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    503,
                    "service unavailable",
                    "the mock token endpoint plays an outage",
                ));
            }
            let expected = format!(
                "{}:{}",
                self.mock.config().client_id,
                self.mock.config().client_secret
            );
            let presented = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Basic "))
                .and_then(|b| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b.trim())
                        .ok()
                });
            match presented {
                None => {
                    self.mock.count_refused();
                    return Ok(error(
                        StatusCode::UNAUTHORIZED,
                        40,
                        "missing credentials",
                        "Basic client authentication is required",
                    ));
                }
                Some(p) if p != expected.as_bytes() => {
                    self.mock.count_refused();
                    return Ok(error(
                        StatusCode::UNAUTHORIZED,
                        41,
                        "invalid credentials",
                        "unknown client or wrong secret",
                    ));
                }
                Some(_) => {}
            }
            return Ok(respond(self.inner.call(req).await));
        }
        let Some((api, offer)) = event_path(&path) else {
            return Ok(respond(self.inner.call(req).await));
        };
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let Some(token) = token else {
            self.mock.count_refused();
            return Ok(error(
                StatusCode::UNAUTHORIZED,
                40,
                "missing credentials",
                "a bearer token is required",
            ));
        };
        if faults.reject_tokens || !self.mock.token_is_valid(&token) {
            self.mock.count_refused();
            return Ok(error(
                StatusCode::UNAUTHORIZED,
                41,
                "invalid credentials",
                "unknown or expired token",
            ));
        }
        if faults.not_published {
            self.mock.count_refused();
            return Ok(error(
                StatusCode::NOT_FOUND,
                60,
                "resource not found",
                "the mock gateway plays an API not yet published",
            ));
        }
        if faults.refuse_events {
            self.mock.count_refused();
            return Ok(error(
                StatusCode::BAD_REQUEST,
                24,
                "invalid body field",
                "the mock gateway plays a refusal of the event",
            ));
        }
        let bytes = req.take_body().into_bytes().await?;
        let body: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                self.mock.count_refused();
                return Ok(error(
                    StatusCode::BAD_REQUEST,
                    22,
                    "invalid body",
                    &e.to_string(),
                ));
            }
        };
        if let Some(at) = empty_node(&body, "") {
            self.mock.count_refused();
            return Ok(error(
                StatusCode::BAD_REQUEST,
                24,
                "invalid body field",
                &format!("empty node at {at}: Orange rejects null, {{}} and []"),
            ));
        }
        req.set_body(Body::from(bytes));
        let response = respond(self.inner.call(req).await);
        if response.status().is_success() {
            self.mock.record(ReceivedEvent {
                api: api.to_owned(),
                offer,
                token,
                body,
                received_at: chrono::Utc::now(),
            });
        } else {
            self.mock.count_refused();
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_node_finds_null_empty_objects_and_arrays() {
        assert_eq!(
            empty_node(&serde_json::json!({"a": {"b": []}}), ""),
            Some("/a/b".to_owned())
        );
        assert_eq!(
            empty_node(&serde_json::json!({"a": null}), ""),
            Some("/a".to_owned())
        );
        assert_eq!(
            empty_node(&serde_json::json!({"a": [{"b": {}}]}), ""),
            Some("/a/0/b".to_owned())
        );
        assert_eq!(
            empty_node(&serde_json::json!({"a": [1], "b": {"c": "d"}}), ""),
            None
        );
    }

    #[test]
    fn event_paths_name_their_api_and_offer() {
        assert_eq!(
            event_path("/mba2/productordering/v2/event"),
            Some(("productOrdering", "mba2".to_owned()))
        );
        assert_eq!(
            event_path("/mba2-beta/userservice/v2/event"),
            Some(("userService", "mba2-beta".to_owned()))
        );
        assert_eq!(event_path("/oauth/v3/token"), None);
    }
}
