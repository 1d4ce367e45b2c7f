//! The settings obakit itself generates its API with, shared by `api/build.rs` and the freshness
//! test so that the committed copy under `api/generated/` and the compiled code cannot drift apart.

use std::path::{Path, PathBuf};

use crate::{Error, Settings, read};

/// The API specs in `dir`: every YAML or JSON document with at least one path or webhook, sorted by
/// name. Documents without either (like `common.yaml`) only hold shared schemas.
pub fn discover_api_specs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut candidates: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    candidates.sort();
    let mut specs = Vec::new();
    for path in candidates {
        let spec = read::read_spec(&path).map_err(Error::Spec)?;
        let has_webhooks = spec
            .raw
            .get("webhooks")
            .and_then(|w| w.as_object())
            .is_some_and(|w| !w.is_empty());
        if !spec.document.paths.paths.is_empty() || has_webhooks {
            specs.push(path);
        }
    }
    Ok(specs)
}

/// How `obakit-api` is generated from `<root>/spec`, `root` being the workspace root (the committed
/// copy lives in `<root>/api/generated`). The runtime is the default one, `::obakit_runtime`.
pub fn obakit_api_settings(root: &Path) -> Result<Settings, Error> {
    let mut settings = Settings::new(discover_api_specs(&root.join("spec"))?);
    // obakit-api answers request errors with Orange's codes, by hand (src/request_errors.rs).
    settings.write.provided_request_errors = true;
    settings.display_root = Some(root.to_path_buf());
    settings.write.regenerate_command = format!(
        "cargo run -p obakit-codegen -- {}",
        settings.command_line(Path::new("api/generated"))
    );
    Ok(settings)
}
