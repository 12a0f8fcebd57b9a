//! The on-disk index: a tantivy index of chunks plus a manifest of every indexed file
//! (size, modification time, extracted facts), so that a rebuild only reads what changed.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, UNIX_EPOCH};

use otis_core::ports::{Hit, MemberFacts, MemberKind};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use otis_cobol::{CallKind, SourceFacts};
use otis_code::{CorpusModel, FormFile, SourceFile};

use crate::cobol::{analyse, is_form, kind_of};
use crate::codefile::{self, Entry, Previous};
use crate::lines::CorpusLines;

const MANIFEST: &str = "manifest.json";
/// The code model's facts of every file, next to the manifest (postcard).
const CODE: &str = "code.bin";
/// 3: `code.bin` holds screen forms beside the sources; 4: `code.bin` is a stream of
/// per-file records.
const MANIFEST_VERSION: u32 = 4;
/// Indexing memory, split across the writer's threads: bounds memory whatever the corpus.
const WRITER_BUDGET: usize = 96 * 1024 * 1024;
/// Files larger than this are skipped (generated listings, data dumps).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Words that carry no meaning for search.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "in",
    "is", "it", "its", "me", "of", "on", "or", "show", "tell", "that", "the", "this", "to", "use",
    "uses", "what", "when", "where", "which", "who", "why", "with",
];

/// Why the index could not be built, opened or searched.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// No index has been built in this folder.
    #[error("no index in {0} (build one with `otis index build DIR`)")]
    Missing(PathBuf),
    /// The search engine failed.
    #[error("search engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
    /// The manifest is unreadable.
    #[error("index manifest {path}: {message}")]
    Manifest {
        /// Its path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_owned(),
        source,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileEntry {
    size: u64,
    modified_ns: u64,
    chunks: u32,
    facts: MemberFacts,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    corpus: PathBuf,
    files: BTreeMap<String, FileEntry>,
}

/// One step of a build, for progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Files looked at so far.
    pub done: usize,
    /// Files in the corpus.
    pub total: usize,
    /// The file just looked at.
    pub file: &'a str,
}

/// What a build did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildReport {
    /// Indexable files in the corpus.
    pub files: usize,
    /// Files (re)read and indexed this time.
    pub indexed: usize,
    /// Files unchanged since the last build.
    pub unchanged: usize,
    /// Files gone since the last build, removed from the index.
    pub removed: usize,
    /// Files skipped as too large.
    pub skipped: usize,
    /// Chunks written this time.
    pub chunks: usize,
    /// Bytes read this time.
    pub bytes: u64,
    /// Wall time.
    #[serde(serialize_with = "millis")]
    pub elapsed: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_millis())
}

/// What the index holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// The indexed folder.
    pub corpus: PathBuf,
    /// The index folder.
    pub index: PathBuf,
    /// Files indexed.
    pub files: usize,
    /// Programs among them.
    pub programs: usize,
    /// Copybooks among them.
    pub copybooks: usize,
    /// Documents among them.
    pub documents: usize,
    /// Chunks in the search index.
    pub chunks: u64,
    /// SECTIONs in programs and copybooks.
    pub sections: usize,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Data items defined.
    pub data_items: usize,
    /// Call sites (static and dynamic).
    pub call_edges: usize,
    /// COPY statements.
    pub copy_edges: usize,
    /// PERFORM and GO TO statements.
    pub perform_edges: usize,
    /// References to data items in procedure code.
    pub references: usize,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    file: Field,
    member: Field,
    start: Field,
    end: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        file: builder.add_text_field("file", STRING | STORED),
        member: builder.add_text_field("member", STRING | STORED),
        start: builder.add_u64_field("start", STORED),
        end: builder.add_u64_field("end", STORED),
        text: builder.add_text_field("text", TEXT | STORED),
    };
    (builder.build(), fields)
}

/// A local, persistent, incrementally rebuilt index of a COBOL codebase.
#[derive(Clone)]
pub struct LocalIndex {
    dir: PathBuf,
    corpus: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Facts by member name (upper case).
    facts: Arc<HashMap<String, MemberFacts>>,
    /// The code model of the corpus: loaded by `open`, or on first use after `build`.
    code: Arc<OnceLock<Arc<CorpusModel>>>,
    files: usize,
}

impl std::fmt::Debug for LocalIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIndex")
            .field("dir", &self.dir)
            .field("corpus", &self.corpus)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// Indexable files under `root`, relative paths with `/`, sorted; hidden entries and
/// `skip` (the index folder, when it lies inside the corpus) are left out.
fn walk(root: &Path, skip: &Path) -> Result<Vec<(String, PathBuf)>, IndexError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') || path == skip {
                continue;
            }
            let kind = entry.file_type().map_err(io(&path))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                if kind_of(&rel).is_some() || is_form(&rel) {
                    out.push((rel, path));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, IndexError> {
    let path = dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| IndexError::Manifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok((manifest.version == MANIFEST_VERSION).then_some(manifest))
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), IndexError> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    let text = serde_json::to_vec(manifest).map_err(|e| IndexError::Manifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&tmp, text).map_err(io(&tmp))?;
    fs::rename(&tmp, &path).map_err(io(&path))
}

/// The code model of the index in `dir`, from its `code.bin`.
fn load_model(dir: &Path, corpus: &Path) -> Result<CorpusModel, IndexError> {
    let path = dir.join(CODE);
    let entries = codefile::read_all(&path)
        .map_err(io(&path))?
        .ok_or_else(|| IndexError::Missing(dir.to_owned()))?;
    let mut sources = Vec::new();
    let mut forms = Vec::new();
    for (path, entry) in entries {
        match entry {
            Entry::Source(facts) => sources.push(SourceFile {
                path,
                facts: *facts,
            }),
            Entry::Form(form) => forms.push(FormFile { path, form }),
        }
    }
    Ok(CorpusModel::new(sources, Arc::new(CorpusLines::new(corpus.to_owned()))).with_forms(forms))
}

/// What the reader found, folded into the search facts: the header's description, the
/// PROGRAM-ID, and dynamic calls as well as static ones.
fn enrich(facts: &mut MemberFacts, code: &SourceFacts) {
    if let Some(id) = &code.program_id {
        facts.name.clone_from(id);
        facts.kind = Some(MemberKind::Program);
    }
    if code.header.description.is_some() {
        facts.description.clone_from(&code.header.description);
    }
    // Runtime routines (`C$JUSTIFY`, `CBL_...`) are not programs of the codebase.
    facts
        .calls
        .retain(|c| !c.contains('$') && !c.starts_with("CBL_") && c != "SYSTEM");
    for call in &code.calls {
        if call.kind != CallKind::Runtime && !facts.calls.contains(&call.target) {
            facts.calls.push(call.target.clone());
        }
    }
}

/// Fills `called_by` and `copied_by` from every member's calls and copies.
fn link(manifest: &mut Manifest) {
    let mut callers: HashMap<String, Vec<String>> = HashMap::new();
    let mut copiers: HashMap<String, Vec<String>> = HashMap::new();
    for entry in manifest.files.values() {
        for callee in &entry.facts.calls {
            callers
                .entry(callee.clone())
                .or_default()
                .push(entry.facts.name.clone());
        }
        for copybook in &entry.facts.copybooks {
            copiers
                .entry(copybook.clone())
                .or_default()
                .push(entry.facts.name.clone());
        }
    }
    for entry in manifest.files.values_mut() {
        let mut by = callers.get(&entry.facts.name).cloned().unwrap_or_default();
        by.sort();
        by.dedup();
        entry.facts.called_by = by;
        let mut by = copiers.get(&entry.facts.name).cloned().unwrap_or_default();
        by.sort();
        by.dedup();
        entry.facts.copied_by = by;
    }
}

fn modified_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl LocalIndex {
    /// Builds or updates the index of `corpus` in `dir`: files whose size and time are
    /// unchanged since the last build are not read again; changed files are re-indexed;
    /// vanished ones are removed.
    pub fn build(
        corpus: &Path,
        dir: &Path,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(Self, BuildReport), IndexError> {
        let started = Instant::now();
        let corpus = corpus.canonicalize().map_err(io(corpus))?;
        fs::create_dir_all(dir).map_err(io(dir))?;
        let dir = dir.canonicalize().map_err(io(dir))?;
        let (index, fields) = open_or_create(&dir)?;
        let code_path = dir.join(CODE);
        let mut previous = Previous::open(&code_path).map_err(io(&code_path))?;
        let mut manifest = match read_manifest(&dir)? {
            Some(m) if m.corpus == corpus && previous.is_some() => m,
            _ => {
                previous = None;
                Manifest {
                    version: MANIFEST_VERSION,
                    corpus: corpus.clone(),
                    files: BTreeMap::new(),
                }
            }
        };
        let fresh = previous.is_none();
        // Records are written in path order as the walk goes; unchanged files' records
        // are copied from the previous build.
        let mut code = codefile::Writer::create(&code_path).map_err(io(&code_path))?;
        let mut writer: IndexWriter = index.writer_with_num_threads(2, WRITER_BUDGET)?;
        if manifest.files.is_empty() {
            writer.delete_all_documents()?;
        }
        let files = walk(&corpus, &dir)?;
        let mut report = BuildReport {
            files: files.len(),
            indexed: 0,
            unchanged: 0,
            removed: 0,
            skipped: 0,
            chunks: 0,
            bytes: 0,
            elapsed: Duration::ZERO,
        };
        let mut seen = std::collections::HashSet::new();
        for (done, (rel, path)) in files.iter().enumerate() {
            progress(Progress {
                done: done + 1,
                total: files.len(),
                file: rel,
            });
            seen.insert(rel.clone());
            let meta = fs::metadata(path).map_err(io(path))?;
            let (size, modified) = (meta.len(), modified_ns(&meta));
            if manifest
                .files
                .get(rel)
                .is_some_and(|e| e.size == size && e.modified_ns == modified)
            {
                // Documents have no record; programs, copybooks and forms do.
                if let Some(previous) = previous.as_mut()
                    && let Some(body) = previous.body(rel).map_err(io(&code_path))?
                {
                    code.raw(rel, &body).map_err(io(&code_path))?;
                }
                report.unchanged += 1;
                continue;
            }
            writer.delete_term(Term::from_field_text(fields.file, rel));
            if size > MAX_FILE_BYTES {
                manifest.files.remove(rel);
                report.skipped += 1;
                continue;
            }
            let bytes = fs::read(path).map_err(io(path))?;
            let text = String::from_utf8_lossy(&bytes);
            if is_form(rel) {
                // A screen form: its options and title go to the code model, not the
                // search index.
                let form = otis_cobol::read_form(&text);
                code.entry(rel, &Entry::Form(form))
                    .map_err(io(&code_path))?;
                report.indexed += 1;
                report.bytes += size;
                let facts = MemberFacts {
                    name: rel.clone(),
                    file: rel.clone(),
                    lines: u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
                    ..MemberFacts::default()
                };
                manifest.files.insert(
                    rel.clone(),
                    FileEntry {
                        size,
                        modified_ns: modified,
                        chunks: 0,
                        facts,
                    },
                );
                continue;
            }
            let kind = kind_of(rel).unwrap_or(MemberKind::Document);
            let (mut facts, chunks) = analyse(rel, &text, kind);
            if kind != MemberKind::Document {
                let read = otis_cobol::read(rel, &text);
                enrich(&mut facts, &read);
                code.entry(rel, &Entry::Source(Box::new(read)))
                    .map_err(io(&code_path))?;
            }
            for chunk in &chunks {
                let mut doc = TantivyDocument::default();
                doc.add_text(fields.id, &chunk.id);
                doc.add_text(fields.file, rel);
                doc.add_text(fields.member, &facts.name);
                doc.add_u64(fields.start, u64::from(chunk.start));
                doc.add_u64(fields.end, u64::from(chunk.end));
                doc.add_text(fields.text, &chunk.text);
                writer.add_document(doc)?;
            }
            report.indexed += 1;
            report.chunks += chunks.len();
            report.bytes += size;
            manifest.files.insert(
                rel.clone(),
                FileEntry {
                    size,
                    modified_ns: modified,
                    chunks: chunks.len() as u32,
                    facts,
                },
            );
        }
        let gone: Vec<String> = manifest
            .files
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        for rel in gone {
            writer.delete_term(Term::from_field_text(fields.file, &rel));
            manifest.files.remove(&rel);
            report.removed += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        link(&mut manifest);
        // Nothing read and nothing gone: what is on disk is already this.
        drop(previous);
        if report.indexed > 0 || report.removed > 0 || report.skipped > 0 || fresh {
            code.finish().map_err(io(&code_path))?;
            write_manifest(&dir, &manifest)?;
        } else {
            code.discard().map_err(io(&code_path))?;
        }
        // The code model is loaded when first asked for: a build alone does not hold it.
        let index = Self::from_parts(dir, index, fields, manifest, None)?;
        report.elapsed = started.elapsed();
        Ok((index, report))
    }

    /// The folder the index in `dir` was built from, also when that index is of an older
    /// format and must be rebuilt: so an upgrade rebuilds the user's corpus, never
    /// another one.
    pub fn indexed_corpus(dir: &Path) -> Option<PathBuf> {
        let text = fs::read_to_string(dir.join(MANIFEST)).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("corpus")?.as_str().map(PathBuf::from)
    }

    /// Opens an index built before.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let manifest = read_manifest(dir)?.ok_or_else(|| IndexError::Missing(dir.to_owned()))?;
        if !dir.join("tantivy").join("meta.json").exists() {
            return Err(IndexError::Missing(dir.to_owned()));
        }
        let code = load_model(dir, &manifest.corpus)?;
        let (index, fields) = open_or_create(dir)?;
        Self::from_parts(dir.to_owned(), index, fields, manifest, Some(code))
    }

    fn from_parts(
        dir: PathBuf,
        index: Index,
        fields: Fields,
        manifest: Manifest,
        code: Option<CorpusModel>,
    ) -> Result<Self, IndexError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let files = manifest.files.len();
        let facts = manifest
            .files
            .into_values()
            .map(|e| (e.facts.name.clone(), e.facts))
            .collect();
        let cell = OnceLock::new();
        if let Some(code) = code {
            let _ = cell.set(Arc::new(code));
        }
        Ok(Self {
            dir,
            corpus: manifest.corpus,
            index,
            reader,
            fields,
            facts: Arc::new(facts),
            code: Arc::new(cell),
            files,
        })
    }

    /// The facts of a member, by name (any case).
    pub fn facts(&self, name: &str) -> Option<&MemberFacts> {
        self.facts.get(&name.to_ascii_uppercase())
    }

    /// The code model of the indexed corpus.
    pub fn code_model(&self) -> Arc<CorpusModel> {
        self.code
            .get_or_init(|| {
                // The build that made this index has just written `code.bin`; should it
                // have gone since, the model is empty and answers fall back to search.
                Arc::new(load_model(&self.dir, &self.corpus).unwrap_or_else(|_| {
                    CorpusModel::new(Vec::new(), Arc::new(CorpusLines::new(self.corpus.clone())))
                }))
            })
            .clone()
    }

    /// The indexed folder.
    pub fn corpus(&self) -> &Path {
        &self.corpus
    }

    /// What the index holds.
    pub fn stats(&self) -> IndexStats {
        let count = |kind| self.facts.values().filter(|f| f.kind == Some(kind)).count();
        let counts = self.code_model().counts();
        IndexStats {
            corpus: self.corpus.clone(),
            index: self.dir.clone(),
            files: self.files,
            programs: counts.programs,
            copybooks: counts.copybooks,
            documents: count(MemberKind::Document),
            chunks: self.reader.searcher().num_docs(),
            sections: counts.sections,
            paragraphs: counts.paragraphs,
            data_items: counts.data_items,
            call_edges: counts.call_edges,
            copy_edges: counts.copy_edges,
            perform_edges: counts.perform_edges,
            references: counts.references,
        }
    }

    /// The best `top_k` chunks for `query`. Chunks of a member the query names come
    /// first, that member's summary chunk leading; then the rest by relevance.
    pub fn search(&self, query: &str, top_k: usize) -> Result<Vec<Hit>, IndexError> {
        let top_k = top_k.max(1);
        let searcher = self.reader.searcher();
        let terms = self.terms(query);
        let named = self.named_members(query);
        let text_query = |extra: Option<Box<dyn Query>>| -> BooleanQuery {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.text, t),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            if let Some(extra) = extra {
                clauses.push((Occur::Must, extra));
            }
            BooleanQuery::new(clauses)
        };
        let mut hits: Vec<Hit> = Vec::new();
        for name in &named {
            // The member's summary (its chunk 0) leads, then its best chunks.
            if let Some(facts) = self.facts.get(name) {
                let summary = TermQuery::new(
                    Term::from_field_text(self.fields.id, &format!("{}#0", facts.file)),
                    IndexRecordOption::Basic,
                );
                hits.extend(self.collect(&searcher, &summary, 1)?);
            }
            let member: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(self.fields.member, name),
                IndexRecordOption::Basic,
            ));
            let query = text_query(Some(member));
            for hit in self.collect(&searcher, &query, top_k)? {
                if !hits.iter().any(|h| h.id == hit.id) {
                    hits.push(hit);
                }
            }
        }
        if !terms.is_empty() {
            let query = text_query(None);
            let more = self.collect(&searcher, &query, top_k + hits.len())?;
            for hit in more {
                if !hits.iter().any(|h| h.id == hit.id) {
                    hits.push(hit);
                }
            }
        }
        hits.truncate(top_k);
        Ok(hits)
    }

    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        limit: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        let top = searcher.search(query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
            let member = text_of(self.fields.member);
            hits.push(Hit {
                id: text_of(self.fields.id),
                file: text_of(self.fields.file),
                lines: Some((
                    u64_of(self.fields.start) as u32,
                    u64_of(self.fields.end) as u32,
                )),
                score,
                text: text_of(self.fields.text),
                facts: self.facts.get(&member).cloned(),
                program: Some(member),
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(hits)
    }

    /// The query's words as the text field indexes them, stopwords left out.
    fn terms(&self, query: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let Ok(mut analyzer) = self.index.tokenizer_for_field(self.fields.text) else {
            return out;
        };
        let mut stream = analyzer.token_stream(query);
        while let Some(token) = stream.next() {
            let text = token.text.clone();
            if !STOPWORDS.contains(&text.as_str()) && !out.contains(&text) {
                out.push(text);
            }
        }
        out
    }

    /// Members the query names, in the order it names them (any case).
    fn named_members(&self, query: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for word in query.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
            let upper = word.trim_matches('-').to_ascii_uppercase();
            if upper.len() >= 3 && self.facts.contains_key(&upper) && !out.contains(&upper) {
                out.push(upper);
            }
        }
        out
    }
}

fn open_or_create(dir: &Path) -> Result<(Index, Fields), IndexError> {
    let path = dir.join("tantivy");
    fs::create_dir_all(&path).map_err(io(&path))?;
    let (schema, fields) = schema();
    let directory = MmapDirectory::open(&path).map_err(|e| IndexError::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let index = match Index::open_or_create(directory, schema.clone()) {
        Ok(index) => index,
        // An index from another schema version: start again.
        Err(tantivy::TantivyError::SchemaError(_)) => {
            fs::remove_dir_all(&path).map_err(io(&path))?;
            fs::create_dir_all(&path).map_err(io(&path))?;
            let _ = fs::remove_file(dir.join(MANIFEST));
            Index::create_in_dir(&path, schema)?
        }
        Err(e) => return Err(e.into()),
    };
    Ok((index, fields))
}
