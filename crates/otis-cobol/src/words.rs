//! COBOL's reserved words, statement verbs and usages, kept in one place as sorted
//! tables, looked up through one hash map built on first use (constant data).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use crate::statements::StatementKind;

/// Reserved words (COBOL-85, common extensions and the ACUCOBOL screen words OTIS uses), figurative constants included; the USAGE values below are reserved too.
const RESERVED: &[&str] = &[
    "ACCEPT",
    "ACCESS",
    "ADD",
    "ADDRESS",
    "ADVANCING",
    "AFTER",
    "ALL",
    "ALPHABET",
    "ALPHABETIC",
    "ALPHABETIC-LOWER",
    "ALPHABETIC-UPPER",
    "ALPHANUMERIC",
    "ALPHANUMERIC-EDITED",
    "ALSO",
    "ALTER",
    "ALTERNATE",
    "AND",
    "ANY",
    "ARE",
    "AREA",
    "AREAS",
    "ASCENDING",
    "ASSIGN",
    "AT",
    "AUTHOR",
    "AUTO",
    "AUTO-SKIP",
    "AUTOMATIC",
    "BACKGROUND-COLOR",
    "BACKGROUND-COLOUR",
    "BAR",
    "BEEP",
    "BEFORE",
    "BELL",
    "BITMAP",
    "BLANK",
    "BLINK",
    "BLOCK",
    "BOLD",
    "BOTTOM",
    "BOX",
    "BY",
    "CALL",
    "CANCEL",
    "CD",
    "CENTURY-DATE",
    "CENTURY-DAY",
    "CF",
    "CH",
    "CHAIN",
    "CHARACTER",
    "CHARACTERS",
    "CHECK-BOX",
    "CLASS",
    "CLOSE",
    "COBOL",
    "CODE",
    "CODE-SET",
    "COL",
    "COLLATING",
    "COLOR",
    "COLUMN",
    "COMBO-BOX",
    "COMMA",
    "COMMIT",
    "COMMON",
    "COMPUTE",
    "CONFIGURATION",
    "CONSOLE",
    "CONTAINS",
    "CONTENT",
    "CONTINUE",
    "CONTROL",
    "CONTROLS",
    "CONVERT",
    "CONVERTING",
    "COPY",
    "CORR",
    "CORRESPONDING",
    "COUNT",
    "CRT",
    "CURRENCY",
    "CURSOR",
    "DATA",
    "DATE",
    "DATE-COMPILED",
    "DATE-WRITTEN",
    "DAY",
    "DAY-OF-WEEK",
    "DE",
    "DEBUGGING",
    "DECIMAL-POINT",
    "DECLARATIVES",
    "DEFAULT",
    "DELETE",
    "DELIMITED",
    "DELIMITER",
    "DEPENDING",
    "DESCENDING",
    "DESTROY",
    "DETAIL",
    "DISK",
    "DIVIDE",
    "DIVISION",
    "DOWN",
    "DUPLICATES",
    "DYNAMIC",
    "ECHO",
    "ELSE",
    "END",
    "END-ACCEPT",
    "END-ADD",
    "END-CALL",
    "END-COMPUTE",
    "END-DELETE",
    "END-DISPLAY",
    "END-DIVIDE",
    "END-EVALUATE",
    "END-EXEC",
    "END-IF",
    "END-MULTIPLY",
    "END-OF-PAGE",
    "END-PERFORM",
    "END-READ",
    "END-RECEIVE",
    "END-RETURN",
    "END-REWRITE",
    "END-SEARCH",
    "END-START",
    "END-STRING",
    "END-SUBTRACT",
    "END-UNSTRING",
    "END-WRITE",
    "ENTRY",
    "ENTRY-FIELD",
    "ENVIRONMENT",
    "EOL",
    "EOP",
    "EOS",
    "EQUAL",
    "EQUALS",
    "ERASE",
    "ERROR",
    "ESCAPE",
    "EVALUATE",
    "EXCEPTION",
    "EXCLUSIVE",
    "EXEC",
    "EXIT",
    "EXTEND",
    "EXTERNAL",
    "FALSE",
    "FD",
    "FILE",
    "FILE-CONTROL",
    "FILLER",
    "FINAL",
    "FIRST",
    "FOOTING",
    "FOR",
    "FOREGROUND-COLOR",
    "FOREGROUND-COLOUR",
    "FRAME",
    "FROM",
    "FULL",
    "FUNCTION",
    "GENERATE",
    "GIVING",
    "GLOBAL",
    "GO",
    "GOBACK",
    "GREATER",
    "GRID",
    "GROUP",
    "HEADING",
    "HIGH",
    "HIGH-VALUE",
    "HIGH-VALUES",
    "HIGHLIGHT",
    "I-O",
    "I-O-CONTROL",
    "ID",
    "IDENTIFICATION",
    "IF",
    "IN",
    "INDEXED",
    "INDICATE",
    "INITIAL",
    "INITIALIZE",
    "INITIATE",
    "INPUT",
    "INPUT-OUTPUT",
    "INQUIRE",
    "INSPECT",
    "INSTALLATION",
    "INTO",
    "INVALID",
    "IS",
    "JUST",
    "JUSTIFIED",
    "KEY",
    "LABEL",
    "LAST",
    "LEADING",
    "LEFT",
    "LENGTH",
    "LESS",
    "LIMIT",
    "LINAGE",
    "LINE",
    "LINES",
    "LINKAGE",
    "LIST-BOX",
    "LOCK",
    "LOW",
    "LOW-VALUE",
    "LOW-VALUES",
    "LOWER",
    "MANUAL",
    "MERGE",
    "MODE",
    "MODIFY",
    "MOVE",
    "MULTIPLE",
    "MULTIPLY",
    "NATIVE",
    "NEGATIVE",
    "NEXT",
    "NO",
    "NO-BOX",
    "NO-ECHO",
    "NOT",
    "NULL",
    "NULLS",
    "NUMERIC",
    "NUMERIC-EDITED",
    "OBJECT-COMPUTER",
    "OCCURS",
    "OF",
    "OFF",
    "OMITTED",
    "ON",
    "OPEN",
    "OPTIONAL",
    "OR",
    "ORDER",
    "ORGANIZATION",
    "OTHER",
    "OUTPUT",
    "OVERFLOW",
    "PADDING",
    "PAGE",
    "PARAGRAPH",
    "PERFORM",
    "PIC",
    "PICTURE",
    "POSITION",
    "POSITIVE",
    "PROCEDURE",
    "PROCEED",
    "PROGRAM",
    "PROGRAM-ID",
    "PROMPT",
    "PUSH-BUTTON",
    "QUOTE",
    "QUOTES",
    "RADIO-BUTTON",
    "RANDOM",
    "READ",
    "RECORD",
    "RECORDING",
    "RECORDS",
    "REDEFINES",
    "REEL",
    "REFERENCE",
    "RELATIVE",
    "RELEASE",
    "REMAINDER",
    "REMOVAL",
    "RENAMES",
    "REPLACE",
    "REPLACING",
    "REPORT",
    "REQUIRED",
    "RESERVE",
    "RETURN",
    "RETURNING",
    "REVERSE",
    "REVERSE-VIDEO",
    "REWIND",
    "REWRITE",
    "RIGHT",
    "ROLLBACK",
    "ROUNDED",
    "RUN",
    "SAME",
    "SCREEN",
    "SCROLL-BAR",
    "SD",
    "SEARCH",
    "SECTION",
    "SECURE",
    "SECURITY",
    "SELECT",
    "SENTENCE",
    "SEPARATE",
    "SEQUENCE",
    "SEQUENTIAL",
    "SET",
    "SIGN",
    "SIGNED",
    "SIZE",
    "SORT",
    "SORT-MERGE",
    "SOURCE-COMPUTER",
    "SPACE",
    "SPACES",
    "SPECIAL-NAMES",
    "STANDARD",
    "STANDARD-1",
    "START",
    "STATUS",
    "STOP",
    "STRING",
    "SUBTRACT",
    "SUPPRESS",
    "SYMBOLIC",
    "SYNC",
    "SYNCHRONIZED",
    "TAB",
    "TAB-CONTROL",
    "TALLYING",
    "TERMINATE",
    "TEST",
    "THAN",
    "THEN",
    "THROUGH",
    "THRU",
    "TIME",
    "TIMES",
    "TO",
    "TOP",
    "TRAILING",
    "TREE-VIEW",
    "TRUE",
    "UNDERLINE",
    "UNIT",
    "UNLOCK",
    "UNSTRING",
    "UNTIL",
    "UP",
    "UPDATE",
    "UPON",
    "UPPER",
    "USAGE",
    "USE",
    "USING",
    "VALUE",
    "VALUES",
    "VARYING",
    "WAIT",
    "WHEN",
    "WINDOW",
    "WITH",
    "WORDS",
    "WORKING-STORAGE",
    "WRITE",
    "ZERO",
    "ZERO-FILL",
    "ZEROES",
    "ZEROS",
];

/// Words that start a statement.
const VERBS: &[&str] = &[
    "ACCEPT",
    "ADD",
    "ALTER",
    "CALL",
    "CANCEL",
    "CHAIN",
    "CLOSE",
    "COMMIT",
    "COMPUTE",
    "CONTINUE",
    "DELETE",
    "DESTROY",
    "DISPLAY",
    "DIVIDE",
    "ENTRY",
    "EVALUATE",
    "EXEC",
    "EXIT",
    "GENERATE",
    "GO",
    "GOBACK",
    "IF",
    "INITIALIZE",
    "INITIATE",
    "INQUIRE",
    "INSPECT",
    "MERGE",
    "MODIFY",
    "MOVE",
    "MULTIPLY",
    "OPEN",
    "PERFORM",
    "READ",
    "RELEASE",
    "RETURN",
    "REWRITE",
    "ROLLBACK",
    "SEARCH",
    "SET",
    "SORT",
    "START",
    "STOP",
    "STRING",
    "SUBTRACT",
    "SUPPRESS",
    "TERMINATE",
    "UNLOCK",
    "UNSTRING",
    "USE",
    "WAIT",
    "WRITE",
];

/// USAGE values (also written without `USAGE IS`).
const USAGES: &[&str] = &[
    "BINARY",
    "COMP",
    "COMP-1",
    "COMP-2",
    "COMP-3",
    "COMP-4",
    "COMP-5",
    "COMP-6",
    "COMP-N",
    "COMP-X",
    "COMPUTATIONAL",
    "COMPUTATIONAL-1",
    "COMPUTATIONAL-2",
    "COMPUTATIONAL-3",
    "COMPUTATIONAL-4",
    "COMPUTATIONAL-5",
    "COMPUTATIONAL-6",
    "COMPUTATIONAL-X",
    "DISPLAY",
    "DOUBLE",
    "FLOAT",
    "HANDLE",
    "INDEX",
    "NATIONAL",
    "PACKED-DECIMAL",
    "POINTER",
    "SIGNED-INT",
    "SIGNED-LONG",
    "SIGNED-SHORT",
    "UNSIGNED-INT",
    "UNSIGNED-LONG",
    "UNSIGNED-SHORT",
];

/// What a word is, looked up once per token: hashing beats binary searches over string
/// tables, which dominated the reader's time on large corpora.
#[derive(Debug, Clone, Copy, Default)]
struct Class {
    reserved: bool,
    usage: bool,
    verb: Option<u8>,
}

/// FNV-1a: a fast hash for short upper-case words.
#[derive(Debug, Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Classes = HashMap<&'static str, Class, BuildHasherDefault<Fnv>>;

static CLASSES: LazyLock<Classes> = LazyLock::new(|| {
    let mut map = Classes::default();
    for w in RESERVED {
        map.entry(w).or_default().reserved = true;
    }
    for w in USAGES {
        let class = map.entry(w).or_default();
        class.reserved = true;
        class.usage = true;
    }
    for (i, w) in VERBS.iter().enumerate() {
        map.entry(w).or_default().verb = u8::try_from(i).ok();
    }
    map
});

fn class(w: &str) -> Class {
    CLASSES.get(w).copied().unwrap_or_default()
}

/// Whether `w` (upper case) is a reserved word.
pub(crate) fn is_reserved(w: &str) -> bool {
    class(w).reserved
}

/// The one-byte code of a verb: its place in `VERBS`, or `OTHER_VERB`.
pub(crate) fn verb_code(w: &str) -> u8 {
    class(w).verb.unwrap_or(OTHER_VERB)
}

/// The verb a code stands for.
pub(crate) fn verb_name(code: u8) -> &'static str {
    VERBS.get(usize::from(code)).copied().unwrap_or("OTHER")
}

pub(crate) const OTHER_VERB: u8 = u8::MAX;

/// The plain statement kind of each verb, by its place in `VERBS` (kept apart from the
/// word classes so the per-token lookup stays small).
static VERB_KINDS: LazyLock<Vec<Option<StatementKind>>> =
    LazyLock::new(|| VERBS.iter().map(|w| StatementKind::of_verb(w)).collect());

/// The verb `w` is, when it starts a statement, with the plain kind of that statement.
pub(crate) fn verb(w: &str) -> Option<(&'static str, StatementKind)> {
    let i = usize::from(class(w).verb?);
    let name = VERBS.get(i).copied()?;
    let kind = VERB_KINDS.get(i).copied().flatten()?;
    Some((name, kind))
}

/// Whether `w` is a USAGE value.
pub(crate) fn is_usage(w: &str) -> bool {
    class(w).usage
}

/// Whether `w` can name a data item or a procedure: it has a letter and is not reserved.
pub(crate) fn is_user_word(w: &str) -> bool {
    w.bytes().any(|b| b.is_ascii_alphabetic()) && !is_reserved(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        for table in [RESERVED, VERBS, USAGES] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{:?}", table.first());
        }
    }

    #[test]
    fn lookups() {
        assert!(is_reserved("MOVE") && is_reserved("COMP-3") && is_reserved("SPACES"));
        assert_eq!(verb("PERFORM"), Some(("PERFORM", StatementKind::Perform)));
        assert_eq!(verb("GO"), Some(("GO", StatementKind::GoTo)));
        assert!(verb("UNTIL").is_none());
        assert!(is_user_word("WS-AMT") && !is_user_word("END-IF") && !is_user_word("0100"));
    }

    #[test]
    fn every_verb_has_a_plain_kind() {
        for v in VERBS {
            let kind = StatementKind::of_verb(v);
            assert!(kind.is_some_and(|k| !k.is_compound()), "{v}");
        }
        assert_eq!(StatementKind::of_verb("GO"), Some(StatementKind::GoTo));
        assert_eq!(StatementKind::of_verb("STOP RUN"), None);
    }
}
