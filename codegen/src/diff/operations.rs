//! Operation-level changes: operations added, removed or moved, roles, parameters, request bodies,
//! responses, security and callbacks. Schemas found on the way are compared by `schemas`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::document::{Document, Operation, operations_of_item, token};
use super::rust_items::OperationNames;
use super::severity::{Severity, Side};
use super::{Change, DiffOptions};

/// Compares every operation of two revisions, and what they share (renamed schemas, security schemes).
pub(super) fn compare(old: &Document, new: &Document, options: &DiffOptions) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        options,
        renames: super::schemas::renamed_components(old, new),
        changes: Vec::new(),
        scope: Scope::default(),
        seen: HashSet::new(),
        clean: HashSet::new(),
        pushes: 0,
        dirty_hits: 0,
        low: usize::MAX,
    };
    if let (Some(o), Some(n)) = (&old.names.api, &new.names.api)
        && o != n
    {
        differ.push(
            Severity::Info,
            "api-renamed",
            At::default(),
            format!(
                "the generated API is named `{n}` (was `{o}`): it comes from `x-obakit-name` or the file name; keep either to keep the names of traits and clients"
            ),
            vec![],
        );
    }
    differ.report_renames_and_removed_schemas();
    differ.compare_security_schemes();
    differ.compare_operation_lists(&old.operations(), &new.operations(), None);
    differ.changes
}

/// The operation being compared, for the changes found inside it.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    /// `METHOD /path` (the new one).
    pub(super) label: Option<String>,
    pub(super) served: bool,
    /// The handler trait method (served) or client method (called), as generated from each revision.
    pub(super) old_method: Option<String>,
    pub(super) new_method: Option<String>,
    pub(super) old_names: Option<OperationNames>,
    pub(super) new_names: Option<OperationNames>,
    /// Schema pairs already compared in this operation on a side (cycles, shared types).
    pub(super) visited: HashSet<PairKey>,
    /// Schema pairs compared to the end in this operation, with whether anything changed below them.
    pub(super) done: HashMap<PairKey, bool>,
    /// Schema pairs being compared, with their depth (cycles lead back to them).
    pub(super) in_progress: HashMap<PairKey, usize>,
}

pub(super) struct Differ<'d, 'a> {
    pub(super) old: &'d Document<'a>,
    pub(super) new: &'d Document<'a>,
    pub(super) options: &'d DiffOptions,
    /// Component schemas renamed without a change of shape: old name → new name.
    pub(super) renames: BTreeMap<String, String>,
    pub(super) changes: Vec<Change>,
    pub(super) scope: Scope,
    /// (kind, old pointer, new pointer, operation): a change reached twice in one operation is reported once.
    seen: HashSet<ChangeKey>,
    /// Schema pairs in which nothing changed, whichever operation uses them.
    pub(super) clean: HashSet<PairKey>,
    /// Changes recorded (or found again) so far, and pairs met again that had changes: what tells a
    /// pair clean.
    pub(super) pushes: usize,
    pub(super) dirty_hits: usize,
    /// The lowest depth of a pair still being compared that a cycle led back to (`usize::MAX`: none).
    pub(super) low: usize,
}

/// A pair of schemas compared on one side: old and new pointer, received, a required property.
pub(super) type PairKey = (String, String, bool, bool);

/// What makes a change the same change: kind, old and new pointer, operation.
type ChangeKey = (String, Option<String>, Option<String>, Option<String>);

/// Where a change is, in one revision or both.
#[derive(Debug, Clone, Default)]
pub(super) struct At {
    pub(super) old: Option<String>,
    pub(super) new: Option<String>,
}

impl At {
    pub(super) fn both(old: &str, new: &str) -> Self {
        Self {
            old: Some(old.to_owned()),
            new: Some(new.to_owned()),
        }
    }
    pub(super) fn old(old: &str) -> Self {
        Self {
            old: Some(old.to_owned()),
            new: None,
        }
    }
    pub(super) fn new(new: &str) -> Self {
        Self {
            old: None,
            new: Some(new.to_owned()),
        }
    }
}

impl Differ<'_, '_> {
    /// Records a change in the current operation; the operation's method comes first in `rust`.
    pub(super) fn push(
        &mut self,
        severity: Severity,
        kind: &'static str,
        at: At,
        message: String,
        items: Vec<String>,
    ) {
        self.pushes += 1;
        let key = (
            kind.to_owned(),
            at.old.clone(),
            at.new.clone(),
            self.scope.label.clone(),
        );
        if !self.seen.insert(key) {
            return;
        }
        let mut rust = Vec::new();
        if let Some(m) = self
            .scope
            .new_method
            .clone()
            .or_else(|| self.scope.old_method.clone())
        {
            rust.push(m);
        }
        for item in items {
            if !rust.contains(&item) {
                rust.push(item);
            }
        }
        let hash = |p: Option<String>| p.map(|p| format!("#{p}"));
        self.changes.push(Change {
            severity,
            kind,
            operation: self.scope.label.clone(),
            old_pointer: hash(at.old),
            new_pointer: hash(at.new),
            message,
            rust,
        });
    }

    fn report_renames_and_removed_schemas(&mut self) {
        let renames = self.renames.clone();
        for (old_name, new_name) in &renames {
            let old_ptr = format!("/components/schemas/{}", token(old_name));
            let new_ptr = format!("/components/schemas/{}", token(new_name));
            let old_ty = self.old.names.type_at(&old_ptr).map(|t| t.path.clone());
            let new_ty = self.new.names.type_at(&new_ptr).map(|t| t.path.clone());
            let message = match (&old_ty, &new_ty) {
                (Some(o), Some(n)) => format!(
                    "schema `{old_name}` is renamed `{new_name}` with the same shape: no change on the wire, but the generated type `{o}` is now `{n}`: code that names it must follow"
                ),
                _ => format!(
                    "schema `{old_name}` is renamed `{new_name}` with the same shape: no change on the wire; code that names its generated type must follow"
                ),
            };
            self.push(
                Severity::Breaking,
                "schema-renamed",
                At::both(&old_ptr, &new_ptr),
                message,
                old_ty.into_iter().chain(new_ty).collect(),
            );
        }
        let (Some(old_schemas), new_schemas) = (self.old.schemas(), self.new.schemas()) else {
            return;
        };
        for name in old_schemas.keys() {
            if new_schemas.is_some_and(|s| s.contains_key(name)) || renames.contains_key(name) {
                continue;
            }
            let ptr = format!("/components/schemas/{}", token(name));
            let ty = self.old.names.type_at(&ptr).map(|t| t.path.clone());
            let message = match &ty {
                Some(t) => format!(
                    "schema `{name}` is removed: the generated type `{t}` is no longer generated"
                ),
                None => format!("schema `{name}` is removed"),
            };
            self.push(
                Severity::Breaking,
                "schema-removed",
                At::old(&ptr),
                message,
                ty.into_iter().collect(),
            );
        }
        let renamed_to: BTreeSet<&String> = renames.values().collect();
        for name in new_schemas.into_iter().flat_map(|s| s.keys()) {
            if old_schemas.contains_key(name) || renamed_to.contains(name) {
                continue;
            }
            let ptr = format!("/components/schemas/{}", token(name));
            let ty = self.new.names.type_at(&ptr).map(|t| t.path.clone());
            let message = match &ty {
                Some(t) => format!("schema `{name}` is added (generated as `{t}`)"),
                None => format!("schema `{name}` is added"),
            };
            self.push(
                Severity::Info,
                "schema-added",
                At::new(&ptr),
                message,
                ty.into_iter().collect(),
            );
        }
    }

    /// Security schemes: one removed or changed breaks whoever authenticates with it.
    fn compare_security_schemes(&mut self) {
        let empty = serde_json::Map::new();
        let schemes = |d: &Document| {
            d.raw
                .pointer("/components/securitySchemes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (old, new) = (schemes(self.old), schemes(self.new));
        for (name, o) in &old {
            let ptr = format!("/components/securitySchemes/{}", token(name));
            match new.get(name) {
                None => self.push(
                    Severity::Breaking,
                    "security-scheme-removed",
                    At::old(&ptr),
                    format!("security scheme `{name}` is removed: whoever authenticates with it is refused"),
                    vec![],
                ),
                Some(n) => {
                    let (o, n) = (self.old.resolve_in_place(o), self.new.resolve_in_place(n));
                    let changed: Vec<&str> = [
                        "type",
                        "scheme",
                        "in",
                        "name",
                        "bearerFormat",
                        "openIdConnectUrl",
                    ]
                    .into_iter()
                    .filter(|k| o.get(k) != n.get(k))
                    .collect();
                    let flows_changed = flows_without_docs(o) != flows_without_docs(n);
                    if !changed.is_empty() || flows_changed {
                        let mut what: Vec<String> =
                            changed.iter().map(|k| format!("`{k}`")).collect();
                        if flows_changed {
                            what.push("OAuth2 flows (URLs or scopes)".to_owned());
                        }
                        self.push(
                            Severity::Breaking,
                            "security-scheme-changed",
                            At::both(&ptr, &ptr),
                            format!(
                                "security scheme `{name}` changes its {}: credentials and their configuration must follow",
                                what.join(", ")
                            ),
                            vec![],
                        );
                    }
                }
            }
        }
        for name in new.keys().filter(|n| !old.contains_key(*n)) {
            let ptr = format!("/components/securitySchemes/{}", token(name));
            self.push(
                Severity::Info,
                "security-scheme-added",
                At::new(&ptr),
                format!("security scheme `{name}` is added"),
                vec![],
            );
        }
    }

    /// Matches operations by method and path (parameter names aside), then the rest by `operationId`
    /// (a moved path), and compares each pair. `callback`: the label and side of the operation whose
    /// callbacks these are.
    fn compare_operation_lists(
        &mut self,
        old_ops: &[Operation],
        new_ops: &[Operation],
        callback: Option<(&str, bool)>,
    ) {
        let mut unmatched_new: Vec<usize> = (0..new_ops.len()).collect();
        let mut pairs = Vec::new();
        let mut unmatched_old = Vec::new();
        for (i, o) in old_ops.iter().enumerate() {
            let found = unmatched_new.iter().position(|&j| {
                new_ops[j].method == o.method && new_ops[j].path_shape() == o.path_shape()
            });
            match found {
                Some(k) => pairs.push((i, unmatched_new.remove(k))),
                None => unmatched_old.push(i),
            }
        }
        let mut removed = Vec::new();
        for i in unmatched_old {
            let id = old_ops[i].operation_id();
            let found = unmatched_new
                .iter()
                .position(|&j| id.is_some() && new_ops[j].operation_id() == id);
            match found {
                Some(k) => pairs.push((i, unmatched_new.remove(k))),
                None => removed.push(i),
            }
        }
        pairs.sort();
        for (i, j) in pairs {
            self.compare_operation(&old_ops[i], &new_ops[j], callback);
        }
        for i in removed {
            self.operation_removed(&old_ops[i], callback);
        }
        for j in unmatched_new {
            self.operation_added(&new_ops[j], callback);
        }
    }

    fn served(&self, op: &Operation, callback: Option<(&str, bool)>) -> bool {
        match callback {
            // A callback is sent by whoever serves the operation that registers it.
            Some((_, parent_served)) => !parent_served,
            None => self.options.serves(op.role()),
        }
    }

    fn enter(
        &mut self,
        old: Option<&Operation>,
        new: Option<&Operation>,
        callback: Option<(&str, bool)>,
    ) {
        let any = new.or(old).expect("an operation on one side at least");
        let served = self.served(any, callback);
        let label = match callback {
            Some((parent, _)) => format!("{parent}: {}", any.label()),
            None => any.label(),
        };
        let names = |d: &Document, op: Option<&Operation>| {
            op.filter(|_| callback.is_none())
                .and_then(|op| d.names.operation(op.method, &op.path).cloned())
        };
        let old_names = names(self.old, old);
        let new_names = names(self.new, new);
        self.scope = Scope {
            label: Some(label),
            served,
            old_method: old_names.as_ref().map(|n| n.method(served).to_owned()),
            new_method: new_names.as_ref().map(|n| n.method(served).to_owned()),
            old_names,
            new_names,
            visited: HashSet::new(),
            done: HashMap::new(),
            in_progress: HashMap::new(),
        };
    }

    fn operation_added(&mut self, op: &Operation, callback: Option<(&str, bool)>) {
        self.enter(None, Some(op), callback);
        let (severity, message) = if self.scope.served {
            (
                Severity::Warning,
                match &self.scope.new_method {
                    Some(m) => format!(
                        "new operation you serve: `{m}` answers 501 Not Implemented until you implement it"
                    ),
                    None => "new operation you serve: implement it".to_owned(),
                },
            )
        } else {
            (
                Severity::Info,
                match &self.scope.new_method {
                    Some(m) => format!("new operation you may call, through `{m}`"),
                    None => "new operation you may call".to_owned(),
                },
            )
        };
        self.push(
            severity,
            "operation-added",
            At::new(&op.pointer),
            message,
            vec![],
        );
    }

    fn operation_removed(&mut self, op: &Operation, callback: Option<(&str, bool)>) {
        self.enter(Some(op), None, callback);
        let message = match (&self.scope.old_method, self.scope.served) {
            (Some(m), true) => format!(
                "operation removed: the peer no longer calls it, and `{m}` is no longer in the trait: an implementation of it no longer compiles"
            ),
            (Some(m), false) => format!(
                "operation removed: the peer no longer serves it, and `{m}` is gone: code that calls it no longer compiles"
            ),
            (None, true) => "operation removed: the peer no longer calls it".to_owned(),
            (None, false) => "operation removed: the peer no longer serves it".to_owned(),
        };
        self.push(
            Severity::Breaking,
            "operation-removed",
            At::old(&op.pointer),
            message,
            vec![],
        );
    }

    fn compare_operation(
        &mut self,
        old: &Operation,
        new: &Operation,
        callback: Option<(&str, bool)>,
    ) {
        self.enter(Some(old), Some(new), callback);
        let at = At::both(&old.pointer, &new.pointer);
        let served = self.scope.served;
        // A path whose parameters are only renamed is reported with the parameters.
        if old.path_shape() != new.path_shape() {
            let message = if served {
                format!(
                    "the peer now calls `{} {}` instead of `{}`: regenerate so the server answers at the new path (the method keeps its name)",
                    new.method.to_uppercase(),
                    new.path,
                    old.path
                )
            } else {
                format!(
                    "requests must now go to `{} {}` instead of `{}`: regenerate so the client sends them there (the method keeps its name)",
                    new.method.to_uppercase(),
                    new.path,
                    old.path
                )
            };
            self.push(
                Severity::Breaking,
                "operation-moved",
                at.clone(),
                message,
                vec![],
            );
        }
        if old.method != new.method {
            self.push(
                Severity::Breaking,
                "operation-method-changed",
                at.clone(),
                format!(
                    "the method is now {} (was {})",
                    new.method.to_uppercase(),
                    old.method.to_uppercase()
                ),
                vec![],
            );
        }
        if callback.is_none() && old.role() != new.role() {
            let now_served = self.options.serves(new.role());
            let message = format!(
                "`x-obakit-role` changes from `{}` to `{}`: you now {} this operation{}",
                old.role(),
                new.role(),
                if now_served { "serve" } else { "call" },
                match (&self.scope.old_method, &self.scope.new_method) {
                    (Some(o), Some(n)) if o != n => format!("; `{o}` is now `{n}`"),
                    _ => String::new(),
                }
            );
            let severity = if now_served != self.options.serves(old.role())
                || self.scope.old_method != self.scope.new_method
            {
                Severity::Breaking
            } else {
                Severity::Info
            };
            self.push(severity, "role-changed", at.clone(), message, vec![]);
        }
        // The API's own name may differ between two files (it comes from the file name); only the
        // method's name is the operation's.
        let method_name = |m: &String| m.rsplit("::").next().unwrap_or(m).to_owned();
        if let (Some(o), Some(n)) = (&self.scope.old_method, &self.scope.new_method)
            && method_name(o) != method_name(n)
            && old.role() == new.role()
        {
            let message = format!(
                "`operationId` changes from `{}` to `{}`: `{o}` is now `{n}`: code that {} it no longer compiles",
                old.operation_id().unwrap_or(""),
                new.operation_id().unwrap_or(""),
                if served { "implements" } else { "calls" }
            );
            self.push(
                Severity::Breaking,
                "operation-renamed",
                at.clone(),
                message,
                vec![o.clone(), n.clone()],
            );
        }
        let deprecated = |op: &Operation| {
            op.value
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        if !deprecated(old) && deprecated(new) {
            // Calling a deprecated operation needs a plan; serving one does not.
            self.push(
                if served {
                    Severity::Info
                } else {
                    Severity::Warning
                },
                "operation-deprecated",
                at.clone(),
                if served {
                    "the operation is deprecated: the peer will stop calling it".to_owned()
                } else {
                    "the operation is deprecated: plan to stop calling it".to_owned()
                },
                vec![],
            );
        }
        for field in ["summary", "description"] {
            if text(old.value, field) != text(new.value, field) {
                self.push(
                    Severity::Info,
                    if field == "summary" {
                        "summary-changed"
                    } else {
                        "description-changed"
                    },
                    At::both(
                        &format!("{}/{field}", old.pointer),
                        &format!("{}/{field}", new.pointer),
                    ),
                    format!("the operation's {field} is reworded (doc comments change)"),
                    vec![],
                );
            }
        }
        self.compare_security(old, new);
        self.compare_parameters(old, new);
        self.compare_request_bodies(old, new);
        self.compare_responses(old, new);
        let label = self.scope.label.clone().unwrap_or_default();
        self.compare_callbacks(old, new, &label, served);
    }

    fn compare_security(&mut self, old: &Operation, new: &Operation) {
        let alternatives = |d: &Document, op: &Operation| -> BTreeSet<Vec<String>> {
            let sec = op.value.get("security").or_else(|| d.raw.get("security"));
            sec.and_then(Value::as_array)
                .map(|alts| {
                    alts.iter()
                        .map(|a| {
                            let mut names: Vec<String> = a
                                .as_object()
                                .map(|o| o.keys().cloned().collect())
                                .unwrap_or_default();
                            names.sort();
                            names
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (o, n) = (alternatives(self.old, old), alternatives(self.new, new));
        if o == n {
            return;
        }
        let show = |set: &BTreeSet<Vec<String>>| {
            if set.is_empty() || set.iter().any(Vec::is_empty) {
                return "none".to_owned();
            }
            set.iter()
                .map(|a| a.join(" + "))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let added = n.difference(&o).count() > 0;
        let removed = o.difference(&n).count() > 0;
        let served = self.scope.served;
        // Served: a new way in must be accepted; called: the way you authenticate may be gone.
        let severity = match (served, added, removed) {
            (true, true, _) => Severity::Breaking,
            (false, _, true) => Severity::Breaking,
            _ => Severity::Info,
        };
        let message = format!(
            "authentication changes from {} to {}: {}",
            show(&o),
            show(&n),
            if served {
                "accept what the peer may now send"
            } else {
                "send credentials the peer now accepts"
            }
        );
        self.push(
            severity,
            "security-changed",
            At::both(
                &format!("{}/security", old.pointer),
                &format!("{}/security", new.pointer),
            ),
            message,
            vec![],
        );
    }

    fn compare_parameters(&mut self, old: &Operation, new: &Operation) {
        let old_params = parameters(self.old, old);
        let new_params = parameters(self.new, new);
        let served = self.scope.served;
        let side = Side::request(served);
        let method = if served {
            "the handler"
        } else {
            "the client method"
        };
        let mut moved_new = HashSet::new();
        for ((loc, name), (op_v, op_ptr)) in &old_params {
            if let Some((nv, np)) = new_params.get(&(loc.clone(), name.clone())) {
                self.compare_parameter(loc, name, (op_v, op_ptr), (nv, np), side);
                continue;
            }
            // A path parameter renamed in the template (`/pets/{petId}` → `/pets/{id}`): the same URLs.
            if loc == "path"
                && let Some(((_, nname), (nv, np))) = new_params.iter().find(|((l, n), _)| {
                    l == "path"
                        && !old_params.contains_key(&(l.clone(), n.clone()))
                        && !moved_new.contains(&(l.clone(), n.clone()))
                })
            {
                moved_new.insert(("path".to_owned(), nname.clone()));
                self.push(
                    Severity::Info,
                    "path-parameter-renamed",
                    At::both(op_ptr, np),
                    format!("path parameter `{name}` is now named `{nname}`: the same URLs, the argument is renamed"),
                    vec![],
                );
                self.compare_parameter(loc, nname, (op_v, op_ptr), (nv, np), side);
                continue;
            }
            if let Some(((nloc, _), (_, np))) = new_params
                .iter()
                .find(|((l, n), _)| n == name && !old_params.contains_key(&(l.clone(), n.clone())))
            {
                moved_new.insert((nloc.clone(), name.clone()));
                self.push(
                    Severity::Breaking,
                    "parameter-moved",
                    At::both(op_ptr, np),
                    format!("{loc} parameter `{name}` moves to the {nloc}: regenerate"),
                    vec![],
                );
                continue;
            }
            let item = self.param_item(false, loc, name);
            self.push(
                Severity::Breaking,
                "parameter-removed",
                At::old(op_ptr),
                format!(
                    "{loc} parameter `{name}` is removed: {method} loses its argument{}",
                    item.as_ref().map(|i| format!(" `{i}`")).unwrap_or_default()
                ),
                vec![],
            );
        }
        for ((loc, name), (nv, np)) in &new_params {
            if old_params.contains_key(&(loc.clone(), name.clone()))
                || moved_new.contains(&(loc.clone(), name.clone()))
            {
                continue;
            }
            let required = is_required_param(nv);
            let item = self.param_item(true, loc, name);
            let arg = item.as_ref().map(|i| format!(" `{i}`")).unwrap_or_default();
            let message = match (side, required) {
                (Side::Receive, true) => format!(
                    "new required {loc} parameter `{name}`: {method} gains an argument{arg}"
                ),
                (Side::Receive, false) => format!(
                    "new optional {loc} parameter `{name}`: {method} gains an argument{arg} (`Option`)"
                ),
                (Side::Send, true) => format!(
                    "new required {loc} parameter `{name}`: you must now send it; {method} gains an argument{arg}"
                ),
                (Side::Send, false) => format!(
                    "new optional {loc} parameter `{name}`: {method} gains an argument{arg} (`Option`)"
                ),
            };
            self.push(
                Severity::Breaking,
                "parameter-added",
                At::new(np),
                message,
                vec![],
            );
        }
    }

    fn param_item(&self, new: bool, loc: &str, name: &str) -> Option<String> {
        let names = if new {
            &self.scope.new_names
        } else {
            &self.scope.old_names
        };
        names.as_ref()?.param(loc, name).map(str::to_owned)
    }

    fn compare_parameter(
        &mut self,
        loc: &str,
        name: &str,
        (ov, op): (&Value, &String),
        (nv, np): (&Value, &String),
        side: Side,
    ) {
        let at = At::both(op, np);
        let arg = self
            .param_item(true, loc, name)
            .map(|i| format!("argument `{i}`"))
            .unwrap_or_else(|| "its argument".to_owned());
        match (is_required_param(ov), is_required_param(nv)) {
            (false, true) => {
                let message = match side {
                    Side::Receive => format!(
                        "{loc} parameter `{name}` is now required: always sent; {arg} is no longer an `Option`"
                    ),
                    Side::Send => format!(
                        "{loc} parameter `{name}` is now required: you must send it; {arg} is no longer an `Option`"
                    ),
                };
                self.push(
                    Severity::Breaking,
                    "parameter-now-required",
                    at.clone(),
                    message,
                    vec![],
                );
            }
            (true, false) => {
                let message = match side {
                    Side::Receive => format!(
                        "{loc} parameter `{name}` is no longer required: it may be absent; {arg} becomes an `Option`"
                    ),
                    Side::Send => format!(
                        "{loc} parameter `{name}` is no longer required: {arg} becomes an `Option`"
                    ),
                };
                self.push(
                    Severity::Breaking,
                    "parameter-now-optional",
                    at.clone(),
                    message,
                    vec![],
                );
            }
            _ => {}
        }
        for key in ["style", "explode", "allowReserved"] {
            if ov.get(key) != nv.get(key) {
                self.push(
                    Severity::Breaking,
                    "parameter-restyled",
                    at.clone(),
                    format!(
                        "{loc} parameter `{name}` changes `{key}` from {} to {}: its values are written differently on the wire; regenerate",
                        show_value(ov.get(key)),
                        show_value(nv.get(key))
                    ),
                    vec![],
                );
            }
        }
        if let (Some(os), Some(ns)) = (ov.get("schema"), nv.get("schema")) {
            let place = super::schemas::Place {
                side,
                subject: format!("{loc} parameter `{name}`"),
                path: String::new(),
                field_item: None,
                required: false,
            };
            self.compare_schema(
                os,
                &format!("{op}/schema"),
                ns,
                &format!("{np}/schema"),
                &place,
            );
        }
    }

    fn compare_request_bodies(&mut self, old: &Operation, new: &Operation) {
        let served = self.scope.served;
        let side = Side::request(served);
        let ob = old
            .value
            .get("requestBody")
            .map(|b| self.old.resolve_in_place(b));
        let nb = new
            .value
            .get("requestBody")
            .map(|b| self.new.resolve_in_place(b));
        let (op_ptr, np_ptr) = (
            format!("{}/requestBody", old.pointer),
            format!("{}/requestBody", new.pointer),
        );
        let method = if served {
            "the handler"
        } else {
            "the client method"
        };
        match (ob, nb) {
            (None, None) => {}
            (None, Some(_)) => self.push(
                Severity::Breaking,
                "request-body-added",
                At::new(&np_ptr),
                format!("the request now has a body: {method} gains the argument `body`"),
                vec![],
            ),
            (Some(_), None) => self.push(
                Severity::Breaking,
                "request-body-removed",
                At::old(&op_ptr),
                format!("the request no longer has a body: {method} loses the argument `body`"),
                vec![],
            ),
            (Some(ob), Some(nb)) => {
                let required =
                    |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
                match (required(ob), required(nb)) {
                    (false, true) => self.push(
                        Severity::Breaking,
                        "request-body-now-required",
                        At::both(&op_ptr, &np_ptr),
                        match side {
                            Side::Receive => "the request body is now required: always sent; `body` is no longer an `Option`".to_owned(),
                            Side::Send => "the request body is now required: you must send it; `body` is no longer an `Option`".to_owned(),
                        },
                        vec![],
                    ),
                    (true, false) => self.push(
                        Severity::Breaking,
                        "request-body-now-optional",
                        At::both(&op_ptr, &np_ptr),
                        match side {
                            Side::Receive => "the request body is no longer required: it may be absent; `body` becomes an `Option`".to_owned(),
                            Side::Send => "the request body is no longer required: `body` becomes an `Option`".to_owned(),
                        },
                        vec![],
                    ),
                    _ => {}
                }
                self.compare_content(ob, &op_ptr, nb, &np_ptr, side, "request", None);
            }
        }
    }

    /// Media types and the schema of the one both revisions share (JSON first).
    #[allow(clippy::too_many_arguments)]
    fn compare_content(
        &mut self,
        ov: &Value,
        op: &str,
        nv: &Value,
        np: &str,
        side: Side,
        subject: &str,
        variant: Option<String>,
    ) {
        // Media types are matched on their essence: `application/json;charset=utf-8` is JSON.
        let content = |v: &Value, ptr: &str| -> Vec<(String, String, Option<Value>, String)> {
            v.get("content")
                .and_then(Value::as_object)
                .map(|c| {
                    c.iter()
                        .map(|(m, media)| {
                            let essence =
                                m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
                            let schema_ptr = format!("{ptr}/content/{}/schema", token(m));
                            (essence, m.clone(), media.get("schema").cloned(), schema_ptr)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (oc, nc) = (content(ov, op), content(nv, np));
        let has = |list: &[(String, String, Option<Value>, String)], e: &str| {
            list.iter().any(|(x, ..)| x == e)
        };
        let items: Vec<String> = variant.clone().into_iter().collect();
        for (_, media, _, _) in oc.iter().filter(|(e, ..)| !has(&nc, e)) {
            let severity = side.pick(Severity::Info, Severity::Breaking);
            let message = match side {
                Side::Receive => format!(
                    "{subject} media type `{media}` is removed: the peer no longer sends it"
                ),
                Side::Send => format!(
                    "{subject} media type `{media}` is removed: the peer no longer accepts it"
                ),
            };
            self.push(
                if nc.is_empty() {
                    Severity::Breaking
                } else {
                    severity
                },
                "media-type-removed",
                At::old(&format!("{op}/content/{}", token(media))),
                message,
                items.clone(),
            );
        }
        for (_, media, _, _) in nc.iter().filter(|(e, ..)| !has(&oc, e)) {
            let severity = side.pick(Severity::Warning, Severity::Info);
            let message = match side {
                Side::Receive => {
                    format!("{subject} media type `{media}` is added: the peer may send it")
                }
                Side::Send => format!("{subject} media type `{media}` is added: you may send it"),
            };
            self.push(
                if oc.is_empty() {
                    Severity::Breaking
                } else {
                    severity
                },
                "media-type-added",
                At::new(&format!("{np}/content/{}", token(media))),
                message,
                items.clone(),
            );
        }
        // The schema of the media type both share, JSON first; else the first of each.
        let shared = oc
            .iter()
            .filter(|(e, ..)| has(&nc, e))
            .min_by_key(|(e, ..)| !e.contains("json"))
            .map(|(e, ..)| e.clone());
        let (o_media, n_media) = match &shared {
            Some(e) => (
                oc.iter().find(|(x, ..)| x == e),
                nc.iter().find(|(x, ..)| x == e),
            ),
            None => (oc.first(), nc.first()),
        };
        let (Some((_, _, Some(os), osp)), Some((_, _, Some(ns), nsp))) = (o_media, n_media) else {
            return;
        };
        let place = super::schemas::Place {
            side,
            subject: subject.to_owned(),
            path: String::new(),
            field_item: variant,
            required: false,
        };
        self.compare_schema(os, osp, ns, nsp, &place);
    }

    fn compare_responses(&mut self, old: &Operation, new: &Operation) {
        let served = self.scope.served;
        let side = Side::response(served);
        let empty = serde_json::Map::new();
        let responses = |op: &Operation| {
            op.value
                .get("responses")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (or, nr) = (responses(old), responses(new));
        let enum_name = |n: &Option<OperationNames>| n.as_ref().map(|n| n.response_enum.clone());
        for (status, ov) in &or {
            let op = format!("{}/responses/{}", old.pointer, token(status));
            let code = status_code(status);
            let old_variant = self
                .scope
                .old_names
                .as_ref()
                .and_then(|n| code.and_then(|c| n.variant(c)));
            let Some(nv) = nr.get(status) else {
                let message = match (side, &old_variant) {
                    (Side::Send, Some(v)) => format!(
                        "response {status} is removed: you may no longer answer it; `{v}` is gone"
                    ),
                    (Side::Send, None) => {
                        format!("response {status} is removed: you may no longer answer it")
                    }
                    (Side::Receive, Some(v)) => format!(
                        "response {status} is removed: the peer no longer answers it; `{v}` is gone"
                    ),
                    (Side::Receive, None) => {
                        format!("response {status} is removed: the peer no longer answers it")
                    }
                };
                self.push(
                    Severity::Breaking,
                    "response-removed",
                    At::old(&op),
                    message,
                    old_variant.into_iter().collect(),
                );
                continue;
            };
            let np = format!("{}/responses/{}", new.pointer, token(status));
            let new_variant = self
                .scope
                .new_names
                .as_ref()
                .and_then(|n| code.and_then(|c| n.variant(c)));
            let (ov, nv) = (self.old.resolve_in_place(ov), self.new.resolve_in_place(nv));
            self.compare_response_headers(ov, &op, nv, &np, side, status, new_variant.clone());
            self.compare_content(
                ov,
                &op,
                nv,
                &np,
                side,
                &format!("response {status}"),
                new_variant,
            );
        }
        for (status, _) in nr.iter().filter(|(s, _)| !or.contains_key(*s)) {
            let np = format!("{}/responses/{}", new.pointer, token(status));
            let code = status_code(status);
            let variant = self
                .scope
                .new_names
                .as_ref()
                .and_then(|n| code.and_then(|c| n.variant(c)));
            let shown = variant
                .clone()
                .or_else(|| enum_name(&self.scope.new_names))
                .map(|v| format!("`{v}`"))
                .unwrap_or_else(|| "a new variant".to_owned());
            let (severity, message) = match side {
                Side::Send => (
                    Severity::Warning,
                    format!(
                        "response {status} is added: the peer expects it in some case; answer it with {shown} where it applies"
                    ),
                ),
                Side::Receive => (
                    Severity::Breaking,
                    format!(
                        "response {status} is added: the peer may answer it; {shown} is a new variant, so a `match` over the answers no longer compiles"
                    ),
                ),
            };
            self.push(
                severity,
                "response-added",
                At::new(&np),
                message,
                variant.into_iter().collect(),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn compare_response_headers(
        &mut self,
        ov: &Value,
        op: &str,
        nv: &Value,
        np: &str,
        side: Side,
        status: &str,
        variant: Option<String>,
    ) {
        let empty = serde_json::Map::new();
        let oh = ov
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let nh = nv
            .get("headers")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let items: Vec<String> = variant.into_iter().collect();
        for name in oh.keys().filter(|k| !nh.contains_key(*k)) {
            self.push(
                Severity::Breaking,
                "response-header-removed",
                At::old(&format!("{op}/headers/{}", token(name))),
                format!(
                    "response {status} header `{name}` is removed: the variant loses its field"
                ),
                items.clone(),
            );
        }
        for (name, h) in nh.iter().filter(|(k, _)| !oh.contains_key(*k)) {
            let required = self
                .new
                .resolve_in_place(h)
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let severity = match side {
                Side::Send => Severity::Breaking,
                Side::Receive => Severity::Warning,
            };
            self.push(
                severity,
                "response-header-added",
                At::new(&format!("{np}/headers/{}", token(name))),
                format!(
                    "response {status} header `{name}` is added{}: the variant gains a field",
                    if required { " (required)" } else { "" }
                ),
                items.clone(),
            );
        }
    }

    fn compare_callbacks(&mut self, old: &Operation, new: &Operation, label: &str, served: bool) {
        let empty = serde_json::Map::new();
        let callbacks = |op: &Operation| {
            op.value
                .get("callbacks")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (oc, nc) = (callbacks(old), callbacks(new));
        if oc.is_empty() && nc.is_empty() {
            return;
        }
        for (name, ov) in &oc {
            let op = format!("{}/callbacks/{}", old.pointer, token(name));
            let Some(nv) = nc.get(name) else {
                let old_scope = std::mem::take(&mut self.scope);
                self.scope = Scope {
                    label: old_scope.label.clone(),
                    served,
                    ..Scope::default()
                };
                self.push(
                    if served {
                        Severity::Info
                    } else {
                        Severity::Breaking
                    },
                    "callback-removed",
                    At::old(&op),
                    if served {
                        format!(
                            "callback `{name}` is removed: you no longer call the subscriber back"
                        )
                    } else {
                        format!("callback `{name}` is removed: the peer no longer calls you back")
                    },
                    vec![],
                );
                self.scope = old_scope;
                continue;
            };
            let np = format!("{}/callbacks/{}", new.pointer, token(name));
            let ops = |d: &Document, v: &Value, ptr: &str| -> Vec<(String, Value, String)> {
                let v = d.resolve_in_place(v);
                v.as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(expr, item)| {
                                (
                                    expr.clone(),
                                    d.resolve_in_place(item).clone(),
                                    format!("{ptr}/{}", token(expr)),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (o_items, n_items) = (ops(self.old, ov, &op), ops(self.new, nv, &np));
            let o_ops: Vec<Operation> = o_items
                .iter()
                .flat_map(|(e, i, p)| operations_of_item(i, e, p))
                .collect();
            let n_ops: Vec<Operation> = n_items
                .iter()
                .flat_map(|(e, i, p)| operations_of_item(i, e, p))
                .collect();
            let parent = format!("{label}, callback `{name}`");
            let saved = std::mem::take(&mut self.scope);
            self.compare_operation_lists(&o_ops, &n_ops, Some((&parent, served)));
            self.scope = saved;
        }
        for name in nc.keys().filter(|k| !oc.contains_key(*k)) {
            let np = format!("{}/callbacks/{}", new.pointer, token(name));
            // Either side now has a callback to send or to serve.
            self.push(
                Severity::Warning,
                "callback-added",
                At::new(&np),
                if served {
                    format!("callback `{name}` is added: you now call the subscriber back")
                } else {
                    format!("callback `{name}` is added: the peer may now call you back; serve it")
                },
                vec![],
            );
        }
    }
}

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).map(str::trim)
}

fn show_value(v: Option<&Value>) -> String {
    match v {
        None => "the default".to_owned(),
        Some(v) => format!("`{v}`"),
    }
}

fn status_code(status: &str) -> Option<Option<u16>> {
    if status == "default" {
        return Some(None);
    }
    status.parse().ok().map(Some)
}

fn is_required_param(p: &Value) -> bool {
    p.get("required").and_then(Value::as_bool).unwrap_or(false)
        || p.get("in").and_then(Value::as_str) == Some("path")
}

/// The OAuth2 flows of a scheme without their descriptions.
fn flows_without_docs(scheme: &Value) -> Option<Value> {
    let mut flows = scheme.get("flows")?.clone();
    if let Some(o) = flows.as_object_mut() {
        for flow in o.values_mut() {
            if let Some(f) = flow.as_object_mut() {
                f.remove("description");
            }
        }
    }
    Some(flows)
}

/// An operation's parameters with those inherited from its path item, by (`in`, name).
fn parameters(d: &Document, op: &Operation) -> BTreeMap<(String, String), (Value, String)> {
    let mut out = BTreeMap::new();
    let lists = [
        (
            op.path_parameters,
            format!("{}/parameters", op.path_pointer),
        ),
        (
            op.value.get("parameters"),
            format!("{}/parameters", op.pointer),
        ),
    ];
    for (list, ptr) in lists {
        for (i, p) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = d.resolve_in_place(p);
            let (Some(loc), Some(name)) = (
                p.get("in").and_then(Value::as_str),
                p.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            // Header names are case-insensitive.
            let name = if loc == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_owned()
            };
            out.insert((loc.to_owned(), name), (p.clone(), format!("{ptr}/{i}")));
        }
    }
    out
}
