//! A slow partner platform delays only the change it is asked about: while one order, update or
//! partner change waits for its provisioning answer, other orders and updates are written (no
//! database lock is held while provisioning runs), and a change that raced with the waiting one
//! is not lost: the waiting one is planned again on what was written. On SQLite (one writer) and
//! PostgreSQL.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use obakit_server::domain::{Catalogue, LicenseId, LicenseState, OrderState, UpdateState};
use obakit_server::provisioning::{Action, ProvisionFuture, Provisioner};
use obakit_server::store::no_events;
use obakit_server::usecase::{Processing, UseCases};
use support::TestDb;
use support::builders::*;
use tokio::sync::{Notify, Semaphore};

/// How long a change may wait for another before the test calls it blocked. Far above any normal
/// time: it only turns a hang (the old behaviour) into a failure with a message.
const BLOCKED: Duration = Duration::from_secs(60);

/// A provisioner that holds the first action it is given until released, and accepts the others
/// at once.
struct HoldsFirst {
    held: Mutex<bool>,
    arrived: Notify,
    release: Semaphore,
    actions: Mutex<Vec<&'static str>>,
}

impl Default for HoldsFirst {
    fn default() -> Self {
        Self {
            held: Mutex::new(false),
            arrived: Notify::new(),
            release: Semaphore::new(0),
            actions: Mutex::new(Vec::new()),
        }
    }
}

impl Provisioner for HoldsFirst {
    fn provision<'a>(&'a self, action: &'a Action) -> ProvisionFuture<'a> {
        self.actions.lock().expect("lock").push(action.name());
        let first = !std::mem::replace(&mut *self.held.lock().expect("lock"), true);
        Box::pin(async move {
            if first {
                self.arrived.notify_one();
                self.release.acquire().await.expect("open").forget();
            }
            Ok(())
        })
    }
}

async fn cases(db: &TestDb, provisioner: &Arc<HoldsFirst>) -> UseCases {
    db.cases_with(provisioner.clone(), Catalogue::open()).await
}

async fn licenses_of(cases: &UseCases, order: &str, quantity: u32) -> Vec<LicenseId> {
    let placed = cases
        .place_order(&uc2(order, quantity), Processing::Synchronous, no_events)
        .await
        .expect("placed");
    assert_eq!(placed.outcome.state, OrderState::Completed);
    placed.outcome.licenses.into_iter().map(|l| l.id).collect()
}

async fn an_order_waiting_for_provisioning_lets_other_orders_and_updates_through(db: TestDb) {
    let hold = Arc::new(HoldsFirst::default());
    let cases = cases(&db, &hold).await;
    // Licenses to update, made before the slow provisioner is in place.
    let plain = db.cases().await;
    let licenses = licenses_of(&plain, "CMD-BEFORE", 2).await;

    let slow = tokio::spawn({
        let cases = cases.clone();
        async move {
            cases
                .place_order(&uc2("CMD-SLOW", 1), Processing::Synchronous, no_events)
                .await
        }
    });
    hold.arrived.notified().await;

    let other = tokio::time::timeout(BLOCKED, async {
        let placed = cases
            .place_order(&uc2("CMD-OTHER", 3), Processing::Synchronous, no_events)
            .await
            .expect("placed");
        let updated = cases
            .apply_update(
                &update(vec![set_state(&licenses[0], "suspended")]),
                no_events,
            )
            .await
            .expect("applied");
        (placed, updated)
    })
    .await
    .expect("an order and an update went through while another order waited for provisioning");
    assert_eq!(other.0.outcome.state, OrderState::Completed);
    assert_eq!(other.1.state, UpdateState::Completed);

    hold.release.add_permits(1);
    let slow = slow.await.expect("joined").expect("placed");
    assert_eq!(slow.outcome.state, OrderState::Completed);
    assert_eq!(
        cases
            .store()
            .licenses_by_fleet(slow.outcome.fleet_id.as_ref().expect("a fleet"))
            .await
            .expect("read")
            .len(),
        1
    );
}

async fn an_update_that_raced_with_a_waiting_one_is_kept_and_the_waiting_one_is_planned_again(
    db: TestDb,
) {
    let plain = db.cases().await;
    let licenses = licenses_of(&plain, "CMD-RACE", 1).await;
    let hold = Arc::new(HoldsFirst::default());
    let cases = cases(&db, &hold).await;

    // The waiting update swaps the offer; the racing one suspends the same license.
    let waiting = tokio::spawn({
        let cases = cases.clone();
        let license = licenses[0].clone();
        async move {
            cases
                .apply_update(&update(vec![swap(&license, "PO-OTHER")]), no_events)
                .await
        }
    });
    hold.arrived.notified().await;
    let racing = tokio::time::timeout(
        BLOCKED,
        cases.apply_update(
            &update(vec![set_state(&licenses[0], "suspended")]),
            no_events,
        ),
    )
    .await
    .expect("the racing update did not wait for the other's provisioning")
    .expect("applied");
    assert_eq!(racing.state, UpdateState::Completed);

    hold.release.add_permits(1);
    let waiting = waiting.await.expect("joined").expect("applied");
    assert_eq!(
        waiting.state,
        UpdateState::Completed,
        "{:?}",
        waiting.reason
    );
    let license = cases
        .store()
        .license(&licenses[0])
        .await
        .expect("read")
        .expect("visible");
    assert_eq!(
        license.state,
        LicenseState::Inactive,
        "the racing suspension is kept"
    );
    assert_eq!(
        license.offer.code, "PO-OTHER",
        "the waiting swap is applied"
    );
    // First plan, the racing update, then the waiting update planned again on what was written.
    assert_eq!(
        *hold.actions.lock().expect("lock"),
        ["licensesUpdated", "licensesUpdated", "licensesUpdated"]
    );
}

crate::on_both_backends!(
    an_order_waiting_for_provisioning_lets_other_orders_and_updates_through,
    an_update_that_raced_with_a_waiting_one_is_kept_and_the_waiting_one_is_planned_again,
);
