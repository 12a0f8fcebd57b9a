//! A question as words: tokens in their written case and in lower case, what the code
//! model says each name-like token is, numbers written in digits or in words, and a small
//! phrase matcher over the tokens that are not yet consumed. Pure.

use crate::ports::SymbolKind;

/// One word of a question.
#[derive(Debug, Clone)]
pub(super) struct Tok {
    /// As written, punctuation around it trimmed (`LIBUP/A30SRC`, `Which`).
    pub(super) raw: String,
    /// Lower case.
    pub(super) low: String,
    /// Upper case, as a name is compared.
    pub(super) up: String,
    /// Written like a name: capitals (`FX`, `LONPF2`), a digit, hyphen or underscore in a
    /// word (`lonpf2`, `bt-branch`), a library path or a member extension.
    pub(super) name_like: bool,
    /// Written in capitals only (`SORT`, `FX`).
    pub(super) capitals: bool,
    /// What the code model says the name is, asked only of name-like words.
    pub(super) kind: Option<SymbolKind>,
    /// A library path without a member extension whose first folder is a directory of
    /// the corpus (`LIBUP/A30SRC`): a directory, whatever its last part names.
    pub(super) folder_path: bool,
    /// The member extension says a copybook (`.CPY`) or a program (`.CBL`).
    pub(super) hint: Option<SymbolKind>,
}

/// The question's words and which of them a rule has consumed.
#[derive(Debug)]
pub(super) struct Words {
    pub(super) toks: Vec<Tok>,
    used: Vec<bool>,
}

/// Spelled numbers up to a hundred.
const NUMBER_WORDS: &[(&str, u64)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("dozen", 12),
    ("single", 1),
    ("once", 1),
    ("twice", 2),
    ("thrice", 3),
];

/// Words after which a word in lower case may be a name ("in fx", "call fxmenu").
const NAME_BEFORE: &[&str] = &[
    "in",
    "from",
    "under",
    "within",
    "inside",
    "outside",
    "call",
    "calls",
    "calling",
    "copy",
    "copies",
    "copying",
    "include",
    "includes",
    "including",
    "invoke",
    "invokes",
    "reach",
    "reaches",
    "by",
    "program",
    "copybook",
    "folder",
    "directory",
    "library",
    "file",
];

/// Words in lower case that are never taken for a name, whatever the corpus holds.
const NOT_LOWER_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "any",
    "all",
    "each",
    "every",
    "total",
    "their",
    "its",
    "order",
    "name",
    "names",
    "mode",
    "more",
    "less",
    "most",
    "least",
    "at",
    "least",
    "other",
    "others",
    "another",
    "itself",
    "themselves",
    "programs",
    "copybooks",
    "menus",
    "screens",
    "files",
    "loop",
    "cycle",
    "cycles",
    "which",
    "what",
    "that",
    "those",
    "these",
    "them",
    "one",
    "no",
    "nothing",
    "anything",
    "some",
    "input",
    "output",
    "extend",
    "append",
    "records",
    "record",
    "source",
    "tree",
    "corpus",
    "codebase",
    "code",
    "system",
    "menu",
    "screen",
    "options",
    "option",
    "fields",
    "lines",
    "size",
    "complexity",
    "depth",
    "nesting",
    "name",
    "date",
    "use",
    "sort",
    "merge",
    "string",
    "search",
    "display",
];

/// Rewrites symbols and contractions into words before splitting: `>= 5` is "at least
/// 5", `5+` is "5 or more", `don't` is "do not", `application's` is "application".
fn normalise(question: &str) -> String {
    let mut text = String::with_capacity(question.len() + 16);
    let chars: Vec<char> = question.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '>' if next == Some('=') => {
                text.push_str(" at least ");
                i += 1;
            }
            '<' if next == Some('=') => {
                text.push_str(" at most ");
                i += 1;
            }
            '>' => text.push_str(" more than "),
            '<' => text.push_str(" fewer than "),
            '=' => text.push_str(" exactly "),
            '+' if i > 0 && chars[i - 1].is_ascii_digit() => text.push_str(" or more "),
            '\'' | '\u{2019}' => {
                let rest: String = chars[i + 1..].iter().take(2).collect();
                let rest = rest.to_ascii_lowercase();
                let word_end = |k: usize| chars.get(k).is_none_or(|c| !c.is_ascii_alphanumeric());
                if text.ends_with(['n', 'N']) && rest.starts_with('t') && word_end(i + 2) {
                    // "don't" -> "do not", "can't" -> "ca not": the "not" is what counts.
                    text.pop();
                    text.push_str(" not ");
                    i += 1;
                } else if rest.starts_with('s') && word_end(i + 2) {
                    text.push(' ');
                    i += 1;
                } else {
                    text.push(' ');
                }
            }
            _ => text.push(c),
        }
        i += 1;
    }
    text
}

/// A member extension on a word.
fn extension_hint(lower: &str) -> Option<SymbolKind> {
    if lower.ends_with(".cpy") {
        Some(SymbolKind::Copybook)
    } else if lower.ends_with(".cbl") || lower.ends_with(".cob") {
        Some(SymbolKind::Program)
    } else {
        None
    }
}

impl Words {
    /// Splits `question` and asks `identify` about every name-like word.
    pub(super) fn new(question: &str, identify: &dyn Fn(&str) -> Option<SymbolKind>) -> Self {
        let text = normalise(question);
        let mut toks = Vec::new();
        for piece in text.split(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '$' | '*' | '%'))
        }) {
            let raw = piece.trim_matches(|c: char| matches!(c, '.' | '-' | '/' | '_'));
            if raw.is_empty() {
                continue;
            }
            let low = raw.to_ascii_lowercase();
            let hint = extension_hint(&low);
            let capitals = raw.bytes().any(|b| b.is_ascii_uppercase())
                && !raw.bytes().any(|b| b.is_ascii_lowercase());
            let marked = raw.contains(['-', '_']) || raw.bytes().any(|b| b.is_ascii_digit());
            let path = raw.contains('/') && (capitals || hint.is_some());
            let name_like = raw.len() >= 2
                && raw.bytes().any(|b| b.is_ascii_alphabetic())
                && (capitals || marked || path || hint.is_some());
            toks.push(Tok {
                up: raw.to_ascii_uppercase(),
                raw: raw.to_owned(),
                low,
                name_like,
                capitals,
                kind: None,
                folder_path: false,
                hint,
            });
        }
        for k in 0..toks.len() {
            let after_name_word = k > 0 && NAME_BEFORE.contains(&toks[k - 1].low.as_str());
            let tok = &mut toks[k];
            if tok.name_like {
                tok.kind = identify(&tok.up);
                if tok.raw.contains('/') && tok.hint.is_none() {
                    let first = tok.up.split('/').next().unwrap_or_default();
                    tok.folder_path = identify(first) == Some(SymbolKind::Directory)
                        && !matches!(tok.kind, Some(SymbolKind::Program | SymbolKind::Copybook));
                }
            } else if after_name_word
                && tok.low.len() >= 2
                && tok.low.bytes().all(|b| b.is_ascii_alphanumeric())
                && !NOT_LOWER_NAMES.contains(&tok.low.as_str())
            {
                // A name written in lower case where a name is expected: "in fx",
                // "call fxmenu", "copy screen".
                let kind = identify(&tok.up).filter(|k| {
                    matches!(
                        k,
                        SymbolKind::Program
                            | SymbolKind::Copybook
                            | SymbolKind::Directory
                            | SymbolKind::File
                    )
                });
                if kind.is_some() {
                    tok.kind = kind;
                    tok.name_like = true;
                }
            }
        }
        let used = vec![false; toks.len()];
        Self { toks, used }
    }

    /// Number of words.
    pub(super) fn len(&self) -> usize {
        self.toks.len()
    }

    /// The word at `i`, lower case; "" past the end.
    pub(super) fn low(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.low.as_str())
    }

    /// The word at `i`.
    pub(super) fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    /// Whether the word at `i` is free (exists and not consumed).
    pub(super) fn free(&self, i: usize) -> bool {
        i < self.toks.len() && !self.used[i]
    }

    /// Consumes words `from..to`.
    pub(super) fn take(&mut self, from: usize, to: usize) {
        for u in self.used.iter_mut().take(to).skip(from) {
            *u = true;
        }
    }

    /// Whether any word of the question is one of `words`.
    pub(super) fn any(&self, words: &[&str]) -> bool {
        self.toks.iter().any(|t| words.contains(&t.low.as_str()))
    }

    /// Where `pattern` matches among the question's words (consumed or not), first.
    pub(super) fn find(&self, pattern: &str) -> Option<(usize, usize)> {
        (0..self.len()).find_map(|i| self.at_any(i, pattern).map(|end| (i, end)))
    }

    /// Whether `pattern` matches anywhere.
    pub(super) fn has(&self, pattern: &str) -> bool {
        self.find(pattern).is_some()
    }

    /// The end of `pattern` matched at `i` on free words.
    pub(super) fn at(&self, i: usize, pattern: &str) -> Option<usize> {
        self.matches(i, pattern, true)
    }

    /// The end of `pattern` matched at `i`, consumed words included.
    pub(super) fn at_any(&self, i: usize, pattern: &str) -> Option<usize> {
        self.matches(i, pattern, false)
    }

    /// Matches a pattern: words separated by spaces, each a set of alternatives joined by
    /// `|`, optional with a trailing `?`; `#` is a number, `@` a name-like word. Greedy,
    /// no backtracking.
    fn matches(&self, i: usize, pattern: &str, free_only: bool) -> Option<usize> {
        let mut at = i;
        for element in pattern.split(' ') {
            let (element, optional) = match element.strip_suffix('?') {
                Some(e) => (e, true),
                None => (element, false),
            };
            let ok = (!free_only || self.free(at))
                && self.tok(at).is_some_and(|t| {
                    element.split('|').any(|alt| match alt {
                        "#" => number_word(&t.low).is_some(),
                        "@" => t.name_like,
                        word => t.low == word,
                    })
                });
            if ok {
                at += 1;
            } else if !optional {
                return None;
            }
        }
        Some(at)
    }

    /// Where the name `name` (upper case, without path or extension) is written.
    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.toks
            .iter()
            .position(|t| t.up == name || bare(&t.raw) == name)
    }

    /// The number at `i` ("5", "five", "a dozen" counts from "dozen").
    pub(super) fn number(&self, i: usize) -> Option<u64> {
        self.tok(i).and_then(|t| number_word(&t.low))
    }
}

/// A number written in digits or in words.
pub(super) fn number_word(word: &str) -> Option<u64> {
    if !word.is_empty() && word.len() <= 9 && word.bytes().all(|b| b.is_ascii_digit()) {
        return word.parse().ok();
    }
    // "2k" lines
    if let Some(thousands) = word.strip_suffix('k')
        && !thousands.is_empty()
        && thousands.len() <= 4
        && thousands.bytes().all(|b| b.is_ascii_digit())
    {
        return thousands.parse::<u64>().ok().map(|n| n * 1000);
    }
    NUMBER_WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, n)| *n)
}

/// `LIBGB/SCREEN.CPY` -> `SCREEN`; `lonpf2` -> `LONPF2`.
pub(super) fn bare(token: &str) -> String {
    let base = token.rsplit(['/', '\\']).next().unwrap_or(token);
    let stem = match base.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && matches!(ext.to_ascii_lowercase().as_str(), "cpy" | "cbl" | "cob") =>
        {
            stem
        }
        _ => base,
    };
    stem.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<SymbolKind> {
        None
    }

    #[test]
    fn symbols_and_contractions_become_words() {
        let w = Words::new(
            "Programs that don't use SORT with >= 5 callers, 10+ lines",
            &none,
        );
        let lows: Vec<&str> = w.toks.iter().map(|t| t.low.as_str()).collect();
        assert_eq!(
            lows,
            [
                "programs", "that", "do", "not", "use", "sort", "with", "at", "least", "5",
                "callers", "10", "or", "more", "lines"
            ]
        );
        let w = Words::new("What is the application's entry point?", &none);
        assert_eq!(w.low(3), "application");
        assert_eq!(w.low(4), "entry");
    }

    #[test]
    fn patterns_match_free_words() {
        let mut w = Words::new("Which programs are called by more than five others?", &none);
        assert_eq!(w.at(3, "called|used by more than #"), Some(8));
        assert_eq!(w.at(3, "called by at? least? more than #"), Some(8));
        w.take(4, 5);
        assert_eq!(w.at(3, "called by"), None);
        assert_eq!(w.at_any(3, "called by"), Some(5));
        assert_eq!(w.number(7), Some(5));
        assert_eq!(number_word("12"), Some(12));
        assert_eq!(number_word("1234567890"), None);
    }

    #[test]
    fn names_are_told_from_words() {
        let w = Words::new(
            "Which programs in LIBUP/A30SRC use lonpf2 and SCREEN.CPY?",
            &|n| (n == "LIBUP").then_some(SymbolKind::Directory),
        );
        let names: Vec<(&str, bool)> = w
            .toks
            .iter()
            .map(|t| (t.raw.as_str(), t.name_like))
            .collect();
        assert_eq!(
            names,
            [
                ("Which", false),
                ("programs", false),
                ("in", false),
                ("LIBUP/A30SRC", true),
                ("use", false),
                ("lonpf2", true),
                ("and", false),
                ("SCREEN.CPY", true)
            ]
        );
        assert!(w.toks[3].folder_path);
        assert_eq!(w.toks[7].hint, Some(SymbolKind::Copybook));
    }
}
