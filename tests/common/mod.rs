//! Helpers the test binaries share: the repository, the `ksp` binary and what it printed,
//! seasons run into temporary folders, results tables, PDF text and a folder's bytes.
#![allow(dead_code)] // each test binary uses its own part of them

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `ksp` runs unless a test says otherwise.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `ksp ARGS` in the repository root.
pub fn ksp(args: &[&str]) -> Output {
    ksp_with(args, &[])
}

/// `ksp ARGS` in the repository root with environment variables set.
pub fn ksp_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksp"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .expect("ksp runs")
}

/// `ksp ARGS` in the folder `dir`.
pub fn ksp_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksp"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ksp runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a config into a fresh temporary folder; the run must succeed.
pub fn run_config(config: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    run_config_with(config, extra, &[])
}

/// [`run_config`] with environment variables set.
pub fn run_config_with(
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
pub fn run_handworked(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    run_config("testdata/handworked/ksp.toml", extra)
}

/// The rows of a results CSV, each as column → value.
pub fn rows(path: &Path) -> Vec<HashMap<String, String>> {
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
pub fn table(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let first = reader.headers().unwrap()[0].to_string();
    rows(path)
        .into_iter()
        .map(|row| (row[&first].clone(), row))
        .collect()
}

pub fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = `{}` is not a number", row[column]))
}

pub fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} ≠ {expected}"
    );
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Text of a PDF by poppler's `pdftotext -raw`. Without it the check is skipped locally, but
/// CI (which installs poppler-utils) must have it.
pub fn pdf_text(path: &Path) -> Option<String> {
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

/// `qpdf --check` on a PDF: skipped where qpdf is not installed, but CI must have it.
pub fn qpdf_check(path: &Path) {
    match Command::new("qpdf").arg("--check").arg(path).output() {
        Ok(o) => assert!(
            o.status.success(),
            "qpdf --check {}: {}",
            path.display(),
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(_) if std::env::var_os("CI").is_some() => panic!("qpdf is missing: install qpdf"),
        Err(_) => eprintln!("skipping the qpdf check: qpdf is not installed"),
    }
}

/// The text of a PDF with white space folded, or `None` without pdftotext (outside CI).
pub fn flat_pdf_text(path: &Path) -> Option<String> {
    pdf_text(path).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Every file under `dir` with its bytes, by relative path; but `run-summary.json`, which
/// records the run (its timings), not the season.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
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

/// Everything under `dir`, by relative path: a file's bytes, a link's target (not followed),
/// and `<folder>` for each folder, so an added, removed or changed entry of any kind shows.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut entries = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            let value = if kind.is_dir() {
                stack.push(path);
                b"<folder>".to_vec()
            } else if kind.is_symlink() {
                let to = std::fs::read_link(&path).unwrap();
                to.to_string_lossy().as_bytes().to_vec()
            } else {
                std::fs::read(&path).unwrap()
            };
            entries.insert(relative, value);
        }
    }
    entries
}

/// The names in a folder, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
