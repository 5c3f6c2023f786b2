//! Helpers the CLI test files share: the repository, the `ksp` binary, what it printed and
//! a folder's bytes.
#![allow(dead_code)] // each test file uses its own part of them

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `ksp` runs unless a test says otherwise.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `ksp ARGS` in the repository root.
pub fn ksp(args: &[&str]) -> Output {
    ksp_in(&root(), args)
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

/// Every file and link under `dir` with its bytes (a link's target), by relative path; with
/// `run_summary` false, without the `run-summary.json` that records a run's timings.
pub fn snapshot_with(dir: &Path, run_summary: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            if kind.is_dir() {
                files.insert(relative, b"<folder>".to_vec());
                stack.push(path);
            } else if kind.is_symlink() {
                let to = std::fs::read_link(&path).unwrap();
                files.insert(relative, to.to_string_lossy().as_bytes().to_vec());
            } else if run_summary || !path.ends_with("run-summary.json") {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Every file under `dir` with its bytes, but `run-summary.json`.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot_with(dir, false)
}

/// The names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Text of a PDF by poppler's pdftotext. Without it the check is skipped locally, but CI
/// (which installs poppler-utils) must have it.
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
