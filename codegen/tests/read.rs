//! Read stage: spec files → self-contained OpenAPI 3.0 documents, or diagnostics naming file and pointer.
//!
//! Fixtures: every directory under `tests/data/read/ok/` holds a `root.*` document whose bundled output is
//! snapshotted next to it (`bundled.snap`); every directory under `tests/data/read/err/` holds a `root.*`
//! document whose diagnostics are snapshotted next to it (`diagnostics.snap`). The real-world documents of
//! the OpenAPI corpus (`../shared/openapi-corpus/` beside the repository) are read too. After an intended change, `INSTA_UPDATE=always cargo test -p obakit-codegen --test read` rewrites
//! the snapshots; review them with `git diff`.

use std::path::{Path, PathBuf};

use obakit_codegen::diag::Diagnostics;
use obakit_codegen::read::{LoadedSpec, read_spec};
use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn data_dir() -> PathBuf {
    manifest_dir().join("tests/data/read")
}

/// The fixture directories of `ok` or `err`, sorted.
fn cases(kind: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(data_dir().join(kind))
        .unwrap_or_else(|e| panic!("fixture directory {kind}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures under {kind}");
    dirs
}

/// The `root.*` document of a fixture directory.
fn root_of(case: &Path) -> PathBuf {
    std::fs::read_dir(case)
        .expect("fixture directory")
        .map(|e| e.expect("directory entry").path())
        .find(|p| p.file_stem().is_some_and(|s| s == "root"))
        .unwrap_or_else(|| panic!("{} has no root.* document", case.display()))
}

fn fixture(kind: &str, name: &str) -> PathBuf {
    root_of(&data_dir().join(kind).join(name))
}

/// `text` with the fixture directory `dir` removed from the paths it mentions.
fn relative_to(text: &str, dir: &Path) -> String {
    text.replace(&format!("{}/", dir.display()), "")
}

fn read_ok(path: &Path) -> LoadedSpec {
    read_spec(path).unwrap_or_else(|d| panic!("{} should read, got:\n{d}", path.display()))
}

fn read_err(path: &Path) -> Diagnostics {
    match read_spec(path) {
        Ok(_) => panic!("{} should fail to read", path.display()),
        Err(diags) => diags,
    }
}

/// The diagnostics of a failing fixture, as text with paths relative to the fixture directory.
fn diagnostics_of(kind: &str, name: &str) -> String {
    let root = fixture(kind, name);
    relative_to(
        &read_err(&root).to_string(),
        root.parent().expect("fixture directory"),
    )
}

fn render_ok(spec: &LoadedSpec, dir: &Path) -> String {
    let mut out = format!(
        "converted_from_swagger2: {}\nschema_origins:\n",
        spec.converted_from_swagger2
    );
    for (name, origin) in &spec.schema_origins {
        out.push_str(&format!(
            "  {name}: {}\n",
            relative_to(&origin.display().to_string(), dir)
        ));
    }
    if !spec.warnings.is_empty() {
        out.push_str("warnings:\n");
        for w in &spec.warnings {
            out.push_str(&format!("  {}\n", relative_to(&w.to_string(), dir)));
        }
    }
    out.push_str("---\n");
    out.push_str(&serde_json::to_string_pretty(&spec.raw).expect("JSON values serialize"));
    out.push('\n');
    out
}

fn snapshot(dir: &Path, name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(relative_to(&dir.display().to_string(), manifest_dir()));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Every `$ref` string of a document, skipping example values (literal data that may hold `$ref` keys).
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    ("example" | "value", _) => {}
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

fn pointer<'v>(value: &'v Value, at: &str) -> &'v Value {
    value
        .pointer(at)
        .unwrap_or_else(|| panic!("no node at {at}"))
}

// ---------------------------------------------------------------------------------------------------
// Data-driven fixtures
// ---------------------------------------------------------------------------------------------------

#[test]
fn ok_fixtures_bundle_to_their_snapshots() {
    for case in cases("ok") {
        let spec = read_ok(&root_of(&case));
        let mut all = Vec::new();
        refs(&spec.raw, &mut all);
        let external: Vec<_> = all.iter().filter(|r| !r.starts_with("#/")).collect();
        assert!(
            external.is_empty(),
            "{}: non-local references left: {external:?}",
            case.display()
        );
        snapshot(&case, "bundled", &render_ok(&spec, &case));
    }
}

#[test]
fn err_fixtures_report_their_snapshotted_diagnostics() {
    for case in cases("err") {
        let diags = read_err(&root_of(&case));
        for d in &diags.0 {
            assert!(
                !d.message.is_empty() && !d.message.ends_with('.'),
                "message style: {d}"
            );
        }
        snapshot(
            &case,
            "diagnostics",
            &relative_to(&diags.to_string(), &case),
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// The real-world corpus
// ---------------------------------------------------------------------------------------------------

/// Corpus documents the read stage cannot read yet; each must still fail (remove it once it reads).
const NOT_READ_YET: &[&str] = &[];

/// The corpus directory (outside the repository, `../shared/openapi-corpus/` from its root), or
/// `None` (after saying so) when it is absent and `OBAKIT_CI` is unset.
fn corpus_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../shared/openapi-corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("OBAKIT_CI").is_some() {
        panic!(
            "the OpenAPI corpus is missing at {} and OBAKIT_CI is set",
            dir.display()
        );
    }
    eprintln!("skipping: the OpenAPI corpus is not at {}", dir.display());
    None
}

fn corpus(name: &str) -> Option<PathBuf> {
    corpus_dir().map(|dir| dir.join(name))
}

#[test]
fn every_corpus_document_reads() {
    let Some(dir) = corpus_dir() else { return };
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    documents.sort();
    assert!(
        documents.len() >= 8,
        "expected the whole corpus, found {documents:?}"
    );
    let failures: Vec<String> = documents
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            match (read_spec(path), NOT_READ_YET.contains(&name)) {
                (Ok(_), false) | (Err(_), true) => None,
                (Err(d), false) => Some(format!("{}:\n{d}", path.display())),
                (Ok(_), true) => Some(format!("{name} reads now: remove it from NOT_READ_YET")),
            }
        })
        .collect();
    assert!(
        failures.is_empty(),
        "corpus documents failed to read:\n{}",
        failures.join("\n")
    );
}

#[test]
fn corpus_tmf622_v4_swagger2_converts_to_openapi_3() {
    let Some(path) = corpus("tmf622-product-ordering-v4.0.0.swagger.json") else {
        return;
    };
    let spec = read_ok(&path);
    assert!(spec.converted_from_swagger2);
    assert_eq!(spec.document.openapi, "3.0.3");

    // All 71 definitions became component schemas, each defined by the file itself.
    let schemas = &spec
        .document
        .components
        .as_ref()
        .expect("components")
        .schemas;
    assert_eq!(schemas.len(), 71);
    assert_eq!(spec.schema_origins.len(), 71);
    assert!(spec.schema_origins.values().all(|origin| *origin == path));

    // host + basePath + schemes.
    assert_eq!(spec.document.servers.len(), 1);
    assert_eq!(
        spec.document.servers[0].url,
        "https://serverRoot/tmf-api/productOrderingManagement/v4"
    );

    // The body parameter of createProductOrder is a request body for the declared `consumes`.
    let body = pointer(&spec.raw, "/paths/~1productOrder/post/requestBody");
    assert_eq!(body["required"], true);
    assert_eq!(body["x-codegen-request-body-name"], "productOrder");
    assert_eq!(
        body["content"]["application/json;charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ProductOrder_Create"
    );
    assert!(
        pointer(&spec.raw, "/paths/~1productOrder/post")
            .get("parameters")
            .is_none()
    );

    // Response schemas are content for the declared `produces`; headers carry schemas.
    let ok = pointer(&spec.raw, "/paths/~1productOrder/get/responses/200");
    assert_eq!(
        ok["content"]["application/json;charset=utf-8"]["schema"]["items"]["$ref"],
        "#/components/schemas/ProductOrder"
    );
    assert_eq!(ok["headers"]["X-Total-Count"]["schema"]["type"], "integer");

    // No reference to the 2.0 layout is left.
    let mut all = Vec::new();
    refs(&spec.raw, &mut all);
    assert!(
        all.iter().all(|r| r.starts_with("#/components/schemas/")),
        "{all:?}"
    );
    assert_eq!(spec.document.operations().count(), 18);
}

#[test]
fn corpus_tmf_v5_documents_keep_components_and_discriminators() {
    let Some(path) = corpus("tmf622-product-ordering-v5.0.0.yaml") else {
        return;
    };
    let spec = read_ok(&path);
    assert!(!spec.converted_from_swagger2);
    let components = spec.document.components.as_ref().expect("components");
    assert_eq!(components.schemas.len(), spec.schema_origins.len());
    assert!(components.schemas.len() > 300);
    assert!(!components.request_bodies.is_empty() && !components.responses.is_empty());
    // The typed document and the raw JSON describe the same schemas, in the same order.
    let raw_names: Vec<&String> = pointer(&spec.raw, "/components/schemas")
        .as_object()
        .expect("object")
        .keys()
        .collect();
    let typed_names: Vec<&String> = components.schemas.keys().collect();
    assert_eq!(raw_names, typed_names);
    // A single-file 3.0 document passes through unchanged.
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let original: Value = serde_yaml::from_str(&text).expect("corpus YAML");
    assert!(
        spec.raw == original,
        "the bundled document differs from the input"
    );
}

#[test]
fn reading_twice_gives_byte_identical_output() {
    let mut inputs = vec![fixture("ok", "cross-file"), fixture("ok", "swagger2")];
    inputs.extend(corpus("tmf622-product-ordering-v5.0.0.yaml"));
    inputs.extend(corpus("tmf622-product-ordering-v4.0.0.swagger.json"));
    for path in inputs {
        let (a, b) = (read_ok(&path), read_ok(&path));
        assert_eq!(
            serde_json::to_string(&a.raw).unwrap(),
            serde_json::to_string(&b.raw).unwrap()
        );
        assert_eq!(format!("{:?}", a.document), format!("{:?}", b.document));
        assert_eq!(a.schema_origins, b.schema_origins);
    }
}

// ---------------------------------------------------------------------------------------------------
// Cross-file references
// ---------------------------------------------------------------------------------------------------

#[test]
fn cross_file_schemas_are_copied_under_their_own_names_with_their_origin() {
    let root = fixture("ok", "cross-file");
    let dir = root.parent().unwrap();
    let spec = read_ok(&root);
    let origins: Vec<(String, String)> = spec
        .schema_origins
        .iter()
        .map(|(name, origin)| {
            (
                name.clone(),
                relative_to(&origin.display().to_string(), dir),
            )
        })
        .collect();
    let expected = [
        ("Error", "root.yaml"), // identical in common/components.yaml: not a clash, stays local
        ("Animal", "root.yaml"),
        ("Pet", "schemas/pet.yaml"),
        ("Tag", "schemas/pet.yaml"),
        ("category", "schemas/category.yaml"), // a whole file is a schema named after the file
        ("Owner", "common/owner.yaml"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, o)| ((*n).into(), (*o).into()))
        .collect();
    assert_eq!(origins, expected);
    let schemas = &spec.document.components.as_ref().unwrap().schemas;
    assert_eq!(
        schemas.keys().collect::<Vec<_>>(),
        spec.schema_origins.keys().collect::<Vec<_>>()
    );
}

#[test]
fn nested_refs_resolve_relative_to_the_file_that_holds_them() {
    let spec = read_ok(&fixture("ok", "cross-file"));
    let raw = &spec.raw;
    // schemas/pet.yaml: `#/components/schemas/Tag` is pet.yaml's own Tag, `./category.yaml` its neighbour,
    // `../common/owner.yaml#/Owner` a file one level up; owner.yaml refers back to Pet (a cycle).
    let pet = pointer(raw, "/components/schemas/Pet/properties");
    assert_eq!(pet["tags"]["items"]["$ref"], "#/components/schemas/Tag");
    assert_eq!(pet["category"]["$ref"], "#/components/schemas/category");
    assert_eq!(pet["owner"]["$ref"], "#/components/schemas/Owner");
    assert_eq!(pet["parent"]["$ref"], "#/components/schemas/Pet");
    assert_eq!(
        pointer(raw, "/components/schemas/Owner/properties/pets/items/$ref"),
        "#/components/schemas/Pet"
    );
    // The path item of /pets came from paths/pets.yaml and was inlined; its references are from paths/.
    let list = pointer(raw, "/paths/~1pets/get");
    assert_eq!(
        list["parameters"][0]["$ref"],
        "#/components/parameters/Limit"
    );
    assert_eq!(
        list["responses"]["default"]["$ref"],
        "#/components/responses/NotFound"
    );
    assert_eq!(
        pointer(raw, "/paths/~1pets/post/requestBody/$ref"),
        "#/components/requestBodies/NewPet"
    );
    assert_eq!(
        pointer(
            raw,
            "/components/requestBodies/NewPet/content/application~1json/schema/$ref"
        ),
        "#/components/schemas/Pet"
    );
    assert_eq!(
        pointer(raw, "/components/headers/RateLimit/schema/type"),
        "integer"
    );
    // A discriminator mapping into another file names the copied schema.
    assert_eq!(
        pointer(raw, "/components/schemas/Animal/discriminator/mapping/pet"),
        "#/components/schemas/Pet"
    );
}

#[test]
fn example_values_are_data_and_keep_their_dollar_ref_keys() {
    let spec = read_ok(&fixture("ok", "cross-file"));
    let example = pointer(
        &spec.raw,
        "/paths/~1pets/get/responses/200/content/application~1json/example/0/$ref",
    );
    assert_eq!(example, "example data, not a reference");
    assert_eq!(
        pointer(&spec.raw, "/components/examples/Rex/value/$ref"),
        "example data, not a reference"
    );
}

#[test]
fn references_back_into_the_root_and_callbacks_resolve_locally() {
    let spec = read_ok(&fixture("ok", "json-root"));
    assert_eq!(
        pointer(
            &spec.raw,
            "/components/schemas/Money/properties/currency/$ref"
        ),
        "#/components/schemas/Currency"
    );
    // openapiv3 holds no references in an operation's callbacks: they are inlined.
    let callback = pointer(&spec.raw, "/paths/~1prices/get/callbacks/priceChanged");
    assert!(callback.get("{$request.query.callbackUrl}").is_some());
    let (_, _, op) = spec.document.operations().next().expect("one operation");
    assert_eq!(op.callbacks.len(), 1);
}

#[test]
fn root_components_that_alias_files_take_their_content() {
    let root = fixture("ok", "component-aliases");
    let dir = root.parent().unwrap();
    let spec = read_ok(&root);
    let origin = |name: &str| relative_to(&spec.schema_origins[name].display().to_string(), dir);
    assert_eq!(origin("Order"), "schemas/order.yaml");
    assert_eq!(origin("Money"), "schemas/money.yaml");
    // References to the aliased files, from any file, name the root's components: nothing is copied twice.
    assert_eq!(spec.schema_origins.len(), 3);
    let order = pointer(&spec.raw, "/components/schemas/Order/properties");
    assert_eq!(
        order["items"]["items"]["$ref"],
        "#/components/schemas/OrderItem"
    );
    assert_eq!(order["total"]["$ref"], "#/components/schemas/Money");
    assert_eq!(order["replaces"]["$ref"], "#/components/schemas/Order");
    assert_eq!(
        pointer(&spec.raw, "/components/responses/Problem/description"),
        "A problem"
    );
}

#[test]
fn swagger2_features_convert_to_their_openapi_3_equivalents() {
    let spec = read_ok(&fixture("ok", "swagger2"));
    let raw = &spec.raw;
    assert!(spec.converted_from_swagger2);
    let urls: Vec<&str> = spec
        .document
        .servers
        .iter()
        .map(|s| s.url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://api.example.com:8443/v2",
            "http://api.example.com:8443/v2"
        ]
    );

    // collectionFormat: 2.0's default csv is 3.0's non-exploded form; multi is exploded; tsv has no style.
    let params = pointer(raw, "/paths/~1pets/get/parameters");
    assert_eq!(params[0]["$ref"], "#/components/parameters/Limit");
    assert_eq!(
        (&params[1]["style"], &params[1]["explode"]),
        (&"form".into(), &false.into())
    );
    assert_eq!(
        (&params[2]["style"], &params[2]["explode"]),
        (&"form".into(), &true.into())
    );
    assert_eq!(params[3]["style"], "pipeDelimited");
    assert_eq!(params[4]["x-collectionFormat"], "tsv");
    assert_eq!(params[5]["schema"]["nullable"], true);
    assert_eq!(params[5]["example"], "2024-01-01");

    // A global body parameter is a request body component; formData fields make a form body.
    assert_eq!(
        pointer(raw, "/paths/~1pets/post/requestBody/$ref"),
        "#/components/requestBodies/PetBody"
    );
    let upload = pointer(
        raw,
        "/paths/~1pets~1{id}~1photo/post/requestBody/content/multipart~1form-data/schema",
    );
    assert_eq!(
        upload["properties"]["photo"],
        serde_json::json!({ "type": "string", "format": "binary" })
    );
    assert_eq!(upload["properties"]["note"]["type"], "string");
    let labels = pointer(
        raw,
        "/paths/~1pets~1{id}~1labels/put/requestBody/content/application~1x-www-form-urlencoded",
    );
    assert_eq!(labels["encoding"]["labels"]["explode"], true);
    // Response schemas follow `produces`; 2.0 response examples become media type examples.
    let photo = pointer(
        raw,
        "/paths/~1pets~1{id}~1photo/post/responses/200/content/image~1png/schema",
    );
    assert_eq!(photo["format"], "binary");
    assert_eq!(
        pointer(
            raw,
            "/paths/~1pets/get/responses/200/content/application~1json/example/0/name"
        ),
        "Rex"
    );

    // Schemas: string discriminator, x-nullable (also on a reference), a definition from another file.
    let pet = pointer(raw, "/components/schemas/Pet");
    assert_eq!(pet["discriminator"]["propertyName"], "petType");
    assert_eq!(pet["properties"]["nickname"]["nullable"], true);
    assert_eq!(
        pet["properties"]["previousAddress"]["allOf"][0]["$ref"],
        "#/components/schemas/Address"
    );
    assert_eq!(
        pointer(raw, "/components/schemas/Address/properties/zip/nullable"),
        true
    );
    assert!(spec.schema_origins["Address"].ends_with("definitions.yaml"));

    // Security definitions.
    let schemes = pointer(raw, "/components/securitySchemes");
    assert_eq!(
        schemes["basicAuth"],
        serde_json::json!({ "type": "http", "scheme": "basic" })
    );
    assert_eq!(
        schemes["application"]["flows"]["clientCredentials"]["tokenUrl"],
        "https://auth.example.com/token"
    );
    assert!(schemes["accessCode"]["flows"]["authorizationCode"]["authorizationUrl"].is_string());
}

#[test]
fn yaml_merge_keys_anchors_and_numeric_response_codes_read() {
    let spec = read_ok(&fixture("ok", "yaml-quirks"));
    let params = pointer(&spec.raw, "/paths/~1things/get/parameters");
    assert_eq!(params[0]["name"], "page");
    assert_eq!(params[0]["description"], "Page number");
    assert_eq!(params[1]["in"], "query");
    assert!(
        pointer(&spec.raw, "/paths/~1things/get/responses")
            .get("200")
            .is_some()
    );
}

#[test]
fn name_clash_diagnostic_names_both_places() {
    let text = diagnostics_of("err", "name-clash");
    assert!(
        text.contains(
            "root.yaml#/components/schemas/Pet: schema `Pet` copied from other.yaml#/components/schemas/Pet \
             clashes with a different schema of the same name at root.yaml#/components/schemas/Pet"
        ),
        "{text}"
    );
    assert!(
        text.contains("errors-b.yaml#/components/schemas/Error clashes with a different schema"),
        "{text}"
    );
    assert!(
        text.contains("errors-a.yaml#/components/schemas/Error"),
        "{text}"
    );
}

#[test]
fn missing_ref_diagnostic_has_file_and_pointer_of_the_ref() {
    let text = diagnostics_of("err", "missing-ref");
    let site = "root.yaml#/paths/~1a/get/responses";
    assert!(text.contains(&format!("{site}/200/content/application~1json/schema/$ref: cannot resolve `$ref` \"nowhere.yaml#/components/schemas/A\": cannot read nowhere.yaml")), "{text}");
    assert!(text.contains(&format!("{site}/201/content/application~1json/schema/$ref: cannot resolve `$ref` \"other.yaml#/components/schemas/Nope\": other.yaml has no node at /components/schemas/Nope")), "{text}");
    assert!(text.contains(&format!("{site}/202/content/application~1json/schema/$ref: cannot resolve `$ref` \"#/components/schemas/Absent\"")), "{text}");
    // A broken reference inside another file is reported in that file.
    assert!(
        text.contains("other.yaml#/components/schemas/Broken/properties/part/$ref: cannot resolve"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn circular_inlined_references_stop_with_a_diagnostic() {
    let text = diagnostics_of("err", "circular-path-item");
    assert!(text.contains("is circular and cannot be inlined"), "{text}");
}

// ---------------------------------------------------------------------------------------------------
// Versions, syntax and types
// ---------------------------------------------------------------------------------------------------

#[test]
fn openapi_versions_after_3_1_are_rejected() {
    let text = diagnostics_of("err", "openapi-3-2");
    assert_eq!(
        text,
        "root.yaml#/openapi: OpenAPI 3.2.0 is not supported: only OpenAPI 3.0.x, 3.1.x and Swagger 2.0 \
         documents can be read"
    );
}

/// The warnings of a document that reads, with paths relative to its folder.
fn warnings_of(spec: &LoadedSpec) -> Vec<String> {
    let dir = spec.path.parent().expect("fixture directory");
    spec.warnings
        .iter()
        .map(|w| relative_to(&w.to_string(), dir))
        .collect()
}

#[test]
fn openapi_3_1_schemas_read_as_their_3_0_equivalents() {
    let spec = read_ok(&fixture("ok", "openapi-3-1"));
    assert!(spec.lowered_from_openapi31);
    assert_eq!(spec.document.openapi, "3.0.3");
    let pet = pointer(&spec.raw, "/components/schemas/Pet/properties");
    assert_eq!(
        pet["name"],
        serde_json::json!({ "type": "string", "maxLength": 40, "nullable": true, "example": "Rex" })
    );
    assert_eq!(
        pet["kind"],
        serde_json::json!({ "type": "string", "enum": ["pet"] })
    );
    assert_eq!(
        pet["age"]["anyOf"],
        serde_json::json!([
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": "^[0-9]+$" }
        ])
    );
    assert_eq!(
        pet["owner"],
        serde_json::json!({ "description": "Who adopted the pet.", "allOf": [{ "$ref": "#/components/schemas/Owner" }] })
    );
    assert_eq!(
        pet["previousOwner"],
        serde_json::json!({ "nullable": true, "allOf": [{ "$ref": "#/components/schemas/Owner" }] })
    );
    assert_eq!(pet["photo"]["format"], "byte");
    assert_eq!(pet["scan"]["format"], "binary");
    assert_eq!(
        pet["position"]["items"],
        serde_json::json!({ "type": "number" })
    );
    assert_eq!(pet["tags"]["items"], serde_json::json!({}));
    // The path item referenced from components.pathItems is inlined; the exclusive bound is 3.0's.
    assert_eq!(
        pointer(&spec.raw, "/paths/~1pets~1{petId}/get/parameters/0/schema"),
        &serde_json::json!({ "type": "integer", "minimum": 0, "exclusiveMinimum": true })
    );
    assert_eq!(
        warnings_of(&spec),
        [
            "root.yaml#/components/schemas/Pet/if: `if` has no OpenAPI 3.0 equivalent: it is not checked nor typed",
            "root.yaml#/components/schemas/Pet/then: `then` has no OpenAPI 3.0 equivalent: it is not checked nor typed",
            "root.yaml#/components/securitySchemes/certificate: a mutualTLS security scheme has no OpenAPI 3.0 \
             equivalent: it is left out (configure the client certificate on the HTTP client)",
            "root.yaml#/jsonSchemaDialect: the schema dialect \"https://json-schema.org/draft/2020-12/schema\" is read \
             as OpenAPI's own (https://spec.openapis.org/oas/3.1/dialect/base); keywords of other vocabularies are ignored",
        ]
    );
}

#[test]
fn openapi_3_1_webhook_only_document_reads_with_its_webhooks_lowered_and_answers_optional() {
    let spec = read_ok(&fixture("ok", "openapi-3-1-webhooks-only"));
    assert!(spec.document.paths.paths.is_empty());
    assert_eq!(
        pointer(
            &spec.raw,
            "/webhooks/orderShipped/post/requestBody/content/application~1json/schema/properties/carrier"
        ),
        &serde_json::json!({ "type": "string", "nullable": true })
    );
    // An operation without `responses` is valid 3.1: it answers anything, without a warning.
    assert_eq!(
        pointer(&spec.raw, "/webhooks/orderCancelled/post/responses"),
        &serde_json::json!({ "default": { "description": "Any answer: the document declares none." } })
    );
    assert!(spec.warnings.is_empty(), "{:?}", spec.warnings);
}

#[test]
fn broken_rules_cost_only_their_schema_or_operation_with_a_located_warning() {
    let spec = read_ok(&fixture("ok", "tolerant"));
    let paths: Vec<&String> = spec.document.paths.paths.keys().collect();
    assert_eq!(paths, ["/things", "/things/{id}"]);
    let thing = pointer(&spec.raw, "/components/schemas/Thing/properties");
    assert_eq!(thing["addresses"]["items"], serde_json::json!({}));
    assert_eq!(
        thing["name"],
        serde_json::json!({ "type": "string", "nullable": true })
    );
    let list = pointer(&spec.raw, "/paths/~1things/get");
    assert_eq!(list["security"], serde_json::json!([{ "apiKey": [] }]));
    assert_eq!(list["parameters"], serde_json::json!([]));
    assert_eq!(
        pointer(&spec.raw, "/paths/~1things~1{id}/delete/responses"),
        &serde_json::json!({ "default": { "description": "Any answer: the document declares none." } })
    );
    assert_eq!(thing["seed"]["minimum"], serde_json::json!(i64::MIN));
    assert_eq!(thing["seed"]["maximum"], serde_json::json!(i64::MAX));
    assert_eq!(
        warnings_of(&spec),
        [
            "root.yaml#/components/schemas/Thing/properties/addresses/items: `items` must be one schema, not a \
             sequence of them (a tuple): the items are read as any value",
            "root.yaml#/components/schemas/Thing/properties/name/type: `type` as a list of types is OpenAPI 3.1: \
             read as 3.1 reads it (`null` among them makes the value nullable)",
            "root.yaml#/components/schemas/Thing/properties/seed/maximum: the integer bound 9223372036854776000 is \
             not a 64-bit integer (or was rounded on reading): it is read as 9223372036854775807",
            "root.yaml#/components/schemas/Thing/properties/seed/minimum: the integer bound -9.223372036854776e+18 \
             is not a 64-bit integer (or was rounded on reading): it is read as -9223372036854775808",
            "root.yaml#/paths/~1things/get/parameters/0: not a Parameter object (it has no `name` and `in`): left \
             out",
            "root.yaml#/paths/~1things/get/security: `security` must be a list of requirements, not one \
             requirement: read as a list holding it",
            "root.yaml#/paths/~1things?beta=true: a path key cannot hold a query string or a fragment: the \
             operations under it are left out",
            "root.yaml#/paths/~1things~1{id}#download: a path key cannot hold a query string or a fragment: the \
             operations under it are left out",
            "root.yaml#/paths/~1things~1{id}/delete/responses: an operation must declare at least one answer \
             (OpenAPI 3.0): read as answering anything (a `default` answer without a body)",
        ]
    );
}

#[test]
fn yaml_syntax_error_reports_line_and_column() {
    let text = diagnostics_of("err", "yaml-syntax");
    assert!(
        text.starts_with("root.yaml#/: invalid YAML at line 11, column "),
        "{text}"
    );
}

#[test]
fn json_syntax_error_reports_line_and_column() {
    let text = diagnostics_of("err", "json-syntax");
    assert!(
        text.starts_with("root.json#/: invalid JSON at line 4, column 3: expected `,` or `}`"),
        "{text}"
    );
}

#[test]
fn syntax_error_in_a_referenced_file_is_reported_in_that_file() {
    let text = diagnostics_of("err", "broken-external-file");
    assert!(
        text.starts_with("broken.yaml#/: invalid YAML at line 6, column "),
        "{text}"
    );
}

#[test]
fn type_errors_report_the_pointer_of_the_offending_node() {
    let text = diagnostics_of("err", "type-errors");
    let lines: Vec<&str> = text.lines().collect();
    let expected_prefixes = [
        "pet.yaml#/components/schemas/Pet/required: invalid Schema object: invalid type: string \"name\", expected a sequence",
        "root.yaml#/components/schemas/Name/minLength: invalid Schema object: invalid type: string \"ten\"",
        "root.yaml#/components/schemas/Tags/uniqueItems: invalid Schema object: invalid type: string \"yes\", expected a boolean",
        "root.yaml#/paths/~1pets/get/parameters/0/schema/maximum: invalid Schema object: invalid type: string \"lots\"",
        "root.yaml#/paths/~1pets/get/responses/200: invalid Response object: missing field `description`",
    ];
    assert_eq!(lines.len(), expected_prefixes.len(), "{text}");
    for (line, prefix) in lines.iter().zip(expected_prefixes) {
        assert!(
            line.starts_with(prefix),
            "expected `{prefix}…`, got `{line}`"
        );
    }
}

#[test]
fn swagger2_type_error_points_into_definitions() {
    let text = diagnostics_of("err", "swagger2-type-error");
    assert!(text.starts_with("root.json#/definitions/Pet/properties/name/maxLength: invalid Schema object: invalid value: integer `-1`"), "{text}");
}

#[test]
fn document_without_version_field_is_not_openapi() {
    let text = diagnostics_of("err", "not-openapi");
    assert!(
        text.contains("root.yaml#/: not an OpenAPI document"),
        "{text}"
    );
}
