//! An operation's query parameters read as one extractor.
//!
//! poem-openapi's `#[OpenApi]` writes each parameter's extraction as an awaited extractor with its
//! own error handling, checks and description, which large specs pay for in compile time:
//! Kubernetes' 7,719 query parameters took 125 s and 2.5 GB of the 188 s and 4.7 GB its server
//! took to check. obakit-codegen instead gives each operation one struct holding its query
//! parameters, read by one `FromRequest` impl calling [`query_param`] per parameter, and described
//! by [`QueryParams::params`], which the server's own `OpenApi` impl adds to the operation's
//! description ([`add_query_params`]). Values, errors and descriptions are those of poem-openapi's
//! `Query<T>` with the same `validator(…)`.

use std::collections::HashMap;

use poem::Request;
use poem_openapi::__private::UrlQuery;
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::{MetaApi, MetaOperationParam, MetaParamIn, MetaSchema};
use poem_openapi::types::ParseFromParameter;

use crate::object::Rule;

/// An operation's query parameters: their descriptions, in the spec's order.
pub trait QueryParams {
    fn params() -> Vec<MetaOperationParam>;
}

/// Reads the query parameter `name` as poem-openapi's `Query<T>` does (`explode = false`: one
/// comma-separated value), then checks `rules` in the order its `#[OpenApi]` does.
pub fn query_param<T: ParseFromParameter>(
    request: &Request,
    name: &'static str,
    explode: bool,
    rules: &[&dyn Rule<T::RawValueType>],
) -> poem::Result<T> {
    let failed = |reason: String| ParseParamError { name, reason };
    // poem-openapi's endpoint puts the parsed query in every request it serves.
    let empty = UrlQuery(Vec::new());
    let query = request.extensions().get::<UrlQuery>().unwrap_or(&empty);
    let mut values = query.get_all(name).peekable();
    let parsed = if explode || values.peek().is_none() {
        T::parse_from_parameters(values)
    } else {
        let first = values.next().map(String::as_str).unwrap_or_default();
        T::parse_from_parameters(first.split(',').map(str::trim))
    };
    let value = parsed.map_err(|err| failed(err.into_message()))?;
    if let Some(raw) = value.as_raw_value() {
        for rule in rules {
            if !rule.check(raw) {
                return Err(failed(format!("verification failed. {rule}")).into());
            }
        }
    }
    Ok(value)
}

/// Describes the query parameter `name` as poem-openapi's `#[OpenApi]` describes a `Query<T>`.
pub fn query_param_meta<T: ParseFromParameter>(
    name: &'static str,
    description: Option<&'static str>,
    deprecated: bool,
    explode: bool,
    rules: &[&dyn Rule<T::RawValueType>],
) -> MetaOperationParam {
    let mut patch = MetaSchema::ANY;
    for rule in rules {
        rule.update_meta(&mut patch);
    }
    MetaOperationParam {
        name: name.to_owned(),
        schema: T::schema_ref().merge(patch),
        in_type: MetaParamIn::Query,
        description: description.map(str::to_owned),
        required: T::IS_REQUIRED,
        deprecated,
        explode,
        style: None,
    }
}

/// One operation's query parameters for [`add_query_params`]: its operation id, the position of
/// its first query parameter among the parameters poem-openapi describes, and their descriptions.
pub type OperationQuery = (&'static str, usize, fn() -> Vec<MetaOperationParam>);

/// Adds each operation's query parameters to its description, where they stand in the spec.
pub fn add_query_params(meta: &mut [MetaApi], operations: &[OperationQuery]) {
    let by_id: HashMap<&str, &OperationQuery> = operations.iter().map(|op| (op.0, op)).collect();
    let described = meta
        .iter_mut()
        .flat_map(|api| &mut api.paths)
        .flat_map(|path| &mut path.operations);
    for operation in described {
        let Some(&&(_, at, params)) = operation.operation_id.and_then(|id| by_id.get(id)) else {
            continue;
        };
        let at = at.min(operation.params.len());
        operation.params.splice(at..at, params());
    }
}

#[cfg(test)]
mod tests {
    use poem::http::StatusCode;
    use poem::test::TestClient;
    use poem::{FromRequest, Request, RequestBody};
    use poem_openapi::param::Query;
    use poem_openapi::payload::PlainText;
    use poem_openapi::{OpenApi, OpenApiService};
    use serde_json::Value;

    use super::{OperationQuery, QueryParams, add_query_params, query_param, query_param_meta};

    /// The query parameters of `listPets`, as obakit-codegen writes them.
    struct ListPetsQuery {
        limit: Option<i64>,
        tags: Option<Vec<String>>,
    }

    impl<'a> FromRequest<'a> for ListPetsQuery {
        async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
            Ok(Self {
                limit: query_param(
                    request,
                    "limit",
                    true,
                    &[&poem_openapi::validation::Maximum::new(100.0, false)],
                )?,
                tags: query_param(
                    request,
                    "tags",
                    false,
                    &[&poem_openapi::validation::MaxItems::new(2)],
                )?,
            })
        }
    }

    impl QueryParams for ListPetsQuery {
        fn params() -> Vec<poem_openapi::registry::MetaOperationParam> {
            vec![
                query_param_meta::<Option<i64>>(
                    "limit",
                    Some("How many at most."),
                    false,
                    true,
                    &[&poem_openapi::validation::Maximum::new(100.0, false)],
                ),
                query_param_meta::<Option<Vec<String>>>(
                    "tags",
                    None,
                    true,
                    false,
                    &[&poem_openapi::validation::MaxItems::new(2)],
                ),
            ]
        }
    }

    struct Bundled;

    #[OpenApi]
    impl Bundled {
        #[oai(path = "/pets", method = "get", operation_id = "listPets")]
        async fn list_pets(&self, query: ListPetsQuery) -> PlainText<String> {
            PlainText(format!("{:?} {:?}", query.limit, query.tags))
        }
    }

    /// `Bundled`, described with its query parameters, as the generated server's impl does.
    struct Served;

    impl OpenApi for Served {
        fn meta() -> Vec<poem_openapi::registry::MetaApi> {
            let mut meta = Bundled::meta();
            let operations: &[OperationQuery] = &[("listPets", 0, ListPetsQuery::params)];
            add_query_params(&mut meta, operations);
            meta
        }
        fn register(registry: &mut poem_openapi::registry::Registry) {
            Bundled::register(registry);
        }
        fn add_routes(
            self,
            route_table: &mut std::collections::HashMap<
                String,
                std::collections::HashMap<poem::http::Method, poem::endpoint::BoxEndpoint<'static>>,
            >,
        ) {
            Bundled.add_routes(route_table);
        }
    }

    /// The same operation with poem-openapi's own parameters.
    struct Derived;

    #[OpenApi]
    impl Derived {
        #[oai(path = "/pets", method = "get", operation_id = "listPets")]
        async fn list_pets(
            &self,
            /// How many at most.
            #[oai(validator(maximum(value = 100.0)))]
            limit: Query<Option<i64>>,
            #[oai(explode = false, default, deprecated, validator(max_items = 2))] tags: Query<
                Option<Vec<String>>,
            >,
        ) -> PlainText<String> {
            PlainText(format!("{:?} {:?}", limit.0, tags.0))
        }
    }

    fn client<T: OpenApi + 'static>(api: T) -> TestClient<poem::Route> {
        let service = OpenApiService::new(api, "pets", "1");
        TestClient::new(poem::Route::new().nest("/", service))
    }

    fn document<T: OpenApi + 'static>(api: T) -> Value {
        serde_json::from_str(&OpenApiService::new(api, "pets", "1").spec()).unwrap()
    }

    #[tokio::test]
    async fn bundled_query_parameters_read_and_refuse_as_poem_openapis_own() {
        let (bundled, derived) = (client(Served), client(Derived));
        for query in [
            "",
            "limit=3",
            "limit=3&tags=a,b",
            "limit=300",
            "limit=x",
            "tags=a,b,c",
            "tags=a",
        ] {
            let uri = format!("/pets?{query}");
            let ours = bundled.get(&uri).send().await.0;
            let theirs = derived.get(&uri).send().await.0;
            assert_eq!(ours.status(), theirs.status(), "{query}");
            let ours = ours.into_body().into_string().await.unwrap();
            let theirs = theirs.into_body().into_string().await.unwrap();
            assert_eq!(ours, theirs, "{query}");
        }
        let refused = bundled.get("/pets?limit=300").send().await.0;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn bundled_query_parameters_are_described_as_poem_openapis_own() {
        let ours = document(Served);
        let mut theirs = document(Derived);
        // The `default` poem-openapi needs to read an absent `explode = false` list is published as
        // `null`; the bundled parameter needs none.
        let tags = &mut theirs["paths"]["/pets"]["get"]["parameters"][1]["schema"];
        assert_eq!(
            tags.as_object_mut().unwrap().remove("default"),
            Some(Value::Null)
        );
        assert_eq!(
            ours["paths"]["/pets"]["get"]["parameters"],
            theirs["paths"]["/pets"]["get"]["parameters"]
        );
        assert_eq!(
            ours["paths"]["/pets"]["get"]["parameters"][0]["schema"]["maximum"],
            100.0
        );
    }
}
