//! What "absent" means on the wire: an optional property that is `None`, or would be written as
//! `null`, `{}` or `[]`, is left out (Orange rejects empty nodes).

use std::collections::{BTreeMap, HashMap};

/// Whether a value would be written as an empty JSON node (`[]`, `{}`).
pub trait IsEmptyValue {
    fn is_empty_value(&self) -> bool;
}

/// `skip_serializing_if` of every optional property.
pub fn is_absent<T: IsEmptyValue>(value: &Option<T>) -> bool {
    value.as_ref().is_none_or(IsEmptyValue::is_empty_value)
}

macro_rules! never_empty {
    ($($t:ty),*) => { $(impl IsEmptyValue for $t { fn is_empty_value(&self) -> bool { false } })* };
}
never_empty!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    uuid::Uuid
);

impl<Tz: chrono::TimeZone> IsEmptyValue for chrono::DateTime<Tz> {
    fn is_empty_value(&self) -> bool {
        false
    }
}
impl IsEmptyValue for chrono::NaiveDate {
    fn is_empty_value(&self) -> bool {
        false
    }
}
impl<T> IsEmptyValue for Vec<T> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}
impl<K, V> IsEmptyValue for BTreeMap<K, V> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}
impl<K, V, S> IsEmptyValue for HashMap<K, V, S> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}
impl<T: IsEmptyValue> IsEmptyValue for Option<T> {
    fn is_empty_value(&self) -> bool {
        is_absent(self)
    }
}
impl<T: IsEmptyValue> IsEmptyValue for Box<T> {
    fn is_empty_value(&self) -> bool {
        (**self).is_empty_value()
    }
}
impl IsEmptyValue for serde_json::Value {
    fn is_empty_value(&self) -> bool {
        match self {
            serde_json::Value::Null => true,
            serde_json::Value::Array(a) => a.is_empty(),
            serde_json::Value::Object(o) => o.is_empty(),
            _ => false,
        }
    }
}
impl IsEmptyValue for poem_openapi::types::Base64<Vec<u8>> {
    fn is_empty_value(&self) -> bool {
        false
    }
}
impl IsEmptyValue for poem_openapi::types::Binary<Vec<u8>> {
    fn is_empty_value(&self) -> bool {
        false
    }
}
