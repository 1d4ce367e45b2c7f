//! One API → per served role, the poem-openapi glue that serves any implementation of its trait.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};

use super::handler::{operation_docs, operations_of, payload_tokens, trait_name};
use super::tokens::{Paths, description, doc_attr, ident, type_tokens, validator_attr};
use crate::model::paths::{self as path_template, PathSegment};
use crate::model::{Api, MediaKind, Operation, Param, ParamLocation, ParamStyle, Role};

/// The tags enum's name, e.g. `ProductOrderingTags`.
pub(super) fn tags_name(api: &Api) -> String {
    format!("{}Tags", api.rust_name)
}

/// The server wrapper's name, e.g. `ProductOrderingPartnerServer`.
pub(super) fn server_name(api: &Api, role: &Role) -> String {
    format!("{}{}Server", api.rust_name, role.rust_suffix)
}

pub(super) fn module(api: &Api, paths: &Paths) -> TokenStream {
    let tags_ident = ident(&tags_name(api));
    let tags = api.tags.iter().map(|t| {
        let n = ident(&t.rust_name);
        let w = &t.wire_name;
        let d = doc_attr(t.docs.as_deref());
        quote!(#d #[oai(rename = #w)] #n,)
    });
    let tags_enum = if api.tags.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// The spec's tags, which group operations in Swagger UI.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, ::poem_openapi::Tags)]
            pub enum #tags_ident { #(#tags)* }
        }
    };
    let servers = api
        .roles
        .iter()
        .filter(|r| r.server)
        .map(|role| server(api, role, paths));
    quote! {
        use super::handler::*;
        #tags_enum
        #(#servers)*
    }
}

fn server(api: &Api, role: &Role, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&server_name(api, role));
    let handler = ident(&trait_name(api, role));
    let tags_ident = ident(&tags_name(api));
    let methods: Vec<(&str, TokenStream, QueryBundle)> = operations_of(api, role).map(|op| {
        let docs = operation_docs(op);
        let method_name = ident(&op.rust_name);
        let response = ident(&op.response_enum);
        let path = poem_path(&op.path);
        let method = &op.method;
        let operation_id = &op.operation_id;
        let mut attrs = vec![
            quote!(path = #path),
            quote!(method = #method),
            quote!(operation_id = #operation_id),
        ];
        for t in &op.tags {
            if let Some(tag) = api.tags.iter().find(|x| &x.wire_name == t) {
                let tag_path = format!("{}::{}", tags_name(api), tag.rust_name);
                attrs.push(quote!(tag = #tag_path));
            }
        }
        let _ = &tags_ident;
        if op.deprecated {
            attrs.push(quote!(deprecated));
        }
        let mut params = Vec::new();
        let mut forwards = Vec::new();
        let mut query = QueryBundle::new(op);
        for p in &op.params {
            let n = ident(&p.rust_name);
            let wire = &p.wire_name;
            if let Some(PathSegment::Param { prefix, suffix, .. }) = path_template::segment_of(&op.path, wire)
                .filter(|s| p.location == ParamLocation::Path && s.is_partial_param())
            {
                // The route's parameter is the whole segment; the runtime checks the literal text
                // around the value (404 when it differs) and parses the value.
                let inner = type_tokens(&p.ty, None);
                let pdocs = doc_attr(p.docs.as_deref());
                params.push(
                    quote!(#pdocs #[oai(name = #wire)] #n: ::poem_openapi::param::Path<::std::string::String>),
                );
                forwards.push(
                    quote!(#rt::segment_param::<#inner>(&#n.0, #wire, #prefix, #suffix)?),
                );
                continue;
            }
            let inner = type_tokens(&p.ty, None);
            let value_ty = if p.required {
                inner
            } else {
                quote!(::std::option::Option<#inner>)
            };
            if QueryBundle::takes(p) {
                query.add(p, value_ty, params.len(), rt);
                forwards.push(quote!(#n));
                continue;
            }
            let extractor = match p.location {
                ParamLocation::Path => quote!(::poem_openapi::param::Path<#value_ty>),
                ParamLocation::Query => match p.style {
                    ParamStyle::Form => quote!(::poem_openapi::param::Query<#value_ty>),
                    ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited => {
                        quote!(#rt::DelimitedQuery<#value_ty>)
                    }
                    ParamStyle::DeepObject => quote!(#rt::DeepObjectQuery<#value_ty>),
                },
                ParamLocation::Header => quote!(::poem_openapi::param::Header<#value_ty>),
                ParamLocation::Cookie => quote!(::poem_openapi::param::Cookie<#value_ty>),
            };
            let mut pattrs = vec![quote!(name = #wire)];
            // The style tells the runtime's extractor how to read the value, and is published.
            match p.style {
                ParamStyle::Form => {}
                ParamStyle::SpaceDelimited => pattrs.push(quote!(style = "space_delimited")),
                ParamStyle::PipeDelimited => pattrs.push(quote!(style = "pipe_delimited")),
                ParamStyle::DeepObject => pattrs.push(quote!(style = "deep_object")),
            }
            if p.location == ParamLocation::Query
                && matches!(p.ty, crate::model::TypeRef::Vec(_))
                && !p.explode
            {
                pattrs.push(quote!(explode = false));
                if !p.required {
                    // poem-openapi 5.1 panics on an absent optional `explode = false` parameter
                    // unless it has a default: `None` is that default.
                    pattrs.push(quote!(default));
                }
            }
            // poem-openapi applies a parameter's validators to the whole value: for arrays only the
            // item-count ones make sense there.
            let validators = match p.ty {
                crate::model::TypeRef::Vec(_) => crate::model::Validators {
                    min_items: p.validators.min_items,
                    max_items: p.validators.max_items,
                    unique_items: p.validators.unique_items,
                    ..Default::default()
                },
                _ => p.validators.clone(),
            };
            if let Some(v) = validator_attr(&validators) {
                pattrs.push(v);
            }
            if p.deprecated {
                pattrs.push(quote!(deprecated));
            }
            let pdocs = doc_attr(p.docs.as_deref());
            match &p.items_type {
                Some(items) => {
                    let items = ident(items);
                    params.push(
                        quote!(#pdocs #[oai(#(#pattrs),*)] #n: #rt::EachItem<#extractor, #items>),
                    );
                    forwards.push(quote!(#n.0.0));
                }
                None => {
                    params.push(quote!(#pdocs #[oai(#(#pattrs),*)] #n: #extractor));
                    forwards.push(quote!(#n.0));
                }
            }
        }
        if let Some(body) = &op.body {
            let payload = match body.media {
                _ if body.variants.is_some() => payload_tokens(body),
                // Parsed like JSON by the runtime, so that the schema's constraints apply (poem-openapi's
                // `Form` goes through serde).
                MediaKind::Form => {
                    let ty = type_tokens(&body.ty, None);
                    quote!(#rt::Form<#ty>)
                }
                _ => payload_tokens(body),
            };
            let (payload, inner) = match &body.schema_docs {
                Some((_, docs_type)) => {
                    let docs_type = ident(docs_type);
                    (quote!(#rt::Described<#payload, #docs_type>), quote!(.0.0))
                }
                // A multipart struct and an enum of media types are the handler's value themselves.
                None if body.media == MediaKind::Multipart || body.variants.is_some() => {
                    (payload, TokenStream::new())
                }
                None => (payload, quote!(.0)),
            };
            let ty = if body.required {
                payload
            } else if body.variants.is_some() {
                // The enum of media types is a request, not a payload: the runtime's wrapper for it.
                quote!(#rt::OptionalRequest<#payload>)
            } else {
                // poem-openapi has no optional payload: the runtime's reads an empty body as `None`.
                quote!(#rt::OptionalBody<#payload>)
            };
            let bdocs = doc_attr(body.docs.as_deref());
            params.push(quote!(#bdocs body: #ty));
            forwards.push(if body.required {
                quote!(body #inner)
            } else {
                quote!(body.0.map(|b| b #inner))
            });
        }
        let mut read_query = TokenStream::new();
        if let Some(bundle) = query.name().as_deref().map(ident) {
            params.insert(query.at, quote!(__query: #rt::OperationQuery<#bundle>));
            let names = query.fields.iter().rev().fold(quote!(()), |rest, f| {
                let n = &f.name;
                quote!((#n, #rest))
            });
            read_query = quote!(let #names = __query.0;);
        }
        let method = quote! {
            #docs
            #[oai(#(#attrs),*)]
            async fn #method_name(&self, #(#params),*) -> ::poem::Result<#response> {
                #read_query
                self.0.#method_name(#(#forwards),*).await
            }
        };
        (op.path.as_str(), method, query)
    }).collect();
    let (methods, bundles): (Vec<(&str, TokenStream)>, Vec<QueryBundle>) = methods
        .into_iter()
        .map(|(path, method, query)| ((path, method), query))
        .unzip();
    let bundles: Vec<QueryBundle> = bundles
        .into_iter()
        .filter(|query| query.name().is_some())
        .collect();
    let doc = format!(
        " Serves any [`{}`] implementation with poem-openapi: routes, parsing, validation and the OpenAPI document.",
        trait_name(api, role)
    );
    let item_types = operations_of(api, role)
        .flat_map(|op| op.params.iter().map(move |p| (op, p)))
        .filter_map(|(op, p)| Some((op, p, p.items_type.as_ref()?)))
        .map(|(op, p, name)| item_constraints(op, p, name, rt));
    let query_items = bundles.iter().map(|b| b.items(rt));
    let served = served(&name, &handler, methods, &bundles, rt);
    quote! {
        #(#item_types)*
        #(#query_items)*
        #[doc = #doc]
        pub struct #name<H>(pub ::std::sync::Arc<H>);
        impl<H: #handler> #name<H> {
            pub fn new(handler: H) -> Self { Self(::std::sync::Arc::new(handler)) }
            /// Shares one implementation (and its state) with other servers.
            pub fn from_arc(handler: ::std::sync::Arc<H>) -> Self { Self(handler) }
        }
        #served
    }
}

/// Operations per `#[OpenApi]` impl. poem-openapi's macro writes one function registering every
/// operation's route and one describing them all, and checking a function costs more than in
/// proportion to its size: OpenAI's 297 operations in one impl took about 67 s of the 184 s its
/// crate took to check, and 10 s in parts of 32. Specs with more operations are served by parts of
/// at most this many operations (give or take a path's), joined as one `OpenApi`.
const OPERATIONS_PER_PART: usize = 32;

/// The `#[OpenApi]` impl serving `methods` (each with its path, in the spec's order) on `name`: one
/// impl, or parts with all the operations of a path in one part, so that every path is described
/// once and paths and operations keep their order in the document.
fn served(
    name: &proc_macro2::Ident,
    handler: &proc_macro2::Ident,
    methods: Vec<(&str, TokenStream)>,
    bundles: &[QueryBundle],
    rt: &TokenStream,
) -> TokenStream {
    let parts = parts(methods);
    if parts.len() == 1 && bundles.is_empty() {
        let methods = &parts[0];
        return quote! {
            #[::poem_openapi::OpenApi]
            impl<H: #handler> #name<H> {
                #(#methods)*
            }
        };
    }
    let part_names: Vec<proc_macro2::Ident> = (0..parts.len())
        .map(|i| ident(&format!("{name}Part{i}")))
        .collect();
    let part_items = parts.iter().zip(&part_names).map(|(methods, part)| {
        let doc = format!(" Operations of [`{name}`], which serves them with the others.");
        quote! {
            #[doc = #doc]
            #[doc(hidden)]
            pub struct #part<H>(::std::sync::Arc<H>);
            #[::poem_openapi::OpenApi]
            impl<H: #handler> #part<H> {
                #(#methods)*
            }
        }
    });
    let api = quote!(::poem_openapi::OpenApi);
    let first = &part_names[0];
    let rest = &part_names[1..];
    let queries = bundles.iter().map(|b| {
        let id = &b.operation_id;
        let at = b.at;
        let bundle = ident(&b.name().unwrap_or_default());
        quote!((#id, #at, #rt::describe_query::<#bundle>))
    });
    let add_queries =
        (!bundles.is_empty()).then(|| quote!(#rt::add_query_params(&mut meta, &[#(#queries),*]);));
    // Each type once: the same few make most query parameters.
    let query_types: indexmap::IndexSet<String> = bundles
        .iter()
        .flat_map(|b| &b.fields)
        .map(|f| f.ty.to_string())
        .collect();
    let query_types = query_types.iter().map(|ty| {
        ty.parse::<TokenStream>()
            .expect("a type written by this module")
    });
    quote! {
        #(#part_items)*
        impl<H: #handler> #api for #name<H> {
            fn meta() -> ::std::vec::Vec<::poem_openapi::registry::MetaApi> {
                let mut meta = <#first<H> as #api>::meta();
                #(meta.extend(<#rest<H> as #api>::meta());)*
                #add_queries
                meta
            }
            fn register(registry: &mut ::poem_openapi::registry::Registry) {
                #(<#part_names<H> as #api>::register(registry);)*
                #(<#query_types as ::poem_openapi::types::Type>::register(registry);)*
            }
            fn add_routes(
                self,
                route_table: &mut ::std::collections::HashMap<
                    ::std::string::String,
                    ::std::collections::HashMap<::poem::http::Method, ::poem::endpoint::BoxEndpoint<'static>>,
                >,
            ) {
                #(#api::add_routes(#part_names(::std::clone::Clone::clone(&self.0)), route_table);)*
            }
        }
    }
}

/// An operation's query parameters read as one extractor (the runtime's `query_params`): a
/// hidden type whose `QueryParams` impl lists their types and describes each as data, for the
/// runtime's `OperationQuery` to read and for the server's own `OpenApi` impl to add to the
/// operation's description. poem-openapi's `#[OpenApi]` writes a parameter's extraction, checks
/// and description as blocks of their own, which the largest specs cannot afford: Kubernetes'
/// 7,719 query parameters took 125 s and 2.5 GB of the 188 s and 4.7 GB its server took to check.
struct QueryBundle {
    operation_id: String,
    rust_name: String,
    /// Where the parameters stand among those poem-openapi describes.
    at: usize,
    fields: Vec<QueryField>,
}

struct QueryField {
    name: proc_macro2::Ident,
    ty: TokenStream,
    /// The runtime's `QueryParam` for it.
    param: TokenStream,
}

impl QueryBundle {
    fn new(op: &Operation) -> Self {
        Self {
            operation_id: op.operation_id.clone(),
            rust_name: op.rust_name.clone(),
            at: 0,
            fields: Vec::new(),
        }
    }

    /// Query parameters read as poem-openapi's `Query` reads them: not a list with constraints
    /// on its items (`EachItem`), nor another style than `form`.
    fn takes(p: &Param) -> bool {
        p.location == ParamLocation::Query && p.style == ParamStyle::Form && p.items_type.is_none()
    }

    fn add(&mut self, p: &Param, ty: TokenStream, described_before: usize, rt: &TokenStream) {
        if self.fields.is_empty() {
            self.at = described_before;
        }
        let wire = &p.wire_name;
        let mut settings = vec![quote!(name: #wire,)];
        if let Some(text) = description(p.docs.as_deref()) {
            settings.push(quote!(description: ::std::option::Option::Some(#text),));
        }
        if p.deprecated {
            settings.push(quote!(deprecated: true,));
        }
        if !p.explode && matches!(p.ty, crate::model::TypeRef::Vec(_)) {
            settings.push(quote!(explode: false,));
        }
        if let Some(constraints) = param_constraints(p, rt) {
            settings.push(quote!(constraints: #constraints,));
        }
        self.fields.push(QueryField {
            name: ident(&p.rust_name),
            ty,
            param: quote!(#(#settings)*),
        });
    }

    /// The type's name, when the operation has such parameters.
    fn name(&self) -> Option<String> {
        use heck::ToUpperCamelCase;
        (!self.fields.is_empty())
            .then(|| format!("__{}Query", self.rust_name.to_upper_camel_case()))
    }

    fn items(&self, rt: &TokenStream) -> TokenStream {
        let Some(name) = self.name() else {
            return TokenStream::new();
        };
        let name = ident(&name);
        let doc = format!(" The query parameters of `{}`.", self.operation_id);
        let values = self.fields.iter().rev().fold(quote!(()), |rest, f| {
            let ty = &f.ty;
            quote!((#ty, #rest))
        });
        let params = self.fields.iter().map(|f| {
            let settings = &f.param;
            quote!(#rt::QueryParam { #settings ..#rt::QueryParam::DEFAULT })
        });
        quote! {
            #[doc = #doc]
            #[doc(hidden)]
            pub struct #name;
            impl #rt::QueryParams for #name {
                type Values = #values;
                const PARAMS: &'static [#rt::QueryParam] = &[#(#params),*];
            }
        }
    }
}

/// A query parameter's constraints for the runtime's `ParamConstraints`, if it has any: as
/// poem-openapi's `#[OpenApi]`, those of a list parameter are only those on the whole list.
fn param_constraints(p: &Param, rt: &TokenStream) -> Option<TokenStream> {
    let v = &p.validators;
    let some = |value: TokenStream| quote!(::std::option::Option::Some(#value));
    let count = |n: usize| some(Literal::usize_unsuffixed(n).into_token_stream());
    let bound = |(value, exclusive): (f64, bool)| {
        let value = Literal::f64_unsuffixed(value);
        some(quote!((#value, #exclusive)))
    };
    let mut fields = Vec::new();
    if let Some(n) = v.max_items {
        let n = count(n);
        fields.push(quote!(max_items: #n,));
    }
    if let Some(n) = v.min_items {
        let n = count(n);
        fields.push(quote!(min_items: #n,));
    }
    if v.unique_items {
        fields.push(quote!(unique_items: true,));
    }
    if !matches!(p.ty, crate::model::TypeRef::Vec(_)) {
        if let Some(m) = v.multiple_of {
            let m = some(Literal::f64_unsuffixed(m).into_token_stream());
            fields.push(quote!(multiple_of: #m,));
        }
        if let Some(b) = v.maximum.map(bound) {
            fields.push(quote!(maximum: #b,));
        }
        if let Some(b) = v.minimum.map(bound) {
            fields.push(quote!(minimum: #b,));
        }
        if let Some(n) = v.max_length {
            let n = count(n);
            fields.push(quote!(max_length: #n,));
        }
        if let Some(n) = v.min_length {
            let n = count(n);
            fields.push(quote!(min_length: #n,));
        }
        if let Some(pattern) = &v.pattern {
            fields.push(quote!(pattern: ::std::option::Option::Some(#pattern),));
        }
    }
    (!fields.is_empty())
        .then(|| quote!(#rt::ParamConstraints { #(#fields)* ..#rt::ParamConstraints::NONE }))
}

/// Operations (each with its path, in the spec's order) in parts of `OPERATIONS_PER_PART` or so:
/// a path's operations go together in the part of its first, in their order.
fn parts<T>(operations: Vec<(&str, T)>) -> Vec<Vec<T>> {
    let mut by_path: Vec<(&str, Vec<T>)> = Vec::new();
    for (path, operation) in operations {
        match by_path.iter_mut().find(|(p, _)| *p == path) {
            Some((_, same)) => same.push(operation),
            None => by_path.push((path, vec![operation])),
        }
    }
    let mut parts: Vec<Vec<T>> = vec![Vec::new()];
    for (_, same) in by_path {
        if parts
            .last()
            .is_some_and(|part| part.len() >= OPERATIONS_PER_PART)
        {
            parts.push(Vec::new());
        }
        parts.last_mut().expect("one part at least").extend(same);
    }
    parts
}

/// The type stating the constraints of every item of a list parameter, for the runtime's `EachItem`.
fn item_constraints(op: &Operation, p: &Param, name: &str, rt: &TokenStream) -> TokenStream {
    let name = ident(name);
    let doc = format!(
        " The constraints of every item of the parameter `{}` of `{}`, checked by the runtime.",
        p.wire_name, op.operation_id
    );
    let items = p.validators.items.as_deref().cloned().unwrap_or_default();
    let some = |v: TokenStream| quote!(::std::option::Option::Some(#v));
    let bound = |b: Option<(f64, bool)>| {
        b.map(|(v, exclusive)| {
            let v = Literal::f64_unsuffixed(v);
            some(quote!((#v, #exclusive)))
        })
    };
    let mut fields = Vec::new();
    if let Some(v) = bound(items.minimum) {
        fields.push(quote!(minimum: #v,));
    }
    if let Some(v) = bound(items.maximum) {
        fields.push(quote!(maximum: #v,));
    }
    if let Some(v) = items.multiple_of {
        let v = some(Literal::f64_unsuffixed(v).into_token_stream());
        fields.push(quote!(multiple_of: #v,));
    }
    if let Some(n) = items.min_length {
        let n = some(Literal::usize_unsuffixed(n).into_token_stream());
        fields.push(quote!(min_length: #n,));
    }
    if let Some(n) = items.max_length {
        let n = some(Literal::usize_unsuffixed(n).into_token_stream());
        fields.push(quote!(max_length: #n,));
    }
    if let Some(p) = &items.pattern {
        let p = some(quote!(#p));
        fields.push(quote!(pattern: #p,));
    }
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #name;
        impl #rt::ListItems for #name {
            const ITEMS: #rt::ItemConstraints = #rt::ItemConstraints {
                #(#fields)*
                ..#rt::ItemConstraints::NONE
            };
        }
    }
}

/// `/pets/{petId}` → `/pets/:petId` (poem's syntax). A parameter sharing its segment with literal
/// text (`{Sid}.json`) takes the whole segment, which the glue then takes apart: poem-openapi's
/// routes only know whole-segment parameters.
pub(super) fn poem_path(path: &str) -> String {
    let segments = path_template::segments(path).unwrap_or_default();
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        match segment {
            PathSegment::Literal(text) => out.push_str(text),
            PathSegment::Param { name, .. } => {
                out.push(':');
                out.push_str(name);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{OPERATIONS_PER_PART, parts};

    #[test]
    fn a_server_of_few_operations_is_one_part() {
        let operations: Vec<(&str, usize)> = (0..OPERATIONS_PER_PART).map(|i| ("/a", i)).collect();
        assert_eq!(parts(operations).len(), 1);
    }

    #[test]
    fn parts_keep_a_paths_operations_together_and_the_order_of_paths() {
        // 40 paths of two operations each, every path's second operation after all the first ones.
        let names: Vec<String> = (0..40).map(|i| format!("/p{i}")).collect();
        let mut operations: Vec<(&str, (usize, usize))> = names
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), (i, 0)))
            .collect();
        operations.extend(names.iter().enumerate().map(|(i, p)| (p.as_str(), (i, 1))));
        let parts = parts(operations);
        assert!(parts.len() > 1);
        let flat: Vec<(usize, usize)> = parts.iter().flatten().copied().collect();
        let expected: Vec<(usize, usize)> = (0..40).flat_map(|i| [(i, 0), (i, 1)]).collect();
        assert_eq!(flat, expected);
        for part in &parts {
            assert!(part.len() <= OPERATIONS_PER_PART + 1);
            let paths: Vec<usize> = part.iter().map(|(path, _)| *path).collect();
            assert!(paths.chunks(2).all(|pair| pair[0] == pair[1]));
        }
    }
}
