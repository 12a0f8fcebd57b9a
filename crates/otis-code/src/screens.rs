//! Screen and menu trees: from a start program down to the leaves, the programs a user
//! reaches by choosing menu options (labelled from the screen forms) and the other screens
//! a program runs through the form name (function keys, sub-screens).
//!
//! The start is the program the question names; otherwise the *main program*: among the
//! menu programs that no program in the corpus calls, the one whose tree reaches the most
//! programs (ties: the name first in order). Transfers (a program handed back to the
//! caller to run next: "second page", "return to the master menu") are part of the tree
//! but do not count when ranking.
//!
//! Depth-limited (default [`DEFAULT_DEPTH`] levels, `depth N` in the question) and
//! cycle-safe: each program is expanded once; a second way to it is an edge, dashed when it
//! leads back up the tree.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};

use otis_core::ports::{
    CodeFacts, CodeQuestion, EdgeKind, FixedGroup, NodeKind, Note, QuestionKind, SymbolKind,
};

use crate::forms::dir_of;
use crate::graph::Builder;
use crate::link::Linked;
use crate::menu::{self, Target, Via};
use crate::names::normalise;
use crate::source::LineSource;

/// Levels of the tree shown when the question does not say.
pub(crate) const DEFAULT_DEPTH: usize = 6;
/// Most programs visited when ranking a candidate main program.
const REACH_LIMIT: usize = 5000;

/// A program a screen leads to.
#[derive(Debug, Clone)]
struct Child {
    target: Target,
    /// The option number and its label and form line, for a menu option.
    option: Option<(u32, Option<(String, u32)>)>,
    /// The file that names it.
    file: u32,
}

/// What a program shows, as far as the tree needs.
#[derive(Debug, Clone)]
struct Screen {
    file: Option<u32>,
    menu: bool,
    /// The menu's `GO TO ... DEPENDING ON` line.
    menu_line: Option<u32>,
    form: Option<(String, Option<String>, Option<u32>)>,
    children: Vec<Child>,
}

struct Tree<'a> {
    link: &'a Linked<'a>,
    cache: HashMap<String, Screen>,
    /// Program files with a `GO TO ... DEPENDING ON` of two targets or more: the only
    /// ones that may be menus (the others' facts need not be read to know).
    depending: HashSet<u32>,
    /// Each menu read once per tree.
    menus: RefCell<HashMap<u32, Option<menu::Menu<'a>>>>,
}

impl<'a> Tree<'a> {
    fn new(link: &'a Linked<'a>) -> Self {
        Self {
            link,
            cache: HashMap::new(),
            depending: link.depending_files().into_iter().collect(),
            menus: RefCell::new(HashMap::new()),
        }
    }

    fn menu_of(&self, f: u32) -> Option<menu::Menu<'a>> {
        if !self.depending.contains(&f) {
            return None;
        }
        self.menus
            .borrow_mut()
            .entry(f)
            .or_insert_with(|| menu::menu_of(self.link, f))
            .clone()
    }

    fn has_form(&self, name: &str, path: Option<&str>) -> bool {
        self.link.form(path.and_then(dir_of), name).is_some()
    }

    fn screen(&mut self, name: &str) -> Screen {
        if let Some(s) = self.cache.get(name) {
            return s.clone();
        }
        let link = self.link;
        let file = link
            .member_files(name)
            .iter()
            .copied()
            .find(|&f| link.is_program(f));
        let mut screen = Screen {
            file,
            menu: false,
            menu_line: None,
            form: None,
            children: Vec::new(),
        };
        let dir = file.map(|f| link.row(f).path.as_str()).and_then(dir_of);
        if let Some(form) = link.form(dir, name) {
            screen.form = Some((
                form.path.clone(),
                form.form.title.clone(),
                form.form.title_line,
            ));
        }
        if let Some(f) = file {
            let mut children: Vec<Child> = Vec::new();
            let keep = |t: &Target, tree: &Self| match t.via {
                Via::Dynamic | Via::Transfer => true,
                // A plain CALL is a screen only when it has a form or is a menu.
                Via::Static => {
                    tree.has_form(&t.name, t.path.as_deref())
                        || tree
                            .link
                            .member_files(&t.name)
                            .iter()
                            .any(|&g| tree.link.is_program(g) && tree.menu_of(g).is_some())
                }
            };
            if let Some(m) = self.menu_of(f) {
                screen.menu = true;
                screen.menu_line = Some(m.line);
                for (o, t) in m.used() {
                    children.push(Child {
                        target: t.clone(),
                        option: Some((o.number, o.label.clone())),
                        file: f,
                    });
                }
                for t in &m.others {
                    if keep(t, self) {
                        children.push(Child {
                            target: t.clone(),
                            option: None,
                            file: f,
                        });
                    }
                }
            } else {
                let mut files = vec![f];
                files.extend(link.included(f).into_iter().map(|(c, _)| c));
                for g in files {
                    for t in menu::targets_of_file(link, g) {
                        if keep(&t, self) {
                            children.push(Child {
                                target: t,
                                option: None,
                                file: g,
                            });
                        }
                    }
                }
            }
            let mut seen = HashSet::new();
            children.retain(|c| c.target.name != name && seen.insert(c.target.name.clone()));
            screen.children = children;
        }
        self.cache.insert(name.to_owned(), screen.clone());
        screen
    }

    /// Programs reachable from `name` through options and calls (not transfers).
    fn reach(&mut self, name: &str, depth: usize) -> usize {
        let mut seen = HashSet::from([name.to_owned()]);
        let mut queue = VecDeque::from([(name.to_owned(), 0usize)]);
        while let Some((at, d)) = queue.pop_front() {
            if d >= depth || seen.len() > REACH_LIMIT {
                continue;
            }
            for c in self.screen(&at).children {
                if c.target.via != Via::Transfer && seen.insert(c.target.name.clone()) {
                    queue.push_back((c.target.name, d + 1));
                }
            }
        }
        seen.len() - 1
    }

    /// The main program: a menu no program calls that reaches the most programs.
    fn main_program(&mut self, depth: usize) -> Option<(String, Vec<(String, usize)>)> {
        let link = self.link;
        let mut depending: Vec<u32> = self.depending.iter().copied().collect();
        depending.sort_by(|&a, &b| link.row(a).path.cmp(&link.row(b).path));
        let menus: Vec<String> = depending
            .into_iter()
            .filter(|&f| self.menu_of(f).is_some())
            .map(|f| link.name(f).to_owned())
            .collect();
        let called = |name: &str| {
            link.call_sites(name)
                .iter()
                .any(|&(f, _)| link.name(f) != name)
        };
        let roots: Vec<&String> = menus.iter().filter(|m| !called(m)).collect();
        let pool: Vec<&String> = if roots.is_empty() {
            menus.iter().collect()
        } else {
            roots
        };
        let mut ranked: Vec<(String, usize)> = pool
            .into_iter()
            .map(|m| (m.clone(), self.reach(m, depth)))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let main = ranked.first()?.0.clone();
        Some((main, ranked))
    }
}

/// The main program: of the menu programs no program calls, the one whose tree reaches
/// the most programs (the application's entry point).
pub(crate) fn main_menu(link: &Linked<'_>) -> Option<String> {
    Tree::new(link)
        .main_program(DEFAULT_DEPTH)
        .map(|(main, _)| main)
}

/// The top menus (menu programs no program calls), the main menu first, then the others
/// by how many programs they reach.
pub(crate) fn top_menus(link: &Linked<'_>) -> Vec<String> {
    Tree::new(link)
        .main_program(DEFAULT_DEPTH)
        .map(|(_, ranked)| ranked.into_iter().map(|(m, _)| m).collect())
        .unwrap_or_default()
}

/// The menu and screen tree that answers `question`.
pub(crate) fn tree(
    link: &Linked<'_>,
    lines: &dyn LineSource,
    question: &CodeQuestion,
) -> Option<CodeFacts> {
    let depth = question.options.depth.unwrap_or(DEFAULT_DEPTH);
    let mut tree = Tree::new(link);
    let named = question
        .subject
        .as_deref()
        .map(normalise)
        .filter(|s| link.member_files(s).iter().any(|&f| link.is_program(f)));
    let (start, ranked) = match named {
        Some(s) => (s, Vec::new()),
        None => tree.main_program(depth)?,
    };
    let root_screen = tree.screen(&start);
    let facts = CodeFacts {
        kind: QuestionKind::ScreenFlow,
        subject: Some(start.clone()),
        subject_kind: Some(SymbolKind::Program),
        file: root_screen.file.map(|f| link.row(f).path.clone()),
        description: root_screen
            .file
            .and_then(|f| link.file(f).facts.header.description.clone()),
        items: Vec::new(),
        notes: Vec::new(),
        evidence: Vec::new(),
        graph: None,
        diagram: None,
    };
    let mut b = Builder::new(link, lines, facts);
    if ranked.is_empty() {
        b.note(Note::Start, "named in the question");
    } else {
        b.note(
            Note::Start,
            "the main program: of the menu programs no program calls, the one that reaches the most programs",
        );
        let others: Vec<String> = ranked
            .iter()
            .skip(1)
            .take(10)
            .map(|(m, n)| format!("{m} ({n})"))
            .collect();
        if !others.is_empty() {
            b.note(Note::OtherTopMenus, others.join(", "));
        }
    }
    b.note(Note::Depth, depth.to_string());

    // Depth-first, so items list the tree in order.
    let root_id = node_id(&start);
    add_node(&mut b, &mut tree, &start, None, None);
    let at = root_screen
        .file
        .map(|f| (link.row(f).path.clone(), 1))
        .unwrap_or_default();
    b.item(
        &start,
        FixedGroup::Start,
        root_screen.form.as_ref().and_then(|f| f.1.clone()),
        at.0,
        at.1,
    );
    let mut expanded: HashSet<String> = HashSet::from([start.clone()]);
    let mut path: Vec<String> = vec![start.clone()];
    expand(
        &mut b,
        &mut tree,
        &start,
        &root_id,
        1,
        depth,
        &mut expanded,
        &mut path,
    );
    b.note(Note::Screens, b.nodes().saturating_sub(1).to_string());
    let returns: Vec<String> = b
        .returns
        .iter()
        .map(|(menu, n)| format!("{n} to {menu}"))
        .collect();
    if !returns.is_empty() {
        b.note(Note::ReturnsToAMenuAbove, returns.join(", "));
    }
    Some(b.finish())
}

fn node_id(name: &str) -> String {
    format!("s:{name}")
}

/// The node of program `name`, labelled with the option label that reached it first, else
/// its screen's title, else its header description.
/// `site` (where a parent names it) is its evidence when the corpus has neither its
/// source nor its form.
fn add_node(
    b: &mut Builder<'_>,
    tree: &mut Tree<'_>,
    name: &str,
    option_label: Option<&str>,
    site: Option<(String, u32)>,
) {
    let link = tree.link;
    let screen = tree.screen(name);
    let title = option_label
        .map(str::to_owned)
        .or_else(|| screen.form.as_ref().and_then(|f| f.1.clone()))
        .or_else(|| {
            screen
                .file
                .and_then(|f| link.file(f).facts.header.description.clone())
        });
    let label = match title {
        Some(t) => format!("{name}\n{t}"),
        None => name.to_owned(),
    };
    let kind = if screen.menu {
        NodeKind::Menu
    } else if screen.form.is_some() {
        NodeKind::Screen
    } else if screen.file.is_some() {
        NodeKind::Program
    } else {
        NodeKind::External
    };
    let at = match (screen.file, &screen.form) {
        (Some(f), _) => Some((link.row(f).path.clone(), 1)),
        (None, Some((path, _, line))) => Some((path.clone(), line.unwrap_or(1))),
        (None, None) => site,
    };
    b.node(&node_id(name), label, kind, at);
    if screen.menu
        && let (Some(f), Some(line)) = (screen.file, screen.menu_line)
    {
        b.cite_in(f, line, line);
    }
}

#[allow(clippy::too_many_arguments)]
fn expand(
    b: &mut Builder<'_>,
    tree: &mut Tree<'_>,
    name: &str,
    id: &str,
    level: usize,
    depth: usize,
    expanded: &mut HashSet<String>,
    path: &mut Vec<String>,
) {
    let screen = tree.screen(name);
    if level > depth {
        // Past the limit: one node counting what lies below.
        let hidden = tree.reach(name, usize::MAX);
        if hidden > 0 && !screen.children.is_empty() {
            let more = format!("more:{id}");
            let at = screen.file.map(|f| (b.path(f), 1));
            b.node(
                &more,
                format!(
                    "+{hidden} more screen{} below",
                    if hidden == 1 { "" } else { "s" }
                ),
                NodeKind::Collapsed,
                at.clone(),
            );
            b.edge(id, &more, EdgeKind::More, None, at);
        }
        return;
    }
    for child in &screen.children {
        let t = &child.target;
        let cid = node_id(&t.name);
        let site = (b.path(child.file), t.line);
        let label_text = child
            .option
            .as_ref()
            .and_then(|(_, l)| l.as_ref().map(|(s, _)| s.as_str()));
        let new = !b.has(&cid);
        if new {
            add_node(b, tree, &t.name, label_text, Some(site.clone()));
        }
        // Every option of every menu is listed; other links once per program.
        if new || child.option.is_some() {
            let (group, detail) = match &child.option {
                Some((n, label)) => (
                    FixedGroup::MenuOptions,
                    format!(
                        "option {n} of {name}{}",
                        label
                            .as_ref()
                            .map(|(l, _)| format!(": {l}"))
                            .unwrap_or_default()
                    ),
                ),
                None => match t.via {
                    Via::Transfer => (
                        FixedGroup::ReturnsAndHandOffs,
                        format!("named by {name}, run after it returns"),
                    ),
                    Via::Dynamic => (
                        FixedGroup::OtherScreens,
                        format!("run by {name} through the form name"),
                    ),
                    Via::Static => (FixedGroup::OtherScreens, format!("called by {name}")),
                },
            };
            b.item(&t.name, group, Some(detail), site.0.clone(), site.1);
            if let Some((_, Some((_, form_line)))) = &child.option
                && let Some((form, _, _)) = &tree.screen(name).form
                && level == 1
            {
                let form = form.clone();
                b.cite(&form, None, *form_line, *form_line);
            }
        }
        let back = path.contains(&t.name);
        if back && child.option.is_none() && t.via == Via::Transfer {
            // "Return to the menu it came from": counted, not drawn (every leaf does it).
            *b.returns.entry(t.name.clone()).or_default() += 1;
            continue;
        }
        let kind = if back {
            EdgeKind::Back
        } else {
            match (child.option.is_some(), t.via) {
                (true, _) => EdgeKind::Option,
                (false, Via::Transfer) => EdgeKind::Transfer,
                (false, _) => EdgeKind::Call,
            }
        };
        let label = match (&child.option, t.via) {
            (Some((n, _)), _) => Some(n.to_string()),
            (None, Via::Transfer) => Some("returns to".to_owned()),
            _ => None,
        };
        b.edge(id, &cid, kind, label, Some(site));
        // Every program is expanded once; a second way in is only an edge.
        if expanded.insert(t.name.clone()) {
            path.push(t.name.clone());
            expand(b, tree, &t.name, &cid, level + 1, depth, expanded, path);
            path.pop();
        }
    }
}
