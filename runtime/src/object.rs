//! Objects whose poem-openapi traits are not derived.
//!
//! - Objects with bounds on their number of properties (`minProperties`, `maxProperties`), which
//!   poem-openapi's `Object` derive cannot express: the derive goes on a hidden twin of the type
//!   with the same fields, and [`bounded_object!`](crate::bounded_object) implements the type's
//!   poem-openapi traits around the twin, checking the bounds when parsing and publishing them in
//!   the schema.
//! - Objects without constraints, whose traits obakit-codegen writes out rather than derives (the
//!   derive writes each property's code three times, for JSON, XML and YAML, which large specs pay
//!   for in compile time): each property is one call of [`take`], [`put`] or
//!   [`Schema::property`], and [`plain_object!`](crate::plain_object) implements the traits around
//!   the type's inherent `__register`, `__parse` and `__write`.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ToJSON, Type};
use poem_openapi::validation::{Validator, ValidatorMeta};
use serde_json::{Map, Value};

/// Checks the number of properties of a JSON object against its schema's bounds.
pub fn check_property_count(
    count: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), String> {
    if let Some(min) = min
        && count < min
    {
        return Err(format!("verification failed. minProperties({min})"));
    }
    if let Some(max) = max
        && count > max
    {
        return Err(format!("verification failed. maxProperties({max})"));
    }
    Ok(())
}

/// Implements poem-openapi's traits for `$ty` through `$wire`, its twin deriving `Object` with
/// `#[oai(rename = $schema_name, remote = "$ty")]`, adding the property-count bounds.
#[doc(hidden)]
#[macro_export]
macro_rules! __bounded_object {
    ($ty:ident, $wire:ident, $schema_name:literal, $min:expr, $max:expr) => {
        const _: () = {
            use $crate::reexports::poem_openapi::{registry, types};
            use $crate::reexports::serde_json::Value;

            impl types::Type for $ty {
                const IS_REQUIRED: bool = true;
                type RawValueType = Self;
                type RawElementValueType = Self;
                fn name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed($schema_name)
                }
                fn schema_ref() -> registry::MetaSchemaRef {
                    registry::MetaSchemaRef::Reference(::std::borrow::ToOwned::to_owned(
                        $schema_name,
                    ))
                }
                fn register(registry: &mut registry::Registry) {
                    <$wire as types::Type>::register(registry);
                    if let ::std::option::Option::Some(schema) =
                        registry.schemas.get_mut($schema_name)
                    {
                        schema.min_properties = $min;
                        schema.max_properties = $max;
                    }
                }
                fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                    ::std::option::Option::Some(self)
                }
                fn raw_element_iter<'a>(
                    &'a self,
                ) -> ::std::boxed::Box<dyn ::std::iter::Iterator<Item = &'a Self> + 'a> {
                    ::std::boxed::Box::new(::std::iter::once(self))
                }
            }
            impl types::IsObjectType for $ty {}
            impl types::ParseFromJSON for $ty {
                fn parse_from_json(
                    value: ::std::option::Option<Value>,
                ) -> types::ParseResult<Self> {
                    if let ::std::option::Option::Some(Value::Object(object)) = &value {
                        $crate::check_property_count(object.len(), $min, $max)
                            .map_err(types::ParseError::<Self>::custom)?;
                    }
                    <$wire as types::ParseFromJSON>::parse_from_json(value)
                        .map(::std::convert::Into::into)
                        .map_err(types::ParseError::propagate)
                }
            }
            impl types::ToJSON for $ty {
                fn to_json(&self) -> ::std::option::Option<Value> {
                    <$wire as types::ToJSON>::to_json(&<$wire as ::std::convert::From<$ty>>::from(
                        ::std::clone::Clone::clone(self),
                    ))
                }
            }
        };
    };
}

/// The properties of a JSON object, or the error for any other value.
pub fn properties<S: Type>(value: Option<Value>) -> Result<Map<String, Value>, ParseError<S>> {
    match value.unwrap_or_default() {
        Value::Object(properties) => Ok(properties),
        other => Err(ParseError::expected_type(other)),
    }
}

/// Parses the property `name` (absent is `None` for `T`), as a property of `S`.
pub fn take<T: ParseFromJSON, S: Type>(
    properties: &mut Map<String, Value>,
    name: &str,
) -> Result<T, ParseError<S>> {
    T::parse_from_json(properties.remove(name)).map_err(ParseError::propagate)
}

/// Parses the property `name`, or gives the spec's default when it is absent or null.
pub fn take_or<T: ParseFromJSON, S: Type>(
    properties: &mut Map<String, Value>,
    name: &str,
    default: fn() -> T,
) -> Result<T, ParseError<S>> {
    match properties.remove(name) {
        None | Some(Value::Null) => Ok(default()),
        value => T::parse_from_json(value).map_err(ParseError::propagate),
    }
}

/// Parses the property `name` as [`take`] or [`take_or`] do, then checks it against `rules`, as
/// a property of `S`. A default stands unchecked, as poem-openapi's derive leaves it.
pub fn take_checked<T: ParseFromJSON, S: Type>(
    properties: &mut Map<String, Value>,
    name: &str,
    default: Option<fn() -> T>,
    rules: Rules<'_, T>,
) -> Result<T, ParseError<S>> {
    let value = match (properties.remove(name), default) {
        (None | Some(Value::Null), Some(default)) => return Ok(default()),
        (value, _) => T::parse_from_json(value).map_err(ParseError::propagate)?,
    };
    rules.check(&value, name)?;
    Ok(value)
}

/// A constraint from the spec: it checks a value and writes itself into a schema.
pub trait Rule<T>: Validator<T> + ValidatorMeta {}

impl<T, R: Validator<T> + ValidatorMeta> Rule<T> for R {}

/// The constraints on a property of type `T`, as poem-openapi's `validator(…)` attribute holds
/// them: `elements` apply to the value itself, or to each item of a list or each value of a map;
/// `whole` to the value as one (item and property counts, uniqueness).
pub struct Rules<'r, T: Type> {
    pub elements: &'r [&'r dyn Rule<T::RawElementValueType>],
    pub whole: &'r [&'r dyn Rule<T::RawValueType>],
}

impl<T: Type> Rules<'_, T> {
    /// Checks in the derive's order, so that an invalid value gets the same message.
    fn check<S: Type>(&self, value: &T, name: &str) -> Result<(), ParseError<S>> {
        let failed = |rule: &dyn std::fmt::Display| {
            ParseError::custom(format!("field `{name}` verification failed. {rule}"))
        };
        for rule in self.elements {
            if value.raw_element_iter().any(|element| !rule.check(element)) {
                return Err(failed(rule));
            }
        }
        if let Some(raw) = value.as_raw_value() {
            for rule in self.whole {
                if !rule.check(raw) {
                    return Err(failed(rule));
                }
            }
        }
        Ok(())
    }

    /// Writes the constraints into the property's schema patch: element constraints go to the
    /// items of a list or the values of a map, as the derive publishes them.
    fn publish(&self, property: &MetaSchemaRef, patch: &mut MetaSchema) {
        for rule in self.whole {
            rule.update_meta(patch);
        }
        if self.elements.is_empty() {
            return;
        }
        let constrain = |schema: &mut MetaSchema| {
            for rule in self.elements {
                rule.update_meta(schema);
            }
        };
        let constrained = || {
            let mut schema = MetaSchema::ANY;
            constrain(&mut schema);
            Some(Box::new(MetaSchemaRef::Inline(Box::new(schema))))
        };
        if property.is_array() {
            patch.items = constrained();
        } else if property.is_object() {
            patch.additional_properties = constrained();
        } else {
            constrain(patch);
        }
    }
}

impl<T: Type> Default for Rules<'_, T> {
    fn default() -> Self {
        Self {
            elements: &[],
            whole: &[],
        }
    }
}

/// Writes the property `name` unless its value writes as nothing.
pub fn put<T: ToJSON>(properties: &mut Map<String, Value>, name: &str, value: &T) {
    if let Some(value) = value.to_json() {
        properties.insert(name.to_owned(), value);
    }
}

/// An object's schema as its properties are added, registering their types.
pub struct Schema<'r> {
    registry: &'r mut Registry,
    schema: MetaSchema,
}

impl<'r> Schema<'r> {
    pub fn new(registry: &'r mut Registry, name: &str, description: Option<&'static str>) -> Self {
        let schema = MetaSchema {
            title: Some(name.to_owned()),
            description,
            ..MetaSchema::new("object")
        };
        Self { registry, schema }
    }

    /// A property without a default, required unless `T` may be absent.
    pub fn property<T: ToJSON>(&mut self, name: &'static str, description: Option<&'static str>) {
        self.property_with::<T>(name, description, false, None);
    }

    pub fn property_with<T: ToJSON>(
        &mut self,
        name: &'static str,
        description: Option<&'static str>,
        deprecated: bool,
        default: Option<fn() -> T>,
    ) {
        self.property_checked(name, description, deprecated, default, Rules::default());
    }

    /// A property with constraints, published in its schema.
    pub fn property_checked<T: ToJSON>(
        &mut self,
        name: &'static str,
        description: Option<&'static str>,
        deprecated: bool,
        default: Option<fn() -> T>,
        rules: Rules<'_, T>,
    ) {
        T::register(self.registry);
        if T::IS_REQUIRED && default.is_none() {
            self.schema.required.push(name);
        }
        let mut patch = MetaSchema {
            default: default.and_then(|default| default().to_json()),
            deprecated,
            description,
            ..MetaSchema::ANY
        };
        let property = T::schema_ref();
        rules.publish(&property, &mut patch);
        self.schema.properties.push((name, property.merge(patch)));
    }

    pub fn finish(self) -> MetaSchema {
        self.schema
    }
}

/// Implements poem-openapi's traits for `$ty`, whose inherent `__register`, `__parse` and
/// `__write` describe, read and write its properties (see the module's documentation).
#[doc(hidden)]
#[macro_export]
macro_rules! __plain_object {
    ($ty:ident, $name:literal) => {
        const _: () = {
            use $crate::reexports::poem_openapi::{registry, types};
            use $crate::reexports::serde_json::{Map, Value};

            impl types::Type for $ty {
                const IS_REQUIRED: bool = true;
                type RawValueType = Self;
                type RawElementValueType = Self;
                fn name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed($name)
                }
                fn schema_ref() -> registry::MetaSchemaRef {
                    registry::MetaSchemaRef::Reference(::std::borrow::ToOwned::to_owned($name))
                }
                fn register(registry: &mut registry::Registry) {
                    registry.create_schema::<Self, _>(
                        ::std::borrow::ToOwned::to_owned($name),
                        Self::__register,
                    );
                }
                fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                    ::std::option::Option::Some(self)
                }
                fn raw_element_iter<'a>(
                    &'a self,
                ) -> ::std::boxed::Box<dyn ::std::iter::Iterator<Item = &'a Self> + 'a> {
                    ::std::boxed::Box::new(::std::iter::once(self))
                }
            }
            impl types::IsObjectType for $ty {}
            impl types::ParseFromJSON for $ty {
                fn parse_from_json(
                    value: ::std::option::Option<Value>,
                ) -> types::ParseResult<Self> {
                    Self::__parse($crate::object::properties(value)?)
                }
            }
            impl types::ToJSON for $ty {
                fn to_json(&self) -> ::std::option::Option<Value> {
                    let mut properties = Map::new();
                    self.__write(&mut properties);
                    ::std::option::Option::Some(Value::Object(properties))
                }
            }
            // XML and YAML bodies hold the same properties, read and written as JSON.
            impl types::ParseFromXML for $ty {
                fn parse_from_xml(value: ::std::option::Option<Value>) -> types::ParseResult<Self> {
                    <Self as types::ParseFromJSON>::parse_from_json(value)
                }
            }
            impl types::ToXML for $ty {
                fn to_xml(&self) -> ::std::option::Option<Value> {
                    <Self as types::ToJSON>::to_json(self)
                }
            }
            impl types::ParseFromYAML for $ty {
                fn parse_from_yaml(
                    value: ::std::option::Option<Value>,
                ) -> types::ParseResult<Self> {
                    <Self as types::ParseFromJSON>::parse_from_json(value)
                }
            }
            impl types::ToYAML for $ty {
                fn to_yaml(&self) -> ::std::option::Option<Value> {
                    <Self as types::ToJSON>::to_json(self)
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use poem_openapi::registry::Registry;
    use poem_openapi::types::{ParseFromJSON, ToJSON, Type};
    use serde_json::json;

    #[derive(Debug, Clone, PartialEq)]
    struct Contact {
        email: Option<String>,
        phone: Option<String>,
    }

    /// A way to reach someone.
    #[derive(Object)]
    #[oai(rename = "Contact", remote = "Contact")]
    struct ContactWire {
        #[oai(skip_serializing_if_is_none, validator(min_length = 3))]
        email: Option<String>,
        #[oai(skip_serializing_if_is_none)]
        phone: Option<String>,
    }

    crate::bounded_object!(Contact, ContactWire, "Contact", Some(1), Some(2));

    /// A written-out object with constraints, as obakit-codegen writes it.
    #[derive(Debug, Clone, PartialEq)]
    struct Account {
        name: String,
        tags: Option<Vec<String>>,
        age: Option<i64>,
    }

    // Generated code writes each property's rules where they are used, as these macros do.
    macro_rules! rules_of_name {
        () => {
            super::Rules {
                elements: &[
                    &poem_openapi::validation::MaxLength::new(5),
                    &poem_openapi::validation::Pattern::new("^[a-z]+$"),
                ],
                whole: &[],
            }
        };
    }
    macro_rules! rules_of_tags {
        () => {
            super::Rules {
                elements: &[&poem_openapi::validation::MinLength::new(2)],
                whole: &[
                    &poem_openapi::validation::MaxItems::new(2),
                    &poem_openapi::validation::UniqueItems::new(),
                ],
            }
        };
    }
    macro_rules! rules_of_age {
        () => {
            super::Rules {
                elements: &[&poem_openapi::validation::Maximum::new(150.0, true)],
                whole: &[],
            }
        };
    }

    impl Account {
        fn __register(registry: &mut Registry) -> poem_openapi::registry::MetaSchema {
            let mut schema = super::Schema::new(registry, "Account", None);
            schema.property_checked::<String>("name", None, false, None, rules_of_name!());
            schema.property_checked::<Option<Vec<String>>>(
                "tags",
                None,
                false,
                None,
                rules_of_tags!(),
            );
            schema.property_checked::<Option<i64>>("age", None, false, None, rules_of_age!());
            schema.finish()
        }
        fn __parse(
            mut properties: serde_json::Map<String, serde_json::Value>,
        ) -> poem_openapi::types::ParseResult<Self> {
            Ok(Self {
                name: super::take_checked(&mut properties, "name", None, rules_of_name!())?,
                tags: super::take_checked(&mut properties, "tags", None, rules_of_tags!())?,
                age: super::take_checked(&mut properties, "age", None, rules_of_age!())?,
            })
        }
        fn __write(&self, properties: &mut serde_json::Map<String, serde_json::Value>) {
            super::put(properties, "name", &self.name);
            super::put(properties, "tags", &self.tags);
            super::put(properties, "age", &self.age);
        }
    }

    crate::plain_object!(Account, "Account");

    // The same object, derived.
    #[derive(Debug, Object)]
    #[oai(rename = "Account")]
    struct DerivedAccount {
        #[oai(validator(max_length = 5, pattern = "^[a-z]+$"))]
        name: String,
        #[oai(validator(min_length = 2, max_items = 2, unique_items))]
        tags: Option<Vec<String>>,
        #[oai(validator(maximum(value = 150.0, exclusive)))]
        age: Option<i64>,
    }

    #[test]
    fn written_out_constraints_reject_what_the_derive_rejects_with_its_message() {
        for input in [
            json!({"name": "abcdef"}),
            json!({"name": "ABC"}),
            json!({"name": "abc", "tags": ["x"]}),
            json!({"name": "abc", "tags": ["xy", "xy"]}),
            json!({"name": "abc", "tags": ["xy", "yz", "zz"]}),
            json!({"name": "abc", "age": 150}),
        ] {
            let written = Account::parse_from_json(Some(input.clone()))
                .unwrap_err()
                .into_message();
            let derived = DerivedAccount::parse_from_json(Some(input))
                .unwrap_err()
                .into_message();
            assert_eq!(written, derived);
        }
        let valid = json!({"name": "abc", "tags": ["xy", "yz"], "age": 149});
        let account = Account::parse_from_json(Some(valid.clone())).unwrap();
        assert_eq!(account.to_json(), Some(valid));
    }

    #[test]
    fn written_out_constraints_are_published_as_the_derive_publishes_them() {
        let schema_of = |register: fn(&mut Registry)| {
            let mut registry = Registry::new();
            register(&mut registry);
            serde_json::to_value(&registry.schemas["Account"]).unwrap()
        };
        let written = schema_of(Account::register);
        assert_eq!(written, schema_of(DerivedAccount::register));
        assert_eq!(written["properties"]["tags"]["items"]["minLength"], 2);
        assert_eq!(written["properties"]["name"]["maxLength"], 5);
    }

    #[test]
    fn bounded_object_checks_its_property_count_then_its_fields() {
        let parse = |v: serde_json::Value| Contact::parse_from_json(Some(v));
        let contact = parse(json!({"email": "a@b"})).unwrap();
        assert_eq!(contact.email.as_deref(), Some("a@b"));
        assert_eq!(contact.to_json(), Some(json!({"email": "a@b"})));
        let too_few = parse(json!({})).unwrap_err().into_message();
        assert_eq!(
            too_few,
            r#"failed to parse "Contact": verification failed. minProperties(1)"#
        );
        let too_many = parse(json!({"email": "a@b", "phone": "1", "fax": "2"}))
            .unwrap_err()
            .into_message();
        assert!(too_many.contains("maxProperties(2)"), "{too_many}");
        let field = parse(json!({"email": "a"})).unwrap_err().into_message();
        assert!(
            field.contains("field `email` verification failed"),
            "{field}"
        );
    }

    #[test]
    fn bounded_object_is_registered_with_its_bounds_and_description() {
        let mut registry = Registry::new();
        Contact::register(&mut registry);
        let schema = &registry.schemas["Contact"];
        assert_eq!(schema.min_properties, Some(1));
        assert_eq!(schema.max_properties, Some(2));
        assert_eq!(schema.description, Some("A way to reach someone."));
        assert_eq!(schema.properties.len(), 2);
    }
}
