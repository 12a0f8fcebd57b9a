//! `otis query`: read-only SQL over the code model, printed as an aligned table, JSON or
//! CSV. The schema is in docs/code-model.md.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use anyhow::{Context, anyhow};
use otis_app::Settings;
use otis_index::{LocalIndex, QueryError, QueryLimits, QueryOutput, QueryValue};

use crate::failure::{Failure, input};

/// Where to find the tables when a query names the wrong one.
const SCHEMA_HINT: &str = "tables: files, revisions, copies, calls, transfers, selects, \
procedures, performs, data_items, names, refs (view data_refs), statements, file_ops, \
file_descriptions, fd_records, data_sections, forms, form_options, form_keys, form_fields, \
form_prompts, copy_closure (view program_calls); \
columns: otis query \"PRAGMA table_info(files)\"; every table and column with examples: \
docs/code-model.md";

/// How to print the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

/// What `run` needs, from the arguments.
struct Options {
    sql: String,
    format: Format,
    limit: usize,
    timeout: f64,
}

/// The `otis query` arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// One SQL statement (SELECT, WITH ... SELECT, or a schema PRAGMA); `-` reads it
    /// from standard input.
    sql: String,
    /// Print the rows as a JSON array of objects.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the rows as CSV (RFC 4180).
    #[arg(long)]
    csv: bool,
    /// Rows shown at most.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// Seconds after which the query is stopped.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

impl From<Args> for Options {
    fn from(args: Args) -> Self {
        let format = match (args.json, args.csv) {
            (true, _) => Format::Json,
            (_, true) => Format::Csv,
            _ => Format::Table,
        };
        Self {
            sql: args.sql,
            format,
            limit: args.limit as usize,
            timeout: args.timeout,
        }
    }
}

pub(crate) fn run(settings: &Settings, args: Args) -> Result<(), Failure> {
    let options = Options::from(args);
    let sql = if options.sql == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the query from standard input")?;
        text
    } else {
        options.sql
    };
    if !(options.timeout > 0.0 && options.timeout.is_finite()) {
        return Err(input(anyhow!(
            "--timeout must be a positive number of seconds"
        )));
    }
    let index = LocalIndex::open(&settings.index_dir)
        .map_err(|e| input(anyhow!(e)).context_input("opening the index"))?;
    let limits = QueryLimits {
        max_rows: options.limit,
        timeout: Duration::from_secs_f64(options.timeout),
    };
    let out = index.query(&sql, limits).map_err(|e| match e {
        QueryError::Invalid(message) => input(anyhow!("{message}\n({SCHEMA_HINT})")),
        QueryError::Refused(_) => input(anyhow!(e)),
        other => Failure::Runtime(anyhow!(other)),
    })?;
    let mut stdout = std::io::stdout().lock();
    let text = match options.format {
        Format::Table => table(&out),
        Format::Json => json(&out)?,
        Format::Csv => csv(&out),
    };
    stdout
        .write_all(text.as_bytes())
        .context("writing the result")?;
    if out.truncated {
        eprintln!(
            "(first {} rows shown; raise --limit for more)",
            out.rows.len()
        );
    } else if options.format == Format::Table {
        eprintln!(
            "({} row{}, {} ms)",
            out.rows.len(),
            if out.rows.len() == 1 { "" } else { "s" },
            out.elapsed.as_millis()
        );
    }
    Ok(())
}

trait InputContext {
    fn context_input(self, what: &str) -> Failure;
}

impl InputContext for Failure {
    fn context_input(self, what: &str) -> Failure {
        match self {
            Failure::Input(e) => Failure::Input(e.context(what.to_owned())),
            Failure::Runtime(e) => Failure::Runtime(e.context(what.to_owned())),
        }
    }
}

fn cell(v: &QueryValue) -> String {
    // One line per row: line breaks in values are shown escaped.
    v.to_string().replace('\n', "\\n")
}

/// Columns padded to their widest value; numbers right-aligned.
fn table(out: &QueryOutput) -> String {
    let cells: Vec<Vec<String>> = out
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let mut widths: Vec<usize> = out.columns.iter().map(|c| c.chars().count()).collect();
    for row in &cells {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let numeric: Vec<bool> = (0..out.columns.len())
        .map(|i| {
            out.rows.iter().all(|r| {
                matches!(
                    r.get(i),
                    Some(QueryValue::Integer(_) | QueryValue::Real(_) | QueryValue::Null)
                )
            }) && !out.rows.is_empty()
        })
        .collect();
    let line = |values: &[String], text: &mut String| {
        let parts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let w = widths.get(i).copied().unwrap_or(0);
                if numeric.get(i).copied().unwrap_or(false) {
                    format!("{v:>w$}")
                } else {
                    format!("{v:<w$}")
                }
            })
            .collect();
        text.push_str(parts.join("  ").trim_end());
        text.push('\n');
    };
    let mut text = String::new();
    line(&out.columns, &mut text);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    text.push_str(&rule.join("  "));
    text.push('\n');
    for row in &cells {
        line(row, &mut text);
    }
    text
}

fn json(out: &QueryOutput) -> Result<String, Failure> {
    let rows: Vec<serde_json::Value> = out
        .rows
        .iter()
        .map(|r| {
            let object: serde_json::Map<String, serde_json::Value> = out
                .columns
                .iter()
                .zip(r)
                .map(|(c, v)| {
                    let value = match v {
                        QueryValue::Null => serde_json::Value::Null,
                        QueryValue::Integer(n) => serde_json::json!(n),
                        QueryValue::Real(x) => serde_json::json!(x),
                        QueryValue::Text(t) => serde_json::json!(t),
                        QueryValue::Blob(n) => serde_json::json!(format!("<{n} bytes>")),
                    };
                    (c.clone(), value)
                })
                .collect();
            serde_json::Value::Object(object)
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows).context("JSON")?;
    text.push('\n');
    Ok(text)
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(out: &QueryOutput) -> String {
    let mut text = String::new();
    let header: Vec<String> = out.columns.iter().map(|c| csv_field(c)).collect();
    text.push_str(&header.join(","));
    text.push_str("\r\n");
    for row in &out.rows {
        let fields: Vec<String> = row.iter().map(|v| csv_field(&v.to_string())).collect();
        text.push_str(&fields.join(","));
        text.push_str("\r\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> QueryOutput {
        QueryOutput {
            columns: vec!["member".into(), "lines".into()],
            rows: vec![
                vec![QueryValue::Text("LONPF2".into()), QueryValue::Integer(1200)],
                vec![QueryValue::Text("A, \"B\"".into()), QueryValue::Integer(7)],
            ],
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn tables_align_and_csv_quotes() {
        assert_eq!(
            table(&sample()),
            "member  lines\n------  -----\nLONPF2   1200\nA, \"B\"      7\n"
        );
        assert_eq!(
            csv(&sample()),
            "member,lines\r\nLONPF2,1200\r\n\"A, \"\"B\"\"\",7\r\n"
        );
        let json = json(&sample()).ok().unwrap_or_default();
        assert!(json.contains("\"member\": \"LONPF2\""), "{json}");
    }
}
