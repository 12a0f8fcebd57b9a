//! Canary secrets and what an error shows, for the tests that no key, password or SAS
//! token reaches a caller, whatever an upstream echoes back (see
//! [`crate::scripted::Reply::Echo`] and [`crate::resp_echo`]).

/// A model or search key.
pub const CANARY_KEY: &str = "sk-canary-5b1e0c4d9a77";
/// `CANARY-ACCOUNT-KEY-0123456789` in base64, as a storage account key.
pub const CANARY_ACCOUNT_KEY: &str = "Q0FOQVJZLUFDQ09VTlQtS0VZLTAxMjM0NTY3ODk=";
/// A SAS token whose signature is a canary.
pub const CANARY_SAS: &str = "sv=2019-02-02&ss=t&srt=sco&sp=rwdlacu&se=2099-01-01T00%3A00%3A00Z&sig=CANARY%2Fsig%2B0123456789%3D";
/// A Redis password.
pub const CANARY_PASSWORD: &str = "redis-canary-pw-0123456789";

/// Everything an error shows: its text, its debug form and its sources'.
pub fn shown<E: std::error::Error>(err: &E) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(&format!(" | {s} {s:?}"));
        source = s.source();
    }
    text
}
