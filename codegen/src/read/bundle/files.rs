//! Files on disk: how they are shown, and when two paths are the same file.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

pub(super) struct SourceFile {
    /// As shown in diagnostics: the root path joined with relative references, `.`/`..` removed.
    pub(super) path: PathBuf,
    pub(super) value: Value,
}

/// Removes `.` and resolves `..` textually, so one file reached by two spellings shows one path.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The key that says two paths are the same file: canonical when it exists.
pub(super) fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

pub(super) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
