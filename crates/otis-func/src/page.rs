//! The web chat page: `GET /` and its two static files, embedded in the binary (no CDN,
//! no build step, nothing fetched at run time), under a strict Content-Security-Policy;
//! and `GET /api/source`, which reads cited lines of the indexed corpus for the page's
//! side panel.
//!
//! The page's script puts only the server's sanitised `answer_html` into the document as
//! HTML (through a Trusted Types policy, which the CSP requires); every other text goes
//! in as text.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::extract::{self, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::input::StrictQuery;
use crate::state::AppState;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");

/// The page's Content-Security-Policy: its own script and styles only, no inline script
/// or style, no other origin, no frames, no plugins, no form posts; HTML goes into the
/// document only through the page's Trusted Types policy. Diagrams are `<img>` from
/// `blob:` URLs (an SVG shown as an image runs no script and loads nothing).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'; object-src 'none'; \
require-trusted-types-for 'script'; trusted-types otis-answer";

/// The routes that serve the page, as the router and `function-app/` declare them:
/// method and path.
pub const PAGE_ROUTES: &[(&str, &str)] = &[("get", "/"), ("get", "/assets/{name}")];

/// Most lines one `/api/source` request may ask for.
pub const MAX_SOURCE_LINES: u32 = 1000;
/// Largest file `/api/source` reads.
const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;

/// Whether `path` is part of the page, which loads without an API key (it asks for the
/// key and sends it with every API call).
pub(crate) fn is_public(path: &str) -> bool {
    path == "/" || path.starts_with("/assets/")
}

fn page_response(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /`: the chat page.
pub(crate) async fn index() -> Response {
    page_response("text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /assets/{name}`: the page's script, style sheet and icon.
pub(crate) async fn asset(extract::Path(name): extract::Path<String>) -> Response {
    let (content_type, body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        "favicon.svg" => ("image/svg+xml", FAVICON_SVG),
        _ => {
            return ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such asset")
                .into_response();
        }
    };
    page_response(content_type, body)
}

/// The checked `file` parameter: a relative path of plain components.
fn relative_path(file: &str) -> Result<PathBuf, ApiError> {
    let refuse = |why: &str| ApiError::field("file", why);
    if file.is_empty() {
        return Err(refuse("must not be empty"));
    }
    if file.len() > 1024 {
        return Err(refuse("is longer than 1024 bytes"));
    }
    if file.contains(['\\', '\0']) || file.contains(':') {
        return Err(refuse("must be a corpus path with / separators"));
    }
    let path = Path::new(file);
    if path.is_absolute() || file.starts_with('/') {
        return Err(refuse(
            "must be relative to the corpus, not an absolute path",
        ));
    }
    let plain = file
        .split('/')
        .all(|segment| !matches!(segment, "" | "." | ".."));
    if !plain || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(refuse("must not contain empty, . or .. segments"));
    }
    Ok(path.to_owned())
}

fn line_param(
    params: &std::collections::HashMap<String, String>,
    name: &str,
) -> Result<Option<u32>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::field(name, "must be a line number, 1 or more"))
        })
        .transpose()
}

fn not_in_corpus() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such file in the corpus",
    )
}

/// The lines `start..=end` (clipped to the file) of `file` in `corpus`, refusing
/// anything that is not a regular, visible file inside it (a symlink that leads out, the
/// index's own folder).
fn read_lines(
    corpus: &Path,
    index_dir: &Path,
    file: &Path,
    start: u32,
    end: u32,
) -> Result<Value, ApiError> {
    if file
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return Err(not_in_corpus());
    }
    let root = corpus.canonicalize().map_err(|_| not_in_corpus())?;
    let path = root
        .join(file)
        .canonicalize()
        .map_err(|_| not_in_corpus())?;
    if !path.starts_with(&root) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "outside_corpus",
            "file: leads outside the corpus",
        ));
    }
    if index_dir
        .canonicalize()
        .is_ok_and(|index| path.starts_with(index))
    {
        return Err(not_in_corpus());
    }
    let meta = std::fs::metadata(&path).map_err(|_| not_in_corpus())?;
    if !meta.is_file() {
        return Err(not_in_corpus());
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("file: is over {MAX_SOURCE_BYTES} bytes"),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|_| not_in_corpus())?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
    if start > total {
        return Err(ApiError::field(
            "start",
            format!("is past the end of the file ({total} lines)"),
        ));
    }
    let end = end.min(total);
    let lines: Vec<&str> = all[(start - 1) as usize..end as usize]
        .iter()
        .map(|l| l.trim_end())
        .collect();
    Ok(json!({
        "file": file.to_string_lossy().replace('\\', "/"),
        "start": start,
        "end": end,
        "total_lines": total,
        "lines": lines,
    }))
}

/// `GET /api/source?file=F&start=S&end=E`: lines S..=E (at most [`MAX_SOURCE_LINES`],
/// clipped to the file's end) of a file of the indexed corpus.
pub(crate) async fn source(
    State(state): State<Arc<AppState>>,
    StrictQuery(params): StrictQuery,
) -> Result<Json<Value>, ApiError> {
    let file = params
        .get("file")
        .ok_or_else(|| ApiError::field("file", "is required"))?;
    let file = relative_path(file)?;
    let start = line_param(&params, "start")?.unwrap_or(1);
    let end = line_param(&params, "end")?.unwrap_or(start);
    if end < start {
        return Err(ApiError::field("end", "must not be before start"));
    }
    if end - start >= MAX_SOURCE_LINES {
        return Err(ApiError::field(
            "end",
            format!("a range of at most {MAX_SOURCE_LINES} lines may be read at once"),
        ));
    }
    let Some(index) = &state.app.index else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_corpus",
            "this server searches a remote index and has no corpus to read lines from",
        ));
    };
    let corpus = index.corpus().to_owned();
    let index_dir = state.app.settings.index_dir.clone();
    tokio::task::spawn_blocking(move || read_lines(&corpus, &index_dir, &file, start, end))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "reading the file failed",
            )
        })?
        .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_read() {
        for ok in ["LP/LONPF2.CBL", "a/b/c.cpy", "X.CBL"] {
            assert!(relative_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "LP/../../x",
            "./LP/X.CBL",
            "LP/./X.CBL",
            "LP//X.CBL/..",
            "C:\\x",
            "LP\\..\\x",
            "a\0b",
        ] {
            let err = relative_path(bad).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }
}
