//! What the commands that ask share: the app built from the settings (the index opened,
//! or built first with a progress bar), the session id the user gave, a new turn's id.

use anyhow::anyhow;
use otis_app::{App, IndexMode, Settings};
use otis_core::{SessionId, TurnId};

use crate::failure::{Failure, app_failure, input};
use crate::index;

pub(crate) async fn build_app(settings: Settings) -> Result<App, Failure> {
    let (bar, mut update) = index::progress_bar();
    let app = otis_app::build(settings, IndexMode::OpenOrBuild, &mut update)
        .await
        .map_err(app_failure)?;
    bar.finish_and_clear();
    if let (Some(report), Some(index)) = (&app.index_build, &app.index) {
        eprint!("No usable index (none yet, or one from another version of otis): built one. ");
        index::report_build(report, index.corpus());
    }
    Ok(app)
}

pub(crate) fn session_id(raw: &str) -> Result<SessionId, Failure> {
    SessionId::parse(raw).map_err(|e| input(anyhow!("invalid session id {raw:?}: {e}")))
}

pub(crate) fn new_turn_id() -> TurnId {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    TurnId::parse(format!("cli-{millis}-{:08x}", fastrand::u32(..)))
        .unwrap_or_else(|_| unreachable_turn_id())
}

/// A fixed id, for the impossible case where the generated one is refused.
fn unreachable_turn_id() -> TurnId {
    match TurnId::parse("cli-turn") {
        Ok(id) => id,
        Err(_) => unreachable!("a constant, valid turn id"),
    }
}
