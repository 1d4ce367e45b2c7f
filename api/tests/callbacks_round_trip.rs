//! Callbacks over real HTTP, through the code generated for the generator's `callbacks` golden case
//! (`codegen/tests/data/write/callbacks`): the subscriber implements the generated callbacks handler
//! trait and serves it with the generated server (on 127.0.0.1, an ephemeral port, under `/hooks`);
//! the API's side sends with the generated callbacks client, to the URL resolved from the body of the
//! `subscribe` request that registered it.

include!("../../codegen/tests/data/write/callbacks/expected/api.rs");

use std::sync::{Arc, Mutex};

use obakit_runtime::ClientError;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

use spec::client::SpecCallbacksClient;
use spec::handler::{SpecCallbacksApi, SubscribeOrderEventResponse};
use spec::server::SpecCallbacksServer;
use spec::types::{OrderEvent, Subscription, SubscriptionEvent};

/// The subscribing side: records the events it is called back with, and the query of each call.
#[derive(Default)]
struct Subscriber {
    received: Mutex<Vec<OrderEvent>>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl SpecCallbacksApi for Subscriber {
    async fn subscribe_order_event(
        &self,
        body: OrderEvent,
    ) -> poem::Result<SubscribeOrderEventResponse> {
        self.received.lock().expect("not poisoned").push(body);
        Ok(SubscribeOrderEventResponse::NoContent)
    }
}

/// Serves the subscriber's callbacks under `/hooks`; returns that URL.
async fn serve(subscriber: Arc<Subscriber>) -> String {
    let queries = subscriber.queries.clone();
    let service = OpenApiService::new(SpecCallbacksServer::from_arc(subscriber), "subscriber", "1");
    let app = Route::new().nest("/hooks", service).around(move |ep, req| {
        let queries = queries.clone();
        async move {
            queries
                .lock()
                .expect("not poisoned")
                .push(req.uri().query().unwrap_or_default().to_owned());
            ep.call(req).await
        }
    });
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind 127.0.0.1:0");
    let addr = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a TCP address");
    tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run(app)
            .await
            .expect("test server runs");
    });
    format!("http://{addr}/hooks")
}

fn event() -> OrderEvent {
    OrderEvent {
        order_id: "order-1".to_owned(),
        state: "completed".to_owned(),
    }
}

/// The sender's client: its base URL plays no part in callbacks, whose URL comes from the request.
fn sender() -> SpecCallbacksClient {
    SpecCallbacksClient::new("http://base-url-not-used.invalid").expect("valid base URL")
}

#[tokio::test]
async fn callback_reaches_the_url_registered_in_the_subscription_body() {
    let subscriber = Arc::new(Subscriber::default());
    let hooks = serve(subscriber.clone()).await;
    let registration = Subscription {
        callback_url: format!("{hooks}/orderEvent"),
        event: SubscriptionEvent::Completed,
        host: None,
        id: None,
    };

    let answer = sender()
        .subscribe_order_event_for(&registration, &event())
        .await
        .expect("the subscriber answers");

    assert!(matches!(answer, SubscribeOrderEventResponse::NoContent));
    assert_eq!(
        *subscriber.received.lock().expect("not poisoned"),
        [event()]
    );
    // `?event={$request.body#/event}`: the enumeration's wire value.
    assert_eq!(
        *subscriber.queries.lock().expect("not poisoned"),
        ["event=completed"]
    );
}

#[tokio::test]
async fn callback_sent_with_the_url_argument_reaches_the_same_handler() {
    let subscriber = Arc::new(Subscriber::default());
    let hooks = serve(subscriber.clone()).await;

    sender()
        .subscribe_order_event(&format!("{hooks}/orderEvent"), "created", &event())
        .await
        .expect("the subscriber answers");

    assert_eq!(subscriber.received.lock().expect("not poisoned").len(), 1);
}

#[tokio::test]
async fn registered_url_that_is_not_a_url_is_refused_before_anything_is_sent() {
    let registration = Subscription {
        callback_url: "not a url".to_owned(),
        event: SubscriptionEvent::Created,
        host: None,
        id: None,
    };

    let refused = sender()
        .subscribe_order_event_for(&registration, &event())
        .await
        .expect_err("no request can be made");

    assert!(
        matches!(&refused, ClientError::InvalidRequest(m) if m.contains("not a url")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn callback_whose_url_needs_an_absent_property_is_refused_naming_it() {
    // `checkStatus` goes to `https://{$request.body#/host}/status?id={$request.body#/id}`.
    let registration = Subscription {
        callback_url: "http://127.0.0.1:9/unused".to_owned(),
        event: SubscriptionEvent::Created,
        host: None,
        id: Some("sub-1".to_owned()),
    };

    let refused = sender()
        .check_status_for(&registration)
        .await
        .expect_err("the URL cannot be made");

    assert!(
        matches!(&refused, ClientError::InvalidRequest(m) if m.contains("`host`")),
        "{refused:?}"
    );
}
