//! How `otis` reports a failure on stderr. When a service failed (model, search, store),
//! the user sees which one, the status it answered with and what to check, from
//! otis-app's `ServiceFailure`, the same account the HTTP API gives; never what the
//! service said, which may echo a key. With `RUST_LOG=debug` (or `otis=debug`, `trace`)
//! what it said follows on a `debug:` line, with every configured secret removed.
//! Other failures print their cause chain, also passed through the redactor.

use std::error::Error;
use std::sync::OnceLock;

use otis_app::{Redactor, ServiceFailure, Settings, TURN_NOT_STORED};

/// What the reports of this process know: the settings (for what to check), their
/// secrets, and whether `RUST_LOG` asks for detail.
#[derive(Debug)]
struct Reporter {
    settings: Option<Settings>,
    redactor: Redactor,
    debug: bool,
}

static REPORTER: OnceLock<Reporter> = OnceLock::new();

/// Sets up reporting for `settings`; call once, as soon as they are loaded.
pub(crate) fn init(settings: &Settings) {
    let _ = REPORTER.set(Reporter {
        settings: Some(settings.clone()),
        redactor: otis_app::redactor(settings),
        debug: debug_enabled(std::env::var("RUST_LOG").as_deref().unwrap_or("")),
    });
}

fn reporter() -> &'static Reporter {
    REPORTER.get_or_init(|| Reporter {
        settings: None,
        redactor: Redactor::default(),
        debug: debug_enabled(std::env::var("RUST_LOG").as_deref().unwrap_or("")),
    })
}

/// Whether a `RUST_LOG` value asks for debug detail from otis: a directive of level
/// `debug` or `trace`, alone or for a target starting with `otis`, or such a target
/// alone (every level).
fn debug_enabled(rust_log: &str) -> bool {
    let detailed =
        |level: &str| level.eq_ignore_ascii_case("debug") || level.eq_ignore_ascii_case("trace");
    rust_log
        .split(',')
        .map(str::trim)
        .any(|directive| match directive.split_once('=') {
            Some((target, level)) => target.trim().starts_with("otis") && detailed(level.trim()),
            None => detailed(directive) || directive.starts_with("otis"),
        })
}

/// The lines that report `error` (without a trailing newline).
fn lines(error: &anyhow::Error) -> Vec<String> {
    let reporter = reporter();
    let mut context = Vec::new();
    for link in error.chain() {
        let Some(failure) = ServiceFailure::of_error(link) else {
            context.push(link.to_string());
            continue;
        };
        context.push(failure.to_string());
        let mut out = vec![format!(
            "error: {}",
            reporter.redactor.redact(&context.join(": "))
        )];
        if let Some(settings) = &reporter.settings {
            out.push(format!("  check: {}", failure.check(settings)));
        }
        out.extend(detail_lines(reporter, failure.service.as_str(), link));
        return out;
    }
    // No service failed: the cause chain, as anyhow prints it, without secrets.
    vec![format!(
        "error: {}",
        reporter.redactor.redact(&format!("{error:#}"))
    )]
}

/// What `service` said, on a `debug:` line when asked for, else how to see it.
fn detail_lines(reporter: &Reporter, service: &str, said: &(dyn Error + 'static)) -> Vec<String> {
    if reporter.debug {
        let detail = reporter.redactor.redact(&said.to_string());
        vec![format!(
            "debug: {service} said: {}",
            detail.replace(['\r', '\n'], " ")
        )]
    } else {
        vec![format!(
            "  (RUST_LOG=debug shows what {service} said, without secrets)"
        )]
    }
}

/// Prints the report of `error` on stderr.
pub(crate) fn error(error: &anyhow::Error) {
    for line in lines(error) {
        eprintln!("{line}");
    }
}

/// Reports a turn that was not saved in `session`; `detail` is what the store said,
/// shown only on a `debug:` line. The answer's record says [`TURN_NOT_STORED`].
pub(crate) fn turn_not_saved(session: &str, detail: &str) {
    let reporter = reporter();
    eprintln!("warning: session {session}: {TURN_NOT_STORED}");
    if let Some(settings) = &reporter.settings {
        let check = ServiceFailure {
            service: otis_app::Service::Store,
            code: "store_error",
            message: TURN_NOT_STORED.to_owned(),
            status: None,
        }
        .check(settings);
        eprintln!("  check: {check}");
    }
    if reporter.debug {
        eprintln!(
            "debug: the conversation store said: {}",
            reporter.redactor.redact(detail).replace(['\r', '\n'], " ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_asks_for_detail_at_debug_or_trace() {
        for (value, want) in [
            ("debug", true),
            ("TRACE", true),
            ("otis=debug", true),
            ("otis_cli=trace,hyper=info", true),
            ("info,otis=debug", true),
            ("otis", true),
            ("", false),
            ("info", false),
            ("warn,otis=info", false),
            ("hyper=debug", false),
        ] {
            assert_eq!(debug_enabled(value), want, "{value:?}");
        }
    }
}
