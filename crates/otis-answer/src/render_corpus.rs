//! Answers about the codebase as a whole: a lead sentence with the exact count, then the
//! complete list grouped (by directory, library, level, ...) with `[n]` citations; rankings
//! numbered with their values; impact by level; chains, cycles, a program's files, menus
//! and screens.

use otis_core::ports::{CodeFacts, FactItem, Note, QuestionKind};

use crate::lists::{LIST_LIMIT, bullets, cite, groups};
use crate::text::plural;

fn count_of(facts: &CodeFacts) -> usize {
    facts
        .note(Note::Count)
        .and_then(|c| c.parse().ok())
        .unwrap_or(facts.items.len())
}

fn citation(facts: &CodeFacts, item: &FactItem) -> String {
    cite(&facts.evidence, &item.file, item.line).unwrap_or_default()
}

/// The entity words a query description starts with.
fn entity_of(query: &str) -> &str {
    for e in [
        "menu options",
        "call targets",
        "data items",
        "programs",
        "copybooks",
        "sections",
        "paragraphs",
        "files",
        "screens",
        "menus",
    ] {
        if query.starts_with(e) {
            return e;
        }
    }
    "items"
}

fn singular(plural: &str) -> String {
    match plural {
        "menu options" => "menu option".into(),
        "call targets" => "call target".into(),
        "data items" => "data item".into(),
        p => p.strip_suffix('s').unwrap_or(p).to_owned(),
    }
}

/// What the query asked, after its entity: "in FX and that use GO TO".
fn condition(query: &str) -> &str {
    query[entity_of(query).len()..].trim_start()
}

/// The answer for a corpus-wide kind.
pub(crate) fn render(facts: &CodeFacts) -> String {
    match facts.kind {
        QuestionKind::Count | QuestionKind::List => listing(facts),
        QuestionKind::Ranking => ranking(facts),
        QuestionKind::Impact => impact(facts),
        QuestionKind::CallChain => chain(facts),
        QuestionKind::Cycles => cycles(facts),
        QuestionKind::Crud => crud(facts),
        QuestionKind::MenuOptions => menu_options(facts),
        QuestionKind::MenuPath => menu_path(facts),
        QuestionKind::EntryPoint => entry_point(facts),
        QuestionKind::ScreenFields => screen_fields(facts),
        _ => String::new(),
    }
}

fn not_applied(facts: &CodeFacts) -> String {
    facts
        .note(Note::NotApplied)
        .map(|n| format!("\nNot applied (they do not apply to what is listed): {n}.\n"))
        .unwrap_or_default()
}

fn listing(facts: &CodeFacts) -> String {
    let query = facts.note(Note::Query).unwrap_or("items");
    let n = count_of(facts);
    let lead = facts
        .note(Note::Summary)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}: {n}", capitalise(query)));
    let mut text = if n == 0 {
        format!("{lead}.\n")
    } else {
        let mut lead = lead;
        if let Some(main) = facts
            .note(Note::MainMenu)
            .filter(|m| facts.items.iter().any(|i| i.name == *m))
        {
            lead.push_str(&format!(
                " (the main menu, {main}, is among them: it is the entry point, which \
                 nothing calls by design)"
            ));
        }
        // A count with a measure (each item's value) of one thing is that one sentence.
        let measured = facts.note(Note::OrderedBy).is_some();
        if measured && let [only] = facts.items.as_slice() {
            let text = format!("{lead}{}.\n", citation(facts, only));
            return text + &not_applied(facts);
        }
        // Menu options and menus run by a program, call targets and measured things show
        // what each item is (its option, callers, value).
        let with_detail =
            measured || matches!(entity_of(query), "menu options" | "menus" | "call targets");
        format!(
            "{lead}:\n{}",
            bullets(facts, &groups(&facts.items), with_detail)
        )
    };
    text.push_str(&not_applied(facts));
    text
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn ranking(facts: &CodeFacts) -> String {
    let query = facts.note(Note::Query).unwrap_or("items");
    let by = facts.note(Note::OrderedBy).unwrap_or("value");
    let by_words = {
        use otis_core::corpus::Measure as M;
        let one = count_of(facts) == 1;
        match (M::from_label(by), one) {
            (Some(M::Users), false) => "the number of programs using them",
            (Some(M::Users), true) => "the number of programs using it",
            (Some(M::Callees), false) => "the number of programs they call",
            (Some(M::Callees), true) => "the number of programs it calls",
            (Some(M::Callers), false) => "the number of programs calling them",
            (Some(M::Callers), true) => "the number of programs calling it",
            _ => by,
        }
    };
    let n = count_of(facts);
    let matching: usize = facts
        .note(Note::Matching)
        .and_then(|m| m.parse().ok())
        .unwrap_or(n);
    if n == 0 {
        return format!(
            "Nothing to rank: no {} {}.{}",
            singular(entity_of(query)),
            condition(query),
            not_applied(facts)
        );
    }
    let what = entity_of(query);
    let cond = condition(query)
        .split(", most ")
        .next()
        .unwrap_or_default()
        .split(", fewest ")
        .next()
        .unwrap_or_default();
    let cond = if cond.is_empty() {
        String::new()
    } else {
        format!(" {cond}")
    };
    let of = if matching > n {
        format!(" (of {matching} that match)")
    } else {
        String::new()
    };
    // Ties: the items at the top share a value, or the last ones do (a tie at the cut is
    // listed whole, so the list may be longer than asked).
    let value = |i: &FactItem| i.detail.clone().unwrap_or_default();
    let top_tie = facts
        .items
        .iter()
        .take_while(|i| value(i) == value(&facts.items[0]))
        .count();
    let mut text = if n > 1 && top_tie == n {
        let item = &facts.items[0];
        format!(
            "{n} {what}{cond} tie for first place, by {by_words}, {}{of}:\n",
            each(by, item.detail.as_deref().unwrap_or_default()),
        )
    } else if n == 1 {
        let item = &facts.items[0];
        format!(
            "{}{cond}, by {by_words}: {} ({}), {}{}{of}.\n",
            capitalise(&format!("the top {}", singular(what))),
            item.name,
            item.group
                .as_ref()
                .map(|g| g.to_string())
                .unwrap_or_default(),
            measured(by, item.detail.as_deref().unwrap_or_default()),
            citation(facts, item),
        )
    } else {
        format!(
            "{}{cond}, by {by_words}{of}:\n",
            capitalise(&format!("the top {n} {what}"))
        )
    };
    if n > 1 && top_tie < n && matching > n {
        let last = value(&facts.items[n - 1]);
        let tied = facts
            .items
            .iter()
            .rev()
            .take_while(|i| value(i) == last)
            .count();
        if tied > 1 {
            text = text.trim_end().trim_end_matches(':').to_owned();
            let lead = text.trim_end_matches(')');
            let note = format!(
                "the last {tied} tie, {}, so none of them is cut",
                each(by, &last)
            );
            text = if lead.len() < text.len() {
                format!("{lead}; {note}):\n")
            } else {
                format!("{text} ({note}):\n")
            };
        }
    }
    if n > 1 {
        for (i, item) in facts.items.iter().take(LIST_LIMIT).enumerate() {
            let place = item
                .group
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "{}. {}{place}: {}{}\n",
                i + 1,
                item.name,
                measured(by, item.detail.as_deref().unwrap_or_default()),
                citation(facts, item)
            ));
        }
    }
    text.push_str(&not_applied(facts));
    text
}

/// Several ranked things' shared value in words: "each used by 95 programs", "each with
/// 3 callers", "each with IF statements nested 9 deep", "each revised 2024-10-03".
fn each(by: &str, value: &str) -> String {
    use otis_core::corpus::Measure as M;
    match (M::from_label(by), value.parse::<i64>()) {
        (Some(M::Users | M::Callees) | None, _) | (_, Err(_)) => {
            format!("each {}", measured(by, value))
        }
        (Some(m), Ok(n)) => format!("each with {}", otis_core::corpus::amount(m, n, None)),
    }
}

/// A ranked thing's value in words: "used by 95 programs", "3 callers", "calls 1
/// program", "cyclomatic complexity 660", "revised 2024-01-26".
fn measured(by: &str, value: &str) -> String {
    use otis_core::corpus::Measure as M;
    let measure = M::from_label(by);
    let Ok(n) = value.parse::<usize>() else {
        return match measure {
            // Not a measure: the latest revision date.
            None => format!("revised {value}"),
            Some(_) => format!("{by} {value}"),
        };
    };
    match measure {
        Some(M::Users) => format!("used by {}", plural(n, "program", "programs")),
        Some(M::Callees) => format!("calls {}", plural(n, "program", "programs")),
        Some(M::Callers) => plural(n, "caller", "callers"),
        Some(M::Lines) => plural(n, "line", "lines"),
        Some(M::Options) => plural(n, "option", "options"),
        Some(M::Fields) => plural(n, "field", "fields"),
        Some(M::Statements) => plural(n, "statement", "statements"),
        Some(M::Paragraphs) => plural(n, "paragraph", "paragraphs"),
        Some(M::Sections) => plural(n, "section", "sections"),
        Some(M::DataItems) => plural(n, "data item", "data items"),
        _ => format!("{by} {n}"),
    }
}

fn impact(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    let n = count_of(facts);
    let levels = facts.note(Note::Levels).unwrap_or("3");
    let what = facts
        .subject_kind
        .map(|k| format!(" (a {})", k.as_str()))
        .unwrap_or_default();
    if n == 0 {
        return format!(
            "Nothing in the indexed code uses {name}{what}: changing it affects no other file (searched {levels} levels)."
        );
    }
    let by_level = groups(&facts.items);
    let mut text = format!(
        "Changing {name}{what} affects {} over {} (searched {levels} levels deep; a level's files use a file of the level before):\n",
        plural(n, "file", "files"),
        plural(by_level.len(), "level", "levels")
    );
    let whole = facts.items.len() <= LIST_LIMIT;
    for (level, items) in &by_level {
        let shown: Vec<String> = items
            .iter()
            .take(if whole { items.len() } else { 25 })
            .map(|i| {
                format!(
                    "{} ({}){}",
                    i.name,
                    i.detail.as_deref().unwrap_or_default(),
                    citation(facts, i)
                )
            })
            .collect();
        let more = items.len() - shown.len();
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "- **{}** ({}): {}{tail}\n",
            capitalise(level),
            items.len(),
            shown.join(", ")
        ));
    }
    text
}

/// The call paths from one program to another: each path a line, each call cited.
fn paths(facts: &CodeFacts, query: &str) -> String {
    let found = count_of(facts);
    let (from, to) = query
        .trim_start_matches("call paths from ")
        .split_once(" to ")
        .unwrap_or(("", ""));
    let hops = facts.note(Note::Levels).unwrap_or("6");
    if found == 0 {
        return format!(
            "{from} does not reach {to} through calls (searched paths of up to {hops} calls)."
        );
    }
    let grouped = groups(&facts.items);
    let shown = grouped.len();
    let mut text = format!(
        "{from} reaches {to} through {}{}:\n",
        plural(found, "call path", "call paths"),
        if shown < found {
            format!(" (the {shown} shortest shown)")
        } else {
            String::new()
        }
    );
    for (n, (_, items)) in grouped.iter().enumerate() {
        let hops: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, item)| match i {
                0 => item.name.clone(),
                _ => format!("{}{}", item.name, citation(facts, item)),
            })
            .collect();
        text.push_str(&format!("{}. {}\n", n + 1, hops.join(" → ")));
    }
    if let Some(why) = facts.note(Note::Complete).filter(|c| *c != "yes") {
        text.push_str(&format!("The search was not exhaustive: {why}.\n"));
    }
    text
}

fn chain(facts: &CodeFacts) -> String {
    if let Some(query) = facts
        .note(Note::Query)
        .filter(|q| q.starts_with("call paths from "))
    {
        return paths(facts, query);
    }
    let calls: usize = facts
        .note(Note::Count)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if facts.items.len() < 2 {
        return match &facts.subject {
            Some(s) => format!("{s} calls no program: it starts no chain of calls."),
            None => "No program calls another: there is no call chain.".to_owned(),
        };
    }
    let ties: usize = facts
        .note(Note::Ties)
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let path: Vec<String> = facts
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if i == 0 {
                item.name.clone()
            } else {
                format!("{}{}", item.name, citation(facts, item))
            }
        })
        .collect();
    let from = facts
        .subject
        .as_ref()
        .map(|s| format!(" starting from {s}"))
        .unwrap_or_default();
    let others = if ties > 1 {
        format!(" ({ties} chains have that length; this is the first by name)")
    } else {
        String::new()
    };
    let mut text = format!(
        "The longest call chain{from} has {} through {} programs{others}:\n{}\n",
        plural(calls, "call", "calls"),
        facts.items.len(),
        path.join(" → ")
    );
    if let Some(why) = facts.note(Note::Complete).filter(|c| *c != "yes") {
        text.push_str(&format!("The search was not exhaustive: {why}.\n"));
    }
    text
}

fn cycles(facts: &CodeFacts) -> String {
    if facts.items.is_empty() {
        return "No program calls itself, and no programs call each other in a cycle.".to_owned();
    }
    let grouped = groups(&facts.items);
    let cycles = grouped
        .iter()
        .filter(|(g, _)| g.starts_with("cycle"))
        .count();
    let selfish = grouped
        .iter()
        .find(|(g, _)| g == "calls itself")
        .map_or(0, |(_, i)| i.len());
    let mut text = format!(
        "{} and {}:\n",
        plural(cycles, "call cycle", "call cycles"),
        plural(
            selfish,
            "program that calls itself",
            "programs that call themselves"
        )
    );
    text.push_str(&bullets(facts, &grouped, false));
    text
}

fn crud(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    let n = facts.items.len();
    let mut text = if n == 0 {
        format!("{name} opens, reads and writes no file in its code or its copybooks.\n")
    } else {
        format!(
            "{name} works with {} (its CRUD row):\n",
            plural(n, "file", "files")
        )
    };
    for item in &facts.items {
        text.push_str(&format!(
            "- **{}**: {}{}\n",
            item.name,
            item.detail.as_deref().unwrap_or_default(),
            citation(facts, item)
        ));
    }
    if let Some(idle) = facts.note(Note::DeclaredOnly) {
        text.push_str(&format!(
            "Declared, with no operation found in its code: {idle}.\n"
        ));
    }
    text
}

fn menu_options(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    if let Some(why) = facts.note(Note::Query) {
        return format!("{}.", capitalise(why));
    }
    let form = facts
        .note(Note::Form)
        .map(|f| format!(" (labels from its screen form {f})"))
        .unwrap_or_default();
    if facts.items.len() == 1
        && facts.items[0]
            .group
            .as_ref()
            .is_some_and(|g| g.as_str().starts_with("option"))
    {
        let item = &facts.items[0];
        let label = item
            .detail
            .as_ref()
            .map(|l| format!(", {l},"))
            .unwrap_or_default();
        return format!(
            "{} of {name}{label} runs {}{}{form}.",
            capitalise(
                &item
                    .group
                    .as_ref()
                    .map(|g| g.to_string())
                    .unwrap_or_default()
            ),
            item.name,
            citation(facts, item)
        );
    }
    let mut text = format!(
        "{name} offers {}{form}:\n",
        plural(facts.items.len(), "option", "options")
    );
    for item in &facts.items {
        let label = item
            .detail
            .as_ref()
            .map(|l| format!(" {l} →"))
            .unwrap_or_else(|| " →".to_owned());
        let number = item
            .group
            .as_ref()
            .map(|g| g.as_str().trim_start_matches("option ").to_owned())
            .unwrap_or_default();
        text.push_str(&format!(
            "- {number}.{label} {}{}\n",
            item.name,
            citation(facts, item)
        ));
    }
    text
}

fn menu_path(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    if let Some(why) = facts.note(Note::Query) {
        return format!("{}.", capitalise(why));
    }
    let main = facts.note(Note::MainMenu).unwrap_or_default();
    let routes = groups(&facts.items);
    let mut text = String::new();
    // The main menu first: when it has no path, say so before the other top menus' paths.
    if !routes
        .iter()
        .any(|(_, items)| items.first().is_some_and(|t| t.name == main))
    {
        text.push_str(&format!(
            "No path of menu options from the main menu {main} reaches {name}; from another top menu:\n"
        ));
    }
    for (_, items) in &routes {
        let Some((top, steps)) = items.split_first() else {
            continue;
        };
        let steps: Vec<String> = steps
            .iter()
            .map(|i| {
                format!(
                    "{} to run {}{}",
                    i.detail.as_deref().unwrap_or_default(),
                    i.name,
                    citation(facts, i)
                )
            })
            .collect();
        let start = if top.name == main {
            format!("From the main menu {main}")
        } else {
            format!("From the top menu {}", top.name)
        };
        text.push_str(&format!(
            "{start}, {name} is reached in {}: {}.\n",
            plural(steps.len(), "step", "steps"),
            steps.join(", then ")
        ));
    }
    text
}

fn entry_point(facts: &CodeFacts) -> String {
    let Some(item) = facts.items.first() else {
        return facts
            .note(Note::Query)
            .map(capitalise)
            .unwrap_or_else(|| "The indexed code has no menu program.".to_owned())
            + ".";
    };
    let what = item
        .detail
        .as_ref()
        .map(|d| format!(", {}", d.trim_end_matches('.')))
        .unwrap_or_default();
    let options = facts
        .note(Note::MenuOptions)
        .map(|n| format!(" It offers {n} options."))
        .unwrap_or_default();
    format!(
        "The application starts at {} ({}){what}{}: of the menu programs no program calls, it is the one that reaches the most programs.{options}",
        item.name,
        item.file,
        citation(facts, item)
    )
}

fn screen_fields(facts: &CodeFacts) -> String {
    let name = facts.subject.clone().unwrap_or_default();
    let file = facts.file.clone().unwrap_or_default();
    if facts.items.is_empty() {
        return format!("Screen {name} ({file}) has no fields.");
    }
    let mut text = format!(
        "Screen {name} ({file}) has {}:\n",
        plural(facts.items.len(), "field", "fields")
    );
    for item in facts.items.iter().take(LIST_LIMIT) {
        text.push_str(&format!(
            "- **{}**: {}{}\n",
            item.name,
            item.detail.as_deref().unwrap_or_default(),
            citation(facts, item)
        ));
    }
    if let Some(others) = facts.note(Note::Form) {
        text.push_str(&format!(
            "Forms of that name: {others}; the first is shown.\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use otis_core::ports::{Evidence, ItemGroup};

    fn item(name: &str, group: &str, detail: &str, line: u32) -> FactItem {
        FactItem {
            name: name.into(),
            group: Some(ItemGroup::named(group)),
            detail: Some(detail.into()),
            file: "AC/X.CBL".into(),
            line,
        }
    }

    fn facts(kind: QuestionKind, items: Vec<FactItem>, notes: &[(Note, &str)]) -> CodeFacts {
        let mut facts = CodeFacts::new(kind);
        facts.evidence = items
            .iter()
            .map(|i| Evidence {
                file: i.file.clone(),
                line: i.line,
                end_line: i.line,
                member: None,
                text: String::new(),
            })
            .collect();
        facts.items = items;
        for (n, v) in notes {
            facts.add_note(*n, *v);
        }
        facts
    }

    #[test]
    fn a_tie_is_said_not_cut() {
        let top = facts(
            QuestionKind::Ranking,
            vec![
                item("FPFDPST", "LIBFP", "95", 1),
                item("FPFRPST", "LIBFP", "95", 2),
            ],
            &[
                (Note::Query, "copybooks, most programs using it first"),
                (Note::OrderedBy, "programs using it"),
                (Note::Count, "2"),
                (Note::Matching, "1121"),
            ],
        );
        assert!(
            render(&top).starts_with(
                "2 copybooks tie for first place, by the number of programs using them, \
                 each used by 95 programs (of 1121 that match):"
            ),
            "{}",
            render(&top)
        );
        let cut = facts(
            QuestionKind::Ranking,
            vec![
                item("A", "FX", "2025-02-11", 1),
                item("B", "FX", "2024-10-03", 2),
                item("C", "FX", "2024-10-03", 3),
            ],
            &[
                (Note::Query, "programs in FX, most recently revised first"),
                (Note::OrderedBy, "latest revision date"),
                (Note::Count, "3"),
                (Note::Matching, "47"),
            ],
        );
        assert!(
            render(&cut).contains(
                "(of 47 that match; the last 2 tie, each revised 2024-10-03, so none of them is cut):"
            ),
            "{}",
            render(&cut)
        );
    }

    #[test]
    fn paths_and_menu_routes_name_each_hop() {
        let paths = facts(
            QuestionKind::CallChain,
            vec![
                item("UPMENU", "path 1", "starts the path", 1),
                item("UP1534", "path 1", "called by UPMENU", 2),
                item("GRSCAN", "path 1", "called by UP1534", 3),
            ],
            &[
                (Note::Query, "call paths from UPMENU to GRSCAN"),
                (Note::Count, "1"),
                (Note::Complete, "yes"),
            ],
        );
        assert_eq!(
            render(&paths),
            "UPMENU reaches GRSCAN through 1 call path:\n1. UPMENU → UP1534 [2] → GRSCAN [3]\n"
        );
        let mut route = facts(
            QuestionKind::MenuPath,
            vec![
                item("UPMENU", "from UPMENU", "a top menu", 1),
                item("UPMEN2", "from UPMENU", "F4 (PAGE 2) of UPMENU", 2),
            ],
            &[(Note::MainMenu, "FXMENU"), (Note::Count, "1")],
        );
        route.subject = Some("UPMEN2".into());
        assert_eq!(
            render(&route),
            "No path of menu options from the main menu FXMENU reaches UPMEN2; from another \
             top menu:\nFrom the top menu UPMENU, UPMEN2 is reached in 1 step: F4 (PAGE 2) of \
             UPMENU to run UPMEN2 [2].\n"
        );
    }

    #[test]
    fn a_measure_of_one_member_is_one_sentence() {
        let lines = facts(
            QuestionKind::Count,
            vec![item("UP1534", "UP", "26470", 8)],
            &[
                (Note::Query, "programs named UP1534, with their lines"),
                (Note::OrderedBy, "lines"),
                (Note::Count, "1"),
                (Note::Summary, "UP1534 has 26470 lines"),
            ],
        );
        assert_eq!(render(&lines), "UP1534 has 26470 lines [1].\n");
    }
}
