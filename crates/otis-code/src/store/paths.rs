//! Where the store lives in an index folder: `code.current` names the current
//! generation file `code-<n>.db`.

use std::path::{Path, PathBuf};

/// The file that names the current generation.
pub(crate) const POINTER: &str = "code.current";

pub(crate) fn generation_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("code-{generation}.db"))
}

/// The current generation's file, when `dir` has one.
pub(crate) fn current_path(dir: &Path) -> Option<PathBuf> {
    let name = std::fs::read_to_string(dir.join(POINTER)).ok()?;
    let name = name.trim();
    let valid = name.starts_with("code-")
        && name.ends_with(".db")
        && !name.contains(['/', '\\'])
        && !name.contains("..");
    let path = dir.join(name);
    (valid && path.is_file()).then_some(path)
}
