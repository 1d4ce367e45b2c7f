//! What the round-trip tests share: one recording implementation of every generated handler trait,
//! served with poem over real HTTP on 127.0.0.1, a log of the raw HTTP exchanges (with an optional
//! bearer-token gate in front of the handlers), and typed comparison of the generated response enums.

pub(crate) mod data;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use obakit_api::common::types::Offer;
use obakit_api::product_ordering::client::{
    ProductOrderingOrangeClient, ProductOrderingPartnerClient,
};
use obakit_api::product_ordering::handler::*;
use obakit_api::product_ordering::server::{
    ProductOrderingOrangeServer, ProductOrderingPartnerServer,
};
use obakit_api::product_ordering::types::{ProductOrder, ProductOrderEvent, TokenRequest};
use obakit_api::user_service::client::{UserServiceOrangeClient, UserServicePartnerClient};
use obakit_api::user_service::handler::*;
use obakit_api::user_service::server::{UserServiceOrangeServer, UserServicePartnerServer};
use obakit_api::user_service::types::{UserServiceEvent, UserServiceUpdateRequest};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Endpoint, EndpointExt, IntoResponse, Route};
use poem_openapi::{OpenApi, OpenApiService};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------
// What a handler received
// ---------------------------------------------------------------------------------------------------

/// One call of a handler method, with the typed arguments it received.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Call {
    Ping,
    CreateProductOrder(ProductOrder),
    NotifyProductOrderEvent(Offer, ProductOrderEvent),
    CreateAccessToken(TokenRequest),
    ListUserServices(Option<String>, Option<Vec<String>>),
    GetUserService(String),
    UpdateUserServices(UserServiceUpdateRequest),
    NotifyUserServiceEvent(Offer, UserServiceEvent),
}

/// The answer a test scripts for the next handler call.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a few values per test: their size does not matter
pub(crate) enum Answer {
    Ping(PingResponse),
    CreateProductOrder(CreateProductOrderResponse),
    NotifyProductOrderEvent(NotifyProductOrderEventResponse),
    CreateAccessToken(CreateAccessTokenResponse),
    ListUserServices(ListUserServicesResponse),
    GetUserService(GetUserServiceResponse),
    UpdateUserServices(UpdateUserServicesResponse),
    NotifyUserServiceEvent(NotifyUserServiceEventResponse),
}

/// Implements all four generated handler traits: records every call, answers what the test scripted.
#[derive(Default)]
pub(crate) struct Recorder {
    calls: Mutex<Vec<Call>>,
    answers: Mutex<VecDeque<Answer>>,
}

impl Recorder {
    /// Scripts the answer to the next call.
    pub(crate) fn answer(&self, answer: Answer) {
        self.answers.lock().unwrap().push_back(answer);
    }

    /// The calls received since the last `take_calls`.
    pub(crate) fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    fn handle<T>(&self, call: Call, pick: fn(Answer) -> Result<T, String>) -> poem::Result<T> {
        let called = format!("{call:?}");
        self.calls.lock().unwrap().push(call);
        let next = self.answers.lock().unwrap().pop_front();
        let failure =
            |message: String| poem::Error::from_string(message, StatusCode::INTERNAL_SERVER_ERROR);
        match next {
            None => Err(failure(format!("no answer scripted for {called}"))),
            Some(answer) => pick(answer)
                .map_err(|other| failure(format!("{called}, but the answer scripted is {other}"))),
        }
    }
}

impl ProductOrderingPartnerApi for Recorder {
    async fn ping(&self) -> poem::Result<PingResponse> {
        self.handle(Call::Ping, |a| match a {
            Answer::Ping(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }

    async fn create_product_order(
        &self,
        body: ProductOrder,
    ) -> poem::Result<CreateProductOrderResponse> {
        self.handle(Call::CreateProductOrder(body), |a| match a {
            Answer::CreateProductOrder(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }
}

impl ProductOrderingOrangeApi for Recorder {
    async fn notify_product_order_event(
        &self,
        offer: Offer,
        body: ProductOrderEvent,
    ) -> poem::Result<NotifyProductOrderEventResponse> {
        self.handle(Call::NotifyProductOrderEvent(offer, body), |a| match a {
            Answer::NotifyProductOrderEvent(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }

    async fn create_access_token(
        &self,
        body: TokenRequest,
    ) -> poem::Result<CreateAccessTokenResponse> {
        self.handle(Call::CreateAccessToken(body), |a| match a {
            Answer::CreateAccessToken(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }
}

impl UserServicePartnerApi for Recorder {
    async fn list_user_services(
        &self,
        product_ref_id: Option<String>,
        id: Option<Vec<String>>,
    ) -> poem::Result<ListUserServicesResponse> {
        self.handle(Call::ListUserServices(product_ref_id, id), |a| match a {
            Answer::ListUserServices(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }

    async fn get_user_service(&self, id: String) -> poem::Result<GetUserServiceResponse> {
        self.handle(Call::GetUserService(id), |a| match a {
            Answer::GetUserService(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }

    async fn update_user_services(
        &self,
        body: UserServiceUpdateRequest,
    ) -> poem::Result<UpdateUserServicesResponse> {
        self.handle(Call::UpdateUserServices(body), |a| match a {
            Answer::UpdateUserServices(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }
}

impl UserServiceOrangeApi for Recorder {
    async fn notify_user_service_event(
        &self,
        offer: Offer,
        body: UserServiceEvent,
    ) -> poem::Result<NotifyUserServiceEventResponse> {
        self.handle(Call::NotifyUserServiceEvent(offer, body), |a| match a {
            Answer::NotifyUserServiceEvent(r) => Ok(r),
            other => Err(format!("{other:?}")),
        })
    }
}

// ---------------------------------------------------------------------------------------------------
// The HTTP side: raw exchanges and the bearer gate
// ---------------------------------------------------------------------------------------------------

/// One HTTP request and its answer, as they went over the wire.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) method: String,
    /// Path and query, as sent.
    pub(crate) uri: String,
    pub(crate) authorization: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) request_body: Bytes,
    pub(crate) status: u16,
    pub(crate) response_content_type: Option<String>,
    pub(crate) response_body: Bytes,
}

impl Exchange {
    pub(crate) fn request_json(&self) -> Value {
        serde_json::from_slice(&self.request_body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.request_body)
            )
        })
    }

    pub(crate) fn response_json(&self) -> Value {
        serde_json::from_slice(&self.response_body).unwrap_or_else(|e| {
            panic!(
                "response body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.response_body)
            )
        })
    }
}

/// The wire log of a test server, and the bearer token it lets through (all requests when `None`).
#[derive(Default)]
pub(crate) struct Wire {
    exchanges: Mutex<Vec<Exchange>>,
    accepted_bearer: Mutex<Option<String>>,
}

impl Wire {
    /// From now on, a request without `Authorization: Bearer <token>` is answered 401 (Orange's code
    /// 41 in the spec's error body) before it reaches a handler.
    pub(crate) fn require_bearer(&self, token: &str) {
        *self.accepted_bearer.lock().unwrap() = Some(token.to_owned());
    }

    /// The exchanges since the last `take`.
    pub(crate) fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().unwrap())
    }

    /// The single exchange since the last `take`.
    pub(crate) fn take_one(&self) -> Exchange {
        let mut all = self.take();
        assert_eq!(all.len(), 1, "expected exactly one HTTP exchange: {all:#?}");
        all.remove(0)
    }

    fn refuses(&self, authorization: Option<&str>) -> bool {
        match &*self.accepted_bearer.lock().unwrap() {
            None => false,
            Some(token) => authorization != Some(format!("Bearer {token}").as_str()),
        }
    }
}

/// The body the bearer gate answers with, in the spec's error schema.
pub(crate) fn invalid_credentials() -> Value {
    serde_json::json!({"code": 41, "message": "invalid credentials", "description": "bearer token refused"})
}

async fn logged<E: Endpoint>(
    ep: Arc<E>,
    mut req: poem::Request,
    wire: Arc<Wire>,
) -> poem::Result<poem::Response> {
    let header = |req: &poem::Request, name: &str| req.header(name).map(str::to_owned);
    let method = req.method().to_string();
    let uri = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let authorization = header(&req, "authorization");
    let content_type = header(&req, "content-type");
    let request_body = req.take_body().into_bytes().await?;
    req.set_body(request_body.clone());

    let mut resp = if wire.refuses(authorization.as_deref()) {
        poem::web::Json(invalid_credentials())
            .with_status(StatusCode::UNAUTHORIZED)
            .into_response()
    } else {
        ep.get_response(req).await
    };
    let response_body = resp.take_body().into_bytes().await?;
    resp.set_body(response_body.clone());

    wire.exchanges.lock().unwrap().push(Exchange {
        method,
        uri,
        authorization,
        content_type,
        request_body,
        status: resp.status().as_u16(),
        response_content_type: resp.header("content-type").map(str::to_owned),
        response_body,
    });
    Ok(resp)
}

/// A poem server on 127.0.0.1 with an ephemeral port, stopped when dropped.
pub(crate) struct TestServer {
    /// Where the API is mounted, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub(crate) base_url: String,
    pub(crate) recorder: Arc<Recorder>,
    pub(crate) wire: Arc<Wire>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the [`Recorder`] for all four generated servers at the root.
pub(crate) async fn serve() -> TestServer {
    serve_at("/").await
}

/// Serves the [`Recorder`] for all four generated servers under `prefix` (`/` or `/api`).
pub(crate) async fn serve_at(prefix: &str) -> TestServer {
    let recorder = Arc::new(Recorder::default());
    let api = (
        ProductOrderingPartnerServer::from_arc(recorder.clone()),
        ProductOrderingOrangeServer::from_arc(recorder.clone()),
        UserServicePartnerServer::from_arc(recorder.clone()),
        UserServiceOrangeServer::from_arc(recorder.clone()),
    );
    serve_api(api, prefix, recorder).await
}

/// Serves the generated `Unimplemented*` stubs, which implement no method.
pub(crate) async fn serve_unimplemented() -> TestServer {
    let api = (
        ProductOrderingPartnerServer::new(UnimplementedProductOrderingPartner),
        ProductOrderingOrangeServer::new(UnimplementedProductOrderingOrange),
        UserServicePartnerServer::new(UnimplementedUserServicePartner),
        UserServiceOrangeServer::new(UnimplementedUserServiceOrange),
    );
    serve_api(api, "/", Arc::new(Recorder::default())).await
}

async fn serve_api(
    api: impl OpenApi + 'static,
    prefix: &str,
    recorder: Arc<Recorder>,
) -> TestServer {
    let service = OpenApiService::new(api, "t", "1");
    let wire = Arc::new(Wire::default());
    let gate = wire.clone();
    let app = Route::new()
        .nest(prefix, service)
        .around(move |ep, req| logged(ep, req, gate.clone()));
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind 127.0.0.1:0");
    let addr = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a TCP address");
    let task = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run(app)
            .await
            .expect("test server runs");
    });
    let base_url = format!("http://{addr}{}", prefix.trim_end_matches('/'));
    TestServer {
        base_url,
        recorder,
        wire,
        task,
    }
}

impl TestServer {
    /// `base_url` followed by `path_and_query` (which starts with `/`).
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url)
    }

    pub(crate) fn product_ordering_partner(&self) -> ProductOrderingPartnerClient {
        ProductOrderingPartnerClient::new(&self.base_url).expect("valid base URL")
    }

    pub(crate) fn product_ordering_orange(&self) -> ProductOrderingOrangeClient {
        ProductOrderingOrangeClient::new(&self.base_url).expect("valid base URL")
    }

    pub(crate) fn user_service_partner(&self) -> UserServicePartnerClient {
        UserServicePartnerClient::new(&self.base_url).expect("valid base URL")
    }

    pub(crate) fn user_service_orange(&self) -> UserServiceOrangeClient {
        UserServiceOrangeClient::new(&self.base_url).expect("valid base URL")
    }

    /// The single call the handlers received since the last check.
    pub(crate) fn received(&self) -> Call {
        let mut calls = self.recorder.take_calls();
        assert_eq!(
            calls.len(),
            1,
            "expected exactly one handler call: {calls:#?}"
        );
        calls.remove(0)
    }

    /// Asserts that no handler was called since the last check.
    pub(crate) fn assert_no_handler_called(&self) {
        let calls = self.recorder.take_calls();
        assert!(calls.is_empty(), "no handler should have run: {calls:#?}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Raw HTTP, bypassing the generated client
// ---------------------------------------------------------------------------------------------------

/// An answer read with plain reqwest.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

impl RawAnswer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends a request with plain reqwest: `body` as given, with `content_type` when one is given.
pub(crate) async fn send_raw(
    method: reqwest::Method,
    url: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> RawAnswer {
    let mut builder = reqwest::Client::new().request(method, url).body(body);
    if let Some(content_type) = content_type {
        builder = builder.header(reqwest::header::CONTENT_TYPE, content_type);
    }
    let response = builder.send().await.expect("the test server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ASCII content type").to_owned());
    let body = response.bytes().await.expect("a readable body");
    RawAnswer {
        status,
        content_type,
        body,
    }
}

// ---------------------------------------------------------------------------------------------------
// The generated response enums: status, copy, typed equality
// ---------------------------------------------------------------------------------------------------

/// What the tests need of a generated `<Op>Response` enum (which derives only `Debug`).
pub(crate) trait Reply: Sized + std::fmt::Debug {
    /// The HTTP status of the variant.
    fn status(&self) -> u16;
    /// A copy (every payload is `Clone`).
    fn duplicate(&self) -> Self;
    /// Same variant and equal payload.
    fn same(&self, other: &Self) -> bool;
}

/// Implements [`Reply`] with exhaustive matches: a variant the generator adds breaks the build here
/// until the tests cover it.
macro_rules! reply {
    ($ty:ty { $($unit:ident = $unit_status:literal),* ; $($variant:ident = $status:literal),* }) => {
        impl Reply for $ty {
            fn status(&self) -> u16 {
                match self {
                    $(Self::$unit => $unit_status,)*
                    $(Self::$variant(_) => $status,)*
                }
            }
            fn duplicate(&self) -> Self {
                match self {
                    $(Self::$unit => Self::$unit,)*
                    $(Self::$variant(payload) => Self::$variant(payload.clone()),)*
                }
            }
            #[allow(unreachable_patterns)]
            fn same(&self, other: &Self) -> bool {
                match (self, other) {
                    $((Self::$unit, Self::$unit) => true,)*
                    $((Self::$variant(a), Self::$variant(b)) => a == b,)*
                    _ => false,
                }
            }
        }
    };
}

reply!(PingResponse { Ok = 200; });
reply!(CreateProductOrderResponse {; Created = 201, BadRequest = 400, Unauthorized = 401, Conflict = 409, PayloadTooLarge = 413 });
reply!(NotifyProductOrderEventResponse {; Created = 201, BadRequest = 400, Unauthorized = 401 });
reply!(CreateAccessTokenResponse {; Ok = 200, BadRequest = 400, Unauthorized = 401 });
reply!(ListUserServicesResponse {; Ok = 200, BadRequest = 400, Unauthorized = 401 });
reply!(GetUserServiceResponse {; Ok = 200, BadRequest = 400, Unauthorized = 401, NotFound = 404 });
reply!(UpdateUserServicesResponse {; Ok = 200, BadRequest = 400, Unauthorized = 401, PayloadTooLarge = 413 });
reply!(NotifyUserServiceEventResponse {; Created = 201, BadRequest = 400, Unauthorized = 401 });

/// Asserts that the client decoded exactly what the handler answered.
#[track_caller]
pub(crate) fn assert_same_reply<R: Reply>(decoded: &R, answered: &R) {
    assert!(
        decoded.same(answered),
        "the client decoded\n{decoded:#?}\nbut the server answered\n{answered:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// What the specs declare
// ---------------------------------------------------------------------------------------------------

/// The response status codes each operation declares, read from `spec/` with the generator's read stage.
pub(crate) fn declared_statuses(operation_id: &str) -> BTreeSet<u16> {
    static DECLARED: OnceLock<BTreeMap<String, BTreeSet<u16>>> = OnceLock::new();
    let declared = DECLARED.get_or_init(|| {
        let mut declared = BTreeMap::new();
        for file in ["spec/product-ordering.yaml", "spec/user-service.yaml"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file);
            let spec = obakit_codegen::read::read_spec(&path)
                .unwrap_or_else(|e| panic!("{file} reads: {e}"));
            for item in spec.raw["paths"].as_object().expect("paths").values() {
                for operation in item.as_object().expect("a path item").values() {
                    let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                        continue;
                    };
                    let statuses = operation["responses"]
                        .as_object()
                        .expect("responses")
                        .keys()
                        .map(|code| code.parse().expect("numeric status codes only"))
                        .collect();
                    declared.insert(id.to_owned(), statuses);
                }
            }
        }
        declared
    });
    declared
        .get(operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id} in spec/"))
        .clone()
}
