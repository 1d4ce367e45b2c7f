//! Fresh databases for each phase: a new SQLite file, or a new schema in the PostgreSQL database
//! (so the benchmark never touches other data there), and connections for the in-process
//! baselines set up the way the server sets up its own.

use std::path::Path;

use sqlx::AssertSqlSafe;
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection, PgPool, SqlitePool};

/// Which database a phase runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub(crate) fn of_url(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::Sqlite
        } else {
            Self::Postgres
        }
    }
}

/// A database made for one phase of the run.
pub(crate) struct BenchDb {
    /// What `obakit serve --database-url` and the baselines connect to.
    pub(crate) url: String,
    /// PostgreSQL: the base URL and the schema to drop afterwards.
    schema: Option<(String, String)>,
}

impl BenchDb {
    /// A new, empty database: `<dir>/<name>.db`, or the schema `obakit_bench_<name>`.
    pub(crate) async fn fresh(
        backend: Backend,
        name: &str,
        dir: &Path,
        postgres_url: &str,
    ) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                std::fs::create_dir_all(dir)?;
                let file = std::path::absolute(dir.join(format!("{name}.db")))?;
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
                Ok(Self {
                    url: format!("sqlite://{}", file.display()),
                    schema: None,
                })
            }
            Backend::Postgres => {
                sqlx::any::install_default_drivers();
                let schema = format!("obakit_bench_{name}");
                let mut conn = AnyConnection::connect(postgres_url).await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\""
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
                let separator = if postgres_url.contains('?') { '&' } else { '?' };
                Ok(Self {
                    url: format!("{postgres_url}{separator}options[search_path]={schema}"),
                    schema: Some((postgres_url.to_owned(), schema)),
                })
            }
        }
    }

    /// Removes the schema (PostgreSQL); SQLite files stay for inspection until the next run.
    pub(crate) async fn drop_schema(self) -> anyhow::Result<()> {
        if let Some((url, schema)) = self.schema {
            let mut conn = AnyConnection::connect(&url).await?;
            sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
            )))
            .execute(&mut conn)
            .await?;
            conn.close().await?;
        }
        Ok(())
    }
}

/// The pragmas obakit's SQLite writer runs with (server/src/store/db.rs): the baselines write
/// under the same durability.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";

/// A one-connection pool on sqlx's typed driver of the URL's backend, the drivers obakit's store
/// uses, set up as the server sets up its writer: what the baselines measure with.
pub(crate) enum TypedPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the typed pool of either backend: the code is written once
/// and compiled for each driver, as in the store (`server/src/store/db.rs`).
macro_rules! typed {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::TypedPool::Sqlite($p) => $body,
            $crate::db::TypedPool::Postgres($p) => $body,
        }
    };
}
pub(crate) use typed;

pub(crate) async fn connect_typed(url: &str) -> anyhow::Result<TypedPool> {
    Ok(match Backend::of_url(url) {
        Backend::Sqlite => TypedPool::Sqlite(
            PoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::raw_sql(SQLITE_WRITER_PRAGMAS).execute(conn).await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?,
        ),
        Backend::Postgres => {
            TypedPool::Postgres(PoolOptions::new().max_connections(1).connect(url).await?)
        }
    })
}

/// A one-connection pool through sqlx's `Any` driver, for the figures' own bookkeeping queries
/// (reading the outbox, listing licenses), which no figure times.
pub(crate) async fn connect(url: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let sqlite = Backend::of_url(url) == Backend::Sqlite;
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    sqlx::raw_sql(SQLITE_WRITER_PRAGMAS).execute(conn).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}
