//! Events to Orange on one backend, with `obakit mock-orange` as the gateway: the time from the
//! commit of an event to its arrival (p99), and the rate at which a backlog drains with a cached
//! token. The baseline is the same bodies posted straight to the mock with the server's own
//! client and token cache: delivery without the outbox.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::Ctx;
use crate::db::{self, Backend, BenchDb};
use crate::load::Partner;
use crate::procs::{self, Proc};
use crate::report::{Figure, Target, median, number, percentile};
use crate::server::{PASSWORD, USER, baseline, clean_env, log_path, order_id, start_obakit, uc2};

/// Orders sent per second while commit-to-delivery times are taken.
const ORDER_RATE: u64 = 20;

struct Mock {
    url: String,
    http: reqwest::Client,
}

impl Mock {
    async fn count(&self) -> anyhow::Result<u64> {
        let stats: serde_json::Value = self
            .http
            .get(format!("{}/_mock/stats", self.url))
            .send()
            .await?
            .json()
            .await?;
        Ok(stats["eventsReceived"].as_u64().unwrap_or(0))
    }

    async fn clear(&self) -> anyhow::Result<()> {
        self.http
            .delete(format!("{}/_mock/events", self.url))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// (event id, body, arrival) of every event received since the last clear.
    async fn events(&self) -> anyhow::Result<Vec<(String, serde_json::Value, DateTime<Utc>)>> {
        let events: Vec<serde_json::Value> = self
            .http
            .get(format!("{}/_mock/events", self.url))
            .send()
            .await?
            .json()
            .await?;
        events
            .into_iter()
            .map(|e| {
                let id = e["body"]["id"].as_str().unwrap_or_default().to_owned();
                let at =
                    DateTime::parse_from_rfc3339(e["receivedAt"].as_str().unwrap_or_default())?
                        .with_timezone(&Utc);
                Ok((id, e["body"].clone(), at))
            })
            .collect()
    }

    /// Waits until `n` events arrived.
    async fn wait_for(&self, n: u64, timeout: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let count = self.count().await?;
            if count >= n {
                return Ok(());
            }
            anyhow::ensure!(
                start.elapsed() < timeout,
                "only {count} of {n} events arrived within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub(crate) async fn figures(ctx: &Ctx, backend: Backend) -> anyhow::Result<Vec<Figure>> {
    let b = backend.name();
    eprintln!("[{b}] events: preparing a fresh database and the mock gateway");
    let db = BenchDb::fresh(backend, "events", &ctx.work.join("db"), &ctx.postgres_url).await?;
    let mock_port = ctx.port + 2;
    let mock_url = format!("http://127.0.0.1:{mock_port}");
    let mut command = procs::pinned(ctx.load_cpu, &ctx.obakit);
    command
        .arg("mock-orange")
        .arg("--listen")
        .arg(format!("127.0.0.1:{mock_port}"));
    clean_env(&mut command);
    let mut mock_proc = Proc::spawn(
        "obakit mock-orange",
        command,
        &log_path(ctx, &format!("mock-orange-{b}")),
    )?;
    mock_proc
        .wait_ready(&format!("{mock_url}/_mock/stats"), Duration::from_secs(30))
        .await?;
    let mock = Mock {
        url: mock_url.clone(),
        http: reqwest::Client::new(),
    };
    let extra = [
        "--product-ordering-mode",
        "async",
        "--orange-gateway-url",
        mock_url.as_str(),
        "--orange-client-id",
        "obakit",
        "--orange-client-secret",
        "obakit-secret",
    ];
    let n = ctx.samples(200, 60);
    let backlog = ctx.samples(3000, 1000);
    let bodies_file = ctx.work.join(format!("event-bodies-{b}.json"));
    let mut latency_rounds = Vec::new();
    let mut drain_rounds = Vec::new();
    let mut p50s = Vec::new();
    for round in 0..ctx.rounds {
        // Commit to delivery: asynchronous orders at a steady pace.
        let server = start_obakit(
            ctx,
            &db.url,
            ctx.port,
            &extra,
            &log_path(ctx, &format!("obakit-{b}-events")),
        )
        .await?;
        let partner = Partner::new(&format!("http://127.0.0.1:{}", ctx.port), USER, PASSWORD)?;
        mock.clear().await?;
        let mut tick = tokio::time::interval(Duration::from_millis(1000 / ORDER_RATE));
        let mut sent = Vec::with_capacity(n);
        for _ in 0..n {
            tick.tick().await;
            let partner = partner.clone();
            sent.push(tokio::spawn(async move {
                let body = serde_json::to_vec(&uc2(&order_id(), 1))?;
                let answer = partner
                    .post_json("/productordering/v2/productOrder", body)
                    .await?;
                anyhow::ensure!(answer.status == 201, "async order: {}", answer.status);
                Ok(())
            }));
        }
        for task in sent {
            task.await??;
        }
        mock.wait_for(n as u64, Duration::from_secs(120)).await?;
        let received = mock.events().await?;
        let committed = outbox_times(&db.url).await?;
        let latencies: Vec<f64> = received
            .iter()
            .filter_map(|(id, _, at)| committed.get(id).map(|c| *at - *c))
            .map(|d| d.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0)
            .collect();
        anyhow::ensure!(
            latencies.len() >= n,
            "{} of {n} events matched their outbox rows",
            latencies.len()
        );
        let bodies: Vec<serde_json::Value> = received.iter().map(|r| r.1.clone()).collect();
        std::fs::write(&bodies_file, serde_json::to_vec(&bodies)?)?;
        let base = baseline(
            ctx,
            &[
                "post-events",
                "--gateway",
                &mock_url,
                "--bodies",
                path_str(&bodies_file)?,
                "--concurrency",
                "1",
            ],
        )?;
        mock.clear().await?;
        let (p99, base_p99) = (percentile(&latencies, 99.0), percentile(&base.ms, 99.0));
        p50s.push((percentile(&latencies, 50.0), percentile(&base.ms, 50.0)));
        eprintln!(
            "[{b}] events round {}: commit to delivery p99 {} ms (p50 {}), direct POST p99 {} ms",
            round + 1,
            number(p99),
            number(percentile(&latencies, 50.0)),
            number(base_p99)
        );
        latency_rounds.push((p99, base_p99));
        server.stop()?;

        // Drain: a backlog enqueued while the server is down, delivered after it starts.
        let events = backlog_events(&bodies, backlog)?;
        let store = obakit_server::store::Store::connect(&db.url).await?;
        store.enqueue(&events).await?;
        store.close().await;
        let server = start_obakit(
            ctx,
            &db.url,
            ctx.port,
            &extra,
            &log_path(ctx, &format!("obakit-{b}-drain")),
        )
        .await?;
        mock.wait_for(backlog as u64, Duration::from_secs(600))
            .await?;
        let mut arrivals: Vec<DateTime<Utc>> =
            mock.events().await?.into_iter().map(|e| e.2).collect();
        arrivals.sort();
        let span = (arrivals[arrivals.len() - 1] - arrivals[0])
            .num_microseconds()
            .unwrap_or(i64::MAX) as f64
            / 1e6;
        // The first delivery also fetched the token: the rate counts the ones after it.
        let rate = (arrivals.len() - 1) as f64 / span;
        server.stop()?;
        mock.clear().await?;
        let backlog_bodies: Vec<&serde_json::Value> = events.iter().map(|e| &e.payload).collect();
        std::fs::write(&bodies_file, serde_json::to_vec(&backlog_bodies)?)?;
        let base = baseline(
            ctx,
            &[
                "post-events",
                "--gateway",
                &mock_url,
                "--bodies",
                path_str(&bodies_file)?,
                "--concurrency",
                "32",
            ],
        )?;
        mock.clear().await?;
        let base_rate = base.rows as f64 / (base.total_ms / 1000.0);
        eprintln!(
            "[{b}] drain round {}: {} events/s, direct POSTs (32 at once) {} events/s",
            round + 1,
            number(rate),
            number(base_rate)
        );
        drain_rounds.push((rate, base_rate));
    }
    mock_proc.stop()?;
    db.drop_schema().await?;
    Ok(vec![
        Figure::from_rounds(
            "event commit to delivery, p99",
            b,
            "ms",
            "direct POST",
            &latency_rounds,
            Target::AtMost(1000.0),
        )
        .with_note(format!(
            "{n} async orders/round at {ORDER_RATE}/s; p50 {} vs {} ms",
            number(median(&p50s.iter().map(|p| p.0).collect::<Vec<_>>())),
            number(median(&p50s.iter().map(|p| p.1).collect::<Vec<_>>()))
        )),
        Figure::from_rounds(
            "event drain rate, cached token",
            b,
            "ev/s",
            "direct POSTs",
            &drain_rounds,
            Target::AtLeast(500.0),
        )
        .with_note(format!(
            "backlog of {backlog}; baseline posts 32 at once like the dispatcher's batch"
        )),
    ])
}

fn path_str(path: &std::path::Path) -> anyhow::Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", path.display()))
}

/// When each outbox event was written (its transaction's time), by id.
async fn outbox_times(url: &str) -> anyhow::Result<HashMap<String, DateTime<Utc>>> {
    let pool = db::connect(url).await?;
    let rows = sqlx::query("SELECT id, created_at FROM outbox")
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let at: String = row.try_get("created_at")?;
            Ok((id, DateTime::parse_from_rfc3339(&at)?.with_timezone(&Utc)))
        })
        .collect()
}

/// `count` order events made from received bodies, each with an id of its own.
fn backlog_events(
    bodies: &[serde_json::Value],
    count: usize,
) -> anyhow::Result<Vec<obakit_server::store::NewEvent>> {
    anyhow::ensure!(!bodies.is_empty(), "no event body to copy");
    Ok((0..count)
        .map(|i| {
            let mut payload = bodies[i % bodies.len()].clone();
            let id = obakit_server::store::new_event_id();
            payload["id"] = serde_json::Value::String(id.clone());
            let key = payload["resource"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            obakit_server::store::NewEvent::with_id(
                id,
                obakit_server::outbound::PRODUCT_ORDER_EVENT,
                key,
                payload,
            )
        })
        .collect())
}
