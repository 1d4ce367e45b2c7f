//! Crash safety: `obakit serve` killed with SIGKILL while it writes an order of 10,000 licenses
//! (UC2) or an update of 10,000 licenses, on SQLite and PostgreSQL. After a restart the change is
//! there whole or not at all, and the request sent again is answered as the contract says: the
//! order completed with its 10,000 licenses, created once; the update completed with every
//! license in the state asked.
//!
//! The kill lands while the request is in flight: the time the same work took just before is
//! measured, and the kill comes at a fraction of it; a try the server answered before the kill
//! is done again earlier.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::TestDb;
use support::process::{START, Served};
use support::wait_until;

const LICENSES: u32 = 10_000;
/// Fractions of the measured duration at which the kill comes, tried in turn.
const KILL_AT: [f64; 5] = [0.5, 0.3, 0.15, 0.05, 0.01];
/// A large order or update in a debug build on a loaded machine.
const ANSWER: Duration = Duration::from_secs(600);

fn uc2(external_id: &str) -> Value {
    json!({
        "externalReference": {"type": "orange", "id": external_id},
        "category": "production",
        "customer": {"externalReference": {"type": "orange", "id": "CUST-CRASH"}, "tradingName": "Durand Conseil"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": "PO-BUSAPP-STARTER"}},
            "productRef": {"userServiceQuantity": LICENSES}
        }]
    })
}

fn update(ids: &[String], external_state: &str) -> Value {
    json!({
        "userService": ids
            .iter()
            .map(|id| json!({"id": id, "externalState": external_state}))
            .collect::<Vec<_>>()
    })
}

/// One server on one database, restarted at will.
struct Crashable<'a> {
    db: &'a TestDb,
    dir: tempfile::TempDir,
    server: Option<Served>,
    http: reqwest::Client,
}

impl<'a> Crashable<'a> {
    async fn start(db: &'a TestDb) -> Self {
        let mut this = Self {
            db,
            dir: tempfile::tempdir().expect("folder"),
            server: None,
            http: reqwest::Client::builder()
                .timeout(ANSWER)
                .build()
                .expect("client"),
        };
        this.restart().await;
        this
    }

    async fn restart(&mut self) {
        let url = self.db.url();
        let server = Served::start(
            self.dir.path(),
            &[
                "--database-url",
                &url,
                "--basic-user",
                "orange",
                "--basic-password",
                "pw",
            ],
            &[],
        );
        server.wait_for_ping(START).await;
        self.server = Some(server);
    }

    fn url(&self, path: &str) -> String {
        let port = self.server.as_ref().expect("a running server").port;
        format!("http://127.0.0.1:{port}{path}")
    }

    /// POSTs and returns the status and the JSON answer, or the transport error.
    fn post(
        &self,
        path: &str,
        body: &Value,
    ) -> impl std::future::Future<Output = Result<(u16, Value), reqwest::Error>> + use<> {
        let request = self
            .http
            .post(self.url(path))
            .basic_auth("orange", Some("pw"))
            .json(body);
        async move {
            let answer = request.send().await?;
            let status = answer.status().as_u16();
            Ok((status, answer.json().await?))
        }
    }

    /// Sends `body`, kills the server after `after`, and says whether the request was cut (no
    /// answer reached the client).
    async fn kill_during(&mut self, path: &str, body: &Value, after: Duration) -> bool {
        let request = tokio::spawn(self.post(path, body));
        tokio::time::sleep(after).await;
        self.server.take().expect("a running server").kill_9();
        request.await.expect("the request task").is_err()
    }

    async fn count(&self, sql: &str) -> i64 {
        self.db.column(sql).await[0]
    }

    async fn licenses_of_order(&self, external_id: &str) -> i64 {
        self.count(&format!(
            "SELECT COUNT(*) FROM licenses WHERE order_id IN \
             (SELECT id FROM orders WHERE external_id = '{external_id}')"
        ))
        .await
    }
}

fn license_ids(answer: &Value) -> Vec<String> {
    answer["orderItem"][0]["productRef"]["userService"]
        .as_array()
        .map(|licenses| {
            licenses
                .iter()
                .filter_map(|l| l["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

const ORDER_PATH: &str = "/productordering/v2/productOrder";
const UPDATE_PATH: &str = "/userservice/v2/userService/update";

async fn an_order_of_10000_licenses_cut_by_a_kill_is_whole_or_absent_and_its_replay_completes_once(
    db: TestDb,
) {
    let mut server = Crashable::start(&db).await;
    let started = Instant::now();
    let (status, warm) = server
        .post(ORDER_PATH, &uc2("ORA-WARM"))
        .await
        .expect("order");
    let took = started.elapsed();
    assert_eq!(status, 201, "{warm}");
    assert_eq!(license_ids(&warm).len(), LICENSES as usize);

    let mut cut = None;
    for (attempt, fraction) in KILL_AT.iter().enumerate() {
        let external_id = format!("ORA-CRASH-{attempt}");
        let was_cut = server
            .kill_during(ORDER_PATH, &uc2(&external_id), took.mul_f64(*fraction))
            .await;
        let created = server.licenses_of_order(&external_id).await;
        assert!(
            created == 0 || created == i64::from(LICENSES),
            "{external_id}: {created} licenses after a kill, neither none nor all"
        );
        server.restart().await;
        // Sent again, as Orange does after a timeout: completed, with every license, once.
        let (status, answer) = server
            .post(ORDER_PATH, &uc2(&external_id))
            .await
            .expect("the replay is answered");
        assert!(status == 200 || status == 201, "{status}: {answer}");
        assert_eq!(answer["state"], "completed", "{answer}");
        assert_eq!(license_ids(&answer).len(), LICENSES as usize);
        assert_eq!(
            server.licenses_of_order(&external_id).await,
            i64::from(LICENSES),
            "the replay created the licenses once"
        );
        if was_cut {
            eprintln!(
                "order cut by the kill at {:.0}% of {took:?}; {} licenses were committed",
                fraction * 100.0,
                created
            );
            cut = Some(external_id);
            break;
        }
    }
    assert!(
        cut.is_some(),
        "no kill landed while the order was in flight"
    );
}

async fn an_update_of_10000_licenses_cut_by_a_kill_is_whole_or_absent_and_its_replay_completes(
    db: TestDb,
) {
    let mut server = Crashable::start(&db).await;
    let (status, order) = server
        .post(ORDER_PATH, &uc2("ORA-FLEET"))
        .await
        .expect("order");
    assert_eq!(status, 201, "{order}");
    let ids = license_ids(&order);
    assert_eq!(ids.len(), LICENSES as usize);

    let mut cut = false;
    let mut state = "suspended";
    for fraction in KILL_AT {
        // Measure the update the kill will cut: the same licenses, the other way.
        let started = Instant::now();
        let (status, answer) = server
            .post(UPDATE_PATH, &update(&ids, state))
            .await
            .expect("update");
        let took = started.elapsed();
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["state"], "completed", "{answer}");
        let (before, asked, after_state) = match state {
            "suspended" => ("inactive", "active", "active"),
            _ => ("active", "suspended", "inactive"),
        };
        let was_cut = server
            .kill_during(UPDATE_PATH, &update(&ids, asked), took.mul_f64(fraction))
            .await;
        let in_before = server
            .count(&format!(
                "SELECT COUNT(*) FROM licenses WHERE state = '{before}'"
            ))
            .await;
        assert!(
            in_before == 0 || in_before == i64::from(LICENSES),
            "{in_before} licenses still {before} after a kill: the update was applied in part"
        );
        server.restart().await;
        let (status, answer) = server
            .post(UPDATE_PATH, &update(&ids, asked))
            .await
            .expect("the replay is answered");
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["state"], "completed", "{answer}");
        assert_eq!(
            server
                .count(&format!(
                    "SELECT COUNT(*) FROM licenses WHERE state = '{after_state}'"
                ))
                .await,
            i64::from(LICENSES)
        );
        if was_cut {
            eprintln!(
                "update cut by the kill at {:.0}% of {took:?}; applied before the kill: {}",
                fraction * 100.0,
                in_before == 0
            );
            cut = true;
            break;
        }
        state = asked;
    }
    assert!(cut, "no kill landed while the update was in flight");
}

/// Orders (UC2), updates and consultations from three clients at once against an asynchronous
/// server delivering events to a mock Orange, until the kill.
async fn mixed_load(
    port: u16,
    fleet: String,
    licenses: Vec<String>,
    acknowledged: &mut Vec<String>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let base = format!("http://127.0.0.1:{port}");
    let orders = {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let mut acknowledged = Vec::new();
            loop {
                let external_id = format!("ORA-MIXED-{}", uuid::Uuid::now_v7());
                let mut order = uc2(&external_id);
                order["orderItem"][0]["productRef"]["userServiceQuantity"] = json!(3);
                let answer = http
                    .post(format!("{base}{ORDER_PATH}"))
                    .basic_auth("orange", Some("pw"))
                    .json(&order)
                    .send()
                    .await;
                let Ok(answer) = answer else { break };
                let Ok(answer) = answer.json::<Value>().await else {
                    break;
                };
                if answer["state"] == "acknowledged" {
                    acknowledged.push(answer["id"].as_str().expect("order id").to_owned());
                }
            }
            acknowledged
        }
    };
    let updates = {
        let (http, base) = (http.clone(), base.clone());
        async move {
            for round in 0.. {
                let state = if round % 2 == 0 {
                    "suspended"
                } else {
                    "active"
                };
                let sent = http
                    .post(format!("{base}{UPDATE_PATH}"))
                    .basic_auth("orange", Some("pw"))
                    .json(&update(&licenses, state))
                    .send()
                    .await;
                if sent.is_err() {
                    break;
                }
            }
        }
    };
    let reads = async move {
        loop {
            let read = http
                .get(format!("{base}/userservice/v2/userService"))
                .query(&[("productRefId", fleet.as_str())])
                .basic_auth("orange", Some("pw"))
                .send()
                .await;
            match read {
                Ok(answer) => {
                    if answer.bytes().await.is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    };
    let (ordered, (), ()) = tokio::join!(orders, updates, reads);
    acknowledged.extend(ordered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_under_mixed_load_leave_sqlite_intact_and_every_acknowledged_order_its_event()
{
    let db = TestDb::sqlite();
    let mock = support::mock::TestMock::start(Duration::from_secs(3600)).await;
    let dir = tempfile::tempdir().expect("folder");
    let url = db.url();
    let start = || {
        Served::start(
            dir.path(),
            &[
                "--database-url",
                &url,
                "--basic-user",
                "orange",
                "--basic-password",
                "pw",
                "--product-ordering-mode",
                "async",
                "--orange-gateway-url",
                &mock.url,
                "--orange-client-id",
                support::mock::CLIENT_ID,
                "--orange-client-secret",
                support::mock::CLIENT_SECRET,
                // A delivery cut by a kill is taken over after this plus 5 s.
                "--orange-request-timeout-ms",
                "1000",
            ],
            &[],
        )
    };
    let http = reqwest::Client::new();
    // A fleet of 20 licenses for the updates and consultations.
    let server = start();
    server.wait_for_ping(START).await;
    let mut seed = uc2("ORA-MIXED-SEED");
    seed["orderItem"][0]["productRef"]["userServiceQuantity"] = json!(20);
    let seeded: Value = http
        .post(format!("http://127.0.0.1:{}{ORDER_PATH}", server.port))
        .basic_auth("orange", Some("pw"))
        .json(&seed)
        .send()
        .await
        .expect("seed order")
        .json()
        .await
        .expect("JSON");
    assert_eq!(seeded["state"], "acknowledged", "{seeded}");
    let store = db.store().await;
    wait_until("the seed order is completed", START, async || {
        store.pending_orders().await.is_ok_and(|p| p.is_empty())
    })
    .await;
    let fleet: String = db.column("SELECT id FROM fleets").await.remove(0);
    let mut licenses = Vec::new();
    let list = format!(
        "http://127.0.0.1:{}/userservice/v2/userService",
        server.port
    );
    wait_until("the seed order is completed", START, async || {
        let listed: Value = match http
            .get(&list)
            .query(&[("productRefId", fleet.as_str())])
            .basic_auth("orange", Some("pw"))
            .send()
            .await
        {
            Ok(answer) => answer.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        licenses = listed
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|l| l["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        licenses.len() == 20
    })
    .await;
    drop(server);

    let mut acknowledged = Vec::new();
    for _ in 0..20 {
        let server = start();
        server.wait_for_ping(START).await;
        let run_for = Duration::from_millis(fastrand::u64(200..1_500));
        let load = mixed_load(
            server.port,
            fleet.clone(),
            licenses.clone(),
            &mut acknowledged,
        );
        let kill = async move {
            tokio::time::sleep(run_for).await;
            server.kill_9();
        };
        tokio::join!(load, kill);
    }
    assert!(
        !acknowledged.is_empty(),
        "orders were acknowledged between the kills"
    );

    let integrity: Vec<String> = db.column("PRAGMA integrity_check").await;
    assert_eq!(integrity, ["ok"]);

    // Restarted once more, the server finishes every acknowledged order and delivers its event.
    let server = start();
    server.wait_for_ping(START).await;
    wait_until(
        "every acknowledged order is done and its event delivered",
        Duration::from_secs(300),
        async || {
            if !store.pending_orders().await.expect("pending").is_empty() {
                return false;
            }
            let delivered = delivered_order_events(&db).await;
            acknowledged.iter().all(|id| delivered.contains(id))
        },
    )
    .await;
    eprintln!(
        "20 kills under mixed load: {} orders acknowledged, each with its event delivered; integrity ok",
        acknowledged.len()
    );
    drop(server);
}

/// The orders whose event has been delivered.
async fn delivered_order_events(db: &TestDb) -> std::collections::BTreeSet<String> {
    let keys: Vec<String> = db
        .column(
            "SELECT aggregate_key FROM outbox \
             WHERE kind = 'productOrdering.event' AND state = 'delivered'",
        )
        .await;
    keys.into_iter().collect()
}

on_both_backends!(
    an_order_of_10000_licenses_cut_by_a_kill_is_whole_or_absent_and_its_replay_completes_once,
    an_update_of_10000_licenses_cut_by_a_kill_is_whole_or_absent_and_its_replay_completes,
);
