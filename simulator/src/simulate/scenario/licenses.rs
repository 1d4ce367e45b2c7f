//! UserService steps: consultations, state changes, the offer swap, deletions, updates that must
//! fail as a whole, and the read-back that verifies every change against the model.

use std::collections::BTreeMap;

use obakit_api::common::types::Note;
use obakit_api::user_service::handler::{
    GetUserServiceResponse, ListUserServicesResponse, UpdateUserServicesResponse,
};
use obakit_api::user_service::types::{
    ExternalState, UserService, UserServiceUpdateItem, UserServiceUpdateRequest,
    UserServiceUpdateState,
};
use poem_openapi::payload::Json;

use super::Run;
use super::bodies::{UC2_QUANTITY, state_item, swap_item};
use crate::simulate::checks::{Feature, empty_nodes};

/// The final answer to an update: the immediate one, or the event's when it was acknowledged.
struct Updated {
    state: UserServiceUpdateState,
    licenses: Vec<UserService>,
    note: Option<Note>,
}

/// What an update answer must show for one license.
struct Shows<'a> {
    id: &'a str,
    active: Option<bool>,
    offer: Option<&'a str>,
}

const UPDATE_SPEC: &str = "a userServiceUpdate in a 2xx answer (spec)";
const LIST_SPEC: &str = "an array of userService in a 2xx answer (spec)";

fn state_name(active: bool) -> &'static str {
    if active { "active" } else { "inactive" }
}

impl Run<'_> {
    /// Reads every fleet of the model back and compares: `id` passes when the partner holds
    /// exactly what the model says (ids, states, offers), read through answers the spec accepts.
    pub(super) async fn verify(&mut self, id: &str, feature: Feature) {
        self.verify_with(id, feature, None).await;
    }

    /// Same, reading `other` too: a fleet the run never made, which must hold no license (a
    /// replay answered with a fleet of its own).
    pub(super) async fn verify_with(&mut self, id: &str, feature: Feature, other: Option<&str>) {
        let mut findings = Vec::new();
        let mut fleets = self.model.fleets();
        fleets.extend(other.map(str::to_owned));
        for fleet in fleets {
            let result = self
                .licenses
                .list_user_services(Some(fleet.clone()), None)
                .await;
            let exchange = self.exchange();
            for empty in exchange
                .as_ref()
                .and_then(|e| e.json())
                .map(|j| empty_nodes(&j))
                .unwrap_or_default()
            {
                findings.push(format!("fleet {fleet}: {empty}"));
            }
            let listed = match result {
                Ok(ListUserServicesResponse::Ok(Json(listed))) => listed,
                Ok(_) => {
                    findings.push(format!(
                        "GET ?productRefId={fleet}: {}",
                        super::quote(exchange.as_ref())
                    ));
                    continue;
                }
                Err(e) => {
                    findings.push(format!(
                        "GET ?productRefId={fleet}: {}",
                        super::client_error(&e, exchange.as_ref())
                    ));
                    continue;
                }
            };
            findings.extend(self.compare_fleet(&fleet, &listed));
        }
        let expected = format!("read back by fleet: {}", self.model.describe());
        self.checks
            .findings(id, feature, expected, findings, "as expected");
    }

    /// What differs between the licenses listed for `fleet` and the model.
    fn compare_fleet(&mut self, fleet: &str, listed: &[UserService]) -> Vec<String> {
        let mut findings = Vec::new();
        let expected = self.model.live(fleet);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for license in listed {
            self.login_seen |= license.login_key_value.is_some();
            *seen.entry(license.id.as_str()).or_default() += 1;
            if license.related_product_ref_id != fleet {
                findings.push(format!(
                    "{} has relatedProductRefId {}",
                    license.id, license.related_product_ref_id
                ));
            }
            match expected.get(license.id.as_str()) {
                None => findings.push(format!(
                    "unexpected license {} ({})",
                    license.id,
                    license.state.as_str()
                )),
                Some(model) => {
                    if license.state.as_str() != state_name(model.active) {
                        findings.push(format!(
                            "{} is {} (expected {})",
                            license.id,
                            license.state.as_str(),
                            state_name(model.active)
                        ));
                    }
                    let offer = &license.product_offering.external_reference.id;
                    if *offer != model.offer {
                        findings.push(format!(
                            "{} has offer {offer} (expected {})",
                            license.id, model.offer
                        ));
                    }
                }
            }
        }
        for (id, n) in &seen {
            if *n > 1 {
                findings.push(format!("{id} listed {n} times"));
            }
        }
        let missing: Vec<&str> = expected
            .keys()
            .filter(|id| !seen.contains_key(*id))
            .copied()
            .collect();
        if !missing.is_empty() {
            findings.push(format!("missing {}", missing.join(", ")));
        }
        if !findings.is_empty() {
            findings.insert(
                0,
                format!(
                    "fleet {fleet}: {} listed (expected {})",
                    listed.len(),
                    expected.len()
                ),
            );
        }
        findings
    }

    pub(super) async fn consult(&mut self) {
        let feature = Feature::Consultation;
        self.checks
            .step("consultation by fleet, by id and by id list");
        let Some(fleet) = self.saved.fleet.clone() else {
            self.not_run(
                "consult.spec",
                feature,
                LIST_SPEC,
                "UC2 gave no productRefId",
            );
            return;
        };
        let result = self
            .licenses
            .list_user_services(Some(fleet.clone()), None)
            .await;
        let Some(listed) =
            self.spec_resource(
                "consult",
                feature,
                LIST_SPEC,
                result,
                |answer| match answer {
                    ListUserServicesResponse::Ok(Json(listed)) => Some(listed),
                    _ => None,
                },
            )
        else {
            return;
        };
        // A partner that did not list the created licenses in its answer to UC2: learn them
        // here (uc2.licenses already failed) so that the steps after can still run.
        if self.model.live(&fleet).is_empty() {
            for license in listed.iter().take(UC2_QUANTITY) {
                self.model.add(&license.id, &fleet, &self.bodies.offer);
            }
        }
        let findings = self.compare_fleet(&fleet, &listed);
        self.checks.findings(
            "consult.fleet",
            feature,
            format!(
                "the {UC2_QUANTITY} licenses of UC2, active, offer {}, relatedProductRefId {fleet}",
                self.bodies.offer
            ),
            findings,
            format!("{} licenses as expected", listed.len()),
        );
        let (Some(first), Some(second)) = (self.model.nth(0), self.model.nth(1)) else {
            return;
        };
        let result = self.licenses.get_user_service(first.clone()).await;
        if let Some(license) = self.spec_resource(
            "consult_one",
            feature,
            "200 with one userService object (spec)",
            result,
            |answer| match answer {
                GetUserServiceResponse::Ok(Json(license)) => Some(license),
                _ => None,
            },
        ) {
            self.login_seen |= license.login_key_value.is_some();
            let mut findings = Vec::new();
            if license.id != first {
                findings.push(format!("id {}", license.id));
            }
            if license.related_product_ref_id != fleet {
                findings.push(format!(
                    "relatedProductRefId {}",
                    license.related_product_ref_id
                ));
            }
            if license.state.as_str() != "active" {
                findings.push(format!("state {}", license.state.as_str()));
            }
            self.checks.findings(
                "consult_one.same",
                feature,
                format!("license {first}, fleet {fleet}, active"),
                findings,
                "as expected",
            );
        }
        let asked = vec![first, second];
        let result = self
            .licenses
            .list_user_services(None, Some(asked.clone()))
            .await;
        if let Some(listed) = self.spec_resource(
            "consult_ids",
            feature,
            LIST_SPEC,
            result,
            |answer| match answer {
                ListUserServicesResponse::Ok(Json(listed)) => Some(listed),
                _ => None,
            },
        ) {
            let mut got: Vec<String> = listed.into_iter().map(|l| l.id).collect();
            got.sort();
            let mut want = asked.clone();
            want.sort();
            self.checks.add(
                "consult_ids.same",
                feature,
                got == want,
                format!("exactly the licenses asked for: {}", asked.join(", ")),
                if got.is_empty() {
                    "none".to_owned()
                } else {
                    got.join(", ")
                },
            );
        }
    }

    pub(super) async fn consult_again(&mut self) {
        self.checks.step("consultation after UC3");
        if self.saved.fleet.is_none() {
            self.not_run(
                "consult_again.fleet",
                Feature::Consultation,
                LIST_SPEC,
                "UC2 gave no productRefId",
            );
            return;
        }
        // The model holds the UC2 and UC3 licenses (and any fleet UC3 chose instead).
        self.verify("consult_again.fleet", Feature::Consultation)
            .await;
    }

    /// Sends an update and follows it to its final answer.
    async fn update(
        &mut self,
        step: &str,
        feature: Feature,
        items: Vec<UserServiceUpdateItem>,
    ) -> Option<Updated> {
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let request = UserServiceUpdateRequest {
            user_service: items,
        };
        let result = self.licenses.update_user_services(&request).await;
        let answer =
            self.spec_resource(step, feature, UPDATE_SPEC, result, |answer| match answer {
                UpdateUserServicesResponse::Ok(Json(answer)) => Some(answer),
                _ => None,
            })?;
        if answer.state != UserServiceUpdateState::Acknowledged {
            return Some(Updated {
                state: answer.state,
                licenses: answer.user_service.unwrap_or_default(),
                note: answer.note,
            });
        }
        self.acknowledged = true;
        self.updates_acknowledged = true;
        let arrived = self.events.update(&mut self.checks, step, &ids).await?;
        Some(Updated {
            state: arrived
                .resource
                .state
                .unwrap_or(UserServiceUpdateState::Unknown("(none)".into())),
            licenses: arrived.resource.user_service,
            note: arrived.resource.note,
        })
    }

    /// `<step>.state` = completed, and `<step>.licenses`: the answer shows each license changed.
    fn completed(
        &mut self,
        step: &str,
        feature: Feature,
        updated: &Updated,
        shows: &[Shows<'_>],
    ) -> bool {
        let completed = updated.state == UserServiceUpdateState::Completed;
        self.checks.add(
            format!("{step}.state"),
            feature,
            completed,
            "state completed",
            match &updated.note {
                Some(note) if !completed => {
                    format!("state {}: {}", updated.state.as_str(), note.text)
                }
                _ => format!("state {}", updated.state.as_str()),
            },
        );
        if !completed || shows.is_empty() {
            return completed;
        }
        let mut findings = Vec::new();
        for show in shows {
            let Some(license) = updated.licenses.iter().find(|l| l.id == show.id) else {
                findings.push(format!("{} not in the answer", show.id));
                continue;
            };
            if let Some(active) = show.active
                && license.state.as_str() != state_name(active)
            {
                findings.push(format!("{} is {}", show.id, license.state.as_str()));
            }
            if let Some(offer) = show.offer
                && license.product_offering.external_reference.id != offer
            {
                findings.push(format!(
                    "{} has offer {}",
                    show.id, license.product_offering.external_reference.id
                ));
            }
        }
        let expected = shows
            .iter()
            .map(|s| {
                let mut text = s.id.to_owned();
                if let Some(active) = s.active {
                    text.push(' ');
                    text.push_str(state_name(active));
                }
                if let Some(offer) = s.offer {
                    text.push_str(" offer ");
                    text.push_str(offer);
                }
                text
            })
            .collect::<Vec<_>>()
            .join(", ");
        self.checks.findings(
            format!("{step}.licenses"),
            feature,
            format!("the answer shows {expected}"),
            findings,
            "shown",
        );
        true
    }

    /// `<step>.failed`: the whole update is refused; `<step>.reason`: with the reason in note.
    fn refused(&mut self, step: &str, feature: Feature, updated: &Updated, why: &str) {
        let failed = updated.state == UserServiceUpdateState::Failed;
        self.checks.add(
            format!("{step}.failed"),
            feature,
            failed,
            format!("state failed ({why}); nothing changed"),
            match &updated.note {
                Some(note) => format!("state {}: {}", updated.state.as_str(), note.text),
                None => format!("state {}", updated.state.as_str()),
            },
        );
        if failed {
            self.checks.add(
                format!("{step}.reason"),
                feature,
                updated.note.is_some(),
                "the reason in note",
                updated
                    .note
                    .as_ref()
                    .map_or("no note".to_owned(), |n| n.text.clone()),
            );
        }
    }

    /// The `n`-th created license, or a `not run` check.
    fn pick(&mut self, step: &str, feature: Feature, wanted: &[usize]) -> Option<Vec<String>> {
        let picked: Option<Vec<String>> = wanted.iter().map(|n| self.model.nth(*n)).collect();
        if picked.is_none() {
            self.not_run(
                &format!("{step}.spec"),
                feature,
                UPDATE_SPEC,
                &format!(
                    "needs {} licenses from UC2 and UC3, the run knows {}",
                    wanted.iter().max().map_or(0, |m| m + 1),
                    self.model.created.len()
                ),
            );
        }
        picked
    }

    pub(super) async fn suspend(&mut self) {
        let feature = Feature::StateChange;
        self.checks
            .step("suspend two licenses (externalState suspended, inactive)");
        let Some(ids) = self.pick("suspend", feature, &[0, 1]) else {
            return;
        };
        let items = vec![
            state_item(&ids[0], ExternalState::Suspended),
            state_item(&ids[1], ExternalState::Inactive),
        ];
        if let Some(updated) = self.update("suspend", feature, items.clone()).await {
            let shows = [
                Shows {
                    id: &ids[0],
                    active: Some(false),
                    offer: None,
                },
                Shows {
                    id: &ids[1],
                    active: Some(false),
                    offer: None,
                },
            ];
            if self.completed("suspend", feature, &updated, &shows) {
                self.model.set_active(&ids[0], false);
                self.model.set_active(&ids[1], false);
            }
        }
        self.verify("suspend.after", feature).await;
        self.checks.step("suspension replayed (same update)");
        if let Some(updated) = self.update("suspend_replay", feature, items).await {
            let shows = [
                Shows {
                    id: &ids[0],
                    active: Some(false),
                    offer: None,
                },
                Shows {
                    id: &ids[1],
                    active: Some(false),
                    offer: None,
                },
            ];
            self.completed("suspend_replay", feature, &updated, &shows);
        }
        self.verify("suspend_replay.after", feature).await;
    }

    pub(super) async fn reactivate(&mut self) {
        let feature = Feature::StateChange;
        self.checks.step("reactivate one license");
        let Some(ids) = self.pick("reactivate", feature, &[0]) else {
            return;
        };
        let items = vec![state_item(&ids[0], ExternalState::Active)];
        if let Some(updated) = self.update("reactivate", feature, items).await
            && self.completed(
                "reactivate",
                feature,
                &updated,
                &[Shows {
                    id: &ids[0],
                    active: Some(true),
                    offer: None,
                }],
            )
        {
            self.model.set_active(&ids[0], true);
        }
        self.verify("reactivate.after", feature).await;
    }

    pub(super) async fn update_with_unknown_id(&mut self) {
        let feature = Feature::StateChange;
        self.checks
            .step("update naming an unknown license (all or nothing)");
        let Some(ids) = self.pick("update_unknown_id", feature, &[1]) else {
            return;
        };
        let unknown = self.bodies.unknown_id("license");
        let items = vec![
            state_item(&ids[0], ExternalState::Active),
            state_item(&unknown, ExternalState::Suspended),
        ];
        if let Some(updated) = self.update("update_unknown_id", feature, items).await {
            self.refused(
                "update_unknown_id",
                feature,
                &updated,
                &format!("{unknown} does not exist, so {} stays inactive", ids[0]),
            );
        }
        self.verify("update_unknown_id.after", feature).await;
    }

    pub(super) async fn swap(&mut self) {
        let feature = Feature::OfferSwap;
        let to = self.bodies.swap_offer.clone();
        self.checks
            .step(&format!("optional: swap one license to offer {to}"));
        if self.checks.left_out(feature) {
            self.not_run(
                "swap.state",
                feature,
                "state completed",
                "the profile leaves offer swap out",
            );
            return;
        }
        let Some(ids) = self.pick("swap", feature, &[2]) else {
            return;
        };
        let items = vec![swap_item(&ids[0], &to)];
        if let Some(updated) = self.update("swap", feature, items).await
            && self.completed(
                "swap",
                feature,
                &updated,
                &[Shows {
                    id: &ids[0],
                    active: None,
                    offer: Some(&to),
                }],
            )
        {
            self.model.set_offer(&ids[0], &to);
        }
        self.verify("swap.after", feature).await;
    }

    pub(super) async fn delete(&mut self) {
        let feature = Feature::Deletion;
        self.checks.step("delete the two licenses of UC3");
        let Some(ids) = self.pick("delete", feature, &[3, 4]) else {
            return;
        };
        let items = vec![
            state_item(&ids[0], ExternalState::Deleted),
            state_item(&ids[1], ExternalState::Deleted),
        ];
        if let Some(updated) = self.update("delete", feature, items).await {
            // A deleted license is answered once (as inactive) or left out: only the state counts.
            if self.completed("delete", feature, &updated, &[]) {
                self.model.delete(&ids[0]);
                self.model.delete(&ids[1]);
            }
        }
        self.verify("delete.after", feature).await;
        let result = self.licenses.get_user_service(ids[0].clone()).await;
        self.spec(
            "delete.gone",
            feature,
            "GET of a deleted license answers 404 with Orange's error body",
            result,
            |answer| match answer {
                GetUserServiceResponse::NotFound(Json(e)) => Some(e),
                _ => None,
            },
        );
    }

    pub(super) async fn update_terminated(&mut self) {
        let feature = Feature::StateChange;
        self.checks
            .step("reactivate a deleted license with another one (all or nothing)");
        let Some(ids) = self.pick("update_terminated", feature, &[1, 3]) else {
            return;
        };
        let items = vec![
            state_item(&ids[0], ExternalState::Active),
            state_item(&ids[1], ExternalState::Active),
        ];
        if let Some(updated) = self.update("update_terminated", feature, items).await {
            self.refused(
                "update_terminated",
                feature,
                &updated,
                &format!("{} is deleted, so {} stays inactive", ids[1], ids[0]),
            );
        }
        self.verify("update_terminated.after", feature).await;
    }
}

impl Run<'_> {
    /// Two changes of one license in one update, applied in order: suspend then delete completes;
    /// delete then suspend fails as a whole (a terminated license accepts no change). Then the
    /// asynchronous failure paths: a deleted license reactivated alone, and an update whose
    /// every id is unknown; each must still be answered (in asynchronous mode, by an event).
    pub(super) async fn update_sequences(&mut self) {
        let feature = Feature::Deletion;
        self.checks
            .step("suspend then delete one license, in one update");
        if let Some(ids) = self.pick("suspend_then_delete", feature, &[2]) {
            let items = vec![
                state_item(&ids[0], ExternalState::Suspended),
                state_item(&ids[0], ExternalState::Deleted),
            ];
            if let Some(updated) = self.update("suspend_then_delete", feature, items).await
                && self.completed("suspend_then_delete", feature, &updated, &[])
            {
                self.model.delete(&ids[0]);
            }
            self.verify("suspend_then_delete.after", feature).await;
        }
        let feature = Feature::StateChange;
        self.checks
            .step("delete then suspend one license, in one update");
        if let Some(ids) = self.pick("delete_then_suspend", feature, &[1]) {
            let items = vec![
                state_item(&ids[0], ExternalState::Deleted),
                state_item(&ids[0], ExternalState::Suspended),
            ];
            if let Some(updated) = self.update("delete_then_suspend", feature, items).await {
                self.refused(
                    "delete_then_suspend",
                    feature,
                    &updated,
                    &format!("{} would be suspended once deleted", ids[0]),
                );
                // A partner that applied it anyway said so: the read-back follows its answer.
                if updated.state == UserServiceUpdateState::Completed {
                    self.model.delete(&ids[0]);
                }
            }
            self.verify("delete_then_suspend.after", feature).await;
        }
        self.checks
            .step("reactivate a deleted license, alone (all or nothing)");
        if let Some(ids) = self.pick("reactivate_deleted", feature, &[3]) {
            let items = vec![state_item(&ids[0], ExternalState::Active)];
            if let Some(updated) = self.update("reactivate_deleted", feature, items).await {
                self.refused(
                    "reactivate_deleted",
                    feature,
                    &updated,
                    &format!("{} is deleted", ids[0]),
                );
            }
            self.verify("reactivate_deleted.after", feature).await;
        }
        self.checks.step("update whose every license is unknown");
        let items = vec![
            state_item(
                &self.bodies.unknown_id("license-a"),
                ExternalState::Suspended,
            ),
            state_item(&self.bodies.unknown_id("license-b"), ExternalState::Active),
        ];
        if let Some(updated) = self.update("update_all_unknown", feature, items).await {
            self.refused(
                "update_all_unknown",
                feature,
                &updated,
                "no license of the update exists",
            );
        }
        self.verify("update_all_unknown.after", feature).await;
    }
}
