//! Figures worked by hand: scores, business time, ties, overrides, resampling, findings and drivers, breakdowns, thresholds, sensitivity.

use std::collections::HashMap;
use std::path::Path;

use crate::common::*;

#[test]
fn hand_worked_three_inquiry_participant() {
    let (_dir, out) = run_handworked(&[]);
    let participants = table(&out.join("results/participants.csv"));
    let a = &participants["A"];
    // Weights: wait 10, agent 60, overall 30 (sum 100).
    // A1 phone, answered after 45 s → first band, wait 100. listened 5 → 4/4, answers ja → 2/2:
    //    agent 100. would_buy nei → 0/2, grade 4 → 3/4: overall 3/6 = 50.
    //    S = (10·100 + 60·100 + 30·50) / 100 = 85.
    // A2 e-mail, Fri 10:00 → Mon 10:00 = exactly 1 business day → band `1bd`, wait 70.
    //    listened 3 → 2/4, answers nei → 0/2: agent 2/6 = 33.33; would_buy empty (N/A),
    //    grade 5 → 4/4: overall 100. S = (700 + 60·33.33 + 3000) / 100 = 57.
    // A3 phone, answered after 5 min 1 s: over the limit, so unanswered: S = 0, wait 0.
    assert_close(num(a, "total"), (85.0 + 57.0 + 0.0) / 3.0, "total");
    assert_close(
        num(a, "total_answered"),
        (85.0 + 57.0) / 2.0,
        "total_answered",
    );
    assert_close(num(a, "area_wait"), (100.0 + 70.0 + 0.0) / 3.0, "area_wait");
    assert_close(
        num(a, "area_agent"),
        (100.0 + 100.0 / 3.0) / 2.0,
        "area_agent",
    );
    assert_close(num(a, "area_overall"), (50.0 + 100.0) / 2.0, "area_overall");
    assert_close(num(a, "channel_phone"), (85.0 + 0.0) / 2.0, "channel_phone");
    assert_close(num(a, "channel_email"), 57.0, "channel_email");
    assert_close(num(a, "answer_rate"), 2.0 / 3.0, "answer_rate");
    // NPS over answered inquiries: 9 (promoter) and 6 (detractor) → 0.
    assert_close(num(a, "nps"), 0.0, "nps");
    // 95 % interval: mean 47.333, s = 43.3167, t(0.975, 2) = 4.302653 (scipy: −60.2712, 154.9379).
    assert!((num(a, "ci_low") - -60.271_223_915_608_18).abs() < 1e-6);
    assert!((num(a, "ci_high") - 154.937_890_582_274_86).abs() < 1e-6);
    assert_eq!(a["class_rank"], "3");
}

#[test]
fn friday_to_monday_email_is_one_business_day() {
    let (_dir, out) = run_handworked(&[]);
    let a = &table(&out.join("results/participants.csv"))["A"];
    // Sent Friday 4 March 2022 10:00, answered Monday 7 March 10:00: 14 h + 10 h = 86 400 s.
    assert_close(num(a, "wait_median_email"), 86_400.0, "e-mail wait");
    assert_close(num(a, "within_first_band_email"), 0.0, "e-mail within 4h");
}

#[test]
fn tie_on_rounded_total_is_broken_by_total_answered() {
    let (_dir, out) = run_handworked(&[]);
    let p = table(&out.join("results/participants.csv"));
    // B: 100, 100 and one unanswered → 66.667 (66.7), total_answered 100.
    // C: four of 100, two of 3, one of 61 → 467/7 = 66.714 (66.7), total_answered 66.714.
    // Tied at 66.7, so total_answered puts B first although C's exact total is higher.
    assert_close(num(&p["B"], "total"), 200.0 / 3.0, "B total");
    assert_close(num(&p["C"], "total"), 467.0 / 7.0, "C total");
    assert_eq!(p["B"]["class_rank"], "1");
    assert_eq!(p["C"]["class_rank"], "2");
    let classes = table(&out.join("results/classes.csv"));
    assert_eq!(classes["Bryggeri"]["winner_ids"], "B");
    // Sport has one eligible participant (E has 2 inquiries, below min_inquiries 3): no winner.
    assert_eq!(classes["Sport"]["winner_ids"], "");
    assert_eq!(p["E"]["eligible"], "false");
    assert_eq!(p["E"]["class_rank"], "");
    let awards = std::fs::read_to_string(out.join("results/awards.csv")).unwrap();
    assert!(awards.contains("class_winner,Bryggeri,,B,"), "{awards}");
    assert!(awards.contains("overall_winner,Bryggeri,,B,"), "{awards}");
}

#[test]
fn set_overrides_a_weight() {
    // Without the wait area A's scores are 85 → (6000+1500)/90 = 83.33 and 57 → 5000/90 = 55.56.
    let (_dir, out) = run_handworked(&["--set", "areas.wait.weight=0"]);
    let a = &table(&out.join("results/participants.csv"))["A"];
    assert_close(
        num(a, "total"),
        (7500.0 / 90.0 + 5000.0 / 90.0) / 3.0,
        "total with wait weight 0",
    );
}

#[test]
fn exact_ties_share_the_rank_and_the_award() {
    let (_dir, out) = run_config("testdata/ties/ksp.toml", &[]);
    let p = table(&out.join("results/participants.csv"));
    // X and Y have the same three inquiry scores in another order: S = 95, 76, 60 → 77.
    // Agent 100, 83.33 and 33.33 for both, so every tie-break level is equal: ranks 1, 1, 3.
    assert_close(num(&p["X"], "total"), 77.0, "X total");
    assert_eq!(
        (
            p["X"]["class_rank"].as_str(),
            p["Y"]["class_rank"].as_str(),
            p["Z"]["class_rank"].as_str()
        ),
        ("1", "1", "3")
    );
    let classes = table(&out.join("results/classes.csv"));
    assert_eq!(classes["Musikk"]["winner_ids"], "X|Y");
    // Too close to call is empty when rank 1 is shared.
    assert_eq!(classes["Musikk"]["too_close"], "");
    let awards = std::fs::read_to_string(out.join("results/awards.csv")).unwrap();
    assert_eq!(
        awards.matches("class_winner,Musikk,,").count(),
        2,
        "{awards}"
    );
    assert_eq!(awards.matches("overall_winner,").count(), 2, "{awards}");
    assert!(
        awards.contains("class_winner,Musikk,,X,77,77,\n"),
        "{awards}"
    );
}

#[test]
fn resampled_ranks_follow_the_seed_not_the_threads() {
    let (_a, one) = run_handworked(&["--jobs", "1"]);
    let (_b, default) = run_handworked(&[]);
    let (_c, reseeded) = run_handworked(&["--jobs", "1", "--set", "award.seed=2"]);
    for file in [
        "participants.csv",
        "classes.csv",
        "shoppers.csv",
        "results.json",
    ] {
        let read = |out: &Path| std::fs::read(out.join("results").join(file)).unwrap();
        assert!(
            read(&one) == read(&default),
            "{file} differs between --jobs 1 and the default"
        );
    }
    let (a, b) = (
        table(&one.join("results/participants.csv")),
        table(&reseeded.join("results/participants.csv")),
    );
    assert_ne!(
        a["B"]["p_class_win"], b["B"]["p_class_win"],
        "another seed, other draws"
    );
    let winners: f64 = ["A", "B", "C"]
        .iter()
        .map(|p| num(&a[*p], "p_class_win"))
        .sum();
    assert_close(winners, 1.0, "p_class_win over Bryggeri");
    assert_eq!(a["D"]["p_class_win"], "", "Sport is too small for an award");
    assert_eq!(a["E"]["rank_low"], "", "not eligible, not resampled");
}

#[test]
fn findings_and_drivers_by_hand() {
    let (_dir, out) = run_handworked(&["--jobs", "1", "--set", "drivers.outcome=\"nps\""]);
    let findings = rows(&out.join("results/findings.csv"));
    let row = |p: &str, id: &str| {
        findings
            .iter()
            .find(|r| r["participant_id"] == p && r["id"] == id)
            .unwrap_or_else(|| panic!("no finding {p} {id}"))
    };
    // `listened` (1–5, earned/P = (v − 1)/4) on answered inquiries: A 5 and 3 → 75 %;
    // B 5, 5 → 100 %; C five 5s and two 1s → 5/7. Class (A, B, C eligible) = 82.142857.
    let a = row("A", "listened");
    assert_eq!(a["kind"], "question");
    assert_close(num(a, "value"), 75.0, "A's share of listened");
    assert_close(
        num(a, "class_value"),
        (75.0 + 100.0 + 500.0 / 7.0) / 3.0,
        "class value",
    );
    assert_close(
        num(a, "gap"),
        75.0 - (75.0 + 100.0 + 500.0 / 7.0) / 3.0,
        "gap",
    );
    // scipy.stats.ttest_ind([1, .5], [1, 1, 1, 1, 1, 1, 0, 0, 1], equal_var=False).pvalue
    assert_close(
        num(a, "p_value"),
        0.933_346_856_580_558_5,
        "Welch p against B and C",
    );
    assert_eq!(row("A", "would_buy")["p_value"], "", "one answer: no test");
    assert_eq!(row("A", "agent")["kind"], "area");
    assert_eq!(row("A", "agent")["p_value"], "");
    assert!(
        findings.iter().any(|r| r["participant_id"] == "E"),
        "not-ranked participants too"
    );
    // `grade` against `nps` over the 16 answered inquiries: numpy.corrcoef gives 0.854242196.
    let drivers = table(&out.join("results/drivers.csv"));
    assert_eq!(drivers["grade"]["n"], "16");
    assert_close(
        num(&drivers["grade"], "r"),
        0.854_242_196_177_249_2,
        "r of grade",
    );
    assert!(
        !drivers.contains_key("nps"),
        "the outcome is not its own driver"
    );
}

#[test]
fn windows_1252_input_is_decoded_when_the_config_says_so() {
    let case = "testdata/invalid/not-utf8/ksp.toml";
    let o = ksp(&["validate", case]);
    assert_eq!(o.status.code(), Some(1), "UTF-8 by default");
    assert!(
        stderr(&o).contains("input.encoding = \"windows-1252\""),
        "the error says how to fix it"
    );
    let (_dir, out) = run_config(
        case,
        &["--set", "input.encoding=windows-1252", "--only", "D"],
    );
    let p = table(&out.join("results/participants.csv"));
    assert_eq!(p["A"]["name"], "Ærlige Øl & Åsmund AS");
    assert_eq!(p["D"]["name"], "Dæhlie Sport AS");
}

/// The rows of `breakdowns.csv` keyed by breakdown, scope id and category.
fn breakdowns(out: &Path) -> HashMap<(String, String, String), HashMap<String, String>> {
    rows(&out.join("results/breakdowns.csv"))
        .into_iter()
        .map(|row| {
            let key = ["breakdown", "scope_id", "category"].map(|c| row[c].clone());
            (key.into(), row)
        })
        .collect()
}

#[test]
fn panel_companies_need_50_respondents_to_be_ranked() {
    // testdata/panel-rule: B's 49 interviews all rate 10/10 (index 100), one respondent short.
    let (_dir, out) = run_config("testdata/panel-rule/ksp.toml", &[]);
    let participants = table(&out.join("results/participants.csv"));
    assert_eq!(participants["B"]["eligible"], "false");
    assert_eq!(participants["B"]["class_rank"], "");
    assert_close(num(&participants["B"], "total"), 100.0, "B total");
    // A has exactly 50: ranked. A = (30 · 100 + 20 · 0) / 50 = 60; D = 7/9 · 100 = 77.78.
    assert_eq!(participants["A"]["eligible"], "true");
    assert_close(num(&participants["A"], "total"), 60.0, "A total");
    assert_eq!(participants["D"]["class_rank"], "1");
    assert_eq!(participants["A"]["class_rank"], "2");
    assert_eq!(participants["C"]["class_rank"], "3");
    let awards = std::fs::read_to_string(out.join("results/awards.csv")).unwrap();
    assert!(awards.contains("class_winner,Bank,,D,"), "{awards}");
    assert!(!awards.contains(",B,"), "{awards}");
    if let Some(text) = flat_pdf_text(&out.join("reports/B.pdf")) {
        assert!(
            text.contains("Ikke rangert: færre enn 50 respondenter"),
            "{text}"
        );
    }
    if let Some(text) = flat_pdf_text(&out.join("panel-summary.pdf")) {
        assert!(text.contains("Ikke rangert"), "{text}");
        assert!(text.contains("Beta Bank Bank 49"), "{text}");
    }
}

#[test]
fn breakdowns_count_share_and_average_per_participant_class_and_season() {
    let (_dir, out) = run_config("testdata/panel-rule/ksp.toml", &[]);
    let rows = breakdowns(&out);
    let row = |b: &str, id: &str, c: &str| &rows[&(b.into(), id.into(), c.into())];
    // A: 30 phone interviews at index 100 and r_overall 10, 20 e-mail at 0 and 1, no chat.
    let phone = row("channel", "A", "phone");
    assert_eq!(phone["scope"], "participant");
    assert_eq!(phone["count"], "30");
    assert_close(num(phone, "share"), 0.6, "A phone share");
    assert_close(num(phone, "mean_score"), 100.0, "A phone index");
    assert_close(num(phone, "mean_r_overall"), 10.0, "A phone r_overall");
    assert_close(
        num(row("channel", "A", "email"), "mean_score"),
        0.0,
        "A e-mail index",
    );
    let chat = row("channel", "A", "chat");
    assert_eq!((chat["count"].as_str(), chat["share"].as_str()), ("0", "0"));
    assert_eq!(chat["mean_score"], "", "no chat interviews: no mean");
    // The class pools every member's interviews: phone 30 (A) + 49 (B) + 60 (D) = 139 of 209,
    // index (30 · 100 + 49 · 100 + 60 · 77.78) / 139, r_overall (300 + 490 + 480) / 139.
    let class_phone = row("channel", "Bank", "phone");
    assert_eq!(class_phone["scope"], "class");
    assert_eq!(class_phone["count"], "139");
    assert_close(
        num(class_phone, "share"),
        139.0 / 209.0,
        "class phone share",
    );
    let index = (3000.0 + 4900.0 + 60.0 * 700.0 / 9.0) / 139.0;
    assert_close(num(class_phone, "mean_score"), index, "class phone index");
    assert_close(
        num(class_phone, "mean_r_overall"),
        1270.0 / 139.0,
        "class phone r_overall",
    );
    assert_eq!(row("channel", "", "phone")["count"], "139");
    // Solved at the first contact: A's phone interviews needed one contact, its e-mails two.
    assert_close(
        num(row("contacts", "A", "1"), "share"),
        0.6,
        "A first contact",
    );
    // A free column with categories; B left it empty, so the class's base is 209 − 49 = 160.
    assert_close(
        num(row("location", "Bank", "home"), "share"),
        140.0 / 160.0,
        "home",
    );
    assert_close(
        num(row("location", "Bank", "work"), "share"),
        20.0 / 160.0,
        "work",
    );
    assert_eq!(row("location", "B", "home")["share"], "");
    // The report charts the breakdown; with last season's results it shows the shift.
    if let Some(text) = flat_pdf_text(&out.join("reports/A.pdf")) {
        assert!(text.contains("Telefon") || text.contains("phone"), "{text}");
        assert!(text.contains("60,0 %"), "{text}");
    }
    let previous = format!(
        "season.previous=\"{}\"",
        out.join("results/results.json").display()
    );
    let (_dir2, again) = run_config("testdata/panel-rule/ksp.toml", &["--set", &previous]);
    if let Some(text) = flat_pdf_text(&again.join("reports/A.pdf")) {
        assert!(text.contains("I fjor"), "{text}");
    }
}

#[test]
fn chat_study_threshold_matches_scipy() {
    let (_dir, out) = run_config("config/chat-study.toml", &[]);
    assert!(out.join("chat-study.pdf").is_file());
    assert!(
        !out.join("reports").exists(),
        "a study has no participant reports"
    );
    let awards = std::fs::read_to_string(out.join("results/awards.csv")).unwrap();
    assert_eq!(awards.lines().count(), 1, "no awards in a study: {awards}");
    let best: Vec<HashMap<String, String>> = rows(&out.join("results/thresholds.csv"))
        .into_iter()
        .filter(|row| row["best"] == "true")
        .collect();
    assert_eq!(best.len(), 2, "one best cut-off per analysis");
    let wait = best.iter().find(|r| r["threshold"] == "wait").unwrap();
    // Waits up to 57 s: 38 of 45 found the wait short; above: 7 of 20. Independently,
    // scipy.stats.fisher_exact([[38, 7], [7, 13]]).pvalue = 0.0002478186328492611 (1.17.1).
    assert_eq!(wait["cutoff"], "57");
    let cells = ["below_n", "below_yes", "above_n", "above_yes"].map(|c| wait[c].as_str());
    assert_eq!(cells, ["45", "38", "20", "7"]);
    let p = num(wait, "p_value");
    assert!((p - 0.000_247_818_632_849_261_1).abs() < 1e-15, "{p}");
    let handling = best.iter().find(|r| r["threshold"] == "handling").unwrap();
    // scipy.stats.fisher_exact([[39, 6], [7, 13]]).pvalue = 5.528033413673148e-05.
    assert_eq!(handling["cutoff"], "692");
    assert!((num(handling, "p_value") - 5.528_033_413_673_148e-5).abs() < 1e-16);
    if let Some(text) = flat_pdf_text(&out.join("chat-study.pdf")) {
        assert!(text.contains("Terskelanalyse"), "{text}");
        assert!(text.contains("57 s"), "{text}");
        assert!(text.contains("0,0002"), "{text}");
    }
}

#[test]
fn sensitivity_with_the_same_seed_gives_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, seed: &str, threads: &str| {
        let out = dir.path().join(name);
        let o = ksp_with(
            &[
                "sensitivity",
                "testdata/handworked/ksp.toml",
                "--vary",
                "areas.wait.weight=±90%",
                "--vary",
                "areas.agent.weight=±50%",
                "--runs",
                "300",
                "--seed",
                seed,
                "--out",
                out.to_str().unwrap(),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out.join("sensitivity.csv")).unwrap()
    };
    let first = run("a", "7", "1");
    assert_eq!(
        first,
        run("b", "7", "2"),
        "same seed, same table, any thread count"
    );
    assert_ne!(
        first,
        run("c", "8", "2"),
        "another seed draws other weightings"
    );
    let rows = table(&dir.path().join("a/sensitivity.csv"));
    let json = read_json(&dir.path().join("a/sensitivity.json"));
    let bryggeri: Vec<&serde_json::Value> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["class"] == "Bryggeri")
        .collect();
    let wins: u64 = bryggeri.iter().map(|r| r["wins"].as_u64().unwrap()).sum();
    assert!(wins >= 300, "every weighting has a winner in Bryggeri");
    assert!(
        bryggeri
            .iter()
            .filter(|r| r["wins"].as_u64().unwrap() > 0)
            .count()
            >= 2,
        "weights within these bounds swap the Bryggeri winner: {rows:?}"
    );
    // The award summary can show it.
    let table_path = dir.path().join("a/sensitivity.json");
    let (_out_dir, out) = run_handworked(&[
        "--only",
        "A",
        "--set",
        &format!("report.sensitivity=\"{}\"", table_path.display()),
    ]);
    if let Some(summary) = flat_pdf_text(&out.join("award-summary.pdf")) {
        let share = |id: &str| {
            let row = json["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["participant_id"] == id)
                .unwrap();
            format!("{:.1}", row["win_share"].as_f64().unwrap() * 100.0).replace('.', ",")
        };
        assert!(
            summary.contains("Vinnerandel: hvor ofte deltakeren vant klassen")
                && summary.contains(&format!("{} %", share("B"))),
            "{summary}"
        );
    }
    let o = ksp(&[
        "sensitivity",
        "testdata/handworked/ksp.toml",
        "--vary",
        "season.name=±10%",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no number"), "{}", stderr(&o));
}
