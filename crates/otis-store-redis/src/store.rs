//! `RedisStore`: the `SessionStore` and `FeedbackStore` ports on Redis, single node or
//! Cluster (layout: docs/schema.md). An append is one `EVALSHA`; a window load is one
//! `ZREVRANGE`; both whatever the history length. (With a TTL, a load that finds
//! nothing also drops the session's index entries, in case Redis expired it.)

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::join_all;
use otis_core::ports::{
    Cursor, Feedback, FeedbackStore, Page, PageRequest, SessionStore, SessionSummary, StoreError,
};
use otis_core::{Metadata, Seq, SessionId, Timestamp, Turn, TurnId};
use otis_upstream::{Redactor, RetryPolicy, UpstreamError, Verdict};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    Cmd, ConnectionAddr, ConnectionInfo, ErrorKind, IntoConnectionInfo, RedisConnectionInfo,
    RedisError, RedisResult, ServerErrorKind, Value,
};
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::connection::RedisConnection;
use crate::keys::{BUCKETS, Keys, PrefixError, bucket};
use crate::scripts::{Lua, Scripts};

/// The largest turn stored: 4 MiB (Redis itself takes values up to 512 MB).
pub const MAX_TURN_BYTES: usize = 4 << 20;
/// The key prefix when none is configured.
pub const DEFAULT_PREFIX: &str = "otis";
/// Buckets listed or swept at once.
const BUCKET_WINDOW: u16 = 64;
/// Sessions a purge script removes per call.
const PURGE_BATCH: i64 = 500;

/// Single node or Cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Topology {
    /// Ask the server (`INFO cluster`) on first connect.
    #[default]
    Auto,
    /// One node (or a proxy in front of a cluster, as Azure's non-clustered tiers).
    Single,
    /// Redis Cluster: the configured node is a seed; the others are discovered.
    Cluster,
}

/// The Redis store's retries of transient failures (connection loss, timeouts,
/// `TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`, `LOADING`): 4 attempts, backoff from 100 ms
/// doubling to 1 s, no retry started after 30 s. Every command the store sends is safe
/// to repeat (the append script stores a turn only where its position is free and
/// takes a replay of the very same turn as done; the others read, or delete what is
/// already gone), so every command is retried. The connection's own reconnection
/// backoff uses the same base and maximum.
pub const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_delay: Duration::from_millis(100),
    max_delay: Duration::from_secs(1),
    max_elapsed: Duration::from_secs(30),
};

/// Everything a [`RedisStore`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// Where Redis is (a Cluster's seed node).
    pub connection: RedisConnection,
    /// What every key starts with, so several deployments can share one Redis.
    pub prefix: String,
    /// With a TTL, every key of a session expires this long after its latest append,
    /// and its bucket's two index keys this long after the bucket's latest append (any
    /// precision; the setting `OTIS_SESSION_TTL_DAYS` is in days).
    pub session_ttl: Option<Duration>,
    /// Single node, Cluster, or ask the server.
    pub topology: Topology,
    /// Retries of transient failures (default [`RETRY`]).
    pub retry: RetryPolicy,
    /// Time limit of one command.
    pub response_timeout: Duration,
    /// Time limit of one connection attempt.
    pub connect_timeout: Duration,
}

impl RedisConfig {
    /// Defaults for `connection`: prefix `otis`, no TTL, topology detected.
    pub fn new(connection: RedisConnection) -> Self {
        Self {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
            session_ttl: None,
            topology: Topology::Auto,
            retry: RETRY,
            response_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The keys a session occupies (for tests, tools and docs/schema.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// The session's turns: a sorted set, score = position.
    pub turns: String,
    /// Its bucket's index by id.
    pub index: String,
    /// Its bucket's index by last activity.
    pub activity: String,
}

/// A store over one Redis (or one Cluster). Clones share the connection; separately
/// opened stores have their own. Connects on first use and reconnects after a loss.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    config: RedisConfig,
    keys: Keys,
    scripts: Scripts,
    connection: OnceCell<Connection>,
    /// Removes the password from what the server (or a proxy) says.
    redactor: Redactor,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("connection", &self.inner.config.connection)
            .field("prefix", &self.inner.config.prefix)
            .field("session_ttl", &self.inner.config.session_ttl)
            .field("topology", &self.inner.config.topology)
            .finish()
    }
}

#[derive(Clone)]
enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    async fn query(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        match self {
            Self::Single(c) => cmd.query_async(c).await,
            Self::Cluster(c) => cmd.query_async(c).await,
        }
    }
}

fn connection_info(c: &RedisConnection) -> RedisResult<ConnectionInfo> {
    let addr = if c.tls {
        ConnectionAddr::TcpTls {
            host: c.host.clone(),
            port: c.port,
            insecure: false,
            tls_params: None,
        }
    } else {
        ConnectionAddr::Tcp(c.host.clone(), c.port)
    };
    let mut redis = RedisConnectionInfo::default().set_db(c.db);
    if let Some(user) = &c.username {
        redis = redis.set_username(user);
    }
    if let Some(password) = c.password() {
        redis = redis.set_password(password);
    }
    Ok(addr.into_connection_info()?.set_redis_settings(redis))
}

/// Whether trying again may succeed: the connection broke or timed out, or the server
/// said so (`TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`, `LOADING`).
fn transient(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.kind(),
            ErrorKind::ClusterConnectionNotFound
                | ErrorKind::Server(
                    ServerErrorKind::TryAgain
                        | ServerErrorKind::ClusterDown
                        | ServerErrorKind::MasterDown
                        | ServerErrorKind::BusyLoading
                )
        )
}

/// A failure as the port reports it, with the password removed from the server's text.
fn store_error(e: &RedisError, redactor: &Redactor) -> StoreError {
    let error = Box::new(UpstreamError::new("redis", None, &e.to_string(), redactor));
    if transient(e) {
        StoreError::Unavailable(error)
    } else {
        StoreError::Backend(error)
    }
}

fn corrupt(what: impl fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A turn as stored: a header line `"<seq> <turn id> <at ms> <user bytes> <assistant
/// bytes>\n"`, then the user text, the assistant text, and the metadata as JSON. The
/// header keeps members of different positions distinct, lets the append script name an
/// occupant without parsing anything, and lets the texts be read without a JSON scan.
fn encode(turn: &Turn) -> Result<Vec<u8>, StoreError> {
    let header = format!(
        "{} {} {} {} {}\n",
        turn.seq.0,
        turn.id.as_str(),
        turn.at.unix_millis(),
        turn.user.len(),
        turn.assistant.len()
    );
    let mut member = Vec::with_capacity(header.len() + turn.user.len() + turn.assistant.len() + 64);
    member.extend_from_slice(header.as_bytes());
    member.extend_from_slice(turn.user.as_bytes());
    member.extend_from_slice(turn.assistant.as_bytes());
    serde_json::to_writer(&mut member, &turn.metadata)
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
    Ok(member)
}

fn decode(member: &[u8]) -> Result<Turn, StoreError> {
    let newline = member
        .iter()
        .position(|b| *b == b'\n')
        .ok_or_else(|| corrupt("a stored turn has no header"))?;
    let header = std::str::from_utf8(&member[..newline]).map_err(corrupt)?;
    let mut fields = header.split(' ');
    let mut field = |what: &str| {
        fields
            .next()
            .ok_or_else(|| corrupt(format!("a stored turn's header lacks its {what}")))
    };
    let seq: u64 = field("position")?.parse().map_err(corrupt)?;
    let id = TurnId::parse(field("turn id")?).map_err(corrupt)?;
    let at: i64 = field("time")?.parse().map_err(corrupt)?;
    let user_len: usize = field("user length")?.parse().map_err(corrupt)?;
    let assistant_len: usize = field("assistant length")?.parse().map_err(corrupt)?;
    let body = &member[newline + 1..];
    let short = || corrupt(format!("turn {seq} is shorter than its header says"));
    let (user, rest) = body.split_at_checked(user_len).ok_or_else(short)?;
    let (assistant, metadata) = rest.split_at_checked(assistant_len).ok_or_else(short)?;
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| corrupt(format!("turn {seq}: {e}")))
    };
    let metadata = if metadata == b"{}" {
        Metadata::new()
    } else {
        serde_json::from_slice(metadata).map_err(|e| corrupt(format!("turn {seq}: {e}")))?
    };
    Ok(Turn {
        seq: Seq(seq),
        id,
        at: Timestamp::from_unix_millis(at).map_err(corrupt)?,
        user: text(user)?,
        assistant: text(assistant)?,
        metadata,
    })
}

fn members(value: Value) -> Result<Vec<Vec<u8>>, StoreError> {
    match value {
        Value::Array(items) | Value::Set(items) => items
            .into_iter()
            .map(|v| match v {
                Value::BulkString(bytes) => Ok(bytes),
                other => Err(corrupt(format!("unexpected reply {other:?}"))),
            })
            .collect(),
        Value::Nil => Ok(Vec::new()),
        other => Err(corrupt(format!("unexpected reply {other:?}"))),
    }
}

fn integer(value: &Value) -> Result<i64, StoreError> {
    match value {
        Value::Int(n) => Ok(*n),
        Value::BulkString(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .map(|f| f as i64)
            .ok_or_else(|| corrupt("a number was expected")),
        other => Err(corrupt(format!("a number was expected, got {other:?}"))),
    }
}

fn text(value: Value) -> Result<String, StoreError> {
    match value {
        Value::BulkString(b) => String::from_utf8(b).map_err(corrupt),
        Value::SimpleString(s) => Ok(s),
        other => Err(corrupt(format!("text was expected, got {other:?}"))),
    }
}

fn list_cursor(bucket: u16, session: &SessionId) -> Cursor {
    Cursor(format!("{bucket}:{}", session.as_str()))
}

fn parse_list_cursor(cursor: &Cursor) -> Result<(u16, String), StoreError> {
    let invalid = || StoreError::InvalidCursor(cursor.0.clone());
    let (bucket, id) = cursor.0.split_once(':').ok_or_else(invalid)?;
    let bucket: u16 = bucket.parse().map_err(|_| invalid())?;
    if bucket >= BUCKETS || id.is_empty() {
        return Err(invalid());
    }
    Ok((bucket, id.to_owned()))
}

async fn connect_single(
    info: ConnectionInfo,
    config: &RedisConfig,
) -> RedisResult<ConnectionManager> {
    let client = redis::Client::open(info)?;
    let manager = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.connect_timeout))
        .set_response_timeout(Some(config.response_timeout))
        .set_number_of_retries(3)
        .set_min_delay(config.retry.base_delay)
        .set_max_delay(config.retry.max_delay);
    ConnectionManager::new_with_config(client, manager).await
}

async fn connect_cluster(
    info: ConnectionInfo,
    config: &RedisConfig,
) -> RedisResult<ClusterConnection> {
    let client = ClusterClientBuilder::new(vec![info])
        .connection_timeout(config.connect_timeout)
        .response_timeout(config.response_timeout)
        .retries(3)
        .build()?;
    client.get_async_connection().await
}

impl RedisStore {
    /// A store with `config`. Connects on first use, so this never waits for Redis.
    pub fn open(config: RedisConfig) -> Result<Self, PrefixError> {
        let keys = Keys::new(&config.prefix)?;
        let redactor = Redactor::new(config.connection.password());
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                keys,
                scripts: Scripts::new(),
                connection: OnceCell::new(),
                redactor,
            }),
        })
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &RedisConfig {
        &self.inner.config
    }

    /// The keys `session` occupies.
    pub fn session_keys(&self, session: &SessionId) -> SessionKeys {
        let b = bucket(session.as_str());
        SessionKeys {
            turns: self.inner.keys.turns(session.as_str()),
            index: self.inner.keys.index(b),
            activity: self.inner.keys.activity(b),
        }
    }

    /// The append script's source, for benchmarks that send it by hand.
    pub fn append_script(&self) -> &str {
        &self.inner.scripts.append.body
    }

    async fn connect(&self) -> RedisResult<Connection> {
        let config = &self.inner.config;
        if config.connection.tls {
            // The workspace builds rustls with ring only; make it the process default.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let info = connection_info(&config.connection)?;
        match config.topology {
            Topology::Single => Ok(Connection::Single(connect_single(info, config).await?)),
            Topology::Cluster => Ok(Connection::Cluster(connect_cluster(info, config).await?)),
            Topology::Auto => {
                let mut manager = connect_single(info.clone(), config).await?;
                let about: String = redis::cmd("INFO")
                    .arg("cluster")
                    .query_async(&mut manager)
                    .await?;
                if about.contains("cluster_enabled:1") {
                    Ok(Connection::Cluster(connect_cluster(info, config).await?))
                } else {
                    Ok(Connection::Single(manager))
                }
            }
        }
    }

    async fn connection(&self) -> RedisResult<Connection> {
        self.inner
            .connection
            .get_or_try_init(|| self.connect())
            .await
            .cloned()
    }

    /// Sends `cmd`, retrying transient failures (every command here is safe to repeat).
    async fn request(&self, cmd: &Cmd) -> Result<Value, StoreError> {
        self.send(cmd, None).await
    }

    /// Runs a script: `EVALSHA`, and `EVAL` with the source when the node lacks it.
    async fn eval(&self, lua: &Lua, keys: &[&str], args: &[&[u8]]) -> Result<Value, StoreError> {
        let build = |verb: &str, what: &str| {
            let mut cmd = redis::cmd(verb);
            cmd.arg(what).arg(keys.len());
            for key in keys {
                cmd.arg(*key);
            }
            for arg in args {
                cmd.arg(*arg);
            }
            cmd
        };
        self.send(&build("EVALSHA", &lua.sha), Some(&build("EVAL", &lua.body)))
            .await
    }

    /// Sends `cmd` (and `fallback` when the server answers `NOSCRIPT`), retrying
    /// transient failures as [`RedisConfig::retry`] says; then `Unavailable`.
    async fn send(&self, cmd: &Cmd, fallback: Option<&Cmd>) -> Result<Value, StoreError> {
        let attempt = || async {
            let mut connection = self.connection().await?;
            match connection.query(cmd).await {
                Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    match fallback {
                        Some(fallback) => connection.query(fallback).await,
                        None => Err(e),
                    }
                }
                other => other,
            }
        };
        let verdict = |e: &RedisError| {
            if transient(e) {
                Verdict::Retry
            } else {
                Verdict::Fail
            }
        };
        self.inner
            .config
            .retry
            .run(attempt, verdict)
            .await
            .map_err(|e| store_error(&e, &self.inner.redactor))
    }

    /// Up to `want` sessions of bucket `b` after `after`.
    async fn list_bucket(
        &self,
        b: u16,
        after: Option<&str>,
        want: u32,
    ) -> Result<Vec<(u16, SessionSummary)>, StoreError> {
        let keys = &self.inner.keys;
        let start = match after {
            Some(id) => format!("({id}"),
            None => "-".to_owned(),
        };
        let reply = self
            .eval(
                &self.inner.scripts.list,
                &[&keys.index(b), &keys.activity(b)],
                &[
                    start.as_bytes(),
                    want.to_string().as_bytes(),
                    keys.turns_prefix(b).as_bytes(),
                ],
            )
            .await?;
        let Value::Array(flat) = reply else {
            return Err(corrupt("the listing script returned no array"));
        };
        let mut out = Vec::with_capacity(flat.len() / 3);
        let mut items = flat.into_iter();
        while let (Some(id), Some(count), Some(last)) = (items.next(), items.next(), items.next()) {
            let session = SessionId::parse(text(id)?).map_err(corrupt)?;
            out.push((
                b,
                SessionSummary {
                    session,
                    turns: u64::try_from(integer(&count)?).unwrap_or(0),
                    last_activity: Timestamp::from_unix_millis(integer(&last)?).map_err(corrupt)?,
                },
            ));
        }
        Ok(out)
    }

    async fn purge_bucket(&self, b: u16, cutoff: Timestamp) -> Result<u64, StoreError> {
        let keys = &self.inner.keys;
        let mut removed = 0u64;
        loop {
            let reply = self
                .eval(
                    &self.inner.scripts.purge,
                    &[&keys.index(b), &keys.activity(b)],
                    &[
                        cutoff.unix_millis().to_string().as_bytes(),
                        keys.turns_prefix(b).as_bytes(),
                        PURGE_BATCH.to_string().as_bytes(),
                    ],
                )
                .await?;
            let Value::Array(pair) = reply else {
                return Err(corrupt("the purge script returned no array"));
            };
            let (Some(gone), Some(seen)) = (pair.first(), pair.get(1)) else {
                return Err(corrupt("the purge script returned a short array"));
            };
            removed += u64::try_from(integer(gone)?).unwrap_or(0);
            if integer(seen)? < PURGE_BATCH {
                return Ok(removed);
            }
        }
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    fn max_turn_bytes(&self) -> usize {
        MAX_TURN_BYTES
    }

    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError> {
        StoreError::check_size(turn, MAX_TURN_BYTES)?;
        let member = encode(turn)?;
        let b = bucket(session.as_str());
        let keys = &self.inner.keys;
        let ttl_ms = self
            .inner
            .config
            .session_ttl
            .map_or(0, |ttl| ttl.as_millis().clamp(1, i64::MAX as u128) as i64);
        let reply = self
            .eval(
                &self.inner.scripts.append,
                &[
                    &keys.turns(session.as_str()),
                    &keys.index(b),
                    &keys.activity(b),
                ],
                &[
                    turn.seq.0.to_string().as_bytes(),
                    &member,
                    session.as_str().as_bytes(),
                    turn.at.unix_millis().to_string().as_bytes(),
                    ttl_ms.to_string().as_bytes(),
                    keys.turns_prefix(b).as_bytes(),
                ],
            )
            .await?;
        match reply {
            Value::Int(1) => Ok(()),
            Value::BulkString(occupant) => {
                let occupant = String::from_utf8(occupant).map_err(corrupt)?;
                Err(StoreError::Conflict {
                    seq: turn.seq,
                    occupant: TurnId::parse(occupant).map_err(corrupt)?,
                })
            }
            other => Err(corrupt(format!("the append script returned {other:?}"))),
        }
    }

    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("ZREVRANGE");
        cmd.arg(self.inner.keys.turns(session.as_str()))
            .arg(0)
            .arg(i64::from(n) - 1);
        let found = members(self.request(&cmd).await?)?;
        if found.is_empty() && self.inner.config.session_ttl.is_some() {
            // Only Redis's expiry leaves index entries of a session without turns.
            let keys = self.session_keys(session);
            self.eval(
                &self.inner.scripts.forget,
                &[&keys.turns, &keys.index, &keys.activity],
                &[session.as_str().as_bytes()],
            )
            .await?;
        }
        let mut turns = found
            .iter()
            .map(|m| decode(m))
            .collect::<Result<Vec<_>, _>>()?;
        turns.reverse();
        Ok(turns)
    }

    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError> {
        let from: u64 = match &page.cursor {
            None => 0,
            Some(Cursor(c)) => c
                .parse()
                .map_err(|_| StoreError::InvalidCursor(c.clone()))?,
        };
        let limit = page.limit.get();
        let mut cmd = redis::cmd("ZRANGEBYSCORE");
        cmd.arg(self.inner.keys.turns(session.as_str()))
            .arg(from)
            .arg("+inf")
            .arg("LIMIT")
            .arg(0)
            .arg(i64::from(limit) + 1);
        let mut items = members(self.request(&cmd).await?)?
            .iter()
            .map(|m| decode(m))
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|t| Cursor(t.seq.next().0.to_string()))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn list_sessions(&self, page: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
        let limit = page.limit.get() as usize;
        let (first, after) = match &page.cursor {
            None => (0, None),
            Some(cursor) => {
                let (b, id) = parse_list_cursor(cursor)?;
                (b, Some(id))
            }
        };
        // One more than the page, to know whether another page follows.
        let want = page.limit.get().saturating_add(1);
        let mut found: Vec<(u16, SessionSummary)> = Vec::new();
        let mut b = first;
        while b < BUCKETS && found.len() <= limit {
            let end = (b + BUCKET_WINDOW).min(BUCKETS);
            let batch = join_all((b..end).map(|bucket| {
                let after = (bucket == first).then_some(after.as_deref()).flatten();
                self.list_bucket(bucket, after, want)
            }))
            .await;
            for result in batch {
                found.extend(result?);
                if found.len() > limit {
                    break;
                }
            }
            b = end;
        }
        let next = if found.len() > limit {
            found.truncate(limit);
            found.last().map(|(b, s)| list_cursor(*b, &s.session))
        } else {
            None
        };
        Ok(Page {
            items: found.into_iter().map(|(_, s)| s).collect(),
            next,
        })
    }

    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError> {
        let keys = self.session_keys(session);
        let reply = self
            .eval(
                &self.inner.scripts.delete,
                &[&keys.turns, &keys.index, &keys.activity],
                &[session.as_str().as_bytes()],
            )
            .await?;
        Ok(u64::try_from(integer(&reply)?).unwrap_or(0))
    }

    async fn purge_inactive(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut removed = 0;
        let mut b = 0;
        while b < BUCKETS {
            let end = (b + BUCKET_WINDOW).min(BUCKETS);
            for result in join_all((b..end).map(|bucket| self.purge_bucket(bucket, cutoff))).await {
                removed += result?;
            }
            b = end;
        }
        Ok(removed)
    }
}

/// A feedback report as stored (JSON, one key per report, never expiring).
#[derive(Serialize)]
struct FeedbackRecord<'a> {
    id: &'a str,
    at: String,
    session: Option<&'a str>,
    question: &'a str,
    answer: &'a str,
    comment: Option<&'a str>,
    rating: Option<i8>,
    principal: Option<&'a str>,
}

#[async_trait]
impl FeedbackStore for RedisStore {
    async fn record(&self, feedback: &Feedback) -> Result<(), StoreError> {
        let record = FeedbackRecord {
            id: feedback.id.as_str(),
            at: feedback.at.to_rfc3339(),
            session: feedback.session.as_ref().map(SessionId::as_str),
            question: &feedback.question,
            answer: &feedback.answer,
            comment: feedback.comment.as_deref(),
            rating: feedback.rating,
            principal: feedback.principal.as_deref(),
        };
        let json = serde_json::to_vec(&record).map_err(|e| StoreError::Backend(Box::new(e)))?;
        // NX: a report sent twice is stored once.
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.inner.keys.feedback(feedback.id.as_str()))
            .arg(json)
            .arg("NX");
        self.request(&cmd).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_encode_and_decode() {
        let turn = Turn {
            seq: Seq(42),
            id: TurnId::parse("req-1:a.b").unwrap(),
            at: Timestamp::from_unix_millis(1_764_000_000_123).unwrap(),
            user: "line\nbreak «ü» 🦀".into(),
            assistant: "\r\n\t\"quoted\"".into(),
            metadata: serde_json::from_str(r#"{"big": 9007199254740993, "n": null}"#).unwrap(),
        };
        let member = encode(&turn).unwrap();
        assert!(member.starts_with(b"42 req-1:a.b 1764000000123 "));
        assert_eq!(decode(&member).unwrap(), turn);
    }

    #[test]
    fn damaged_members_are_corrupt_not_panics() {
        for bad in [
            &b""[..],
            b"no header",
            b"x id 1 0 0\n{}",
            b"1 id 1 0 0\nnot json",
            b"1 bad!id 1 0 0\n{}",
            b"1 id 1 5 0\nabc{}",
            b"1 id 1\n{}",
            b"1 id 1 1 0\n\xff{}",
        ] {
            assert!(
                matches!(decode(bad), Err(StoreError::Corrupt(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn list_cursors_round_trip_and_refuse_strangers() {
        let s = SessionId::parse("a:b {c}").unwrap();
        let c = list_cursor(17, &s);
        assert_eq!(parse_list_cursor(&c).unwrap(), (17, "a:b {c}".to_owned()));
        for bad in [
            "",
            "x",
            "17",
            "17:",
            "1024:a",
            "-1:a",
            "\u{1}not a cursor\u{1}",
        ] {
            assert!(parse_list_cursor(&Cursor(bad.into())).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let config = RedisConfig::new(
            RedisConnection::parse("rediss://:topsecretpw@cache.example:6380").unwrap(),
        );
        let store = RedisStore::open(config).unwrap();
        let shown = format!("{store:?}");
        assert!(!shown.contains("topsecretpw"), "{shown}");
        assert!(shown.contains("cache.example"));
    }
}
