//! Retention on a large outbox, on SQLite and PostgreSQL: delivered events older than the
//! configured age go, in batches, through the task `obakit serve` runs; pending and dead events,
//! however old, and recently delivered ones stay.

mod support;

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use obakit_server::store::{NewEvent, Store};
use support::TestDb;
use support::app::TestApp;
use support::wait_until;

const OLD_DELIVERED: usize = 12_000;
const RECENT_DELIVERED: usize = 1_500;
const OLD_PENDING: usize = 1_500;
const OLD_DEAD: usize = 500;

fn events(prefix: &str, n: usize) -> Vec<NewEvent> {
    (0..n)
        .map(|i| {
            NewEvent::with_id(
                format!("{prefix}-{i:06}"),
                "userService.event",
                format!("FLEET-{}", i % 97),
                serde_json::json!({"n": i, "padding": "x".repeat(200)}),
            )
        })
        .collect()
}

fn days_ago(days: i64) -> String {
    (Utc::now() - chrono::Duration::days(days)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Sets the state and times of the events whose id starts with `prefix`, as years of running
/// would have left them.
async fn age(db: &TestDb, prefix: &str, state: &str, days: i64) {
    let delivered_at = if state == "delivered" {
        format!("'{}'", days_ago(days))
    } else {
        "NULL".to_owned()
    };
    db.execute(&format!(
        "UPDATE outbox SET state = '{state}', created_at = '{created}', delivered_at = {delivered_at} \
         WHERE id LIKE '{prefix}-%'",
        created = days_ago(days + 1),
    ))
    .await;
}

/// An outbox as a long-running partner has it.
async fn fill(db: &TestDb) -> Store {
    let store = db.store().await;
    for (prefix, n) in [
        ("old-delivered", OLD_DELIVERED),
        ("recent-delivered", RECENT_DELIVERED),
        ("old-pending", OLD_PENDING),
        ("old-dead", OLD_DEAD),
    ] {
        for chunk in events(prefix, n).chunks(2_000) {
            store.enqueue(chunk).await.expect("enqueue");
        }
    }
    age(db, "old-delivered", "delivered", 45).await;
    age(db, "recent-delivered", "delivered", 2).await;
    age(db, "old-pending", "pending", 400).await;
    age(db, "old-dead", "dead", 400).await;
    store
}

async fn count(db: &TestDb, prefix: &str) -> usize {
    let n: Vec<i64> = db
        .column(&format!(
            "SELECT COUNT(*) FROM outbox WHERE id LIKE '{prefix}-%'"
        ))
        .await;
    usize::try_from(n[0]).expect("a count")
}

async fn the_serving_task_prunes_old_delivered_events_and_keeps_every_other(db: TestDb) {
    let store = fill(&db).await;
    let total = (OLD_DELIVERED + RECENT_DELIVERED + OLD_PENDING + OLD_DEAD) as u64;
    assert_eq!(store.outbox_len().await.expect("length"), total);

    let app = TestApp::start_with(&db, |config| {
        config.retention.delivered_days = 30;
        config.retention.batch = 500;
        config.retention.interval_secs = 1;
    })
    .await;
    let kept = (RECENT_DELIVERED + OLD_PENDING + OLD_DEAD) as u64;
    wait_until(
        "the old delivered events are pruned",
        Duration::from_secs(120),
        async || app.store.outbox_len().await.expect("length") == kept,
    )
    .await;
    assert_eq!(count(&db, "old-delivered").await, 0);
    assert_eq!(count(&db, "recent-delivered").await, RECENT_DELIVERED);
    assert_eq!(count(&db, "old-pending").await, OLD_PENDING);
    assert_eq!(count(&db, "old-dead").await, OLD_DEAD);
    let pending = store.pending_events(10_000).await.expect("pending");
    assert_eq!(
        pending.len(),
        OLD_PENDING,
        "every undelivered event is still there"
    );
    let dead = store.dead_events(10_000).await.expect("dead");
    assert_eq!(dead.len(), OLD_DEAD, "every dead event is still there");
}

async fn one_prune_statement_deletes_at_most_one_batch(db: TestDb) {
    let store = fill(&db).await;
    let cut_off = Utc::now() - chrono::Duration::days(30);
    assert_eq!(
        store
            .prune_delivered_batch(cut_off, 500)
            .await
            .expect("prune"),
        500
    );
    assert_eq!(count(&db, "old-delivered").await, OLD_DELIVERED - 500);
    // The oldest deliveries go first; nothing else is touched.
    assert_eq!(count(&db, "recent-delivered").await, RECENT_DELIVERED);
    assert_eq!(count(&db, "old-pending").await, OLD_PENDING);
    assert_eq!(count(&db, "old-dead").await, OLD_DEAD);
}

on_both_backends!(
    the_serving_task_prunes_old_delivered_events_and_keeps_every_other,
    one_prune_statement_deletes_at_most_one_batch,
);

#[test]
fn retention_is_30_days_by_default_and_0_keeps_delivered_events() {
    use obakit_server::config::RetentionConfig;
    use obakit_server::retention::RetentionPolicy;
    let default = RetentionPolicy::from_config(&RetentionConfig::default()).expect("on");
    assert_eq!(default.delivered_max_age, Duration::from_secs(30 * 86_400));
    let keep = RetentionConfig {
        delivered_days: 0,
        ..RetentionConfig::default()
    };
    assert!(RetentionPolicy::from_config(&keep).is_none());
}
