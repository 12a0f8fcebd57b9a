//! The routes, their handlers, and the middleware around them (API key, CORS).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use otis_app::HttpSettings;
use otis_app::wire::QueryResponse;
use otis_core::ports::{DeltaSink, Feedback, MAX_FEEDBACK_COMMENT, MAX_FEEDBACK_TEXT, PageRequest};
use otis_core::{AskRequest, SessionId, Timestamp, TurnId};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::error::{ApiError, ErrorDetail, store_message};
use crate::input::{self, StrictQuery};
use crate::log;
use crate::markdown::{HtmlRecord, to_html};
use crate::state::AppState;
use crate::{openapi, page};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The header App Service authentication sets to the caller's principal id.
pub const PRINCIPAL_HEADER: &str = "x-ms-client-principal-id";
/// The header carrying the standalone API key.
pub const API_KEY_HEADER: &str = "x-api-key";
/// How long a health probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The router: the chat page at `/` and every route under `/api`, with API-key and CORS
/// middleware.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/assets/{name}", get(page::asset))
        .route("/api/source", get(page::source))
        .route("/api/query", post(query))
        .route("/api/history", get(history).delete(delete_history))
        .route("/api/sessions", get(sessions))
        .route("/api/health", get(health))
        .route("/api/stats", get(stats))
        .route("/api/feedback", post(feedback))
        .route("/api/openapi.json", get(openapi_document))
        .route("/purge", post(crate::purge::purge))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), log_failures))
        .layer(middleware::from_fn_with_state(state.clone(), api_key))
        .layer(middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// Writes the backend's account of a failed request to the server log (the caller got
/// only the code and a plain message).
async fn log_failures(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    if let Some(failure) = response.extensions().get::<ErrorDetail>() {
        log::failure(&state.redactor, &route, failure.code, &failure.detail);
    }
    response
}

/// Requires `x-api-key` on every route but health and the page itself (which asks for
/// the key) when a key is configured.
async fn api_key(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let exempt = request.method() == Method::OPTIONS
        || request.uri().path() == "/api/health"
        || page::is_public(request.uri().path());
    if let Some(key) = &state.http.api_key
        && !exempt
    {
        let given = request
            .headers()
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok());
        if given != Some(key.expose()) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!("a valid {API_KEY_HEADER} header is required"),
            )
            .into_response();
        }
    }
    next.run(request).await
}

fn origin_allowed(http: &HttpSettings, origin: &str) -> bool {
    http.cors_origins
        .iter()
        .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
}

/// CORS for the configured origins only; preflight answered here.
async fn cors(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let allowed = origin
        .as_deref()
        .is_some_and(|o| origin_allowed(&state.http, o));
    if preflight {
        if !allowed {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "cors_forbidden",
                "this origin is not allowed",
            )
            .into_response();
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-api-key, authorization"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        allow_origin(headers, &state.http, origin.as_deref());
        return response;
    }
    let mut response = next.run(request).await;
    if allowed {
        allow_origin(response.headers_mut(), &state.http, origin.as_deref());
    }
    response
}

fn allow_origin(headers: &mut HeaderMap, http: &HttpSettings, origin: Option<&str>) {
    let value = if http.cors_origins.iter().any(|o| o == "*") {
        Some(HeaderValue::from_static("*"))
    } else {
        origin.and_then(|o| HeaderValue::from_str(o).ok())
    };
    if let Some(value) = value {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("origin"));
    }
}

/// The caller's principal when scoping is on: required, and a plain id.
fn principal(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if !state.http.scope_by_principal {
        return Ok(None);
    }
    let value = headers
        .get(PRINCIPAL_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sessions are scoped by principal: the request has no authenticated principal",
            )
        })?;
    let plain = value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
    if !plain {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "the principal id is not a plain id",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// The caller's session id as stored: prefixed with the principal when scoping is on.
fn stored_session(principal: Option<&str>, raw: &str) -> Result<SessionId, ApiError> {
    let caller = SessionId::parse(raw).map_err(|e| ApiError::field("session_id", e))?;
    match principal {
        None => Ok(caller),
        Some(p) => SessionId::parse(format!("{p}|{raw}"))
            .map_err(|_| ApiError::field("session_id", "is too long once scoped to the caller")),
    }
}

/// The caller's view of a stored session id.
fn caller_session(principal: Option<&str>, stored: &SessionId) -> Option<String> {
    match principal {
        None => Some(stored.as_str().to_owned()),
        Some(p) => stored
            .as_str()
            .strip_prefix(&format!("{p}|"))
            .map(str::to_owned),
    }
}

fn new_id(prefix: &str) -> TurnId {
    let millis = Timestamp::now().unix_millis();
    TurnId::parse(format!("{prefix}-{millis}-{:016x}", fastrand::u64(..)))
        .unwrap_or_else(|_| fallback_id())
}

fn fallback_id() -> TurnId {
    match TurnId::parse("http") {
        Ok(id) => id,
        Err(_) => unreachable!("a constant, valid id"),
    }
}

fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "payload_too_large",
                format!("the body is over {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::new(status, "invalid_body", rejection.body_text())
        }
    })
}

/// A parsed, validated `/api/query` body.
struct QueryInput {
    request: AskRequest,
    caller_session: Option<String>,
    stream: bool,
}

fn parse_query(state: &AppState, headers: &HeaderMap, raw: &[u8]) -> Result<QueryInput, ApiError> {
    let map = input::object(raw)?;
    // Each field is read, then checked by the rules every entry point shares
    // (`AskRequest::check_*`), in this order: the first bad one is the one named.
    let question = input::string(&map, "question")?;
    AskRequest::check_question(&question)?;
    let session_id = input::optional_string(&map, "session_id")?;
    let persist = input::optional_bool(&map, "enable_persistence")?.unwrap_or(false);
    let top_k = match input::optional_u64(&map, "top_k")? {
        None => state.app.settings.top_k,
        Some(k) => AskRequest::check_top_k(k)?,
    };
    let temperature = match input::optional_f64(&map, "temperature")? {
        None => 0.0,
        Some(t) => AskRequest::check_temperature(t)?,
    };
    // Still read and checked, but the answer's form is chosen by `Accept`: the previous
    // system's page sends `"stream": true` and reads JSON.
    let _stream = input::optional_bool(&map, "stream")?;
    let stream = wants_event_stream(headers);
    let principal = principal(state, headers)?;
    let session = session_id
        .as_deref()
        .map(|raw| stored_session(principal.as_deref(), raw))
        .transpose()?;
    let mut request = AskRequest::new(question, new_id("http"));
    request.persist = persist && session.is_some();
    request.session = session;
    request.top_k = top_k;
    request.temperature = temperature;
    // Every field is checked above; the use case checks the whole request again before
    // it reads anything.
    Ok(QueryInput {
        request,
        caller_session: session_id,
        stream,
    })
}

/// Whether the request's `Accept` lists `text/event-stream` (with a non-zero quality).
fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case("text/event-stream") && !refused
        })
}

/// The record for the caller: with the session id as the caller gave it (not scoped),
/// and a failed write reported in plain words (what the store said goes to the log).
fn record(
    state: &AppState,
    mut response: otis_core::AskResponse,
    caller_session: Option<String>,
) -> QueryResponse {
    response.session_id = caller_session.and_then(|id| SessionId::parse(id).ok());
    if let Some(detail) = response.persist_error.take() {
        log::failure(
            &state.redactor,
            "POST /api/query (storing the turn)",
            "persist_failed",
            &detail,
        );
        response.persist_error = Some(format!(
            "the turn was not stored: {}",
            store_message("store_error")
        ));
    }
    QueryResponse::from(response)
}

async fn query(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let raw = body(raw)?;
    let input = parse_query(&state, &headers, &raw)?;
    if !input.stream {
        let response = state.app.assistant.ask(input.request).await?;
        let record = HtmlRecord::from(record(&state, response, input.caller_session));
        return Ok(Json(record).into_response());
    }
    Ok(stream_answer(state, input).into_response())
}

/// Sends deltas into the SSE channel.
struct ChannelSink(mpsc::UnboundedSender<Event>);

impl DeltaSink for ChannelSink {
    fn delta(&mut self, text: &str) {
        let _ = self.0.send(
            Event::default()
                .event("delta")
                .data(json!({"text": text}).to_string()),
        );
    }
}

/// Answers as server-sent events: `delta` events with text, then one `done` event with
/// the whole record (or one `error` event). The answer runs in its own task: if the
/// client goes away, generation stops and the turn is stored with the answer so far,
/// marked interrupted.
fn stream_answer(state: Arc<AppState>, input: QueryInput) -> impl IntoResponse {
    let (tx, rx) = mpsc::unbounded_channel::<Event>();
    let task_state = state.clone();
    let handle = tokio::spawn(async move {
        let mut sink = ChannelSink(tx.clone());
        let gone = tx.clone();
        let result = task_state
            .app
            .assistant
            .ask_streaming_until(input.request, &mut sink, async move { gone.closed().await })
            .await;
        let event = match result {
            Ok(response) => Event::default().event("done").data(
                serde_json::to_string(&HtmlRecord::from(record(
                    &task_state,
                    response,
                    input.caller_session,
                )))
                .unwrap_or_default(),
            ),
            Err(e) => {
                let e = ApiError::from(e);
                if let Some(detail) = e.detail() {
                    log::failure(
                        &task_state.redactor,
                        "POST /api/query (stream)",
                        e.code,
                        detail,
                    );
                }
                Event::default()
                    .event("error")
                    .data(json!({"error": {"code": e.code, "message": e.message}}).to_string())
            }
        };
        let _ = tx.send(event);
    });
    if let Ok(mut streams) = state.streams.lock() {
        streams.retain(|h| !h.is_finished());
        streams.push(handle);
    }
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|event| (Ok::<Event, Infallible>(event), rx))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn limit(params: &HashMap<String, String>, default: u32) -> Result<u32, ApiError> {
    match params.get("limit") {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::field("limit", "must be a whole number from 1 to 1000")),
    }
}

fn page_request(params: &HashMap<String, String>, default: u32) -> Result<PageRequest, ApiError> {
    let mut page = PageRequest::first(limit(params, default)?);
    page.cursor = params
        .get("cursor")
        .filter(|c| !c.is_empty())
        .map(|c| otis_core::ports::Cursor(c.clone()));
    Ok(page)
}

fn session_param(
    state: &AppState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(SessionId, String), ApiError> {
    let raw = params
        .get("session_id")
        .ok_or_else(|| ApiError::field("session_id", "is required"))?;
    let principal = principal(state, headers)?;
    Ok((stored_session(principal.as_deref(), raw)?, raw.clone()))
}

async fn history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    StrictQuery(params): StrictQuery,
) -> Result<Json<Value>, ApiError> {
    let (session, caller) = session_param(&state, &headers, &params)?;
    let page = page_request(&params, 100)?;
    let found = state.app.store.history(&session, &page).await?;
    // Each turn with its answer rendered as the query's `answer_html` is, and a flow
    // answer's diagram drawn again from the graph its metadata keeps.
    let turns: Vec<Value> = found
        .items
        .iter()
        .map(|turn| {
            let mut value = serde_json::to_value(turn).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("assistant_html".into(), to_html(&turn.assistant).into());
                if let Some(graph) = otis_core::stored_graph::from_metadata(&turn.metadata) {
                    let diagram = otis_diagram::draw(&graph);
                    map.insert("diagram".into(), json!(diagram));
                }
            }
            value
        })
        .collect();
    Ok(Json(json!({
        "session_id": caller,
        "turns": turns,
        "next_cursor": found.next.map(|c| c.0),
    })))
}

async fn delete_history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    StrictQuery(params): StrictQuery,
) -> Result<Json<Value>, ApiError> {
    let (session, caller) = session_param(&state, &headers, &params)?;
    let count = state.app.store.delete_session(&session).await?;
    Ok(Json(
        json!({"session_id": caller, "deleted": count > 0, "count": count}),
    ))
}

async fn sessions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    StrictQuery(params): StrictQuery,
) -> Result<Json<Value>, ApiError> {
    let principal = principal(&state, &headers)?;
    let mut page = page_request(&params, 100)?;
    let wanted = page.limit.get() as usize;
    let mut listed = Vec::new();
    // With scoping, other principals' sessions are skipped, so read on until the page
    // is full or the store has no more.
    let next = loop {
        let found = state.app.store.list_sessions(&page).await?;
        for summary in &found.items {
            if let Some(id) = caller_session(principal.as_deref(), &summary.session) {
                listed.push(json!({
                    "session_id": id,
                    "turns": summary.turns,
                    "last_activity": summary.last_activity,
                }));
            }
        }
        match page.after(&found) {
            Some(next) if listed.len() < wanted => page = next,
            _ => break found.next,
        }
    };
    Ok(Json(
        json!({"sessions": listed, "next_cursor": next.map(|c| c.0)}),
    ))
}

/// Health: whether the store and the retriever answer. Unauthenticated, so it says
/// which part failed and nothing of what the backend said (that goes to the log).
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let store = async {
        let probe = SessionId::parse("__otis_health__").map_err(|e| e.to_string())?;
        tokio::time::timeout(PROBE_TIMEOUT, state.app.store.load_latest(&probe, 1))
            .await
            .map_err(|_| format!("no answer within {PROBE_TIMEOUT:?}"))?
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let retriever = async {
        tokio::time::timeout(PROBE_TIMEOUT, state.app.retriever.retrieve("LONPF2", 1))
            .await
            .map_err(|_| format!("no answer within {PROBE_TIMEOUT:?}"))?
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let (store, retriever) = tokio::join!(store, retriever);
    let problem = match (&store, &retriever) {
        (Err(detail), _) => Some((
            "store_unavailable",
            "the conversation store did not answer",
            detail,
        )),
        (_, Err(detail)) => Some((
            "index_unavailable",
            "the code index or search service did not answer",
            detail,
        )),
        _ => None,
    };
    if let Some((code, _, detail)) = &problem {
        log::failure(&state.redactor, "GET /api/health", code, detail);
    }
    let body = json!({
        "status": if problem.is_none() { "ok" } else { "unavailable" },
        "store": state.app.store_name,
        "retriever": state.app.retriever.name(),
        "error": problem.as_ref().map(|(code, message, _)| json!({"code": code, "message": message})),
    });
    let status = if problem.is_none() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.app.describe())
}

async fn feedback(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let raw = body(raw)?;
    let map = input::object(&raw)?;
    let principal = principal(&state, &headers)?;
    let session = input::optional_string(&map, "session_id")?
        .map(|raw| stored_session(principal.as_deref(), &raw))
        .transpose()?;
    let text = |field: &str, max: usize, required: bool| -> Result<Option<String>, ApiError> {
        let value = if required {
            Some(input::string(&map, field)?)
        } else {
            input::optional_string(&map, field)?
        };
        if let Some(v) = &value
            && v.len() > max
        {
            return Err(ApiError::field(
                field,
                format!("is {} bytes; at most {max}", v.len()),
            ));
        }
        Ok(value)
    };
    let question = text("question", MAX_FEEDBACK_TEXT, true)?.unwrap_or_default();
    let answer = text("answer", MAX_FEEDBACK_TEXT, true)?.unwrap_or_default();
    let comment = text("comment", MAX_FEEDBACK_COMMENT, false)?;
    let rating = match input::optional_f64(&map, "rating")? {
        None => None,
        Some(r) if r == -1.0 || r == 0.0 || r == 1.0 => Some(r as i8),
        Some(r) => {
            return Err(ApiError::field(
                "rating",
                format!("must be -1, 0 or 1, got {r}"),
            ));
        }
    };
    let report = Feedback {
        id: new_id("fb"),
        at: Timestamp::now(),
        session,
        question,
        answer,
        comment,
        rating,
        principal,
    };
    state.app.feedback.record(&report).await?;
    Ok(Json(json!({"id": report.id, "stored": true})))
}

async fn openapi_document() -> Json<Value> {
    Json(openapi::document())
}
