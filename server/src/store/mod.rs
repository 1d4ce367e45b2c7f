//! The store: SQLite (default) or PostgreSQL through sqlx, the only place with SQL.
//!
//! One async method per use case, each one transaction: place an order (idempotent), complete an
//! acknowledged order, apply or process an update (all or nothing), a partner-initiated change,
//! plus license reads and the outbox. Provisioning runs before the write transaction, never
//! while the writer is held: a use case reads and plans, provisions, then writes in one
//! transaction after checking that what it read is still so (else it plans again).
//! Events a use case causes are enqueued in its own transaction through its `events` argument, a
//! function of the outcome (see [`no_events`]).
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

mod customers;
mod db;
mod error;
mod licenses;
mod order_work;
mod orders;
mod outbox;
mod partner_changes;
mod sql;
mod updates;
mod upkeep;

use std::sync::Arc;

pub use db::Backend;
pub use error::StoreError;
pub use orders::{Placed, Processing};
pub use outbox::{NewEvent, OutboxEvent, OutboxState, new_event_id, no_events};
pub use upkeep::OutboxStats;

use crate::domain::{
    Catalogue, Contact, Customer, CustomerId, DomainError, Fleet, FleetId, License, LicenseId,
};
use crate::provisioning::{ProvisionError, Provisioner, RecordOnly};

/// The partner server's storage. Cheap to clone; clones share the pools.
#[derive(Clone)]
pub struct Store {
    db: Arc<db::Db>,
    provisioner: Arc<dyn Provisioner>,
    catalogue: Arc<Catalogue>,
    /// The Orange offer events are queued for (see [`Store::with_event_offer`]).
    event_offer: Option<Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.backend)
            .field("catalogue", &self.catalogue)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects and migrates. `sqlite:path` (the file is created unless the URL sets `mode`),
    /// `sqlite::memory:`, or `postgres://…` / `postgresql://…`. Provisioning defaults to
    /// [`RecordOnly`] and the catalogue to open (every offer accepted).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            db: Arc::new(db::Db::connect(url).await?),
            provisioner: Arc::new(RecordOnly),
            catalogue: Arc::new(Catalogue::open()),
            event_offer: None,
        })
    }

    /// Stores `offer` (`mba2`, `mba2-beta`) with every event queued from now on, so it is sent
    /// there even if the server is later configured for another offer.
    pub fn with_event_offer(mut self, offer: &str) -> Self {
        self.event_offer = Some(Arc::from(offer));
        self
    }

    fn event_offer(&self) -> Option<&str> {
        self.event_offer.as_deref()
    }

    pub fn with_provisioner(mut self, provisioner: Arc<dyn Provisioner>) -> Self {
        self.provisioner = provisioner;
        self
    }

    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = Arc::new(catalogue);
        self
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
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

/// How many times a use case is planned again when what its plan read changed before its write
/// (a concurrent change of the same customer or licenses, or its Orange id taken meanwhile).
const PLAN_ATTEMPTS: usize = 3;

/// Why the work of a use case stopped: a refusal (which becomes a `failed` outcome) or a storage
/// failure (which aborts the transaction).
enum Failure {
    Refused(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<DomainError> for Failure {
    fn from(refusal: DomainError) -> Self {
        Self::Refused(refusal.to_string())
    }
}

impl From<ProvisionError> for Failure {
    fn from(error: ProvisionError) -> Self {
        if error.is_fault() {
            // Not an answer from the partner's platform: nothing is stored, so a retry can work.
            Self::Store(StoreError::ProvisioningFault(error))
        } else {
            Self::Refused(error.to_string())
        }
    }
}
