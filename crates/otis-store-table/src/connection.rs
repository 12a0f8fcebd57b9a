//! Storage connection strings: parsed, validated, and never printed with their secrets.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Azurite's well-known development account.
pub(crate) const DEV_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known development key (public, documented by Microsoft).
const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// Azurite's default table endpoint.
const DEV_ENDPOINT: &str = "http://127.0.0.1:10002/devstoreaccount1";

/// How requests prove who they are.
#[derive(Clone)]
pub enum Credential {
    /// Shared Key Lite, signed with the account key.
    SharedKey {
        /// The storage account name.
        account: String,
        /// The decoded account key.
        key: Vec<u8>,
    },
    /// A shared access signature, appended to every request's query string.
    Sas(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SharedKey { account, .. } => f
                .debug_struct("SharedKey")
                .field("account", account)
                .field("key", &"<redacted>")
                .finish(),
            Self::Sas(_) => f.write_str("Sas(<redacted>)"),
        }
    }
}

/// Where the table service is and how to sign in to it.
#[derive(Clone, Debug)]
pub struct Connection {
    /// The table service endpoint, without a trailing slash
    /// (`https://acct.table.core.windows.net`, `http://127.0.0.1:10002/devstoreaccount1`).
    pub endpoint: String,
    /// The account name, when known (needed for Shared Key).
    pub account: Option<String>,
    /// The credential.
    pub credential: Credential,
}

/// Why a connection string cannot be used. Never holds the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionStringError {
    /// Nothing but white space.
    #[error("the storage connection string is empty")]
    Empty,
    /// A `name=value` pair without `=`.
    #[error("the storage connection string has a part without '=' (part {0}, counted from 1)")]
    Malformed(usize),
    /// A required part is missing.
    #[error("the storage connection string lacks {0}")]
    Missing(&'static str),
    /// A part has a value that cannot be used.
    #[error("the storage connection string has an invalid {key}: {reason}")]
    Invalid {
        /// The part's name.
        key: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Connection {
    /// Parses an Azure Storage connection string: a full one (`DefaultEndpointsProtocol`,
    /// `AccountName`, `AccountKey`, and `EndpointSuffix` or `TableEndpoint`),
    /// `UseDevelopmentStorage=true` (Azurite's well-known account), or one with
    /// `SharedAccessSignature` (and `TableEndpoint` or `AccountName`).
    pub fn parse(text: &str) -> Result<Self, ConnectionStringError> {
        if text.trim().is_empty() {
            return Err(ConnectionStringError::Empty);
        }
        let mut protocol = None;
        let mut account = None;
        let mut key = None;
        let mut suffix = None;
        let mut table_endpoint = None;
        let mut sas = None;
        let mut development = false;
        for (index, part) in text.split(';').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part
                .split_once('=')
                .ok_or(ConnectionStringError::Malformed(index + 1))?;
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "defaultendpointsprotocol" => protocol = Some(value.to_ascii_lowercase()),
                "accountname" => account = Some(value.to_owned()),
                "accountkey" => key = Some(value.to_owned()),
                "endpointsuffix" => suffix = Some(value.to_owned()),
                "tableendpoint" => table_endpoint = Some(value.trim_end_matches('/').to_owned()),
                "sharedaccesssignature" => sas = Some(value.trim_start_matches('?').to_owned()),
                "usedevelopmentstorage" => development = value.eq_ignore_ascii_case("true"),
                // Other services' endpoints and proxy settings do not concern tables.
                _ => {}
            }
        }
        if development {
            return Ok(Self {
                endpoint: DEV_ENDPOINT.to_owned(),
                account: Some(DEV_ACCOUNT.to_owned()),
                credential: Credential::SharedKey {
                    account: DEV_ACCOUNT.to_owned(),
                    key: decode_key(DEV_KEY)?,
                },
            });
        }
        if let Some(p) = &protocol
            && p != "https"
            && p != "http"
        {
            return Err(ConnectionStringError::Invalid {
                key: "DefaultEndpointsProtocol",
                reason: "must be https or http",
            });
        }
        let endpoint = match (table_endpoint, &account) {
            (Some(endpoint), _) => endpoint,
            (None, Some(account)) => format!(
                "{}://{}.table.{}",
                protocol.as_deref().unwrap_or("https"),
                account,
                suffix.as_deref().unwrap_or("core.windows.net")
            ),
            (None, None) => {
                return Err(ConnectionStringError::Missing(
                    "AccountName or TableEndpoint",
                ));
            }
        };
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(ConnectionStringError::Invalid {
                key: "TableEndpoint",
                reason: "must be an http or https URL",
            });
        }
        let credential = match (key, sas, &account) {
            (Some(key), _, Some(account)) => Credential::SharedKey {
                account: account.clone(),
                key: decode_key(&key)?,
            },
            (Some(_), _, None) => return Err(ConnectionStringError::Missing("AccountName")),
            (None, Some(sas), _) if !sas.is_empty() => Credential::Sas(sas),
            (None, _, _) => {
                return Err(ConnectionStringError::Missing(
                    "AccountKey or SharedAccessSignature",
                ));
            }
        };
        Ok(Self {
            endpoint,
            account,
            credential,
        })
    }
}

fn decode_key(key: &str) -> Result<Vec<u8>, ConnectionStringError> {
    let bytes = STANDARD
        .decode(key)
        .map_err(|_| ConnectionStringError::Invalid {
            key: "AccountKey",
            reason: "not base64",
        })?;
    if bytes.is_empty() {
        return Err(ConnectionStringError::Invalid {
            key: "AccountKey",
            reason: "empty",
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "c2VjcmV0LWtleS1ieXRlcw==";

    #[test]
    fn parses_the_documented_forms() {
        let full = Connection::parse(&format!(
            "DefaultEndpointsProtocol=https;AccountName=otisacct;AccountKey={KEY};EndpointSuffix=core.windows.net"
        ))
        .unwrap();
        assert_eq!(full.endpoint, "https://otisacct.table.core.windows.net");
        assert!(
            matches!(full.credential, Credential::SharedKey { ref account, ref key }
            if account == "otisacct" && key == b"secret-key-bytes")
        );

        let explicit = Connection::parse(&format!(
            "AccountName=a;AccountKey={KEY};TableEndpoint=http://127.0.0.1:1234/a/;"
        ))
        .unwrap();
        assert_eq!(explicit.endpoint, "http://127.0.0.1:1234/a");

        let dev = Connection::parse("UseDevelopmentStorage=true").unwrap();
        assert_eq!(dev.endpoint, "http://127.0.0.1:10002/devstoreaccount1");
        assert_eq!(dev.account.as_deref(), Some(DEV_ACCOUNT));

        let sas = Connection::parse(
            "TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=?sv=2019-02-02&sig=abc",
        )
        .unwrap();
        assert!(matches!(sas.credential, Credential::Sas(ref t) if t == "sv=2019-02-02&sig=abc"));

        let sas_by_name =
            Connection::parse("AccountName=a;SharedAccessSignature=sv=1&sig=x").unwrap();
        assert_eq!(sas_by_name.endpoint, "https://a.table.core.windows.net");
    }

    #[test]
    fn names_what_is_wrong() {
        let cases = [
            ("", ConnectionStringError::Empty),
            ("AccountName=a;junk", ConnectionStringError::Malformed(2)),
            (
                "AccountName=a",
                ConnectionStringError::Missing("AccountKey or SharedAccessSignature"),
            ),
            (
                "AccountKey=c2VjcmV0",
                ConnectionStringError::Missing("AccountName or TableEndpoint"),
            ),
            (
                "AccountName=a;AccountKey=%%%",
                ConnectionStringError::Invalid {
                    key: "AccountKey",
                    reason: "not base64",
                },
            ),
            (
                "DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=c2VjcmV0",
                ConnectionStringError::Invalid {
                    key: "DefaultEndpointsProtocol",
                    reason: "must be https or http",
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Connection::parse(text).unwrap_err(), want, "{text:?}");
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let key = Connection::parse(&format!("AccountName=a;AccountKey={KEY}")).unwrap();
        let sas = Connection::parse("AccountName=a;SharedAccessSignature=sig=TOPSECRET").unwrap();
        for shown in [format!("{key:?}"), format!("{sas:?}")] {
            assert!(
                !shown.contains(KEY) && !shown.contains("secret-key-bytes"),
                "{shown}"
            );
            assert!(!shown.contains("TOPSECRET"), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
        let err = Connection::parse("AccountName=a;AccountKey=not*base64").unwrap_err();
        assert!(!err.to_string().contains("not*base64"));
    }
}
