//! Request signing: Shared Key Lite for tables, and the `x-ms-date` it signs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// The date in the RFC 1123 form the service wants: `Tue, 24 Nov 2026 03:27:23 GMT`.
pub(crate) fn http_date(now: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[now.weekday().number_days_from_monday() as usize],
        now.day(),
        MONTHS[usize::from(u8::from(now.month())) - 1],
        now.year(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The `Authorization` header value for Shared Key Lite (table service):
/// `SharedKeyLite account:base64(HMAC-SHA256(key, date + "\n" + "/" + account + path))`,
/// where `path` is the request's encoded URI path without its query.
pub(crate) fn shared_key_lite(account: &str, key: &[u8], date: &str, path: &str) -> String {
    let string_to_sign = format!("{date}\n/{account}{path}");
    // HMAC accepts keys of any length, so this never fails.
    let signature = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("SharedKeyLite {account}:{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_http_dates() {
        let t = OffsetDateTime::from_unix_timestamp(1_795_490_843).unwrap();
        assert_eq!(http_date(t), "Tue, 24 Nov 2026 03:27:23 GMT");
    }

    #[test]
    fn signs_the_documented_string() {
        // HMAC-SHA256(key = "key", "Tue, 24 Nov 2026 03:27:23 GMT\n/acct/acct/Tables"),
        // computed independently with Python's hmac module.
        let header = shared_key_lite(
            "acct",
            b"key",
            "Tue, 24 Nov 2026 03:27:23 GMT",
            "/acct/Tables",
        );
        assert_eq!(
            header,
            "SharedKeyLite acct:ceDu9IMRb6k7f0dsjp10uyQvVVaeXrOArHZid7MkOCo="
        );
    }
}
