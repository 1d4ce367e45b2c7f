//! Where bundled content came from: pointers of the bundled document mapped back to file and pointer.

use std::path::PathBuf;

/// Maps pointers into the bundled document back to the file and pointer their content came from.
#[derive(Debug, Default)]
pub(crate) struct Provenance {
    /// Bundled pointer prefix → (file, pointer in that file), in the order recorded.
    pub(super) entries: Vec<(String, PathBuf, String)>,
}

impl Provenance {
    /// The file and pointer the node at `bundled` was copied from, if it came from another file.
    pub(crate) fn locate(&self, bundled: &str) -> Option<(PathBuf, String)> {
        self.entries
            .iter()
            .filter_map(|(prefix, file, source)| {
                let rest = bundled.strip_prefix(prefix.as_str())?;
                (rest.is_empty() || rest.starts_with('/'))
                    .then(|| (prefix.len(), file, format!("{source}{rest}")))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, file, pointer)| (file.clone(), pointer))
    }
}
