//! The store: builds that keep unchanged rows, builds that fail leave the previous store,
//! and `otis query`'s read-only SQL.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use otis_code::{
    CodeStore, CorpusModel, FileMeta, NoText, QueryError, QueryLimits, QueryValue, StoreWriter,
};
use otis_core::ports::{CodeModel, CodeQuestion, QuestionKind, SymbolKind};

const MAIN: &str = "       IDENTIFICATION DIVISION.
       PROGRAM-ID. MAINPGM.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
           COPY \"LIBX/RECX.CPY\".
       PROCEDURE DIVISION.
       START-UP.
           MOVE 1 TO REC-COUNT
           CALL \"SUBPGM\"
           STOP RUN.
";

const SUB: &str = "       IDENTIFICATION DIVISION.
       PROGRAM-ID. SUBPGM.
       PROCEDURE DIVISION.
       BEGIN.
           GOBACK.
";

const RECX: &str = "       01  REC-X.
           05  REC-COUNT   PIC 9(4).
";

fn meta(path: &str, size: u64) -> FileMeta<'_> {
    FileMeta {
        path,
        size,
        modified_ns: 1,
        chunks: 0,
        search: None,
    }
}

/// Writes the three files into a store in `dir` (only those whose size is not already
/// recorded).
fn build(dir: &Path, files: &[(&str, &str)]) -> otis_code::WriteReport {
    let mut writer = StoreWriter::open(dir, Path::new("/corpus")).unwrap();
    for (path, text) in files {
        if writer.unchanged(path, text.len() as u64, 1) {
            continue;
        }
        let facts = otis_cobol::read(path, text);
        writer
            .put_source(&meta(path, text.len() as u64), &facts)
            .unwrap();
    }
    writer.finish().unwrap()
}

fn callers(store: CodeStore, name: &str) -> Vec<String> {
    let model = CorpusModel::open(Arc::new(store), Arc::new(NoText));
    let facts = model
        .facts(&CodeQuestion {
            kind: QuestionKind::Callers,
            subject: Some(name.into()),
            subject_kind: Some(SymbolKind::Program),
            options: Default::default(),
            text: String::new(),
        })
        .unwrap()
        .unwrap();
    facts.items.into_iter().map(|i| i.name).collect()
}

#[test]
fn a_rebuild_keeps_unchanged_rows_and_replaces_changed_ones() {
    let dir = tempfile();
    let files = [
        ("A/MAINPGM.CBL", MAIN),
        ("A/SUBPGM.CBL", SUB),
        ("LIBX/RECX.CPY", RECX),
    ];
    let first = build(&dir, &files);
    assert!(first.fresh);
    assert_eq!(first.written, 3);
    assert_eq!(
        callers(CodeStore::open(&dir).unwrap(), "SUBPGM"),
        ["MAINPGM"]
    );

    let unchanged = build(&dir, &files);
    assert!(!unchanged.fresh);
    assert_eq!((unchanged.written, unchanged.removed), (0, 0));

    // The caller changes: only its rows are rewritten, and the link follows.
    let other = MAIN.replace("SUBPGM", "OTHERPG");
    let changed = build(
        &dir,
        &[
            ("A/MAINPGM.CBL", other.as_str()),
            ("A/SUBPGM.CBL", SUB),
            ("LIBX/RECX.CPY", RECX),
        ],
    );
    assert_eq!((changed.written, changed.removed), (1, 0));
    let store = CodeStore::open(&dir).unwrap();
    assert_eq!(store.count("programs").unwrap(), 2);
    assert!(callers(store, "SUBPGM").is_empty());

    // A file that is gone loses its rows.
    let gone = build(&dir, &[("A/SUBPGM.CBL", SUB), ("LIBX/RECX.CPY", RECX)]);
    assert_eq!(gone.removed, 1);
    assert_eq!(CodeStore::open(&dir).unwrap().count("programs").unwrap(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_build_that_does_not_finish_leaves_the_previous_store() {
    let dir = tempfile();
    build(&dir, &[("A/MAINPGM.CBL", MAIN), ("A/SUBPGM.CBL", SUB)]);
    // An update that stops half way (an error, a kill): nothing of it is seen.
    {
        let mut writer = StoreWriter::open(&dir, Path::new("/corpus")).unwrap();
        let other = MAIN.replace("SUBPGM", "OTHERPG");
        let facts = otis_cobol::read("A/MAINPGM.CBL", &other);
        writer
            .put_source(&meta("A/MAINPGM.CBL", 1), &facts)
            .unwrap();
    }
    assert_eq!(
        callers(CodeStore::open(&dir).unwrap(), "SUBPGM"),
        ["MAINPGM"]
    );
    // A fresh build (another corpus) that stops half way: the old generation stays.
    {
        let mut writer = StoreWriter::open(&dir, Path::new("/elsewhere")).unwrap();
        assert!(writer.is_fresh());
        let facts = otis_cobol::read("A/SUBPGM.CBL", SUB);
        writer.put_source(&meta("A/SUBPGM.CBL", 1), &facts).unwrap();
    }
    let store = CodeStore::open(&dir).unwrap();
    assert_eq!(
        store.corpus().unwrap().as_deref(),
        Some(Path::new("/corpus"))
    );
    assert_eq!(callers(store, "SUBPGM"), ["MAINPGM"]);
    // The next build finishes and replaces it.
    let mut writer = StoreWriter::open(&dir, Path::new("/elsewhere")).unwrap();
    let facts = otis_cobol::read("A/SUBPGM.CBL", SUB);
    writer.put_source(&meta("A/SUBPGM.CBL", 1), &facts).unwrap();
    writer.finish().unwrap();
    let store = CodeStore::open(&dir).unwrap();
    assert_eq!(store.count("programs").unwrap(), 1);
    let dbs = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".db")
        })
        .count();
    assert_eq!(dbs, 1, "older generations are removed");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "otis-code-store-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn sample_store() -> (std::path::PathBuf, CodeStore) {
    let dir = tempfile();
    build(
        &dir,
        &[
            ("A/MAINPGM.CBL", MAIN),
            ("A/SUBPGM.CBL", SUB),
            ("LIBX/RECX.CPY", RECX),
        ],
    );
    let store = CodeStore::open(&dir).unwrap();
    (dir, store)
}

#[test]
fn a_query_reads_the_model() {
    let (dir, store) = sample_store();
    let out = store
        .query(
            "SELECT f.member, c.target FROM calls c JOIN files f ON f.id = c.file_id ORDER BY 1",
            QueryLimits::default(),
        )
        .unwrap();
    assert_eq!(out.columns, ["member", "target"]);
    assert_eq!(
        out.rows,
        [vec![
            QueryValue::Text("MAINPGM".into()),
            QueryValue::Text("SUBPGM".into())
        ]]
    );
    let limited = store
        .query(
            "SELECT path FROM files",
            QueryLimits {
                max_rows: 2,
                ..QueryLimits::default()
            },
        )
        .unwrap();
    assert_eq!(limited.rows.len(), 2);
    assert!(limited.truncated);
    // The documented view of references, and a schema pragma.
    let refs = store
        .query(
            "SELECT member, item, verb, writes FROM data_refs WHERE item = 'REC-COUNT'",
            QueryLimits::default(),
        )
        .unwrap();
    assert_eq!(refs.rows.len(), 1);
    assert!(
        store
            .query("PRAGMA table_info(files)", QueryLimits::default())
            .is_ok()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_query_cannot_write_or_reach_outside_the_model() {
    let (dir, store) = sample_store();
    let outside = dir.join("sessions.db");
    for (sql, what) in [
        ("INSERT INTO files (path) VALUES ('x')", "INSERT"),
        ("DELETE FROM calls", "DELETE"),
        ("UPDATE files SET member = 'X'", "UPDATE"),
        ("DROP TABLE refs", "schema"),
        ("CREATE TABLE t (x)", "schema"),
        (
            &format!("ATTACH DATABASE '{}' AS s", outside.display()),
            "ATTACH",
        ),
        ("PRAGMA writable_schema = ON", "PRAGMA writable_schema"),
        ("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode"),
        ("BEGIN", "transaction"),
        ("VACUUM", ""),
    ] {
        match store.query(sql, QueryLimits::default()) {
            Err(QueryError::Refused(message)) => {
                assert!(message.contains(what), "{sql}: {message}")
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
    assert!(!outside.exists(), "ATTACH created no file");
    // Everything is still there.
    assert_eq!(store.count("programs").unwrap(), 2);
    let out = store
        .query("SELECT count(*) FROM files", QueryLimits::default())
        .unwrap();
    assert_eq!(out.rows, [vec![QueryValue::Integer(3)]]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_query_says_why_and_a_long_one_is_stopped() {
    let (dir, store) = sample_store();
    match store.query("SELEC * FROM files", QueryLimits::default()) {
        Err(QueryError::Invalid(message)) => assert!(message.contains("syntax"), "{message}"),
        other => panic!("{other:?}"),
    }
    match store.query("SELECT * FROM nothing_here", QueryLimits::default()) {
        Err(QueryError::Invalid(message)) => {
            assert!(message.contains("no such table"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                   SELECT count(*) FROM n";
    match store.query(
        endless,
        QueryLimits {
            timeout: Duration::from_millis(200),
            ..QueryLimits::default()
        },
    ) {
        Err(QueryError::Timeout(limit)) => assert_eq!(limit, Duration::from_millis(200)),
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_schema_document_names_every_table_and_column() {
    let (dir, store) = sample_store();
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/code-model.md"),
    )
    .unwrap();
    let tables = store
        .query(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
            QueryLimits::default(),
        )
        .unwrap();
    for row in &tables.rows {
        let QueryValue::Text(table) = &row[0] else {
            panic!("{row:?}")
        };
        assert!(
            doc.contains(&format!("`{table}`")),
            "docs/code-model.md: table {table}"
        );
        let columns = store
            .query(
                &format!("PRAGMA table_info({table})"),
                QueryLimits::default(),
            )
            .unwrap();
        for column in &columns.rows {
            let QueryValue::Text(name) = &column[1] else {
                panic!("{column:?}")
            };
            assert!(
                doc.contains(&format!("`{name}`")),
                "docs/code-model.md: column {table}.{name}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
