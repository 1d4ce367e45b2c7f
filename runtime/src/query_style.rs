//! Query parameters in the styles poem-openapi's `Query` does not read: lists in one value separated
//! by spaces or pipes (`spaceDelimited`, `pipeDelimited`), and objects, maps and lists spread over
//! bracketed keys (`deepObject`: `metadata[key]=v`, `created[gt]=1`, `expand[]=a`, as Stripe writes
//! them). The server extracts them with [`DelimitedQuery`] and [`DeepObjectQuery`], told the style by
//! the parameter's `#[oai(style = "…")]`, which also publishes it; the client writes them with
//! [`delimited`] and [`deep_object_query`].

use crate::bracketed::{coerce, gather, spread};
use crate::client::param_string;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::{MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseFromParameter, ToJSON};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, ParameterStyle};

/// The query's pairs, decoded.
async fn query_pairs(request: &Request) -> poem::Result<Vec<(String, String)>> {
    let poem::web::Query(pairs) =
        poem::web::Query::<Vec<(String, String)>>::from_request_without_body(request).await?;
    Ok(pairs)
}

fn separator(style: Option<ParameterStyle>) -> char {
    match style {
        Some(ParameterStyle::SpaceDelimited) => ' ',
        Some(ParameterStyle::PipeDelimited) => '|',
        _ => ',',
    }
}

/// A list parameter whose items share one value, separated as its style says (`a|b|c`).
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedQuery<T>(pub T);

impl<'a, T: ParseFromParameter> ApiExtractor<'a> for DelimitedQuery<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = T::IS_REQUIRED;

    type ParamType = T;
    type ParamRawType = T::RawValueType;

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(T::schema_ref())
    }

    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        self.0.as_raw_value()
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let name = param_opts.name;
        let pairs = query_pairs(request).await?;
        let value = pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let parsed = match (value, &param_opts.default_value) {
            (None, Some(default)) => return Ok(Self(default())),
            (None, None) => T::parse_from_parameters(std::iter::empty::<&str>()),
            // An empty value is an empty list, not a list of one empty item.
            (Some(v), _) if v.is_empty() => T::parse_from_parameters(std::iter::empty::<&str>()),
            (Some(v), _) => T::parse_from_parameters(v.split(separator(param_opts.style))),
        };
        parsed.map(Self).map_err(|e| {
            ParseParamError {
                name,
                reason: e.into_message(),
            }
            .into()
        })
    }
}

/// The value of a list parameter in a delimited style, as the client sends it.
pub fn delimited<T: ToJSON>(items: &[T], separator: char) -> String {
    let items: Vec<String> = items.iter().map(param_string).collect();
    items.join(&separator.to_string())
}

/// A parameter in the `deepObject` style: every `name[…]` key of the query (and a plain `name`,
/// for a union that may also be a scalar), gathered into one JSON value read through the type's
/// schema, so that `limit[gt]=5` is the number 5 where the schema says integer.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepObjectQuery<T>(pub T);

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for DeepObjectQuery<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = T::IS_REQUIRED;

    type ParamType = T;
    type ParamRawType = T::RawValueType;

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(T::schema_ref())
    }

    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        self.0.as_raw_value()
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let name = param_opts.name;
        let pairs = query_pairs(request).await?;
        let value = gather(name, &pairs);
        if value.is_none()
            && let Some(default) = &param_opts.default_value
        {
            return Ok(Self(default()));
        }
        let value = value.map(|v| {
            let mut registry = Registry::new();
            T::register(&mut registry);
            coerce(v, &T::schema_ref(), &registry, 0)
        });
        T::parse_from_json(value).map(Self).map_err(|e| {
            ParseParamError {
                name,
                reason: e.into_message(),
            }
            .into()
        })
    }
}

/// The query pairs of a `deepObject` parameter, as the client sends them: `name[key]=v` for each
/// property (nested ones `name[a][b]=v`), `name[]=v` for each list item (`name[0][a]=v` for a list
/// of objects), and `name=v` for a value that is a scalar (a union's scalar side).
pub fn deep_object_query<T: ToJSON>(name: &str, value: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(value) = value.to_json() {
        spread(name.to_owned(), &value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use poem::test::TestClient;
    use poem_openapi::payload::PlainText;
    use poem_openapi::{Object, OpenApi, OpenApiService, Union};

    #[derive(Debug, Clone, PartialEq, Object)]
    struct Range {
        gt: Option<i64>,
        lte: Option<i64>,
    }

    #[derive(Debug, Clone, PartialEq, Union)]
    enum Created {
        Range(Range),
        At(i64),
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/search", method = "get")]
        async fn search(
            &self,
            #[oai(name = "tags", style = "pipe_delimited", explode = false)] tags: DelimitedQuery<
                Option<Vec<String>>,
            >,
            #[oai(name = "ids", style = "space_delimited", explode = false)] ids: DelimitedQuery<
                Vec<i32>,
            >,
            #[oai(name = "metadata", style = "deep_object")] metadata: DeepObjectQuery<
                Option<BTreeMap<String, String>>,
            >,
            #[oai(name = "created", style = "deep_object")] created: DeepObjectQuery<
                Option<Created>,
            >,
            #[oai(name = "expand", style = "deep_object")] expand: DeepObjectQuery<
                Option<Vec<String>>,
            >,
        ) -> PlainText<String> {
            PlainText(format!(
                "{:?} {:?} {:?} {:?} {:?}",
                tags.0, ids.0, metadata.0, created.0, expand.0
            ))
        }
    }

    fn query_of(pairs: &[(String, String)]) -> String {
        let mut url = reqwest::Url::parse("http://x/").unwrap();
        url.query_pairs_mut().extend_pairs(pairs);
        url.query().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn every_style_the_client_writes_the_server_reads_back() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        let mut pairs = vec![
            (
                "tags".to_owned(),
                delimited(&["a b".to_owned(), "c".to_owned()], '|'),
            ),
            ("ids".to_owned(), delimited(&[1, 2, 3], ' ')),
        ];
        let metadata: BTreeMap<String, String> =
            [("k".to_owned(), "v 1".to_owned())].into_iter().collect();
        pairs.extend(deep_object_query("metadata", &metadata));
        pairs.extend(deep_object_query(
            "created",
            &Created::Range(Range {
                gt: Some(5),
                lte: None,
            }),
        ));
        pairs.extend(deep_object_query(
            "expand",
            &vec!["customer".to_owned(), "invoice.lines".to_owned()],
        ));
        let answer = cli
            .get(format!("/search?{}", query_of(&pairs)))
            .send()
            .await;
        answer.assert_status_is_ok();
        answer
            .assert_text(
                r#"Some(["a b", "c"]) [1, 2, 3] Some({"k": "v 1"}) Some(Range(Range { gt: Some(5), lte: None })) Some(["customer", "invoice.lines"])"#,
            )
            .await;
    }

    #[tokio::test]
    async fn a_union_deep_object_may_be_its_scalar_side_and_absent_ones_are_none() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        let pairs = deep_object_query("created", &Created::At(7));
        assert_eq!(pairs, [("created".to_owned(), "7".to_owned())]);
        let answer = cli
            .get(format!("/search?ids=&{}", query_of(&pairs)))
            .send()
            .await;
        answer.assert_text("None [] None Some(At(7)) None").await;
    }

    #[tokio::test]
    async fn a_value_that_breaks_the_schema_is_refused_with_the_parameter_named() {
        let cli = TestClient::new(OpenApiService::new(Api, "t", "1"));
        let answer = cli.get("/search?ids=1%202%20x").send().await;
        answer.assert_status(poem::http::StatusCode::BAD_REQUEST);
        let text = answer.0.into_body().into_string().await.unwrap();
        assert!(
            text.starts_with("failed to parse parameter `ids`"),
            "{text}"
        );
    }

    #[test]
    fn the_styles_are_published_in_the_document() {
        let spec: Value = serde_json::from_str(&OpenApiService::new(Api, "t", "1").spec()).unwrap();
        let params = &spec["paths"]["/search"]["get"]["parameters"];
        assert_eq!(params[0]["style"], "pipeDelimited");
        assert_eq!(params[1]["style"], "spaceDelimited");
        assert_eq!(params[2]["style"], "deepObject");
        assert_eq!(params[1]["required"], true);
    }
}
