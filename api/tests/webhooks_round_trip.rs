//! OpenAPI 3.1 webhooks over real HTTP, through the code generated for the generator's
//! `webhooks-openapi-3-1` golden case (`codegen/tests/data/write/webhooks-openapi-3-1`, a document
//! with webhooks only): the receiver implements the generated webhooks handler trait and serves it
//! with the generated server (on 127.0.0.1, an ephemeral port, under `/hooks`); the sender's generated
//! client sends each webhook to its base URL, the URL the receiver registered.

include!("../../codegen/tests/data/write/webhooks-openapi-3-1/expected/api.rs");

use std::sync::{Arc, Mutex};

use obakit_runtime::ClientError;
use poem::Route;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem_openapi::OpenApiService;

use spec::client::SpecWebhooksClient;
use spec::handler::{OrderDeliveredResponse, OrderShippedResponse, SpecWebhooksApi};
use spec::server::SpecWebhooksServer;
use spec::types::{OrderDeliveredRequest, Shipment, ShipmentCarrier};

/// What the receiver was sent.
#[derive(Debug, Clone, PartialEq)]
enum Received {
    Shipped(Shipment),
    Delivered(OrderDeliveredRequest),
}

#[derive(Default)]
struct Receiver {
    received: Mutex<Vec<Received>>,
}

impl Receiver {
    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }
}

impl SpecWebhooksApi for Receiver {
    async fn order_shipped(&self, body: Shipment) -> poem::Result<OrderShippedResponse> {
        self.received
            .lock()
            .expect("not poisoned")
            .push(Received::Shipped(body));
        Ok(OrderShippedResponse::Ok)
    }

    async fn order_delivered(
        &self,
        body: OrderDeliveredRequest,
    ) -> poem::Result<OrderDeliveredResponse> {
        self.received
            .lock()
            .expect("not poisoned")
            .push(Received::Delivered(body));
        Ok(OrderDeliveredResponse::NoContent)
    }
}

/// Serves the receiver's webhooks under `/hooks`; returns that URL.
async fn serve(receiver: Arc<Receiver>) -> String {
    let service = OpenApiService::new(SpecWebhooksServer::from_arc(receiver), "receiver", "1");
    let app = Route::new().nest("/hooks", service);
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

fn shipment(weight_grams: Option<i64>) -> Shipment {
    Shipment {
        order_id: "order-1".to_owned(),
        carrier: ShipmentCarrier::Dhl,
        weight_grams,
        tracking: None,
    }
}

#[tokio::test]
async fn each_webhook_reaches_the_url_its_receiver_registered() {
    let receiver = Arc::new(Receiver::default());
    let hooks = serve(receiver.clone()).await;
    let shipped = SpecWebhooksClient::new(&format!("{hooks}/orderShipped")).expect("valid URL");
    let delivered = SpecWebhooksClient::new(&format!("{hooks}/orderDelivered")).expect("valid URL");
    let delivery = OrderDeliveredRequest {
        order_id: "order-1".to_owned(),
        signed_by: None,
    };

    let first = shipped
        .order_shipped(&shipment(Some(1200)))
        .await
        .expect("the receiver answers");
    let second = delivered
        .order_delivered(&delivery)
        .await
        .expect("the receiver answers");

    assert!(matches!(first, OrderShippedResponse::Ok));
    assert!(matches!(second, OrderDeliveredResponse::NoContent));
    assert_eq!(
        receiver.received(),
        [
            Received::Shipped(shipment(Some(1200))),
            Received::Delivered(delivery)
        ]
    );
}

#[tokio::test]
async fn a_3_1_exclusive_minimum_is_enforced_by_the_receiving_server() {
    // `weightGrams` has `exclusiveMinimum: 0` (3.1's numeric form): 0 is refused, never handled.
    let receiver = Arc::new(Receiver::default());
    let hooks = serve(receiver.clone()).await;
    let shipped = SpecWebhooksClient::new(&format!("{hooks}/orderShipped")).expect("valid URL");

    let refused = shipped
        .order_shipped(&shipment(Some(0)))
        .await
        .expect_err("the receiver refuses it");

    assert_eq!(refused.status(), Some(400), "{refused:?}");
    assert!(matches!(refused, ClientError::UnexpectedStatus { .. }));
    assert!(receiver.received().is_empty());
}
