//! Constraints the generated code could not enforce as the spec writes them, found once the whole
//! model is known: each is left out with a located warning (an unsupported feature) rather than
//! becoming a compile error in the generated crate.
//!
//! - `pattern`s the regex crate refuses (backreferences, lookaround): poem-openapi's derives compile
//!   every pattern with it while expanding, so one such pattern would stop the user's build.
//! - `uniqueItems` on items that are not `Eq + Hash` (objects, unions, numbers with a fraction,
//!   free-form values): poem-openapi's `UniqueItems` validator collects the items in a `HashSet`.
//! - `minLength`, `maxLength` and `pattern` on strings the generated code holds as another type
//!   (`format: uuid`, `date-time`, `date`, `byte`): poem-openapi's validators need `AsRef<str>`.
//! - Parameters whose value is an object or a list of objects (known only once every schema is
//!   lowered): poem-openapi reads no object from a path, query or header; they are read as text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::Diagnostic;

use super::{Api, ParamStyle, TypeKind, TypeModule, TypeRef, Validators};

/// The message of a left-out pattern, as listed among unsupported features.
const UNCOMPILABLE_PATTERN: &str =
    "pattern the regex crate cannot compile (backreference or lookaround): not checked";
/// The message of a left-out `uniqueItems`, as listed among unsupported features.
const UNHASHABLE_UNIQUE_ITEMS: &str =
    "uniqueItems on items without equality and hashing (objects, unions, numbers): not checked";
/// The message of left-out string constraints on a value that is not held as text.
const LENGTH_OF_NON_TEXT: &str =
    "minLength, maxLength or pattern on a uuid, date or binary string: not checked";
/// The message of a parameter read as text because its schema is an object (as the read stage
/// words it for free-form objects).
pub(super) const OBJECT_PARAMETER: &str =
    "an object parameter (other than `deepObject`): read and written as text";

/// Clears, in every field and parameter, the constraints the generated code cannot enforce, and
/// records each as unsupported where the spec states it.
pub(super) fn drop_unenforceable(
    modules: &mut BTreeMap<String, TypeModule>,
    apis: &mut [Api],
    unsupported: &mut Vec<Diagnostic>,
) {
    let hashable = Hashable::of(modules);
    for module in modules.values_mut() {
        for def in module.types.values_mut() {
            let TypeKind::Object(object) = &mut def.kind else {
                continue;
            };
            let (file, pointer) = &def.origin;
            for field in &mut object.fields {
                let at = format!("{pointer}/properties/{}", escape(&field.wire_name));
                check(
                    &mut field.validators,
                    &field.ty,
                    &hashable,
                    file,
                    &at,
                    unsupported,
                );
            }
        }
    }
    for api in apis {
        for operation in &mut api.operations {
            for param in &mut operation.params {
                let at = format!("{}/parameters/{}", operation.pointer, param.wire_name);
                let value = match &param.ty {
                    TypeRef::Vec(item) => item.as_ref(),
                    other => other,
                };
                // A `deepObject` parameter spreads an object over its keys; any other is one value.
                if hashable.is_object(value) && param.style != ParamStyle::DeepObject {
                    param.ty = TypeRef::String;
                    param.validators = Validators::default();
                    param.items_type = None;
                    unsupported.push(Diagnostic::new(&api.source, &at, OBJECT_PARAMETER));
                    continue;
                }
                check(
                    &mut param.validators,
                    &param.ty,
                    &hashable,
                    &api.source,
                    &at,
                    unsupported,
                );
            }
        }
    }
}

fn check(
    validators: &mut Validators,
    ty: &TypeRef,
    hashable: &Hashable,
    file: &Path,
    pointer: &str,
    unsupported: &mut Vec<Diagnostic>,
) {
    if validators
        .pattern
        .as_deref()
        .is_some_and(|p| !regex_compiles(p))
    {
        validators.pattern = None;
        unsupported.push(Diagnostic::new(
            file,
            format!("{pointer}/pattern"),
            UNCOMPILABLE_PATTERN,
        ));
    }
    if let Some(items) = validators.items.as_deref_mut()
        && items.pattern.as_deref().is_some_and(|p| !regex_compiles(p))
    {
        items.pattern = None;
        unsupported.push(Diagnostic::new(
            file,
            format!("{pointer}/items/pattern"),
            UNCOMPILABLE_PATTERN,
        ));
    }
    let text_target = match ty {
        TypeRef::Vec(item) => item.as_ref(),
        other => other,
    };
    let held_as_other = matches!(
        text_target,
        TypeRef::Uuid | TypeRef::DateTime | TypeRef::Date | TypeRef::Base64
    );
    let string_checks =
        |v: &Validators| v.min_length.is_some() || v.max_length.is_some() || v.pattern.is_some();
    let scalar = if matches!(ty, TypeRef::Vec(_)) {
        validators.items.as_deref_mut()
    } else {
        Some(&mut *validators)
    };
    if let Some(scalar) = scalar.filter(|v| held_as_other && string_checks(v)) {
        scalar.min_length = None;
        scalar.max_length = None;
        scalar.pattern = None;
        unsupported.push(Diagnostic::new(file, pointer, LENGTH_OF_NON_TEXT));
    }
    if validators.unique_items {
        let item = match ty {
            TypeRef::Vec(item) => Some(item.as_ref()),
            _ => None,
        };
        if !item.is_some_and(|item| hashable.is(item)) {
            validators.unique_items = false;
            unsupported.push(Diagnostic::new(
                file,
                format!("{pointer}/uniqueItems"),
                UNHASHABLE_UNIQUE_ITEMS,
            ));
        }
    }
}

/// True when the regex crate, which poem-openapi compiles patterns with, accepts `pattern`.
fn regex_compiles(pattern: &str) -> bool {
    regex_syntax::Parser::new().parse(pattern).is_ok()
}

/// RFC 6901 escaping of one pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Which types the generated code derives `Eq + Hash` for: scalars without a fraction, strings,
/// enumerations, lists of those, and aliases of them.
struct Hashable {
    enums: BTreeSet<(String, String)>,
    aliases: BTreeMap<(String, String), TypeRef>,
}

impl Hashable {
    fn of(modules: &BTreeMap<String, TypeModule>) -> Self {
        let mut enums = BTreeSet::new();
        let mut aliases = BTreeMap::new();
        for module in modules.values() {
            for (name, def) in &module.types {
                let key = (module.name.clone(), name.clone());
                match &def.kind {
                    TypeKind::Enum(_) => {
                        enums.insert(key);
                    }
                    TypeKind::Alias(target) => {
                        aliases.insert(key, target.clone());
                    }
                    TypeKind::Object(_) | TypeKind::Union(_) | TypeKind::Multipart(_) => {}
                }
            }
        }
        Self { enums, aliases }
    }

    fn is(&self, ty: &TypeRef) -> bool {
        self.within(ty, 0)
    }

    /// True for a named type that is neither an enumeration nor an alias of a scalar: an object
    /// or a union.
    fn is_object(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named { module, name } => {
                let key = (module.clone(), name.clone());
                !self.enums.contains(&key)
                    && self
                        .aliases
                        .get(&key)
                        .is_none_or(|target| matches!(target, TypeRef::Any | TypeRef::Map(_)))
            }
            _ => false,
        }
    }

    fn within(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U32
            | TypeRef::U64
            | TypeRef::DateTime
            | TypeRef::Date
            | TypeRef::Uuid => true,
            TypeRef::F32 | TypeRef::F64 | TypeRef::Base64 | TypeRef::Any | TypeRef::Map(_) => false,
            TypeRef::Vec(item) => self.within(item, depth),
            TypeRef::Named { module, name } => {
                let key = (module.clone(), name.clone());
                if self.enums.contains(&key) {
                    return true;
                }
                // Aliases may refer to each other; a cycle of aliases is not hashable.
                depth < 16
                    && self
                        .aliases
                        .get(&key)
                        .is_some_and(|target| self.within(target, depth + 1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::regex_compiles;

    #[test]
    fn patterns_with_backreferences_or_lookaround_do_not_compile_and_ordinary_ones_do() {
        assert!(regex_compiles(r"^[a-z]+\d{2,}$"));
        assert!(!regex_compiles(r"^(a)\1$"));
        assert!(!regex_compiles(r"^(?!foo).*$"));
        assert!(!regex_compiles(r"(?<=x)y"));
    }
}
