//! `UseCaseError`: why a use case did not answer with an outcome: a business refusal the caller
//! answers in its own terms, the partner's platform out of reach, or the store failing.

use crate::domain::DomainError;
use crate::provisioning::ProvisionError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    /// The same Orange order id came with a different content (HTTP 409).
    #[error("order {external_id} was already received with a different content")]
    OrderConflict { external_id: String },
    /// What a use case read kept changing under concurrent writes for every attempt; nothing was
    /// written (HTTP 409: the caller may send it again).
    #[error("{0}")]
    Contended(String),
    /// A business rule refused a partner-initiated change.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// The partner's platform could not be asked (see [`ProvisionError::is_fault`]): nothing
    /// was stored; the caller tries again later (HTTP 503 with `Retry-After`).
    #[error("provisioning is unavailable")]
    ProvisioningFault(#[source] ProvisionError),
    /// Provisioning refused a partner-initiated change.
    #[error(transparent)]
    Provisioning(ProvisionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProvisionError> for UseCaseError {
    fn from(error: ProvisionError) -> Self {
        if error.is_fault() {
            Self::ProvisioningFault(error)
        } else {
            Self::Provisioning(error)
        }
    }
}
