//! The call graph of the corpus: programs and the programs they call (in their own code
//! or the copybooks they copy), with callers, cycles, reachability and the longest chain.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::link::Linked;

/// Simple paths explored at most when the graph has cycles (the answer says when the
/// search stopped there).
const PATH_BUDGET: usize = 2_000_000;

/// Who calls whom.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallGraph {
    /// Program files' members.
    programs: BTreeSet<String>,
    /// Caller -> callees (distinct, sorted), with the first site (file id, line).
    edges: BTreeMap<String, BTreeMap<String, (u32, u32)>>,
}

/// A longest chain, and whether the search over a graph with cycles was cut short.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Chain {
    pub(crate) programs: Vec<String>,
    /// The file and line of each call on the chain.
    pub(crate) sites: Vec<(u32, u32)>,
    /// How many chains have that length.
    pub(crate) ties: usize,
    pub(crate) exhaustive: bool,
}

impl CallGraph {
    pub(crate) fn load(link: &Linked<'_>) -> Self {
        let mut graph = Self::default();
        let members: HashMap<u32, String> = link
            .list(
                "SELECT id, member FROM files WHERE kind = 'program'",
                [],
                |r| {
                    Ok((
                        u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        r.get::<_, String>(1)?,
                    ))
                },
            )
            .into_iter()
            .collect();
        graph.programs.extend(members.values().cloned());
        // Each caller's calls (files of one member together), the first site of each
        // target by call line, then file; gathered unsorted, so the store sorts nothing.
        let mut by_member: HashMap<&str, BTreeMap<String, (u32, u32, u32)>> = HashMap::new();
        for (program, target, file, line, shown) in link.list(
            "SELECT program_id, target, file_id, line, coalesce(set_line, line) \
             FROM program_calls",
            [],
            |r| {
                let n = |i: usize| -> rusqlite::Result<u32> {
                    Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
                };
                Ok((n(0)?, r.get::<_, String>(1)?, n(2)?, n(3)?, n(4)?))
            },
        ) {
            let Some(caller) = members.get(&program) else {
                continue;
            };
            let first = by_member
                .entry(caller.as_str())
                .or_default()
                .entry(target)
                .or_insert((line, file, shown));
            if (line, file) < (first.0, first.1) {
                *first = (line, file, shown);
            }
        }
        for (caller, targets) in by_member {
            graph.edges.insert(
                caller.to_owned(),
                targets
                    .into_iter()
                    .map(|(t, (_, file, shown))| (t, (file, shown)))
                    .collect(),
            );
        }
        graph
    }

    /// Program files' members, sorted.
    pub(crate) fn programs(&self) -> Vec<String> {
        self.programs.iter().cloned().collect()
    }

    /// Distinct programs `caller` calls, sorted.
    pub(crate) fn callees(&self, caller: &str) -> Vec<String> {
        self.edges
            .get(caller)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The site of the first call from `caller` to `target`.
    pub(crate) fn site(&self, caller: &str, target: &str) -> Option<(u32, u32)> {
        self.edges.get(caller)?.get(target).copied()
    }

    /// Distinct programs (other than itself) that call each program.
    pub(crate) fn callers(&self) -> HashMap<String, BTreeSet<String>> {
        let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (caller, targets) in &self.edges {
            for target in targets.keys() {
                if target != caller {
                    out.entry(target.clone())
                        .or_default()
                        .insert(caller.clone());
                }
            }
        }
        out
    }

    pub(crate) fn caller_counts(&self) -> HashMap<String, i64> {
        self.callers()
            .into_iter()
            .map(|(k, v)| (k, i64::try_from(v.len()).unwrap_or(i64::MAX)))
            .collect()
    }

    pub(crate) fn called_by_others(&self) -> HashSet<String> {
        self.callers().into_keys().collect()
    }

    /// What [`CallGraph::called_by_others`] gives, read from the store without loading the
    /// graph: each call site once (a call in a copybook counts when some program copying it
    /// is not the target), not once per program that copies it.
    pub(crate) fn called_by_others_in(link: &Linked<'_>) -> HashSet<String> {
        link.list(
            "SELECT DISTINCT c.target FROM calls c JOIN files f ON f.id = c.file_id \
             WHERE c.kind <> 'runtime' AND ( \
               (f.kind = 'program' AND c.target <> f.member) \
               OR EXISTS (SELECT 1 FROM copy_closure cl JOIN files p ON p.id = cl.program_id \
                          WHERE cl.copybook_id = c.file_id AND p.member <> c.target))",
            [],
            |r| r.get::<_, String>(0),
        )
        .into_iter()
        .collect()
    }

    pub(crate) fn self_calling(&self) -> HashSet<String> {
        self.edges
            .iter()
            .filter(|(caller, targets)| targets.contains_key(*caller))
            .map(|(caller, _)| caller.clone())
            .collect()
    }

    /// Programs that reach `target` through calls (transitively), not counting itself
    /// unless it is on a cycle.
    pub(crate) fn reaching(&self, target: &str) -> HashSet<String> {
        let callers = self.callers();
        let mut seen = HashSet::new();
        let mut stack = vec![target.to_owned()];
        while let Some(at) = stack.pop() {
            for c in callers.get(&at).into_iter().flatten() {
                if seen.insert(c.clone()) {
                    stack.push(c.clone());
                }
            }
        }
        seen
    }

    /// The call paths from `from` to `to` that repeat no program, at most `max_hops` calls
    /// each, shortest first (then by name); and whether the search was complete (it stops
    /// after [`PATH_BUDGET`] steps). Only programs that reach `to` are followed.
    pub(crate) fn paths(&self, from: &str, to: &str, max_hops: usize) -> (Vec<Vec<String>>, bool) {
        let useful = {
            let mut r = self.reaching(to);
            r.insert(to.to_owned());
            r
        };
        let mut out: Vec<Vec<String>> = Vec::new();
        if !useful.contains(from) || from == to {
            return (out, true);
        }
        let mut steps = 0usize;
        let mut path: Vec<String> = vec![from.to_owned()];
        // For each program on the path, the callees still to try.
        let mut work: Vec<Vec<String>> = vec![self.next_towards(from, &useful)];
        while let Some(next) = work.last_mut() {
            steps += 1;
            if steps > PATH_BUDGET {
                return (sorted_paths(out), false);
            }
            let Some(callee) = next.pop() else {
                work.pop();
                path.pop();
                continue;
            };
            if path.contains(&callee) {
                continue;
            }
            if callee == to {
                let mut found = path.clone();
                found.push(callee);
                out.push(found);
                continue;
            }
            if path.len() < max_hops {
                work.push(self.next_towards(&callee, &useful));
                path.push(callee);
            }
        }
        (sorted_paths(out), true)
    }

    /// The callees of `caller` among `useful`, in reverse name order (popped first by
    /// name).
    fn next_towards(&self, caller: &str, useful: &HashSet<String>) -> Vec<String> {
        let mut next: Vec<String> = self
            .callees(caller)
            .into_iter()
            .filter(|c| useful.contains(c))
            .collect();
        next.reverse();
        next
    }

    /// Strongly connected sets of two or more programs that call each other, each
    /// sorted, the sets sorted (Tarjan's algorithm, iterative).
    pub(crate) fn cycles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&String> = self.edges.keys().collect();
        let index_of: HashMap<&String, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let succ: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| {
                self.edges[*n]
                    .keys()
                    .filter_map(|t| index_of.get(t).copied())
                    .collect()
            })
            .collect();
        let n = nodes.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next = 0;
        let mut out = Vec::new();
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&mut (v, ref mut i)) = work.last_mut() {
                if *i == 0 {
                    index[v] = next;
                    low[v] = next;
                    next += 1;
                    stack.push(v);
                    on_stack[v] = true;
                }
                if let Some(&w) = succ[v].get(*i) {
                    *i += 1;
                    if index[w] == usize::MAX {
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(nodes[w].clone());
                        if w == v {
                            break;
                        }
                    }
                    if component.len() >= 2 {
                        component.sort();
                        out.push(component);
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// The longest chain of calls without repeating a program, from `from` when given;
    /// among chains of that length, the first by name. Exact: by dynamic programming when
    /// the graph has no cycle, else by a depth-first search over simple paths, which stops
    /// after [`PATH_BUDGET`] steps (then `exhaustive` is false).
    pub(crate) fn longest_chain(&self, from: Option<&str>) -> Chain {
        // Nodes: every caller and callee, sorted by name.
        let mut names: BTreeSet<&String> = self.edges.keys().collect();
        for targets in self.edges.values() {
            names.extend(targets.keys());
        }
        let names: Vec<&String> = names.into_iter().collect();
        let index: HashMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let succ: Vec<Vec<usize>> = names
            .iter()
            .map(|n| {
                self.edges
                    .get(*n)
                    .map(|t| {
                        t.keys()
                            .filter(|c| c != n)
                            .filter_map(|c| index.get(c).copied())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let starts: Vec<usize> = match from {
            Some(f) => index.get(&f.to_owned()).copied().into_iter().collect(),
            None => (0..names.len()).collect(),
        };
        let acyclic = self.cycles().is_empty();
        let (best, ties, exhaustive) = if acyclic {
            longest_in_dag(&succ, &starts)
        } else {
            longest_by_search(&succ, &starts)
        };
        let programs: Vec<String> = best.iter().map(|&i| names[i].clone()).collect();
        let sites = programs
            .windows(2)
            .filter_map(|w| self.site(&w[0], &w[1]))
            .collect();
        Chain {
            programs,
            sites,
            ties,
            exhaustive,
        }
    }
}

fn sorted_paths(mut paths: Vec<Vec<String>>) -> Vec<Vec<String>> {
    paths.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    paths
}

/// Longest path (in nodes) from any of `starts` in a graph without cycles: the length of
/// the longest path from each node, memoised; ties resolved to the smallest successor.
fn longest_in_dag(succ: &[Vec<usize>], starts: &[usize]) -> (Vec<usize>, usize, bool) {
    let n = succ.len();
    let mut length = vec![0usize; n];
    // Paths of that length from each node (saturating; for the count of ties).
    let mut count = vec![0usize; n];
    let mut done = vec![false; n];
    for &s in starts {
        let mut stack = vec![(s, false)];
        while let Some((v, expanded)) = stack.pop() {
            if done[v] {
                continue;
            }
            if !expanded {
                stack.push((v, true));
                for &w in &succ[v] {
                    if !done[w] {
                        stack.push((w, false));
                    }
                }
                continue;
            }
            let best = succ[v].iter().map(|&w| length[w]).max().unwrap_or(0);
            length[v] = best + 1;
            count[v] = if succ[v].is_empty() {
                1
            } else {
                succ[v]
                    .iter()
                    .filter(|&&w| length[w] == best)
                    .fold(0usize, |a, &w| a.saturating_add(count[w]))
            };
            done[v] = true;
        }
    }
    let Some(&first) = starts
        .iter()
        .max_by(|&&a, &&b| length[a].cmp(&length[b]).then(b.cmp(&a)))
    else {
        return (Vec::new(), 0, true);
    };
    let top = length[first];
    let ties = starts
        .iter()
        .filter(|&&s| length[s] == top)
        .fold(0usize, |a, &s| a.saturating_add(count[s]));
    let mut path = vec![first];
    let mut at = first;
    while let Some(&next) = succ[at]
        .iter()
        .filter(|&&w| length[w] + 1 == length[at])
        .min()
    {
        path.push(next);
        at = next;
    }
    (path, ties, true)
}

/// Longest simple path from any of `starts`, by depth-first search within the budget.
fn longest_by_search(succ: &[Vec<usize>], starts: &[usize]) -> (Vec<usize>, usize, bool) {
    let mut best: Vec<usize> = Vec::new();
    let mut ties = 0usize;
    let mut steps = 0usize;
    let mut on = vec![false; succ.len()];
    for &start in starts {
        let mut path = vec![start];
        on[start] = true;
        let mut work: Vec<usize> = vec![0];
        while let Some(&i) = work.last() {
            steps += 1;
            if steps > PATH_BUDGET {
                for &v in &path {
                    on[v] = false;
                }
                return (best, ties, false);
            }
            let node = path[path.len() - 1];
            match succ[node].iter().skip(i).position(|&w| !on[w]) {
                Some(k) => {
                    let w = succ[node][i + k];
                    if let Some(top) = work.last_mut() {
                        *top = i + k + 1;
                    }
                    on[w] = true;
                    path.push(w);
                    work.push(0);
                }
                None => {
                    if i == 0 || succ[node].is_empty() {
                        // A dead end: the path is a chain.
                        if path.len() > best.len() {
                            best = path.clone();
                            ties = 1;
                        } else if path.len() == best.len() {
                            ties += 1;
                        }
                    }
                    work.pop();
                    if let Some(v) = path.pop() {
                        on[v] = false;
                    }
                }
            }
        }
    }
    (best, ties, true)
}
