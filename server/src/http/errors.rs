//! Every error no typed response answered becomes Orange's error body, `{code, message, description}`.
//! 5xx answers never carry internal detail: that goes to the log with the request id.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::types::ToJSON;

use crate::inbound_auth::AuthFailure;
use crate::wire::OrangeCode;

/// How long Orange is asked to wait before resending after a 503.
const RETRY_AFTER_SECONDS: &str = "30";

pub(crate) async fn to_orange_error(err: poem::Error) -> Response {
    let status = err.status();
    let detail = err.to_string();
    let body = match status {
        StatusCode::UNAUTHORIZED => match err.downcast_ref::<AuthFailure>() {
            Some(AuthFailure::Invalid) => OrangeCode::InvalidCredentials.body(detail),
            // A security scheme that found no credentials it could read.
            Some(AuthFailure::Missing) | None => OrangeCode::MissingCredentials.body(detail),
        },
        StatusCode::NOT_FOUND => OrangeCode::ResourceNotFound.body("no such resource or path"),
        StatusCode::METHOD_NOT_ALLOWED => {
            OrangeCode::InvalidBody.body_saying("method not allowed", detail)
        }
        StatusCode::PAYLOAD_TOO_LARGE => OrangeCode::BodyTooLarge.body(detail),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => OrangeCode::InvalidBody.body(detail),
        StatusCode::CONFLICT => OrangeCode::Conflict.body(detail),
        StatusCode::NOT_IMPLEMENTED => {
            OrangeCode::InvalidBody.body_saying("not implemented", detail)
        }
        s if s.is_client_error() => OrangeCode::InvalidBody.body_saying("invalid request", detail),
        StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(error = %detail, "answered 503");
            OrangeCode::Unavailable.body(
                "the partner's platform did not answer; nothing was stored: send the request again",
            )
        }
        _ => {
            tracing::error!(error = %detail, %status, "request failed");
            OrangeCode::internal_body()
        }
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
