//! Answers about the codebase as a whole, from the store: counts, lists and rankings of
//! a typed [`CorpusQuery`] (`select.rs`), impact analysis (`impact.rs`), the call graph's
//! chains and cycles (`graph.rs`), what programs do to files (`files.rs`), menus and
//! screens (`menus.rs`). Every item carries the file and line that prove it.

pub(crate) mod files;
pub(crate) mod graph;
mod impact;
mod menus;
mod select;
pub(crate) mod things;
mod writer;

use otis_core::corpus::{
    CorpusQuery, Entity, Filter, NameMatch, Order, describe, sentence, total_sentence,
};
use otis_core::ports::{CodeFacts, CodeQuestion, Note, QuestionKind};

use crate::link::Linked;
use crate::names::normalise;
use crate::source::LineSource;
use writer::Writer;
pub(crate) use writer::absent;

/// The facts that answer a question about the codebase as a whole.
pub(crate) fn facts(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    q: &CodeQuestion,
) -> Option<CodeFacts> {
    let subject = q.subject.as_deref().map(normalise);
    match q.kind {
        QuestionKind::Count | QuestionKind::List | QuestionKind::Ranking => {
            let query = q.options.corpus.clone()?;
            Some(listing(link, lines, q.kind, &query))
        }
        QuestionKind::Impact => Some(impact::impact(
            link,
            lines,
            subject.as_deref()?,
            q.options.depth,
        )),
        QuestionKind::CallChain => Some(match chain_end(q) {
            Some(to) => paths(link, lines, subject.as_deref()?, &to, q.options.depth),
            None => chain(link, lines, subject.as_deref()),
        }),
        QuestionKind::Cycles => Some(cycles(link, lines)),
        QuestionKind::Crud => Some(files_answer(link, lines, subject.as_deref()?)),
        QuestionKind::MenuOptions => Some(menus::options(
            link,
            lines,
            subject.as_deref(),
            q.options.option,
        )),
        QuestionKind::MenuPath => Some(menus::path(link, lines, subject.as_deref()?)),
        QuestionKind::EntryPoint => Some(menus::entry_point(link, lines)),
        QuestionKind::ScreenFields => Some(menus::fields(link, lines, subject.as_deref()?)),
        _ => None,
    }
}

/// The end of the chains a call-chain question asks ("How does A end up calling B?"):
/// the question's query keeps the programs that reach B.
fn chain_end(q: &CodeQuestion) -> Option<String> {
    q.options
        .corpus
        .as_ref()?
        .filters
        .iter()
        .find_map(|f| match f {
            Filter::Reaches(to) => Some(normalise(to)),
            _ => None,
        })
}

/// Most paths a path answer lists (the count says how many there are).
const MAX_PATHS: usize = 12;
/// Most calls a path may have unless the question gives a depth.
const PATH_HOPS: usize = 6;

/// The call paths from `from` to `to`, shortest first, each call at its site.
fn paths(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    from: &str,
    to: &str,
    depth: Option<usize>,
) -> CodeFacts {
    for name in [from, to] {
        if link.identify(name).is_none() && !link.is_program_name(name) {
            return absent(link, lines, QuestionKind::CallChain, name);
        }
    }
    let graph = graph::CallGraph::load(link);
    let hops = depth.unwrap_or(PATH_HOPS);
    let (found, complete) = graph.paths(from, to, hops);
    let mut w = Writer::new(link, lines, QuestionKind::CallChain);
    w.facts.subject = Some(from.to_owned());
    w.facts.subject_kind = link.identify(from);
    w.note(Note::Query, format!("call paths from {from} to {to}"));
    w.note(Note::Count, found.len().to_string());
    w.note(Note::Levels, hops.to_string());
    w.note(
        Note::Complete,
        if complete {
            "yes".to_owned()
        } else {
            "no: the search stopped after 2,000,000 steps".to_owned()
        },
    );
    let start = link
        .member_files(from)
        .into_iter()
        .find(|&f| link.is_program(f))
        .map(|f| (f, link.row(f).description_line.unwrap_or(1)));
    for (n, path) in found.iter().take(MAX_PATHS).enumerate() {
        let group = format!("path {}", n + 1);
        for (i, program) in path.iter().enumerate() {
            let (detail, site) = match i {
                0 => ("starts the path".to_owned(), start),
                _ => (
                    format!("called by {}", path[i - 1]),
                    graph.site(&path[i - 1], program),
                ),
            };
            let (file, line) = site.unwrap_or((0, 0));
            w.item(program, Some(group.clone()), Some(detail), file, line);
            if i > 0 {
                w.cite(file, line);
            }
        }
    }
    w.finish()
}

/// The members a query's filters name (`calls X`, `copies X`): an unknown one makes the
/// answer say so instead of listing nothing.
fn named_members(query: &CorpusQuery) -> Vec<String> {
    let mut out = Vec::new();
    for f in &query.filters {
        match f {
            Filter::Calls(x) | Filter::CalledBy(x) | Filter::Copies(x) | Filter::Reaches(x) => {
                out.push(normalise(x));
            }
            Filter::Not(inner) => out.extend(named_members(&CorpusQuery {
                filters: vec![(**inner).clone()],
                ..query.clone()
            })),
            _ => {}
        }
    }
    out
}

/// Data items of the levels that are not storage, so a reader who counts otherwise can:
/// " (of which 3270 are level-78 constants and 2931 are level-88 condition names)".
fn levels_counted(things: &[(things::Thing, Option<i64>)]) -> String {
    let at = |level: &str| {
        things
            .iter()
            .filter(|(t, _)| t.detail.as_deref().is_some_and(|d| d.starts_with(level)))
            .count()
    };
    let parts: Vec<String> = [
        (
            at("level 78"),
            "is a level-78 constant",
            "are level-78 constants",
        ),
        (
            at("level 88"),
            "is a level-88 condition name",
            "are level-88 condition names",
        ),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (of which {})", parts.join(" and "))
    }
}

/// The folders a query names (`in FX`).
fn folders(query: &CorpusQuery) -> Vec<&str> {
    query
        .filters
        .iter()
        .filter_map(|f| match f {
            Filter::In(d) => Some(d.as_str()),
            _ => None,
        })
        .collect()
}

/// "Any dead code in LIBFX?" names no noun, so programs are listed; in a folder that holds
/// copybooks and no program, its copybooks are meant (nothing calls a copybook: unused
/// is never copied).
fn in_a_library(link: &Linked<'_>, query: &CorpusQuery) -> Option<CorpusQuery> {
    if query.entity != Entity::Programs {
        return None;
    }
    let dirs = folders(query);
    if dirs.is_empty() {
        return None;
    }
    let holds = |kind: &str| {
        dirs.iter().any(|d| {
            let d = d.trim_matches('/').to_ascii_uppercase();
            !link
                .list(
                    "SELECT 1 FROM files WHERE kind = ?1 \
                     AND (upper(folder) = ?2 OR upper(folder) LIKE ?2 || '/%') LIMIT 1",
                    [kind, d.as_str()],
                    |r| r.get::<_, i64>(0),
                )
                .is_empty()
        })
    };
    if holds("program") || !holds("copybook") {
        return None;
    }
    let filters = query
        .filters
        .iter()
        .map(|f| match f {
            Filter::Orphan => Filter::NeverCopied,
            Filter::Not(inner) if **inner == Filter::Orphan => {
                Filter::Not(Box::new(Filter::NeverCopied))
            }
            other => other.clone(),
        })
        .collect();
    Some(CorpusQuery {
        entity: Entity::Copybooks,
        filters,
        ..query.clone()
    })
}

fn listing(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    kind: QuestionKind,
    query: &CorpusQuery,
) -> CodeFacts {
    let library = in_a_library(link, query);
    let query = library.as_ref().unwrap_or(query);
    for name in named_members(query) {
        if link.identify(&name).is_none() {
            let mut facts = absent(link, lines, kind, &name);
            facts.add_note(Note::Query, describe(query));
            return facts;
        }
    }
    let selection = select::select(link, query);
    let mut w = Writer::new(link, lines, kind);
    w.note(Note::Query, describe(query));
    if let Some(Order::Most(m) | Order::Least(m)) = query.order {
        w.note(Note::OrderedBy, m.label());
    } else if query.order == Some(Order::RecentlyRevised) {
        w.note(Note::OrderedBy, "latest revision date");
    } else if let Some(m) = query.total {
        // A count with a measure: each thing's value is that measure.
        w.note(Note::OrderedBy, m.label());
    }
    if !selection.unsupported.is_empty() {
        w.note(Note::NotApplied, selection.unsupported.join("; "));
    }
    w.note(Note::Count, selection.things.len().to_string());
    let named = query.filters.iter().find_map(|f| match f {
        Filter::Name(NameMatch::Exactly(n)) => Some(n.as_str()),
        _ => None,
    });
    let mut summary = match selection.total {
        Some(total) => total_sentence(query, named, selection.matching, total),
        None => sentence(query, selection.matching),
    };
    if library.is_some() {
        let dirs = folders(query);
        summary = format!(
            "{} holds no program, only copybooks. {summary}",
            dirs.join(" or ")
        );
    }
    if query.entity == Entity::DataItems {
        summary.push_str(&levels_counted(&selection.things));
    }
    w.note(Note::Summary, summary);
    if query.limit.is_some() || selection.matching != selection.things.len() {
        w.note(Note::Matching, selection.matching.to_string());
    }
    let ranked = query.order.is_some() || query.total.is_some();
    let runs = menu_runs(link, query);
    let dated = matches!(query.filters.first(), Some(Filter::Written { .. }));
    for (thing, value) in &selection.things {
        let detail = match (ranked, value) {
            (true, Some(v)) => Some(match query.order {
                Some(Order::RecentlyRevised) => {
                    let d = v.to_string();
                    if d.len() == 8 {
                        format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])
                    } else {
                        d
                    }
                }
                _ => v.to_string(),
            }),
            _ => runs
                .get(&thing.name)
                .cloned()
                .or_else(|| thing.detail.clone()),
        };
        let file = link.file_id(&thing.path).unwrap_or(thing.file_id);
        let line = match dated {
            true => date_written_line(lines, &thing.path).unwrap_or(thing.line),
            false => thing.line,
        };
        w.item(&thing.name, Some(thing.place.clone()), detail, file, line);
    }
    // The main menu has no caller by design: say so when it is listed (finding it is
    // the costly part, so only when a menu program is among the orphans).
    let menu_listed = || {
        link.depending_files()
            .into_iter()
            .any(|f| selection.things.iter().any(|(t, _)| t.name == link.name(f)))
    };
    if query.entity == Entity::Programs
        && query.filters.iter().any(|f| matches!(f, Filter::Orphan))
        && menu_listed()
        && let Some(main) = crate::screens::main_menu(link)
    {
        w.note(Note::MainMenu, main);
    }
    w.finish()
}

/// For menus listed by a program they run ("which menu runs X?"): each menu's option
/// that runs it, "option 3: SET SKIP FLAG".
fn menu_runs(link: &Linked<'_>, query: &CorpusQuery) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    if query.entity != Entity::Menus {
        return out;
    }
    for f in &query.filters {
        let Filter::Runs(program) = f else { continue };
        let program = normalise(program);
        for m in things::menus(link) {
            let options: Vec<String> = m
                .options
                .iter()
                .filter(|o| o.program.as_deref() == Some(program.as_str()))
                .map(|o| match &o.label {
                    Some(label) => format!("option {}: {label}", o.number),
                    None => format!("option {}", o.number),
                })
                .collect();
            if !options.is_empty() {
                out.insert(m.name, options.join("; "));
            }
        }
    }
    out
}

/// The line of a file's `DATE-WRITTEN` paragraph, read from its text.
fn date_written_line(lines: &dyn LineSource, path: &str) -> Option<u32> {
    const HEAD: u32 = 400;
    let text = lines.lines(path, 1, HEAD)?;
    text.lines()
        .position(|l| {
            let upper = l.to_ascii_uppercase();
            let comment = l.chars().nth(6).is_some_and(|c| c == '*' || c == '/');
            !comment && upper.contains("DATE-WRITTEN")
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn chain(link: &Linked<'_>, lines: &dyn LineSource, from: Option<&str>) -> CodeFacts {
    let graph = graph::CallGraph::load(link);
    if let Some(f) = from
        && link.identify(f).is_none()
    {
        return absent(link, lines, QuestionKind::CallChain, f);
    }
    let chain = graph.longest_chain(from);
    let mut w = Writer::new(link, lines, QuestionKind::CallChain);
    w.facts.subject = from.map(str::to_owned);
    w.facts.subject_kind = from.and_then(|f| link.identify(f));
    let calls = chain.programs.len().saturating_sub(1);
    w.note(Note::Count, calls.to_string());
    w.note(Note::Ties, chain.ties.to_string());
    w.note(
        Note::Complete,
        if chain.exhaustive {
            "yes".to_owned()
        } else {
            "no: the call graph has cycles and the search stopped after 2,000,000 steps".to_owned()
        },
    );
    for (i, program) in chain.programs.iter().enumerate() {
        let site = match i {
            0 => link
                .member_files(program)
                .first()
                .map(|&f| (f, link.row(f).description_line.unwrap_or(1))),
            _ => chain.sites.get(i - 1).copied(),
        };
        let detail = match i {
            0 => "starts the chain".to_owned(),
            _ => format!("called by {}", chain.programs[i - 1]),
        };
        let (file, line) = site.unwrap_or((0, 0));
        w.item(program, Some("chain".into()), Some(detail), file, line);
        if i > 0 {
            w.cite(file, line);
        }
    }
    w.finish()
}

fn cycles(link: &Linked<'_>, lines: &dyn LineSource) -> CodeFacts {
    let graph = graph::CallGraph::load(link);
    let mut w = Writer::new(link, lines, QuestionKind::Cycles);
    let cycles = graph.cycles();
    let mut selfish: Vec<String> = graph.self_calling().into_iter().collect();
    selfish.sort();
    let mut count = 0;
    for (n, cycle) in cycles.iter().enumerate() {
        for (k, program) in cycle.iter().enumerate() {
            let next = &cycle[(k + 1) % cycle.len()];
            let site = graph
                .site(program, next)
                .or_else(|| cycle.iter().find_map(|c| graph.site(program, c)));
            let (file, line) = site.unwrap_or((0, 0));
            w.item(program, Some(format!("cycle {}", n + 1)), None, file, line);
            count += 1;
        }
    }
    for program in &selfish {
        let (file, line) = graph.site(program, program).unwrap_or((0, 0));
        w.item(program, Some("calls itself".into()), None, file, line);
        count += 1;
    }
    w.note(Note::Count, count.to_string());
    w.finish()
}

fn files_answer(link: &Linked<'_>, lines: &dyn LineSource, program: &str) -> CodeFacts {
    let Some(&f) = link
        .member_files(program)
        .iter()
        .find(|&&f| link.is_program(f))
    else {
        return absent(link, lines, QuestionKind::Crud, program);
    };
    let ops = files::ops_of(link, f);
    let mut w = Writer::new(link, lines, QuestionKind::Crud);
    w.facts.subject = Some(program.to_owned());
    w.facts.subject_kind = Some(otis_core::ports::SymbolKind::Program);
    w.facts.file = Some(link.row(f).path.clone());
    let mut by_file: std::collections::BTreeMap<String, (Vec<String>, u32, u32)> =
        std::collections::BTreeMap::new();
    for op in &ops {
        let entry = by_file
            .entry(op.file.clone())
            .or_insert_with(|| (Vec::new(), op.at, op.line));
        if !entry.0.contains(&op.op) {
            entry.0.push(op.op.clone());
        }
    }
    w.note(Note::Count, by_file.len().to_string());
    let declared: Vec<String> = link.list(
        "SELECT DISTINCT s.name FROM selects s WHERE s.file_id = ?1 \
         UNION SELECT DISTINCT s.name FROM copy_closure cl JOIN selects s ON s.file_id = cl.copybook_id \
         WHERE cl.program_id = ?1 ORDER BY 1",
        [f],
        |r| r.get::<_, String>(0),
    );
    let idle: Vec<String> = declared
        .into_iter()
        .filter(|d| !by_file.contains_key(d))
        .collect();
    for (file, (mut ops, at, line)) in by_file {
        ops.sort_by_key(|o| op_rank(o));
        w.item(&file, None, Some(ops.join(", ")), at, line);
    }
    if !idle.is_empty() {
        w.note(Note::DeclaredOnly, idle.join(", "));
    }
    w.finish()
}

/// CRUD order: opens, then reads, writes, rewrites, deletes.
fn op_rank(op: &str) -> u8 {
    match op {
        "OPEN INPUT" => 0,
        "OPEN OUTPUT" => 1,
        "OPEN I-O" => 2,
        "OPEN EXTEND" => 3,
        "READ" => 4,
        "START" => 5,
        "WRITE" => 6,
        "REWRITE" => 7,
        "DELETE" => 8,
        _ => 9,
    }
}
