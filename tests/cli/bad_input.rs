//! Bad input and misuse: the invalid fixtures, usage errors, help, sandboxed templates, rejected rows.

use std::path::PathBuf;

use crate::common::*;

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
fn help_teaches_with_examples() {
    let o = ksp(&["run", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("--set <KEY=VALUE>") && text.contains("Examples:"),
        "{text}"
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
