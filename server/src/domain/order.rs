//! Product orders: the command Orange's `productOrder` becomes, which use case it is (UC1 customer,
//! UC2 new fleet, UC3 more licenses), its fingerprint for replays, and the outcome answered.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::customer::{ContactData, CustomerData};
use super::error::DomainError;
use super::ids::{ContactId, CustomerId, FleetId, LicenseId, OrderId};
use super::license::{EndUserConfiguration, LicenseState};
use super::open_enum::{closed_enum, open_enum};
use super::values::{Characteristic, Offer};

/// The most licenses one order may create. Orange's orders are far smaller; the limit keeps a
/// malformed quantity from filling the database.
pub const MAX_LICENSES_PER_ORDER: u32 = 100_000;

/// What identifies a request's content, to tell a replay (same content) from a conflicting reuse
/// of an Orange order id (different content).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// SHA-256 of the request body, in hex.
    pub fn of_bytes(body: &[u8]) -> Self {
        let digest = Sha256::digest(body);
        let mut hex = String::with_capacity(digest.len() * 2);
        for byte in digest.iter() {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        Self(hex)
    }

    /// A fingerprint the caller computed itself.
    pub fn from_string(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

open_enum!(
    /// An order item's `action`.
    ItemAction { Add = "add" }
);

/// A product order, as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrder {
    /// Orange's order id (`externalReference.id`): the idempotency key. Without it, every request
    /// is a new order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub fingerprint: Fingerprint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactData>,
    /// The single order item; none in UC1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<OrderItem>,
    /// The order as the caller sent it, kept with the command so an asynchronous answer can
    /// repeat its terms later. Opaque here: the rules never read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<serde_json::Value>,
}

/// The order item: licenses to add to a new fleet (no `fleet_id`) or to a known one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub action: ItemAction,
    /// `productRef.id`: absent for a new fleet (UC2), present to add to a known fleet (UC3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet_id: Option<FleetId>,
    /// `userServiceQuantity`: how many licenses to add (a delta).
    pub quantity: u32,
    pub offer: Offer,
    /// Applied in order to the new licenses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_user_configuration: Vec<EndUserConfiguration>,
    /// `productRef.characteristic`, kept on a new fleet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fleet_characteristics: Vec<Characteristic>,
}

/// Which use case an order is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderKind {
    /// UC1: customer and contacts only.
    Customer,
    /// UC2: a new fleet with licenses.
    NewFleet,
    /// UC3: licenses added to a known fleet.
    AddToFleet(FleetId),
}

impl PlaceOrder {
    /// Decides the use case and checks the rules that need no stored data.
    pub fn kind(&self) -> Result<OrderKind, DomainError> {
        if !self.contacts.is_empty() && self.customer.is_none() {
            return Err(DomainError::ContactsWithoutCustomer);
        }
        let Some(item) = &self.item else {
            return if self.customer.is_some() {
                Ok(OrderKind::Customer)
            } else {
                Err(DomainError::EmptyOrder)
            };
        };
        if item.action != ItemAction::Add {
            return Err(DomainError::UnsupportedItemAction(
                item.action.as_str().to_owned(),
            ));
        }
        if item.quantity > MAX_LICENSES_PER_ORDER {
            return Err(DomainError::TooManyLicenses {
                requested: item.quantity,
                limit: MAX_LICENSES_PER_ORDER,
            });
        }
        let quantity = usize::try_from(item.quantity).unwrap_or(usize::MAX);
        if item.end_user_configuration.len() > quantity {
            return Err(DomainError::TooManyEndUserConfigurations {
                configurations: item.end_user_configuration.len(),
                quantity: item.quantity,
            });
        }
        Ok(match &item.fleet_id {
            None => OrderKind::NewFleet,
            Some(fleet) => OrderKind::AddToFleet(fleet.clone()),
        })
    }
}

closed_enum!(
    /// The state of an order's answer.
    OrderState {
        Acknowledged = "acknowledged",
        Completed = "completed",
        Failed = "failed",
    }
);

/// A license an order created, as the answer lists it (`productRef.userService`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseSummary {
    pub id: LicenseId,
    pub state: LicenseState,
}

/// What an order came to; the HTTP layer answers from it, and replays answer it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderOutcome {
    pub order_id: OrderId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub state: OrderState,
    /// Why the order failed (the `note` of the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    /// The partner ids of the order's contacts, in the order's contact order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_ids: Vec<ContactId>,
    /// The fleet (`productRef.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet_id: Option<FleetId>,
    /// The licenses this order created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseSummary>,
    pub order_date: DateTime<Utc>,
    /// When the order reached `completed` or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
}

impl OrderOutcome {
    /// The answer given before the work is done (asynchronous mode).
    pub fn acknowledged(order: &PlaceOrder, order_id: OrderId, now: DateTime<Utc>) -> Self {
        Self {
            order_id,
            external_id: order.external_id.clone(),
            state: OrderState::Acknowledged,
            reason: None,
            customer_id: None,
            contact_ids: Vec::new(),
            fleet_id: None,
            licenses: Vec::new(),
            order_date: now,
            completion_date: None,
        }
    }

    /// The same order, failed for `reason`, with nothing created.
    pub fn failed(mut self, reason: String, now: DateTime<Utc>) -> Self {
        self.state = OrderState::Failed;
        self.reason = Some(reason);
        self.customer_id = None;
        self.contact_ids.clear();
        self.fleet_id = None;
        self.licenses.clear();
        self.completion_date = Some(now);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> CustomerData {
        CustomerData {
            external_id: "C1".into(),
            trading_name: Some("Acme".into()),
            registered_name: None,
            registration_number: None,
            postal_address: None,
            characteristics: Vec::new(),
        }
    }

    fn order(item: Option<OrderItem>) -> PlaceOrder {
        PlaceOrder {
            external_id: Some("O1".into()),
            fingerprint: Fingerprint::of_bytes(b"{}"),
            customer: Some(customer()),
            contacts: Vec::new(),
            item,
            original: None,
        }
    }

    fn item(fleet: Option<&str>, quantity: u32) -> OrderItem {
        OrderItem {
            action: ItemAction::Add,
            fleet_id: fleet.map(FleetId::from),
            quantity,
            offer: Offer::new("OBA-1"),
            end_user_configuration: Vec::new(),
            fleet_characteristics: Vec::new(),
        }
    }

    #[test]
    fn orders_are_classified_by_item_and_fleet() {
        assert_eq!(order(None).kind(), Ok(OrderKind::Customer));
        assert_eq!(order(Some(item(None, 2))).kind(), Ok(OrderKind::NewFleet));
        assert_eq!(
            order(Some(item(Some("F"), 2))).kind(),
            Ok(OrderKind::AddToFleet(FleetId::from("F")))
        );
    }

    #[test]
    fn unknown_item_action_is_a_refusal_not_a_parse_error() {
        let mut unusual = item(None, 1);
        unusual.action = ItemAction::from("modify");
        assert_eq!(
            order(Some(unusual)).kind(),
            Err(DomainError::UnsupportedItemAction("modify".into()))
        );
    }

    #[test]
    fn more_configurations_than_licenses_is_refused() {
        let mut configured = item(None, 1);
        configured.end_user_configuration = vec![Default::default(), Default::default()];
        assert!(matches!(
            order(Some(configured)).kind(),
            Err(DomainError::TooManyEndUserConfigurations { .. })
        ));
    }

    #[test]
    fn fingerprints_are_sha256_hex() {
        assert_eq!(
            Fingerprint::of_bytes(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
