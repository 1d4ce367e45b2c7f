//! Every error no typed response answered becomes Orange's error body, `{code, message, description}`.
//! 5xx answers never carry internal detail: that goes to the log with the request id.

use obakit_api::common::types::Error;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::types::ToJSON;

/// How long Orange is asked to wait before resending after a 503.
const RETRY_AFTER_SECONDS: &str = "30";

pub(crate) async fn to_orange_error(err: poem::Error) -> Response {
    let status = err.status();
    let detail = err.to_string();
    let (code, message, description) = match status {
        StatusCode::UNAUTHORIZED => {
            let code = if detail.contains("invalid") { 41 } else { 40 };
            (
                code,
                if code == 41 {
                    "invalid credentials"
                } else {
                    "missing credentials"
                },
                detail,
            )
        }
        StatusCode::NOT_FOUND => (
            60,
            "resource not found",
            "no such resource or path".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (22, "method not allowed", detail),
        StatusCode::PAYLOAD_TOO_LARGE => (66, "body too large", detail),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (22, "invalid body", detail),
        StatusCode::CONFLICT => (69, "conflict", detail),
        StatusCode::NOT_IMPLEMENTED => (22, "not implemented", detail),
        s if s.is_client_error() => (22, "invalid request", detail),
        StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(error = %detail, "answered 503");
            (
                5,
                "service unavailable",
                "the partner's platform did not answer; nothing was stored: send the request again"
                    .to_owned(),
            )
        }
        _ => {
            tracing::error!(error = %detail, %status, "request failed");
            (
                0,
                "internal error",
                "the server could not process the request; see its log for this request id"
                    .to_owned(),
            )
        }
    };
    let body = Error {
        code,
        message: message.to_owned(),
        description: Some(description),
    };
    let mut response = Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_json_string());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            "retry-after",
            poem::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "www-authenticate",
            poem::http::HeaderValue::from_static("Basic realm=\"obakit\""),
        );
    }
    response.into_response()
}
