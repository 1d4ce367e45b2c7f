//! A multipart body type → a struct poem-openapi's `Multipart` derive reads on the server, and that
//! the runtime's `ToMultipart` writes as a form on the client.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Paths, doc_attr, ident, type_tokens};
use crate::model::{MultipartDef, PartKind, TypeDef, TypeRef};

pub(super) fn type_def(
    def: &TypeDef,
    m: &MultipartDef,
    docs: &TokenStream,
    module: &str,
    paths: &Paths,
) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let fields = m.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        let fdocs = doc_attr(f.docs.as_deref());
        let ty = match &f.kind {
            PartKind::File => quote!(#rt::FilePart),
            PartKind::Files => quote!(::std::vec::Vec<#rt::FilePart>),
            PartKind::Text(ty) => type_tokens(ty, Some(module)),
            PartKind::Json(ty) => {
                let ty = type_tokens(ty, Some(module));
                quote!(#rt::JsonPart<#ty>)
            }
        };
        // A list part may be absent: it is then empty (poem-openapi reads no repeated part into
        // an `Option`).
        let list = matches!(f.kind, PartKind::Files | PartKind::Text(TypeRef::Vec(_)));
        let optional = !f.required && !list;
        let ty = if optional {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        quote!(#fdocs #[oai(rename = #wire)] pub #n: #ty,)
    });
    let appends = m.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        quote!(let __form = #rt::MultipartValue::append_to(&self.#n, #wire, __form)?;)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, ::poem_openapi::Multipart)]
        pub struct #name {
            #(#fields)*
        }
        impl #rt::ToMultipart for #name {
            fn to_multipart(&self) -> ::std::result::Result<#rt::MultipartForm, #rt::ClientError> {
                let __form = #rt::MultipartForm::new();
                #(#appends)*
                ::std::result::Result::Ok(__form)
            }
        }
    }
}
