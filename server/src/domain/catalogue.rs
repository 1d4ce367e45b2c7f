//! The offer catalogue: which Orange offer codes the partner sells, its own plan name for each,
//! and what the partner's Appendix 2 requires: the technical characteristics an order of an offer
//! must carry, and whether offers can be swapped at all.
//!
//! Optional by design: an empty catalogue accepts every code, so a partner can start before the
//! list is agreed with Orange. Once set, an order or a swap naming another code fails with a reason.

use std::collections::BTreeMap;

/// Orange offer code → the partner's plan name, plus the agreed rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    plans: BTreeMap<String, String>,
    /// Offer code → the `productRef.characteristic` names an order of it must carry.
    required: BTreeMap<String, Vec<String>>,
    swap: bool,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            plans: BTreeMap::new(),
            required: BTreeMap::new(),
            swap: true,
        }
    }
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
            ..Self::default()
        }
    }

    /// The same catalogue, where an order of `code` must carry these characteristics.
    pub fn requiring(mut self, code: &str, characteristics: Vec<String>) -> Self {
        if characteristics.is_empty() {
            self.required.remove(code);
        } else {
            self.required.insert(code.to_owned(), characteristics);
        }
        self
    }

    /// The same catalogue, where no offer can be swapped (the partner does not serve the swap).
    pub fn without_swap(mut self) -> Self {
        self.swap = false;
        self
    }

    /// Whether a license's offer may be swapped.
    pub fn allows_swap(&self) -> bool {
        self.swap
    }

    /// The first characteristic an order of `code` must carry and `given` lacks.
    pub fn missing_characteristic(&self, code: &str, given: &[&str]) -> Option<&str> {
        self.required
            .get(code)?
            .iter()
            .map(String::as_str)
            .find(|name| !given.contains(name))
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

    #[test]
    fn a_required_characteristic_is_named_when_missing() {
        let catalogue = Catalogue::open().requiring("OBA-1", vec!["domain".into(), "seats".into()]);
        assert_eq!(
            catalogue.missing_characteristic("OBA-1", &["seats"]),
            Some("domain")
        );
        assert_eq!(
            catalogue.missing_characteristic("OBA-1", &["domain", "seats"]),
            None
        );
        assert_eq!(catalogue.missing_characteristic("OBA-2", &[]), None);
        assert!(catalogue.allows_swap() && !catalogue.without_swap().allows_swap());
    }
}
