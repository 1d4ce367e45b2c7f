//! ProductOrdering steps: ping, UC1, UC2, UC3 (known and unknown fleet), the replays, and the
//! optional end-user and technical-resource configuration of new licenses.

use std::collections::BTreeSet;

use obakit_api::product_ordering::handler::{CreateProductOrderResponse, PingResponse};
use obakit_api::product_ordering::types::{ProductOrder, ProductOrderState};
use obakit_api::user_service::handler::GetUserServiceResponse;
use obakit_api::user_service::types::UserService;
use poem_openapi::payload::Json;

use super::Run;
use super::bodies::{UC2_QUANTITY, UC3_QUANTITY};
use crate::simulate::async_events::Arrived;
use crate::simulate::checks::Feature;

/// An order as first answered and, when that answer was `acknowledged`, as its event finished it.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    immediate: ProductOrder,
    finished: Option<ProductOrder>,
}

impl Sent {
    /// The final answer, when there is one.
    fn outcome(&self) -> Option<&ProductOrder> {
        self.finished.as_ref()
    }
}

/// What later steps need from earlier ones.
#[derive(Debug, Default)]
pub(super) struct Saved {
    uc1: Option<Sent>,
    uc2: Option<Sent>,
    uc3: Option<Sent>,
    unknown_fleet: Option<Sent>,
    /// The fleet UC2 made (productRefId).
    pub(super) fleet: Option<String>,
}

/// How long after a GET that already shows an asynchronous order's licenses its event may arrive:
/// the partner completes the order, then needs a moment to deliver the event.
const DELIVERY_GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

const ORDER_SPEC: &str = "a productOrder in a 2xx answer (spec)";

fn state_of(order: &ProductOrder) -> &str {
    order.state.as_ref().map_or("(none)", |s| s.as_str())
}

fn fleet_of(order: &ProductOrder) -> Option<&str> {
    order
        .order_item
        .as_ref()
        .and_then(|items| items.first())
        .and_then(|item| item.product_ref.id.as_deref())
}

/// The licenses an answer lists as created (`productRef.userService`).
fn created_of(order: &ProductOrder) -> Vec<(String, String)> {
    order
        .order_item
        .as_ref()
        .and_then(|items| items.first())
        .and_then(|item| item.product_ref.user_service.as_ref())
        .map(|refs| {
            refs.iter()
                .map(|r| (r.id.clone(), r.state.as_str().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

impl Run<'_> {
    /// GET /ping; `false` when the partner gave no answer at all (nothing else can run).
    pub(super) async fn ping(&mut self) -> bool {
        self.checks
            .step("ping: availability check (no credentials, as the spec declares)");
        let (client, _) = match self.clients_with(&crate::simulate::Credentials::default()) {
            Ok(clients) => clients,
            Err(e) => {
                self.not_run("ping.spec", Feature::Availability, "200", &e.to_string());
                return false;
            }
        };
        let result = client.ping().await;
        self.spec(
            "ping",
            Feature::Availability,
            "GET /ping answers 200 without credentials",
            result,
            |PingResponse::Ok| Some(()),
        );
        if !self.answered {
            self.checks
                .note("the partner gave no answer: the run stops here");
        }
        self.answered
    }

    /// Sends an order; the immediate answer when it is the spec's 201.
    async fn send_order(
        &mut self,
        step: &str,
        feature: Feature,
        body: &ProductOrder,
    ) -> Option<ProductOrder> {
        let result = self.orders.create_product_order(body).await;
        self.spec_resource(step, feature, ORDER_SPEC, result, |answer| match answer {
            CreateProductOrderResponse::Created(Json(order)) => Some(order),
            _ => None,
        })
    }

    /// Sends an order and follows it to its final answer: the immediate one, or the event's.
    async fn place(&mut self, step: &str, feature: Feature, body: &ProductOrder) -> Option<Sent> {
        let immediate = self.send_order(step, feature, body).await?;
        let finished = self
            .finish(step, &immediate, body)
            .await
            .map(|a| a.resource);
        Some(Sent {
            immediate,
            finished,
        })
    }

    /// The final order: `immediate` unless it is `acknowledged`, then the event's resource.
    async fn finish(
        &mut self,
        step: &str,
        immediate: &ProductOrder,
        body: &ProductOrder,
    ) -> Option<Arrived<ProductOrder>> {
        if immediate.state != Some(ProductOrderState::Acknowledged) {
            return Some(Arrived {
                resource: immediate.clone(),
                received_at: chrono::Utc::now(),
            });
        }
        self.acknowledged = true;
        self.orders_acknowledged = true;
        self.checks.add(
            format!("{step}.ack"),
            Feature::AsyncEvents,
            immediate.id.is_some(),
            "an acknowledged answer carries the partner's order id at once",
            immediate
                .id
                .as_deref()
                .map_or("no id".to_owned(), |id| format!("id {id}")),
        );
        let external = body
            .external_reference
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        self.events
            .order(&mut self.checks, step, immediate.id.as_deref(), &external)
            .await
    }

    /// `<step>.state`: the final state (order and item), with a reason when failed.
    fn order_state(
        &mut self,
        step: &str,
        feature: Feature,
        order: &ProductOrder,
        expected: &ProductOrderState,
    ) -> bool {
        let mut findings = Vec::new();
        if order.state.as_ref() != Some(expected) {
            findings.push(format!("state {}", state_of(order)));
        }
        if let Some(item) = order.order_item.as_ref().and_then(|items| items.first())
            && let Some(state) = &item.state
            && state != expected
        {
            findings.push(format!("orderItem state {}", state.as_str()));
        }
        if order.state == Some(ProductOrderState::Failed) {
            let reason = order.note.as_ref().map(|n| n.text.as_str());
            findings.push(format!("failed: {}", reason.unwrap_or("(no note)")));
        }
        let passed = findings.is_empty();
        self.checks.findings(
            format!("{step}.state"),
            feature,
            format!("state {}", expected.as_str()),
            findings,
            format!("state {}", expected.as_str()),
        );
        passed
    }

    /// `<step>.external_reference`: Orange's order id answered back unchanged.
    fn external_reference(
        &mut self,
        step: &str,
        feature: Feature,
        order: &ProductOrder,
        sent: &ProductOrder,
    ) {
        let sent = sent.external_reference.as_ref().map(|r| r.id.as_str());
        let answered = order.external_reference.as_ref().map(|r| r.id.as_str());
        self.checks.add(
            format!("{step}.external_reference"),
            feature,
            answered == sent,
            format!("externalReference.id {} answered back", sent.unwrap_or("?")),
            answered.map_or("left out".to_owned(), |a| {
                format!("externalReference.id {a}")
            }),
        );
    }

    /// `<step>.ids`: the partner's order id (a decision: the spec's ProductOrder.id).
    fn order_id(&mut self, step: &str, feature: Feature, order: &ProductOrder) {
        self.checks.add(
            format!("{step}.ids"),
            feature,
            order.id.is_some(),
            "the partner's order id (productOrder.id)",
            order
                .id
                .as_deref()
                .map_or("no order id".to_owned(), |id| format!("order {id}")),
        );
    }

    /// `<step>.fleet_id`: the fleet id (productRef.id) the final answer must give Orange.
    fn fleet_id(
        &mut self,
        step: &str,
        feature: Feature,
        answered: Option<&str>,
        asked: Option<&str>,
    ) {
        let expected = match asked {
            None => {
                "the new fleet's productRef.id (the productRefId Orange consults by)".to_owned()
            }
            Some(fleet) => {
                format!("productRef.id: {fleet}, or the other fleet the licenses went to")
            }
        };
        self.checks.add(
            format!("{step}.fleet_id"),
            feature,
            answered.is_some(),
            expected,
            answered.map_or(
                "no productRef.id (the productRefId Orange consults by)".to_owned(),
                |f| format!("productRefId {f}"),
            ),
        );
    }

    /// `<step>.licenses`: the answer lists `quantity` new, distinct, active licenses; returns them.
    fn created(&mut self, step: &str, order: &ProductOrder, quantity: usize) -> Vec<String> {
        let listed = created_of(order);
        let mut findings = Vec::new();
        if listed.len() != quantity {
            findings.push(format!(
                "{} licenses listed in productRef.userService",
                listed.len()
            ));
        }
        let mut ids = Vec::new();
        for (id, state) in &listed {
            if ids.contains(id) {
                findings.push(format!("{id} listed twice"));
                continue;
            }
            if self.model.licenses.contains_key(id) {
                findings.push(format!("{id} is a license created earlier"));
                continue;
            }
            if state != "active" {
                findings.push(format!("{id} is {state}"));
            }
            ids.push(id.clone());
        }
        self.checks.findings(
            format!("{step}.licenses"),
            Feature::LicenseOrdering,
            format!("productRef.userService lists {quantity} new licenses, distinct, active"),
            findings,
            ids.join(", "),
        );
        ids
    }

    pub(super) async fn uc1(&mut self) {
        let feature = Feature::CustomerCreation;
        self.checks
            .step("UC1: customer and contacts (no orderItem)");
        let body = self.bodies.uc1();
        let sent = self.place("uc1", feature, &body).await;
        if let Some(order) = sent.as_ref().and_then(Sent::outcome).cloned() {
            self.order_state("uc1", feature, &order, &ProductOrderState::Completed);
            let mut findings = Vec::new();
            if order.id.is_none() {
                findings.push("no order id".to_owned());
            }
            if order
                .customer
                .as_ref()
                .and_then(|c| c.id.as_ref())
                .is_none()
            {
                findings.push("no customer.id".to_owned());
            }
            let contacts = order.related_contact.as_deref().unwrap_or_default();
            let with_id = contacts.iter().filter(|c| c.id.is_some()).count();
            if with_id < 2 {
                findings.push(format!("{with_id} of 2 contacts have an id"));
            }
            self.checks.findings(
                "uc1.ids",
                feature,
                "the partner's ids: order id, customer.id, an id for each of the 2 contacts",
                findings,
                format!(
                    "order {}, customer {}",
                    order.id.as_deref().unwrap_or("?"),
                    order
                        .customer
                        .as_ref()
                        .and_then(|c| c.id.as_deref())
                        .unwrap_or("?")
                ),
            );
            self.external_reference("uc1", feature, &order, &body);
        }
        self.saved.uc1 = sent;
        self.checks.step("UC1 replayed (same body)");
        let first = self.saved.uc1.clone();
        self.replay("uc1_replay", feature, &body, first.as_ref())
            .await;
    }

    /// After UC2 shows the mode: UC1 is answered at once even by an asynchronous partner (the
    /// asynchronous answer covers UC2 and UC3 only); and each API answers in the mode the
    /// profile declares.
    pub(super) fn modes(&mut self) {
        let profile = self.config.profile.clone();
        let orders_async = self.orders_acknowledged
            || profile
                .as_ref()
                .is_some_and(|p| p.product_ordering == obakit_api::profile::ApiMode::Async);
        if orders_async && let Some(uc1) = self.saved.uc1.clone() {
            self.checks.add(
                "uc1.async_answer",
                Feature::CustomerCreation,
                uc1.immediate.state != Some(ProductOrderState::Acknowledged),
                "in asynchronous mode too, UC1 (no orderItem) answered completed or failed at once, no event",
                format!("state {}", state_of(&uc1.immediate)),
            );
        }
        let Some(profile) = profile else {
            return;
        };
        for (id, feature, declared, acknowledged) in [
            (
                "mode.product_ordering",
                Feature::LicenseOrdering,
                profile.product_ordering,
                self.orders_acknowledged,
            ),
            (
                "mode.user_service",
                Feature::StateChange,
                profile.user_service,
                self.updates_acknowledged,
            ),
        ] {
            let answered = if acknowledged { "async" } else { "sync" };
            let declared = match declared {
                obakit_api::profile::ApiMode::Async => "async",
                obakit_api::profile::ApiMode::Sync => "sync",
            };
            self.checks.add(
                id,
                feature,
                answered == declared,
                format!("answers in the mode the profile declares: {declared}"),
                format!("answered {answered}"),
            );
        }
    }

    pub(super) async fn uc2(&mut self) {
        let feature = Feature::LicenseOrdering;
        self.checks
            .step(&format!("UC2: new fleet with {UC2_QUANTITY} licenses"));
        let body = self.bodies.uc2();
        let sent = self.place("uc2", feature, &body).await;
        if let Some(order) = sent.as_ref().and_then(Sent::outcome).cloned()
            && self.order_state("uc2", feature, &order, &ProductOrderState::Completed)
        {
            let fleet = fleet_of(&order).map(str::to_owned);
            self.order_id("uc2", feature, &order);
            self.fleet_id("uc2", feature, fleet.as_deref(), None);
            self.external_reference("uc2", feature, &order, &body);
            let ids = self.created("uc2", &order, UC2_QUANTITY);
            if let Some(fleet) = &fleet {
                for id in &ids {
                    self.model.add(id, fleet, &self.bodies.offer);
                }
            }
            self.saved.fleet = fleet;
        }
        self.saved.uc2 = sent;
    }

    pub(super) async fn uc3(&mut self) {
        let feature = Feature::LicenseOrdering;
        self.checks
            .step(&format!("UC3: {UC3_QUANTITY} more licenses in the fleet"));
        let Some(fleet) = self.saved.fleet.clone() else {
            self.not_run(
                "uc3.spec",
                feature,
                ORDER_SPEC,
                "UC2 gave no fleet to add licenses to",
            );
            return;
        };
        let body = self.bodies.uc3(&fleet);
        let Some(immediate) = self.send_order("uc3", feature, &body).await else {
            return;
        };
        // Asynchronous: look before the event says the order is completed.
        let probe = if immediate.state == Some(ProductOrderState::Acknowledged) {
            let result = self
                .licenses
                .list_user_services(Some(fleet.clone()), None)
                .await;
            let _ = self.exchange();
            let count = match result {
                Ok(obakit_api::user_service::handler::ListUserServicesResponse::Ok(Json(l))) => {
                    Some(l.len())
                }
                _ => None,
            };
            Some((count, chrono::Utc::now()))
        } else {
            None
        };
        let arrived = self.finish("uc3", &immediate, &body).await;
        let finished = arrived.as_ref().map(|a| a.resource.clone());
        if let (Some((Some(count), probed_at)), Some(arrived)) = (probe, &arrived) {
            let before = self.model.live(&fleet).len();
            let visible = count > before;
            let early = visible && arrived.received_at > probed_at + DELIVERY_GRACE;
            self.checks.add(
                "uc3.hidden_until_completed",
                feature,
                !early,
                format!(
                    "until its event says the order is completed, the fleet lists only its {before} \
                     licenses (a listing may precede the event by up to {} s)",
                    DELIVERY_GRACE.num_seconds()
                ),
                if !visible {
                    format!("{count} listed right after the acknowledgement")
                } else if arrived.received_at <= probed_at {
                    format!("{count} listed right after the acknowledgement, once the event had arrived")
                } else {
                    format!(
                        "{count} listed right after the acknowledgement, {:.1} s before the event",
                        (arrived.received_at - probed_at).as_seconds_f64()
                    )
                },
            );
        }
        if let Some(order) = &finished
            && self.order_state("uc3", feature, order, &ProductOrderState::Completed)
        {
            let answered = fleet_of(order).map(str::to_owned);
            self.order_id("uc3", feature, order);
            self.fleet_id("uc3", feature, answered.as_deref(), Some(&fleet));
            self.external_reference("uc3", feature, order, &body);
            let ids = self.created("uc3", order, UC3_QUANTITY);
            let target = answered.unwrap_or(fleet);
            for id in &ids {
                self.model.add(id, &target, &self.bodies.offer);
            }
        }
        self.saved.uc3 = Some(Sent {
            immediate,
            finished,
        });
    }

    pub(super) async fn uc3_unknown_fleet(&mut self) {
        let feature = Feature::LicenseOrdering;
        self.checks
            .step("UC3 naming a fleet the partner never made");
        let body = self.bodies.uc3_unknown_fleet();
        let unknown = self.bodies.unknown_id("fleet");
        let sent = self.place("uc3_unknown_fleet", feature, &body).await;
        if let Some(order) = sent.as_ref().and_then(Sent::outcome) {
            let fleet = fleet_of(order);
            if order.state == Some(ProductOrderState::Failed) {
                self.checks.add(
                    "uc3_unknown_fleet.reason",
                    feature,
                    order.note.is_some(),
                    "the reason in note",
                    order
                        .note
                        .as_ref()
                        .map_or("failed without a note".to_owned(), |n| n.text.clone()),
                );
            }
            let (passed, actual) = match &order.state {
                Some(ProductOrderState::Failed) => (
                    true,
                    format!(
                        "failed: {}",
                        order.note.as_ref().map_or("(no note)", |n| n.text.as_str())
                    ),
                ),
                Some(ProductOrderState::Completed) => match fleet {
                    Some(f) if f != unknown => (true, format!("completed into fleet {f}")),
                    _ => (
                        false,
                        format!("completed, claiming the unknown fleet {unknown}"),
                    ),
                },
                _ => (false, format!("state {}", state_of(order))),
            };
            self.checks.add(
                "uc3_unknown_fleet.outcome",
                feature,
                passed,
                "failed (or, as the getting-started page allows, completed into another fleet it names)",
                actual,
            );
            if order.state == Some(ProductOrderState::Completed)
                && let Some(f) = fleet.filter(|f| *f != unknown)
            {
                let f = f.to_owned();
                for (id, _) in created_of(order) {
                    self.model.add(&id, &f, &self.bodies.offer);
                }
            }
        }
        self.saved.unknown_fleet = sent;
        self.verify("uc3_unknown_fleet.after", feature).await;
    }

    /// Sends `body` again; the same answer and nothing new.
    async fn replay(
        &mut self,
        step: &str,
        feature: Feature,
        body: &ProductOrder,
        first: Option<&Sent>,
    ) {
        let Some(first) = first else {
            self.not_run(
                &format!("{step}.same_answer"),
                feature,
                "the first answer again",
                "the first request got no answer to compare with",
            );
            return;
        };
        let Some(replayed) = self.send_order(step, feature, body).await else {
            return;
        };
        // An asynchronous partner answers a replay with its acknowledgement again, or already
        // with the final order.
        let reference = if replayed.state == Some(ProductOrderState::Acknowledged) {
            &first.immediate
        } else {
            first.finished.as_ref().unwrap_or(&first.immediate)
        };
        let findings = differences(reference, &replayed);
        self.checks.findings(
            format!("{step}.same_answer"),
            feature,
            format!(
                "the first answer again: order {}, state {}, same ids",
                reference.id.as_deref().unwrap_or("?"),
                state_of(reference)
            ),
            findings,
            "same answer",
        );
        // A replay that made a fleet of its own made licenses: read that fleet too.
        let other = fleet_of(&replayed).filter(|f| !self.model.fleets().contains(*f));
        self.verify_with(&format!("{step}.after"), feature, other)
            .await;
    }

    pub(super) async fn replays(&mut self) {
        let feature = Feature::LicenseOrdering;
        self.checks.step("UC2 replayed (same body)");
        let (uc2, uc3) = (self.saved.uc2.clone(), self.saved.uc3.clone());
        let body = self.bodies.uc2();
        self.replay("uc2_replay", feature, &body, uc2.as_ref())
            .await;
        self.checks.step("UC3 replayed (same body)");
        match &self.saved.fleet.clone() {
            Some(fleet) => {
                let body = self.bodies.uc3(fleet);
                self.replay("uc3_replay", feature, &body, uc3.as_ref())
                    .await;
            }
            None => self.not_run(
                "uc3_replay.same_answer",
                feature,
                "the first answer again",
                "UC2 gave no fleet",
            ),
        }
        self.checks
            .step("UC2 resent with a new orderDate (Orange restamps a resend)");
        let body = self.bodies.uc2_redated();
        self.replay("replay_new_date", feature, &body, uc2.as_ref())
            .await;
        self.checks.step("the order that failed, resent");
        let failed = self.saved.unknown_fleet.clone();
        let body = self.bodies.uc3_unknown_fleet();
        self.replay("replay_after_failed", feature, &body, failed.as_ref())
            .await;
        self.checks
            .step("an order without externalReference, resent");
        let body = self.bodies.without_reference();
        let first = self.place("no_reference", feature, &body).await;
        if let Some(order) = first.as_ref().and_then(Sent::outcome).cloned()
            && self.order_state(
                "no_reference",
                feature,
                &order,
                &ProductOrderState::Completed,
            )
            && let Some(fleet) = fleet_of(&order)
        {
            for (id, _) in created_of(&order) {
                self.model.add(&id, fleet, &self.bodies.offer);
            }
        }
        self.replay("no_reference_replay", feature, &body, first.as_ref())
            .await;
        self.checks.step("UC2 replayed with a different body");
        let result = self
            .orders
            .create_product_order(&self.bodies.uc2_changed())
            .await;
        self.spec(
            "replay_conflict",
            feature,
            "409 with Orange's error body (same externalReference.id, different body)",
            result,
            |answer| match answer {
                CreateProductOrderResponse::Conflict(Json(e)) => Some(e),
                _ => None,
            },
        );
        self.verify("replay_conflict.after", feature).await;
    }

    /// The optional content of an order: an end user, a realizing resource (Appendix 2).
    pub(super) async fn optional_configuration(&mut self) {
        self.checks.step("optional: order configuring an end user");
        let body = self.bodies.with_end_user();
        let expected = self.bodies.end_user();
        if let Some(license) = self.configured("end_user", Feature::EndUser, &body).await {
            let shown = license.end_user.as_ref();
            let mut findings = Vec::new();
            match shown {
                None => findings.push("the license has no endUser".to_owned()),
                Some(user) => {
                    for (name, value) in [
                        ("givenName", user.given_name.as_deref()),
                        ("familyName", user.family_name.as_deref()),
                        ("email", user.email.as_deref()),
                    ] {
                        if value != expected[name].as_str() {
                            findings
                                .push(format!("endUser.{name} is {}", value.unwrap_or("(none)")));
                        }
                    }
                    if user.id.is_none() {
                        findings.push("endUser has no id (the partner makes it)".to_owned());
                    }
                }
            }
            self.checks.findings(
                "end_user.applied",
                Feature::EndUser,
                format!(
                    "the new license shows the end user Orange gave ({expected}) with a partner id"
                ),
                findings,
                "shown",
            );
        }
        self.checks
            .step("optional: order configuring a realizing resource");
        let body = self.bodies.with_realizing_resource();
        let expected = self.bodies.realizing_resource();
        if let Some(license) = self
            .configured("technical_resource", Feature::TechnicalResource, &body)
            .await
        {
            let shown = license
                .realizing_resource
                .as_ref()
                .map(|r| serde_json::json!({
                    "type": r.type_,
                    "characteristic": r.characteristic.iter().map(|c| serde_json::json!({"name": c.name, "value": c.value})).collect::<Vec<_>>()
                }));
            self.checks.add(
                "technical_resource.applied",
                Feature::TechnicalResource,
                shown.as_ref() == Some(&expected),
                format!("the new license shows the realizing resource Orange gave ({expected})"),
                shown.map_or("no realizingResource".to_owned(), |s| s.to_string()),
            );
        }
    }

    /// Places an order configuring its one license and reads that license back.
    async fn configured(
        &mut self,
        step: &str,
        feature: Feature,
        body: &ProductOrder,
    ) -> Option<UserService> {
        let sent = self.place(step, feature, body).await?;
        let order = sent.outcome()?.clone();
        if !self.order_state(step, feature, &order, &ProductOrderState::Completed) {
            return None;
        }
        let Some((id, _)) = created_of(&order).into_iter().next() else {
            self.not_run(
                &format!("{step}.applied"),
                feature,
                "the license as configured",
                "the answer lists no license (productRef.userService)",
            );
            return None;
        };
        let result = self.licenses.get_user_service(id.clone()).await;
        let license = self.spec_resource(
            &format!("{step}.read"),
            feature,
            "200 with the license (spec)",
            result,
            |answer| match answer {
                GetUserServiceResponse::Ok(Json(license)) => Some(license),
                _ => None,
            },
        )?;
        self.login_seen |= license.login_key_value.is_some();
        Some(license)
    }

    /// UC5 events the partner sent on its own during the run (only with a gateway).
    pub(super) async fn partner_initiated_events(&mut self) {
        let events = self.events.partner_initiated().await;
        if events.is_empty() {
            return;
        }
        self.checks.step("UC5: events the partner sent on its own");
        for event in events {
            let id = event.body["id"].as_str().unwrap_or("?").to_owned();
            let decoded = <obakit_api::user_service::types::UserServiceEvent as poem_openapi::types::ParseFromJSON>::parse_from_json(Some(event.body.clone()));
            let mut findings = crate::simulate::checks::empty_nodes(&event.body);
            let mut features = BTreeSet::new();
            match decoded {
                Err(e) => findings.insert(0, format!("does not match the spec: {}", e.message())),
                Ok(decoded) => {
                    for license in &decoded.resource.user_service {
                        let before = features.len();
                        if license.end_user_operation.is_some() {
                            features.insert(Feature::EndUser);
                        }
                        if license.realizing_resource_operation.is_some()
                            || license.service_characteristic_operation.is_some()
                        {
                            features.insert(Feature::TechnicalResource);
                        }
                        if license.right_operation.is_some() {
                            features.insert(Feature::Login);
                            self.login_seen = true;
                        }
                        if features.len() == before
                            && license.end_user_operation.is_none()
                            && license.realizing_resource_operation.is_none()
                            && license.service_characteristic_operation.is_none()
                            && license.right_operation.is_none()
                        {
                            findings.push(format!("license {} carries no operation", license.id));
                        }
                    }
                }
            }
            let feature = features.first().copied().unwrap_or(Feature::EndUser);
            self.checks.findings(
                format!("uc5.{}", id.chars().take(8).collect::<String>()),
                feature,
                "an updateNotification without state whose licenses each carry the operation that changed them (spec)",
                findings,
                format!("event {id}"),
            );
        }
    }

    pub(super) async fn login(&mut self) {
        self.checks.step("optional: logins");
        let seen = self.login_seen;
        self.checks.add(
            "login.shown",
            Feature::Login,
            seen,
            "a license shows its loginKeyValue, or a rightOperation event arrives (UC5.3)",
            if seen {
                "seen"
            } else {
                "no license of the run showed a login and no rightOperation event arrived"
            },
        );
    }
}

/// What differs between two answers to the same order.
fn differences(first: &ProductOrder, again: &ProductOrder) -> Vec<String> {
    let mut found = Vec::new();
    let mut compare = |what: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            found.push(format!(
                "{what} {} (first answer: {})",
                b.as_deref().unwrap_or("(none)"),
                a.as_deref().unwrap_or("(none)")
            ));
        }
    };
    compare("order id", first.id.clone(), again.id.clone());
    compare(
        "state",
        first.state.as_ref().map(|s| s.as_str().to_owned()),
        again.state.as_ref().map(|s| s.as_str().to_owned()),
    );
    compare(
        "customer.id",
        first.customer.as_ref().and_then(|c| c.id.clone()),
        again.customer.as_ref().and_then(|c| c.id.clone()),
    );
    let contacts = |o: &ProductOrder| {
        o.related_contact.as_ref().map(|cs| {
            cs.iter()
                .map(|c| c.id.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        })
    };
    compare("contact ids", contacts(first), contacts(again));
    compare(
        "productRef.id",
        fleet_of(first).map(str::to_owned),
        fleet_of(again).map(str::to_owned),
    );
    let licenses = |o: &ProductOrder| {
        let ids: BTreeSet<String> = created_of(o).into_iter().map(|(id, _)| id).collect();
        (!ids.is_empty()).then(|| ids.into_iter().collect::<Vec<_>>().join(","))
    };
    compare("licenses", licenses(first), licenses(again));
    found
}
