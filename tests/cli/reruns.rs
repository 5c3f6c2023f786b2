//! Re-runs: weights overlays, diff, incremental re-runs, shards and merge, thread and process counts.

use std::path::Path;

use crate::common::*;

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

/// Weights under which a wait-heavy participant wins Bryggeri in the hand-worked season.
const WAIT_HEAVY: [&str; 3] = [
    "areas.wait.weight=80",
    "areas.agent.weight=10",
    "areas.overall.weight=10",
];

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
