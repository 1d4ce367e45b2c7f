//! A handler is shared by the server's tasks: a type holding an `Rc` (neither `Send` nor `Sync`)
//! cannot implement the trait.

use std::rc::Rc;

use obakit_api::product_ordering::handler::ProductOrderingPartnerApi;

struct Partner {
    state: Rc<String>,
}

impl ProductOrderingPartnerApi for Partner {}

fn main() {
    let partner = Partner {
        state: Rc::new(String::new()),
    };
    let _ = partner.state;
}
