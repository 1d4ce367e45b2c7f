//! The passes made once every spec is lowered, over all modules at once: boxing fields on cycles,
//! and naming default functions.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::names::{self, Scope};
use crate::model::{TypeKind, TypeModule, TypeRef};

/// Boxes every object field that lies on a cycle of types holding each other by value (through
/// fields, aliases and union variants, not through arrays or maps, which are already indirect):
/// `Node.next: Node` becomes `Option<Box<Node>>`, and both fields of `A.b: B`, `B.a: A` are boxed.
pub(in crate::model) fn box_recursive_fields(modules: &mut BTreeMap<String, TypeModule>) {
    type Key = (String, String);
    fn by_value(ty: &TypeRef) -> Option<Key> {
        match ty {
            TypeRef::Named { module, name } => Some((module.clone(), name.clone())),
            _ => None,
        }
    }
    let mut edges: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
    for (module, m) in modules.iter() {
        for (name, def) in &m.types {
            let targets = match &def.kind {
                TypeKind::Object(o) => o.fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
                TypeKind::Alias(t) => by_value(t).into_iter().collect(),
                TypeKind::Union(u) => u.variants.iter().filter_map(|v| by_value(&v.ty)).collect(),
                // Nothing holds a multipart body, so it is on no cycle.
                TypeKind::Enum(_) | TypeKind::Multipart(_) => Vec::new(),
            };
            edges.insert((module.clone(), name.clone()), targets);
        }
    }
    let reaches = |from: &Key, to: &Key| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.clone()];
        while let Some(k) = pending.pop() {
            if &k == to {
                return true;
            }
            if seen.insert(k.clone()) {
                pending.extend(edges.get(&k).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for (module, m) in modules.iter() {
        for (name, def) in &m.types {
            let TypeKind::Object(o) = &def.kind else {
                continue;
            };
            let owner = (module.clone(), name.clone());
            for (i, f) in o.fields.iter().enumerate() {
                if by_value(&f.ty).is_some_and(|target| reaches(&target, &owner)) {
                    boxed.insert((owner.clone(), i));
                }
            }
        }
    }
    for ((module, name), i) in boxed {
        if let Some(TypeKind::Object(o)) = modules
            .get_mut(&module)
            .and_then(|m| m.types.get_mut(&name))
            .map(|d| &mut d.kind)
        {
            o.fields[i].boxed = true;
        }
    }
}

/// Names the functions giving property defaults, `default_<type>_<property>`, unique per module
/// (`FooBar.baz` and `Foo.bar_baz` would both be `default_foo_bar_baz`).
pub(in crate::model) fn name_default_fns(modules: &mut BTreeMap<String, TypeModule>) {
    for module in modules.values_mut() {
        let mut scope = Scope::default();
        for def in module.types.values_mut() {
            let TypeKind::Object(o) = &mut def.kind else {
                continue;
            };
            for f in &mut o.fields {
                let plain = f.default.is_some()
                    && !f.required
                    && !f.nullable
                    && !matches!(f.ty, TypeRef::Any);
                if plain {
                    f.default_fn = Some(scope.unique(names::value_name(&format!(
                        "default_{}_{}",
                        def.rust_name,
                        f.rust_name.trim_end_matches('_')
                    ))));
                }
            }
        }
    }
}
