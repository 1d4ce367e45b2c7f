//! One API → its response enums and, per served role, the handler trait an implementer fills in.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::tokens::{Paths, doc_attr, doc_parts, ident, type_tokens};
use crate::model::{Api, Body, MediaKind, MediaVariants, Operation, Response, Role, TypeRef};

/// `answerable`: whether request errors can be answered in a given 400 body type.
/// `aliases`: the response enums written as an alias of another ([`response_enum_aliases`]).
pub(super) fn module(
    api: &Api,
    paths: &Paths,
    answerable: &dyn Fn(&TypeRef) -> bool,
    aliases: &BTreeMap<String, &Operation>,
) -> TokenStream {
    let enums = response_enums(api, paths, answerable, aliases);
    let schema_docs = api.operations.iter().flat_map(|op| {
        op.body
            .iter()
            .chain(op.responses.iter().filter_map(|r| r.body.as_ref()))
            .filter_map(|b| b.schema_docs.as_ref())
            .map(|(docs, name)| schema_docs_type(op, docs, name, paths))
    });
    let contents = content_enums(api, paths);
    let traits = api
        .roles
        .iter()
        .filter(|r| r.server)
        .map(|role| handler_trait(api, role, paths));
    quote! {
        #(#enums)*
        #(#contents)*
        #(#schema_docs)*
        #(#traits)*
    }
}

/// The enums of bodies in several media types, each once: bodies with the same media types and
/// schemas share one (the model names them).
fn content_enums(api: &Api, paths: &Paths) -> Vec<TokenStream> {
    // Name → the enum, whether it holds a request body, and the bodies using it, in order.
    let mut uses: BTreeMap<&str, (&MediaVariants, bool, Vec<String>)> = BTreeMap::new();
    let mut order = Vec::new();
    for op in &api.operations {
        let id = &op.operation_id;
        let request = op
            .body
            .as_ref()
            .map(|b| (b, true, format!("the request body of `{id}`")));
        let answers = op.responses.iter().filter_map(|r| {
            let status = r
                .status
                .map_or_else(|| "default".to_owned(), |s| s.to_string());
            let site = format!("the body of the `{status}` answer of `{id}`");
            Some((r.body.as_ref()?, false, site))
        });
        for (body, request, site) in request.into_iter().chain(answers) {
            let Some(v) = &body.variants else { continue };
            let entry = uses.entry(&v.rust_name).or_insert_with(|| {
                order.push(v.rust_name.as_str());
                (v, request, Vec::new())
            });
            entry.2.push(site);
        }
    }
    order
        .into_iter()
        .map(|name| {
            let (variants, request, sites) = &uses[name];
            let doc = match sites.as_slice() {
                [one] => {
                    let mut doc = one.clone();
                    doc[..1].make_ascii_uppercase();
                    format!("{doc} in each of its media types.")
                }
                [first, rest @ ..] => format!(
                    "A body in each of its media types: {first} and {} other bodies with the same media types and schemas.",
                    rest.len()
                ),
                [] => unreachable!("a content enum has a use"),
            };
            super::media::content_enum(variants, *request, &doc, paths)
        })
        .collect()
}

/// The type stating the description of an inline body schema, for the runtime's `Described`.
fn schema_docs_type(op: &Operation, docs: &str, name: &str, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(name);
    let doc = format!(
        " The description of a body schema of `{}`, published by the runtime.",
        op.operation_id
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #name;
        impl #rt::SchemaDescription for #name {
            const DESCRIPTION: &'static str = #docs;
        }
    }
}

/// The trait name of a role's server side, e.g. `ProductOrderingPartnerApi`.
pub(super) fn trait_name(api: &Api, role: &Role) -> String {
    format!("{}{}Api", api.rust_name, role.rust_suffix)
}

pub(super) fn operations_of<'a>(
    api: &'a Api,
    role: &'a Role,
) -> impl Iterator<Item = &'a Operation> + 'a {
    api.operations
        .iter()
        .filter(move |op| op.role == role.wire_name)
}

/// The payload type of a body, as it appears in a response variant or a server parameter.
pub(super) fn payload_tokens(body: &Body) -> TokenStream {
    if let Some(variants) = &body.variants {
        let name = ident(&variants.rust_name);
        return quote!(#name);
    }
    let ty = type_tokens(&body.ty, None);
    match body.media {
        MediaKind::Json => quote!(::poem_openapi::payload::Json<#ty>),
        MediaKind::Form => quote!(::poem_openapi::payload::Form<#ty>),
        MediaKind::Text => quote!(::poem_openapi::payload::PlainText<::std::string::String>),
        MediaKind::Binary => quote!(::poem_openapi::payload::Binary<::std::vec::Vec<u8>>),
        // The multipart struct is its own payload.
        MediaKind::Multipart => ty,
        MediaKind::Stream => quote!(::poem_openapi::payload::Binary<::poem::Body>),
    }
}

/// The plain Rust type a handler receives for a body.
pub(super) fn body_value_tokens(body: &Body) -> TokenStream {
    if let Some(variants) = &body.variants {
        let name = ident(&variants.rust_name);
        return quote!(#name);
    }
    match body.media {
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => type_tokens(&body.ty, None),
        MediaKind::Text => quote!(::std::string::String),
        MediaKind::Binary => quote!(::std::vec::Vec<u8>),
        MediaKind::Stream => quote!(::poem::Body),
    }
}

pub(super) fn param_value_tokens(ty: &TypeRef, required: bool) -> TokenStream {
    let inner = type_tokens(ty, None);
    if required {
        inner
    } else {
        quote!(::std::option::Option<#inner>)
    }
}

/// Every operation's response enum. An operation answering exactly as an earlier one does (the
/// same statuses, descriptions, bodies and headers: Kubernetes' `read`, `replace` and `patch` of
/// one kind, Asana's shared error answers) gets its name as an alias of that one's enum.
fn response_enums(
    api: &Api,
    paths: &Paths,
    answerable: &dyn Fn(&TypeRef) -> bool,
    aliases: &BTreeMap<String, &Operation>,
) -> Vec<TokenStream> {
    api.operations
        .iter()
        .map(|op| {
            let (doc, definition) = response_enum(op, paths, answerable);
            match aliases.get(&op.response_enum) {
                Some(first) => {
                    let name = ident(&op.response_enum);
                    let target = ident(&first.response_enum);
                    let doc = format!("{doc} The same answers as `{}`'s.", first.operation_id);
                    quote! {
                        #[doc = #doc]
                        pub type #name = #target;
                    }
                }
                None => quote! {
                    #[doc = #doc]
                    #definition
                },
            }
        })
        .collect()
}

/// The response enums written as an alias of another, by name.
pub(super) type Aliases<'a> = BTreeMap<String, &'a Operation>;

/// The response enums written as an alias of another, by name: an operation whose enum would be
/// written exactly like an earlier operation's (its shape) names that one's.
pub(super) fn response_enum_aliases<'a>(
    api: &'a Api,
    paths: &Paths,
    answerable: &dyn Fn(&TypeRef) -> bool,
) -> Aliases<'a> {
    let mut by_shape: BTreeMap<String, &Operation> = BTreeMap::new();
    let mut aliases = BTreeMap::new();
    for op in &api.operations {
        // The enum as written under a name of no operation's: its shape.
        let unnamed = Operation {
            response_enum: "Shape".to_owned(),
            rust_name: "shape".to_owned(),
            ..op.clone()
        };
        let shape = response_enum(&unnamed, paths, answerable).1.to_string();
        match by_shape.entry(shape) {
            Entry::Occupied(first) => {
                aliases.insert(op.response_enum.clone(), *first.get());
            }
            Entry::Vacant(slot) => {
                slot.insert(op);
            }
        }
    }
    aliases
}

/// The response enum of one operation: its documentation, and the rest of its definition.
fn response_enum(
    op: &Operation,
    paths: &Paths,
    answerable: &dyn Fn(&TypeRef) -> bool,
) -> (String, TokenStream) {
    let rt = &paths.rt;
    let name = ident(&op.response_enum);
    let variants = op.responses.iter().map(|r| response_variant(r, paths));
    let doc = format!(
        " Every answer the spec declares for `{}` ({} {}).",
        op.operation_id,
        op.method.to_uppercase(),
        op.path
    );
    let bad_request = bad_request_handler(op, paths, answerable);
    let (attr, handler_fn) = match bad_request {
        Some((fn_name, body)) => {
            let fn_ident = ident(&fn_name);
            (
                quote!(#[oai(bad_request_handler = #fn_name)]),
                quote! {
                    fn #fn_ident(err: ::poem::Error) -> #name {
                        let err = #rt::RequestError::from_poem(&err);
                        #body
                    }
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    let definition = quote! {
        #[derive(Debug, ::poem_openapi::ApiResponse)]
        #attr
        pub enum #name {
            #(#variants)*
        }
        #handler_fn
    };
    (doc, definition)
}

fn bad_request_handler(
    op: &Operation,
    paths: &Paths,
    answerable: &dyn Fn(&TypeRef) -> bool,
) -> Option<(String, TokenStream)> {
    let body_ty = op.bad_request_body.as_ref().filter(|t| answerable(t))?;
    let response = op.responses.iter().find(|r| r.status == Some(400))?;
    if !response.headers.is_empty() {
        return None;
    }
    let variant = ident(&response.variant);
    let enum_name = ident(&op.response_enum);
    let ty = type_tokens(body_ty, None);
    let fn_name = format!("{}_bad_request", op.rust_name.trim_end_matches('_'));
    let rt = &paths.rt;
    Some((
        fn_name,
        quote! {
            #enum_name::#variant(::poem_openapi::payload::Json(<#ty as #rt::FromRequestError>::from_request_error(&err)))
        },
    ))
}

fn response_variant(r: &Response, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let docs = doc_attr(r.docs.as_deref());
    let name = ident(&r.variant);
    let mut fields = Vec::new();
    if r.status.is_none() {
        fields.push(quote!(::poem::http::StatusCode));
    }
    match &r.body {
        Some(body) => fields.push(payload_tokens(body)),
        // poem-openapi takes a status code field only beside a content field.
        None if r.status.is_none() => fields.push(quote!(#rt::NoBody)),
        None => {}
    }
    for h in &r.headers {
        let wire = &h.wire_name;
        let ty = param_value_tokens(&h.ty, h.required);
        let hdocs = doc_attr(h.docs.as_deref());
        fields.push(quote!(#hdocs #[oai(header = #wire)] #ty));
    }
    let mut oai = Vec::new();
    if let Some(s) = r.status {
        let s = Literal::u16_unsuffixed(s);
        oai.push(quote!(status = #s));
    }
    if let Some(body) = r.body.as_ref().filter(|b| {
        (b.media == MediaKind::Binary && b.content_type != "application/octet-stream"
            || b.media == MediaKind::Stream)
            && b.variants.is_none()
    }) {
        // Bytes under the spec's own media type (an image, a PDF, a stream), not octet-stream.
        let content_type = &body.content_type;
        oai.push(quote!(content_type = #content_type));
    }
    if let (Some(body), Some((_, docs_type))) = (
        &r.body,
        r.body.as_ref().and_then(|b| b.schema_docs.as_ref()),
    ) {
        // Published as a payload whose schema carries the description.
        let payload = payload_tokens(body);
        let docs_type = ident(docs_type);
        let actual = super::tokens::type_string(&quote!(#rt::Described<#payload, #docs_type>));
        oai.push(quote!(actual_type = #actual));
    }
    let status_attr = if oai.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[oai(#(#oai),*)])
    };
    if fields.is_empty() {
        quote!(#docs #status_attr #name,)
    } else {
        quote!(#docs #status_attr #name(#(#fields),*),)
    }
}

/// The arguments of a handler method (and of the client method, which shares their order).
pub(super) fn method_args(op: &Operation) -> Vec<(proc_macro2::Ident, TokenStream)> {
    let mut args = Vec::new();
    for p in &op.params {
        args.push((ident(&p.rust_name), param_value_tokens(&p.ty, p.required)));
    }
    if let Some(body) = &op.body {
        let ty = body_value_tokens(body);
        let ty = if body.required {
            ty
        } else {
            quote!(::std::option::Option<#ty>)
        };
        args.push((ident("body"), ty));
    }
    args
}

pub(super) fn operation_docs(op: &Operation) -> TokenStream {
    doc_parts(&[op.summary.as_deref(), op.description.as_deref()])
}

fn handler_trait(api: &Api, role: &Role, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&trait_name(api, role));
    let stub = ident(&format!(
        "Unimplemented{}{}",
        api.rust_name, role.rust_suffix
    ));
    let methods = operations_of(api, role).map(|op| {
        let docs = doc_parts(&[
            op.summary.as_deref(),
            op.description.as_deref(),
            Some(
                "The default answers 501 Not Implemented, so an operation added to the spec does not break an implementation.",
            ),
        ]);
        let method = ident(&op.rust_name);
        let response = ident(&op.response_enum);
        let args = method_args(op);
        let arg_decls = args.iter().map(|(n, t)| quote!(#n: #t));
        let operation_id = &op.operation_id;
        // The arguments go unused: the module allows `unused_variables` (see `api.rs`).
        quote! {
            #docs
            fn #method(&self, #(#arg_decls),*) -> impl ::std::future::Future<Output = ::poem::Result<#response>> + Send {
                async move { ::std::result::Result::Err(#rt::not_implemented(#operation_id)) }
            }
        }
    });
    let role_doc = if role.wire_name.is_empty() {
        format!(
            " The operations of {}: implement the ones you serve.",
            api.title
        )
    } else {
        format!(
            " The operations of {} that the `{}` side serves: implement the ones you serve.",
            api.title, role.wire_name
        )
    };
    let stub_doc = format!(
        " Implements nothing: every operation answers 501. Serves the document of [`{}`] without an implementation.",
        trait_name(api, role)
    );
    quote! {
        #[doc = #role_doc]
        pub trait #name: Send + Sync + 'static {
            #(#methods)*
        }
        #[doc = #stub_doc]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct #stub;
        impl #name for #stub {}
    }
}
