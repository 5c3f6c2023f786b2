//! The files `ksp new` writes: a complete, commented `season.toml` (the bundled season's
//! questionnaire and rules), a small but realistic season of data to run it on, and a
//! README that says what to do next.

use crate::generate::{Spec, generate};

/// The bundled season's config, from its `[award]` table on: channels, areas, questions.
const BUNDLED: &str = include_str!("../config/ksp-2022.toml");

/// `season.toml`, `participants.csv`, `responses.csv` and `README.md` of a new season for
/// `year`, by their names in the season's folder.
pub fn season_files(year: i32) -> Vec<(&'static str, Vec<u8>)> {
    let (participants, responses) = generate(&Spec {
        participants: 14,
        inquiries: 14 * 22,
        seed: year as u64,
        year,
        classes: 3,
    });
    vec![
        ("season.toml", config(year).into_bytes()),
        ("participants.csv", participants.into_bytes()),
        ("responses.csv", responses.into_bytes()),
        ("README.md", readme(year).into_bytes()),
    ]
}

fn config(year: i32) -> String {
    let rules = &BUNDLED[BUNDLED
        .find("[award]")
        .expect("the bundled config has [award]")..];
    format!(
        r#"# A customer-service award season: one file holds the questionnaire, the scoring, the
# award rules and where the data is. Paths are relative to this file. Change any value for
# one run without editing the file:
#   ksp run season.toml --set areas.agent.weight=40 --set award.min_inquiries=15
# Every table and key is explained in the README of ksp and in its methodology.

[season]
# Printed on every report.
name = "Kundeserviceprisen {year}"
year = {year}
# nb (Norwegian, decimal comma) or en.
language = "nb"
# Local timestamps and business days are in this time zone.
timezone = "Europe/Oslo"
# Days the participants were closed by rule, besides weekends and Norwegian holidays; they
# are not business time for e-mail waits. E.g. ["{year}-12-27"].
closed_days = []
# report_date = "{year}-05-31"     # the date on the reports; default the last inquiry's day
# previous = "../{last}/out/results/results.json"   # last season, for the year-over-year figures

[input]
# CSV (`,` or `;`, UTF-8), Excel (.xlsx) or Parquet, one row per participant / per inquiry.
participants = "participants.csv"
responses = "responses.csv"
# fail: list every bad row and write nothing; reject: set bad rows aside in rejects.csv.
on_bad_row = "fail"

[output]
# The folder the run writes: reports/, award-summary.pdf, results/, manifest.json.
dir = "out"
# The built-in templates are used unless you name a folder of your own:
#   ksp templates export templates      (then edit them, and preview with ksp preview --watch)
# templates = "templates"

{rules}"#,
        last = year - 1,
    )
}

fn readme(year: i32) -> String {
    format!(
        r#"# Kundeserviceprisen {year}

A season for ksp: `season.toml` holds the questionnaire, the scoring and the award rules;
`participants.csv` and `responses.csv` are a small synthetic season (14 participants in four
classes, every channel, some unanswered inquiries and comments) to try it on. Replace them
with your own files, in the same columns.

    ksp run                         # from this folder: every report into out/
    ksp validate                    # check the config and the data, render nothing
    ksp preview P001 --watch        # one report as P001.pdf, rendered again on every change
    ksp templates export templates  # the built-in templates, to make them your own

Then set `output.templates = "templates"` in season.toml. `ksp --help` lists every command;
`ksp run --help` every option of a run.

`out/` is ksp's: each run replaces it as a whole (files you put there are carried into the
new output). ksp refuses to write its output into this folder itself, or into any folder it
did not write, so nothing of yours is ever replaced.
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_season_checks_and_has_every_channel_and_a_few_classes() {
        let files = season_files(2026);
        let text = String::from_utf8(files[0].1.clone()).unwrap();
        let season =
            crate::config::parse(std::path::Path::new("s/season.toml"), &text, &[]).unwrap();
        assert_eq!(season.year, 2026);
        assert!(season.templates_dir.is_none(), "the built-in templates");
        let participants = String::from_utf8(files[1].1.clone()).unwrap();
        let classes: std::collections::BTreeSet<&str> = participants
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap())
            .collect();
        assert!((3..=4).contains(&classes.len()), "{classes:?}");
        let responses = String::from_utf8(files[2].1.clone()).unwrap();
        for channel in ["phone", "email", "chat", "messenger"] {
            assert!(responses.contains(&format!(",{channel},")), "{channel}");
        }
    }
}
