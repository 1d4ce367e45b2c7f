//! Events to Orange over real HTTP against the in-process mock gateway: token caching and renewal,
//! outages, a dispatcher stopped mid-outage, dead events and replays, two dispatchers sharing one
//! PostgreSQL database. Figures (produced / delivered / lost, token requests) are printed.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use obakit_api::rt::TokenSource;
use obakit_server::outbound::{
    Dispatcher, DispatcherConfig, OAuthTokens, PRODUCT_ORDER_EVENT, RetryPolicy,
    USER_SERVICE_EVENT, Unpublished,
};
use obakit_server::store::{NewEvent, OutboxState, Store};
use obakit_simulator::mock_orange::{Faults, MockOrange};
use support::TestDb;
use tokio::sync::Notify;

use support::mock::{CLIENT_ID, CLIENT_SECRET, TestMock};
use support::wait_until;

/// A mock gateway on 127.0.0.1:0, its base URL, and the guard that keeps it running.
async fn start_mock(token_ttl: Duration) -> (MockOrange, String, TestMock) {
    let running = TestMock::start(token_ttl).await;
    (running.mock.clone(), running.url.clone(), running)
}

fn tokens(url: &str) -> Arc<OAuthTokens> {
    Arc::new(
        OAuthTokens::new(url, reqwest::Client::new(), CLIENT_ID, CLIENT_SECRET)
            .expect("token cache"),
    )
}

fn fast_config(url: &str, max_attempts: u32) -> DispatcherConfig {
    DispatcherConfig {
        gateway_url: url.to_owned(),
        offer: "mba2-beta".to_owned(),
        retry: RetryPolicy {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
            max_attempts,
        },
        batch: 16,
        lease: Duration::from_secs(5),
        poll: Duration::from_millis(20),
        request_timeout: Duration::from_secs(5),
        unpublished: Unpublished {
            retry_after: Duration::from_millis(20),
            horizon: Duration::from_secs(3600),
        },
    }
}

fn order_event(n: usize) -> NewEvent {
    let id = uuid::Uuid::now_v7().to_string();
    let payload = serde_json::json!({
        "id": id,
        "type": "completedStateNotification",
        "time": "2026-11-26T10:00:00Z",
        "resource": {"id": format!("order-{n}"), "state": "completed", "externalReference": {"type": "orange", "id": format!("ORA-{n}")}}
    });
    NewEvent::with_id(id, PRODUCT_ORDER_EVENT, format!("order-{n}"), payload)
}

fn update_event(n: usize) -> NewEvent {
    let id = uuid::Uuid::now_v7().to_string();
    let payload = serde_json::json!({
        "id": id,
        "type": "updateNotification",
        "time": "2026-11-26T10:00:00Z",
        "resource": {"state": "completed", "userService": [{
            "id": format!("lic-{n}"), "relatedProductRefId": "fleet-1", "state": "inactive",
            "productOffering": {"externalReference": {"type": "orange", "id": "OFFER-1"}}
        }]}
    });
    NewEvent::with_id(id, USER_SERVICE_EVENT, format!("lic-{n}"), payload)
}

/// Runs a dispatcher in the background until the returned sender is dropped or fired.
fn spawn_dispatcher(
    store: Store,
    config: DispatcherConfig,
    tokens: Arc<OAuthTokens>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let dispatcher =
        Dispatcher::new(store, config, tokens, Arc::new(Notify::new())).expect("dispatcher");
    let task = tokio::spawn(dispatcher.run(async move {
        let _ = stopped.await;
    }));
    (stop, task)
}

async fn outbox_state(store: &Store, id: &str) -> (OutboxState, u32) {
    let e = store
        .outbox_event(id)
        .await
        .expect("read outbox")
        .expect("event exists");
    (e.state, e.attempts)
}

fn received_ids(mock: &MockOrange) -> Vec<String> {
    mock.events()
        .iter()
        .map(|e| e.body["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_senders_at_token_expiry_cause_one_token_request() {
    let (mock, url, _server) = start_mock(Duration::from_secs(1)).await;
    let tokens = tokens(&url);
    let first = tokens.token().await.expect("first token");
    assert_eq!(mock.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let waiters: Vec<_> = (0..50)
        .map(|_| {
            let t = tokens.clone();
            tokio::spawn(async move { t.token().await })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for w in waiters {
        seen.insert(w.await.expect("join").expect("token"));
    }
    println!(
        "token requests for 50 concurrent senders at expiry: {}",
        mock.token_requests() - 1
    );
    assert_eq!(
        mock.token_requests(),
        2,
        "one request at start, one for all 50 senders"
    );
    assert_eq!(seen.len(), 1, "all 50 senders got the same new token");
    assert!(
        !seen.contains(&first),
        "the expired token is not handed out again"
    );
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once_and_the_event_delivered() {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let db = TestDb::sqlite();
    let store = db.store().await;
    let tokens = tokens(&url);
    let _ = tokens.token().await.expect("cached token");
    mock.revoke_tokens();
    let event = order_event(1);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 5),
        tokens.clone(),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    assert_eq!(dispatcher.tick().await.expect("tick"), 1);
    assert_eq!(
        outbox_state(&store, &event.id).await.0,
        OutboxState::Delivered
    );
    assert_eq!(
        mock.token_requests(),
        2,
        "the 401 fetched exactly one new token"
    );
    assert_eq!(received_ids(&mock), vec![event.id.clone()]);
    assert_eq!(mock.events()[0].api, "productOrdering");
    assert_eq!(mock.events()[0].offer, "mba2-beta");
}

#[tokio::test]
async fn a_gateway_that_keeps_refusing_tokens_gets_one_renewal_per_attempt_then_a_retry() {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let db = TestDb::sqlite();
    let store = db.store().await;
    mock.set_faults(Faults {
        reject_tokens: true,
        ..Default::default()
    });
    let event = update_event(1);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 5),
        tokens(&url),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    dispatcher.tick().await.expect("tick");
    assert_eq!(
        mock.token_requests(),
        2,
        "first token, then one renewal after the 401"
    );
    assert_eq!(
        outbox_state(&store, &event.id).await,
        (OutboxState::Pending, 1),
        "kept for a later attempt"
    );
    assert!(mock.events().is_empty());
}

async fn survives_an_outage(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    mock.set_faults(Faults {
        unavailable: true,
        ..Default::default()
    });
    let events: Vec<NewEvent> = (0..20)
        .map(|n| {
            if n % 2 == 0 {
                order_event(n)
            } else {
                update_event(n)
            }
        })
        .collect();
    store.enqueue(&events).await.expect("enqueue");
    let (stop, task) = spawn_dispatcher(store.clone(), fast_config(&url, 1000), tokens(&url));
    wait_until(
        "every event failed at least twice",
        Duration::from_secs(30),
        async || {
            let mut all = true;
            for e in &events {
                all &= outbox_state(&store, &e.id).await.1 >= 2;
            }
            all
        },
    )
    .await;
    assert!(
        mock.events().is_empty(),
        "nothing arrives while the gateway is down"
    );
    mock.set_faults(Faults::default());
    wait_until(
        "every event is delivered",
        Duration::from_secs(30),
        async || mock.events().len() >= events.len(),
    )
    .await;
    let _ = stop.send(());
    task.await.expect("dispatcher stops");
    let produced: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    let received = received_ids(&mock);
    let delivered: BTreeSet<String> = received.iter().cloned().collect();
    println!(
        "outage: produced {}, delivered {}, duplicates {}, lost {}",
        produced.len(),
        delivered.len(),
        received.len() - delivered.len(),
        produced.difference(&delivered).count()
    );
    assert_eq!(
        delivered, produced,
        "every event arrived with the id it was produced with"
    );
    assert_eq!(received.len(), produced.len(), "none twice");
    for e in &events {
        assert_eq!(outbox_state(&store, &e.id).await.0, OutboxState::Delivered);
    }
}

async fn survives_a_dispatcher_stopped_mid_outage(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    mock.set_faults(Faults {
        unavailable: true,
        ..Default::default()
    });
    let events: Vec<NewEvent> = (0..10).map(order_event).collect();
    {
        let store = db.store().await;
        store.enqueue(&events).await.expect("enqueue");
        let (_stop, task) = spawn_dispatcher(store.clone(), fast_config(&url, 1000), tokens(&url));
        wait_until("an attempt failed", Duration::from_secs(30), async || {
            outbox_state(&store, &events[0].id).await.1 >= 1
        })
        .await;
        // Stopped without a word, like a killed process: its claims are only leases.
        task.abort();
        let _ = task.await;
        store.close().await;
    }
    mock.set_faults(Faults::default());
    let store = db.store().await;
    let (stop, task) = spawn_dispatcher(store.clone(), fast_config(&url, 1000), tokens(&url));
    wait_until(
        "every event is delivered after the restart",
        Duration::from_secs(30),
        async || mock.events().len() >= events.len(),
    )
    .await;
    let _ = stop.send(());
    task.await.expect("dispatcher stops");
    let produced: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    let delivered: BTreeSet<String> = received_ids(&mock).into_iter().collect();
    println!(
        "restart: produced {}, delivered {}, lost {}",
        produced.len(),
        delivered.len(),
        produced.difference(&delivered).count()
    );
    assert_eq!(delivered, produced);
}

async fn dead_events_are_listed_and_delivered_when_replayed(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    mock.set_faults(Faults {
        unavailable: true,
        ..Default::default()
    });
    let event = order_event(7);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let (stop, task) = spawn_dispatcher(store.clone(), fast_config(&url, 3), tokens(&url));
    wait_until(
        "the event is parked as dead",
        Duration::from_secs(30),
        async || outbox_state(&store, &event.id).await.0 == OutboxState::Dead,
    )
    .await;
    assert_eq!(
        outbox_state(&store, &event.id).await.1,
        3,
        "dead after the configured 3 attempts"
    );
    let dead = store.dead_events(10).await.expect("list dead");
    assert_eq!(
        dead.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        vec![event.id.as_str()]
    );
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("503"),
        "the reason is kept: {:?}",
        dead[0].last_error
    );
    mock.set_faults(Faults::default());
    assert!(store.replay_dead(&event.id).await.expect("replay"));
    wait_until(
        "the replayed event is delivered",
        Duration::from_secs(30),
        async || !mock.events().is_empty(),
    )
    .await;
    let _ = stop.send(());
    task.await.expect("dispatcher stops");
    assert_eq!(
        received_ids(&mock),
        vec![event.id.clone()],
        "the replay keeps the event id"
    );
}

async fn an_event_orange_refuses_is_parked_dead_at_once(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    mock.set_faults(Faults {
        refuse_events: true,
        ..Default::default()
    });
    let event = order_event(3);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 10),
        tokens(&url),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    dispatcher.tick().await.expect("tick");
    assert_eq!(
        outbox_state(&store, &event.id).await,
        (OutboxState::Dead, 1),
        "a refusal of the content is not retried"
    );
    assert!(mock.events().is_empty());
    assert_eq!(mock.refused(), 1);
}

async fn an_api_not_yet_published_is_retried_until_it_is_then_delivered(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    mock.set_faults(Faults {
        not_published: true,
        ..Default::default()
    });
    let event = order_event(4);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    // One attempt allowed by the retry policy: a 404 must not use it up.
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 1),
        tokens(&url),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    for _ in 0..3 {
        dispatcher.tick().await.expect("tick");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let (state, attempts) = outbox_state(&store, &event.id).await;
    assert_eq!(
        state,
        OutboxState::Pending,
        "a 404 is not parked dead at once"
    );
    assert!(attempts >= 2, "tried again: {attempts}");
    mock.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_millis(30)).await;
    dispatcher.tick().await.expect("tick");
    assert_eq!(
        outbox_state(&store, &event.id).await.0,
        OutboxState::Delivered
    );
}

async fn an_api_still_unpublished_past_the_horizon_is_parked_dead(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    mock.set_faults(Faults {
        not_published: true,
        ..Default::default()
    });
    let event = order_event(5);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let mut config = fast_config(&url, 10);
    config.unpublished.horizon = Duration::ZERO;
    let dispatcher = Dispatcher::new(store.clone(), config, tokens(&url), Arc::new(Notify::new()))
        .expect("dispatcher");
    dispatcher.tick().await.expect("tick");
    assert_eq!(outbox_state(&store, &event.id).await.0, OutboxState::Dead);
}

async fn an_event_goes_to_the_offer_it_was_queued_for_unless_a_replay_names_another(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    // Queued while the server was configured for production…
    let queued_for_production = db.store().await.with_event_offer("mba2");
    let event = order_event(6);
    queued_for_production
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    // …and sent by a dispatcher now configured for the beta offer (fast_config).
    let store = db.store().await;
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 10),
        tokens(&url),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    dispatcher.tick().await.expect("tick");
    let offers: Vec<String> = mock.events().into_iter().map(|e| e.offer).collect();
    assert_eq!(offers, ["mba2"], "sent where it was meant to go");
    // A dead event replayed to another offer goes there.
    let other = order_event(7);
    queued_for_production
        .enqueue(std::slice::from_ref(&other))
        .await
        .expect("enqueue");
    store.park_dead(&other.id, "played").await.expect("parked");
    assert!(
        store
            .replay_dead_to(&other.id, "mba2-beta")
            .await
            .expect("replayed")
    );
    dispatcher.tick().await.expect("tick");
    let offers: Vec<String> = mock.events().into_iter().map(|e| e.offer).collect();
    assert_eq!(offers, ["mba2", "mba2-beta"]);
}

async fn a_stored_event_that_breaks_the_spec_is_parked_dead_and_never_sent(db: TestDb) {
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let store = db.store().await;
    let mut event = order_event(4);
    event.payload["resource"]["relatedContact"] = serde_json::json!([]);
    store
        .enqueue(std::slice::from_ref(&event))
        .await
        .expect("enqueue");
    let dispatcher = Dispatcher::new(
        store.clone(),
        fast_config(&url, 10),
        tokens(&url),
        Arc::new(Notify::new()),
    )
    .expect("dispatcher");
    dispatcher.tick().await.expect("tick");
    let dead = store
        .outbox_event(&event.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(dead.state, OutboxState::Dead);
    assert!(
        dead.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("does not match the spec"),
        "{:?}",
        dead.last_error
    );
    assert_eq!(
        mock.refused() + mock.events().len() as u64,
        0,
        "nothing was sent"
    );
}

on_both_backends!(
    survives_an_outage,
    survives_a_dispatcher_stopped_mid_outage,
    dead_events_are_listed_and_delivered_when_replayed,
    an_event_orange_refuses_is_parked_dead_at_once,
    a_stored_event_that_breaks_the_spec_is_parked_dead_and_never_sent,
    an_api_not_yet_published_is_retried_until_it_is_then_delivered,
    an_api_still_unpublished_past_the_horizon_is_parked_dead,
    an_event_goes_to_the_offer_it_was_queued_for_unless_a_replay_names_another,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_on_one_postgres_database_deliver_each_event_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    let setup = db.store().await;
    let events: Vec<NewEvent> = (0..200).map(order_event).collect();
    setup.enqueue(&events).await.expect("enqueue");
    let (stop_a, task_a) = spawn_dispatcher(db.store().await, fast_config(&url, 100), tokens(&url));
    let (stop_b, task_b) = spawn_dispatcher(db.store().await, fast_config(&url, 100), tokens(&url));
    wait_until(
        "every event is delivered",
        Duration::from_secs(60),
        async || mock.events().len() >= events.len(),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = (stop_a.send(()), stop_b.send(()));
    let _ = (task_a.await, task_b.await);
    let received = received_ids(&mock);
    let unique: BTreeSet<&String> = received.iter().collect();
    println!(
        "two dispatchers: produced {}, received {}, unique {}",
        events.len(),
        received.len(),
        unique.len()
    );
    assert_eq!(received.len(), events.len(), "no event was sent twice");
    assert_eq!(unique.len(), events.len(), "every event was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_on_one_postgres_database_keep_each_key_in_order() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (mock, url, _server) = start_mock(Duration::from_secs(3600)).await;
    // Each delivery takes a while, so a batch delivered concurrently would interleave.
    mock.set_faults(Faults {
        delay_ms: 20,
        ..Default::default()
    });
    let setup = db.store().await;
    let events: Vec<NewEvent> = (0..40)
        .map(|n| {
            let mut event = order_event(n);
            event.key = format!("license-{}", n % 4);
            event
        })
        .collect();
    setup.enqueue(&events).await.expect("enqueue");
    let (stop_a, task_a) = spawn_dispatcher(db.store().await, fast_config(&url, 100), tokens(&url));
    let (stop_b, task_b) = spawn_dispatcher(db.store().await, fast_config(&url, 100), tokens(&url));
    wait_until(
        "every event is delivered",
        Duration::from_secs(60),
        async || mock.events().len() >= events.len(),
    )
    .await;
    let _ = (stop_a.send(()), stop_b.send(()));
    let _ = (task_a.await, task_b.await);
    let received = received_ids(&mock);
    for key in 0..4 {
        let stored: Vec<&String> = events
            .iter()
            .filter(|e| e.key == format!("license-{key}"))
            .map(|e| &e.id)
            .collect();
        let arrived: Vec<&String> = received.iter().filter(|id| stored.contains(id)).collect();
        assert_eq!(
            arrived, stored,
            "license-{key}: arrival order is storage order"
        );
    }
}
