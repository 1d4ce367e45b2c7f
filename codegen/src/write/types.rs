//! One types module → Rust: poem-openapi objects, open enums, unions and aliases.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::tokens::{
    Paths, doc_attr, doc_parts, doc_text, field_value_tokens, ident, type_tokens, validator_attr,
};
use crate::model::{EnumDef, Field, ObjectDef, TypeDef, TypeKind, TypeModule, UnionDef};

pub(super) fn module(module: &TypeModule, paths: &Paths) -> TokenStream {
    let items = module
        .types
        .values()
        .map(|t| type_def(t, &module.name, paths));
    let helpers = module
        .types
        .values()
        .any(|t| matches!(&t.kind, TypeKind::Object(o) if is_plain(o)))
        .then(object_helpers);
    quote! { #helpers #(#items)* }
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
    let fields: Vec<FieldParts> = o
        .fields
        .iter()
        .map(|f| field(f, module, paths, o.serde))
        .collect();
    let serde_derive = if o.serde {
        quote!(::serde::Serialize, ::serde::Deserialize,)
    } else {
        TokenStream::new()
    };
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
            let FieldParts {
                docs,
                serde,
                name,
                ty,
                ..
            } = f;
            quote!(#docs #serde pub #name: #ty,)
        });
        let traits = plain_traits(def, o, &fields, paths);
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #serde_derive)]
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
                serde,
                name,
                ty,
            } = f;
            quote!(#docs #oai #serde pub #name: #ty,)
        });
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #serde_derive ::poem_openapi::Object)]
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
        let FieldParts {
            docs,
            serde,
            name,
            ty,
            ..
        } = f;
        quote!(#docs #serde pub #name: #ty,)
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
        #[derive(Debug, Clone, PartialEq, #serde_derive)]
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

/// An object whose properties have no constraint and none is flattened: its poem-openapi traits are
/// written out (`plain_traits`) instead of derived. The derive writes each property's parsing and
/// writing three times (JSON, XML, YAML) and its schema as a block of its own: checking OpenAI's
/// types alone (1,612 derived objects) took 55 s and 3.5 GB, of 184 s and 4.7 GB for its whole
/// crate; written out, 40 s and 2.5 GB. Here each property is one call of the helpers
/// `object_helpers` writes once per module, and XML and YAML call the JSON code, as the derive's
/// code does for each property. Constraints and flattened maps are left to the derive.
fn is_plain(o: &ObjectDef) -> bool {
    o.bounds.is_none()
        && o.fields
            .iter()
            .all(|f| !f.flatten && f.validators.is_empty())
}

/// What each plain object's traits call, once per types module.
fn object_helpers() -> TokenStream {
    quote! {
        /// What the objects of this module call to parse, write and describe themselves.
        #[doc(hidden)]
        mod __object {
            use ::poem_openapi::registry::{MetaSchema, Registry};
            use ::poem_openapi::types::{ParseError, ParseFromJSON, ToJSON, Type};
            use ::serde_json::{Map, Value};

            /// The properties of a JSON object, or the error for any other value.
            pub(super) fn properties<S: Type>(
                value: ::std::option::Option<Value>,
            ) -> ::std::result::Result<Map<::std::string::String, Value>, ParseError<S>> {
                match value.unwrap_or_default() {
                    Value::Object(properties) => ::std::result::Result::Ok(properties),
                    other => ::std::result::Result::Err(ParseError::expected_type(other)),
                }
            }

            /// Parses the property `name` (absent is `None` for `T`), as a property of `S`.
            pub(super) fn take<T: ParseFromJSON, S: Type>(
                properties: &mut Map<::std::string::String, Value>,
                name: &str,
            ) -> ::std::result::Result<T, ParseError<S>> {
                T::parse_from_json(properties.remove(name)).map_err(ParseError::propagate)
            }

            /// Parses the property `name`, or gives the spec's default when it is absent or null.
            pub(super) fn take_or<T: ParseFromJSON, S: Type>(
                properties: &mut Map<::std::string::String, Value>,
                name: &str,
                default: fn() -> T,
            ) -> ::std::result::Result<T, ParseError<S>> {
                match properties.remove(name) {
                    ::std::option::Option::None | ::std::option::Option::Some(Value::Null) => {
                        ::std::result::Result::Ok(default())
                    }
                    value => T::parse_from_json(value).map_err(ParseError::propagate),
                }
            }

            /// Writes the property `name` unless its value writes as nothing.
            pub(super) fn put<T: ToJSON>(
                properties: &mut Map<::std::string::String, Value>,
                name: &str,
                value: &T,
            ) {
                if let ::std::option::Option::Some(value) = value.to_json() {
                    properties.insert(::std::borrow::ToOwned::to_owned(name), value);
                }
            }

            /// An object's schema as its properties are added, registering their types.
            pub(super) struct Schema<'r> {
                registry: &'r mut Registry,
                schema: MetaSchema,
            }

            impl<'r> Schema<'r> {
                pub(super) fn new(
                    registry: &'r mut Registry,
                    name: &str,
                    description: ::std::option::Option<&'static str>,
                ) -> Self {
                    let schema = MetaSchema {
                        title: ::std::option::Option::Some(::std::borrow::ToOwned::to_owned(name)),
                        description,
                        ..MetaSchema::new("object")
                    };
                    Self { registry, schema }
                }

                /// A property without a default, required unless `T` may be absent.
                pub(super) fn property<T: ToJSON>(
                    &mut self,
                    name: &'static str,
                    description: ::std::option::Option<&'static str>,
                ) {
                    self.property_with::<T>(name, description, false, ::std::option::Option::None);
                }

                pub(super) fn property_with<T: ToJSON>(
                    &mut self,
                    name: &'static str,
                    description: ::std::option::Option<&'static str>,
                    deprecated: bool,
                    default: ::std::option::Option<fn() -> T>,
                ) {
                    T::register(self.registry);
                    if T::IS_REQUIRED && default.is_none() {
                        self.schema.required.push(name);
                    }
                    let patch = MetaSchema {
                        default: default.and_then(|default| default().to_json()),
                        deprecated,
                        description,
                        ..MetaSchema::ANY
                    };
                    self.schema.properties.push((name, T::schema_ref().merge(patch)));
                }

                pub(super) fn finish(self) -> MetaSchema {
                    self.schema
                }
            }

            /// poem-openapi's traits for an object whose inherent `__register`, `__parse` and
            /// `__write` describe, read and write its properties.
            macro_rules! traits {
                ($ty:ident, $name:literal) => {
                    impl ::poem_openapi::types::Type for $ty {
                        const IS_REQUIRED: bool = true;
                        type RawValueType = Self;
                        type RawElementValueType = Self;
                        fn name() -> ::std::borrow::Cow<'static, str> {
                            ::std::borrow::Cow::Borrowed($name)
                        }
                        fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                            ::poem_openapi::registry::MetaSchemaRef::Reference(::std::borrow::ToOwned::to_owned($name))
                        }
                        fn register(registry: &mut ::poem_openapi::registry::Registry) {
                            registry.create_schema::<Self, _>(::std::borrow::ToOwned::to_owned($name), Self::__register);
                        }
                        fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                            ::std::option::Option::Some(self)
                        }
                        fn raw_element_iter<'a>(&'a self) -> ::std::boxed::Box<dyn ::std::iter::Iterator<Item = &'a Self> + 'a> {
                            ::std::boxed::Box::new(::std::iter::once(self))
                        }
                    }
                    impl ::poem_openapi::types::IsObjectType for $ty {}
                    impl ::poem_openapi::types::ParseFromJSON for $ty {
                        fn parse_from_json(value: ::std::option::Option<::serde_json::Value>) -> ::poem_openapi::types::ParseResult<Self> {
                            Self::__parse(__object::properties(value)?)
                        }
                    }
                    impl ::poem_openapi::types::ToJSON for $ty {
                        fn to_json(&self) -> ::std::option::Option<::serde_json::Value> {
                            let mut properties = ::serde_json::Map::new();
                            self.__write(&mut properties);
                            ::std::option::Option::Some(::serde_json::Value::Object(properties))
                        }
                    }
                    // XML and YAML bodies hold the same properties, read and written as JSON.
                    impl ::poem_openapi::types::ParseFromXML for $ty {
                        fn parse_from_xml(value: ::std::option::Option<::serde_json::Value>) -> ::poem_openapi::types::ParseResult<Self> {
                            <Self as ::poem_openapi::types::ParseFromJSON>::parse_from_json(value)
                        }
                    }
                    impl ::poem_openapi::types::ToXML for $ty {
                        fn to_xml(&self) -> ::std::option::Option<::serde_json::Value> {
                            <Self as ::poem_openapi::types::ToJSON>::to_json(self)
                        }
                    }
                    impl ::poem_openapi::types::ParseFromYAML for $ty {
                        fn parse_from_yaml(value: ::std::option::Option<::serde_json::Value>) -> ::poem_openapi::types::ParseResult<Self> {
                            <Self as ::poem_openapi::types::ParseFromJSON>::parse_from_json(value)
                        }
                    }
                    impl ::poem_openapi::types::ToYAML for $ty {
                        fn to_yaml(&self) -> ::std::option::Option<::serde_json::Value> {
                            <Self as ::poem_openapi::types::ToJSON>::to_json(self)
                        }
                    }
                };
            }
            pub(super) use traits;
        }
    }
}

/// poem-openapi's traits of a plain object (`is_plain`), written out as `derive(Object)` would.
fn plain_traits(def: &TypeDef, o: &ObjectDef, fields: &[FieldParts], paths: &Paths) -> TokenStream {
    let rt = &paths.rt;
    let name = ident(&def.rust_name);
    let schema_name = Literal::string(&def.schema_name);
    let object_description = optional_str(description(def.docs.as_deref()).as_deref());
    let default_of = |f: &Field| f.default_fn.as_deref().map(ident);
    let parse = o.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        match default_of(f) {
            Some(default) => quote!(#n: __object::take_or(&mut properties, #wire, #default)?,),
            None => quote!(#n: __object::take(&mut properties, #wire)?,),
        }
    });
    let write = o.fields.iter().map(|f| {
        let n = ident(&f.rust_name);
        let wire = &f.wire_name;
        let put = quote!(__object::put(properties, #wire, &self.#n););
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
        let default = match default_of(f) {
            Some(default) => quote!(::std::option::Option::Some(#default)),
            None => quote!(::std::option::Option::None),
        };
        if deprecated || f.default_fn.is_some() {
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
                let #mutable schema = __object::Schema::new(registry, #schema_name, #object_description);
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
        __object::traits!(#name, #schema_name);
    }
}

/// The description poem-openapi's derives read from the doc comment `doc_attr` writes: its lines
/// trimmed and joined, so a written-out schema says what a derived one would.
fn description(docs: Option<&str>) -> Option<String> {
    let text = doc_text(&[docs]);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn optional_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(t) => quote!(::std::option::Option::Some(#t)),
        None => quote!(::std::option::Option::None),
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

/// A struct field's pieces: its docs, poem-openapi and serde attributes, name and type.
struct FieldParts {
    docs: TokenStream,
    oai: TokenStream,
    serde: TokenStream,
    name: proc_macro2::Ident,
    ty: TokenStream,
}

fn field(f: &Field, module: &str, paths: &Paths, serde: bool) -> FieldParts {
    let rt = &paths.rt;
    let docs = doc_attr(f.docs.as_deref());
    let name = ident(&f.rust_name);
    let wire = &f.wire_name;
    let inner = field_value_tokens(f, Some(module));
    if f.flatten {
        let serde_attrs = if serde {
            quote!(#[serde(flatten)])
        } else {
            TokenStream::new()
        };
        return FieldParts {
            docs,
            oai: quote!(#[oai(flatten)]),
            serde: serde_attrs,
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
    let serde_attrs = if serde {
        let skip = if f.required || has_default {
            TokenStream::new()
        } else {
            quote!(, default, skip_serializing_if = "::std::option::Option::is_none")
        };
        quote!(#[serde(rename = #wire #skip)])
    } else {
        TokenStream::new()
    };
    FieldParts {
        docs,
        oai: quote!(#[oai(#(#attrs),*)]),
        serde: serde_attrs,
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
    // A union in a form is written by serde like the form's other values: as the alternative it
    // holds, the way a form field carries no type tag.
    let serde = if u.serde {
        quote!(
            #[derive(::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
        )
    } else {
        TokenStream::new()
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::poem_openapi::Union)]
        #serde
        #[oai(#(#args),*)]
        pub enum #name {
            #(#variants)*
        }
        impl #rt::IsEmptyValue for #name {
            fn is_empty_value(&self) -> bool { false }
        }
    }
}
