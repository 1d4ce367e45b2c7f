//! A small in-memory partner implementing the generated partner traits, correct by default and
//! broken on request (one [`Fault`] per double), so a test can show that the simulator names the
//! check a given mistake breaks. With [`Async`] it answers `acknowledged` and sends its events to a
//! (mock) Orange gateway through the generated Orange-side clients.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use obakit_api::common::types::{Error, Note, Offer, UserServiceState};
use obakit_api::product_ordering::client::ProductOrderingOrangeClient;
use obakit_api::product_ordering::handler::{
    CreateProductOrderResponse, PingResponse, ProductOrderingPartnerApi,
};
use obakit_api::product_ordering::server::ProductOrderingPartnerServer;
use obakit_api::product_ordering::types::{
    ProductOrder, ProductOrderEvent, ProductOrderEventType, ProductOrderState, UserServiceRef,
};
use obakit_api::rt::ClientCore;
use obakit_api::user_service::client::UserServiceOrangeClient;
use obakit_api::user_service::handler::{
    GetUserServiceResponse, ListUserServicesResponse, UpdateUserServicesResponse,
    UserServicePartnerApi,
};
use obakit_api::user_service::server::UserServicePartnerServer;
use obakit_api::user_service::types::{
    ExternalState, UserService, UserServiceEvent, UserServiceEventResource, UserServiceEventType,
    UserServiceUpdateRequest, UserServiceUpdateResponse, UserServiceUpdateState,
};
use obakit_server::outbound::OAuthTokens;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route};
use poem_openapi::OpenApiService;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;

pub const USER: &str = "orange";
pub const PASSWORD: &str = "double-password";

/// The one mistake a double makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A correct partner.
    None,
    /// The consultation answers `{"userService": [...]}` where the spec says an array.
    ObjectForArray,
    /// The consultation writes `"endUser": null` on each license.
    NullForOptional,
    /// UC2 and UC3 answers leave out productRef.id (the productRefId).
    NoProductRefId,
    /// An update applies its items one by one and stops at the first bad one, keeping the rest.
    HalfUpdate,
    /// A replayed order is processed again: new licenses, a new answer.
    DuplicateOnReplay,
    /// Every request the spec's types refuse is answered 500 instead of 400.
    ServerErrorOnBadInput,
    /// Asynchronous: acknowledges, does the work, never sends the event.
    NoEvents,
    /// Asynchronous: the licenses of an order are listed right away, its event comes 3 s later.
    VisibleBeforeEvent,
}

/// Where an asynchronous double sends its events.
#[derive(Debug, Clone)]
pub struct Async {
    pub gateway_url: String,
    pub client_id: String,
    pub client_secret: String,
}

struct License {
    wire: UserService,
    deleted: bool,
    /// Licenses of an asynchronous order stay hidden until its event is sent.
    visible: bool,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Orange's order id → (the order as first received, the answer given).
    orders: HashMap<String, (String, ProductOrder)>,
    customers: HashMap<String, String>,
    contacts: HashMap<String, String>,
    fleets: Vec<String>,
    licenses: BTreeMap<String, License>,
}

impl State {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}", self.next)
    }
}

struct Inner {
    fault: Fault,
    events: Option<(ProductOrderingOrangeClient, UserServiceOrangeClient)>,
    state: Mutex<State>,
}

/// The double; cheap to clone.
#[derive(Clone)]
pub struct Double(Arc<Inner>);

/// A double served on 127.0.0.1; stopped when dropped.
pub struct Running {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

fn error(code: i32, message: &str, description: &str) -> Error {
    Error {
        code,
        message: message.to_owned(),
        description: Some(description.to_owned()),
    }
}

fn note(text: &str) -> Note {
    Note {
        text: text.to_owned(),
        date: Some(now()),
        author: Some("partner".to_owned()),
    }
}

impl Double {
    /// Serves a double making `fault`, synchronous unless `asynchronous` says where events go.
    pub async fn start(fault: Fault, asynchronous: Option<Async>) -> Running {
        let events = asynchronous.map(|a| {
            let tokens = Arc::new(
                OAuthTokens::new(
                    &a.gateway_url,
                    reqwest::Client::new(),
                    &a.client_id,
                    &a.client_secret,
                )
                .expect("token cache"),
            );
            let core = ClientCore::new(&a.gateway_url)
                .expect("gateway URL")
                .with_token_source(tokens);
            (
                ProductOrderingOrangeClient::from_core(core.clone()),
                UserServiceOrangeClient::from_core(core),
            )
        });
        let double = Self(Arc::new(Inner {
            fault,
            events,
            state: Mutex::new(State::default()),
        }));
        let service = OpenApiService::new(
            (
                ProductOrderingPartnerServer::new(double.clone()),
                UserServicePartnerServer::new(double),
            ),
            "double",
            "1",
        );
        let app = Route::new()
            .nest("/", service)
            .around(move |ep, req| tamper(ep, req, fault))
            .around(authenticate);
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind 127.0.0.1:0");
        let address = *acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address");
        let task = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        Running {
            url: format!("http://{address}"),
            task,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn asynchronous(&self) -> bool {
        self.0.events.is_some()
    }

    /// Works an order: the final answer and the licenses it created (not yet visible).
    fn work(&self, state: &mut State, order: &ProductOrder) -> (ProductOrder, Vec<String>) {
        let mut answer = order.clone();
        answer.id = Some(state.id("po"));
        answer.completion_date = Some(now());
        if let Some(customer) = answer.customer.as_mut() {
            let key = customer.external_reference.id.clone();
            let id = match state.customers.get(&key) {
                Some(id) => id.clone(),
                None => {
                    let id = state.id("cust");
                    state.customers.insert(key, id.clone());
                    id
                }
            };
            customer.id = Some(id);
        }
        for contact in answer.related_contact.iter_mut().flatten() {
            let key = contact
                .external_reference
                .as_ref()
                .map(|r| r.id.clone())
                .unwrap_or_default();
            let id = match state.contacts.get(&key) {
                Some(id) => id.clone(),
                None => {
                    let id = state.id("ctc");
                    state.contacts.insert(key, id.clone());
                    id
                }
            };
            contact.id = Some(id);
        }
        let Some(item) = answer
            .order_item
            .as_mut()
            .and_then(|items| items.first_mut())
        else {
            answer.state = Some(ProductOrderState::Completed);
            return (answer, Vec::new());
        };
        let fleet = match &item.product_ref.id {
            Some(fleet) if state.fleets.contains(fleet) => fleet.clone(),
            Some(fleet) => {
                let fleet = fleet.clone();
                answer.state = Some(ProductOrderState::Failed);
                answer.note = Some(note(&format!("unknown productRefId {fleet}")));
                if let Some(item) = answer.order_item.as_mut().and_then(|i| i.first_mut()) {
                    item.state = Some(ProductOrderState::Failed);
                }
                return (answer, Vec::new());
            }
            None => {
                let fleet = state.id("fleet");
                state.fleets.push(fleet.clone());
                fleet
            }
        };
        let mut created = Vec::new();
        let configurations = item.end_user_configuration.clone().unwrap_or_default();
        for n in 0..usize::try_from(item.product_ref.user_service_quantity).unwrap_or(0) {
            let id = state.id("lic");
            let configuration = configurations.get(n);
            let end_user = configuration.and_then(|c| c.end_user.clone()).map(|mut u| {
                u.id = Some(format!("eu-{id}"));
                u
            });
            let license = UserService {
                id: id.clone(),
                related_product_ref_id: fleet.clone(),
                state: UserServiceState::Active,
                external_state: None,
                product_offering: item.product_offering.clone(),
                end_user,
                realizing_resource: configuration.and_then(|c| c.realizing_resource.clone()),
                login_key_value: None,
                characteristic: None,
                creation_date: Some(now()),
                last_update: Some(now()),
                end_user_operation: None,
                realizing_resource_operation: None,
                right_operation: None,
                service_characteristic_operation: None,
            };
            state.licenses.insert(
                id.clone(),
                License {
                    wire: license,
                    deleted: false,
                    visible: false,
                },
            );
            created.push(id);
        }
        item.state = Some(ProductOrderState::Completed);
        if self.0.fault != Fault::NoProductRefId {
            item.product_ref.id = Some(fleet);
        }
        item.product_ref.user_service = Some(
            created
                .iter()
                .map(|id| UserServiceRef {
                    id: id.clone(),
                    state: UserServiceState::Active,
                })
                .collect(),
        );
        answer.state = Some(ProductOrderState::Completed);
        (answer, created)
    }

    fn show(&self, created: &[String]) {
        let mut state = self.state();
        for id in created {
            if let Some(license) = state.licenses.get_mut(id) {
                license.visible = true;
            }
        }
    }

    /// Applies an update; `(state, licenses as now, reason)`.
    fn apply(&self, request: &UserServiceUpdateRequest) -> UserServiceUpdateResponse {
        let mut state = self.state();
        let problem = |state: &State, id: &str, wanted: Option<&ExternalState>| -> Option<String> {
            match state.licenses.get(id) {
                None => Some(format!("unknown license {id}")),
                Some(l) if !l.visible => Some(format!("unknown license {id}")),
                Some(l) if l.deleted && wanted.is_some() => {
                    Some(format!("license {id} is deleted"))
                }
                _ => None,
            }
        };
        let mut reason = None;
        let half = self.0.fault == Fault::HalfUpdate;
        if !half {
            reason = request
                .user_service
                .iter()
                .find_map(|item| problem(&state, &item.id, item.external_state.as_ref()));
        }
        let mut deleted_now = Vec::new();
        if reason.is_none() {
            for item in &request.user_service {
                if half && let Some(p) = problem(&state, &item.id, item.external_state.as_ref()) {
                    reason = Some(p);
                    break;
                }
                let license = state.licenses.get_mut(&item.id).expect("checked above");
                match &item.external_state {
                    Some(ExternalState::Active) => license.wire.state = UserServiceState::Active,
                    Some(ExternalState::Deleted) => {
                        license.deleted = true;
                        license.wire.state = UserServiceState::Inactive;
                        deleted_now.push(item.id.clone());
                    }
                    Some(_) => license.wire.state = UserServiceState::Inactive,
                    None => {}
                }
                if let Some(s) = &item.external_state {
                    license.wire.external_state = Some(s.clone());
                }
                if let Some(operation) = &item.product_offering_operation {
                    license.wire.product_offering = operation.product_offering.clone();
                }
                license.wire.last_update = Some(now());
            }
        }
        let shown: Vec<UserService> = request
            .user_service
            .iter()
            .filter_map(|item| state.licenses.get(&item.id).map(|l| (item, l)))
            .filter(|(item, l)| l.visible && (!l.deleted || deleted_now.contains(&item.id)))
            .map(|(_, l)| l.wire.clone())
            .collect();
        UserServiceUpdateResponse {
            state: if reason.is_some() {
                UserServiceUpdateState::Failed
            } else {
                UserServiceUpdateState::Completed
            },
            user_service: (!shown.is_empty()).then_some(shown),
            note: reason.as_deref().map(note),
        }
    }
}

impl ProductOrderingPartnerApi for Double {
    async fn ping(&self) -> poem::Result<PingResponse> {
        Ok(PingResponse::Ok)
    }

    async fn create_product_order(
        &self,
        body: ProductOrder,
    ) -> poem::Result<CreateProductOrderResponse> {
        let fingerprint = body.to_json_string();
        let external = body.external_reference.as_ref().map(|r| r.id.clone());
        let (answer, finished, created) = {
            let mut state = self.state();
            if let Some((first, answer)) = external.as_ref().and_then(|e| state.orders.get(e)) {
                if *first != fingerprint {
                    return Ok(CreateProductOrderResponse::Conflict(Json(error(
                        69,
                        "conflict",
                        "the order was received with another body",
                    ))));
                }
                if self.0.fault != Fault::DuplicateOnReplay {
                    return Ok(CreateProductOrderResponse::Created(Json(answer.clone())));
                }
            }
            let (finished, created) = self.work(&mut state, &body);
            // UC1 (no orderItem) is answered at once in asynchronous mode too.
            let uc1 = body.order_item.as_ref().is_none_or(Vec::is_empty);
            let answer = if self.asynchronous() && !uc1 {
                let mut ack = body.clone();
                ack.id = finished.id.clone();
                ack.state = Some(ProductOrderState::Acknowledged);
                ack
            } else {
                finished.clone()
            };
            if let Some(external) = external {
                state.orders.insert(external, (fingerprint, answer.clone()));
            }
            (answer, finished, created)
        };
        let Some((orders, _)) = self
            .0
            .events
            .clone()
            .filter(|_| answer.state == Some(ProductOrderState::Acknowledged))
        else {
            self.show(&created);
            return Ok(CreateProductOrderResponse::Created(Json(answer)));
        };
        let fault = self.0.fault;
        // Only UC3 (licenses added to a known fleet) is probed before its event.
        let added = body
            .order_item
            .as_ref()
            .and_then(|items| items.first())
            .is_some_and(|item| item.product_ref.id.is_some());
        let delay = if fault == Fault::VisibleBeforeEvent && added {
            self.show(&created);
            Duration::from_secs(3)
        } else {
            Duration::from_millis(30)
        };
        let double = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            double.show(&created);
            if fault == Fault::NoEvents {
                return;
            }
            let type_ = if finished.state == Some(ProductOrderState::Failed) {
                ProductOrderEventType::FailedStateNotification
            } else {
                ProductOrderEventType::CompletedStateNotification
            };
            let event = ProductOrderEvent {
                id: uuid::Uuid::new_v4(),
                type_,
                time: now(),
                resource: finished,
            };
            let _ = orders
                .notify_product_order_event(Offer::Mba2Beta, &event)
                .await;
        });
        Ok(CreateProductOrderResponse::Created(Json(answer)))
    }
}

impl UserServicePartnerApi for Double {
    async fn list_user_services(
        &self,
        product_ref_id: Option<String>,
        id: Option<Vec<String>>,
    ) -> poem::Result<ListUserServicesResponse> {
        let state = self.state();
        let listed = |keep: &dyn Fn(&License) -> bool| -> Vec<UserService> {
            state
                .licenses
                .values()
                .filter(|l| l.visible && !l.deleted && keep(l))
                .map(|l| l.wire.clone())
                .collect()
        };
        let answer = match (product_ref_id, id) {
            (Some(fleet), None) => listed(&|l| l.wire.related_product_ref_id == fleet),
            (None, Some(ids)) => listed(&|l| ids.contains(&l.wire.id)),
            (None, None) => {
                return Ok(ListUserServicesResponse::BadRequest(Json(error(
                    27,
                    "missing query parameter",
                    "productRefId or id",
                ))));
            }
            (Some(_), Some(_)) => {
                return Ok(ListUserServicesResponse::BadRequest(Json(error(
                    28,
                    "invalid query parameter value",
                    "productRefId or id, not both",
                ))));
            }
        };
        Ok(ListUserServicesResponse::Ok(Json(answer)))
    }

    async fn get_user_service(&self, id: String) -> poem::Result<GetUserServiceResponse> {
        let state = self.state();
        match state.licenses.get(&id) {
            Some(l) if l.visible && !l.deleted => {
                Ok(GetUserServiceResponse::Ok(Json(l.wire.clone())))
            }
            _ => Ok(GetUserServiceResponse::NotFound(Json(error(
                60,
                "resource not found",
                &format!("no license {id}"),
            )))),
        }
    }

    async fn update_user_services(
        &self,
        body: UserServiceUpdateRequest,
    ) -> poem::Result<UpdateUserServicesResponse> {
        let answer = self.apply(&body);
        let Some((_, licenses)) = self.0.events.clone() else {
            return Ok(UpdateUserServicesResponse::Ok(Json(answer)));
        };
        let fault = self.0.fault;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            if fault == Fault::NoEvents {
                return;
            }
            let event = UserServiceEvent {
                id: uuid::Uuid::new_v4(),
                type_: UserServiceEventType::UpdateNotification,
                time: now(),
                resource: UserServiceEventResource {
                    state: Some(answer.state),
                    user_service: answer.user_service.unwrap_or_default(),
                    note: answer.note,
                },
            };
            let _ = licenses
                .notify_user_service_event(Offer::Mba2Beta, &event)
                .await;
        });
        Ok(UpdateUserServicesResponse::Ok(Json(
            UserServiceUpdateResponse {
                state: UserServiceUpdateState::Acknowledged,
                user_service: None,
                note: None,
            },
        )))
    }
}

/// HTTP Basic on everything but ping.
async fn authenticate<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    let presented = req.header("authorization").map(str::to_owned);
    if req.uri().path() != "/ping" && presented.as_deref() != Some(expected.as_str()) {
        let (code, message) = if presented.is_some() {
            (41, "invalid credentials")
        } else {
            (40, "missing credentials")
        };
        return Ok(Response::builder()
            .status(poem::http::StatusCode::UNAUTHORIZED)
            .content_type("application/json")
            .body(error(code, message, message).to_json_string()));
    }
    Ok(ep.call(req).await?.into_response())
}

/// The wire-level faults: rewrites what the generated server answered.
async fn tamper<E: Endpoint>(ep: Arc<E>, req: Request, fault: Fault) -> poem::Result<Response> {
    let consultation = req.method() == poem::http::Method::GET
        && req.uri().path().starts_with("/userservice/v2/userService");
    let listing = req.uri().path() == "/userservice/v2/userService";
    let mut response = ep.call(req).await?.into_response();
    let status = response.status();
    match fault {
        Fault::ServerErrorOnBadInput if status == poem::http::StatusCode::BAD_REQUEST => {
            return Ok(Response::builder()
                .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .body("internal error"));
        }
        Fault::ObjectForArray if listing && status.is_success() => {
            let body: serde_json::Value =
                serde_json::from_slice(&response.take_body().into_bytes().await?)
                    .unwrap_or_default();
            return Ok(json_response(
                status,
                &serde_json::json!({"userService": body}),
            ));
        }
        Fault::NullForOptional if consultation && status.is_success() => {
            let mut body: serde_json::Value =
                serde_json::from_slice(&response.take_body().into_bytes().await?)
                    .unwrap_or_default();
            match &mut body {
                serde_json::Value::Array(licenses) => {
                    for license in licenses {
                        license["endUser"] = serde_json::Value::Null;
                    }
                }
                license => license["endUser"] = serde_json::Value::Null,
            }
            return Ok(json_response(status, &body));
        }
        _ => {}
    }
    Ok(response)
}

fn json_response(status: poem::http::StatusCode, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}
