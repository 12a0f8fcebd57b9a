//! Cited lines read back from the corpus on disk, with a few recently read files kept.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use otis_code::LineSource;

/// Files kept in memory; an answer cites a handful of files.
const CACHED_FILES: usize = 16;

/// Reads lines of the indexed corpus's files.
#[derive(Debug)]
pub(crate) struct CorpusLines {
    corpus: PathBuf,
    recent: Mutex<Vec<(String, Arc<Vec<String>>)>>,
}

impl CorpusLines {
    pub(crate) fn new(corpus: PathBuf) -> Self {
        Self {
            corpus,
            recent: Mutex::new(Vec::new()),
        }
    }

    fn file(&self, file: &str) -> Option<Arc<Vec<String>>> {
        if let Ok(recent) = self.recent.lock()
            && let Some((_, lines)) = recent.iter().find(|(f, _)| f == file)
        {
            return Some(lines.clone());
        }
        // Only relative paths inside the corpus.
        let rel = Path::new(file);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        let bytes = std::fs::read(self.corpus.join(rel)).ok()?;
        let lines: Arc<Vec<String>> = Arc::new(
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(|l| l.trim_end().to_owned())
                .collect(),
        );
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= CACHED_FILES {
                recent.remove(0);
            }
            recent.push((file.to_owned(), lines.clone()));
        }
        Some(lines)
    }
}

impl LineSource for CorpusLines {
    fn lines(&self, file: &str, start: u32, end: u32) -> Option<String> {
        let lines = self.file(file)?;
        let from = (start.max(1) - 1) as usize;
        let to = (end as usize).min(lines.len());
        (from < to).then(|| lines[from..to].join("\n"))
    }
}
