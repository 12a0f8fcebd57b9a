//! Integration tests of the local index, on the sample corpus and on corpora the tests
//! write: facts, ranking, persistence and incremental rebuilds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use otis_core::ports::{MemberKind, Retriever};
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
fn extracts_lonpf2_exactly() {
    let dir = scratch("facts");
    let (index, report) = build(&sample(), &dir);
    assert_eq!(report.files, 12, "{report:?}");
    let facts = index.facts("lonpf2").unwrap();
    assert_eq!(facts.kind, Some(MemberKind::Program));
    assert_eq!(facts.file, "src/LONPF2.cbl");
    assert!(
        facts
            .description
            .as_deref()
            .unwrap()
            .starts_with("POSTS LOAN PAYMENTS.")
    );
    assert_eq!(facts.copybooks, ["PAYREC", "LNREC", "ERRMSG"]);
    assert_eq!(facts.calls, ["DATEUTIL", "LONAUDIT"]);
    assert_eq!(facts.called_by, ["LONMAIN"]);
    let files: Vec<(&str, &str)> = facts
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.assign.as_str()))
        .collect();
    assert_eq!(
        files,
        [("PAYMENT-FILE", "PAYTRAN"), ("LOAN-MASTER", "LNMAST")]
    );
    assert_eq!(
        facts.paragraphs,
        [
            "0000-MAIN",
            "1000-INITIALIZE",
            "2000-POST-PAYMENT",
            "2100-APPLY-PAYMENT",
            "8000-REJECT",
            "9000-FINISH"
        ]
    );
    let lnrec = index.facts("LNREC").unwrap();
    assert_eq!(lnrec.kind, Some(MemberKind::Copybook));
    assert_eq!(lnrec.copied_by, ["LONPF2", "LONPF3"]);
    let dateutil = index.facts("DATEUTIL").unwrap();
    assert_eq!(dateutil.called_by, ["LONPF2", "LONPF3"]);
    let stats = index.stats();
    assert_eq!(
        (stats.programs, stats.copybooks, stats.documents),
        (5, 5, 2)
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
        ("Explain the PAYREC layout", "PAYREC"),
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
    assert_eq!(first[0].id, "src/LONPF2.cbl#0", "the summary leads");
    assert_eq!(first[0].facts.as_ref().unwrap().name, "LONPF2");
    let again = index.retrieve("What does LONPF2 do?", 5).await.unwrap();
    assert_eq!(first, again, "deterministic");
    let fees = index
        .retrieve("how are late fees assessed", 3)
        .await
        .unwrap();
    assert_eq!(fees[0].program.as_deref(), Some("LONPF3"), "{fees:#?}");
    assert!(
        index
            .retrieve("zzqx nothing matches", 5)
            .await
            .unwrap()
            .is_empty()
    );
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

    let (_, second) = build(&corpus, &dir);
    assert_eq!(
        (second.indexed, second.unchanged, second.removed),
        (0, 3, 0)
    );

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
    assert_eq!(reopened.facts("B1").unwrap().called_by, ["A1"]);
    assert!(reopened.facts("C1").is_none());
    let hits = reopened.search("rewritten marker", 5).unwrap();
    assert_eq!(hits[0].program.as_deref(), Some("A1"));
    assert!(
        reopened
            .search("original", 10)
            .unwrap()
            .iter()
            .all(|h| h.program.as_deref() == Some("B1"))
    );
    assert_eq!(reopened.stats().files, 3);
}

#[test]
fn opening_a_folder_without_an_index_says_so() {
    let dir = scratch("missing");
    let err = LocalIndex::open(&dir).unwrap_err();
    assert!(err.to_string().contains("no index"), "{err}");
}
