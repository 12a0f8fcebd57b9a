//! Tables of questions and how they are read, against an invented corpus: corpus
//! questions in many phrasings, the kinds with a shape of their own, follow-ups over a
//! list, and questions that must keep their single-subject kinds.

use super::*;
use crate::corpus::{Cmp, Feature, FileAccess, Measure, NameMatch, Statement};
use crate::resolve::{QUERY_KEY, query_of, resolve};
use crate::turn::{Metadata, NewTurn, Seq, Timestamp, TurnId};
use crate::window::{MaxTurns, Window};

/// An invented corpus: what `identify` says of a name (paths are compared by their last
/// part, as the code model does).
fn corpus(name: &str) -> Option<SymbolKind> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base
        .strip_suffix(".CPY")
        .or_else(|| base.strip_suffix(".CBL"))
        .unwrap_or(base);
    Some(match base {
        "LONPF2" | "APIPAY" | "FXMENU" | "LPMENU" | "DAILY" | "DATEUTIL" | "SQLINF" | "PST823"
        | "TIM360" => SymbolKind::Program,
        "SCREEN" | "LP01LN" | "GB01B2" | "TRACE" => SymbolKind::Copybook,
        "CLEAR-FILE" => SymbolKind::Section,
        "MAIN-PARA" => SymbolKind::Paragraph,
        "BT-BRANCH" | "LN-BAL" | "OPTION-CODE" => SymbolKind::DataItem,
        "FX" | "UP" | "LP" | "LIBUP" | "LIBLP" => SymbolKind::Directory,
        "LN-FILE" | "PST-FILE" => SymbolKind::File,
        "O1O2O3" | "SPAVAL" => SymbolKind::Screen,
        _ => return None,
    })
}

fn all(entity: Entity) -> CorpusQuery {
    CorpusQuery::all(entity)
}

fn programs() -> CorpusQuery {
    all(Entity::Programs)
}

fn copybooks() -> CorpusQuery {
    all(Entity::Copybooks)
}

fn count(q: CorpusQuery) -> CorpusQuery {
    CorpusQuery { count: true, ..q }
}

fn most(q: CorpusQuery, m: Measure, limit: Option<usize>) -> CorpusQuery {
    CorpusQuery {
        order: Some(Order::Most(m)),
        limit,
        ..q
    }
}

fn in_(dir: &str) -> Filter {
    Filter::In(dir.into())
}

fn uses(s: Statement) -> Filter {
    Filter::Uses(s)
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

fn measure(m: Measure, cmp: Cmp, n: u64) -> Filter {
    Filter::Count(m, cmp, n)
}

fn name(m: NameMatch) -> Filter {
    Filter::Name(m)
}

fn access(file: &str, a: FileAccess) -> Filter {
    Filter::Accesses(file.into(), a)
}

fn written(from: Option<&str>, until: Option<&str>) -> Filter {
    Filter::Written {
        from: from.map(Into::into),
        until: until.map(Into::into),
    }
}

fn total(q: CorpusQuery, m: Measure) -> CorpusQuery {
    CorpusQuery {
        total: Some(m),
        ..q
    }
}

/// Corpus questions: the kind and the whole query.
#[test]
fn corpus_questions_compose() {
    use QuestionKind::{Count, Cycles, List, Ranking};
    use Statement as S;
    let cases: Vec<(&str, QuestionKind, CorpusQuery)> = vec![
        // Counts.
        (
            "How many programs are in FX?",
            Count,
            count(programs().with(in_("FX"))),
        ),
        (
            "how many copybooks does LIBUP hold",
            Count,
            count(copybooks().with(in_("LIBUP"))),
        ),
        (
            "Number of paragraphs in the whole codebase?",
            Count,
            count(all(Entity::Paragraphs)),
        ),
        (
            "Count the FX programs that use SORT",
            Count,
            count(programs().with(in_("FX")).with(uses(S::Sort))),
        ),
        (
            "How many variables are there?",
            Count,
            count(all(Entity::DataItems)),
        ),
        (
            "How many copy members live under LIBUP/A30SRC?",
            Count,
            count(copybooks().with(in_("LIBUP/A30SRC"))),
        ),
        (
            "How many screens are there?",
            Count,
            count(all(Entity::Screens)),
        ),
        (
            "How many menu options are there in total?",
            Count,
            count(all(Entity::MenuOptions)),
        ),
        (
            "How many programs call more than five others?",
            Count,
            count(programs().with(measure(Measure::Callees, Cmp::Gt, 5))),
        ),
        (
            "How many programs have no FD?",
            Count,
            count(programs().with(not(Filter::Has(Feature::FileDescription)))),
        ),
        (
            "what's the number of copybooks with DATE in their name",
            Count,
            count(copybooks().with(name(NameMatch::Contains("DATE".into())))),
        ),
        (
            "How many declared files are there?",
            Count,
            count(all(Entity::Files)),
        ),
        (
            "How many programs call nothing?",
            Count,
            count(programs().with(measure(Measure::Callees, Cmp::Eq, 0))),
        ),
        // Statements, features, negation.
        (
            "Which programs use SORT?",
            List,
            programs().with(uses(S::Sort)),
        ),
        (
            "which programs use sort",
            List,
            programs().with(uses(S::Sort)),
        ),
        (
            "List programs with EXEC SQL",
            List,
            programs().with(uses(S::ExecSql)),
        ),
        (
            "Which programs contain GO TO?",
            List,
            programs().with(uses(S::GoTo)),
        ),
        (
            "Programs that have STRING statements",
            List,
            programs().with(uses(S::String)),
        ),
        (
            "Which programs make dynamic calls?",
            List,
            programs().with(uses(S::CallVariable)),
        ),
        (
            "Which programs use CALL through a variable?",
            List,
            programs().with(uses(S::CallVariable)),
        ),
        (
            "Which programs do not use GO TO?",
            List,
            programs().with(not(uses(S::GoTo))),
        ),
        (
            "Programs without a SCREEN SECTION in FX",
            List,
            programs()
                .with(not(Filter::Has(Feature::ScreenSection)))
                .with(in_("FX")),
        ),
        (
            "Which programs use neither SORT nor MERGE?",
            List,
            programs()
                .with(not(uses(S::Sort)))
                .with(not(uses(S::Merge))),
        ),
        (
            "Which copybooks have 88-level items?",
            List,
            copybooks().with(Filter::Has(Feature::Level88)),
        ),
        (
            "Which programs have a LINKAGE SECTION?",
            List,
            programs().with(Filter::Has(Feature::LinkageSection)),
        ),
        (
            "Does any program use ALTER?",
            List,
            programs().with(uses(S::Alter)),
        ),
        (
            "What uses MOVE CORRESPONDING?",
            List,
            programs().with(uses(S::MoveCorresponding)),
        ),
        // Relations.
        (
            "Which programs copy SCREEN and use SORT?",
            List,
            programs()
                .with(Filter::Copies("SCREEN".into()))
                .with(uses(S::Sort)),
        ),
        (
            "Which programs in FX include LP01LN?",
            List,
            programs()
                .with(in_("FX"))
                .with(Filter::Copies("LP01LN".into())),
        ),
        (
            "Which programs call DATEUTIL and are in UP?",
            List,
            programs()
                .with(Filter::Calls("DATEUTIL".into()))
                .with(in_("UP")),
        ),
        (
            "Which programs reach DATEUTIL?",
            List,
            programs().with(Filter::Reaches("DATEUTIL".into())),
        ),
        (
            "Which programs copy LP01LN, directly or through other copybooks?",
            List,
            programs().with(Filter::Copies("LP01LN".into())),
        ),
        (
            "Which FX programs call DATEUTIL or SQLINF?",
            List,
            programs().with(in_("FX")).with(Filter::AnyOf(vec![
                Filter::Calls("DATEUTIL".into()),
                Filter::Calls("SQLINF".into()),
            ])),
        ),
        // Thresholds.
        (
            "Which copybooks are used by more than 10 programs?",
            List,
            copybooks().with(measure(Measure::Users, Cmp::Gt, 10)),
        ),
        (
            "copybooks in LIBLP with SQL used by more than 10 programs",
            List,
            copybooks()
                .with(in_("LIBLP"))
                .with(uses(S::ExecSql))
                .with(measure(Measure::Users, Cmp::Gt, 10)),
        ),
        (
            "Which programs are called by at least three programs?",
            List,
            programs().with(measure(Measure::Callers, Cmp::Ge, 3)),
        ),
        (
            "Programs with more than 500 lines",
            List,
            programs().with(measure(Measure::Lines, Cmp::Gt, 500)),
        ),
        (
            "Which programs are longer than 2000 lines?",
            List,
            programs().with(measure(Measure::Lines, Cmp::Gt, 2000)),
        ),
        (
            "Which programs have a complexity above 50?",
            List,
            programs().with(measure(Measure::Complexity, Cmp::Gt, 50)),
        ),
        (
            "programs with IF nesting deeper than 5",
            List,
            programs().with(measure(Measure::IfDepth, Cmp::Gt, 5)),
        ),
        (
            "Which programs nest IFs 4 or more levels deep?",
            List,
            programs().with(measure(Measure::IfDepth, Cmp::Ge, 4)),
        ),
        (
            "Which menus have more than 6 options?",
            List,
            all(Entity::Menus).with(measure(Measure::Options, Cmp::Gt, 6)),
        ),
        (
            "Which screens have at most 3 fields?",
            List,
            all(Entity::Screens).with(measure(Measure::Fields, Cmp::Le, 3)),
        ),
        (
            "Which programs have more than 10 GO TO statements?",
            List,
            programs()
                .with(measure(Measure::Statements, Cmp::Gt, 10))
                .with(uses(S::GoTo)),
        ),
        (
            "Which programs are called by exactly one program?",
            List,
            programs().with(measure(Measure::Callers, Cmp::Eq, 1)),
        ),
        (
            "programs with fewer than twenty lines",
            List,
            programs().with(measure(Measure::Lines, Cmp::Lt, 20)),
        ),
        // Graph properties.
        (
            "Which copybooks are never copied?",
            List,
            copybooks().with(Filter::NeverCopied),
        ),
        (
            "Show the unused copybooks in LIBUP",
            List,
            copybooks().with(Filter::NeverCopied).with(in_("LIBUP")),
        ),
        (
            "Which programs are dead?",
            List,
            programs().with(Filter::Orphan),
        ),
        (
            "List orphan programs",
            List,
            programs().with(Filter::Orphan),
        ),
        (
            "Which programs never get called by anything?",
            List,
            programs().with(Filter::Orphan),
        ),
        (
            "Which copybooks have never been copied?",
            List,
            copybooks().with(Filter::NeverCopied),
        ),
        (
            "Which programs in FX never get called?",
            List,
            programs().with(in_("FX")).with(Filter::Orphan),
        ),
        (
            "Which programs are not reached from any menu?",
            List,
            programs().with(Filter::Orphan),
        ),
        (
            "Which programs call programs that are not in the tree?",
            List,
            programs().with(Filter::CallsUnresolved),
        ),
        (
            "Which programs have unresolved calls?",
            List,
            programs().with(Filter::CallsUnresolved),
        ),
        (
            "List the missing programs",
            List,
            all(Entity::CallTargets).with(Filter::Unresolved),
        ),
        (
            "Which programs call themselves?",
            Cycles,
            programs().with(Filter::SelfCalling),
        ),
        (
            "Which programs in FX are recursive?",
            List,
            programs().with(in_("FX")).with(Filter::SelfCalling),
        ),
        (
            "Are there circular calls?",
            Cycles,
            programs().with(Filter::InCycle),
        ),
        (
            "Do any programs call each other?",
            Cycles,
            programs().with(Filter::InCycle),
        ),
        (
            "Which menus are leaf menus?",
            List,
            all(Entity::Menus).with(Filter::Leaf),
        ),
        (
            "Which files does nobody write?",
            List,
            all(Entity::Files).with(Filter::NeverWritten),
        ),
        (
            "Which screens are never loaded?",
            List,
            all(Entity::Screens).with(Filter::Orphan),
        ),
        // File access.
        (
            "Which programs write LN-FILE?",
            List,
            programs().with(access("LN-FILE", FileAccess::Write)),
        ),
        (
            "Which programs open PST-FILE for output?",
            List,
            programs().with(access("PST-FILE", FileAccess::OpenOutput)),
        ),
        (
            "Which programs open LN-FILE in EXTEND mode?",
            List,
            programs().with(access("LN-FILE", FileAccess::OpenExtend)),
        ),
        (
            "Who reads LN-FILE?",
            List,
            programs().with(access("LN-FILE", FileAccess::Read)),
        ),
        (
            "Which programs update LN-FILE?",
            List,
            programs().with(access("LN-FILE", FileAccess::Rewrite)),
        ),
        (
            "Which programs delete records from LN-FILE?",
            List,
            programs().with(access("LN-FILE", FileAccess::Delete)),
        ),
        // Names and directories.
        (
            "copybooks whose name starts with LP",
            List,
            copybooks().with(name(NameMatch::StartsWith("LP".into()))),
        ),
        (
            "Show programs starting with UP1",
            List,
            programs().with(name(NameMatch::StartsWith("UP1".into()))),
        ),
        (
            "Which copybooks end in LN?",
            List,
            copybooks().with(name(NameMatch::EndsWith("LN".into()))),
        ),
        (
            "programs named like DATE",
            List,
            programs().with(name(NameMatch::Contains("DATE".into()))),
        ),
        (
            "Show all copybooks with date in the name",
            List,
            copybooks().with(name(NameMatch::Contains("DATE".into()))),
        ),
        (
            "List the copybooks prefixed with GB",
            List,
            copybooks().with(name(NameMatch::StartsWith("GB".into()))),
        ),
        (
            "List the programs in the LP folder",
            List,
            programs().with(in_("LP")),
        ),
        (
            "Which programs outside FX use SORT?",
            List,
            programs().with(not(in_("FX"))).with(uses(S::Sort)),
        ),
        (
            "Which programs in FX were changed since 2022?",
            List,
            programs()
                .with(in_("FX"))
                .with(Filter::RevisedSince("2022-01-01".into())),
        ),
        ("List all programs", List, programs()),
        ("What menus are there?", List, all(Entity::Menus)),
        // Rankings.
        (
            "What are the 5 largest programs?",
            Ranking,
            most(programs(), Measure::Lines, Some(5)),
        ),
        (
            "Which copybook is used the most?",
            Ranking,
            most(copybooks(), Measure::Users, Some(1)),
        ),
        (
            "Top 10 most called programs",
            Ranking,
            most(programs(), Measure::Callers, Some(10)),
        ),
        (
            "Which program calls the most programs?",
            Ranking,
            most(programs(), Measure::Callees, Some(1)),
        ),
        (
            "What are the most complex programs in FX?",
            Ranking,
            most(programs().with(in_("FX")), Measure::Complexity, Some(5)),
        ),
        (
            "Which programs have the deepest IF nesting?",
            Ranking,
            most(programs(), Measure::IfDepth, Some(5)),
        ),
        (
            "List programs sorted by size",
            Ranking,
            most(programs(), Measure::Lines, None),
        ),
        (
            "List the copybooks sorted by number of programs using them",
            Ranking,
            most(copybooks(), Measure::Users, None),
        ),
        (
            "Rank programs by how many programs call them",
            Ranking,
            most(programs(), Measure::Callers, None),
        ),
        (
            "smallest copybooks in LIBUP",
            Ranking,
            CorpusQuery {
                order: Some(Order::Least(Measure::Lines)),
                limit: Some(5),
                ..copybooks().with(in_("LIBUP"))
            },
        ),
        (
            "What were the most recently updated programs?",
            Ranking,
            CorpusQuery {
                order: Some(Order::RecentlyRevised),
                limit: Some(5),
                ..programs()
            },
        ),
        (
            "Which menu has the most options?",
            Ranking,
            most(all(Entity::Menus), Measure::Options, Some(1)),
        ),
        (
            "the largest screen",
            Ranking,
            most(all(Entity::Screens), Measure::Fields, Some(1)),
        ),
        (
            "Which 3 programs in UP use SORT and are biggest?",
            Ranking,
            most(
                programs().with(in_("UP")).with(uses(S::Sort)),
                Measure::Lines,
                Some(3),
            ),
        ),
        (
            "first 10 programs in FX alphabetically",
            List,
            CorpusQuery {
                order: Some(Order::Name),
                limit: Some(10),
                ..programs().with(in_("FX"))
            },
        ),
        (
            "Which programs with the most GO TO statements?",
            Ranking,
            most(programs().with(uses(S::GoTo)), Measure::Statements, Some(5)),
        ),
        // Choices, zero and one, other words for the same measures.
        (
            "Which programs use SORT or MERGE?",
            List,
            programs().with(Filter::AnyOf(vec![uses(S::Sort), uses(S::Merge)])),
        ),
        (
            "Which programs open a file for output or extend?",
            List,
            programs().with(Filter::AnyOf(vec![
                Filter::AccessesAny(FileAccess::OpenOutput),
                Filter::AccessesAny(FileAccess::OpenExtend),
            ])),
        ),
        (
            "Which programs open files in input mode?",
            List,
            programs().with(Filter::AccessesAny(FileAccess::OpenInput)),
        ),
        (
            "Which programs open files?",
            List,
            programs().with(uses(S::Open)),
        ),
        (
            "Which programs in FX or UP use STRING?",
            List,
            programs()
                .with(Filter::AnyOf(vec![in_("FX"), in_("UP")]))
                .with(uses(S::String)),
        ),
        (
            "Which programs have no GO TO statements?",
            List,
            programs().with(not(uses(S::GoTo))),
        ),
        (
            "List the programs with at least one CALL statement",
            List,
            programs().with(uses(S::Call)),
        ),
        (
            "Programs using GOBACK instead of STOP RUN",
            List,
            programs().with(uses(S::Goback)).with(not(uses(S::StopRun))),
        ),
        (
            "programs over 2k lines",
            List,
            programs().with(measure(Measure::Lines, Cmp::Gt, 2000)),
        ),
        (
            "Which programs have no callers?",
            List,
            programs().with(measure(Measure::Callers, Cmp::Eq, 0)),
        ),
        (
            "Which programs are only called once?",
            List,
            programs().with(measure(Measure::Callers, Cmp::Eq, 1)),
        ),
        (
            "Which programs have more than 3 callers?",
            List,
            programs().with(measure(Measure::Callers, Cmp::Gt, 3)),
        ),
        (
            "Which programs create LN-FILE?",
            List,
            programs().with(access("LN-FILE", FileAccess::OpenOutput)),
        ),
        (
            "Which programs append to PST-FILE?",
            List,
            programs().with(access("PST-FILE", FileAccess::OpenExtend)),
        ),
        (
            "Which programs use LN-FILE for input?",
            List,
            programs().with(access("LN-FILE", FileAccess::OpenInput)),
        ),
        (
            "How many programs write files?",
            Count,
            count(programs().with(uses(S::Write))),
        ),
        (
            "Which programs were last revised in 2023?",
            List,
            programs()
                .with(Filter::RevisedSince("2023-01-01".into()))
                .with(not(Filter::RevisedSince("2024-01-01".into()))),
        ),
        (
            "Which menus don't lead to other menus?",
            List,
            all(Entity::Menus).with(Filter::Leaf),
        ),
        (
            "Which programs are called but not present in the source?",
            List,
            all(Entity::CallTargets).with(Filter::Unresolved),
        ),
        (
            "Which call targets don't have source?",
            List,
            all(Entity::CallTargets).with(Filter::Unresolved),
        ),
        (
            "What percentage of programs use GO TO?",
            Count,
            count(programs().with(uses(S::GoTo))),
        ),
        (
            "How many distinct data items are there?",
            Count,
            count(all(Entity::DataItems)),
        ),
        (
            "Which program is called by the most programs?",
            Ranking,
            most(programs(), Measure::Callers, Some(1)),
        ),
        (
            "Which programs have the largest number of callers?",
            Ranking,
            most(programs(), Measure::Callers, Some(5)),
        ),
        (
            "Which form has the most input fields?",
            Ranking,
            most(all(Entity::Screens), Measure::Fields, Some(1)),
        ),
        (
            "What is the deepest IF nesting in the codebase?",
            Ranking,
            most(programs(), Measure::IfDepth, Some(5)),
        ),
        (
            "Which programs can eventually call SQLINF?",
            List,
            programs().with(Filter::Reaches("SQLINF".into())),
        ),
        // The header's DATE-WRITTEN.
        (
            "which programs were written before 2000?",
            List,
            programs().with(written(None, Some("2000-01-01"))),
        ),
        (
            "which programs were written after 2015",
            List,
            programs().with(written(Some("2016-01-01"), None)),
        ),
        (
            "Which copybooks were written in 1998?",
            List,
            copybooks().with(written(Some("1998-01-01"), Some("1999-01-01"))),
        ),
        (
            "which programs have a date written before 2000?",
            List,
            programs().with(written(None, Some("2000-01-01"))),
        ),
        (
            "How many FX programs were written in the 1990s?",
            Count,
            count(
                programs()
                    .with(in_("FX"))
                    .with(written(Some("1990-01-01"), Some("2000-01-01"))),
            ),
        ),
        (
            "programs written in 2016 or later that use SORT",
            List,
            programs()
                .with(written(Some("2016-01-01"), None))
                .with(uses(S::Sort)),
        ),
        // Within one member: what its own file defines, or its measure.
        (
            "how many paragraphs does LONPF2 have?",
            Count,
            count(all(Entity::Paragraphs).with(Filter::DefinedIn("LONPF2".into()))),
        ),
        (
            "How many sections are in LONPF2?",
            Count,
            count(all(Entity::Sections).with(Filter::DefinedIn("LONPF2".into()))),
        ),
        (
            "how many data items does SCREEN define",
            Count,
            count(all(Entity::DataItems).with(Filter::DefinedIn("SCREEN".into()))),
        ),
        (
            "list the paragraphs of LONPF2",
            List,
            all(Entity::Paragraphs).with(Filter::DefinedIn("LONPF2".into())),
        ),
        (
            "how many lines does LONPF2 have?",
            Count,
            total(
                count(programs().with(name(NameMatch::Exactly("LONPF2".into())))),
                Measure::Lines,
            ),
        ),
        (
            "What is the cyclomatic complexity of LONPF2?",
            Count,
            total(
                programs().with(name(NameMatch::Exactly("LONPF2".into()))),
                Measure::Complexity,
            ),
        ),
        (
            "How many lines of code are in FX?",
            Count,
            total(count(programs().with(in_("FX"))), Measure::Lines),
        ),
        // "FX program" is a program in FX: the noun is what is listed, in the singular.
        (
            "which FX program has the deepest IF nesting?",
            Ranking,
            most(programs().with(in_("FX")), Measure::IfDepth, Some(1)),
        ),
        (
            "how many GO TO statements does LONPF2 have?",
            Count,
            total(
                count(
                    programs()
                        .with(uses(S::GoTo))
                        .with(name(NameMatch::Exactly("LONPF2".into()))),
                ),
                Measure::Statements,
            ),
        ),
        (
            "are there recursive calls?",
            Cycles,
            programs().with(Filter::SelfCalling),
        ),
        (
            "which option runs DAILY?",
            List,
            all(Entity::MenuOptions).with(Filter::Runs("DAILY".into())),
        ),
        // Measures of a file's own definitions.
        (
            "which program has the most paragraphs?",
            Ranking,
            most(programs(), Measure::Paragraphs, Some(1)),
        ),
        (
            "which program has the most paragraphs in it",
            Ranking,
            most(programs(), Measure::Paragraphs, Some(1)),
        ),
        (
            "Which programs have more than 100 sections?",
            List,
            programs().with(measure(Measure::Sections, Cmp::Gt, 100)),
        ),
        (
            "Rank the copybooks by number of data items",
            Ranking,
            most(copybooks(), Measure::DataItems, None),
        ),
        // Unused, by what is listed.
        (
            "any dead copybooks in LIBUP?",
            List,
            copybooks().with(Filter::NeverCopied).with(in_("LIBUP")),
        ),
        (
            "any dead code in FX?",
            List,
            programs().with(Filter::Orphan).with(in_("FX")),
        ),
        (
            "Which copybooks are dead code?",
            List,
            copybooks().with(Filter::NeverCopied),
        ),
        (
            "Which paragraphs are never performed?",
            List,
            all(Entity::Paragraphs).with(Filter::NeverPerformed),
        ),
        (
            "unused data items in LONPF2",
            List,
            all(Entity::DataItems)
                .with(Filter::NeverReferenced)
                .with(Filter::DefinedIn("LONPF2".into())),
        ),
        // Callers of programs without source.
        (
            "which programs in FX call something that's missing from the codebase?",
            List,
            programs().with(in_("FX")).with(Filter::CallsUnresolved),
        ),
        (
            "Which FX programs call a program that is not in the corpus?",
            List,
            programs().with(in_("FX")).with(Filter::CallsUnresolved),
        ),
        (
            "do any programs call each other recursively?",
            Cycles,
            programs().with(Filter::InCycle),
        ),
        // What runs a program from a menu.
        (
            "which menu option runs DAILY?",
            List,
            all(Entity::MenuOptions).with(Filter::Runs("DAILY".into())),
        ),
        (
            "Which menu runs DAILY?",
            List,
            all(Entity::Menus).with(Filter::Runs("DAILY".into())),
        ),
    ];
    let mut failures = Vec::new();
    for (question, kind, query) in &cases {
        let got = classify(question, &corpus);
        if got.kind != *kind || got.options.corpus.as_ref() != Some(query) {
            failures.push(format!(
                "{question}\n   want {kind:?} {query:?}\n   got  {:?} {:?} subject {:?}",
                got.kind, got.options.corpus, got.subject
            ));
        }
    }
    assert!(cases.len() >= 60);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A question, its kind, subject, menu option and depth.
type Shaped<'a> = (
    &'a str,
    QuestionKind,
    Option<&'a str>,
    Option<u32>,
    Option<usize>,
);

/// The kinds with a shape of their own: kind, subject, option and depth.
#[test]
fn shaped_kinds() {
    use QuestionKind as K;
    let cases: &[Shaped<'_>] = &[
        (
            "What would be affected if I changed SCREEN?",
            K::Impact,
            Some("SCREEN"),
            None,
            None,
        ),
        (
            "What breaks if LONPF2 changes?",
            K::Impact,
            Some("LONPF2"),
            None,
            None,
        ),
        (
            "Impact of changing BT-BRANCH, depth 2",
            K::Impact,
            Some("BT-BRANCH"),
            None,
            Some(2),
        ),
        (
            "What depends on TIM360?",
            K::Impact,
            Some("TIM360"),
            None,
            None,
        ),
        (
            "If I modify CLEAR-FILE, what else is affected?",
            K::Impact,
            Some("CLEAR-FILE"),
            None,
            None,
        ),
        (
            "What is the longest call chain?",
            K::CallChain,
            None,
            None,
            None,
        ),
        (
            "Longest chain of calls starting at FXMENU",
            K::CallChain,
            Some("FXMENU"),
            None,
            None,
        ),
        (
            "How deep is the call chain from DAILY?",
            K::CallChain,
            Some("DAILY"),
            None,
            None,
        ),
        (
            "What does LONPF2 do with its files?",
            K::Crud,
            Some("LONPF2"),
            None,
            None,
        ),
        (
            "Show the CRUD row for PST823",
            K::Crud,
            Some("PST823"),
            None,
            None,
        ),
        (
            "Which files does PST823 write?",
            K::Crud,
            Some("PST823"),
            None,
            None,
        ),
        (
            "What options does FXMENU offer?",
            K::MenuOptions,
            Some("FXMENU"),
            None,
            None,
        ),
        (
            "What does option 4 of FXMENU run?",
            K::MenuOptions,
            Some("FXMENU"),
            Some(4),
            None,
        ),
        (
            "What's on the LPMENU menu?",
            K::MenuOptions,
            Some("LPMENU"),
            None,
            None,
        ),
        (
            "Which program runs when I choose the third option on FXMENU?",
            K::MenuOptions,
            Some("FXMENU"),
            Some(3),
            None,
        ),
        (
            "What does option 2 run?",
            K::MenuOptions,
            None,
            Some(2),
            None,
        ),
        (
            "How do I get to DAILY from the main menu?",
            K::MenuPath,
            Some("DAILY"),
            None,
            None,
        ),
        (
            "Which menu path leads to LONPF2?",
            K::MenuPath,
            Some("LONPF2"),
            None,
            None,
        ),
        (
            "How can I reach APIPAY?",
            K::MenuPath,
            Some("APIPAY"),
            None,
            None,
        ),
        (
            "What is the application's entry point?",
            K::EntryPoint,
            None,
            None,
            None,
        ),
        (
            "What starts the application?",
            K::EntryPoint,
            None,
            None,
            None,
        ),
        ("Which is the main menu?", K::EntryPoint, None, None, None),
        (
            "Where does the system start?",
            K::EntryPoint,
            None,
            None,
            None,
        ),
        (
            "What fields does screen O1O2O3 have?",
            K::ScreenFields,
            Some("O1O2O3"),
            None,
            None,
        ),
        (
            "List the fields on the SPAVAL form",
            K::ScreenFields,
            Some("SPAVAL"),
            None,
            None,
        ),
        (
            "What fields are on the DAILY screen?",
            K::ScreenFields,
            Some("DAILY"),
            None,
            None,
        ),
        (
            "If I change LP01LN, which programs need to be recompiled?",
            K::Impact,
            Some("LP01LN"),
            None,
            None,
        ),
        (
            "Show the longest sequence of calls",
            K::CallChain,
            None,
            None,
            None,
        ),
        (
            "Where can I find DAILY in the menus?",
            K::MenuPath,
            Some("DAILY"),
            None,
            None,
        ),
        (
            "What's the first screen a user sees?",
            K::EntryPoint,
            None,
            None,
            None,
        ),
        (
            "What are the options on the main menu?",
            K::MenuOptions,
            None,
            None,
            None,
        ),
        (
            "show me the screen navigation starting from FXMENU",
            K::ScreenFlow,
            Some("FXMENU"),
            None,
            None,
        ),
        (
            "the menu navigation from LPMENU down",
            K::ScreenFlow,
            Some("LPMENU"),
            None,
            None,
        ),
        (
            "how does LPMENU end up calling DATEUTIL?",
            K::CallChain,
            Some("LPMENU"),
            None,
            None,
        ),
        (
            "Show the call path from FXMENU to LONPF2",
            K::CallChain,
            Some("FXMENU"),
            None,
            None,
        ),
        (
            "How is DATEUTIL reached from LPMENU?",
            K::CallChain,
            Some("LPMENU"),
            None,
            None,
        ),
        (
            "How do I get to DAILY from the main menu?",
            K::MenuPath,
            Some("DAILY"),
            None,
            None,
        ),
    ];
    for (question, kind, subject, option, depth) in cases {
        let got = classify(question, &corpus);
        assert_eq!(got.kind, *kind, "{question}: {:?}", got.options.corpus);
        assert_eq!(got.subject.as_deref(), *subject, "{question}");
        assert_eq!(got.options.option, *option, "{question}");
        assert_eq!(got.options.depth, *depth, "{question}");
    }
}

/// Questions that are not about the corpus as a whole keep their kinds and subjects.
#[test]
fn single_subject_questions_are_not_corpus_questions() {
    use QuestionKind as K;
    let cases: &[(&str, K, Option<&str>)] = &[
        ("Which programs call LONPF2?", K::Callers, Some("LONPF2")),
        ("Who calls DATEUTIL?", K::Callers, Some("DATEUTIL")),
        ("What is LONPF2 used for?", K::Purpose, Some("LONPF2")),
        ("What is SCREEN.CPY used for?", K::Purpose, Some("SCREEN")),
        (
            "Where is SCREEN.CPY used?",
            K::CopybookUsers,
            Some("SCREEN"),
        ),
        (
            "Tell me about the variable LN-BAL, what is it used for?",
            K::DataDefinition,
            Some("LN-BAL"),
        ),
        (
            "What programs use SCREEN.CPY?",
            K::CopybookUsers,
            Some("SCREEN"),
        ),
        (
            "Which programs use copybook NOSUCH1?",
            K::CopybookUsers,
            Some("NOSUCH1"),
        ),
        (
            "What copybooks does LONPF2 use?",
            K::Copybooks,
            Some("LONPF2"),
        ),
        ("What programs does APIPAY call?", K::Calls, Some("APIPAY")),
        (
            "Which programs are called by FXMENU?",
            K::Calls,
            Some("FXMENU"),
        ),
        ("What files does LONPF2 use?", K::Files, Some("LONPF2")),
        ("Which program handles late fees?", K::BusinessProcess, None),
        (
            "How many programs handle loan payments?",
            K::BusinessProcess,
            None,
        ),
        (
            "List the programs that post payments",
            K::BusinessProcess,
            None,
        ),
        ("How are late fees posted?", K::BusinessProcess, None),
        ("Trace the flow of DAILY", K::Flow, Some("DAILY")),
        ("Show me a flow of FXMENU", K::Flow, Some("FXMENU")),
        ("Where is LN-BAL modified?", K::DataUsage, Some("LN-BAL")),
        (
            "Where is OPTION-CODE used?",
            K::DataUsage,
            Some("OPTION-CODE"),
        ),
        ("What does the full set of code do?", K::Overview, None),
        (
            "Show me the screens from FXMENU down",
            K::ScreenFlow,
            Some("FXMENU"),
        ),
        (
            "Show me a complete user screen flow from the main menu down to the bottom of the tree.",
            K::ScreenFlow,
            None,
        ),
        ("Explain FXMENU", K::Purpose, Some("FXMENU")),
        (
            "What does the TRACE copybook do?",
            K::Purpose,
            Some("TRACE"),
        ),
        ("What does NOSUCH1 do?", K::Purpose, Some("NOSUCH1")),
        ("Where is TIM360 used?", K::Callers, Some("TIM360")),
        ("What does SORT do?", K::BusinessProcess, None),
        // The subject is the one called.
        (
            "is LONPF2 called from anywhere?",
            K::Callers,
            Some("LONPF2"),
        ),
        (
            "where does lonpf2 get called from?",
            K::Callers,
            Some("LONPF2"),
        ),
        ("where is LONPF2 called from?", K::Callers, Some("LONPF2")),
        ("Is DATEUTIL ever invoked?", K::Callers, Some("DATEUTIL")),
        (
            "where's the CLEAR-FILE section called from?",
            K::ProcedureUsers,
            Some("CLEAR-FILE"),
        ),
        ("What is called from FXMENU?", K::Calls, Some("FXMENU")),
        // Its dependencies, not what depends on it.
        (
            "what does LONPF2 depend on?",
            K::Dependencies,
            Some("LONPF2"),
        ),
        ("What does APIPAY rely on?", K::Dependencies, Some("APIPAY")),
        ("Does LONPF2 call DATEUTIL?", K::Calls, Some("LONPF2")),
        ("Who runs DAILY?", K::Callers, Some("DAILY")),
        // Counts a single-member kind answers with its list.
        (
            "How many COPY statements are in LONPF2?",
            K::Copybooks,
            Some("LONPF2"),
        ),
        ("how many calls does LONPF2 make?", K::Calls, Some("LONPF2")),
        (
            "how many copybooks does LONPF2 copy?",
            K::Copybooks,
            Some("LONPF2"),
        ),
    ];
    for (question, kind, subject) in cases {
        let got = classify(question, &corpus);
        assert_eq!(
            (got.kind, got.subject.as_deref()),
            (*kind, *subject),
            "{question}: {:?}",
            got.options.corpus
        );
    }
}

/// A statement word, a directory or an opening verb is never the subject.
#[test]
fn words_that_are_never_the_subject() {
    for question in [
        "Which programs use SORT?",
        "How many programs are in FX?",
        "Trace how a payment is posted",
        "Show how interest is computed",
        "List how fees are charged",
    ] {
        let found = subject(question, &corpus);
        assert_eq!(found, None, "{question}");
    }
}

fn window_after(turns: &[(&str, Option<&CodeQuestion>)]) -> Window {
    Window::from_turns(
        MaxTurns::DEFAULT,
        turns.iter().enumerate().map(|(i, (text, asked))| {
            let mut metadata = Metadata::new();
            if let Some(query) = asked.and_then(query_of)
                && let Ok(value) = serde_json::to_value(query)
            {
                metadata.insert(QUERY_KEY.into(), value);
            }
            if let Some(subject) = asked.and_then(|q| q.subject.clone()) {
                metadata.insert("subject".into(), subject.into());
            }
            NewTurn {
                id: TurnId::parse(format!("t{i}")).unwrap(),
                at: Timestamp::EPOCH,
                user: (*text).into(),
                assistant: String::new(),
                metadata,
            }
            .at_seq(Seq(i as u64))
        }),
    )
}

/// Asks `questions` in one conversation, each resolved and classified after the turns
/// before it; returns the last classification.
fn conversation(questions: &[&str]) -> CodeQuestion {
    let mut asked: Vec<(String, CodeQuestion)> = Vec::new();
    for question in questions {
        let turns: Vec<(&str, Option<&CodeQuestion>)> =
            asked.iter().map(|(t, q)| (t.as_str(), Some(q))).collect();
        let window = window_after(&turns);
        let resolution = resolve(question, &window);
        let got = classify_after(&resolution.question, &corpus, resolution.previous.as_ref());
        asked.push(((*question).to_owned(), got));
    }
    asked.pop().map(|(_, q)| q).unwrap()
}

#[test]
fn follow_ups_refine_the_previous_list() {
    use QuestionKind::{Count, List, Ranking};
    let sql = || programs().with(uses(Statement::ExecSql));
    let cases: Vec<(&[&str], QuestionKind, CorpusQuery)> = vec![
        (
            &["Which programs use EXEC SQL?", "Which of those are in LP?"],
            List,
            sql().with(in_("LP")),
        ),
        (
            &[
                "Which programs use EXEC SQL?",
                "how many of them call TIM360?",
            ],
            Count,
            count(sql().with(Filter::Calls("TIM360".into()))),
        ),
        (
            &["List the programs in FX", "only the ones that use SQL"],
            List,
            programs().with(in_("FX")).with(uses(Statement::ExecSql)),
        ),
        (
            &["How many programs in UP use SORT?", "and in FX?"],
            Count,
            count(programs().with(uses(Statement::Sort)).with(in_("FX"))),
        ),
        (
            &["Which programs use EXEC SQL?", "sorted by size"],
            Ranking,
            most(sql(), Measure::Lines, None),
        ),
        (
            &[
                "Which programs use EXEC SQL?",
                "Which of those are in LP?",
                "Only the ones that use GO TO",
                "How many of them call DATEUTIL?",
            ],
            Count,
            count(
                sql()
                    .with(in_("LP"))
                    .with(uses(Statement::GoTo))
                    .with(Filter::Calls("DATEUTIL".into())),
            ),
        ),
        (
            &["Who calls DATEUTIL?", "Which of them are in FX?"],
            List,
            programs()
                .with(Filter::Calls("DATEUTIL".into()))
                .with(in_("FX")),
        ),
        (
            &[
                "Which copybooks are never copied?",
                "which of these are in LIBUP",
            ],
            List,
            copybooks().with(Filter::NeverCopied).with(in_("LIBUP")),
        ),
        (
            &["Which programs use SORT?", "What about MERGE?"],
            List,
            programs().with(uses(Statement::Merge)),
        ),
        (
            &[
                "What are the 5 largest programs in FX?",
                "How many of them use SORT?",
            ],
            Count,
            count(programs().with(in_("FX")).with(uses(Statement::Sort))),
        ),
    ];
    for (questions, kind, query) in cases {
        let got = conversation(questions);
        assert_eq!(got.kind, kind, "{questions:?}");
        assert_eq!(got.options.corpus, Some(query), "{questions:?}");
    }
}

#[test]
fn a_new_question_after_a_list_is_not_a_refinement() {
    let got = conversation(&["Which programs use EXEC SQL?", "What does LONPF2 do?"]);
    assert_eq!(got.kind, QuestionKind::Purpose);
    let got = conversation(&[
        "Which programs use EXEC SQL?",
        "How many copybooks are in LIBUP?",
    ]);
    assert_eq!(
        got.options.corpus,
        Some(count(copybooks().with(in_("LIBUP"))))
    );
    // Without a list before, "those" refers to nothing.
    let got = conversation(&["Which of those are in LP?"]);
    assert_ne!(got.kind, QuestionKind::List);
    // "What does option 1 run?" after a menu names the menu.
    let got = conversation(&["What options does LPMENU offer?", "What does option 1 run?"]);
    assert_eq!(
        (got.kind, got.subject.as_deref(), got.options.option),
        (QuestionKind::MenuOptions, Some("LPMENU"), Some(1))
    );
}

/// A call chain asked between two programs carries its end as the programs that reach it.
#[test]
fn a_path_between_two_programs_ends_at_the_second() {
    for question in [
        "how does LPMENU end up calling DATEUTIL?",
        "What is the call path from LPMENU to DATEUTIL?",
        "How does DATEUTIL get called from LPMENU?",
    ] {
        let got = classify(question, &corpus);
        assert_eq!(got.kind, QuestionKind::CallChain, "{question}");
        assert_eq!(got.subject.as_deref(), Some("LPMENU"), "{question}");
        assert_eq!(
            got.options.corpus,
            Some(programs().with(Filter::Reaches("DATEUTIL".into()))),
            "{question}"
        );
    }
}
