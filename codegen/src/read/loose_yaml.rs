//! YAML → `yaml_serde::Value` that also takes integers beyond 64 bits.
//!
//! `yaml_serde::Value` refuses an integer that needs 128 bits (`minimum: -9223372036854776000`), which
//! stops the whole document. Here such an integer is kept as its text under the [`BIG_INTEGER`] tag, so
//! the JSON conversion can read it as the nearest floating-point number and say where precision was lost.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};
use serde_yaml::Value as Yaml;
use serde_yaml::value::{Tag, TaggedValue};

/// The tag an integer beyond 64 bits is kept under, with its decimal text as the value.
pub(crate) const BIG_INTEGER: &str = "obakit-integer-beyond-64-bits";

/// Parses `text` like `serde_yaml::from_str::<Value>`, integers beyond 64 bits included.
pub(crate) fn from_str(text: &str) -> Result<Yaml, serde_yaml::Error> {
    serde_yaml::from_str::<Loose>(text).map(|loose| loose.0)
}

struct Loose(Yaml);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor).map(Loose)
    }
}

struct LooseVisitor;

fn big(text: String) -> Yaml {
    Yaml::Tagged(Box::new(TaggedValue {
        tag: Tag::new(BIG_INTEGER),
        value: Yaml::String(text),
    }))
}

impl<'de> de::Visitor<'de> for LooseVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Yaml, E> {
        Ok(Yaml::Number(i.into()))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Yaml, E> {
        Ok(Yaml::Number(u.into()))
    }
    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Yaml, E> {
        Ok(match i64::try_from(i) {
            Ok(i) => Yaml::Number(i.into()),
            Err(_) => big(i.to_string()),
        })
    }
    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Yaml, E> {
        Ok(match u64::try_from(u) {
            Ok(u) => Yaml::Number(u.into()),
            Err(_) => big(u.to_string()),
        })
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Yaml, E> {
        Ok(Yaml::Number(f.into()))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Yaml, E> {
        Ok(Yaml::String(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Yaml, E> {
        Ok(Yaml::String(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Yaml, D::Error> {
        Loose::deserialize(deserializer).map(|l| l.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Loose(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Yaml::Sequence(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut mapping = serde_yaml::Mapping::new();
        while let Some(Loose(key)) = map.next_key()? {
            if mapping.contains_key(&key) {
                let shown = match &key {
                    Yaml::String(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                return Err(de::Error::custom(format!(
                    "duplicate entry with key \"{shown}\""
                )));
            }
            let Loose(value) = map.next_value()?;
            mapping.insert(key, value);
        }
        Ok(Yaml::Mapping(mapping))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Yaml, A::Error> {
        // A tagged node (`!include x`): the tag arrives as the variant name, the node as its content.
        let (tag, contents) = data.variant::<String>()?;
        let Loose(value) = contents.newtype_variant()?;
        Ok(Yaml::Tagged(Box::new(TaggedValue {
            tag: Tag::new(tag),
            value,
        })))
    }
}
