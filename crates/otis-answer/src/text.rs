//! Small pieces of English every answer uses: counts with their noun, lists joined with
//! "and", and header text in sentence case.

/// `1 program`, `3 programs`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `A`, `A and B`, `A, B and C`.
pub(crate) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Text written in capitals, as COBOL headers are, in sentence case; words that look
/// like identifiers (digits or hyphens) or are in `keep` stay as written.
pub(crate) fn sentence_case(text: &str, keep: &[String]) -> String {
    if text.chars().any(|c| c.is_lowercase()) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut start_of_sentence = true;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
        let identifier = bare.contains(|c: char| c.is_ascii_digit() || c == '-')
            || keep.iter().any(|k| k == bare);
        if identifier {
            out.push_str(word);
        } else {
            let lower = word.to_lowercase();
            if start_of_sentence {
                let mut chars = lower.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(&lower);
            }
        }
        if !word.is_empty() {
            start_of_sentence = word.ends_with(['.', '!', '?']);
        }
    }
    out
}
