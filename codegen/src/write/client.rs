//! One API → per called role, a typed reqwest client returning the same response enums.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::handler::{method_args, operation_docs, operations_of};
use super::tokens::{Paths, ident, type_tokens};
use crate::model::paths::{self as path_template, PathSegment};
use crate::model::{
    Api, CallbackUrl, FormStyles, MediaKind, Operation, ParamLocation, ParamStyle, Role, TypeRef,
    UrlPart,
};

pub(super) fn client_name(api: &Api, role: &Role) -> String {
    format!("{}{}Client", api.rust_name, role.rust_suffix)
}

/// `aliases`: the response enums written as an alias of another (`handler::response_enum_aliases`).
pub(super) fn module(
    api: &Api,
    paths: &Paths,
    aliases: &BTreeMap<String, &Operation>,
) -> TokenStream {
    let clients = api
        .roles
        .iter()
        .filter(|r| r.client)
        .map(|role| client(api, role, paths));
    let readers = answer_readers(api, paths);
    let responses = response_readers(api, paths, aliases);
    quote! {
        use super::handler::*;
        #(#clients)*
        #(#readers)*
        #(#responses)*
    }
}

/// Per enum of an answer in several media types that a client reads, the function reading it:
/// written once, however many operations answer with it.
fn answer_readers(api: &Api, paths: &Paths) -> Vec<TokenStream> {
    let rt = &paths.rt;
    let mut seen = std::collections::BTreeSet::new();
    api.roles
        .iter()
        .filter(|r| r.client)
        .flat_map(|role| operations_of(api, role))
        .flat_map(|op| {
            op.responses
                .iter()
                .filter_map(|r| r.body.as_ref()?.variants.as_ref())
        })
        .filter(|v| seen.insert(v.rust_name.clone()))
        .map(|variants| {
            let name = ident(&variants.rust_name);
            let decode_one = |media: MediaKind, ty: &TypeRef| decode(media, ty, paths);
            let read = super::media::decode(variants, &decode_one, paths);
            quote! {
                impl #name {
                    /// Reads an answer into the variant its Content-Type names, the first one when
                    /// none does.
                    fn read_answer(
                        __status: u16,
                        __headers: &::reqwest::header::HeaderMap,
                        __bytes: &[u8],
                    ) -> ::std::result::Result<Self, #rt::ClientError> {
                        ::std::result::Result::Ok(#read)
                    }
                }
            }
        })
        .collect()
}

fn client(api: &Api, role: &Role, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&client_name(api, role));
    let methods = operations_of(api, role).map(|op| method(op, paths));
    let doc = if role.wire_name.is_empty() {
        format!(" Calls the operations of {}.", api.title)
    } else {
        format!(
            " Calls the operations of {} that the `{}` side serves.",
            api.title, role.wire_name
        )
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            core: #rt::ClientCore,
        }
        impl #name {
            /// A client for the server at `base_url`.
            pub fn new(base_url: &str) -> ::std::result::Result<Self, #rt::ClientError> {
                ::std::result::Result::Ok(Self { core: #rt::ClientCore::new(base_url)? })
            }
            /// A client from a configured core (reqwest client, default headers, token source).
            pub fn from_core(core: #rt::ClientCore) -> Self {
                Self { core }
            }
            pub fn core(&self) -> &#rt::ClientCore {
                &self.core
            }
            #(#methods)*
        }
    }
}

fn method(op: &Operation, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let docs = operation_docs(op);
    let name = ident(&op.rust_name);
    let response = ident(&op.response_enum);
    let mut args: Vec<TokenStream> = callback_url_args(op)
        .into_iter()
        .map(|n| quote!(#n: &str))
        .collect();
    args.extend(method_args(op).into_iter().map(|(n, t)| {
        // Bodies and non-copy values are borrowed: the caller keeps them (to retry, to log).
        if n == "body" {
            quote!(#n: &#t)
        } else {
            quote!(#n: #t)
        }
    }));

    let template = path_template::segments(&op.path).unwrap_or_default();
    let segments = template.into_iter().map(|seg| match seg {
        PathSegment::Param {
            name,
            prefix,
            suffix,
        } => {
            let p = op
                .params
                .iter()
                .find(|p| p.wire_name == name && p.location == ParamLocation::Path);
            match p {
                Some(p) if prefix.is_empty() && suffix.is_empty() => {
                    let n = ident(&p.rust_name);
                    quote!(#rt::Segment::Param(&#rt::param_string(&#n)))
                }
                Some(p) => {
                    let n = ident(&p.rust_name);
                    quote!(#rt::Segment::Param(&::std::format!("{}{}{}", #prefix, #rt::param_string(&#n), #suffix)))
                }
                None => {
                    let text = format!("{prefix}{{{name}}}{suffix}");
                    quote!(#rt::Segment::Literal(#text))
                }
            }
        }
        PathSegment::Literal(text) => quote!(#rt::Segment::Literal(#text)),
    });

    let mut query = Vec::new();
    let mut deep = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    for p in &op.params {
        let n = ident(&p.rust_name);
        let wire = &p.wire_name;
        let push_one = |value: TokenStream| match p.location {
            ParamLocation::Query => quote!(__query.push((#wire, #value));),
            ParamLocation::Cookie => quote!(__cookies.push(#rt::cookie_pair(#wire, &#value));),
            _ => quote!(__builder = __builder.header(#wire, #value);),
        };
        let separator = match p.style {
            ParamStyle::SpaceDelimited => Some(' '),
            ParamStyle::PipeDelimited => Some('|'),
            ParamStyle::Form | ParamStyle::DeepObject => None,
        };
        if p.style == ParamStyle::DeepObject {
            let attach =
                quote!(__builder = __builder.query(&#rt::deep_object_query(#wire, __value)););
            deep.push(if p.required {
                quote!({ let __value = &#n; #attach })
            } else {
                quote!(if let ::std::option::Option::Some(__value) = &#n { #attach })
            });
            continue;
        }
        let body = match (&p.ty, p.explode) {
            (TypeRef::Vec(_), false) if separator.is_some() => {
                let v = push_one(quote!(#rt::delimited(__values, #separator)));
                quote!(let __values = __value; #v)
            }
            (TypeRef::Vec(_), false) => {
                let v = push_one(
                    quote!(__values.iter().map(#rt::param_string).collect::<::std::vec::Vec<_>>().join(",")),
                );
                quote!(let __values = __value; #v)
            }
            (TypeRef::Vec(_), true) => {
                let v = push_one(quote!(#rt::param_string(__item)));
                quote!(for __item in __value.iter() { #v })
            }
            _ => push_one(quote!(#rt::param_string(__value))),
        };
        let stmt = if p.required {
            quote!({ let __value = &#n; #body })
        } else {
            quote!(if let ::std::option::Option::Some(__value) = &#n { #body })
        };
        match p.location {
            ParamLocation::Query => query.push(stmt),
            ParamLocation::Header => headers.push(stmt),
            ParamLocation::Cookie => cookies.push(stmt),
            ParamLocation::Path => {}
        }
    }
    let url = match &op.callback_url {
        None => quote!(let __url = self.core.url(&[#(#segments),*])?;),
        Some(CallbackUrl::BaseUrl) => quote!(let __url = self.core.url(&[])?;),
        Some(CallbackUrl::Template { parts, .. }) => {
            let pushes = parts.iter().map(|part| match part {
                UrlPart::Literal(text) => quote!(__target.push_str(#text);),
                UrlPart::Argument { rust_name, .. } => {
                    let n = ident(rust_name);
                    quote!(__target.push_str(#n);)
                }
            });
            quote! {
                let mut __target = ::std::string::String::new();
                #(#pushes)*
                let __url = ::reqwest::Url::parse(&__target).map_err(|e| {
                    #rt::ClientError::InvalidRequest(::std::format!("callback URL `{__target}`: {e}"))
                })?;
            }
        }
    };
    let method = ident(&op.method.to_uppercase());
    let body = match &op.body {
        None => TokenStream::new(),
        Some(b) => {
            let attach_one = |media: MediaKind, content_type: &str, form_styles: &FormStyles| {
                attach(
                    media,
                    content_type,
                    form_styles,
                    b.variants.is_some(),
                    paths,
                )
            };
            let attach = match &b.variants {
                Some(variants) => super::media::attach(variants, &attach_one),
                None => attach_one(b.media, &b.content_type, &b.form_styles),
            };
            if b.required {
                quote!({ let __value = body; #attach })
            } else {
                quote!(if let ::std::option::Option::Some(__value) = body { #attach })
            }
        }
    };
    // A streamed answer is handed over before the body is read; the model streams only answers
    // with a status of their own.
    let stream_arms: Vec<TokenStream> = op
        .responses
        .iter()
        .filter(|r| r.status.is_some())
        .filter(streams)
        .map(|r| {
            let status = proc_macro2::Literal::u16_unsuffixed(r.status.unwrap_or_default());
            let construct = construct_variant(op, r, paths);
            quote!(if __status == #status { return #construct; })
        })
        .collect();
    let has_query = !query.is_empty();
    let query_decl = if has_query {
        quote!(let mut __query: ::std::vec::Vec<(&str, ::std::string::String)> = ::std::vec::Vec::new(); #(#query)*)
    } else {
        TokenStream::new()
    };
    let query_attach = if has_query {
        quote!(__builder = __builder.query(&__query);)
    } else {
        TokenStream::new()
    };
    // Cookie parameters travel together, in one `Cookie` header.
    let cookies = (!cookies.is_empty()).then(|| {
        quote! {
            let mut __cookies: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
            #(#cookies)*
            if !__cookies.is_empty() {
                __builder = __builder.header("cookie", __cookies.join("; "));
            }
        }
    });
    let mutability = if has_query
        || !deep.is_empty()
        || !headers.is_empty()
        || cookies.is_some()
        || op.body.is_some()
    {
        quote!(mut)
    } else {
        TokenStream::new()
    };
    let build = quote! {
        #url
        #query_decl
        let #mutability __builder = self.core.request(::reqwest::Method::#method, __url);
        #query_attach
        #(#deep)*
        #(#headers)*
        #cookies
        #body
    };
    let from_request = from_request_method(op, paths);
    if stream_arms.is_empty() {
        // A plain function handing its request to the runtime's one `async fn` (`ClientCore::call`),
        // which reads the answer with the response enum's reader: no state machine per operation.
        return quote! {
            #from_request
            #docs
            pub fn #name(&self, #(#args),*) -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::ClientError>> + '_ {
                let __request = (|| -> ::std::result::Result<::reqwest::RequestBuilder, #rt::ClientError> {
                    #build
                    ::std::result::Result::Ok(__builder)
                })();
                self.core.call(__request, #response::read_answer)
            }
        };
    }
    let arms = answer_arms(op, paths);
    quote! {
        #from_request
        #docs
        pub async fn #name(&self, #(#args),*) -> ::std::result::Result<#response, #rt::ClientError> {
            #build
            let (__status, __headers, __answer) = self.core.send_streaming(__builder).await?;
            #(#stream_arms)*
            let __bytes = __answer.bytes().await?;
            let _ = &__headers;
            #arms
        }
    }
}

/// Whether a response's body is streamed (handed over before it is read).
fn streams(r: &&crate::model::Response) -> bool {
    r.body
        .as_ref()
        .is_some_and(|b| b.media == MediaKind::Stream)
}

/// The `match` on `__status` reading `__headers` and `__bytes` into `op`'s response enum, for the
/// answers that are not streamed.
fn answer_arms(op: &Operation, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let arms = op
        .responses
        .iter()
        .filter(|r| r.status.is_some() && !streams(r))
        .map(|r| {
            let status = proc_macro2::Literal::u16_unsuffixed(r.status.unwrap_or_default());
            let construct = construct_variant(op, r, paths);
            quote!(#status => #construct,)
        });
    let fallback = match op.responses.iter().find(|r| r.status.is_none()) {
        Some(r) => {
            let construct = construct_variant(op, r, paths);
            quote!(_ => #construct,)
        }
        None => {
            quote!(__other => ::std::result::Result::Err(#rt::ClientError::UnexpectedStatus { status: __other, body: ::std::string::String::from_utf8_lossy(&__bytes).into_owned() }),)
        }
    };
    quote! {
        match __status {
            #(#arms)*
            #fallback
        }
    }
}

/// Per response enum of an operation a client calls without streaming, the function reading an
/// answer into it: written once, however many operations answer with it (an alias's operation is
/// read by the enum it names).
fn response_readers(
    api: &Api,
    paths: &Paths,
    aliases: &BTreeMap<String, &Operation>,
) -> Vec<TokenStream> {
    let rt = &paths.rt;
    let mut seen = std::collections::BTreeSet::new();
    api.roles
        .iter()
        .filter(|r| r.client)
        .flat_map(|role| operations_of(api, role))
        .filter(|op| !op.responses.iter().any(|r| streams(&r)))
        .map(|op| aliases.get(&op.response_enum).copied().unwrap_or(op))
        .filter(|op| seen.insert(op.response_enum.clone()))
        .map(|op| {
            let name = ident(&op.response_enum);
            let arms = answer_arms(op, paths);
            quote! {
                impl #name {
                    /// Reads an answer by its status, headers and body.
                    fn read_answer(
                        __status: u16,
                        __headers: &::reqwest::header::HeaderMap,
                        __bytes: &[u8],
                    ) -> ::std::result::Result<Self, #rt::ClientError> {
                        let _ = __headers;
                        #arms
                    }
                }
            }
        })
        .collect()
}

/// Client code attaching `__value` (a reference to the body's value) to `__builder`. A text body
/// states its own media type only as a variant of several (a lone one is `text/plain`).
fn attach(
    media: MediaKind,
    content_type: &str,
    form_styles: &FormStyles,
    variant: bool,
    paths: &Paths,
) -> TokenStream {
    let rt = &paths.rt;
    match media {
        MediaKind::Json => {
            quote!(__builder = #rt::ClientCore::json_body(__builder, __value);)
        }
        MediaKind::Form => {
            let styles = form_styles.iter().map(|(name, style)| {
                let style = match style {
                    ParamStyle::DeepObject => quote!(#rt::FormStyle::DeepObject),
                    ParamStyle::SpaceDelimited => quote!(#rt::FormStyle::Delimited(' ')),
                    ParamStyle::PipeDelimited => quote!(#rt::FormStyle::Delimited('|')),
                    ParamStyle::Form => quote!(#rt::FormStyle::Delimited(',')),
                };
                quote!((#name, #style))
            });
            quote!(__builder = #rt::ClientCore::form_body(__builder, __value, &[#(#styles),*])?;)
        }
        MediaKind::Text => {
            let content_type = if variant { content_type } else { "text/plain" };
            quote!(__builder = __builder.header("content-type", #content_type).body(::std::clone::Clone::clone(__value));)
        }
        MediaKind::Binary => {
            quote!(__builder = __builder.header("content-type", #content_type).body(::std::clone::Clone::clone(__value));)
        }
        MediaKind::Multipart => {
            quote!(__builder = __builder.multipart(#rt::ToMultipart::to_multipart(__value)?);)
        }
        // The model streams answers only.
        MediaKind::Stream => quote!(::std::compile_error!("a streamed request body")),
    }
}

/// For a callback whose URL is resolved from the registering request's body: the method taking that
/// body instead of the URL's arguments.
fn from_request_method(op: &Operation, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let Some(CallbackUrl::Template {
        parts,
        registered_by,
        from_request: Some(from_request),
    }) = &op.callback_url
    else {
        return TokenStream::new();
    };
    let name = ident(&from_request.method);
    let target = ident(&op.rust_name);
    let response = ident(&op.response_enum);
    let registration = type_tokens(&from_request.body, None);
    let expressions: Vec<String> = parts
        .iter()
        .filter_map(|p| match p {
            UrlPart::Argument { expression, .. } => Some(format!("`{{{expression}}}`")),
            UrlPart::Literal(_) => None,
        })
        .collect();
    let doc = format!(
        " Sends [`Self::{}`] to the URL resolved from `registration`, the body of the `{registered_by}` request that registered it ({}).",
        op.rust_name,
        expressions.join(", ")
    );
    let resolve = from_request.fields.iter().map(|f| {
        let argument = ident(&f.argument);
        let field = ident(&f.field);
        if f.optional {
            let message = format!(
                "the `{registered_by}` request holds no `{}`, which the callback URL needs",
                f.wire_name
            );
            quote! {
                let #argument = registration.#field.as_ref().map(|v| v.as_str()).ok_or_else(|| {
                    #rt::ClientError::InvalidRequest(::std::string::String::from(#message))
                })?;
            }
        } else {
            quote!(let #argument = registration.#field.as_str();)
        }
    });
    let url_args = callback_url_args(op);
    let own: Vec<(proc_macro2::Ident, TokenStream)> = method_args(op);
    let own_decls = own.iter().map(|(n, t)| {
        if n == "body" {
            quote!(#n: &#t)
        } else {
            quote!(#n: #t)
        }
    });
    let own_names = own.iter().map(|(n, _)| n);
    quote! {
        #[doc = #doc]
        pub async fn #name(&self, registration: &#registration, #(#own_decls),*) -> ::std::result::Result<#response, #rt::ClientError> {
            #(#resolve)*
            self.#target(#(#url_args,)* #(#own_names),*).await
        }
    }
}

/// The arguments of a callback's URL template, one per runtime expression, in first-use order.
fn callback_url_args(op: &Operation) -> Vec<proc_macro2::Ident> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(CallbackUrl::Template { parts, .. }) = &op.callback_url {
        for part in parts {
            if let UrlPart::Argument { rust_name, .. } = part
                && !names.contains(&rust_name.as_str())
            {
                names.push(rust_name);
            }
        }
    }
    names.into_iter().map(ident).collect()
}

fn construct_variant(op: &Operation, r: &crate::model::Response, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let enum_name = ident(&op.response_enum);
    let variant = ident(&r.variant);
    let mut fields = Vec::new();
    if r.status.is_none() {
        fields.push(quote!(
            ::poem::http::StatusCode::from_u16(__status)
                .unwrap_or(::poem::http::StatusCode::INTERNAL_SERVER_ERROR)
        ));
    }
    if r.status.is_none() && r.body.is_none() {
        fields.push(quote!(#rt::NoBody));
    }
    if let Some(body) = &r.body {
        let decode_one = |media: MediaKind, ty: &TypeRef| decode(media, ty, paths);
        fields.push(match &body.variants {
            Some(variants) => {
                let name = ident(&variants.rust_name);
                quote!(#name::read_answer(__status, &__headers, &__bytes)?)
            }
            None => decode_one(body.media, &body.ty),
        });
    }
    for h in &r.headers {
        let ty = type_tokens(&h.ty, None);
        let wire = &h.wire_name;
        if h.required {
            // A streamed answer's body is not read yet.
            let body = if r
                .body
                .as_ref()
                .is_some_and(|b| b.media == MediaKind::Stream)
            {
                quote!(::std::vec::Vec::new())
            } else {
                quote!(__bytes.to_vec())
            };
            fields.push(quote!(#rt::decode_header::<#ty>(__status, &__headers, #wire)?.ok_or_else(|| #rt::ClientError::InvalidBody { status: __status, reason: ::std::format!("missing header `{}`", #wire), body: #body })?));
        } else {
            fields.push(quote!(#rt::decode_header::<#ty>(__status, &__headers, #wire)?));
        }
    }
    if fields.is_empty() {
        quote!(::std::result::Result::Ok(#enum_name::#variant))
    } else {
        quote!(::std::result::Result::Ok(#enum_name::#variant(#(#fields),*)))
    }
}

/// Client code reading `__bytes` as a payload of `media`.
fn decode(media: MediaKind, ty: &TypeRef, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let ty = type_tokens(ty, None);
    match media {
        MediaKind::Json => {
            quote!(::poem_openapi::payload::Json(#rt::decode_json::<#ty>(__status, &__bytes)?))
        }
        MediaKind::Form => {
            quote!(::poem_openapi::payload::Form(#rt::decode_json::<#ty>(__status, &__bytes)?))
        }
        MediaKind::Text => quote!(::poem_openapi::payload::PlainText(
            ::std::string::String::from_utf8_lossy(&__bytes).into_owned()
        )),
        MediaKind::Binary => quote!(::poem_openapi::payload::Binary(__bytes.to_vec())),
        // The model gives no answer a multipart body.
        MediaKind::Multipart => quote!(::std::compile_error!("a multipart answer")),
        MediaKind::Stream => quote!(::poem_openapi::payload::Binary(__answer.into_body())),
    }
}
