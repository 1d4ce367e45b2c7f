//! One partner change, as the admin API and `obakit license` both make it: stored with its
//! `updateNotification` in one transaction, and the refusal, if any, classified once for both.

use crate::domain::{
    AppliedChange, Characteristic, DomainError, LicenseChanged, LicenseId, PartnerChange,
};
use crate::usecase::{UseCaseError, UseCases};
use crate::wire::partner_change_event;

/// What the partner's tools ask for. Only "set a characteristic" is not a [`PartnerChange`]
/// itself: it becomes an `add` or a `modify` depending on the license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseEdit {
    Change(PartnerChange),
    SetCharacteristic(Characteristic),
}

/// A stored change and the id of the event queued for Orange.
#[derive(Debug, Clone)]
pub struct Edited {
    pub changed: LicenseChanged,
    pub event_id: String,
}

impl Edited {
    /// The Orange operation the event carries (`endUserOperation`, …) and its action.
    pub fn operation(&self) -> (&'static str, &'static str) {
        match &self.changed.change {
            AppliedChange::EndUser { action, .. } => ("endUserOperation", action.as_str()),
            AppliedChange::RealizingResource { action, .. } => {
                ("realizingResourceOperation", action.as_str())
            }
            AppliedChange::Right { action, .. } => ("rightOperation", action.as_str()),
            AppliedChange::ServiceCharacteristic { action, .. } => {
                ("serviceCharacteristicOperation", action.as_str())
            }
        }
    }
}

/// Why a change was not made, in the categories both front ends answer differently.
#[derive(Debug)]
pub enum Refusal {
    /// Unknown or terminated license.
    NotFound(String),
    /// The license's current state forbids the change (no end user to remove…).
    Conflict(String),
    /// Provisioning (the partner's own platform) said no or could not be reached.
    Refused(String),
    /// The store failed; the detail is for the log only.
    Internal(UseCaseError),
}

impl From<UseCaseError> for Refusal {
    fn from(error: UseCaseError) -> Self {
        match error {
            UseCaseError::Refused(refusal) if refusal.is_not_found() => {
                Self::NotFound(refusal.to_string())
            }
            UseCaseError::Refused(refusal) => Self::Conflict(refusal.to_string()),
            UseCaseError::Provisioning(refusal) | UseCaseError::ProvisioningFault(refusal) => {
                Self::Refused(refusal.to_string())
            }
            UseCaseError::Contended(detail) => Self::Conflict(detail),
            other => Self::Internal(other),
        }
    }
}

/// Applies an edit to a license; nothing is stored or queued when it is refused.
pub async fn apply(
    cases: &UseCases,
    id: &LicenseId,
    edit: &LicenseEdit,
) -> Result<Edited, Refusal> {
    let characteristic = match edit {
        LicenseEdit::Change(change) => return Ok(change_license(cases, id, change).await?),
        LicenseEdit::SetCharacteristic(characteristic) => characteristic,
    };
    // Try `modify` first: the rules refuse it before provisioning runs, so a miss costs one
    // rolled-back read, and no read outside the transaction can go stale.
    let modify = PartnerChange::ModifyCharacteristic {
        characteristic: characteristic.clone(),
    };
    match change_license(cases, id, &modify).await {
        Err(UseCaseError::Refused(DomainError::UnknownCharacteristic { .. })) => {}
        other => return Ok(other?),
    }
    let add = PartnerChange::AddCharacteristic {
        characteristic: characteristic.clone(),
    };
    match change_license(cases, id, &add).await {
        // Another writer added it in between: what was asked is now a `modify`.
        Err(UseCaseError::Refused(DomainError::CharacteristicExists { .. })) => {
            Ok(change_license(cases, id, &modify).await?)
        }
        other => Ok(other?),
    }
}

async fn change_license(
    cases: &UseCases,
    id: &LicenseId,
    change: &PartnerChange,
) -> Result<Edited, UseCaseError> {
    let mut event_id = String::new();
    let changed = cases
        .change_license(id, change, |changed| {
            let event = partner_change_event(changed);
            event_id.clone_from(&event.id);
            vec![event]
        })
        .await?;
    Ok(Edited { changed, event_id })
}
