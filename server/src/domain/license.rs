//! Licenses (Orange's `userService`) and fleets (`productRef`): what they hold and how new ones
//! are made for an order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, FleetId, LicenseId, OrderId};
use super::open_enum::{closed_enum, open_enum};
use super::values::{Characteristic, EndUser, Login, Offer, RealizingResource};

closed_enum!(
    /// The state the partner gives a license. Terminated licenses keep their last state and are
    /// flagged apart, because Orange's `state` has no "terminated".
    LicenseState {
        Active = "active",
        Inactive = "inactive",
    }
);

open_enum!(
    /// The state Orange asks for in an update.
    ExternalState {
        Active = "active",
        Suspended = "suspended",
        Inactive = "inactive",
        Deleted = "deleted",
    }
);

/// A fleet: the `productRef` that groups the licenses of one customer and offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fleet {
    pub id: FleetId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    /// The order that created the fleet.
    pub order_id: OrderId,
    /// `productRef.characteristic` of the creating order.
    #[serde(
        default,
        rename = "characteristic",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristics: Vec<Characteristic>,
    pub created_at: DateTime<Utc>,
}

/// A license: one `userService`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct License {
    pub id: LicenseId,
    /// The fleet (`relatedProductRefId`).
    pub fleet_id: FleetId,
    /// The order that created the license; the license is visible once that order is completed.
    pub order_id: OrderId,
    pub state: LicenseState,
    /// The last state Orange asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_state: Option<ExternalState>,
    /// When Orange deleted the license. A terminated license leaves every read but stays stored
    /// for audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_at: Option<DateTime<Utc>>,
    pub offer: Offer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_user: Option<EndUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realizing_resource: Option<RealizingResource>,
    #[serde(
        default,
        rename = "loginKeyValue",
        skip_serializing_if = "Option::is_none"
    )]
    pub login: Option<Login>,
    #[serde(
        default,
        rename = "characteristic",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristics: Vec<Characteristic>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl License {
    pub fn is_terminated(&self) -> bool {
        self.terminated_at.is_some()
    }
}

/// What Orange may configure on each new license of a UC2 order (`endUserConfiguration` item).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndUserConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_user: Option<EndUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realizing_resource: Option<RealizingResource>,
}

/// Gives an end user the partner's id when it has none yet ("the partner makes the id").
pub(crate) fn with_partner_id(mut end_user: EndUser) -> EndUser {
    if end_user.id.is_none() {
        end_user.id = Some(uuid::Uuid::now_v7().to_string());
    }
    end_user
}

/// Makes `quantity` active licenses in a fleet; the configurations apply in order to the first
/// ones; every license keeps the technical characteristics it was ordered with.
pub fn new_licenses(
    fleet_id: &FleetId,
    order_id: &OrderId,
    offer: &Offer,
    quantity: u32,
    configurations: &[EndUserConfiguration],
    characteristics: &[Characteristic],
    now: DateTime<Utc>,
) -> Vec<License> {
    let mut configurations = configurations.iter();
    (0..quantity)
        .map(|_| {
            let configuration = configurations.next();
            License {
                id: LicenseId::generate(),
                fleet_id: fleet_id.clone(),
                order_id: order_id.clone(),
                state: LicenseState::Active,
                external_state: None,
                terminated_at: None,
                offer: offer.clone(),
                end_user: configuration
                    .and_then(|c| c.end_user.clone())
                    .map(with_partner_id),
                realizing_resource: configuration.and_then(|c| c.realizing_resource.clone()),
                login: None,
                characteristics: characteristics.to_vec(),
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_licenses_are_active_and_take_configurations_in_order() {
        let configurations = [EndUserConfiguration {
            end_user: Some(EndUser {
                given_name: Some("Ana".into()),
                ..EndUser::default()
            }),
            realizing_resource: None,
        }];
        let licenses = new_licenses(
            &FleetId::from("f"),
            &OrderId::from("o"),
            &Offer::new("OBA-1"),
            3,
            &configurations,
            &[Characteristic::new("domain", "example.org")],
            Utc::now(),
        );
        assert_eq!(licenses.len(), 3);
        assert!(licenses.iter().all(|l| l.state == LicenseState::Active));
        assert!(
            licenses
                .iter()
                .all(|l| l.characteristics == [Characteristic::new("domain", "example.org")]),
            "each license keeps the characteristics it was ordered with"
        );
        let first = licenses[0]
            .end_user
            .as_ref()
            .expect("first license is configured");
        assert_eq!(first.given_name.as_deref(), Some("Ana"));
        assert!(first.id.is_some(), "the partner makes the end user's id");
        assert!(licenses[1].end_user.is_none());
    }

    #[test]
    fn unknown_external_state_is_kept_not_rejected() {
        let state = ExternalState::from("paused");
        assert_eq!(state, ExternalState::Other("paused".into()));
        assert_eq!(state.as_str(), "paused");
    }
}
