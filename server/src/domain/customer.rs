//! Customers (Orange's Organization) and their contacts, and the rule that makes UC1 replays
//! update rather than duplicate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{ContactId, CustomerId};
use super::values::{Characteristic, Phone, PostalAddress};

/// A customer as Orange describes it. Keyed by `external_id`, Orange's customer id: a second
/// description with the same key updates the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerData {
    /// Orange's id of the customer (`externalReference.id`).
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_name: Option<String>,
    /// SIREN / SIRET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<PostalAddress>,
    #[serde(
        default,
        rename = "characteristic",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristics: Vec<Characteristic>,
}

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: CustomerId,
    #[serde(flatten)]
    pub data: CustomerData,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact as Orange describes it (a `relatedContact` item): customer contacts and Orange's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactData {
    /// Orange's id of the contact, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Open: `customerFleetManager` seen.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_telephone_number: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_number: Option<Phone>,
    #[serde(
        default,
        rename = "characteristic",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristics: Vec<Characteristic>,
}

/// A stored contact, attached to one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: ContactId,
    pub customer_id: CustomerId,
    #[serde(flatten)]
    pub data: ContactData,
}

/// Which stored contact an incoming description is, if any.
///
/// Orange's `externalReference` decides when the incoming contact has one. Without it, the same
/// role and the same given and family names mean the same person, and a contact sent without any
/// name is recognised by its role and email: that is what keeps a replayed UC1 from duplicating
/// contacts Orange sends without ids. Contacts are never deleted by an order, because a UC2 may
/// name the customer without repeating its contacts.
pub fn matching_contact<'a>(
    existing: &'a [Contact],
    incoming: &ContactData,
) -> Option<&'a Contact> {
    match &incoming.external_id {
        Some(external) => existing
            .iter()
            .find(|c| c.data.external_id.as_deref() == Some(external.as_str())),
        None => existing
            .iter()
            .find(|c| c.data.role == incoming.role && c.data.identity() == incoming.identity()),
    }
}

/// For each incoming contact, in order: the stored contact it is (`false`), or a new contact
/// under the id `new_id` gives it (`true`). A later contact of the same request may be the same
/// person as an earlier new one. The same inputs plan the same result, which is how a write
/// checks that nothing changed since the plan was made.
pub fn plan_contacts(
    existing: &[Contact],
    incoming: &[ContactData],
    customer: &CustomerId,
    mut new_id: impl FnMut(usize) -> ContactId,
) -> Vec<(ContactId, bool)> {
    let mut known = existing.to_vec();
    incoming
        .iter()
        .enumerate()
        .map(
            |(index, data)| match matching_contact(&known, data).map(|c| c.id.clone()) {
                Some(id) => {
                    if let Some(contact) = known.iter_mut().find(|c| c.id == id) {
                        contact.data = data.clone();
                    }
                    (id, false)
                }
                None => {
                    let id = new_id(index);
                    known.push(Contact {
                        id: id.clone(),
                        customer_id: customer.clone(),
                        data: data.clone(),
                    });
                    (id, true)
                }
            },
        )
        .collect()
}

impl ContactData {
    /// What names the person when Orange gave no id: the names, or the email when no name came.
    fn identity(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        let (given, family) = (self.given_name.as_deref(), self.family_name.as_deref());
        if given.is_none() && family.is_none() {
            (None, None, self.email.as_deref())
        } else {
            (given, family, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(external: Option<&str>, role: &str, given: &str) -> ContactData {
        ContactData {
            external_id: external.map(str::to_owned),
            role: role.to_owned(),
            given_name: Some(given.to_owned()),
            family_name: Some("Martin".to_owned()),
            email: None,
            fixed_telephone_number: None,
            mobile_number: None,
            characteristics: Vec::new(),
        }
    }

    fn stored(id: &str, data: ContactData) -> Contact {
        Contact {
            id: ContactId::from(id),
            customer_id: CustomerId::from("c"),
            data,
        }
    }

    #[test]
    fn external_reference_decides_when_present() {
        let existing = [stored(
            "1",
            contact(Some("x"), "customerFleetManager", "Ana"),
        )];
        let renamed = contact(Some("x"), "customerFleetManager", "Anna");
        assert_eq!(
            matching_contact(&existing, &renamed).map(|c| c.id.as_str()),
            Some("1")
        );
        let other = contact(Some("y"), "customerFleetManager", "Ana");
        assert!(matching_contact(&existing, &other).is_none());
    }

    #[test]
    fn role_and_names_decide_without_external_reference() {
        let existing = [stored("1", contact(None, "customerFleetManager", "Ana"))];
        let same = contact(None, "customerFleetManager", "Ana");
        assert!(matching_contact(&existing, &same).is_some());
        let other_role = contact(None, "billing", "Ana");
        assert!(matching_contact(&existing, &other_role).is_none());
    }

    #[test]
    fn role_and_email_decide_for_a_contact_sent_without_names() {
        let nameless = |email: &str| ContactData {
            given_name: None,
            family_name: None,
            email: Some(email.to_owned()),
            ..contact(None, "customerFleetManager", "")
        };
        let existing = [stored("1", nameless("ana@example.fr"))];
        assert!(matching_contact(&existing, &nameless("ana@example.fr")).is_some());
        assert!(matching_contact(&existing, &nameless("bob@example.fr")).is_none());
    }
}
