//! What the partner should hold after each step: the licenses the run created, their fleet,
//! state and offer. Each step that changes something updates it only when the partner said the
//! change was made, so a verification by GET shows both half-done and unannounced changes.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub(super) struct License {
    pub(super) fleet: String,
    pub(super) active: bool,
    pub(super) offer: String,
    pub(super) deleted: bool,
}

#[derive(Debug, Default)]
pub(super) struct Model {
    pub(super) licenses: BTreeMap<String, License>,
    /// License ids in the order the partner created them (the steps pick licenses by position).
    pub(super) created: Vec<String>,
}

impl Model {
    pub(super) fn add(&mut self, id: &str, fleet: &str, offer: &str) {
        if self.licenses.contains_key(id) {
            return;
        }
        self.created.push(id.to_owned());
        self.licenses.insert(
            id.to_owned(),
            License {
                fleet: fleet.to_owned(),
                active: true,
                offer: offer.to_owned(),
                deleted: false,
            },
        );
    }

    pub(super) fn fleets(&self) -> BTreeSet<String> {
        self.licenses.values().map(|l| l.fleet.clone()).collect()
    }

    /// The licenses of `fleet` a consultation lists (deleted ones leave every answer).
    pub(super) fn live(&self, fleet: &str) -> BTreeMap<&str, &License> {
        self.licenses
            .iter()
            .filter(|(_, l)| l.fleet == fleet && !l.deleted)
            .map(|(id, l)| (id.as_str(), l))
            .collect()
    }

    /// The `n`-th license created (0-based).
    pub(super) fn nth(&self, n: usize) -> Option<String> {
        self.created.get(n).cloned()
    }

    pub(super) fn set_active(&mut self, id: &str, active: bool) {
        if let Some(l) = self.licenses.get_mut(id) {
            l.active = active;
        }
    }

    pub(super) fn set_offer(&mut self, id: &str, offer: &str) {
        if let Some(l) = self.licenses.get_mut(id) {
            offer.clone_into(&mut l.offer);
        }
    }

    pub(super) fn delete(&mut self, id: &str) {
        if let Some(l) = self.licenses.get_mut(id) {
            l.deleted = true;
        }
    }

    /// `fleet F: 5 licenses (3 active, 2 inactive)`, for every fleet.
    pub(super) fn describe(&self) -> String {
        if self.licenses.is_empty() {
            return "no license created yet".to_owned();
        }
        self.fleets()
            .iter()
            .map(|fleet| {
                let live = self.live(fleet);
                let active = live.values().filter(|l| l.active).count();
                format!(
                    "fleet {fleet}: {} licenses ({active} active, {} inactive)",
                    live.len(),
                    live.len() - active
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
