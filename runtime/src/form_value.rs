//! How a client writes a form body: reqwest's `form` takes any serde `Serialize`, and generated
//! types held in a form write themselves through their JSON value (poem-openapi's `ToJSON`), so
//! that a form says what the same body would say as JSON and no type needs serde's derives (which
//! cost Stripe's 546 form objects and unions a second expansion each).

use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value written through serde for a form: `null` as nothing (the field left out), the
/// rest as JSON holds it.
pub struct FormValue<'a>(pub &'a Value);

impl Serialize for FormValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => serializer.serialize_none(),
            Value::Array(items) => serializer.collect_seq(items.iter().map(FormValue)),
            Value::Object(fields) => {
                serializer.collect_map(fields.iter().map(|(name, value)| (name, FormValue(value))))
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// Implements serde's `Serialize` for `$ty` as its JSON value, for form bodies.
#[doc(hidden)]
#[macro_export]
macro_rules! __form_value {
    ($ty:ty) => {
        impl $crate::reexports::serde::Serialize for $ty {
            fn serialize<S: $crate::reexports::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let value = $crate::reexports::poem_openapi::types::ToJSON::to_json(self)
                    .unwrap_or_default();
                $crate::reexports::serde::Serialize::serialize(
                    &$crate::FormValue(&value),
                    serializer,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;

    #[derive(Object)]
    struct Charge {
        amount: i64,
        currency: String,
        description: Option<String>,
        captured: bool,
    }

    crate::form_value!(Charge);

    #[test]
    fn a_form_object_is_written_as_its_json_fields_leaving_absent_ones_out() {
        let charge = Charge {
            amount: 2000,
            currency: "eur".to_owned(),
            description: None,
            captured: true,
        };
        let request = reqwest::Client::new()
            .post("http://localhost/charges")
            .form(&charge)
            .build()
            .unwrap();
        let body = request.body().and_then(reqwest::Body::as_bytes).unwrap();
        assert_eq!(body, b"amount=2000&currency=eur&captured=true");
    }
}
