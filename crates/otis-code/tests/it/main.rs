//! The code model on a small corpus described fact by fact, as the reader reports the
//! OTIS idioms: a menu that runs programs through a form name, library copybooks, a
//! section in a procedure copybook, data items in a record copybook.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod corpus;
mod flow;
mod store;

use std::sync::Arc;

use otis_cobol::{
    Access, Call, CallKind, Copy, DataItem, DataRef, Edge, EdgeKind, FileDecl, Header, ProcKind,
    Procedure, SourceFacts, SourceKind, Transfer, Verb,
};
use otis_code::{CorpusModel, LineSource, SourceFile};
use otis_core::ports::{CodeModel, CodeQuestion, ItemGroup, Note, QuestionKind, SymbolKind};

/// Every line reads `FILE:LINE`, so tests can see which lines were cited.
#[derive(Debug)]
struct Echo;

impl LineSource for Echo {
    fn lines(&self, file: &str, start: u32, end: u32) -> Option<String> {
        Some(
            (start..=end)
                .map(|l| format!("{file}:{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

fn copy(path: &str, line: u32, in_procedure: bool) -> Copy {
    let base = path.rsplit('/').next().unwrap_or(path);
    Copy {
        member: base.trim_end_matches(".CPY").to_owned(),
        library: path.split_once('/').map(|(l, _)| l.to_owned()),
        path: path.to_owned(),
        line,
        in_procedure,
    }
}

fn dynamic(target: &str, line: u32, set_line: u32) -> Call {
    Call {
        target: target.rsplit('/').next().unwrap_or(target).to_owned(),
        path: Some(target.to_owned()),
        kind: CallKind::Dynamic,
        line,
        set_line: Some(set_line),
        via: Some("FORM-PROGX".into()),
        from: None,
    }
}

fn item(level: u8, name: &str, line: u32, parent: Option<&str>, pic: Option<&str>) -> DataItem {
    DataItem {
        level,
        name: name.into(),
        line,
        parent: parent.map(Into::into),
        pic: pic.map(Into::into),
        occurs: None,
        redefines: None,
        usage: None,
        value: None,
    }
}

/// References of one file: the interned names and the references.
fn references(refs: &[(&str, &str, Access, u32)]) -> (Vec<String>, Vec<DataRef>) {
    let mut names: Vec<String> = Vec::new();
    let refs = refs
        .iter()
        .map(|&(name, verb, access, line)| {
            let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.into());
                names.len() - 1
            });
            DataRef {
                name: i as u32,
                verb: Verb::new(verb),
                access,
                line,
            }
        })
        .collect();
    (names, refs)
}

fn perform(from: &str, target: &str, line: u32) -> Edge {
    Edge {
        from: Some(from.into()),
        target: target.into(),
        thru: None,
        kind: EdgeKind::Perform,
        line,
    }
}

fn program(id: &str, description: &str) -> SourceFacts {
    SourceFacts {
        kind: Some(SourceKind::Program),
        program_id: Some(id.into()),
        header: Header {
            description: Some(description.into()),
            description_line: Some(4),
            ..Header::default()
        },
        lines: 400,
        ..SourceFacts::default()
    }
}

fn corpus() -> CorpusModel {
    let mut menu = program("ACMENU", "ACCOUNTING MENU");
    menu.copies = vec![
        copy("LIBAC/ACMENU_WKS.CPY", 14, false),
        copy("LIBGB/SCREEN.CPY", 150, true),
    ];
    menu.calls = vec![dynamic("AC/PAYPST", 120, 80), dynamic("AC/ACRPT1", 120, 82)];
    menu.transfers = vec![Transfer {
        target: "MAINMN".into(),
        path: Some("GB/MAINMN".into()),
        line: 60,
        from: Some("MENU-EXIT".into()),
    }];

    let mut post = program("PAYPST", "POST LOAN PAYMENTS TO THE LEDGER");
    post.copies = vec![
        copy("LIBAC/PAYREC.CPY", 20, false),
        copy("LIBAC/DATECL.CPY", 300, true),
    ];
    post.files = vec![FileDecl {
        name: "PAY-FILE".into(),
        assign: "PAYTRAN".into(),
        line: 12,
    }];
    post.calls = vec![Call {
        target: "C$JUSTIFY".into(),
        path: None,
        kind: CallKind::Runtime,
        line: 90,
        set_line: None,
        via: None,
        from: None,
    }];
    post.procedures = vec![Procedure {
        name: "MAIN-LOGIC".into(),
        kind: ProcKind::Paragraph,
        line: 40,
        end_line: 60,
        section: None,
    }];
    post.edges = vec![perform("MAIN-LOGIC", "DATE-CHECK", 45)];
    (post.ref_names, post.refs) = references(&[
        ("PR-AMOUNT", "MOVE", Access::Write, 50),
        ("PR-AMOUNT", "IF", Access::Read, 55),
    ]);

    let mut report = program("ACRPT1", "DAILY ACCOUNTING REPORT");
    report.copies = vec![copy("LIBAC/PAYREC.CPY", 18, false)];
    (report.ref_names, report.refs) = references(&[("PR-AMOUNT", "ADD", Access::Read, 70)]);

    let payrec = SourceFacts {
        kind: Some(SourceKind::Copybook),
        data_items: vec![
            item(1, "PAY-REC", 1, None, None),
            item(3, "PR-AMOUNT", 2, Some("PAY-REC"), Some("S9(7)V99")),
        ],
        lines: 3,
        ..SourceFacts::default()
    };
    let datecl = SourceFacts {
        kind: Some(SourceKind::Copybook),
        procedures: vec![Procedure {
            name: "DATE-CHECK".into(),
            kind: ProcKind::Section,
            line: 1,
            end_line: 20,
            section: None,
        }],
        calls: vec![Call {
            target: "DATEUT".into(),
            path: None,
            kind: CallKind::Static,
            line: 8,
            set_line: None,
            via: None,
            from: Some("DATE-CHECK".into()),
        }],
        lines: 20,
        ..SourceFacts::default()
    };
    let wks = SourceFacts {
        kind: Some(SourceKind::Copybook),
        data_items: vec![item(1, "ACMENU-FIELDS", 1, None, None)],
        lines: 5,
        ..SourceFacts::default()
    };
    let files = [
        ("AC/ACMENU.CBL", menu),
        ("AC/PAYPST.CBL", post),
        ("AC/ACRPT1.CBL", report),
        ("LIBAC/PAYREC.CPY", payrec),
        ("LIBAC/DATECL.CPY", datecl),
        ("LIBAC/ACMENU_WKS.CPY", wks),
    ];
    CorpusModel::from_files(
        files
            .into_iter()
            .map(|(path, facts)| SourceFile {
                path: path.into(),
                facts,
            })
            .collect(),
        Vec::new(),
        Arc::new(Echo),
    )
    .unwrap()
}

fn ask(model: &CorpusModel, kind: QuestionKind, subject: &str) -> otis_core::ports::CodeFacts {
    model
        .facts(&CodeQuestion {
            kind,
            subject: Some(subject.into()),
            subject_kind: None,
            options: Default::default(),
            text: String::new(),
        })
        .unwrap()
        .unwrap_or_else(|| panic!("no facts for {kind:?} {subject}"))
}

fn names(facts: &otis_core::ports::CodeFacts) -> Vec<&str> {
    facts.items.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn identifies_every_kind_of_name() {
    let model = corpus();
    for (name, kind) in [
        ("ACMENU", SymbolKind::Program),
        ("paypst", SymbolKind::Program),
        ("DATEUT", SymbolKind::Program),
        ("LIBAC/PAYREC.CPY", SymbolKind::Copybook),
        ("SCREEN", SymbolKind::Copybook),
        ("DATE-CHECK", SymbolKind::Section),
        ("MAIN-LOGIC", SymbolKind::Paragraph),
        ("PR-AMOUNT", SymbolKind::DataItem),
    ] {
        assert_eq!(model.identify(name), Some(kind), "{name}");
    }
    assert_eq!(model.identify("NOSUCH"), None);
}

#[test]
fn purpose_comes_from_the_header_and_cites_it() {
    let facts = ask(&corpus(), QuestionKind::Purpose, "PAYPST");
    assert_eq!(
        facts.description.as_deref(),
        Some("POST LOAN PAYMENTS TO THE LEDGER")
    );
    assert_eq!(facts.file.as_deref(), Some("AC/PAYPST.CBL"));
    assert_eq!(facts.evidence[0].line, 4);
    assert_eq!(
        facts.evidence[0].text.lines().next(),
        Some("AC/PAYPST.CBL:4")
    );
}

#[test]
fn calls_include_dynamic_targets_and_copybook_calls_but_not_runtime_routines() {
    let model = corpus();
    let menu = ask(&model, QuestionKind::Calls, "ACMENU");
    assert_eq!(names(&menu), ["PAYPST", "ACRPT1"]);
    // The MOVE that names the program is cited.
    assert_eq!(menu.evidence[0].line, 80);
    assert!(
        menu.notes
            .iter()
            .any(|(l, v)| *l == Note::HandsControlBackTo && v == "GB/MAINMN")
    );
    let post = ask(&model, QuestionKind::Calls, "PAYPST");
    assert_eq!(names(&post), ["DATEUT"], "through its procedure copybook");
    assert!(
        post.notes
            .iter()
            .any(|(l, v)| *l == Note::RuntimeRoutines && v == "C$JUSTIFY")
    );
}

#[test]
fn callers_are_found_through_form_names_and_copybooks() {
    let model = corpus();
    let callers = ask(&model, QuestionKind::Callers, "PAYPST");
    assert_eq!(names(&callers), ["ACMENU"]);
    assert_eq!(
        callers.items[0].group.as_ref().map(ItemGroup::as_str),
        Some("AC")
    );
    let through = ask(&model, QuestionKind::Callers, "DATEUT");
    assert_eq!(names(&through), ["PAYPST"]);
    assert_eq!(through.items[0].file, "LIBAC/DATECL.CPY");
}

#[test]
fn copybook_users_and_copybooks_by_library() {
    let model = corpus();
    let users = ask(&model, QuestionKind::CopybookUsers, "PAYREC.CPY");
    assert_eq!(names(&users), ["ACRPT1", "PAYPST"]);
    let copies = ask(&model, QuestionKind::Copybooks, "ACMENU");
    assert_eq!(names(&copies), ["ACMENU_WKS", "SCREEN"]);
    assert_eq!(
        copies.items[0].group.as_ref().map(ItemGroup::as_str),
        Some("LIBAC")
    );
    assert_eq!(copies.items[0].detail.as_deref(), Some("working storage"));
    assert_eq!(
        copies.items[1].group.as_ref().map(ItemGroup::as_str),
        Some("LIBGB")
    );
}

#[test]
fn a_section_in_a_copybook_is_used_by_the_programs_that_perform_it() {
    let facts = ask(&corpus(), QuestionKind::ProcedureUsers, "DATE-CHECK");
    assert_eq!(facts.kind, QuestionKind::ProcedureUsers);
    assert_eq!(names(&facts), ["PAYPST"]);
    assert_eq!(facts.file.as_deref(), Some("LIBAC/DATECL.CPY"));
    assert!(
        facts
            .evidence
            .iter()
            .any(|e| e.file == "AC/PAYPST.CBL" && e.line == 45)
    );
}

#[test]
fn data_items_have_definitions_and_references() {
    let model = corpus();
    let def = ask(&model, QuestionKind::DataDefinition, "PR-AMOUNT");
    assert_eq!(def.items.len(), 1);
    assert_eq!(
        (def.items[0].file.as_str(), def.items[0].line),
        ("LIBAC/PAYREC.CPY", 2)
    );
    assert_eq!(
        def.items[0].detail.as_deref(),
        Some("level 03, PIC S9(7)V99, in PAY-REC")
    );
    let usage = ask(&model, QuestionKind::DataUsage, "PR-AMOUNT");
    let sites: Vec<(&str, u32)> = usage
        .items
        .iter()
        .map(|i| (i.file.as_str(), i.line))
        .collect();
    assert_eq!(
        sites,
        [
            ("AC/ACRPT1.CBL", 70),
            ("AC/PAYPST.CBL", 50),
            ("AC/PAYPST.CBL", 55)
        ]
    );
    assert_eq!(usage.items[1].detail.as_deref(), Some("changes it"));
    // "Who uses" a data item is its usage.
    assert_eq!(
        ask(&model, QuestionKind::Callers, "PR-AMOUNT").kind,
        QuestionKind::DataUsage
    );
}

#[test]
fn files_overview_and_business_process() {
    let model = corpus();
    let files = ask(&model, QuestionKind::Files, "PAYPST");
    assert_eq!(names(&files), ["PAY-FILE"]);
    let overview = model
        .facts(&CodeQuestion {
            kind: QuestionKind::Overview,
            subject: None,
            subject_kind: None,
            options: Default::default(),
            text: "What does the code do?".into(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(names(&overview), ["AC"]);
    let process = model
        .facts(&CodeQuestion {
            kind: QuestionKind::BusinessProcess,
            subject: None,
            subject_kind: None,
            options: Default::default(),
            text: "How are loan payments posted?".into(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(names(&process)[0], "PAYPST");
}
