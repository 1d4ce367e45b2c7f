//! Generates the pet store API from `spec/petstore.yaml` into `OUT_DIR`, as any crate using
//! obakit-codegen would: default settings, so generated code calls `::obakit_runtime`.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec = manifest.join("spec/petstore.yaml");
    println!("cargo::rerun-if-changed={}", spec.display());

    let mut settings = obakit_codegen::Settings::new(vec![spec]);
    // Paths in generated comments relative to this crate, whoever builds it where.
    settings.display_root = Some(manifest);
    let generated = match obakit_codegen::generate(&settings) {
        Ok(generated) => generated,
        Err(error) => {
            for line in error.to_string().lines() {
                println!("cargo::error={line}");
            }
            std::process::exit(1)
        }
    };
    for unsupported in &generated.unsupported {
        println!("cargo::warning={unsupported}");
    }
    if let Err(error) = obakit_codegen::write_dir(&generated.files, &out) {
        println!("cargo::error={error}");
        std::process::exit(1)
    }
}
