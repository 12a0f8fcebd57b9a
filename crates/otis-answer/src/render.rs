//! Exact facts as an answer a person can use: a lead sentence that answers the
//! question, then the detail grouped (by library, directory, verb, ...), with counts and
//! `[n]` citations of the lines that prove them. Long lists show their groups and counts;
//! the complete list stays in the record's `facts`.

use otis_core::ports::{
    CodeFacts, FactItem, FixedGroup, ItemGroup, Note, QuestionKind, SymbolKind,
};

use crate::lists::{LIST_LIMIT, bullets, cite, grouped, groups, groups_by};
use crate::text::{list, plural, sentence_case};

fn notes_text(facts: &CodeFacts, notes: &[Note]) -> String {
    let mut out = String::new();
    for note in notes {
        if let Some(value) = facts.note(*note) {
            let mut chars = note.label().chars();
            let label = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            };
            out.push_str(&format!("{label}: {value}.\n"));
        }
    }
    out
}

fn file_of(facts: &CodeFacts) -> String {
    facts
        .file
        .as_ref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default()
}

/// The answer for `facts`.
pub(crate) fn render(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    let count = facts.items.len();
    if let Some(missing) = facts.note(Note::NotFound) {
        let near: Vec<&str> = facts
            .items
            .iter()
            .filter(|i| i.group == Some(ItemGroup::Fixed(FixedGroup::Near)))
            .map(|i| i.name.as_str())
            .collect();
        let near = if near.is_empty() {
            " Nothing in it has a name close to that.".to_owned()
        } else {
            format!(" Names that start like it: {}.", near.join(", "))
        };
        return format!(
            "There is nothing named {missing} in the indexed code ({} programs, {} copybooks): no program, copybook, section, paragraph, data item, file or screen has that name.{near} It may live in a library that is not indexed (`otis index build DIR` adds a folder).",
            facts.note(Note::Programs).unwrap_or("0"),
            facts.note(Note::Copybooks).unwrap_or("0"),
        );
    }
    let mut text = match facts.kind {
        QuestionKind::Purpose => purpose(facts, &name),
        QuestionKind::Copybooks => {
            if count == 0 {
                format!("{name}{} copies no copybooks.\n", file_of(facts))
            } else {
                let libraries = groups(&facts.items).len();
                format!(
                    "{name} copies {} from {}:\n{}",
                    plural(count, "copybook", "copybooks"),
                    plural(libraries, "library", "libraries"),
                    grouped(facts, true)
                ) + &notes_text(facts, &[Note::CopiedThroughOtherCopybooks])
            }
        }
        QuestionKind::Calls => {
            let mut text = if count == 0 {
                format!("{name} calls no other program.\n")
            } else {
                format!(
                    "{name} calls {}:\n{}",
                    plural(count, "program", "programs"),
                    grouped(facts, true)
                )
            };
            text.push_str(&notes_text(
                facts,
                &[Note::HandsControlBackTo, Note::RuntimeRoutines],
            ));
            text
        }
        QuestionKind::Callers => {
            let mut text = if count == 0 {
                format!("No program in the indexed code calls {name}.\n")
            } else {
                let dirs = groups(&facts.items).len();
                format!(
                    "{name} is called by {} in {}:\n{}",
                    plural(count, "program", "programs"),
                    plural(dirs, "directory", "directories"),
                    grouped(facts, true)
                )
            };
            text.push_str(&notes_text(facts, &[Note::ProgramsThatHandControlToIt]));
            text
        }
        QuestionKind::CopybookUsers => {
            let mut text = if count == 0 {
                format!("No program in the indexed code copies {name} directly.\n")
            } else {
                let dirs = groups(&facts.items).len();
                format!(
                    "{name} is copied by {} in {}:\n{}",
                    plural(count, "program", "programs"),
                    plural(dirs, "directory", "directories"),
                    grouped(facts, false)
                )
            };
            text.push_str(&notes_text(
                facts,
                &[
                    Note::AlsoCopiedByTheCopybooks,
                    Note::ProgramsThatGetItThroughThoseCopybooks,
                ],
            ));
            text
        }
        QuestionKind::ProcedureUsers => procedure_users(facts, &name),
        QuestionKind::DataDefinition => definition(facts, &name),
        QuestionKind::DataUsage => usage(facts, &name),
        QuestionKind::Files => {
            let missing = facts.note(Note::CopybooksNotIndexed);
            let mut text = match (count, missing) {
                (0, None) => format!(
                    "{name} declares no files (no SELECT ... ASSIGN), nor do its copybooks.\n"
                ),
                (0, Some(m)) => format!(
                    "{name} declares no files in its own text or in its indexed copybooks (no SELECT ... ASSIGN); it also copies copybooks that are not in the indexed code, which may declare some: {m}.\n"
                ),
                _ => format!(
                    "{name} uses {}:\n{}",
                    plural(count, "file", "files"),
                    grouped(facts, true)
                ),
            };
            if let (true, Some(m)) = (count > 0, missing) {
                text.push_str(&format!(
                    "It also copies copybooks that are not in the indexed code, which may declare more: {m}.\n"
                ));
            }
            text
        }
        QuestionKind::Dependencies => {
            let in_group = |g: FixedGroup| {
                facts
                    .items
                    .iter()
                    .filter(|i| i.group.as_ref().is_some_and(|x| x.is(g)))
                    .count()
            };
            let copybooks = in_group(FixedGroup::Copybooks);
            let files = in_group(FixedGroup::Files);
            let programs = count - copybooks - files;
            let mut parts = vec![
                plural(copybooks, "copybook", "copybooks"),
                plural(programs, "program", "programs"),
            ];
            if files > 0 {
                parts.push(plural(files, "file", "files"));
            }
            // Copybooks by the library they come from; programs and files with how.
            let is_copybook = |i: &FactItem| {
                i.group
                    .as_ref()
                    .is_some_and(|g| g.is(FixedGroup::Copybooks))
            };
            let copybook_groups: Vec<(String, Vec<&FactItem>)> = groups_by(&facts.items, |i| {
                format!(
                    "copybooks from {}",
                    i.detail.as_deref().unwrap_or("(no library)")
                )
            })
            .into_iter()
            .map(|(g, items)| {
                (
                    g,
                    items
                        .into_iter()
                        .filter(|i| is_copybook(i))
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, items)| !items.is_empty())
            .collect();
            let other_groups: Vec<(String, Vec<&FactItem>)> = groups(&facts.items)
                .into_iter()
                .filter(|(g, _)| g != FixedGroup::Copybooks.label())
                .collect();
            format!(
                "{name} depends on {}:\n{}{}",
                list(&parts),
                bullets(facts, &copybook_groups, false),
                bullets(facts, &other_groups, true)
            ) + &notes_text(facts, &[Note::HandsControlBackTo, Note::RuntimeRoutines])
        }
        QuestionKind::Overview => overview(facts),
        QuestionKind::BusinessProcess => {
            let mut text = format!(
                "{} whose descriptions match best, best first:\n",
                plural(count, "program", "programs")
            );
            for item in &facts.items {
                let citation = cite(&facts.evidence, &item.file, item.line).unwrap_or_default();
                let what = item
                    .detail
                    .as_deref()
                    .map(|d| format!(": {}", sentence_case(d, std::slice::from_ref(&item.name))))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "- {} ({}){what}{citation}\n",
                    item.name, item.file
                ));
            }
            text
        }
        QuestionKind::Flow | QuestionKind::ScreenFlow => crate::render_flow::render(facts),
        _ => crate::render_corpus::render(facts),
    };
    while text.ends_with('\n') {
        text.pop();
    }
    text
}

/// What a section or paragraph does: where it is, its comment, what it performs, calls,
/// changes and reads, and its statements (the cited lines).
fn procedure_purpose(facts: &CodeFacts, name: &str) -> String {
    let what = facts.subject_kind.map_or("procedure", SymbolKind::as_str);
    let place = facts.note(Note::DefinedIn).unwrap_or_default();
    let lines = facts.note(Note::Lines).unwrap_or_default();
    let mut text = format!("{name} is a {what} of {place}, lines {lines} [1].");
    if let Some(comment) = facts.note(Note::Comment) {
        let said = sentence_case(comment, &[name.to_owned()]);
        let stop = if said.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        text.push_str(&format!(" Its comment says: \"{said}{stop}\""));
    }
    text.push('\n');
    let named = |group: FixedGroup| -> Vec<String> {
        facts
            .items
            .iter()
            .filter(|i| i.group == Some(ItemGroup::Fixed(group)))
            .map(|i| i.name.clone())
            .collect()
    };
    let mut does = Vec::new();
    for (group, verb) in [
        (FixedGroup::Performs, "performs"),
        (FixedGroup::GoesTo, "goes to"),
        (FixedGroup::Calls, "calls"),
        (FixedGroup::Changes, "changes"),
        (FixedGroup::Reads, "reads or tests"),
    ] {
        let names = named(group);
        if !names.is_empty() {
            does.push(format!("{verb} {}", names.join(", ")));
        }
    }
    if !does.is_empty() {
        text.push_str(&format!("It {}.\n", list(&does)));
    }
    if let Some(code) = facts.evidence.first().filter(|e| !e.text.is_empty()) {
        let shown: Vec<&str> = code.text.lines().collect();
        text.push_str(&format!(
            "Its statements, in order ({} lines {}-{}):\n```cobol\n{}\n```\n",
            code.file,
            code.line,
            code.end_line,
            shown.join("\n")
        ));
    }
    if let Some(users) = facts.note(Note::ProgramsThatUseIt).filter(|u| *u != "0") {
        let n: usize = users.parse().unwrap_or(0);
        text.push_str(&format!(
            "{} it.\n",
            plural(n, "program performs", "programs perform")
        ));
    }
    text
}

fn purpose(facts: &CodeFacts, name: &str) -> String {
    if matches!(
        facts.subject_kind,
        Some(SymbolKind::Section | SymbolKind::Paragraph)
    ) {
        return procedure_purpose(facts, name);
    }
    let what = match facts.subject_kind {
        Some(SymbolKind::Copybook) => "a copybook",
        _ => "a program",
    };
    let Some(file) = &facts.file else {
        // Known only from its users.
        let users = list(
            &facts
                .items
                .iter()
                .take(8)
                .map(|i| i.name.clone())
                .collect::<Vec<_>>(),
        );
        let citation = facts
            .items
            .first()
            .and_then(|i| cite(&facts.evidence, &i.file, i.line))
            .unwrap_or_default();
        return format!(
            "{name} is {what} whose source is not in the indexed code; {} use it, for example {users}{citation}.",
            plural(facts.items.len(), "program", "programs"),
        );
    };
    let header = if facts.evidence.is_empty() {
        ""
    } else {
        " [1]"
    };
    let mut text = match &facts.description {
        Some(description) => format!(
            "{name} ({file}) is {what}: {}{header}.",
            sentence_case(description.trim_end_matches('.'), &[name.to_owned()])
        ),
        None => format!("{name} is {what} in {file}; its header gives no description{header}."),
    };
    text.push('\n');
    if let Some(date) = facts.note(Note::DateWritten) {
        text.push_str(&format!("Written {date}.\n"));
    }
    if let Some(copies) = facts.note(Note::AlsoIn) {
        text.push_str(&format!("Copies of {name} are also kept in: {copies}.\n"));
    }
    if let Some(copies) = facts.note(Note::AlsoProgramId) {
        text.push_str(&format!(
            "Other files also carry the PROGRAM-ID {name} (copies; {name} is this file): {copies}.\n"
        ));
    }
    let mut more = Vec::new();
    if let Some(copies) = facts.note(Note::Copybooks).filter(|c| *c != "0") {
        let n: usize = copies.parse().unwrap_or(0);
        more.push(format!("copies {}", plural(n, "copybook", "copybooks")));
    }
    let callees: Vec<String> = facts
        .items
        .iter()
        .filter(|i| i.group.as_ref().is_some_and(|g| g.is(FixedGroup::Calls)))
        .map(|i| i.name.clone())
        .collect();
    if let Some(calls) = facts.note(Note::ProgramsCalled).filter(|c| *c != "0") {
        let shown: Vec<String> = callees.iter().take(25).cloned().collect();
        let tail = if callees.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        let n: usize = calls.parse().unwrap_or(0);
        more.push(format!(
            "calls {} ({}{tail})",
            plural(n, "program", "programs"),
            shown.join(", ")
        ));
    }
    let callers: Vec<String> = facts
        .items
        .iter()
        .filter(|i| i.group.as_ref().is_some_and(|g| g.is(FixedGroup::CalledBy)))
        .map(|i| i.name.clone())
        .collect();
    if !callers.is_empty() {
        let n: usize = facts
            .note(Note::CalledBy)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let shown: Vec<String> = callers.iter().take(25).cloned().collect();
        let tail = if callers.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        more.push(format!(
            "is called by {} ({}{tail})",
            plural(n, "program", "programs"),
            shown.join(", ")
        ));
    }
    if let Some(users) = facts.note(Note::ProgramsThatCopyIt) {
        let n: usize = users.parse().unwrap_or(0);
        more.push(match n {
            0 => "is copied by no program in the indexed code".to_owned(),
            n => format!("is copied by {}", plural(n, "program", "programs")),
        });
    }
    if !more.is_empty() {
        text.push_str(&format!("It {}.\n", list(&more)));
    }
    if let Some(start) = facts.note(Note::StartsAt) {
        let citation = facts
            .evidence
            .iter()
            .position(|e| e.text.to_ascii_uppercase().contains(start))
            .map(|i| format!(" [{}]", i + 1))
            .unwrap_or_default();
        text.push_str(&format!(
            "Its procedure code starts at {start}{citation}.\n"
        ));
    }
    if let Some(rev) = facts.note(Note::LatestRevision) {
        let n: usize = facts
            .note(Note::Revisions)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let entries = plural(n, "entry", "entries");
        let latest = if n == 1 { "" } else { "the latest " };
        text.push_str(&format!(
            "Revision history: {entries}, {latest}\"{rev}\".\n"
        ));
    }
    text
}

fn procedure_users(facts: &CodeFacts, name: &str) -> String {
    let what = facts.subject_kind.map_or("procedure", SymbolKind::as_str);
    let defined = match facts.note(Note::DefinedIn) {
        Some(place) => {
            let citation = facts.evidence.first().map(|_| " [1]").unwrap_or_default();
            format!("{name} is a {what} defined in {place}{citation}.")
        }
        None => format!("{name} is a {what} defined in code that is not indexed."),
    };
    let count = facts.items.len();
    let mut text = if count == 0 {
        format!("{defined} No indexed program performs it.\n")
    } else {
        let statements: usize = facts
            .note(Note::StatementsThatPerformIt)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        format!(
            "{defined} {} it ({}), by directory:\n{}",
            plural(count, "program uses", "programs use"),
            plural(
                statements,
                "PERFORM / GO TO statement",
                "PERFORM / GO TO statements"
            ),
            grouped(facts, true)
        )
    };
    text.push_str(&notes_text(facts, &[Note::CopybooksThatPerformIt]));
    text
}

fn definition(facts: &CodeFacts, name: &str) -> String {
    let count = facts.items.len();
    let mut text = match count {
        0 => format!(
            "{name} is used in the indexed code but defined in a copybook that is not indexed.\n"
        ),
        1 => {
            let i = &facts.items[0];
            let citation = cite(&facts.evidence, &i.file, i.line).unwrap_or_default();
            format!(
                "{name} is defined in {} line {}{citation}: {}.\n",
                i.file,
                i.line,
                i.detail.as_deref().unwrap_or_default()
            )
        }
        n => {
            let mut text = format!("{name} is defined in {n} places:\n");
            for i in facts.items.iter().take(LIST_LIMIT) {
                let citation = cite(&facts.evidence, &i.file, i.line).unwrap_or_default();
                text.push_str(&format!(
                    "- {} line {}: {}{citation}\n",
                    i.file,
                    i.line,
                    i.detail.as_deref().unwrap_or_default()
                ));
            }
            if n > LIST_LIMIT {
                text.push_str(&format!("- and {} more (see `facts`)\n", n - LIST_LIMIT));
            }
            text
        }
    };
    if let Some(record) = facts.note(Note::Record) {
        let citation = facts
            .evidence
            .iter()
            .position(|e| record.contains(&format!("line {})", e.line)))
            .map(|i| format!(" [{}]", i + 1))
            .unwrap_or_default();
        text.push_str(&format!("It sits in the record {record}{citation}"));
        match facts.note(Note::Describes) {
            Some(d) => text.push_str(&format!(", which describes {d}.\n")),
            None => text.push_str(".\n"),
        }
    } else if let Some(d) = facts.note(Note::Describes) {
        text.push_str(&format!("It describes {d}.\n"));
    }
    if let Some(sites) = facts.note(Note::VerbSites) {
        text.push_str("Statements that name it, by verb:\n");
        for line in sites.lines() {
            text.push_str(&format!("- {line}\n"));
        }
    } else if let Some(verbs) = facts.note(Note::Verbs) {
        text.push_str(&format!("Statements that name it, by verb: {verbs}.\n"));
    }
    if let Some(programs) = facts
        .note(Note::ProgramsThatIncludeTheDefinition)
        .filter(|p| *p != "0")
    {
        let n: usize = programs.parse().unwrap_or(0);
        text.push_str(&format!(
            "{} this definition",
            plural(n, "program includes", "programs include")
        ));
        if let Some(refs) = facts.note(Note::References).and_then(|r| r.parse().ok()) {
            text.push_str(&format!(
                "; it is referenced in {}",
                plural(refs, "statement", "statements")
            ));
        }
        text.push_str(".\n");
    }
    text
}

fn usage(facts: &CodeFacts, name: &str) -> String {
    let count = facts.items.len();
    let defined = facts
        .note(Note::DefinedIn)
        .map(|d| format!(" It is defined in {d} [1]."))
        .unwrap_or_default();
    if count == 0 {
        return format!("No procedure statement in the indexed code refers to {name}.{defined}");
    }
    let writes = facts.note(Note::StatementsThatChangeIt).unwrap_or("0");
    let reads = facts.note(Note::StatementsThatReadOrTestIt).unwrap_or("0");
    let mut by_file: Vec<(String, String, Vec<&FactItem>)> = Vec::new();
    for item in &facts.items {
        match by_file.iter_mut().find(|(f, _, _)| *f == item.file) {
            Some((_, _, items)) => items.push(item),
            None => by_file.push((item.file.clone(), item.name.clone(), vec![item])),
        }
    }
    let statements = plural(count, "statement", "statements");
    let files = plural(by_file.len(), "file", "files");
    let mut text = match facts.note(Note::Only) {
        Some("statements that change it") => format!(
            "{name} is changed in {statements} in {files} ({reads} more read or test it).{defined}\n"
        ),
        Some(_) => format!(
            "{name} is read or tested in {statements} in {files} ({writes} more change it).{defined}\n"
        ),
        None => format!(
            "{name} is referenced in {statements} in {files}: {writes} change it, {reads} read or test it.{defined}\n"
        ),
    };
    let files_shown = if count <= LIST_LIMIT {
        by_file.len()
    } else {
        25
    };
    for (file, member, items) in by_file.iter().take(files_shown) {
        let mut verbs: Vec<(String, Vec<u32>)> = Vec::new();
        for item in items {
            let verb = item
                .group
                .as_ref()
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default();
            match verbs.iter_mut().find(|(v, _)| *v == verb) {
                Some((_, lines)) => lines.push(item.line),
                None => verbs.push((verb, vec![item.line])),
            }
        }
        let shown: Vec<String> = verbs
            .iter()
            .map(|(verb, lines)| {
                let shown = if count <= LIST_LIMIT { lines.len() } else { 8 };
                let numbers: Vec<String> = lines.iter().take(shown).map(u32::to_string).collect();
                let more = if lines.len() > shown { ", ..." } else { "" };
                format!("{verb} at {}{more}", numbers.join(", "))
            })
            .collect();
        let citation = items
            .iter()
            .find_map(|i| cite(&facts.evidence, &i.file, i.line))
            .unwrap_or_default();
        text.push_str(&format!(
            "- {file} ({member}): {}{citation}\n",
            shown.join("; ")
        ));
    }
    if by_file.len() > files_shown {
        text.push_str(&format!(
            "- and {} more files; the complete list is in the answer record (`facts`)\n",
            by_file.len() - files_shown
        ));
    }
    text
}

fn overview(facts: &CodeFacts) -> String {
    let programs = facts.note(Note::Programs).unwrap_or("0");
    let copybooks = facts.note(Note::Copybooks).unwrap_or("0");
    let mut text = format!(
        "The indexed code holds {programs} programs in {} and {copybooks} copybooks. By directory:\n",
        plural(facts.items.len(), "directory", "directories")
    );
    for item in &facts.items {
        let citation = cite(&facts.evidence, &item.file, item.line).unwrap_or_default();
        text.push_str(&format!(
            "- {}: {}{citation}\n",
            item.name,
            item.detail.as_deref().unwrap_or_default()
        ));
    }
    text.push_str(&notes_text(facts, &[Note::CopybookLibraries]));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use otis_core::ports::{Evidence, ItemGroup};

    fn facts(kind: QuestionKind, items: Vec<FactItem>) -> CodeFacts {
        CodeFacts {
            kind,
            subject: Some("PAYPST".into()),
            subject_kind: Some(SymbolKind::Program),
            file: Some("AC/PAYPST.CBL".into()),
            description: None,
            items,
            notes: Vec::new(),
            evidence: vec![Evidence {
                file: "AC/PAYPST.CBL".into(),
                line: 20,
                end_line: 20,
                member: Some("PAYPST".into()),
                text: String::new(),
            }],
            graph: None,
            diagram: None,
        }
    }

    fn copybook(name: &str, library: &str, line: u32) -> FactItem {
        FactItem {
            name: name.into(),
            group: Some(ItemGroup::named(library)),
            detail: Some("record layout".into()),
            file: "AC/PAYPST.CBL".into(),
            line,
        }
    }

    #[test]
    fn short_lists_name_every_item_by_group_with_citations() {
        let text = render(&facts(
            QuestionKind::Copybooks,
            vec![
                copybook("PAYREC", "LIBAC", 20),
                copybook("SCREEN", "LIBGB", 30),
            ],
        ));
        assert_eq!(
            text,
            "PAYPST copies 2 copybooks from 2 libraries:\n- **LIBAC, record layout** (1): PAYREC [1]\n- **LIBGB, record layout** (1): SCREEN"
        );
    }

    #[test]
    fn lists_are_whole_up_to_the_limit_and_grouped_past_it() {
        let items = |n: u32| {
            (0..n)
                .map(|i| {
                    copybook(
                        &format!("CPY{i:03}"),
                        if i < n * 3 / 4 { "LIBAC" } else { "LIBGB" },
                        20 + i,
                    )
                })
                .collect()
        };
        let text = render(&facts(QuestionKind::Copybooks, items(288)));
        assert!(
            text.starts_with("PAYPST copies 288 copybooks from 2 libraries:\n"),
            "{text}"
        );
        assert!(
            text.contains("- **LIBAC, record layout** (216): CPY000, CPY001"),
            "{text}"
        );
        assert!(text.contains("CPY287"), "every item is in the text: {text}");
        assert!(!text.contains("complete list"), "{text}");
        let text = render(&facts(QuestionKind::Copybooks, items(800)));
        assert!(
            text.contains("- **LIBAC, record layout** (600): CPY000, CPY001"),
            "{text}"
        );
        assert!(text.contains(", and 575 more [1]"), "{text}");
        assert!(
            text.contains("The complete list of 800 is in the answer record"),
            "{text}"
        );
        assert!(!text.contains("CPY799"), "{text}");
    }

    #[test]
    fn an_unknown_name_is_said_plainly() {
        let mut unknown = facts(QuestionKind::Callers, Vec::new());
        unknown.subject_kind = None;
        unknown.notes = vec![
            (Note::NotFound, "NOSUCH".into()),
            (Note::Programs, "3".into()),
            (Note::Copybooks, "4".into()),
        ];
        let text = render(&unknown);
        assert!(
            text.starts_with(
                "There is nothing named NOSUCH in the indexed code (3 programs, 4 copybooks)"
            ),
            "{text}"
        );
    }

    #[test]
    fn purpose_leads_with_the_header_description() {
        let mut purpose = facts(QuestionKind::Purpose, Vec::new());
        purpose.description = Some("POST LOAN PAYMENTS TO THE LEDGER".into());
        purpose.notes = vec![(Note::DateWritten, "03/08/2018".into())];
        let text = render(&purpose);
        assert!(
            text.starts_with("PAYPST (AC/PAYPST.CBL) is a program: Post loan payments to the ledger [1].\nWritten 03/08/2018."),
            "{text}"
        );
    }
}
