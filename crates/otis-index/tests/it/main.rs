//! Integration tests of the local index, on the sample corpus and on corpora the tests
//! write: facts, ranking, persistence and incremental rebuilds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use otis_core::ports::{CodeFacts, CodeModel, MemberKind, QuestionKind, Retriever, SymbolKind};
use otis_core::question::classify;
use otis_index::LocalIndex;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/otis-sample")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otis-index-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn build(corpus: &Path, dir: &Path) -> (LocalIndex, otis_index::BuildReport) {
    LocalIndex::build(corpus, dir, &mut |_| {}).unwrap()
}

#[test]
fn extracts_the_sample_in_the_real_idiom() {
    let dir = scratch("facts");
    let (index, report) = build(&sample(), &dir);
    // 5 programs, 7 copybooks and 2 documents (the menu's form file aside), all read.
    assert_eq!(report.indexed, report.files, "{report:?}");
    let stats = index.stats().unwrap();
    assert_eq!(
        (stats.programs, stats.copybooks, stats.documents),
        (5, 7, 2)
    );

    let facts = index.facts("lonpf2").unwrap().unwrap();
    assert_eq!(facts.kind, Some(MemberKind::Program));
    assert_eq!(facts.file, "LP/LONPF2.CBL");
    // The header follows PROGRAM-ID, as in the real sources.
    assert!(
        facts
            .description
            .as_deref()
            .unwrap()
            .starts_with("LOAN PAYMENT POSTING."),
        "{facts:?}"
    );
    assert_eq!(
        facts.copybooks,
        [
            "LP01LN",
            "FORMW",
            "DATE360W",
            "LONPF2_WKS",
            "LONPF2_SCN",
            "SCREEN",
            "DATE360"
        ]
    );
    for callee in ["DATEUTIL", "LONAUDIT"] {
        assert!(facts.calls.iter().any(|c| c == callee), "{:?}", facts.calls);
    }
    // Run from the menu through `MOVE "LP/LONPF2" TO FORM-NAM` and `CALL FORM-PROGX`.
    assert_eq!(facts.called_by, ["LPMENU"]);
    let files: Vec<(&str, &str)> = facts
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.assign.as_str()))
        .collect();
    assert_eq!(files, [("LN-FILE", "LN-PATH"), ("PAY-FILE", "PAY-PATH")]);
    assert_eq!(
        facts.paragraphs,
        [
            "MAIN-PROGRAM",
            "ENTER-ACCOUNT",
            "ENTER-PAYMENT",
            "END-ROUTINE",
            "APPLY-PAYMENT"
        ]
    );

    let menu = index.facts("LPMENU").unwrap().unwrap();
    assert_eq!(
        menu.calls,
        ["LONPF2", "LONPF3"],
        "the transfer to GB/MAINMN is no call"
    );
    assert_eq!(
        index.facts("LP01LN").unwrap().unwrap().kind,
        Some(MemberKind::Copybook)
    );
    assert_eq!(
        index.facts("LP01LN").unwrap().unwrap().copied_by,
        ["LONPF2", "LONPF3"]
    );
    assert_eq!(
        index.facts("SCREEN").unwrap().unwrap().copied_by,
        ["LONPF2", "LONPF3", "LPMENU"]
    );
    assert_eq!(
        index.facts("DATEUTIL").unwrap().unwrap().called_by,
        ["LONPF2"]
    );
    assert_eq!(
        index.facts("LONAUDIT").unwrap().unwrap().called_by,
        ["LONPF2", "LONPF3"]
    );
}

#[tokio::test]
async fn a_named_program_ranks_first() {
    let dir = scratch("rank");
    let (index, _) = build(&sample(), &dir);
    for (question, member) in [
        ("What does LONPF2 do?", "LONPF2"),
        ("What copybooks does LONPF2 use?", "LONPF2"),
        ("which files does lonpf3 read", "LONPF3"),
        ("Explain the LP01LN layout", "LP01LN"),
    ] {
        let hits = index.retrieve(question, 5).await.unwrap();
        assert!(!hits.is_empty(), "{question}");
        assert_eq!(
            hits[0].program.as_deref(),
            Some(member),
            "{question}: {hits:#?}"
        );
        assert!(hits.len() <= 5);
    }
    let first = index.retrieve("What does LONPF2 do?", 5).await.unwrap();
    assert_eq!(first[0].id, "LP/LONPF2.CBL#0", "the summary leads");
    assert_eq!(first[0].facts.as_ref().unwrap().name, "LONPF2");
    let again = index.retrieve("What does LONPF2 do?", 5).await.unwrap();
    assert_eq!(first, again, "deterministic");
    let charges = index
        .retrieve("which program does the late charge assessment", 3)
        .await
        .unwrap();
    assert_eq!(
        charges[0].program.as_deref(),
        Some("LONPF3"),
        "{charges:#?}"
    );
    assert!(
        index
            .retrieve("zzqx nothing matches", 5)
            .await
            .unwrap()
            .is_empty()
    );
}

/// What the code model built with the index answers about the sample, by file and line:
/// every OTIS idiom the sample shows is seen (a section in a procedure copybook, calls
/// through a form name, a transfer back to a menu, a runtime routine, a data item in a
/// record copybook).
#[test]
fn the_code_model_sees_the_sample_idioms() {
    let dir = scratch("code");
    let (index, _) = build(&sample(), &dir);
    let code = index.code_model();
    let ask = |question: &str| {
        let classified = classify(question, &|name| code.identify(name));
        code.facts(&classified)
            .unwrap()
            .unwrap_or_else(|| panic!("{question}: no facts"))
    };
    let sites = |facts: &CodeFacts| -> Vec<(String, String, u32)> {
        facts
            .items
            .iter()
            .map(|i| (i.name.clone(), i.file.clone(), i.line))
            .collect()
    };
    let site = |name: &str, file: &str, line: u32| (name.to_owned(), file.to_owned(), line);

    let purpose = ask("What does LONPF2 do?");
    assert_eq!(purpose.kind, QuestionKind::Purpose);
    assert_eq!(purpose.file.as_deref(), Some("LP/LONPF2.CBL"));
    assert!(
        purpose
            .description
            .as_deref()
            .is_some_and(|d| d.starts_with("LOAN PAYMENT POSTING.")),
        "{purpose:?}"
    );

    let copybooks = ask("What copybooks does LONPF2 use?");
    assert_eq!(copybooks.kind, QuestionKind::Copybooks);
    assert_eq!(
        sites(&copybooks),
        [
            site("LP01LN", "LP/LONPF2.CBL", 31),
            site("FORMW", "LP/LONPF2.CBL", 51),
            site("DATE360W", "LP/LONPF2.CBL", 52),
            site("LONPF2_WKS", "LP/LONPF2.CBL", 53),
            site("LONPF2_SCN", "LP/LONPF2.CBL", 59),
            site("SCREEN", "LP/LONPF2.CBL", 154),
            site("DATE360", "LP/LONPF2.CBL", 155),
        ]
    );

    // The menu runs LONPF2 and LONPF3 through FORM-NAM; GB/MAINMN is a transfer back.
    let callers = ask("Who calls LONPF2?");
    assert_eq!(callers.kind, QuestionKind::Callers);
    assert_eq!(sites(&callers), [site("LPMENU", "LP/LPMENU.CBL", 56)]);
    let calls = ask("What programs does LPMENU call?");
    assert_eq!(calls.kind, QuestionKind::Calls);
    assert_eq!(
        sites(&calls),
        [
            site("LONPF2", "LP/LPMENU.CBL", 56),
            site("LONPF3", "LP/LPMENU.CBL", 56)
        ],
        "a transfer back to GB/MAINMN is no call"
    );
    // Static calls are programs; C$JUSTIFY is a runtime routine, not among them.
    let calls = ask("What programs does LONPF2 call?");
    assert_eq!(
        sites(&calls),
        [
            site("DATEUTIL", "LP/LONPF2.CBL", 97),
            site("LONAUDIT", "LP/LONPF2.CBL", 146)
        ]
    );

    // TIM360 is a section of LIBGB/DATE360.CPY, performed by two programs.
    let tim360 = ask("Where is TIM360 used?");
    assert_eq!(tim360.kind, QuestionKind::ProcedureUsers);
    assert_eq!(tim360.subject_kind, Some(SymbolKind::Section));
    assert_eq!(tim360.evidence[0].file, "LIBGB/DATE360.CPY");
    assert_eq!(tim360.evidence[0].line, 14);
    let users: Vec<&str> = tim360.items.iter().map(|i| i.file.as_str()).collect();
    assert_eq!(users, ["LP/LONPF2.CBL", "LP/LONPF3.CBL"], "{tim360:?}");

    // LN-BRANCH is defined once, in the record copybook, and used by two programs.
    let defined = ask("Where is LN-BRANCH defined?");
    assert_eq!(defined.kind, QuestionKind::DataDefinition);
    assert_eq!(
        (defined.evidence[0].file.as_str(), defined.evidence[0].line),
        ("LIBLP/LP01LN.CPY", 14)
    );
    let used = ask("How is LN-BRANCH used?");
    assert_eq!(used.kind, QuestionKind::DataUsage);
    for (file, line) in [("LP/LONPF2.CBL", 75), ("LP/LONPF3.CBL", 74)] {
        assert!(
            used.items.iter().any(|i| i.file == file && i.line == line),
            "{file}:{line} in {used:?}"
        );
    }

    let files = ask("What files does LONPF3 use?");
    assert_eq!(files.kind, QuestionKind::Files);
    let names: Vec<&str> = files.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["LN-FILE", "REGISTER-FILE"], "{files:?}");

    let users = ask("What programs use SCREEN.CPY?");
    assert_eq!(users.kind, QuestionKind::CopybookUsers);
    let names: Vec<&str> = users.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["LONPF2", "LONPF3", "LPMENU"], "{users:?}");
}

#[test]
fn the_index_persists_and_rebuilds_only_what_changed() {
    let corpus = scratch("incr-corpus");
    let dir = scratch("incr-index");
    for name in ["A1.cbl", "B1.cbl", "C1.CPY"] {
        let stem = name.split('.').next().unwrap();
        fs::write(
            corpus.join(name),
            format!("       IDENTIFICATION DIVISION.\n       PROGRAM-ID. {stem}.\n       PROCEDURE DIVISION.\n       MAIN-PARA.\n           DISPLAY \"{stem} ORIGINAL\".\n"),
        )
        .unwrap();
    }
    let (_, first) = build(&corpus, &dir);
    assert_eq!((first.indexed, first.unchanged, first.removed), (3, 0, 0));

    let (index, second) = build(&corpus, &dir);
    assert_eq!(
        (second.indexed, second.unchanged, second.removed),
        (0, 3, 0)
    );
    // Unchanged files keep their code-model facts.
    assert_eq!(
        index.code_model().identify("MAIN-PARA"),
        Some(SymbolKind::Paragraph)
    );
    assert_eq!(index.code_model().identify("A1"), Some(SymbolKind::Program));
    drop(index);

    fs::write(
        corpus.join("A1.cbl"),
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. A1.\n       PROCEDURE DIVISION.\n       MAIN-PARA.\n           CALL \"B1\"\n           DISPLAY \"REWRITTEN MARKER\".\n",
    )
    .unwrap();
    fs::remove_file(corpus.join("C1.CPY")).unwrap();
    fs::write(corpus.join("notes.md"), "# Notes\nA1 now calls B1.\n").unwrap();
    let (index, third) = build(&corpus, &dir);
    assert_eq!(
        (third.indexed, third.unchanged, third.removed),
        (2, 1, 1),
        "{third:?}"
    );

    drop(index);
    let reopened = LocalIndex::open(&dir).unwrap();
    assert_eq!(reopened.facts("B1").unwrap().unwrap().called_by, ["A1"]);
    assert!(reopened.facts("C1").unwrap().is_none());
    let hits = reopened.search("rewritten marker", 5).unwrap();
    assert_eq!(hits[0].program.as_deref(), Some("A1"));
    assert!(
        reopened
            .search("original", 10)
            .unwrap()
            .iter()
            .all(|h| h.program.as_deref() == Some("B1"))
    );
    assert_eq!(reopened.stats().unwrap().files, 3);
    // The model after the incremental build: A1's new call, B1 kept, C1 gone.
    let code = reopened.code_model();
    let question = classify("Who calls B1?", &|n: &str| code.identify(n));
    let callers = code.facts(&question).unwrap().unwrap();
    assert_eq!(callers.items.len(), 1);
    assert_eq!(callers.items[0].name, "A1");
    assert_eq!(code.identify("C1"), None);
}

#[test]
fn opening_a_folder_without_an_index_says_so() {
    let dir = scratch("missing");
    let err = LocalIndex::open(&dir).unwrap_err();
    assert!(err.to_string().contains("no index"), "{err}");
}
