//! Model references → Rust type tokens, and the small token helpers every writer shares.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::model::{Field, TypeRef, Validators};

/// Paths the generated code needs, fixed by the settings.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The runtime module, e.g. `crate::rt`.
    pub rt: TokenStream,
}

pub(super) fn ident(name: &str) -> Ident {
    // Names from the model are valid identifiers; a keyword was already suffixed with `_`.
    Ident::new(name, Span::call_site())
}

pub(super) fn doc_attr(docs: Option<&str>) -> TokenStream {
    doc_parts(&[docs])
}

/// Doc comments made of paragraphs (a spec's text, then the generator's notes), each made
/// rustdoc-safe on its own, separated by blank lines; absent or empty parts leave no blank line.
pub(super) fn doc_parts(parts: &[Option<&str>]) -> TokenStream {
    let text = doc_text(parts);
    let lines = text.lines().map(|l| format!(" {}", l.trim_end()));
    quote! { #( #[doc = #lines] )* }
}

/// The text of the doc comment `doc_parts` writes.
pub(super) fn doc_text(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(super::markdown::doc_text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The Rust type of a reference, seen from inside the module `from` (`None`: from outside every types module).
pub(super) fn type_tokens(ty: &TypeRef, from: Option<&str>) -> TokenStream {
    match ty {
        TypeRef::Named { module, name } => {
            let name = ident(name);
            if from == Some(module.as_str()) {
                quote!(#name)
            } else {
                let module = ident(module);
                quote!(crate::#module::types::#name)
            }
        }
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::U32 => quote!(u32),
        TypeRef::U64 => quote!(u64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Uuid => quote!(::uuid::Uuid),
        TypeRef::Base64 => quote!(::poem_openapi::types::Base64<::std::vec::Vec<u8>>),
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner, from);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner, from);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

/// The type of a field's value (before `Option` for an optional field): boxed on a cycle.
pub(super) fn field_value_tokens(f: &Field, from: Option<&str>) -> TokenStream {
    let ty = type_tokens(&f.ty, from);
    if f.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

/// A type as attribute text (`actual_type = "…"`), written the way rustfmt writes types.
pub(super) fn type_string(ty: &TokenStream) -> String {
    let mut text = ty.to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
    ] {
        text = text.replace(from, to);
    }
    text
}

fn f64_lit(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The length and pattern constraints on a value, or on each item of a list of scalars: poem-openapi
/// applies them to each element either way.
fn text_constraints(v: &Validators) -> (Option<usize>, Option<usize>, Option<String>) {
    let items = v.items.as_deref();
    let min_length = v.min_length.or(items.and_then(|i| i.min_length));
    let max_length = v.max_length.or(items.and_then(|i| i.max_length));
    let pattern = v.pattern.clone().or(items.and_then(|i| i.pattern.clone()));
    (min_length, max_length, pattern)
}

/// The runtime's `object::Rules` for a written-out property: the validators `validator_attr`
/// names, in the order poem-openapi's derive checks them (element constraints, then those on the
/// whole value), so that an invalid value gets the same message either way.
pub(super) fn rules_tokens(v: &Validators, rt: &TokenStream) -> TokenStream {
    let (elements, whole) = rule_lists(v);
    quote!(#rt::object::Rules { elements: &[#(&#elements),*], whole: &[#(&#whole),*] })
}

/// poem-openapi's validators for `v`: those on each element, then those on the whole value, each
/// in the order its derives check them.
fn rule_lists(v: &Validators) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let validation = quote!(::poem_openapi::validation);
    let number = |n: f64| Literal::f64_unsuffixed(n);
    let count = |n: usize| Literal::usize_unsuffixed(n);
    let (min_length, max_length, pattern) = text_constraints(v);
    let mut elements = Vec::new();
    if let Some(m) = v.multiple_of {
        let m = number(m);
        elements.push(quote!(#validation::MultipleOf::new(#m)));
    }
    if let Some((max, exclusive)) = v.maximum {
        let max = number(max);
        elements.push(quote!(#validation::Maximum::new(#max, #exclusive)));
    }
    if let Some((min, exclusive)) = v.minimum {
        let min = number(min);
        elements.push(quote!(#validation::Minimum::new(#min, #exclusive)));
    }
    if let Some(n) = max_length.map(count) {
        elements.push(quote!(#validation::MaxLength::new(#n)));
    }
    if let Some(n) = min_length.map(count) {
        elements.push(quote!(#validation::MinLength::new(#n)));
    }
    if let Some(p) = pattern {
        elements.push(quote!(#validation::Pattern::new(#p)));
    }
    let mut whole = Vec::new();
    if let Some(n) = v.max_items.map(count) {
        whole.push(quote!(#validation::MaxItems::new(#n)));
    }
    if let Some(n) = v.min_items.map(count) {
        whole.push(quote!(#validation::MinItems::new(#n)));
    }
    if v.unique_items {
        whole.push(quote!(#validation::UniqueItems::new()));
    }
    if let Some(n) = v.max_properties.map(count) {
        whole.push(quote!(#validation::MaxProperties::new(#n)));
    }
    if let Some(n) = v.min_properties.map(count) {
        whole.push(quote!(#validation::MinProperties::new(#n)));
    }
    (elements, whole)
}

/// The description poem-openapi's derives read from the doc comment `doc_attr` writes: its lines
/// trimmed and joined, so a written-out schema says what a derived one would.
pub(super) fn description(docs: Option<&str>) -> Option<String> {
    let text = doc_text(&[docs]);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub(super) fn optional_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(t) => quote!(::std::option::Option::Some(#t)),
        None => quote!(::std::option::Option::None),
    }
}

/// `validator(...)` contents for poem-openapi, or nothing.
pub(super) fn validator_attr(v: &Validators) -> Option<TokenStream> {
    let mut parts = Vec::new();
    if let Some((min, exclusive)) = v.minimum {
        let value = f64_lit(min);
        parts.push(if exclusive {
            quote!(minimum(value = #value, exclusive))
        } else {
            quote!(minimum(value = #value))
        });
    }
    if let Some((max, exclusive)) = v.maximum {
        let value = f64_lit(max);
        parts.push(if exclusive {
            quote!(maximum(value = #value, exclusive))
        } else {
            quote!(maximum(value = #value))
        });
    }
    if let Some(m) = v.multiple_of {
        let m = Literal::f64_unsuffixed(m);
        parts.push(quote!(multiple_of = #m));
    }
    let (min_length, max_length, pattern) = text_constraints(v);
    if let Some(n) = min_length {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(min_length = #n));
    }
    if let Some(n) = max_length {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(max_length = #n));
    }
    if let Some(p) = pattern {
        parts.push(quote!(pattern = #p));
    }
    if let Some(n) = v.min_items {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(min_items = #n));
    }
    if let Some(n) = v.max_items {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(max_items = #n));
    }
    if v.unique_items {
        parts.push(quote!(unique_items));
    }
    if let Some(n) = v.min_properties {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(min_properties = #n));
    }
    if let Some(n) = v.max_properties {
        let n = Literal::usize_unsuffixed(n);
        parts.push(quote!(max_properties = #n));
    }
    if parts.is_empty() {
        None
    } else {
        Some(quote!(validator(#(#parts),*)))
    }
}
