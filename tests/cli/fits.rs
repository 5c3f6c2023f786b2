//! ksp among the tools people already use: the workbook as an analyst opens it (read back
//! with openpyxl), shell completions, the man page, and `--quiet`.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// What openpyxl sees of a workbook: its sheets, and per table sheet the filter, the frozen
/// pane, each column's width and the number format of its first filled cell.
const INSPECT: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames}
for ws in wb.worksheets[1:]:
    header = [c.value for c in ws[1]]
    formats, widths = {}, {}
    for i, name in enumerate(header):
        column = ws.cell(1, i + 1).column_letter
        widths[name] = ws.column_dimensions[column].width
        for r in range(2, min(ws.max_row, 60) + 1):
            cell = ws.cell(r, i + 1)
            if cell.value is not None:
                formats[name] = cell.number_format
                break
    out[ws.title] = {"filter": ws.auto_filter.ref, "freeze": ws.freeze_panes,
                     "formats": formats, "widths": widths}
about = wb.worksheets[0]
out["about"] = [[c for c in row] for row in about.iter_rows(values_only=True)]
print(json.dumps(out, default=str))
"#;

/// openpyxl's view of a workbook, or `None` where Python or openpyxl is missing (outside CI).
fn inspect(path: &Path) -> Option<serde_json::Value> {
    let o = Command::new("python3")
        .args(["-c", INSPECT, path.to_str().unwrap()])
        .output();
    match o {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        _ if std::env::var_os("CI").is_some() => panic!("python3 with openpyxl is needed under CI"),
        _ => {
            eprintln!("skipping the workbook format check: python3 with openpyxl is not installed");
            None
        }
    }
}

#[test]
fn the_workbook_reads_as_it_opens_formats_filters_widths_and_an_about_sheet() {
    let (_dir, out) = run_handworked(&["--only", "A"]);
    let Some(book) = inspect(&out.join("results/results.xlsx")) else {
        return;
    };
    assert_eq!(
        book["sheets"][0], "Om",
        "the About sheet comes first, in the season's language"
    );
    let participants = &book["participants"];
    let rows = table(&out.join("results/participants.csv")).len();
    assert!(participants["filter"].as_str().unwrap().starts_with("A1:"));
    assert!(
        participants["filter"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{}", rows + 1))
    );
    assert_eq!(participants["freeze"], "A2");
    let formats = &participants["formats"];
    for (column, format) in [
        ("total", "0.0"),
        ("area_agent", "0.0"),
        ("answer_rate", "0.0%"),
        ("n_inquiries", "0"),
        ("class_rank", "0"),
        ("wait_median_phone", "0"),
        ("name", "General"),
        ("eligible", "\"TRUE\";\"TRUE\";\"FALSE\""),
    ] {
        assert_eq!(formats[column], format, "participants.{column}");
    }
    let widths = &participants["widths"];
    assert!(widths["total_answered"].as_f64().unwrap() >= "total_answered".len() as f64);
    assert_eq!(book["classes"]["formats"]["p_value"], "0.000");
    assert_eq!(book["findings"]["formats"]["gap"], "0.0");
    let about = book["about"].to_string();
    for words in [
        "Håndregnet sesong 2022",
        "Områder og vekter",
        "Kundebehandleren",
        "Prisreglene",
        "participants",
        "Klassens snitt for området",
    ] {
        assert!(about.contains(words), "About lacks `{words}`: {about}");
    }
}

#[test]
fn bash_completes_ksp_r_to_run() {
    let o = ksp(&["completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = String::from_utf8(o.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksp.bash");
    std::fs::write(&path, script).unwrap();
    let probe = format!(
        "source {}; COMP_WORDS=(ksp r); COMP_CWORD=1; _ksp ksp r ksp; echo \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "run",
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_man_page_renders() {
    let o = ksp(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let roff = String::from_utf8(o.stdout).unwrap();
    assert!(roff.contains(".TH ksp 1"), "{roff}");
    for command in ["run", "merge", "verify", "completions"] {
        assert!(roff.contains(command), "the man page names `{command}`");
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("ksp.1");
    std::fs::write(&page, &roff).unwrap();
    match Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .output()
    {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(o.status.success() && text.contains("SUBCOMMANDS"), "{text}");
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("man is missing: install man-db"),
        Err(_) => eprintln!("skipping `man -l`: man is not installed"),
    }
}

#[test]
fn quiet_prints_errors_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ksp(&[
        "run",
        "testdata/handworked/ksp.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty() && o.stderr.is_empty(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert!(out.join("manifest.json").is_file());
    let o = ksp(&[
        "run",
        "testdata/invalid/unknown-participant/ksp.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error:"), "errors still print");
}

/// `ksp run --help` as a terminal shows it (through `script`, which gives it a terminal), or
/// `None` where `script` is missing.
fn help_on_a_terminal(no_color: bool) -> Option<String> {
    let line = format!("{} run --help", env!("CARGO_BIN_EXE_ksp"));
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm");
    match no_color {
        true => command.env("NO_COLOR", "1"),
        false => command.env_remove("NO_COLOR"),
    };
    let o = command.output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn no_color_turns_the_colours_of_the_help_off() {
    let Some(coloured) = help_on_a_terminal(false) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "script is missing: install bsdutils"
        );
        return eprintln!("skipping the NO_COLOR check: `script` is not installed");
    };
    assert!(
        coloured.contains('\x1b'),
        "on a terminal the help is coloured"
    );
    let plain = help_on_a_terminal(true).unwrap();
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain}");
    assert!(plain.contains("--out"));
}
