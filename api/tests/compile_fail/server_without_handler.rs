//! The server wrapper serves implementations of its trait only.

use obakit_api::product_ordering::server::ProductOrderingPartnerServer;

struct NotAHandler;

fn main() {
    let _server = ProductOrderingPartnerServer::new(NotAHandler);
}
