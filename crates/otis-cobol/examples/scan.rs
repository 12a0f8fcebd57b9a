//! Reads every `.CBL` / `.CPY` under a folder and prints totals of what the reader found.
//!
//! `cargo run -p otis-cobol --example scan -- <folder> [--list-undescribed] [--dump FILE] [--json DIR]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use otis_cobol::{CallKind, SourceKind};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("cbl") || e.eq_ignore_ascii_case("cpy"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: scan <folder> [--list-undescribed] [--dump FILE] [--json DIR]");
        std::process::exit(2);
    };
    let list = args.iter().any(|a| a == "--list-undescribed");
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|k| args.get(k + 1));
    let json_dir = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|k| args.get(k + 1));
    let mut paths = Vec::new();
    walk(Path::new(root), &mut paths)?;
    paths.sort();
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p)?;
            let rel = p
                .strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned();
            Ok((rel, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .collect::<std::io::Result<_>>()?;
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();

    let start = Instant::now();
    let mut t = Totals::default();
    for (rel, text) in &texts {
        let f = otis_cobol::read(rel, text);
        if dump.is_some_and(|d| rel.ends_with(d.as_str())) {
            println!("{}", serde_json::to_string_pretty(&f)?);
        }
        if let Some(dir) = &json_dir {
            let name = rel.replace(['/', '\\'], "__");
            std::fs::write(
                Path::new(dir).join(name + ".json"),
                serde_json::to_string(&f)?,
            )?;
        }
        t.files += 1;
        match f.kind {
            Some(SourceKind::Program) => {
                t.programs += 1;
                if f.header.description.is_some() {
                    t.programs_described += 1;
                } else if list {
                    println!("no description: {rel}");
                }
                if f.procedures.is_empty() {
                    println!("no procedures: {rel}");
                }
            }
            Some(SourceKind::Copybook) => t.copybooks += 1,
            None => {}
        }
        if f.header.description.is_some() {
            t.described += 1;
        }
        t.copies += f.copies.len();
        t.copies_in_proc += f.copies.iter().filter(|c| c.in_procedure).count();
        for c in &f.calls {
            match c.kind {
                CallKind::Static => t.static_calls += 1,
                CallKind::Dynamic => t.dynamic_calls += 1,
                CallKind::Runtime => t.runtime_calls += 1,
            }
        }
        t.transfers += f.transfers.len();
        t.files_decl += f.files.len();
        t.procedures += f.procedures.len();
        t.edges += f.edges.len();
        t.data_items += f.data_items.len();
        t.refs += f.refs.len();
        t.revisions += f.header.revisions.len();
    }
    let elapsed = start.elapsed();
    println!("{t:#?}");
    println!(
        "read {} files, {:.1} MB in {:.3} s",
        t.files,
        bytes as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    Ok(())
}

#[derive(Debug, Default)]
#[allow(dead_code)] // fields are read through Debug
struct Totals {
    files: usize,
    programs: usize,
    programs_described: usize,
    copybooks: usize,
    described: usize,
    revisions: usize,
    copies: usize,
    copies_in_proc: usize,
    static_calls: usize,
    dynamic_calls: usize,
    runtime_calls: usize,
    transfers: usize,
    files_decl: usize,
    procedures: usize,
    edges: usize,
    data_items: usize,
    refs: usize,
}
