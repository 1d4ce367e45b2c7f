//! The `obakit-codegen` binary: `check` agrees with the library about the committed `generated/` folder
//! when given the documented refresh command's arguments; `generate` then `check` passes; `check` fails
//! with exit code 1 naming every changed, missing or extra file; and an invalid spec fails naming the
//! file, the JSON pointer and the problem.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn codegen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obakit-codegen"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the obakit-codegen binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// A spec of the golden cases, copied into `dir` so that the output names it relatively.
fn copy_spec(dir: &Path) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/write/operations/spec.yaml");
    std::fs::copy(spec, dir.join("spec.yaml")).expect("copy the spec");
}

#[test]
fn check_with_the_documented_refresh_arguments_accepts_the_committed_generated_folder() {
    let root = workspace_root();
    let settings = obakit_codegen::obakit_api_settings(&root).expect("obakit-api's settings");
    let command = &settings.write.regenerate_command;
    let args = command
        .strip_prefix("cargo run -p obakit-codegen -- generate ")
        .unwrap_or_else(|| panic!("unexpected refresh command `{command}`"));
    let mut argv = vec!["check"];
    argv.extend(args.split_whitespace());
    let out = codegen(&root, &argv);
    assert!(
        out.status.success(),
        "`obakit-codegen {}` failed ({}):\n{}{}",
        argv.join(" "),
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("generated is up to date"));
}

#[test]
fn generate_then_check_passes_and_check_names_every_changed_missing_or_extra_file() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    copy_spec(dir);
    let args = ["spec.yaml", "--out", "out"];
    let run = |command: &str| {
        let mut argv = vec![command];
        argv.extend(args);
        codegen(dir, &argv)
    };

    let out = run("generate");
    assert!(
        out.status.success(),
        "generate failed:\n{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with("wrote "),
        "{}",
        text(&out.stdout)
    );
    let out = run("check");
    assert!(
        out.status.success(),
        "check after generate failed:\n{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("out is up to date"));

    let types = dir.join("out/operations/types.rs");
    let handler = dir.join("out/operations/handler.rs");
    let mut edited = std::fs::read_to_string(&types).expect("types.rs");
    edited.push_str("// edited by hand\n");
    std::fs::write(&types, edited).expect("edit types.rs");
    std::fs::remove_file(&handler).expect("remove handler.rs");
    std::fs::write(dir.join("out/extra.rs"), "// not generated\n").expect("add a file");

    let out = run("check");
    assert_eq!(
        out.status.code(),
        Some(1),
        "check of an edited folder: {}",
        out.status
    );
    let stderr = text(&out.stderr);
    for expected in [
        "out/operations/types.rs is stale",
        "out/operations/handler.rs is missing",
        "out/extra.rs is no longer generated",
        "obakit-codegen generate",
    ] {
        assert!(
            stderr.contains(expected),
            "check does not say `{expected}`:\n{stderr}"
        );
    }

    let out = run("generate");
    assert!(
        out.status.success(),
        "generate failed:\n{}",
        text(&out.stderr)
    );
    assert!(
        !dir.join("out/extra.rs").exists(),
        "generate removes files it no longer writes"
    );
    let out = run("check");
    assert!(
        out.status.success(),
        "check after regenerating failed:\n{}",
        text(&out.stderr)
    );
}

#[test]
fn an_invalid_spec_fails_naming_the_file_the_json_pointer_and_the_problem() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    std::fs::write(
        dir.join("bad.yaml"),
        "openapi: 3.0.3\n\
         info:\n  title: Bad\n  version: 1.0.0\n\
         paths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n\
         \x20         description: Pets.\n          content:\n            application/json:\n\
         \x20             schema:\n                $ref: '#/components/schemas/Missing'\n",
    )
    .expect("write the spec");
    let out = codegen(dir, &["generate", "bad.yaml", "--out", "out"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "generate of an invalid spec: {}",
        out.status
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("bad.yaml#/paths/~1pets/get/responses/200/content/application~1json/schema"),
        "the error names no file and pointer:\n{stderr}"
    );
    assert!(
        stderr.contains("#/components/schemas/Missing"),
        "the error names no problem:\n{stderr}"
    );
    assert!(
        !dir.join("out").exists(),
        "nothing is written when generation fails"
    );

    let check = codegen(dir, &["check", "bad.yaml", "--out", "out"]);
    assert_eq!(
        check.status.code(),
        Some(2),
        "check of an invalid spec: {}",
        check.status
    );
}

#[test]
fn two_schemas_under_one_name_fail_naming_both_places_relative_to_the_current_folder() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    for (file, property) in [("a.yaml", "code"), ("b.yaml", "reason")] {
        std::fs::write(
            dir.join(file),
            format!(
                "openapi: 3.0.3\n\
                 info:\n  title: {file}\n  version: 1.0.0\n\
                 paths:\n  /{property}:\n    get:\n      operationId: get_{property}\n\
                 \x20     responses:\n        '200':\n          description: Ok.\n\
                 \x20         content:\n            application/json:\n              schema:\n\
                 \x20               $ref: '#/components/schemas/Error'\n\
                 components:\n  schemas:\n    Error:\n      type: object\n\
                 \x20     properties:\n        {property}:\n          type: string\n"
            ),
        )
        .expect("write the spec");
    }
    let out = codegen(dir, &["generate", "a.yaml", "b.yaml", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2), "{}", out.status);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "b.yaml#/components/schemas/Error: two different schemas are named `Error`: \
             this one and a.yaml#/components/schemas/Error"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&dir.display().to_string()),
        "the error names absolute paths:\n{stderr}"
    );
}

/// `--root` only decides how paths are written in the generated files: specs and `--out` are found
/// from the current folder.
#[test]
fn root_option_writes_paths_relative_to_it_and_finds_files_from_the_current_folder() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path();
    std::fs::create_dir(dir.join("x")).expect("create x/");
    copy_spec(&dir.join("x"));
    let args = ["x/spec.yaml", "--out", "out", "--root", "x"];
    let run = |command: &str| {
        let mut argv = vec![command];
        argv.extend(args);
        codegen(dir, &argv)
    };
    let out = run("generate");
    assert!(
        out.status.success(),
        "generate with --root failed ({}):\n{}",
        out.status,
        text(&out.stderr)
    );
    let types =
        std::fs::read_to_string(dir.join("out/operations/types.rs")).expect("out/ is written");
    assert!(
        types.starts_with("// Generated by obakit-codegen from spec.yaml."),
        "{}",
        types.lines().next().unwrap_or_default()
    );
    let readme = std::fs::read_to_string(dir.join("out/README.md")).expect("README.md");
    assert!(
        readme.contains("generate spec.yaml --out ../out"),
        "the refresh command is not relative to the root:\n{readme}"
    );
    assert!(!readme.contains(&dir.display().to_string()), "{readme}");
    let out = run("check");
    assert!(
        out.status.success(),
        "check with --root failed:\n{}",
        text(&out.stderr)
    );
}
