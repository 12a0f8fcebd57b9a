//! Integration tests of the Redis store on real servers started by `otis_testkit::redis`:
//! the store contract suite on a single node and on a 3-node Cluster, the layout and
//! its costs (commands per operation, TTLs, slots), expiry of every key of ours, and
//! connection loss.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod expiry;
mod faults;
mod layout;

use std::sync::Arc;

use otis_store_redis::{RedisConfig, RedisConnection, RedisStore, Topology};

/// A config for the server at `url` under a fresh prefix.
pub(crate) fn config(url: &str, topology: Topology) -> RedisConfig {
    let mut config = RedisConfig::new(RedisConnection::parse(url).unwrap());
    config.prefix = otis_testkit::redis::fresh_prefix();
    config.topology = topology;
    config
}

mod single {
    use super::*;

    otis_store_contract::store_contract_tests!(|| async {
        let server = otis_testkit::redis::shared();
        let config = config(&server.url(), Topology::Auto);
        otis_store_contract::backend(move || Arc::new(RedisStore::open(config.clone()).unwrap()))
    });
}

mod cluster {
    use super::*;

    otis_store_contract::store_contract_tests!(|| async {
        let cluster = otis_testkit::redis::shared_cluster();
        let config = config(&cluster.url(), Topology::Auto);
        otis_store_contract::backend(move || Arc::new(RedisStore::open(config.clone()).unwrap()))
    });
}
