//! Tallies of the outcomes by kind and the report: the table, the targets of issues 17
//! and 18, follow-ups, times, the index build and the answers short of full marks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use otis_core::AskResponse;

use crate::known::Known;
use crate::scoring::Outcome;
use crate::truth::Question;
use crate::{Asked, Build};

/// Targets of issues 17 and 18: per kind, recall and precision (facts and text).
const TARGET_SHARE: f64 = 0.95;

/// Target of issue 17: each kind's answer time in process, p50.
const TARGET_P50_MS: f64 = 20.0;

/// A mean over the answers that measured it.
#[derive(Default)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            self.sum += v;
            self.n += 1;
        }
    }

    fn value(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    fn cell(&self) -> String {
        self.value()
            .map_or("–".to_owned(), |v| format!("{:.1}%", 100.0 * v))
    }

    fn merge(&mut self, other: &Mean) {
        self.sum += other.sum;
        self.n += other.n;
    }
}

#[derive(Default)]
pub(crate) struct Tally {
    questions: usize,
    recall: Mean,
    precision: Mean,
    text_recall: Mean,
    text_precision: Mean,
    /// Counts exact, of those checked.
    counts: (usize, usize),
    /// Further checks by name: passed, of those made.
    checks: BTreeMap<&'static str, (usize, usize)>,
    /// Recognised, of the questions that have a type.
    typed: (usize, usize),
    /// The question types that recognise its questions.
    types: BTreeSet<&'static str>,
    times: Vec<f64>,
    misses: Vec<String>,
}

impl Tally {
    pub(crate) fn add(
        &mut self,
        q: &Question,
        response: Option<&AskResponse>,
        o: &Outcome,
        ms: f64,
    ) {
        self.questions += 1;
        self.recall.add(o.recall);
        self.precision.add(o.precision);
        self.text_recall.add(o.text_recall);
        self.text_precision.add(o.text_precision);
        if let Some(ok) = o.count_exact {
            self.counts.0 += usize::from(ok);
            self.counts.1 += 1;
        }
        for (name, ok) in &o.checks {
            let c = self.checks.entry(name).or_default();
            c.0 += usize::from(*ok);
            c.1 += 1;
        }
        if let Some(types) = &q.types {
            self.types.extend(types.iter().copied());
            self.typed.1 += 1;
            if response.is_some_and(|r| types.contains(&r.question_type.as_str())) {
                self.typed.0 += 1;
            }
        }
        self.times.push(ms);
        if !o.full_marks() {
            let part = |label: &str, v: Option<f64>| {
                v.filter(|v| *v < 0.999)
                    .map(|v| format!("; {label} {v:.2}"))
                    .unwrap_or_default()
            };
            self.misses.push(format!(
                "`{}` ({}{}{}{}{}): {}",
                q.text,
                response.map_or("no answer", |r| r.question_type.as_str()),
                part("recall", o.recall),
                part("precision", o.precision),
                part("text recall", o.text_recall),
                part("text precision", o.text_precision),
                o.missed.join(", ")
            ));
        }
    }

    fn p50(&self) -> f64 {
        let mut t = self.times.clone();
        t.sort_by(f64::total_cmp);
        percentile(&t, 0.5)
    }

    fn recognised(&self) -> String {
        if self.typed.1 == 0 {
            return "n/a (any)".to_owned();
        }
        let types: Vec<&str> = self.types.iter().copied().collect();
        format!("{}/{} ({})", self.typed.0, self.typed.1, types.join(", "))
    }

    fn checks_cell(&self) -> String {
        if self.checks.is_empty() {
            return "–".to_owned();
        }
        self.checks
            .iter()
            .map(|(name, (ok, n))| format!("{name} {ok}/{n}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What falls short of the issues' targets.
    fn short_of_targets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (label, mean) in [
            ("recall", &self.recall),
            ("precision", &self.precision),
            ("text recall", &self.text_recall),
            ("text precision", &self.text_precision),
        ] {
            if mean.value().is_some_and(|v| v < TARGET_SHARE) {
                out.push(format!("{label} {}", mean.cell()));
            }
        }
        if self.counts.0 < self.counts.1 {
            out.push(format!("counts {}/{}", self.counts.0, self.counts.1));
        }
        for (name, (ok, n)) in &self.checks {
            if ok < n {
                out.push(format!("{name} {ok}/{n}"));
            }
        }
        if self.p50() > TARGET_P50_MS {
            out.push(format!("p50 {:.1} ms", self.p50()));
        }
        out
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// The figures after the corpus line: the table by kind, the targets, follow-ups,
/// times, the build, the flow timing and the answers short of full marks.
pub(crate) fn report(
    out: &mut String,
    asked: &Asked,
    build: &Build,
    known: &Known,
    (flow_program, flow_times): &(Option<(String, u32, usize)>, Vec<f64>),
) {
    let Asked {
        tallies,
        times,
        follow_ups,
    } = asked;
    let _ = writeln!(
        out,
        "Facts: the answer record's `facts`; text: the answer a person reads (issue 18). Recall and precision are means over the questions that measure them (– none). Targets (issues 17 and 18): recall and precision >= {:.0}% per kind, facts and text; every count exact; answer time p50 <= {TARGET_P50_MS:.0} ms per kind.\n",
        100.0 * TARGET_SHARE
    );
    let _ = writeln!(
        out,
        "| kind | questions | kind recognised | facts recall | facts precision | text recall | text precision | counts exact | other checks | p50 ms |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut all = Tally::default();
    for (kind, t) in tallies {
        let counts = if t.counts.1 > 0 {
            format!("{}/{}", t.counts.0, t.counts.1)
        } else {
            "–".to_owned()
        };
        let _ = writeln!(
            out,
            "| {kind} | {} | {} | {} | {} | {} | {} | {counts} | {} | {:.2} |",
            t.questions,
            t.recognised(),
            t.recall.cell(),
            t.precision.cell(),
            t.text_recall.cell(),
            t.text_precision.cell(),
            t.checks_cell(),
            t.p50()
        );
        all.questions += t.questions;
        all.recall.merge(&t.recall);
        all.precision.merge(&t.precision);
        all.text_recall.merge(&t.text_recall);
        all.text_precision.merge(&t.text_precision);
        all.counts.0 += t.counts.0;
        all.counts.1 += t.counts.1;
        all.typed.0 += t.typed.0;
        all.typed.1 += t.typed.1;
    }
    let _ = writeln!(
        out,
        "| **all** | {} | {}/{} | **{}** | **{}** | **{}** | **{}** | {}/{} | | {:.2} |\n",
        all.questions,
        all.typed.0,
        all.typed.1,
        all.recall.cell(),
        all.precision.cell(),
        all.text_recall.cell(),
        all.text_precision.cell(),
        all.counts.0,
        all.counts.1,
        percentile(times, 0.5)
    );
    let short: Vec<String> = tallies
        .iter()
        .filter_map(|(kind, t)| {
            let s = t.short_of_targets();
            (!s.is_empty()).then(|| format!("{kind} ({})", s.join(", ")))
        })
        .collect();
    if short.is_empty() {
        let _ = writeln!(out, "Every kind meets the targets.\n");
    } else {
        let _ = writeln!(out, "Short of the targets: {}.\n", short.join("; "));
    }
    let _ = writeln!(
        out,
        "Follow-ups answered fully (asked in the session of the question they follow: \"it\", \"those\"): {}/{}.\n",
        follow_ups.1, follow_ups.0
    );
    let _ = writeln!(
        out,
        "Answer time in process (resolve, facts, search, answer, memory write): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} questions.\n",
        percentile(times, 0.5),
        percentile(times, 0.95),
        times.last().copied().unwrap_or(0.0),
        times.len()
    );
    let _ = writeln!(
        out,
        "Index build of this corpus from scratch: {:.2} s, {} files read, {} chunks, peak RSS {:.0} MB; reopening the index (manifest and code model): {:.0} ms. Names the scorer read from the code model: {}.\n",
        build.seconds,
        build.report.indexed,
        build.report.chunks,
        build.rss_kb as f64 / 1024.0,
        build.open_ms,
        known.summary()
    );
    if let Some((name, lines, nodes)) = &flow_program {
        let _ = writeln!(
            out,
            "Flow and SVG of the largest program ({name}, {lines} lines; {nodes} steps in the graph), built in process by the code model: p50 {:.1} ms, max {:.1} ms over {} runs.\n",
            percentile(flow_times, 0.5),
            flow_times.last().copied().unwrap_or(0.0),
            flow_times.len()
        );
    }
    let misses: usize = tallies.values().map(|t| t.misses.len()).sum();
    if misses > 0 {
        let _ = writeln!(
            out,
            "Answers short of full marks ({misses}; at most 3 per kind):\n"
        );
        for t in tallies.values() {
            for m in t.misses.iter().take(3) {
                let _ = writeln!(out, "- {m}");
            }
        }
    }
}
