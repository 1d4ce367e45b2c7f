//! A handler's future runs on the server's threads: holding an `Rc` across an `.await` makes it not
//! `Send`, which the trait's `impl Future + Send` refuses.

use std::rc::Rc;

use obakit_api::product_ordering::handler::{PingResponse, ProductOrderingPartnerApi};

struct Partner;

impl ProductOrderingPartnerApi for Partner {
    async fn ping(&self) -> poem::Result<PingResponse> {
        let local = Rc::new(1);
        std::future::ready(()).await;
        let _ = local;
        Ok(PingResponse::Ok)
    }
}

fn main() {}
