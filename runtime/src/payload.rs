//! Bodies poem-openapi's own payloads do not cover: a request body the spec does not require, a
//! response without a body beside a status code, and forms parsed like JSON so that the schema's
//! constraints apply to them too.

use std::marker::PhantomData;

use poem::{Body, FromRequest, IntoResponse, Request, RequestBody, Response};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, ResponseContent};
use serde_json::{Map, Value};

use crate::bracketed;

/// A request body the spec does not require: an empty body is `None` (with or without a
/// `Content-Type`); any other body is parsed as `P`, with `P`'s content type check.
///
/// poem-openapi 5 has no extractor for an optional payload (`Option<Json<T>>` is not one).
#[derive(Debug, Clone, PartialEq)]
pub struct OptionalBody<P>(pub Option<P>);

impl<'a, P: Payload + ParsePayload + Send> ApiExtractor<'a> for OptionalBody<P> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        P::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: P::CONTENT_TYPE,
                schema: P::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if data.is_empty() {
            return Ok(Self(None));
        }
        match request.content_type() {
            None => Err(ContentTypeError::ExpectContentType.into()),
            Some(content_type) if !P::check_content_type(content_type) => {
                Err(ContentTypeError::NotSupported {
                    content_type: content_type.to_owned(),
                }
                .into())
            }
            Some(_) => {
                let mut body = RequestBody::new(Body::from(data));
                Ok(Self(Some(P::from_request(request, &mut body).await?)))
            }
        }
    }
}

/// The content of a response the spec declares without a body, in a variant that also carries its
/// status code (the spec's `default` response): `Default(StatusCode, NoBody)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoBody;

impl ResponseContent for NoBody {
    fn media_types() -> Vec<MetaMediaType> {
        Vec::new()
    }
}

impl IntoResponse for NoBody {
    fn into_response(self) -> Response {
        Response::builder().body(Body::empty())
    }
}

/// An `application/x-www-form-urlencoded` request body parsed through the same `ParseFromJSON` code
/// as a JSON body, so that required properties, formats and validation constraints apply alike.
///
/// The form's fields become a JSON object: a field the schema declares as an array collects every
/// value of its name; a value is a number or a boolean when the schema's property is one (and parses
/// as one; otherwise it stays a string and fails the schema's type check), else a string. Fields
/// spread over bracketed keys (`metadata[plan]=pro`, `items[0][price]=p_1`, as the client writes
/// objects) are gathered back into the object or list they spell.
#[derive(Debug, Clone, PartialEq)]
pub struct Form<T>(pub T);

impl<T: Type> Payload for Form<T> {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == Self::CONTENT_TYPE
            || essence
                .strip_prefix("application/")
                .is_some_and(|subtype| subtype.ends_with("+x-www-form-urlencoded"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for Form<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = form_to_json::<T>(&data);
        let value = T::parse_from_json(Some(value)).map_err(|err| ParseRequestPayloadError {
            reason: err.into_message(),
        })?;
        Ok(Self(value))
    }
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for Form<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported {
                content_type: content_type.to_owned(),
            }
            .into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// States the description of an inline body schema (the generator writes one such type per
/// described inline body schema).
pub trait SchemaDescription: Send + Sync + 'static {
    const DESCRIPTION: &'static str;
}

/// The payload `P` published with `D`'s description on its schema: an inline schema (an array, a
/// map) has no named type whose documentation would carry it. A response variant names it as its
/// `actual_type`; a request body is extracted through it.
pub struct Described<P, D>(pub P, PhantomData<fn() -> D>);

impl<P, D> Described<P, D> {
    pub fn new(payload: P) -> Self {
        Self(payload, PhantomData)
    }
}

impl<P: std::fmt::Debug, D> std::fmt::Debug for Described<P, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Described").field(&self.0).finish()
    }
}

impl<P: Payload, D: SchemaDescription> Payload for Described<P, D> {
    const CONTENT_TYPE: &'static str = P::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        P::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        P::schema_ref().merge(MetaSchema {
            description: Some(D::DESCRIPTION),
            ..MetaSchema::ANY
        })
    }

    fn register(registry: &mut Registry) {
        P::register(registry);
    }
}

impl<P: ParsePayload + Send, D: SchemaDescription> ParsePayload for Described<P, D> {
    const IS_REQUIRED: bool = P::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        // Boxed like poem-openapi's own delegating extractor (rust-lang/rust#100013).
        let inner: std::pin::Pin<Box<dyn Future<Output = poem::Result<P>> + Send + '_>> =
            Box::pin(P::from_request(request, body));
        Ok(Self::new(inner.await?))
    }
}

impl<'a, P: Payload + ParsePayload, D: SchemaDescription> ApiExtractor<'a> for Described<P, D> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: P::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported {
                content_type: content_type.to_owned(),
            }
            .into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// A urlencoded form as the JSON object `T`'s schema describes.
fn form_to_json<T: Type>(data: &[u8]) -> Value {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let root = T::schema_ref();
    let schema = resolve(&root, &registry);
    let mut object = Map::new();
    let mut bracketed = Vec::new();
    for (name, text) in parse_urlencoded(data) {
        let declared = schema.is_some_and(|s| s.properties.iter().any(|(n, _)| *n == name));
        if !declared && name.contains('[') {
            bracketed.push((name, text));
            continue;
        }
        let property = schema.and_then(|s| {
            s.properties
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, p)| resolve(p, &registry))
        });
        match property {
            Some(p) if p.ty == "array" => {
                let item = p.items.as_deref().and_then(|i| resolve(i, &registry));
                let value = scalar(text, item);
                match object
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(value),
                    other => *other = Value::Array(vec![value]),
                }
            }
            _ => {
                let value = scalar(text, property);
                match object.get_mut(&name) {
                    // A repeated field the schema does not make an array: kept as an array, which
                    // then fails the schema's type check.
                    Some(Value::Array(items)) => items.push(value),
                    Some(previous) => {
                        let first = previous.take();
                        *previous = Value::Array(vec![first, value]);
                    }
                    None => {
                        object.insert(name, value);
                    }
                }
            }
        }
    }
    // Fields holding objects, and lists of them, are spread over bracketed keys
    // (`metadata[plan]=pro`, `items[0][price]=p_1`): each is gathered whole, then read through its
    // property's schema like a `deepObject` query parameter.
    let mut bases: Vec<&str> = bracketed
        .iter()
        .map(|(name, _)| &name[..name.find('[').unwrap_or(name.len())])
        .collect();
    bases.sort_unstable();
    bases.dedup();
    for base in bases {
        if object.contains_key(base) {
            continue;
        }
        let Some(value) = bracketed::gather(base, &bracketed) else {
            continue;
        };
        let property = schema.and_then(|s| s.properties.iter().find(|(n, _)| *n == base));
        let value = match property {
            Some((_, p)) => bracketed::coerce(value, p, &registry, 0),
            None => value,
        };
        object.insert(base.to_owned(), value);
    }
    Value::Object(object)
}

/// The schema a reference stands for: a registered schema, or an inline one (a described `$ref` is
/// an inline `allOf` of the reference).
fn resolve<'r>(schema: &'r MetaSchemaRef, registry: &'r Registry) -> Option<&'r MetaSchema> {
    match schema {
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
        MetaSchemaRef::Inline(inline) => match inline.all_of.first() {
            Some(first) if inline.ty == MetaSchema::ANY.ty && inline.properties.is_empty() => {
                resolve(first, registry)
            }
            _ => Some(inline),
        },
    }
}

/// One form value as the JSON scalar its schema asks for.
fn scalar(text: String, schema: Option<&MetaSchema>) -> Value {
    let ty = schema.map(|s| s.ty).unwrap_or("string");
    match ty {
        "integer" => text
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| text.parse::<u64>().map(Value::from))
            .unwrap_or(Value::String(text)),
        "number" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(text)),
        "boolean" => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        _ => Value::String(text),
    }
}

/// The name/value pairs of an `application/x-www-form-urlencoded` body (WHATWG URL, §5.1).
pub(crate) fn parse_urlencoded(data: &[u8]) -> Vec<(String, String)> {
    data.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> String {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::StatusCode;
    use poem::test::TestClient;
    use poem_openapi::payload::Json;
    use poem_openapi::{ApiResponse, Object, OpenApi, OpenApiService};

    #[derive(Debug, Clone, PartialEq, Object)]
    struct Item {
        name: String,
        #[oai(validator(min_length = 1))]
        scope: Option<String>,
        count: Option<i64>,
        ratio: Option<f64>,
        on: Option<bool>,
        tags: Option<Vec<String>>,
    }

    #[derive(ApiResponse)]
    enum Answer {
        #[oai(status = 204)]
        NoContent,
        #[oai(status = 200, actual_type = "Described<Json<Vec<String>>, Names>")]
        Ok(Json<Vec<String>>),
        Default(StatusCode, NoBody),
    }

    struct Names;
    impl SchemaDescription for Names {
        const DESCRIPTION: &'static str = "Some names.";
    }

    struct Api;

    #[OpenApi]
    impl Api {
        #[oai(path = "/optional", method = "put")]
        async fn optional(&self, body: OptionalBody<Json<Item>>) -> Json<String> {
            Json(format!("{:?}", body.0.map(|b| b.0.name)))
        }

        #[oai(path = "/form", method = "post")]
        async fn form(&self, body: Form<Item>) -> Json<String> {
            Json(format!("{:?}", body.0))
        }

        #[oai(path = "/described", method = "post")]
        async fn described(
            &self,
            body: OptionalBody<Described<Json<Vec<String>>, Names>>,
        ) -> Answer {
            Answer::Ok(Json(body.0.map(|b| b.0.0).unwrap_or_default()))
        }

        #[oai(path = "/answer/:status", method = "get")]
        async fn answer(&self, status: poem_openapi::param::Path<u16>) -> Answer {
            match status.0 {
                204 => Answer::NoContent,
                200 => Answer::Ok(Json(vec!["a".to_owned()])),
                other => Answer::Default(StatusCode::from_u16(other).unwrap(), NoBody),
            }
        }
    }

    fn client() -> TestClient<poem::Route> {
        TestClient::new(poem::Route::new().nest("/", OpenApiService::new(Api, "t", "1")))
    }

    fn published() -> Value {
        serde_json::from_str(&OpenApiService::new(Api, "t", "1").spec()).unwrap()
    }

    #[tokio::test]
    async fn optional_body_reads_an_empty_body_as_none_and_parses_any_other() {
        let cli = client();
        let answer = cli.put("/optional").send().await;
        answer.assert_status_is_ok();
        answer.assert_json("None").await;
        let answer = cli
            .put("/optional")
            .content_type("application/json")
            .send()
            .await;
        answer.assert_json("None").await;
        let answer = cli
            .put("/optional")
            .content_type("application/json")
            .body(r#"{"name": "a"}"#)
            .send()
            .await;
        answer.assert_json(r#"Some("a")"#).await;
    }

    #[tokio::test]
    async fn optional_body_refuses_a_body_without_or_with_another_content_type() {
        let cli = client();
        for content_type in [None, Some("text/plain")] {
            let mut request = cli.put("/optional").body(r#"{"name": "a"}"#);
            if let Some(ct) = content_type {
                request = request.content_type(ct);
            }
            let answer = request.send().await;
            assert!(answer.0.status().is_client_error(), "{content_type:?}");
        }
        let answer = cli
            .put("/optional")
            .content_type("application/json")
            .body(r#"{"count": 1}"#)
            .send()
            .await;
        answer.assert_status(StatusCode::BAD_REQUEST);
    }

    #[test]
    fn optional_body_is_published_as_not_required() {
        let body = &published()["paths"]["/optional"]["put"]["requestBody"];
        assert_eq!(body["required"], Value::Bool(false), "{body}");
        assert!(body["content"]["application/json; charset=utf-8"].is_object());
    }

    #[tokio::test]
    async fn no_body_answers_the_status_alone_and_is_published_without_content() {
        let answer = client().get("/answer/418").send().await;
        answer.assert_status(StatusCode::IM_A_TEAPOT);
        answer.assert_text("").await;
        let default = &published()["paths"]["/answer/{status}"]["get"]["responses"]["default"];
        assert!(default.is_object(), "{default}");
        assert!(default.get("content").is_none(), "{default}");
    }

    #[tokio::test]
    async fn described_bodies_publish_their_schema_description_and_parse_as_their_payload() {
        let answer = client()
            .post("/described")
            .content_type("application/json")
            .body(r#"["x", "y"]"#)
            .send()
            .await;
        answer.assert_status_is_ok();
        answer.assert_content_type("application/json; charset=utf-8");
        answer.assert_json(["x", "y"]).await;
        let spec = published();
        let op = &spec["paths"]["/described"]["post"];
        let schema = &op["requestBody"]["content"]["application/json; charset=utf-8"]["schema"];
        assert_eq!(schema["description"], "Some names.", "{op}");
        assert_eq!(schema["type"], "array", "{op}");
        assert_eq!(op["requestBody"]["required"], false, "{op}");
        let schema =
            &op["responses"]["200"]["content"]["application/json; charset=utf-8"]["schema"];
        assert_eq!(schema["description"], "Some names.", "{op}");
        assert_eq!(schema["items"]["type"], "string", "{op}");
    }

    #[tokio::test]
    async fn form_values_take_the_schema_types_and_repeated_fields_fill_arrays() {
        let answer = client()
            .post("/form")
            .content_type("application/x-www-form-urlencoded; charset=utf-8")
            .body("name=a+b&count=-3&ratio=0.5&on=true&tags=x&tags=y%26z")
            .send()
            .await;
        answer.assert_status_is_ok();
        let expected = Item {
            name: "a b".to_owned(),
            scope: None,
            count: Some(-3),
            ratio: Some(0.5),
            on: Some(true),
            tags: Some(vec!["x".to_owned(), "y&z".to_owned()]),
        };
        answer.assert_json(format!("{expected:?}")).await;
    }

    #[tokio::test]
    async fn form_fields_are_checked_by_the_schema_like_json() {
        let cli = client();
        for (body, expected) in [
            ("scope=x", "found null"),
            ("name=a&scope=", "verification failed. minLength(1)"),
            ("name=a&count=many", r#"found "many""#),
            ("name=a&name=b", "Expected input type"),
        ] {
            let answer = cli
                .post("/form")
                .content_type("application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            answer.assert_status(StatusCode::BAD_REQUEST);
            let text = answer.0.into_body().into_string().await.unwrap();
            assert!(text.contains(expected), "{body}: {text}");
        }
        let answer = cli
            .post("/form")
            .content_type("application/json")
            .body(r#"{"name": "a"}"#)
            .send()
            .await;
        assert!(answer.0.status().is_client_error());
    }

    #[test]
    fn urlencoded_pairs_are_split_and_percent_decoded() {
        assert_eq!(
            parse_urlencoded(b"grant_type=client_credentials&scope=a+b%2Fc&&flag&x=%zz%4"),
            vec![
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("scope".to_owned(), "a b/c".to_owned()),
                ("flag".to_owned(), String::new()),
                ("x".to_owned(), "%zz%4".to_owned()),
            ]
        );
        assert_eq!(
            parse_urlencoded("caf%C3%A9=%E2%82%AC".as_bytes()),
            vec![("café".to_owned(), "€".to_owned())]
        );
    }
}
