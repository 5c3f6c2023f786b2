//! All or nothing: failed, concurrent, killed and full-disk runs leave the output folder whole; verify.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

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
