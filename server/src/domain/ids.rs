//! Identifiers: one newtype per entity, so a fleet id cannot be passed where a license id is expected.
//!
//! Ids the partner makes are UUID v7 strings (time-ordered, so sorting by id is sorting by creation).
//! Ids that come back from Orange are kept as the strings Orange sent: a query for an id we never made
//! must be answered "not found", not rejected as malformed.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh partner-made id (UUID v7).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// The partner's id of a customer (an Organization).
    CustomerId
);
id_type!(
    /// The partner's id of a customer or Orange contact.
    ContactId
);
id_type!(
    /// The partner's id of a fleet: Orange's `productRefId`.
    FleetId
);
id_type!(
    /// The partner's id of a license: a `userService` id.
    LicenseId
);
id_type!(
    /// The partner's id of a product order.
    OrderId
);
id_type!(
    /// The partner's id of one `userService/update` request (kept for audit and async processing).
    UpdateId
);
