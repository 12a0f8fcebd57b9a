//! Answers rendered from Markdown to HTML on the server, and sanitised before any
//! browser sees them: `pulldown-cmark` renders, `ammonia` keeps only a small allowlist
//! of tags and attributes. Raw HTML in the Markdown (a model can echo a question that
//! holds `<script>`) is turned into text first, so it shows as written and never runs.
//!
//! A list item that is a group of a list answer, `- **<label>** (<count>): <items>` (or
//! the label and count followed by a nested list of items), is folded into a
//! `<details>` whose summary shows the label and the count: closed when the group holds
//! more than [`OPEN_UP_TO`] items, open when it holds fewer, so a long answer stays
//! readable and every item is still in the page.
//!
//! The page puts `answer_html` into the document as it is; it never parses any other
//! text as HTML.

use std::collections::HashSet;
use std::sync::OnceLock;

use otis_app::wire::QueryResponse;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// The answer record as HTTP sends it: the shared record plus `answer_html`.
#[derive(Debug, Serialize)]
pub(crate) struct HtmlRecord {
    #[serde(flatten)]
    record: QueryResponse,
    /// The answer as sanitised HTML.
    answer_html: String,
}

impl From<QueryResponse> for HtmlRecord {
    fn from(record: QueryResponse) -> Self {
        let answer_html = to_html(&record.response.answer);
        Self {
            record,
            answer_html,
        }
    }
}

/// Tags an answer may use: what CommonMark with tables and strikethrough produces, less
/// images (an answer has no business loading anything).
const TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(TAGS.iter().copied().collect::<HashSet<_>>())
            .add_tag_attributes("a", ["href", "title"])
            // A folded group of a list answer, open when small.
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("ol", ["start"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            // A flow answer's Mermaid block: the page puts the server's drawing there.
            .add_allowed_classes("code", ["language-mermaid"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            // Relative URLs would point into this server's API.
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener noreferrer nofollow"))
            .strip_comments(true);
        builder
    })
}

/// `markdown` as sanitised HTML.
pub(crate) fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Raw HTML becomes text: shown as written, escaped by the renderer.
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options)
        .map(|event| match event {
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            other => other,
        })
        .collect();
    // The only HTML events left are the fold's own tags.
    let events = fold_groups(events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitiser().clean(&html).to_string()
}

/// A group of at most this many items is shown open; a larger one is folded.
pub(crate) const OPEN_UP_TO: u64 = 12;

/// `events` with every list item that is a group (`**label** (count): items`) turned
/// into `<details>` inside its `<li>`, nested lists included.
fn fold_groups(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut events = events.into_iter();
    while let Some(event) = events.next() {
        if !matches!(event, Event::Start(Tag::Item)) {
            out.push(event);
            continue;
        }
        // The item's own events, up to its end.
        let mut inner = Vec::new();
        let mut depth = 0usize;
        for event in events.by_ref() {
            match event {
                Event::Start(Tag::Item) => depth += 1,
                Event::End(TagEnd::Item) if depth == 0 => break,
                Event::End(TagEnd::Item) => depth -= 1,
                _ => {}
            }
            inner.push(event);
        }
        let inner = fold_groups(inner);
        out.push(Event::Start(Tag::Item));
        match Group::split(inner) {
            Ok(group) => group.write(&mut out),
            Err(inner) => out.extend(inner),
        }
        out.push(Event::End(TagEnd::Item));
    }
    out
}

/// A list item read as a group of a list answer.
struct Group<'a> {
    /// The label's events, `Start(Strong)` to `End(Strong)`.
    label: Vec<Event<'a>>,
    /// The count as written.
    written: String,
    /// The count.
    count: u64,
    /// The items written on the label's line (after the colon).
    inline: Vec<Event<'a>>,
    /// The blocks that follow (a nested list of items).
    blocks: Vec<Event<'a>>,
}

impl<'a> Group<'a> {
    /// `item` (the events inside one `<li>`) as a group, or back as it was.
    fn split(item: Vec<Event<'a>>) -> Result<Self, Vec<Event<'a>>> {
        // A loose list wraps the label's line in a paragraph.
        let loose = matches!(item.first(), Some(Event::Start(Tag::Paragraph)));
        let head_start = usize::from(loose);
        let head_end = if loose {
            item.iter()
                .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        } else {
            item.iter()
                .position(|e| matches!(e, Event::Start(tag) if is_block(tag)))
                .or(Some(item.len()))
        };
        let Some(head_end) = head_end else {
            return Err(item);
        };
        let head = &item[head_start..head_end];
        if !matches!(head.first(), Some(Event::Start(Tag::Strong))) {
            return Err(item);
        }
        let mut depth = 0usize;
        let Some(label_end) = head.iter().position(|e| {
            match e {
                Event::Start(Tag::Strong) => depth += 1,
                Event::End(TagEnd::Strong) => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        }) else {
            return Err(item);
        };
        // The text after the label, which the parser may have cut into pieces.
        let mut after = String::new();
        let mut rest = label_end + 1;
        while let Some(Event::Text(text)) = head.get(rest) {
            after.push_str(text);
            rest += 1;
        }
        let Some((written, count, items_text)) = count_and_rest(&after) else {
            return Err(item);
        };
        let mut inline = Vec::new();
        if !items_text.is_empty() {
            inline.push(Event::Text(items_text.to_owned().into()));
        }
        let line_break = |e: &&Event<'_>| matches!(e, Event::SoftBreak | Event::HardBreak);
        let more = head[rest..].iter();
        if inline.is_empty() {
            inline.extend(more.skip_while(line_break).cloned());
        } else {
            inline.extend(more.cloned());
        }
        let tail = if loose { head_end + 1 } else { head_end };
        let blocks = item[tail..].to_vec();
        if inline.is_empty() && blocks.is_empty() {
            return Err(item);
        }
        Ok(Self {
            label: head[..=label_end].to_vec(),
            written: written.to_owned(),
            count,
            inline,
            blocks,
        })
    }

    /// The group as `<details>`, open when small.
    fn write(self, out: &mut Vec<Event<'a>>) {
        let open = if self.count > OPEN_UP_TO { "" } else { " open" };
        out.push(Event::Html(format!("<details{open}><summary>").into()));
        out.extend(self.label);
        out.push(Event::Text(format!(" ({})", self.written).into()));
        out.push(Event::Html("</summary>".into()));
        if !self.inline.is_empty() {
            out.push(Event::Start(Tag::Paragraph));
            out.extend(self.inline);
            out.push(Event::End(TagEnd::Paragraph));
        }
        out.extend(self.blocks);
        out.push(Event::Html("</details>".into()));
    }
}

/// Whether `tag` starts a block inside a list item (what ends the label's line in a
/// tight list).
fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::List(_)
            | Tag::CodeBlock(_)
            | Tag::BlockQuote(_)
            | Tag::Heading { .. }
            | Tag::Table(_)
            | Tag::HtmlBlock
    )
}

/// ` (1,200): LP01LN, ...` as the count as written, its value and the text after the
/// colon; `None` unless the text is a parenthesised count (digits, with `,` between
/// thousands) followed by a colon or by nothing (the items then follow as a list).
fn count_and_rest(text: &str) -> Option<(&str, u64, &str)> {
    let text = text.trim_start().strip_prefix('(')?;
    let close = text.find(')')?;
    let written = &text[..close];
    if !written.starts_with(|c: char| c.is_ascii_digit())
        || !written.chars().all(|c| c.is_ascii_digit() || c == ',')
    {
        return None;
    }
    let count = written.replace(',', "").parse().ok()?;
    let rest = text[close + 1..].trim_start();
    let rest = match rest.strip_prefix(':') {
        Some(items) => items.trim_start(),
        None if rest.is_empty() => rest,
        None => return None,
    };
    Some((written, count, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_to_the_allowed_tags() {
        let cases: &[(&str, &str)] = &[
            ("plain", "<p>plain</p>\n"),
            (
                "LONPF2 copies:\n- LP01LN [1]\n- GBDATE",
                "<p>LONPF2 copies:</p>\n<ul>\n<li>LP01LN [1]</li>\n<li>GBDATE</li>\n</ul>\n",
            ),
            (
                "**bold** and `code`",
                "<p><strong>bold</strong> and <code>code</code></p>\n",
            ),
            (
                "```\nMOVE A TO B.\n```",
                "<pre><code>MOVE A TO B.\n</code></pre>\n",
            ),
            (
                "| a | b |\n|---|---|\n| 1 | 2 |",
                "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n",
            ),
            (
                "```mermaid\nflowchart TD\n```",
                "<pre><code class=\"language-mermaid\">flowchart TD\n</code></pre>\n",
            ),
            (
                "```cobol\nMOVE A TO B.\n```",
                "<pre><code class=\"\">MOVE A TO B.\n</code></pre>\n",
            ),
            (
                "[docs](https://example.org/x)",
                "<p><a href=\"https://example.org/x\" rel=\"noopener noreferrer nofollow\">docs</a></p>\n",
            ),
        ];
        for (markdown, want) in cases {
            assert_eq!(to_html(markdown), *want, "{markdown}");
        }
    }

    /// `n` names `P000`, `P001`, ... joined by ", ".
    fn names(n: usize) -> String {
        (0..n)
            .map(|i| format!("P{i:03}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn groups_of_a_list_answer_fold_into_details_open_when_small() {
        let big = names(120);
        let cases: Vec<(String, String)> = vec![
            // More than 12: closed.
            (
                format!("LONPF2 copies 123 copybooks:\n- **LIBLP, record layouts** (120): {big}\n- **LIBGB** (3): GBDATE, GBTIME, GBWS"),
                format!(
                    "<p>LONPF2 copies 123 copybooks:</p>\n<ul>\n\
                     <li><details><summary><strong>LIBLP, record layouts</strong> (120)</summary>\n<p>{big}</p>\n</details></li>\n\
                     <li><details open=\"\"><summary><strong>LIBGB</strong> (3)</summary>\n<p>GBDATE, GBTIME, GBWS</p>\n</details></li>\n</ul>\n"
                ),
            ),
            // Exactly 12: open; 13: closed.
            (
                format!("- **A** (12): {}\n- **B** (13): {}", names(12), names(13)),
                format!(
                    "<ul>\n<li><details open=\"\"><summary><strong>A</strong> (12)</summary>\n<p>{}</p>\n</details></li>\n\
                     <li><details><summary><strong>B</strong> (13)</summary>\n<p>{}</p>\n</details></li>\n</ul>\n",
                    names(12),
                    names(13)
                ),
            ),
            // Items as a nested list.
            (
                "- **LIBWS** (2):\n  - WSDATE [1]\n  - WSTIME".into(),
                "<ul>\n<li><details open=\"\"><summary><strong>LIBWS</strong> (2)</summary>\n<ul>\n<li>WSDATE [1]</li>\n<li>WSTIME</li>\n</ul>\n</details></li>\n</ul>\n".into(),
            ),
            // A loose list (blank lines between groups), names holding `_`, inline code,
            // a count with a thousands separator.
            (
                "- **MOVE** (1,204): `WS-A`, LONPF2_WKS, X_Y\n\n- **READ** (2): A, B".into(),
                "<ul>\n<li><details><summary><strong>MOVE</strong> (1,204)</summary>\n<p><code>WS-A</code>, LONPF2_WKS, X_Y</p>\n</details></li>\n\
                 <li><details open=\"\"><summary><strong>READ</strong> (2)</summary>\n<p>A, B</p>\n</details></li>\n</ul>\n".into(),
            ),
            // Nested groups fold too.
            (
                format!("- **LIBLP** (20):\n  - **records** (15): {}\n  - **screens** (5): S1, S2, S3, S4, S5", names(15)),
                format!(
                    "<ul>\n<li><details><summary><strong>LIBLP</strong> (20)</summary>\n<ul>\n\
                     <li><details><summary><strong>records</strong> (15)</summary>\n<p>{}</p>\n</details></li>\n\
                     <li><details open=\"\"><summary><strong>screens</strong> (5)</summary>\n<p>S1, S2, S3, S4, S5</p>\n</details></li>\n\
                     </ul>\n</details></li>\n</ul>\n",
                    names(15)
                ),
            ),
        ];
        for (markdown, want) in &cases {
            assert_eq!(to_html(markdown), *want, "{markdown}");
        }
    }

    #[test]
    fn list_items_that_are_not_groups_stay_as_they_are() {
        let cases: &[(&str, &str)] = &[
            // No count, a word in brackets, no items, text after the count without a colon.
            (
                "- **Note**: read first",
                "<ul>\n<li><strong>Note</strong>: read first</li>\n</ul>\n",
            ),
            (
                "- **LIBLP** (see below): A, B",
                "<ul>\n<li><strong>LIBLP</strong> (see below): A, B</li>\n</ul>\n",
            ),
            (
                "- **LIBLP** (3)",
                "<ul>\n<li><strong>LIBLP</strong> (3)</li>\n</ul>\n",
            ),
            (
                "- **LIBLP** (3) copybooks, A, B",
                "<ul>\n<li><strong>LIBLP</strong> (3) copybooks, A, B</li>\n</ul>\n",
            ),
            // Bold not at the start of the item; a count with a sign.
            (
                "- see **LIBLP** (3): A, B, C",
                "<ul>\n<li>see <strong>LIBLP</strong> (3): A, B, C</li>\n</ul>\n",
            ),
            (
                "- **LIBLP** (-3): A",
                "<ul>\n<li><strong>LIBLP</strong> (-3): A</li>\n</ul>\n",
            ),
            // Not a list item at all.
            (
                "**LIBLP** (3): A, B, C",
                "<p><strong>LIBLP</strong> (3): A, B, C</p>\n",
            ),
        ];
        for (markdown, want) in cases {
            assert_eq!(to_html(markdown), *want, "{markdown}");
        }
    }

    #[test]
    fn a_folded_group_cannot_carry_markup_either() {
        // Raw HTML in a label or an item is text; only the fold's own tags are tags.
        let html = to_html(
            "- **<img src=x onerror=alert(1)>** (20): <script>alert(1)</script>, [x](javascript:alert(1))",
        );
        assert_eq!(
            html,
            "<ul>\n<li><details><summary><strong>&lt;img src=x onerror=alert(1)&gt;</strong> (20)</summary>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;, <a rel=\"noopener noreferrer nofollow\">x</a></p>\n</details></li>\n</ul>\n"
        );
        // `<details>` written by a model is text, not a fold.
        assert_eq!(
            to_html("<details open><summary>x</summary>y</details>"),
            "<p>&lt;details open&gt;&lt;summary&gt;x&lt;/summary&gt;y&lt;/details&gt;</p>\n"
        );
    }

    proptest::proptest! {
        /// Any mix of list lines, labels, counts and markup renders without a panic, and
        /// every `<details>` the fold opens is closed.
        #[test]
        fn any_list_renders_with_balanced_folds(
            lines in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["- ", "  - ", "    - ", "", "1. ", "\n"]),
                    proptest::sample::select(vec!["**A**", "**A *b***", "**`c`**", "A", "**"]),
                    proptest::sample::select(vec![" (3): x, y", " (13):", " (1,2)", " ()", " (20) z", "", ": q"]),
                    proptest::sample::select(vec!["", " [1]", " `k`", " <b>", " _u_"]),
                ),
                0..12,
            )
        ) {
            let markdown: String = lines
                .iter()
                .map(|(a, b, c, d)| format!("{a}{b}{c}{d}\n"))
                .collect();
            let html = to_html(&markdown);
            proptest::prop_assert_eq!(
                html.matches("<details").count(),
                html.matches("</details>").count(),
                "{}", markdown
            );
        }
    }

    #[test]
    fn nothing_a_model_or_user_wrote_can_run_script() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "What does <img src=x onerror=\"window.pwned=1\"> do?",
            "<svg onload=alert(1)><circle/></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](data:text/html,<script>alert(1)</script>)",
            "[rel](/api/history?session_id=x)",
            "![x](https://evil.example/track.png)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<div onclick=alert(1)>x</div>",
            "<!-- <script>alert(1)</script> -->",
            "<form action=https://evil.example><input name=k></form>",
            "<<script>script>alert(1)<</script>/script>",
            "`<script>` in code stays text",
        ];
        for text in hostile {
            let html = to_html(text).to_ascii_lowercase();
            // Text has its `<` escaped, so every `<` left opens a real tag.
            let tags: Vec<&str> = html
                .split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap_or(t))
                .collect();
            let allowed = |tag: &&str| {
                let name = tag.trim_start_matches('/');
                let name = name.split([' ', '/']).next().unwrap_or(name);
                TAGS.contains(&name)
            };
            assert!(tags.iter().all(allowed), "{text:?} -> {html:?}");
            let tags = tags.join(" ");
            for banned in [
                "<script",
                "<img",
                "<svg",
                "<iframe",
                "<form",
                "<input",
                "<div",
                "onerror=",
                "onload=",
                "onclick=",
                "javascript:",
                "data:",
                "style=",
                "href=\"/",
            ] {
                assert!(!tags.contains(banned), "{text:?} -> {html:?} has {banned}");
            }
        }
        // Raw HTML is shown as written.
        assert_eq!(
            to_html("<script>alert(1)</script>"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        );
    }
}
