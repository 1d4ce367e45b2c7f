//! Objects with bounds on their number of properties (`minProperties`, `maxProperties`), which
//! poem-openapi's `Object` derive cannot express: the derive goes on a hidden twin of the type with
//! the same fields, and [`bounded_object!`](crate::bounded_object) implements the type's
//! poem-openapi traits around the twin, checking the bounds when parsing and publishing them in the
//! schema.

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
