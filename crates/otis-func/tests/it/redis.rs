//! `OTIS_STORE=redis`: a conversation kept across two `otis-func` processes by Redis.

use crate::{remembers_across_server_processes, scratch};

#[tokio::test(flavor = "multi_thread")]
async fn redis_remembers_across_server_processes() {
    let data = scratch("redis");
    remembers_across_server_processes(vec![
        ("OTIS_DATA_DIR".into(), data.display().to_string()),
        ("OTIS_STORE".into(), "redis".into()),
        ("REDIS_URL".into(), otis_testkit::redis::shared().url()),
        (
            "OTIS_REDIS_PREFIX".into(),
            otis_testkit::redis::fresh_prefix(),
        ),
    ])
    .await;
}
