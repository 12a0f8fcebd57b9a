//! The scorers' own checks on small fixtures (`cargo test -p otis-app --bench quality --
//! --self-test`).

use std::collections::HashSet;
use std::panic::catch_unwind;

use otis_core::ports::{CodeFacts, FactItem, Note};
use serde_json::Value;

use crate::known::{Class, Known};
use crate::scoring::{
    Answer, CHAIN_CAP, chain_outcome, chain_right, detail_states, judge, note_number,
    ranking_outcome, ranking_score,
};
use crate::text::{
    is_bullet, is_context_line, listed_names, numbers, states_number, text_sites, upper_words,
};
use crate::truth::{Question, in_asking_order, question_types};

/// Runs every check of the scorers on small fixtures; exits non-zero when one fails.
pub(crate) fn self_test() {
    let checks: &[(&str, fn())] = &[
        ("numbers", check_numbers),
        ("words and listed names", check_listed_names),
        ("text sites", check_text_sites),
        ("ranking with ties", check_ranking),
        ("call chains", check_chains),
        ("question types", check_question_types),
        ("asking order", check_asking_order),
        ("lists, counts and missing facts", check_lists_and_counts),
        ("impact, menus and CRUD", check_impact_menus_crud),
        ("absence", check_absence),
        ("complete answers", check_complete_answers),
    ];
    let mut failed = 0;
    for (name, check) in checks {
        let ok = catch_unwind(*check).is_ok();
        println!("{} {name}", if ok { "ok  " } else { "FAIL" });
        failed += usize::from(!ok);
    }
    println!(
        "{} of {} scorer checks passed",
        checks.len() - failed,
        checks.len()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

fn fixture_known() -> Known {
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<HashSet<_>>()
    };
    let mut known = Known::default();
    known.classes.insert(
        Class::Program,
        set(&[
            "FXMENU", "FXLIAB", "UPMENU", "UPMEN2", "BIBUID", "GRSCAN", "DATE35", "PST458",
            "PST461",
        ]),
    );
    known.classes.insert(
        Class::Copybook,
        set(&["SCREEN", "GB01B2", "UPABYCL", "LPFSLT"]),
    );
    known
        .classes
        .insert(Class::File, set(&["PST-FILE", "MANIFEST-FILE"]));
    known
        .classes
        .insert(Class::Place, set(&["FX", "UP", "LIBUP"]));
    for path in [
        "LIBUP/UPABYCL.CPY",
        "LIBUP/UP01ABYA.CPY",
        "UP/DATE35.CBL",
        "FX/FXMENU.CBL",
    ] {
        known.paths.insert(path.to_owned(), path.to_owned());
    }
    known
        .member_file
        .insert("DATE35".to_owned(), "UP/DATE35.CBL".to_owned());
    known
}

fn item(name: &str, group: Option<&str>, detail: Option<&str>) -> FactItem {
    FactItem {
        name: name.to_owned(),
        group: group.map(otis_core::ports::ItemGroup::of),
        detail: detail.map(str::to_owned),
        file: "FX/FXMENU.CBL".to_owned(),
        line: 1,
    }
}

fn fixture_facts(kind: otis_core::ports::QuestionKind, items: Vec<FactItem>) -> CodeFacts {
    let mut facts = CodeFacts::new(kind);
    facts.items = items;
    facts
}

fn question(kind: &str, text: &str, expected: Value) -> Question {
    Question::from_json(&serde_json::json!({
        "id": format!("{kind}:x"), "kind": kind, "question": text, "expected": expected,
    }))
}

fn answer<'a>(text: &'a str, facts: Option<&'a CodeFacts>) -> Answer<'a> {
    Answer {
        text,
        facts,
        subject: None,
        drawn: false,
    }
}

fn check_numbers() {
    let got = numbers(
        "There are 1,276 copybooks in LIBUP/A30SRC [1] and 31208 items (PST-FILE, UP1534); 5.1 ms; revised 2019-0812.",
    );
    assert_eq!(got, HashSet::from([1276, 31208]), "{got:?}");
    assert!(states_number("No program uses SORT.", 0));
    assert!(!states_number("SORT is used by 3 programs.", 0));
    assert!(states_number("FX holds 12 programs [12].", 12));
    assert!(!states_number("See [12].", 12));
}

fn check_listed_names() {
    let words: Vec<&str> =
        upper_words("LIBUP/A30SRC/LPFSLT.CPY, WR1071_DEF and PST-FILE's. Screen").collect();
    assert_eq!(
        words,
        ["LIBUP", "A30SRC", "LPFSLT", "CPY", "WR1071_DEF", "PST-FILE"]
    );
    let known = fixture_known();
    let want: HashSet<String> = ["BIBUID".to_owned()].into();
    let ignore: HashSet<String> = ["GRSCAN".to_owned()].into();
    let in_programs = |w: &str| known.has(Class::Program, w);
    let text = "GRSCAN is called by 2 programs in 2 directories:\n- FX: FXMENU\n- UP: BIBUID\nHands control back to: UPMENU.";
    let got = listed_names(text, &in_programs, &want, &ignore);
    assert_eq!(
        got,
        HashSet::from(["FXMENU".to_owned(), "BIBUID".to_owned()]),
        "{got:?}"
    );
    let in_files = |w: &str| known.has(Class::File, w);
    let text = "PST458 works with 1 file (its CRUD row):\n- **PST-FILE**: OPEN OUTPUT, WRITE\nDeclared, with no operation found in its code: MANIFEST-FILE.";
    let want: HashSet<String> = ["PST-FILE".to_owned()].into();
    assert_eq!(listed_names(text, &in_files, &want, &HashSet::new()), want);
    assert!(is_bullet("12. FXMIDA") && !is_bullet("12.5 ms"));
    assert!(is_context_line("Runtime routines: C$TOUPPER."));
    assert!(!is_context_line("- FX: FXMENU"));
}

fn check_text_sites() {
    let known = fixture_known();
    let text = "ABYA-NO-REPO is referenced in 2 statements in 2 files: 0 change it, 2 read or test it. It is defined in LIBUP/UP01ABYA.CPY line 37 (level 09, PIC +9(7), in ABYA-REPO-TYPE-TBL) [1].\n- LIBUP/UPABYCL.CPY (UPABYCL): IF at 139 [2]\n- UP/DATE35.CBL (DATE35): MOVE at 2395, 2400; IF at 2410\nUP/DATE35.CBL:\n- 2500\n- 2501";
    let got = text_sites(text, &known);
    let want: HashSet<(String, u32)> = [
        ("LIBUP/UP01ABYA.CPY", 37),
        ("LIBUP/UPABYCL.CPY", 139),
        ("UP/DATE35.CBL", 2395),
        ("UP/DATE35.CBL", 2400),
        ("UP/DATE35.CBL", 2410),
        ("UP/DATE35.CBL", 2500),
        ("UP/DATE35.CBL", 2501),
    ]
    .into_iter()
    .map(|(f, l)| (f.to_owned(), l))
    .collect();
    assert_eq!(got, want);
}

fn check_ranking() {
    let names: Vec<String> = ["A", "B", "C"].map(str::to_owned).to_vec();
    let values = vec![Value::from(5), Value::from(4), Value::from(4)];
    let ties = vec!["D".to_owned()];
    let got = ["A", "D", "B"].map(str::to_owned).to_vec();
    assert_eq!(
        ranking_score(&got, &names, &values, &ties, 3),
        (1.0, Some(1.0))
    );
    let got = ["A", "D", "E"].map(str::to_owned).to_vec();
    let (recall, precision) = ranking_score(&got, &names, &values, &ties, 3);
    assert!((recall - 2.0 / 3.0).abs() < 1e-9 && precision == Some(2.0 / 3.0));
    let got = ["B", "C", "D"].map(str::to_owned).to_vec();
    let (recall, _) = ranking_score(&got, &names, &values, &ties, 3);
    assert!(
        (recall - 2.0 / 3.0).abs() < 1e-9,
        "A must be there: {recall}"
    );
    assert!(detail_states(Some("26,470 lines"), "26470"));
    assert!(detail_states(Some("2025-04-23"), "2025-04-23"));
    assert!(!detail_states(None, "5"));
    // Order and values from facts.
    let q = question(
        "ranking",
        "Which 3 programs have the deepest IF nesting?",
        serde_json::json!({"names": ["A", "B", "C"], "values": [82, 81, 35], "ties": [], "top_k": 3}),
    );
    let facts = fixture_facts(
        otis_core::ports::QuestionKind::Ranking,
        vec![
            item("B", None, Some("81")),
            item("A", None, Some("82")),
            item("C", None, Some("35")),
        ],
    );
    let o = ranking_outcome(&q, &answer("", Some(&facts)));
    assert_eq!(o.recall, Some(1.0));
    assert!(
        o.checks.contains(&("order", false)) && o.checks.contains(&("values", true)),
        "{o:?}"
    );
}

fn check_chains() {
    let chain = |s: &str| s.split('>').map(str::to_owned).collect::<Vec<_>>();
    let truth = vec![
        chain("UPMENU>UPMEN2>BIBUID>GRSCAN"),
        chain("UPMENU>UPMEN2>BRMACH>GRSCAN"),
    ];
    assert!(chain_right(&chain("UPMENU>UPMEN2>BRMACH>GRSCAN"), &truth, 3, "longest?").is_ok());
    assert!(chain_right(&chain("UPMENU>UPMEN2>GRSCAN"), &truth, 3, "longest?").is_err());
    assert!(chain_right(&chain("FXMENU>UPMEN2>BIBUID>GRSCAN"), &truth, 3, "longest?").is_err());
    // At the cap, a chain of the right length made of confirmed calls is accepted.
    let mut capped: Vec<Vec<String>> = (0..CHAIN_CAP)
        .map(|i| chain(&format!("S>A{i}>B>C")))
        .collect();
    capped.push(chain("S>X>B>D"));
    assert!(chain_right(&chain("S>X>B>C"), &capped, 3, "longest from S?").is_ok());
    assert!(chain_right(&chain("S>X>Y>C"), &capped, 3, "longest from S?").is_err());
    let q = question(
        "call_chain",
        "What is the longest call chain?",
        serde_json::json!({"length": 3, "chains": [["UPMENU", "UPMEN2", "BIBUID", "GRSCAN"]]}),
    );
    let o = chain_outcome(&q, &answer("", None));
    assert_eq!(o.recall, Some(0.0));
}

fn check_question_types() {
    let t = |kind: &str, text: &str, e: Value| question_types(kind, text, &e);
    assert_eq!(
        t(
            "orphans",
            "How many orphan programs are there in FX?",
            serde_json::json!({"names": []})
        ),
        Some(vec!["count"])
    );
    assert_eq!(
        t(
            "unused",
            "Which copybooks are never copied?",
            serde_json::json!({"names": []})
        ),
        Some(vec!["list"])
    );
    assert_eq!(
        t(
            "compositional",
            "What are the 5 largest programs in UP?",
            serde_json::json!({"top_k": 5})
        ),
        Some(vec!["ranking"])
    );
    assert_eq!(
        t(
            "menu",
            "What does option 4 of FXMENU run?",
            serde_json::json!({"options": []})
        ),
        Some(vec!["menu_options"])
    );
    assert_eq!(
        t(
            "menu",
            "Which menu path leads to FXLIAB?",
            serde_json::json!({"path": []})
        ),
        Some(vec!["menu_path"])
    );
    assert_eq!(
        t(
            "menu",
            "What is the application's entry point?",
            serde_json::json!({"main_menu": "FXMENU"})
        ),
        Some(vec!["entry_point"])
    );
    assert_eq!(
        t(
            "screens",
            "What fields does screen X have?",
            serde_json::json!({"file": "FM/X"})
        ),
        Some(vec!["screen_fields"])
    );
    assert_eq!(
        t(
            "file_access",
            "Show the CRUD matrix row of P.",
            serde_json::json!({"files": {}})
        ),
        Some(vec!["crud"])
    );
    assert_eq!(
        t("callers", "Which programs call X?", serde_json::json!({})),
        Some(vec!["callers"])
    );
    assert_eq!(t("absence", "What does X do?", serde_json::json!({})), None);
}

fn check_asking_order() {
    let q = |id: &str, follows: Option<&str>| {
        Question::from_json(
            &serde_json::json!({"id": id, "kind": "refine", "question": id, "follows": follows, "expected": {}}),
        )
    };
    let ordered = in_asking_order(vec![
        q("r/1/2", Some("r/1")),
        q("r/1", Some("list")),
        q("list", None),
        q("orphan", Some("missing")),
    ]);
    let order: Vec<&str> = ordered.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(order, ["list", "r/1", "r/1/2", "orphan"]);
    // Each follow-up knows the questions of its chain, oldest first.
    assert_eq!(ordered[2].asked_before, ["list", "r/1"]);
    assert!(ordered[3].asked_before.is_empty());
    // A refined list may restate the filters asked before it: not extras.
    let known = fixture_known();
    let mut refine = question(
        "refine",
        "Which of those are in FX?",
        serde_json::json!({"names": ["FXMENU"], "count": 1}),
    );
    refine.asked_before = vec!["Which programs call DATE35?".to_owned()];
    let facts = fixture_facts(
        otis_core::ports::QuestionKind::List,
        vec![item("FXMENU", Some("FX"), None)],
    );
    let text = "1 program in FX calls DATE35: FXMENU";
    let o = judge(&refine, &answer(text, Some(&facts)), &known);
    assert_eq!((o.text_recall, o.text_precision), (Some(1.0), Some(1.0)));
    refine.asked_before.clear();
    let o = judge(&refine, &answer(text, Some(&facts)), &known);
    assert_eq!(
        o.text_precision,
        Some(0.5),
        "without the chain DATE35 is an extra"
    );
}

fn check_lists_and_counts() {
    use otis_core::ports::QuestionKind as K;
    let known = fixture_known();
    let list = question(
        "list",
        "Which programs use STRING?",
        serde_json::json!({"names": ["FXMENU", "BIBUID"], "count": 2}),
    );
    // No facts yet: 0, and no panic.
    let o = judge(
        &list,
        &answer("Programs whose descriptions match best: FXMENU", None),
        &known,
    );
    assert_eq!(o.recall, Some(0.0));
    assert_eq!(o.count_exact, Some(false));
    // An empty truth is not met by an unrelated answer with no items.
    let empty = question(
        "list",
        "Which programs use SORT?",
        serde_json::json!({"names": [], "count": 0}),
    );
    let unrelated = fixture_facts(K::Purpose, Vec::new());
    assert_eq!(
        judge(&empty, &answer("", Some(&unrelated)), &known).recall,
        Some(0.0)
    );
    let facts = fixture_facts(
        K::List,
        vec![
            item("FXMENU", Some("FX"), None),
            item("BIBUID", Some("UP"), None),
        ],
    );
    let o = judge(
        &list,
        &answer(
            "2 programs use STRING:\n- FX: FXMENU\n- UP: BIBUID, GRSCAN",
            Some(&facts),
        ),
        &known,
    );
    assert_eq!((o.recall, o.precision), (Some(1.0), Some(1.0)));
    assert_eq!(o.text_recall, Some(1.0));
    assert_eq!(o.text_precision, Some(2.0 / 3.0));
    // The count note is required for a list: the items do not stand in for it.
    assert_eq!(o.count_exact, Some(false));
    let mut noted = facts.clone();
    noted.add_note(Note::Count, "1,276 files");
    assert_eq!(note_number(&noted, Note::Count), Some(1276));
    // A "how many" question's text is scored by its count, not its names.
    let how_many = question(
        "count",
        "How many programs use STRING?",
        serde_json::json!({"names": ["FXMENU", "BIBUID"], "count": 2}),
    );
    let o = judge(
        &how_many,
        &answer("2 programs use STRING.", Some(&facts)),
        &known,
    );
    assert_eq!(o.text_recall, None);
}

fn check_impact_menus_crud() {
    use otis_core::ports::QuestionKind as K;
    let known = fixture_known();
    let impact = question(
        "impact",
        "What would be affected if I changed GB01B2?",
        serde_json::json!({"levels": {"1": ["BIBUID"], "2": ["UPMEN2"], "3": ["UPMENU"]},
            "names": ["BIBUID", "UPMEN2", "UPMENU"], "count": 3, "evidence": [["FX/FXMENU.CBL", 1]]}),
    );
    let facts = fixture_facts(
        K::Impact,
        vec![
            item("BIBUID", Some("level 1"), None),
            item("UPMEN2", Some("level 3"), None),
            item("UPMENU", Some("level 3"), None),
        ],
    );
    let o = judge(
        &impact,
        &answer("3 files are affected: BIBUID; UPMEN2, UPMENU", Some(&facts)),
        &known,
    );
    assert_eq!(o.recall, Some(2.0 / 3.0));
    assert!(o.checks.contains(&("evidence", true)));
    assert_eq!(o.text_recall, Some(1.0));
    let menu = question(
        "menu",
        "What options does FXMENU offer?",
        serde_json::json!({"options": [{"number": 1, "label": "BORROWER  LIABILITY FIX", "program": "FXLIAB"},
            {"number": 2, "label": null, "program": "BIBUID"}], "names": ["BIBUID", "FXLIAB"]}),
    );
    let facts = fixture_facts(
        K::MenuOptions,
        vec![
            item("FXLIAB", Some("option 1"), Some("Borrower liability fix")),
            item("BIBUID", Some("option 3"), None),
        ],
    );
    let o = judge(
        &menu,
        &answer("FXMENU offers 2 options", Some(&facts)),
        &known,
    );
    assert_eq!((o.recall, o.precision), (Some(0.5), Some(0.5)));
    assert!(o.checks.contains(&("labels", true)));
    let crud = question(
        "file_access",
        "What does program PST458 do with its files?",
        serde_json::json!({"files": {"PST-FILE": ["OPEN OUTPUT", "WRITE"]}, "names": ["PST-FILE"], "count": 1}),
    );
    let facts = fixture_facts(
        K::Crud,
        vec![item("PST-FILE", None, Some("OPEN OUTPUT, WRITE"))],
    );
    let o = judge(
        &crud,
        &answer(
            "PST458 uses 1 file: PST-FILE (OPEN OUTPUT, WRITE)",
            Some(&facts),
        ),
        &known,
    );
    assert!(o.full_marks(), "{o:?}");
}

fn check_absence() {
    use otis_core::ports::QuestionKind as K;
    let known = fixture_known();
    let q = question(
        "absence",
        "What does PST46Q do?",
        serde_json::json!({"absent": "PST46Q", "near": ["PST458", "PST461"]}),
    );
    let mut facts = fixture_facts(K::Purpose, vec![item("PST461", Some("near"), None)]);
    facts.add_note(Note::NotFound, "PST46Q");
    let o = judge(
        &q,
        &answer(
            "There is no program PST46Q. Names like it: PST461, PST469.",
            Some(&facts),
        ),
        &known,
    );
    assert_eq!(o.recall, Some(1.0));
    assert_eq!(o.text_recall, Some(1.0));
    assert_eq!(o.precision, Some(1.0));
    assert_eq!(o.text_precision, Some(0.5), "PST469 is invented: {o:?}");
    assert!(o.checks.contains(&("near names", true)));
    let sort = question(
        "absence",
        "How many programs use SORT?",
        serde_json::json!({"absent": "SORT", "near": [], "names": [], "count": 0}),
    );
    let facts = fixture_facts(K::Count, Vec::new());
    let o = judge(
        &sort,
        &answer("No program uses SORT.", Some(&facts)),
        &known,
    );
    assert_eq!(
        (o.recall, o.text_recall, o.text_precision),
        (Some(1.0), Some(1.0), Some(1.0))
    );
    assert_eq!(o.count_exact, Some(true));
}

fn check_complete_answers() {
    use otis_core::ports::QuestionKind as K;
    let known = fixture_known();
    // What a section does: what it performs and goes to, from facts; its file named; a
    // procedure its quoted comment names is no extra in the text.
    let section = question(
        "section_does",
        "What does CLEAR-BY do?",
        serde_json::json!({"names": ["OPEN-BY", "CLEAR-BY-EXIT"], "file": "LIBUP/UPABYCL.CPY"}),
    );
    let facts = fixture_facts(
        K::Purpose,
        vec![
            item("CLEAR-BY", Some("section"), None),
            item("OPEN-BY", Some("performs"), None),
            item("CLEAR-BY-EXIT", Some("goes to"), None),
            item("BY-REC", Some("changes"), None),
        ],
    );
    let text = "CLEAR-BY is a section of UPABYCL (LIBUP/UPABYCL.CPY), lines 1-9 [1]. Its comment \
                says: \"Called after OTHER-PARA.\"\nIt performs OPEN-BY, goes to CLEAR-BY-EXIT, \
                changes BY-REC.\n```cobol\n      * OTHER-PARA\n```\n";
    let mut known_procs = fixture_known();
    known_procs.classes.insert(
        Class::Procedure,
        ["CLEAR-BY", "OPEN-BY", "CLEAR-BY-EXIT", "OTHER-PARA"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    );
    let o = judge(&section, &answer(text, Some(&facts)), &known_procs);
    assert_eq!((o.recall, o.precision), (Some(1.0), Some(1.0)));
    assert_eq!((o.text_recall, o.text_precision), (Some(1.0), Some(1.0)));
    assert!(o.checks.contains(&("file named", true)));
    // Where a member kept in two folders is defined: both files, the definition first.
    let also = question(
        "also_in",
        "Where is UPABYCL defined?",
        serde_json::json!({"definition": "LIBUP/UPABYCL.CPY",
                           "also_in": ["LIBUP/A15SRC/UPABYCL.CPY"]}),
    );
    let mut facts = fixture_facts(K::Purpose, Vec::new());
    facts.file = Some("LIBUP/UPABYCL.CPY".to_owned());
    facts.add_note(Note::AlsoIn, "LIBUP/A15SRC/UPABYCL.CPY");
    let good = "UPABYCL (LIBUP/UPABYCL.CPY) is a copybook.\nCopies of UPABYCL are also kept in: \
                LIBUP/A15SRC/UPABYCL.CPY.";
    let o = judge(&also, &answer(good, Some(&facts)), &known);
    assert_eq!(
        (o.recall, o.text_recall, o.text_precision),
        (Some(1.0), Some(1.0), Some(1.0))
    );
    assert!(o.checks.contains(&("definition first", true)));
    let swapped = "UPABYCL (LIBUP/A15SRC/UPABYCL.CPY) is a copybook.\nAlso in: LIBUP/UPABYCL.CPY.";
    let o = judge(&also, &answer(swapped, Some(&facts)), &known);
    assert!(o.checks.contains(&("definition first", false)));
    // What a data item is for: its record and the lines that name it; the record's FD
    // line is context, not a use.
    let item_for = question(
        "data_item_for",
        "Tell me about the variable BY-KEY: what is it used for?",
        serde_json::json!({"names": ["BY-REC"],
                           "sites": [["FX/FXMENU.CBL", 40], ["FX/FXMENU.CBL", 52]],
                           "defined_in": ["LIBUP/UPABYCL.CPY", 3]}),
    );
    let mut facts = fixture_facts(K::DataDefinition, Vec::new());
    facts.items.push(FactItem {
        name: "BY-KEY".to_owned(),
        group: None,
        detail: None,
        file: "LIBUP/UPABYCL.CPY".to_owned(),
        line: 3,
    });
    let text = "BY-KEY is defined in LIBUP/UPABYCL.CPY line 3 [1]: level 05, PIC X(8), in BY-REC.\n\
                It sits in the record BY-REC (line 2), which describes the file BY-FILE (FD in \
                FX/FXMENU.CBL line 9).\nStatements that name it, by verb:\n\
                - MOVE (reads) 2: FX/FXMENU.CBL lines 40, 52\n";
    let o = judge(&item_for, &answer(text, Some(&facts)), &known);
    assert_eq!(o.recall, Some(1.0));
    assert_eq!((o.text_recall, o.text_precision), (Some(1.0), Some(1.0)));
    let short = "BY-KEY is defined in LIBUP/UPABYCL.CPY line 3 [1].\n\
                 - MOVE (reads) 1: FX/FXMENU.CBL line 40\n";
    let o = judge(&item_for, &answer(short, Some(&facts)), &known);
    assert_eq!(o.text_recall, Some(1.0 / 3.0));
}
