//! The chat page in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven over WebDriver with fantoccini, against the router served on
//! a free loopback port with the sample corpus, an in-memory store and the extractive
//! answerer streamed in small pieces (so streaming and Stop can be watched).
//!
//! The scenario: ask and see the answer stream; a follow-up resolves "it"; a source opens
//! its lines; feedback is stored; reload restores the session; export downloads JSON
//! and Markdown; a question holding `<img onerror>` and `<script>` stays inert; Stop keeps
//! a partial turn; New chat, switching and Delete with confirmation; no CSP violation or
//! script error in the console; usable at 375 px. Screenshots go to
//! `target/tmp/browser/`. Further tests cover the API-key prompt, a 288-item list answer
//! folded by group, a flow answer's diagram after a reload, and the examples (corpus
//! questions among them) asking themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;
mod driver;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use otis_answer::Extractive;
use otis_app::HttpSettings;
use otis_core::ports::{ChatError, ChatModel, ChatRequest, ChatResponse, DeltaSink};
use otis_core::{SessionId, Turn};
use otis_func::{AppState, serve};
use otis_index::LocalIndex;
use otis_store_mem::{MemoryBackend, MemoryStore};
use serde_json::{Value, json};

use common::{memory_app, sample_index, test_settings};
use driver::Driver;

/// How long any one thing may take to appear.
const PATIENCE: Duration = Duration::from_secs(30);

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The extractive answerer, streamed a few characters at a time. A question asking for
/// an answer "slowly" streams words until it is stopped; a question holding `<` gets
/// itself echoed at the top of the answer (a model repeating hostile input).
#[derive(Debug)]
struct Paced;

#[async_trait::async_trait]
impl ChatModel for Paced {
    fn name(&self) -> String {
        "extractive-paced".into()
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ChatError> {
        Extractive.complete(request).await
    }

    async fn stream(
        &self,
        request: &ChatRequest,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        if request.question.contains("slowly") {
            let mut text = String::new();
            for i in 0..600 {
                let word = format!("word{i} ");
                sink.delta(&word);
                text.push_str(&word);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            return Ok(ChatResponse {
                text,
                model: self.name(),
            });
        }
        let mut whole = Extractive.complete(request).await?;
        if request.question.contains('<') {
            whole.text = format!("You asked: {}\n\n{}", request.question, whole.text);
        }
        let chars: Vec<char> = whole.text.chars().collect();
        for piece in chars.chunks(chars.len().div_ceil(12).max(1)) {
            sink.delta(&piece.iter().collect::<String>());
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
        whole.model = self.name();
        Ok(whole)
    }
}

struct Server {
    url: String,
    backend: MemoryBackend,
    store: Arc<MemoryStore>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_server(http: HttpSettings) -> Server {
    start_server_with(http, sample_index(), Arc::new(Paced)).await
}

async fn start_server_with(
    http: HttpSettings,
    index: LocalIndex,
    model: Arc<dyn ChatModel>,
) -> Server {
    let backend = MemoryBackend::new();
    let store = Arc::new(MemoryStore::open(backend.clone()));
    let mut settings = test_settings(&[]);
    settings.http = http;
    let mut app = memory_app(index.clone(), model, store.clone(), settings);
    app.assistant = app.assistant.with_code_model(index.code_model());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, AppState::new(app), async move {
        let _ = stopped.await;
    }));
    Server {
        url,
        backend,
        store,
        _stop: stop,
    }
}

/// Runs `script` (a function body) in the page.
async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Waits until `script` returns something truthy, and returns it.
async fn until(client: &Client, what: &str, script: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let value = js(client, script).await;
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            _ => true,
        };
        if truthy {
            return value;
        }
        if Instant::now() > deadline {
            let page = js(client, "return document.body.innerText").await;
            panic!("timed out waiting for {what}; the page shows:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Opens the server's page in a new browser window of `width` × `height` px.
async fn open(server: &Server, width: u32, height: u32) -> (Driver, Client) {
    let driver = Driver::start(&scratch());
    let client = driver.browser(width, height).await;
    client.goto(&format!("{}/", server.url)).await.unwrap();
    (driver, client)
}

/// Waits until the page names the store and model in use (it has reached the API), and
/// returns what it says.
async fn connected(client: &Client) -> Value {
    until(
        client,
        "the store and model",
        "return document.getElementById('backend').textContent",
    )
    .await
}

async fn find(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

async fn click(client: &Client, css: &str) {
    find(client, css).await.click().await.unwrap();
}

async fn rendered_answers(client: &Client) -> u64 {
    js(
        client,
        "return document.querySelectorAll('.turn .answer.rendered').length",
    )
    .await
    .as_u64()
    .unwrap()
}

/// Waits until the conversation shows `n` rendered answers (`what` names them).
async fn until_answers(client: &Client, what: &str, n: usize) {
    until(
        client,
        what,
        &format!("return document.querySelectorAll('.turn .answer.rendered').length === {n}"),
    )
    .await;
}

/// Types `question`, presses Enter, and waits for the answer to be rendered.
async fn ask(client: &Client, question: &str) {
    let before = rendered_answers(client).await;
    let input = find(client, "#question").await;
    input.send_keys(question).await.unwrap();
    input.send_keys("\u{E007}").await.unwrap(); // Enter
    until(
        client,
        "the answer",
        &format!("return document.querySelectorAll('.turn .answer.rendered').length > {before}"),
    )
    .await;
}

async fn session_of_page(client: &Client) -> String {
    js(client, "return localStorage.getItem('otis.session')")
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

async fn stored_turns(server: &Server, session: &str) -> Vec<Turn> {
    use otis_core::ports::SessionStore;
    server
        .store
        .load_latest(&SessionId::parse(session).unwrap(), 100)
        .await
        .unwrap()
}

async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.unwrap();
    let path = scratch().join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
    path
}

/// Waits for a finished download whose name ends with `extension`, and reads it.
async fn downloaded(driver: &Driver, extension: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(entries) = std::fs::read_dir(driver.downloads()) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("otis-") && name.ends_with(extension) {
                    let text = std::fs::read_to_string(entry.path()).unwrap();
                    std::fs::remove_file(entry.path()).unwrap();
                    return text;
                }
            }
        }
        assert!(Instant::now() < deadline, "no {extension} download");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn numbers_as_f64(value: Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_f64).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_f64(v)))
                .collect(),
        ),
        other => other,
    }
}

/// chromedriver's browser console log (`goog:loggingPrefs`).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

async fn console(client: &Client) -> Vec<String> {
    let entries = client.issue_cmd(BrowserLog).await.unwrap();
    entries
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["level"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Fails if the browser console shows a script error or anything the CSP refused.
async fn assert_console_clean(client: &Client) {
    let log = console(client).await;
    eprintln!("browser console: {log:#?}");
    let bad: Vec<&String> = log
        .iter()
        .filter(|l| {
            l.starts_with("SEVERE")
                || l.contains("Content Security Policy")
                || l.contains("TrustedHTML")
        })
        .collect();
    assert!(bad.is_empty(), "console: {bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_page_works_in_a_real_browser() {
    let server = start_server(HttpSettings::default()).await;
    let (driver, client) = open(&server, 1280, 860).await;

    // Status badge and the store and model in use.
    until(
        &client,
        "the status badge",
        "return document.querySelector('#status.ok') !== null",
    )
    .await;
    let backend = connected(&client).await;
    assert_eq!(backend, "store memory · model extractive-paced");

    // Ask: the answer streams as plain text, then shows as rendered HTML.
    let input = find(&client, "#question").await;
    input
        .send_keys("What copybooks does LONPF2 use?")
        .await
        .unwrap();
    input.send_keys("\u{E007}").await.unwrap();
    let streamed = until(
        &client,
        "streamed text",
        "const a = document.querySelector('.turn .answer.streaming'); return a && a.textContent.length > 0 && !a.querySelector('*') ? a.textContent : null",
    )
    .await;
    until(
        &client,
        "the rendered answer",
        "return document.querySelector('.turn .answer.rendered') !== null",
    )
    .await;
    let first = js(&client, "const a = document.querySelector('.turn .answer.rendered'); return {html: a.innerHTML, text: a.textContent, sources: Array.from(document.querySelectorAll('.turn .sources button'), b => b.textContent)}").await;
    let full = first["text"].as_str().unwrap();
    assert!(
        streamed.as_str().unwrap().len() < full.len(),
        "streaming showed the whole answer at once: {streamed}"
    );
    assert!(
        first["html"].as_str().unwrap().starts_with("<p>"),
        "{first}"
    );
    assert!(full.contains("LP01LN"), "{first}");
    let sources: Vec<String> = serde_json::from_value(first["sources"].clone()).unwrap();
    assert!(
        sources.iter().any(|s| s.starts_with("[1] LP/LONPF2.CBL:")),
        "{sources:?}"
    );
    let session = session_of_page(&client).await;

    // A follow-up resolves "it".
    ask(&client, "Who calls it?").await;
    let resolved = js(
        &client,
        "return document.querySelectorAll('.turn')[1].querySelector('.resolved').textContent",
    )
    .await;
    assert!(resolved.as_str().unwrap().contains("LONPF2"), "{resolved}");

    // A source opens its cited lines in the side panel.
    click(&client, ".turn .sources button").await;
    let cited = until(
        &client,
        "the cited lines",
        "const p = document.getElementById('source-panel'); const c = p.querySelectorAll('.line.cited'); return !p.hidden && c.length ? Array.from(c, l => l.textContent).join('\\n') : null",
    )
    .await;
    assert!(cited.as_str().unwrap().contains("COPY"), "{cited}");
    let title = js(
        &client,
        "return document.getElementById('source-title').textContent",
    )
    .await;
    assert!(
        title.as_str().unwrap().starts_with("LP/LONPF2.CBL:"),
        "{title}"
    );
    click(&client, "#source-close").await;

    // Feedback: thumbs up with a comment is stored.
    click(&client, ".turn .feedback .thumb.up").await;
    find(&client, ".turn .feedback textarea")
        .await
        .send_keys("Exactly what I needed")
        .await
        .unwrap();
    click(&client, ".turn .feedback .send-feedback").await;
    until(
        &client,
        "the feedback thanks",
        "return document.querySelector('.turn .feedback .thanks') !== null",
    )
    .await;
    let reports = server.backend.feedback();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].rating, Some(1));
    assert_eq!(reports[0].comment.as_deref(), Some("Exactly what I needed"));
    assert_eq!(reports[0].question, "What copybooks does LONPF2 use?");
    assert_eq!(
        reports[0].session.as_ref().map(|s| s.as_str().to_owned()),
        Some(session.clone())
    );

    // A reload restores the session from /api/history.
    client.refresh().await.unwrap();
    until_answers(&client, "the restored turns", 2).await;
    assert_eq!(session_of_page(&client).await, session);
    let questions = js(
        &client,
        "return Array.from(document.querySelectorAll('.turn .question'), q => q.textContent)",
    )
    .await;
    assert_eq!(
        questions,
        json!(["What copybooks does LONPF2 use?", "Who calls it?"])
    );
    let restored = js(
        &client,
        "return document.querySelector('.turn .answer.rendered').textContent",
    )
    .await;
    assert_eq!(restored.as_str().unwrap(), full);

    // Export downloads the `otis sessions export` JSON and a Markdown transcript.
    click(&client, "#export-json").await;
    let exported: Value = serde_json::from_str(&downloaded(&driver, ".json").await).unwrap();
    assert_eq!(exported["session_id"], session);
    let turns: Vec<Turn> = serde_json::from_value(exported["turns"].clone()).unwrap();
    let stored = stored_turns(&server, &session).await;
    // Equal but for how numbers are spelt (JavaScript writes 1.0 as 1).
    assert_eq!(
        numbers_as_f64(serde_json::to_value(&turns).unwrap()),
        numbers_as_f64(serde_json::to_value(&stored).unwrap())
    );
    click(&client, "#export-md").await;
    let markdown = downloaded(&driver, ".md").await;
    assert!(
        markdown.contains("## 1. What copybooks does LONPF2 use?"),
        "{markdown}"
    );
    assert!(
        markdown.contains("_Understood as: Who calls LONPF2?_"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Sources: [1] LP/LONPF2.CBL:"),
        "{markdown}"
    );

    // Hostile markup in a question, echoed by the model, stays inert text.
    let hostile = "What does <img src=x onerror=\"window.__otisPwned=1\"> LONPF2 <script>window.__otisPwned=2</script> do?";
    ask(&client, hostile).await;
    let inert = js(
        &client,
        "const t = document.querySelectorAll('.turn')[2]; return {pwned: window.__otisPwned === undefined ? null : window.__otisPwned, imgs: document.querySelectorAll('img[src=\"x\"], .turn img:not(.diagram img)').length, scripts: document.scripts.length, question: t.querySelector('.question').textContent, answer: t.querySelector('.answer').textContent, answerTags: Array.from(t.querySelectorAll('.answer *'), e => e.tagName)}",
    )
    .await;
    assert_eq!(inert["pwned"], Value::Null, "{inert}");
    assert_eq!(inert["imgs"], 0, "{inert}");
    assert_eq!(inert["scripts"], 1, "{inert}");
    assert_eq!(inert["question"], hostile, "{inert}");
    assert!(
        inert["answer"]
            .as_str()
            .unwrap()
            .contains("<script>window.__otisPwned=2</script>"),
        "the echoed markup is shown as text: {inert}"
    );
    let tags: Vec<String> = serde_json::from_value(inert["answerTags"].clone()).unwrap();
    assert!(
        tags.iter()
            .all(|t| !matches!(t.as_str(), "IMG" | "SCRIPT" | "SVG" | "IFRAME")),
        "{tags:?}"
    );

    // Stop keeps the partial turn, stored as interrupted.
    let input = find(&client, "#question").await;
    input
        .send_keys("Tell me slowly about LONPF2")
        .await
        .unwrap();
    input.send_keys("\u{E007}").await.unwrap();
    until(&client, "a few streamed words", "const a = document.querySelector('.turn:last-child .answer.streaming'); return a && a.textContent.includes('word2')").await;
    assert_eq!(
        js(&client, "return document.getElementById('stop').hidden").await,
        false
    );
    click(&client, "#stop").await;
    let partial = until(&client, "the stopped turn", "const a = document.querySelector('.turn:last-child .answer.stopped'); return a ? a.textContent : null").await;
    let partial = partial.as_str().unwrap().to_owned();
    assert!(partial.starts_with("word0 word1 word2"), "{partial}");
    assert!(!partial.contains("word590"), "{partial}");
    assert_eq!(
        js(&client, "return document.getElementById('stop').hidden").await,
        true
    );
    let deadline = Instant::now() + PATIENCE;
    let last = loop {
        let turns = stored_turns(&server, &session).await;
        if turns.len() == 4 {
            break turns[3].clone();
        }
        assert!(Instant::now() < deadline, "the stopped turn was not stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(last.metadata["interrupted"], json!(true));
    assert!(
        last.assistant.starts_with("word0 word1 word2"),
        "{}",
        last.assistant
    );
    client.refresh().await.unwrap();
    until_answers(&client, "the four restored turns", 4).await;
    let marked = js(
        &client,
        "return document.querySelector('.turn:last-child .interrupted') !== null",
    )
    .await;
    assert_eq!(marked, true);

    // New chat, then the sidebar lists both conversations, newest first.
    until(
        &client,
        "the session in the sidebar",
        "return document.querySelectorAll('#sessions li').length === 1",
    )
    .await;
    click(&client, "#new-chat").await;
    assert_eq!(
        js(&client, "return document.querySelectorAll('.turn').length").await,
        0
    );
    let second = session_of_page(&client).await;
    assert_ne!(second, session);
    ask(&client, "What does DATEUTIL do?").await;
    let listed = until(
        &client,
        "two sessions",
        "const l = document.querySelectorAll('#sessions .open'); return l.length === 2 ? Array.from(l, b => [b.dataset.session, b.querySelector('.title').textContent, b.getAttribute('aria-current')]) : null",
    )
    .await;
    assert_eq!(
        listed,
        json!([
            [second, "What does DATEUTIL do?", "true"],
            [session, "What copybooks does LONPF2 use?", "false"]
        ])
    );

    // Switching shows the other conversation.
    click(
        &client,
        &format!("#sessions .open[data-session='{session}']"),
    )
    .await;
    until_answers(&client, "the first conversation", 4).await;
    assert_eq!(session_of_page(&client).await, session);

    // Delete asks first: Cancel keeps the conversation, Delete removes it.
    let delete = format!("#sessions .open[data-session='{second}'] + .delete");
    click(&client, &delete).await;
    until(
        &client,
        "the confirmation",
        "return document.getElementById('confirm-delete').open",
    )
    .await;
    click(&client, "#confirm-cancel").await;
    assert_eq!(
        js(
            &client,
            "return document.getElementById('confirm-delete').open"
        )
        .await,
        false
    );
    assert_eq!(stored_turns(&server, &second).await.len(), 1);
    click(&client, &delete).await;
    until(
        &client,
        "the confirmation",
        "return document.getElementById('confirm-delete').open",
    )
    .await;
    click(&client, "#confirm-ok").await;
    until(
        &client,
        "one session left",
        "return document.querySelectorAll('#sessions li').length === 1",
    )
    .await;
    assert!(stored_turns(&server, &second).await.is_empty());
    assert_eq!(session_of_page(&client).await, session);

    // The picture for README: a conversation with a source open.
    click(&client, ".turn .sources button").await;
    until(
        &client,
        "the cited lines",
        "return document.querySelector('#source-panel .line.cited') !== null",
    )
    .await;
    js(
        &client,
        "document.getElementById('conversation').scrollTop = 0",
    )
    .await;
    screenshot(&client, "otis-page.png").await;
    click(&client, "#source-close").await;

    // Keyboard: Tab from the question reaches Send; Enter in the box sends (above).
    let labelled = js(
        &client,
        "return Array.from(document.querySelectorAll('button, textarea, input')).filter(e => !e.closest('[hidden], dialog:not([open])') && e.offsetParent !== null).filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML)",
    )
    .await;
    assert_eq!(labelled, json!([]), "controls without a label");

    // 375 px wide: nothing scrolls sideways, the sessions open from a button.
    client.set_window_size(375, 800).await.unwrap();
    until(
        &client,
        "the narrow layout",
        "return window.innerWidth <= 400",
    )
    .await;
    let overflow = js(
        &client,
        "return document.documentElement.scrollWidth - window.innerWidth",
    )
    .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "scrolls sideways by {overflow} px"
    );
    assert_eq!(
        js(
            &client,
            "return getComputedStyle(document.getElementById('sidebar')).display"
        )
        .await,
        "none"
    );
    screenshot(&client, "otis-page-375.png").await;
    click(&client, "#toggle-sessions").await;
    assert_eq!(
        js(
            &client,
            "return getComputedStyle(document.getElementById('sidebar')).display"
        )
        .await,
        "block"
    );
    assert_eq!(
        js(
            &client,
            "return document.getElementById('toggle-sessions').getAttribute('aria-expanded')"
        )
        .await,
        "true"
    );
    click(&client, "#toggle-sessions").await;
    client.set_window_size(1280, 860).await.unwrap();

    // A flow answer's diagram shows as an image of the server's SVG (when the code model
    // draws one for the question).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let record: Value = serde_json::from_str(
        &reqwest::Client::new()
            .post(format!("{}/api/query", server.url))
            .body(json!({"question": "Show me a flow of LONPF2"}).to_string())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    if record["diagram"]["svg"].is_string() {
        ask(&client, "Show me a flow of LONPF2").await;
        let shown = until(
            &client,
            "the diagram image",
            "const i = document.querySelector('.turn:last-child .diagram img'); return i && i.complete && i.naturalWidth > 0 ? i.src : null",
        )
        .await;
        assert!(shown.as_str().unwrap().starts_with("blob:"), "{shown}");
        let replaced = js(&client, "return document.querySelector('.turn:last-child .answer .diagram') !== null && document.querySelector('.turn:last-child .answer code.language-mermaid') === null").await;
        assert_eq!(
            replaced, true,
            "the drawing takes the Mermaid block's place"
        );
        screenshot(&client, "otis-page-diagram.png").await;
    } else {
        eprintln!("no diagram in the record for a flow question: {record}");
    }

    // Nothing was refused by the CSP, and no script failed.
    assert_console_clean(&client).await;

    // The CSP is in force: HTML from anywhere but the page's one policy is refused.
    let refused = js(
        &client,
        "try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; } catch (e) { return e.name; }",
    )
    .await;
    assert_eq!(refused, "TypeError", "Trusted Types are not enforced");

    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_asks_for_the_api_key_once_and_sends_it() {
    let http = HttpSettings {
        api_key: Some(otis_app::Secret::new("page-key-123")),
        ..HttpSettings::default()
    };
    let server = start_server(http).await;
    let (_driver, client) = open(&server, 1024, 768).await;
    until(
        &client,
        "the key prompt",
        "return document.getElementById('key-dialog').open",
    )
    .await;
    find(&client, "#key-input")
        .await
        .send_keys("page-key-123")
        .await
        .unwrap();
    click(&client, "#key-ok").await;
    connected(&client).await;
    ask(&client, "What does LONPF2 do?").await;
    let session = session_of_page(&client).await;
    assert_eq!(stored_turns(&server, &session).await.len(), 1);
    // Kept for the tab: a reload does not ask again.
    client.refresh().await.unwrap();
    until_answers(&client, "the restored turn", 1).await;
    assert_eq!(
        js(&client, "return document.getElementById('key-dialog').open").await,
        false
    );
    assert_eq!(
        js(&client, "return sessionStorage.getItem('otis.key')").await,
        "page-key-123"
    );
    client.close().await.unwrap();
}

/// Libraries of the generated program's copybooks and how many each holds: 288 in all,
/// three groups over the 12 that fold and one under.
const LIBRARIES: &[(&str, usize)] = &[("LIBAA", 150), ("LIBBB", 110), ("LIBCC", 20), ("LIBDD", 8)];

/// A corpus of one program, `BG/BIGCPY.CBL`, with a COPY statement for each of 288
/// copybooks in four libraries, and the copybooks; indexed into a temporary folder.
fn big_copy_index() -> LocalIndex {
    let root = std::env::temp_dir().join(format!("otis-browser-288-{}", std::process::id()));
    let corpus = root.join("corpus");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(corpus.join("BG")).unwrap();
    let mut program = [
        "       IDENTIFICATION DIVISION.",
        "       PROGRAM-ID.      BIGCPY.",
        "      *****************************************************",
        "      *            COPIES EVERY RECORD LAYOUT",
        "      *****************************************************",
        "       ENVIRONMENT DIVISION.",
        "       DATA DIVISION.",
        "       WORKING-STORAGE SECTION.",
    ]
    .map(String::from)
    .to_vec();
    for (library, count) in LIBRARIES {
        std::fs::create_dir_all(corpus.join(library)).unwrap();
        let prefix = &library[3..];
        for i in 1..=*count {
            let name = format!("{prefix}{i:03}");
            std::fs::write(
                corpus.join(library).join(format!("{name}.CPY")),
                format!("       01  {name}-REC.\n           05  {name}-KEY  PIC X(8).\n"),
            )
            .unwrap();
            program.push(format!("       COPY \"{library}/{name}.CPY\"."));
        }
    }
    program.extend(
        [
            "       PROCEDURE DIVISION.",
            "       MAIN-LINE.",
            "           STOP RUN.",
        ]
        .map(String::from),
    );
    std::fs::write(corpus.join("BG/BIGCPY.CBL"), program.join("\n") + "\n").unwrap();
    LocalIndex::build(&corpus, &root.join("index"), &mut |_| {})
        .unwrap()
        .0
}

/// Writes a list answer the way the answer contract lays one out, one Markdown item per
/// group of the code model's facts, `- **<group>** (<count>): <item>, <item>, ...`, so
/// the page test does not wait on the answer writer's wording.
#[derive(Debug)]
struct GroupedList;

#[async_trait::async_trait]
impl ChatModel for GroupedList {
    fn name(&self) -> String {
        "grouped-list".into()
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ChatError> {
        let facts = request
            .facts
            .as_ref()
            .ok_or_else(|| ChatError::Backend("no facts for the question".into()))?;
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for item in &facts.items {
            let label = item
                .group
                .as_ref()
                .map_or_else(|| "other".to_owned(), |g| g.to_string());
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, names)) => names.push(&item.name),
                None => groups.push((label, vec![&item.name])),
            }
        }
        let mut text = format!(
            "{} copies {} copybooks:\n\n",
            facts.subject.as_deref().unwrap_or("It"),
            facts.items.len()
        );
        for (label, names) in &groups {
            text.push_str(&format!(
                "- **{label}** ({}): {}\n",
                names.len(),
                names.join(", ")
            ));
        }
        Ok(ChatResponse {
            text,
            model: self.name(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_288_item_list_answer_renders_folded_by_group() {
    let server = start_server_with(
        HttpSettings::default(),
        big_copy_index(),
        Arc::new(GroupedList),
    )
    .await;
    let (_driver, client) = open(&server, 1280, 860).await;
    connected(&client).await;
    ask(&client, "What copybooks does BIGCPY use?").await;

    // One <details> per group: label and count in the summary, closed past 12 items.
    let groups = js(
        &client,
        "return Array.from(document.querySelectorAll('.turn .answer li > details'), d => ({summary: d.querySelector('summary').textContent, label: d.querySelector('summary strong').textContent, open: d.open, items: d.querySelector('p').textContent.split(', '), shown: d.querySelector('p').checkVisibility(), summaryShown: d.querySelector('summary').checkVisibility()}))",
    )
    .await;
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), LIBRARIES.len(), "{groups:?}");
    let mut total = 0;
    for ((library, count), group) in LIBRARIES.iter().zip(groups) {
        let label = group["label"].as_str().unwrap();
        assert!(label.starts_with(library), "{group}");
        assert_eq!(group["summary"], format!("{label} ({count})"), "{group}");
        assert_eq!(group["summaryShown"], true, "{group}");
        let items: Vec<String> = serde_json::from_value(group["items"].clone()).unwrap();
        assert_eq!(items.len(), *count, "{group}");
        assert!(
            items.contains(&format!("{}{count:03}", &library[3..])),
            "{group}"
        );
        let folded = *count > 12;
        assert_eq!(group["open"], !folded, "{group}");
        assert_eq!(group["shown"], !folded, "{group}");
        total += count;
    }
    assert_eq!(total, 288);
    screenshot(&client, "otis-page-list-folded.png").await;

    // Opening a folded group shows its items.
    click(&client, ".turn .answer li > details:not([open]) > summary").await;
    let opened = until(
        &client,
        "the opened group",
        "const d = document.querySelector('.turn .answer li > details'); const p = d.querySelector('p'); return d.open && p.checkVisibility() && p.getBoundingClientRect().height > 0 ? p.innerText : null",
    )
    .await;
    let opened: Vec<&str> = opened.as_str().unwrap().split(", ").collect();
    assert_eq!(opened.len(), LIBRARIES[0].1);
    assert_eq!(opened[0], "AA001");
    screenshot(&client, "otis-page-list-opened.png").await;

    // The same after a reload, from history.
    client.refresh().await.unwrap();
    until(
        &client,
        "the restored folded list",
        "return document.querySelectorAll('.turn .answer li > details:not([open])').length === 3 && document.querySelectorAll('.turn .answer li > details[open]').length === 1",
    )
    .await;

    assert_console_clean(&client).await;
    client.close().await.unwrap();
}

/// The examples of the empty conversation, as the page lists them.
const EXAMPLES: [&str; 7] = [
    "What does LONPF2 do?",
    "What copybooks does it use?",
    "Who calls DATEUTIL?",
    "How many copybooks are there?",
    "Which programs use EXEC SQL?",
    "What would be affected if I changed TIM360?",
    "What options does LPMENU offer?",
];

/// The groups of the newest list answer: the summary's text and whether it is open.
async fn answer_groups(client: &Client) -> Vec<(String, bool)> {
    let groups = js(
        client,
        "const a = document.querySelectorAll('.turn .answer.rendered'); return Array.from(a[a.length - 1].querySelectorAll('li > details'), d => [d.querySelector('summary').textContent, d.open])",
    )
    .await;
    serde_json::from_value(groups).unwrap()
}

/// The empty conversation offers questions about one program and about the codebase as
/// a whole; an example asks itself, and a corpus list answer shows its count and each
/// group folded with its own count (issue 17 item 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_examples_ask_corpus_questions() {
    let server = start_server(HttpSettings::default()).await;
    let (_driver, client) = open(&server, 1280, 860).await;
    connected(&client).await;
    let listed = js(
        &client,
        "return Array.from(document.querySelectorAll('#empty button.example'), b => b.textContent)",
    )
    .await;
    assert_eq!(listed, json!(EXAMPLES));
    let titles = js(
        &client,
        "return Array.from(document.querySelectorAll('#empty .examples'), l => [l.getAttribute('aria-labelledby') && document.getElementById(l.getAttribute('aria-labelledby')).textContent, l.querySelectorAll('button').length])",
    )
    .await;
    assert_eq!(
        titles,
        json!([
            ["About one program", 3],
            ["About the codebase as a whole", 4]
        ])
    );
    screenshot(&client, "otis-page-examples.png").await;

    // A count: the number, then every copybook by library, each group with its count.
    click(
        &client,
        "#empty .examples:last-of-type li:first-child button",
    )
    .await;
    until_answers(&client, "the count answer", 1).await;
    let asked = js(
        &client,
        "return document.querySelector('.turn .question').textContent",
    )
    .await;
    assert_eq!(asked, "How many copybooks are there?");
    assert_eq!(
        js(&client, "return document.getElementById('question').value").await,
        ""
    );
    let answer = js(
        &client,
        "return document.querySelector('.turn .answer').innerText",
    )
    .await;
    assert!(
        answer
            .as_str()
            .unwrap()
            .starts_with("There are 7 copybooks"),
        "{answer}"
    );
    assert_eq!(
        answer_groups(&client).await,
        [
            ("LIBGB (4)".to_owned(), true),
            ("LIBLP (3)".to_owned(), true)
        ]
    );
    assert!(
        js(&client, "return document.getElementById('empty').hidden").await == json!(true),
        "the examples give way to the conversation"
    );

    // Impact analysis from a new conversation's examples: the files by level.
    click(&client, "#new-chat").await;
    until(
        &client,
        "the examples again",
        "return !document.getElementById('empty').hidden",
    )
    .await;
    let impact = "#empty .examples:last-of-type li:nth-child(3) button";
    assert_eq!(
        js(
            &client,
            &format!("return document.querySelector('{impact}').textContent")
        )
        .await,
        "What would be affected if I changed TIM360?"
    );
    click(&client, impact).await;
    until_answers(&client, "the impact answer", 1).await;
    assert_eq!(
        answer_groups(&client).await,
        [
            ("Level 1 (2)".to_owned(), true),
            ("Level 2 (1)".to_owned(), true)
        ]
    );
    screenshot(&client, "otis-page-example-impact.png").await;

    assert_console_clean(&client).await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_flow_answer_shows_its_diagram() {
    let server = start_server(HttpSettings::default()).await;
    let (_driver, client) = open(&server, 1280, 860).await;
    connected(&client).await;
    ask(&client, "Show me a flow of LONPF2").await;
    let image = "const i = document.querySelector('.turn .diagram img'); return i && i.complete && i.naturalWidth > 0 ? [i.src, i.naturalWidth, i.naturalHeight, i.alt] : null";
    let live = until(&client, "the diagram", image).await;
    let session = session_of_page(&client).await;
    assert!(
        stored_turns(&server, &session).await[0].metadata["graph"].is_object(),
        "the stored turn keeps the graph"
    );

    client.refresh().await.unwrap();
    until_answers(&client, "the restored turn", 1).await;
    let restored = until(&client, "the diagram after the reload", image).await;
    assert!(
        restored[0].as_str().unwrap().starts_with("blob:"),
        "{restored}"
    );
    // The same drawing: same size, same subject.
    assert_eq!(restored[1], live[1]);
    assert_eq!(restored[2], live[2]);
    assert_eq!(restored[3], live[3]);
    assert!(
        restored[3].as_str().unwrap().contains("LONPF2"),
        "{restored}"
    );
    let replaced = js(
        &client,
        "return document.querySelector('.turn .answer .diagram') !== null && document.querySelector('.turn .answer code.language-mermaid') === null && document.querySelector('.turn .diagram details pre').textContent.startsWith('flowchart')",
    )
    .await;
    assert_eq!(
        replaced, true,
        "the drawing takes the Mermaid block's place"
    );
    screenshot(&client, "otis-page-diagram-reloaded.png").await;
    client.close().await.unwrap();
}
