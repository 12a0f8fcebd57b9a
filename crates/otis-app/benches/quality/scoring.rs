//! Scoring one answer against its truth: from its facts per question kind (names,
//! rankings, chains, impact levels, menus, CRUD, cycles, honest absence, the earlier
//! kinds), then from its text, then its counts. The rules are in
//! `xtask/quality/README.md` ("Scoring").

use std::collections::{BTreeMap, BTreeSet, HashSet};

use otis_core::AskResponse;
use otis_core::ports::{CodeFacts, FactItem, FixedGroup, ItemGroup, Note};
use serde_json::Value;

use crate::known::{Known, universe};
use crate::text::{
    has_word, listed_names, numbers, says_no, states_number, text_sites, upper_words,
};
use crate::truth::{Question, chains_in, names_in, site, upper};

/// Issue 18: a text lists every item up to this many; past it, groups with counts.
const TEXT_LIST_LIMIT: usize = 500;

/// `corpus.py` lists at most this many longest chains.
pub(crate) const CHAIN_CAP: usize = 64;

fn normal(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Recall and precision of `got` against `want` (precision `None` for an empty answer
/// to a non-empty truth: it claims nothing).
fn score<T: std::hash::Hash + Eq>(got: &HashSet<T>, want: &HashSet<T>) -> (f64, Option<f64>) {
    let hit = got.intersection(want).count() as f64;
    let recall = if want.is_empty() {
        if got.is_empty() { 1.0 } else { 0.0 }
    } else {
        hit / want.len() as f64
    };
    let precision = if got.is_empty() {
        want.is_empty().then_some(1.0)
    } else {
        Some(hit / got.len() as f64)
    };
    (recall, precision)
}

/// The first few of `want` not in `got`, and of `got` not in `want` (marked `+`).
fn differences(got: &HashSet<String>, want: &HashSet<String>) -> Vec<String> {
    let mut gone: Vec<&String> = want.difference(got).collect();
    gone.sort();
    let mut extra: Vec<&String> = got.difference(want).collect();
    extra.sort();
    gone.iter()
        .take(5)
        .map(|s| (*s).clone())
        .chain(extra.iter().take(3).map(|e| format!("+{e}")))
        .collect()
}

/// The first `n` of `names`, joined with commas.
fn first_few<'a>(names: impl IntoIterator<Item = &'a String>, n: usize) -> String {
    names
        .into_iter()
        .take(n)
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the scorers read of an answer.
pub(crate) struct Answer<'a> {
    /// The text a person reads.
    pub(crate) text: &'a str,
    pub(crate) facts: Option<&'a CodeFacts>,
    /// The member the conversation is about after the answer.
    pub(crate) subject: Option<&'a str>,
    /// A flow answer carries its diagram (SVG and Mermaid) and shows the Mermaid text.
    pub(crate) drawn: bool,
}

impl<'a> Answer<'a> {
    pub(crate) fn of(response: &'a AskResponse) -> Self {
        Self {
            text: &response.answer,
            facts: response.facts.as_ref(),
            subject: response.subject.as_deref(),
            drawn: response
                .diagram
                .as_ref()
                .is_some_and(|d| d.svg.starts_with("<svg") && d.mermaid.starts_with("flowchart"))
                && response.answer.contains("```mermaid"),
        }
    }
}

/// The kinds whose answer text is scored too (issue 18): the earlier list kinds and
/// every corpus kind.
fn text_scored(kind: &str) -> bool {
    !matches!(
        kind,
        "purpose"
            | "used_for"
            | "business_process"
            | "data_definition"
            | "overview"
            | "flow"
            | "screen_flow"
            | "data_item_for"
            | "also_in"
    )
}

/// How one answer scored.
#[derive(Default, Debug)]
pub(crate) struct Outcome {
    /// From `facts` (`None`: not measured, e.g. names a count's truth leaves out).
    pub(crate) recall: Option<f64>,
    pub(crate) precision: Option<f64>,
    /// From the answer text.
    pub(crate) text_recall: Option<f64>,
    pub(crate) text_precision: Option<f64>,
    /// Every count the truth gives, in facts and in the text.
    pub(crate) count_exact: Option<bool>,
    /// Further checks: ranking order and values, chain, labels, evidence, ...
    pub(crate) checks: Vec<(&'static str, bool)>,
    pub(crate) missed: Vec<String>,
}

impl Outcome {
    pub(crate) fn full_marks(&self) -> bool {
        let full = |v: Option<f64>| v.is_none_or(|v| v >= 0.999);
        full(self.recall)
            && full(self.precision)
            && full(self.text_recall)
            && full(self.text_precision)
            && self.count_exact != Some(false)
            && self.checks.iter().all(|(_, ok)| *ok)
    }

    /// An answer without facts, scored from its facts: recall 0.
    fn no_facts() -> Self {
        Self {
            recall: Some(0.0),
            missed: vec!["no facts".into()],
            ..Self::default()
        }
    }

    /// Recall and precision of `got` against `want`, missing the first few differences
    /// (each as `show` writes it).
    fn scored<T: std::hash::Hash + Eq>(
        got: &HashSet<T>,
        want: &HashSet<T>,
        show: impl Fn(&T) -> String,
    ) -> Self {
        let (recall, precision) = score(got, want);
        let shown = |s: &HashSet<T>| -> HashSet<String> { s.iter().map(&show).collect() };
        Self {
            recall: Some(recall),
            precision,
            missed: differences(&shown(got), &shown(want)),
            ..Self::default()
        }
    }

    /// An answer that could not be had (error or panic) scores 0 on what it is scored on.
    pub(crate) fn failed(q: &Question, why: String) -> Self {
        Self {
            recall: Some(0.0),
            text_recall: text_scored(&q.kind).then_some(0.0),
            count_exact: q.expected["count"].is_u64().then_some(false),
            missed: vec![why],
            ..Self::default()
        }
    }
}

fn group_of(item: &FactItem) -> String {
    item.group
        .as_ref()
        .map(|g| g.as_str().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `N` of a group `"<prefix> N"` ("level 2", "option 13").
fn group_number(item: &FactItem, prefix: &str) -> Option<u64> {
    group_of(item)
        .strip_prefix(prefix)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The items in groups `"<prefix> N"`, as (N, upper-case name).
fn numbered_names(facts: &CodeFacts, prefix: &str) -> HashSet<(u64, String)> {
    facts
        .items
        .iter()
        .filter_map(|i| Some((group_number(i, prefix)?, i.name.to_ascii_uppercase())))
        .collect()
}

fn names_of(facts: Option<&CodeFacts>) -> HashSet<String> {
    facts
        .map(|f| {
            f.items
                .iter()
                .map(|i| i.name.to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default()
}

/// Item names in order, each once.
fn ordered_names<'a>(items: impl Iterator<Item = &'a FactItem>) -> Vec<String> {
    let mut seen = HashSet::new();
    items
        .map(|i| i.name.to_ascii_uppercase())
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// The number a note states ("1,276", "12 programs").
pub(crate) fn note_number(facts: &CodeFacts, what: Note) -> Option<u64> {
    facts
        .note(what)?
        .split_whitespace()
        .next()?
        .replace(',', "")
        .trim_end_matches(['.', ';'])
        .parse()
        .ok()
}

/// The answer's facts, when they are of a type that recognises the question.
fn facts_of_type<'a>(q: &Question, a: &Answer<'a>) -> Option<&'a CodeFacts> {
    let facts = a.facts?;
    match &q.types {
        Some(types) if !types.contains(&facts.kind.as_str()) => None,
        _ => Some(facts),
    }
}

/// Names from facts against `want`. No facts scores 0; an empty truth is met only by
/// facts of a type that recognises the question (an unrelated answer with no items is
/// not an empty list).
fn names_outcome(q: &Question, a: &Answer<'_>, want: &HashSet<String>) -> Outcome {
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    if want.is_empty() && facts_of_type(q, a).is_none() {
        return Outcome {
            recall: Some(0.0),
            missed: vec![format!("empty truth, answered as {}", facts.kind.as_str())],
            ..Outcome::default()
        };
    }
    Outcome::scored(&names_of(Some(facts)), want, String::clone)
}

/// A ranking question's truth: the top names in order with their values, the names
/// tied with the k-th, and k.
struct Ranking {
    names: Vec<String>,
    values: Vec<Value>,
    ties: Vec<String>,
    k: usize,
}

impl Ranking {
    fn of(expected: &Value) -> Self {
        let names = names_in(expected, "names");
        Self {
            values: expected["values"].as_array().cloned().unwrap_or_default(),
            ties: names_in(expected, "ties"),
            k: expected["top_k"]
                .as_u64()
                .map_or(names.len(), |k| k as usize),
            names,
        }
    }

    /// [`ranking_score`] of `got` (in order).
    fn score(&self, got: &[String]) -> (f64, Option<f64>) {
        ranking_score(got, &self.names, &self.values, &self.ties, self.k)
    }
}

/// A ranking of `got` (in order) against the truth's top `k` with its `ties`: recall
/// counts the names ranked above the k-th value, and as many names of the k-th value
/// (expected or tied) as the top k has room for; precision is against names + ties.
pub(crate) fn ranking_score(
    got: &[String],
    names: &[String],
    values: &[Value],
    ties: &[String],
    k: usize,
) -> (f64, Option<f64>) {
    let k = k.min(names.len());
    let got_set: HashSet<&String> = got.iter().collect();
    let allowed: HashSet<&String> = names.iter().chain(ties).collect();
    let precision = if got.is_empty() {
        (k == 0).then_some(1.0)
    } else {
        Some(got_set.iter().filter(|n| allowed.contains(*n)).count() as f64 / got_set.len() as f64)
    };
    if k == 0 {
        return (if got.is_empty() { 1.0 } else { 0.0 }, precision);
    }
    let kth = values.get(k - 1).cloned().unwrap_or(Value::Null);
    let mut must = 0usize;
    let mut must_hit = 0usize;
    let mut tied: HashSet<&String> = ties.iter().collect();
    for (i, name) in names.iter().take(k).enumerate() {
        if values.get(i) == Some(&kth) {
            tied.insert(name);
        } else {
            must += 1;
            must_hit += usize::from(got_set.contains(name));
        }
    }
    let tied_hit = tied.iter().filter(|n| got_set.contains(**n)).count();
    let recall = (must_hit + tied_hit.min(k - must)) as f64 / k as f64;
    (recall, precision)
}

/// `v` as text to compare with an item's detail: numbers as digits, dates as given.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_ascii_uppercase(),
        other => other.to_string(),
    }
}

/// Whether `detail` (a measured value first: "26470 lines") states `want`.
pub(crate) fn detail_states(detail: Option<&str>, want: &str) -> bool {
    let Some(first) = detail.and_then(|d| d.split_whitespace().next()) else {
        return false;
    };
    let first = first
        .trim_end_matches([',', ';', ':', ')'])
        .to_ascii_uppercase();
    let digits = first.replace(',', "");
    match (digits.parse::<f64>(), want.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
        _ => first == want,
    }
}

pub(crate) fn ranking_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let ranking = Ranking::of(&q.expected);
    let Ranking {
        names,
        values,
        ties,
        k,
    } = &ranking;
    let k = *k;
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let got = ordered_names(facts.items.iter());
    let (recall, precision) = ranking.score(&got);
    let mut o = Outcome {
        recall: Some(recall),
        precision,
        ..Outcome::default()
    };
    // Order: the truth's rank of each known name (ties rank with the k-th value) never
    // goes back up; values: each known item's detail states its measured value.
    let kth = values.get(k.min(names.len()).saturating_sub(1)).cloned();
    let rank_of = |n: &String| -> Option<(usize, String)> {
        let v = match names.iter().position(|x| x == n) {
            Some(i) => values.get(i).cloned()?,
            None if ties.contains(n) => kth.clone()?,
            None => return None,
        };
        let rank = values.iter().position(|x| *x == v)?;
        Some((rank, value_text(&v)))
    };
    let mut last = 0;
    let mut in_order = true;
    let mut values_ok = !got.is_empty() || names.is_empty();
    for item in &facts.items {
        let name = item.name.to_ascii_uppercase();
        if let Some((rank, value)) = rank_of(&name) {
            if rank < last {
                in_order = false;
            }
            last = last.max(rank);
            if !detail_states(item.detail.as_deref(), &value) {
                if values_ok {
                    o.missed.push(format!(
                        "{name}: value {value}, detail {:?}",
                        item.detail.as_deref().unwrap_or_default()
                    ));
                }
                values_ok = false;
            }
        }
    }
    if !in_order {
        o.missed.push(format!("out of order: {}", got.join(", ")));
    }
    o.checks.push(("order", in_order && !got.is_empty()));
    o.checks.push(("values", values_ok));
    let want: HashSet<String> = names.iter().cloned().collect();
    let allowed: HashSet<String> = names.iter().chain(ties).cloned().collect();
    let got_set: HashSet<String> = got.iter().cloned().collect();
    let mut gone: Vec<&String> = want.difference(&got_set).collect();
    gone.sort();
    o.missed.extend(gone.into_iter().take(5).cloned());
    let mut extra: Vec<&String> = got_set.difference(&allowed).collect();
    extra.sort();
    o.missed
        .extend(extra.into_iter().take(3).map(|e| format!("+{e}")));
    o
}

/// Whether `chain` is a longest chain of the truth: one of its chains; or, when the
/// truth listed as many as its cap (it may have left some out), a chain of the length
/// that repeats no program, starts where every listed chain starts when the question
/// names that start, and makes only calls that some listed chain makes.
pub(crate) fn chain_right(
    chain: &[String],
    truth: &[Vec<String>],
    length: usize,
    question: &str,
) -> Result<(), String> {
    if truth.iter().any(|c| c.as_slice() == chain) {
        return Ok(());
    }
    if chain.len() != length + 1 {
        return Err(format!(
            "chain of {} calls, the longest has {length}",
            chain.len().saturating_sub(1)
        ));
    }
    if truth.len() < CHAIN_CAP {
        return Err(format!("not a chain of the truth: {}", chain.join(" > ")));
    }
    let distinct: HashSet<&String> = chain.iter().collect();
    if distinct.len() != chain.len() {
        return Err("repeats a program".into());
    }
    let starts: HashSet<&String> = truth.iter().filter_map(|c| c.first()).collect();
    if let (1, Some(start)) = (starts.len(), starts.iter().next())
        && has_word(question, start)
        && chain.first() != Some(*start)
    {
        return Err(format!("does not start at {start}"));
    }
    let edges: HashSet<(&String, &String)> = truth
        .iter()
        .flat_map(|c| c.windows(2).map(|w| (&w[0], &w[1])))
        .collect();
    match chain.windows(2).find(|w| !edges.contains(&(&w[0], &w[1]))) {
        Some(w) => Err(format!(
            "call {} > {} not confirmed by the truth",
            w[0], w[1]
        )),
        None => Ok(()),
    }
}

pub(crate) fn chain_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let truth = chains_in(&q.expected);
    let length = q.expected["length"].as_u64().unwrap_or(0) as usize;
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let mut o = Outcome::default();
    let grouped: Vec<&FactItem> = facts
        .items
        .iter()
        .filter(|i| group_of(i) == "chain")
        .collect();
    let chain: Vec<String> = if grouped.is_empty() {
        facts
            .items
            .iter()
            .map(|i| i.name.to_ascii_uppercase())
            .collect()
    } else {
        grouped
            .iter()
            .map(|i| i.name.to_ascii_uppercase())
            .collect()
    };
    let right = chain_right(&chain, &truth, length, &q.text);
    let ok = f64::from(u8::from(right.is_ok()));
    o.recall = Some(ok);
    o.precision = (!chain.is_empty()).then_some(ok);
    o.checks.push(("length", chain.len() == length + 1));
    if let Err(why) = right {
        o.missed.push(why);
    }
    o
}

fn impact_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let e = &q.expected;
    let want: HashSet<(u64, String)> = e["levels"]
        .as_object()
        .map(|levels| {
            levels
                .iter()
                .filter_map(|(level, names)| Some((level.parse().ok()?, names)))
                .flat_map(|(level, names)| {
                    names
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(move |n| (level, upper(n)))
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let got = numbered_names(facts, "level");
    let mut o = Outcome::scored(&got, &want, |(l, n)| format!("{n}@{l}"));
    // Evidence: each first-level file is proven by a line the truth found too.
    let mut lines_by_file: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (file, line) in e["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(site)
    {
        lines_by_file.entry(file).or_default().push(line);
    }
    if !lines_by_file.is_empty() {
        let proven = |file: &str, line: u32| {
            facts.items.iter().any(|i| i.file == file && i.line == line)
                || facts
                    .evidence
                    .iter()
                    .any(|ev| ev.file == file && ev.line <= line && line <= ev.end_line)
        };
        let unproven: Vec<&String> = lines_by_file
            .iter()
            .filter(|(file, lines)| !lines.iter().any(|l| proven(file, *l)))
            .map(|(file, _)| file)
            .collect();
        if !unproven.is_empty() {
            o.missed.push(format!(
                "no evidence line for {}",
                first_few(unproven.iter().copied(), 3)
            ));
        }
        o.checks.push(("evidence", unproven.is_empty()));
    }
    o
}

/// Upper-case, single-spaced.
fn label_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

fn menu_options_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let options = q.expected["options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let want: HashSet<(u64, String)> = options
        .iter()
        .filter_map(|o| Some((o["number"].as_u64()?, upper(&o["program"]))))
        .collect();
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let got = numbered_names(facts, "option");
    let mut o = Outcome::scored(&got, &want, |(n, p)| format!("{n}:{p}"));
    let labelled: Vec<(u64, String)> = options
        .iter()
        .filter_map(|o| Some((o["number"].as_u64()?, label_text(o["label"].as_str()?))))
        .collect();
    if !labelled.is_empty() {
        let wrong: Vec<String> = labelled
            .iter()
            .filter(|(number, label)| {
                !facts.items.iter().any(|i| {
                    group_number(i, "option") == Some(*number)
                        && i.detail.as_deref().map(label_text).as_deref() == Some(label.as_str())
                })
            })
            .map(|(number, label)| format!("option {number} label {label:?}"))
            .collect();
        o.checks.push(("labels", wrong.is_empty()));
        o.missed.extend(wrong.into_iter().take(3));
    }
    o
}

fn menu_path_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let want_order = names_in(&q.expected, "names");
    let want: HashSet<String> = want_order.iter().cloned().collect();
    let mut o = names_outcome(q, a, &want);
    if let Some(facts) = a.facts {
        let got = ordered_names(facts.items.iter());
        let in_order = got == want_order;
        if !in_order {
            o.missed.push(format!("path {}", got.join(" > ")));
        }
        o.checks.push(("path order", in_order));
    }
    // The text gives the option to choose at each step.
    let stated = numbers(a.text);
    let steps: Vec<u64> = q.expected["path"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["number"].as_u64())
        .collect();
    let all = steps.iter().all(|n| stated.contains(n));
    if !all {
        o.missed
            .push(format!("option numbers {steps:?} not all in the text"));
    }
    o.checks.push(("option numbers in text", all));
    o
}

fn crud_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let files = q.expected["files"].as_object().cloned().unwrap_or_default();
    let want: HashSet<String> = files.keys().map(|f| f.to_ascii_uppercase()).collect();
    let mut o = names_outcome(q, a, &want);
    let Some(facts) = a.facts else {
        return o;
    };
    let ops_of = |file: &str| -> BTreeSet<String> {
        facts
            .items
            .iter()
            .filter(|i| i.name.eq_ignore_ascii_case(file))
            .filter_map(|i| i.detail.as_deref())
            .flat_map(|d| d.split([',', ';']).map(label_text).collect::<Vec<_>>())
            .filter(|op| !op.is_empty())
            .collect()
    };
    let mut ok = true;
    for (file, ops) in &files {
        let want_ops: BTreeSet<String> = ops
            .as_array()
            .into_iter()
            .flatten()
            .map(|op| label_text(op.as_str().unwrap_or_default()))
            .collect();
        let got_ops = ops_of(file);
        if got_ops != want_ops {
            if ok {
                o.missed
                    .push(format!("{file}: {got_ops:?}, truth {want_ops:?}"));
            }
            ok = false;
        }
    }
    o.checks.push(("operations", ok));
    o
}

fn cycles_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let want: HashSet<String> = names_in(&q.expected, "names").into_iter().collect();
    let mut o = names_outcome(q, a, &want);
    let Some(facts) = a.facts else {
        return o;
    };
    if let Some(cycles) = q.expected["cycles"].as_array() {
        let mut want_groups: Vec<BTreeSet<String>> = cycles
            .iter()
            .map(|c| c.as_array().into_iter().flatten().map(upper).collect())
            .collect();
        want_groups.sort();
        let mut by_group: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in &facts.items {
            by_group
                .entry(group_of(item))
                .or_default()
                .insert(item.name.to_ascii_uppercase());
        }
        let mut got_groups: Vec<BTreeSet<String>> = by_group
            .iter()
            .filter(|(g, _)| g.starts_with("cycle"))
            .map(|(_, names)| names.clone())
            .collect();
        got_groups.sort();
        let want_self: BTreeSet<String> = names_in(&q.expected, "self_calls").into_iter().collect();
        let got_self = by_group.get("calls itself").cloned().unwrap_or_default();
        let ok = got_groups == want_groups && got_self == want_self;
        if !ok {
            o.missed
                .push(format!("cycles {got_groups:?} / self {got_self:?}"));
        }
        o.checks.push(("cycle groups", ok));
    }
    o
}

/// Honest absence: the answer says the name is absent (a `not found` note naming it,
/// or, for a statement kind nobody uses, an empty count or list) and names nothing that
/// does not exist.
fn absence_outcome(q: &Question, a: &Answer<'_>, known: &Known) -> Outcome {
    let absent = upper(&q.expected["absent"]);
    let near: HashSet<String> = names_in(&q.expected, "near").into_iter().collect();
    let facts = a.facts;
    let not_found = facts
        .and_then(|f| f.note(Note::NotFound))
        .is_some_and(|n| n.trim().eq_ignore_ascii_case(&absent));
    let empty_list = q.expected["count"].as_u64() == Some(0)
        && facts.is_some_and(|f| {
            matches!(f.kind.as_str(), "count" | "list")
                && f.items.iter().all(|i| group_of(i) == "near")
        });
    let mut o = Outcome {
        recall: Some(f64::from(u8::from(not_found || empty_list))),
        ..Outcome::default()
    };
    if !(not_found || empty_list) {
        o.missed.push(format!("does not say {absent} is absent"));
    }
    // Nothing invented: every name the facts or the text give exists.
    let asked: HashSet<String> = upper_words(&q.text).map(str::to_owned).collect();
    let name_like = |w: &str| w.len() >= 4 && w != absent && !asked.contains(w);
    let honest = |names: Vec<String>, o: &mut Outcome| -> f64 {
        let names: BTreeSet<String> = names.into_iter().filter(|w| name_like(w)).collect();
        let invented: Vec<&String> = names.iter().filter(|w| !known.exists(w)).collect();
        if !invented.is_empty() {
            o.missed.push(format!(
                "invented {}",
                first_few(invented.iter().copied(), 5)
            ));
        }
        if names.is_empty() {
            1.0
        } else {
            (names.len() - invented.len()) as f64 / names.len() as f64
        }
    };
    let item_names: Vec<String> = names_of(facts).into_iter().collect();
    o.precision = Some(honest(item_names, &mut o));
    let text_words: Vec<String> = upper_words(a.text).map(str::to_owned).collect();
    o.text_precision = Some(honest(text_words, &mut o));
    let text_says = has_word(a.text, &absent) && says_no(a.text);
    if !text_says {
        o.missed
            .push(format!("the text does not say {absent} is absent"));
    }
    o.text_recall = Some(f64::from(u8::from(text_says)));
    if !near.is_empty() {
        let offered = names_of(facts).intersection(&near).count() > 0;
        o.checks.push(("near names", offered));
    }
    o
}

/// The earlier kinds, scored as before.
fn earlier_outcome(kind: &str, expected: &Value, a: &Answer<'_>) -> Option<Outcome> {
    let facts = a.facts;
    let mut missed = Vec::new();
    Some(match kind {
        "purpose" | "used_for" => {
            let want = expected["description"].as_str().unwrap_or_default();
            let ok = !want.is_empty() && normal(a.text).contains(&normal(want));
            if !ok {
                missed.push(format!("description {want:?}"));
            }
            Outcome {
                recall: Some(f64::from(u8::from(ok))),
                missed,
                ..Outcome::default()
            }
        }
        "business_process" => {
            let want = names_in(expected, "names");
            let top = expected["top_k"].as_u64().unwrap_or(5) as usize;
            let got: Vec<String> = facts
                .map(|f| {
                    f.items
                        .iter()
                        .take(top)
                        .map(|i| i.name.to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            let found = want.iter().filter(|w| got.contains(w)).count();
            missed.extend(want.iter().filter(|w| !got.contains(w)).cloned());
            Outcome {
                recall: Some(if want.is_empty() {
                    0.0
                } else {
                    found as f64 / want.len() as f64
                }),
                missed,
                ..Outcome::default()
            }
        }
        "data_definition" | "data_usage" => {
            let want: HashSet<(String, u32)> = expected["sites"]
                .as_array()
                .map(|a| a.iter().filter_map(site).collect())
                .unwrap_or_default();
            let got: HashSet<(String, u32)> = facts
                .map(|f| f.items.iter().map(|i| (i.file.clone(), i.line)).collect())
                .unwrap_or_default();
            let (recall, precision) = score(&got, &want);
            let mut gone: Vec<_> = want.difference(&got).collect();
            gone.sort();
            missed.extend(gone.iter().take(5).map(|(f, l)| format!("{f}:{l}")));
            Outcome {
                recall: Some(if facts.is_none() { 0.0 } else { recall }),
                precision,
                missed,
                ..Outcome::default()
            }
        }
        "flow" | "screen_flow" => {
            // The steps or screens a correct answer must contain, and a diagram.
            let want: HashSet<String> = names_in(expected, "names").into_iter().collect();
            let got = names_of(facts);
            let (recall, _) = score(&got, &want);
            let mut gone: Vec<_> = want.difference(&got).cloned().collect();
            gone.sort();
            missed.extend(gone.into_iter().take(5));
            let drawn = a.drawn;
            if !drawn {
                missed.push("no diagram".into());
            }
            Outcome {
                recall: Some(if drawn { recall } else { 0.0 }),
                missed,
                ..Outcome::default()
            }
        }
        _ => return None,
    })
}

/// Scores one answer from its facts, then its text, then its counts.
pub(crate) fn judge(q: &Question, a: &Answer<'_>, known: &Known) -> Outcome {
    let e = &q.expected;
    let mut o = if q.kind == "absence" {
        absence_outcome(q, a, known)
    } else if let Some(o) = earlier_outcome(&q.kind, e, a) {
        o
    } else if q.kind == "data_item_for" {
        data_item_outcome(q, a, known)
    } else if q.kind == "also_in" {
        also_in_outcome(q, a)
    } else if q.kind == "section_does" {
        section_outcome(q, a)
    } else if q.kind == "call_chain" {
        chain_outcome(q, a)
    } else if q.kind == "impact" {
        impact_outcome(q, a)
    } else if q.is_ranking() {
        ranking_outcome(q, a)
    } else if e["options"].is_array() {
        menu_options_outcome(q, a)
    } else if e["path"].is_array() {
        menu_path_outcome(q, a)
    } else if e["files"].is_object() {
        crud_outcome(q, a)
    } else if e["cycles"].is_array() {
        cycles_outcome(q, a)
    } else {
        let want: HashSet<String> = names_in(e, "names").into_iter().collect();
        if e["names_omitted"].as_bool() == Some(true) {
            // The truth gives the count only; facts names are not measured.
            Outcome::default()
        } else {
            names_outcome(q, a, &want)
        }
    };
    if q.kind != "absence" && text_scored(&q.kind) {
        text_outcome(q, a, known, &mut o);
    }
    count_outcome(q, a, &mut o);
    o
}

/// Issue 18: the names a person reads. Recall: expected names in the text as whole
/// words; precision: of the names the text lists ([`listed_names`]), those expected.
/// Not measured for "how many" questions (their text is scored by its count) nor, for
/// recall, for lists longer than [`TEXT_LIST_LIMIT`].
fn text_outcome(q: &Question, a: &Answer<'_>, known: &Known, o: &mut Outcome) {
    let e = &q.expected;
    // What a section does quotes its comment and, after its lists, its statements:
    // evidence, not lists.
    let unquoted;
    let text = match q.kind.as_str() {
        "section_does" => {
            unquoted = without_quoted_comment(a.text.split("```").next().unwrap_or_default());
            unquoted.as_str()
        }
        _ => a.text,
    };
    if q.kind == "data_usage" {
        let (want, got) = usage_sites(e, text, known);
        let (recall, precision) = score(&got, &want);
        o.text_recall = Some(recall);
        o.text_precision = precision;
        if recall < 0.999 {
            let mut gone: Vec<_> = want.difference(&got).collect();
            gone.sort();
            o.missed.push(format!(
                "text lacks {}",
                gone.iter()
                    .take(3)
                    .map(|(f, l)| format!("{f}:{l}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return;
    }
    if q.asks_how_many() || e["names_omitted"].as_bool() == Some(true) {
        return;
    }
    let mut want: HashSet<String> = names_in(e, "names").into_iter().collect();
    let chains = chains_in(e);
    let mut subjects: HashSet<String> = upper_words(&q.text).map(str::to_owned).collect();
    // A follow-up's list keeps the filters of the questions it refines.
    subjects.extend(
        q.asked_before
            .iter()
            .flat_map(|t| upper_words(t))
            .map(str::to_owned),
    );
    subjects.extend(a.subject.map(str::to_ascii_uppercase));
    subjects.extend(
        a.facts
            .and_then(|f| f.subject.as_ref())
            .map(|s| s.to_ascii_uppercase()),
    );
    let ties = names_in(e, "ties");
    let mut tolerated: HashSet<String> = ties.iter().cloned().collect();
    // Unresolved call targets may be shown with the programs that call them.
    if let Some(callers) = e["callers"].as_object() {
        tolerated.extend(
            callers
                .values()
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }
    if !chains.is_empty() {
        // Any longest chain is right: read the text against the one it names most of,
        // and tolerate the programs of the others.
        let words: HashSet<&str> = upper_words(text).collect();
        if let Some(best) = chains
            .iter()
            .max_by_key(|c| c.iter().filter(|n| words.contains(n.as_str())).count())
        {
            want = best.iter().cloned().collect();
        }
        tolerated.extend(chains.iter().flatten().cloned());
    }
    let classes = universe(&q.kind, e, &want, known);
    let in_universe = |w: &str| tolerated.contains(w) || classes.iter().any(|c| known.has(*c, w));
    let got = listed_names(text, &in_universe, &want, &subjects);
    let (recall, precision) = if q.is_ranking() {
        let got: Vec<String> = got.iter().cloned().collect();
        Ranking::of(e).score(&got)
    } else {
        let counted: HashSet<String> = got
            .iter()
            .filter(|n| want.contains(*n) || !tolerated.contains(*n))
            .cloned()
            .collect();
        score(&counted, &want)
    };
    let long = want.len().max(e["count"].as_u64().unwrap_or(0) as usize) > TEXT_LIST_LIMIT;
    o.text_recall = (!long).then_some(recall);
    o.text_precision = precision;
    if recall < 0.999 && !long {
        let mut gone: Vec<&String> = want.difference(&got).collect();
        gone.sort();
        o.missed.push(format!(
            "text lacks {} of {} ({}{})",
            gone.len(),
            want.len(),
            first_few(gone.iter().copied(), 4),
            if gone.len() > 4 { ", ..." } else { "" }
        ));
    }
    if precision.is_some_and(|p| p < 0.999) {
        let mut extra: Vec<&String> = got
            .iter()
            .filter(|n| !want.contains(*n) && !tolerated.contains(*n))
            .collect();
        extra.sort();
        o.missed.push(format!(
            "text also names {}",
            first_few(extra.iter().copied(), 4)
        ));
    }
}

/// Every count the truth gives (`count`, and `matching` for a query with a limit) must
/// be the facts' note (`count` / `matching`) and a number the text states. The note is
/// required for count, list, ranking and impact answers; for the others (fields, CRUD,
/// cycles, options) the number of items stands in when there is no note; a `not found`
/// note counts as 0.
fn count_outcome(q: &Question, a: &Answer<'_>, o: &mut Outcome) {
    let Some(want) = q.expected["count"].as_u64() else {
        return;
    };
    let facts = a.facts;
    let strict = q.types.as_ref().is_some_and(|t| {
        t.iter()
            .any(|t| matches!(*t, "count" | "list" | "ranking" | "impact"))
    });
    let got = facts.and_then(|f| {
        note_number(f, Note::Count)
            .or_else(|| f.note(Note::NotFound).map(|_| 0))
            .or_else(|| (!strict).then_some(f.items.len() as u64))
    });
    let text = a.text;
    // A ranking that lists the names tied at its cut whole counts them too.
    let ties = q.expected["ties"].as_array().map_or(0, Vec::len) as u64;
    let with_ties = want + ties;
    let mut ok = (got == Some(want) && states_number(text, want))
        || (ties > 0 && got == Some(with_ties) && states_number(text, with_ties));
    if !ok {
        o.missed.push(format!(
            "count {want}: facts {}, text {}",
            got.map_or("none".to_owned(), |g| g.to_string()),
            if states_number(text, want) {
                "states it"
            } else {
                "does not state it"
            }
        ));
    }
    if let Some(matching) = q.expected["matching"].as_u64() {
        let got = facts.and_then(|f| note_number(f, Note::Matching));
        let right = got == Some(matching) && states_number(text, matching);
        if !right {
            o.missed.push(format!(
                "matching {matching}: facts {}",
                got.map_or("none".to_owned(), |g| g.to_string())
            ));
        }
        ok &= right;
    }
    o.count_exact = Some(ok);
}

/// What a section does (issue 18 item 3): the procedures it performs or goes to, from
/// facts (the text is read by [`text_outcome`]), and its file named in the text.
fn section_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let want: HashSet<String> = names_in(&q.expected, "names").into_iter().collect();
    let got: HashSet<String> = facts
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.group,
                Some(ItemGroup::Fixed(FixedGroup::Performs | FixedGroup::GoesTo))
            )
        })
        .map(|i| i.name.to_ascii_uppercase())
        .collect();
    let mut o = Outcome::scored(&got, &want, String::clone);
    let file = q.expected["file"].as_str().unwrap_or_default();
    let named = !file.is_empty() && a.text.contains(file);
    o.checks.push(("file named", named));
    if !named {
        o.missed.push(format!("file {file} not named"));
    }
    o
}

/// (file, line) pairs.
type Sites = HashSet<(String, u32)>;

/// The lines a truth says name a data item (`sites`), and the lines `text` gives, the
/// definition's (`defined_in`) left out; files upper case.
fn usage_sites(e: &Value, text: &str, known: &Known) -> (Sites, Sites) {
    let upper_site = |(f, l): (String, u32)| (f.to_ascii_uppercase(), l);
    let want = e["sites"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(site)
        .map(upper_site)
        .collect();
    let defined = site(&e["defined_in"]).map(upper_site);
    let got = text_sites(text, known)
        .into_iter()
        .map(upper_site)
        .filter(|s| Some(s) != defined.as_ref())
        .collect();
    (want, got)
}

/// What a data item is for (issue 18 item 4): its definition in facts; in the text, the
/// record it sits in (and the FD above that record) and every line that names it.
fn data_item_outcome(q: &Question, a: &Answer<'_>, known: &Known) -> Outcome {
    let e = &q.expected;
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let defined = site(&e["defined_in"]);
    let found = defined.as_ref().is_some_and(|(f, l)| {
        facts
            .items
            .iter()
            .any(|i| i.file.eq_ignore_ascii_case(f) && i.line == *l)
    });
    let mut o = Outcome {
        recall: Some(f64::from(u8::from(found))),
        ..Outcome::default()
    };
    if !found {
        o.missed.push("definition not in facts".into());
    }
    // The record's line says where the record is and what it describes (an FD's line):
    // context, not lines that name the item.
    let uses: String = a
        .text
        .lines()
        .filter(|l| !l.starts_with("It sits in the record") && !l.starts_with("It describes"))
        .collect::<Vec<_>>()
        .join("\n");
    let (want, got) = usage_sites(e, &uses, known);
    let names = names_in(e, "names");
    let unnamed: Vec<&String> = names.iter().filter(|n| !has_word(a.text, n)).collect();
    let lines_found = want.intersection(&got).count();
    let total = names.len() + want.len();
    o.text_recall = Some(if total == 0 {
        1.0
    } else {
        (names.len() - unnamed.len() + lines_found) as f64 / total as f64
    });
    o.text_precision = score(&got, &want).1;
    o.missed
        .extend(unnamed.iter().map(|n| format!("text lacks {n}")));
    let mut gone: Vec<_> = want.difference(&got).collect();
    gone.sort();
    o.missed.extend(
        gone.iter()
            .take(3)
            .map(|(f, l)| format!("text lacks {f}:{l}")),
    );
    o
}

/// `text` without the comment a procedure answer quotes (`Its comment says: "..."`).
fn without_quoted_comment(text: &str) -> String {
    const SAYS: &str = "Its comment says: \"";
    match text.find(SAYS) {
        Some(at) => {
            let rest = &text[at + SAYS.len()..];
            let end = rest.find('"').map_or(rest.len(), |e| e + 1);
            format!("{}{}", &text[..at], &rest[end..])
        }
        None => text.to_owned(),
    }
}

/// The file paths a text names (`LIBUP/A15SRC/GB01RC.CPY`), upper case.
fn paths_in(text: &str) -> HashSet<String> {
    text.split(|c: char| c.is_whitespace() || ",;()[]\"'`".contains(c))
        .map(|t| t.trim_end_matches(['.', ':']).to_ascii_uppercase())
        .filter(|t| t.contains('/') && (t.ends_with(".CPY") || t.ends_with(".CBL")))
        .collect()
}

/// Where a member kept in several folders is defined (issue 18 item 5): every file of
/// the member, from facts (the answer's file and its also-in note) and from the text,
/// with the definition stated first and the others as copies.
fn also_in_outcome(q: &Question, a: &Answer<'_>) -> Outcome {
    let e = &q.expected;
    let Some(facts) = a.facts else {
        return Outcome::no_facts();
    };
    let definition = e["definition"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let copies: Vec<String> = names_in(e, "also_in");
    let want: HashSet<String> = std::iter::once(definition.clone())
        .chain(copies.iter().cloned())
        .collect();
    let mut got: HashSet<String> = facts.file.iter().map(|f| f.to_ascii_uppercase()).collect();
    if let Some(note) = facts.note(Note::AlsoIn) {
        got.extend(paths_in(note));
    }
    let mut o = Outcome::scored(&got, &want, String::clone);
    let (recall, precision) = score(&paths_in(a.text), &want);
    o.text_recall = Some(recall);
    o.text_precision = precision;
    let first = a
        .text
        .lines()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let first_ok = first.contains(&definition) && !copies.iter().any(|c| first.contains(c));
    o.checks.push(("definition first", first_ok));
    if !first_ok {
        o.missed
            .push(format!("first line does not name {definition} alone"));
    }
    o
}
