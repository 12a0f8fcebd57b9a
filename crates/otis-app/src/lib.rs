//! The wiring both entry points share: settings to adapters to the ask use case, so
//! otis-func and otis-cli never wire adapters twice.

mod settings;

use std::sync::Arc;

use otis_core::ports::DynSessionStore;
use otis_core::{Assistant, MemoryPolicy};
use otis_index::{BuildReport, IndexError, LocalIndex, Progress};
use otis_llm::Extractive;
use otis_store_mem::MemoryStore;
use otis_store_table::{Connection, OpenError, RetryPolicy, TableStore};
use serde_json::{Value, json};

pub use settings::{
    ModelChoice, Secret, Settings, SettingsError, StoreChoice, data_dir, read_settings_file,
    sample_corpus,
};

/// Why the application could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A setting is invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The index could not be opened or built.
    #[error("index: {0}")]
    Index(#[from] IndexError),
    /// The session store could not be opened.
    #[error("session store: {0}")]
    Store(#[from] OpenError),
}

/// How to treat the local index at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexMode {
    /// Open it; build it only when there is none (or it indexes another folder).
    OpenOrBuild,
    /// Bring it up to date with the corpus (reads only changed files).
    Refresh,
}

/// The assembled application.
#[derive(Debug, Clone)]
pub struct App {
    /// The ask use case, wired.
    pub assistant: Assistant,
    /// The session store, for session administration.
    pub store: DynSessionStore,
    /// The store's name for display (`memory`, `azure-table:OTISChatHistory`).
    pub store_name: String,
    /// The local index.
    pub index: LocalIndex,
    /// What building the index did, when this start-up built or refreshed it.
    pub index_build: Option<BuildReport>,
    /// The settings it was built from.
    pub settings: Settings,
}

/// Opens the session store the settings choose.
pub async fn open_store(settings: &Settings) -> Result<(DynSessionStore, String), AppError> {
    let use_table = match settings.store {
        StoreChoice::Table => true,
        StoreChoice::Auto => settings.storage_connection.is_some(),
        StoreChoice::Memory => false,
    };
    match (&settings.storage_connection, use_table) {
        (Some(connection), true) => {
            let connection = Connection::parse(connection.expose()).map_err(OpenError::from)?;
            let store =
                TableStore::open(connection, &settings.table_name, RetryPolicy::default()).await?;
            let name = format!("azure-table:{}", settings.table_name);
            Ok((Arc::new(store), name))
        }
        _ => Ok((Arc::new(MemoryStore::new()), "memory".to_owned())),
    }
}

/// Opens (or builds) the local index the settings name.
pub fn open_index(
    settings: &Settings,
    mode: IndexMode,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<(LocalIndex, Option<BuildReport>), AppError> {
    if mode == IndexMode::OpenOrBuild {
        match LocalIndex::open(&settings.index_dir) {
            Ok(index)
                if settings
                    .corpus
                    .canonicalize()
                    .is_ok_and(|c| c == index.corpus()) =>
            {
                return Ok((index, None));
            }
            Ok(_) | Err(IndexError::Missing(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (index, report) = LocalIndex::build(&settings.corpus, &settings.index_dir, progress)?;
    Ok((index, Some(report)))
}

/// Assembles the application from `settings`.
pub async fn build(
    settings: Settings,
    mode: IndexMode,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<App, AppError> {
    let (index, index_build) = open_index(&settings, mode, progress)?;
    let (store, store_name) = open_store(&settings).await?;
    let model = match settings.model {
        ModelChoice::Auto | ModelChoice::Extractive => Arc::new(Extractive),
    };
    let assistant = Assistant::new(Arc::new(index.clone()), model, Some(store.clone()))
        .with_policy(MemoryPolicy {
            max_turns: settings.max_turns,
            ttl: settings.session_ttl,
        });
    Ok(App {
        assistant,
        store,
        store_name,
        index,
        index_build,
        settings,
    })
}

impl App {
    /// The effective configuration, without secrets.
    pub fn describe(&self) -> Value {
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "store": self.store_name,
            "model": self.assistant.model_name(),
            "retriever": self.assistant.retriever_name(),
            "max_turns": self.assistant.max_turns().get(),
            "index": self.index.stats(),
            "settings": self.settings.describe(),
        })
    }
}
