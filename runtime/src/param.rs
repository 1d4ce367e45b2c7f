//! Constraints on the items of a list parameter (`?id=a,b` with `items: {maxLength: 128}`), which
//! poem-openapi cannot express: a parameter's validators apply to the whole list there. The
//! generated server wraps such a parameter's extractor in [`EachItem`], which checks every item
//! and publishes the constraints under the parameter schema's `items`.

use std::marker::PhantomData;

use poem::{Request, RequestBody};
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::{MetaParamIn, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::ToJSON;
use poem_openapi::validation::{
    MaxLength, Maximum, MinLength, Minimum, MultipleOf, Pattern, Validator, ValidatorMeta,
};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

/// The constraints every item of a list must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemConstraints {
    /// The bound and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    pub maximum: Option<(f64, bool)>,
    pub multiple_of: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<&'static str>,
}

impl ItemConstraints {
    /// No constraint, to fill the others from: `ItemConstraints { max_length: Some(8), ..ItemConstraints::NONE }`.
    pub const NONE: Self = Self {
        minimum: None,
        maximum: None,
        multiple_of: None,
        min_length: None,
        max_length: None,
        pattern: None,
    };

    /// The first constraint `item` breaks, as poem-openapi words it (`maxLength(128)`).
    fn check(&self, item: &Value) -> Result<(), String> {
        fn fail(validator: &dyn std::fmt::Display) -> Result<(), String> {
            Err(format!("verification failed. {validator}"))
        }
        match item {
            Value::String(s) => {
                if let Some(n) = self.min_length
                    && !MinLength::new(n).check(s)
                {
                    return fail(&MinLength::new(n));
                }
                if let Some(n) = self.max_length
                    && !MaxLength::new(n).check(s)
                {
                    return fail(&MaxLength::new(n));
                }
                if let Some(p) = self.pattern
                    && !Pattern::new(p).check(s)
                {
                    return fail(&Pattern::new(p));
                }
            }
            Value::Number(n) => {
                let n = n.as_f64().unwrap_or_default();
                if let Some((v, exclusive)) = self.minimum
                    && !Minimum::new(v, exclusive).check(&n)
                {
                    return fail(&Minimum::new(v, exclusive));
                }
                if let Some((v, exclusive)) = self.maximum
                    && !Maximum::new(v, exclusive).check(&n)
                {
                    return fail(&Maximum::new(v, exclusive));
                }
                if let Some(v) = self.multiple_of
                    && !MultipleOf::new(v).check(&n)
                {
                    return fail(&MultipleOf::new(v));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The constraints written into an item schema.
    fn publish(&self, schema: &mut MetaSchema) {
        if let Some((v, exclusive)) = self.minimum {
            Minimum::new(v, exclusive).update_meta(schema);
        }
        if let Some((v, exclusive)) = self.maximum {
            Maximum::new(v, exclusive).update_meta(schema);
        }
        if let Some(v) = self.multiple_of {
            MultipleOf::new(v).update_meta(schema);
        }
        if let Some(n) = self.min_length {
            MinLength::new(n).update_meta(schema);
        }
        if let Some(n) = self.max_length {
            MaxLength::new(n).update_meta(schema);
        }
        if let Some(p) = self.pattern {
            Pattern::new(p).update_meta(schema);
        }
    }
}

/// Names the item constraints of one list parameter (the generator writes one such type per
/// constrained parameter).
pub trait ListItems: Send + Sync + 'static {
    const ITEMS: ItemConstraints;
}

/// A list parameter extracted by `E` (`Query<Option<Vec<String>>>`...) whose items must meet `C`'s
/// constraints; a breaking item is refused like any invalid parameter.
pub struct EachItem<E, C>(pub E, PhantomData<fn() -> C>);

impl<E, C> EachItem<E, C> {
    pub fn new(inner: E) -> Self {
        Self(inner, PhantomData)
    }
}

impl<E: std::fmt::Debug, C> std::fmt::Debug for EachItem<E, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("EachItem").field(&self.0).finish()
    }
}

impl<'a, E, C> ApiExtractor<'a> for EachItem<E, C>
where
    E: ApiExtractor<'a> + Send,
    E::ParamRawType: ToJSON,
    C: ListItems,
{
    const TYPES: &'static [ApiExtractorType] = E::TYPES;
    const PARAM_IS_REQUIRED: bool = E::PARAM_IS_REQUIRED;

    type ParamType = E::ParamType;
    type ParamRawType = E::ParamRawType;

    fn register(registry: &mut Registry) {
        E::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        E::param_in()
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        E::param_schema_ref().map(|schema| match schema {
            MetaSchemaRef::Inline(mut list) => {
                let mut items = MetaSchema::ANY;
                C::ITEMS.publish(&mut items);
                list.items = Some(Box::new(match list.items.take() {
                    Some(item) => item.merge(items),
                    None => MetaSchemaRef::Inline(Box::new(items)),
                }));
                MetaSchemaRef::Inline(list)
            }
            other => other,
        })
    }

    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        self.0.param_raw_type()
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let name = param_opts.name;
        // Boxed like poem-openapi's own delegating extractor (rust-lang/rust#100013).
        let inner: std::pin::Pin<Box<dyn Future<Output = poem::Result<E>> + Send + '_>> =
            Box::pin(E::from_request(request, body, param_opts));
        let value = inner.await?;
        if let Some(Value::Array(items)) = value.param_raw_type().and_then(ToJSON::to_json) {
            for item in &items {
                C::ITEMS
                    .check(item)
                    .map_err(|reason| ParseParamError { name, reason })?;
            }
        }
        Ok(Self::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::test::TestClient;
    use poem_openapi::param::Query;
    use poem_openapi::payload::Json;
    use poem_openapi::{OpenApi, OpenApiService};

    struct Ids;
    impl ListItems for Ids {
        const ITEMS: ItemConstraints = ItemConstraints {
            min_length: Some(1),
            max_length: Some(4),
            pattern: Some("^[a-z]*$"),
            ..ItemConstraints::NONE
        };
    }
    struct Counts;
    impl ListItems for Counts {
        const ITEMS: ItemConstraints = ItemConstraints {
            minimum: Some((1.0, false)),
            maximum: Some((10.0, true)),
            ..ItemConstraints::NONE
        };
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/list", method = "get")]
        async fn list(
            &self,
            #[oai(name = "id", explode = false, default, validator(max_items = 3))] id: EachItem<
                Query<Option<Vec<String>>>,
                Ids,
            >,
            #[oai(name = "n")] n: EachItem<Query<Vec<i32>>, Counts>,
        ) -> Json<String> {
            Json(format!("{:?} {:?}", id.0.0, n.0.0))
        }
    }

    #[tokio::test]
    async fn each_item_is_checked_and_the_list_still_is() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        let answer = cli.get("/list").query("id", &"ab,c").send().await;
        answer.assert_status_is_ok();
        answer.assert_json(r#"Some(["ab", "c"]) []"#).await;
        let answer = cli.get("/list").query("n", &1).query("n", &9).send().await;
        answer.assert_json("None [1, 9]").await;
        for (name, value, reason) in [
            ("id", "ab,", "minLength(1)"),
            ("id", "ab,abcde", "maxLength(4)"),
            ("id", "ab,B", "pattern(\"^[a-z]*$\")"),
            ("id", "a,b,c,d", "maxItems(3)"),
            ("n", "10", "maximum(10, exclusive: true)"),
            ("n", "0", "minimum(1, exclusive: false)"),
        ] {
            let answer = cli.get("/list").query(name, &value).send().await;
            answer.assert_status(poem::http::StatusCode::BAD_REQUEST);
            let text = answer.0.into_body().into_string().await.unwrap();
            assert_eq!(
                text,
                format!("failed to parse parameter `{name}`: verification failed. {reason}")
            );
        }
    }

    #[test]
    fn item_constraints_are_published_under_items() {
        let spec: Value = serde_json::from_str(&OpenApiService::new(Api, "t", "1").spec()).unwrap();
        let params = &spec["paths"]["/list"]["get"]["parameters"];
        assert_eq!(params[0]["schema"]["maxItems"], serde_json::json!(3));
        assert_eq!(
            params[0]["schema"]["items"],
            serde_json::json!({"type": "string", "minLength": 1, "maxLength": 4, "pattern": "^[a-z]*$"})
        );
        assert_eq!(params[0]["required"], Value::Bool(false));
        assert_eq!(
            params[1]["schema"]["items"]["maximum"],
            serde_json::json!(10.0)
        );
        assert_eq!(
            params[1]["schema"]["items"]["exclusiveMaximum"],
            Value::Bool(true)
        );
        assert_eq!(params[1]["required"], Value::Bool(true));
    }
}
