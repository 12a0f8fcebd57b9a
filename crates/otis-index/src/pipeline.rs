//! The code model's store written on a thread of its own while the build reads, parses
//! and indexes for search: the build sends each file's facts, the thread inserts them.
//! The store is prepared (indexes, links, counts) while the search index commits, and
//! committed only after it, so an interrupted build never leaves a store newer than the
//! search index.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use otis_cobol::{Form, SourceFacts};
use otis_code::{FileMeta, StoreError, StoreWriter, WriteReport};

/// Files in flight between the build and the store's thread at most (bounds memory).
const QUEUE: usize = 64;

/// A file's bookkeeping, owned (it crosses threads).
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub(crate) path: String,
    pub(crate) size: u64,
    pub(crate) modified_ns: u64,
    pub(crate) chunks: u32,
    pub(crate) search: Option<String>,
}

impl Meta {
    fn view(&self) -> FileMeta<'_> {
        FileMeta {
            path: &self.path,
            size: self.size,
            modified_ns: self.modified_ns,
            chunks: self.chunks,
            search: self.search.as_deref(),
        }
    }
}

enum Message {
    Keep(String),
    Source(Meta, Box<SourceFacts>),
    Form(Meta, u32, Box<Form>),
    Document(Meta, u32),
    Prepare,
}

/// The store's thread, fed by the build.
pub(crate) struct StoreThread {
    sender: Option<SyncSender<Message>>,
    /// Sends "commit" once the search index has committed.
    commit: Option<SyncSender<()>>,
    handle: Option<JoinHandle<Result<WriteReport, StoreError>>>,
    /// What the previous build recorded: path -> (size, time).
    known: HashMap<String, (u64, u64)>,
    fresh: bool,
}

fn run(
    mut store: StoreWriter,
    messages: Receiver<Message>,
    commit: Receiver<()>,
) -> Result<WriteReport, StoreError> {
    for message in messages {
        match message {
            Message::Keep(path) => store.keep(&path),
            Message::Source(meta, facts) => store.put_source(&meta.view(), &facts)?,
            Message::Form(meta, lines, form) => store.put_form(&meta.view(), lines, &form)?,
            Message::Document(meta, lines) => store.put_document(&meta.view(), lines)?,
            Message::Prepare => {
                store.prepare()?;
                // Wait for the search index; a build that stops first drops the sender
                // and the store is left uncommitted (the previous one stays).
                return match commit.recv() {
                    Ok(()) => store.commit(),
                    Err(_) => Err(StoreError::Io {
                        path: std::path::PathBuf::from("code.current"),
                        source: std::io::Error::other("the build stopped before the commit"),
                    }),
                };
            }
        }
    }
    Err(StoreError::Io {
        path: std::path::PathBuf::from("code.current"),
        source: std::io::Error::other("the build stopped before the store was prepared"),
    })
}

impl StoreThread {
    pub(crate) fn start(store: StoreWriter) -> Self {
        let known = store.known_files();
        let fresh = store.is_fresh();
        let (sender, messages) = sync_channel(QUEUE);
        let (commit, committed) = sync_channel(1);
        let handle = std::thread::Builder::new()
            .name("otis-store".into())
            .spawn(move || run(store, messages, committed))
            .ok();
        Self {
            sender: Some(sender),
            commit: Some(commit),
            handle,
            known,
            fresh,
        }
    }

    pub(crate) fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Whether `path` is recorded with this size and time; if so its rows are kept.
    pub(crate) fn unchanged(
        &mut self,
        path: &str,
        size: u64,
        modified_ns: u64,
    ) -> Result<bool, StoreError> {
        if self.known.get(path) == Some(&(size, modified_ns)) {
            self.send(Message::Keep(path.to_owned()))?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Files the previous build recorded that are not in `seen`.
    pub(crate) fn gone(&self, seen: &std::collections::HashSet<String>) -> Vec<String> {
        let mut out: Vec<String> = self
            .known
            .keys()
            .filter(|p| !seen.contains(*p))
            .cloned()
            .collect();
        out.sort();
        out
    }

    pub(crate) fn source(&mut self, meta: Meta, facts: SourceFacts) -> Result<(), StoreError> {
        self.send(Message::Source(meta, Box::new(facts)))
    }

    pub(crate) fn form(&mut self, meta: Meta, lines: u32, form: Form) -> Result<(), StoreError> {
        self.send(Message::Form(meta, lines, Box::new(form)))
    }

    pub(crate) fn document(&mut self, meta: Meta, lines: u32) -> Result<(), StoreError> {
        self.send(Message::Document(meta, lines))
    }

    /// Starts the store's preparation (it runs while the search index commits).
    pub(crate) fn prepare(&mut self) -> Result<(), StoreError> {
        self.send(Message::Prepare)?;
        self.sender = None;
        Ok(())
    }

    /// Commits the store, after the search index has committed.
    pub(crate) fn commit(mut self) -> Result<WriteReport, StoreError> {
        if let Some(commit) = self.commit.take() {
            let _ = commit.send(());
        }
        self.join()
    }

    fn join(&mut self) -> Result<WriteReport, StoreError> {
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(StoreError::Io {
                path: std::path::PathBuf::from("code.current"),
                source: std::io::Error::other("the store's writer thread failed"),
            }),
        }
    }

    /// Sends a message; when the thread has stopped on an error, that error.
    fn send(&mut self, message: Message) -> Result<(), StoreError> {
        let sent = self
            .sender
            .as_ref()
            .is_some_and(|s| s.send(message).is_ok());
        if sent {
            return Ok(());
        }
        self.sender = None;
        self.commit = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(StoreError::Io {
                path: std::path::PathBuf::from("code.current"),
                source: std::io::Error::other("the store's writer thread stopped"),
            }),
        }
    }
}
