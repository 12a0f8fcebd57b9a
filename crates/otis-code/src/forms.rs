//! Screen form files of the corpus (`FM/XX/<DIR>/<NAME>`), found by the program they
//! belong to: the form with the program's name under the program's directory, else any
//! form of that name.

use std::collections::HashMap;

use otis_cobol::Form;

/// One screen form file and what the reader found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFile {
    /// Its path relative to the corpus, with `/`: `FM/XX/FX/FXMENU`.
    pub path: String,
    /// The reader's facts (`otis_cobol::read_form`).
    pub form: Form,
}

/// The corpus's forms by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Forms {
    files: Vec<FormFile>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Forms {
    pub(crate) fn new(mut files: Vec<FormFile>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, file) in files.iter().enumerate() {
            let name = file
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&file.path)
                .to_ascii_uppercase();
            by_name.entry(name).or_default().push(i);
        }
        Self { files, by_name }
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// The form of program `name` whose path is `dir/name` (`FX/FXMENU` from a call
    /// literal or the program's file), else the only or first form of that name.
    pub(crate) fn find(&self, dir: Option<&str>, name: &str) -> Option<&FormFile> {
        let list = self.by_name.get(&name.to_ascii_uppercase())?;
        if let Some(dir) = dir.filter(|d| !d.is_empty()) {
            let tail = format!(
                "/{}/{}",
                dir.to_ascii_uppercase(),
                name.to_ascii_uppercase()
            );
            if let Some(&i) = list
                .iter()
                .find(|&&i| self.files[i].path.to_ascii_uppercase().ends_with(&tail))
            {
                return Some(&self.files[i]);
            }
        }
        list.first().map(|&i| &self.files[i])
    }
}

/// The directory of a program path or call literal: `FX/FXMENU.CBL` -> `FX`,
/// `LP/LONPF2` -> `LP`; `None` without one.
pub(crate) fn dir_of(path: &str) -> Option<&str> {
    let path = path.trim_matches('"');
    let (dir, _) = path.rsplit_once('/')?;
    Some(dir.rsplit('/').next().unwrap_or(dir))
}
