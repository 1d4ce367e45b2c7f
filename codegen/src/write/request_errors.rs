//! Answering refused requests in the spec's own 400 body: which body types can be filled from a
//! request error, and the `FromRequestError` impls for them.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{Paths, ident};
use crate::model::{Field, Model, TypeKind, TypeModule, TypeRef};

/// The 400 body types request errors can be answered in.
pub(super) struct Answerable {
    provided: bool,
    fillable: BTreeSet<(String, String)>,
}

impl Answerable {
    pub(super) fn new(model: &Model, provided: bool) -> Self {
        let mut fillable = BTreeSet::new();
        for api in &model.apis {
            for op in &api.operations {
                if let Some(TypeRef::Named { module, name }) = &op.bad_request_body {
                    let def = model.modules.get(module).and_then(|m| m.types.get(name));
                    if let Some(TypeKind::Object(o)) = def.map(|d| &d.kind)
                        && o.fields.iter().all(|f| !f.required || fill(f).is_some())
                    {
                        fillable.insert((module.clone(), name.clone()));
                    }
                }
            }
        }
        Self { provided, fillable }
    }

    pub(super) fn can_answer(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named { module, name } => {
                self.provided || self.fillable.contains(&(module.clone(), name.clone()))
            }
            _ => false,
        }
    }
}

/// How a field is filled from `err: &RequestError`, by its wire name and type.
fn fill(f: &Field) -> Option<TokenStream> {
    let wire = f.wire_name.to_ascii_lowercase();
    let detail_like = ["detail", "description", "details", "reason"]
        .iter()
        .any(|w| wire.contains(w));
    match &f.ty {
        TypeRef::String if detail_like => Some(quote!(::std::clone::Clone::clone(&err.detail))),
        TypeRef::String if wire.contains("code") || wire.contains("status") => {
            Some(quote!(::std::string::ToString::to_string(&err.status)))
        }
        TypeRef::String => Some(quote!(::std::clone::Clone::clone(&err.message))),
        TypeRef::I32 => Some(quote!(i32::from(err.status))),
        TypeRef::I64 => Some(quote!(i64::from(err.status))),
        TypeRef::U32 => Some(quote!(u32::from(err.status))),
        TypeRef::U64 => Some(quote!(u64::from(err.status))),
        _ => None,
    }
}

pub(super) fn impls(module: &TypeModule, answerable: &Answerable, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let items = module
        .types
        .values()
        .filter(|d| {
            answerable
                .fillable
                .contains(&(module.name.clone(), d.rust_name.clone()))
        })
        .filter_map(|def| {
            let TypeKind::Object(o) = &def.kind else {
                return None;
            };
            let name = ident(&def.rust_name);
            let fields = o.fields.iter().map(|f| {
                let n = ident(&f.rust_name);
                let value = fill(f);
                match (f.required && !f.nullable, value) {
                    (true, Some(v)) => quote!(#n: #v,),
                    (false, Some(v)) if f.default.is_none() => {
                        quote!(#n: ::std::option::Option::Some(#v),)
                    }
                    (false, None) if f.default.is_none() => {
                        quote!(#n: ::std::option::Option::None,)
                    }
                    (_, _) => {
                        let ty = super::tokens::field_value_tokens(f, Some(&module.name));
                        quote!(#n: <#ty as ::std::default::Default>::default(),)
                    }
                }
            });
            Some(quote! {
                impl #rt::FromRequestError for #name {
                    fn from_request_error(err: &#rt::RequestError) -> Self {
                        Self { #(#fields)* }
                    }
                }
            })
        });
    quote!(#(#items)*)
}
