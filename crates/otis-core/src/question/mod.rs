//! Question kinds: what a (resolved) question asks and what it is about, recognised
//! deterministically from its words and from what the code model knows of the names in
//! it. Pure.
//!
//! [`classify`] tries, in order:
//! 1. the kinds with a shape of their own (`special.rs`: the call paths between two
//!    programs, impact, call chain, CRUD, menu path, menu options, screen fields, entry
//!    point);
//! 2. the grammar of questions about the codebase as a whole (`corpus.rs`): count, list and
//!    ranking kinds carrying a [`CorpusQuery`], and call cycles; a question that names a
//!    member the grammar does not consume is left to step 3, and so is a bare "which
//!    programs call X?" / "what programs use X.CPY?" (callers, copybook users);
//! 3. the single-subject kinds: purpose, copybooks, calls, callers ("who calls X", and X
//!    before a passive "called": "where is X called from?"), users, data, files,
//!    dependencies ("what does X depend on?"), flows, screen flows ("the screen
//!    navigation starting from X"), overview and business processes.
//!
//! A follow-up over a list ("which of those are in FX?") is read by [`classify_after`]
//! with the previous turn's query, and [`crate::resolve::refine`] merges the two.

#[cfg(test)]
mod cases;
mod corpus;
mod not_names;
mod special;
mod words;

use crate::corpus::{CorpusQuery, Entity, Filter, Order};
use crate::ports::{AccessFilter, CodeQuestion, QuestionKind, QuestionOptions, SymbolKind};
use crate::resolve::{Refinement, refine};
use not_names::not_a_name;
use words::{Words, bare};

/// Most levels a flow, tree or impact analysis expands, whatever the question says.
pub const MAX_DEPTH: usize = 8;

/// Lower-case words skipped when looking for a name written in lower case.
const PLAIN_WORDS: &[&str] = &[
    "what",
    "does",
    "which",
    "where",
    "when",
    "there",
    "their",
    "these",
    "those",
    "about",
    "program",
    "programs",
    "copybook",
    "copybooks",
    "section",
    "sections",
    "paragraph",
    "variable",
    "field",
    "defined",
    "used",
    "calls",
    "call",
    "called",
    "files",
    "file",
    "show",
    "tell",
    "explain",
    "describe",
    "purpose",
    "code",
    "codebase",
    "system",
    "this",
    "that",
    "with",
    "from",
    "into",
    "uses",
    "using",
    "work",
    "works",
    "flow",
    "doing",
    "have",
    "main",
    "menu",
    "screen",
    "loan",
    "payment",
    "used?",
    "data",
    "item",
    "full",
    "whole",
    "entire",
];

/// A name the question mentions, and how sure we are that it is meant as one.
struct Candidate {
    name: String,
    /// Written like a name: capitals, a library path or an extension.
    strong: bool,
    /// Written in lower case but with a digit, hyphen or underscore (`lonpf2`,
    /// `bt-branch`): a name when the corpus has it, a word (`a15`) otherwise.
    marked: bool,
    /// What its extension says it is (`.CPY` a copybook, `.CBL` a program).
    hint: Option<SymbolKind>,
}

fn candidates(question: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut first = true;
    for raw in question
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '$')))
    {
        let token = raw.trim_matches(|c: char| matches!(c, '.' | '-' | '/' | '_'));
        if token.is_empty() {
            continue;
        }
        // An English word opening the question ("Trace ...", "Show ...") is not a name
        // because a member is called that; `LONPF2` or `FXMENU` there still is.
        let opening = std::mem::take(&mut first)
            && !token
                .bytes()
                .any(|b| b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.')
            && token.bytes().any(|b| b.is_ascii_lowercase());
        if opening || token.len() < 2 || token.len() > 60 {
            continue;
        }
        let lower = token.to_ascii_lowercase();
        let hint = if lower.ends_with(".cpy") {
            Some(SymbolKind::Copybook)
        } else if lower.ends_with(".cbl") || lower.ends_with(".cob") {
            Some(SymbolKind::Program)
        } else {
            None
        };
        // `LIBGB/SCREEN` is a path; `sa/ds` in a sentence is two words.
        let pathlike = hint.is_some()
            || (token.contains('/') && token.bytes().any(|b| b.is_ascii_uppercase()));
        let name = bare(token);
        if name.len() < 2 || (!pathlike && not_a_name(&name)) {
            continue;
        }
        let capitals = token.bytes().any(|b| b.is_ascii_uppercase())
            && !token.bytes().any(|b| b.is_ascii_lowercase());
        let marked = token.contains(['-', '_']) || token.bytes().any(|b| b.is_ascii_digit());
        let strong = pathlike || (capitals && (name.len() >= 3 || marked));
        let weak =
            !strong && (marked || (name.len() >= 4 && !PLAIN_WORDS.contains(&lower.as_str())));
        if (strong || weak) && !out.iter().any(|c| c.name == name) {
            out.push(Candidate {
                name,
                strong,
                marked: marked && !strong,
                hint,
            });
        }
    }
    out
}

/// The subject of `question`: the first name the code model knows (a name written like
/// one before a plain word that happens to name a member), else the first name written
/// like one.
pub fn subject(
    question: &str,
    identify: &dyn Fn(&str) -> Option<SymbolKind>,
) -> Option<(String, Option<SymbolKind>)> {
    let found = candidates(question);
    for strong in [true, false] {
        for c in found.iter().filter(|c| c.strong == strong) {
            // A directory is what a question filters by, never what it is about.
            if let Some(kind) = identify(&c.name).filter(|k| *k != SymbolKind::Directory) {
                // A plain word is taken only when it names a program or copybook; a
                // lower-case word with a hyphen may name anything the corpus defines.
                let hyphenated = c.marked && c.name.contains(['-', '_']);
                if strong
                    || hyphenated
                    || matches!(kind, SymbolKind::Program | SymbolKind::Copybook)
                {
                    // `CHKSEC.CPY` means the copybook even where a program has that name.
                    let kind = match (c.hint, kind) {
                        (Some(hint), SymbolKind::Program | SymbolKind::Copybook) => hint,
                        _ => kind,
                    };
                    return Some((c.name.clone(), Some(kind)));
                }
            }
        }
    }
    // A name the corpus does not know is still the subject ("What does APIPAY do?" is
    // answered "nothing named APIPAY"), unless it is a plain word inside a phrase written
    // in capitals ("How is a LOAN PAYMENT posted?").
    let shouted = shouted_words(question);
    found
        .into_iter()
        .find(|c| {
            c.strong
                && c.name.bytes().any(|b| b.is_ascii_alphabetic())
                && !shouted.contains(&c.name)
                && identify(&c.name) != Some(SymbolKind::Directory)
        })
        .map(|c| (c.name, None))
}

/// Words of letters only that stand next to another such word written in capitals.
fn shouted_words(question: &str) -> Vec<String> {
    let words: Vec<&str> = question
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let plain = |w: &str| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_uppercase());
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).is_some_and(|n| plain(n));
        let previous = i > 0 && words.get(i - 1).is_some_and(|p| plain(p));
        if plain(w) && (next || previous) {
            out.push((*w).to_owned());
        }
    }
    out
}

/// Whether `text` has one of `phrases` starting at a word's start: "set " is not found in
/// "pst-fr-font-reset do", nor "used " in "unused ".
fn has(text: &str, phrases: &[&str]) -> bool {
    let inside_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    phrases.iter().any(|p| {
        text.match_indices(p)
            .any(|(at, _)| !p.starts_with(inside_word) || !text[..at].ends_with(inside_word))
    })
}

/// "Who uses X" asked of a subject: callers of a program, users of a copybook, of a
/// section, or the references of a data item.
fn users_of(kind: Option<SymbolKind>) -> QuestionKind {
    match kind {
        Some(SymbolKind::Copybook) => QuestionKind::CopybookUsers,
        Some(SymbolKind::Section | SymbolKind::Paragraph) => QuestionKind::ProcedureUsers,
        Some(SymbolKind::DataItem) => QuestionKind::DataUsage,
        Some(
            SymbolKind::Program | SymbolKind::Directory | SymbolKind::Screen | SymbolKind::File,
        )
        | None => QuestionKind::Callers,
    }
}

/// Classifies `question` (already resolved against the conversation). `identify` says
/// what a name is in the corpus (the code model's [`identify`]), `None` when unknown.
///
/// [`identify`]: crate::ports::CodeModel::identify
pub fn classify(question: &str, identify: &dyn Fn(&str) -> Option<SymbolKind>) -> CodeQuestion {
    classify_after(question, identify, None)
}

/// Classifies `question` asked after an answer whose corpus query was `previous` (the
/// turn's memory, [`crate::resolve::previous_query`]): "which of those are in FX?", "only
/// the ones that use SQL", "how many of them call TIM360?", "and in UP?", "sorted by
/// size" refine that query; anything else is classified as [`classify`] does.
pub fn classify_after(
    question: &str,
    identify: &dyn Fn(&str) -> Option<SymbolKind>,
    previous: Option<&CorpusQuery>,
) -> CodeQuestion {
    let found = subject(question, identify);
    let (subject, subject_kind) = match found {
        Some((name, kind)) => (Some(name), kind),
        None => (None, None),
    };
    let text = question.trim().to_owned();
    let words = Words::new(question, identify);
    let depth = depth_option(question);
    // "How does A end up calling B?": the call chains from A that reach B; the end is
    // the query of the programs that reach it.
    if let Some((from, to)) = special::path_between(&words) {
        return CodeQuestion {
            kind: QuestionKind::CallChain,
            subject_kind: identify(&from),
            subject: Some(from),
            options: QuestionOptions {
                depth,
                corpus: Some(CorpusQuery::all(Entity::Programs).with(Filter::Reaches(to))),
                ..QuestionOptions::default()
            },
            text,
        };
    }
    if let Some((kind, option)) =
        special::kind(&words, subject.as_deref().map(|s| (s, subject_kind)))
    {
        return CodeQuestion {
            kind,
            subject,
            subject_kind,
            options: QuestionOptions {
                depth,
                option,
                ..QuestionOptions::default()
            },
            text,
        };
    }
    let parsed = corpus::parse(words);
    match reading(&parsed, previous) {
        Reading::Query(kind, query) => CodeQuestion {
            kind,
            subject: None,
            subject_kind: None,
            options: QuestionOptions {
                corpus: Some(query),
                ..QuestionOptions::default()
            },
            text,
        },
        Reading::CallsOf(name) => CodeQuestion {
            kind: QuestionKind::Calls,
            subject_kind: identify(&name),
            subject: Some(name),
            options: QuestionOptions::default(),
            text,
        },
        Reading::UsersOf(name) => CodeQuestion {
            kind: QuestionKind::CopybookUsers,
            subject: Some(name),
            subject_kind: None,
            options: QuestionOptions::default(),
            text,
        },
        Reading::Subject => {
            let q = format!(" {} ", question.to_ascii_lowercase());
            let kind = kind_of(&q, subject.as_deref(), subject_kind);
            let options = QuestionOptions {
                depth,
                access: subject.as_deref().and_then(|s| access_asked(question, s)),
                ..QuestionOptions::default()
            };
            CodeQuestion {
                kind,
                subject,
                subject_kind,
                options,
                text,
            }
        }
    }
}

/// How the grammar's reading of a question is used.
enum Reading {
    /// A question about the corpus as a whole.
    Query(QuestionKind, CorpusQuery),
    /// "Which programs are called by X?": the calls of X.
    CallsOf(String),
    /// "Which programs use copybook X?": the users of X, even when X is not known.
    UsersOf(String),
    /// A question about one member (or no corpus reading).
    Subject,
}

/// Decides whether the grammar's reading holds (see [`corpus`]'s rules on words left
/// over) and what it asks.
fn reading(parsed: &corpus::Parsed, previous: Option<&CorpusQuery>) -> Reading {
    if parsed.actor || !parsed.leftover_names.is_empty() {
        return Reading::Subject;
    }
    let stated = parsed.has_filters()
        || parsed.order.is_some()
        || parsed.limit.is_some()
        || parsed.total.is_some();
    let tolerated = if stated { 1 } else { 0 };
    if parsed.unknown.len() > tolerated {
        return Reading::Subject;
    }
    if let Some(previous) = previous {
        let same_entity = parsed
            .entity
            .is_none_or(|(entity, _)| entity == previous.entity);
        let follows = parsed.refers_back
            || parsed.variation
            || (parsed.entity.is_none() && !parsed.implicit && (stated || parsed.count));
        if same_entity && follows && (stated || parsed.count || parsed.refers_back) {
            let entity = previous.entity;
            let query = refine(
                previous,
                Refinement {
                    filters: parsed.filters(entity),
                    order: parsed.order(entity),
                    limit: parsed.limit(),
                    count: parsed.count,
                    replace: parsed.variation && !parsed.refers_back,
                },
            );
            return Reading::Query(kind_of_query(&query), query);
        }
    }
    let entity = match parsed.entity {
        // "What programs are missing?": the call targets.
        Some((Entity::Programs, _)) if parsed.missing => Entity::CallTargets,
        Some((entity, _)) => entity,
        // "How many lines does X have?", "the complexity of X": the member itself.
        None if parsed.total.is_some() => match parsed.within {
            Some((_, Some(SymbolKind::Copybook))) => Entity::Copybooks,
            _ => Entity::Programs,
        },
        // "Who reads LN-FILE?", "What is the deepest IF nesting?": programs.
        None if (parsed.has_filters() && parsed.implicit) || parsed.order.is_some() => {
            Entity::Programs
        }
        None => return Reading::Subject,
    };
    if !stated && !parsed.count {
        let tree = matches!(entity, Entity::Screens | Entity::Menus) && parsed.flowish;
        if !parsed.listing || tree {
            return Reading::Subject;
        }
    }
    if let Some(filter) = parsed.single_relation()
        && !parsed.count
        && parsed.order.is_none()
        && parsed.limit.is_none()
        && entity == Entity::Programs
    {
        match filter {
            Filter::CalledBy(name) => return Reading::CallsOf(name.clone()),
            // A known name keeps the single-subject reading (its extension and kind
            // say which users); an unknown one is still a copybook.
            Filter::Copies(name) if !parsed.transitive => {
                return match parsed.known(name) {
                    true => Reading::Subject,
                    false => Reading::UsersOf(name.clone()),
                };
            }
            Filter::Calls(_) | Filter::Runs(_) => return Reading::Subject,
            _ => {}
        }
    }
    let query = CorpusQuery {
        entity,
        filters: parsed.filters(entity),
        order: parsed.order(entity),
        limit: parsed.limit(),
        count: parsed.count,
        total: parsed.total,
    };
    let cyclic = |f: &Filter| matches!(f, Filter::InCycle | Filter::SelfCalling);
    if !query.filters.is_empty()
        && query.filters.iter().all(cyclic)
        && entity == Entity::Programs
        && !query.count
        && query.order.is_none()
        && query.limit.is_none()
    {
        return Reading::Query(QuestionKind::Cycles, query);
    }
    Reading::Query(kind_of_query(&query), query)
}

/// Count, ranking or list.
fn kind_of_query(query: &CorpusQuery) -> QuestionKind {
    if query.count || query.total.is_some() {
        QuestionKind::Count
    } else if matches!(
        query.order,
        Some(Order::Most(_) | Order::Least(_) | Order::RecentlyRevised)
    ) {
        QuestionKind::Ranking
    } else {
        QuestionKind::List
    }
}

/// `depth 3`, `3 levels`, `3 levels deep`, `to level 3` in the question: how far to
/// expand, 1 to [`MAX_DEPTH`].
pub fn depth_option(text: &str) -> Option<usize> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    for (i, w) in words.iter().enumerate() {
        let number = |k: usize| words.get(k).and_then(|n| n.parse::<usize>().ok());
        let found = match w.as_str() {
            "depth" | "level" => number(i + 1).or_else(|| {
                // "depth of 3"
                (words.get(i + 1).map(String::as_str) == Some("of"))
                    .then(|| number(i + 2))
                    .flatten()
            }),
            "levels" | "deep" => i.checked_sub(1).and_then(number),
            _ => None,
        };
        if let Some(n) = found {
            return Some(n.clamp(1, MAX_DEPTH));
        }
    }
    None
}

/// Whether a usage question asks only where an item is changed, or only where it is
/// read ("Where is X modified?", "Where is X tested?").
pub fn access_asked(text: &str, subject: &str) -> Option<AccessFilter> {
    // The item's own name (`CHANGE-CODE`, `SET-FLAG`) says nothing about the question.
    let q = text
        .to_ascii_lowercase()
        .replace(&subject.to_ascii_lowercase(), " ");
    let has = |words: &[&str]| words.iter().any(|w| q.contains(w));
    let write = has(&[
        "modif",
        "chang",
        "updat",
        "written",
        "write to",
        "writes to",
        "assign",
        "populat",
        "moved to",
        "moved into",
        " set",
        "stored",
        "incremented",
    ]);
    let read = has(&[
        " read",
        "tested",
        "checked",
        "compared",
        "evaluated",
        "displayed",
    ]);
    match (write, read) {
        (true, false) => Some(AccessFilter::Changes),
        (false, true) => Some(AccessFilter::Reads),
        _ => None,
    }
}

/// Whether the subject is the one called: "Where is X called from?", "Is X called
/// anywhere?", "Where does X get called?" (the subject stands before the passive verb;
/// "What is called from X?" names the caller after it).
fn called_passively(q: &str, subject: &str) -> bool {
    let name = subject.to_ascii_lowercase();
    let Some(at) = q.find(&name) else {
        return false;
    };
    let after = &q[at + name.len()..];
    [" called", " invoked", " executed"]
        .iter()
        .filter_map(|verb| after.find(verb))
        .min()
        .is_some_and(|v| {
            // "X called from", "X get called", "X is ever called": a few words at most.
            after[..v].split_whitespace().count() <= 2
        })
}

fn kind_of(q: &str, subject: Option<&str>, subject_kind: Option<SymbolKind>) -> QuestionKind {
    use QuestionKind as K;
    let has_subject = subject.is_some();
    let screens = has(
        q,
        &[
            "navigation",
            "screen flow",
            "screen tree",
            "screens",
            "menu tree",
            "menus",
            "user interface",
            "ui flow",
            "menu flow",
        ],
    );
    if screens
        && has(
            q,
            &[
                "flow",
                "tree",
                "from",
                "down",
                "starting",
                "show",
                "hierarchy",
                "lead to",
                "leads to",
                "reach",
                "reachable",
            ],
        )
    {
        return K::ScreenFlow;
    }
    if has_subject
        && has(
            q,
            &[
                "flow",
                "flowchart",
                "flow chart",
                "diagram",
                "control flow",
                "call tree",
                "perform tree",
                "structure of",
                "steps of",
                "logic of",
            ],
        )
    {
        return K::Flow;
    }
    if !has_subject {
        return if has(
            q,
            &[
                "full set of code",
                "whole codebase",
                "entire codebase",
                "the codebase",
                "whole system",
                "entire system",
                "overall",
                "overview",
                "all the code",
                "all of the code",
                "the code do",
                "this code do",
                "the system do",
                "what is otis",
                "what does otis",
                "directories",
                "folders",
            ],
        ) {
            K::Overview
        } else {
            K::BusinessProcess
        };
    }
    if has(
        q,
        &[
            "defined",
            "definition",
            "declared",
            "declaration",
            "declare ",
            " pic ",
            "picture",
            "what type",
            "how big",
            "how long is",
            "data type",
        ],
    ) {
        return K::DataDefinition;
    }
    // "What is X used for?" asks what X is for (its purpose; for a data item, its
    // definition, the record it sits in and how statements use it), not who uses it.
    if has(
        q,
        &[
            "used for",
            "use of ",
            "what is the purpose",
            "what's the purpose",
            "role of",
            "what is it for",
            "what's it for",
            "what is the point of",
        ],
    ) && !has(
        q,
        &["which programs", "what programs", "who uses", "where is"],
    ) {
        return if subject_kind == Some(SymbolKind::DataItem) {
            K::DataDefinition
        } else {
            K::Purpose
        };
    }
    let passive = subject.is_some_and(|s| called_passively(q, s));
    if passive
        || has(
            q,
            &[
                "who calls",
                "what calls",
                "which programs call",
                "which program calls",
                "what programs call",
                "programs that call",
                "programs call it",
                "called by",
                "callers",
                "caller of",
                "calls it",
                "invoked by",
                "who invokes",
                "what invokes",
                "who runs",
                "what runs",
                "who is calling",
                "who's calling",
                "what is calling",
                "end up calling",
                "ends up calling",
                "ended up calling",
            ],
        )
    {
        return if subject_kind == Some(SymbolKind::Program) || subject_kind.is_none() {
            K::Callers
        } else {
            users_of(subject_kind)
        };
    }
    let usage = has(
        q,
        &[
            "who uses",
            "what uses",
            "which programs use",
            "which program uses",
            "what programs use",
            "which programs include",
            "what programs include",
            "programs that use",
            "programs using",
            "used by",
            "used in",
            "used ",
            "who copies",
            "which programs copy",
            "what programs copy",
            "copied by",
            "copied in",
            "who performs",
            "what performs",
            "which programs perform",
            "performed",
            "referenced",
            "references to",
            "usage of",
            "modified",
            "updated",
            "changed",
            "where is",
            "where are",
            "set ",
        ],
    );
    let about_member = matches!(
        subject_kind,
        Some(SymbolKind::Program | SymbolKind::Copybook) | None
    );
    if usage
        && !(about_member
            && has(q, &["copybook", " files", " file ", "call"])
            && !has(q, &["programs"]))
    {
        return users_of(subject_kind);
    }
    if !about_member && has(q, &["which program", "what program"]) {
        // "Which program handles reconstruction of RX-FILE?": a program that does a
        // job the file or item takes part in, not the file's own description.
        return K::BusinessProcess;
    }
    if !about_member {
        // A section, paragraph or data item: what it is, or how it is used.
        return if has(q, &["how", "use", "where", "refer"]) {
            users_of(subject_kind)
        } else {
            K::Purpose
        };
    }
    // "Explain the SCREEN copybook" is about the copybook; "what copybooks does it copy"
    // asks for its list.
    let copybook_list = if subject_kind == Some(SymbolKind::Copybook) {
        has(
            q,
            &[
                "copybooks",
                "copies",
                "include",
                "nested",
                "copy members",
                "copy statement",
            ],
        )
    } else {
        has(
            q,
            &[
                "copybook",
                "copy book",
                "copy member",
                "copy statement",
                "copies",
                "copylib",
                "include",
            ],
        )
    };
    if copybook_list {
        return K::Copybooks;
    }
    if has(
        q,
        &[
            "call",
            "invoke",
            "subprogram",
            "sub-program",
            "external program",
            "other programs",
            "programs does",
            "chain",
            "launch",
        ],
    ) {
        return K::Calls;
    }
    if has(
        q,
        &[" file", "select", "assign", "dataset", " read", " write"],
    ) {
        return K::Files;
    }
    if has(
        q,
        &[
            "depend", "need", "require", " rely", " relies", " uses", " use?", " use ",
        ],
    ) {
        return K::Dependencies;
    }
    K::Purpose
}

#[cfg(test)]
mod tests {

    #[test]
    fn usage_questions_may_ask_for_changes_or_reads_only() {
        for (question, subject, want) in [
            (
                "Where is LN-BAL modified?",
                "LN-BAL",
                Some(AccessFilter::Changes),
            ),
            (
                "Where is LN-BAL set?",
                "LN-BAL",
                Some(AccessFilter::Changes),
            ),
            (
                "Where is LN-BAL tested?",
                "LN-BAL",
                Some(AccessFilter::Reads),
            ),
            ("How is LN-BAL used?", "LN-BAL", None),
            ("How is CHANGE-CODE used?", "CHANGE-CODE", None),
            ("How is SET-DEBIT-CARD used?", "SET-DEBIT-CARD", None),
            (
                "How is PROCESSING-UPDATING used?",
                "PROCESSING-UPDATING",
                None,
            ),
        ] {
            assert_eq!(access_asked(question, subject), want, "{question}");
        }
    }

    #[test]
    fn depth_is_read_from_the_question() {
        for (question, want) in [
            ("Show me a flow of X depth 3", Some(3)),
            ("flow of X, 4 levels deep", Some(4)),
            ("flow of X with a depth of 2", Some(2)),
            ("flow of X to level 20", Some(MAX_DEPTH)),
            ("flow of X depth 0", Some(1)),
            ("flow of X to level 5", Some(5)),
            ("Show me a flow of X", None),
        ] {
            assert_eq!(depth_option(question), want, "{question}");
        }
    }

    use super::*;

    fn corpus(name: &str) -> Option<SymbolKind> {
        match name {
            "LONPF2" | "APIPAY" | "FXMENU" | "DAILY" => Some(SymbolKind::Program),
            "SCREEN" | "LP01LN" => Some(SymbolKind::Copybook),
            "TIM360" | "PST-FR-FONT-RESET" => Some(SymbolKind::Section),
            "BT-BRANCH" | "LN-BAL" => Some(SymbolKind::DataItem),
            "RX-FILE" => Some(SymbolKind::File),
            _ => None,
        }
    }

    #[test]
    fn kinds_and_subjects() {
        use QuestionKind as K;
        let cases: &[(&str, K, Option<&str>)] = &[
            ("What does LONPF2 do?", K::Purpose, Some("LONPF2")),
            ("what does lonpf2 do", K::Purpose, Some("LONPF2")),
            ("Explain FXMENU", K::Purpose, Some("FXMENU")),
            ("What does DAILY.CBL do?", K::Purpose, Some("DAILY")),
            (
                "What copybooks does LONPF2 use?",
                K::Copybooks,
                Some("LONPF2"),
            ),
            (
                "What external programs does APIPAY call?",
                K::Calls,
                Some("APIPAY"),
            ),
            ("Which programs call LONPF2?", K::Callers, Some("LONPF2")),
            ("Who calls LONPF2?", K::Callers, Some("LONPF2")),
            ("Where is LONPF2 used?", K::Callers, Some("LONPF2")),
            (
                "What programs use SCREEN.CPY?",
                K::CopybookUsers,
                Some("SCREEN"),
            ),
            (
                "What programs use LIBGB/SCREEN.CPY?",
                K::CopybookUsers,
                Some("SCREEN"),
            ),
            ("Where is TIM360 used?", K::ProcedureUsers, Some("TIM360")),
            ("Who ends up calling LONPF2?", K::Callers, Some("LONPF2")),
            (
                "What screens does FXMENU lead to?",
                K::ScreenFlow,
                Some("FXMENU"),
            ),
            (
                "Which menus can I reach from FXMENU?",
                K::ScreenFlow,
                Some("FXMENU"),
            ),
            ("Who is calling LONPF2?", K::Callers, Some("LONPF2")),
            // A name ending in a word of a phrase ("-RESET" holds "set ").
            (
                "What does PST-FR-FONT-RESET do?",
                K::Purpose,
                Some("PST-FR-FONT-RESET"),
            ),
            ("Who performs TIM360?", K::ProcedureUsers, Some("TIM360")),
            (
                "Where is the variable BT-BRANCH defined?",
                K::DataDefinition,
                Some("BT-BRANCH"),
            ),
            ("How is BT-BRANCH used?", K::DataUsage, Some("BT-BRANCH")),
            ("Where is BT-BRANCH set?", K::DataUsage, Some("BT-BRANCH")),
            (
                "What is the PIC of LN-BAL?",
                K::DataDefinition,
                Some("LN-BAL"),
            ),
            ("What files does LONPF2 use?", K::Files, Some("LONPF2")),
            (
                "What are the dependencies of LONPF2?",
                K::Dependencies,
                Some("LONPF2"),
            ),
            ("What does the full set of code do?", K::Overview, None),
            ("How is a loan payment received?", K::BusinessProcess, None),
            ("What does UNKNOWN1 do?", K::Purpose, Some("UNKNOWN1")),
            ("how is bt-branch used", K::DataUsage, Some("BT-BRANCH")),
            ("Where is SCREEN used?", K::CopybookUsers, Some("SCREEN")),
            ("How is a LOAN PAYMENT posted?", K::BusinessProcess, None),
            ("Explain the SCREEN copybook", K::Purpose, Some("SCREEN")),
            (
                "What copybooks does SCREEN copy?",
                K::Copybooks,
                Some("SCREEN"),
            ),
            (
                "What programs use LONPF2.CPY?",
                K::CopybookUsers,
                Some("LONPF2"),
            ),
            (
                "Which program handles loan agreement (sa/ds)?",
                K::BusinessProcess,
                None,
            ),
            (
                "Which program handles reconstruction of rx-file (rescission index file)?",
                K::BusinessProcess,
                Some("RX-FILE"),
            ),
            (
                "Which program handles convert a15 files?",
                K::BusinessProcess,
                None,
            ),
            ("Show me a flow of DAILY.CBL", K::Flow, Some("DAILY")),
            ("Show me a flow for FXMENU", K::Flow, Some("FXMENU")),
            (
                "Show me a flow of user interface screens starting from the main program.",
                K::ScreenFlow,
                None,
            ),
            (
                "Show me a complete user screen flow from the main menu down to the bottom of the tree.",
                K::ScreenFlow,
                None,
            ),
        ];
        for (question, kind, subject) in cases {
            let got = classify(question, &corpus);
            assert_eq!(got.kind, *kind, "{question}");
            assert_eq!(got.subject.as_deref(), *subject, "{question}");
        }
    }

    #[test]
    fn a_known_name_wins_over_an_earlier_unknown_one() {
        let got = classify("In OTIS-X, what does LONPF2 do?", &corpus);
        assert_eq!(got.subject.as_deref(), Some("LONPF2"));
        assert_eq!(got.subject_kind, Some(SymbolKind::Program));
    }
}
