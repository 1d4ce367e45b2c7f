//! The bare hyper server obakit's small answers are measured against: HTTP/1.1 with keep-alive on
//! the same tokio runtime flavour as obakit, answering each path with a fixed status, content type
//! and body read at start (the answers obakit gave for the same paths), and 404 elsewhere. No
//! routing framework, no authentication, no logging: the floor a Rust HTTP server stands on.
//!
//! `obakit-bench-hyper --listen 127.0.0.1:18081 --answers answers.json`, where `answers.json` is
//! `{"/path": {"status": 200, "contentType": "application/json", "body": "…"}, …}`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpListener;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
}

struct Prepared {
    status: StatusCode,
    content_type: Option<hyper::header::HeaderValue>,
    body: Bytes,
}

fn main() -> anyhow::Result<()> {
    let mut listen: Option<SocketAddr> = None;
    let mut answers_file: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = Some(args.next().unwrap_or_default().parse()?),
            "--answers" => answers_file = args.next(),
            other => anyhow::bail!("unknown argument {other}; usage: --listen ADDR --answers FILE"),
        }
    }
    let listen = listen.ok_or_else(|| anyhow::anyhow!("--listen ADDR is required"))?;
    let file = answers_file.ok_or_else(|| anyhow::anyhow!("--answers FILE is required"))?;
    let answers: HashMap<String, Answer> = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    let mut prepared = HashMap::new();
    for (path, answer) in answers {
        prepared.insert(
            path,
            Prepared {
                status: StatusCode::from_u16(answer.status)?,
                content_type: answer.content_type.map(|c| c.parse()).transpose()?,
                body: Bytes::from(answer.body),
            },
        );
    }
    let prepared = Arc::new(prepared);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(listen, prepared))
}

async fn serve(listen: SocketAddr, answers: Arc<HashMap<String, Prepared>>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    eprintln!("hyper baseline listening on {listen}");
    loop {
        let (stream, _) = listener.accept().await?;
        let answers = answers.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let answers = answers.clone();
                async move { Ok::<_, Infallible>(answer(&answers, request.uri().path())) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(answers: &HashMap<String, Prepared>, path: &str) -> Response<Full<Bytes>> {
    let Some(prepared) = answers.get(path) else {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    let mut response = Response::new(Full::new(prepared.body.clone()));
    *response.status_mut() = prepared.status;
    if let Some(content_type) = &prepared.content_type {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, content_type.clone());
    }
    response
}
