//! A [`CorpusQuery`] against the store: the things of its entity, kept by each filter
//! (one store query per filter), measured for thresholds and order, sorted and cut.
//! Each kept thing carries the line that proves the first filter it passed.

use std::collections::{HashMap, HashSet};

use otis_core::corpus::{
    CorpusQuery, Entity, Feature, FileAccess, Filter, Measure, NameMatch, Order, Statement,
};

use super::graph::CallGraph;
use super::things::{self, Thing};
use crate::link::Linked;
use crate::names::normalise;

/// What a query selected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Selection {
    /// The things listed, in order, each with its measured value when ordered or counted.
    pub(crate) things: Vec<(Thing, Option<i64>)>,
    /// How many matched before the limit.
    pub(crate) matching: usize,
    /// Filters the entity cannot be asked (said in the answer, never silently dropped).
    pub(crate) unsupported: Vec<String>,
    /// The measure the query asks of the things (`CorpusQuery::total`): their sum, or
    /// the highest value when it does not add up; `None` when the entity has no such
    /// measure.
    pub(crate) total: Option<i64>,
}

fn u(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// How a filter keeps things.
enum Keep {
    /// Things whose file is one of these (with the file and line that prove it).
    Files(HashMap<u32, (u32, u32)>),
    /// Things of these names.
    Names(HashSet<String>),
    /// A test of each thing.
    Test(Box<dyn Fn(&Thing) -> bool>),
    /// The filter does not apply to this entity.
    Unsupported,
}

impl Keep {
    fn holds(&self, t: &Thing) -> bool {
        match self {
            Keep::Files(ids) => ids.contains_key(&t.file_id),
            Keep::Names(names) => names.contains(&t.name),
            Keep::Test(f) => f(t),
            Keep::Unsupported => true,
        }
    }

    fn proof(&self, t: &Thing) -> Option<(u32, u32)> {
        match self {
            Keep::Files(ids) => ids.get(&t.file_id).copied(),
            _ => None,
        }
    }
}

fn files_of<P: rusqlite::Params>(
    link: &Linked<'_>,
    query: &str,
    params: P,
) -> HashMap<u32, (u32, u32)> {
    let mut out = HashMap::new();
    for (id, file, line) in link.list(query, params, |r| {
        Ok((u(r.get(0)?), u(r.get(1)?), u(r.get(2)?)))
    }) {
        out.entry(id).or_insert((file, line));
    }
    out
}

fn names_of(link: &Linked<'_>, query: &str) -> HashSet<String> {
    link.list(query, [], |r| r.get::<_, String>(0))
        .into_iter()
        .collect()
}

/// Programs whose own code, or a procedure copybook they copy, holds `stmt`; copybooks
/// whose own text does.
fn uses(link: &Linked<'_>, entity: Entity, stmt: Statement) -> Keep {
    match entity {
        Entity::Programs | Entity::Menus => Keep::Files(files_of(
            link,
            "SELECT s.file_id, s.file_id, s.first_line FROM statements s \
             JOIN files f ON f.id = s.file_id WHERE s.kind = ?1 AND f.kind = 'program' \
             UNION ALL \
             SELECT cl.program_id, s.file_id, s.first_line FROM copy_closure cl \
             JOIN statements s ON s.file_id = cl.copybook_id \
             WHERE s.kind = ?1 AND cl.in_procedure = 1",
            [stmt.label()],
        )),
        Entity::Copybooks => Keep::Files(files_of(
            link,
            "SELECT file_id, file_id, first_line FROM statements WHERE kind = ?1",
            [stmt.label()],
        )),
        _ => Keep::Unsupported,
    }
}

fn has(link: &Linked<'_>, entity: Entity, feature: Feature) -> Keep {
    let own = match feature {
        Feature::FileDescription => "SELECT file_id AS id, file_id, line FROM file_descriptions",
        Feature::ScreenSection => {
            "SELECT file_id AS id, file_id, line FROM data_sections \
             WHERE kind = 'SCREEN SECTION'"
        }
        Feature::LinkageSection => {
            "SELECT file_id AS id, file_id, line FROM data_sections \
             WHERE kind = 'LINKAGE SECTION'"
        }
        Feature::Level88 => "SELECT file_id AS id, file_id, line FROM data_items WHERE level = 88",
        _ => return Keep::Unsupported,
    };
    match entity {
        Entity::Programs | Entity::Menus => {
            // Its own file, or any copybook it copies.
            let query = format!(
                "SELECT x.id, x.file_id, min(x.line) FROM ({own}) x \
                 JOIN files f ON f.id = x.id WHERE f.kind = 'program' \
                 GROUP BY x.id \
                 UNION ALL \
                 SELECT cl.program_id, x.file_id, min(x.line) FROM copy_closure cl \
                 JOIN ({own}) x ON x.id = cl.copybook_id GROUP BY cl.program_id, x.file_id"
            );
            Keep::Files(files_of(link, &query, []))
        }
        Entity::Copybooks => {
            let query = format!("SELECT id, file_id, min(line) FROM ({own}) GROUP BY id");
            Keep::Files(files_of(link, &query, []))
        }
        _ => Keep::Unsupported,
    }
}

fn copies(link: &Linked<'_>, entity: Entity, member: &str) -> Keep {
    match entity {
        Entity::Programs | Entity::Menus => Keep::Files(files_of(
            link,
            "SELECT c.file_id, c.file_id, c.line FROM copies c JOIN files f ON f.id = c.file_id \
             WHERE c.member = ?1 AND f.kind = 'program' \
             UNION ALL \
             SELECT cl.program_id, c.file_id, c.line FROM copy_closure cl \
             JOIN copies c ON c.file_id = cl.copybook_id WHERE c.member = ?1",
            [member],
        )),
        Entity::Copybooks => Keep::Files(files_of(
            link,
            "SELECT file_id, file_id, line FROM copies WHERE member = ?1",
            [member],
        )),
        _ => Keep::Unsupported,
    }
}

fn calls(link: &Linked<'_>, entity: Entity, target: &str) -> Keep {
    match entity {
        Entity::Programs | Entity::Menus => Keep::Files(files_of(
            link,
            "SELECT program_id, file_id, coalesce(set_line, line) FROM program_calls \
             WHERE target = ?1",
            [target],
        )),
        Entity::Copybooks => Keep::Files(files_of(
            link,
            "SELECT file_id, file_id, line FROM calls WHERE target = ?1 AND kind <> 'runtime'",
            [target],
        )),
        _ => Keep::Unsupported,
    }
}

/// Things written in `member`'s own file: its program file (or, for a copybook, its
/// files), not the copybooks it copies.
fn defined_in(link: &Linked<'_>, member: &str) -> Keep {
    let files = link.member_files(member);
    let programs: Vec<u32> = files
        .iter()
        .copied()
        .filter(|&f| link.is_program(f))
        .collect();
    let own: HashSet<u32> = if programs.is_empty() {
        files.into_iter().collect()
    } else {
        programs.into_iter().collect()
    };
    Keep::Test(Box::new(move |t: &Thing| own.contains(&t.file_id)))
}

/// Menu options that run `program`, menus with such an option, programs that call it.
fn runs(link: &Linked<'_>, entity: Entity, program: &str) -> Keep {
    match entity {
        Entity::MenuOptions => {
            let program = program.to_owned();
            Keep::Test(Box::new(move |t: &Thing| t.name == program))
        }
        Entity::Menus => {
            let mut out = HashMap::new();
            for m in things::menus(link) {
                if let Some(o) = m
                    .options
                    .iter()
                    .find(|o| o.program.as_deref() == Some(program))
                {
                    out.insert(m.file_id, (m.file_id, o.line));
                }
            }
            Keep::Files(out)
        }
        _ => calls(link, entity, program),
    }
}

/// Programs that do `access` to `file` (any file when `None`), shown at the first such
/// statement.
fn accesses(link: &Linked<'_>, entity: Entity, file: Option<&str>, access: FileAccess) -> Keep {
    if !matches!(entity, Entity::Programs | Entity::Menus) {
        return Keep::Unsupported;
    }
    let ops = super::files::program_ops(link);
    let mut out = HashMap::new();
    for (program, list) in ops {
        if let Some(op) = list
            .iter()
            .find(|op| file.is_none_or(|f| op.file == f) && super::files::is_access(&op.op, access))
        {
            out.insert(program, (op.at, op.line));
        }
    }
    Keep::Files(out)
}

/// What `filter` keeps of `entity`.
fn keep(link: &Linked<'_>, entity: Entity, filter: &Filter, graph: &mut Option<CallGraph>) -> Keep {
    match filter {
        Filter::Name(m) => {
            let m = m.clone();
            Keep::Test(Box::new(move |t: &Thing| match &m {
                NameMatch::Contains(s) => t.name.contains(s.as_str()),
                NameMatch::StartsWith(s) => t.name.starts_with(s.as_str()),
                NameMatch::EndsWith(s) => t.name.ends_with(s.as_str()),
                NameMatch::Exactly(s) => t.name == *s,
            }))
        }
        Filter::In(dir) => {
            let dir = dir.trim_matches('/').to_ascii_uppercase();
            let screens = entity == Entity::Screens;
            // A library is its own folder ("LIBUP" is not "LIBUP/A15SRC", which holds
            // old copies); a folder with no files of its own holds its sub-folders.
            let exact = matches!(entity, Entity::Copybooks)
                && !link
                    .list(
                        "SELECT 1 FROM files WHERE upper(folder) = ?1 LIMIT 1",
                        [dir.as_str()],
                        |r| r.get::<_, i64>(0),
                    )
                    .is_empty();
            Keep::Test(Box::new(move |t: &Thing| {
                let path = t.path.to_ascii_uppercase();
                if screens {
                    return t.place.eq_ignore_ascii_case(&dir)
                        || path.contains(&format!("/{dir}/"));
                }
                let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
                folder == dir || (!exact && folder.starts_with(&format!("{dir}/")))
            }))
        }
        Filter::Uses(stmt) => uses(link, entity, *stmt),
        Filter::Has(feature) => has(link, entity, *feature),
        Filter::Copies(member) => copies(link, entity, &normalise(member)),
        Filter::DefinedIn(member) => defined_in(link, &normalise(member)),
        Filter::Runs(program) => runs(link, entity, &normalise(program)),
        Filter::Calls(target) => calls(link, entity, &normalise(target)),
        Filter::CalledBy(caller) => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            Keep::Names(g.callees(&normalise(caller)).into_iter().collect())
        }
        Filter::Reaches(target) => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            Keep::Names(g.reaching(&normalise(target)))
        }
        Filter::SelfCalling => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            Keep::Names(g.self_calling())
        }
        Filter::InCycle => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            Keep::Names(g.cycles().into_iter().flatten().collect())
        }
        Filter::NeverCopied => match entity {
            Entity::Copybooks => {
                let copied: HashSet<u32> = link
                    .list(
                        "SELECT DISTINCT target_id FROM copies WHERE target_id IS NOT NULL",
                        [],
                        |r| Ok(u(r.get(0)?)),
                    )
                    .into_iter()
                    .collect();
                Keep::Test(Box::new(move |t: &Thing| !copied.contains(&t.file_id)))
            }
            _ => Keep::Unsupported,
        },
        Filter::NeverPerformed => match entity {
            Entity::Sections | Entity::Paragraphs => {
                let named = names_of(
                    link,
                    "SELECT target FROM performs UNION SELECT thru FROM performs \
                     WHERE thru IS NOT NULL",
                );
                Keep::Test(Box::new(move |t: &Thing| !named.contains(&t.name)))
            }
            _ => Keep::Unsupported,
        },
        Filter::NeverReferenced => match entity {
            Entity::DataItems => {
                let named = names_of(link, "SELECT name FROM names");
                Keep::Test(Box::new(move |t: &Thing| !named.contains(&t.name)))
            }
            _ => Keep::Unsupported,
        },
        Filter::Orphan if entity == Entity::Screens => {
            // A screen nothing loads: no program of its name is in the corpus.
            let programs: HashSet<String> = link
                .list("SELECT member FROM files WHERE kind = 'program'", [], |r| {
                    r.get::<_, String>(0)
                })
                .into_iter()
                .collect();
            Keep::Test(Box::new(move |t: &Thing| !programs.contains(&t.name)))
        }
        Filter::Orphan => match entity {
            Entity::Programs | Entity::Menus => {
                let called = match graph {
                    Some(g) => g.called_by_others(),
                    None => CallGraph::called_by_others_in(link),
                };
                let handed = names_of(
                    link,
                    "SELECT DISTINCT t.target FROM transfers t JOIN files f ON f.id = t.file_id \
                     WHERE t.target <> f.member",
                );
                let run_by_menus: HashSet<String> = things::menus(link)
                    .into_iter()
                    .flat_map(|m| m.options.into_iter().filter_map(|o| o.program))
                    .collect();
                Keep::Test(Box::new(move |t: &Thing| {
                    !called.contains(&t.name)
                        && !handed.contains(&t.name)
                        && !run_by_menus.contains(&t.name)
                }))
            }
            _ => Keep::Unsupported,
        },
        Filter::Unresolved | Filter::CallsUnresolved => match entity {
            Entity::Programs | Entity::Menus => {
                let g = graph.get_or_insert_with(|| CallGraph::load(link));
                let missing: HashSet<String> = things::unresolved_targets(link)
                    .into_iter()
                    .map(|t| t.name)
                    .collect();
                Keep::Names(
                    g.programs()
                        .into_iter()
                        .filter(|p| g.callees(p).iter().any(|c| missing.contains(c)))
                        .collect(),
                )
            }
            Entity::CallTargets if *filter == Filter::Unresolved => Keep::Test(Box::new(|_| true)),
            _ => Keep::Unsupported,
        },
        Filter::Leaf => match entity {
            Entity::Menus => {
                let menus = things::menus(link);
                let names: HashSet<String> = menus.iter().map(|m| m.name.clone()).collect();
                Keep::Names(
                    menus
                        .iter()
                        .filter(|m| {
                            !m.options
                                .iter()
                                .any(|o| o.program.as_ref().is_some_and(|p| names.contains(p)))
                        })
                        .map(|m| m.name.clone())
                        .collect(),
                )
            }
            _ => Keep::Unsupported,
        },
        Filter::NeverWritten => match entity {
            Entity::Files => {
                let written = super::files::written_files(link);
                Keep::Test(Box::new(move |t: &Thing| !written.contains(&t.name)))
            }
            _ => Keep::Unsupported,
        },
        Filter::Accesses(file, access) => accesses(link, entity, Some(&normalise(file)), *access),
        Filter::AccessesAny(access) => accesses(link, entity, None, *access),
        Filter::RevisedSince(day) => {
            if !matches!(entity, Entity::Programs | Entity::Copybooks | Entity::Menus) {
                return Keep::Unsupported;
            }
            Keep::Files(files_of(
                link,
                "SELECT file_id, file_id, line FROM revisions \
                 WHERE date IS NOT NULL AND date >= ?1 ORDER BY date DESC",
                [day.as_str()],
            ))
        }
        Filter::Written { from, until } => {
            if !matches!(entity, Entity::Programs | Entity::Copybooks | Entity::Menus) {
                return Keep::Unsupported;
            }
            Keep::Files(files_of(
                link,
                "SELECT id, id, coalesce(description_line, 1) FROM files \
                 WHERE date_written_iso IS NOT NULL \
                 AND (?1 IS NULL OR date_written_iso >= ?1) \
                 AND (?2 IS NULL OR date_written_iso < ?2)",
                rusqlite::params![from, until],
            ))
        }
        Filter::Count(measure, cmp, n) => {
            let values = measure_of(link, entity, *measure, None, graph);
            match values {
                Some(values) => {
                    let (cmp, n) = (*cmp, *n);
                    Keep::Test(Box::new(move |t: &Thing| {
                        let v = values(t).unwrap_or(0);
                        cmp.holds(u64::try_from(v).unwrap_or(0), n)
                    }))
                }
                None => Keep::Unsupported,
            }
        }
        Filter::AnyOf(options) => {
            let keeps: Vec<Keep> = options
                .iter()
                .map(|f| keep(link, entity, f, graph))
                .filter(|k| !matches!(k, Keep::Unsupported))
                .collect();
            if keeps.is_empty() {
                return Keep::Unsupported;
            }
            Keep::Test(Box::new(move |t: &Thing| keeps.iter().any(|k| k.holds(t))))
        }
        Filter::Not(inner) => {
            let inner = keep(link, entity, inner, graph);
            if matches!(inner, Keep::Unsupported) {
                return Keep::Unsupported;
            }
            Keep::Test(Box::new(move |t: &Thing| !inner.holds(t)))
        }
    }
}

type Values = Box<dyn Fn(&Thing) -> Option<i64>>;

fn by_file(link: &Linked<'_>, query: &str) -> HashMap<u32, i64> {
    link.list(query, [], |r| Ok((u(r.get(0)?), r.get::<_, i64>(1)?)))
        .into_iter()
        .collect()
}

/// Each thing's value of `measure` (`None` when the entity has no such measure).
fn measure_of(
    link: &Linked<'_>,
    entity: Entity,
    measure: Measure,
    uses: Option<Statement>,
    graph: &mut Option<CallGraph>,
) -> Option<Values> {
    let file_measure = |query: &str| -> Values {
        let values = by_file(link, query);
        Box::new(move |t: &Thing| values.get(&t.file_id).copied())
    };
    let files = matches!(
        entity,
        Entity::Programs | Entity::Copybooks | Entity::Menus | Entity::Screens
    );
    let programs = matches!(entity, Entity::Programs | Entity::Menus);
    Some(match measure {
        Measure::Lines if files => file_measure("SELECT id, lines FROM files"),
        Measure::Complexity if files => file_measure("SELECT id, decisions + 1 FROM files"),
        Measure::IfDepth if files => file_measure("SELECT id, if_depth FROM files"),
        Measure::Users if entity == Entity::Copybooks => file_measure(
            "SELECT copybook_id, count(DISTINCT program_id) FROM copy_closure GROUP BY copybook_id",
        ),
        Measure::Callers if programs || entity == Entity::CallTargets => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            let counts = g.caller_counts();
            Box::new(move |t: &Thing| Some(counts.get(&t.name).copied().unwrap_or(0)))
        }
        Measure::Callees if programs => {
            let g = graph.get_or_insert_with(|| CallGraph::load(link));
            let counts: HashMap<String, i64> = g
                .programs()
                .into_iter()
                .map(|p| {
                    let n = i64::try_from(g.callees(&p).len()).unwrap_or(i64::MAX);
                    (p, n)
                })
                .collect();
            Box::new(move |t: &Thing| Some(counts.get(&t.name).copied().unwrap_or(0)))
        }
        Measure::Options if entity == Entity::Menus => {
            let counts: HashMap<String, i64> = things::menus(link)
                .into_iter()
                .map(|m| {
                    let n = m.options.iter().filter(|o| o.program.is_some()).count();
                    (m.name, i64::try_from(n).unwrap_or(i64::MAX))
                })
                .collect();
            Box::new(move |t: &Thing| counts.get(&t.name).copied())
        }
        Measure::Fields if entity == Entity::Screens => {
            file_measure("SELECT file_id, count(*) FROM form_fields GROUP BY file_id")
        }
        Measure::Paragraphs if files => file_measure(
            "SELECT file_id, count(*) FROM procedures WHERE kind = 'paragraph' GROUP BY file_id",
        ),
        Measure::Sections if files => file_measure(
            "SELECT file_id, count(*) FROM procedures WHERE kind = 'section' GROUP BY file_id",
        ),
        Measure::DataItems if files => {
            file_measure("SELECT file_id, count(*) FROM data_items GROUP BY file_id")
        }
        Measure::Statements if files => {
            let stmt = uses?;
            let own = by_file(
                link,
                &format!(
                    "SELECT file_id, count FROM statements WHERE kind = '{}'",
                    stmt.label().replace('\'', "''")
                ),
            );
            Box::new(move |t: &Thing| own.get(&t.file_id).copied())
        }
        _ => return None,
    })
}

/// The value an order sorts by.
fn order_values(
    link: &Linked<'_>,
    query: &CorpusQuery,
    graph: &mut Option<CallGraph>,
) -> Option<Values> {
    let uses = query.filters.iter().find_map(|f| match f {
        Filter::Uses(s) => Some(*s),
        _ => None,
    });
    match query.order? {
        Order::Most(m) | Order::Least(m) => measure_of(link, query.entity, m, uses, graph),
        Order::RecentlyRevised => {
            let dates: HashMap<u32, i64> = link
                .list(
                    "SELECT file_id, max(date) FROM revisions WHERE date IS NOT NULL \
                     GROUP BY file_id",
                    [],
                    |r| Ok((u(r.get(0)?), r.get::<_, String>(1)?)),
                )
                .into_iter()
                .filter_map(|(f, d)| Some((f, d.replace('-', "").parse::<i64>().ok()?)))
                .collect();
            Some(Box::new(move |t: &Thing| dates.get(&t.file_id).copied()))
        }
        Order::Name => None,
    }
}

/// Runs `query`.
pub(crate) fn select(link: &Linked<'_>, query: &CorpusQuery) -> Selection {
    let mut graph = None;
    // Each thing with the file and line of its first proof.
    let mut things: Vec<(Thing, Option<(u32, u32)>)> = things::all(link, query.entity)
        .into_iter()
        .map(|t| (t, None))
        .collect();
    // Fan-in counts programs whose source is not in the corpus too: a program called by
    // a hundred others matters whether or not its source is here.
    let fan_in = |f: &Filter| matches!(f, Filter::Count(Measure::Callers, _, _));
    let about_callers_only = query
        .filters
        .iter()
        .all(|f| fan_in(f) || matches!(f, Filter::Name(_)));
    if query.entity == Entity::Programs
        && about_callers_only
        && (query.order == Some(Order::Most(Measure::Callers)) || query.filters.iter().any(fan_in))
    {
        things.extend(
            things::unresolved_targets(link)
                .into_iter()
                .map(|t| (t, None)),
        );
    }
    let mut unsupported = Vec::new();
    for filter in &query.filters {
        let k = keep(link, query.entity, filter, &mut graph);
        if matches!(k, Keep::Unsupported) {
            unsupported.push(otis_core::corpus::describe_filter(filter));
            continue;
        }
        things.retain_mut(|(t, proof)| {
            let held = k.holds(t);
            if held && proof.is_none() {
                *proof = k.proof(t);
            }
            held
        });
    }
    let uses = query.filters.iter().find_map(|f| match f {
        Filter::Uses(s) => Some(*s),
        _ => None,
    });
    // Without an order, each thing carries the measure asked of it.
    let values = match (query.order, query.total) {
        (None, Some(m)) => measure_of(link, query.entity, m, uses, &mut graph),
        _ => order_values(link, query, &mut graph),
    };
    let asked = match query.total {
        Some(m) if query.order.is_some() => measure_of(link, query.entity, m, uses, &mut graph),
        _ => None,
    };
    let mut valued: Vec<(Thing, Option<i64>)> = things
        .into_iter()
        .map(|(mut t, proof)| {
            // Shown at the line that proves why it is listed.
            if let Some((file, line)) = proof {
                if file != t.file_id {
                    t.path = link.row(file).path.clone();
                    t.file_id = file;
                }
                t.line = line;
            }
            let v = values.as_ref().and_then(|f| f(&t));
            (t, v)
        })
        .collect();
    match query.order {
        Some(Order::Most(_)) | Some(Order::RecentlyRevised) => {
            if query.order == Some(Order::RecentlyRevised) {
                valued.retain(|(_, v)| v.is_some());
            }
            valued.sort_by(|a, b| {
                b.1.unwrap_or(0)
                    .cmp(&a.1.unwrap_or(0))
                    .then_with(|| a.0.name.cmp(&b.0.name))
            });
        }
        Some(Order::Least(_)) => valued.sort_by(|a, b| {
            a.1.unwrap_or(0)
                .cmp(&b.1.unwrap_or(0))
                .then_with(|| a.0.name.cmp(&b.0.name))
        }),
        Some(Order::Name) => valued.sort_by(|a, b| a.0.name.cmp(&b.0.name)),
        None => {}
    }
    // Files are counted per declaration (a SELECT in each program that declares it),
    // but "files nobody writes" is about files, by name. A ranked copybook is its member:
    // its copies in other folders are not listed again.
    let by_name = (query.entity == Entity::Files
        && query
            .filters
            .iter()
            .any(|f| matches!(f, Filter::NeverWritten)))
        || (query.entity == Entity::Copybooks && query.order.is_some());
    if by_name {
        let mut seen = HashSet::new();
        valued.retain(|(t, _)| seen.insert(t.name.clone()));
    }
    let total = query.total.and_then(|m| {
        let each: Vec<i64> = if query.order.is_some() {
            let f = asked.as_ref()?;
            valued.iter().map(|(t, _)| f(t).unwrap_or(0)).collect()
        } else {
            values.as_ref()?;
            valued.iter().map(|(_, v)| v.unwrap_or(0)).collect()
        };
        Some(if otis_core::corpus::additive(m) {
            each.iter().sum()
        } else {
            each.iter().copied().max().unwrap_or(0)
        })
    });
    let matching = valued.len();
    if let Some(limit) = query.limit {
        // A tie at the cut is listed whole: "the most used copybook" is every copybook
        // used by that many programs, never one of them picked by name.
        let ranked = matches!(
            query.order,
            Some(Order::Most(_) | Order::Least(_) | Order::RecentlyRevised)
        );
        let mut cut = limit.min(valued.len());
        if ranked && cut > 0 {
            let last = valued[cut - 1].1;
            while valued.get(cut).is_some_and(|(_, v)| *v == last) {
                cut += 1;
            }
        }
        valued.truncate(cut);
        // "The programs that call the most others" are not the ones that call none.
        if matches!(query.order, Some(Order::Most(_))) {
            valued.retain(|(_, v)| v.unwrap_or(0) > 0);
        }
    }
    Selection {
        things: valued,
        matching,
        unsupported,
        total,
    }
}
