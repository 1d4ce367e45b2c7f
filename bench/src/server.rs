//! The partner server's figures on one backend: small answers against a bare hyper server, the
//! fleet consultation against the same SELECT + serde_json in process, and the 10,000-license
//! order and update against a raw batch INSERT / UPDATE in one transaction.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::Ctx;
use crate::baseline::Samples;
use crate::db::{Backend, BenchDb};
use crate::load::Partner;
use crate::procs::{self, Proc};
use crate::report::{Figure, Target, median, number, percentile};

pub(crate) const USER: &str = "bench";
pub(crate) const PASSWORD: &str = "bench-password-0123456789";

/// `obakit serve` on `port` over `url`, pinned to the server CPU, with the shipped defaults
/// (log level included) apart from the given flags.
pub(crate) async fn start_obakit(
    ctx: &Ctx,
    url: &str,
    port: u16,
    extra: &[&str],
    log: &Path,
) -> anyhow::Result<Proc> {
    start_obakit_logging(ctx, url, port, extra, log, None).await
}

/// [`start_obakit`] with `RUST_LOG` set to `filter` (else to `--server-log`, else the default).
async fn start_obakit_logging(
    ctx: &Ctx,
    url: &str,
    port: u16,
    extra: &[&str],
    log: &Path,
    filter: Option<&str>,
) -> anyhow::Result<Proc> {
    let mut command = procs::pinned(ctx.server_cpu, &ctx.obakit);
    command
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database-url")
        .arg(url)
        .arg("--basic-user")
        .arg(USER)
        .arg("--basic-password")
        .arg(PASSWORD)
        .args(extra)
        .current_dir(ctx.work.as_path());
    clean_env(&mut command);
    if let Some(filter) = filter.or(ctx.server_log.as_deref()) {
        command.env("RUST_LOG", filter);
    }
    let mut server = Proc::spawn("obakit serve", command, log)?;
    server
        .wait_ready(
            &format!("http://127.0.0.1:{port}/ping"),
            Duration::from_secs(60),
        )
        .await?;
    Ok(server)
}

/// Children see none of the caller's obakit settings or log filter: shipped defaults only.
pub(crate) fn clean_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("OBAKIT_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
}

/// A UC2 order: a new fleet of `quantity` licenses for the bench customer.
pub(crate) fn uc2(external_id: &str, quantity: u32) -> serde_json::Value {
    json!({
        "externalReference": {"type": "orange", "id": external_id},
        "category": "production",
        "customer": {
            "externalReference": {"type": "orange", "id": "CUST-BENCH"},
            "tradingName": "Bench Customer"
        },
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {
                "name": "Business App Starter",
                "externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}
            },
            "productRef": {"userServiceQuantity": quantity}
        }]
    })
}

pub(crate) fn order_id() -> String {
    format!("CMD-BENCH-{}", uuid::Uuid::now_v7().simple())
}

/// A placed order: its id, its fleet and its licenses.
pub(crate) struct Placed {
    pub(crate) order: String,
    pub(crate) fleet: String,
    pub(crate) licenses: Vec<String>,
    pub(crate) ms: f64,
}

pub(crate) async fn place(partner: &Partner, quantity: u32) -> anyhow::Result<Placed> {
    let body = serde_json::to_vec(&uc2(&order_id(), quantity))?;
    let answer = partner
        .post_json("/productordering/v2/productOrder", body)
        .await?;
    anyhow::ensure!(
        answer.status == 201,
        "order of {quantity}: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body[..answer.body.len().min(500)])
    );
    let json: serde_json::Value = serde_json::from_slice(&answer.body)?;
    let state = json["state"].as_str().unwrap_or_default();
    anyhow::ensure!(
        state == "completed",
        "order of {quantity} answered {state}: {json}"
    );
    let product_ref = &json["orderItem"][0]["productRef"];
    Ok(Placed {
        order: json["id"].as_str().unwrap_or_default().to_owned(),
        fleet: product_ref["id"].as_str().unwrap_or_default().to_owned(),
        licenses: product_ref["userService"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        ms: answer.ms,
    })
}

/// Runs `obakit-bench baseline <args>` pinned to the server CPU and reads its samples.
pub(crate) fn baseline(ctx: &Ctx, args: &[&str]) -> anyhow::Result<Samples> {
    let mut command = procs::pinned(ctx.server_cpu, &ctx.me);
    command.arg("baseline").args(args);
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    anyhow::ensure!(
        output.status.success(),
        "baseline {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("baseline output: {stdout}"))
}

pub(crate) fn log_path(ctx: &Ctx, name: &str) -> std::path::PathBuf {
    ctx.work.join("logs").join(format!("{name}.log"))
}

pub(crate) async fn figures(
    ctx: &Ctx,
    backend: Backend,
    wanted: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Vec<Figure>> {
    let b = backend.name();
    eprintln!("[{b}] server figures: preparing a fresh database");
    let db = BenchDb::fresh(backend, "server", &ctx.work.join("db"), &ctx.postgres_url).await?;
    let port = ctx.port;
    let server = start_obakit(
        ctx,
        &db.url,
        port,
        &[],
        &log_path(ctx, &format!("obakit-{b}")),
    )
    .await?;
    let partner = Partner::new(&format!("http://127.0.0.1:{port}"), USER, PASSWORD)?;
    let fleet = place(&partner, 10_000).await?;
    let small = place(&partner, 1).await?;
    eprintln!(
        "[{b}] fleet of 10,000 licenses ready ({} ms for the order)",
        number(fleet.ms)
    );
    let mut figures = Vec::new();

    if wanted("http") {
        figures.extend(small_answers(ctx, backend, &partner, server.pid(), &db.url, &fleet).await?);
    }
    if wanted("fleet") {
        figures.push(fleet_p99(ctx, backend, &partner, &db, &fleet).await?);
    }
    if wanted("writes") {
        figures.push(order_10k(ctx, backend, &partner, &db, &fleet, &small).await?);
        figures.push(update_10k(ctx, backend, &partner, &db, &fleet).await?);
    }
    if wanted("fleet") {
        let big = place(&partner, 100_000).await?;
        eprintln!(
            "[{b}] fleet of 100,000 licenses ready ({} ms for the order)",
            number(big.ms)
        );
        server.stop()?;
        figures.push(fleet_memory(ctx, backend, &db, &big, &small).await?);
    } else {
        server.stop()?;
    }
    db.drop_schema().await?;
    Ok(figures)
}

/// `ping` and GET one license: obakit's throughput against hyper answering the same bytes.
async fn small_answers(
    ctx: &Ctx,
    backend: Backend,
    partner: &Partner,
    server_pid: u32,
    database_url: &str,
    fleet: &Placed,
) -> anyhow::Result<Vec<Figure>> {
    let b = backend.name();
    let one = format!("/userservice/v2/userService/{}", fleet.licenses[0]);
    let mut answers = serde_json::Map::new();
    for path in ["/ping", one.as_str()] {
        let answer = partner.get(path).await?;
        anyhow::ensure!(answer.status == 200, "GET {path}: {}", answer.status);
        answers.insert(
            path.to_owned(),
            json!({
                "status": answer.status,
                "contentType": answer.content_type,
                "body": String::from_utf8_lossy(&answer.body),
            }),
        );
    }
    let answers_file = ctx.work.join(format!("hyper-answers-{b}.json"));
    std::fs::write(&answers_file, serde_json::to_vec(&answers)?)?;
    let hyper_port = ctx.port + 1;
    let mut command = procs::pinned(ctx.server_cpu, &ctx.hyper);
    command
        .arg("--listen")
        .arg(format!("127.0.0.1:{hyper_port}"))
        .arg("--answers")
        .arg(&answers_file);
    let mut hyper = Proc::spawn(
        "hyper baseline",
        command,
        &log_path(ctx, &format!("hyper-{b}")),
    )?;
    hyper
        .wait_ready(
            &format!("http://127.0.0.1:{hyper_port}/ping"),
            Duration::from_secs(20),
        )
        .await?;
    let auth = [partner.auth_header()];
    let hyper_at = |path: &str| Endpoint {
        url: format!("http://127.0.0.1:{hyper_port}{path}"),
        pid: hyper.pid(),
    };
    let ours_at = |path: &str| Endpoint {
        url: format!("http://127.0.0.1:{}{path}", ctx.port),
        pid: server_pid,
    };
    // PostgreSQL answers over a socket where SQLite reads a page in process.
    let license_target = match backend {
        Backend::Sqlite => 0.5,
        Backend::Postgres => 0.35,
    };
    let mut figures = vec![
        versus_hyper(
            ctx,
            b,
            "ping",
            &auth,
            &ours_at("/ping"),
            &hyper_at("/ping"),
            0.6,
        )?,
        versus_hyper(
            ctx,
            b,
            "GET one license",
            &auth,
            &ours_at(&one),
            &hyper_at(&one),
            license_target,
        )?,
    ];
    // The same ping from a server whose request log lines are filtered out, on the next free
    // port: what the per-request log costs.
    let quiet_port = ctx.port + 3;
    let quiet = start_obakit_logging(
        ctx,
        database_url,
        quiet_port,
        &[],
        &log_path(ctx, &format!("obakit-quiet-{b}")),
        Some(REQUEST_LOGS_OFF),
    )
    .await?;
    figures.push(versus_hyper(
        ctx,
        b,
        "ping, request logs off",
        &auth,
        &Endpoint {
            url: format!("http://127.0.0.1:{quiet_port}/ping"),
            pid: quiet.pid(),
        },
        &hyper_at("/ping"),
        0.8,
    )?);
    quiet.stop()?;
    hyper.stop()?;
    Ok(figures)
}

/// The shipped level without the one line each answered request logs (`request_id.rs`).
const REQUEST_LOGS_OFF: &str = "info,obakit_server::http::request_id=warn";

/// Where one side of a comparison listens, and its process (whose CPU is measured).
struct Endpoint {
    url: String,
    pid: u32,
}

/// Requests per second of server CPU at `ours` against the bare hyper server at `hyper`,
/// answering the same bytes, over `ctx.rounds` rounds after a warm-up.
fn versus_hyper(
    ctx: &Ctx,
    b: &str,
    label: &str,
    auth: &[(String, String)],
    ours: &Endpoint,
    hyper: &Endpoint,
    target: f64,
) -> anyhow::Result<Figure> {
    let tool = ctx
        .tool
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no load tool"))?;
    // Warm-up: connections, caches, the allocator's pools.
    let warm = Duration::from_secs(2);
    tool.throughput(&ours.url, auth, ctx.connections, warm, ctx.load_cpu)?;
    tool.throughput(&hyper.url, auth, ctx.connections, warm, ctx.load_cpu)?;
    let mut rounds = Vec::new();
    let mut notes = Vec::new();
    let mut raw = Vec::new();
    for round in 0..ctx.rounds {
        let (mine, my_cpu) = measured(ours.pid, || {
            tool.throughput(
                &ours.url,
                auth,
                ctx.connections,
                ctx.throughput_for,
                ctx.load_cpu,
            )
        })?;
        let (theirs, their_cpu) = measured(hyper.pid, || {
            tool.throughput(
                &hyper.url,
                auth,
                ctx.connections,
                ctx.throughput_for,
                ctx.load_cpu,
            )
        })?;
        eprintln!(
            "[{b}] {label} round {}: obakit {} req/s (p99 {} ms, CPU {:.0}%, errors {}), hyper {} req/s (p99 {} ms, CPU {:.0}%, errors {})",
            round + 1,
            number(mine.rps),
            number(mine.p99_ms),
            my_cpu * 100.0,
            mine.errors,
            number(theirs.rps),
            number(theirs.p99_ms),
            their_cpu * 100.0,
            theirs.errors
        );
        anyhow::ensure!(
            mine.errors == 0,
            "{label}: obakit answered {} errors",
            mine.errors
        );
        // Requests per second of server CPU: the load generator has one CPU too and cannot
        // saturate a bare hyper server, so raw req/s would compare the generator with itself.
        rounds.push((mine.rps / my_cpu, theirs.rps / their_cpu));
        notes.push((mine.p99_ms, theirs.p99_ms, my_cpu, their_cpu));
        raw.push((mine.rps, theirs.rps));
    }
    let p99 = median(&notes.iter().map(|n| n.0).collect::<Vec<_>>());
    let hyper_p99 = median(&notes.iter().map(|n| n.1).collect::<Vec<_>>());
    let cpu = median(&notes.iter().map(|n| n.2).collect::<Vec<_>>());
    let hyper_cpu = median(&notes.iter().map(|n| n.3).collect::<Vec<_>>());
    Ok(Figure::from_rounds(
        format!("{label}, req/s per server CPU"),
        b,
        "req/s",
        "bare hyper",
        &rounds,
        Target::RatioAtLeast(target),
    )
    .with_note(format!(
        "{} -c {}: {} vs {} req/s at server CPU {:.0}% vs {:.0}%; p99 {} vs {} ms",
        tool.name(),
        ctx.connections,
        number(median(&raw.iter().map(|r| r.0).collect::<Vec<_>>())),
        number(median(&raw.iter().map(|r| r.1).collect::<Vec<_>>())),
        cpu * 100.0,
        hyper_cpu * 100.0,
        number(p99),
        number(hyper_p99)
    )))
}

/// Runs `f` and returns its result with the CPU share `pid` used meanwhile (1.0 = one CPU).
fn measured<T>(pid: u32, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64)> {
    let before = procs::cpu_seconds(pid)?;
    let start = Instant::now();
    let result = f()?;
    let wall = start.elapsed().as_secs_f64();
    let after = procs::cpu_seconds(pid)?;
    Ok((result, (after - before) / wall))
}

/// GET a fleet of 10,000 licenses: p99 against the same SELECT + serde_json in process.
async fn fleet_p99(
    ctx: &Ctx,
    backend: Backend,
    partner: &Partner,
    db: &BenchDb,
    fleet: &Placed,
) -> anyhow::Result<Figure> {
    let b = backend.name();
    let path = format!("/userservice/v2/userService?productRefId={}", fleet.fleet);
    let n = ctx.samples(100, 30);
    let first = partner.get(&path).await?;
    anyhow::ensure!(first.status == 200, "GET fleet: {}", first.status);
    let count = serde_json::from_slice::<Vec<serde_json::Value>>(&first.body)?.len();
    anyhow::ensure!(count == 10_000, "GET fleet answered {count} licenses");
    partner.get(&path).await?;
    let mut rounds = Vec::new();
    let mut p50s = Vec::new();
    let mut baseline_bytes = 0;
    for round in 0..ctx.rounds {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let answer = partner.get(&path).await?;
            anyhow::ensure!(answer.status == 200, "GET fleet: {}", answer.status);
            ms.push(answer.ms);
        }
        let base = baseline(
            ctx,
            &[
                "select",
                "--url",
                &db.url,
                "--fleet",
                &fleet.fleet,
                "--iterations",
                &n.to_string(),
            ],
        )?;
        baseline_bytes = base.bytes;
        let (p99, base_p99) = (percentile(&ms, 99.0), percentile(&base.ms, 99.0));
        p50s.push((percentile(&ms, 50.0), percentile(&base.ms, 50.0)));
        eprintln!(
            "[{b}] GET fleet 10k round {}: obakit p99 {} ms (p50 {}), baseline p99 {} ms (p50 {})",
            round + 1,
            number(p99),
            number(percentile(&ms, 50.0)),
            number(base_p99),
            number(percentile(&base.ms, 50.0))
        );
        rounds.push((p99, base_p99));
    }
    Ok(Figure::from_rounds(
        "GET fleet of 10,000 licenses, p99",
        b,
        "ms",
        "SELECT+serde",
        &rounds,
        Target::RatioAtMost(3.0),
    )
    .with_note(format!(
        "{n} requests/round; p50 {} vs {} ms; body {} MB vs {} MB",
        number(median(&p50s.iter().map(|p| p.0).collect::<Vec<_>>())),
        number(median(&p50s.iter().map(|p| p.1).collect::<Vec<_>>())),
        number(first.body.len() as f64 / 1e6),
        number(baseline_bytes as f64 / 1e6)
    )))
}

/// GET a fleet of 100,000 licenses on a freshly started server: peak RSS growth against the
/// size of the body answered.
async fn fleet_memory(
    ctx: &Ctx,
    backend: Backend,
    db: &BenchDb,
    big: &Placed,
    small: &Placed,
) -> anyhow::Result<Figure> {
    let b = backend.name();
    let path = format!("/userservice/v2/userService?productRefId={}", big.fleet);
    let mut rounds = Vec::new();
    let mut times = Vec::new();
    for round in 0..ctx.rounds {
        let server = start_obakit(
            ctx,
            &db.url,
            ctx.port,
            &[],
            &log_path(ctx, &format!("obakit-{b}-memory")),
        )
        .await?;
        let partner = Partner::new(&format!("http://127.0.0.1:{}", ctx.port), USER, PASSWORD)?;
        // Warm: pools connected, a fleet answered once.
        partner
            .get(&format!(
                "/userservice/v2/userService?productRefId={}",
                small.fleet
            ))
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = server.rss()?;
        server.reset_peak()?;
        let answer = partner.get(&path).await?;
        anyhow::ensure!(answer.status == 200, "GET fleet 100k: {}", answer.status);
        let peak = server.peak_rss()?;
        let growth = peak.saturating_sub(before) as f64 / 1e6;
        let body = answer.body.len() as f64 / 1e6;
        eprintln!(
            "[{b}] GET fleet 100k round {}: RSS {} MB -> peak {} MB (+{} MB) for a body of {} MB in {} ms",
            round + 1,
            number(before as f64 / 1e6),
            number(peak as f64 / 1e6),
            number(growth),
            number(body),
            number(answer.ms)
        );
        rounds.push((growth, body));
        times.push(answer.ms);
        server.stop()?;
    }
    Ok(Figure::from_rounds(
        "GET fleet of 100,000 licenses, peak RSS growth",
        b,
        "MB",
        "body size",
        &rounds,
        Target::RatioAtMost(4.0),
    )
    .with_note(format!(
        "fresh server each round; answered in {} ms",
        number(median(&times))
    )))
}

/// UC2 order of 10,000 licenses: median against a raw batch INSERT of the same rows.
async fn order_10k(
    ctx: &Ctx,
    backend: Backend,
    partner: &Partner,
    db: &BenchDb,
    fleet: &Placed,
    small: &Placed,
) -> anyhow::Result<Figure> {
    let b = backend.name();
    let n = ctx.samples(5, 3);
    let mut rounds = Vec::new();
    for round in 0..ctx.rounds {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let placed = place(partner, 10_000).await?;
            anyhow::ensure!(
                placed.licenses.len() == 10_000,
                "order answered {} licenses",
                placed.licenses.len()
            );
            ms.push(placed.ms);
        }
        let base = baseline(
            ctx,
            &[
                "insert",
                "--url",
                &db.url,
                "--from-fleet",
                &fleet.fleet,
                "--to-fleet",
                &small.fleet,
                "--to-order",
                &small.order,
                "--iterations",
                &n.to_string(),
            ],
        )?;
        let (ours, theirs) = (median(&ms), median(&base.ms));
        eprintln!(
            "[{b}] order 10k round {}: obakit {} ms, batch INSERT {} ms",
            round + 1,
            number(ours),
            number(theirs)
        );
        rounds.push((ours, theirs));
    }
    Ok(Figure::from_rounds(
        "UC2 order of 10,000 licenses, median",
        b,
        "ms",
        "batch INSERT",
        &rounds,
        Target::RatioAtMost(2.0),
    )
    .with_note(format!("{n} orders/round, end to end over HTTP")))
}

/// Update of 10,000 licenses: median against a raw batch UPDATE of the same rows.
async fn update_10k(
    ctx: &Ctx,
    backend: Backend,
    partner: &Partner,
    db: &BenchDb,
    fleet: &Placed,
) -> anyhow::Result<Figure> {
    let b = backend.name();
    // Even, so that the licenses end active as they started.
    let n = ctx.samples(6, 2) / 2 * 2;
    let body = |state: &str| -> anyhow::Result<Vec<u8>> {
        let items: Vec<serde_json::Value> = fleet
            .licenses
            .iter()
            .map(|id| json!({"id": id, "externalState": state}))
            .collect();
        Ok(serde_json::to_vec(&json!({ "userService": items }))?)
    };
    let (suspend, activate) = (body("suspended")?, body("active")?);
    let mut rounds = Vec::new();
    for round in 0..ctx.rounds {
        let mut ms = Vec::with_capacity(n);
        for i in 0..n {
            let request = if i % 2 == 0 { &suspend } else { &activate };
            let answer = partner
                .post_json("/userservice/v2/userService/update", request.clone())
                .await?;
            anyhow::ensure!(answer.status == 200, "update: {}", answer.status);
            let json: serde_json::Value = serde_json::from_slice(&answer.body)?;
            anyhow::ensure!(
                json["state"] == "completed",
                "update answered {}",
                json["state"]
            );
            ms.push(answer.ms);
        }
        let base = baseline(
            ctx,
            &[
                "update",
                "--url",
                &db.url,
                "--fleet",
                &fleet.fleet,
                "--iterations",
                &n.to_string(),
            ],
        )?;
        let (ours, theirs) = (median(&ms), median(&base.ms));
        eprintln!(
            "[{b}] update 10k round {}: obakit {} ms, batch UPDATE {} ms",
            round + 1,
            number(ours),
            number(theirs)
        );
        rounds.push((ours, theirs));
    }
    Ok(Figure::from_rounds(
        "update of 10,000 licenses, median",
        b,
        "ms",
        "batch UPDATE",
        &rounds,
        Target::RatioAtMost(3.0),
    )
    .with_note(format!(
        "{n} updates/round alternating suspended/active; body {} KB",
        suspend.len() / 1000
    )))
}
