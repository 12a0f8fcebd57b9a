//! The wiring both entry points share: settings to adapters to the ask use case, so
//! otis-func and otis-cli never wire adapters twice.

mod error;
mod failure;
mod purge;
mod settings;
pub mod wire;

use std::sync::Arc;

use std::time::Duration;

use otis_answer::Extractive;
use otis_core::ports::{ChatError, ChatModel, DynSessionStore, FeedbackStore, Retriever};
use otis_core::{Assistant, MemoryPolicy};
use otis_index::{BuildReport, IndexError, LocalIndex, Progress};
use otis_llm::{ChatPolicy, Endpoint, OpenAiChat};
use otis_search_azure::{AzureSearch, SearchConfig};
use otis_store_mem::MemoryStore;
use otis_store_redis::{RedisConfig, RedisStore};
use otis_store_sqlite::SqliteStore;
use otis_store_table::{ClientPolicy, Connection, MigrationReport, OpenError, TableStore};
use serde_json::{Value, json};

pub use error::AppError;
pub use failure::{
    Service, ServiceFailure, TURN_NOT_STORED, plain_persist_error, redactor, store_in_use,
    store_message,
};
pub use otis_upstream::Redactor;
pub use purge::{PurgeReport, idle_days, purge_cutoff, purge_idle};
pub use settings::{
    HttpSettings, ModelChoice, RetrieverChoice, Secret, Settings, SettingsError, StoreChoice,
    data_dir, default_model_path, read_settings_file, sample_corpus,
};

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
    /// Where feedback reports go.
    pub feedback: Arc<dyn FeedbackStore>,
    /// The store's name for display (`memory`, `azure-table:OTISChatHistory`).
    pub store_name: String,
    /// The retriever the assistant uses, for health checks.
    pub retriever: Arc<dyn Retriever>,
    /// The local index, when sources come from it.
    pub index: Option<LocalIndex>,
    /// What building the index did, when this start-up built or refreshed it.
    pub index_build: Option<BuildReport>,
    /// The settings it was built from.
    pub settings: Settings,
}

/// The stores the settings choose: one backend serving both ports.
#[derive(Debug, Clone)]
pub struct Stores {
    /// Conversation memory.
    pub sessions: DynSessionStore,
    /// Feedback reports.
    pub feedback: Arc<dyn FeedbackStore>,
    /// A name for display (`sqlite:PATH`, `azure-table:TABLE`, `redis:URL`, `memory`).
    pub name: String,
}

/// Opens the stores the settings choose.
pub async fn open_store(settings: &Settings) -> Result<Stores, AppError> {
    match (store_in_use(settings), &settings.storage_connection) {
        (StoreChoice::Table, Some(connection)) => {
            let connection = Connection::parse(connection.expose()).map_err(OpenError::from)?;
            let store = Arc::new(
                TableStore::open(connection, &settings.table_name, ClientPolicy::default()).await?,
            );
            Ok(Stores {
                sessions: store.clone(),
                feedback: store,
                name: format!("azure-table:{}", settings.table_name),
            })
        }
        (StoreChoice::Redis, _) => {
            let connection = settings
                .redis_connection
                .clone()
                .ok_or(SettingsError::Invalid {
                    key: "OTIS_STORE",
                    message: "is redis, but REDIS_URL is not set".into(),
                })?;
            let name = format!("redis:{connection}");
            let mut config = RedisConfig::new(connection);
            config.prefix = settings.redis_prefix.clone();
            config.session_ttl = settings.session_ttl;
            config.topology = settings.redis_topology;
            let store = Arc::new(
                RedisStore::open(config).map_err(|e| SettingsError::Invalid {
                    key: "OTIS_REDIS_PREFIX",
                    message: e.to_string(),
                })?,
            );
            Ok(Stores {
                sessions: store.clone(),
                feedback: store,
                name,
            })
        }
        (StoreChoice::Memory, _) => {
            let store = Arc::new(MemoryStore::new());
            Ok(Stores {
                sessions: store.clone(),
                feedback: store,
                name: "memory".to_owned(),
            })
        }
        _ => {
            let store =
                Arc::new(SqliteStore::open(&settings.sqlite_path).map_err(AppError::Sqlite)?);
            Ok(Stores {
                sessions: store.clone(),
                feedback: store,
                name: format!("sqlite:{}", settings.sqlite_path.display()),
            })
        }
    }
}

/// Rewrites sessions the previous system stored in Azure Tables into the current layout
/// (see `TableStore::migrate_legacy`). Needs a storage connection string.
pub async fn migrate_legacy(settings: &Settings) -> Result<MigrationReport, AppError> {
    let connection = settings
        .storage_connection
        .as_ref()
        .ok_or(SettingsError::Invalid {
            key: "AZURE_STORAGE_CONNECTION_STRING",
            message: "migrate-legacy works on Azure Table Storage: set it (or AzureWebJobsStorage)"
                .into(),
        })?;
    let connection = Connection::parse(connection.expose()).map_err(OpenError::from)?;
    let store = TableStore::open(connection, &settings.table_name, ClientPolicy::default()).await?;
    store.migrate_legacy().await.map_err(AppError::Sqlite)
}

/// Opens (or builds) the local index the settings name.
pub fn open_index(
    settings: &Settings,
    mode: IndexMode,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<(LocalIndex, Option<BuildReport>), AppError> {
    if mode == IndexMode::OpenOrBuild {
        match LocalIndex::open(&settings.index_dir) {
            // The index the user built, unless OTIS_CORPUS names another folder.
            Ok(index)
                if !settings.corpus_explicit
                    || settings
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
    // Without OTIS_CORPUS, an index of an older format is rebuilt from the folder it
    // indexed, not replaced by the sample.
    let corpus = match LocalIndex::indexed_corpus(&settings.index_dir) {
        Some(previous) if !settings.corpus_explicit && previous.is_dir() => previous,
        _ => settings.corpus.clone(),
    };
    let (index, report) = LocalIndex::build(&corpus, &settings.index_dir, progress)?;
    Ok((index, Some(report)))
}

/// Builds the chat model the settings choose.
pub fn chat_model(choice: &ModelChoice) -> Result<Arc<dyn ChatModel>, AppError> {
    let model: Arc<dyn ChatModel> = match choice {
        ModelChoice::Extractive => Arc::new(Extractive),
        ModelChoice::AzureOpenAi {
            endpoint,
            deployment,
            api_version,
            key,
        } => Arc::new(OpenAiChat::new(
            Endpoint::Azure {
                endpoint: endpoint.clone(),
                deployment: deployment.clone(),
                api_version: api_version.clone(),
            },
            key.expose().to_owned(),
            ChatPolicy::default(),
        )?),
        #[cfg(feature = "local")]
        ModelChoice::Local { path } => Arc::new(otis_llm::LocalModel::load(path)?),
        #[cfg(not(feature = "local"))]
        ModelChoice::Local { .. } => {
            return Err(AppError::Model(ChatError::Rejected {
                status: 0,
                message: "OTIS_MODEL=local needs a build with the `local` feature \
                          (cargo build --features local)"
                    .into(),
            }));
        }
        ModelChoice::OpenAi {
            base_url,
            model,
            key,
        } => Arc::new(OpenAiChat::new(
            Endpoint::OpenAi {
                base_url: base_url.clone(),
                model: model.clone(),
            },
            key.expose().to_owned(),
            ChatPolicy::default(),
        )?),
    };
    Ok(model)
}

/// Assembles the application from `settings`.
pub async fn build(
    settings: Settings,
    mode: IndexMode,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<App, AppError> {
    let (retriever, index, index_build): (Arc<dyn Retriever>, Option<LocalIndex>, _) =
        match &settings.retriever {
            RetrieverChoice::Local => {
                let (index, report) = open_index(&settings, mode, progress)?;
                (Arc::new(index.clone()), Some(index), report)
            }
            RetrieverChoice::AzureSearch {
                endpoint,
                key,
                indexes,
                top_per_index,
                api_version,
            } => {
                let search = AzureSearch::new(SearchConfig {
                    endpoint: endpoint.clone(),
                    key: key.expose().to_owned(),
                    indexes: indexes.clone(),
                    top_per_index: *top_per_index,
                    api_version: api_version.clone(),
                    timeout: Duration::from_secs(30),
                    retry: otis_search_azure::RETRY,
                })?;
                (Arc::new(search), None, None)
            }
        };
    let stores = open_store(&settings).await?;
    let model = chat_model(&settings.model)?;
    let mut assistant = Assistant::new(retriever.clone(), model, Some(stores.sessions.clone()))
        .with_policy(MemoryPolicy {
            max_turns: settings.max_turns,
            ttl: settings.session_ttl,
        })
        .with_sql_answers(settings.model_sql);
    if let Some(index) = &index {
        assistant = assistant.with_code_model(index.code_model());
    }
    Ok(App {
        assistant,
        store: stores.sessions,
        feedback: stores.feedback,
        store_name: stores.name,
        retriever,
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
            "index": self.index.as_ref().map(|i| match i.stats() {
                Ok(stats) => json!(stats),
                Err(e) => json!({ "error": e.to_string() }),
            }),
            "settings": self.settings.describe(),
        })
    }
}
