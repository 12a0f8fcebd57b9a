//! The on-disk index: a tantivy index of chunks, and the code model's store (every
//! file's size, time and facts), so that a rebuild only reads what changed.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use otis_core::ports::{Hit, MemberFacts, MemberKind};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use otis_cobol::{CallKind, SourceFacts};
use otis_code::{CodeStore, CorpusModel, StoreError, StoreWriter};

use crate::cobol::{analyse, is_form, kind_of};
use crate::lines::CorpusLines;
use crate::pipeline::{Meta, StoreThread};

/// The manifest of the index format before the store (its corpus is still read, so an
/// upgrade rebuilds the user's corpus).
const LEGACY_MANIFEST: &str = "manifest.json";
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
    /// The code model's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search facts of a file are unreadable.
    #[error("search facts of {path}: {message}")]
    Facts {
        /// The file.
        path: String,
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
    /// Screen form files among them.
    pub forms: usize,
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
    /// The code model's store: every file's facts, read on demand.
    store: Arc<CodeStore>,
    /// The code model over the store.
    code: Arc<CorpusModel>,
}

impl std::fmt::Debug for LocalIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIndex")
            .field("dir", &self.dir)
            .field("corpus", &self.corpus)
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

fn modified_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl LocalIndex {
    /// Builds or updates the index of `corpus` in `dir`: files whose size and time are
    /// unchanged since the last build are not read again; changed files are re-indexed;
    /// vanished ones are removed. A build that fails or is interrupted leaves the
    /// previous index usable: the search index commits first, then the code model's
    /// store, each atomically, and a later build repairs any difference.
    pub fn build(
        corpus: &Path,
        dir: &Path,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(Self, BuildReport), IndexError> {
        let started = Instant::now();
        let corpus = corpus.canonicalize().map_err(io(corpus))?;
        fs::create_dir_all(dir).map_err(io(dir))?;
        let dir = dir.canonicalize().map_err(io(dir))?;
        let (index, fields, created) = open_or_create(&dir)?;
        // A new search index needs every file read again.
        let store = if created {
            StoreWriter::create(&dir, &corpus)?
        } else {
            StoreWriter::open(&dir, &corpus)?
        };
        // The store is written on a thread of its own while this one reads and indexes.
        let mut store = StoreThread::start(store);
        let mut writer: IndexWriter = index.writer_with_num_threads(2, WRITER_BUDGET)?;
        if store.is_fresh() {
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
            if store.unchanged(rel, size, modified)? {
                report.unchanged += 1;
                continue;
            }
            writer.delete_term(Term::from_field_text(fields.file, rel));
            if size > MAX_FILE_BYTES {
                report.skipped += 1;
                continue;
            }
            let bytes = fs::read(path).map_err(io(path))?;
            let text = String::from_utf8_lossy(&bytes);
            let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
            report.indexed += 1;
            report.bytes += size;
            let mut file = Meta {
                path: rel.clone(),
                size,
                modified_ns: modified,
                chunks: 0,
                search: None,
            };
            if is_form(rel) {
                // A screen form: its options and title go to the code model, not the
                // search index.
                store.form(file, lines, otis_cobol::read_form(&text))?;
                continue;
            }
            let kind = kind_of(rel).unwrap_or(MemberKind::Document);
            let (mut facts, chunks) = analyse(rel, &text, kind);
            let read = (kind != MemberKind::Document).then(|| otis_cobol::read(rel, &text));
            if let Some(read) = &read {
                enrich(&mut facts, read);
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
            report.chunks += chunks.len();
            file.chunks = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
            file.search = Some(
                serde_json::to_string(&facts).map_err(|e| IndexError::Facts {
                    path: rel.clone(),
                    message: e.to_string(),
                })?,
            );
            match read {
                Some(read) => store.source(file, read)?,
                None => store.document(file, lines)?,
            }
        }
        let gone = store.gone(&seen);
        for rel in &gone {
            writer.delete_term(Term::from_field_text(fields.file, rel));
        }
        report.removed = gone.len();
        // The store prepares (indexes, links, counts) while the search index commits;
        // it commits after it.
        store.prepare()?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        store.commit()?;
        let index = Self::from_parts(dir, index, fields)?;
        report.elapsed = started.elapsed();
        Ok((index, report))
    }

    /// The folder the index in `dir` was built from, also when that index is of an older
    /// format and must be rebuilt: so an upgrade rebuilds the user's corpus, never
    /// another one.
    pub fn indexed_corpus(dir: &Path) -> Option<PathBuf> {
        if let Some(corpus) = CodeStore::recorded_corpus(dir) {
            return Some(corpus);
        }
        let text = fs::read_to_string(dir.join(LEGACY_MANIFEST)).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("corpus")?.as_str().map(PathBuf::from)
    }

    /// Opens an index built before.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        if !dir.join("tantivy").join("meta.json").exists() || !CodeStore::exists(dir) {
            return Err(IndexError::Missing(dir.to_owned()));
        }
        let (index, fields, _) = open_or_create(dir)?;
        Self::from_parts(dir.to_owned(), index, fields)
    }

    fn from_parts(dir: PathBuf, index: Index, fields: Fields) -> Result<Self, IndexError> {
        let store = Arc::new(CodeStore::open(&dir).map_err(|e| match e {
            StoreError::Missing(_) => IndexError::Missing(dir.clone()),
            e => IndexError::Store(e),
        })?);
        let corpus = store
            .corpus()?
            .ok_or_else(|| IndexError::Missing(dir.clone()))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let code = Arc::new(CorpusModel::open(
            store.clone(),
            Arc::new(CorpusLines::new(corpus.clone())),
        ));
        Ok(Self {
            dir,
            corpus,
            index,
            reader,
            fields,
            store,
            code,
        })
    }

    /// The facts of a member, by name (any case): what the search side extracted, with
    /// the members that call and copy it.
    pub fn facts(&self, name: &str) -> Result<Option<MemberFacts>, IndexError> {
        let name = name.to_ascii_uppercase();
        let Some(json) = self.store.search_facts(&name)? else {
            return Ok(None);
        };
        let mut facts: MemberFacts =
            serde_json::from_str(&json).map_err(|e| IndexError::Facts {
                path: name.clone(),
                message: e.to_string(),
            })?;
        let (callers, copiers) = self.store.users_of(&facts.name)?;
        facts.called_by = callers;
        facts.copied_by = copiers;
        Ok(Some(facts))
    }

    /// Runs one read-only SQL statement over the code model (`otis query`; the schema is
    /// in docs/code-model.md).
    pub fn query(
        &self,
        sql: &str,
        limits: otis_code::QueryLimits,
    ) -> Result<otis_code::QueryOutput, otis_code::QueryError> {
        self.store.query(sql, limits)
    }

    /// The code model of the indexed corpus.
    pub fn code_model(&self) -> Arc<CorpusModel> {
        self.code.clone()
    }

    /// The indexed folder.
    pub fn corpus(&self) -> &Path {
        &self.corpus
    }

    /// What the index holds, as the last build counted it.
    pub fn stats(&self) -> Result<IndexStats, IndexError> {
        let n = |name: &str| -> Result<usize, IndexError> {
            Ok(usize::try_from(self.store.count(name)?).unwrap_or(usize::MAX))
        };
        Ok(IndexStats {
            corpus: self.corpus.clone(),
            index: self.dir.clone(),
            files: n("files")?,
            programs: n("programs")?,
            copybooks: n("copybooks")?,
            documents: n("documents")?,
            forms: n("forms")?,
            chunks: self.store.count("chunks")?,
            sections: n("sections")?,
            paragraphs: n("paragraphs")?,
            data_items: n("data_items")?,
            call_edges: n("call_edges")?,
            copy_edges: n("copy_edges")?,
            perform_edges: n("perform_edges")?,
            references: n("references")?,
        })
    }

    /// The best `top_k` chunks for `query`. Chunks of a member the query names come
    /// first, that member's summary chunk leading; then the rest by relevance.
    pub fn search(&self, query: &str, top_k: usize) -> Result<Vec<Hit>, IndexError> {
        let top_k = top_k.max(1);
        let searcher = self.reader.searcher();
        let terms = self.terms(query);
        let named = self.named_members(query)?;
        let mut known: HashMap<String, Option<MemberFacts>> = HashMap::new();
        let mut collect = |query: &dyn Query, limit: usize| -> Result<Vec<Hit>, IndexError> {
            let mut hits = self.collect(&searcher, query, limit)?;
            for hit in &mut hits {
                let member = hit.program.clone().unwrap_or_default();
                if !known.contains_key(&member) {
                    known.insert(member.clone(), self.facts(&member)?);
                }
                hit.facts = known.get(&member).cloned().flatten();
            }
            Ok(hits)
        };
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
            if let Some(facts) = self.facts(name)? {
                let summary = TermQuery::new(
                    Term::from_field_text(self.fields.id, &format!("{}#0", facts.file)),
                    IndexRecordOption::Basic,
                );
                hits.extend(collect(&summary, 1)?);
            }
            let member: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(self.fields.member, name),
                IndexRecordOption::Basic,
            ));
            let query = text_query(Some(member));
            for hit in collect(&query, top_k)? {
                if !hits.iter().any(|h| h.id == hit.id) {
                    hits.push(hit);
                }
            }
        }
        if !terms.is_empty() {
            let query = text_query(None);
            let more = collect(&query, top_k + hits.len())?;
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
                facts: None,
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
    fn named_members(&self, query: &str) -> Result<Vec<String>, IndexError> {
        let mut out: Vec<String> = Vec::new();
        for word in query.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
            let upper = word.trim_matches('-').to_ascii_uppercase();
            if upper.len() >= 3 && !out.contains(&upper) && self.store.is_member(&upper)? {
                out.push(upper);
            }
        }
        Ok(out)
    }
}

/// The search index in `dir`, created when there is none; true when it was (re)created
/// empty.
fn open_or_create(dir: &Path) -> Result<(Index, Fields, bool), IndexError> {
    let path = dir.join("tantivy");
    fs::create_dir_all(&path).map_err(io(&path))?;
    let (schema, fields) = schema();
    let directory = MmapDirectory::open(&path).map_err(|e| IndexError::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let existed = path.join("meta.json").exists();
    let (index, created) = match Index::open_or_create(directory, schema.clone()) {
        Ok(index) => (index, !existed),
        // An index from another schema version: start again.
        Err(tantivy::TantivyError::SchemaError(_)) => {
            fs::remove_dir_all(&path).map_err(io(&path))?;
            fs::create_dir_all(&path).map_err(io(&path))?;
            (Index::create_in_dir(&path, schema)?, true)
        }
        Err(e) => return Err(e.into()),
    };
    Ok((index, fields, created))
}
