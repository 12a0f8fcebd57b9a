//! Answers rendered from Markdown to HTML on the server, and sanitised before any
//! browser sees them: `pulldown-cmark` renders, `ammonia` keeps only a small allowlist
//! of tags and attributes. Raw HTML in the Markdown (a model can echo a question that
//! holds `<script>`) is turned into text first, so it shows as written and never runs.
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
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitiser().clean(&html).to_string()
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
