//! The soak: `obakit serve` for a long time (30 minutes by default) under mixed traffic at a
//! steady rate (asynchronous orders, consultations of a fleet, updates, UC5 changes through the
//! admin API), with `obakit mock-orange` as the gateway, down 10% of the time (one second in
//! every ten). It reports resident memory at the start and the end of the steady state, errors
//! beyond the injected faults (expected 0), events lost (expected 0: every acknowledged order
//! and every UC5 change has its event delivered once the gateway is back), and the p99 of each
//! kind of request. Not run by CI.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::Ctx;
use crate::db::{self, Backend, BenchDb};
use crate::load::Partner;
use crate::procs::{self, Proc};
use crate::report::{Figure, Target, percentile};
use crate::server::{PASSWORD, USER, clean_env, log_path, order_id, start_obakit, uc2};

/// Requests sent per second, all kinds together.
const RATE: u64 = 20;
/// Licenses of the fleet the consultations, updates and UC5 changes work on.
const FLEET: usize = 200;
/// The gateway is down for `DOWN` out of every `FAULT_PERIOD`.
const FAULT_PERIOD: Duration = Duration::from_secs(10);
const DOWN: Duration = Duration::from_secs(1);
/// Resident memory is sampled this often.
const RSS_EVERY: Duration = Duration::from_secs(10);
const ADMIN_TOKEN: &str = "soak-admin-token-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Order,
    Consultation,
    Update,
    Change,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Order, Kind::Consultation, Kind::Update, Kind::Change];

    fn name(self) -> &'static str {
        match self {
            Kind::Order => "order (async)",
            Kind::Consultation => "consultation (200 licenses)",
            Kind::Update => "update (10 licenses)",
            Kind::Change => "UC5 change",
        }
    }
}

/// What one request came to.
struct Outcome {
    kind: Kind,
    ms: f64,
    /// The status, or `None` for a transport error.
    status: Option<u16>,
    /// The partner's order id of an acknowledged order.
    acknowledged: Option<String>,
}

pub(crate) async fn figures(
    ctx: &Ctx,
    backend: Backend,
    duration: Duration,
) -> anyhow::Result<Vec<Figure>> {
    let b = backend.name();
    eprintln!("[{b}] soak: {duration:?} at {RATE} requests/s, the gateway down 10% of the time");
    let db = BenchDb::fresh(backend, "soak", &ctx.work.join("db"), &ctx.postgres_url).await?;
    let port = ctx.port + 10;
    let mock_port = ctx.port + 11;
    let mock_url = format!("http://127.0.0.1:{mock_port}");
    let mut command = procs::pinned(ctx.load_cpu, &ctx.obakit);
    command
        .arg("mock-orange")
        .arg("--listen")
        .arg(format!("127.0.0.1:{mock_port}"));
    clean_env(&mut command);
    let mut mock = Proc::spawn(
        "obakit mock-orange",
        command,
        &log_path(ctx, &format!("soak-mock-orange-{b}")),
    )?;
    mock.wait_ready(&format!("{mock_url}/_mock/stats"), Duration::from_secs(30))
        .await?;
    let server = start_obakit(
        ctx,
        &db.url,
        port,
        &[
            "--product-ordering-mode",
            "async",
            "--orange-gateway-url",
            &mock_url,
            "--orange-client-id",
            "obakit",
            "--orange-client-secret",
            "obakit-secret",
            "--orange-request-timeout-ms",
            "5000",
            "--admin-token",
            ADMIN_TOKEN,
        ],
        &log_path(ctx, &format!("soak-obakit-{b}")),
    )
    .await?;
    let base = format!("http://127.0.0.1:{port}");
    let partner = Partner::new(&base, USER, PASSWORD)?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let (fleet, licenses) = seed_fleet(&partner, &db.url).await?;
    let _ = server.reset_peak();

    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let start = Instant::now();
    let mut rss = Vec::new();
    let mut next_rss = start;
    let mut faults_injected = 0u32;
    let mut sent = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_millis(1000 / RATE));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut gateway_down = false;
    let mut inflight = Vec::new();
    while start.elapsed() < duration {
        ticker.tick().await;
        let elapsed = start.elapsed();
        let down_now = elapsed.as_nanos() % FAULT_PERIOD.as_nanos() < DOWN.as_nanos();
        if down_now != gateway_down {
            set_faults(&http, &mock_url, down_now).await?;
            gateway_down = down_now;
            faults_injected += u32::from(down_now);
        }
        if Instant::now() >= next_rss {
            rss.push(server.rss()? as f64 / 1_048_576.0);
            next_rss += RSS_EVERY;
        }
        let kind = Kind::ALL[(sent % 4) as usize];
        sent += 1;
        let request = Request {
            kind,
            http: http.clone(),
            base: base.clone(),
            fleet: fleet.clone(),
            license: licenses[fastrand::usize(..licenses.len())].clone(),
            batch: (0..10)
                .map(|_| licenses[fastrand::usize(..licenses.len())].clone())
                .collect(),
            round: sent,
        };
        let outcomes = outcomes.clone();
        inflight.push(tokio::spawn(async move {
            let outcome = request.send().await;
            outcomes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(outcome);
        }));
        inflight.retain(|task: &tokio::task::JoinHandle<()>| !task.is_finished());
    }
    for task in inflight {
        let _ = task.await;
    }
    set_faults(&http, &mock_url, false).await?;
    rss.push(server.rss()? as f64 / 1_048_576.0);
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|e| e.into_inner()));
    eprintln!(
        "[{b}] soak: {} requests sent, {faults_injected} gateway outages; waiting for the outbox to drain",
        outcomes.len()
    );
    let lost = events_lost(&db.url, &outcomes, Duration::from_secs(600)).await?;
    let errors = outcomes
        .iter()
        .filter(|o| o.status.is_none_or(|s| s >= 400))
        .count();
    server.stop()?;
    mock.stop()?;
    if backend == Backend::Postgres {
        db.drop_schema().await?;
    }

    // Resident memory: the first sample after a tenth of the run (warm caches, pools full)
    // against the last.
    let settled = rss[(rss.len() / 10).min(rss.len() - 1)];
    let last = *rss.last().unwrap_or(&settled);
    let minutes = duration.as_secs_f64() / 60.0;
    let absolute =
        |name: String, value: f64, unit: &'static str, target: Target, note: String| Figure {
            name,
            backend: b.to_owned(),
            value,
            baseline: f64::NAN,
            baseline_name: "-".to_owned(),
            unit,
            ratio: f64::NAN,
            target,
            note,
        };
    let mut figures = vec![
        absolute(
            "soak: resident memory, end / settled".to_owned(),
            last / settled,
            "x",
            Target::AtMost(1.2),
            format!("{settled:.1} MB → {last:.1} MB over {minutes:.0} min"),
        ),
        absolute(
            "soak: errors beyond the injected faults".to_owned(),
            errors as f64,
            "req",
            Target::AtMost(0.0),
            format!("{} requests, {faults_injected} outages", outcomes.len()),
        ),
        absolute(
            "soak: events lost".to_owned(),
            lost as f64,
            "events",
            Target::AtMost(0.0),
            String::new(),
        ),
    ];
    for kind in Kind::ALL {
        let times: Vec<f64> = outcomes
            .iter()
            .filter(|o| o.kind == kind && o.status.is_some())
            .map(|o| o.ms)
            .collect();
        figures.push(absolute(
            format!("soak: {} p99", kind.name()),
            percentile(&times, 99.0),
            "ms",
            Target::None,
            format!("{} requests", times.len()),
        ));
    }
    Ok(figures)
}

/// One request of the mix.
struct Request {
    kind: Kind,
    http: reqwest::Client,
    base: String,
    fleet: String,
    license: String,
    batch: Vec<String>,
    round: u64,
}

impl Request {
    async fn send(self) -> Outcome {
        let started = Instant::now();
        let auth = |r: reqwest::RequestBuilder| r.basic_auth(USER, Some(PASSWORD));
        let answer = match self.kind {
            Kind::Order => {
                auth(
                    self.http
                        .post(format!("{}/productordering/v2/productOrder", self.base)),
                )
                .json(&uc2(&order_id(), 2))
                .send()
                .await
            }
            Kind::Consultation => {
                auth(
                    self.http
                        .get(format!("{}/userservice/v2/userService", self.base)),
                )
                .query(&[("productRefId", self.fleet.as_str())])
                .send()
                .await
            }
            Kind::Update => {
                let state = if self.round % 8 < 4 {
                    "suspended"
                } else {
                    "active"
                };
                let items: Vec<_> = self
                    .batch
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "externalState": state}))
                    .collect();
                auth(
                    self.http
                        .post(format!("{}/userservice/v2/userService/update", self.base)),
                )
                .json(&serde_json::json!({"userService": items}))
                .send()
                .await
            }
            Kind::Change => {
                self.http
                    .put(format!(
                        "{}/admin/licenses/{}/characteristics/soakRound",
                        self.base, self.license
                    ))
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&serde_json::json!({"value": self.round.to_string()}))
                    .send()
                    .await
            }
        };
        let (status, body) = match answer {
            Ok(answer) => {
                let status = answer.status().as_u16();
                match answer.bytes().await {
                    Ok(body) => (Some(status), body),
                    Err(_) => (None, Default::default()),
                }
            }
            Err(_) => (None, Default::default()),
        };
        let acknowledged = (self.kind == Kind::Order)
            .then(|| serde_json::from_slice::<serde_json::Value>(&body).ok())
            .flatten()
            .filter(|answer| answer["state"] == "acknowledged")
            .and_then(|answer| answer["id"].as_str().map(str::to_owned));
        Outcome {
            kind: self.kind,
            ms: crate::baseline::millis(started.elapsed()),
            status,
            acknowledged,
        }
    }
}

async fn set_faults(http: &reqwest::Client, mock_url: &str, down: bool) -> anyhow::Result<()> {
    http.put(format!("{mock_url}/_mock/faults"))
        .json(&serde_json::json!({"unavailable": down}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// A fleet of [`FLEET`] licenses, once its asynchronous order is completed.
async fn seed_fleet(partner: &Partner, url: &str) -> anyhow::Result<(String, Vec<String>)> {
    let body = serde_json::to_vec(&uc2(&order_id(), FLEET as u32))?;
    let answer = partner
        .post_json("/productordering/v2/productOrder", body)
        .await?;
    anyhow::ensure!(answer.status == 201, "seed order: {}", answer.status);
    let pool = db::connect(url).await?;
    let started = Instant::now();
    loop {
        let rows = sqlx::query("SELECT l.id AS id, l.fleet_id AS fleet FROM licenses l JOIN orders o ON o.id = l.order_id WHERE o.state = 'completed'")
            .fetch_all(&pool)
            .await?;
        if rows.len() == FLEET {
            let fleet: String = rows[0].try_get("fleet")?;
            let licenses = rows
                .iter()
                .map(|row| row.try_get("id"))
                .collect::<Result<Vec<String>, _>>()?;
            pool.close().await;
            return Ok((fleet, licenses));
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the seed order was not completed within 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the outbox has nothing left to deliver, then counts what is missing: acknowledged
/// orders without a delivered event, successful UC5 changes beyond the delivered change events,
/// and events not delivered (pending or dead).
async fn events_lost(url: &str, outcomes: &[Outcome], timeout: Duration) -> anyhow::Result<u64> {
    let pool = db::connect(url).await?;
    let started = Instant::now();
    loop {
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending' \
             UNION ALL SELECT COUNT(*) AS n FROM orders WHERE state = 'acknowledged'",
        )
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("n"))
        .sum::<Result<i64, _>>()?;
        if waiting == 0 || started.elapsed() > timeout {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let delivered: BTreeSet<String> = sqlx::query(
        "SELECT aggregate_key FROM outbox WHERE kind = 'productOrdering.event' AND state = 'delivered'",
    )
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|row| row.try_get("aggregate_key"))
    .collect::<Result<_, _>>()?;
    let orders_lost = outcomes
        .iter()
        .filter_map(|o| o.acknowledged.as_ref())
        .filter(|id| !delivered.contains(*id))
        .count() as u64;
    let undelivered: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'delivered'")
            .fetch_one(&pool)
            .await?
            .try_get("n")?;
    let changes_ok = outcomes
        .iter()
        .filter(|o| o.kind == Kind::Change && o.status == Some(200))
        .count() as i64;
    let change_events: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'userService.event' AND state = 'delivered'",
    )
    .fetch_one(&pool)
    .await?
    .try_get("n")?;
    pool.close().await;
    // Updates are synchronous here: every delivered userService event is a UC5 change's.
    let changes_lost = (changes_ok - change_events).max(0) as u64;
    Ok(orders_lost + undelivered.max(0) as u64 + changes_lost)
}
