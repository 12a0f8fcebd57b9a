//! Integration tests of the SQLite store: the store contract suite on a real file, and
//! appends racing from two processes on the same session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use otis_core::ports::{PageRequest, SessionStore};
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, SessionId, Timestamp, TurnId};
use otis_store_sqlite::SqliteStore;

fn scratch_db(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "otis-sqlite-{tag}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("otis.db")
}

otis_store_contract::store_contract_tests!(|| async {
    let path = scratch_db("contract");
    otis_store_contract::backend(move || Arc::new(SqliteStore::open(&path).unwrap()))
});

const WRITER_ENV: &str = "OTIS_SQLITE_CHILD_DB";
const TURNS_PER_PROCESS: u64 = 40;

/// Not a test on its own: when started by `two_processes_append_to_one_session` with
/// `OTIS_SQLITE_CHILD_DB` set, it is the second writer process.
#[test]
fn child_writer() {
    let Ok(db) = std::env::var(WRITER_ENV) else {
        return;
    };
    let tag = std::env::var("OTIS_SQLITE_CHILD_TAG").unwrap();
    append_many(PathBuf::from(db), &tag);
}

fn append_many(db: PathBuf, tag: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store: Arc<dyn SessionStore> = Arc::new(SqliteStore::open(&db).unwrap());
        let session = SessionId::parse("shared session").unwrap();
        for i in 0..TURNS_PER_PROCESS {
            // A fresh load each time, as a stateless function invocation would do.
            let mut c = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
                .await
                .unwrap();
            c.add(NewTurn {
                id: TurnId::parse(format!("{tag}-{i}")).unwrap(),
                at: Timestamp::now(),
                user: format!("{tag} question {i}"),
                assistant: "a".into(),
                metadata: Metadata::new(),
            })
            .await
            .unwrap();
        }
    });
}

#[test]
fn two_processes_append_to_one_session() {
    let db = scratch_db("two-processes");
    SqliteStore::open(&db).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["child_writer", "--exact", "--nocapture"])
        .env(WRITER_ENV, &db)
        .env("OTIS_SQLITE_CHILD_TAG", "child")
        .spawn()
        .unwrap();
    append_many(db.clone(), "parent");
    assert!(child.wait().unwrap().success(), "the child writer failed");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        let session = SessionId::parse("shared session").unwrap();
        let page = store
            .history(&session, &PageRequest::first(1000))
            .await
            .unwrap();
        let seqs: Vec<u64> = page.items.iter().map(|t| t.seq.0).collect();
        assert_eq!(seqs, (0..2 * TURNS_PER_PROCESS).collect::<Vec<_>>());
        let mut ids: Vec<&str> = page.items.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len() as u64,
            2 * TURNS_PER_PROCESS,
            "a turn was lost or doubled"
        );
        assert!(ids.iter().any(|i| i.starts_with("child-")));
    });
}
