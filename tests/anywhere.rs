//! A season outside the repository, as a new user has it: the built binary run from
//! temporary folders with nothing of the repository but copies of its fixture data.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{ksp_in, pdf_text, root};

fn succeeded(o: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{what} failed: {stderr}");
    stderr
}

fn pdfs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pdf")
        })
        .count()
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A first participant id of a participants file.
fn first_id(participants: &Path) -> String {
    let text = std::fs::read_to_string(participants).unwrap();
    let line = text.lines().nth(1).unwrap();
    line.split(',').next().unwrap().to_string()
}

#[test]
fn a_new_season_renders_where_it_lives() {
    let home = tempfile::tempdir().unwrap();
    succeeded(&ksp_in(home.path(), &["new", "s"]), "ksp new s");
    let season = home.path().join("s");
    for file in [
        "season.toml",
        "participants.csv",
        "responses.csv",
        "README.md",
    ] {
        assert!(season.join(file).is_file(), "ksp new wrote no {file}");
    }
    succeeded(
        &ksp_in(home.path(), &["run", "s/season.toml"]),
        "ksp run s/season.toml",
    );
    let participants = std::fs::read_to_string(season.join("participants.csv")).unwrap();
    let reports = participants.lines().count() - 1;
    assert_eq!(pdfs(&season.join("out/reports")), reports);
    assert!(season.join("out/award-summary.pdf").is_file());

    // Inside the folder `ksp run` finds season.toml.
    let o = ksp_in(&season, &["run", "--out", "again"]);
    succeeded(&o, "ksp run in the season's folder");
    assert_eq!(pdfs(&season.join("again/reports")), reports);

    let o = ksp_in(home.path(), &["new", "s"]);
    assert_eq!(o.status.code(), Some(2), "ksp new into a non-empty folder");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
}

#[test]
fn without_a_config_ksp_run_says_how_to_start() {
    let empty = tempfile::tempdir().unwrap();
    let o = ksp_in(empty.path(), &["run"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("ksp new"), "{stderr}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// The hand-worked season copied out of the repository, its config without
/// `output.templates`, as a season of the hidden checks would be.
fn copied_season() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let source = root().join("testdata/handworked");
    for file in ["ksp.toml", "participants.csv", "responses.csv"] {
        std::fs::copy(source.join(file), home.path().join(file)).unwrap();
    }
    let config = home.path().join("ksp.toml");
    replace_in(&config, "templates = \"../../report-templates\"\n", "");
    (home, config)
}

#[test]
fn a_season_without_templates_uses_the_built_in_ones() {
    let (home, config) = copied_season();
    succeeded(
        &ksp_in(home.path(), &["run", config.to_str().unwrap()]),
        "ksp run of a copied season",
    );
    assert_eq!(pdfs(&home.path().join("out/reports")), 5);
    let manifest = std::fs::read_to_string(home.path().join("out/manifest.json")).unwrap();
    let builtin = format!(
        "\"templates_sha256\": \"{}\"",
        ksp::render::builtin::FINGERPRINT
    );
    assert!(manifest.contains(&builtin), "{manifest}");
}

#[test]
fn exported_templates_are_used_once_named_and_previews_follow_their_edits() {
    let (home, config) = copied_season();
    let dir = home.path();
    succeeded(
        &ksp_in(dir, &["templates", "export", "t"]),
        "templates export",
    );
    for file in [
        "participant.typ",
        "award-summary.typ",
        "lib/labels.typ",
        "panel",
        "chat-study",
        "samples",
        "fonts/LICENSE-Noto.txt",
    ] {
        assert!(
            dir.join("t").join(file).exists(),
            "the export has no {file}"
        );
    }
    let template = dir.join("t/participant.typ");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("{text}\nMARKERONE\n")).unwrap();
    replace_in(&config, "[output]\n", "[output]\ntemplates = \"t\"\n");
    succeeded(&ksp_in(dir, &["run", "ksp.toml"]), "ksp run with t");
    let manifest = std::fs::read_to_string(dir.join("out/manifest.json")).unwrap();
    assert!(
        !manifest.contains(ksp::render::builtin::FINGERPRINT),
        "{manifest}"
    );
    let id = first_id(&dir.join("participants.csv"));
    let report = dir.join("out/reports").join(format!("{id}.pdf"));
    if let Some(text) = pdf_text(&report) {
        assert!(text.contains("MARKERONE"), "the edit is not in the report");
    }

    let mut watch = Watch::start(
        dir,
        &["preview", "ksp.toml", &id, "--out", "p.pdf", "--watch"],
    );
    watch.wait_for("watching");
    let started = Instant::now();
    std::fs::write(&template, format!("{text}\nMARKERTWO\n")).unwrap();
    watch.wait_for("rendered again");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "the preview took {took:?}");
    if let Some(text) = pdf_text(&dir.join("p.pdf")) {
        assert!(text.contains("MARKERTWO") && !text.contains("MARKERONE"));
    }
}

/// A `ksp … --watch` process whose output lines are read as they come; it is killed when
/// dropped, also when a check fails.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ksp"))
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Watch { child, lines }
    }

    fn wait_for(&mut self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => return,
                Ok(_) => {}
                Err(_) => panic!("no `{what}` from ksp within a minute"),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Typst CLI: `KSP_TYPST`, else `typst` on the PATH; `None` (with a note) outside CI.
fn typst_cli() -> Option<PathBuf> {
    let typst = std::env::var_os("KSP_TYPST").map_or("typst".into(), PathBuf::from);
    match Command::new(&typst).arg("--version").output() {
        Ok(o) if o.status.success() => Some(typst),
        _ if std::env::var_os("CI").is_some() => {
            panic!("the Typst CLI is missing (.ci/run installs it)")
        }
        _ => {
            eprintln!("skipping the Typst CLI check: no typst on the PATH");
            None
        }
    }
}

#[test]
fn exported_templates_compile_with_the_typst_cli_as_the_readme_says() {
    let Some(typst) = typst_cli() else { return };
    let home = tempfile::tempdir().unwrap();
    succeeded(
        &ksp_in(home.path(), &["templates", "export", "t"]),
        "templates export",
    );
    let dir = home.path().join("t");
    for (template, sample) in [
        ("participant.typ", "participant.json"),
        ("award-summary.typ", "award-summary.json"),
        ("panel/participant.typ", "panel-participant.json"),
        ("panel/summary.typ", "panel-summary.json"),
        ("chat-study/study.typ", "chat-study.json"),
    ] {
        let data = format!("data=/samples/{sample}");
        let mut args = vec![
            "compile",
            template,
            "out.pdf",
            "--font-path",
            "fonts",
            "--input",
            &data,
        ];
        if template.contains('/') {
            args.extend(["--root", "."]);
        }
        let o = Command::new(&typst)
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "typst {args:?}: {stderr}");
        assert!(!stderr.contains("warning"), "typst {args:?}: {stderr}");
        assert!(
            std::fs::read(dir.join("out.pdf"))
                .unwrap()
                .starts_with(b"%PDF")
        );
    }
}

#[test]
fn a_misspelt_key_shows_its_line_a_caret_and_the_right_name() {
    let (home, config) = copied_season();
    replace_in(&config, "min_class_size", "min_clas_size");
    let o = ksp_in(home.path(), &["validate", "ksp.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let line = std::fs::read_to_string(&config)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("min_clas_size"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!("ksp.toml:{line}:1: unknown field `min_clas_size`")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{line} | min_clas_size = 2")),
        "{stderr}"
    );
    assert!(stderr.contains("   | ^^^^^^^^^^^^^\n"), "{stderr}");
    assert!(
        stderr.contains("= help: did you mean `min_class_size`?"),
        "{stderr}"
    );
}
