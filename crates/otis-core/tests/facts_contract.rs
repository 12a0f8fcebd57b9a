//! The typed facts contract reads what the JSON record carried before it was typed.
#![allow(clippy::unwrap_used)]

use otis_core::ports::{CodeFacts, EdgeKind, FixedGroup, ItemGroup, NodeKind, Note};

/// Facts as the JSON record carried them before notes, groups and graph kinds were
/// typed: they read into the typed contract and write back the same.
#[test]
fn a_record_from_before_the_typed_contract_still_reads() {
    let before: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/facts-before-typed-contract.json")).unwrap();
    let facts: Vec<CodeFacts> = serde_json::from_value(before.clone()).unwrap();
    assert_eq!(facts.len(), 4);
    assert_eq!(facts[0].note(Note::DateWritten), Some("03/08/2018"));
    assert!(
        facts[0].items[1]
            .group
            .as_ref()
            .is_some_and(|g| g.is(FixedGroup::CalledBy))
    );
    assert_eq!(facts[1].items[0].group, Some(ItemGroup::named("LIBLP")));
    let graph = facts[3].graph.clone().unwrap_or_default();
    assert_eq!(graph.nodes[0].kind, NodeKind::Program);
    assert_eq!(graph.edges[1].kind, EdgeKind::Option);
    let after = serde_json::to_value(&facts).unwrap();
    assert_eq!(after, before);
}
