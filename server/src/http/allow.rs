//! `405 Method Not Allowed` answers carry the `Allow` header RFC 9110 (§15.5.6) requires: the
//! methods the path accepts, from the served operations.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use super::operations::OperationTable;

/// Adds `Allow` to `405` answers that lack it.
#[derive(Debug, Clone)]
pub struct AllowHeader {
    table: std::sync::Arc<OperationTable>,
}

impl AllowHeader {
    pub fn new(table: std::sync::Arc<OperationTable>) -> Self {
        Self { table }
    }
}

impl<E: Endpoint> Middleware<E> for AllowHeader {
    type Output = AllowHeaderEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowHeaderEndpoint {
            inner,
            table: self.table.clone(),
        }
    }
}

/// The endpoint [`AllowHeader`] makes.
pub struct AllowHeaderEndpoint<E> {
    inner: E,
    table: std::sync::Arc<OperationTable>,
}

impl<E: Endpoint> Endpoint for AllowHeaderEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().to_owned();
        let mut response = self.inner.call(req).await?.into_response();
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && !response.headers().contains_key(header::ALLOW)
        {
            let allowed = self
                .table
                .allowed_methods(&path)
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            // An empty `Allow` is valid too: the path accepts no method.
            if let Ok(value) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert(header::ALLOW, value);
            }
        }
        Ok(response)
    }
}
