//! A fake Redis on 127.0.0.1 that accepts the connection set-up (`AUTH`, `CLIENT`,
//! `SELECT`, `PING` answer `+OK`) and refuses every other command with an error quoting
//! everything the connection sent, arguments included (the `AUTH` password too), as a
//! careless proxy in front of a cache might: for tests that no secret a server echoes
//! reaches a caller. It speaks just enough RESP to read commands (arrays of bulk
//! strings, or inline lines).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::scripted::ECHO_MARKER;

/// The running server. It stops when the test's runtime ends.
#[derive(Debug, Clone)]
pub struct RespEcho {
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl RespEcho {
    /// Starts the server on a free port.
    pub async fn start() -> RespEcho {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket));
            }
        });
        RespEcho { port }
    }

    /// `redis://:PASSWORD@127.0.0.1:PORT`.
    pub fn url_with_password(&self, password: &str) -> String {
        format!("redis://:{password}@127.0.0.1:{}", self.port)
    }
}

async fn serve(mut socket: TcpStream) {
    let mut buffer: Vec<u8> = Vec::new();
    let mut transcript: Vec<String> = Vec::new();
    loop {
        while let Some((command, used)) = parse(&buffer) {
            buffer.drain(..used);
            transcript.push(command.join(" ").replace(['\r', '\n'], " "));
            let verb = command.first().map(|v| v.to_ascii_uppercase());
            let reply = match verb.as_deref() {
                Some("AUTH" | "CLIENT" | "SELECT" | "PING") => "+OK\r\n".to_owned(),
                _ => format!(
                    "-ERR {ECHO_MARKER} refused; this connection sent: {}\r\n",
                    transcript.join(" | ")
                ),
            };
            if socket.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
        let mut chunk = [0u8; 4096];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One whole command at the start of `buffer` and the bytes it takes, if there is one.
fn parse(buffer: &[u8]) -> Option<(Vec<String>, usize)> {
    let line_end = |from: usize| {
        buffer[from..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|i| from + i)
    };
    let end = line_end(0)?;
    let first = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let Some(count) = first.strip_prefix('*') else {
        let words = first.split_whitespace().map(str::to_owned).collect();
        return Some((words, end + 2));
    };
    let count: usize = count.parse().ok()?;
    let mut at = end + 2;
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let end = line_end(at)?;
        let len: usize = String::from_utf8_lossy(&buffer[at..end])
            .strip_prefix('$')?
            .parse()
            .ok()?;
        let start = end + 2;
        if buffer.len() < start + len + 2 {
            return None;
        }
        args.push(String::from_utf8_lossy(&buffer[start..start + len]).into_owned());
        at = start + len + 2;
    }
    Some((args, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_commands_only() {
        let auth = b"*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n";
        assert_eq!(
            parse(auth),
            Some((vec!["AUTH".to_owned(), "secret".to_owned()], auth.len()))
        );
        assert_eq!(parse(&auth[..auth.len() - 3]), None);
        assert_eq!(parse(b"PING\r\n"), Some((vec!["PING".to_owned()], 6)));
    }
}
