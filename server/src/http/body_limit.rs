//! Request bodies capped per operation: a larger body is refused with 413 before it is parsed.

use poem::http::StatusCode;
use poem::{Body, Endpoint, Middleware, Request, Result};

/// The cap for each kind of request.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub product_order: usize,
    pub user_service_update: usize,
    pub other: usize,
}

impl BodyLimits {
    fn for_path(&self, path: &str) -> usize {
        if path.ends_with("/productordering/v2/productOrder") {
            self.product_order
        } else if path.ends_with("/userservice/v2/userService/update") {
            self.user_service_update
        } else {
            self.other
        }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimits {
    type Output = BodyLimitEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            limits: *self,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    limits: BodyLimits,
}

fn too_large(limit: usize) -> poem::Error {
    poem::Error::from_string(
        format!("the body is larger than {limit} bytes"),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let limit = self.limits.for_path(req.uri().path());
        let declared = req
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        // A body without Content-Length (chunked) is read up to the cap, so the cap holds for it too.
        if declared.is_none() {
            let body = req.take_body();
            let bytes = body.into_bytes_limit(limit).await.map_err(|e| match e {
                poem::error::ReadBodyError::PayloadTooLarge => too_large(limit),
                other => other.into(),
            })?;
            req.set_body(Body::from(bytes));
        }
        self.inner.call(req).await
    }
}
