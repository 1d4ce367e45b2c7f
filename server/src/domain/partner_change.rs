//! UC5: changes the partner's own tools make to a license (end user, realizing resource, login,
//! characteristics), and the Orange operation each one becomes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::license::{License, with_partner_id};
use super::open_enum::closed_enum;
use super::values::{Characteristic, EndUser, Login, RealizingResource};

/// A change asked by the partner's tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PartnerChange {
    /// Sets the end user (`add` when there was none, `modify` otherwise). An end user without
    /// an id keeps the current one's id, or gets a new one.
    SetEndUser {
        end_user: EndUser,
    },
    RemoveEndUser,
    SetRealizingResource {
        realizing_resource: RealizingResource,
    },
    /// Sets the login; `email` is where Orange sends the credentials.
    SetLogin {
        login: Login,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    AddCharacteristic {
        characteristic: Characteristic,
    },
    ModifyCharacteristic {
        characteristic: Characteristic,
    },
    DeleteCharacteristic {
        name: String,
    },
}

closed_enum!(
    /// The `action` of an Orange operation.
    OperationAction {
        Add = "add",
        Modify = "modify",
        Delete = "delete",
    }
);

/// What a partner change did, as the Orange operation that reports it (`endUserOperation`,
/// `realizingResourceOperation`, `rightOperation`, `serviceCharacteristicOperation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "operation",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AppliedChange {
    /// The end user as set, or as it was before a `delete`.
    EndUser {
        action: OperationAction,
        end_user: EndUser,
    },
    RealizingResource {
        action: OperationAction,
        realizing_resource: RealizingResource,
    },
    Right {
        action: OperationAction,
        login_key_value: Login,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The characteristic as set, or as it was before a `delete`.
    ServiceCharacteristic {
        action: OperationAction,
        characteristic: Characteristic,
    },
}

/// The outcome of a partner change: the license as it now is and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseChanged {
    pub license: License,
    pub change: AppliedChange,
}

/// Applies a partner change to a license, or refuses it leaving the license untouched.
pub fn apply_partner_change(
    license: &mut License,
    change: &PartnerChange,
    now: DateTime<Utc>,
) -> Result<AppliedChange, DomainError> {
    if license.is_terminated() {
        // Terminated licenses are gone for everyone but the audit.
        return Err(DomainError::UnknownLicense(license.id.clone()));
    }
    let applied = match change {
        PartnerChange::SetEndUser { end_user } => {
            let mut end_user = end_user.clone();
            let action = match &license.end_user {
                Some(current) => {
                    if end_user.id.is_none() {
                        end_user.id.clone_from(&current.id);
                    }
                    OperationAction::Modify
                }
                None => OperationAction::Add,
            };
            let end_user = with_partner_id(end_user);
            license.end_user = Some(end_user.clone());
            AppliedChange::EndUser { action, end_user }
        }
        PartnerChange::RemoveEndUser => {
            let end_user = license
                .end_user
                .take()
                .ok_or_else(|| DomainError::NoEndUser {
                    license: license.id.clone(),
                })?;
            AppliedChange::EndUser {
                action: OperationAction::Delete,
                end_user,
            }
        }
        PartnerChange::SetRealizingResource { realizing_resource } => {
            license.realizing_resource = Some(realizing_resource.clone());
            // Orange has a single action, `modify`, to set or update it.
            AppliedChange::RealizingResource {
                action: OperationAction::Modify,
                realizing_resource: realizing_resource.clone(),
            }
        }
        PartnerChange::SetLogin { login, email } => {
            let action = if license.login.is_some() {
                OperationAction::Modify
            } else {
                OperationAction::Add
            };
            license.login = Some(login.clone());
            AppliedChange::Right {
                action,
                login_key_value: login.clone(),
                email: email.clone(),
            }
        }
        PartnerChange::AddCharacteristic { characteristic } => {
            if license
                .characteristics
                .iter()
                .any(|c| c.name == characteristic.name)
            {
                return Err(DomainError::CharacteristicExists {
                    license: license.id.clone(),
                    name: characteristic.name.clone(),
                });
            }
            license.characteristics.push(characteristic.clone());
            AppliedChange::ServiceCharacteristic {
                action: OperationAction::Add,
                characteristic: characteristic.clone(),
            }
        }
        PartnerChange::ModifyCharacteristic { characteristic } => {
            let current = license
                .characteristics
                .iter_mut()
                .find(|c| c.name == characteristic.name)
                .ok_or_else(|| DomainError::UnknownCharacteristic {
                    license: license.id.clone(),
                    name: characteristic.name.clone(),
                })?;
            current.value.clone_from(&characteristic.value);
            AppliedChange::ServiceCharacteristic {
                action: OperationAction::Modify,
                characteristic: characteristic.clone(),
            }
        }
        PartnerChange::DeleteCharacteristic { name } => {
            let position = license
                .characteristics
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| DomainError::UnknownCharacteristic {
                    license: license.id.clone(),
                    name: name.clone(),
                })?;
            AppliedChange::ServiceCharacteristic {
                action: OperationAction::Delete,
                characteristic: license.characteristics.remove(position),
            }
        }
    };
    license.updated_at = now;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{FleetId, LicenseId, OrderId};
    use crate::domain::license::LicenseState;
    use crate::domain::values::{LoginKey, Offer};

    fn license() -> License {
        let now = Utc::now();
        License {
            id: LicenseId::from("a"),
            fleet_id: FleetId::from("f"),
            order_id: OrderId::from("o"),
            state: LicenseState::Active,
            external_state: None,
            terminated_at: None,
            offer: Offer::new("OBA-1"),
            end_user: None,
            realizing_resource: None,
            login: None,
            characteristics: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn end_user(name: &str) -> PartnerChange {
        PartnerChange::SetEndUser {
            end_user: EndUser {
                given_name: Some(name.into()),
                ..EndUser::default()
            },
        }
    }

    #[test]
    fn setting_an_end_user_adds_then_modifies_keeping_the_id() {
        let mut license = license();
        let added = apply_partner_change(&mut license, &end_user("Ana"), Utc::now()).expect("ok");
        let AppliedChange::EndUser {
            action,
            end_user: first,
        } = added
        else {
            panic!("an end user operation")
        };
        assert_eq!(action, OperationAction::Add);
        let modified =
            apply_partner_change(&mut license, &end_user("Anna"), Utc::now()).expect("ok");
        let AppliedChange::EndUser {
            action,
            end_user: second,
        } = modified
        else {
            panic!("an end user operation")
        };
        assert_eq!(action, OperationAction::Modify);
        assert_eq!(first.id, second.id);
    }

    #[test]
    fn removing_a_missing_end_user_is_refused() {
        let refused =
            apply_partner_change(&mut license(), &PartnerChange::RemoveEndUser, Utc::now());
        assert!(matches!(refused, Err(DomainError::NoEndUser { .. })));
    }

    #[test]
    fn characteristics_are_added_modified_and_deleted_by_name() {
        let mut license = license();
        let add = PartnerChange::AddCharacteristic {
            characteristic: Characteristic::new("seat", "1"),
        };
        apply_partner_change(&mut license, &add, Utc::now()).expect("added");
        assert!(
            apply_partner_change(&mut license, &add, Utc::now()).is_err(),
            "no duplicate"
        );
        let modify = PartnerChange::ModifyCharacteristic {
            characteristic: Characteristic::new("seat", "2"),
        };
        apply_partner_change(&mut license, &modify, Utc::now()).expect("modified");
        assert_eq!(license.characteristics[0].value, "2");
        let delete = PartnerChange::DeleteCharacteristic {
            name: "seat".into(),
        };
        apply_partner_change(&mut license, &delete, Utc::now()).expect("deleted");
        assert!(license.characteristics.is_empty());
        assert!(apply_partner_change(&mut license, &delete, Utc::now()).is_err());
    }

    #[test]
    fn login_is_added_then_modified() {
        let mut license = license();
        let set = PartnerChange::SetLogin {
            login: Login {
                key: LoginKey::Login,
                value: "ana".into(),
            },
            email: None,
        };
        let first = apply_partner_change(&mut license, &set, Utc::now()).expect("ok");
        assert!(matches!(
            first,
            AppliedChange::Right {
                action: OperationAction::Add,
                ..
            }
        ));
        let second = apply_partner_change(&mut license, &set, Utc::now()).expect("ok");
        assert!(matches!(
            second,
            AppliedChange::Right {
                action: OperationAction::Modify,
                ..
            }
        ));
    }

    #[test]
    fn a_terminated_license_cannot_be_changed() {
        let mut license = license();
        license.terminated_at = Some(Utc::now());
        let refused = apply_partner_change(&mut license, &end_user("Ana"), Utc::now());
        assert!(matches!(refused, Err(DomainError::UnknownLicense(_))));
    }
}
