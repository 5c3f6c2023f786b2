//! The samples under `report-templates/samples/` are what a template author previews with:
//! each must have exactly the fields a real run sends its template (as
//! `tools/refresh_samples.sh` makes them), so a template that works on its sample works on
//! a season.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;

/// Every field path of a JSON value (`.areas[].score.t`), array elements merged.
fn paths(value: &serde_json::Value, prefix: &str, found: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let path = format!("{prefix}.{key}");
                found.insert(path.clone());
                paths(v, &path, found);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                paths(v, &format!("{prefix}[]"), found);
            }
        }
        _ => {}
    }
}

fn fields(path: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    paths(&read_json(path), "", &mut found);
    found
}

fn run(args: &[&str]) {
    let o = ksp(args);
    assert!(o.status.success(), "ksp {args:?}: {}", stderr(&o));
}

fn assert_same_fields(sample: &str, emitted: &Path) {
    let sample_path = root().join("report-templates/samples").join(sample);
    let (want, got) = (fields(&sample_path), fields(emitted));
    let missing: Vec<_> = got.difference(&want).collect();
    let extra: Vec<_> = want.difference(&got).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{sample}: fields a run sends that the sample lacks: {missing:?}; fields of the sample a run does not send: {extra:?}; refresh the samples with tools/refresh_samples.sh"
    );
}

#[test]
fn every_sample_has_exactly_the_fields_a_run_sends() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let last = at("2021");
    // The mystery-shopper award, with a last season for the year-over-year figures.
    run(&[
        "generate",
        "--participants",
        "188",
        "--seed",
        "2021",
        "--year",
        "2021",
        "--out",
        &last,
    ]);
    let previous_out = at("ksp-2021");
    run(&[
        "run",
        "config/ksp-2022.toml",
        "--out",
        &previous_out,
        "--only",
        "P003",
        "--set",
        &format!("input.participants={last}/participants.csv"),
        "--set",
        &format!("input.responses={last}/responses.csv"),
    ]);
    let out = at("ksp-2022");
    run(&[
        "run",
        "config/ksp-2022.toml",
        "--out",
        &out,
        "--emit-data",
        "--only",
        "P003",
        "--set",
        &format!("season.previous={previous_out}/results/results.json"),
    ]);
    let data = Path::new(&out).join("data");
    assert_same_fields("participant.json", &data.join("P003.json"));
    assert_same_fields("award-summary.json", &data.join("award-summary.json"));

    // The panel index, with 2012 as last season.
    let panel_2012 = at("panel-2012");
    run(&[
        "run",
        "config/panel-2013.toml",
        "--weights",
        "config/panel-2012.toml",
        "--out",
        &panel_2012,
        "--only",
        "K069",
    ]);
    let panel = at("panel-2013");
    run(&[
        "run",
        "config/panel-2013.toml",
        "--out",
        &panel,
        "--emit-data",
        "--only",
        "K069",
        "--set",
        &format!("season.previous={panel_2012}/results/results.json"),
    ]);
    let data = Path::new(&panel).join("data");
    assert_same_fields("panel-participant.json", &data.join("K069.json"));
    assert_same_fields("panel-summary.json", &data.join("ksindeks-2013.json"));

    // The channel study.
    let chat = at("chat");
    run(&[
        "run",
        "config/chat-study.toml",
        "--out",
        &chat,
        "--emit-data",
    ]);
    assert_same_fields(
        "chat-study.json",
        &Path::new(&chat).join("data/chat-study.json"),
    );
}

#[test]
fn every_document_carries_the_schema_version() {
    for sample in std::fs::read_dir(root().join("report-templates/samples")).unwrap() {
        let path = sample.unwrap().path();
        assert_eq!(read_json(&path)["schema"], 1, "{}", path.display());
    }
}
