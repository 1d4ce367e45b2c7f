//! Query parameters in the styles poem-openapi's `Query` does not read: lists in one value separated
//! by spaces or pipes (`spaceDelimited`, `pipeDelimited`), and objects, maps and lists spread over
//! bracketed keys (`deepObject`: `metadata[key]=v`, `created[gt]=1`, `expand[]=a`, as Stripe writes
//! them). The server extracts them with [`DelimitedQuery`] and [`DeepObjectQuery`], told the style by
//! the parameter's `#[oai(style = "…")]`, which also publishes it; the client writes them with
//! [`delimited`] and [`deep_object_query`].

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::{MetaParamIn, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseFromParameter, ToJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, ParameterStyle};
use serde_json::{Map, Value};

use crate::client::param_string;

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

/// The JSON value the keys of `name` spell, every leaf a string; `None` when no key names it.
fn gather(name: &str, pairs: &[(String, String)]) -> Option<Value> {
    let mut root: Option<Value> = None;
    for (key, value) in pairs {
        let Some(rest) = key.strip_prefix(name) else {
            continue;
        };
        let mut path = Vec::new();
        let mut rest = rest;
        let mut well_formed = true;
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                well_formed = false;
                break;
            };
            let Some(end) = inner.find(']') else {
                well_formed = false;
                break;
            };
            path.push(&inner[..end]);
            rest = &inner[end + 1..];
        }
        if !well_formed {
            continue;
        }
        insert(
            root.get_or_insert(Value::Null),
            &path,
            Value::String(value.clone()),
        );
    }
    root
}

fn insert(node: &mut Value, path: &[&str], leaf: Value) {
    let Some((first, rest)) = path.split_first() else {
        *node = leaf;
        return;
    };
    // `[]` and `[0]` are list items, in the order they come.
    let is_item = first.is_empty() || first.bytes().all(|b| b.is_ascii_digit());
    if is_item && matches!(node, Value::Null | Value::Array(_)) {
        if node.is_null() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            let index = first.parse::<usize>().ok().filter(|i| *i < items.len());
            match index {
                Some(i) if !rest.is_empty() => insert(&mut items[i], rest, leaf),
                _ => {
                    let mut item = Value::Null;
                    insert(&mut item, rest, leaf);
                    items.push(item);
                }
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        insert(
            map.entry((*first).to_owned()).or_insert(Value::Null),
            rest,
            leaf,
        );
    }
}

/// Turns the string leaves of `value` into the numbers and booleans `schema` says they are.
fn coerce(value: Value, schema: &MetaSchemaRef, registry: &Registry, depth: usize) -> Value {
    let schema: &MetaSchema = match schema {
        MetaSchemaRef::Inline(s) => s,
        MetaSchemaRef::Reference(name) => match registry.schemas.get(name) {
            Some(s) => s,
            None => return value,
        },
    };
    if depth > 32 {
        return value;
    }
    let alternatives: Vec<&MetaSchemaRef> = schema
        .one_of
        .iter()
        .chain(&schema.any_of)
        .chain(&schema.all_of)
        .collect();
    if !alternatives.is_empty() {
        // The first alternative of the value's own shape (object, list or scalar) that changes
        // nothing it should not: a scalar leaf goes to the first scalar alternative it parses as.
        for alternative in alternatives {
            let shape = resolve(alternative, registry).map_or("", |s| s.ty);
            let fits = match &value {
                Value::Object(_) => shape == "object" || shape.is_empty(),
                Value::Array(_) => shape == "array",
                Value::String(s) => scalar(s, shape).is_some(),
                _ => true,
            };
            if fits {
                return coerce(value, alternative, registry, depth + 1);
            }
        }
        return value;
    }
    match value {
        Value::String(s) => scalar(&s, schema.ty).unwrap_or(Value::String(s)),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let property = schema
                        .properties
                        .iter()
                        .find(|(name, _)| *name == k)
                        .map(|(_, s)| s)
                        .or(schema.additional_properties.as_deref());
                    let v = match property {
                        Some(p) => coerce(v, p, registry, depth + 1),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| match schema.items.as_deref() {
                    Some(s) => coerce(v, s, registry, depth + 1),
                    None => v,
                })
                .collect(),
        ),
        other => other,
    }
}

fn resolve<'r>(schema: &'r MetaSchemaRef, registry: &'r Registry) -> Option<&'r MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

/// A string leaf as the JSON scalar of type `ty`, when it reads as one.
fn scalar(s: &str, ty: &str) -> Option<Value> {
    match ty {
        "integer" => s
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<u64>().map(Value::from))
            .ok(),
        "number" => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        "boolean" => s.parse::<bool>().ok().map(Value::Bool),
        "string" | "" => Some(Value::String(s.to_owned())),
        _ => None,
    }
}

/// The query pairs of a `deepObject` parameter, as the client sends them: `name[key]=v` for each
/// property (nested ones `name[a][b]=v`), `name[]=v` for each list item, and `name=v` for a value
/// that is a scalar (a union's scalar side).
pub fn deep_object_query<T: ToJSON>(name: &str, value: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(value) = value.to_json() {
        spread(name.to_owned(), &value, &mut out);
    }
    out
}

fn spread(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                spread(format!("{key}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                spread(format!("{key}[]"), v, out);
            }
        }
        Value::String(s) => out.push((key, s.clone())),
        other => out.push((key, other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
