//! A request id on every log line and in the `X-Request-Id` response header (kept when the caller sends one).

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

const HEADER: &str = "x-request-id";

pub(crate) struct RequestId;

impl<E: Endpoint> Middleware<E> for RequestId {
    type Output = RequestIdEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RequestIdEndpoint(ep)
    }
}

pub(crate) struct RequestIdEndpoint<E>(E);

impl<E: Endpoint> Endpoint for RequestIdEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let id = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
        async move {
            let started = std::time::Instant::now();
            let result = self.0.call(req).await;
            let mut response = match result {
                Ok(r) => r.into_response(),
                Err(e) => e.into_response(),
            };
            tracing::info!(
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "answered"
            );
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(HEADER, value);
            }
            Ok(response)
        }
        .instrument(span)
        .await
    }
}
