//! Test support shared by every suite of the server: a database per test on SQLite (temporary
//! file) and on PostgreSQL (a schema of its own, dropped afterwards), order builders, a scripted
//! provisioner, a local HTTP listener standing in for a partner's provisioning webhook, the mock
//! Orange gateway, and the application started one way in process (`app`: built as `obakit serve`
//! builds it, served over HTTP) or as the binary (`process`: for what only the binary does). The
//! simulator's suites add an independent reference partner (`reference`) and the simulator's
//! configuration and command (`simulation`).

#![allow(dead_code, unreachable_pub)]

pub mod app;
pub mod builders;
pub mod hook;
pub mod mock;
pub mod process;
pub mod reference;
pub mod simulation;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use obakit_server::domain::Catalogue;
use obakit_server::provisioning::{Action, ProvisionError, ProvisionFuture, Provisioner};
use obakit_server::store::Store;
use obakit_server::usecase::UseCases;
use sqlx::Connection;

/// Where the PostgreSQL tests run; trust authentication, database `test`.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Turns each `async fn name(db: TestDb)` into two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::TestDb::sqlite()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::support::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )+
    };
}

/// A database of one test.
pub enum TestDb {
    Sqlite { dir: tempfile::TempDir },
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        Self::Sqlite { dir }
    }

    /// A fresh schema, or `None` (after saying so) when PostgreSQL cannot be reached and
    /// `OBAKIT_CI` is unset. With `OBAKIT_CI` set, an unreachable PostgreSQL fails the test.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("OBAKIT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
        let connected = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            sqlx::PgConnection::connect(&admin_url),
        )
        .await;
        let mut conn = match connected {
            Ok(Ok(conn)) => conn,
            Ok(Err(error)) => return unreachable(&admin_url, &error.to_string()),
            Err(_) => return unreachable(&admin_url, "no answer within 5 s"),
        };
        let schema = format!("obakit_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .execute(&mut conn)
            .await
            .expect("create the test schema");
        let _ = conn.close().await;
        Some(Self::Postgres { admin_url, schema })
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { dir } => format!("sqlite://{}", dir.path().join("obakit.db").display()),
            Self::Postgres { admin_url, schema } => {
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                format!("{admin_url}{separator}options[search_path]={schema}")
            }
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite { .. })
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url())
            .await
            .expect("connect the store")
    }

    /// Runs `sql` on a connection of its own, beside any store (to break or inspect a database
    /// the way nothing in the store would).
    pub async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Self::Sqlite { .. } => {
                let mut conn = self.sqlite_conn().await;
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("execute");
                let _ = conn.close().await;
            }
            Self::Postgres { .. } => {
                let mut conn = self.postgres_conn().await;
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("execute");
                let _ = conn.close().await;
            }
        }
    }

    /// The first column of every row `sql` returns, read on a connection of its own.
    pub async fn column<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
        T: Send + Unpin,
    {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Self::Sqlite { .. } => {
                let mut conn = self.sqlite_conn().await;
                let values = sqlx::query_scalar(sql).fetch_all(&mut conn).await;
                let _ = conn.close().await;
                values.expect("read a column")
            }
            Self::Postgres { .. } => {
                let mut conn = self.postgres_conn().await;
                let values = sqlx::query_scalar(sql).fetch_all(&mut conn).await;
                let _ = conn.close().await;
                values.expect("read a column")
            }
        }
    }

    async fn sqlite_conn(&self) -> sqlx::SqliteConnection {
        sqlx::SqliteConnection::connect(&self.url())
            .await
            .expect("connect to the SQLite test database")
    }

    async fn postgres_conn(&self) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.url())
            .await
            .expect("connect to the PostgreSQL test schema")
    }

    /// The use cases over a new store, recording provisioning and accepting every offer.
    pub async fn cases(&self) -> UseCases {
        UseCases::new(self.store().await)
    }

    pub async fn cases_with(
        &self,
        provisioner: Arc<dyn Provisioner>,
        catalogue: Catalogue,
    ) -> UseCases {
        self.cases()
            .await
            .with_provisioner(provisioner)
            .with_catalogue(catalogue)
    }
}

fn unreachable(url: &str, why: &str) -> Option<TestDb> {
    if std::env::var_os("OBAKIT_CI").is_some() {
        panic!("PostgreSQL at {url} is unreachable and OBAKIT_CI is set: {why}");
    }
    eprintln!("skipping the PostgreSQL run: {url} is unreachable ({why})");
    None
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Self::Postgres { admin_url, schema } = self else {
            return;
        };
        let (url, schema) = (admin_url.clone(), schema.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test schema");
            runtime.block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a PostgreSQL test schema: {dropped:?}");
        }
    }
}

/// A provisioner that records every action and refuses while told to.
#[derive(Default)]
pub struct Scripted {
    refuse: std::sync::atomic::AtomicBool,
    pub actions: Mutex<Vec<Action>>,
}

impl Scripted {
    pub fn refusing() -> Self {
        let scripted = Self::default();
        scripted.set_refusing(true);
        scripted
    }

    pub fn set_refusing(&self, refuse: bool) {
        self.refuse
            .store(refuse, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.actions
            .lock()
            .expect("actions lock")
            .iter()
            .map(Action::name)
            .collect()
    }
}

impl Provisioner for Scripted {
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a> {
        self.actions
            .lock()
            .expect("actions lock")
            .push(action.clone());
        let result = if self.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            Err(ProvisionError::Other("the partner's system said no".into()))
        } else {
            Ok(())
        };
        Box::pin(std::future::ready(result))
    }
}

/// Polls `done` every 20 ms until it holds; fails the test after `timeout`.
pub async fn wait_until(what: &str, timeout: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
