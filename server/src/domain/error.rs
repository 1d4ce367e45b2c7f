//! `DomainError`: every business refusal, worded so its text can be the `note` of a failed answer.
//!
//! Messages name the item concerned (the license, the fleet, the offer code) because Orange reads
//! them to find which line of a bulk request was wrong.

use super::ids::{FleetId, LicenseId};

/// A business rule refused a request. HTTP-agnostic: the HTTP layer maps it to a failed answer
/// (orders, updates) or to a 4xx (partner-initiated changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("the order has no customer, no contact and no order item")]
    EmptyOrder,
    #[error("relatedContact needs a customer to belong to")]
    ContactsWithoutCustomer,
    #[error("order item action {0:?} is not supported (only \"add\")")]
    UnsupportedItemAction(String),
    #[error("userServiceQuantity {requested} is above the limit of {limit} licenses per order")]
    TooManyLicenses { requested: u32, limit: u32 },
    #[error("endUserConfiguration has {configurations} entries for {quantity} new licenses")]
    TooManyEndUserConfigurations {
        configurations: usize,
        quantity: u32,
    },
    #[error("unknown productRefId {0}")]
    UnknownFleet(FleetId),
    #[error("productRefId {fleet} belongs to another customer than {customer}")]
    FleetOfAnotherCustomer { fleet: FleetId, customer: String },
    #[error("offer {code:?} is not in the partner's catalogue")]
    UnknownOffer { code: String },
    #[error("license {license}: offer {code:?} is not in the partner's catalogue")]
    UnknownSwapOffer { license: LicenseId, code: String },
    #[error(
        "offer {code:?} needs the characteristic {name:?} in productRef.characteristic (the partner's Appendix 2)"
    )]
    MissingCharacteristic { code: String, name: String },
    #[error("license {license}: the partner does not serve offer swaps (the partner's Appendix 2)")]
    SwapNotServed { license: LicenseId },
    #[error("unknown license id {0}")]
    UnknownLicense(LicenseId),
    #[error("license {license}: unknown externalState {value:?}")]
    UnknownExternalState { license: LicenseId, value: String },
    #[error("license {license} is terminated: {attempted} is impossible")]
    Terminated {
        license: LicenseId,
        attempted: String,
    },
    #[error("license {license} has no end user to remove")]
    NoEndUser { license: LicenseId },
    #[error("license {license} already has a characteristic named {name:?}")]
    CharacteristicExists { license: LicenseId, name: String },
    #[error("license {license} has no characteristic named {name:?}")]
    UnknownCharacteristic { license: LicenseId, name: String },
}

impl DomainError {
    /// Whether the refusal means "no such thing" (a 404 where the HTTP layer answers with a status).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::UnknownFleet(_) | Self::UnknownLicense(_))
    }
}
