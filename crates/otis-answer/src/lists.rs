//! Lists as answers write them: items grouped (by library, directory, verb, level, ...),
//! one `- **group** (count): names` bullet per group, whole up to [`LIST_LIMIT`] items,
//! with the `[n]` citation of each group's first cited item.

use std::collections::BTreeMap;

use otis_core::ports::{CodeFacts, Evidence, FactItem, QuestionKind};

/// Lists up to this long are written whole; longer ones show each group's count and
/// its first [`EXAMPLES`] names, and the complete list stays in the record's `facts`.
pub(crate) const LIST_LIMIT: usize = 500;
/// Names shown per group of a list past [`LIST_LIMIT`].
const EXAMPLES: usize = 25;

/// The `[n]` of the evidence that covers `file:line`, when cited.
pub(crate) fn cite(evidence: &[Evidence], file: &str, line: u32) -> Option<String> {
    evidence
        .iter()
        .position(|e| e.file == file && e.line <= line && line <= e.end_line)
        .map(|i| format!(" [{}]", i + 1))
}

/// Items grouped by their `group`, groups in order of first appearance.
pub(crate) fn groups(items: &[FactItem]) -> Vec<(String, Vec<&FactItem>)> {
    groups_by(items, |i| {
        i.group
            .as_ref()
            .map(|g| g.as_str().to_owned())
            .unwrap_or_default()
    })
}

/// Items grouped by `key`, groups in order of first appearance.
pub(crate) fn groups_by(
    items: &[FactItem],
    key: impl Fn(&FactItem) -> String,
) -> Vec<(String, Vec<&FactItem>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Vec<&FactItem>> = BTreeMap::new();
    for item in items {
        let group = key(item);
        if !by.contains_key(&group) {
            order.push(group.clone());
        }
        by.entry(group).or_default().push(item);
    }
    order
        .into_iter()
        .map(|g| {
            let items = by.remove(&g).unwrap_or_default();
            (g, items)
        })
        .collect()
}

pub(crate) fn shown(item: &FactItem, with_detail: bool) -> String {
    match (&item.detail, with_detail) {
        (Some(detail), true) => format!("{} ({detail})", item.name),
        _ => item.name.clone(),
    }
}

/// One bullet per group, `- **group** (count): names`: every name while the whole list
/// has at most [`LIST_LIMIT`], else the first [`EXAMPLES`] of each group. Each group cites
/// its first cited item. Copybooks are grouped by library and role.
pub(crate) fn grouped(facts: &CodeFacts, with_detail: bool) -> String {
    let by_role = facts.kind == QuestionKind::Copybooks && with_detail;
    let groups = if by_role {
        groups_by(&facts.items, |i| {
            let library = i.group.as_ref().map(|g| g.as_str()).unwrap_or("other");
            match &i.detail {
                Some(role) => format!("{library}, {role}"),
                None => library.to_owned(),
            }
        })
    } else {
        groups(&facts.items)
    };
    bullets(facts, &groups, with_detail && !by_role)
}

/// The bullets of `groups` (see [`grouped`]).
pub(crate) fn bullets(
    facts: &CodeFacts,
    groups: &[(String, Vec<&FactItem>)],
    with_detail: bool,
) -> String {
    let total: usize = groups.iter().map(|(_, items)| items.len()).sum();
    let whole = total <= LIST_LIMIT;
    let mut out = String::new();
    for (group, items) in groups {
        let citation = items
            .iter()
            .find_map(|i| cite(&facts.evidence, &i.file, i.line))
            .unwrap_or_default();
        let label = if group.is_empty() { "other" } else { group };
        let take = if whole { items.len() } else { EXAMPLES };
        let names: Vec<String> = items
            .iter()
            .take(take)
            .map(|i| shown(i, with_detail))
            .collect();
        let more = items.len().saturating_sub(names.len());
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "- **{label}** ({}): {}{tail}{citation}\n",
            items.len(),
            names.join(", ")
        ));
    }
    if !whole {
        out.push_str(&format!(
            "\nThe complete list of {total} is in the answer record (`facts`; `otis ask -v` prints it).\n"
        ));
    }
    out
}
