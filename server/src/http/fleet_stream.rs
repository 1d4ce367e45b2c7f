//! The consultation by fleet (`GET /userservice/v2/userService?productRefId=…`), streamed.
//!
//! A fleet may hold 100,000 licenses, about 35 MB of JSON. Through the generated glue the answer
//! was built whole several times over (rows, licenses, wire types, a `serde_json::Value` tree,
//! the bytes): the server's memory grew by ten times the body (measured by `bench/run`). Here
//! each license is written as soon as it is read, with the bytes the generated glue sends for it
//! (the same wire type and `ToJSON`), into chunks the response body drains.
//!
//! The read is one statement (one snapshot) and runs at the database's pace, not the client's:
//! chunks wait in a queue, so a slow client never holds a database connection. Memory stays flat
//! with a client that keeps up, and grows to at most the body's size with one that does not.
//!
//! Only a request the generated glue would accept and answer by fleet is taken here; everything
//! else (ids, neither or both parameters, invalid values) goes to the glue as before.

use std::sync::Arc;

use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use poem_openapi::types::ToJSON;
use tokio::sync::mpsc;

use super::Partner;
use crate::domain::{FleetId, License};
use crate::store::StoreError;

const PATH: &str = "/userservice/v2/userService";
/// `productRefId`'s `maxLength` in the spec.
const MAX_FLEET_ID: usize = 128;
/// Bytes of JSON gathered before a chunk is handed to the connection.
const CHUNK: usize = 64 * 1024;

/// Answers the consultation by fleet as a stream, in front of the generated glue.
pub(crate) struct StreamedFleet(pub(crate) Arc<Partner>);

impl<E: Endpoint> Middleware<E> for StreamedFleet {
    type Output = StreamedFleetEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        StreamedFleetEndpoint {
            inner,
            partner: self.0.clone(),
        }
    }
}

pub(crate) struct StreamedFleetEndpoint<E> {
    inner: E,
    partner: Arc<Partner>,
}

impl<E: Endpoint> Endpoint for StreamedFleetEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let Some(fleet) = fleet_asked(&req) else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let mut licenses = self
            .partner
            .store()
            .stream_licenses_by_fleet(&FleetId::from(fleet));
        // A failure before the first license is still a 500; after it, the body is cut short.
        let first = match licenses.recv().await {
            Some(Err(error)) => return Err(internal(error)),
            Some(Ok(license)) => Some(license),
            None => None,
        };
        let state = State {
            licenses,
            first,
            opened: false,
            written: 0,
            done: false,
            span: tracing::Span::current(),
        };
        let (chunks, body) = mpsc::unbounded_channel();
        tokio::spawn(pump(state, chunks));
        Ok(Response::builder()
            .status(StatusCode::OK)
            .content_type("application/json; charset=utf-8")
            .body(Body::from_bytes_stream(futures_util::stream::unfold(
                body,
                |mut body| async move { body.recv().await.map(|chunk| (chunk, body)) },
            ))))
    }
}

/// Writes the whole answer into `chunks` as fast as the licenses are read; stops early when the
/// response is dropped (the client went away), which drops the read too.
async fn pump(mut state: State, chunks: mpsc::UnboundedSender<std::io::Result<Vec<u8>>>) {
    while let Some((chunk, next)) = next_chunk(state).await {
        if chunks.send(chunk).is_err() {
            return;
        }
        state = next;
    }
}

/// The fleet of a consultation by fleet the generated glue would accept: `GET` on the path, one
/// `productRefId` of 1 to 128 characters, no `id`.
fn fleet_asked(req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.uri().path() != PATH {
        return None;
    }
    let params: Vec<(String, String)> = req.params().ok()?;
    let mut fleet = None;
    for (name, value) in params {
        match name.as_str() {
            "productRefId" if fleet.is_none() => fleet = Some(value),
            "productRefId" | "id" => return None,
            _ => {}
        }
    }
    fleet.filter(|f| (1..=MAX_FLEET_ID).contains(&f.chars().count()))
}

struct State {
    licenses: mpsc::Receiver<Result<License, StoreError>>,
    first: Option<License>,
    /// `[` was written.
    opened: bool,
    written: usize,
    done: bool,
    /// The request's span, for a failure noticed while the body is being sent.
    span: tracing::Span,
}

/// The next piece of `[license,license,…]`: about [`CHUNK`] bytes, or the rest.
async fn next_chunk(mut state: State) -> Option<(std::io::Result<Vec<u8>>, State)> {
    if state.done {
        return None;
    }
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    if !state.opened {
        buf.push(b'[');
        state.opened = true;
    }
    loop {
        let next = match state.first.take() {
            Some(license) => Some(Ok(license)),
            None => state.licenses.recv().await,
        };
        match next {
            Some(Ok(license)) => {
                if state.written > 0 {
                    buf.push(b',');
                }
                state.written += 1;
                let wire = crate::wire::user_service(&license).to_json();
                if let Err(e) = serde_json::to_writer(&mut buf, &wire) {
                    state.done = true;
                    return Some((Err(std::io::Error::other(e)), state));
                }
                if buf.len() >= CHUNK {
                    return Some((Ok(buf), state));
                }
            }
            Some(Err(error)) => {
                state.span.in_scope(|| {
                    tracing::error!(%error, written = state.written, "fleet answer cut short");
                });
                state.done = true;
                return Some((Err(std::io::Error::other(error.to_string())), state));
            }
            None => {
                buf.push(b']');
                state.done = true;
                return Some((Ok(buf), state));
            }
        }
    }
}

fn internal(error: StoreError) -> poem::Error {
    poem::Error::from_string(
        format!("reading a fleet: {error}"),
        StatusCode::INTERNAL_SERVER_ERROR,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Offer, OrderId, new_licenses};
    use futures_util::StreamExt;

    async fn streamed(licenses: Vec<License>) -> Vec<u8> {
        let (tx, rx) = mpsc::channel(8);
        tokio::spawn(async move {
            for license in licenses {
                let _ = tx.send(Ok(license)).await;
            }
        });
        let state = State {
            licenses: rx,
            first: None,
            opened: false,
            written: 0,
            done: false,
            span: tracing::Span::none(),
        };
        let chunks: Vec<_> = futures_util::stream::unfold(state, next_chunk)
            .collect()
            .await;
        chunks
            .into_iter()
            .flat_map(|chunk| chunk.expect("no error"))
            .collect()
    }

    /// The bytes the generated glue sends for the same licenses: `Json(Vec<UserService>)`.
    fn glue(licenses: &[License]) -> Vec<u8> {
        let answer: Vec<_> = licenses.iter().map(crate::wire::user_service).collect();
        serde_json::to_vec(&answer.to_json()).expect("serializable")
    }

    #[tokio::test]
    async fn the_stream_sends_what_the_generated_glue_sends() {
        let offer = Offer {
            code: "PO-BUSAPP-STARTER".to_owned(),
            name: Some("Business App Starter".to_owned()),
        };
        let now = chrono::Utc::now();
        for quantity in [0, 1, 3, 2_000] {
            let licenses = new_licenses(
                &FleetId::generate(),
                &OrderId::generate(),
                &offer,
                quantity,
                &[],
                &[],
                now,
            );
            let expected = glue(&licenses);
            assert!(
                quantity < 2_000 || expected.len() > 2 * CHUNK,
                "several chunks"
            );
            assert_eq!(streamed(licenses).await, expected, "{quantity} licenses");
        }
    }

    #[test]
    fn only_a_valid_consultation_by_fleet_is_streamed() {
        let asked = |uri: &str| fleet_asked(&Request::builder().uri_str(uri).finish());
        assert_eq!(
            asked("/userservice/v2/userService?productRefId=f-1"),
            Some("f-1".into())
        );
        assert_eq!(
            asked("/userservice/v2/userService?productRefId=a%20b&x=1"),
            Some("a b".into())
        );
        for glue in [
            "/userservice/v2/userService",
            "/userservice/v2/userService?productRefId=",
            "/userservice/v2/userService?id=l-1",
            "/userservice/v2/userService?productRefId=f-1&id=l-1",
            "/userservice/v2/userService?productRefId=f-1&productRefId=f-2",
            "/userservice/v2/userService/f-1?productRefId=f-1",
        ] {
            assert_eq!(asked(glue), None, "{glue}");
        }
        let long = format!(
            "/userservice/v2/userService?productRefId={}",
            "f".repeat(129)
        );
        assert_eq!(asked(&long), None);
    }
}
