//! An operation's query parameters read as one extractor.
//!
//! poem-openapi's `#[OpenApi]` writes each parameter's extraction as an awaited extractor with its
//! own error handling, checks and description, which large specs pay for in compile time:
//! Kubernetes' 7,719 query parameters took 125 s and 2.5 GB of the 188 s and 4.7 GB its server
//! took to check. obakit-codegen instead describes each operation's query parameters as data
//! ([`QueryParams`]: their names, descriptions and constraints, and their types as a list
//! `(A, (B, ()))`), read by one extractor, [`OperationQuery`], and described by
//! [`describe_query`], which the server's own `OpenApi` impl adds to the operation's description
//! ([`add_query_params`]). Values, errors and descriptions are those of poem-openapi's `Query<T>`
//! with the same `validator(…)`.

use std::collections::HashMap;

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::__private::UrlQuery;
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::{MetaApi, MetaOperationParam, MetaParamIn, MetaSchema};
use poem_openapi::types::{ParseFromParameter, ToJSON};
use poem_openapi::validation::{
    MaxItems, MaxLength, Maximum, MinItems, MinLength, Minimum, MultipleOf, Pattern, UniqueItems,
    Validator, ValidatorMeta,
};
use serde_json::Value;

/// An operation's query parameters: their types, first to last, as `(A, (B, ()))`, and what the
/// spec says of each, in the same order.
pub trait QueryParams: Send + Sync + 'static {
    type Values: QueryValues;
    const PARAMS: &'static [QueryParam];
}

/// One query parameter, as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryParam {
    pub name: &'static str,
    pub description: Option<&'static str>,
    pub deprecated: bool,
    /// `false`: one comma-separated value (`?id=a,b`) rather than one per item (`?id=a&id=b`).
    pub explode: bool,
    pub constraints: ParamConstraints,
}

impl QueryParam {
    /// What a parameter is unless its spec says otherwise, to fill the others from.
    pub const DEFAULT: Self = Self {
        name: "",
        description: None,
        deprecated: false,
        explode: true,
        constraints: ParamConstraints::NONE,
    };
}

/// A parameter's constraints as poem-openapi's `validator(…)` holds them: those on a list as a
/// whole, and those on a scalar value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamConstraints {
    pub max_items: Option<usize>,
    pub min_items: Option<usize>,
    pub unique_items: bool,
    pub multiple_of: Option<f64>,
    /// The bound and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    pub minimum: Option<(f64, bool)>,
    pub max_length: Option<usize>,
    pub min_length: Option<usize>,
    pub pattern: Option<&'static str>,
}

impl ParamConstraints {
    pub const NONE: Self = Self {
        max_items: None,
        min_items: None,
        unique_items: false,
        multiple_of: None,
        maximum: None,
        minimum: None,
        max_length: None,
        min_length: None,
        pattern: None,
    };

    /// The first constraint `value` breaks, worded and ordered as poem-openapi's `#[OpenApi]`
    /// checks a parameter: list constraints first.
    fn check(&self, value: &Value) -> Result<(), String> {
        fn fail(rule: &dyn std::fmt::Display) -> Result<(), String> {
            Err(format!("verification failed. {rule}"))
        }
        if let Value::Array(items) = value {
            if let Some(n) = self.max_items
                && items.len() > n
            {
                return fail(&MaxItems::new(n));
            }
            if let Some(n) = self.min_items
                && items.len() < n
            {
                return fail(&MinItems::new(n));
            }
            if self.unique_items
                && items
                    .iter()
                    .enumerate()
                    .any(|(i, item)| items[..i].contains(item))
            {
                return fail(&UniqueItems::new());
            }
        }
        if let Some(n) = value.as_f64() {
            if let Some(m) = self.multiple_of
                && !MultipleOf::new(m).check(&n)
            {
                return fail(&MultipleOf::new(m));
            }
            if let Some((m, exclusive)) = self.maximum
                && !Maximum::new(m, exclusive).check(&n)
            {
                return fail(&Maximum::new(m, exclusive));
            }
            if let Some((m, exclusive)) = self.minimum
                && !Minimum::new(m, exclusive).check(&n)
            {
                return fail(&Minimum::new(m, exclusive));
            }
        }
        if let Value::String(s) = value {
            if let Some(n) = self.max_length
                && !MaxLength::new(n).check(s)
            {
                return fail(&MaxLength::new(n));
            }
            if let Some(n) = self.min_length
                && !MinLength::new(n).check(s)
            {
                return fail(&MinLength::new(n));
            }
            if let Some(p) = self.pattern
                && !Pattern::new(p).check(s)
            {
                return fail(&Pattern::new(p));
            }
        }
        Ok(())
    }

    /// The constraints written into the parameter's schema, as poem-openapi publishes them.
    fn publish(&self, schema: &mut MetaSchema) {
        let rules: [Option<Box<dyn ValidatorMeta>>; 9] = [
            self.max_items.map(|n| Box::new(MaxItems::new(n)) as _),
            self.min_items.map(|n| Box::new(MinItems::new(n)) as _),
            self.unique_items.then(|| Box::new(UniqueItems::new()) as _),
            self.multiple_of.map(|m| Box::new(MultipleOf::new(m)) as _),
            self.maximum
                .map(|(m, exclusive)| Box::new(Maximum::new(m, exclusive)) as _),
            self.minimum
                .map(|(m, exclusive)| Box::new(Minimum::new(m, exclusive)) as _),
            self.max_length.map(|n| Box::new(MaxLength::new(n)) as _),
            self.min_length.map(|n| Box::new(MinLength::new(n)) as _),
            self.pattern.map(|p| Box::new(Pattern::new(p)) as _),
        ];
        for rule in rules.iter().flatten() {
            rule.update_meta(schema);
        }
    }
}

/// The values of an operation's query parameters, as a list `(A, (B, ()))`.
pub trait QueryValues: Sized + Send {
    /// Reads the values of `params`, one per item of the list.
    fn read(request: &Request, params: &[QueryParam]) -> poem::Result<Self>;
    /// Describes `params`, one per item of the list.
    fn describe(params: &[QueryParam], described: &mut Vec<MetaOperationParam>);
}

impl QueryValues for () {
    fn read(_: &Request, _: &[QueryParam]) -> poem::Result<Self> {
        Ok(())
    }
    fn describe(_: &[QueryParam], _: &mut Vec<MetaOperationParam>) {}
}

impl<T: ParseFromParameter + ToJSON + Send, Rest: QueryValues> QueryValues for (T, Rest) {
    fn read(request: &Request, params: &[QueryParam]) -> poem::Result<Self> {
        let (param, rest) = split(params);
        Ok((query_param(request, param)?, Rest::read(request, rest)?))
    }
    fn describe(params: &[QueryParam], described: &mut Vec<MetaOperationParam>) {
        let (param, rest) = split(params);
        described.push(query_param_meta::<T>(param));
        Rest::describe(rest, described);
    }
}

/// A list of values and its parameters are written together, so they have the same length.
fn split(params: &[QueryParam]) -> (&QueryParam, &[QueryParam]) {
    params.split_first().expect("one query parameter per value")
}

/// Reads the query parameter `param` as poem-openapi's `Query<T>` does, then checks it.
fn query_param<T: ParseFromParameter + ToJSON>(
    request: &Request,
    param: &QueryParam,
) -> poem::Result<T> {
    let failed = |reason: String| ParseParamError {
        name: param.name,
        reason,
    };
    // poem-openapi's endpoint puts the parsed query in every request it serves.
    let empty = UrlQuery(Vec::new());
    let query = request.extensions().get::<UrlQuery>().unwrap_or(&empty);
    let mut values = query.get_all(param.name).peekable();
    let parsed = if param.explode || values.peek().is_none() {
        T::parse_from_parameters(values)
    } else {
        let first = values.next().map(String::as_str).unwrap_or_default();
        T::parse_from_parameters(first.split(',').map(str::trim))
    };
    let value = parsed.map_err(|err| failed(err.into_message()))?;
    if param.constraints != ParamConstraints::NONE
        && let Some(json) = value.to_json()
    {
        param.constraints.check(&json).map_err(failed)?;
    }
    Ok(value)
}

/// Describes the query parameter `param` as poem-openapi's `#[OpenApi]` describes a `Query<T>`.
fn query_param_meta<T: ParseFromParameter>(param: &QueryParam) -> MetaOperationParam {
    let mut patch = MetaSchema::ANY;
    param.constraints.publish(&mut patch);
    MetaOperationParam {
        name: param.name.to_owned(),
        schema: T::schema_ref().merge(patch),
        in_type: MetaParamIn::Query,
        description: param.description.map(str::to_owned),
        required: T::IS_REQUIRED,
        deprecated: param.deprecated,
        explode: param.explode,
        style: None,
    }
}

/// The query parameters of the operation `P` describes, read as one extractor: a refused value is
/// answered as poem-openapi answers a refused `Query<T>`.
pub struct OperationQuery<P: QueryParams>(pub P::Values);

impl<'a, P: QueryParams> FromRequest<'a> for OperationQuery<P> {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        P::Values::read(request, P::PARAMS).map(Self)
    }
}

/// The descriptions of `P`'s query parameters.
pub fn describe_query<P: QueryParams>() -> Vec<MetaOperationParam> {
    let mut described = Vec::with_capacity(P::PARAMS.len());
    P::Values::describe(P::PARAMS, &mut described);
    described
}

/// One operation's query parameters for [`add_query_params`]: its operation id, the position of
/// its first query parameter among the parameters poem-openapi describes, and their descriptions.
pub type OperationQueryDoc = (&'static str, usize, fn() -> Vec<MetaOperationParam>);

/// Adds each operation's query parameters to its description, where they stand in the spec.
pub fn add_query_params(meta: &mut [MetaApi], operations: &[OperationQueryDoc]) {
    let by_id: HashMap<&str, &OperationQueryDoc> = operations.iter().map(|op| (op.0, op)).collect();
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
    use poem_openapi::param::Query;
    use poem_openapi::payload::PlainText;
    use poem_openapi::{OpenApi, OpenApiService};
    use serde_json::Value;

    use super::{
        OperationQuery, OperationQueryDoc, ParamConstraints, QueryParam, QueryParams,
        add_query_params, describe_query,
    };

    /// The query parameters of `listPets`, as obakit-codegen writes them.
    struct ListPetsQuery;

    impl QueryParams for ListPetsQuery {
        type Values = (Option<i64>, (Option<Vec<String>>, (Option<String>, ())));
        const PARAMS: &'static [QueryParam] = &[
            QueryParam {
                name: "limit",
                description: Some("How many at most."),
                constraints: ParamConstraints {
                    maximum: Some((100.0, false)),
                    multiple_of: Some(5.0),
                    ..ParamConstraints::NONE
                },
                ..QueryParam::DEFAULT
            },
            QueryParam {
                name: "tags",
                deprecated: true,
                explode: false,
                constraints: ParamConstraints {
                    max_items: Some(2),
                    unique_items: true,
                    ..ParamConstraints::NONE
                },
                ..QueryParam::DEFAULT
            },
            QueryParam {
                name: "name",
                constraints: ParamConstraints {
                    max_length: Some(3),
                    pattern: Some("^[a-z]+$"),
                    ..ParamConstraints::NONE
                },
                ..QueryParam::DEFAULT
            },
        ];
    }

    struct Bundled;

    #[OpenApi]
    impl Bundled {
        #[oai(path = "/pets", method = "get", operation_id = "listPets")]
        async fn list_pets(&self, query: OperationQuery<ListPetsQuery>) -> PlainText<String> {
            let (limit, (tags, (name, ()))) = query.0;
            PlainText(format!("{limit:?} {tags:?} {name:?}"))
        }
    }

    /// `Bundled`, described with its query parameters, as the generated server's impl does.
    struct Served;

    impl OpenApi for Served {
        fn meta() -> Vec<poem_openapi::registry::MetaApi> {
            let mut meta = Bundled::meta();
            let operations: &[OperationQueryDoc] =
                &[("listPets", 0, describe_query::<ListPetsQuery>)];
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
            #[oai(validator(multiple_of = 5.0, maximum(value = 100.0)))]
            limit: Query<Option<i64>>,
            #[oai(
                explode = false,
                default,
                deprecated,
                validator(max_items = 2, unique_items)
            )]
            tags: Query<Option<Vec<String>>>,
            #[oai(validator(max_length = 3, pattern = "^[a-z]+$"))] name: Query<Option<String>>,
        ) -> PlainText<String> {
            PlainText(format!("{:?} {:?} {:?}", limit.0, tags.0, name.0))
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
            "limit=5",
            "limit=5&tags=a,b&name=abc",
            "limit=300",
            "limit=7",
            "limit=x",
            "tags=a,b,c",
            "tags=a,a",
            "tags=a",
            "name=abcd",
            "name=AB",
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
