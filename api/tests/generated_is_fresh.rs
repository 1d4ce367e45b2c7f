//! The committed copy under `api/generated/` is exactly what the generator writes from `spec/` with the
//! settings `build.rs` uses (`obakit_codegen::obakit_api_settings`), and exactly what this crate was
//! compiled from (the build script's output).

use std::path::{Path, PathBuf};

/// The workspace root, where `spec/` lives and the refresh command runs.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives in a folder of the workspace")
}

/// Every file under `dir`, by path relative to it.
fn files_under(dir: &Path) -> obakit_codegen::Files {
    let mut files = obakit_codegen::Files::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel: PathBuf = path.strip_prefix(dir).expect("under dir").to_path_buf();
                let content = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.insert(rel, content);
            }
        }
    }
    files
}

/// Problem lines with paths relative to the workspace root.
fn relative(problems: &[String]) -> Vec<String> {
    problems
        .iter()
        .map(|p| p.replace(&format!("{}/", root().display()), ""))
        .collect()
}

fn refresh_command() -> String {
    obakit_codegen::obakit_api_settings(root())
        .map(|s| s.write.regenerate_command)
        .unwrap_or_else(|e| format!("(cannot read spec/: {e})"))
}

#[test]
fn committed_generated_folder_is_what_the_generator_writes_from_spec() {
    let settings = obakit_codegen::obakit_api_settings(root())
        .unwrap_or_else(|e| panic!("cannot read spec/:\n{e}"));
    let generated =
        obakit_codegen::generate(&settings).unwrap_or_else(|e| panic!("generation failed:\n{e}"));
    let problems = obakit_codegen::check_dir(&generated.files, &root().join("api/generated"));
    assert!(
        problems.is_empty(),
        "\napi/generated/ is not what the generator writes from spec/:\n  {}\n\nRefresh it (from the workspace root) with:\n  {}\n",
        relative(&problems).join("\n  "),
        settings.write.regenerate_command
    );
}

#[test]
fn the_crate_is_compiled_from_the_committed_generated_folder() {
    // build.rs generates into OUT_DIR with the same settings; the crate includes that copy.
    let compiled = files_under(Path::new(env!("OUT_DIR")));
    let problems = obakit_codegen::check_dir(&compiled, &root().join("api/generated"));
    assert!(
        problems.is_empty(),
        "\nthe code compiled into obakit-api (build.rs output in {}) differs from api/generated/:\n  {}\n\n\
         Refresh api/generated/ (from the workspace root) with:\n  {}\n",
        env!("OUT_DIR"),
        relative(&problems).join("\n  "),
        refresh_command()
    );
}
