//! Reading what the previous (Python) system stored: `metadata_json` held `str(dict)`,
//! a Python literal with single quotes, `True`/`False`/`None` and tuples, not JSON.

use otis_core::Metadata;
use serde_json::{Map, Number, Value};

/// Parses stored metadata: JSON when it is JSON, else a Python dict literal.
pub(crate) fn metadata(raw: &str) -> Result<Metadata, String> {
    if let Ok(Value::Object(map)) = serde_json::from_str(raw) {
        return Ok(map);
    }
    let mut parser = Parser {
        text: raw.as_bytes(),
        raw,
        pos: 0,
    };
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos != parser.text.len() {
        return Err(format!("unexpected text at byte {}", parser.pos));
    }
    match value {
        Value::Object(map) => Ok(map),
        _ => Err("not a dict".into()),
    }
}

struct Parser<'a> {
    text: &'a [u8],
    raw: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.text.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", byte as char, self.pos))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some(b'{') => self.dict(),
            Some(b'[') => self.sequence(b'[', b']'),
            Some(b'(') => self.sequence(b'(', b')'),
            Some(q @ (b'\'' | b'"')) => self.string(q).map(Value::String),
            Some(_) => self.atom(),
            None => Err("unexpected end".into()),
        }
    }

    fn dict(&mut self) -> Result<Value, String> {
        self.expect(b'{')?;
        let mut map = Map::new();
        loop {
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(Value::Object(map));
            }
            let key = match self.value()? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.expect(b':')?;
            let value = self.value()?;
            map.insert(key, value);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
            }
        }
    }

    fn sequence(&mut self, open: u8, close: u8) -> Result<Value, String> {
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                _ => return Err(format!("expected ',' at byte {}", self.pos)),
            }
        }
    }

    fn string(&mut self, quote: u8) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.raw.get(self.pos..).ok_or("bad position")?;
            let c = rest.chars().next().ok_or("unterminated string")?;
            self.pos += c.len_utf8();
            match c {
                c if c as u32 == u32::from(quote) => return Ok(out),
                '\\' => {
                    let e = self.raw[self.pos..].chars().next().ok_or("bad escape")?;
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'x' => out.push(self.hex(2)?),
                        'u' => out.push(self.hex(4)?),
                        'U' => out.push(self.hex(8)?),
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn hex(&mut self, digits: usize) -> Result<char, String> {
        let text = self
            .raw
            .get(self.pos..self.pos + digits)
            .ok_or("short escape")?;
        self.pos += digits;
        u32::from_str_radix(text, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("bad escape \\{text}"))
    }

    fn atom(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'))
        {
            self.pos += 1;
        }
        let word = &self.raw[start..self.pos];
        match word {
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "None" => Ok(Value::Null),
            "" => Err(format!("unexpected character at byte {start}")),
            _ => {
                if let Ok(i) = word.parse::<i64>() {
                    return Ok(Value::Number(i.into()));
                }
                word.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| format!("unknown literal {word:?}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_python_dict_literals() {
        let cases = [
            ("{}", json!({})),
            (
                "{'program': 'LONPF2', 'ok': True, 'none': None, 'no': False}",
                json!({"program": "LONPF2", "ok": true, "none": null, "no": false}),
            ),
            (
                r#"{'sources': [{'file': "LONPF2.cbl", 'score': 0.87}], 'n': -3, 'lines': (1, 40)}"#,
                json!({"sources": [{"file": "LONPF2.cbl", "score": 0.87}], "n": -3, "lines": [1, 40]}),
            ),
            (
                r#"{'q': 'it\'s "quoted"\n', 'u': '\xe9\u00e9 🦀', 1: 'int key'}"#,
                json!({"q": "it's \"quoted\"\n", "u": "éé 🦀", "1": "int key"}),
            ),
            (r#"{"already": "json"}"#, json!({"already": "json"})),
        ];
        for (raw, want) in cases {
            assert_eq!(Value::Object(metadata(raw).unwrap()), want, "{raw}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_dict() {
        for raw in ["", "[1]", "{'a': }", "{'a': 1", "{'a': nope}", "{'a': 1} x"] {
            assert!(metadata(raw).is_err(), "{raw:?}");
        }
    }
}
