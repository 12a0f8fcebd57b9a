//! Dates as OTIS headers write them (`10-14-2020`, `10/09/2019`, `1/27/84`, `021094`,
//! `151120`, `2022.1004`, `2019-0107`, `20200827`, `2019.09.12`), normalised to ISO
//! `YYYY-MM-DD`. Two-digit years: 50-99 are 19xx, 00-49 are 20xx. Impossible dates
//! (month 13, February 30) are no date.

/// Which reading wins when six digits are a valid date both as `MMDDYY` and `YYMMDD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SixDigits {
    /// `MMDDYY`: `DATE-WRITTEN.` paragraphs write six digits this way throughout.
    MonthFirst,
    /// `YYMMDD`: revision lines wrote `MMDDYY` until about 1999, `YYMMDD` after; a
    /// six-digit revision date valid both ways reads as `YYMMDD` (its `MMDDYY` reading
    /// would be a year from 2000 on, when that style was no longer written).
    YearFirst,
}

/// The ISO date a token (`10/09/2019`, `151120`, ...) writes, if it is a possible date.
pub(crate) fn iso(token: &str, prefer: SixDigits) -> Option<String> {
    let t = token.trim().trim_end_matches(['.', ',', ':', ';']);
    if t.is_empty() || t.len() > 10 {
        return None;
    }
    let (y, m, d) = if t.bytes().all(|b| b.is_ascii_digit()) {
        digits_only(t, prefer)?
    } else {
        separated(t)?
    };
    Some(write_iso(y, m, d))
}

/// `YYYY-MM-DD` (without the formatting machinery: headers hold thousands of dates).
fn write_iso(y: u32, m: u32, d: u32) -> String {
    let digit = |n: u32| char::from_digit(n % 10, 10).unwrap_or('0');
    let mut s = String::with_capacity(10);
    for n in [y / 1000, y / 100, y / 10, y] {
        s.push(digit(n));
    }
    s.push('-');
    s.push(digit(m / 10));
    s.push(digit(m));
    s.push('-');
    s.push(digit(d / 10));
    s.push(digit(d));
    s
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<u32> {
    let n = num(s)?;
    match s.len() {
        2 => Some(if n >= 50 { 1900 + n } else { 2000 + n }),
        4 => Some(n),
        _ => None,
    }
}

fn leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn valid(y: u32, m: u32, d: u32) -> Option<(u32, u32, u32)> {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    ((1..=days).contains(&d) && (1000..=9999).contains(&y)).then_some((y, m, d))
}

fn part(s: &str, from: usize, to: usize) -> Option<u32> {
    num(s.get(from..to)?)
}

/// `MMDDYY` / `YYMMDD` (six digits), `YYYYMMDD` / `MMDDYYYY` (eight).
fn digits_only(t: &str, prefer: SixDigits) -> Option<(u32, u32, u32)> {
    match t.len() {
        6 => {
            let (a, b, c) = (part(t, 0, 2)?, part(t, 2, 4)?, t.get(4..6)?);
            let month_first = valid(year(c)?, a, b);
            let year_first = valid(year(t.get(0..2)?)?, b, part(t, 4, 6)?);
            match prefer {
                SixDigits::MonthFirst => month_first.or(year_first),
                SixDigits::YearFirst => year_first.or(month_first),
            }
        }
        8 => {
            let year_first = valid(part(t, 0, 4)?, part(t, 4, 6)?, part(t, 6, 8)?)
                .filter(|(y, _, _)| (1900..2100).contains(y));
            year_first.or_else(|| valid(part(t, 4, 8)?, part(t, 0, 2)?, part(t, 2, 4)?))
        }
        _ => None,
    }
}

/// `MM/DD/YYYY`, `M/DD/YY`, `MM-DD-YY`, `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYY.MMDD`,
/// `YYYY-MMDD`.
fn separated(t: &str) -> Option<(u32, u32, u32)> {
    let sep = t.bytes().find(|b| matches!(b, b'/' | b'-' | b'.'))?;
    let mut parts = t.split(char::from(sep));
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() {
        return None;
    }
    match c {
        Some(c) if a.len() == 4 && (1..=2).contains(&b.len()) && (1..=2).contains(&c.len()) => {
            valid(num(a)?, num(b)?, num(c)?)
        }
        Some(c) if (1..=2).contains(&a.len()) && (1..=2).contains(&b.len()) => {
            valid(year(c)?, num(a)?, num(b)?)
        }
        None if a.len() == 4 && b.len() == 4 => valid(num(a)?, part(b, 0, 2)?, part(b, 2, 4)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_dates() {
        use SixDigits::{MonthFirst, YearFirst};
        let cases: &[(&str, SixDigits, Option<&str>)] = &[
            ("10-14-2020", MonthFirst, Some("2020-10-14")),
            ("10/09/2019.", MonthFirst, Some("2019-10-09")),
            ("1/27/84", MonthFirst, Some("1984-01-27")),
            ("02-11-49", MonthFirst, Some("2049-02-11")),
            ("021094", MonthFirst, Some("1994-02-10")),
            ("040506", MonthFirst, Some("2006-04-05")),
            ("040506", YearFirst, Some("2004-05-06")),
            // Only one reading is a date: it wins whatever the preference.
            ("151120", MonthFirst, Some("2015-11-20")),
            ("101794", YearFirst, Some("1994-10-17")),
            ("041000", YearFirst, Some("2000-04-10")),
            ("2022.1004", YearFirst, Some("2022-10-04")),
            ("2019-0107", YearFirst, Some("2019-01-07")),
            ("2019.09.12", YearFirst, Some("2019-09-12")),
            ("2021-02-28", YearFirst, Some("2021-02-28")),
            ("20200827", YearFirst, Some("2020-08-27")),
            ("08272020", YearFirst, Some("2020-08-27")),
            ("2000-02-29", YearFirst, Some("2000-02-29")),
            // Impossible or not a date.
            ("1900-02-29", YearFirst, None),
            ("13/01/2020", MonthFirst, None),
            ("2020.1301", YearFirst, None),
            ("131394", MonthFirst, None),
            ("99999999", YearFirst, None),
            ("30212", YearFirst, None),
            ("2020", YearFirst, None),
            ("PR#1436", YearFirst, None),
            ("1.2.3.4", YearFirst, None),
            ("", YearFirst, None),
            ("10/00/2020", MonthFirst, None),
            ("١٠/٠٩/٢٠١٩", MonthFirst, None),
        ];
        for (text, prefer, want) in cases {
            assert_eq!(iso(text, *prefer).as_deref(), *want, "{text}");
        }
    }
}
