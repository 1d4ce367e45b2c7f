//! The requests Orange would send, built from the spec's own examples. Every run uses fresh
//! Orange ids (a nonce in each externalReference), so a second run against the same partner is a
//! new customer with new orders, not a replay of the first run.

use obakit_api::common::types::{ExternalReference, ProductOffering};
use obakit_api::product_ordering::types::ProductOrder;
use obakit_api::user_service::types::{
    ExternalState, ProductOfferingOperation, ProductOfferingOperationAction, UserServiceUpdateItem,
};
use poem_openapi::types::ParseFromJSON;
use serde_json::{Value, json};

pub(super) struct Bodies {
    pub(super) nonce: String,
    order_date: String,
    pub(super) offer: String,
    pub(super) swap_offer: String,
    /// `productRef.characteristic` names the profile asks for with the ordered offer.
    characteristics: Vec<String>,
    /// The realizing resource type the profile names for the ordered offer.
    resource_type: String,
}

/// Licenses ordered by UC2 and added by UC3.
pub(super) const UC2_QUANTITY: usize = 3;
pub(super) const UC3_QUANTITY: usize = 2;

impl Bodies {
    pub(super) fn new(
        offer: &str,
        swap_offer: &str,
        profile: Option<&obakit_api::profile::Profile>,
    ) -> Self {
        let nonce = uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase();
        let agreed = profile.and_then(|p| p.offer(offer));
        Self {
            nonce,
            order_date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            offer: offer.to_owned(),
            swap_offer: swap_offer.to_owned(),
            characteristics: agreed
                .map(|a| a.characteristics.clone())
                .unwrap_or_default(),
            resource_type: agreed
                .and_then(|a| a.realizing_resource_type.clone())
                .unwrap_or_else(|| "URL".to_owned()),
        }
    }

    /// Orange's id of the order of `step`, unique to this run.
    pub(super) fn external_id(&self, step: &str) -> String {
        format!("SIM-{}-{}", self.nonce, step.to_uppercase())
    }

    /// An id the partner cannot know (a license, a fleet).
    pub(super) fn unknown_id(&self, what: &str) -> String {
        format!("sim-{}-no-such-{what}", self.nonce.to_lowercase())
    }

    fn customer(&self) -> Value {
        json!({
            "externalReference": {"type": "orange", "id": format!("SIM-{}-CUSTOMER", self.nonce)},
            "tradingName": format!("Simulated Customer {}", self.nonce),
            "registeredName": format!("Simulated Customer {} SAS", self.nonce),
            "registrationNumber": "35200794600019",
            "postalAddress": {
                "streetName": "12 rue de la Paix",
                "postCode": "75002",
                "city": "Paris",
                "country": "France"
            }
        })
    }

    fn order(&self, step: &str, item: Option<Value>) -> Value {
        let mut order = json!({
            "externalReference": {"type": "orange", "id": self.external_id(step)},
            "category": "production",
            "orderDate": self.order_date,
            "customer": self.customer(),
        });
        if let Some(item) = item {
            order["orderItem"] = json!([item]);
        }
        order
    }

    fn item(&self, fleet: Option<&str>, quantity: usize) -> Value {
        let mut product_ref = json!({"userServiceQuantity": quantity});
        if let Some(fleet) = fleet {
            product_ref["id"] = json!(fleet);
        }
        if !self.characteristics.is_empty() {
            // The technical information Appendix 2 asks for with this offer.
            product_ref["characteristic"] = self
                .characteristics
                .iter()
                .map(|name| json!({"name": name, "value": format!("sim-{}", self.nonce.to_lowercase())}))
                .collect();
        }
        json!({
            "id": "1",
            "action": "add",
            "productOffering": {"externalReference": {"type": "orange", "id": self.offer}},
            "productRef": product_ref
        })
    }

    /// UC1: the customer and its contacts, no orderItem.
    pub(super) fn uc1(&self) -> ProductOrder {
        let mut order = self.order("uc1", None);
        order["relatedContact"] = json!([
            {
                "externalReference": {"type": "orange", "id": format!("SIM-{}-CONTACT-1", self.nonce)},
                "role": "customerFleetManager",
                "givenName": "Marie",
                "familyName": "Durand",
                "email": "marie.durand@example.fr",
                "fixedTelephoneNumber": {"cc": "33", "sn": "145678900"}
            },
            {
                "externalReference": {"type": "orange", "id": format!("SIM-{}-CONTACT-2", self.nonce)},
                "role": "customerFleetManager",
                "givenName": "Luc",
                "familyName": "Bernard",
                "email": "luc.bernard@example.fr"
            }
        ]);
        parse(order)
    }

    /// UC2: a new fleet of [`UC2_QUANTITY`] licenses.
    pub(super) fn uc2(&self) -> ProductOrder {
        parse(self.order("uc2", Some(self.item(None, UC2_QUANTITY))))
    }

    /// UC2 again under the same Orange id, but for one more license: a replay whose body differs.
    pub(super) fn uc2_changed(&self) -> ProductOrder {
        parse(self.order("uc2", Some(self.item(None, UC2_QUANTITY + 1))))
    }

    /// UC2 as Orange resends it: the same order, `orderDate` restamped.
    pub(super) fn uc2_redated(&self) -> ProductOrder {
        let mut order = self.order("uc2", Some(self.item(None, UC2_QUANTITY)));
        let later = chrono::Utc::now() + chrono::TimeDelta::minutes(5);
        order["orderDate"] = json!(later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        parse(order)
    }

    /// A new fleet of one license, ordered without `externalReference` (the getting-started page
    /// never names it on productOrder).
    pub(super) fn without_reference(&self) -> ProductOrder {
        let mut order = self.order("no-reference", Some(self.item(None, 1)));
        if let Some(o) = order.as_object_mut() {
            o.remove("externalReference");
        }
        parse(order)
    }

    /// A new fleet of one license with properties the spec does not name (TM Forum's usual
    /// `@type`, `@baseType`, and one of Orange's own next version), as raw JSON.
    pub(super) fn with_unknown_properties(&self) -> Value {
        let mut order = self.order("unknown-properties", Some(self.item(None, 1)));
        order["@type"] = json!("ProductOrder");
        order["@baseType"] = json!("ProductOrder");
        order["priority"] = json!("4");
        order["customer"]["@type"] = json!("Organization");
        order["orderItem"][0]["@type"] = json!("ProductOrderItem");
        order["orderItem"][0]["productRef"]["@referredType"] = json!("Product");
        order
    }

    /// UC1 for another customer whose contact has a role the spec does not list, as raw JSON.
    pub(super) fn with_unknown_enum(&self) -> Value {
        let mut order = self.order("unknown-enum", None);
        order["customer"]["externalReference"]["id"] =
            json!(format!("SIM-{}-CUSTOMER-2", self.nonce));
        order["relatedContact"] = json!([{
            "externalReference": {"type": "orange", "id": format!("SIM-{}-CONTACT-3", self.nonce)},
            "role": "customerBillingManager",
            "givenName": "Inès",
            "familyName": "Moreau"
        }]);
        order
    }

    /// An update swapping `id` to the swap offer in the getting-started page's flat shape:
    /// `productOfferingOperation.externalReference`.
    pub(super) fn flat_swap(&self, id: &str) -> Value {
        json!({"userService": [{
            "id": id,
            "productOfferingOperation": {
                "action": "swap",
                "externalReference": {"type": "orange", "id": self.swap_offer}
            }
        }]})
    }

    /// An order of 64 MiB (a note of that size): no partner should read it whole.
    pub(super) fn huge_order(&self) -> Vec<u8> {
        const SIZE: usize = 64 * 1024 * 1024;
        let head = format!(
            "{{\"externalReference\":{{\"type\":\"orange\",\"id\":\"{}\"}},\"note\":{{\"text\":\"",
            self.external_id("huge")
        );
        let mut body = Vec::with_capacity(SIZE + 64);
        body.extend_from_slice(head.as_bytes());
        body.resize(SIZE, b'a');
        body.extend_from_slice(b"\"}}");
        body
    }

    /// An order whose customer is nested 5,000 arrays deep.
    pub(super) fn deep_order(&self) -> String {
        const DEPTH: usize = 5000;
        format!(
            "{{\"externalReference\":{{\"type\":\"orange\",\"id\":\"{}\"}},\"customer\":{}{}}}",
            self.external_id("deep"),
            "[".repeat(DEPTH),
            "]".repeat(DEPTH)
        )
    }

    /// UC3: [`UC3_QUANTITY`] more licenses in `fleet`.
    pub(super) fn uc3(&self, fleet: &str) -> ProductOrder {
        parse(self.order("uc3", Some(self.item(Some(fleet), UC3_QUANTITY))))
    }

    /// UC3 naming a fleet the partner never made.
    pub(super) fn uc3_unknown_fleet(&self) -> ProductOrder {
        let fleet = self.unknown_id("fleet");
        parse(self.order("uc3-unknown-fleet", Some(self.item(Some(&fleet), 1))))
    }

    /// A new fleet of one license whose end user Orange gives (endUserConfiguration).
    pub(super) fn with_end_user(&self) -> ProductOrder {
        let mut item = self.item(None, 1);
        item["endUserConfiguration"] = json!([{"endUser": self.end_user()}]);
        parse(self.order("end-user", Some(item)))
    }

    pub(super) fn end_user(&self) -> Value {
        json!({
            "givenName": "Camille",
            "familyName": format!("Sim{}", self.nonce),
            "email": format!("camille.sim{}@example.fr", self.nonce.to_lowercase())
        })
    }

    /// A new fleet of one license whose realizing resource Orange gives.
    pub(super) fn with_realizing_resource(&self) -> ProductOrder {
        let mut item = self.item(None, 1);
        item["endUserConfiguration"] = json!([{"realizingResource": self.realizing_resource()}]);
        parse(self.order("technical-resource", Some(item)))
    }

    pub(super) fn realizing_resource(&self) -> Value {
        json!({
            "type": self.resource_type,
            "characteristic": [{
                "name": "url",
                "value": format!("https://app.example.com/sim-{}", self.nonce.to_lowercase())
            }]
        })
    }

    /// Raw bodies the generated types cannot even express.
    pub(super) fn malformed_json(&self) -> String {
        format!(
            "{{\"externalReference\": {{\"type\": \"orange\", \"id\": \"{}\"",
            self.external_id("malformed")
        )
    }

    /// A UC2 order whose item lacks the required productOffering.
    pub(super) fn missing_field(&self) -> String {
        let mut order = self.order("missing-field", Some(self.item(None, 1)));
        if let Some(item) = order["orderItem"][0].as_object_mut() {
            item.remove("productOffering");
        }
        order.to_string()
    }

    /// A UC2 order for zero licenses (the spec says at least 1).
    pub(super) fn quantity_zero(&self) -> String {
        self.order("quantity-zero", Some(self.item(None, 0)))
            .to_string()
    }

    /// An update whose list is empty (the spec says at least one license).
    pub(super) fn empty_update(&self) -> String {
        json!({"userService": []}).to_string()
    }
}

/// An update item changing the state of `id`.
pub(super) fn state_item(id: &str, state: ExternalState) -> UserServiceUpdateItem {
    UserServiceUpdateItem {
        id: id.to_owned(),
        external_state: Some(state),
        product_offering_operation: None,
    }
}

/// An update item moving `id` to the offer `code`.
pub(super) fn swap_item(id: &str, code: &str) -> UserServiceUpdateItem {
    UserServiceUpdateItem {
        id: id.to_owned(),
        external_state: None,
        product_offering_operation: Some(ProductOfferingOperation {
            action: ProductOfferingOperationAction::Swap,
            product_offering: ProductOffering {
                name: None,
                external_reference: ExternalReference {
                    type_: "orange".to_owned(),
                    id: code.to_owned(),
                },
            },
        }),
    }
}

/// The simulator's own requests follow the spec: a body that does not parse is a bug here.
fn parse<T: ParseFromJSON>(value: Value) -> T {
    match T::parse_from_json(Some(value.clone())) {
        Ok(parsed) => parsed,
        Err(e) => panic!(
            "the simulator built a request the spec refuses ({}): {value}",
            e.into_message()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_the_simulator_sends_follows_the_spec() {
        let profile = obakit_api::profile::Profile::parse(
            "[offers.PO-A]\ncharacteristics = [\"domain\", \"storage\"]\nrealizing_resource_type = \"email\"\n",
        )
        .expect("profile");
        let b = Bodies::new("PO-A", "PO-B", Some(&profile));
        let uc2 = poem_openapi::types::ToJSON::to_json(&b.uc2()).expect("JSON");
        assert_eq!(
            uc2["orderItem"][0]["productRef"]["characteristic"][1]["name"],
            "storage"
        );
        assert_eq!(b.realizing_resource()["type"], "email");
        let _ = (
            b.uc1(),
            b.uc2(),
            b.uc2_changed(),
            b.uc2_redated(),
            b.without_reference(),
            b.uc3("fleet-1"),
            b.uc3_unknown_fleet(),
            b.with_end_user(),
            b.with_realizing_resource(),
        );
        // The deliberately bad ones are refused by the spec's own types.
        for bad in [b.missing_field(), b.quantity_zero()] {
            let value: Value = serde_json::from_str(&bad).expect("JSON");
            assert!(ProductOrder::parse_from_json(Some(value)).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Value>(&b.malformed_json()).is_err());
    }
}
