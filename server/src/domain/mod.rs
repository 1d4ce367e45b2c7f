//! The partner's business rules, pure: customers and contacts, fleets and licenses, orders, the
//! license state machine, partner-initiated changes and the offer catalogue.
//!
//! Nothing here knows HTTP, SQL or the generated wire types: the HTTP layer turns requests into
//! these commands, the store persists what the rules decide.

mod catalogue;
mod customer;
mod error;
mod ids;
mod license;
mod open_enum;
mod order;
mod partner_change;
mod update;
mod values;

pub use catalogue::Catalogue;
pub use customer::{Contact, ContactData, Customer, CustomerData, matching_contact, plan_contacts};
pub use error::DomainError;
pub use ids::{ContactId, CustomerId, FleetId, LicenseId, OrderId, UpdateId};
pub use license::{
    EndUserConfiguration, ExternalState, Fleet, License, LicenseState, new_licenses,
};
pub use order::{
    Fingerprint, ItemAction, LicenseSummary, MAX_LICENSES_PER_ORDER, OrderItem, OrderKind,
    OrderOutcome, OrderState, PlaceOrder,
};
pub use partner_change::{
    AppliedChange, LicenseChanged, OperationAction, PartnerChange, apply_partner_change,
};
pub use update::{
    ChangeKind, LicenseChange, UpdateItem, UpdateOutcome, UpdatePlan, UpdateRequest, UpdateState,
    plan_update,
};
pub use values::{
    Characteristic, EndUser, Login, LoginKey, Offer, Phone, PostalAddress, RealizingResource,
};
