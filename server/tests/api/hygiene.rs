//! What every answer shares, checked on the raw bytes of one answer of each kind: no `null`, `{}`
//! or `[]` for an optional property (Orange rejects empty nodes), and an `X-Request-Id`.

use serde_json::{Value, json};

use crate::support::TestDb;
use crate::support::app::TestApp;

const ORDERS: &str = "/productordering/v2/productOrder";
const LICENSES: &str = "/userservice/v2/userService";
const UPDATE: &str = "/userservice/v2/userService/update";

/// One answer, as received.
struct Answer {
    what: &'static str,
    status: u16,
    request_id: Option<String>,
    body: String,
}

impl Answer {
    async fn of(what: &'static str, request: reqwest::RequestBuilder) -> Self {
        let response = request.send().await.expect("sent");
        Self {
            what,
            status: response.status().as_u16(),
            request_id: response
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: response.text().await.expect("a body"),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.what, self.body))
    }
}

fn uc2_order(orange_id: &str, fleet: Option<&str>) -> Value {
    let mut product_ref = json!({
        "userServiceQuantity": 2,
        "characteristic": [{"name": "storageSize", "value": "50GB"}]
    });
    if let Some(fleet) = fleet {
        product_ref["id"] = json!(fleet);
    }
    json!({
        "externalReference": {"type": "orange", "id": orange_id},
        "category": "production",
        "orderDate": "2025-03-10T09:15:00Z",
        "customer": {"externalReference": {"type": "orange", "id": "CUST-1"}, "tradingName": "Durand Conseil"},
        "orderItem": [{
            "id": "1",
            "action": "add",
            "productOffering": {"name": "Starter", "externalReference": {"type": "orange", "id": "PO-1"}},
            "productRef": product_ref,
            "endUserConfiguration": [{
                "endUser": {"givenName": "Paul", "familyName": "Martin", "email": "paul@example.fr"},
                "realizingResource": {"type": "email", "characteristic": [{"name": "emailAddress", "value": "paul@example.fr"}]}
            }]
        }]
    })
}

/// One answer of every kind the server gives.
async fn every_kind_of_answer(app: &TestApp) -> Vec<Answer> {
    let post = |path: &str, body: &Value| app.post_json(path, body.to_string());
    let get = |path: &str| app.request(reqwest::Method::GET, path);
    let uc1 = json!({
        "externalReference": {"type": "orange", "id": "CMD-1"},
        "customer": {
            "externalReference": {"type": "orange", "id": "CUST-1"},
            "tradingName": "Durand Conseil",
            "postalAddress": {"postCode": "75002", "city": "Paris", "country": "France"}
        },
        "relatedContact": [{
            "role": "customerFleetManager", "givenName": "Marie", "familyName": "Durand",
            "fixedTelephoneNumber": {"cc": "33", "sn": "145678900"}
        }]
    });
    let mut answers = vec![
        Answer::of("ping", reqwest::Client::new().get(app.url("/ping"))).await,
        Answer::of("UC1", post(ORDERS, &uc1)).await,
        Answer::of("UC2", post(ORDERS, &uc2_order("CMD-2", None))).await,
    ];
    let uc2 = answers[2].json();
    let fleet = uc2["orderItem"][0]["productRef"]["id"]
        .as_str()
        .expect("the fleet")
        .to_owned();
    let license = uc2["orderItem"][0]["productRef"]["userService"][0]["id"]
        .as_str()
        .expect("a license")
        .to_owned();
    let state =
        |id: &str, state: &str| json!({"userService": [{"id": id, "externalState": state}]});
    let swap = json!({"userService": [{"id": license, "productOfferingOperation": {
        "action": "swap", "productOffering": {"externalReference": {"type": "orange", "id": "PO-2"}}
    }}]});
    let bad_update = json!({"userService": [{"id": license, "externalState": "suspended"}, {"id": "lic-unknown", "externalState": "active"}]});
    answers.extend([
        Answer::of("UC2 replayed", post(ORDERS, &uc2_order("CMD-2", None))).await,
        Answer::of("UC3", post(ORDERS, &uc2_order("CMD-3", Some(&fleet)))).await,
        Answer::of(
            "UC3 unknown fleet",
            post(ORDERS, &uc2_order("CMD-4", Some("fleet-9"))),
        )
        .await,
        Answer::of(
            "order conflict",
            post(ORDERS, &uc2_order("CMD-2", Some(&fleet))),
        )
        .await,
        Answer::of(
            "list by fleet",
            get(&format!("{LICENSES}?productRefId={fleet}")),
        )
        .await,
        Answer::of(
            "list by ids",
            get(&format!("{LICENSES}?id={license},lic-unknown")),
        )
        .await,
        Answer::of(
            "list of nothing",
            get(&format!("{LICENSES}?id=lic-unknown")),
        )
        .await,
        Answer::of("read one", get(&format!("{LICENSES}/{license}"))).await,
        Answer::of("read unknown", get(&format!("{LICENSES}/lic-unknown"))).await,
        Answer::of("suspend", post(UPDATE, &state(&license, "suspended"))).await,
        Answer::of("swap", post(UPDATE, &swap)).await,
        Answer::of("failed update", post(UPDATE, &bad_update)).await,
        Answer::of("delete", post(UPDATE, &state(&license, "deleted"))).await,
        Answer::of(
            "update of a deleted license",
            post(UPDATE, &state(&license, "active")),
        )
        .await,
        Answer::of("malformed JSON", app.post_json(ORDERS, "{")).await,
        Answer::of("neither parameter", get(LICENSES)).await,
        Answer::of(
            "no credentials",
            reqwest::Client::new().get(app.url(LICENSES)),
        )
        .await,
        Answer::of("unknown route", get("/nowhere")).await,
        Answer::of("too large", app.post_json(UPDATE, "x".repeat(9_000))).await,
    ]);
    answers
}

/// Fails on any `null`, `{}` or `[]` below the top level.
fn assert_no_empty_nodes(what: &str, value: &Value, path: &str) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (format!("{path}.{k}"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{path}[{i}]"), v))
            .collect(),
        _ => return,
    };
    for (child_path, child) in children {
        let empty = match child {
            Value::Null => true,
            Value::Object(map) => map.is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        assert!(!empty, "{what}: {child_path} is {child}");
        assert_no_empty_nodes(what, child, &child_path);
    }
}

async fn no_answer_contains_null_or_an_empty_object_or_array(db: TestDb) {
    let app = TestApp::start_with(&db, |config| {
        config.limits.user_service_update_bytes = 8_192
    })
    .await;
    let answers = every_kind_of_answer(&app).await;
    let statuses: Vec<_> = answers.iter().map(|a| (a.what, a.status)).collect();
    assert_eq!(
        statuses,
        [
            ("ping", 200),
            ("UC1", 201),
            ("UC2", 201),
            ("UC2 replayed", 201),
            ("UC3", 201),
            ("UC3 unknown fleet", 201),
            ("order conflict", 409),
            ("list by fleet", 200),
            ("list by ids", 200),
            ("list of nothing", 200),
            ("read one", 200),
            ("read unknown", 404),
            ("suspend", 200),
            ("swap", 200),
            ("failed update", 200),
            ("delete", 200),
            ("update of a deleted license", 200),
            ("malformed JSON", 400),
            ("neither parameter", 400),
            ("no credentials", 401),
            ("unknown route", 404),
            ("too large", 413),
        ]
    );
    for answer in answers.iter().filter(|a| !a.body.is_empty()) {
        assert_no_empty_nodes(answer.what, &answer.json(), "$");
    }
    // The answers that carry the most optional properties do carry them.
    let uc2 = answers[2].json();
    assert!(uc2["orderItem"][0]["endUserConfiguration"][0]["endUser"]["id"].is_string());
    let read = answers[10].json();
    assert!(read["realizingResource"]["characteristic"][0]["value"].is_string());
}

async fn every_answer_carries_a_request_id(db: TestDb) {
    let app = TestApp::start_with(&db, |config| {
        config.limits.user_service_update_bytes = 8_192
    })
    .await;
    for answer in every_kind_of_answer(&app).await {
        let id = answer.request_id.unwrap_or_default();
        assert!(
            !id.is_empty(),
            "{} ({}) has no x-request-id",
            answer.what,
            answer.status
        );
    }
    // A request id the caller sends is kept, so both sides' logs can be joined.
    let given = app
        .request(
            reqwest::Method::GET,
            "/userservice/v2/userService/lic-unknown",
        )
        .header("x-request-id", "orange-trace-42");
    let answer = Answer::of("given id", given).await;
    assert_eq!(answer.request_id.as_deref(), Some("orange-trace-42"));
}

crate::on_both_backends!(
    no_answer_contains_null_or_an_empty_object_or_array,
    every_answer_carries_a_request_id,
);
