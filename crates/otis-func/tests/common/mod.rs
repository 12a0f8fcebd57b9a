//! What the `it` and `browser` test binaries both build a server from: the sample
//! corpus's index, test settings, and the app over an index and an in-memory store.
//! Each binary includes this file as `mod common` (`#[path]`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use otis_app::{App, Settings};
use otis_core::Assistant;
use otis_core::ports::ChatModel;
use otis_index::LocalIndex;
use otis_store_mem::MemoryStore;

/// The sample corpus, indexed once per test process into a temporary folder.
pub(crate) fn sample_index() -> LocalIndex {
    static INDEX: OnceLock<LocalIndex> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!(
                "otis-{}-index-{}",
                env!("CARGO_CRATE_NAME"),
                std::process::id()
            ));
            LocalIndex::build(&otis_app::sample_corpus(), &dir, &mut |_| {})
                .unwrap()
                .0
        })
        .clone()
}

/// Settings from `values`, with the data folder in the temporary folder.
pub(crate) fn test_settings(values: &[(&str, String)]) -> Settings {
    let mut values: BTreeMap<String, String> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    values.insert(
        "OTIS_DATA_DIR".to_string(),
        std::env::temp_dir().display().to_string(),
    );
    Settings::from_values(&values, vec!["test".into()]).unwrap()
}

/// The app answering from `index` with `model`, keeping sessions and feedback in
/// `store` (named `memory`).
pub(crate) fn memory_app(
    index: LocalIndex,
    model: Arc<dyn ChatModel>,
    store: Arc<MemoryStore>,
    settings: Settings,
) -> App {
    let retriever = Arc::new(index.clone());
    App {
        assistant: Assistant::new(retriever.clone(), model, Some(store.clone())),
        store: store.clone(),
        feedback: store,
        store_name: "memory".into(),
        retriever,
        index: Some(index),
        index_build: None,
        settings,
    }
}
