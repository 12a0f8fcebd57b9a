//! Label text: escaping for XML and Mermaid, wrapping into lines, and the width a line
//! takes in the SVG's monospace font.

/// Width of one character of the SVG's 12 px monospace font, in pixels.
pub(crate) const CHAR_W: f64 = 7.2;
/// Height of one text line, in pixels.
pub(crate) const LINE_H: f64 = 15.0;
/// Most characters on one line of a node's box.
const WRAP: usize = 30;
/// Most lines a node's box shows.
const MAX_LINES: usize = 3;

/// Escapes text for XML content and attribute values.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            '\u{fffe}' | '\u{ffff}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a quoted Mermaid label: characters that end or confuse a label become
/// Mermaid entity codes (`#quot;`), line breaks become `<br/>`.
pub(crate) fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '[' => out.push_str("#91;"),
            ']' => out.push_str("#93;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A label broken into at most [`MAX_LINES`] lines of at most [`WRAP`] characters, at
/// spaces where it can; the given line breaks are kept; what does not fit ends in `…`.
pub(crate) fn wrap(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for given in label.lines() {
        let mut line = String::new();
        for word in given.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > WRAP {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(WRAP).collect();
                word = word.chars().skip(WRAP).collect();
                lines.push(head);
            }
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if needed > WRAP && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            let keep: String = last.chars().take(WRAP - 1).collect();
            *last = format!("{keep}…");
        }
    }
    lines
}

/// Pixels a line of `n` characters takes.
pub(crate) fn width(n: usize) -> f64 {
    n as f64 * CHAR_W
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            xml(r#"A<B & "C" 'D'>"#),
            "A&lt;B &amp; &quot;C&quot; &apos;D&apos;&gt;"
        );
        assert_eq!(xml("a\u{1}b"), "a b");
        assert_eq!(
            mermaid("SET \"Y\" [A] {B} #1 | <x>\nNEXT"),
            "SET #quot;Y#quot; #91;A#93; #123;B#125; #35;1 #124; #lt;x#gt;<br/>NEXT"
        );
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("SHORT"), vec!["SHORT"]);
        assert_eq!(
            wrap("1. SET CONVERTED ACCTS SKIP TRW FLAG FOR RANGE"),
            vec!["1. SET CONVERTED ACCTS SKIP", "TRW FLAG FOR RANGE"]
        );
        assert_eq!(wrap("A\nB"), vec!["A", "B"]);
        let long = wrap(&"X".repeat(200));
        assert_eq!(long.len(), 3);
        assert!(long[2].ends_with('…'));
        assert!(long.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(wrap(""), vec![""]);
    }
}
