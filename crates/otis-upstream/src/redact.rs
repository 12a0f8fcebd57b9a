//! Removing secrets from text bound for an error, a log line or a terminal: the
//! configured secrets by value (also as they look percent-encoded, percent-decoded or
//! JSON-escaped), and anything that looks like a key, signature, password or
//! `Authorization` value by its name, whatever header or JSON field carries it.

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

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

/// Secrets shorter than this are left to the name-based rules: redacting every `true`
/// or `http` would garble the text.
const MIN_SECRET_LEN: usize = 8;

/// Removes secrets from text. Cheap to clone; `Debug` shows only how many it knows.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} forms of secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for `secrets` (values shorter than 8 characters are left to the
    /// name-based rules).
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut forms = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.len() < MIN_SECRET_LEN {
                continue;
            }
            forms.push(secret.to_owned());
            forms.push(percent_encode(secret));
            if let Some(decoded) = percent_decode(secret) {
                forms.push(decoded);
            }
            forms.push(secret.replace('/', "\\/"));
        }
        forms.retain(|s| s.len() >= MIN_SECRET_LEN);
        // Longest first, so a secret containing another is removed whole.
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        Self { secrets: forms }
    }

    /// This redactor and `other`'s secrets too.
    pub fn merged(&self, other: &Redactor) -> Redactor {
        let mut secrets = self.secrets.clone();
        secrets.extend(other.secrets.iter().cloned());
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` without secrets.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        redact_named(&text)
    }
}

/// `text` percent-encoded as a URL query value would be (RFC 3986 unreserved kept).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` with `%XX` escapes decoded, when it has any and decodes to UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
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
            if matches!(bytes.get(j), Some(b'"' | b'\'')) {
                j += 1;
            }
            if !matches!(bytes.get(j), Some(b':' | b'=')) {
                return None;
            }
            j += 1;
            while matches!(bytes.get(j), Some(b' ' | b'\t' | b'"' | b'\'')) {
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
            let stop = matches!(
                b,
                b'\r' | b'\n' | b'"' | b'\'' | b'\\' | b'<' | b',' | b';' | b'&' | b'}'
            ) || (!spaces_end && (b == b' ' || b == b'\t'));
            if stop {
                break;
            }
            end += 1;
        }
        if end > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = end;
        }
        i = end.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_secrets_and_named_values_are_redacted() {
        let redactor = Redactor::new(["sk-canary-0123456789", "short"]);
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
                "{'authorization': 'Bearer x1', 'host': 'h'}",
                "{'authorization': '<redacted>', 'host': 'h'}",
            ),
            (
                "<AuthorizationHeader>x</AuthorizationHeader>",
                "<AuthorizationHeader>x</AuthorizationHeader>",
            ),
            (
                "design: fine, signal=3, short stays",
                "design: fine, signal=3, short stays",
            ),
            (
                "api-key: sk-canary-0123456789\nnext",
                "api-key: <redacted>\nnext",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(redactor.redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_secret_is_found_in_its_encoded_forms() {
        let key = "Zm9v/YmFy+cXV4==";
        let redactor = Redactor::new([key]);
        for text in [
            format!("key {key} end"),
            "key Zm9v%2FYmFy%2BcXV4%3D%3D end".to_owned(),
            "key Zm9v\\/YmFy+cXV4== end".to_owned(),
        ] {
            assert_eq!(redactor.redact(&text), "key <redacted> end", "{text}");
        }
        // A configured SAS token (already encoded) also shows up decoded.
        let sas = "sv=2020&sig=AbC%2Fdef%3D&se=1";
        let redactor = Redactor::new([sas]);
        assert_eq!(
            redactor.redact("token sv=2020&sig=AbC/def=&se=1 !"),
            "token <redacted> !"
        );
    }

    #[test]
    fn merged_redactors_know_both_sets() {
        let a = Redactor::new(["first-secret-1"]);
        let b = Redactor::new(["second-secret-2"]);
        let both = a.merged(&b);
        assert_eq!(
            both.redact("first-secret-1 second-secret-2"),
            "<redacted> <redacted>"
        );
        assert!(format!("{both:?}").starts_with("Redactor("));
        assert!(!format!("{both:?}").contains("first-secret"));
    }
}
