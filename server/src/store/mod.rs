//! The store: SQLite (default) or PostgreSQL through sqlx, the only place with SQL.
//!
//! It holds repositories, not rules: one module per table group (`customers`, `licenses`,
//! `orders`, `updates`, `outbox`), whose functions run on a connection the caller holds, a read
//! ([`Store::read`]) or a write transaction ([`Store::begin_write`]). The use cases
//! (`crate::usecase`) decide what to read and write and when to commit; the store's own public
//! methods are the reads, the outbox and upkeep, each one statement or one transaction.
//!
//! Schema (`server/migrations/{sqlite,postgres}/`, run at connect): `customers`, `contacts`,
//! `orders` (with the request, the first answer and the current outcome), `fleets`, `licenses`,
//! `updates`, `outbox`. Ids are TEXT (partner ids are UUID v7); timestamps are TEXT, RFC 3339 UTC
//! with six fractional digits, on both backends (see `sql.rs` for why); JSON is TEXT.
//!
//! Writes on SQLite go through a single writer connection in FIFO order, so concurrent requests
//! queue instead of failing with "database is locked" (see `db.rs`).
//!
//! Queries run on sqlx's typed drivers (`sqlx::Sqlite`, `sqlx::Postgres`), each written once for
//! both: a query function takes a [`db::Conn`] and [`db::typed!`] expands its body per backend.

pub(crate) mod customers;
mod db;
mod error;
pub(crate) mod licenses;
pub(crate) mod orders;
pub(crate) mod outbox;
mod sql;
pub(crate) mod updates;
mod upkeep;

use std::sync::Arc;

pub use db::Backend;
pub(crate) use db::{Conn, PooledConn, WriteTx};
pub use error::StoreError;
pub use outbox::{NewEvent, OutboxEvent, OutboxState, new_event_id, no_events};
pub(crate) use sql::now;
pub use upkeep::OutboxStats;

use crate::domain::{Contact, Customer, CustomerId, Fleet, FleetId, License, LicenseId};

/// The partner server's storage. Cheap to clone; clones share the pools.
#[derive(Clone)]
pub struct Store {
    db: Arc<db::Db>,
    /// The Orange offer events are queued for (see [`Store::with_event_offer`]).
    event_offer: Option<Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects and migrates. `sqlite:path` (the file is created unless the URL sets `mode`),
    /// `sqlite::memory:`, or `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            db: Arc::new(db::Db::connect(url).await?),
            event_offer: None,
        })
    }

    /// Stores `offer` (`mba2`, `mba2-beta`) with every event queued from now on, so it is sent
    /// there even if the server is later configured for another offer.
    pub fn with_event_offer(mut self, offer: &str) -> Self {
        self.event_offer = Some(Arc::from(offer));
        self
    }

    /// The offer events enqueued now are stored with (see [`Store::with_event_offer`]).
    pub(crate) fn event_offer(&self) -> Option<&str> {
        self.event_offer.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    /// A connection for reads outside a write transaction.
    pub(crate) async fn read(&self) -> Result<PooledConn, StoreError> {
        self.db.read().await
    }

    /// A write transaction; on SQLite it waits for the single writer's turn (FIFO). Dropped
    /// without [`WriteTx::commit`], it rolls back.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        self.db.begin_write().await
    }

    /// Closes the pools (waits for connections in use to come back).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// The visible licenses of a fleet (not terminated, order completed), oldest first.
    pub async fn licenses_by_fleet(&self, fleet: &FleetId) -> Result<Vec<License>, StoreError> {
        let mut reader = self.db.read().await?;
        licenses::visible_by_fleet(reader.conn(), fleet).await
    }

    /// The same as [`Store::licenses_by_fleet`], handed over as they are read (a bounded
    /// channel): for answers too large to build in memory. Dropping the receiver ends the read.
    pub fn stream_licenses_by_fleet(
        &self,
        fleet: &FleetId,
    ) -> tokio::sync::mpsc::Receiver<Result<License, StoreError>> {
        licenses::stream_visible_by_fleet(self.db.reader().clone(), fleet.clone())
    }

    /// The visible licenses among `ids`, in the order asked, each once; others are left out.
    pub async fn licenses_by_ids(&self, ids: &[LicenseId]) -> Result<Vec<License>, StoreError> {
        let mut reader = self.db.read().await?;
        licenses::by_ids(reader.conn(), ids, true).await
    }

    /// One visible license; `None` for unknown, terminated or not yet completed.
    pub async fn license(&self, id: &LicenseId) -> Result<Option<License>, StoreError> {
        Ok(self
            .licenses_by_ids(std::slice::from_ref(id))
            .await?
            .into_iter()
            .next())
    }

    pub async fn fleet(&self, id: &FleetId) -> Result<Option<Fleet>, StoreError> {
        let mut reader = self.db.read().await?;
        licenses::fleet(reader.conn(), id).await
    }

    pub async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
        let mut reader = self.db.read().await?;
        customers::by_id(reader.conn(), id).await
    }

    /// A customer by Orange's id.
    pub async fn customer_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Customer>, StoreError> {
        let mut reader = self.db.read().await?;
        customers::by_external_id(reader.conn(), external_id).await
    }

    pub async fn contacts(&self, customer: &CustomerId) -> Result<Vec<Contact>, StoreError> {
        let mut reader = self.db.read().await?;
        customers::contacts_of(reader.conn(), customer).await
    }
}
