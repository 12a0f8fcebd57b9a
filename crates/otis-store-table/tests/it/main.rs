//! Integration tests of the Azure Table store, against a real Azurite process: the store
//! contract suite, plus the adapter's own cases (legacy rows, injection, request counts,
//! retries and failures against scripted loopback servers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod faults;
mod kill;

use std::sync::Arc;

use otis_core::ports::{PageRequest, SessionStore, StoreError};
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_store_table::{ClientPolicy, Connection, Entity, RetryPolicy, TableStore};
use otis_testkit::azurite;

fn connection(endpoint: &str) -> Connection {
    Connection::parse(&azurite::connection_string(endpoint)).unwrap()
}
use serde_json::json;

otis_store_contract::store_contract_tests!(|| async {
    let connection = connection(&azurite::shared_endpoint());
    let table = azurite::fresh_table();
    TableStore::open(connection.clone(), &table, ClientPolicy::default())
        .await
        .expect("open table store");
    otis_store_contract::backend(move || {
        Arc::new(
            TableStore::open_existing(connection.clone(), &table, ClientPolicy::default())
                .expect("table store"),
        )
    })
});

async fn fresh_store() -> TableStore {
    let connection = connection(&azurite::shared_endpoint());
    TableStore::open(connection, &azurite::fresh_table(), ClientPolicy::default())
        .await
        .unwrap()
}

fn sid(raw: &str) -> SessionId {
    SessionId::parse(raw).unwrap()
}

fn new_turn(i: u64) -> NewTurn {
    NewTurn {
        id: TurnId::parse(format!("t{i}")).unwrap(),
        at: Timestamp::now(),
        user: format!("question {i}"),
        assistant: format!("answer {i}"),
        metadata: Metadata::new(),
    }
}

#[tokio::test]
async fn a_crafted_id_reads_and_deletes_nothing_but_its_own_turns() {
    let store: Arc<dyn SessionStore> = Arc::new(fresh_store().await);
    let victim = sid("victim");
    let attacker = sid("nobody' or PartitionKey ne 'x");
    for session in [&victim, &attacker] {
        let mut c = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
        c.add(new_turn(0)).await.unwrap();
    }
    let seen = store.load_latest(&attacker, 100).await.unwrap();
    assert_eq!(seen.len(), 1);
    let history = store
        .history(&attacker, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(store.delete_session(&attacker).await.unwrap(), 1);
    assert_eq!(store.load_latest(&victim, 10).await.unwrap().len(), 1);
}

/// Every append is one request and every window load is one request, at any history
/// length and window size.
#[tokio::test]
async fn appends_and_loads_cost_one_request_each() {
    let table = fresh_store().await;
    let store: Arc<dyn SessionStore> = Arc::new(table.clone());
    let session = sid("counted");
    let mut conversation = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    let mut written = 0;
    for history in [5u64, 30, 200] {
        while written < history {
            let before = table.client().request_count();
            conversation.add(new_turn(written)).await.unwrap();
            assert_eq!(
                table.client().request_count() - before,
                1,
                "append at {written}"
            );
            written += 1;
        }
        for max_turns in [10, 30] {
            let before = table.client().request_count();
            let loaded = Conversation::load(
                store.clone(),
                session.clone(),
                MaxTurns::new(max_turns).unwrap(),
            )
            .await
            .unwrap();
            assert_eq!(
                table.client().request_count() - before,
                1,
                "load {max_turns} of {history}"
            );
            assert_eq!(loaded.len() as u64, history.min(max_turns as u64));
            assert_eq!(loaded.window().next_seq(), Seq(history));
        }
    }
}

/// Rows in the previous system's exact shape: RowKeys `0000`.., naive ISO timestamps and
/// `str(dict)` metadata. They load as the session's first turns, and new turns follow.
#[tokio::test]
async fn sessions_written_by_the_previous_system_still_load() {
    let table = fresh_store().await;
    let store: Arc<dyn SessionStore> = Arc::new(table.clone());
    let session = sid("user_1700000000_ab12");
    for (i, (q, a)) in [
        ("What does LONPF2 do?", "LONPF2 posts loan payments."),
        (
            "What copybooks does it use?",
            "LONPF2 uses LNREC and PAYREC.",
        ),
        ("Who calls it?", "LONMAIN calls LONPF2."),
    ]
    .iter()
    .enumerate()
    {
        let mut entity = Entity::new();
        entity.insert("PartitionKey".into(), json!(session.as_str()));
        entity.insert("RowKey".into(), json!(format!("{i:04}")));
        entity.insert(
            "timestamp".into(),
            json!(format!("2024-05-01T12:3{i}:56.123456")),
        );
        entity.insert("user".into(), json!(q));
        entity.insert("assistant".into(), json!(a));
        entity.insert(
            "metadata_json".into(),
            json!(format!(
                "{{'program': 'LONPF2', 'turn': {i}, 'ok': True, 'src': None}}"
            )),
        );
        table.client().insert(table.table(), &entity).await.unwrap();
    }
    let mut conversation =
        Conversation::load(store.clone(), session.clone(), MaxTurns::new(2).unwrap())
            .await
            .unwrap();
    let window: Vec<_> = conversation.window().turns().cloned().collect();
    assert_eq!(window.len(), 2);
    assert_eq!(window[0].seq, Seq(1));
    assert_eq!(window[1].user, "Who calls it?");
    assert_eq!(window[1].metadata["ok"], json!(true));
    assert_eq!(window[1].metadata["src"], json!(null));
    assert_eq!(window[1].metadata["turn"], json!(2));
    assert_eq!(window[1].at.to_rfc3339(), "2024-05-01T12:32:56.123Z");

    let added = conversation.add(new_turn(9)).await.unwrap();
    assert_eq!(added.seq, Seq(3), "new turns follow the legacy ones");
    let latest = store.load_latest(&session, 10).await.unwrap();
    let users: Vec<&str> = latest.iter().map(|t| t.user.as_str()).collect();
    assert_eq!(
        users,
        [
            "What does LONPF2 do?",
            "What copybooks does it use?",
            "Who calls it?",
            "question 9"
        ]
    );
    let mut all = Vec::new();
    let mut request = PageRequest::first(2);
    loop {
        let page = store.history(&session, &request).await.unwrap();
        all.extend(page.items.iter().map(|t| t.seq.0));
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    assert_eq!(all, [0, 1, 2, 3]);
    assert_eq!(store.delete_session(&session).await.unwrap(), 4);
    assert!(store.load_latest(&session, 10).await.unwrap().is_empty());
}

/// Writes rows in the previous system's exact shape for `session`.
async fn write_legacy(table: &TableStore, session: &str, turns: usize) {
    for i in 0..turns {
        let mut entity = Entity::new();
        entity.insert("PartitionKey".into(), json!(session));
        entity.insert("RowKey".into(), json!(format!("{i:04}")));
        entity.insert(
            "timestamp".into(),
            json!(format!("2024-05-01T12:00:{i:02}.000001")),
        );
        entity.insert("user".into(), json!(format!("old question {i}")));
        entity.insert("assistant".into(), json!(format!("old answer {i}")));
        entity.insert(
            "metadata_json".into(),
            json!(format!("{{'i': {i}, 'ok': True}}")),
        );
        table.client().insert(table.table(), &entity).await.unwrap();
    }
}

#[tokio::test]
async fn legacy_sessions_migrate_once_and_completely() {
    let table = fresh_store().await;
    write_legacy(&table, "old-one", 3).await;
    write_legacy(&table, "old-two", 12).await;
    let store: Arc<dyn SessionStore> = Arc::new(table.clone());
    assert!(
        store
            .list_sessions(&PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let report = table.migrate_legacy().await.unwrap();
    assert_eq!((report.sessions, report.turns), (2, 15), "{report:?}");
    assert!(report.skipped.is_empty());

    let listed = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    let mut names: Vec<(String, u64)> = listed
        .items
        .iter()
        .map(|s| (s.session.as_str().to_owned(), s.turns))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [("old-one".to_string(), 3), ("old-two".to_string(), 12)]
    );
    let two = store.load_latest(&sid("old-two"), 100).await.unwrap();
    assert_eq!(two.len(), 12);
    assert_eq!(two[11].user, "old question 11");
    assert_eq!(two[11].metadata["ok"], json!(true));
    assert_eq!(two[11].id.as_str(), "legacy-0011");

    let again = table.migrate_legacy().await.unwrap();
    assert_eq!(
        (again.sessions, again.turns),
        (0, 0),
        "not idempotent: {again:?}"
    );
    let mut c = Conversation::load(store.clone(), sid("old-one"), MaxTurns::DEFAULT)
        .await
        .unwrap();
    assert_eq!(c.add(new_turn(3)).await.unwrap().seq, Seq(3));
}

#[tokio::test]
async fn a_stopped_service_is_unavailable_not_empty() {
    let mut own = azurite::Azurite::start();
    let connection = connection(&own.endpoint);
    let policy = ClientPolicy {
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: std::time::Duration::from_millis(10),
            ..otis_store_table::RETRY
        },
        ..ClientPolicy::default()
    };
    let store = TableStore::open(connection, "stopped", policy)
        .await
        .unwrap();
    own.stop();
    let err = store.load_latest(&sid("s"), 10).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(
        store.client().request_count(),
        3,
        "one create, then two attempts"
    );
}

#[tokio::test]
async fn a_bad_key_is_refused_not_retried() {
    let endpoint = azurite::shared_endpoint();
    let connection = otis_store_table::Connection::parse(&format!(
        "AccountName=devstoreaccount1;AccountKey=d3Jvbmcta2V5;TableEndpoint={endpoint}"
    ))
    .unwrap();
    let err = TableStore::open(connection, "refused", ClientPolicy::default())
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("403"), "{shown}");
    assert!(!shown.contains("d3Jvbmcta2V5"), "key leaked: {shown}");
}

/// An account SAS for the development account, signed as the 2019-02-02 service
/// version documents: account, permissions, services, resource types, start, expiry,
/// IP, protocol, version, each followed by a newline.
fn account_sas(key_b64: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let (sp, ss, srt, se, sv) = ("rwdlacu", "t", "sco", "2099-01-01T00:00:00Z", "2019-02-02");
    let string_to_sign = format!("devstoreaccount1\n{sp}\n{ss}\n{srt}\n\n{se}\n\n\n{sv}\n");
    let key = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(string_to_sign.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sig: String =
        percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!(
        "sv={sv}&ss={ss}&srt={srt}&sp={sp}&se={}&sig={sig}",
        se.replace(':', "%3A")
    )
}

#[tokio::test]
async fn a_shared_access_signature_works_and_a_forged_one_is_refused() {
    let endpoint = azurite::shared_endpoint();
    let sas = account_sas(azurite::DEV_KEY);
    let connection = otis_store_table::Connection::parse(&format!(
        "TableEndpoint={endpoint};SharedAccessSignature={sas}"
    ))
    .unwrap();
    assert!(
        !format!("{connection:?}").contains("sig="),
        "SAS leaked in Debug"
    );
    let store: Arc<dyn SessionStore> = Arc::new(
        TableStore::open(connection, &azurite::fresh_table(), ClientPolicy::default())
            .await
            .unwrap(),
    );
    let session = sid("sas-session");
    let mut c = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    c.add(new_turn(0)).await.unwrap();
    assert_eq!(store.load_latest(&session, 10).await.unwrap().len(), 1);

    let forged = account_sas("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let connection = otis_store_table::Connection::parse(&format!(
        "TableEndpoint={endpoint};SharedAccessSignature={forged}"
    ))
    .unwrap();
    let err = TableStore::open(connection, "forged", ClientPolicy::default())
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("403"), "{err}");
}

#[tokio::test]
async fn feedback_goes_to_its_table_in_one_request_once_it_exists() {
    use otis_core::ports::{Feedback, FeedbackStore};
    let table = fresh_store().await;
    let report = |id: &str| Feedback {
        id: TurnId::parse(id).unwrap(),
        at: Timestamp::now(),
        session: Some(sid("o'brien")),
        question: "What does LONPF2 do?".into(),
        answer: "It posts payments.".into(),
        comment: Some("wrong".into()),
        rating: Some(-1),
        principal: None,
    };
    let first = format!("fb-{}", azurite::fresh_table());
    table.record(&report(&first)).await.unwrap();
    let before = table.client().request_count();
    let second = format!("fb-{}", azurite::fresh_table());
    table.record(&report(&second)).await.unwrap();
    assert_eq!(table.client().request_count() - before, 1);
    table.record(&report(&second)).await.unwrap();
    let filter = format!("RowKey eq '{second}'");
    let page = table
        .client()
        .query(
            otis_store_table::FEEDBACK_TABLE,
            &filter,
            None,
            Some(5),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 1, "stored once");
    assert_eq!(page.entities[0]["comment"], "wrong");
    assert_eq!(page.entities[0]["session_id"], "o'brien");
}

/// The PartitionKey a long escaped id gets: `~%h` and the SHA-256 of the id in hex.
fn hashed_partition(raw: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(raw.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("~%h{hex}")
}

/// A long id is stored under its hashed key with the id beside it; a row in that
/// partition that names another id (as a hash collision would) is refused, not read as
/// this session's, and delete touches nothing.
#[tokio::test]
async fn hashed_partitions_are_checked_against_the_id_they_carry() {
    let store = fresh_store().await;
    let long = sid(&"/".repeat(200));
    let dyn_store: Arc<dyn SessionStore> = Arc::new(store.clone());
    let mut c = Conversation::load(dyn_store.clone(), long.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    c.add(new_turn(0)).await.unwrap();
    let partition = hashed_partition(long.as_str());
    let filter = format!("PartitionKey eq '{partition}'");
    let page = store
        .client()
        .query(store.table(), &filter, None, None, None)
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 2, "the turn and the session record");
    assert!(
        page.entities
            .iter()
            .all(|e| e["session_id"] == long.as_str())
    );

    // A foreign row under the same key, newer than ours.
    let mut foreign = page
        .entities
        .iter()
        .find(|e| e["RowKey"] != "session")
        .unwrap()
        .clone();
    foreign.retain(|k, _| !k.starts_with("odata") && k != "Timestamp");
    foreign.insert("RowKey".into(), json!("!9999999999999999998"));
    foreign.insert("seq".into(), json!("1"));
    foreign.insert("session_id".into(), json!("someone else"));
    store
        .client()
        .insert(store.table(), &foreign)
        .await
        .unwrap();
    let err = store.load_latest(&long, 10).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    let err = store
        .history(&long, &PageRequest::first(10))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    assert!(store.delete_session(&long).await.is_err());
    let after = store
        .client()
        .query(store.table(), &filter, None, None, None)
        .await
        .unwrap();
    assert_eq!(after.entities.len(), 3, "delete removed nothing");
}
