//! A slow partner platform: 20 concurrent orders while the provisioning webhook takes 2 s to
//! answer each, against the same 20 orders with a webhook that answers at once, on a fresh
//! database each time. Provisioning runs before the write transaction, so the slow webhook should
//! cost each order its 2 s, not 2 s per order queued ahead of it on the database writer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Ctx;
use crate::db::{Backend, BenchDb};
use crate::load::Partner;
use crate::report::{Figure, Target, number, percentile};
use crate::server::{PASSWORD, USER, log_path, start_obakit, uc2};

const ORDERS: usize = 20;
const SLOW: Duration = Duration::from_secs(2);

/// p99 latency and throughput of the 20 orders, slow webhook against instant webhook.
pub(crate) async fn figures(ctx: &Ctx, backend: Backend) -> anyhow::Result<Vec<Figure>> {
    let b = backend.name();
    let mut rounds_p99 = Vec::new();
    let mut rounds_rate = Vec::new();
    for round in 0..ctx.rounds {
        let instant = burst(ctx, backend, Duration::ZERO, round).await?;
        let slow = burst(ctx, backend, SLOW, round).await?;
        eprintln!(
            "[{b}] {ORDERS} orders: p99 {} ms / {} ms, {} / {} orders per s (webhook {} ms / instant)",
            number(slow.p99_ms),
            number(instant.p99_ms),
            number(slow.per_second),
            number(instant.per_second),
            SLOW.as_millis()
        );
        rounds_p99.push((slow.p99_ms, instant.p99_ms));
        rounds_rate.push((slow.per_second, instant.per_second));
    }
    let mut p99 = Figure::from_rounds(
        format!("{ORDERS} concurrent orders, webhook 2 s: p99"),
        b,
        "ms",
        "instant webhook",
        &rounds_p99,
        // Each order waits for its own webhook answer, not for the ones queued before it.
        Target::AtMost(2.0 * SLOW.as_secs_f64() * 1000.0),
    );
    p99.note = format!(
        "held writer: ~{} s",
        number(ORDERS as f64 * SLOW.as_secs_f64())
    );
    let rate = Figure::from_rounds(
        format!("{ORDERS} concurrent orders, webhook 2 s: throughput"),
        b,
        "orders/s",
        "instant webhook",
        &rounds_rate,
        Target::None,
    );
    Ok(vec![p99, rate])
}

struct Burst {
    p99_ms: f64,
    per_second: f64,
}

/// Starts a webhook answering after `delay` and obakit on a fresh database, places the orders
/// at once, and times them.
async fn burst(
    ctx: &Ctx,
    backend: Backend,
    delay: Duration,
    round: usize,
) -> anyhow::Result<Burst> {
    let name = format!("provisioning-{}ms-{round}", delay.as_millis());
    let db = BenchDb::fresh(backend, &name, &ctx.work.join("db"), &ctx.postgres_url).await?;
    let (webhook, accepting) = start_webhook(delay).await?;
    let port = ctx.port + 7;
    let url = format!("http://{webhook}/provision");
    let server = start_obakit(
        ctx,
        &db.url,
        port,
        &[
            "--provisioning-webhook-url",
            &url,
            "--provisioning-webhook-timeout-ms",
            "30000",
        ],
        &log_path(ctx, &format!("obakit-{name}-{}", backend.name())),
    )
    .await?;
    let partner = Partner::new(&format!("http://127.0.0.1:{port}"), USER, PASSWORD)?;
    let start = Instant::now();
    let orders = (0..ORDERS).map(|i| {
        let partner = &partner;
        async move {
            let mut body = uc2(&crate::server::order_id(), 1);
            // Each order its own customer: what is measured is the writer, not one customer's row.
            body["customer"]["externalReference"]["id"] = format!("CUST-SLOW-{i}").into();
            let answer = partner
                .post_json(
                    "/productordering/v2/productOrder",
                    serde_json::to_vec(&body)?,
                )
                .await?;
            anyhow::ensure!(
                answer.status == 201,
                "order answered {}: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
            Ok(answer.ms)
        }
    });
    let latencies = futures_util::future::try_join_all(orders).await;
    let elapsed = start.elapsed();
    server.stop()?;
    accepting.abort();
    db.drop_schema().await?;
    let latencies = latencies?;
    Ok(Burst {
        p99_ms: percentile(&latencies, 99.0),
        per_second: ORDERS as f64 / elapsed.as_secs_f64(),
    })
}

/// A provisioning webhook on a free loopback port that accepts every action after `delay`;
/// aborting the returned task closes the port.
async fn start_webhook(
    delay: Duration,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let accepting = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service =
                    service_fn(move |request: Request<hyper::body::Incoming>| async move {
                        // Read the action whole, as a real platform would, then take its time.
                        let _ = request.into_body().collect().await;
                        tokio::time::sleep(delay).await;
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"{}"))))
                    });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, accepting))
}
