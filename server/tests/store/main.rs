//! The use cases and the store under them against real databases: every use case and refusal,
//! idempotency, all-or-nothing updates, visibility rules, the outbox, provisioning (scripted and
//! over HTTP) and concurrent writers, one module per use case. Each test runs on SQLite
//! (`…::sqlite`) and PostgreSQL (`…::postgres`), the PostgreSQL run in a schema of its own; only
//! what is SQLite's alone (an in-memory database) runs on SQLite only.

#[path = "../support/mod.rs"]
mod support;

mod async_work;
mod concurrency;
mod connect;
mod customers;
mod licenses;
mod orders;
mod outbox;
mod partner_changes;
mod provisioning;
mod replays;
mod updates;

use obakit_server::domain::{FleetId, LicenseId, OrderOutcome, OrderState};
use obakit_server::store::{NewEvent, no_events};
use obakit_server::usecase::{Processing, UseCases};
use serde_json::json;

const SYNC: Processing = Processing::Synchronous;
const ASYNC: Processing = Processing::Asynchronous;

/// Places an order that must complete; returns its outcome.
async fn completed(cases: &UseCases, order: &obakit_server::domain::PlaceOrder) -> OrderOutcome {
    let placed = cases
        .place_order(order, SYNC, no_events)
        .await
        .expect("order placed");
    assert_eq!(
        placed.outcome.state,
        OrderState::Completed,
        "{:?}",
        placed.outcome.reason
    );
    placed.outcome
}

fn ids(outcome: &OrderOutcome) -> Vec<LicenseId> {
    outcome.licenses.iter().map(|l| l.id.clone()).collect()
}

fn fleet(outcome: &OrderOutcome) -> FleetId {
    outcome.fleet_id.clone().expect("the order has a fleet")
}

/// An event for the order, as the HTTP layer would build it.
fn order_event(outcome: &OrderOutcome) -> Vec<NewEvent> {
    vec![NewEvent::new(
        "productOrder.stateChange",
        outcome.order_id.as_str(),
        json!({"orderId": outcome.order_id, "state": outcome.state}),
    )]
}
