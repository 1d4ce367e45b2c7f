//! Concurrent writers and readers: none fails, on SQLite's single writer as on PostgreSQL.

use std::time::Duration;

use chrono::Utc;
use obakit_server::domain::OrderState;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{SYNC, completed, fleet, order_event};

async fn twenty_concurrent_orders_and_readers_never_fail(db: TestDb) {
    let cases = db.cases().await;
    let store = cases.store();
    let seed = completed(&cases, &uc2("ORD-SEED", 5)).await;
    let writers = (0..20).map(|n| {
        let cases = cases.clone();
        tokio::spawn(async move {
            let order = uc2(&format!("ORD-{n}"), 50);
            cases
                .place_order(&order, SYNC, order_event)
                .await
                .map(|p| p.outcome.state)
        })
    });
    let readers = (0..20).map(|_| {
        let (store, fleet) = (store.clone(), fleet(&seed));
        tokio::spawn(async move { store.licenses_by_fleet(&fleet).await.map(|l| l.len()) })
    });
    let readers: Vec<_> = readers.collect();
    for writer in writers.collect::<Vec<_>>() {
        let state = writer
            .await
            .expect("task")
            .expect("no database error, never 'database is locked'");
        assert_eq!(state, OrderState::Completed);
    }
    for reader in readers {
        assert_eq!(reader.await.expect("task").expect("read"), 5);
    }
    assert_eq!(
        store
            .claim_due(Utc::now(), 100, Duration::from_secs(60))
            .await
            .expect("claim")
            .len(),
        20,
        "one event per order"
    );
}

crate::on_both_backends!(twenty_concurrent_orders_and_readers_never_fail,);
