//! How a grounded question becomes chat messages for a text model. One place, so every
//! text model (Azure OpenAI, OpenAI-compatible, local GGUF) sees the same prompt.

use crate::ports::{ChatMessage, ChatRequest, CodeFacts, Hit, Role};

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
