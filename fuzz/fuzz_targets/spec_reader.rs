//! Bytes → the read stage: any file given as a spec ends in a `LoadedSpec` or in diagnostics,
//! never in a panic. The bytes are written as `spec.yaml` (YAML is a superset of JSON, so JSON
//! inputs are read too) in a folder of their own, so relative `$ref`s find nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, data).expect("write the input");
    let _ = obakit_codegen::read::read_spec(&path);
});
