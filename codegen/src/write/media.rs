//! Bodies in several media types → an enum with one payload variant per media type: poem-openapi's
//! `ApiRequest` for a request (the server picks the variant by Content-Type) or `ResponseContent`
//! for an answer (the variant writes its own Content-Type); the client sends whichever variant it
//! is given and reads an answer into the variant its Content-Type names.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Paths, ident, type_tokens};
use crate::model::{FormStyles, MediaKind, MediaVariant, MediaVariants};

/// The payload type of one variant, and the media type to state beside it when it is not the
/// payload's own.
fn payload<'v>(
    v: &'v MediaVariant,
    request: bool,
    paths: &Paths,
) -> (TokenStream, Option<&'v str>) {
    let rt = &paths.rt;
    let ty = type_tokens(&v.ty, None);
    let (payload, own) = match v.media {
        MediaKind::Json => (
            quote!(::poem_openapi::payload::Json<#ty>),
            "application/json",
        ),
        // Parsed like JSON by the runtime on the server, so that the schema's constraints apply.
        MediaKind::Form if request => (quote!(#rt::Form<#ty>), "application/x-www-form-urlencoded"),
        MediaKind::Form => (
            quote!(::poem_openapi::payload::Form<#ty>),
            "application/x-www-form-urlencoded",
        ),
        MediaKind::Text => (
            quote!(::poem_openapi::payload::PlainText<::std::string::String>),
            "text/plain",
        ),
        MediaKind::Binary => (
            quote!(::poem_openapi::payload::Binary<::std::vec::Vec<u8>>),
            "application/octet-stream",
        ),
        MediaKind::Multipart => (ty, "multipart/form-data"),
        // The model keeps streams out of enums.
        MediaKind::Stream => (
            quote!(::poem_openapi::payload::Binary<::poem::Body>),
            "text/event-stream",
        ),
    };
    let essence = v.content_type.split(';').next().unwrap_or("").trim();
    let stated = (!essence.eq_ignore_ascii_case(own)).then_some(v.content_type.as_str());
    (payload, stated)
}

/// The enum of a body in several media types.
pub(super) fn content_enum(
    variants: &MediaVariants,
    request: bool,
    doc: &str,
    paths: &Paths,
) -> TokenStream {
    let name = ident(&variants.rust_name);
    let mut items: Vec<(u8, TokenStream)> = variants
        .variants
        .iter()
        .map(|v| {
            let n = ident(&v.rust_name);
            let (payload, stated) = payload(v, request, paths);
            let vdoc = format!(" `{}`", v.content_type);
            match stated {
                Some(ct) => (
                    0,
                    quote!(#[doc = #vdoc] #[oai(content_type = #ct)] #n(#payload),),
                ),
                // Bytes accept any Content-Type: on a request they are tried last.
                None if v.media == MediaKind::Binary => (2, quote!(#[doc = #vdoc] #n(#payload),)),
                None => (1, quote!(#[doc = #vdoc] #n(#payload),)),
            }
        })
        .collect();
    if request {
        items.sort_by_key(|(rank, _)| *rank);
    }
    let items = items.into_iter().map(|(_, t)| t);
    let derive = if request {
        quote!(::poem_openapi::ApiRequest)
    } else {
        quote!(::poem_openapi::ResponseContent)
    };
    let doc = format!(" {doc}");
    quote! {
        #[doc = #doc]
        #[derive(Debug, #derive)]
        pub enum #name {
            #(#items)*
        }
    }
}

/// Client code attaching a body given as the enum `__value` to `__builder`.
pub(super) fn attach(
    variants: &MediaVariants,
    attach_one: &dyn Fn(MediaKind, &str, &FormStyles) -> TokenStream,
) -> TokenStream {
    let name = ident(&variants.rust_name);
    let arms = variants.variants.iter().map(|v| {
        let n = ident(&v.rust_name);
        let attach = attach_one(v.media, &v.content_type, &v.form_styles);
        let inner = if v.media == MediaKind::Multipart {
            quote!(__payload)
        } else {
            quote!(&__payload.0)
        };
        quote!(#name::#n(__payload) => { let __value = #inner; #attach })
    });
    quote! {
        match __value {
            #(#arms)*
        }
    }
}

/// Client code reading an answer into the variant its Content-Type names, the first one when
/// none does.
pub(super) fn decode(
    variants: &MediaVariants,
    decode_one: &dyn Fn(MediaKind, &crate::model::TypeRef) -> TokenStream,
    paths: &Paths,
) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&variants.rust_name);
    let construct = |v: &MediaVariant| {
        let n = ident(&v.rust_name);
        let value = decode_one(v.media, &v.ty);
        quote!(#name::#n(#value))
    };
    let first = variants.variants.first().map(construct).unwrap_or_default();
    let tests = variants.variants.iter().skip(1).map(|v| {
        let ct = &v.content_type;
        let value = construct(v);
        quote!(if #rt::media_type_is(__content_type, #ct) { #value } else)
    });
    quote! {{
        let __content_type = __headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        #(#tests)* { #first }
    }}
}
