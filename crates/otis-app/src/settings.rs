//! Settings: read from `local.settings.json` (its `Values`, as Azure Functions writes
//! it) and the environment (which wins), validated once at start-up.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use otis_core::MaxTurns;
use serde_json::{Value, json};

/// A secret: kept out of `Debug`, `Display` and [`Settings::describe`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which session store to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// Azure Table Storage when a connection string is configured, else the embedded
    /// SQLite file.
    Auto,
    /// The embedded SQLite file (`OTIS_SQLITE_PATH`).
    Sqlite,
    /// In-memory: conversations last as long as the process.
    Memory,
    /// Azure Table Storage (needs a connection string).
    Table,
    /// Redis, single node or Cluster (needs `REDIS_URL`). Never chosen by `Auto`.
    Redis,
}

/// Which model answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// The offline extractive answerer.
    Extractive,
    /// Azure OpenAI chat completions.
    AzureOpenAi {
        /// `AZURE_OPENAI_ENDPOINT`.
        endpoint: String,
        /// `AZURE_OPENAI_DEPLOYMENT`.
        deployment: String,
        /// `AZURE_OPENAI_API_VERSION`.
        api_version: String,
        /// `AZURE_OPENAI_KEY`, else `OPENAI_API_KEY`.
        key: Secret,
    },
    /// A local GGUF model file (needs the `local` feature).
    Local {
        /// `OTIS_LOCAL_MODEL_PATH`.
        path: PathBuf,
    },
    /// An OpenAI-compatible server.
    OpenAi {
        /// `OPENAI_BASE_URL`.
        base_url: String,
        /// `OPENAI_MODEL`.
        model: String,
        /// `OPENAI_API_KEY` (may be empty for local servers).
        key: Secret,
    },
}

impl ModelChoice {
    /// A name without secrets.
    pub fn label(&self) -> String {
        match self {
            Self::Extractive => "extractive".into(),
            Self::AzureOpenAi { deployment, .. } => format!("azure-openai:{deployment}"),
            Self::OpenAi { model, .. } => format!("openai:{model}"),
            Self::Local { path } => format!("local:{}", path.display()),
        }
    }
}

/// The model the settings choose: `OTIS_MODEL` = `extractive`, `azure-openai`, `openai`
/// or `auto` (Azure OpenAI when `AZURE_OPENAI_ENDPOINT` is set, else an OpenAI-compatible
/// server when `OPENAI_BASE_URL` is set, else extractive).
fn model_choice<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<ModelChoice, SettingsError> {
    let invalid = |key: &'static str, message: &str| SettingsError::Invalid {
        key,
        message: message.to_owned(),
    };
    let choice = get("OTIS_MODEL").map(str::to_ascii_lowercase);
    let choice = match choice.as_deref() {
        None | Some("auto") => {
            if get("AZURE_OPENAI_ENDPOINT").is_some() {
                "azure-openai"
            } else if get("OPENAI_BASE_URL").is_some() {
                "openai"
            } else {
                "extractive"
            }
        }
        Some(explicit @ ("extractive" | "azure-openai" | "openai" | "local")) => explicit,
        Some(_) => {
            return Err(invalid(
                "OTIS_MODEL",
                "must be one of auto, extractive, azure-openai, openai, local",
            ));
        }
    };
    let url = |key: &'static str| -> Result<String, SettingsError> {
        let value = get(key).ok_or_else(|| invalid(key, "is required for this model"))?;
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            return Err(invalid(key, "must be an http(s) URL"));
        }
        Ok(value.trim_end_matches('/').to_owned())
    };
    match choice {
        "azure-openai" => Ok(ModelChoice::AzureOpenAi {
            endpoint: url("AZURE_OPENAI_ENDPOINT")?,
            deployment: get("AZURE_OPENAI_DEPLOYMENT")
                .ok_or_else(|| invalid("AZURE_OPENAI_DEPLOYMENT", "is required for Azure OpenAI"))?
                .to_owned(),
            api_version: get("AZURE_OPENAI_API_VERSION")
                .unwrap_or("2024-06-01")
                .to_owned(),
            key: get("AZURE_OPENAI_KEY")
                .or_else(|| get("OPENAI_API_KEY"))
                .map(Secret::new)
                .ok_or_else(|| {
                    invalid(
                        "AZURE_OPENAI_KEY",
                        "is required for Azure OpenAI (or OPENAI_API_KEY)",
                    )
                })?,
        }),
        "openai" => Ok(ModelChoice::OpenAi {
            base_url: url("OPENAI_BASE_URL")?,
            model: get("OPENAI_MODEL")
                .ok_or_else(|| invalid("OPENAI_MODEL", "is required with OPENAI_BASE_URL"))?
                .to_owned(),
            key: Secret::new(get("OPENAI_API_KEY").unwrap_or_default()),
        }),
        "local" => {
            let path = get("OTIS_LOCAL_MODEL_PATH").map_or_else(default_model_path, PathBuf::from);
            if !path.is_file() {
                return Err(invalid(
                    "OTIS_LOCAL_MODEL_PATH",
                    "names no model file (fetch one with `cargo xtask fetch-model`)",
                ));
            }
            Ok(ModelChoice::Local { path })
        }
        _ => Ok(ModelChoice::Extractive),
    }
}

/// Where `cargo xtask fetch-model` puts SmolLM2-135M-Instruct.
pub fn default_model_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/models/SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// Where sources come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetrieverChoice {
    /// The local COBOL index of `corpus`.
    Local,
    /// Azure AI Search.
    AzureSearch {
        /// `SEARCH_ENDPOINT`, else `AZURE_SEARCH_ENDPOINT`.
        endpoint: String,
        /// `SEARCH_KEY`, else `AZURE_SEARCH_KEY`.
        key: Secret,
        /// `SEARCH_INDEXES`, comma-separated.
        indexes: Vec<String>,
        /// `SEARCH_TOP`: results per index.
        top_per_index: u32,
        /// `SEARCH_API_VERSION`.
        api_version: String,
    },
}

fn retriever_choice<'a>(
    get: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<RetrieverChoice, SettingsError> {
    let invalid = |key: &'static str, message: &str| SettingsError::Invalid {
        key,
        message: message.to_owned(),
    };
    let Some(endpoint) = get("SEARCH_ENDPOINT").or_else(|| get("AZURE_SEARCH_ENDPOINT")) else {
        return Ok(RetrieverChoice::Local);
    };
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(invalid("SEARCH_ENDPOINT", "must be an http(s) URL"));
    }
    let key = get("SEARCH_KEY")
        .or_else(|| get("AZURE_SEARCH_KEY"))
        .ok_or_else(|| {
            invalid(
                "SEARCH_KEY",
                "is required with SEARCH_ENDPOINT (or AZURE_SEARCH_KEY)",
            )
        })?;
    let indexes: Vec<String> = get("SEARCH_INDEXES")
        .ok_or_else(|| {
            invalid(
                "SEARCH_INDEXES",
                "is required with SEARCH_ENDPOINT (comma-separated index names)",
            )
        })?
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if indexes.is_empty() {
        return Err(invalid("SEARCH_INDEXES", "names no index"));
    }
    let top_per_index = match get("SEARCH_TOP") {
        None => 5,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| invalid("SEARCH_TOP", "must be a whole number from 1 to 1000"))?,
    };
    Ok(RetrieverChoice::AzureSearch {
        endpoint: endpoint.trim_end_matches('/').to_owned(),
        key: Secret::new(key),
        indexes,
        top_per_index,
        api_version: get("SEARCH_API_VERSION").unwrap_or("2023-11-01").to_owned(),
    })
}

/// Every setting, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where settings came from, for `stats` and `-v`.
    pub sources: Vec<String>,
    /// Store choice (`OTIS_STORE`).
    pub store: StoreChoice,
    /// Storage connection string (`AZURE_STORAGE_CONNECTION_STRING`, else
    /// `AzureWebJobsStorage`).
    pub storage_connection: Option<Secret>,
    /// Table for turns (`OTIS_TABLE_NAME`).
    pub table_name: String,
    /// The embedded store's file (`OTIS_SQLITE_PATH`).
    pub sqlite_path: PathBuf,
    /// Redis (`REDIS_URL`: a `redis://` or `rediss://` URL, or the Azure Cache for Redis
    /// connection string); its password is redacted in `Debug` and `describe`.
    pub redis_connection: Option<otis_store_redis::RedisConnection>,
    /// What every Redis key starts with (`OTIS_REDIS_PREFIX`).
    pub redis_prefix: String,
    /// Single node or Cluster (`OTIS_REDIS_CLUSTER`: `auto`, `true`, `false`).
    pub redis_topology: otis_store_redis::Topology,
    /// Window size (`OTIS_MAX_TURNS`).
    pub max_turns: MaxTurns,
    /// Session time to live (`OTIS_SESSION_TTL_DAYS`); `None` keeps sessions.
    pub session_ttl: Option<Duration>,
    /// Folder of COBOL sources to index (`OTIS_CORPUS`; else the folder the existing
    /// index was built from; else the sample corpus).
    pub corpus: PathBuf,
    /// Whether `OTIS_CORPUS` named the corpus. When it did not, an existing index is
    /// used as it is, whatever folder it indexes: nothing replaces a user's index
    /// without being asked.
    pub corpus_explicit: bool,
    /// Where the local index lives (`OTIS_INDEX_DIR`).
    pub index_dir: PathBuf,
    /// Model choice (`OTIS_MODEL`).
    pub model: ModelChoice,
    /// Whether a text model may answer a question no kind matched by writing a query
    /// over the code model (`OTIS_MODEL_SQL`: `on`, the default, or `off`).
    pub model_sql: bool,
    /// Sources per question (`OTIS_TOP_K`).
    pub top_k: u32,
    /// Where sources come from.
    pub retriever: RetrieverChoice,
    /// The HTTP endpoint's settings.
    pub http: HttpSettings,
}

/// Settings of the HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpSettings {
    /// Port: `FUNCTIONS_CUSTOMHANDLER_PORT` (set by the Functions host), else `OTIS_PORT`.
    pub port: Option<u16>,
    /// Origins allowed by CORS (`OTIS_CORS_ORIGINS`, comma-separated; `*` for any).
    pub cors_origins: Vec<String>,
    /// Key required in the `x-api-key` header (`OTIS_API_KEY`), for standalone use.
    pub api_key: Option<Secret>,
    /// Confine sessions to the caller's `X-MS-CLIENT-PRINCIPAL-ID`
    /// (`OTIS_SCOPE_SESSIONS_BY_PRINCIPAL`).
    pub scope_by_principal: bool,
}

fn http_settings<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<HttpSettings, SettingsError> {
    let port = |key: &'static str| -> Result<Option<u16>, SettingsError> {
        get(key)
            .map(|v| {
                v.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| SettingsError::Invalid {
                        key,
                        message: format!("{v:?} is not a port number"),
                    })
            })
            .transpose()
    };
    let scope = match get("OTIS_SCOPE_SESSIONS_BY_PRINCIPAL")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("false" | "0" | "no") => false,
        Some("true" | "1" | "yes") => true,
        Some(_) => {
            return Err(SettingsError::Invalid {
                key: "OTIS_SCOPE_SESSIONS_BY_PRINCIPAL",
                message: "must be true or false".into(),
            });
        }
    };
    Ok(HttpSettings {
        port: port("FUNCTIONS_CUSTOMHANDLER_PORT")?.or(port("OTIS_PORT")?),
        cors_origins: get("OTIS_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        api_key: get("OTIS_API_KEY").map(Secret::new),
        scope_by_principal: scope,
    })
}

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The settings file could not be read or parsed.
    #[error("settings file {path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value is invalid.
    #[error("setting {key}: {message}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// What is wrong (never the value of a secret).
        message: String,
    },
}

/// The sample corpus that ships with the repository.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/otis-sample")
}

/// The platform's data folder for OTIS: `OTIS_DATA_DIR`, else `$XDG_DATA_HOME/otis`,
/// else `~/.local/share/otis` (or `%LOCALAPPDATA%\otis`), else `./.otis`.
pub fn data_dir(values: &BTreeMap<String, String>) -> PathBuf {
    if let Some(dir) = values.get("OTIS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = values.get("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Path::new(xdg).join("otis");
    }
    if let Some(local) = values.get("LOCALAPPDATA").filter(|v| !v.is_empty()) {
        return Path::new(local).join("otis");
    }
    if let Some(home) = values.get("HOME").filter(|v| !v.is_empty()) {
        return Path::new(home).join(".local/share/otis");
    }
    PathBuf::from(".otis")
}

/// Reads the `Values` object of a `local.settings.json`.
pub fn read_settings_file(path: &Path) -> Result<BTreeMap<String, String>, SettingsError> {
    let fail = |message: String| SettingsError::File {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
    let values = match json.get("Values") {
        Some(Value::Object(map)) => map,
        Some(_) => return Err(fail("\"Values\" is not an object".into())),
        None => return Ok(BTreeMap::new()),
    };
    values
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(n) => Ok((k.clone(), n.to_string())),
            Value::Bool(b) => Ok((k.clone(), b.to_string())),
            _ => Err(fail(format!("value of {k} is not a string"))),
        })
        .collect()
}

impl Settings {
    /// Settings from the process environment, over `local.settings.json` in the
    /// current folder when there is one (or the file `OTIS_SETTINGS` names).
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::load(None)
    }

    /// Settings from the environment over a settings file: `file` when given (it must
    /// exist), else the file `OTIS_SETTINGS` names, else `local.settings.json` in the
    /// current folder if there is one.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let file = file
            .map(Path::to_owned)
            .or_else(|| env.get("OTIS_SETTINGS").map(PathBuf::from))
            .or_else(|| {
                let default = PathBuf::from("local.settings.json");
                default.exists().then_some(default)
            });
        let mut values = BTreeMap::new();
        let mut sources = Vec::new();
        if let Some(file) = file {
            values.extend(read_settings_file(&file)?);
            sources.push(file.display().to_string());
        }
        values.extend(env);
        sources.push("environment".into());
        Self::from_values(&values, sources)
    }

    /// Settings from a map of keys to values.
    pub fn from_values(
        values: &BTreeMap<String, String>,
        sources: Vec<String>,
    ) -> Result<Self, SettingsError> {
        let get = |key: &str| values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let invalid = |key: &'static str, message: String| SettingsError::Invalid { key, message };

        let store = match get("OTIS_STORE").map(str::to_ascii_lowercase).as_deref() {
            None | Some("auto") => StoreChoice::Auto,
            Some("memory") => StoreChoice::Memory,
            Some("sqlite") => StoreChoice::Sqlite,
            Some("table") => StoreChoice::Table,
            Some("redis") => StoreChoice::Redis,
            Some(other) => {
                return Err(invalid(
                    "OTIS_STORE",
                    format!("{other:?} is not one of auto, sqlite, table, redis, memory"),
                ));
            }
        };
        let redis_connection = get("REDIS_URL")
            .map(otis_store_redis::RedisConnection::parse)
            .transpose()
            .map_err(|e| invalid("REDIS_URL", e.to_string()))?;
        if store == StoreChoice::Redis && redis_connection.is_none() {
            return Err(invalid(
                "OTIS_STORE",
                "is redis, but REDIS_URL is not set".into(),
            ));
        }
        let redis_prefix = get("OTIS_REDIS_PREFIX")
            .unwrap_or(otis_store_redis::DEFAULT_PREFIX)
            .to_owned();
        otis_store_redis::keys::check_prefix(&redis_prefix)
            .map_err(|e| invalid("OTIS_REDIS_PREFIX", e.to_string()))?;
        let redis_topology = match get("OTIS_REDIS_CLUSTER")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("auto") => otis_store_redis::Topology::Auto,
            Some("true" | "1" | "yes") => otis_store_redis::Topology::Cluster,
            Some("false" | "0" | "no") => otis_store_redis::Topology::Single,
            Some(_) => {
                return Err(invalid(
                    "OTIS_REDIS_CLUSTER",
                    "must be auto, true or false".into(),
                ));
            }
        };
        let storage_connection = get("AZURE_STORAGE_CONNECTION_STRING")
            .or_else(|| get("AzureWebJobsStorage"))
            .map(Secret::new);
        if store == StoreChoice::Table && storage_connection.is_none() {
            return Err(invalid(
                "OTIS_STORE",
                "is table, but neither AZURE_STORAGE_CONNECTION_STRING nor AzureWebJobsStorage is set"
                    .into(),
            ));
        }
        if let Some(connection) = &storage_connection {
            otis_store_table::Connection::parse(connection.expose())
                .map_err(|e| invalid("AZURE_STORAGE_CONNECTION_STRING", e.to_string()))?;
        }
        let table_name = get("OTIS_TABLE_NAME")
            .unwrap_or(otis_store_table::DEFAULT_TABLE)
            .to_owned();
        let max_turns = match get("OTIS_MAX_TURNS") {
            None => MaxTurns::DEFAULT,
            Some(v) => v.parse::<MaxTurns>().map_err(|_| {
                invalid(
                    "OTIS_MAX_TURNS",
                    format!("{v:?} is not a whole number >= 1"),
                )
            })?,
        };
        let session_ttl = match get("OTIS_SESSION_TTL_DAYS") {
            None => None,
            Some(v) => {
                let days: f64 = v
                    .parse()
                    .ok()
                    .filter(|d: &f64| d.is_finite() && *d > 0.0)
                    .ok_or_else(|| {
                        invalid(
                            "OTIS_SESSION_TTL_DAYS",
                            format!("{v:?} is not a positive number of days"),
                        )
                    })?;
                Some(Duration::from_secs_f64(days * 86_400.0))
            }
        };
        let data = data_dir(values);
        let corpus_explicit = get("OTIS_CORPUS").is_some();
        let corpus = get("OTIS_CORPUS").map_or_else(sample_corpus, PathBuf::from);
        let index_dir = get("OTIS_INDEX_DIR").map_or_else(|| data.join("index"), PathBuf::from);
        let sqlite_path =
            get("OTIS_SQLITE_PATH").map_or_else(|| data.join("otis.db"), PathBuf::from);
        let model = model_choice(&get)?;
        let model_sql = match get("OTIS_MODEL_SQL")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("on" | "true" | "1" | "yes") => true,
            Some("off" | "false" | "0" | "no") => false,
            Some(other) => {
                return Err(invalid(
                    "OTIS_MODEL_SQL",
                    format!("{other:?} is not on or off"),
                ));
            }
        };
        let retriever = retriever_choice(&get)?;
        let http = http_settings(&get)?;
        let top_k = match get("OTIS_TOP_K") {
            None => 5,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|k| otis_core::TOP_K_RANGE.contains(k))
                .ok_or_else(|| {
                    invalid(
                        "OTIS_TOP_K",
                        format!("{v:?} is not a whole number from 1 to 50"),
                    )
                })?,
        };
        Ok(Self {
            sources,
            store,
            storage_connection,
            table_name,
            sqlite_path,
            redis_connection,
            redis_prefix,
            redis_topology,
            max_turns,
            session_ttl,
            corpus,
            corpus_explicit,
            index_dir,
            model,
            model_sql,
            top_k,
            retriever,
            http,
        })
    }

    /// The settings without secrets, for `stats` and verbose output.
    pub fn describe(&self) -> Value {
        json!({
            "sources": self.sources,
            "store": format!("{:?}", self.store).to_ascii_lowercase(),
            "storage_connection": self.storage_connection.as_ref().map(|_| "<set>"),
            "table_name": self.table_name,
            "sqlite_path": self.sqlite_path,
            "redis": self.redis_connection.as_ref().map(|c| json!({
                "endpoint": c.to_string(),
                "password": c.has_password().then_some("<set>"),
                "prefix": self.redis_prefix,
                "cluster": format!("{:?}", self.redis_topology).to_ascii_lowercase(),
            })),
            "max_turns": self.max_turns.get(),
            "session_ttl_days": self.session_ttl.map(|d| d.as_secs_f64() / 86_400.0),
            "corpus": self.corpus,
            "index_dir": self.index_dir,
            "model": self.model.label(),
            "model_sql": self.model_sql,
            "top_k": self.top_k,
            "http": {
                "port": self.http.port,
                "cors_origins": self.http.cors_origins,
                "api_key": self.http.api_key.as_ref().map(|_| "<set>"),
                "scope_sessions_by_principal": self.http.scope_by_principal,
            },
            "retriever": match &self.retriever {
                RetrieverChoice::Local => json!("local"),
                RetrieverChoice::AzureSearch { endpoint, indexes, top_per_index, .. } => json!({
                    "azure_search": endpoint, "indexes": indexes, "top_per_index": top_per_index,
                }),
            },
        })
    }
}
