//! The server log: one line on stderr per failure, with what the backend said, and
//! every secret redacted: the configured ones by value, and anything that looks like a
//! key, signature, password or `Authorization` value by its name.

use otis_app::{ModelChoice, RetrieverChoice, Settings};

/// What replaces a secret.
const REDACTED: &str = "<redacted>";

/// Names whose values are secrets, wherever they appear (`name: v`, `name=v`,
/// `"name":"v"`), compared in lower case.
const SECRET_NAMES: &[&str] = &[
    "authorization",
    "api-key",
    "x-api-key",
    "apikey",
    "accountkey",
    "sharedaccesssignature",
    "sig",
    "password",
    "client_secret",
    "access_token",
];

/// Removes secrets from text bound for the log.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for every secret `settings` hold.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        let mut secrets = Vec::new();
        if let Some(connection) = &settings.storage_connection {
            let text = connection.expose();
            secrets.push(text.to_owned());
            // Each part's value too: the account key and SAS show up alone.
            for part in text.split(';') {
                if let Some((_, value)) = part.split_once('=') {
                    secrets.push(value.to_owned());
                }
            }
        }
        if let Some(password) = settings
            .redis_connection
            .as_ref()
            .and_then(|c| c.password())
        {
            secrets.push(password.to_owned());
        }
        if let Some(key) = &settings.http.api_key {
            secrets.push(key.expose().to_owned());
        }
        match &settings.model {
            ModelChoice::AzureOpenAi { key, .. } | ModelChoice::OpenAi { key, .. } => {
                secrets.push(key.expose().to_owned());
            }
            _ => {}
        }
        if let RetrieverChoice::AzureSearch { key, .. } = &settings.retriever {
            secrets.push(key.expose().to_owned());
        }
        Self::new(secrets)
    }

    /// A redactor for `secrets` (values shorter than 8 characters are left to the
    /// name-based rules: redacting every `true` or `http` would garble the log).
    pub(crate) fn new(secrets: Vec<String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 8).collect();
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// `text` without secrets.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        redact_named(&text)
    }
}

/// Replaces the value after every secret name (case-insensitive) with [`REDACTED`].
fn redact_named(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some((name, value_start)) = SECRET_NAMES.iter().find_map(|name| {
            let at_name = lower[i..].starts_with(name)
                && (i == 0 || !is_name_byte(bytes[i - 1]))
                && !bytes.get(i + name.len()).copied().is_some_and(is_name_byte);
            if !at_name {
                return None;
            }
            // Separator: optional quote, then `:` or `=`, then spaces and an optional quote.
            let mut j = i + name.len();
            if bytes.get(j) == Some(&b'"') {
                j += 1;
            }
            if !matches!(bytes.get(j), Some(b':' | b'=')) {
                return None;
            }
            j += 1;
            while matches!(bytes.get(j), Some(b' ' | b'\t' | b'"')) {
                j += 1;
            }
            Some((*name, j))
        }) else {
            i += 1;
            continue;
        };
        // An Authorization value has a scheme and a space ("SharedKeyLite acct:sig").
        let spaces_end = name == "authorization";
        let mut end = value_start;
        while end < bytes.len() {
            let b = bytes[end];
            let stop = matches!(b, b'\r' | b'\n' | b'"' | b'<' | b',' | b';' | b'&' | b'}')
                || (!spaces_end && (b == b' ' || b == b'\t'));
            if stop {
                break;
            }
            end += 1;
        }
        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = end;
        i = end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Logs a failed request: its route, the code the caller got, and the detail.
pub(crate) fn failure(redactor: &Redactor, what: &str, code: &str, detail: &str) {
    let detail = redactor.redact(detail).replace(['\r', '\n'], " ");
    eprintln!("otis-func: {what}: {code}: {detail}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_secrets_and_named_values_are_redacted() {
        let redactor = Redactor::new(vec!["sk-canary-0123456789".into(), "short".into()]);
        let cases = [
            (
                "upstream said: sk-canary-0123456789 is bad",
                "upstream said: <redacted> is bad",
            ),
            (
                "api-key: abc123\r\nhost: x",
                "api-key: <redacted>\r\nhost: x",
            ),
            (
                "Authorization: Bearer tok.en-1\nnext",
                "Authorization: <redacted>\nnext",
            ),
            (
                r#"{"headers":{"api-key":"k1","x-api-key": "k2"}}"#,
                r#"{"headers":{"api-key":"<redacted>","x-api-key": "<redacted>"}}"#,
            ),
            (
                "AccountName=dev;AccountKey=Zm9v+YmFy==;TableEndpoint=http://h",
                "AccountName=dev;AccountKey=<redacted>;TableEndpoint=http://h",
            ),
            (
                "GET /t?sv=2020&sig=AbC%2Fd&se=1",
                "GET /t?sv=2020&sig=<redacted>&se=1",
            ),
            (
                "<AuthorizationHeader>x</AuthorizationHeader>",
                "<AuthorizationHeader>x</AuthorizationHeader>",
            ),
            (
                "design: fine, signal=3, short stays",
                "design: fine, signal=3, short stays",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(redactor.redact(text), want, "{text}");
        }
    }
}
