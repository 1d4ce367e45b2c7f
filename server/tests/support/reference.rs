//! An independent reference partner: a small in-memory server written for the tests only, from
//! Orange's published contract (getting-started 2.2), on plain JSON. It shares nothing with
//! obakit but the wire: no generated type, no domain, store or HTTP code of obakit. Where Orange
//! is silent it is liberal, not obakit's reading: orders are answered 200 (not 201), contacts get
//! no partner id, a consultation with
//! both `productRefId` and `id` answers their intersection, an update with an empty list is
//! `completed`. So `simulate` must pass it (no contract check failed) and list its decision
//! warnings.
//!
//! Each [`Fault`] seeds one mistake against the contract; the tests show that the simulator fails
//! the matching contract check and names it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Request, Response};
use serde_json::{Value, json};

pub const USER: &str = "orange";
pub const PASSWORD: &str = "reference-password";

/// Bodies above this are refused with 413 before they are read.
const BODY_LIMIT: u64 = 1024 * 1024;

/// One mistake against Orange's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None: the partner follows the contract.
    None,
    /// The update answer is an array holding the userServiceUpdate where one object is due.
    ArrayForObject,
    /// Order answers leave out productRef.id (the fleet id Orange consults by).
    NoFleetId,
    /// An update applies its items one by one and keeps those before a bad one.
    HalfUpdate,
    /// A resent order is processed again: new licenses.
    DuplicatedReplay,
    /// A request it cannot read makes it fail with 500 (as a crash would).
    CrashOnBadInput,
    /// Consultations write `"endUser": null` for a license without end user.
    NullForOptional,
    /// A suspended license shows state `active` (it should be `inactive`).
    WrongStateAfterSuspend,
    /// A deleted license is still listed in its fleet.
    DeletedStillListed,
    /// Asynchronous: a failed update is acknowledged, and no event ever comes.
    NoEventForFailedUpdate,
    /// Asynchronous: acknowledges, does the work, never sends any event.
    NoEvents,
    /// Asynchronous: the licenses added to a fleet are listed at once, their event comes 3 s later.
    VisibleBeforeEvent,
    /// The consultation answers `{"userService": [...]}` where an array is due.
    ObjectForArray,
}

/// Where an asynchronous reference partner sends its events (Orange's gateway, or a mock).
#[derive(Debug, Clone)]
pub struct Async {
    pub gateway_url: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Clone)]
struct License {
    json: Value,
    fleet: String,
    deleted: bool,
    /// An asynchronous order's licenses are listed once its event is sent.
    visible: bool,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Replay key → (the order's business content, the answer given).
    orders: HashMap<String, (String, Value)>,
    customers: HashMap<String, String>,
    fleets: Vec<String>,
    licenses: BTreeMap<String, License>,
}

impl State {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}", self.next)
    }
}

struct Partner {
    fault: Fault,
    /// Calls without credentials are served too (to run the simulator without any).
    anonymous: bool,
    events: Option<Async>,
    http: reqwest::Client,
    state: Mutex<State>,
}

/// A reference partner served on 127.0.0.1; stopped when dropped.
pub struct Running {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves a reference partner with `fault`, synchronous unless `asynchronous` says where events go.
pub async fn start(fault: Fault, asynchronous: Option<Async>) -> Running {
    serve(fault, asynchronous, false).await
}

/// A correct, synchronous reference partner that asks for no credentials at all.
pub async fn start_anonymous() -> Running {
    serve(Fault::None, None, true).await
}

async fn serve(fault: Fault, asynchronous: Option<Async>, anonymous: bool) -> Running {
    let partner = Arc::new(Partner {
        fault,
        anonymous,
        events: asynchronous,
        http: reqwest::Client::new(),
        state: Mutex::new(State::default()),
    });
    let endpoint = poem::endpoint::make(move |req: Request| {
        let partner = partner.clone();
        async move { partner.handle(req).await }
    });
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind 127.0.0.1:0");
    let address = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a TCP address");
    let task = tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor)
            .run(endpoint)
            .await;
    });
    Running {
        url: format!("http://{address}"),
        task,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// Orange's gateway error body.
fn error(status: StatusCode, code: u32, message: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"code": code, "message": message, "description": description}),
    )
}

/// The order's business content: what a resend keeps (Orange restamps `orderDate`), with object
/// keys sorted so that the text compares.
fn business_content(order: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(o) => {
                let map: BTreeMap<&String, Value> = o.iter().map(|(k, v)| (k, sorted(v))).collect();
                json!(map)
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let mut content = order.clone();
    if let Some(o) = content.as_object_mut() {
        o.remove("orderDate");
    }
    sorted(&content).to_string()
}

fn failed_note(text: &str) -> Value {
    json!({"text": text, "date": now(), "author": "partner"})
}

impl Partner {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn handle(self: Arc<Self>, mut req: Request) -> Response {
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        if path != "/ping" && !self.anonymous && !authorized(&req) {
            return error(
                StatusCode::UNAUTHORIZED,
                41,
                "Invalid credentials",
                "HTTP Basic",
            );
        }
        let length = req
            .header("content-length")
            .and_then(|l| l.parse::<u64>().ok())
            .unwrap_or(0);
        if length > BODY_LIMIT {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                66,
                "Body too large",
                "at most 1 MiB",
            );
        }
        let body = req.take_body().into_bytes().await.unwrap_or_default();
        let response = match (method.as_str(), path.as_str()) {
            ("GET", "/ping") => Response::builder().status(StatusCode::OK).finish(),
            ("POST", "/productordering/v2/productOrder") => self.order(&body),
            ("GET", "/userservice/v2/userService") => self.list(req.uri().query().unwrap_or("")),
            ("POST", "/userservice/v2/userService/update") => self.update(&body),
            ("GET", p) if p.starts_with("/userservice/v2/userService/") => {
                self.get(&p["/userservice/v2/userService/".len()..])
            }
            _ => error(StatusCode::NOT_FOUND, 60, "Resource not found", &path),
        };
        if self.fault == Fault::CrashOnBadInput && response.status() == StatusCode::BAD_REQUEST {
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body("panicked");
        }
        response
    }

    fn order(self: &Arc<Self>, body: &[u8]) -> Response {
        if body.is_empty() {
            return error(
                StatusCode::BAD_REQUEST,
                21,
                "Missing body",
                "a productOrder",
            );
        }
        let order: Value = match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return error(StatusCode::BAD_REQUEST, 22, "Invalid body", "not an object"),
            Err(e) => return error(StatusCode::BAD_REQUEST, 22, "Invalid body", &e.to_string()),
        };
        let item = order["orderItem"]
            .as_array()
            .and_then(|items| items.first());
        if let Some(item) = item {
            if item["productOffering"]["externalReference"]["id"]
                .as_str()
                .is_none()
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    23,
                    "Missing body field",
                    "orderItem.productOffering.externalReference.id",
                );
            }
            if item["productRef"]["userServiceQuantity"]
                .as_u64()
                .is_none_or(|q| q < 1)
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    24,
                    "Invalid body field",
                    "orderItem.productRef.userServiceQuantity must be at least 1",
                );
            }
        }
        let content = business_content(&order);
        // Orange's order id when it sends one, else the content itself: a resend is recognised.
        let key = order["externalReference"]["id"]
            .as_str()
            .map_or_else(|| format!("content:{content}"), |id| format!("id:{id}"));
        let mut state = self.state();
        if let Some((first, answer)) = state.orders.get(&key) {
            if *first != content {
                return error(
                    StatusCode::CONFLICT,
                    69,
                    "Conflict",
                    "this order was received with another content",
                );
            }
            if self.fault != Fault::DuplicatedReplay {
                return json_response(StatusCode::OK, answer);
            }
        }
        let (finished, created) = self.work(&mut state, &order);
        let asynchronous = self.events.is_some() && item.is_some();
        let answer = if asynchronous {
            let mut ack = order.clone();
            ack["id"] = finished["id"].clone();
            ack["state"] = json!("acknowledged");
            ack
        } else {
            for id in &created {
                if let Some(l) = state.licenses.get_mut(id) {
                    l.visible = true;
                }
            }
            finished.clone()
        };
        state.orders.insert(key, (content, answer.clone()));
        drop(state);
        if asynchronous {
            let partner = self.clone();
            let early = self.fault == Fault::VisibleBeforeEvent
                && item.is_some_and(|i| i["productRef"]["id"].is_string());
            if early {
                partner.show(&created);
            }
            tokio::spawn(async move {
                let delay = if early { 3000 } else { 30 };
                tokio::time::sleep(Duration::from_millis(delay)).await;
                {
                    let mut state = partner.state();
                    for id in &created {
                        if let Some(l) = state.licenses.get_mut(id) {
                            l.visible = true;
                        }
                    }
                }
                let type_ = if finished["state"] == "failed" {
                    "failedStateNotification"
                } else {
                    "completedStateNotification"
                };
                partner.send("productordering", type_, finished).await;
            });
        }
        json_response(StatusCode::OK, &answer)
    }

    fn show(&self, created: &[String]) {
        let mut state = self.state();
        for id in created {
            if let Some(l) = state.licenses.get_mut(id) {
                l.visible = true;
            }
        }
    }

    /// Does an order: the final answer and the licenses it created (not yet visible).
    fn work(&self, state: &mut State, order: &Value) -> (Value, Vec<String>) {
        let mut answer = order.clone();
        answer["id"] = json!(state.id("po"));
        if let Some(reference) = order["customer"]["externalReference"]["id"].as_str() {
            let id = match state.customers.get(reference) {
                Some(id) => id.clone(),
                None => {
                    let id = state.id("cust");
                    state.customers.insert(reference.to_owned(), id.clone());
                    id
                }
            };
            answer["customer"]["id"] = json!(id);
        }
        let Some(item) = order["orderItem"]
            .as_array()
            .and_then(|i| i.first())
            .cloned()
        else {
            answer["state"] = json!("completed");
            return (answer, Vec::new());
        };
        let fleet = match item["productRef"]["id"].as_str() {
            Some(fleet) if state.fleets.iter().any(|f| f == fleet) => fleet.to_owned(),
            Some(fleet) => {
                answer["state"] = json!("failed");
                answer["orderItem"][0]["state"] = json!("failed");
                answer["note"] = failed_note(&format!("unknown productRefId {fleet}"));
                return (answer, Vec::new());
            }
            None => {
                let fleet = state.id("fleet");
                state.fleets.push(fleet.clone());
                fleet
            }
        };
        let quantity = item["productRef"]["userServiceQuantity"]
            .as_u64()
            .unwrap_or(0);
        let mut created = Vec::new();
        for n in 0..quantity {
            let id = state.id("lic");
            let mut license = json!({
                "id": id,
                "relatedProductRefId": fleet,
                "state": "active",
                "productOffering": item["productOffering"],
                "creationDate": now(),
            });
            let configuration = &item["endUserConfiguration"][usize::try_from(n).unwrap_or(0)];
            if configuration["endUser"].is_object() {
                license["endUser"] = configuration["endUser"].clone();
                license["endUser"]["id"] = json!(format!("user-{id}"));
            }
            if configuration["realizingResource"].is_object() {
                license["realizingResource"] = configuration["realizingResource"].clone();
            }
            state.licenses.insert(
                id.clone(),
                License {
                    json: license,
                    fleet: fleet.clone(),
                    deleted: false,
                    visible: false,
                },
            );
            created.push(id);
        }
        answer["state"] = json!("completed");
        answer["orderItem"][0]["state"] = json!("completed");
        if self.fault != Fault::NoFleetId {
            answer["orderItem"][0]["productRef"]["id"] = json!(fleet);
        }
        answer["orderItem"][0]["productRef"]["userService"] = created
            .iter()
            .map(|id| json!({"id": id, "state": "active"}))
            .collect();
        (answer, created)
    }

    /// A license as a consultation shows it.
    fn shown(&self, license: &License) -> Value {
        let mut json = license.json.clone();
        if self.fault == Fault::NullForOptional && json.get("endUser").is_none() {
            json["endUser"] = Value::Null;
        }
        json
    }

    fn listed(&self, license: &License) -> bool {
        license.visible && (!license.deleted || self.fault == Fault::DeletedStillListed)
    }

    fn list(&self, query: &str) -> Response {
        let mut fleet = None;
        let mut ids: Option<Vec<String>> = None;
        let url = reqwest::Url::parse(&format!("http://partner/?{query}")).expect("a query");
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "productRefId" => fleet = Some(value.into_owned()),
                "id" => ids = Some(value.split(',').map(str::to_owned).collect()),
                _ => {}
            }
        }
        if fleet.is_none() && ids.is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                27,
                "Missing query parameter",
                "productRefId or id",
            );
        }
        let state = self.state();
        let listed: Vec<Value> = state
            .licenses
            .iter()
            .filter(|(_, l)| self.listed(l))
            .filter(|(_, l)| fleet.as_ref().is_none_or(|f| *f == l.fleet))
            .filter(|(id, _)| ids.as_ref().is_none_or(|ids| ids.contains(id)))
            .map(|(_, l)| self.shown(l))
            .collect();
        if self.fault == Fault::ObjectForArray {
            return json_response(StatusCode::OK, &json!({"userService": listed}));
        }
        json_response(StatusCode::OK, &Value::Array(listed))
    }

    fn get(&self, id: &str) -> Response {
        let state = self.state();
        match state.licenses.get(id) {
            Some(l) if self.listed(l) => json_response(StatusCode::OK, &self.shown(l)),
            _ => error(StatusCode::NOT_FOUND, 60, "Resource not found", id),
        }
    }

    fn update(self: &Arc<Self>, body: &[u8]) -> Response {
        let request: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return error(StatusCode::BAD_REQUEST, 22, "Invalid body", &e.to_string()),
        };
        let Some(items) = request["userService"].as_array() else {
            return error(
                StatusCode::BAD_REQUEST,
                23,
                "Missing body field",
                "userService",
            );
        };
        let answer = self.apply(items);
        // Nothing to do is answered at once, asynchronous or not: no event to wait for.
        if self.events.is_none() || items.is_empty() {
            return self.update_answer(&answer);
        }
        if !(self.fault == Fault::NoEventForFailedUpdate && answer["state"] == "failed") {
            let partner = self.clone();
            let resource = answer.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                partner
                    .send("userservice", "updateNotification", resource)
                    .await;
            });
        }
        self.update_answer(&json!({"state": "acknowledged"}))
    }

    fn update_answer(&self, answer: &Value) -> Response {
        if self.fault == Fault::ArrayForObject {
            return json_response(StatusCode::OK, &json!([answer]));
        }
        json_response(StatusCode::OK, answer)
    }

    /// Applies an update as one transaction: `{state, userService, note?}`.
    fn apply(&self, items: &[Value]) -> Value {
        let mut state = self.state();
        // Applied to a copy, item after item, and kept only when every item applied: a
        // transaction (with HalfUpdate, what applied before the bad item is kept).
        let mut scratch = state.licenses.clone();
        let mut reason = None;
        let mut changed = Vec::new();
        for item in items {
            let id = item["id"].as_str().unwrap_or("").to_owned();
            let problem = match scratch.get(&id) {
                Some(l) if l.visible && !l.deleted => match item["externalState"].as_str() {
                    None | Some("active" | "suspended" | "inactive" | "deleted") => None,
                    Some(other) => Some(format!("unknown externalState {other} for {id}")),
                },
                Some(l) if l.visible => Some(format!("license {id} is deleted")),
                _ => Some(format!("unknown license {id}")),
            };
            if let Some(problem) = problem {
                reason = Some(problem);
                break;
            }
            let wrong_state = self.fault == Fault::WrongStateAfterSuspend;
            let license = scratch.get_mut(&id).expect("checked above");
            match item["externalState"].as_str() {
                Some("active") => license.json["state"] = json!("active"),
                Some("deleted") => {
                    license.deleted = true;
                    license.json["state"] = json!("inactive");
                }
                Some(_) if wrong_state => {}
                Some(_) => license.json["state"] = json!("inactive"),
                None => {}
            }
            if let Some(s) = item["externalState"].as_str() {
                license.json["externalState"] = json!(s);
            }
            // The getting-started page's flat shape, or the offering under productOffering.
            let operation = &item["productOfferingOperation"];
            let reference = if operation["externalReference"].is_object() {
                &operation["externalReference"]
            } else {
                &operation["productOffering"]["externalReference"]
            };
            if reference.is_object() {
                license.json["productOffering"] = json!({"externalReference": reference});
            }
            license.json["lastUpdate"] = json!(now());
            changed.push(id);
        }
        if reason.is_none() || self.fault == Fault::HalfUpdate {
            state.licenses = scratch;
        }
        match reason {
            Some(reason) => {
                // The licenses Orange named that exist, as they are (nothing changed).
                let named: Vec<Value> = items
                    .iter()
                    .filter_map(|item| state.licenses.get(item["id"].as_str().unwrap_or("")))
                    .filter(|l| l.visible)
                    .map(|l| l.json.clone())
                    .collect();
                // An event lists at least one license: when none is known, the ids as Orange sent them.
                let named = if named.is_empty() && self.events.is_some() {
                    items.iter().map(|item| json!({"id": item["id"]})).collect()
                } else {
                    named
                };
                let mut answer = json!({"state": "failed", "note": failed_note(&reason)});
                if !named.is_empty() {
                    answer["userService"] = Value::Array(named);
                }
                answer
            }
            None => {
                let shown: Vec<Value> = changed
                    .iter()
                    .filter_map(|id| state.licenses.get(id).map(|l| l.json.clone()))
                    .collect();
                let mut answer = json!({"state": "completed"});
                if !shown.is_empty() {
                    answer["userService"] = Value::Array(shown);
                }
                answer
            }
        }
    }

    /// Posts an event to Orange's gateway with a client_credentials token (one per event: the
    /// reference partner keeps nothing it does not need).
    async fn send(&self, api: &str, type_: &str, resource: Value) {
        let Some(gateway) = &self.events else {
            return;
        };
        if self.fault == Fault::NoEvents {
            return;
        }
        let base = gateway.gateway_url.trim_end_matches('/');
        let token: Value = match self
            .http
            .post(format!("{base}/oauth/v3/token"))
            .basic_auth(&gateway.client_id, Some(&gateway.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
        {
            Ok(response) => response.json().await.unwrap_or_default(),
            Err(_) => return,
        };
        let Some(access) = token["access_token"].as_str() else {
            return;
        };
        let event = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "type": type_,
            "time": now(),
            "resource": resource,
        });
        let _ = self
            .http
            .post(format!("{base}/mba2-beta/{api}/v2/event"))
            .bearer_auth(access)
            .json(&event)
            .send()
            .await;
    }
}

fn authorized(req: &Request) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    req.header("authorization") == Some(expected.as_str())
}
