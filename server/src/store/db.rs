//! The connection to the database: backend detection, pools, the single SQLite writer and the
//! migrations run at connect.
//!
//! SQLite allows one writer at a time; two connections writing at once is what produces
//! "database is locked". So on SQLite every write transaction goes through one connection (a pool
//! of one) behind a FIFO tokio mutex that waits without a time limit, while reads use a separate
//! pool of read-only connections that WAL lets run beside the writer. PostgreSQL needs none of
//! this: one pool, row locks and unique constraints.

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, SqlSafeStr, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::StoreError;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names, if any.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// Row locking for read-modify-write; SQLite's single writer already serializes.
    pub(crate) fn for_update(self, table: &str) -> String {
        match self {
            Self::Sqlite => String::new(),
            Self::Postgres => format!(" FOR UPDATE OF {table}"),
        }
    }
}

/// The migrations, embedded so the binary needs no files beside it. Same versions on both
/// backends; the files follow sqlx-cli's naming so its tooling can read them too.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "replays and event order",
        include_str!("../../migrations/sqlite/0002_replays_and_event_order.sql"),
        include_str!("../../migrations/postgres/0002_replays_and_event_order.sql"),
    ),
    (
        3,
        "optional trading name",
        include_str!("../../migrations/sqlite/0003_optional_trading_name.sql"),
        include_str!("../../migrations/postgres/0003_optional_trading_name.sql"),
    ),
];

/// WAL lets readers run beside the writer; FULL makes every answered write survive a power
/// loss; the busy timeout covers the rare moments (checkpoints) when readers wait.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";
const SQLITE_READER_PRAGMAS: &str =
    "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA query_only = ON;";

/// Readers on SQLite, and connections on PostgreSQL.
const POOL_SIZE: u32 = 8;
/// How long a PostgreSQL caller waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// The SQLite writer is reached through the mutex, so its pool never has a queue; a long timeout
/// only covers reconnecting.
const WRITER_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(600);

pub(crate) struct Db {
    pub(crate) backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// SQLite only: the queue in front of the single writer connection.
    writer: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds the writer's turn until dropped.
pub(crate) struct WriteTx {
    // Declared first so that an uncommitted transaction rolls back before the turn is released.
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Db {
    pub(crate) async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        let db = match backend {
            Backend::Sqlite => Self::connect_sqlite(url).await?,
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POOL_SIZE)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await?;
                Self {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    writer: None,
                }
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn connect_sqlite(url: &str) -> Result<Self, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // A file database is created at first start unless the URL says otherwise.
        let url = if in_memory || url.contains("mode=") {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        let write = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(WRITER_ACQUIRE_TIMEOUT)
            // An in-memory database lives only as long as its connection.
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql(SQLITE_WRITER_PRAGMAS).execute(conn).await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        // Each connection to `:memory:` is its own database: readers must share the writer.
        let read = if in_memory {
            write.clone()
        } else {
            AnyPoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::raw_sql(SQLITE_READER_PRAGMAS).execute(conn).await?;
                        Ok(())
                    })
                })
                .connect_lazy(&url)?
        };
        Ok(Self {
            backend: Backend::Sqlite,
            read,
            write,
            writer: Some(Arc::new(Mutex::new(()))),
        })
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, description, sqlite, postgres)| {
                let sql = match self.backend {
                    Backend::Sqlite => sqlite,
                    Backend::Postgres => postgres,
                };
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        let _turn = self.turn().await;
        Migrator::with_migrations(migrations)
            .run(&self.write)
            .await?;
        Ok(())
    }

    /// Waits for the writer's turn (SQLite) and begins a write transaction.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = self.turn().await;
        // SQLite: take the write lock at BEGIN. A deferred transaction that reads first cannot
        // wait for another process's writer when it upgrades (SQLITE_BUSY at once); IMMEDIATE
        // waits under the busy timeout instead. Within one process the turn already serializes.
        let tx = match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    async fn turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(writer) => Some(Arc::clone(writer).lock_owned().await),
            None => None,
        }
    }

    /// The pool for reads outside a write transaction.
    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
