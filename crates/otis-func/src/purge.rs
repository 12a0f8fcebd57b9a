//! The expiry sweep of the function app's timer (`function-app/purge`, schedule
//! `%OTIS_PURGE_SCHEDULE%`). For a non-HTTP trigger the Functions host POSTs the
//! invocation (`{"Data": ..., "Metadata": ...}`) to the custom handler at the function's
//! name, `/purge`, and reads `{"Outputs", "Logs", "ReturnValue"}` back; a non-2xx
//! answer fails the invocation. The sweep removes sessions idle for longer than
//! `OTIS_SESSION_TTL_DAYS` (`otis_app::purge_idle`, as `otis sessions purge` does).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use otis_core::Timestamp;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// `POST /purge`: the timer's invocation. The body (the timer's schedule status) is
/// not needed and not read.
pub(crate) async fn purge(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let Some(ttl) = state.app.settings.session_ttl else {
        return Ok(Json(json!({
            "Outputs": {},
            "Logs": ["purge: OTIS_SESSION_TTL_DAYS is not set, so no session expires; removed 0"],
            "ReturnValue": {"removed": 0, "cutoff": null, "idle_days": null},
        })));
    };
    let report =
        otis_app::purge_idle(state.app.store.as_ref(), ttl, Timestamp::now(), false).await?;
    let days = ttl.as_secs_f64() / 86_400.0;
    Ok(Json(json!({
        "Outputs": {},
        "Logs": [format!(
            "purge: removed {} sessions idle since before {} (OTIS_SESSION_TTL_DAYS={days}) from {}",
            report.removed, report.cutoff, state.app.store_name
        )],
        "ReturnValue": {"removed": report.removed, "cutoff": report.cutoff, "idle_days": days},
    })))
}
