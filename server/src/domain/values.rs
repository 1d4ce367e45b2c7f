//! Small value types shared by customers, contacts and licenses: characteristics, phone numbers,
//! addresses, the end user, the realizing resource, the login and the offer.
//!
//! They derive serde in camelCase because they are stored as JSON columns and appear in the
//! provisioning webhook's JSON; absent optional values are left out, as Orange wants.

use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;

/// A free `{name, value}` pair, as Orange's `characteristic` arrays carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Characteristic {
    pub name: String,
    pub value: String,
}

impl Characteristic {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A phone number split as Orange sends it: country code and subscriber number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    pub cc: String,
    pub sn: String,
}

/// A customer's postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The person using a license (Orange's `Individual`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndUser {
    /// The partner's id; made by the partner when the end user is first set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Orange's id of the person, when Orange gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_number: Option<Phone>,
}

/// What realizes a license on the partner's side: a URL, an email address, a phone, an IMEI…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealizingResource {
    /// Orange's `type` (open: URL, email, phone number, IMEI seen).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        default,
        rename = "characteristic",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristics: Vec<Characteristic>,
}

open_enum!(
    /// What a license's login identifies.
    LoginKey {
        Login = "login",
        OrganizationCode = "organizationCode",
    }
);

/// A license's login: Orange's `loginKeyValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub key: LoginKey,
    pub value: String,
}

/// An Orange catalogue offer as named on an order item or a swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Orange's catalogue code (`productOffering.externalReference.id`).
    pub code: String,
    /// Orange's display name (`productOffering.name`), when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Offer {
    pub fn new(code: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: None,
        }
    }

    pub fn named(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: Some(name.into()),
        }
    }
}
