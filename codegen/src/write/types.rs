//! One types module → Rust: poem-openapi objects, open enums, unions and aliases.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::tokens::{
    Paths, description, doc_attr, doc_parts, field_value_tokens, ident, optional_str, rules_tokens,
    type_tokens, validator_attr,
};
use crate::model::{EnumDef, Field, ObjectDef, TypeDef, TypeKind, TypeModule, UnionDef};

/// The types of `module` in `range` (by position in the module's order).
pub(super) fn module_part(
    module: &TypeModule,
    range: std::ops::Range<usize>,
    paths: &Paths,
) -> TokenStream {
    let items = module
        .types
        .values()
        .skip(range.start)
        .take(range.len())
        .map(|t| type_def(t, &module.name, paths));
    quote! { #(#items)* }
}

fn type_def(def: &TypeDef, module: &str, paths: &Paths) -> TokenStream {
    let docs = doc_attr(def.docs.as_deref());
    match &def.kind {
        TypeKind::Object(o) => object(def, o, &docs, module, paths),
        TypeKind::Enum(e) => open_enum(def, e, paths),
        TypeKind::Union(u) => union(def, u, &docs, module, paths),
        TypeKind::Alias(target) => {
            let name = ident(&def.rust_name);
            let target = type_tokens(target, Some(module));
            quote! { #docs pub type #name = #target; }
        }
        TypeKind::Multipart(m) => super::multipart::type_def(def, m, &docs, module, paths),
    }
}

fn object(
    def: &TypeDef,
    o: &ObjectDef,
    docs: &TokenStream,
    module: &str,
    paths: &Paths,
) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let schema_name = &def.schema_name;
    let fields: Vec<FieldParts> = o.fields.iter().map(|f| field(f, module, paths)).collect();
    // An object with a required field is never written as `{}`.
    let emptiness = if o
        .fields
        .iter()
        .any(|f| f.required && !f.flatten || f.default.is_some())
        || o.fields.is_empty()
    {
        quote!(false)
    } else {
        let checks = o.fields.iter().map(|f| {
            let n = ident(&f.rust_name);
            if f.flatten {
                quote!(self.#n.is_empty())
            } else {
                quote!(#rt::is_absent(&self.#n))
            }
        });
        quote!(#(#checks)&&*)
    };
    let defaults = o.fields.iter().filter_map(|f| default_fn(f, module));
    let is_empty = quote! {
        impl #rt::IsEmptyValue for #name {
            fn is_empty_value(&self) -> bool { #emptiness }
        }
    };
    if is_plain(o) {
        let struct_fields = fields.iter().map(|f| {
            let FieldParts { docs, name, ty, .. } = f;
            quote!(#docs pub #name: #ty,)
        });
        let traits = plain_traits(def, o, &fields, paths);
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name {
                #(#struct_fields)*
            }
            #traits
            #is_empty
            #(#defaults)*
        };
    }
    let Some(bounds) = &o.bounds else {
        let fields = fields.iter().map(|f| {
            let FieldParts {
                docs,
                oai,
                name,
                ty,
            } = f;
            quote!(#docs #oai pub #name: #ty,)
        });
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, ::poem_openapi::Object)]
            #[oai(rename = #schema_name)]
            pub struct #name {
                #(#fields)*
            }
            #is_empty
            #(#defaults)*
        };
    };
    // poem-openapi derives `Object` for a hidden twin; the runtime adds the property-count bounds.
    let wire = ident(&bounds.wire_type);
    let remote = def.rust_name.as_str();
    let plain_fields = fields.iter().map(|f| {
        let FieldParts { docs, name, ty, .. } = f;
        quote!(#docs pub #name: #ty,)
    });
    let wire_fields = fields.iter().map(|f| {
        let FieldParts {
            docs,
            oai,
            name,
            ty,
            ..
        } = f;
        quote!(#docs #oai #name: #ty,)
    });
    let bound = |b: Option<usize>| match b {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    };
    let (min, max) = (bound(bounds.min), bound(bounds.max));
    let schema_name = Literal::string(schema_name);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#plain_fields)*
        }
        #docs
        #[doc(hidden)]
        #[derive(::poem_openapi::Object)]
        #[oai(rename = #schema_name, remote = #remote)]
        struct #wire {
            #(#wire_fields)*
        }
        #rt::bounded_object!(#name, #wire, #schema_name, #min, #max);
        #is_empty
        #(#defaults)*
    }
}

/// An object without property-count bounds whose properties are not flattened: its poem-openapi
/// traits are written out (`plain_traits`) instead of derived. The derive writes each property's
/// parsing and writing three times (JSON, XML, YAML) and its schema as a block of its own: checking
/// OpenAI's types alone (1,612 derived objects) took 55 s and 3.5 GB, of 184 s and 4.7 GB for its
/// whole crate; written out, 40 s and 2.5 GB. Here each property is one call of the runtime's
/// `object` helpers, its constraints a list of poem-openapi's validators handed to them, and XML
/// and YAML call the JSON code (`plain_object!`), as the derive's code does for each property.
/// Constrained properties were left to the derive at first: Stripe's 541 objects with a
/// `maxLength` kept its crate at 237 s and 5.4 GB; written out too, 80 s and 4.0 GB.
fn is_plain(o: &ObjectDef) -> bool {
    o.bounds.is_none() && o.fields.iter().all(|f| !f.flatten)
}

/// poem-openapi's traits of a plain object (`is_plain`), written out as `derive(Object)` would.
fn plain_traits(def: &TypeDef, o: &ObjectDef, fields: &[FieldParts], paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let schema_name = Literal::string(&def.schema_name);
    let object_description = optional_str(description(def.docs.as_deref()).as_deref());
    let default_of = |f: &Field| f.default_fn.as_deref().map(ident);
    let optional_default = |f: &Field| match default_of(f) {
        Some(default) => quote!(::std::option::Option::Some(#default)),
        None => quote!(::std::option::Option::None),
    };
    let parse = o.fields.iter().zip(fields).map(|(f, parts)| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        if !f.validators.is_empty() {
            let ty = &parts.ty;
            let default = optional_default(f);
            let rules = rules_tokens(&f.validators, rt);
            return quote!(#n: #rt::object::take_checked::<#ty, Self>(&mut properties, #wire, #default, #rules)?,);
        }
        match default_of(f) {
            Some(default) => quote!(#n: #rt::object::take_or(&mut properties, #wire, #default)?,),
            None => quote!(#n: #rt::object::take(&mut properties, #wire)?,),
        }
    });
    let write = o.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        let put = quote!(#rt::object::put(properties, #wire, &self.#n););
        if f.required || has_default(f) {
            put
        } else {
            quote!(if !#rt::is_absent(&self.#n) { #put })
        }
    });
    let register = o.fields.iter().zip(fields).map(|(f, parts)| {
        let wire = &f.wire_name;
        let ty = &parts.ty;
        let description = optional_str(description(f.docs.as_deref()).as_deref());
        let deprecated = f.deprecated;
        let default = optional_default(f);
        if !f.validators.is_empty() {
            let rules = rules_tokens(&f.validators, rt);
            quote!(schema.property_checked::<#ty>(#wire, #description, #deprecated, #default, #rules);)
        } else if deprecated || f.default_fn.is_some() {
            quote!(schema.property_with::<#ty>(#wire, #description, #deprecated, #default);)
        } else {
            quote!(schema.property::<#ty>(#wire, #description);)
        }
    });
    // An object without properties reads and writes no property.
    let (properties, mutable) = if o.fields.is_empty() {
        (quote!(_properties), TokenStream::new())
    } else {
        (quote!(properties), quote!(mut))
    };
    quote! {
        impl #name {
            fn __register(
                registry: &mut ::poem_openapi::registry::Registry,
            ) -> ::poem_openapi::registry::MetaSchema {
                let #mutable schema = #rt::object::Schema::new(registry, #schema_name, #object_description);
                #(#register)*
                schema.finish()
            }
            fn __parse(
                #mutable #properties: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            ) -> ::poem_openapi::types::ParseResult<Self> {
                ::std::result::Result::Ok(Self { #(#parse)* })
            }
            fn __write(&self, #properties: &mut ::serde_json::Map<::std::string::String, ::serde_json::Value>) {
                #(#write)*
            }
        }
        #rt::plain_object!(#name, #schema_name);
    }
}

/// Optional properties with a spec default are plain values filled with the default when absent.
fn has_default(f: &Field) -> bool {
    f.default_fn.is_some()
}

/// A function giving a property's spec default, for `#[oai(default = "…")]`.
fn default_fn(f: &Field, module: &str) -> Option<TokenStream> {
    let value = f.default.as_ref()?;
    let fn_name = ident(f.default_fn.as_deref()?);
    let ty = field_value_tokens(f, Some(module));
    let json = value.to_string();
    Some(quote! {
        fn #fn_name() -> #ty {
            // The spec's default, parsed by the same code that parses requests.
            <#ty as ::poem_openapi::types::ParseFromJSON>::parse_from_json(::serde_json::from_str(#json).ok())
                .expect("the spec's default value matches its schema")
        }
    })
}

/// A struct field's pieces: its docs, poem-openapi attributes, name and type.
struct FieldParts {
    docs: TokenStream,
    oai: TokenStream,
    name: proc_macro2::Ident,
    ty: TokenStream,
}

fn field(f: &Field, module: &str, paths: &Paths) -> FieldParts {
    let rt = &paths.rt;
    let docs = doc_attr(f.docs.as_deref());
    let name = ident(&f.rust_name);
    let wire = &f.wire_name;
    let inner = field_value_tokens(f, Some(module));
    if f.flatten {
        return FieldParts {
            docs,
            oai: quote!(#[oai(flatten)]),
            name,
            ty: inner,
        };
    }
    let validator = validator_attr(&f.validators);
    let mut attrs = vec![quote!(rename = #wire)];
    let has_default = has_default(f);
    let ty = if let Some(fn_name) = &f.default_fn {
        attrs.push(quote!(default = #fn_name));
        inner.clone()
    } else if f.required && !f.nullable {
        inner.clone()
    } else {
        quote!(::std::option::Option<#inner>)
    };
    if !f.required && !has_default {
        let skip = format!("{rt}::is_absent").replace(' ', "");
        attrs.push(quote!(skip_serializing_if = #skip));
    }
    if let Some(v) = validator {
        attrs.push(v);
    }
    if f.deprecated {
        attrs.push(quote!(deprecated));
    }
    FieldParts {
        docs,
        oai: quote!(#[oai(#(#attrs),*)]),
        name,
        ty,
    }
}

fn open_enum(def: &TypeDef, e: &EnumDef, paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let schema_name = Literal::string(&def.schema_name);
    let unknown = ident(&e.unknown_variant);
    let variants = e.variants.iter().map(|v| {
        let doc = format!(" `{}`", v.wire_name);
        let n = ident(&v.rust_name);
        quote!(#[doc = #doc] #n,)
    });
    let wires = e.variants.iter().map(|v| &v.wire_name);
    let to_wire = e.variants.iter().map(|v| {
        let n = ident(&v.rust_name);
        let w = &v.wire_name;
        quote!(Self::#n => #w,)
    });
    let from_wire = e.variants.iter().map(|v| {
        let n = ident(&v.rust_name);
        let w = &v.wire_name;
        quote!(#w => Self::#n,)
    });
    let docs_value = match &def.docs {
        Some(d) => quote!(::std::option::Option::Some(#d)),
        None => quote!(::std::option::Option::None),
    };
    let docs = doc_parts(&[
        def.docs.as_deref(),
        Some("Open: a value the spec does not list is kept in the last variant and passed on."),
    ]);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list, kept as received.
            #unknown(::std::string::String),
        }
        impl #name {
            /// The values the spec lists.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#unknown(value) => value,
                }
            }
            /// The variant for a wire value; values the spec does not list are kept.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #(#from_wire)*
                    other => Self::#unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }
        #rt::open_enum!(#name, #schema_name, #docs_value);
    }
}

fn union(
    def: &TypeDef,
    u: &UnionDef,
    docs: &TokenStream,
    module: &str,
    paths: &Paths,
) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let schema_name = &def.schema_name;
    let variants = u.variants.iter().map(|v| {
        let n = ident(&v.rust_name);
        let ty = type_tokens(&v.ty, Some(module));
        let mapping = v.mapping.as_ref().map(|m| quote!(#[oai(mapping = #m)]));
        quote!(#mapping #n(#ty),)
    });
    let mut args = vec![quote!(rename = #schema_name)];
    if u.one_of {
        args.push(quote!(one_of));
    }
    if let Some(d) = &u.discriminator {
        args.push(quote!(discriminator_name = #d));
    }
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::poem_openapi::Union)]
        #[oai(#(#args),*)]
        pub enum #name {
            #(#variants)*
        }
        impl #rt::IsEmptyValue for #name {
            fn is_empty_value(&self) -> bool { false }
        }
    }
}
