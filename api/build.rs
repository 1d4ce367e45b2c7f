//! Generates the typed API from the workspace's `spec/` into `OUT_DIR`; cargo reruns it when a spec
//! or the generator changes. The committed copy in `api/generated/` is checked by
//! `tests/generated_is_fresh.rs`.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    // `spec/` is the workspace's contract, beside this crate's folder.
    let root = manifest
        .parent()
        .expect("the crate lives in a folder of the workspace");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed={}", root.join("spec").display());

    let settings = obakit_codegen::obakit_api_settings(root).unwrap_or_else(|e| fail(&e));
    let generated = obakit_codegen::generate(&settings).unwrap_or_else(|e| fail(&e));
    for unsupported in &generated.unsupported {
        println!("cargo::warning={unsupported}");
    }
    obakit_codegen::write_dir(&generated.files, &out).unwrap_or_else(|e| fail(&e));
}

/// Every diagnostic on its own line, then a failed build.
fn fail(error: &obakit_codegen::Error) -> ! {
    for line in error.to_string().lines() {
        println!("cargo::error={line}");
    }
    eprintln!("{error}");
    std::process::exit(1)
}
