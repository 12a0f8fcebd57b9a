//! Flows and screen trees on a small corpus written in the OTIS idioms and read by the
//! real reader: a menu whose options name programs through the form name, a second menu
//! page, a section-structured program with DECLARATIVES, a procedure copybook, a PERFORM
//! loop, and the screen forms that label the options.
#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use otis_code::{CorpusModel, FormFile, LineSource, SourceFile};
use otis_core::ports::{
    CodeFacts, CodeModel, CodeQuestion, EdgeKind, Graph, ItemGroup, NodeKind, Note, QuestionKind,
};

/// Fixed-format lines: text from column 8, a leading `*` in the indicator column.
fn src(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| {
            if let Some(rest) = l.strip_prefix('*') {
                format!("      *{rest}")
            } else {
                format!("       {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn lpmenu() -> String {
    src(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID.      LPMENU.",
        "*****************************************************",
        "*                  LOAN MENU",
        "*****************************************************",
        "COPY \"LIBLP/LPMENU_WKS.CPY\".",
        "PROCEDURE DIVISION USING FORM-PATHNAME EXIT-PATHNAME.",
        "    PERFORM TRACE-START.",
        "DISPLAY-MENU.",
        "    MOVE FORM-PATHNAME TO FORM-PATH.",
        "    PERFORM FORM-RESET.",
        "    CALL \"CHKSEC\" USING CHKSEC-FIELDS.",
        "    IF CHKSEC-STAT NOT = \"00\"",
        "       GO TO EXIT-PROG.",
        "GET-MENU-SELECTION.",
        "    PERFORM SCREENIO.",
        "    IF F4-KEY",
        "       MOVE \"LP/LPMEN2\" TO FORM-NAM",
        "       GO TO RUN-PROG.",
        "    IF F7-KEY",
        "       MOVE \"GB/GBMENU\" TO FORM-NAM",
        "       GO TO EXIT-PROG.",
        "MENU-EXIT.",
        "    GO TO M01 M02 M03",
        "       DEPENDING ON FORM-BUF.",
        "    GO TO GET-MENU-SELECTION.",
        "M01. MOVE \"LP/DAILY\" TO FORM-NAM.",
        "     GO TO RUN-PROG.",
        "M02. MOVE \"LP/LNQUOT\" TO FORM-NAM.",
        "     GO TO RUN-PROG.",
        "M03. GO TO GET-MENU-SELECTION.",
        "RUN-PROG.",
        "    MOVE FORM-PATH TO FORM-PATHNAME.",
        "    CALL FORM-PROGX USING FORM-PATHNAME EXIT-PATHNAME.",
        "    CANCEL FORM-PROGX.",
        "    GO TO DISPLAY-MENU.",
        "EXIT-PROG.",
        "    MOVE FORM-PATH TO FORM-PATHNAME.",
        "    EXIT PROGRAM.",
        "COPY \"LIBGB/SCREEN.CPY\".",
        "FORM-RESET SECTION.",
        "    MOVE SPACES TO WR-BUF.",
        "    PERFORM CALL-WRFORM.",
        "FORM-RESET-EXIT.",
        "    EXIT.",
    ])
}

fn lpmen2() -> String {
    src(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID.      LPMEN2.",
        "*  DESCRIPTION:  LOAN MENU PAGE 2",
        "PROCEDURE DIVISION USING FORM-PATHNAME EXIT-PATHNAME.",
        "GET-MENU-SELECTION.",
        "    PERFORM SCREENIO.",
        "    IF F7-KEY",
        "       MOVE \"LP/LPMENU\" TO FORM-NAM",
        "       GO TO EXIT-PROG.",
        "    GO TO M01 M02 DEPENDING ON FORM-BUF.",
        "    GO TO GET-MENU-SELECTION.",
        "M01. MOVE \"LP/PAYPST\" TO FORM-NAM; GO TO RUN-PROG.",
        "M02. MOVE \"LP/LNQUOT\" TO FORM-NAM; GO TO RUN-PROG.",
        "RUN-PROG.",
        "    CALL FORM-PROGX USING FORM-PATHNAME EXIT-PATHNAME.",
        "    GO TO GET-MENU-SELECTION.",
        "EXIT-PROG.",
        "    EXIT PROGRAM.",
    ])
}

/// A section-structured program: DECLARATIVES first, a main section, PERFORMs three
/// levels deep, a section from a procedure copybook, a PERFORM loop, a static call.
fn daily() -> String {
    src(&[
        "IDENTIFICATION DIVISION.",
        "PROGRAM-ID.      DAILY.",
        "*  DESCRIPTION:  DAILY LOAN PROCESSING",
        "PROCEDURE DIVISION USING FORM-PATHNAME EXIT-PATHNAME.",
        "DECLARATIVES.",
        "DECLARE-ERROR SECTION.",
        "    USE AFTER ERROR PROCEDURE ON LOAN-FILE.",
        "    PERFORM CLOSE-LOAN-FILE.",
        "END DECLARATIVES.",
        "MAIN-PROGRAM SECTION.",
        "    PERFORM INITIALIZATION.",
        "    PERFORM PROCESS-BRANCH-MAIN THRU PROCESS-BRANCH-EXIT.",
        "    CALL \"DATEUTIL\" USING WS-DATE.",
        "MAIN-PROGRAM-EXIT.",
        "    EXIT PROGRAM.",
        "INITIALIZATION SECTION.",
        "    OPEN INPUT LOAN-FILE.",
        "    PERFORM LOOP-A.",
        "PROCESS-BRANCH SECTION.",
        "PROCESS-BRANCH-MAIN.",
        "    PERFORM READ-LOAN.",
        "    PERFORM TIM360.",
        "PROCESS-BRANCH-EXIT.",
        "    EXIT.",
        "READ-LOAN SECTION.",
        "    READ LOAN-FILE AT END MOVE \"Y\" TO EOF-FLAG.",
        "    PERFORM POST-LOAN.",
        "POST-LOAN SECTION.",
        "    MOVE \"LP/PAYPST\" TO FORM-NAM.",
        "    CALL FORM-PROGX USING FORM-PATHNAME.",
        "LOOP-A SECTION.",
        "    PERFORM LOOP-B.",
        "LOOP-B SECTION.",
        "    PERFORM LOOP-A.",
        "COPY \"LIBGB/DATER.CPY\".",
    ])
}

fn dater() -> String {
    src(&[
        "*  DATER: DATE ROUTINES",
        "TIM360 SECTION.",
        "    PERFORM TIM-ADJUST.",
        "TIM-ADJUST.",
        "    ADD 1 TO WS-DAYS.",
    ])
}

fn leaf(id: &str, description: &str) -> String {
    src(&[
        "IDENTIFICATION DIVISION.",
        &format!("PROGRAM-ID.      {id}."),
        &format!("*  DESCRIPTION:  {description}"),
        "PROCEDURE DIVISION USING FORM-PATHNAME EXIT-PATHNAME.",
        "MAIN-LOGIC.",
        "    DISPLAY \"RUNNING\".",
        "    EXIT PROGRAM.",
    ])
}

/// A form file: prompts p/text/row/col/flag, a TITLE field.
fn form(title: &str, options: &[&str]) -> String {
    let mut out = String::new();
    for (i, o) in options.iter().enumerate() {
        out.push_str(&format!("p\n{o}\n{}\n2\ny\n", i + 5));
    }
    out.push_str("p\nF7 - MASTER MENU\n22\n61\ny\n");
    out.push_str(&format!(
        "f\nTITLE\n{title}\nN(20)\n2\n34\nn\nn\ny\ny\nn\nn\nn\nn\nn\nn\ny\n"
    ));
    out
}

#[derive(Debug)]
struct Texts(HashMap<String, String>);

impl LineSource for Texts {
    fn lines(&self, file: &str, start: u32, end: u32) -> Option<String> {
        let text = self.0.get(file)?;
        let lines: Vec<&str> = text.lines().collect();
        let from = (start.max(1) - 1) as usize;
        let to = (end as usize).min(lines.len());
        (from < to).then(|| lines[from..to].join("\n"))
    }
}

fn model() -> CorpusModel {
    let sources = [
        ("LP/LPMENU.CBL", lpmenu()),
        ("LP/LPMEN2.CBL", lpmen2()),
        ("LP/DAILY.CBL", daily()),
        ("LIBGB/DATER.CPY", dater()),
        ("LP/LNQUOT.CBL", leaf("LNQUOT", "LOAN QUOTE")),
        ("LP/PAYPST.CBL", leaf("PAYPST", "POST PAYMENTS")),
    ];
    let forms = [
        (
            "FM/XX/LP/LPMENU",
            form(
                "LOAN MENU",
                &[
                    "1. DAILY PROCESSING",
                    "2. LOAN \"QUOTE\" <FAST>",
                    "3. (UNUSED)",
                ],
            ),
        ),
        (
            "FM/XX/LP/LPMEN2",
            form("LOAN MENU PAGE 2", &["1. POST PAYMENTS", "2. QUOTES"]),
        ),
        ("FM/XX/LP/LNQUOT", form("LOAN QUOTE SCREEN", &[])),
    ];
    let mut texts = HashMap::new();
    let files = sources
        .iter()
        .map(|(path, text)| {
            texts.insert((*path).to_owned(), text.clone());
            SourceFile {
                path: (*path).to_owned(),
                facts: otis_cobol::read(path, text),
            }
        })
        .collect();
    let form_files = forms
        .iter()
        .map(|(path, text)| {
            texts.insert((*path).to_owned(), text.clone());
            FormFile {
                path: (*path).to_owned(),
                form: otis_cobol::read_form(text),
            }
        })
        .collect();
    CorpusModel::from_files(files, form_files, Arc::new(Texts(texts))).unwrap()
}

fn ask(model: &CorpusModel, kind: QuestionKind, subject: Option<&str>, text: &str) -> CodeFacts {
    let subject_kind = subject.and_then(|s| model.identify(s));
    model
        .facts(&CodeQuestion {
            kind,
            subject: subject.map(Into::into),
            subject_kind,
            options: otis_core::ports::QuestionOptions {
                depth: otis_core::question::depth_option(text),
                ..Default::default()
            },
            text: text.into(),
        })
        .expect("the model answers")
        .expect("facts for the question")
}

fn names_in(facts: &CodeFacts, group: &str) -> Vec<String> {
    facts
        .items
        .iter()
        .filter(|i| i.group.as_ref().map(ItemGroup::as_str) == Some(group))
        .map(|i| i.name.clone())
        .collect()
}

fn graph(facts: &CodeFacts) -> &Graph {
    facts.graph.as_ref().expect("a graph")
}

/// Every node and edge carries its evidence; every edge joins nodes that exist.
fn well_formed(facts: &CodeFacts) {
    let g = graph(facts);
    for n in &g.nodes {
        assert!(n.file.is_some() && n.line.is_some(), "node {n:?}");
    }
    for e in &g.edges {
        assert!(e.file.is_some() && e.line.is_some(), "edge {e:?}");
        assert!(g.nodes.iter().any(|n| n.id == e.from), "{e:?}");
        assert!(g.nodes.iter().any(|n| n.id == e.to), "{e:?}");
    }
    assert!(!facts.evidence.is_empty() && facts.evidence.len() <= 8);
    let diagram = facts.diagram.as_ref().expect("a diagram");
    assert!(diagram.mermaid.starts_with("flowchart TD\n"));
    assert!(diagram.svg.starts_with("<svg "));
}

#[test]
fn a_menu_flow_runs_its_paragraphs_in_order_and_its_options_name_programs() {
    let model = model();
    let facts = ask(
        &model,
        QuestionKind::Flow,
        Some("LPMENU"),
        "Show me a flow of LPMENU.CBL",
    );
    well_formed(&facts);
    assert_eq!(
        names_in(&facts, "main line"),
        [
            "DISPLAY-MENU",
            "GET-MENU-SELECTION",
            "MENU-EXIT",
            "RUN-PROG",
            "EXIT-PROG"
        ]
    );
    // Options with their labels from the form; the unused option is left out.
    let options: Vec<(String, Option<String>)> = facts
        .items
        .iter()
        .filter(|i| i.group.as_ref().map(ItemGroup::as_str) == Some("menu options"))
        .map(|i| (i.name.clone(), i.detail.clone()))
        .collect();
    assert_eq!(
        options,
        [
            (
                "DAILY".to_owned(),
                Some("option 1: DAILY PROCESSING".to_owned())
            ),
            (
                "LNQUOT".to_owned(),
                Some("option 2: LOAN \"QUOTE\" <FAST>".to_owned())
            ),
        ]
    );
    // Performs in the program and outside the corpus, the static call, the F-key screen
    // and the hand-off back to the master menu.
    assert!(names_in(&facts, "performed").contains(&"FORM-RESET".to_owned()));
    assert!(names_in(&facts, "outside the corpus").contains(&"TRACE-START".to_owned()));
    let calls = names_in(&facts, "calls");
    assert!(calls.contains(&"CHKSEC".to_owned()) && calls.contains(&"LPMEN2".to_owned()));
    assert_eq!(names_in(&facts, "transfers"), ["GBMENU"]);
    // EXIT-PROG ends the program: it does not fall into the FORM-RESET section.
    let g = graph(&facts);
    let id_of = |label: &str| {
        g.nodes
            .iter()
            .find(|n| n.label.lines().next() == Some(label))
            .map(|n| n.id.clone())
            .expect(label)
    };
    assert!(
        !g.edges
            .iter()
            .any(|e| e.from == id_of("EXIT-PROG") && e.kind == EdgeKind::Next)
    );
    assert!(g.edges.iter().any(|e| e.from == id_of("DISPLAY-MENU")
        && e.to == id_of("GET-MENU-SELECTION")
        && e.kind == EdgeKind::Next));
    // The option edge is labelled with its number and cites the MOVE.
    let option = g
        .edges
        .iter()
        .find(|e| e.to == id_of("DAILY") && e.label.as_deref() == Some("1"))
        .expect("option 1");
    assert_eq!(option.file.as_deref(), Some("LP/LPMENU.CBL"));
    // Labels with quotes and angle brackets are escaped in both drawings.
    let diagram = facts.diagram.as_ref().expect("diagram");
    assert!(
        diagram
            .mermaid
            .contains("LOAN #quot;QUOTE#quot; #lt;FAST#gt;")
    );
    assert!(diagram.svg.contains("LOAN &quot;QUOTE&quot; &lt;FAST&gt;"));
}

#[test]
fn a_program_flow_skips_declaratives_runs_copybook_sections_and_cuts_loops() {
    let model = model();
    let facts = ask(
        &model,
        QuestionKind::Flow,
        Some("DAILY"),
        "Show me a flow of DAILY.CBL",
    );
    well_formed(&facts);
    assert_eq!(names_in(&facts, "main line"), ["MAIN-PROGRAM"]);
    // What the declaratives perform is not part of the flow.
    assert!(names_in(&facts, "outside the corpus").is_empty());
    let performed = names_in(&facts, "performed");
    for name in [
        "INITIALIZATION",
        "PROCESS-BRANCH-MAIN",
        "LOOP-A",
        "READ-LOAN",
    ] {
        assert!(
            performed.contains(&name.to_owned()),
            "{name} in {performed:?}"
        );
    }
    assert_eq!(names_in(&facts, "copybook section"), ["TIM360"]);
    assert!(names_in(&facts, "calls").contains(&"DATEUTIL".to_owned()));
    // Depth 2: LOOP-B and POST-LOAN (level 3) are folded into counted nodes.
    assert!(!performed.contains(&"LOOP-B".to_owned()));
    let g = graph(&facts);
    let collapsed: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Collapsed)
        .map(|n| n.label.as_str())
        .collect();
    assert!(collapsed.contains(&"+2 more steps below"), "{collapsed:?}"); // READ-LOAN: POST-LOAN, PAYPST
    assert!(collapsed.contains(&"+1 more step below"), "{collapsed:?}"); // TIM360: TIM-ADJUST

    // Depth 4: the loop is followed once and cut.
    let deep = ask(
        &model,
        QuestionKind::Flow,
        Some("DAILY"),
        "Show me a flow of DAILY, depth 4",
    );
    well_formed(&deep);
    let performed = names_in(&deep, "performed");
    assert!(
        performed.contains(&"LOOP-B".to_owned()) && performed.contains(&"POST-LOAN".to_owned())
    );
    assert_eq!(performed.iter().filter(|p| *p == "LOOP-A").count(), 1);
    let g = graph(&deep);
    let loop_a = g
        .nodes
        .iter()
        .find(|n| n.label == "LOOP-A")
        .expect("LOOP-A");
    let loop_b = g
        .nodes
        .iter()
        .find(|n| n.label == "LOOP-B")
        .expect("LOOP-B");
    assert!(
        g.edges
            .iter()
            .any(|e| e.from == loop_b.id && e.to == loop_a.id)
    );
    assert!(names_in(&deep, "calls").contains(&"PAYPST".to_owned()));
}

#[test]
fn a_section_flow_starts_at_the_section() {
    let model = model();
    let facts = ask(
        &model,
        QuestionKind::Flow,
        Some("TIM360"),
        "Show me a flow of TIM360",
    );
    well_formed(&facts);
    assert_eq!(facts.file.as_deref(), Some("LIBGB/DATER.CPY"));
    assert_eq!(names_in(&facts, "main line"), ["TIM360"]);
    assert_eq!(names_in(&facts, "performed"), ["TIM-ADJUST"]);
}

#[test]
fn the_screen_tree_starts_at_the_main_menu_and_reaches_every_screen() {
    let model = model();
    let facts = ask(
        &model,
        QuestionKind::ScreenFlow,
        None,
        "Show me a complete user screen flow from the main menu down to the bottom of the tree.",
    );
    well_formed(&facts);
    // LPMEN2 is run by LPMENU (F4), so the main program is LPMENU.
    assert_eq!(facts.subject.as_deref(), Some("LPMENU"));
    let g = graph(&facts);
    let label = |name: &str| {
        g.nodes
            .iter()
            .find(|n| n.label.lines().next() == Some(name))
            .map(|n| n.label.clone())
            .expect(name)
    };
    assert_eq!(label("DAILY"), "DAILY\nDAILY PROCESSING");
    assert_eq!(label("LPMEN2"), "LPMEN2\nLOAN MENU PAGE 2");
    assert_eq!(label("PAYPST"), "PAYPST\nPOST PAYMENTS");
    // Every menu's options, each menu in turn (LPMENU, then its F4 page LPMEN2).
    let options = names_in(&facts, "menu options");
    assert_eq!(options, ["DAILY", "LNQUOT", "PAYPST", "LNQUOT"]);
    // DAILY runs PAYPST through the form name, but PAYPST was reached first (a second way
    // in is only an edge); LPMEN2's F7 hands back to LPMENU: counted, not a new subtree.
    let lpmenu = g
        .nodes
        .iter()
        .filter(|n| n.label.starts_with("LPMENU"))
        .count();
    assert_eq!(lpmenu, 1);
    assert!(!g.edges.iter().any(|e| e.to == g.nodes[0].id));
    let returns = facts
        .notes
        .iter()
        .find(|(l, _)| *l == Note::ReturnsToAMenuAbove)
        .map(|(_, v)| v.as_str());
    assert_eq!(returns, Some("1 to LPMENU"));
}

#[test]
fn a_named_menu_starts_the_tree() {
    let model = model();
    let facts = ask(
        &model,
        QuestionKind::ScreenFlow,
        Some("LPMEN2"),
        "Show me the screens from LPMEN2 down",
    );
    well_formed(&facts);
    assert_eq!(facts.subject.as_deref(), Some("LPMEN2"));
    let g = graph(&facts);
    assert_eq!(g.nodes[0].label, "LPMEN2\nLOAN MENU PAGE 2");
    // Its own options first; F7 hands back to LPMENU, whose options follow.
    let options = names_in(&facts, "menu options");
    assert_eq!(options[..2], ["PAYPST", "LNQUOT"]);
    assert!(options.contains(&"DAILY".to_owned()));
}
