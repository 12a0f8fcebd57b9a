//! `cargo xtask fault`: the reliability suite at full size (docs/reliability.md).
//!
//! 1. The proxy fault run: 32 sessions x 45 turns appended to Azurite through a loopback
//!    proxy that drops connections before the service sees a write and after it
//!    answered; every acknowledged turn must be stored exactly once and every turn
//!    reported failed must be absent.
//! 2. The kill run: Azurite on disk stopped mid-load by SIGINT, SIGTERM and `kill -9`
//!    while 4 writers append through the Table store and a control writer inserts rows
//!    with plain HTTP, then restarted on the same folder (12 s of load, 2 s down, 6 s
//!    more); and the otis-func binary on SQLite killed with `kill -9` under 8 clients
//!    and restarted on the same file. Acknowledged turns must be stored exactly once
//!    (except what Azurite lost itself, told apart by the control writer), the others
//!    reported failed and stored at most once. The tests start their own servers.
//! 3. The fuzz run: the property tests of request parsing (through the router), the
//!    session-id key codec and the entity codec with `OTIS_FUZZ_CASES` cases each
//!    (default 4096; CI runs 256 with a fixed seed), on a random seed unless
//!    `PROPTEST_RNG_SEED` is set.

use crate::azurite::start_azurite;
use crate::workspace::cargo_with;

pub(crate) fn fault() -> Result<(), String> {
    let azurite = start_azurite()?;
    cargo_with(
        &[
            "test",
            "-p",
            "otis-store-table",
            "--test",
            "it",
            "--",
            "faults::",
            "--nocapture",
        ],
        &[
            ("OTIS_TEST_AZURITE", azurite.endpoint.as_str()),
            ("OTIS_FAULT_SCALE", "full"),
        ],
    )?;
    drop(azurite);
    let full = [("OTIS_FAULT_SCALE", "full")];
    cargo_with(
        &[
            "test",
            "-p",
            "otis-store-table",
            "--test",
            "it",
            "--",
            "kill::",
            "--nocapture",
        ],
        &full,
    )?;
    cargo_with(
        &[
            "test",
            "-p",
            "otis-func",
            "--test",
            "it",
            "--",
            "kill::",
            "--nocapture",
        ],
        &full,
    )?;
    let cases = std::env::var("OTIS_FUZZ_CASES").unwrap_or_else(|_| "4096".into());
    let seed = std::env::var("PROPTEST_RNG_SEED").unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        nanos.to_string()
    });
    eprintln!("xtask: fuzzing with {cases} cases per property, PROPTEST_RNG_SEED={seed}");
    let envs = [
        ("PROPTEST_CASES", cases.as_str()),
        ("PROPTEST_RNG_SEED", seed.as_str()),
    ];
    cargo_with(
        &["test", "-p", "otis-store-table", "--lib", "props::"],
        &envs,
    )?;
    cargo_with(
        &["test", "-p", "otis-func", "--test", "it", "fuzz::"],
        &envs,
    )
}
