//! How a client writes an `application/x-www-form-urlencoded` body: the generated type's JSON value
//! (poem-openapi's `ToJSON`), field by field, in the style the spec's `encoding` gives the field, so
//! that a form says what the same body would say as JSON and no generated type needs serde.
//!
//! OpenAPI's default for a form field is the `form` style, exploded: a scalar is one pair and a list
//! one pair per item. An object (or a list of objects) has no exploded form that keeps its name, so
//! it is spread over bracketed keys (`metadata[plan]=pro`, `items[0][price]=p_1`), the `deepObject`
//! style Stripe declares for every such field, and the one the server side (`Form`) reads back.

use serde_json::{Map, Value};

use crate::ClientError;
use crate::bracketed::spread;

/// The style the spec's `encoding` object gives a form field, when it is not the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStyle {
    /// `deepObject`: every value spread over bracketed keys, lists too (`expand[]=a`).
    DeepObject,
    /// A list in one value, its items separated by this character: `form` not exploded (`,`),
    /// `spaceDelimited` (` `), `pipeDelimited` (`|`).
    Delimited(char),
}

/// The name/value pairs of a form body holding `value`, a JSON object; `styles` names the fields
/// whose encoding is not the default. `null` fields are left out.
pub fn form_pairs(
    value: &Value,
    styles: &[(&str, FormStyle)],
) -> Result<Vec<(String, String)>, ClientError> {
    let Value::Object(fields) = value else {
        return Err(ClientError::InvalidRequest(format!(
            "a form body is an object of fields, not `{value}`"
        )));
    };
    let mut pairs = Vec::new();
    for (name, value) in fields {
        let style = styles.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
        match (style, value) {
            (_, Value::Null) => {}
            (Some(FormStyle::DeepObject), _) => spread(name.clone(), value, &mut pairs),
            (Some(FormStyle::Delimited(separator)), Value::Array(items)) if is_flat(items) => {
                let texts: Vec<String> = items.iter().map(text).collect();
                pairs.push((name.clone(), texts.join(&separator.to_string())));
            }
            (Some(FormStyle::Delimited(separator)), Value::Object(map)) if is_flat_map(map) => {
                let texts: Vec<String> = map
                    .iter()
                    .flat_map(|(key, value)| [key.clone(), text(value)])
                    .collect();
                pairs.push((name.clone(), texts.join(&separator.to_string())));
            }
            (_, Value::Array(items)) if is_flat(items) => {
                pairs.extend(items.iter().map(|item| (name.clone(), text(item))));
            }
            (_, Value::Array(_) | Value::Object(_)) => spread(name.clone(), value, &mut pairs),
            (_, scalar) => pairs.push((name.clone(), text(scalar))),
        }
    }
    Ok(pairs)
}

/// A list of scalars (no objects, lists or nulls).
fn is_flat(items: &[Value]) -> bool {
    items.iter().all(is_scalar)
}

fn is_flat_map(map: &Map<String, Value>) -> bool {
    map.values().all(is_scalar)
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// A scalar as a form writes it: a string as it is, numbers and booleans as JSON writes them.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use poem::test::TestClient;
    use poem_openapi::payload::Json;
    use poem_openapi::types::ToJSON;
    use poem_openapi::{Object, OpenApi, OpenApiService};
    use serde_json::json;

    use super::*;
    use crate::Form;

    #[derive(Debug, Clone, PartialEq, Object)]
    struct Line {
        price: String,
        quantity: Option<i64>,
    }

    #[derive(Debug, Clone, PartialEq, Object)]
    struct Checkout {
        amount: i64,
        captured: bool,
        description: Option<String>,
        tags: Option<Vec<String>>,
        expand: Option<Vec<String>>,
        metadata: Option<BTreeMap<String, String>>,
        items: Option<Vec<Line>>,
        shipping: Option<Line>,
    }

    fn checkout() -> Checkout {
        Checkout {
            amount: 2000,
            captured: true,
            description: None,
            tags: Some(vec!["a b".to_owned(), "c&d".to_owned()]),
            expand: Some(vec!["customer".to_owned(), "invoice".to_owned()]),
            metadata: Some(BTreeMap::from([("plan".to_owned(), "pro".to_owned())])),
            items: Some(vec![
                Line {
                    price: "p_1".to_owned(),
                    quantity: Some(2),
                },
                Line {
                    price: "p_2".to_owned(),
                    quantity: None,
                },
            ]),
            shipping: Some(Line {
                price: "p_3".to_owned(),
                quantity: Some(1),
            }),
        }
    }

    const STYLES: &[(&str, FormStyle)] = &[("expand", FormStyle::DeepObject)];

    #[test]
    fn scalars_are_pairs_lists_repeat_and_objects_spread_over_bracketed_keys() {
        let pairs = form_pairs(&checkout().to_json().unwrap(), STYLES).unwrap();
        let text: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(
            text,
            [
                "amount=2000",
                "captured=true",
                "tags=a b",
                "tags=c&d",
                "expand[]=customer",
                "expand[]=invoice",
                "metadata[plan]=pro",
                "items[0][price]=p_1",
                "items[0][quantity]=2",
                "items[1][price]=p_2",
                "shipping[price]=p_3",
                "shipping[quantity]=1",
            ]
        );
    }

    #[test]
    fn delimited_fields_hold_their_items_in_one_value() {
        let value = json!({"ids": [1, 2, 3], "color": {"R": 100, "G": 200}, "names": ["a", "b"]});
        let styles = [
            ("ids", FormStyle::Delimited('|')),
            ("color", FormStyle::Delimited(',')),
            ("names", FormStyle::Delimited(' ')),
        ];
        let pairs = form_pairs(&value, &styles).unwrap();
        assert!(
            pairs.contains(&("ids".to_owned(), "1|2|3".to_owned())),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("color".to_owned(), "R,100,G,200".to_owned())),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("names".to_owned(), "a b".to_owned())),
            "{pairs:?}"
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_is_an_invalid_request() {
        let error = form_pairs(&json!(["a"]), &[]).unwrap_err();
        assert!(matches!(error, ClientError::InvalidRequest(_)), "{error}");
    }

    /// The body reqwest writes for the pairs, as `ClientCore::form_body` attaches them.
    fn body_text(value: &Value, styles: &[(&str, FormStyle)]) -> String {
        let builder = reqwest::Client::new().post("http://localhost/form");
        let request = crate::ClientCore::form_body(builder, value, styles)
            .unwrap()
            .build()
            .unwrap();
        let body = request.body().and_then(reqwest::Body::as_bytes).unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[test]
    fn the_body_text_is_percent_encoded_with_spaces_as_plus() {
        let body = body_text(&json!({"q": "a b&c=d/é", "m": {"x": 1}}), &[]);
        assert_eq!(body, "q=a+b%26c%3Dd%2F%C3%A9&m%5Bx%5D=1");
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/checkout", method = "post")]
        async fn checkout(&self, body: Form<Checkout>) -> Json<Checkout> {
            Json(body.0)
        }
    }

    #[tokio::test]
    async fn what_the_client_writes_the_server_form_reads_back_whole() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        let sent = checkout();
        let body = body_text(&sent.to_json().unwrap(), STYLES);
        let answer = cli
            .post("/checkout")
            .content_type("application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        answer.assert_status_is_ok();
        answer.assert_json(sent.to_json().unwrap()).await;
    }
}
