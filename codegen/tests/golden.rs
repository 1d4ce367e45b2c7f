//! Golden files (the typify/progenitor pattern): small hand-written specs, each covering a group of the
//! generator's features, and the exact output expected from them.
//!
//! Every folder under `tests/data/write/` is a case: its API specs (every `*.yaml` with paths, generated
//! together; usually just `spec.yaml`) and, under `expected/`, every file the generator writes for them,
//! compared byte for byte, plus `UNSUPPORTED.txt` when it reports unsupported features and `ERROR.txt`
//! instead of the files when generation fails. `OBAKIT_BLESS=1 cargo test -p obakit-codegen --test golden`
//! rewrites `expected/`; review the diff.
//!
//! The expected output is compiled too, each case as its own crate with every warning an error
//! (`golden_outputs_compile_without_warnings`): a golden that does not compile fails.
//!
//! Folders named `bug-*` show known generator bugs (their spec says what is wrong and what is expected);
//! [`KNOWN_BUGS`] says how each shows, and a test fails when one no longer does, so that a fixed case is
//! renamed and joins the others.

mod support;

use std::path::{Path, PathBuf};

use obakit_codegen::{Files, RoleSelection, Settings, check_dir, discover_api_specs, generate};
use support::ScratchCrate;

/// Every case (each has a test calling `verify`).
const CASES: &[&str] = &[
    "additional-properties",
    "binary-property",
    "callbacks",
    "client-param-named-like-a-local",
    "composition",
    "default-fn-name-collision",
    "default-response-without-body",
    "doc-code-blocks",
    "enums",
    "event-stream",
    "formats",
    "inline-schema-named-like-a-component",
    "media-type-variants",
    "media-types-as-bytes",
    "multipart",
    "named-map-schema",
    "names",
    "objects",
    "operation-named-new",
    "operations",
    "optional-request-body",
    "path-params-in-segments",
    "query-styles",
    "recursive-object",
    "roles",
    "roles-selected",
    "shared",
    "swagger2",
    "unenforceable-constraints",
    "webhooks-openapi-3-1",
];

/// How a known bug shows.
// Unused while no bug is known; kept for the next one.
#[allow(dead_code)]
enum Symptom {
    /// Generation fails with an error containing this.
    GenerationFails(&'static str),
    /// The output does not compile, with exactly these errors (each a part of a rustc error line).
    DoesNotCompile(&'static [&'static str]),
    /// The output file holds this wrong text.
    WrongOutput {
        file: &'static str,
        text: &'static str,
    },
    /// Doc comments hold code blocks that rustdoc runs as doctests.
    Doctests,
}

/// The `bug-*` cases and how each shows (their `spec.yaml` explains the bug). None at the moment.
const KNOWN_BUGS: &[(&str, Symptom)] = &[];

const BLESS: &str = "OBAKIT_BLESS=1 cargo test -p obakit-codegen --test golden";

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/write")
}

fn expected_dir(case: &str) -> PathBuf {
    cases_dir().join(case).join("expected")
}

fn blessing() -> bool {
    std::env::var("OBAKIT_BLESS").is_ok_and(|v| v == "1")
}

fn known_bug(case: &str) -> Option<&'static Symptom> {
    KNOWN_BUGS.iter().find(|(c, _)| *c == case).map(|(_, s)| s)
}

/// Settings other than the defaults, for the cases that test them.
fn adjust(case: &str, settings: &mut Settings) {
    if case == "roles-selected" {
        settings.roles = RoleSelection {
            servers: Some(vec!["supplier".to_owned()]),
            clients: Some(vec!["buyer-gateway".to_owned()]),
        };
    }
}

/// What the generator writes for a case, with paths relative to the case folder: its files and
/// `UNSUPPORTED.txt`, or only `ERROR.txt` when generation fails.
fn generate_case(case: &str) -> Files {
    let dir = cases_dir().join(case);
    let specs = discover_api_specs(&dir).unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(!specs.is_empty(), "{case}: no spec with paths");
    let mut settings = Settings::new(specs);
    settings.display_root = Some(dir.clone());
    settings.write.regenerate_command = BLESS.to_owned();
    adjust(case, &mut settings);
    let relative = |text: String| text.replace(&format!("{}/", dir.display()), "");
    match generate(&settings) {
        Ok(generated) => {
            let mut files = generated.files;
            if !generated.unsupported.is_empty() {
                let lines: Vec<String> = generated
                    .unsupported
                    .iter()
                    .map(|d| format!("{d}\n"))
                    .collect();
                files.insert("UNSUPPORTED.txt".into(), relative(lines.concat()));
            }
            files
        }
        Err(e) => Files::from([("ERROR.txt".into(), relative(format!("{e}\n")))]),
    }
}

/// Compares the generator's output for `case` with its `expected/` folder byte for byte, or rewrites the
/// folder when `OBAKIT_BLESS=1`.
#[track_caller]
fn verify(case: &str) {
    let files = generate_case(case);
    let expected = expected_dir(case);
    if blessing() {
        obakit_codegen::write_dir(&files, &expected).unwrap_or_else(|e| panic!("{case}: {e}"));
        return;
    }
    let problems = check_dir(&files, &expected);
    if problems.is_empty() {
        return;
    }
    let mut message = format!("{case}: the output differs from {}:\n", expected.display());
    for p in problems {
        message.push_str(&format!("  {p}\n"));
    }
    for (rel, content) in &files {
        if let Ok(old) = std::fs::read_to_string(expected.join(rel))
            && &old != content
        {
            message.push_str(&first_difference(&rel.display().to_string(), &old, content));
        }
    }
    message.push_str(&format!(
        "\nIf the change is intended, run `{BLESS}` and review the diff.\n"
    ));
    panic!("{message}");
}

/// The first differing line of two texts, with a little context.
fn first_difference(name: &str, expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let at = (0..old.len().max(new.len()))
        .find(|&i| old.get(i) != new.get(i))
        .unwrap_or(0);
    let from = at.saturating_sub(3);
    let mut out = format!("\n{name}, first difference at line {}:\n", at + 1);
    for (label, lines) in [("expected", &old), ("actual", &new)] {
        out.push_str(&format!("  {label}:\n"));
        for (i, line) in lines.iter().enumerate().skip(from).take(at - from + 4) {
            let mark = if i == at { '>' } else { ' ' };
            out.push_str(&format!("  {mark}{:>5} | {line}\n", i + 1));
        }
    }
    out
}

#[test]
fn objects_with_required_optional_nullable_defaulted_array_and_map_properties() {
    verify("objects");
}

#[test]
fn string_and_number_formats_and_validation_constraints() {
    verify("formats");
}

#[test]
fn open_enums_keep_unknown_values_and_name_awkward_values() {
    verify("enums");
}

#[test]
fn all_of_merges_and_one_of_any_of_become_unions_with_and_without_discriminator() {
    verify("composition");
}

#[test]
fn keywords_and_case_collisions_get_distinct_valid_names() {
    verify("names");
}

#[test]
fn path_parameters_inside_a_segment_are_served_and_called_with_their_literal_text() {
    verify("path-params-in-segments");
}

#[test]
fn patterns_the_regex_crate_refuses_and_unique_items_on_unhashable_items_are_left_out_with_a_warning()
 {
    verify("unenforceable-constraints");
}

#[test]
fn bodies_and_answers_in_other_media_types_are_bytes_under_their_own_content_type() {
    verify("media-types-as-bytes");
}

#[test]
fn multipart_bodies_are_a_struct_of_files_text_and_json_parts_on_both_sides() {
    verify("multipart");
}

#[test]
fn delimited_and_deep_object_query_parameters_are_read_and_written_in_their_style() {
    verify("query-styles");
}

#[test]
fn bodies_and_answers_in_several_media_types_are_enums_chosen_by_content_type() {
    verify("media-type-variants");
}

#[test]
fn additional_properties_beside_properties_are_a_flattened_map() {
    verify("additional-properties");
}

#[test]
fn event_stream_answers_are_a_stream_of_bytes_on_both_sides() {
    verify("event-stream");
}

#[test]
fn parameters_bodies_and_responses_of_every_supported_kind() {
    verify("operations");
}

#[test]
fn x_obakit_role_gives_each_role_its_own_trait_server_and_client() {
    verify("roles");
}

#[test]
fn role_selection_limits_which_roles_get_a_server_and_a_client() {
    verify("roles-selected");
}

#[test]
fn specs_generated_together_share_the_module_of_a_common_file() {
    verify("shared");
}

#[test]
fn callbacks_get_a_handler_trait_for_the_receiver_and_a_client_for_the_sender() {
    verify("callbacks");
}

#[test]
fn openapi_3_1_webhook_only_document_generates_a_receiver_and_a_sender() {
    verify("webhooks-openapi-3-1");
}

#[test]
fn swagger_2_documents_are_converted_then_generated() {
    verify("swagger2");
}

#[test]
fn optional_request_body_becomes_an_option_read_by_the_runtime() {
    verify("optional-request-body");
}

#[test]
fn default_response_without_a_body_carries_its_status_and_no_body() {
    verify("default-response-without-body");
}

#[test]
fn types_holding_themselves_by_value_are_boxed_and_through_arrays_are_not() {
    verify("recursive-object");
}

#[test]
fn components_keep_their_names_and_inline_schemas_yield() {
    verify("inline-schema-named-like-a-component");
}

#[test]
fn named_map_schemas_are_map_aliases_and_named_scalars_keep_their_constraints() {
    verify("named-map-schema");
}

#[test]
fn client_parameters_named_like_its_locals_are_sent_as_given() {
    verify("client-param-named-like-a-local");
}

#[test]
fn operations_named_like_generated_methods_take_another_name() {
    verify("operation-named-new");
}

#[test]
fn default_functions_of_two_types_get_distinct_names() {
    verify("default-fn-name-collision");
}

#[test]
fn binary_properties_in_json_are_strings() {
    verify("binary-property");
}

#[test]
fn descriptions_become_doc_comments_without_doctests_or_broken_links() {
    verify("doc-code-blocks");
}

#[test]
fn every_case_folder_is_listed_and_every_bug_case_is_known() {
    let mut folders: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/data/write")
        .map(|e| {
            e.expect("case folder")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    folders.sort();
    assert_eq!(
        folders, CASES,
        "every folder under tests/data/write needs a test calling verify(case) and an entry in CASES"
    );
    for case in CASES {
        assert_eq!(
            case.starts_with("bug-"),
            known_bug(case).is_some(),
            "{case}: a `bug-*` case needs an entry in KNOWN_BUGS, and only those have one"
        );
    }
}

/// The primary line of each error rustc gave for a crate, without duplicates.
fn error_lines(diagnostics: &str) -> Vec<String> {
    let mut lines: Vec<String> = diagnostics
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning"))
        .filter(|l| !l.contains("aborting due to"))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

#[test]
fn golden_outputs_compile_without_warnings() {
    if blessing() {
        // Compile what this run writes, whatever order the tests run in.
        for case in CASES {
            let files = generate_case(case);
            obakit_codegen::write_dir(&files, &expected_dir(case))
                .unwrap_or_else(|e| panic!("{case}: {e}"));
        }
    }
    let cases: Vec<&str> = CASES
        .iter()
        .copied()
        .filter(|case| expected_dir(case).join("api.rs").is_file())
        .collect();
    let crates: Vec<ScratchCrate> = cases
        .iter()
        .map(|case| {
            let api_rs = expected_dir(case).join("api.rs");
            ScratchCrate::including(
                &format!("golden-{case}"),
                &api_rs.display().to_string(),
                None,
            )
        })
        .collect();
    let compiled = support::compile("golden", &crates);
    let mut problems = Vec::new();
    for case in CASES {
        let result = compiled.results.get(&format!("golden-{case}"));
        match (known_bug(case), result) {
            (Some(Symptom::GenerationFails(_)), None) => {}
            (_, None) => problems.push(format!(
                "{case}: expected/api.rs is missing (generation failed? see expected/ERROR.txt)"
            )),
            (Some(Symptom::DoesNotCompile(_)), Some(Ok(()))) => problems.push(format!(
                "{case}: compiles now: the bug is fixed; rename the case and remove it from KNOWN_BUGS"
            )),
            (Some(Symptom::DoesNotCompile(expected)), Some(Err(diagnostics))) => {
                let lines = error_lines(diagnostics);
                for want in expected.iter() {
                    if !lines.iter().any(|l| l.contains(want)) {
                        problems.push(format!(
                            "{case}: no longer fails with `{want}`: remove it from KNOWN_BUGS"
                        ));
                    }
                }
                for line in &lines {
                    if !expected.iter().any(|want| line.contains(want)) {
                        problems.push(format!(
                            "{case}: fails with an error KNOWN_BUGS does not name:\n{diagnostics}"
                        ));
                        break;
                    }
                }
            }
            (_, Some(Ok(()))) => {}
            (_, Some(Err(diagnostics))) => {
                problems.push(format!("{case}: expected output does not compile:\n{diagnostics}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "\n{}\n\n(compiled with `{}`)",
        problems.join("\n\n"),
        compiled.command
    );
}

/// Code blocks rustdoc would run as doctests in the doc comments of a generated file: fenced blocks
/// without a language or marked `rust`, and blocks indented by four spaces after a blank line (outside
/// a list, where such a line continues the item).
fn doctest_blocks(source: &str) -> Vec<String> {
    let is_list_item = |text: &str| {
        let rest = text.trim_start();
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        rest.starts_with("- ")
            || rest.starts_with("* ")
            || rest.starts_with("+ ")
            || digits > 0 && (rest[digits..].starts_with(". ") || rest[digits..].starts_with(") "))
    };
    let mut found = Vec::new();
    let mut in_fence = false;
    let mut previous_blank = true;
    let mut in_list = false;
    for (i, line) in source.lines().enumerate() {
        let Some(doc) = line.trim_start().strip_prefix("///") else {
            previous_blank = true;
            in_fence = false;
            in_list = false;
            continue;
        };
        let text = doc.strip_prefix(' ').unwrap_or(doc);
        let indented = text.starts_with("    ");
        if let Some(lang) = text.trim_start().strip_prefix("```") {
            if !in_fence && matches!(lang.trim(), "" | "rust") {
                found.push(format!("line {}: {}", i + 1, line.trim()));
            }
            in_fence = !in_fence;
        } else if !in_fence && !text.trim().is_empty() && !indented {
            in_list = is_list_item(text);
        } else if !in_fence && previous_blank && indented && !text.trim().is_empty() && !in_list {
            found.push(format!("line {}: {}", i + 1, line.trim()));
        }
        previous_blank = text.trim().is_empty();
    }
    found
}

#[test]
fn known_bugs_that_compile_still_show() {
    for (case, symptom) in KNOWN_BUGS {
        let expected = expected_dir(case);
        match symptom {
            Symptom::GenerationFails(text) => {
                let error = std::fs::read_to_string(expected.join("ERROR.txt")).unwrap_or_default();
                assert!(
                    error.contains(text),
                    "{case}: generation no longer fails with `{text}`: the bug is fixed; rename the case and remove it from KNOWN_BUGS"
                );
            }
            Symptom::WrongOutput { file, text } => {
                let output = std::fs::read_to_string(expected.join(file)).unwrap_or_default();
                assert!(
                    output.contains(text),
                    "{case}: {file} no longer holds `{text}`: the bug is fixed; rename the case and remove it from KNOWN_BUGS"
                );
            }
            Symptom::Doctests => {
                let blocks: Vec<String> = rust_files(&expected)
                    .iter()
                    .flat_map(|f| {
                        doctest_blocks(&std::fs::read_to_string(f).expect("expected file"))
                    })
                    .collect();
                assert!(
                    !blocks.is_empty(),
                    "{case}: no doctest in the doc comments any more: the bug is fixed; rename the case and remove it from KNOWN_BUGS"
                );
            }
            Symptom::DoesNotCompile(_) => {}
        }
    }
}

#[test]
fn doc_comments_of_other_cases_hold_no_doctest() {
    let mut found = Vec::new();
    for case in CASES {
        if matches!(known_bug(case), Some(Symptom::Doctests)) {
            continue;
        }
        for file in rust_files(&expected_dir(case)) {
            for block in doctest_blocks(&std::fs::read_to_string(&file).expect("expected file")) {
                found.push(format!("{}: {block}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "doc comments rustdoc would run:\n{}",
        found.join("\n")
    );
}

/// Doc comment blocks (runs of `///` lines) whose first or last line is empty.
fn blank_edged_doc_comments(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    for (i, line) in source.lines().chain(std::iter::once("")).enumerate() {
        match line.trim_start().strip_prefix("///") {
            Some(text) => block.push((i + 1, text)),
            None if !block.is_empty() => {
                let first = block[0];
                let last = block[block.len() - 1];
                for (n, text) in [first, last] {
                    if text.trim().is_empty() {
                        found.push(format!("line {n}"));
                        break;
                    }
                }
                block.clear();
            }
            None => {}
        }
    }
    found
}

#[test]
fn doc_comments_never_start_or_end_with_an_empty_line() {
    let mut found = Vec::new();
    for case in CASES {
        for file in rust_files(&expected_dir(case)) {
            let source = std::fs::read_to_string(&file).expect("expected file");
            for at in blank_edged_doc_comments(&source) {
                found.push(format!("{}: {at}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "doc comments starting or ending with an empty line:\n{}",
        found.join("\n")
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
