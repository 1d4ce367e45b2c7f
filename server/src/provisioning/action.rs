//! The provisioning action: what the partner's systems are told before a change is committed.
//!
//! # JSON contract (public: partners' webhooks parse it)
//!
//! Every action is one JSON object with these common members:
//!
//! | member | type | meaning |
//! |---|---|---|
//! | `id` | string (UUID) | the idempotency key, also sent as the `Idempotency-Key` header: the same on every retry of the same change, so the receiver can deduplicate (see below) |
//! | `time` | string (RFC 3339) | when the action was made |
//! | `action` | string | `customerUpdated`, `licensesCreated`, `licensesUpdated` or `licenseChanged` |
//!
//! `customerUpdated` (UC1, an order without item; one call per order): `orderId` (partner),
//! `orangeOrderId`?, `customer` (`id`, `externalId`, `tradingName`?, …), `contacts`? (array of
//! `{id, customerId, role, givenName?, familyName?, email?, …}` as Orange described them).
//!
//! `licensesCreated` (UC2, UC3; one call per order):
//! `orderId` (partner), `orangeOrderId`?, `customer`? (`id`, `externalId`, `tradingName`?, …),
//! `fleetId`, `newFleet` (bool), `offer` `{code, name?}`, `plan`? (the catalogue's plan name),
//! `licenses`: array of License. Each license carries the technical characteristics
//! (`characteristic`) its order gave in `productRef.characteristic` (for UC3 without any: the
//! fleet's).
//!
//! `licensesUpdated` (Orange's `userService/update`; one call per update, only when something
//! changes): `updateId`, `changes`: array of `{licenseId, fleetId, change, …}` where `change` is
//! - `stateChanged` with `from`, `to` (`active` | `inactive`) and `externalState` (as Orange sent it),
//! - `terminated` (Orange deleted the license),
//! - `offerSwapped` with `from` and `to` offers `{code, name?}`.
//!
//! `licenseChanged` (UC5; one call per change): `licenseId`, `fleetId`, `change` (see below),
//! `license` (License, as it will be). `change` is `{operation, action, …}`:
//! `endUser` + `endUser`, `realizingResource` + `realizingResource`,
//! `right` + `loginKeyValue` `{key, value}` + `email`?, `serviceCharacteristic` + `characteristic`;
//! `action` is `add`, `modify` or `delete`.
//!
//! License: `id`, `fleetId`, `orderId`, `state`, `externalState`?, `terminatedAt`?,
//! `offer` `{code, name?}`, `endUser`? `{id?, externalReference?, givenName?, familyName?, email?,
//! mobileNumber? {cc, sn}}`, `realizingResource`? `{type, characteristic?}`, `loginKeyValue`?
//! `{key: login | organizationCode, value}`, `characteristic`? `[{name, value}]`, `createdAt`,
//! `updatedAt`. Absent optional members are left out, never `null`.
//!
//! The `id` of an order's action is derived from Orange's order id and the order's business
//! content (the same on a resend of the order after a 503, and on every retry of the asynchronous
//! worker); without Orange's order id, from the partner's order id (the same on every worker
//! retry). An update's is derived from the update's id (every worker retry); when the update's
//! licenses changed between its plan and its write (a concurrent update), it is planned again and
//! the new plan's action carries a new id. A change the partner makes (UC5) gets a fresh one.
//!
//! Actions are sent before the change is written and while no database lock is held, so a slow
//! receiver delays only the change it is asked about.
//!
//! The receiver answers any 2xx to accept. A 4xx other than 408 and 429 refuses the action and
//! with it the whole order, update or change (Orange reads `failed` with the receiver's answer).
//! No answer within the timeout, no connection, a 5xx, 408 or 429 is a fault, not a refusal:
//! nothing is stored; synchronously Orange gets a 503 with `Retry-After` and resends,
//! asynchronously the worker tries again later with the same `id`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{
    AppliedChange, Contact, Customer, FleetId, License, LicenseChange, LicenseId, Offer, OrderId,
    UpdateId,
};

/// One provisioning call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Unique per call.
    pub id: String,
    pub time: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: ActionKind,
}

/// What the action is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ActionKind {
    /// An order without item (UC1) created or updated the customer and its contacts: who the
    /// fleet manager is, before any license.
    CustomerUpdated {
        order_id: OrderId,
        #[serde(skip_serializing_if = "Option::is_none")]
        orange_order_id: Option<String>,
        customer: Box<Customer>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        contacts: Vec<Contact>,
    },
    /// An order created licenses (and, with `new_fleet`, their fleet).
    LicensesCreated {
        order_id: OrderId,
        #[serde(skip_serializing_if = "Option::is_none")]
        orange_order_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        customer: Option<Box<Customer>>,
        fleet_id: FleetId,
        new_fleet: bool,
        offer: Offer,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<String>,
        licenses: Vec<License>,
    },
    /// An Orange update changed states, terminated licenses or swapped offers.
    LicensesUpdated {
        update_id: UpdateId,
        changes: Vec<LicenseChange>,
    },
    /// The partner's tools changed one license (UC5).
    LicenseChanged {
        license_id: LicenseId,
        fleet_id: FleetId,
        change: AppliedChange,
        license: Box<License>,
    },
}

impl Action {
    /// A new action with a fresh id, made now.
    pub fn new(kind: ActionKind) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            time: Utc::now(),
            kind,
        }
    }

    /// A new action whose id is derived from `key` (what makes the change the same change on a
    /// retry): a UUID (version 8) of the key's SHA-256, so the same key gives the same id.
    pub fn keyed(key: &str, kind: ActionKind) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(key.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Self {
            id: uuid::Builder::from_custom_bytes(bytes)
                .into_uuid()
                .to_string(),
            time: Utc::now(),
            kind,
        }
    }

    /// The `action` member: `customerUpdated`, `licensesCreated`, `licensesUpdated` or
    /// `licenseChanged`.
    pub fn name(&self) -> &'static str {
        match &self.kind {
            ActionKind::CustomerUpdated { .. } => "customerUpdated",
            ActionKind::LicensesCreated { .. } => "licensesCreated",
            ActionKind::LicensesUpdated { .. } => "licensesUpdated",
            ActionKind::LicenseChanged { .. } => "licenseChanged",
        }
    }

    /// How many licenses the action concerns, for logs.
    pub fn license_count(&self) -> usize {
        match &self.kind {
            ActionKind::CustomerUpdated { .. } => 0,
            ActionKind::LicensesCreated { licenses, .. } => licenses.len(),
            ActionKind::LicensesUpdated { changes, .. } => changes.len(),
            ActionKind::LicenseChanged { .. } => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The JSON contract, pinned: a change here is a change for every partner's webhook.

    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::*;
    use crate::domain::{
        ChangeKind, ExternalState, LicenseState, Login, LoginKey, OperationAction,
    };

    fn time() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-01-02T03:04:05Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn license() -> License {
        License {
            id: "L1".into(),
            fleet_id: "F1".into(),
            order_id: "O1".into(),
            state: LicenseState::Active,
            external_state: None,
            terminated_at: None,
            offer: Offer::named("OBA-1", "Basic"),
            end_user: None,
            realizing_resource: None,
            login: Some(Login {
                key: LoginKey::Login,
                value: "ana".into(),
            }),
            characteristics: Vec::new(),
            created_at: time(),
            updated_at: time(),
        }
    }

    fn action(kind: ActionKind) -> serde_json::Value {
        let action = Action {
            id: "A1".into(),
            time: time(),
            kind,
        };
        serde_json::to_value(&action).unwrap_or_default()
    }

    #[test]
    fn licenses_created_json() {
        let value = action(ActionKind::LicensesCreated {
            order_id: "O1".into(),
            orange_order_id: Some("ORANGE-1".into()),
            customer: None,
            fleet_id: "F1".into(),
            new_fleet: true,
            offer: Offer::named("OBA-1", "Basic"),
            plan: Some("basic".into()),
            licenses: vec![license()],
        });
        assert_eq!(
            value,
            json!({
                "id": "A1",
                "time": "2025-01-02T03:04:05Z",
                "action": "licensesCreated",
                "orderId": "O1",
                "orangeOrderId": "ORANGE-1",
                "fleetId": "F1",
                "newFleet": true,
                "offer": {"code": "OBA-1", "name": "Basic"},
                "plan": "basic",
                "licenses": [{
                    "id": "L1",
                    "fleetId": "F1",
                    "orderId": "O1",
                    "state": "active",
                    "offer": {"code": "OBA-1", "name": "Basic"},
                    "loginKeyValue": {"key": "login", "value": "ana"},
                    "createdAt": "2025-01-02T03:04:05Z",
                    "updatedAt": "2025-01-02T03:04:05Z"
                }]
            })
        );
    }

    #[test]
    fn licenses_updated_json() {
        let change = |kind| LicenseChange {
            license_id: "L1".into(),
            fleet_id: "F1".into(),
            kind,
        };
        let value = action(ActionKind::LicensesUpdated {
            update_id: "U1".into(),
            changes: vec![
                change(ChangeKind::StateChanged {
                    from: LicenseState::Active,
                    to: LicenseState::Inactive,
                    external_state: ExternalState::Suspended,
                }),
                change(ChangeKind::Terminated),
                change(ChangeKind::OfferSwapped {
                    from: Offer::new("OBA-1"),
                    to: Offer::new("OBA-2"),
                }),
            ],
        });
        assert_eq!(
            value,
            json!({
                "id": "A1",
                "time": "2025-01-02T03:04:05Z",
                "action": "licensesUpdated",
                "updateId": "U1",
                "changes": [
                    {"licenseId": "L1", "fleetId": "F1", "change": "stateChanged",
                     "from": "active", "to": "inactive", "externalState": "suspended"},
                    {"licenseId": "L1", "fleetId": "F1", "change": "terminated"},
                    {"licenseId": "L1", "fleetId": "F1", "change": "offerSwapped",
                     "from": {"code": "OBA-1"}, "to": {"code": "OBA-2"}}
                ]
            })
        );
    }

    #[test]
    fn license_changed_json() {
        let value = action(ActionKind::LicenseChanged {
            license_id: "L1".into(),
            fleet_id: "F1".into(),
            change: AppliedChange::Right {
                action: OperationAction::Add,
                login_key_value: Login {
                    key: LoginKey::OrganizationCode,
                    value: "ACME".into(),
                },
                email: Some("it@acme.example".into()),
            },
            license: Box::new(license()),
        });
        assert_eq!(value["action"], "licenseChanged");
        assert_eq!(
            value["change"],
            json!({
                "operation": "right",
                "action": "add",
                "loginKeyValue": {"key": "organizationCode", "value": "ACME"},
                "email": "it@acme.example"
            })
        );
        assert_eq!(value["license"]["id"], "L1");
    }
}
