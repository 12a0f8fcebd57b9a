//! `cargo xtask cycles`: finds source files that import a file that imports them back.
//!
//! Every crate's module tree is read from its roots (`src/lib.rs`, `src/main.rs`,
//! `src/bin/*.rs`) through its `mod x;` declarations. A file *imports* another file when
//! a path in it (a `use` declaration, a `pub use` re-export, or a path in code such as
//! `crate::x::f()`, `super::T` or `child::f()`) names an item or module that lives in the
//! other file. The path is followed through the module tree as far as it names modules,
//! and the edge goes to the file of the last module it names: `use crate::api::AppState`
//! is an edge to `api.rs`, `use crate::AppState` is an edge to `lib.rs` (whatever
//! `lib.rs` re-exports it from, which is `lib.rs`'s own edge). The rules:
//!
//! - `mod x;` alone is not an import: it only says where `x`'s file is. What the parent
//!   then names of `x` (`pub use x::T;`, `x::f()`) is. So a parent that declares a child
//!   which uses `super::T` has no cycle, unless the parent also uses the child.
//! - `super` inside an inline `mod tests { ... }` is the enclosing module, in the same
//!   file: not an edge.
//! - Comments (doc links included) and string literals are not read. Paths into other
//!   crates are not edges.
//!
//! The allow-list (`xtask/cycles-allow.txt`, one path prefix a line, `#` comments) names
//! files whose cycles are reported but do not fail the check: a cycle is allowed when
//! every file in it starts with a listed prefix. `--strict` ignores the list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The allow-list, relative to the workspace root.
const ALLOW_FILE: &str = "xtask/cycles-allow.txt";

/// Help for `cargo xtask cycles`.
pub(crate) const HELP: &str = "usage: cargo xtask cycles [--strict]

Prints every file-level import cycle inside each crate (crates/*/src and xtask/src)
and exits 1 when there is one that the allow-list does not cover.

A file imports another when one of its paths names something in the other: a `use`
or `pub use` declaration, or a path in code (`crate::x::f()`, `super::T`, `child::f()`).
The path is followed through the module tree as far as it names modules; the edge goes
to the file of the last module named (`use crate::api::AppState` -> api.rs,
`use crate::AppState` -> lib.rs). A `mod x;` declaration alone is not an import, so a
parent declaring a child that uses `super::T` is no cycle unless the parent also uses
the child (`pub use x::T`, `x::f()`). `super` inside an inline `mod tests {}` stays in
its file. Comments, doc links and strings are not read.

Allow-list: xtask/cycles-allow.txt, one path prefix a line (`#` starts a comment);
a cycle whose files all start with a listed prefix is reported as allowed and does
not fail. --strict ignores the list.";

/// Runs the check on the workspace at `root`.
pub(crate) fn cycles(root: &Path, args: &[String]) -> Result<(), String> {
    let mut strict = false;
    for arg in args {
        match arg.as_str() {
            "--strict" => strict = true,
            "-h" | "--help" => {
                println!("{HELP}");
                return Ok(());
            }
            other => return Err(format!("unknown option {other:?}\n\n{HELP}")),
        }
    }
    let allow = if strict {
        Vec::new()
    } else {
        read_allow_list(&root.join(ALLOW_FILE))?
    };
    let mut crate_dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .map_err(|e| format!("reading crates/: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("src").is_dir())
        .collect();
    crate_dirs.sort();
    crate_dirs.push(root.join("xtask"));
    let mut failing = 0;
    let mut allowed = 0;
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for dir in crate_dirs {
        let files = read_sources(&dir.join("src"), root)?;
        let graph = Graph::build(&files);
        for cycle in graph.cycles() {
            let ok = cycle
                .files
                .iter()
                .all(|file| allow.iter().any(|prefix| file.starts_with(prefix.as_str())));
            if ok {
                allowed += 1;
                used.extend(
                    allow
                        .iter()
                        .filter(|p| cycle.files.iter().any(|f| f.starts_with(p.as_str())))
                        .map(String::as_str),
                );
                println!("allowed {}", cycle.render());
            } else {
                failing += 1;
                println!("{}", cycle.render());
            }
        }
    }
    if allowed > 0 {
        println!("{allowed} cycle(s) allowed by {ALLOW_FILE}");
    }
    for prefix in allow.iter().filter(|p| !used.contains(p.as_str())) {
        println!("{ALLOW_FILE}: {prefix} allows no cycle any more: remove the line");
    }
    if failing > 0 {
        Err(format!(
            "{failing} file-level import cycle(s); a shared type goes in a module of its own"
        ))
    } else {
        println!("no file-level import cycles outside the allow-list");
        Ok(())
    }
}

fn read_allow_list(path: &Path) -> Result<Vec<String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    Ok(text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Every `.rs` file under `src`, keyed by its path relative to `root` with `/`.
fn read_sources(src: &Path, root: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(name, text);
            }
        }
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Semi,
    Comma,
    Star,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Rust source as tokens, without comments, strings and character literals. Only what
/// paths and module blocks need is kept apart; the rest is `Punct`.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        let push = |tokens: &mut Vec<Token>, tok: Tok| tokens.push(Token { tok, line });
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(&chars, i) {
            line += chars[i..end].iter().filter(|&&c| c == '\n').count();
            i = end;
        } else if c == '"' || (matches!(c, 'b' | 'c') && at(i + 1) == '"') {
            i += if c == '"' { 1 } else { 2 };
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if at(i) == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == '\'') {
            let start = if c == '\'' { i } else { i + 1 };
            if at(start + 1) == '\\' {
                // An escaped character literal: past the escaped character, up to the
                // closing quote (`'\''`, `'\\'`, `'\u{41}'`).
                i = start + 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(start + 2) == '\'' {
                i = start + 3;
            } else {
                // A lifetime or a label: the quote alone, the name is read next.
                i = start + 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `r#type` is the identifier `type`.
            if word == "r" && at(i) == '#' && (at(i + 1).is_alphabetic() || at(i + 1) == '_') {
                let start = i + 1;
                i = start;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                push(&mut tokens, Tok::Ident(chars[start..i].iter().collect()));
            } else if word.starts_with(|c: char| c.is_ascii_digit()) {
                push(&mut tokens, Tok::Punct('0'));
            } else {
                push(&mut tokens, Tok::Ident(word));
            }
        } else if c == '$' && chars[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            // `$crate` in a macro is the crate the macro is defined in.
            push(&mut tokens, Tok::Ident(String::from("crate")));
            i += 6;
        } else {
            let tok = match c {
                ':' if at(i + 1) == ':' => {
                    i += 1;
                    Tok::PathSep
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ';' => Tok::Semi,
                ',' => Tok::Comma,
                '*' => Tok::Star,
                other => Tok::Punct(other),
            };
            push(&mut tokens, tok);
            i += 1;
        }
    }
    tokens
}

/// Where a raw string (`r"..."`, `r#"..."#`, `br##"..."##`, `cr"..."`) starting at `i`
/// ends, if one does.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

// ---------------------------------------------------------------------------------
// Modules and paths

/// A module: where it is (`crate::a::b` is `["a", "b"]`) and the file it is in.
type ModPath = Vec<String>;

/// One path as written, with the module it was written in.
#[derive(Debug, Clone)]
struct PathRef {
    /// The module whose scope the path is in.
    scope: ModPath,
    /// Its segments (`crate`, `super`, `self`, names; `*` for a glob).
    segments: Vec<String>,
    line: usize,
}

/// What one file declares and names.
#[derive(Debug, Default)]
struct FileFacts {
    /// Modules declared here, inline (`mod x { }`, no file) or not (`mod x;`).
    modules: Vec<(ModPath, bool)>,
    /// Every crate-relative path written here.
    paths: Vec<PathRef>,
}

/// Reads the module declarations and paths of `tokens`, a file whose module is `base`.
/// Paths starting with a name are kept only when they may start at a child module; the
/// caller checks.
fn scan(tokens: &[Token], base: &ModPath) -> FileFacts {
    let mut facts = FileFacts::default();
    // Inline modules open at a brace depth: (depth of the `{`, module).
    let mut stack: Vec<(usize, ModPath)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    let ident = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    while i < tokens.len() {
        let scope = stack.last().map_or(base, |(_, m)| m).clone();
        match &tokens[i].tok {
            Tok::Open => {
                depth += 1;
                i += 1;
            }
            Tok::Close => {
                if stack.last().is_some_and(|(d, _)| *d == depth) {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(word) if word == "mod" && ident(i + 1).is_some() => {
                let name = ident(i + 1).unwrap_or_default().to_owned();
                let mut module = scope.clone();
                module.push(name);
                match tokens.get(i + 2).map(|t| &t.tok) {
                    Some(Tok::Open) => {
                        depth += 1;
                        stack.push((depth, module.clone()));
                        facts.modules.push((module, true));
                        i += 3;
                    }
                    Some(Tok::Semi) => {
                        facts.modules.push((module, false));
                        i += 3;
                    }
                    _ => i += 1,
                }
            }
            Tok::Ident(word) if word == "use" && !after_path_sep(tokens, i) => {
                let mut j = i + 1;
                let mut found = Vec::new();
                use_tree(tokens, &mut j, Vec::new(), &mut found);
                for (segments, line) in found {
                    facts.paths.push(PathRef {
                        scope: scope.clone(),
                        segments,
                        line,
                    });
                }
                i = j.max(i + 1);
            }
            Tok::Ident(_) if !after_path_sep(tokens, i) && !after_visibility_in(tokens, i) => {
                let start = i;
                let mut segments = Vec::new();
                while let Some(word) = ident(i) {
                    segments.push(word.to_owned());
                    if tokens.get(i + 1).map(|t| &t.tok) == Some(&Tok::PathSep)
                        && ident(i + 2).is_some()
                    {
                        i += 2;
                    } else {
                        break;
                    }
                }
                i += 1;
                if segments.len() > 1 {
                    facts.paths.push(PathRef {
                        scope,
                        segments,
                        line: tokens[start].line,
                    });
                }
            }
            _ => i += 1,
        }
    }
    facts
}

fn after_path_sep(tokens: &[Token], i: usize) -> bool {
    i > 0 && matches!(tokens[i - 1].tok, Tok::PathSep | Tok::Punct('.'))
}

/// `pub(in crate::x)` names a module for visibility; it imports nothing.
fn after_visibility_in(tokens: &[Token], i: usize) -> bool {
    i > 1
        && tokens[i - 1].tok == Tok::Ident(String::from("in"))
        && tokens[i - 2].tok == Tok::Punct('(')
}

/// Expands the use tree at `*j` into full paths, leaving `*j` after it.
fn use_tree(
    tokens: &[Token],
    j: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) {
    let mut path = prefix;
    let line = tokens.get(*j).map_or(0, |t| t.line);
    if tokens.get(*j).map(|t| &t.tok) == Some(&Tok::PathSep) {
        // `use ::x` names an external crate.
        path.push(String::from("::"));
        *j += 1;
    }
    loop {
        match tokens.get(*j).map(|t| &t.tok) {
            Some(Tok::Ident(word)) if word == "as" => {
                *j += 2;
                out.push((path, line));
                return;
            }
            Some(Tok::Ident(word)) => {
                if word == "self" && !path.is_empty() {
                    // `a::{self}` is `a`.
                } else {
                    path.push(word.clone());
                }
                *j += 1;
                if tokens.get(*j).map(|t| &t.tok) == Some(&Tok::PathSep) {
                    *j += 1;
                } else {
                    out.push((path, line));
                    return;
                }
            }
            Some(Tok::Star) => {
                *j += 1;
                path.push(String::from("*"));
                out.push((path, line));
                return;
            }
            Some(Tok::Open) => {
                *j += 1;
                loop {
                    match tokens.get(*j).map(|t| &t.tok) {
                        None => return,
                        Some(Tok::Close) => {
                            *j += 1;
                            return;
                        }
                        Some(Tok::Comma) => *j += 1,
                        Some(_) => {
                            let before = *j;
                            use_tree(tokens, j, path.clone(), out);
                            if *j == before {
                                *j += 1;
                            }
                        }
                    }
                }
            }
            _ => {
                if !path.is_empty() {
                    out.push((path, line));
                }
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The graph

/// One edge's first evidence: the line and the path as written.
#[derive(Debug, Clone)]
struct Evidence {
    line: usize,
    path: String,
}

#[derive(Debug, Default)]
struct Graph {
    /// Every file reached from a root.
    files: BTreeSet<String>,
    /// from -> to -> the first place `from` names `to`.
    edges: BTreeMap<String, BTreeMap<String, Evidence>>,
}

/// One cycle: its files in order (the first follows the last) and why each imports the
/// next.
#[derive(Debug, PartialEq)]
struct Cycle {
    files: Vec<String>,
    reasons: Vec<String>,
}

impl Cycle {
    fn render(&self) -> String {
        let mut chain = self.files.join(" -> ");
        if let Some(first) = self.files.first() {
            chain.push_str(" -> ");
            chain.push_str(first);
        }
        let mut text = format!("cycle: {chain}\n");
        for reason in &self.reasons {
            text.push_str("    ");
            text.push_str(reason);
            text.push('\n');
        }
        text
    }
}

impl Graph {
    /// The import graph of one crate's files (keyed by path, `crates/x/src/lib.rs`).
    fn build(files: &BTreeMap<String, String>) -> Self {
        let mut graph = Graph::default();
        // The module tree: module -> file, from each root through `mod x;`.
        let roots = files.keys().filter(|name| {
            let in_src = |rest: &str| name.ends_with(&format!("/src/{rest}"));
            in_src("lib.rs")
                || in_src("main.rs")
                || name
                    .rsplit_once("/src/bin/")
                    .is_some_and(|(_, file)| !file.contains('/'))
        });
        for root in roots {
            let mut modules: BTreeMap<ModPath, String> = BTreeMap::new();
            let mut facts: BTreeMap<String, (ModPath, FileFacts)> = BTreeMap::new();
            let mut pending = vec![(root.clone(), ModPath::new())];
            while let Some((file, module)) = pending.pop() {
                let Some(text) = files.get(&file) else {
                    continue;
                };
                if facts.contains_key(&file) {
                    continue;
                }
                modules.insert(module.clone(), file.clone());
                let found = scan(&tokenize(text), &module);
                let dir = module_dir(&file, root);
                for (child, inline) in &found.modules {
                    if *inline {
                        modules.insert(child.clone(), file.clone());
                        continue;
                    }
                    // `mod b;` inside inline `mod a { }` is in `dir/a/b.rs`.
                    let nested = &child[module.len()..child.len() - 1];
                    let name = child.last().cloned().unwrap_or_default();
                    let mut base = dir.clone();
                    for part in nested {
                        base.push('/');
                        base.push_str(part);
                    }
                    let flat = format!("{base}/{name}.rs");
                    let folder = format!("{base}/{name}/mod.rs");
                    let path = if files.contains_key(&flat) {
                        flat
                    } else {
                        folder
                    };
                    pending.push((path, child.clone()));
                }
                facts.insert(file, (module, found));
            }
            for (file, (_, found)) in &facts {
                graph.files.insert(file.clone());
                for path in &found.paths {
                    let Some(target) = resolve(path, &modules) else {
                        continue;
                    };
                    if &target == file {
                        continue;
                    }
                    graph
                        .edges
                        .entry(file.clone())
                        .or_default()
                        .entry(target)
                        .or_insert_with(|| Evidence {
                            line: path.line,
                            path: path.segments.join("::"),
                        });
                }
            }
        }
        graph
    }

    /// Every elementary cycle, each once, starting at its smallest file.
    fn cycles(&self) -> Vec<Cycle> {
        let nodes: Vec<&String> = self.files.iter().collect();
        let index: BTreeMap<&String, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let next: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| {
                self.edges
                    .get(*n)
                    .map(|to| to.keys().filter_map(|t| index.get(t).copied()).collect())
                    .unwrap_or_default()
            })
            .collect();
        let mut found = Vec::new();
        for start in 0..nodes.len() {
            let mut path = vec![start];
            let mut on_path = vec![false; nodes.len()];
            on_path[start] = true;
            self.walk(start, &next, &mut path, &mut on_path, &mut found, &nodes);
        }
        found
    }

    /// Depth-first from the end of `path` over files after `path[0]`, recording each
    /// way back to `path[0]` (at most 200 cycles, enough to read).
    fn walk(
        &self,
        start: usize,
        next: &[Vec<usize>],
        path: &mut Vec<usize>,
        on_path: &mut [bool],
        found: &mut Vec<Cycle>,
        nodes: &[&String],
    ) {
        let Some(&here) = path.last() else {
            return;
        };
        for &to in &next[here] {
            if found.len() >= 200 {
                return;
            }
            if to == start {
                let files: Vec<String> = path.iter().map(|&n| nodes[n].clone()).collect();
                let reasons = files
                    .iter()
                    .zip(files.iter().cycle().skip(1))
                    .map(|(from, to)| self.reason(from, to))
                    .collect();
                found.push(Cycle { files, reasons });
            } else if to > start && !on_path[to] {
                on_path[to] = true;
                path.push(to);
                self.walk(start, next, path, on_path, found, nodes);
                path.pop();
                on_path[to] = false;
            }
        }
    }

    fn reason(&self, from: &str, to: &str) -> String {
        let short = |file: &str| {
            file.rsplit_once("/src/")
                .map_or(file, |(_, f)| f)
                .to_owned()
        };
        match self.edges.get(from).and_then(|e| e.get(to)) {
            Some(evidence) => format!(
                "{}:{} names {} ({})",
                from,
                evidence.line,
                short(to),
                evidence.path
            ),
            None => format!("{from} -> {to}"),
        }
    }
}

/// The folder a file's `mod x;` children live in.
fn module_dir(file: &str, root: &str) -> String {
    let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
    if file == root || name == "mod.rs" {
        dir.to_owned()
    } else {
        format!("{dir}/{}", name.trim_end_matches(".rs"))
    }
}

/// The file of the last module `path` names, if it names one of this crate's modules.
fn resolve(path: &PathRef, modules: &BTreeMap<ModPath, String>) -> Option<String> {
    let mut segments = path.segments.iter().peekable();
    let mut module: ModPath = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            ModPath::new()
        }
        Some("self" | "super") => path.scope.clone(),
        Some(first) => {
            let mut child = path.scope.clone();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return None;
            }
            segments.next();
            child
        }
        None => return None,
    };
    let mut leading = true;
    for segment in segments {
        match segment.as_str() {
            "self" if leading => {}
            "super" if leading => {
                module.pop()?;
            }
            name => {
                leading = false;
                let mut child = module.clone();
                child.push(name.to_owned());
                if modules.contains_key(&child) {
                    module = child;
                } else {
                    break;
                }
            }
        }
    }
    modules.get(&module).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Graph {
        let files = files
            .iter()
            .map(|(name, text)| (format!("c/src/{name}"), (*text).to_owned()))
            .collect();
        Graph::build(&files)
    }

    fn edges(graph: &Graph) -> Vec<(String, String)> {
        let short = |f: &str| f.trim_start_matches("c/src/").to_owned();
        graph
            .edges
            .iter()
            .flat_map(|(from, to)| to.keys().map(move |t| (short(from), short(t))))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_mod_declaration_is_no_edge_but_a_re_export_is() {
        let graph = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use b::Thing;\n"),
            ("a.rs", "use super::Thing;\n"),
            ("b.rs", "pub struct Thing;\n"),
        ]);
        assert_eq!(
            edges(&graph),
            pairs(&[("a.rs", "lib.rs"), ("lib.rs", "b.rs")])
        );
        assert!(graph.cycles().is_empty());
    }

    #[test]
    fn a_shared_type_named_both_ways_is_a_cycle() {
        let graph = crate_of(&[
            (
                "lib.rs",
                "mod api;\nmod page;\npub fn app() { api::routes(); }\n",
            ),
            (
                "api.rs",
                "use crate::page;\npub struct State;\npub fn routes() { page::index(); }\n",
            ),
            ("page.rs", "use crate::api::State;\npub fn index() {}\n"),
        ]);
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert_eq!(cycles[0].files, ["c/src/api.rs", "c/src/page.rs"]);
        assert!(cycles[0].reasons[1].contains("page.rs:1 names api.rs (crate::api::State)"));
    }

    #[test]
    fn paths_in_code_groups_and_globs_are_read() {
        let graph = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            ("a.rs", "fn f() { crate::b::g(); let x = super::c::X; }\n"),
            ("b.rs", "use crate::{a::{self, F}, d::*};\n"),
            ("c.rs", "pub(in crate::a) struct X;\n"),
            ("d.rs", ""),
        ]);
        assert_eq!(
            edges(&graph),
            pairs(&[
                ("a.rs", "b.rs"),
                ("a.rs", "c.rs"),
                ("b.rs", "a.rs"),
                ("b.rs", "d.rs")
            ])
        );
        assert_eq!(graph.cycles().len(), 1);
    }

    #[test]
    fn comments_strings_and_inline_test_modules_are_not_edges() {
        let graph = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
            (
                "a.rs",
                "//! See [`crate::b::B`].\npub struct A;\nconst S: &str = \"crate::b::B\";\n\
                 const R: &str = r#\"super::b\"#;\nconst C: char = '\"';\nfn f<'a>(x: &'a str) {}\n\
                 const Q: [char; 3] = ['\\'', '\\\\', '\\u{22}'];\nconst T: &str = \"crate::b::B\";\n\
                 /* crate::b::B /* nested */ crate::b::B */\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n    fn t() { let _ = A; }\n}\n",
            ),
            ("b.rs", "use crate::A;\npub struct B;\n"),
        ]);
        assert_eq!(
            edges(&graph),
            pairs(&[("b.rs", "lib.rs"), ("lib.rs", "a.rs")])
        );
        assert!(graph.cycles().is_empty());
    }

    #[test]
    fn child_modules_in_folders_and_nested_super() {
        let graph = crate_of(&[
            ("lib.rs", "pub mod ports;\nmod ask;\n"),
            ("ports/mod.rs", "mod code;\npub use code::Facts;\n"),
            (
                "ports/code.rs",
                "use super::super::ask::Q;\npub struct Facts;\n",
            ),
            ("ask.rs", "use crate::ports::Facts;\npub struct Q;\n"),
        ]);
        assert_eq!(
            edges(&graph),
            pairs(&[
                ("ask.rs", "ports/mod.rs"),
                ("ports/code.rs", "ask.rs"),
                ("ports/mod.rs", "ports/code.rs"),
            ])
        );
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1);
        assert_eq!(
            cycles[0].files,
            ["c/src/ask.rs", "c/src/ports/mod.rs", "c/src/ports/code.rs"]
        );
    }

    #[test]
    fn the_root_of_a_binary_is_a_file_like_any_other() {
        let graph = crate_of(&[
            (
                "main.rs",
                "mod ask;\nfn main() { ask::run(); }\npub(crate) fn build() {}\n",
            ),
            (
                "ask.rs",
                "use crate::build;\npub(crate) fn run() { build(); }\n",
            ),
        ]);
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].files, ["c/src/ask.rs", "c/src/main.rs"]);
    }

    #[test]
    fn every_elementary_cycle_is_listed_once() {
        let graph = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("a.rs", "use crate::b::X;\nuse crate::c::Y;\n"),
            ("b.rs", "use crate::a::Z;\nuse crate::c::Y;\n"),
            ("c.rs", "use crate::a::Z;\n"),
        ]);
        let mut chains: Vec<String> = graph.cycles().iter().map(|c| c.files.join(" ")).collect();
        chains.sort();
        assert_eq!(
            chains,
            [
                "c/src/a.rs c/src/b.rs",
                "c/src/a.rs c/src/b.rs c/src/c.rs",
                "c/src/a.rs c/src/c.rs",
            ]
        );
    }
}
