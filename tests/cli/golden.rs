//! The bundled seasons against their recorded outputs, and the workbook against the CSVs.

use std::path::Path;

use crate::common::*;

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
