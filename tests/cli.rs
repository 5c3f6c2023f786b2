//! The `ksp` binary on fixture folders under `testdata/`, each run into a temporary folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ksp(args: &[&str]) -> Output {
    ksp_with(args, &[])
}

/// `ksp` with environment variables set.
fn ksp_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksp"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .expect("ksp runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a config into a fresh temporary folder; the run must succeed.
fn run_config(config: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    run_config_with(config, extra, &[])
}

/// [`run_config`] with environment variables set.
fn run_config_with(
    config: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["run", config, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = ksp_with(&args, env);
    assert!(
        o.status.success(),
        "ksp run {config} failed: {}",
        stderr(&o)
    );
    (dir, out)
}

/// Runs the hand-worked season into a fresh temporary folder.
fn run_handworked(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    run_config("testdata/handworked/ksp.toml", extra)
}

/// The rows of a results CSV, each as column → value.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The rows of a results CSV keyed by their first column.
fn table(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let first = reader.headers().unwrap()[0].to_string();
    rows(path)
        .into_iter()
        .map(|row| (row[&first].clone(), row))
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = `{}` is not a number", row[column]))
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} ≠ {expected}"
    );
}

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
fn every_output_is_written_and_pdfs_carry_the_figures() {
    let (_dir, out) = run_handworked(&[]);
    for id in ["A", "B", "C", "D", "E"] {
        let pdf = std::fs::read(out.join(format!("reports/{id}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{id}.pdf is a PDF");
    }
    assert!(out.join("award-summary.pdf").is_file());
    assert!(out.join("results/results.json").is_file());
    let Some(text) = pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    // Lines wrap wherever the layout puts them: compare with white space folded.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Ærlige Øl & Åsmund AS"),
        "name with æøå: {text}"
    );
    assert!(text.contains("Bryggeri"), "class");
    assert!(text.contains("47,3"), "total with a decimal comma");
    // The comment is data, printed as written, never evaluated as Typst markup.
    assert!(
        text.contains(
            r#"#read("/etc/passwd") $x$ *fet* _kursiv_ @ref <tag> \ "sitat" #panic("x")"#
        ),
        "{text}"
    );
}

/// Text of a PDF by poppler's pdftotext. Without it the check is skipped locally, but CI
/// (which installs poppler-utils) must have it.
fn pdf_text(path: &Path) -> Option<String> {
    match Command::new("pdftotext")
        .args(["-raw", path.to_str().unwrap(), "-"])
        .output()
    {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ if std::env::var_os("CI").is_some() => {
            panic!("pdftotext is missing: install poppler-utils")
        }
        _ => {
            eprintln!("skipping PDF text checks: pdftotext (poppler-utils) is not installed");
            None
        }
    }
}

#[test]
fn invalid_fixtures_fail_with_their_message() {
    let invalid = root().join("testdata/invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&invalid)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    for case in cases {
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let o = ksp(&["validate", case.join("ksp.toml").to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}: exit code; stderr: {err}",
            case.display()
        );
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                err.contains(line),
                "{}: expected `{line}` in:\n{err}",
                case.display()
            );
        }
        assert!(!err.contains("panicked"), "{}: {err}", case.display());
    }
}

#[test]
fn usage_errors_exit_2_and_leave_nothing() {
    let o = ksp(&["run", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ksp(&[
        "run",
        "testdata/handworked/ksp.toml",
        "--out",
        out.to_str().unwrap(),
        "--only",
        "NOPE",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no participant has the id `NOPE`"));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no staging debris"
    );
}

#[test]
fn failed_runs_leave_the_previous_output_byte_identical() {
    let (dir, out) = run_handworked(&[]);
    let before = snapshot(&out);
    let case = root().join("testdata/invalid/unknown-participant/ksp.toml");
    let o = ksp(&[
        "run",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "a data error");
    let sandbox = root().join("testdata/sandbox/ksp.toml");
    let o = ksp(&[
        "run",
        sandbox.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "a render failure");
    assert!(snapshot(&out) == before, "the output folder changed");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"], "no staging folder left behind");
}

/// Every file under `dir` with its bytes, by relative path; but `run-summary.json`, which
/// records the run (its timings), not the season.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with("run-summary.json") {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn help_teaches_with_examples() {
    let o = ksp(&["run", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("--set <KEY=VALUE>") && text.contains("Examples:"),
        "{text}"
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
fn templates_are_sandboxed_and_every_failure_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ksp(&[
        "run",
        "testdata/sandbox/ksp.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("6 document(s) failed to render"), "{err}");
    for id in ["A", "B", "C", "D", "E"] {
        assert!(err.contains(&format!("participant {id}: testdata/sandbox/templates/participant.typ:4:7: error: file not found")), "{err}");
    }
    assert!(err.contains("award-summary.typ:4:7: error: path `\"../../../Cargo.toml\"` would escape the project root"), "{err}");
    assert!(!err.contains("root:x:0:0"), "nothing of /etc/passwd leaks");
    assert!(!out.exists());
}

#[test]
fn reject_mode_sets_bad_rows_aside_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ksp(&[
        "run",
        "testdata/reject/ksp.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 5 participant rows + 22 inquiry rows (the blank line is not a row) = 27 read;
    // set aside: participant E (bad sector), its 2 inquiries, and X1–X4.
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("27 rows read = 20 accepted + 7 rejected"),
        "{stdout}"
    );
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let expected = "file,line,column,value,reason
participants.csv,6,sector,offentlig,sector `offentlig` must be `private` or `public`
responses.csv,18,participant_id,E,participant `E` was set aside: see line 6 of the participants file
responses.csv,19,participant_id,E,participant `E` was set aside: see line 6 of the participants file
responses.csv,20,participant_id,Z,unknown participant_id `Z`: add it to the participants file or correct the id
responses.csv,21,listened,7,7 is outside the scale 1–5 of `listened`
responses.csv,22,,,too few fields: the row has 6 but the header has 14 (check the delimiter and the quotes)
responses.csv,24,answers,kanskje,\"`kanskje` is not an answer to the yes/no question `answers`: use ja/nei, yes/no or 1/0\"
responses.csv,24,grade,9,9 is outside the scale 1–5 of `grade`
";
    assert_eq!(rejects, expected);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results/results.json")).unwrap()).unwrap();
    assert_eq!(
        (
            json["rows_read"].as_u64(),
            json["rows_accepted"].as_u64(),
            json["rows_rejected"].as_u64()
        ),
        (Some(27), Some(20), Some(7))
    );
    // The accepted rows score as in the hand-worked season: A is unchanged.
    assert_close(
        num(&table(&out.join("results/participants.csv"))["A"], "total"),
        142.0 / 3.0,
        "A total",
    );
    if let Some(text) = pdf_text(&out.join("award-summary.pdf")) {
        assert!(text.contains("Rader avvist (se rejects.csv) 7"), "{text}");
    }
}

#[test]
fn jobs_1_2_and_4_write_byte_identical_folders() {
    // --jobs 1 renders in-process, --jobs 2 in two render processes (six documents), --jobs 4
    // on four threads of one process (too few documents for four processes).
    let (_a, one) = run_handworked(&["--jobs", "1"]);
    let one = snapshot(&one);
    for jobs in ["2", "4"] {
        let (_b, other) = run_handworked(&["--jobs", jobs]);
        let other = snapshot(&other);
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &one {
            assert!(
                bytes == &other[path],
                "{} differs between --jobs 1 and --jobs {jobs}",
                path.display()
            );
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&one[Path::new("manifest.json")]).unwrap();
    let outputs = manifest["outputs"].as_array().unwrap();
    assert_eq!(
        outputs.len(),
        one.len() - 1,
        "every file but the manifest is listed"
    );
    for entry in outputs {
        let bytes = &one[Path::new(entry["path"].as_str().unwrap())];
        assert_eq!(entry["size"].as_u64(), Some(bytes.len() as u64));
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            ksp::hash::sha256_hex(bytes)
        );
    }
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

/// The text of a PDF with white space folded, or `None` without pdftotext (outside CI).
fn flat_pdf_text(path: &Path) -> Option<String> {
    pdf_text(path).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn reports_have_every_section_in_norwegian_and_english() {
    let (_dir, out) = run_handworked(&["--only", "A"]);
    let Some(nb) = flat_pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    for section in [
        "Deltakerrapport",
        "Sammendrag",
        "Prestasjonsområder",
        "Oppnådd andel av poengene",
        "Kanaler",
        "Kundeopplevelse",
        "Kommentarer",
        "Vedlegg: alle henvendelser",
        "Vedlegg: metode slik den er konfigurert",
        "Plassering i klassen 3 av 3",
    ] {
        assert!(nb.contains(section), "nb report lacks `{section}`: {nb}");
    }
    // Decimal commas: total 47,3, interval −60,3–154,9, answer rate 66,7 %.
    assert!(
        nb.contains("47,3") && nb.contains("−60,3–154,9") && nb.contains("66,7 %"),
        "{nb}"
    );
    assert!(nb.contains("1. mars 2022"), "dates in Norwegian");

    let summary = flat_pdf_text(&out.join("award-summary.pdf")).unwrap();
    for section in [
        "Årets Kundeservice",
        "Resultater per klasse",
        "Best per kanal",
        "Ikke rangert",
        "Kjøringen",
        "Bølgebryggeriet AS – vinner",
    ] {
        assert!(
            summary.contains(section),
            "award summary lacks `{section}`: {summary}"
        );
    }

    let (_dir, out) = run_handworked(&["--only", "A", "--set", "season.language=en"]);
    let en = flat_pdf_text(&out.join("reports/A.pdf")).unwrap();
    for section in [
        "Participant report",
        "Summary",
        "Performance areas",
        "Channels",
        "Customer experience",
        "Comments",
        "Appendix: every inquiry",
    ] {
        assert!(en.contains(section), "en report lacks `{section}`: {en}");
    }
    assert!(
        en.contains("47.3") && en.contains("66.7 %") && !en.contains("47,3"),
        "decimal points in English: {en}"
    );
    assert!(en.contains("1 March 2022"), "dates in English");
}

#[test]
fn a_long_report_prints_every_comment_across_pages() {
    let (_dir, out) = run_config("testdata/long/ksp.toml", &[]);
    let Some(text) = flat_pdf_text(&out.join("reports/L.pdf")) else {
        return;
    };
    for i in 1..=60 {
        assert!(
            text.contains(&format!("(henvendelse {i} av 60)")),
            "comment {i} is missing"
        );
    }
    let pages = Command::new("pdfinfo")
        .arg(out.join("reports/L.pdf"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&pages.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        pages >= 8,
        "60 inquiries with long comments take several pages, got {pages}"
    );
}

#[test]
fn pdfs_pass_the_pdfua_checker() {
    let (_dir, out) = run_handworked(&["--only", "A,E"]);
    let files = [
        out.join("reports/A.pdf"),
        out.join("reports/E.pdf"),
        out.join("award-summary.pdf"),
    ];
    let o = match Command::new("pdfua").arg("check").args(&files).output() {
        Ok(o) => o,
        Err(_) if std::env::var_os("CI").is_some() => panic!("pdfua is missing: pip install pdfua"),
        Err(_) => return eprintln!("skipping the PDF/UA check: pdfua (PyPI) is not installed"),
    };
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "pdfua found problems:\n{report}");
    assert_eq!(report.matches("result: PASS").count(), 3, "{report}");
    // The award summary laid out a row at a time and joined.
    let (_dir, parts) = run_handworked(&["--only", "A", "--set", "report.summary_rows_per_part=1"]);
    let o = Command::new("pdfua")
        .arg("check")
        .arg(parts.join("award-summary.pdf"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && report.contains("result: PASS"),
        "pdfua found problems:\n{report}"
    );
}

/// A PDF's outline: every item's depth and title, in order.
fn outline(doc: &lopdf::Document) -> Vec<(usize, String)> {
    fn walk(
        doc: &lopdf::Document,
        first: Option<&lopdf::Object>,
        depth: usize,
        out: &mut Vec<(usize, String)>,
    ) {
        let mut next = first.and_then(|o| o.as_reference().ok());
        while let Some(id) = next {
            let item = doc.get_dictionary(id).unwrap();
            let title = item.get(b"Title").unwrap().as_str().unwrap();
            let title = match title {
                [0xFE, 0xFF, rest @ ..] => String::from_utf16(
                    &rest
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
                .unwrap(),
                latin => latin.iter().map(|&b| b as char).collect(),
            };
            out.push((depth, title));
            walk(doc, item.get(b"First").ok(), depth + 1, out);
            next = item.get(b"Next").ok().and_then(|o| o.as_reference().ok());
        }
    }
    let mut items = Vec::new();
    let catalog = doc.catalog().unwrap();
    let outlines = doc
        .get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap())
        .unwrap();
    walk(doc, outlines.get(b"First").ok(), 0, &mut items);
    items
}

#[test]
fn a_summary_laid_out_in_parts_is_the_whole_summary_in_one_tagged_pdf() {
    let (_d1, whole) = run_handworked(&["--only", "A"]);
    // One row per part: the class of three is cut into three parts.
    let (_d2, split) = run_handworked(&["--only", "A", "--set", "report.summary_rows_per_part=1"]);
    let whole_pdf = lopdf::Document::load(whole.join("award-summary.pdf")).unwrap();
    let pdf = lopdf::Document::load(split.join("award-summary.pdf")).unwrap();
    assert_eq!(
        outline(&pdf),
        outline(&whole_pdf),
        "the same headings, nested alike"
    );
    let pages = pdf.get_pages();
    assert!(
        pages.len() > whole_pdf.get_pages().len(),
        "each part starts a page"
    );
    // One structure tree: each page's key into the parent tree is its own and in the tree.
    let root = pdf
        .get_dictionary(
            pdf.catalog()
                .unwrap()
                .get(b"StructTreeRoot")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    let nums = root
        .get(b"ParentTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap();
    let keys: Vec<i64> = nums
        .iter()
        .step_by(2)
        .map(|k| k.as_i64().unwrap())
        .collect();
    let mut page_keys: Vec<i64> = pages
        .values()
        .map(|&id| {
            pdf.get_dictionary(id)
                .unwrap()
                .get(b"StructParents")
                .unwrap()
                .as_i64()
                .unwrap()
        })
        .collect();
    page_keys.sort();
    page_keys.dedup();
    assert_eq!(page_keys.len(), pages.len(), "no two pages share a key");
    assert!(
        page_keys.iter().all(|k| keys.contains(k)),
        "{page_keys:?} in {keys:?}"
    );
    let ids = root
        .get(b"IDTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Names")
        .unwrap()
        .as_array()
        .unwrap();
    let mut names: Vec<&[u8]> = ids.iter().step_by(2).map(|n| n.as_str().unwrap()).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        count,
        "structure element ids are unique across parts"
    );
    let Some(text) = flat_pdf_text(&split.join("award-summary.pdf")) else {
        return;
    };
    for name in [
        "Ærlige Øl & Åsmund AS",
        "Bølgebryggeriet AS",
        "Cæsar Brygg AS",
        "Resultater per klasse (fortsatt)",
    ] {
        assert!(text.contains(name), "{name} is missing");
    }
    for page in 1..=pages.len() {
        assert!(
            text.contains(&format!("Side {page} ")) || text.ends_with(&format!("Side {page}")),
            "page {page} is numbered"
        );
    }
}

#[test]
fn a_weights_overlay_re_runs_the_season() {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("weights.toml");
    std::fs::write(
        &weights,
        "[areas.wait]\nweight = 0\n\n[questions.would_buy]\npoints = 3\n",
    )
    .unwrap();
    let (_out_dir, out) = run_handworked(&["--weights", weights.to_str().unwrap()]);
    let a = &table(&out.join("results/participants.csv"))["A"];
    // Without the wait area and with would_buy worth 3: A1 agent 100, overall (0 + 3) / 7 →
    // S = (6000 + 30 · 300/7) / 90 = 80.95; A2 = (2000 + 3000) / 90 = 55.56; A3 = 0.
    let a1 = (6000.0 + 30.0 * 300.0 / 7.0) / 90.0;
    assert_close(
        num(a, "total"),
        (a1 + 5000.0 / 90.0) / 3.0,
        "total under the overlay",
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results/results.json")).unwrap()).unwrap();
    assert_eq!(
        json["config"]["areas"]["wait"]["weight"], 0.0,
        "the effective config is stored"
    );
}

#[test]
fn last_season_and_awards_show_in_the_report() {
    let (_dir, last) = run_handworked(&["--only", "A"]);
    let previous = last.join("results/results.json");
    let (_dir2, out) = run_handworked(&[
        "--only",
        "A,B",
        "--set",
        &format!("season.previous=\"{}\"", previous.display()),
        "--set",
        "areas.wait.weight=0",
    ]);
    let Some(a) = flat_pdf_text(&out.join("reports/A.pdf")) else {
        return;
    };
    // Last season A had 47,3; without the wait area it has (7500/90 + 5000/90) / 3 = 46,3.
    assert!(
        a.contains("Forrige sesong (Håndregnet sesong 2022)") && a.contains("47,3 −1,0 3"),
        "{a}"
    );
    let b = flat_pdf_text(&out.join("reports/B.pdf")).unwrap();
    assert!(
        b.contains("Vinner i klassen Bryggeri") && b.contains("Årets Kundeservice"),
        "{b}"
    );
    let summary = flat_pdf_text(&out.join("award-summary.pdf")).unwrap();
    assert!(
        summary.contains("Største endringer fra i fjor") && summary.contains("47,3 46,3 −1,0"),
        "{summary}"
    );
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_weight_change_that_swaps_a_class_winner_shows_in_diff() {
    let (dir, before) = run_handworked(&["--jobs", "1"]);
    let (_dir2, after) = run_handworked(&[
        "--jobs",
        "1",
        "--set",
        WAIT_HEAVY[0],
        "--set",
        WAIT_HEAVY[1],
        "--set",
        WAIT_HEAVY[2],
    ]);
    let winner =
        |out: &Path| table(&out.join("results/classes.csv"))["Bryggeri"]["winner_ids"].clone();
    assert_ne!(
        winner(&before),
        winner(&after),
        "the fixture's weights must swap the winner"
    );
    let report = dir.path().join("diff");
    let o = ksp(&[
        "diff",
        before.to_str().unwrap(),
        after.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "changes exit 1: {}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("class_winner Bryggeri"), "{text}");
    assert!(text.contains("areas.wait.weight"), "{text}");
    let json = read_json(&report.join("diff.json"));
    assert_eq!(json["changed"], true);
    let changes = json["changes"].as_array().unwrap();
    let swap = changes
        .iter()
        .find(|c| c["kind"] == "winner" && c["subject"] == "class_winner Bryggeri")
        .expect("the swapped winner is listed");
    assert_eq!(swap["old"], winner(&before).as_str());
    assert_eq!(swap["new"], winner(&after).as_str());
    let csv = std::fs::read_to_string(report.join("diff.csv")).unwrap();
    assert_eq!(csv.lines().count(), changes.len() + 1);
    assert!(csv.starts_with("kind,subject,name,old,new,change\n"));

    // A run against itself: nothing changed, exit 0.
    let o = ksp(&[
        "diff",
        before.to_str().unwrap(),
        before.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        read_json(&report.join("diff.json"))["changes"],
        serde_json::json!([])
    );

    // Not an output folder: a usage error naming it.
    let o = ksp(&["diff", before.to_str().unwrap(), "testdata"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("results.json"), "{}", stderr(&o));
}

/// Weights under which a wait-heavy participant wins Bryggeri in the hand-worked season.
const WAIT_HEAVY: [&str; 3] = [
    "areas.wait.weight=80",
    "areas.agent.weight=10",
    "areas.overall.weight=10",
];

/// Runs the hand-worked season again into `out` and returns its run-summary.json.
fn rerun(out: &Path, extra: &[&str]) -> (String, serde_json::Value) {
    let mut args = vec![
        "run",
        "testdata/handworked/ksp.toml",
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "1",
    ];
    args.extend_from_slice(extra);
    let o = ksp(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    (stdout, read_json(&out.join("run-summary.json")))
}

#[test]
fn a_rerun_without_changes_renders_nothing() {
    let (_dir, out) = run_handworked(&["--jobs", "1"]);
    let first = snapshot(&out);
    let (text, summary) = rerun(&out, &[]);
    assert!(text.contains("nothing to render"), "{text}");
    assert_eq!(summary["documents_rendered"], 0);
    assert_eq!(summary["documents_reused"], 6);
    assert_eq!(summary["participants"], 5);
    assert!(summary["timings"]["render_ms"].is_number());
    assert!(
        snapshot(&out) == first,
        "a no-change run writes the same bytes"
    );

    // A config value the reports show renders them again.
    let (_, summary) = rerun(&out, &["--set", "award.min_inquiries=4"]);
    assert_eq!(
        summary["documents_rendered"], 6,
        "min_inquiries shows in every report"
    );

    // --force renders everything, and the bytes are the same as a cold run's.
    let (_, summary) = rerun(&out, &["--force"]);
    assert_eq!(summary["documents_rendered"], 6);
    assert_eq!(
        summary["changed"].as_array().unwrap().len(),
        6,
        "back from min_inquiries=4"
    );
    assert!(snapshot(&out) == first, "forced run equals the cold run");

    // A report edited by hand is noticed and rendered again.
    std::fs::write(out.join("reports/A.pdf"), b"tampered").unwrap();
    let (_, summary) = rerun(&out, &[]);
    assert_eq!(summary["rendered"], serde_json::json!(["reports/A.pdf"]));
    assert!(snapshot(&out) == first);
}

#[test]
fn shards_merged_equal_a_single_run() {
    let (dir, single) = run_handworked(&["--jobs", "1"]);
    let mut shards = Vec::new();
    for k in 1..=3 {
        let shard = dir.path().join(format!("shard{k}"));
        let o = ksp(&[
            "run",
            "testdata/handworked/ksp.toml",
            "--out",
            shard.to_str().unwrap(),
            "--jobs",
            "1",
            "--shard",
            &format!("{k}/3"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        shards.push(shard.to_str().unwrap().to_string());
    }
    let reports = |k: usize| {
        std::fs::read_dir(Path::new(&shards[k]).join("reports"))
            .unwrap()
            .count()
    };
    assert_eq!((reports(0), reports(1), reports(2)), (2, 2, 1));
    let merged = dir.path().join("merged");
    // Shards given in any order.
    let o = ksp(&[
        "merge",
        &shards[2],
        &shards[0],
        &shards[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (a, b) = (snapshot(&single), snapshot(&merged));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{} differs from the single run",
            path.display()
        );
    }

    // A missing shard, a shard given twice, or a file changed since: refused, nothing written.
    let refused = dir.path().join("refused");
    let o = ksp(&[
        "merge",
        &shards[0],
        &shards[1],
        "--out",
        refused.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("shard 3/3 is missing"),
        "{}",
        stderr(&o)
    );
    let o = ksp(&[
        "merge",
        &shards[0],
        &shards[1],
        &shards[1],
        "--out",
        refused.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("are both shard 2/3"), "{}", stderr(&o));
    std::fs::write(Path::new(&shards[1]).join("results/awards.csv"), "x").unwrap();
    let o = ksp(&[
        "merge",
        &shards[0],
        &shards[1],
        &shards[2],
        "--out",
        refused.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("has changed since"), "{}", stderr(&o));
    assert!(!refused.exists());
    let o = ksp(&[
        "merge",
        single.to_str().unwrap(),
        "--out",
        refused.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("is not a shard"), "{}", stderr(&o));
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

/// Text for comparing with what pdftotext gives back: no white space (pdftotext puts line
/// breaks where the layout does and guesses the spaces around emoji), no control or format
/// characters (joiners, bidi marks, tag characters), and characters no font has as the
/// placeholder the report shows.
fn comparable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{10FFFD}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFE00..=0xFE0F | 0xE0000..=0xE007F)
        })
        .collect()
}

/// The words of a right-to-left text. poppler writes each run of the other direction as a
/// separate segment and the lam-alef ligature as alef-lam, so RTL texts are compared word by
/// word with that ligature in one spelling.
fn rtl_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || ",،.:".contains(c))
        .map(|w| comparable(w).replace("لا", "ال"))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every word box of a PDF by `pdftotext -bbox`, with its page's width and height.
fn word_boxes(path: &Path) -> Vec<(f64, f64, [f64; 4], String)> {
    let o = Command::new("pdftotext")
        .args(["-bbox", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&o.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let mut page = (0.0, 0.0);
    let mut boxes = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page = (attr(line, "width"), attr(line, "height"));
        } else if line.starts_with("<word ") {
            let word = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
            let b = ["xMin", "yMin", "xMax", "yMax"].map(|n| attr(line, n));
            boxes.push((page.0, page.1, b, word.to_string()));
        }
    }
    boxes
}

#[test]
fn any_text_people_type_renders_stays_text_and_stays_on_the_page() {
    let (_dir, out) = run_config("testdata/strange/ksp.toml", &[]);
    let summary = read_json(&out.join("run-summary.json"));
    assert_eq!(
        summary["documents_rendered"], 7,
        "every report and the summary"
    );
    // C's name holds U+0007 and U+0001, its comments U+0007, U+0001, U+0085 (removed), a
    // plane-16 private-use character and U+FFFF (shown as the placeholder).
    assert_eq!(summary["characters_removed"], 5, "{summary}");
    assert_eq!(summary["characters_replaced"], 2, "{summary}");
    assert_eq!(summary["participants_with_changed_characters"], 1);
    let warnings = summary["warnings"].as_array().unwrap();
    let fix = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("participant `C`"))
        .expect("one warning for participant C");
    assert!(
        fix["where"]
            .as_str()
            .unwrap()
            .ends_with("participants.csv:6:2: column `name`")
            && fix["message"].as_str().unwrap().contains("U+0007")
            && fix["message"].as_str().unwrap().contains("U+10FFFD"),
        "{fix}"
    );
    if pdf_text(&out.join("award-summary.pdf")).is_none() {
        return;
    }
    let raw = |id: &str| comparable(&pdf_text(&out.join(format!("reports/{id}.pdf"))).unwrap());
    let logical = |id: &str| {
        let o = Command::new("pdftotext")
            .arg(out.join(format!("reports/{id}.pdf")))
            .arg("-")
            .output()
            .unwrap();
        rtl_words(&String::from_utf8_lossy(&o.stdout)).join(" ")
    };
    let mut texts: Vec<(String, String)> = rows(&root().join("testdata/strange/responses.csv"))
        .into_iter()
        .map(|r| (r["participant_id"].clone(), r["comment_agent"].clone()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    texts.extend(
        rows(&root().join("testdata/strange/participants.csv"))
            .into_iter()
            .map(|r| (r["participant_id"].clone(), r["name"].clone())),
    );
    for (id, text) in texts {
        if text.len() > 10_000 {
            // Across pages, with running headers between: every sentence, then the end.
            let got = raw(&id);
            for i in 1..=120 {
                assert!(got.contains(&format!("(avsnitt{i})")), "{id}: sentence {i}");
            }
            assert!(
                got.contains("(sluttpådenlangekommentaren)"),
                "{id}: its end"
            );
        } else if rtl_words(&text)
            .iter()
            .any(|w| w.chars().any(|c| ('\u{590}'..='\u{8FF}').contains(&c)))
        {
            let got = logical(&id);
            for word in rtl_words(&text) {
                assert!(got.contains(&word), "{id}: `{word}` of `{text}` in {got}");
            }
        } else {
            let want = comparable(&text).replace(['\u{7}', '\u{1}'], "");
            assert!(
                raw(&id).contains(&want),
                "{id}: `{text}` is not in its report"
            );
        }
    }
    let margin = 20.0 / 25.4 * 72.0;
    let pdfs: Vec<PathBuf> = ["A", "C", "E", "S", "W", "Z"]
        .iter()
        .map(|id| out.join(format!("reports/{id}.pdf")))
        .chain([out.join("award-summary.pdf")])
        .collect();
    for pdf in &pdfs {
        for (width, height, [x0, y0, x1, y1], word) in word_boxes(pdf) {
            assert!(
                x0 >= margin - 1.0 && x1 <= width - margin + 1.0 && y0 >= 0.0 && y1 <= height,
                "{}: `{word}` at x {x0:.0}–{x1:.0}, y {y0:.0}–{y1:.0} is outside the text area",
                pdf.display()
            );
        }
    }
    if let Ok(o) = Command::new("pdfua").arg("check").args(&pdfs).output() {
        let report = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "pdfua found problems:\n{report}");
    } else if std::env::var_os("CI").is_some() {
        panic!("pdfua is missing: pip install pdfua");
    }
}

/// `ksp run CONFIG --out OUT EXTRA…`, started but not waited for.
fn spawn(config: &str, out: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ksp"))
        .args(["run", config, "--out", out.to_str().unwrap()])
        .args(extra)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// `ksp run` of the hand-worked season into `out`, started but not waited for.
fn spawn_run(out: &Path, extra: &[&str]) -> std::process::Child {
    spawn("testdata/handworked/ksp.toml", out, extra)
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn two_runs_into_one_folder_one_waits_or_fails_and_the_folder_is_whole() {
    let (_clean_dir, clean) = run_handworked(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let runs = [spawn_run(&out, &["--force"]), spawn_run(&out, &["--force"])];
    let outcomes: Vec<Output> = runs
        .into_iter()
        .map(|r| r.wait_with_output().unwrap())
        .collect();
    let codes: Vec<Option<i32>> = outcomes.iter().map(|o| o.status.code()).collect();
    assert!(
        codes == [Some(0), Some(3)] || codes == [Some(3), Some(0)],
        "exactly one succeeds: {codes:?}\n{}\n{}",
        stderr(&outcomes[0]),
        stderr(&outcomes[1])
    );
    let refused = outcomes
        .iter()
        .find(|o| o.status.code() == Some(3))
        .unwrap();
    let message = stderr(refused);
    assert!(
        message.contains("is being written by another ksp run (pid ")
            && message.contains(out.to_str().unwrap())
            && message.contains("--wait"),
        "{message}"
    );
    assert!(
        snapshot(&out) == snapshot(&clean),
        "the folder is one clean run"
    );
    assert_eq!(names_in(dir.path()), ["out"], "no lock or staging left");

    let runs = [
        spawn_run(&out, &["--force", "--wait"]),
        spawn_run(&out, &["--force", "--wait"]),
    ];
    for run in runs {
        let o = run.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "with --wait both succeed: {}",
            stderr(&o)
        );
    }
    assert!(snapshot(&out) == snapshot(&clean), "still one clean run");
    assert_eq!(names_in(dir.path()), ["out"]);
}

/// The pids of running (not zombie) processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
            let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
            if fields[1].parse::<u32>() == Ok(parent) && fields[0] != "Z" {
                pids.push(pid);
            }
        }
    }
    pids
}

fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s[s.rfind(')').unwrap() + 2..].starts_with('Z'))
        .unwrap_or(false)
}

/// A run of 40 of the bundled season's reports into `out`, started but not waited for: long
/// enough to be caught rendering.
fn spawn_long_run(out: &Path, extra: &[&str]) -> std::process::Child {
    let only = (1..=40)
        .map(|i| format!("P{i:03}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut args = vec!["--only", &only];
    args.extend_from_slice(extra);
    spawn("config/ksp-2022.toml", out, &args)
}

/// Reports a run has rendered so far into its staging folder beside `out`.
fn staged_reports(out: &Path) -> usize {
    let name = format!(
        ".{}.ksp-staging",
        out.file_name().unwrap().to_string_lossy()
    );
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&name))
        .filter_map(|e| std::fs::read_dir(e.path().join("reports")).ok())
        .map(|reports| reports.count())
        .sum()
}

/// Starts a run into `out` with render processes and signals it once they have rendered a
/// report; returns the run's output and whether the render processes were gone within two
/// seconds.
#[cfg(target_os = "linux")]
fn kill_mid_render(out: &Path, signal: i32) -> (Output, bool) {
    let run = spawn_long_run(out, &["--force", "--jobs", "2"]);
    let pid = run.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let workers = loop {
        let workers = children_of(pid);
        if workers.len() == 2 && staged_reports(out) > 0 {
            break workers;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no render processes started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    // SAFETY: signals a child process of this test, which it then reaps.
    unsafe { libc_kill(pid as i32, signal) };
    let o = run.wait_with_output().unwrap();
    let gone = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        workers.iter().all(|w| !running(*w))
    });
    (o, gone)
}

#[cfg(target_os = "linux")]
unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

#[test]
#[cfg(target_os = "linux")]
fn a_killed_run_leaves_the_output_and_no_process_behind() {
    const SIGKILL: i32 = 9;
    const SIGTERM: i32 = 15;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = spawn_long_run(&out, &[]).wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&out);

    let (o, gone) = kill_mid_render(&out, SIGKILL);
    assert_eq!(o.status.code(), None, "killed by a signal");
    assert!(
        gone,
        "render processes outlived their killed parent by two seconds"
    );
    assert!(snapshot(&out) == before, "the previous output changed");
    let stale: Vec<String> = names_in(dir.path())
        .into_iter()
        .filter(|n| n.contains("ksp-staging"))
        .collect();
    assert_eq!(
        stale.len(),
        1,
        "SIGKILL leaves its staging folder: {stale:?}"
    );
    let next = spawn_long_run(&out, &[]).wait_with_output().unwrap();
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(
        stderr(&next).contains(&format!("removed {}", dir.path().join(&stale[0]).display())),
        "the next run says it removed the stale staging folder: {}",
        stderr(&next)
    );
    assert_eq!(names_in(dir.path()), ["out"]);
    assert!(snapshot(&out) == before, "a full run writes the same files");

    let (o, gone) = kill_mid_render(&out, SIGTERM);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(gone, "render processes outlived SIGTERM by two seconds");
    assert!(snapshot(&out) == before);
    assert_eq!(
        names_in(dir.path()),
        ["out"],
        "SIGTERM removes its staging folder"
    );
}

#[test]
fn verify_finds_missing_and_changed_files() {
    let (_dir, out) = run_handworked(&[]);
    let o = ksp(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("is complete"));
    std::fs::remove_file(out.join("reports/A.pdf")).unwrap();
    let mut bytes = std::fs::read(out.join("reports/B.pdf")).unwrap();
    bytes.push(b'\n');
    std::fs::write(out.join("reports/B.pdf"), bytes).unwrap();
    std::fs::write(out.join("stray.txt"), "x").unwrap();
    let o = ksp(&["verify", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("missing: reports/A.pdf") && text.contains("changed: reports/B.pdf"),
        "{text}"
    );
    assert!(stderr(&o).contains("stray.txt is not in the manifest"));
    let o = ksp(&["verify", out.join("reports").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "no manifest: {}", stderr(&o));
}

#[test]
#[cfg(target_os = "linux")]
fn a_run_into_a_full_disk_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=256k",
            "tmpfs",
            disk.to_str().unwrap(),
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        return eprintln!("skipping the full-disk test: mounting a tmpfs needs root");
    }
    let out = disk.join("out");
    std::fs::create_dir(&out).unwrap();
    // The last run's output, as ksp would recognise it (a manifest listing its file).
    std::fs::write(out.join("previous.txt"), "the last run's output").unwrap();
    let manifest = r#"{"tool": "ksp", "version": "0", "season": "s", "config_sha256": "",
        "inputs": [], "outputs": [{"path": "previous.txt", "sha256": "", "size": 21}]}"#;
    std::fs::write(out.join("manifest.json"), manifest).unwrap();
    let o = ksp(&[
        "run",
        "testdata/handworked/ksp.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    let listing = names_in(&disk);
    let previous = std::fs::read_to_string(out.join("previous.txt"));
    Command::new("umount").arg(&disk).status().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No space left on device"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        listing,
        ["out"],
        "no staging folder or lock left on the full disk"
    );
    assert_eq!(previous.unwrap(), "the last run's output");
}

/// The three bundled seasons rendered in full, every PDF and results file compared with the
/// SHA-256 recorded in `tests/golden/outputs.sha256` (manifest.json and run-summary.json
/// aside: they name ksp's version and the run's timings). A change to the code that is not
/// meant to change any output must leave every byte as it was; one that is meant to records
/// the new values with `KSP_RECORD_GOLDEN=1 cargo test --test cli bundled_seasons`, and the
/// diff of that file shows which outputs changed.
#[test]
fn bundled_seasons_match_their_recorded_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for season in ["chat-study", "ksp-2022", "panel-2013"] {
        let out = dir.path().join(season);
        let config = format!("config/{season}.toml");
        let o = ksp(&["run", &config, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{season}: {}", stderr(&o));
        for (path, bytes) in snapshot(&out) {
            let path = path.to_string_lossy().replace('\\', "/");
            if path != "manifest.json" {
                lines.push(format!("{}  {season}/{path}", sha256_hex(&bytes)));
            }
        }
    }
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    let recorded_path = root().join("tests/golden/outputs.sha256");
    if std::env::var_os("KSP_RECORD_GOLDEN").is_some() {
        std::fs::write(&recorded_path, lines.join("\n") + "\n").unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&recorded_path).unwrap();
    let recorded: Vec<&str> = recorded.lines().collect();
    let differing: Vec<&str> = lines
        .iter()
        .filter(|l| !recorded.contains(&l.as_str()))
        .map(|l| &l[66..])
        .collect();
    assert!(
        differing.is_empty() && lines.len() == recorded.len(),
        "{} of {} outputs differ from tests/golden/outputs.sha256 ({} recorded): {differing:?}",
        differing.len(),
        lines.len(),
        recorded.len()
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `results.xlsx` holds every results CSV cell for cell: a figure as a number equal to the
/// CSV's, text as text, `true`/`false` as booleans, nothing where the CSV is empty. In a
/// study, a mystery-shopper season and one of strange texts (emoji, scripts, control
/// characters), as the workbook stores each string in its cell.
#[test]
fn the_workbook_holds_every_results_table_cell_for_cell() {
    for (config, only) in [
        ("config/chat-study.toml", None),
        ("config/ksp-2022.toml", Some("P001")),
        ("testdata/strange/ksp.toml", None),
    ] {
        let extra: Vec<&str> = only.map(|p| vec!["--only", p]).unwrap_or_default();
        let (_dir, out) = run_config(config, &extra);
        workbook_matches_the_csvs(&out);
    }
}

fn workbook_matches_the_csvs(out: &Path) {
    use calamine::{Data, Reader};
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("results/results.xlsx")).unwrap();
    let mut compared = 0;
    for entry in std::fs::read_dir(out.join("results")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap();
        let sheet = workbook.worksheet_range(name).unwrap();
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap();
        let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        assert_eq!(sheet.height(), records.len(), "{name}: rows");
        for (r, record) in records.iter().enumerate() {
            for (c, text) in record.iter().enumerate() {
                let cell = sheet.get((r, c)).unwrap_or(&Data::Empty);
                let same = match cell {
                    Data::Empty => text.is_empty(),
                    Data::String(s) => s == text,
                    Data::Float(x) => text.parse::<f64>() == Ok(*x),
                    Data::Bool(b) => b.to_string() == text,
                    _ => false,
                };
                assert!(
                    same,
                    "{name} row {} column {}: {cell:?} vs `{text}`",
                    r + 1,
                    c + 1
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 500, "only {compared} cells compared");
}

/// A render process hands over to a fresh one after a number of documents (256, here set to
/// one by `KSP_DOCS_PER_PROCESS`); the documents come out the same.
#[test]
fn fresh_render_processes_render_the_same_documents() {
    let (_a, shared) = run_handworked(&["--jobs", "2"]);
    let (_b, fresh) = run_config_with(
        "testdata/handworked/ksp.toml",
        &["--jobs", "2"],
        &[("KSP_DOCS_PER_PROCESS", "1")],
    );
    let (a, b) = (snapshot(&shared), snapshot(&fresh));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs", path.display());
    }
}
