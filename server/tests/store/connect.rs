//! Connecting: an unsupported URL refused, a database (a SQLite file, a PostgreSQL schema) set up
//! at first start and found again with its data, an in-memory SQLite shared between reads and
//! writes.

use obakit_server::store::{Store, StoreError};
use obakit_server::usecase::UseCases;

use crate::support::TestDb;
use crate::support::builders::*;
use crate::{completed, fleet};

#[tokio::test]
async fn an_unsupported_database_url_is_refused() {
    let error = Store::connect("mysql://localhost/db")
        .await
        .expect_err("refused");
    assert!(matches!(error, StoreError::UnsupportedUrl(_)), "{error:?}");
}

/// A SQLite file is created at first start, a PostgreSQL schema migrated; either is found again,
/// with its data, by the next store.
async fn a_database_is_set_up_at_first_start_and_reopened_with_its_data(db: TestDb) {
    let cases = db.cases().await;
    let first = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 1)).await;
    first.close().await;
    let cases = db.cases().await;
    let reopened = cases.store();
    assert_eq!(
        reopened
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_in_memory_sqlite_store_shares_one_database_between_reads_and_writes() {
    let cases = UseCases::new(Store::connect("sqlite::memory:").await.expect("connect"));
    let store = cases.store();
    let outcome = completed(&cases, &uc2("ORD-1", 2)).await;
    assert_eq!(
        store
            .licenses_by_fleet(&fleet(&outcome))
            .await
            .expect("read")
            .len(),
        2
    );
}

crate::on_both_backends!(a_database_is_set_up_at_first_start_and_reopened_with_its_data);
