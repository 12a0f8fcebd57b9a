//! A loopback TCP proxy that drops connections on purpose: before a request reaches the
//! service (it never happened), or after the service has answered (it happened, but the
//! client never hears so). For testing what clients report after such faults.
//!
//! The proxy watches request starts on each connection (HTTP/1.1 without pipelining,
//! as `reqwest` sends): the first bytes after a response began are the next request's
//! method. A [`Rule`] picks which requests to fault, and every how many.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to do to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it untouched.
    Pass,
    /// Close the client's connection before forwarding anything of the request.
    DropBefore,
    /// Forward the request, and close the client's connection as soon as the service's
    /// answer starts, forwarding none of it.
    DropAfter,
}

/// Which requests to fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Requests whose method is this (`"POST"`); `None` for all.
    pub method: Option<&'static str>,
    /// What to do.
    pub fault: Fault,
    /// Fault every n-th matching request (1: every one; 0: none).
    pub every: u64,
}

impl Rule {
    /// Faults nothing.
    pub const PASS: Rule = Rule {
        method: None,
        fault: Fault::Pass,
        every: 0,
    };
}

/// What the proxy did so far.
#[derive(Debug, Default)]
pub struct Counts {
    /// Requests forwarded and answered.
    pub passed: AtomicU64,
    /// Requests dropped before the service saw them.
    pub dropped_before: AtomicU64,
    /// Requests the service answered but whose answer was dropped.
    pub dropped_after: AtomicU64,
}

/// A running proxy. It stops when the test's runtime ends.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    rule: Arc<Mutex<Rule>>,
    matched: Arc<AtomicU64>,
    /// What it did.
    pub counts: Arc<Counts>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on a free loopback port, faulting nothing yet.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = FaultProxy {
            addr: listener.local_addr().unwrap(),
            rule: Arc::new(Mutex::new(Rule::PASS)),
            matched: Arc::new(AtomicU64::new(0)),
            counts: Arc::new(Counts::default()),
        };
        let shared = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        shared.relay(client, server).await;
                    }
                });
            }
        });
        proxy
    }

    /// The endpoint URL of `path` through the proxy: `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Faults requests from now on as `rule` says.
    pub fn set(&self, rule: Rule) {
        *self.rule.lock().unwrap() = rule;
        self.matched.store(0, Ordering::SeqCst);
    }

    fn decide(&self, head: &[u8]) -> Fault {
        let rule = *self.rule.lock().unwrap();
        let method_matches = rule
            .method
            .is_none_or(|m| head.starts_with(m.as_bytes()) && head.get(m.len()) == Some(&b' '));
        if !method_matches || rule.every == 0 || rule.fault == Fault::Pass {
            return Fault::Pass;
        }
        let n = self.matched.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(rule.every) {
            rule.fault
        } else {
            Fault::Pass
        }
    }

    async fn relay(&self, mut client: TcpStream, mut server: TcpStream) {
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let mut from_client = vec![0u8; 64 * 1024];
        let mut from_server = vec![0u8; 64 * 1024];
        let mut at_request_start = true;
        let mut current = Fault::Pass;
        let mut answered = false;
        loop {
            tokio::select! {
                read = client.read(&mut from_client) => {
                    let n = match read {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if at_request_start {
                        at_request_start = false;
                        answered = false;
                        current = self.decide(&from_client[..n]);
                        if current == Fault::DropBefore {
                            self.counts.dropped_before.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                    }
                    if server.write_all(&from_client[..n]).await.is_err() {
                        return;
                    }
                }
                read = server.read(&mut from_server) => {
                    let n = match read {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if current == Fault::DropAfter {
                        self.counts.dropped_after.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    if !answered {
                        answered = true;
                        self.counts.passed.fetch_add(1, Ordering::Relaxed);
                    }
                    at_request_start = true;
                    if client.write_all(&from_server[..n]).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
