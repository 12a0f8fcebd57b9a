//! A scripted HTTP/1.1 server on 127.0.0.1 for client tests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One reply of the script.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A whole response: status line text (`200 OK`), extra header lines, body.
    Answer {
        /// `200 OK`, `429 Too Many Requests`, ...
        status: String,
        /// Extra headers, e.g. `("Retry-After", "1")`.
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// A chunked response whose pieces are written with a pause between them
    /// (server-sent events, for instance).
    Chunked {
        /// Status line text.
        status: String,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The pieces.
        chunks: Vec<String>,
        /// Pause before each piece.
        pause: Duration,
    },
    /// Read the request and never answer.
    Silence,
    /// Answer with `status` and a body that echoes the request (its line, every header
    /// with its value, and its body), as a careless upstream's error page might: for
    /// tests that no secret or upstream text reaches a caller.
    Echo {
        /// `401 Unauthorized`, ...
        status: String,
        /// The body's form.
        form: EchoForm,
    },
    /// Read the request, then close the connection without answering.
    Hangup,
}

/// How [`Reply::Echo`] shapes its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoForm {
    /// `{"error": {"code": "Echo", "message": "<echo>"}}` (OpenAI, Azure Search).
    Json,
    /// An Azure Storage error document with the echo as its message.
    StorageXml,
}

/// Marks every echoed body, so tests can look for it in what callers got.
pub const ECHO_MARKER: &str = "UPSTREAM-ECHO-7f3a";

impl Reply {
    /// A response with `status` and `body`, typed as JSON.
    pub fn json(status: &str, body: impl Into<String>) -> Self {
        Self::Answer {
            status: status.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    /// A response with `status`, extra headers and `body`.
    pub fn with_headers(status: &str, headers: &[(&str, &str)], body: impl Into<String>) -> Self {
        Self::Answer {
            status: status.into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        }
    }

    /// An echo of the request (see [`Reply::Echo`]).
    pub fn echo(status: &str, form: EchoForm) -> Self {
        Self::Echo {
            status: status.into(),
            form,
        }
    }

    /// A server-sent-events response streaming `events` (each a `data:` payload).
    pub fn sse(events: &[&str], pause: Duration) -> Self {
        Self::Chunked {
            status: "200 OK".into(),
            headers: vec![("Content-Type".into(), "text/event-stream".into())],
            chunks: events.iter().map(|e| format!("data: {e}\n\n")).collect(),
            pause,
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `POST /path?query HTTP/1.1`.
    pub request_line: String,
    /// Header lines, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Received {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The running server. It stops when the test's runtime ends.
#[derive(Debug, Clone)]
pub struct Scripted {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Scripted {
    /// Starts a server answering with `script`, one reply per request; after the script
    /// it stays silent.
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, script.clone(), log.clone()));
            }
        });
        Self { url, received }
    }

    /// What the server has received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
    buffer.drain(..head_end + length);
    Some(Received {
        request_line,
        headers,
        body,
    })
}

fn head(status: &str, headers: &[(String, String)]) -> String {
    let mut text = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text
}

async fn serve(
    mut socket: TcpStream,
    script: Arc<Mutex<VecDeque<Reply>>>,
    log: Arc<Mutex<Vec<Received>>>,
) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buffer).await {
        log.lock().unwrap().push(request);
        let reply = script.lock().unwrap().pop_front();
        match reply {
            Some(Reply::Answer {
                status,
                headers,
                body,
            }) => {
                let mut text = head(&status, &headers);
                text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
                if socket.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
            Some(Reply::Chunked {
                status,
                headers,
                chunks,
                pause,
            }) => {
                let mut text = head(&status, &headers);
                text.push_str("Transfer-Encoding: chunked\r\n\r\n");
                if socket.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in chunks {
                    tokio::time::sleep(pause).await;
                    let piece = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                    if socket.write_all(piece.as_bytes()).await.is_err() {
                        return;
                    }
                }
                if socket.write_all(b"0\r\n\r\n").await.is_err() {
                    return;
                }
            }
            Some(Reply::Echo { status, form }) => {
                let request = log.lock().unwrap().last().cloned();
                let (content_type, body) = echo_body(form, request.as_ref());
                let mut text = head(&status, &[("Content-Type".into(), content_type.into())]);
                text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
                if socket.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
            Some(Reply::Hangup) => return,
            Some(Reply::Silence) | None => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
        }
    }
}

fn echo_body(form: EchoForm, request: Option<&Received>) -> (&'static str, String) {
    let mut echo = format!("{ECHO_MARKER} ");
    if let Some(r) = request {
        echo.push_str(&r.request_line);
        for (name, value) in &r.headers {
            echo.push_str(&format!("\n{name}: {value}"));
        }
        echo.push_str("\n\n");
        echo.push_str(&r.body);
    }
    match form {
        EchoForm::Json => (
            "application/json",
            format!(
                "{{\"error\":{{\"code\":\"Echo\",\"message\":\"{}\"}}}}",
                json_escape(&echo)
            ),
        ),
        EchoForm::StorageXml => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>{}</Message></Error>",
                echo.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
        ),
    }
}

fn json_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
