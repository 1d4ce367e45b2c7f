//! `obakit-codegen diff` on real revisions, each with a golden report (`tests/data/diff/`):
//!
//! - Orange-like revisions of `spec/`, written as edits of the loaded documents (so fields another change
//!   adds to `spec/` do not break them): the page's own history (the `productOfferingOperation` enum change,
//!   `EndUserOperation` removed from ProductOrdering, the event path moved to v2) and the changes Orange may
//!   make next (a new required request field, a removed response field, a narrowed enum, a new status code),
//!   plus a renamed schema and reworded descriptions, which must not read as removals;
//! - TM Forum's TMF622 v4.0.0 (Swagger 2.0) → v5.0.0 and TMF629 v4 → v5, read from the corpus in
//!   `../shared/openapi-corpus/` (never copied into the repository): skipped with a message when it is
//!   missing, a failure when `OBAKIT_CI` is set;
//! - the command's exit status (`--fail-on`) and its JSON shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use obakit_codegen::diff::{DiffOptions, Report, Severity, diff_files, report};
use serde_json::{Value, json};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repository_root() -> PathBuf {
    manifest_dir()
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// The folder of obakit's own documents (at the root, or in the API package once it has moved there).
fn spec_dir() -> PathBuf {
    let root = repository_root();
    [root.join("spec"), root.join("api/spec")]
        .into_iter()
        .find(|d| d.join("user-service.yaml").exists())
        .expect("spec/user-service.yaml exists")
}

fn in_ci() -> bool {
    std::env::var_os("OBAKIT_CI").is_some_and(|v| !v.is_empty())
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("spec files are readable");
    serde_yaml::from_str(&text).expect("spec files are YAML")
}

/// The document `file` of `spec/` (with the `common.yaml` it references) as published and as revised:
/// `old` and `new` edit a loaded copy each.
fn revision(
    name: &str,
    file: &str,
    old: impl Fn(&mut Value, &mut Value),
    new: impl Fn(&mut Value, &mut Value),
) -> Report {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut paths = Vec::new();
    for (side, edit) in [
        ("old", &old as &dyn Fn(&mut Value, &mut Value)),
        ("new", &new),
    ] {
        let folder = dir.path().join(side);
        std::fs::create_dir_all(&folder).expect("the folder is created");
        let mut api = load(&spec_dir().join(file));
        let mut common = load(&spec_dir().join("common.yaml"));
        edit(&mut api, &mut common);
        let write = |name: &str, v: &Value| {
            let text = serde_yaml::to_string(v).expect("values serialize");
            std::fs::write(folder.join(name), text).expect("the file is written");
        };
        write(file, &api);
        write("common.yaml", &common);
        paths.push(folder.join(file));
    }
    let mut report = diff_files(&paths[0], &paths[1], &DiffOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    report.old = format!("spec/{file} (published)");
    report.new = format!("spec/{file} ({name})");
    report
}

fn snapshot(name: &str, report: &Report) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(manifest_dir().join("tests/data/diff"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, report::text(report)));
}

fn unchanged(_: &mut Value, _: &mut Value) {}

fn schema<'v>(doc: &'v mut Value, name: &str) -> &'v mut Value {
    doc.pointer_mut(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("schema {name} exists"))
}

/// The changes of one kind.
fn of_kind<'r>(report: &'r Report, kind: &str) -> Vec<&'r obakit_codegen::diff::Change> {
    report.changes.iter().filter(|c| c.kind == kind).collect()
}

#[test]
fn the_product_offering_operation_enum_change_breaks_code_naming_the_old_value_and_warns_of_the_new()
 {
    // API 2.2: the action of a productOfferingOperation became `swap`.
    let report = revision(
        "enum changed",
        "user-service.yaml",
        |api, _| schema(api, "ProductOfferingOperationAction")["enum"] = json!(["change"]),
        unchanged,
    );
    let removed = of_kind(&report, "enum-value-removed");
    let added = of_kind(&report, "enum-value-added");
    assert!(removed.iter().all(|c| c.severity == Severity::Breaking));
    assert!(
        removed.iter().any(|c| c.operation.as_deref()
            == Some("POST /userservice/v2/userService/update")
            && c.rust
                == [
                    "UserServicePartnerApi::update_user_services",
                    "user_service::ProductOfferingOperation.action",
                    "user_service::ProductOfferingOperationAction::Change"
                ]),
        "{removed:#?}"
    );
    // Orange sends it to the partner: a new value is kept by the open enum until regenerated.
    assert!(added.iter().any(|c| {
        c.severity == Severity::Warning
            && c.rust
                .contains(&"user_service::ProductOfferingOperationAction::Swap".to_owned())
    }));
    snapshot("enum_changed", &report);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(manifest_dir().join("tests/data/diff"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!("enum_changed_markdown", report::markdown(&report));
        insta::assert_snapshot!("enum_changed_json", report::json(&report));
    });
}

#[test]
fn end_user_operation_removed_from_product_ordering_is_a_removed_request_field() {
    // API 2.1: "no action on EndUserOperation exists inside ProductOrdering".
    let report = revision(
        "EndUserOperation removed",
        "product-ordering.yaml",
        |api, _| {
            schema(api, "OrderItem")["properties"]["endUserOperation"] =
                json!({"$ref": "#/components/schemas/EndUserOperation"});
            api["components"]["schemas"]["EndUserOperation"] = json!({
                "type": "object",
                "required": ["action"],
                "properties": {"action": {"type": "string", "enum": ["add", "modify", "delete"]}}
            });
        },
        unchanged,
    );
    let removed = of_kind(&report, "property-removed");
    assert!(
        removed.iter().any(|c| c.severity == Severity::Breaking
            && c.operation.as_deref() == Some("POST /productordering/v2/productOrder")
            && c.rust.first().map(String::as_str)
                == Some("ProductOrderingPartnerApi::create_product_order")
            && c.rust
                .contains(&"product_ordering::OrderItem.end_user_operation".to_owned())),
        "{removed:#?}"
    );
    assert_eq!(of_kind(&report, "schema-removed").len(), 1);
    snapshot("end_user_operation_removed", &report);
}

#[test]
fn the_event_path_moved_to_v2_is_one_moved_operation_on_the_client() {
    let report = revision(
        "event path to v2",
        "user-service.yaml",
        |api, _| {
            let paths = api["paths"].as_object_mut().expect("paths");
            let item = paths
                .shift_remove("/{offer}/userservice/v2/event")
                .expect("the event path");
            paths.insert("/{offer}/userservice/v1/event".to_owned(), item);
        },
        unchanged,
    );
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let moved = &report.changes[0];
    assert_eq!(moved.kind, "operation-moved");
    assert_eq!(moved.severity, Severity::Breaking);
    assert_eq!(
        moved.rust,
        ["UserServiceOrangeClient::notify_user_service_event"]
    );
    snapshot("event_path_v2", &report);
}

#[test]
fn a_new_required_request_field_warns_the_server_and_breaks_the_sender() {
    let report = revision(
        "new required request field",
        "user-service.yaml",
        unchanged,
        |api, _| {
            // Received by the partner (Orange sends the update)...
            let item = schema(api, "UserServiceUpdateItem");
            item["properties"]["reason"] = json!({"type": "string", "maxLength": 256});
            item["required"]
                .as_array_mut()
                .expect("required")
                .push(json!("reason"));
            // ...and sent by the partner (the event it posts to Orange).
            let event = schema(api, "UserServiceEvent");
            event["properties"]["correlationId"] = json!({"type": "string"});
            event["required"]
                .as_array_mut()
                .expect("required")
                .push(json!("correlationId"));
        },
    );
    let added = of_kind(&report, "property-added");
    let received = added
        .iter()
        .find(|c| {
            c.rust
                .contains(&"user_service::UserServiceUpdateItem.reason".to_owned())
        })
        .expect("the new request field of the update");
    assert_eq!(received.severity, Severity::Warning);
    let sent = added
        .iter()
        .find(|c| {
            c.rust
                .contains(&"user_service::UserServiceEvent.correlation_id".to_owned())
        })
        .expect("the new field of the event");
    assert_eq!(sent.severity, Severity::Breaking);
    assert_eq!(
        sent.rust[0],
        "UserServiceOrangeClient::notify_user_service_event"
    );
    snapshot("new_required_request_field", &report);
}

#[test]
fn a_removed_response_field_breaks_every_operation_that_answers_it() {
    let report = revision(
        "removed response field",
        "user-service.yaml",
        unchanged,
        |api, _| {
            schema(api, "UserService")["properties"]
                .as_object_mut()
                .expect("properties")
                .shift_remove("lastUpdate");
        },
    );
    let removed = of_kind(&report, "property-removed");
    assert!(removed.iter().all(|c| c.severity == Severity::Breaking));
    let operations: Vec<_> = removed
        .iter()
        .filter_map(|c| c.operation.as_deref())
        .collect();
    assert!(
        operations.contains(&"GET /userservice/v2/userService/{id}"),
        "{operations:?}"
    );
    assert!(removed.iter().any(|c| {
        c.rust
            .contains(&"user_service::UserService.last_update".to_owned())
    }));
    snapshot("removed_response_field", &report);
}

#[test]
fn a_request_field_no_longer_required_tells_the_implementation_it_receives_an_option() {
    let report = revision(
        "productOffering optional",
        "user-service.yaml",
        unchanged,
        |api, _| {
            schema(api, "ProductOfferingOperation")["required"] = json!(["action"]);
        },
    );
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let change = &report.changes[0];
    assert_eq!(
        (change.severity, change.kind),
        (Severity::Breaking, "property-no-longer-required")
    );
    assert_eq!(
        change.rust,
        [
            "UserServicePartnerApi::update_user_services",
            "user_service::UserServiceUpdateItem.product_offering_operation",
            "user_service::ProductOfferingOperation.product_offering"
        ]
    );
    assert!(
        change.message.starts_with(
            "request field `userService[].productOfferingOperation.productOffering` is no longer required: your implementation receives `Option`"
        ),
        "{}",
        change.message
    );
    snapshot("no_longer_required", &report);
}

#[test]
fn a_narrowed_enum_removes_its_variant() {
    let report = revision("narrowed enum", "user-service.yaml", unchanged, |api, _| {
        schema(api, "ExternalState")["enum"] = json!(["active", "inactive", "deleted"]);
    });
    let removed = of_kind(&report, "enum-value-removed");
    assert!(!removed.is_empty());
    assert!(removed.iter().all(|c| {
        c.severity == Severity::Breaking
            && c.rust
                .contains(&"user_service::ExternalState::Suspended".to_owned())
    }));
    snapshot("narrowed_enum", &report);
}

#[test]
fn a_new_status_code_is_a_warning_to_serve_and_breaks_a_match_on_a_called_operation() {
    let report = revision(
        "new status code",
        "user-service.yaml",
        unchanged,
        |api, _| {
            let conflict = json!({"$ref": "common.yaml#/components/responses/BadRequest"});
            api["paths"]["/userservice/v2/userService/update"]["post"]["responses"]["409"] =
                conflict.clone();
            api["paths"]["/{offer}/userservice/v2/event"]["post"]["responses"]["409"] = conflict;
        },
    );
    let added = of_kind(&report, "response-added");
    assert_eq!(added.len(), 2, "{added:#?}");
    let served = added
        .iter()
        .find(|c| c.operation.as_deref() == Some("POST /userservice/v2/userService/update"))
        .expect("served");
    assert_eq!(served.severity, Severity::Warning);
    assert!(
        served
            .rust
            .contains(&"UpdateUserServicesResponse::Conflict".to_owned())
    );
    let called = added
        .iter()
        .find(|c| c.operation.as_deref() == Some("POST /{offer}/userservice/v2/event"))
        .expect("called");
    assert_eq!(called.severity, Severity::Breaking);
    snapshot("new_status_code", &report);
}

#[test]
fn a_schema_renamed_with_the_same_shape_is_one_rename_and_reworded_descriptions_are_info() {
    let report = revision(
        "renamed schema",
        "user-service.yaml",
        unchanged,
        |api, _| {
            let schemas = api["components"]["schemas"]
                .as_object_mut()
                .expect("schemas");
            let mut state = schemas
                .shift_remove("ExternalState")
                .expect("ExternalState");
            state["description"] = json!("Reworded.");
            schemas.insert("LicenseExternalState".to_owned(), state);
            let text = serde_json::to_string(api).expect("serializes").replace(
                "#/components/schemas/ExternalState\"",
                "#/components/schemas/LicenseExternalState\"",
            );
            *api = serde_json::from_str(&text).expect("parses");
            api["paths"]["/userservice/v2/userService/update"]["post"]["summary"] =
                json!("Change licenses");
        },
    );
    assert_eq!(
        of_kind(&report, "schema-renamed").len(),
        1,
        "{:#?}",
        report.changes
    );
    assert!(of_kind(&report, "schema-removed").is_empty());
    assert!(of_kind(&report, "schema-added").is_empty());
    assert!(of_kind(&report, "schema-replaced").is_empty());
    assert!(
        report
            .changes
            .iter()
            .filter(|c| c.kind != "schema-renamed")
            .all(|c| c.severity == Severity::Info)
    );
    snapshot("renamed_schema", &report);
}

#[test]
fn the_role_decides_who_a_change_breaks() {
    // The same narrowed response enum: sent by the partner, received by Orange's side.
    let edit = |api: &mut Value, _: &mut Value| {
        schema(api, "UserServiceUpdateState")["enum"] =
            json!(["acknowledged", "completed", "failed"]);
        schema(api, "UserServiceUpdateState")["maxLength"] = json!(12);
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |side: &str, edit: &dyn Fn(&mut Value, &mut Value)| {
        let folder = dir.path().join(side);
        std::fs::create_dir_all(&folder).expect("folder");
        let mut api = load(&spec_dir().join("user-service.yaml"));
        let mut common = load(&spec_dir().join("common.yaml"));
        edit(&mut api, &mut common);
        std::fs::write(
            folder.join("user-service.yaml"),
            serde_yaml::to_string(&api).expect("yaml"),
        )
        .expect("write");
        std::fs::write(
            folder.join("common.yaml"),
            serde_yaml::to_string(&common).expect("yaml"),
        )
        .expect("write");
        folder.join("user-service.yaml")
    };
    let (old, new) = (write("old", &unchanged), write("new", &edit));
    let partner = diff_files(&old, &new, &DiffOptions::default()).expect("diff");
    let orange = diff_files(
        &old,
        &new,
        &DiffOptions {
            serve: vec!["orange".into()],
            call: vec!["partner".into()],
        },
    )
    .expect("diff");
    let tightened = |r: &Report| {
        r.changes
            .iter()
            .find(|c| c.kind == "constraint-tightened")
            .map(|c| (c.severity, c.rust[0].clone()))
    };
    assert_eq!(
        tightened(&partner),
        Some((
            Severity::Breaking,
            "UserServicePartnerApi::update_user_services".to_owned()
        ))
    );
    assert_eq!(
        tightened(&orange),
        Some((
            Severity::Warning,
            "UserServicePartnerClient::update_user_services".to_owned()
        ))
    );
}

#[test]
fn every_construct_is_compared_parameters_security_responses_unions_and_callbacks() {
    let base = manifest_dir().join("tests/data/diff/coverage.yaml");
    let mut doc = load(&base);
    let pet = "/paths/~1pets~1{petId}/get";
    assert!(doc.pointer(pet).is_some(), "the fixture has {pet}");
    let op = doc.pointer_mut(pet).expect("getPet");
    op["parameters"][0]["explode"] = json!(false);
    op["parameters"][1]["schema"]["maxLength"] = json!(32);
    op["parameters"].as_array_mut().expect("parameters").push(
        json!({"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}}),
    );
    op["security"] = json!([{"basic": []}, {"bearer": []}]);
    op["deprecated"] = json!(true);
    op["responses"]
        .as_object_mut()
        .expect("responses")
        .shift_remove("404");
    doc["components"]["securitySchemes"]["bearer"] = json!({"type": "http", "scheme": "bearer"});
    let pet_schema = schema(&mut doc, "Pet");
    pet_schema["properties"]
        .as_object_mut()
        .expect("properties")
        .shift_remove("name");
    pet_schema["properties"]["weight"]["format"] = json!("double");
    pet_schema["properties"]["id"]["maxLength"] = json!(64);
    pet_schema["properties"]["id"]["nullable"] = json!(true);
    pet_schema["properties"]["owner"]["oneOf"] = json!([{"$ref": "#/components/schemas/Person"}]);
    pet_schema["properties"]["owner"]["discriminator"]["mapping"]
        .as_object_mut()
        .expect("mapping")
        .shift_remove("company");
    schema(&mut doc, "Kind")["enum"] = json!(["cat", "dog", "bird"]);
    schema(&mut doc, "PetEvent")["properties"]["eventType"]["enum"] =
        json!(["created", "updated", "deleted"]);
    doc["paths"]["/ping"]["get"]["x-obakit-role"] = json!("orange");
    doc["paths"]["/subscriptions"]["post"]["callbacks"]["petGone"] = json!({"{$request.body#/callbackUrl}/gone": {"post": {"responses": {"204": {"description": "Received."}}}}});
    let paths = doc["paths"].as_object_mut().expect("paths");
    let mut item = paths.shift_remove("/pets/{petId}").expect("the pet path");
    item["parameters"][0]["name"] = json!("id");
    paths.insert("/pets/{id}".to_owned(), item);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let revised = dir.path().join("coverage.yaml");
    std::fs::write(&revised, serde_yaml::to_string(&doc).expect("yaml")).expect("write");
    let mut report = diff_files(&base, &revised, &DiffOptions::default()).expect("diff");
    report.old = "coverage.yaml".to_owned();
    report.new = "coverage.yaml (revised)".to_owned();
    let kinds: std::collections::BTreeSet<(&str, Severity)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.severity))
        .collect();
    for expected in [
        ("parameter-restyled", Severity::Breaking),
        ("constraint-tightened", Severity::Warning),
        ("parameter-added", Severity::Breaking),
        ("security-changed", Severity::Breaking),
        ("security-scheme-added", Severity::Info),
        ("response-removed", Severity::Breaking),
        ("property-removed", Severity::Breaking),
        ("format-changed", Severity::Breaking),
        ("constraint-loosened", Severity::Info),
        ("variant-removed", Severity::Breaking),
        ("discriminator-mapping-removed", Severity::Breaking),
        ("enum-value-added", Severity::Info),
        ("enum-value-added", Severity::Warning),
        ("role-changed", Severity::Breaking),
        ("path-parameter-renamed", Severity::Info),
        ("now-nullable", Severity::Breaking),
        ("operation-deprecated", Severity::Info),
        ("callback-added", Severity::Warning),
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected:?} missing from {kinds:#?}"
        );
    }
    // The callback is served by whoever calls `subscribe`: its request is received.
    let callback = report
        .changes
        .iter()
        .find(|c| {
            c.operation
                .as_deref()
                .is_some_and(|o| o.contains("callback `petEvent`"))
                && c.kind == "enum-value-added"
        })
        .expect("the callback's new enum value");
    assert_eq!(callback.severity, Severity::Warning);
    snapshot("coverage", &report);
}

#[test]
fn a_change_inside_a_recursive_schema_is_reported_for_every_operation_using_it() {
    let document = |max: u64| {
        let op = |id: &str| {
            json!({"get": {"operationId": id, "responses": {"200": {"description": "A tree.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}}}}}})
        };
        json!({
            "openapi": "3.0.3",
            "info": {"title": "Trees", "version": "1"},
            "paths": {"/a": op("getA"), "/b": op("getB")},
            "components": {"schemas": {
                "Tree": {"type": "object", "required": ["node"], "properties": {
                    "node": {"$ref": "#/components/schemas/Node"}}},
                "Node": {"type": "object", "properties": {
                    "label": {"type": "string", "maxLength": max},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
            }}
        })
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    std::fs::write(&old, document(64).to_string()).expect("write");
    std::fs::write(&new, document(32).to_string()).expect("write");
    let report = diff_files(&old, &new, &DiffOptions::default()).expect("diff");
    let operations: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.kind == "constraint-tightened")
        .filter_map(|c| c.operation.as_deref())
        .collect();
    assert_eq!(operations, ["GET /a", "GET /b"], "{:#?}", report.changes);
    // Unchanged, the same documents compare clean however often the schemas recur.
    let same = diff_files(&old, &old, &DiffOptions::default()).expect("diff");
    assert!(same.changes.is_empty());
}

/// The corpus of real documents, outside the repository.
fn corpus() -> Option<PathBuf> {
    let dir = repository_root().join("../shared/openapi-corpus");
    if dir.join("tmf622-product-ordering-v5.0.0.yaml").exists() {
        return Some(dir);
    }
    assert!(
        !in_ci(),
        "OBAKIT_CI is set but the OpenAPI corpus is missing from {}",
        dir.display()
    );
    eprintln!("skipped: the OpenAPI corpus is not in {}", dir.display());
    None
}

fn tm_forum(name: &str, old: &str, new: &str) {
    let Some(dir) = corpus() else {
        return;
    };
    let mut report = diff_files(&dir.join(old), &dir.join(new), &DiffOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    report.old = old.to_owned();
    report.new = new.to_owned();
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(report.worst(), Some(Severity::Breaking));
    snapshot(name, &report);
}

#[test]
fn tmf622_v4_swagger_to_v5_is_reported_with_the_generated_items() {
    tm_forum(
        "tmf622_v4_to_v5",
        "tmf622-product-ordering-v4.0.0.swagger.json",
        "tmf622-product-ordering-v5.0.0.yaml",
    );
}

#[test]
fn tmf629_v4_swagger_to_v5_is_reported_with_the_generated_items() {
    tm_forum(
        "tmf629_v4_to_v5",
        "tmf629-customer-v4.0.0.swagger.json",
        "tmf629-customer-management-v5.0.1.yaml",
    );
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_obakit-codegen"))
        .current_dir(repository_root())
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_exit_status_follows_fail_on_and_an_unreadable_document_is_2() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec = spec_dir().join("user-service.yaml");
    let same = spec.display().to_string();
    assert_eq!(run(&["diff", &same, &same]).0, 0);
    // A summary reworded: info only.
    let mut api = load(&spec);
    api["paths"]["/userservice/v2/userService/update"]["post"]["summary"] =
        json!("Change licenses");
    std::fs::copy(
        spec_dir().join("common.yaml"),
        dir.path().join("common.yaml"),
    )
    .expect("copy");
    let reworded = dir.path().join("user-service.yaml");
    std::fs::write(&reworded, serde_yaml::to_string(&api).expect("yaml")).expect("write");
    let reworded = reworded.display().to_string();
    assert_eq!(run(&["diff", &same, &reworded]).0, 0);
    // A removed operation: breaking.
    api["paths"]
        .as_object_mut()
        .expect("paths")
        .shift_remove("/userservice/v2/userService/{id}");
    std::fs::write(
        dir.path().join("user-service.yaml"),
        serde_yaml::to_string(&api).expect("yaml"),
    )
    .expect("write");
    assert_eq!(run(&["diff", &same, &reworded]).0, 1);
    assert_eq!(run(&["diff", &same, &reworded, "--fail-on", "never"]).0, 0);
    assert_eq!(run(&["diff", &same, "no/such/file.yaml"]).0, 2);
    // Judged from Orange's side, the removed operation is one Orange's client called.
    let (status, out) = run(&[
        "diff", &same, &reworded, "--serve", "orange", "--call", "partner", "--format", "json",
    ]);
    assert_eq!(status, 1);
    assert!(
        out.contains("\"UserServicePartnerClient::get_user_service\""),
        "{out}"
    );
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let spec = spec_dir().join("user-service.yaml").display().to_string();
    let common = spec_dir().join("common.yaml").display().to_string();
    let (status, out) = run(&[
        "diff",
        &common,
        &spec,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(status, 0);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["old", "new", "summary", "changes"]);
    let summary: Vec<&str> = v["summary"]
        .as_object()
        .expect("summary")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(summary, ["breaking", "warning", "info"]);
    let change = &v["changes"][0];
    let keys: Vec<&str> = change
        .as_object()
        .expect("change")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "severity",
            "kind",
            "operation",
            "old_pointer",
            "new_pointer",
            "message",
            "rust"
        ]
    );
    let total = ["breaking", "warning", "info"]
        .iter()
        .map(|k| v["summary"][k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(
        total as usize,
        v["changes"].as_array().expect("changes").len()
    );
    assert!(
        v["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["kind"] == "operation-added" && c["operation"].is_string())
    );
}
