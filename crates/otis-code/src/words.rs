//! Matching a question's words with program descriptions, for business-process
//! questions ("how is a loan payment received?").

use std::collections::{HashMap, HashSet};

/// Words that say nothing about a business process.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "by",
    "can",
    "do",
    "does",
    "done",
    "for",
    "from",
    "get",
    "gets",
    "handle",
    "handles",
    "handled",
    "how",
    "i",
    "in",
    "into",
    "is",
    "it",
    "its",
    "me",
    "of",
    "on",
    "or",
    "our",
    "process",
    "processed",
    "program",
    "programs",
    "show",
    "that",
    "the",
    "their",
    "them",
    "there",
    "this",
    "to",
    "us",
    "was",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "work",
    "works",
    "code",
    "system",
    "otis",
    "cobol",
    "file",
    "files",
];

/// A word reduced to a comparable stem: lower case, a plural or `-ing` / `-ed` ending
/// dropped (`payments`, `paying` -> `pay`... roughly; exactness is not needed).
pub(crate) fn stem_word(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    for suffix in ["ments", "ment", "ions", "ion", "ing", "ed", "es", "s"] {
        if let Some(stem) = w.strip_suffix(suffix)
            && stem.len() >= 3
        {
            return stem.to_owned();
        }
    }
    w
}

/// The stems of the meaningful words of `text`.
pub(crate) fn stems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.len() < 2 || STOPWORDS.contains(&word.to_ascii_lowercase().as_str()) {
            continue;
        }
        let stem = stem_word(word);
        if !out.contains(&stem) {
            out.push(stem);
        }
    }
    out
}

/// Scores documents (a program's description and name) against a question by the
/// inverse document frequency of the stems they share.
pub(crate) struct Scorer {
    docs: Vec<HashSet<String>>,
    idf: HashMap<String, f64>,
}

impl Scorer {
    pub(crate) fn new(docs: impl IntoIterator<Item = String>) -> Self {
        let docs: Vec<HashSet<String>> = docs
            .into_iter()
            .map(|d| stems(&d).into_iter().collect())
            .collect();
        let mut df: HashMap<String, usize> = HashMap::new();
        for doc in &docs {
            for stem in doc {
                *df.entry(stem.clone()).or_default() += 1;
            }
        }
        let n = docs.len().max(1) as f64;
        let idf = df
            .into_iter()
            .map(|(k, v)| (k, (1.0 + n / v as f64).ln()))
            .collect();
        Self { docs, idf }
    }

    /// Each document's score for `question`'s stems (0 when none is shared).
    pub(crate) fn scores(&self, question: &[String]) -> Vec<f64> {
        self.docs
            .iter()
            .map(|doc| {
                question
                    .iter()
                    .filter(|s| doc.contains(*s))
                    .map(|s| self.idf.get(s).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect()
    }
}

/// Scorers over every program: its header description and name, and (weighing less)
/// the words of its section and paragraph names (`POST-PAYMENT`).
pub(crate) struct ProcessIndex {
    pub(crate) programs: Vec<u32>,
    descriptions: Scorer,
    procedures: Scorer,
}

/// How much procedure-name words count against description words.
const PROCEDURE_WEIGHT: f64 = 0.3;

impl ProcessIndex {
    pub(crate) fn new(
        programs: Vec<u32>,
        descriptions: Vec<String>,
        procedures: Vec<String>,
    ) -> Self {
        Self {
            programs,
            descriptions: Scorer::new(descriptions),
            procedures: Scorer::new(procedures),
        }
    }

    /// (score, program) best first, only programs that share a word with the question.
    pub(crate) fn rank(&self, question: &[String]) -> Vec<(f64, u32)> {
        let d = self.descriptions.scores(question);
        let p = self.procedures.scores(question);
        let mut ranked: Vec<(f64, u32)> = self
            .programs
            .iter()
            .enumerate()
            .map(|(i, &program)| {
                let score = d.get(i).copied().unwrap_or(0.0)
                    + PROCEDURE_WEIGHT * p.get(i).copied().unwrap_or(0.0);
                (score, program)
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_shared_words_score_higher() {
        let scorer = Scorer::new([
            "LOAN PAYMENT POSTING".to_owned(),
            "LOAN INQUIRY".to_owned(),
            "DEALER STATISTICS".to_owned(),
        ]);
        let q = stems("How is a loan payment posted?");
        let s = scorer.scores(&q);
        assert!(s[0] > s[1] && s[1] > s[2], "{s:?}");
        assert_eq!(s[2], 0.0);
    }
}
