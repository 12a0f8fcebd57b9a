//! Screen form files of the corpus (`FM/XX/<DIR>/<NAME>`), found by the program they
//! belong to: the form with the program's name under the program's directory, else any
//! form of that name.

use otis_cobol::Form;

/// One screen form file and what the reader found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFile {
    /// Its path relative to the corpus, with `/`: `FM/XX/FX/FXMENU`.
    pub path: String,
    /// The reader's facts (`otis_cobol::read_form`).
    pub form: Form,
}

/// Whether the form at `path` is program `name`'s form in directory `dir`
/// (`.../FX/FXMENU` for `FX`, `FXMENU`).
pub(crate) fn dir_of_form(path: &str, dir: &str, name: &str) -> bool {
    let tail = format!(
        "/{}/{}",
        dir.to_ascii_uppercase(),
        name.to_ascii_uppercase()
    );
    path.to_ascii_uppercase().ends_with(&tail)
}

/// The directory of a program path or call literal: `FX/FXMENU.CBL` -> `FX`,
/// `LP/LONPF2` -> `LP`; `None` without one.
pub(crate) fn dir_of(path: &str) -> Option<&str> {
    let path = path.trim_matches('"');
    let (dir, _) = path.rsplit_once('/')?;
    Some(dir.rsplit('/').next().unwrap_or(dir))
}
