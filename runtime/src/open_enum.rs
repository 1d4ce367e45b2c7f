//! Open enumerations: the spec's values as variants plus one that keeps any other value, so a
//! value Orange adds in a minor version is passed on instead of failing the request.

/// Implements poem-openapi's and serde's traits for a generated open enum.
///
/// The enum must have inherent `VALUES`, `as_str()` and `from_wire()`, which the generator writes.
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum {
    ($ty:ident, $schema_name:literal, $docs:expr) => {
        const _: () = {
            use $crate::reexports::poem_openapi::{registry, types};
            use $crate::reexports::serde_json::Value;

            impl ::std::fmt::Display for $ty {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            impl ::std::convert::From<&str> for $ty {
                fn from(value: &str) -> Self {
                    Self::from_wire(value)
                }
            }
            impl types::Type for $ty {
                const IS_REQUIRED: bool = true;
                type RawValueType = Self;
                type RawElementValueType = Self;
                fn name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed($schema_name)
                }
                fn schema_ref() -> registry::MetaSchemaRef {
                    registry::MetaSchemaRef::Reference($schema_name.to_owned())
                }
                fn register(registry: &mut registry::Registry) {
                    registry.create_schema::<Self, _>($schema_name.to_owned(), |_| registry::MetaSchema {
                        description: $docs,
                        enum_items: Self::VALUES.iter().map(|v| Value::String((*v).to_owned())).collect(),
                        ..registry::MetaSchema::new("string")
                    });
                }
                fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                    ::std::option::Option::Some(self)
                }
                fn raw_element_iter<'a>(&'a self) -> ::std::boxed::Box<dyn ::std::iter::Iterator<Item = &'a Self> + 'a> {
                    ::std::boxed::Box::new(::std::iter::once(self))
                }
            }
            impl types::ParseFromJSON for $ty {
                fn parse_from_json(value: ::std::option::Option<Value>) -> types::ParseResult<Self> {
                    match value {
                        ::std::option::Option::Some(Value::String(s)) => ::std::result::Result::Ok(Self::from_wire(&s)),
                        other => ::std::result::Result::Err(types::ParseError::expected_type(other.unwrap_or_default())),
                    }
                }
            }
            impl types::ToJSON for $ty {
                fn to_json(&self) -> ::std::option::Option<Value> {
                    ::std::option::Option::Some(Value::String(self.as_str().to_owned()))
                }
            }
            impl types::ParseFromParameter for $ty {
                fn parse_from_parameter(value: &str) -> types::ParseResult<Self> {
                    ::std::result::Result::Ok(Self::from_wire(value))
                }
            }
            impl types::ToHeader for $ty {
                fn to_header(&self) -> ::std::option::Option<$crate::reexports::poem::http::HeaderValue> {
                    $crate::reexports::poem::http::HeaderValue::from_str(self.as_str()).ok()
                }
            }
            impl $crate::IsEmptyValue for $ty {
                fn is_empty_value(&self) -> bool {
                    false
                }
            }
            impl $crate::reexports::serde::Serialize for $ty {
                fn serialize<S: $crate::reexports::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
            impl<'de> $crate::reexports::serde::Deserialize<'de> for $ty {
                fn deserialize<D: $crate::reexports::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let s = <::std::string::String as $crate::reexports::serde::Deserialize>::deserialize(deserializer)?;
                    ::std::result::Result::Ok(Self::from_wire(&s))
                }
            }
        };
    };
}
