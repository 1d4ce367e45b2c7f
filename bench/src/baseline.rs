//! The in-process baselines: what the database work of a figure costs with no HTTP, no JSON
//! request parsing and no obakit code in between. `obakit-bench baseline …` runs them in a process
//! of its own, pinned to the CPU the server is pinned to, and prints one JSON line of samples.
//!
//! All of them use sqlx's typed driver of the backend, as obakit's store does, on the same database
//! the server uses, and the SQLite writer pragmas the server uses (WAL, `synchronous = FULL`).

use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use futures_util::StreamExt;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::db::{self, Backend, TypedPool, typed};

#[derive(Debug, Args)]
pub(crate) struct BaselineArgs {
    #[command(subcommand)]
    which: Which,
}

#[derive(Debug, Subcommand)]
enum Which {
    /// The visible licenses of a fleet: the server's SELECT, rows into structs, serde_json.
    Select {
        #[arg(long)]
        url: String,
        #[arg(long)]
        fleet: String,
        #[arg(long, default_value_t = 100)]
        iterations: usize,
    },
    /// A batch INSERT of copies of a fleet's license rows (fresh ids) in one transaction.
    Insert {
        #[arg(long)]
        url: String,
        /// The fleet whose rows are copied.
        #[arg(long)]
        from_fleet: String,
        /// The fleet and order the copies belong to.
        #[arg(long)]
        to_fleet: String,
        #[arg(long)]
        to_order: String,
        #[arg(long, default_value_t = 5)]
        iterations: usize,
    },
    /// A batch UPDATE of every license of a fleet (state, external state, update time) in one
    /// transaction, alternating between suspended and active.
    Update {
        #[arg(long)]
        url: String,
        #[arg(long)]
        fleet: String,
        #[arg(long, default_value_t = 6)]
        iterations: usize,
    },
    /// The same event bodies posted straight to the gateway with the server's own client and
    /// token cache: delivery without the outbox.
    PostEvents {
        /// Gateway base URL (obakit mock-orange).
        #[arg(long)]
        gateway: String,
        /// A JSON array of ProductOrderEvent bodies.
        #[arg(long)]
        bodies: std::path::PathBuf,
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        #[arg(long, default_value = "obakit")]
        client_id: String,
        #[arg(long, default_value = "obakit-secret")]
        client_secret: String,
        #[arg(long, default_value = "mba2-beta")]
        offer: String,
    },
}

/// What a baseline prints: one sample per iteration, in milliseconds.
#[derive(Debug, Serialize, serde::Deserialize)]
pub(crate) struct Samples {
    pub(crate) ms: Vec<f64>,
    /// Bytes produced per iteration (the JSON body of `select`).
    pub(crate) bytes: usize,
    /// Rows touched per iteration.
    pub(crate) rows: usize,
    /// Wall time of all iterations (for rates), in milliseconds.
    pub(crate) total_ms: f64,
}

pub(crate) fn run(args: BaselineArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let samples = runtime.block_on(async {
        match args.which {
            Which::Select {
                url,
                fleet,
                iterations,
            } => select(&url, &fleet, iterations).await,
            Which::Insert {
                url,
                from_fleet,
                to_fleet,
                to_order,
                iterations,
            } => insert(&url, &from_fleet, &to_fleet, &to_order, iterations).await,
            Which::Update {
                url,
                fleet,
                iterations,
            } => update(&url, &fleet, iterations).await,
            Which::PostEvents {
                gateway,
                bodies,
                concurrency,
                client_id,
                client_secret,
                offer,
            } => {
                post_events(
                    &gateway,
                    &bodies,
                    concurrency,
                    &client_id,
                    &client_secret,
                    &offer,
                )
                .await
            }
        }
    })?;
    println!("{}", serde_json::to_string(&samples)?);
    Ok(())
}

/// The license columns, as the server reads and writes them.
const COLUMNS: [&str; 15] = [
    "id",
    "fleet_id",
    "order_id",
    "state",
    "external_state",
    "terminated_at",
    "offer_code",
    "offer_name",
    "end_user",
    "realizing_resource",
    "login_key",
    "login_value",
    "characteristics",
    "created_at",
    "updated_at",
];

/// The server's fleet query (server/src/store/licenses.rs, `visible_by_fleet`).
const FLEET_SELECT: &str = "SELECT l.id, l.fleet_id, l.order_id, l.state, l.external_state, \
     l.terminated_at, l.offer_code, l.offer_name, l.end_user, l.realizing_resource, l.login_key, \
     l.login_value, l.characteristics, l.created_at, l.updated_at \
     FROM licenses l JOIN orders o ON o.id = l.order_id \
     WHERE l.fleet_id = $1 AND o.state = 'completed' AND l.terminated_at IS NULL ORDER BY l.id";

/// A license row as plain strings, serialized as is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LicenseRow {
    id: String,
    fleet_id: String,
    order_id: String,
    state: String,
    external_state: Option<String>,
    terminated_at: Option<String>,
    offer_code: String,
    offer_name: Option<String>,
    end_user: Option<String>,
    realizing_resource: Option<String>,
    login_key: Option<String>,
    login_value: Option<String>,
    characteristics: String,
    created_at: String,
    updated_at: String,
}

/// A [`LicenseRow`] from a row of either backend.
macro_rules! license_row {
    ($row:expr) => {
        LicenseRow {
            id: $row.try_get("id")?,
            fleet_id: $row.try_get("fleet_id")?,
            order_id: $row.try_get("order_id")?,
            state: $row.try_get("state")?,
            external_state: $row.try_get("external_state")?,
            terminated_at: $row.try_get("terminated_at")?,
            offer_code: $row.try_get("offer_code")?,
            offer_name: $row.try_get("offer_name")?,
            end_user: $row.try_get("end_user")?,
            realizing_resource: $row.try_get("realizing_resource")?,
            login_key: $row.try_get("login_key")?,
            login_value: $row.try_get("login_value")?,
            characteristics: $row.try_get("characteristics")?,
            created_at: $row.try_get("created_at")?,
            updated_at: $row.try_get("updated_at")?,
        }
    };
}

const WARMUP: usize = 2;

async fn select(url: &str, fleet: &str, iterations: usize) -> anyhow::Result<Samples> {
    let pool = db::connect_typed(url).await?;
    let mut ms = Vec::with_capacity(iterations);
    let mut bytes = 0;
    let mut rows = 0;
    let all = Instant::now();
    for i in 0..iterations + WARMUP {
        let start = Instant::now();
        let licenses = typed!(&pool, |pool| {
            let fetched = sqlx::query(FLEET_SELECT)
                .bind(fleet.to_owned())
                .fetch_all(pool)
                .await?;
            fetched
                .iter()
                .map(|row| Ok(license_row!(row)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let body = serde_json::to_vec(&licenses)?;
        let elapsed = start.elapsed();
        bytes = body.len();
        rows = licenses.len();
        if i >= WARMUP {
            ms.push(millis(elapsed));
        }
    }
    Ok(Samples {
        ms,
        bytes,
        rows,
        total_ms: millis(all.elapsed()),
    })
}

/// Rows per statement, as the server batches (server/src/store/sql.rs).
const ROWS_PER_STATEMENT: usize = 1_000;

/// `(p,p,…),(…)`: `?` on SQLite (positional), `$n` on PostgreSQL, as the server writes them.
fn values_list(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ",(" });
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

async fn fleet_rows(pool: &TypedPool, fleet: &str) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    let statement = format!(
        "SELECT {} FROM licenses WHERE fleet_id = $1 ORDER BY id",
        COLUMNS.join(", ")
    );
    typed!(pool, |pool| {
        let rows = sqlx::query(AssertSqlSafe(statement))
            .bind(fleet.to_owned())
            .fetch_all(pool)
            .await?;
        rows.iter()
            .map(|row| {
                (0..COLUMNS.len())
                    .map(|i| Ok(row.try_get::<Option<String>, _>(i)?))
                    .collect()
            })
            .collect()
    })
}

async fn insert(
    url: &str,
    from_fleet: &str,
    to_fleet: &str,
    to_order: &str,
    iterations: usize,
) -> anyhow::Result<Samples> {
    let backend = Backend::of_url(url);
    let pool = db::connect_typed(url).await?;
    let template = fleet_rows(&pool, from_fleet).await?;
    anyhow::ensure!(!template.is_empty(), "fleet {from_fleet} has no licenses");
    let mut ms = Vec::with_capacity(iterations);
    let all = Instant::now();
    for i in 0..iterations + 1 {
        // Ids are made before the clock starts: the server makes them too, but outside SQL.
        let ids: Vec<String> = (0..template.len())
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        let start = Instant::now();
        typed!(&pool, |pool| {
            let mut tx = pool.begin().await?;
            for (chunk, chunk_ids) in template
                .chunks(ROWS_PER_STATEMENT)
                .zip(ids.chunks(ROWS_PER_STATEMENT))
            {
                let statement = format!(
                    "INSERT INTO licenses ({}) VALUES {}",
                    COLUMNS.join(", "),
                    values_list(backend, chunk.len(), COLUMNS.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(statement));
                for (row, id) in chunk.iter().zip(chunk_ids) {
                    query = query
                        .bind(id.clone())
                        .bind(to_fleet.to_owned())
                        .bind(to_order.to_owned());
                    for value in &row[3..] {
                        query = query.bind(value.clone());
                    }
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        // The first iteration warms the statement cache and the pages.
        if i > 0 {
            ms.push(millis(start.elapsed()));
        }
    }
    Ok(Samples {
        ms,
        bytes: 0,
        rows: template.len(),
        total_ms: millis(all.elapsed()),
    })
}

async fn update(url: &str, fleet: &str, iterations: usize) -> anyhow::Result<Samples> {
    let backend = Backend::of_url(url);
    let pool = db::connect_typed(url).await?;
    let ids: Vec<String> = typed!(&pool, |pool| {
        sqlx::query("SELECT id FROM licenses WHERE fleet_id = $1 ORDER BY id")
            .bind(fleet.to_owned())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?
    });
    anyhow::ensure!(!ids.is_empty(), "fleet {fleet} has no licenses");
    let mut ms = Vec::with_capacity(iterations);
    let all = Instant::now();
    // An even number of rounds after the warm-up leaves the licenses active, as they were.
    for i in 0..iterations + 2 {
        let (state, external) = if i % 2 == 0 {
            ("inactive", "suspended")
        } else {
            ("active", "active")
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let start = Instant::now();
        typed!(&pool, |pool| {
            let mut tx = pool.begin().await?;
            for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                let statement = format!(
                    "UPDATE licenses SET state = v.column2, external_state = v.column3, \
                     updated_at = v.column4 FROM (VALUES {}) AS v WHERE licenses.id = v.column1",
                    values_list(backend, chunk.len(), 4)
                );
                let mut query = sqlx::query(AssertSqlSafe(statement));
                for id in chunk {
                    query = query
                        .bind(id.clone())
                        .bind(state)
                        .bind(external)
                        .bind(now.clone());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        if i >= 2 {
            ms.push(millis(start.elapsed()));
        }
    }
    Ok(Samples {
        ms,
        bytes: 0,
        rows: ids.len(),
        total_ms: millis(all.elapsed()),
    })
}

async fn post_events(
    gateway: &str,
    bodies: &std::path::Path,
    concurrency: usize,
    client_id: &str,
    client_secret: &str,
    offer: &str,
) -> anyhow::Result<Samples> {
    use obakit_api::common::types::Offer;
    use obakit_api::product_ordering::client::ProductOrderingOrangeClient;
    use obakit_api::product_ordering::types::ProductOrderEvent;
    use obakit_api::rt::ClientCore;
    use obakit_server::outbound::OAuthTokens;
    use poem_openapi::types::ParseFromJSON;

    let values: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(bodies)?)?;
    let events: Vec<ProductOrderEvent> = values
        .into_iter()
        .map(|v| {
            ProductOrderEvent::parse_from_json(Some(v))
                .map_err(|e| anyhow::anyhow!("event body: {}", e.into_message()))
        })
        .collect::<anyhow::Result<_>>()?;
    // As the dispatcher builds its client (server/src/outbound/dispatcher.rs).
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let tokens = std::sync::Arc::new(OAuthTokens::new(
        gateway,
        reqwest::Client::new(),
        client_id,
        client_secret,
    )?);
    let core = ClientCore::with_http(gateway, http)?.with_token_source(tokens);
    let client = ProductOrderingOrangeClient::from_core(core);
    let offer = Offer::from_wire(offer);
    // The token is fetched (and cached) before the clock starts.
    client
        .notify_product_order_event(offer.clone(), &events[0])
        .await?;
    let all = Instant::now();
    let ms: Vec<f64> = futures_util::stream::iter(events.iter())
        .map(|event| {
            let client = &client;
            let offer = offer.clone();
            async move {
                let start = Instant::now();
                client
                    .notify_product_order_event(offer, event)
                    .await
                    .map(|_| millis(start.elapsed()))
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(Samples {
        rows: ms.len(),
        ms,
        bytes: 0,
        total_ms: millis(all.elapsed()),
    })
}

pub(crate) fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
