//! Questions about the corpus as a whole, on a small invented corpus in the OTIS idiom:
//! counts, filters, rankings, unused and orphan code, impact, chains, files, menus.

use std::collections::HashMap;
use std::sync::Arc;

use otis_code::{CorpusModel, FormFile, LineSource, SourceFile};
use otis_core::corpus::{
    Cmp, CorpusQuery, Entity, Feature, FileAccess, Filter, Measure, NameMatch, Order, Statement,
};
use otis_core::ports::{CodeFacts, CodeModel, CodeQuestion, Note, QuestionKind, QuestionOptions};

#[derive(Debug)]
struct Texts(HashMap<String, String>);

impl LineSource for Texts {
    fn lines(&self, file: &str, start: u32, end: u32) -> Option<String> {
        let text = self.0.get(file)?;
        let lines: Vec<&str> = text
            .lines()
            .skip(start.saturating_sub(1) as usize)
            .take((end + 1).saturating_sub(start) as usize)
            .collect();
        Some(lines.join("\n"))
    }
}

fn fixed(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| {
            if let Some(rest) = l.strip_prefix('*') {
                format!("      *{rest}\n")
            } else {
                format!("       {l}\n")
            }
        })
        .collect()
}

fn corpus() -> CorpusModel {
    let menu = fixed(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID. ACMENU.",
        "DATA DIVISION.",
        "WORKING-STORAGE SECTION.",
        "01  FORM-NAM PIC X(20).",
        "01  FORM-BUF PIC 9.",
        "PROCEDURE DIVISION.",
        "GET-OPTION.",
        "    GO TO M01 M02 DEPENDING ON FORM-BUF.",
        "M01.",
        "    MOVE \"AC/PAYPST\" TO FORM-NAM.",
        "    GO TO RUN-PROG.",
        "M02.",
        "    MOVE \"AC/ACRPT1\" TO FORM-NAM.",
        "    GO TO RUN-PROG.",
        "RUN-PROG.",
        "    CALL FORM-PROGX.",
        "    GO TO GET-OPTION.",
    ]);
    let post = fixed(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID. PAYPST.",
        "ENVIRONMENT DIVISION.",
        "FILE-CONTROL.",
        "    COPY \"LIBAC/ACFSPAY.CPY\".",
        "DATA DIVISION.",
        "FILE SECTION.",
        "    COPY \"LIBAC/ACFDPAY.CPY\".",
        "WORKING-STORAGE SECTION.",
        "    COPY \"LIBAC/PAYWKS.CPY\".",
        "PROCEDURE DIVISION.",
        "MAIN-LINE.",
        "    OPEN EXTEND PAY-FILE.",
        "    EXEC SQL SELECT 1 INTO :PAY-AMT FROM DUAL END-EXEC.",
        "    PERFORM POST-IT.",
        "    CLOSE PAY-FILE.",
        "    EXIT PROGRAM.",
        "*   POST ONE PAYMENT TO THE FILE",
        "POST-IT.",
        "    MOVE 5 TO PAY-AMT.",
        "    IF PAY-AMT > 1",
        "        WRITE PAY-REC",
        "    END-IF.",
        "    CALL \"DATEUT\" USING PAY-AMT.",
    ]);
    let report = fixed(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID. ACRPT1.",
        "PROCEDURE DIVISION.",
        "MAIN-LINE.",
        "    SORT SORT-FILE ON ASCENDING KEY SK USING IN-FILE GIVING OUT-FILE.",
        "    CALL \"PAYPST\".",
        "    EXIT PROGRAM.",
    ]);
    let lonely = fixed(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID. LONELY.",
        "DATE-WRITTEN. 01/27/84.",
        "PROCEDURE DIVISION.",
        "MAIN-LINE.",
        "    GOBACK.",
    ]);
    let fs = fixed(&["SELECT PAY-FILE ASSIGN TO \"PAYFILE\"."]);
    let fd = fixed(&["FD  PAY-FILE.", "01  PAY-REC.", "    05  PAY-KEY PIC 9(6)."]);
    let wks = fixed(&[
        "01  PAY-WS.",
        "    05  PAY-AMT PIC 9(5)V99.",
        "    88  PAY-ZERO VALUE 0.",
    ]);
    let unused = fixed(&["01  OLD-REC.", "    05  OLD-FIELD PIC X."]);
    let old_copy = fixed(&["01  PAY-WS.", "    05  PAY-AMT PIC 9(5)."]);
    let sources = [
        ("AC/ACMENU.CBL", menu),
        ("AC/PAYPST.CBL", post),
        ("AC/ACRPT1.CBL", report),
        ("GB/LONELY.CBL", lonely),
        ("LIBAC/ACFSPAY.CPY", fs),
        ("LIBAC/ACFDPAY.CPY", fd),
        ("LIBAC/PAYWKS.CPY", wks),
        ("LIBAC/OLDREC.CPY", unused),
        ("LIBAC/A15SRC/PAYWKS.CPY", old_copy),
    ];
    let form = "p\n1. POST PAYMENTS\n5\n10\n0\np\n2. PAYMENT REPORT\n6\n10\n0\nf\nTITLE1\nPAYMENTS MENU\nX(20)\n1\n30\n0\n0\n0\n0\n0\n0\n0\n0\n0\n0\n0\n";
    let mut texts = HashMap::new();
    let files = sources
        .iter()
        .map(|(path, text)| {
            texts.insert((*path).to_owned(), text.clone());
            SourceFile {
                path: (*path).to_owned(),
                facts: otis_cobol::read(path, text),
            }
        })
        .collect();
    texts.insert("FM/XX/AC/ACMENU".to_owned(), form.to_owned());
    let forms = vec![FormFile {
        path: "FM/XX/AC/ACMENU".into(),
        form: otis_cobol::read_form(form),
    }];
    CorpusModel::from_files(files, forms, Arc::new(Texts(texts))).unwrap()
}

fn ask(
    model: &CorpusModel,
    kind: QuestionKind,
    subject: Option<&str>,
    options: QuestionOptions,
) -> CodeFacts {
    model
        .facts(&CodeQuestion {
            kind,
            subject: subject.map(Into::into),
            subject_kind: subject.and_then(|s| model.identify(s)),
            options,
            text: String::new(),
        })
        .unwrap()
        .unwrap_or_else(|| panic!("no facts for {kind:?}"))
}

fn list(model: &CorpusModel, query: CorpusQuery) -> CodeFacts {
    let kind = if query.order.is_some() {
        QuestionKind::Ranking
    } else if query.count {
        QuestionKind::Count
    } else {
        QuestionKind::List
    };
    ask(
        model,
        kind,
        None,
        QuestionOptions {
            corpus: Some(query),
            ..QuestionOptions::default()
        },
    )
}

fn names(facts: &CodeFacts) -> Vec<&str> {
    facts.items.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn counts_lists_and_filters() {
    let model = corpus();
    let all = list(
        &model,
        CorpusQuery {
            count: true,
            ..CorpusQuery::all(Entity::Copybooks)
        },
    );
    assert_eq!(all.note(Note::Count), Some("5"));
    let sql = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Uses(Statement::ExecSql)),
    );
    assert_eq!(names(&sql), ["PAYPST"]);
    assert_eq!(
        sql.items[0].line, 14,
        "shown at the statement that proves it"
    );
    let sort = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Uses(Statement::Merge)),
    );
    assert!(sort.items.is_empty());
    assert_eq!(sort.note(Note::Count), Some("0"));
    let named = list(
        &model,
        CorpusQuery::all(Entity::Copybooks).with(Filter::Name(NameMatch::Contains("PAY".into()))),
    );
    assert_eq!(
        names(&named),
        ["PAYWKS", "ACFDPAY", "ACFSPAY", "PAYWKS"],
        "in path order"
    );
    let in_lib = list(
        &model,
        CorpusQuery::all(Entity::Copybooks)
            .with(Filter::In("LIBAC/A15SRC".into()))
            .with(Filter::Not(Box::new(Filter::Has(Feature::Level88)))),
    );
    assert_eq!(names(&in_lib), ["PAYWKS"]);
    let fds = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Has(Feature::FileDescription)),
    );
    assert_eq!(names(&fds), ["PAYPST"]);
    let copies = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Copies("PAYWKS".into())),
    );
    assert_eq!(names(&copies), ["PAYPST"]);
    let callers = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Count(Measure::Callers, Cmp::Ge, 1)),
    );
    assert_eq!(names(&callers), ["ACRPT1", "PAYPST", "DATEUT"]);
}

#[test]
fn unused_orphans_unresolved_and_rankings() {
    let model = corpus();
    let unused = list(
        &model,
        CorpusQuery::all(Entity::Copybooks).with(Filter::NeverCopied),
    );
    assert_eq!(names(&unused), ["PAYWKS", "OLDREC"]);
    let orphans = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Orphan),
    );
    assert_eq!(names(&orphans), ["ACMENU", "LONELY"]);
    let missing = list(&model, CorpusQuery::all(Entity::CallTargets));
    assert_eq!(names(&missing), ["DATEUT"]);
    let largest = list(
        &model,
        CorpusQuery {
            order: Some(Order::Most(Measure::Lines)),
            limit: Some(2),
            ..CorpusQuery::all(Entity::Programs)
        },
    );
    assert_eq!(names(&largest), ["PAYPST", "ACMENU"]);
    assert_eq!(largest.note(Note::Matching), Some("4"));
    assert_eq!(largest.items[0].detail.as_deref(), Some("24"));
}

#[test]
fn impact_chains_files_and_menus() {
    let model = corpus();
    let impact = ask(
        &model,
        QuestionKind::Impact,
        Some("ACFDPAY"),
        QuestionOptions::default(),
    );
    let levels: Vec<(String, String)> = impact
        .items
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.group.as_ref().map(|g| g.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("PAYPST".to_owned(), "level 1".to_owned()),
            ("ACMENU".to_owned(), "level 2".to_owned()),
            ("ACRPT1".to_owned(), "level 2".to_owned()),
        ]
    );
    let chain = ask(
        &model,
        QuestionKind::CallChain,
        None,
        QuestionOptions::default(),
    );
    assert_eq!(names(&chain), ["ACMENU", "ACRPT1", "PAYPST", "DATEUT"]);
    assert_eq!(chain.note(Note::Count), Some("3"));
    let crud = ask(
        &model,
        QuestionKind::Crud,
        Some("PAYPST"),
        QuestionOptions::default(),
    );
    assert_eq!(names(&crud), ["PAY-FILE"]);
    assert_eq!(crud.items[0].detail.as_deref(), Some("OPEN EXTEND, WRITE"));
    let writers = list(
        &model,
        CorpusQuery::all(Entity::Programs)
            .with(Filter::Accesses("PAY-FILE".into(), FileAccess::Write)),
    );
    assert_eq!(names(&writers), ["PAYPST"]);
    let options = ask(
        &model,
        QuestionKind::MenuOptions,
        Some("ACMENU"),
        QuestionOptions {
            option: Some(2),
            ..QuestionOptions::default()
        },
    );
    assert_eq!(names(&options), ["ACRPT1"]);
    assert_eq!(options.items[0].detail.as_deref(), Some("PAYMENT REPORT"));
    let entry = ask(
        &model,
        QuestionKind::EntryPoint,
        None,
        QuestionOptions::default(),
    );
    assert_eq!(names(&entry), ["ACMENU"]);
    let path = ask(
        &model,
        QuestionKind::MenuPath,
        Some("ACRPT1"),
        QuestionOptions::default(),
    );
    assert_eq!(names(&path), ["ACMENU", "ACRPT1"]);
}

#[test]
fn absent_names_are_said_with_the_nearest_real_ones() {
    let model = corpus();
    let missing = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Calls("PAYPSX".into())),
    );
    assert_eq!(missing.note(Note::NotFound), Some("PAYPSX"));
    assert_eq!(names(&missing), ["PAYPST"]);
}

#[test]
fn a_section_says_what_it_does_and_a_data_item_its_record() {
    let model = corpus();
    let post = ask(
        &model,
        QuestionKind::Purpose,
        Some("POST-IT"),
        QuestionOptions::default(),
    );
    assert_eq!(
        post.note(Note::Comment),
        Some("POST ONE PAYMENT TO THE FILE")
    );
    let changes: Vec<&str> = post
        .items
        .iter()
        .filter(|i| i.group.as_ref().is_some_and(|g| g.as_str() == "changes"))
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(changes, ["PAY-AMT"]);
    let key = ask(
        &model,
        QuestionKind::DataDefinition,
        Some("PAY-KEY"),
        QuestionOptions::default(),
    );
    assert!(
        key.note(Note::Record)
            .is_some_and(|r| r.starts_with("PAY-REC"))
    );
    assert!(
        key.note(Note::Describes)
            .is_some_and(|d| d.contains("PAY-FILE"))
    );
    // The definition in the member's own library comes first; the old copy after it.
    let amt = ask(
        &model,
        QuestionKind::DataDefinition,
        Some("PAY-AMT"),
        QuestionOptions::default(),
    );
    assert_eq!(amt.items[0].file, "LIBAC/PAYWKS.CPY");
    assert!(
        amt.items[1]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("also in this copy"))
    );
}

#[test]
fn a_program_is_its_file_whatever_its_program_id() {
    let main = fixed(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID. LPMENU.",
        "PROCEDURE DIVISION.",
        "MAIN-LINE.",
        "    GOBACK.",
    ]);
    let files = [("LP/LPMENU.CBL", &main), ("LP/LPMENU_OLD.CBL", &main)]
        .into_iter()
        .map(|(path, text)| SourceFile {
            path: path.into(),
            facts: otis_cobol::read(path, text),
        })
        .collect();
    let model =
        CorpusModel::from_files(files, Vec::new(), Arc::new(Texts(HashMap::new()))).unwrap();
    let purpose = ask(
        &model,
        QuestionKind::Purpose,
        Some("LPMENU"),
        QuestionOptions::default(),
    );
    assert_eq!(purpose.file.as_deref(), Some("LP/LPMENU.CBL"));
    assert_eq!(purpose.note(Note::AlsoProgramId), Some("LP/LPMENU_OLD.CBL"));
    let programs = list(&model, CorpusQuery::all(Entity::Programs));
    assert_eq!(names(&programs), ["LPMENU", "LPMENU_OLD"]);
}

#[test]
fn ties_measures_within_a_program_and_dates() {
    let model = corpus();
    // Three copybooks are used by one program each: "the most used" lists all three.
    let most_used = list(
        &model,
        CorpusQuery {
            order: Some(Order::Most(Measure::Users)),
            limit: Some(1),
            ..CorpusQuery::all(Entity::Copybooks)
        },
    );
    assert_eq!(names(&most_used), ["ACFDPAY", "ACFSPAY", "PAYWKS"]);
    let paragraphs = list(
        &model,
        CorpusQuery {
            order: Some(Order::Most(Measure::Paragraphs)),
            limit: Some(1),
            ..CorpusQuery::all(Entity::Programs)
        },
    );
    assert_eq!(names(&paragraphs), ["ACMENU"]);
    assert_eq!(paragraphs.items[0].detail.as_deref(), Some("4"));
    let own = list(
        &model,
        CorpusQuery {
            count: true,
            ..CorpusQuery::all(Entity::Paragraphs).with(Filter::DefinedIn("PAYPST".into()))
        },
    );
    assert_eq!(names(&own), ["MAIN-LINE", "POST-IT"]);
    let idle = list(
        &model,
        CorpusQuery::all(Entity::Paragraphs)
            .with(Filter::DefinedIn("PAYPST".into()))
            .with(Filter::NeverPerformed),
    );
    assert_eq!(names(&idle), ["MAIN-LINE"]);
    let unreferenced = list(
        &model,
        CorpusQuery::all(Entity::DataItems)
            .with(Filter::DefinedIn("PAYWKS".into()))
            .with(Filter::NeverReferenced),
    );
    assert!(names(&unreferenced).contains(&"PAY-ZERO"));
    assert!(!names(&unreferenced).contains(&"PAY-AMT"));
    let lines = list(
        &model,
        CorpusQuery {
            count: true,
            total: Some(Measure::Lines),
            ..CorpusQuery::all(Entity::Programs)
                .with(Filter::Name(NameMatch::Exactly("PAYPST".into())))
        },
    );
    assert_eq!(lines.note(Note::Summary), Some("PAYPST has 24 lines"));
    let old = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::Written {
            from: None,
            until: Some("2000-01-01".into()),
        }),
    );
    assert_eq!(names(&old), ["LONELY"]);
    assert_eq!(old.items[0].line, 3, "shown at its DATE-WRITTEN");
    assert_eq!(
        old.note(Note::Summary),
        Some("1 program was written before 2000")
    );
}

#[test]
fn missing_programs_paths_and_what_runs_a_program() {
    let model = corpus();
    let targets = list(&model, CorpusQuery::all(Entity::CallTargets));
    assert_eq!(
        targets.items[0].group.as_ref().map(|g| g.to_string()),
        Some("(not in the corpus)".to_owned()),
        "a target is not filed under its caller's folder"
    );
    // "Any dead code in LIBAC?": the library holds copybooks only, so they are meant.
    let dead = list(
        &model,
        CorpusQuery::all(Entity::Programs)
            .with(Filter::Orphan)
            .with(Filter::In("LIBAC".into())),
    );
    assert_eq!(names(&dead), ["OLDREC"]);
    assert!(
        dead.note(Note::Summary)
            .is_some_and(|s| s.starts_with("LIBAC holds no program, only copybooks."))
    );
    let callers = list(
        &model,
        CorpusQuery::all(Entity::Programs).with(Filter::CallsUnresolved),
    );
    assert_eq!(names(&callers), ["PAYPST"]);
    let paths = ask(
        &model,
        QuestionKind::CallChain,
        Some("ACMENU"),
        QuestionOptions {
            corpus: Some(CorpusQuery::all(Entity::Programs).with(Filter::Reaches("DATEUT".into()))),
            ..QuestionOptions::default()
        },
    );
    assert_eq!(paths.note(Note::Count), Some("2"));
    assert_eq!(
        names(&paths),
        [
            "ACMENU", "PAYPST", "DATEUT", "ACMENU", "ACRPT1", "PAYPST", "DATEUT"
        ],
        "shortest first"
    );
    let options = list(
        &model,
        CorpusQuery::all(Entity::MenuOptions).with(Filter::Runs("ACRPT1".into())),
    );
    assert_eq!(names(&options), ["ACRPT1"]);
    assert_eq!(
        options.items[0].detail.as_deref(),
        Some("option 2: PAYMENT REPORT")
    );
    let menus = list(
        &model,
        CorpusQuery::all(Entity::Menus).with(Filter::Runs("ACRPT1".into())),
    );
    assert_eq!(names(&menus), ["ACMENU"]);
    assert_eq!(
        menus.items[0].detail.as_deref(),
        Some("option 2: PAYMENT REPORT")
    );
    let path = ask(
        &model,
        QuestionKind::MenuPath,
        Some("ACRPT1"),
        QuestionOptions::default(),
    );
    assert_eq!(path.note(Note::MainMenu), Some("ACMENU"));
    assert_eq!(
        path.items[1].detail.as_deref(),
        Some("option 2 of ACMENU: PAYMENT REPORT")
    );
}
