//! How a grounded question becomes chat messages for a text model. One place, so every
//! text model (Azure OpenAI, OpenAI-compatible, local GGUF) sees the same prompt: the
//! answer to a grounded question ([`messages`]), and the two prompts of a model-backed
//! answer over the code model ([`sql_messages`] asks for one query, [`rows_messages`]
//! for the answer from its rows).

use crate::ports::{ChatMessage, ChatRequest, CodeFacts, Hit, Role, SqlRows};

/// The instructions every text model gets.
pub const SYSTEM_PROMPT: &str = "You are OTIS, an assistant for the OTIS loan system's COBOL \
codebase. Answer the question using only the numbered sources. Cite sources as [1], [2]. \
Name programs, copybooks and files exactly as the sources spell them. When exact facts \
from the code model are given, they are complete and correct: answer from them first, \
keep their counts, and cite the numbered lines that prove them. If the sources do not \
answer the question, say so plainly.";

/// Most fact items written into a prompt; the rest are counted.
pub const MAX_PROMPT_ITEMS: usize = 300;

/// The code model's facts as prompt text: the question kind, the subject, notes, and
/// every item (up to [`MAX_PROMPT_ITEMS`]) with its group, detail, file and line.
pub fn facts_text(facts: &CodeFacts) -> String {
    let mut out = format!("Exact facts (question kind: {}", facts.kind.as_str());
    if let Some(subject) = &facts.subject {
        out.push_str(&format!("; subject: {subject}"));
        if let Some(kind) = facts.subject_kind {
            out.push_str(&format!(", a {}", kind.as_str()));
        }
    }
    out.push_str("):\n");
    if let Some(file) = &facts.file {
        out.push_str(&format!("- file: {file}\n"));
    }
    if let Some(description) = &facts.description {
        out.push_str(&format!("- description: {description}\n"));
    }
    for (label, value) in &facts.notes {
        out.push_str(&format!("- {label}: {value}\n"));
    }
    out.push_str(&format!("- {} items:\n", facts.items.len()));
    for item in facts.items.iter().take(MAX_PROMPT_ITEMS) {
        out.push_str(&format!("  - {}", item.name));
        if let Some(group) = &item.group {
            out.push_str(&format!(" [{group}]"));
        }
        if let Some(detail) = &item.detail {
            out.push_str(&format!(" {detail}"));
        }
        out.push_str(&format!(" ({}:{})\n", item.file, item.line));
    }
    if facts.items.len() > MAX_PROMPT_ITEMS {
        out.push_str(&format!(
            "  - ... and {} more\n",
            facts.items.len() - MAX_PROMPT_ITEMS
        ));
    }
    out
}

/// Characters of each source's text given to a model; keeps prompts short.
pub const SOURCE_CHARS: usize = 1500;

/// A one-line label for a source: `LONPF2.cbl lines 40-58 (LONPF2)`.
pub fn source_label(hit: &Hit) -> String {
    let mut label = hit.file.clone();
    if let Some((start, end)) = hit.lines {
        label.push_str(&format!(" lines {start}-{end}"));
    }
    if let Some(program) = &hit.program {
        label.push_str(&format!(" ({program})"));
    }
    label
}

fn clip(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The messages for `request`: the system prompt, the conversation so far, then one user
/// message with the numbered sources and the question. `source_chars` caps each
/// source's text.
pub fn messages(request: &ChatRequest, source_chars: usize) -> Vec<ChatMessage> {
    let mut out = vec![ChatMessage {
        role: Role::System,
        content: SYSTEM_PROMPT.to_owned(),
    }];
    out.extend(request.history.iter().cloned());
    let mut user = String::new();
    if let Some(facts) = &request.facts {
        user.push_str(&facts_text(facts));
        user.push('\n');
    }
    if request.sources.is_empty() {
        user.push_str("Sources: none were found.\n\n");
    } else {
        user.push_str("Sources:\n");
        for (i, hit) in request.sources.iter().enumerate() {
            user.push_str(&format!(
                "[{}] {}\n{}\n\n",
                i + 1,
                source_label(hit),
                clip(hit.text.trim_end(), source_chars)
            ));
        }
    }
    user.push_str("Question: ");
    user.push_str(&request.question);
    out.push(ChatMessage {
        role: Role::User,
        content: user,
    });
    out
}

/// The instructions a text model gets to write one query over the code model; the
/// schema follows them.
pub const SQL_SYSTEM_PROMPT: &str = "You write SQL for OTIS, an assistant for a COBOL \
codebase. The codebase's structure (programs, copybooks, calls, COPY statements, \
sections, data items, files, screens) is in a read-only SQLite database described \
below. Write ONE SQLite SELECT statement (WITH is allowed) that answers the user's \
question and reply with only that statement in a ```sql block. Statements that write \
(INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, a PRAGMA that sets something) are \
refused. Select the columns that answer the question, with the file path and line where \
they prove it, and add a LIMIT when a list may be long. Names are stored in upper case. \
If the tables cannot answer the question, reply with exactly NONE.";

/// What a text model that declines to write a query replies.
pub const NO_QUERY: &str = "NONE";

/// The messages that ask a text model for one query answering `question` over the code
/// model described by `schema`. `retry` is the model's previous reply and what was wrong
/// with it, for the one second attempt.
pub fn sql_messages(question: &str, schema: &str, retry: Option<(&str, &str)>) -> Vec<ChatMessage> {
    let mut out = vec![
        ChatMessage {
            role: Role::System,
            content: format!("{SQL_SYSTEM_PROMPT}\n\n{}", schema.trim_end()),
        },
        ChatMessage {
            role: Role::User,
            content: format!("Question: {question}"),
        },
    ];
    if let Some((reply, problem)) = retry {
        out.push(ChatMessage {
            role: Role::Assistant,
            content: reply.to_owned(),
        });
        out.push(ChatMessage {
            role: Role::User,
            content: format!(
                "{problem}\nReply with one corrected SQLite SELECT statement in a ```sql \
                 block, or with exactly {NO_QUERY}."
            ),
        });
    }
    out
}

/// The instructions a text model gets to answer from a query's rows.
pub const ROWS_SYSTEM_PROMPT: &str = "You are OTIS, an assistant for the OTIS loan \
system's COBOL codebase. A query over the code model (the exact structure of the \
codebase) was run to answer the question; its rows follow. Answer from those rows only: \
keep their counts exact, name programs, copybooks and files exactly as the rows spell \
them, and add no fact the rows do not hold. If there are no rows, say plainly that \
nothing matched. Do not repeat the query: it is shown with your answer.";

/// Most rows written into a prompt; the rest are counted.
pub const MAX_PROMPT_ROWS: usize = MAX_PROMPT_ITEMS;

/// Characters of each value written into a prompt.
pub const CELL_CHARS: usize = 200;

/// A query's rows as prompt text: a header line, then one line per row (up to
/// [`MAX_PROMPT_ROWS`]), values separated by ` | `.
pub fn rows_text(rows: &SqlRows) -> String {
    let total = rows.rows.len();
    let mut out = format!(
        "Rows: {total}{}\n",
        if rows.truncated {
            " (the row limit was reached: more rows matched)"
        } else {
            ""
        }
    );
    if total == 0 {
        return out;
    }
    out.push_str(&rows.columns.join(" | "));
    out.push('\n');
    for row in rows.rows.iter().take(MAX_PROMPT_ROWS) {
        let cells: Vec<String> = row
            .iter()
            .map(|v| clip(&v.to_string(), CELL_CHARS).replace('\n', " "))
            .collect();
        out.push_str(&cells.join(" | "));
        out.push('\n');
    }
    if total > MAX_PROMPT_ROWS {
        out.push_str(&format!("... and {} more rows\n", total - MAX_PROMPT_ROWS));
    }
    out
}

/// The messages that ask a text model to answer `question` from the rows `sql` returned:
/// the instructions, the conversation so far, then the query, its rows and the question.
pub fn rows_messages(
    question: &str,
    history: &[ChatMessage],
    sql: &str,
    rows: &SqlRows,
) -> Vec<ChatMessage> {
    let mut out = vec![ChatMessage {
        role: Role::System,
        content: ROWS_SYSTEM_PROMPT.to_owned(),
    }];
    out.extend(history.iter().cloned());
    out.push(ChatMessage {
        role: Role::User,
        content: format!(
            "Query:\n```sql\n{}\n```\n{}\nQuestion: {question}",
            sql.trim_end(),
            rows_text(rows)
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_numbered_labelled_and_clipped() {
        let hit = Hit {
            id: "c1".into(),
            file: "src/LONPF2.cbl".into(),
            program: Some("LONPF2".into()),
            lines: Some((40, 58)),
            score: 1.0,
            text: "x".repeat(50),
            facts: None,
        };
        let request = ChatRequest {
            question: "What does LONPF2 do?".into(),
            history: vec![ChatMessage {
                role: Role::User,
                content: "earlier".into(),
            }],
            sources: vec![hit],
            temperature: 0.0,
            max_tokens: 100,
            facts: None,
        };
        let messages = messages(&request, 10);
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0].role, Role::System);
        assert_eq!(messages[1].content, "earlier");
        let user = &messages[2].content;
        assert!(user.contains("[1] src/LONPF2.cbl lines 40-58 (LONPF2)\nxxxxxxxxxx\n"));
        assert!(!user.contains(&"x".repeat(11)));
        assert!(user.ends_with("Question: What does LONPF2 do?"));
    }
}
