//! Orange's `userService/update`: the license state machine (suspend, reactivate, delete, swap)
//! applied all or nothing to a list of items.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use super::error::DomainError;
use super::ids::{FleetId, LicenseId, UpdateId};
use super::license::{ExternalState, License, LicenseState};
use super::open_enum::closed_enum;
use super::values::Offer;

/// One `userService/update` request: its items apply together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    pub items: Vec<UpdateItem>,
}

/// One item: a license and what Orange asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateItem {
    pub license_id: LicenseId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_state: Option<ExternalState>,
    /// `productOfferingOperation` `swap`: the offer the license moves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_to: Option<Offer>,
}

/// What one item did to one license; provisioning and audit see these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseChange {
    pub license_id: LicenseId,
    pub fleet_id: FleetId,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

/// The kinds of change an update makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "change",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ChangeKind {
    /// The state or the externalState changed (`suspended` and `inactive` both give `inactive`,
    /// so `from` may equal `to` when only the externalState moved).
    StateChanged {
        from: LicenseState,
        to: LicenseState,
        external_state: ExternalState,
    },
    /// Orange deleted the license.
    Terminated,
    /// The license moved to another offer.
    OfferSwapped { from: Offer, to: Offer },
}

closed_enum!(
    /// The state of an update's answer. Orange's `partial` is never used: all or nothing.
    UpdateState {
        Acknowledged = "acknowledged",
        Completed = "completed",
        Failed = "failed",
    }
);

/// What an update request came to; the HTTP layer answers from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOutcome {
    pub update_id: UpdateId,
    pub state: UpdateState,
    /// Each license the request named and the store knows, once, as it now is (unchanged when
    /// the update failed). Empty while acknowledged.
    pub licenses: Vec<License>,
    /// What changed (empty unless completed).
    pub changes: Vec<LicenseChange>,
    /// Why the update failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The result of planning an update that the rules accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePlan {
    /// Each named license once, in the order first named, as it will be.
    pub licenses: Vec<License>,
    /// The ids of the licenses that differ from what was loaded, to write back.
    pub modified: Vec<LicenseId>,
    pub changes: Vec<LicenseChange>,
}

/// Applies every item, in order, to the licenses found for the request.
///
/// `found` holds the licenses the store knows among those named (terminated ones included, so
/// that reactivating one is refused as a transition rather than as an unknown id). Any refusal
/// refuses the whole request; the caller then changes nothing.
pub fn plan_update(
    found: Vec<License>,
    request: &UpdateRequest,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<UpdatePlan, DomainError> {
    let mut by_id: HashMap<LicenseId, (License, bool)> = found
        .into_iter()
        .map(|license| (license.id.clone(), (license, false)))
        .collect();
    let mut order: Vec<LicenseId> = Vec::new();
    let mut named: HashSet<LicenseId> = HashSet::new();
    let mut changes = Vec::new();
    for item in &request.items {
        let Some((license, modified)) = by_id.get_mut(&item.license_id) else {
            return Err(DomainError::UnknownLicense(item.license_id.clone()));
        };
        if named.insert(item.license_id.clone()) {
            order.push(item.license_id.clone());
        }
        let before = changes.len();
        apply_item(license, item, catalogue, now, &mut changes)?;
        if changes.len() > before {
            *modified = true;
        }
    }
    let mut licenses = Vec::with_capacity(order.len());
    let mut modified = Vec::new();
    for id in order {
        if let Some((license, was_modified)) = by_id.remove(&id) {
            if was_modified {
                modified.push(id);
            }
            licenses.push(license);
        }
    }
    Ok(UpdatePlan {
        licenses,
        modified,
        changes,
    })
}

/// The state an `externalState` leads to.
enum Target {
    State(LicenseState),
    Terminate,
}

fn target_of(license: &LicenseId, external: &ExternalState) -> Result<Target, DomainError> {
    match external {
        ExternalState::Active => Ok(Target::State(LicenseState::Active)),
        // Suspension keeps the login: only the state changes.
        ExternalState::Suspended | ExternalState::Inactive => {
            Ok(Target::State(LicenseState::Inactive))
        }
        ExternalState::Deleted => Ok(Target::Terminate),
        ExternalState::Other(value) => Err(DomainError::UnknownExternalState {
            license: license.clone(),
            value: value.clone(),
        }),
    }
}

fn apply_item(
    license: &mut License,
    item: &UpdateItem,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    changes: &mut Vec<LicenseChange>,
) -> Result<(), DomainError> {
    // Validate first so a refused item leaves the license untouched.
    let target = item
        .external_state
        .as_ref()
        .map(|external| target_of(&license.id, external))
        .transpose()?;
    if item.swap_to.is_some() && !catalogue.allows_swap() {
        return Err(DomainError::SwapNotServed {
            license: license.id.clone(),
        });
    }
    if let Some(offer) = &item.swap_to
        && !catalogue.accepts(&offer.code)
    {
        return Err(DomainError::UnknownSwapOffer {
            license: license.id.clone(),
            code: offer.code.clone(),
        });
    }
    if license.is_terminated() {
        // Orange resends requests after a timeout: deleting again is a no-op, anything else
        // would bring a terminated license back.
        return match (&target, &item.swap_to) {
            (Some(Target::Terminate), None) | (None, None) => Ok(()),
            _ => Err(DomainError::Terminated {
                license: license.id.clone(),
                attempted: describe(item),
            }),
        };
    }
    let (license_id, fleet_id) = (license.id.clone(), license.fleet_id.clone());
    let change = |kind| LicenseChange {
        license_id: license_id.clone(),
        fleet_id: fleet_id.clone(),
        kind,
    };
    if let Some(offer) = &item.swap_to
        && *offer != license.offer
    {
        changes.push(change(ChangeKind::OfferSwapped {
            from: license.offer.clone(),
            to: offer.clone(),
        }));
        license.offer = offer.clone();
        license.updated_at = now;
    }
    if let (Some(target), Some(external)) = (target, &item.external_state) {
        match target {
            Target::State(to) => {
                if to != license.state || license.external_state.as_ref() != Some(external) {
                    changes.push(change(ChangeKind::StateChanged {
                        from: license.state,
                        to,
                        external_state: external.clone(),
                    }));
                    license.state = to;
                    license.external_state = Some(external.clone());
                    license.updated_at = now;
                }
            }
            Target::Terminate => {
                changes.push(change(ChangeKind::Terminated));
                license.external_state = Some(external.clone());
                license.terminated_at = Some(now);
                license.updated_at = now;
            }
        }
    }
    Ok(())
}

/// The item in words, for the refusal message.
fn describe(item: &UpdateItem) -> String {
    match (&item.external_state, &item.swap_to) {
        (Some(state), Some(offer)) => {
            format!("externalState {state} with a swap to {:?}", offer.code)
        }
        (Some(state), None) => format!("externalState {state}"),
        (None, Some(offer)) => format!("a swap to {:?}", offer.code),
        (None, None) => "an empty item".to_owned(),
    }
}

#[cfg(test)]
mod tests;
