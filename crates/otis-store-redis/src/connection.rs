//! Where Redis is and how to sign in: `redis://` and `rediss://` URLs, and the Azure Cache
//! for Redis connection string from the portal
//! (`NAME.redis.cache.windows.net:6380,password=...,ssl=True,abortConnect=False`).
//! Parsed and validated once; the password never appears in `Debug`, `Display` or errors.

use std::fmt;

/// A parsed Redis connection: one node (a Cluster's seed node, or the only one).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisConnection {
    /// Host name or IP address (without brackets for IPv6).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS (`rediss://`, `ssl=True`).
    pub tls: bool,
    /// ACL user name, when one is given.
    pub username: Option<String>,
    /// Database number (single node only; a Cluster has only database 0).
    pub db: i64,
    password: Option<String>,
}

impl fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConnection")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .finish()
    }
}

/// Without credentials: `rediss://host:6380/0`.
impl fmt::Display for RedisConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "rediss" } else { "redis" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}/{}", self.host, self.port, self.db)
        } else {
            write!(f, "{scheme}://{}:{}/{}", self.host, self.port, self.db)
        }
    }
}

/// Why a Redis connection setting cannot be used. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisUrlError {
    /// Nothing but white space.
    #[error("the Redis connection setting is empty")]
    Empty,
    /// A URL with another scheme.
    #[error("the Redis URL must start with redis:// or rediss://")]
    Scheme,
    /// No host.
    #[error("the Redis connection setting names no host")]
    Host,
    /// The port is not a number from 1 to 65535.
    #[error("the Redis connection setting has an invalid port")]
    Port,
    /// The database is not a whole number >= 0.
    #[error("the Redis connection setting has an invalid database number")]
    Database,
    /// Something else is wrong; says what, never the value.
    #[error("the Redis connection setting is malformed: {0}")]
    Malformed(&'static str),
}

impl RedisConnection {
    /// A plain connection to `host:port`, database 0, no credentials (tests, tools).
    pub fn plain(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            tls: false,
            username: None,
            db: 0,
            password: None,
        }
    }

    /// Parses a `redis://[[user]:password@]host[:port][/db]` or `rediss://...` URL, or the
    /// Azure Cache for Redis form `host[:port],password=...,ssl=True,abortConnect=False`.
    pub fn parse(text: &str) -> Result<Self, RedisUrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RedisUrlError::Empty);
        }
        if let Some(rest) = text.strip_prefix("rediss://") {
            parse_url(rest, true)
        } else if let Some(rest) = text.strip_prefix("redis://") {
            parse_url(rest, false)
        } else if text.contains("://") {
            Err(RedisUrlError::Scheme)
        } else {
            parse_azure(text)
        }
    }

    /// The password, for the one place that sends it.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Whether a password is set (for descriptions that must not show it).
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }
}

fn parse_url(rest: &str, tls: bool) -> Result<RedisConnection, RedisUrlError> {
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        None => (None, None),
        Some(info) => {
            let (user, password) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                // `redis://secret@host`: a lone user-info part is the password, as the
                // redis-cli and most clients read it.
                None => ("", Some(info)),
            };
            let user = percent_decode(user)?;
            let password = password.map(percent_decode).transpose()?;
            (
                Some(user).filter(|u| !u.is_empty()),
                password.filter(|p| !p.is_empty()),
            )
        }
    };
    let (host, port) = host_and_port(hostport, 6379)?;
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    let db = match path.trim_start_matches('/') {
        "" => 0,
        n => n
            .parse::<i64>()
            .ok()
            .filter(|d| *d >= 0)
            .ok_or(RedisUrlError::Database)?,
    };
    if !query.is_empty() {
        return Err(RedisUrlError::Malformed(
            "URL query options are not supported (use rediss:// for TLS)",
        ));
    }
    Ok(RedisConnection {
        host,
        port,
        tls,
        username,
        db,
        password,
    })
}

/// StackExchange.Redis's configuration string, as the Azure portal shows it.
fn parse_azure(text: &str) -> Result<RedisConnection, RedisUrlError> {
    let mut endpoint = None;
    let mut password = None;
    let mut username = None;
    let mut tls = false;
    let mut db = 0;
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            if endpoint.is_some() {
                return Err(RedisUrlError::Malformed(
                    "more than one endpoint (give one node; a Cluster is discovered from it)",
                ));
            }
            endpoint = Some(part);
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "password" => password = Some(value.to_owned()).filter(|p| !p.is_empty()),
            "user" => username = Some(value.to_owned()).filter(|u| !u.is_empty()),
            "ssl" => {
                tls = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(RedisUrlError::Malformed("ssl must be True or False")),
                }
            }
            "defaultdatabase" => {
                db = value
                    .parse::<i64>()
                    .ok()
                    .filter(|d| *d >= 0)
                    .ok_or(RedisUrlError::Database)?;
            }
            // Client behaviour of StackExchange.Redis (abortConnect, connectTimeout,
            // syncTimeout, allowAdmin, sslProtocols, ...): not ours to honour.
            _ => {}
        }
    }
    let endpoint = endpoint.ok_or(RedisUrlError::Host)?;
    // Azure Cache listens with TLS on 6380 and without on 6379.
    let (host, port) = host_and_port(endpoint, if tls { 6380 } else { 6379 })?;
    Ok(RedisConnection {
        host,
        port,
        tls,
        username,
        db,
        password,
    })
}

fn host_and_port(text: &str, default_port: u16) -> Result<(String, u16), RedisUrlError> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or(RedisUrlError::Malformed("unclosed [ in the host"))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(RedisUrlError::Port)?),
        };
        (host, port)
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(RedisUrlError::Host);
    }
    let port = match port {
        None => default_port,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(RedisUrlError::Port)?,
    };
    Ok((host.to_owned(), port))
}

fn percent_decode(text: &str) -> Result<String, RedisUrlError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(RedisUrlError::Malformed(
                    "bad %-escape in the user or password",
                ))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| RedisUrlError::Malformed("user or password is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, host, port, tls, user, password, db)
    type Case<'a> = (
        &'a str,
        &'a str,
        u16,
        bool,
        Option<&'a str>,
        Option<&'a str>,
        i64,
    );

    #[test]
    fn forms_parse() {
        let cases: &[Case<'_>] = &[
            (
                "redis://127.0.0.1:6390",
                "127.0.0.1",
                6390,
                false,
                None,
                None,
                0,
            ),
            ("redis://localhost", "localhost", 6379, false, None, None, 0),
            (
                "redis://localhost/3",
                "localhost",
                6379,
                false,
                None,
                None,
                3,
            ),
            (
                "rediss://cache.example:6380/0",
                "cache.example",
                6380,
                true,
                None,
                None,
                0,
            ),
            (
                "redis://:s3cr%40t@h:1",
                "h",
                1,
                false,
                None,
                Some("s3cr@t"),
                0,
            ),
            (
                "redis://alice:pw@h:2/1",
                "h",
                2,
                false,
                Some("alice"),
                Some("pw"),
                1,
            ),
            ("redis://pw@h", "h", 6379, false, None, Some("pw"), 0),
            ("redis://[::1]:7000", "::1", 7000, false, None, None, 0),
            (
                "otis.redis.cache.windows.net:6380,password=abc+/def==,ssl=True,abortConnect=False",
                "otis.redis.cache.windows.net",
                6380,
                true,
                None,
                Some("abc+/def=="),
                0,
            ),
            (
                "otis.redis.cache.windows.net,password=k,ssl=true",
                "otis.redis.cache.windows.net",
                6380,
                true,
                None,
                Some("k"),
                0,
            ),
            (
                "10.0.0.4:6379,password=k,ssl=False,defaultDatabase=2",
                "10.0.0.4",
                6379,
                false,
                None,
                Some("k"),
                2,
            ),
            (
                "h:6379,user=app,password=k,connectTimeout=5000",
                "h",
                6379,
                false,
                Some("app"),
                Some("k"),
                0,
            ),
        ];
        for (input, host, port, tls, user, password, db) in cases {
            let c = RedisConnection::parse(input).unwrap();
            assert_eq!(
                (
                    c.host.as_str(),
                    c.port,
                    c.tls,
                    c.username.as_deref(),
                    c.password(),
                    c.db
                ),
                (*host, *port, *tls, *user, *password, *db),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_forms_are_refused() {
        let cases: &[(&str, RedisUrlError)] = &[
            ("", RedisUrlError::Empty),
            ("  ", RedisUrlError::Empty),
            ("http://h:1", RedisUrlError::Scheme),
            ("redis://:6379", RedisUrlError::Host),
            ("redis://h:0", RedisUrlError::Port),
            ("redis://h:99999", RedisUrlError::Port),
            ("redis://h/x", RedisUrlError::Database),
            (
                "h:1,password=k,ssl=maybe",
                RedisUrlError::Malformed("ssl must be True or False"),
            ),
            ("password=k,ssl=True", RedisUrlError::Host),
        ];
        for (input, want) in cases {
            assert_eq!(
                RedisConnection::parse(input).unwrap_err(),
                *want,
                "{input:?}"
            );
        }
        assert!(matches!(
            RedisConnection::parse("redis://h?tls=1"),
            Err(RedisUrlError::Malformed(_))
        ));
    }

    #[test]
    fn the_password_never_shows() {
        for input in [
            "redis://:hunter2secret@h:1",
            "rediss://bob:hunter2secret@h:1/2",
            "h.redis.cache.windows.net:6380,password=hunter2secret,ssl=True,abortConnect=False",
        ] {
            let c = RedisConnection::parse(input).unwrap();
            let shown = format!("{c:?} {c} {c:#?}");
            assert!(!shown.contains("hunter2secret"), "{shown}");
            assert!(shown.contains("<redacted>"));
        }
        let e = RedisConnection::parse("h:1,password=hunter2secret,ssl=nope").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter2secret"));
    }
}
