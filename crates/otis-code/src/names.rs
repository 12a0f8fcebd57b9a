//! How names are compared: upper case, without library path, extension or quotes.

/// `LIBGB/SCREEN.CPY` -> `SCREEN`, `daily.cbl` -> `DAILY`, `"LP/LONPF2"` -> `LONPF2`,
/// `BT-BRANCH` -> `BT-BRANCH`.
pub fn normalise(name: &str) -> String {
    let name = name
        .trim()
        .trim_matches(['"', '\'', '`', '.', ',', '?', '!', ';', ':']);
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match base.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && matches!(
                    ext.to_ascii_uppercase().as_str(),
                    "CPY" | "CBL" | "COB" | "CBX" | "CCP" | "C"
                ) =>
        {
            stem
        }
        _ => base,
    };
    stem.to_ascii_uppercase()
}

/// The folder a corpus path starts with (`FX/FXMENU.CBL` -> `FX`), or `(top)`.
pub(crate) fn directory(path: &str) -> &str {
    match path.split_once('/') {
        Some((dir, _)) => dir,
        None => "(top)",
    }
}

/// The folder path a file sits in (`LIBUP/A15SRC/X.CPY` -> `LIBUP/A15SRC`), `` at the top.
pub(crate) fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The member name a file's path gives it: its stem, upper case.
pub(crate) fn stem(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.rsplit_once('.')
        .map_or(base, |(stem, _)| stem)
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_library_extension_and_case() {
        for (given, want) in [
            ("LIBGB/SCREEN.CPY", "SCREEN"),
            ("screen.cpy", "SCREEN"),
            ("\"LP/LONPF2\"", "LONPF2"),
            ("DAILY.CBL", "DAILY"),
            ("BT-BRANCH", "BT-BRANCH"),
            ("TIM360?", "TIM360"),
            ("A.B", "A.B"),
        ] {
            assert_eq!(normalise(given), want, "{given}");
        }
        assert_eq!(directory("FX/A.CBL"), "FX");
        assert_eq!(directory("A.CBL"), "(top)");
        assert_eq!(stem("LIBUP/A30SRC/LP01SP.CPY"), "LP01SP");
    }
}
