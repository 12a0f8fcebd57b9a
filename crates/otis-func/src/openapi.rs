//! The OpenAPI document, generated from one table of routes that a test checks against
//! the router.

use serde_json::{Value, json};

/// One route of the API.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// Lower-case HTTP method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Query parameters: name, required, description.
    pub query: &'static [(&'static str, bool, &'static str)],
    /// The JSON request body's fields: name, type, required, description.
    pub body: &'static [(&'static str, &'static str, bool, &'static str)],
}

const SESSION: (&str, bool, &str) = ("session_id", true, "The session.");
const LIMIT: (&str, bool, &str) = ("limit", false, "Page size, 1-1000 (default 100).");
const CURSOR: (&str, bool, &str) = ("cursor", false, "next_cursor of the previous page.");

/// Every route the router serves.
pub const ROUTES: &[Route] = &[
    Route {
        method: "post",
        path: "/api/query",
        summary: "Answer a question; with session_id and enable_persistence the conversation is remembered. The record carries answer_html, the answer rendered from Markdown and sanitised. With Accept: text/event-stream the answer comes as server-sent events (delta events, then one done event with the record); without it the answer is the JSON record, whatever stream says.",
        query: &[],
        body: &[
            ("question", "string", true, "The question (at most 16 KiB)."),
            ("session_id", "string", false, "The conversation."),
            (
                "enable_persistence",
                "boolean",
                false,
                "Read and write the session's memory.",
            ),
            ("top_k", "integer", false, "Sources to retrieve, 1-50."),
            ("temperature", "number", false, "Sampling temperature, 0-2."),
            (
                "stream",
                "boolean",
                false,
                "Accepted for old clients; server-sent events are chosen by Accept: text/event-stream.",
            ),
        ],
    },
    Route {
        method: "get",
        path: "/api/history",
        summary: "A session's turns, oldest first, a page at a time; each with assistant_html, its answer rendered and sanitised, and a flow answer's diagram drawn again from its stored graph.",
        query: &[SESSION, LIMIT, CURSOR],
        body: &[],
    },
    Route {
        method: "delete",
        path: "/api/history",
        summary: "Delete a session and all its turns.",
        query: &[SESSION],
        body: &[],
    },
    Route {
        method: "get",
        path: "/api/sessions",
        summary: "Sessions with their turn counts and last activity, a page at a time.",
        query: &[LIMIT, CURSOR],
        body: &[],
    },
    Route {
        method: "get",
        path: "/api/source",
        summary: "Lines of a file of the indexed corpus (for a cited source): {file, start, end, total_lines, lines}. Only relative paths of plain segments inside the corpus; . and .., absolute paths and symlinks that lead out are refused (400, 403), as are ranges over 1000 lines.",
        query: &[
            (
                "file",
                true,
                "The file, relative to the corpus (LP/LONPF2.CBL).",
            ),
            ("start", false, "First line, 1 or more (default 1)."),
            (
                "end",
                false,
                "Last line (default start); clipped to the file's end.",
            ),
        ],
        body: &[],
    },
    Route {
        method: "get",
        path: "/api/health",
        summary: "200 when the store and the retriever answer, 503 with the reason when not.",
        query: &[],
        body: &[],
    },
    Route {
        method: "get",
        path: "/api/stats",
        summary: "The effective configuration, without secrets.",
        query: &[],
        body: &[],
    },
    Route {
        method: "post",
        path: "/api/feedback",
        summary: "Store a report about an answer.",
        query: &[],
        body: &[
            ("question", "string", true, "The question (at most 64 KiB)."),
            ("answer", "string", true, "The answer (at most 64 KiB)."),
            ("session_id", "string", false, "The session."),
            (
                "comment",
                "string",
                false,
                "What the user says (at most 8 KiB).",
            ),
            ("rating", "integer", false, "-1, 0 or 1."),
        ],
    },
    Route {
        method: "get",
        path: "/api/openapi.json",
        summary: "This document.",
        query: &[],
        body: &[],
    },
    Route {
        method: "post",
        path: "/purge",
        summary: "The expiry sweep, as the function app's timer (function-app/purge) invokes it through the Functions host: removes sessions idle for longer than OTIS_SESSION_TTL_DAYS and answers {\"Outputs\": {}, \"Logs\": [...], \"ReturnValue\": {\"removed\": N, \"cutoff\", \"idle_days\"}}. The request body (the timer's invocation) is ignored.",
        query: &[],
        body: &[],
    },
];

/// The OpenAPI 3.0 document of [`ROUTES`].
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .query
            .iter()
            .map(|(name, required, description)| {
                json!({"name": name, "in": "query", "required": required,
                       "description": description, "schema": {"type": "string"}})
            })
            .collect();
        let mut operation = json!({
            "summary": route.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "Success (JSON)."},
                "400": {"description": "Invalid request; the message names the field.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing API key or principal."},
                "502": {"description": "The store, retriever or model failed."},
                "503": {"description": "The store, index or model is unavailable."},
            },
        });
        if !route.body.is_empty() {
            let properties: serde_json::Map<String, Value> = route
                .body
                .iter()
                .map(|(name, kind, _, description)| {
                    (
                        (*name).to_owned(),
                        json!({"type": kind, "description": description}),
                    )
                })
                .collect();
            let required: Vec<&str> = route
                .body
                .iter()
                .filter(|(_, _, required, _)| *required)
                .map(|(name, ..)| *name)
                .collect();
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": properties, "required": required,
                }}},
            });
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "OTIS", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Questions about the OTIS COBOL codebase, with conversation memory."},
        "paths": paths,
        "components": {"schemas": {"Error": {
            "type": "object",
            "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}}}},
        }}},
    })
}
