//! The connection to the database: backend detection, pools, the single SQLite writer, the
//! migrations run at connect, and [`Conn`] with [`typed!`], through which the store's SQL runs on
//! sqlx's typed drivers.
//!
//! The pools are typed (`SqlitePool`, `PgPool`), not sqlx's `Any`: `Any` converts every bound
//! value and every column through its own representation, which cost more than the queries
//! themselves (reading one license took over three times a raw SQLite read). A query function is
//! still written once: [`typed!`] expands its body once per backend, each copy compiled against
//! that backend's connection, rows and arguments.
//!
//! SQLite allows one writer at a time; two connections writing at once is what produces
//! "database is locked". So on SQLite every write transaction goes through one connection (a pool
//! of one) behind a FIFO tokio mutex that waits without a time limit, while reads use a separate
//! pool of read-only connections that WAL lets run beside the writer. PostgreSQL needs none of
//! this: one pool, row locks and unique constraints.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Transaction;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{PgConnection, PgPool, Postgres, SqlSafeStr, Sqlite, SqliteConnection, SqlitePool};
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

/// How long a PostgreSQL connection sits idle in the pool before it is pinged when handed out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);
/// The SQLite writer is reached through the mutex, so its pool never has a queue; a long timeout
/// only covers reconnecting.
const WRITER_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(600);

/// A pool of either backend.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// A connection for reads outside a write transaction.
    pub(crate) async fn acquire(&self) -> Result<PooledConn, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => PooledConn::Sqlite(pool.acquire().await?),
            Self::Postgres(pool) => PooledConn::Postgres(pool.acquire().await?),
        })
    }

    async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// A connection taken from a [`Pool`], given back when dropped.
pub(crate) enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

/// A connection of either backend, borrowed for one call: what the store's query functions take.
/// Inside a write transaction it is the transaction's connection.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The same connection for one more call, so a function can pass it on several times.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

/// `typed!(conn, |c| body)`: `body` with `c` bound to the typed connection (`&mut
/// SqliteConnection` or `&mut PgConnection`) of the [`Conn`] `conn`. The body is expanded once
/// per backend, so its SQL and row reading are written once and each copy is compiled against
/// its own driver; it may use `.await` and `?` like the code around it.
macro_rules! typed {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::db::Conn::Sqlite($c) => $body,
            $crate::store::db::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use typed;

pub(crate) struct Db {
    pub(crate) backend: Backend,
    read: Pool,
    write: Pool,
    /// SQLite only: the queue in front of the single writer connection.
    writer: Option<Arc<Mutex<()>>>,
}

/// A write transaction of either backend.
enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction; on SQLite it also holds the writer's turn until dropped.
pub(crate) struct WriteTx {
    // Declared first so that an uncommitted transaction rolls back before the turn is released.
    tx: Tx,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.tx {
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    pub(crate) async fn connect(url: &str) -> Result<Self, StoreError> {
        let backend =
            Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        let db = match backend {
            Backend::Sqlite => Self::connect_sqlite(url).await?,
            Backend::Postgres => {
                let pool: PgPool = PgPoolOptions::new()
                    .max_connections(POOL_SIZE)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    // sqlx pings every connection it hands out: a round trip to the server per
                    // request, as costly as a small read itself. Only a connection idle long
                    // enough for the server to have gone away (a restart, a proxy's idle cut) is
                    // worth that check; a busy pool's connections were used moments ago.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PING_IF_IDLE_FOR {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect(url)
                    .await?;
                Self {
                    backend,
                    read: Pool::Postgres(pool.clone()),
                    write: Pool::Postgres(pool),
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
        let write = SqlitePoolOptions::new()
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
            SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                // A SQLite connection is a file in this process, with no far end to hang up:
                // sqlx's ping before each acquire would only be one more hop to the connection's
                // worker thread per request.
                .test_before_acquire(false)
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
            read: Pool::Sqlite(read),
            write: Pool::Sqlite(write),
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
        let migrator = Migrator::with_migrations(migrations);
        let _turn = self.turn().await;
        match &self.write {
            Pool::Sqlite(pool) => migrator.run(pool).await?,
            Pool::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }

    /// Waits for the writer's turn (SQLite) and begins a write transaction.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = self.turn().await;
        // SQLite: take the write lock at BEGIN. A deferred transaction that reads first cannot
        // wait for another process's writer when it upgrades (SQLITE_BUSY at once); IMMEDIATE
        // waits under the busy timeout instead. Within one process the turn already serializes.
        let tx = match &self.write {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
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
    pub(crate) fn reader(&self) -> &Pool {
        &self.read
    }

    /// A connection for reads outside a write transaction.
    pub(crate) async fn read(&self) -> Result<PooledConn, StoreError> {
        self.read.acquire().await
    }

    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
