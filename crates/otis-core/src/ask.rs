//! The ask use case: resolve the question against the conversation, retrieve, answer,
//! persist the turn. One window read and one turn write per request.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

use crate::code_query::{self, CodeQuery, Next};
use crate::conversation::{Conversation, MemoryPolicy};
use crate::ports::{
    ChatError, ChatMessage, ChatModel, ChatRequest, ChatResponse, CodeFacts, CodeModel,
    CodeQuestion, DeltaSink, Diagram, DynSessionStore, Graph, Hit, QuestionKind, RetrieveError,
    Retriever, Role, StoreError, TextModel, TextPrompt,
};
use crate::question::classify_after;
use crate::resolve::{QUERY_KEY, Resolution, member_names, query_of, resolve};
use crate::session_id::SessionId;
use crate::stored_graph;
use crate::turn::{Metadata, NewTurn, Timestamp, TurnId};
use crate::window::{MaxTurns, Window};

/// The longest question accepted, in bytes.
pub const MAX_QUESTION_BYTES: usize = 16 * 1024;
/// Allowed `top_k`.
pub const TOP_K_RANGE: std::ops::RangeInclusive<u32> = 1..=50;
/// Allowed `temperature`.
pub const TEMPERATURE_RANGE: std::ops::RangeInclusive<f32> = 0.0..=2.0;

/// One question to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AskRequest {
    /// The user's question.
    pub question: String,
    /// The conversation it belongs to, if any.
    pub session: Option<SessionId>,
    /// Whether to read and write the session's memory. Without a session, or with
    /// `persist` false, the request is stateless: no memory is read or written.
    pub persist: bool,
    /// How many sources to retrieve.
    pub top_k: u32,
    /// Sampling temperature for text models.
    pub temperature: f32,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
    /// Idempotency key of the turn this request appends.
    pub turn_id: TurnId,
}

impl AskRequest {
    /// A request with the defaults: stateless, top_k 5, temperature 0, 512 tokens.
    pub fn new(question: impl Into<String>, turn_id: TurnId) -> Self {
        Self {
            question: question.into(),
            session: None,
            persist: false,
            top_k: 5,
            temperature: 0.0,
            max_tokens: 512,
            turn_id,
        }
    }

    /// Checks every field; the error names the field. Every entry point checks through
    /// the same rules: the use case and the CLI the whole request here, the HTTP API
    /// each field as it reads it ([`check_question`](Self::check_question),
    /// [`check_top_k`](Self::check_top_k), [`check_temperature`](Self::check_temperature)),
    /// so the field named is the first bad one in the order the body is read.
    pub fn validate(&self) -> Result<(), AskError> {
        Self::check_question(&self.question)?;
        Self::check_top_k(u64::from(self.top_k))?;
        Self::check_temperature(self.temperature)?;
        if self.max_tokens == 0 {
            return Err(invalid("max_tokens", "must be at least 1".into()));
        }
        Ok(())
    }

    /// A question is not blank and at most [`MAX_QUESTION_BYTES`] long.
    pub fn check_question(question: &str) -> Result<(), AskError> {
        if question.trim().is_empty() {
            return Err(invalid("question", "must not be empty".into()));
        }
        if question.len() > MAX_QUESTION_BYTES {
            return Err(invalid(
                "question",
                format!(
                    "is {} bytes; at most {MAX_QUESTION_BYTES} are allowed",
                    question.len()
                ),
            ));
        }
        Ok(())
    }

    /// `top_k` as given (any whole number, as a JSON body may carry one) is in
    /// [`TOP_K_RANGE`].
    pub fn check_top_k(top_k: u64) -> Result<u32, AskError> {
        u32::try_from(top_k)
            .ok()
            .filter(|k| TOP_K_RANGE.contains(k))
            .ok_or_else(|| {
                invalid(
                    "top_k",
                    format!(
                        "must be {} to {}, got {top_k}",
                        TOP_K_RANGE.start(),
                        TOP_K_RANGE.end()
                    ),
                )
            })
    }

    /// A temperature as given (`f32` from the command line, `f64` from a JSON body) is
    /// in [`TEMPERATURE_RANGE`]. The range is checked on the value as given, before it
    /// is narrowed to `f32` (so 2.0000001 is refused), and the message shows it as given.
    pub fn check_temperature<T>(temperature: T) -> Result<f32, AskError>
    where
        T: Into<f64> + Copy + std::fmt::Display,
    {
        let (low, high) = (*TEMPERATURE_RANGE.start(), *TEMPERATURE_RANGE.end());
        let value: f64 = temperature.into();
        if (f64::from(low)..=f64::from(high)).contains(&value) {
            Ok(value as f32)
        } else {
            Err(invalid(
                "temperature",
                format!("must be {low} to {high}, got {temperature}"),
            ))
        }
    }
}

/// A field that fails its check.
fn invalid(field: &'static str, message: String) -> AskError {
    AskError::Invalid { field, message }
}

/// A source an answer used, as reported to callers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    /// Its number in the answer's citations (`[1]` is 1).
    pub index: usize,
    /// The file.
    pub file: String,
    /// The program or copybook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// First and last line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<(u32, u32)>,
    /// The chunk's id in the index.
    pub chunk_id: String,
    /// The retriever's score.
    pub score: f32,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Timing {
    /// Resolving follow-up references.
    pub resolve_ms: f64,
    /// Classifying the question and asking the code model.
    pub facts_ms: f64,
    /// Having a text model write a query over the code model and running it (0 when no
    /// query was asked for).
    pub query_ms: f64,
    /// Loading the session's window.
    pub memory_load_ms: f64,
    /// Retrieving sources.
    pub retrieve_ms: f64,
    /// Generating the answer.
    pub generate_ms: f64,
    /// Persisting the turn.
    pub persist_ms: f64,
    /// The whole request.
    pub total_ms: f64,
}

/// The answer and everything a caller may show about how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResponse {
    /// The question as asked.
    pub question: String,
    /// The question after follow-up resolution.
    pub resolved_question: String,
    /// What the question asks (`purpose`, `callers`, `data_usage`, ...).
    pub question_type: QuestionKind,
    /// The answer.
    pub answer: String,
    /// The code model's exact facts behind the answer, when it had them: the complete
    /// list (every copybook, caller or reference site) with file and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<CodeFacts>,
    /// For flow and screen questions, the graph drawn by the server (Mermaid and SVG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagram: Option<Diagram>,
    /// When a text model wrote a query over the code model (a question no kind
    /// matched): the query, its rows, and every attempt; the answer's evidence, or the
    /// account of why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_query: Option<CodeQuery>,
    /// The sources, in citation order.
    pub sources: Vec<SourceRef>,
    /// The session, when the request had one.
    pub session_id: Option<SessionId>,
    /// Whether the turn was stored.
    pub persisted: bool,
    /// Why it was not stored, when persisting was asked for and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist_error: Option<String>,
    /// The member the conversation is now about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The model that answered.
    pub model: String,
    /// Whether generation was cancelled; `answer` then holds what was produced so far.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Time per stage.
    pub timing: Timing,
}

/// Why a question got no answer.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// A field of the request is invalid; nothing was read or written.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The session's memory could not be loaded. The question is not answered without
    /// it: answering as if the conversation were empty would be wrong.
    #[error("could not load the conversation: {0}")]
    Memory(#[source] StoreError),
    /// Retrieval failed.
    #[error("could not search the codebase: {0}")]
    Retrieve(#[source] RetrieveError),
    /// The model failed.
    #[error("could not generate an answer: {0}")]
    Model(#[source] ChatError),
}

/// The ask use case, over its ports.
#[derive(Debug, Clone)]
pub struct Assistant {
    retriever: Arc<dyn Retriever>,
    model: Arc<dyn ChatModel>,
    code: Option<Arc<dyn CodeModel>>,
    store: Option<DynSessionStore>,
    policy: MemoryPolicy,
    context_turns: usize,
    sql_answers: bool,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

impl Assistant {
    /// An assistant that answers with `model` from what `retriever` finds, and remembers
    /// conversations in `store` when one is given.
    pub fn new(
        retriever: Arc<dyn Retriever>,
        model: Arc<dyn ChatModel>,
        store: Option<DynSessionStore>,
    ) -> Self {
        Self {
            retriever,
            model,
            code: None,
            store,
            policy: MemoryPolicy::default(),
            context_turns: 3,
            sql_answers: true,
        }
    }

    /// Answers from `code`'s exact facts where it has them.
    #[must_use]
    pub fn with_code_model(mut self, code: Arc<dyn CodeModel>) -> Self {
        self.code = Some(code);
        self
    }

    /// Whether a text model may answer a question no kind matched by writing a query
    /// over the code model (on by default; it needs a text model and a code model that
    /// runs queries).
    #[must_use]
    pub fn with_sql_answers(mut self, on: bool) -> Self {
        self.sql_answers = on;
        self
    }

    /// The text model and code model that answer `question_type` with a query, when
    /// they do: a question no kind answered ([`code_query::no_kind_answers`]).
    fn sql_engine(
        &self,
        question_type: QuestionKind,
        facts: Option<&CodeFacts>,
    ) -> Option<(&dyn TextModel, &dyn CodeModel, String)> {
        if !self.sql_answers || !code_query::no_kind_answers(question_type, facts) {
            return None;
        }
        let text = self.model.as_text_model()?;
        let code = self.code.as_deref()?;
        Some((text, code, code.schema()?))
    }

    /// The code model, when one is wired.
    pub fn code_model(&self) -> Option<&Arc<dyn CodeModel>> {
        self.code.as_ref()
    }

    /// Sets the memory policy (window size, TTL).
    #[must_use]
    pub fn with_policy(mut self, policy: MemoryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How many recent turns are given to the model as conversation history.
    #[must_use]
    pub fn with_context_turns(mut self, turns: usize) -> Self {
        self.context_turns = turns;
        self
    }

    /// The model's name.
    pub fn model_name(&self) -> String {
        self.model.name()
    }

    /// The retriever's name.
    pub fn retriever_name(&self) -> String {
        self.retriever.name()
    }

    /// The configured window size.
    pub fn max_turns(&self) -> MaxTurns {
        self.policy.max_turns
    }

    /// Answers `request`.
    pub async fn ask(&self, request: AskRequest) -> Result<AskResponse, AskError> {
        self.run(request, None, std::future::pending()).await
    }

    /// Answers `request`, feeding the answer to `sink` as the model produces it.
    pub async fn ask_streaming(
        &self,
        request: AskRequest,
        sink: &mut dyn DeltaSink,
    ) -> Result<AskResponse, AskError> {
        self.run(request, Some(sink), std::future::pending()).await
    }

    /// Like [`ask_streaming`](Self::ask_streaming), but stops generating when `cancel`
    /// completes first (a client that went away, a user's Ctrl-C). The turn is still
    /// persisted: the question, the answer produced so far, and `"interrupted": true`
    /// in its metadata; the response says `interrupted`.
    pub async fn ask_streaming_until(
        &self,
        request: AskRequest,
        sink: &mut dyn DeltaSink,
        cancel: impl Future<Output = ()>,
    ) -> Result<AskResponse, AskError> {
        self.run(request, Some(sink), cancel).await
    }

    async fn run(
        &self,
        request: AskRequest,
        sink: Option<&mut dyn DeltaSink>,
        cancel: impl Future<Output = ()>,
    ) -> Result<AskResponse, AskError> {
        let started = Instant::now();
        request.validate()?;
        let mut timing = Timing::default();

        // Memory: one read, only for a persisted session.
        let stage = Instant::now();
        let mut conversation = match (&self.store, &request.session, request.persist) {
            (Some(store), Some(session), true) => Some(
                Conversation::load_with(
                    store.clone(),
                    session.clone(),
                    self.policy,
                    Timestamp::now(),
                )
                .await
                .map_err(AskError::Memory)?,
            ),
            _ => None,
        };
        timing.memory_load_ms = ms(stage);
        let empty = Window::new(self.policy.max_turns);
        let window = conversation.as_ref().map_or(&empty, Conversation::window);

        let stage = Instant::now();
        let resolution = resolve(&request.question, window);
        timing.resolve_ms = ms(stage);

        let stage = Instant::now();
        let identify = |name: &str| self.code.as_ref().and_then(|c| c.identify(name));
        let classified = classify_after(
            &resolution.question,
            &identify,
            resolution.previous.as_ref(),
        );
        let facts = match &self.code {
            Some(code) => code
                .facts(&classified)
                .map_err(|e| AskError::Retrieve(RetrieveError::Backend(Box::new(e))))?,
            None => None,
        };
        timing.facts_ms = ms(stage);
        let question_type = facts.as_ref().map_or(classified.kind, |f| f.kind);
        let history = history(window, self.context_turns);
        let mut cancel = pin!(cancel);

        // A question no kind matched, with a text model: the model writes one query over
        // the code model, and answers from its rows when it ran.
        let stage = Instant::now();
        let mut code_query = None;
        let mut plan = Plan::Search { preface: None };
        if let Some((text, code, schema)) = self.sql_engine(question_type, facts.as_ref()) {
            let work = code_query::write_and_run(
                text,
                code,
                &schema,
                &resolution.question,
                &history,
                (request.temperature, request.max_tokens),
            );
            plan = match until(work, cancel.as_mut()).await {
                None => Plan::Stopped,
                Some(result) => {
                    let (record, next) = result.map_err(AskError::Model)?;
                    code_query = Some(record);
                    match next {
                        Next::Answer { prompt, evidence } => Plan::Rows {
                            model: text,
                            prompt,
                            evidence,
                        },
                        Next::Search { preface } => Plan::Search { preface },
                    }
                }
            };
        }
        timing.query_ms = ms(stage);

        // Exact facts cite their own lines; search hits are added where code text helps
        // (what a program is for, which programs do a task) or where there are no facts
        // (and no rows).
        let stage = Instant::now();
        let mut hits = facts.as_ref().map(evidence_hits).unwrap_or_default();
        let wants_search = matches!(plan, Plan::Search { .. })
            && (facts.is_none()
                || facts
                    .as_ref()
                    .is_some_and(|f| f.subject.is_some() && f.subject_kind.is_none())
                || matches!(
                    question_type,
                    QuestionKind::Purpose | QuestionKind::BusinessProcess
                ));
        if wants_search {
            let found = self
                .retriever
                .retrieve(&resolution.question, request.top_k)
                .await
                .map_err(AskError::Retrieve)?;
            hits.extend(found);
        }
        timing.retrieve_ms = ms(stage);
        let subject = facts
            .as_ref()
            .and_then(|f| f.subject.clone())
            .or_else(|| {
                classified
                    .subject
                    .clone()
                    .filter(|_| classified.subject_kind.is_some())
            })
            .or_else(|| subject_of(&resolution, &hits));

        let chat = ChatRequest {
            question: resolution.question.clone(),
            history,
            sources: hits.clone(),
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            facts: facts.clone(),
        };
        let stage = Instant::now();
        let (response, interrupted) = match &plan {
            Plan::Stopped => (
                ChatResponse {
                    text: String::new(),
                    model: self.model.name(),
                },
                true,
            ),
            Plan::Search { preface } => {
                let job = Job::Chat(&chat);
                self.generate(job, preface.as_deref(), None, sink, cancel.as_mut())
                    .await?
            }
            Plan::Rows {
                model,
                prompt,
                evidence,
            } => {
                let job = Job::Text(*model, prompt);
                self.generate(job, None, Some(evidence), sink, cancel.as_mut())
                    .await?
            }
        };
        timing.generate_ms = ms(stage);

        let sources: Vec<SourceRef> = hits
            .iter()
            .enumerate()
            .map(|(i, hit)| SourceRef {
                index: i + 1,
                file: hit.file.clone(),
                program: hit.program.clone(),
                lines: hit.lines,
                chunk_id: hit.id.clone(),
                score: hit.score,
            })
            .collect();

        // Persist once, after the answer. A failure is reported, never hidden.
        let stage = Instant::now();
        let (persisted, persist_error) = match conversation.as_mut() {
            Some(conversation) => {
                let turn = NewTurn {
                    id: request.turn_id.clone(),
                    at: Timestamp::now(),
                    user: request.question.clone(),
                    assistant: response.text.clone(),
                    metadata: with_query(
                        turn_metadata(
                            &resolution,
                            question_type,
                            subject.as_deref(),
                            &sources,
                            &Made {
                                model: &response.model,
                                interrupted,
                                graph: facts.as_ref().and_then(|f| f.graph.as_ref()),
                                code_query: code_query.as_ref(),
                            },
                        ),
                        &classified,
                    ),
                };
                match conversation.add(turn).await {
                    Ok(_) => (true, None),
                    Err(e) => (false, Some(e.to_string())),
                }
            }
            None => (false, None),
        };
        timing.persist_ms = ms(stage);
        timing.total_ms = ms(started);
        // The drawing is reported once, beside the facts.
        let mut facts = facts;
        let diagram = facts.as_mut().and_then(|f| f.diagram.take());

        Ok(AskResponse {
            question: request.question,
            resolved_question: resolution.question,
            question_type,
            answer: response.text,
            facts,
            diagram,
            code_query,
            sources,
            session_id: request.session,
            persisted,
            persist_error,
            subject,
            model: response.model,
            interrupted,
            timing,
        })
    }
}

impl Assistant {
    /// Runs `job`, streamed to `sink` when there is one, until `cancel` completes; the
    /// answer is `before`, the model's text, then `after` (not added to an interrupted
    /// answer). Returns the answer and whether it was interrupted.
    async fn generate(
        &self,
        job: Job<'_>,
        before: Option<&str>,
        after: Option<&str>,
        sink: Option<&mut dyn DeltaSink>,
        cancel: Pin<&mut impl Future<Output = ()>>,
    ) -> Result<(ChatResponse, bool), AskError> {
        let whole = |mut response: ChatResponse| {
            response.text = format!(
                "{}{}{}",
                before.unwrap_or_default(),
                response.text,
                after.unwrap_or_default()
            );
            response
        };
        let Some(sink) = sink else {
            let work = async {
                match job {
                    Job::Chat(request) => self.model.complete(request).await,
                    Job::Text(model, prompt) => model.reply(prompt).await,
                }
            };
            return Ok(match until(work, cancel).await {
                Some(result) => (whole(result.map_err(AskError::Model)?), false),
                None => (
                    ChatResponse {
                        text: before.unwrap_or_default().to_owned(),
                        model: self.model.name(),
                    },
                    true,
                ),
            });
        };
        let mut recorder = Recorder {
            inner: sink,
            text: String::new(),
        };
        if let Some(before) = before {
            recorder.delta(before);
        }
        let finished = {
            let recorder = &mut recorder;
            let work = async {
                match job {
                    Job::Chat(request) => self.model.stream(request, recorder).await,
                    Job::Text(model, prompt) => model.stream_reply(prompt, recorder).await,
                }
            };
            until(work, cancel).await
        };
        match finished {
            Some(result) => {
                let response = result.map_err(AskError::Model)?;
                if let Some(after) = after {
                    recorder.delta(after);
                }
                Ok((whole(response), false))
            }
            // Dropping the generation above stopped the model.
            None => Ok((
                ChatResponse {
                    text: recorder.text,
                    model: self.model.name(),
                },
                true,
            )),
        }
    }
}

/// How the answer is made.
enum Plan<'a> {
    /// From the facts and search hits, after `preface` (what a failed query did).
    Search { preface: Option<String> },
    /// From a query's rows by the text model, then `evidence` (the query).
    Rows {
        model: &'a dyn TextModel,
        prompt: TextPrompt,
        evidence: String,
    },
    /// Cancelled before an answer was asked for.
    Stopped,
}

/// What the model is asked.
#[derive(Clone, Copy)]
enum Job<'a> {
    /// The grounded question, through the chat port.
    Chat(&'a ChatRequest),
    /// A prompt of the ask use case's own.
    Text(&'a dyn TextModel, &'a TextPrompt),
}

/// `work`'s output, or `None` when `cancel` completes first (`work` is then dropped,
/// which stops a model).
async fn until<T>(
    work: impl Future<Output = T>,
    mut cancel: Pin<&mut impl Future<Output = ()>>,
) -> Option<T> {
    let mut work = pin!(work);
    poll_fn(|cx| {
        if let Poll::Ready(out) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if cancel.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

/// Passes deltas on and keeps the text so far, for an interrupted answer.
struct Recorder<'a> {
    inner: &'a mut dyn DeltaSink,
    text: String,
}

impl DeltaSink for Recorder<'_> {
    fn delta(&mut self, text: &str) {
        self.text.push_str(text);
        self.inner.delta(text);
    }
}

/// The member the answer is about: a name in the resolved question that a source
/// belongs to, else the name the resolution found, else the best source's member.
fn subject_of(resolution: &Resolution, hits: &[Hit]) -> Option<String> {
    let programs: Vec<&str> = hits.iter().filter_map(|h| h.program.as_deref()).collect();
    member_names(&resolution.question)
        .into_iter()
        .find(|name| programs.iter().any(|p| p.eq_ignore_ascii_case(name)))
        .or_else(|| resolution.subject.clone())
        .or_else(|| programs.first().map(|p| (*p).to_owned()))
}

fn history(window: &Window, turns: usize) -> Vec<ChatMessage> {
    let skip = window.len().saturating_sub(turns);
    window
        .turns()
        .skip(skip)
        .flat_map(|turn| {
            [
                ChatMessage {
                    role: Role::User,
                    content: turn.user.clone(),
                },
                ChatMessage {
                    role: Role::Assistant,
                    content: turn.assistant.clone(),
                },
            ]
        })
        .collect()
}

/// The code model's evidence lines as sources, in citation order.
fn evidence_hits(facts: &CodeFacts) -> Vec<Hit> {
    facts
        .evidence
        .iter()
        .map(|e| Hit {
            id: format!("{}:{}", e.file, e.line),
            file: e.file.clone(),
            program: e.member.clone(),
            lines: Some((e.line, e.end_line)),
            score: 1.0,
            text: e.text.clone(),
            facts: None,
        })
        .collect()
}

/// How an answer was made, as its stored turn records it.
struct Made<'a> {
    /// The model that answered.
    model: &'a str,
    /// Whether generation was stopped.
    interrupted: bool,
    /// A flow or screen answer's graph.
    graph: Option<&'a Graph>,
    /// The query a text model wrote, when it wrote one.
    code_query: Option<&'a CodeQuery>,
}

/// `metadata` with the corpus query the question answered ([`QUERY_KEY`]), so that a
/// follow-up over its list ("which of those are in FX?") can refine it.
fn with_query(mut metadata: Metadata, question: &CodeQuestion) -> Metadata {
    if let Some(query) = query_of(question).and_then(|q| serde_json::to_value(q).ok()) {
        metadata.insert(QUERY_KEY.into(), query);
    }
    metadata
}

/// What a stored turn keeps besides its texts: how the question was read, the sources,
/// the model, a model-written query (without its rows), and for a finished flow or
/// screen answer its graph, so the diagram can be drawn again when the conversation is
/// read back ([`stored_graph`]).
fn turn_metadata(
    resolution: &Resolution,
    question_type: QuestionKind,
    subject: Option<&str>,
    sources: &[SourceRef],
    made: &Made<'_>,
) -> Metadata {
    let Made {
        model,
        interrupted,
        graph,
        code_query,
    } = *made;
    let mut metadata = Metadata::new();
    if interrupted {
        metadata.insert("interrupted".into(), json!(true));
    }
    metadata.insert("resolved_question".into(), json!(resolution.question));
    metadata.insert("question_type".into(), json!(question_type.as_str()));
    if let Some(reference) = &resolution.reference {
        metadata.insert("reference".into(), json!(reference));
    }
    if let Some(subject) = subject {
        metadata.insert("subject".into(), json!(subject));
    }
    let sources: Vec<Value> = sources
        .iter()
        .map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
        .collect();
    metadata.insert("sources".into(), Value::Array(sources));
    metadata.insert("model".into(), json!(model));
    if let Some(query) = code_query {
        metadata.insert("code_query".into(), query.summary());
    }
    // A stopped answer showed no drawing, so it keeps none.
    if let Some(graph) = graph
        .filter(|_| !interrupted)
        .and_then(stored_graph::to_value)
    {
        metadata.insert(stored_graph::KEY.into(), graph);
    }
    metadata
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(change: impl FnOnce(&mut AskRequest)) -> AskRequest {
        let mut request = AskRequest::new("What does LONPF2 do?", TurnId::parse("t").unwrap());
        change(&mut request);
        request
    }

    /// Each bad field with the message every entry point shows for it.
    #[test]
    fn every_field_is_checked_with_its_message() {
        let long = "q".repeat(MAX_QUESTION_BYTES + 1);
        let cases: Vec<(AskRequest, Option<&str>)> = vec![
            (request(|_| {}), None),
            (
                request(|r| r.question = " \n ".into()),
                Some("invalid question: must not be empty"),
            ),
            (
                request(|r| r.question = long.clone()),
                Some("invalid question: is 16385 bytes; at most 16384 are allowed"),
            ),
            (
                request(|r| r.question = "q".repeat(MAX_QUESTION_BYTES)),
                None,
            ),
            (
                request(|r| r.top_k = 0),
                Some("invalid top_k: must be 1 to 50, got 0"),
            ),
            (
                request(|r| r.top_k = 51),
                Some("invalid top_k: must be 1 to 50, got 51"),
            ),
            (request(|r| r.top_k = 50), None),
            (
                request(|r| r.temperature = 2.5),
                Some("invalid temperature: must be 0 to 2, got 2.5"),
            ),
            (
                request(|r| r.temperature = -0.1),
                Some("invalid temperature: must be 0 to 2, got -0.1"),
            ),
            (
                request(|r| r.temperature = f32::NAN),
                Some("invalid temperature: must be 0 to 2, got NaN"),
            ),
            (request(|r| r.temperature = 2.0), None),
            (
                request(|r| r.max_tokens = 0),
                Some("invalid max_tokens: must be at least 1"),
            ),
        ];
        for (request, want) in cases {
            let got = request.validate().err().map(|e| e.to_string());
            assert_eq!(got.as_deref(), want, "{request:?}");
        }
    }

    /// The HTTP API's numbers arrive as u64 and f64: checked as given, not narrowed first.
    #[test]
    fn numbers_from_a_body_are_checked_as_given() {
        assert_eq!(AskRequest::check_top_k(7).unwrap(), 7);
        let huge = u64::from(u32::MAX) + 6;
        assert_eq!(
            AskRequest::check_top_k(huge).unwrap_err().to_string(),
            format!("invalid top_k: must be 1 to 50, got {huge}")
        );
        assert_eq!(AskRequest::check_temperature(0.7_f64).unwrap(), 0.7_f32);
        // Narrowed to f32 this would be 2.0, which is allowed.
        assert_eq!(
            AskRequest::check_temperature(2.000_000_01_f64)
                .unwrap_err()
                .to_string(),
            "invalid temperature: must be 0 to 2, got 2.00000001"
        );
        assert_eq!(
            AskRequest::check_temperature(1e300_f64)
                .unwrap_err()
                .to_string(),
            format!("invalid temperature: must be 0 to 2, got {}", 1e300_f64)
        );
    }
}
