//! `OTIS_STORE=redis`: settings checked at start, the password never shown, `auto`
//! unchanged, and `open_store` wiring a Redis store that carries the session TTL.

use std::collections::BTreeMap;

use otis_app::{Settings, SettingsError, StoreChoice};
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};

fn from(extra: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let dir = std::env::temp_dir().join(format!("otis-app-redis-{}", std::process::id()));
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    values.insert("OTIS_DATA_DIR".into(), dir.display().to_string());
    for (k, v) in extra {
        values.insert((*k).into(), (*v).into());
    }
    Settings::from_values(&values, vec!["test".into()])
}

fn invalid_key(result: Result<Settings, SettingsError>) -> &'static str {
    match result {
        Err(SettingsError::Invalid { key, .. }) => key,
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

const AZURE: &str =
    "otis.redis.cache.windows.net:6380,password=hunter2pw+/A=,ssl=True,abortConnect=False";

#[test]
fn redis_settings_are_checked_and_the_password_never_shows() {
    assert_eq!(invalid_key(from(&[("OTIS_STORE", "redis")])), "OTIS_STORE");
    assert_eq!(
        invalid_key(from(&[("REDIS_URL", "http://h:1")])),
        "REDIS_URL"
    );
    let bad = from(&[("REDIS_URL", "h:1,password=hunter2pw,ssl=maybe")]).unwrap_err();
    assert!(!bad.to_string().contains("hunter2pw"), "{bad}");
    assert_eq!(
        invalid_key(from(&[
            ("REDIS_URL", AZURE),
            ("OTIS_REDIS_CLUSTER", "maybe")
        ])),
        "OTIS_REDIS_CLUSTER"
    );
    assert_eq!(
        invalid_key(from(&[("REDIS_URL", AZURE), ("OTIS_REDIS_PREFIX", "a{b}")])),
        "OTIS_REDIS_PREFIX"
    );

    let s = from(&[("OTIS_STORE", "redis"), ("REDIS_URL", AZURE)]).unwrap();
    assert_eq!(s.store, StoreChoice::Redis);
    let connection = s.redis_connection.as_ref().unwrap();
    assert_eq!(connection.port, 6380);
    assert!(connection.tls);
    for shown in [format!("{s:?}"), s.describe().to_string()] {
        assert!(!shown.contains("hunter2pw"), "{shown}");
    }
    assert!(
        s.describe()
            .to_string()
            .contains("rediss://otis.redis.cache.windows.net:6380/0")
    );

    // `auto` keeps choosing the embedded store (or Tables) even when REDIS_URL is set.
    let auto = from(&[("REDIS_URL", "redis://127.0.0.1:1")]).unwrap();
    assert_eq!(auto.store, StoreChoice::Auto);
}

#[tokio::test(flavor = "multi_thread")]
async fn open_store_wires_redis_with_the_session_ttl() {
    let server = otis_testkit::redis::shared();
    let url = server.url();
    let prefix = otis_testkit::redis::fresh_prefix();
    let s = from(&[
        ("OTIS_STORE", "redis"),
        ("REDIS_URL", &url),
        ("OTIS_REDIS_PREFIX", &prefix),
        ("OTIS_SESSION_TTL_DAYS", "2"),
    ])
    .unwrap();
    let stores = otis_app::open_store(&s).await.unwrap();
    assert_eq!(stores.name, format!("redis:{url}/0"));
    let session = SessionId::parse("ttl").unwrap();
    let turn = NewTurn {
        id: TurnId::parse("t0").unwrap(),
        at: Timestamp::now(),
        user: "q".into(),
        assistant: "a".into(),
        metadata: Metadata::new(),
    }
    .at_seq(Seq(0));
    stores.sessions.insert_turn(&session, &turn).await.unwrap();
    // The session's key expires in two days.
    let keys = server.cli(&["KEYS", &format!("{prefix}:*:t:ttl")]);
    let key = keys.trim();
    let ttl: i64 = server.cli(&["PTTL", key]).trim().parse().unwrap();
    assert!(
        (2 * 86_400_000 - 60_000..=2 * 86_400_000).contains(&ttl),
        "{ttl}"
    );
}
