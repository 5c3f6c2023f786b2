//! What ksp may replace: an output folder that is not ksp's, or that holds the season's
//! inputs, is refused and left byte-identical; files a user put into a ksp output are
//! carried over; `generate` and `preview` replace no file of the user's; templates read
//! nothing outside their folder, through links neither.

use std::path::{Path, PathBuf};

use crate::common::*;

/// The hand-worked season (5 participants, built-in templates) copied into `dir`.
fn season_in(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let from = root().join("testdata/handworked");
    for file in ["participants.csv", "responses.csv"] {
        std::fs::copy(from.join(file), dir.join(file)).unwrap();
    }
    let config = std::fs::read_to_string(from.join("ksp.toml")).unwrap();
    let config: String = config
        .lines()
        .filter(|line| !line.starts_with("templates ="))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(dir.join("season.toml"), config).unwrap();
    dir.join("season.toml")
}

fn run(config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ksp(&args)
}

/// A refused run: its exit code, that its message has `expected`, and that nothing under
/// `top` changed and no lock or staging folder was left.
fn assert_refused(o: &std::process::Output, top: &Path, before: &Snapshot, expected: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "refused with exit 1: {err}");
    assert!(err.contains(expected), "expected `{expected}` in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        tree(top) == *before,
        "files changed under {}: {err}",
        top.display()
    );
}

type Snapshot = std::collections::BTreeMap<PathBuf, Vec<u8>>;

#[test]
fn the_seasons_own_folder_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let season = dir.path().join("seasons/2026");
    let config = season_in(&season);
    let before = tree(dir.path());
    let o = run(&config, &season, &[]);
    assert_refused(&o, dir.path(), &before, "holds the config");
    // As a new user types it: `cd ~/seasons/2026 && ksp run --out .`
    let o = ksp_in(&season, &["run", "season.toml", "--out", "."]);
    assert_refused(&o, dir.path(), &before, "holds the config");
    // The folder above, which holds the season's folder.
    let o = run(&config, &dir.path().join("seasons"), &[]);
    assert_refused(&o, dir.path(), &before, "season.toml");
}

#[test]
fn a_folder_holding_an_input_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::rename(dir.path().join("responses.csv"), data.join("responses.csv")).unwrap();
    let before = tree(dir.path());
    let o = run(
        &config,
        &data,
        &["--set", "input.responses=data/responses.csv"],
    );
    assert_refused(
        &o,
        dir.path(),
        &before,
        "the responses file (input.responses)",
    );
    let o = run(&config, &dir.path().join("season.toml"), &[]);
    assert_refused(&o, dir.path(), &before, "is the config");
}

#[test]
fn a_folder_that_is_not_a_ksp_output_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(&dir.path().join("season"));
    // A home folder with files and folders of its own.
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("Documents/award")).unwrap();
    std::fs::write(home.join(".bashrc"), "export A=1\n").unwrap();
    std::fs::write(home.join("Documents/award/notes.txt"), "jury notes").unwrap();
    std::os::unix::fs::symlink("Documents", home.join("docs")).unwrap();
    let before = tree(dir.path());
    let o = run(&config, &home, &[]);
    assert_refused(&o, dir.path(), &before, "is not an output folder of ksp");
    assert!(
        stderr(&o).contains(".bashrc, Documents and docs"),
        "{}",
        stderr(&o)
    );
    let o = run(&config, &home.join("Documents/award"), &[]);
    assert_refused(&o, dir.path(), &before, "holds notes.txt");
    // A link to a folder would be replaced by the output, not followed.
    let o = run(&config, &home.join("docs"), &[]);
    assert_refused(&o, dir.path(), &before, "is a symbolic link");
    // A file.
    let o = run(&config, &home.join(".bashrc"), &[]);
    assert_refused(&o, dir.path(), &before, "is not a folder");
}

#[test]
fn last_seasons_results_inside_the_output_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(dir.path());
    let out = dir.path().join("out");
    let o = run(&config, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = tree(dir.path());
    let o = run(
        &config,
        &out,
        &["--set", "season.previous=out/results/results.json"],
    );
    assert_refused(
        &o,
        dir.path(),
        &before,
        "last season's results (season.previous)",
    );
}

#[test]
fn files_a_user_put_into_a_ksp_output_are_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(&dir.path().join("season"));
    let out = dir.path().join("out");
    let o = run(&config, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(out.join("notes.txt"), "published on the 3rd").unwrap();
    std::fs::create_dir_all(out.join("reports/signed")).unwrap();
    std::fs::write(out.join("reports/signed/A.pdf"), "%PDF-1.7 signed").unwrap();
    std::fs::create_dir(out.join("empty")).unwrap();
    std::os::unix::fs::symlink("notes.txt", out.join("latest")).unwrap();

    let o = run(&config, &out, &["--force"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("kept 4 entries in")
            && err.contains("empty, latest, notes.txt and reports/signed/A.pdf"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(out.join("notes.txt")).unwrap(),
        b"published on the 3rd"
    );
    assert_eq!(
        std::fs::read(out.join("reports/signed/A.pdf")).unwrap(),
        b"%PDF-1.7 signed"
    );
    assert!(out.join("empty").is_dir());
    assert_eq!(
        std::fs::read_link(out.join("latest")).unwrap(),
        Path::new("notes.txt")
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run-summary.json")).unwrap()).unwrap();
    assert_eq!(summary["carried_over"].as_array().unwrap().len(), 4);
    // Still ksp's output: complete, the user's files named but not failing it.
    let o = ksp(&["verify", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(names_in(dir.path()), ["out", "season"], "no staging debris");
}

#[test]
fn a_users_file_where_the_run_writes_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(&dir.path().join("season"));
    let out = dir.path().join("out");
    let o = run(&config, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // --emit-data writes data/A.json, which the user made by hand meanwhile.
    std::fs::create_dir(out.join("data")).unwrap();
    std::fs::write(out.join("data/A.json"), "{\"mine\": true}").unwrap();
    let before = tree(dir.path());
    let o = run(&config, &out, &["--emit-data"]);
    assert_refused(&o, dir.path(), &before, "data/A.json is not ksp's");
}

#[test]
fn a_plain_rerun_into_a_ksp_output_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(&dir.path().join("season"));
    let out = dir.path().join("out");
    // An empty folder is taken, then the output it became.
    std::fs::create_dir(&out).unwrap();
    for _ in 0..2 {
        let o = run(&config, &out, &[]);
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        assert!(!err.contains("kept"), "{err}");
    }
    assert!(out.join("manifest.json").is_file());
    assert_eq!(names_in(dir.path()), ["out", "season"]);
}

#[test]
fn merge_refuses_to_replace_a_shard() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(&dir.path().join("season"));
    let shards: Vec<PathBuf> = (1..=2).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, shard) in shards.iter().enumerate() {
        let o = run(&config, shard, &["--shard", &format!("{}/2", k + 1)]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let before = tree(dir.path());
    let (a, b) = (shards[0].to_str().unwrap(), shards[1].to_str().unwrap());
    let o = ksp(&["merge", a, b, "--out", a]);
    assert_refused(&o, dir.path(), &before, "is a shard's output folder");
    let o = ksp(&[
        "merge",
        a,
        b,
        "--out",
        dir.path().join("season").to_str().unwrap(),
    ]);
    assert_refused(&o, dir.path(), &before, "is not an output folder of ksp");
}

#[test]
fn generate_replaces_files_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("participants.csv"), "mine").unwrap();
    let out = dir.path().to_str().unwrap();
    let o = ksp(&["generate", "--participants", "3", "--out", out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already holds participants.csv"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.path().join("participants.csv")).unwrap(),
        b"mine"
    );
    assert!(
        !dir.path().join("responses.csv").exists(),
        "nothing written"
    );
    let o = ksp(&["generate", "--participants", "3", "--out", out, "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(
        std::fs::read(dir.path().join("participants.csv")).unwrap(),
        b"mine"
    );
}

#[test]
fn new_and_templates_export_replace_files_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("season.toml"), "mine").unwrap();
    let target = dir.path().to_str().unwrap();
    for args in [vec!["new", target], vec!["templates", "export", target]] {
        let o = ksp(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
        assert_eq!(names_in(dir.path()), ["season.toml"]);
        assert_eq!(
            std::fs::read(dir.path().join("season.toml")).unwrap(),
            b"mine"
        );
    }
}

#[test]
fn preview_replaces_no_input_and_no_file_that_is_not_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_in(dir.path());
    std::fs::write(dir.path().join("A.txt"), "mine").unwrap();
    let before = tree(dir.path());
    let config = config.to_str().unwrap();
    for (out, expected) in [
        (dir.path().join("season.toml"), "the config"),
        (dir.path().join("responses.csv"), "the responses file"),
        (dir.path().join("A.txt"), "is not a PDF"),
    ] {
        let o = ksp(&["preview", config, "A", "--out", out.to_str().unwrap()]);
        assert_refused(&o, dir.path(), &before, expected);
    }
}

/// A season whose templates read `link.txt`, a link in their folder to `target`.
fn season_reading_a_link(dir: &Path, target: &Path) -> PathBuf {
    let config = season_in(&dir.join("season"));
    let templates = dir.join("season/templates");
    std::fs::create_dir_all(templates.join("inside")).unwrap();
    let template =
        "#set document(title: \"Link\")\n#set text(lang: \"nb\")\n= Link\n#read(\"link.txt\")\n";
    for name in ["participant.typ", "award-summary.typ"] {
        std::fs::write(templates.join(name), template).unwrap();
    }
    std::os::unix::fs::symlink(target, templates.join("link.txt")).unwrap();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace("[output]\n", "[output]\ntemplates = \"templates\"\n");
    std::fs::write(&config, text).unwrap();
    config
}

#[test]
fn templates_read_no_file_outside_their_folder_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "SECRET-OUTSIDE").unwrap();
    let config = season_reading_a_link(dir.path(), &dir.path().join("secret.txt"));
    let out = dir.path().join("out");
    let o = run(&config, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("would escape the project root through a symbolic link"),
        "{err}"
    );
    assert!(!err.contains("SECRET-OUTSIDE"), "{err}");
    assert!(!out.exists());
    // A folder link out of the template folder is refused the same way.
    let templates = dir.path().join("season/templates");
    std::fs::remove_file(templates.join("link.txt")).unwrap();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::fs::write(dir.path().join("elsewhere/link.txt"), "SECRET-OUTSIDE").unwrap();
    std::os::unix::fs::symlink(dir.path(), templates.join("up")).unwrap();
    for name in ["participant.typ", "award-summary.typ"] {
        let text = std::fs::read_to_string(templates.join(name)).unwrap();
        std::fs::write(
            templates.join(name),
            text.replace("link.txt", "up/elsewhere/link.txt"),
        )
        .unwrap();
    }
    let o = run(&config, &out, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("would escape the project root"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_link_inside_the_template_folder_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let config = season_reading_a_link(dir.path(), Path::new("inside/words.txt"));
    let templates = dir.path().join("season/templates");
    std::fs::write(templates.join("inside/words.txt"), "INSIDE-WORDS").unwrap();
    let out = dir.path().join("out");
    let o = run(&config, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    if let Some(text) = pdf_text(&out.join("reports/A.pdf")) {
        assert!(text.contains("INSIDE-WORDS"), "{text}");
    }
}
