//! The offer catalogue: which Orange offer codes the partner sells, and its own plan name for each.
//!
//! Optional by design: an empty catalogue accepts every code, so a partner can start before the
//! list is agreed with Orange. Once set, an order or a swap naming another code fails with a reason.

use std::collections::BTreeMap;

/// Orange offer code → the partner's plan name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    plans: BTreeMap<String, String>,
}

impl Catalogue {
    /// A catalogue that accepts every offer code.
    pub fn open() -> Self {
        Self::default()
    }

    /// A catalogue limited to these `(Orange code, partner plan name)` pairs.
    pub fn new<C: Into<String>, P: Into<String>>(plans: impl IntoIterator<Item = (C, P)>) -> Self {
        Self {
            plans: plans
                .into_iter()
                .map(|(code, plan)| (code.into(), plan.into()))
                .collect(),
        }
    }

    /// Whether every offer code is accepted.
    pub fn is_open(&self) -> bool {
        self.plans.is_empty()
    }

    /// Whether an order or a swap may name this offer code.
    pub fn accepts(&self, code: &str) -> bool {
        self.is_open() || self.plans.contains_key(code)
    }

    /// The partner's plan name for an offer code, when the catalogue names it.
    pub fn plan(&self, code: &str) -> Option<&str> {
        self.plans.get(code).map(String::as_str)
    }

    /// The `(code, plan)` pairs, sorted by code.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.plans.iter().map(|(c, p)| (c.as_str(), p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_catalogue_accepts_every_code() {
        assert!(Catalogue::open().accepts("anything"));
    }

    #[test]
    fn set_catalogue_accepts_only_its_codes_and_names_their_plans() {
        let catalogue = Catalogue::new([("OBA-1", "basic")]);
        assert!(catalogue.accepts("OBA-1"));
        assert!(!catalogue.accepts("OBA-2"));
        assert_eq!(catalogue.plan("OBA-1"), Some("basic"));
    }
}
