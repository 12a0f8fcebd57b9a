//! Matching a question's words with program descriptions, for business-process
//! questions ("how is a loan payment received?").

use std::collections::HashMap;

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

/// How much procedure-name words count against description words.
const PROCEDURE_WEIGHT: f64 = 0.3;

/// Programs ranked for a question's stems, best first, only those that share a word with
/// it: each shared stem scores its inverse document frequency among the programs,
/// `ln(1 + programs / programs having it)`, a description word (field 0) fully and a
/// section or paragraph name word (field 1) at [`PROCEDURE_WEIGHT`]. `postings` gives,
/// for one stem, the (field, program) pairs that have it.
pub(crate) fn rank(
    question: &[String],
    programs: usize,
    mut postings: impl FnMut(&str) -> Vec<(u8, u32)>,
) -> Vec<(f64, u32)> {
    let n = programs.max(1) as f64;
    let mut scores: HashMap<u32, f64> = HashMap::new();
    for stem in question {
        let rows = postings(stem);
        for field in [0u8, 1] {
            let having: Vec<u32> = rows
                .iter()
                .filter(|(f, _)| *f == field)
                .map(|&(_, p)| p)
                .collect();
            if having.is_empty() {
                continue;
            }
            let idf = (1.0 + n / having.len() as f64).ln();
            let weight = if field == 0 { 1.0 } else { PROCEDURE_WEIGHT };
            for p in having {
                *scores.entry(p).or_default() += weight * idf;
            }
        }
    }
    let mut ranked: Vec<(f64, u32)> = scores
        .into_iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(p, s)| (s, p))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_shared_words_score_higher() {
        // Programs 1-3 by description; program 3 also has a paragraph POST-PAYMENT.
        let docs = [
            (1, "LOAN PAYMENT POSTING", ""),
            (2, "LOAN INQUIRY", ""),
            (3, "DEALER STATISTICS", "POST-PAYMENT"),
        ];
        let postings = |stem: &str| -> Vec<(u8, u32)> {
            let mut out = Vec::new();
            for (p, desc, procs) in docs {
                if stems(desc).iter().any(|s| s == stem) {
                    out.push((0, p));
                }
                if stems(procs).iter().any(|s| s == stem) {
                    out.push((1, p));
                }
            }
            out
        };
        let ranked = rank(&stems("How is a loan payment posted?"), 3, postings);
        let order: Vec<u32> = ranked.iter().map(|&(_, p)| p).collect();
        assert_eq!(order, [1, 2, 3], "{ranked:?}");
        assert!(ranked[2].0 < ranked[1].0);
        assert!(rank(&stems("dealer"), 3, postings).len() == 1);
    }
}
