//! The partner's Appendix 2: what the partner agreed with Orange, as one TOML document that the
//! server enforces (`obakit serve --profile FILE`, or a `[profile]` section of its configuration)
//! and the simulator expects (`obakit simulate --profile FILE`).
//!
//! Orange's getting-started page leaves these points to "the Appendix 2 of the contract": sync or
//! async per API, which optional userService features the partner serves, and per offer the
//! technical information an order carries and the type of realizing resource. Nothing here knows
//! the store, the domain or HTTP, so both the server and the simulator read the same file.
//!
//! ```toml
//! product_ordering = "async"      # sync (default) or async
//! user_service = "sync"
//!
//! [features]                      # optional features of Orange's table; all on by default
//! offer_swap = true               # productOfferingOperation swap (UC4 update)
//! end_user = true                 # endUserConfiguration at order time, endUserOperation (UC5)
//! realizing_resource = true       # realizingResource at order time, realizingResourceOperation
//! login = true                    # rightOperation (UC5.3)
//!
//! [offers.PO-BUSAPP-STARTER]      # one table per Orange catalogue code the partner sells
//! plan = "starter"                # the partner's own plan name (default: the code itself)
//! characteristics = ["domain"]    # productRef.characteristic names an order must carry
//! realizing_resource_type = "URL" # the medium the licenses run on, if any
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Answer now (`sync`) or acknowledge now and send the result as an event (`async`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiMode {
    #[default]
    Sync,
    Async,
}

/// The partner's Appendix 2. `Profile::default()` is what obakit assumes when none is given:
/// both APIs synchronous, every optional feature served, any offer code, no characteristic required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    pub product_ordering: ApiMode,
    pub user_service: ApiMode,
    pub features: Features,
    /// Orange catalogue code → what was agreed for it. Empty: every code is accepted.
    pub offers: BTreeMap<String, OfferProfile>,
}

/// Optional features of Orange's feature table, as the partner declared them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Features {
    pub offer_swap: bool,
    pub end_user: bool,
    pub realizing_resource: bool,
    pub login: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self {
            offer_swap: true,
            end_user: true,
            realizing_resource: true,
            login: true,
        }
    }
}

/// What the partner agreed with Orange for one offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfferProfile {
    /// The partner's own plan name; the Orange code when unset.
    pub plan: Option<String>,
    /// Names of the `productRef.characteristic` entries an order of this offer must carry.
    pub characteristics: Vec<String>,
    /// The type of realizing resource the licenses run on (`URL`, `email`, `mobile`, …).
    pub realizing_resource_type: Option<String>,
}

/// Why a profile file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("reading profile {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("profile {path}: {message}")]
    Parse { path: String, message: String },
}

impl Profile {
    /// Reads a profile file: the keys at the top level, or under a `[profile]` table (so the
    /// server's own configuration file can be given to the simulator as it is).
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ProfileError::Parse {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses the text of a profile file (see [`Profile::load`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        let document: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let table = match document.get("profile") {
            Some(toml::Value::Table(section)) => section.clone(),
            Some(_) => return Err("`profile` must be a table".into()),
            None => document,
        };
        table.try_into().map_err(|e: toml::de::Error| e.to_string())
    }

    /// The agreement for an offer code, when offers are declared. `None` with offers declared
    /// means the partner does not sell that code.
    pub fn offer(&self, code: &str) -> Option<&OfferProfile> {
        self.offers.get(code)
    }

    /// Whether `code` can be ordered: any code when no offer is declared.
    pub fn sells(&self, code: &str) -> bool {
        self.offers.is_empty() || self.offers.contains_key(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_reads_top_level_keys_and_a_profile_section_alike() {
        let flat = r#"
            product_ordering = "async"
            [features]
            offer_swap = false
            [offers.PO-A]
            characteristics = ["domain"]
            realizing_resource_type = "URL"
        "#;
        let sectioned = format!(
            "listen = \"127.0.0.1:1\"\n[profile]\n{}",
            flat.replace("[features]", "[profile.features]")
                .replace("[offers.PO-A]", "[profile.offers.PO-A]")
        );
        let a = Profile::parse(flat).unwrap();
        let b = Profile::parse(&sectioned).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.product_ordering, ApiMode::Async);
        assert_eq!(a.user_service, ApiMode::Sync);
        assert!(!a.features.offer_swap && a.features.login);
        assert_eq!(a.offer("PO-A").unwrap().characteristics, ["domain"]);
        assert!(a.sells("PO-A") && !a.sells("PO-B"));
    }

    #[test]
    fn profile_with_an_unknown_key_is_refused_with_its_name() {
        let err = Profile::parse("[features]\nswap = true\n").unwrap_err();
        assert!(err.contains("swap"), "{err}");
    }

    #[test]
    fn default_profile_sells_everything_and_serves_every_feature() {
        let p = Profile::default();
        assert!(p.sells("anything"));
        assert_eq!(p.features, Features::default());
        assert!(p.features.offer_swap && p.features.end_user);
    }
}
