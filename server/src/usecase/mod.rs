//! The use cases: place an order, the work of an order, update licenses, a partner change, and
//! the asynchronous work that finishes what was acknowledged. Each owns its transaction, its
//! rules, its provisioning call and its events; the store under it only reads and writes.
//!
//! Every use case that changes licenses follows one shape, so that provisioning never runs while
//! the database writer is held: read and plan (rules from `domain`), provision (the partner's
//! platform may be slow), then take the writer, check that what the plan read is still so (else
//! plan again, at most [`PLAN_ATTEMPTS`] times), write, enqueue the events the outcome causes,
//! and commit. The events are a function of the outcome the caller gives (see
//! [`crate::store::no_events`]), so the outcome and the events announcing it are stored together
//! or not at all.

mod async_work;
mod error;
mod order_work;
mod partner_change;
mod place_order;
mod update_licenses;

use std::sync::Arc;

pub use error::UseCaseError;
pub use place_order::{Placed, Processing};

use crate::domain::Catalogue;
use crate::provisioning::{Provisioner, RecordOnly};
use crate::store::Store;

/// The use cases over a store, with the partner's catalogue and provisioning. Cheap to clone.
#[derive(Clone)]
pub struct UseCases {
    store: Store,
    provisioner: Arc<dyn Provisioner>,
    catalogue: Arc<Catalogue>,
}

impl std::fmt::Debug for UseCases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UseCases")
            .field("store", &self.store)
            .field("catalogue", &self.catalogue)
            .finish_non_exhaustive()
    }
}

impl UseCases {
    /// Provisioning defaults to [`RecordOnly`] and the catalogue to open (every offer accepted).
    pub fn new(store: Store) -> Self {
        Self {
            store,
            provisioner: Arc::new(RecordOnly),
            catalogue: Arc::new(Catalogue::open()),
        }
    }

    pub fn with_provisioner(mut self, provisioner: Arc<dyn Provisioner>) -> Self {
        self.provisioner = provisioner;
        self
    }

    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = Arc::new(catalogue);
        self
    }

    /// The store the use cases work on, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
}

/// How many times a use case is planned again when what its plan read changed before its write
/// (a concurrent change of the same customer or licenses, or its Orange id taken meanwhile).
const PLAN_ATTEMPTS: usize = 3;
