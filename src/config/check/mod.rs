//! Checks of the raw config, one file per section, each turning its raw struct into the
//! checked one or a [`CheckError`] naming the dotted key at fault.

mod areas;
mod award;
mod breakdowns;
mod channels;
mod drivers;
mod questions;
mod report;
mod season;
mod times;

use std::path::{Path, PathBuf};

use super::raw::RawConfig;
use super::season::{AreaIx, QuestionIx, Season, Span};
use crate::calendar::Calendar;
use crate::snippet::did_you_mean;

/// A problem with one value of the config, named by its dotted key (`areas.agent.weight`,
/// `questions.3.scale`), which `parse` turns into a line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct CheckError {
    pub key: String,
    /// What is wrong and what to do, lowercase.
    pub message: String,
    /// A hint such as `did you mean `agent`?`.
    pub help: Option<String>,
}

impl CheckError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> CheckError {
        CheckError {
            key: key.into(),
            message: message.into(),
            help: None,
        }
    }
}

type CheckResult<T> = Result<T, CheckError>;

/// A value the file must give.
fn required<T: Clone>(value: &Option<T>, key: &str, what: &str) -> CheckResult<T> {
    value
        .clone()
        .ok_or_else(|| CheckError::new(key, format!("missing: {what}")))
}

/// Checks every section; `path` anchors the relative paths.
pub fn check(path: &Path, raw: RawConfig) -> CheckResult<Season> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: &str| normalize(&base.join(p));
    let s = season::SeasonSection::check(&raw.season)?;
    let input = season::InputSection::check(&raw.input, &resolve)?;
    let output_dir = resolve(&required(
        &raw.output.dir,
        "output.dir",
        "add dir = \"out\" under [output]: the folder the run writes into",
    )?);
    let channels = channels::check_all(&raw.channels)?;
    let areas = areas::check_all(&raw.areas)?;
    let wait_area = areas.iter().position(|a| a.id == "wait").map(AreaIx);
    let questions = questions::check_all(&raw.questions, &areas, &channels)?;
    let award = award::check(&raw.award, &areas)?;
    let (breakdowns, extra_columns) =
        breakdowns::check_all(&raw.breakdowns, &channels, &areas, &questions)?;
    let wait_within = times::limits("times.wait_within", &raw.times.wait_within)?;
    let handling_within = times::limits("times.handling_within", &raw.times.handling_within)?;
    let thresholds = times::thresholds(&raw.thresholds, &channels, &questions)?;
    let drivers = drivers::outcome(&raw.drivers, &questions)?;
    let templates = report::templates(&raw.report)?;
    let report_cx = report::cx(&raw.report, &questions)?;
    Ok(Season {
        name: s.name,
        year: s.year,
        language: raw.season.language,
        timezone: s.timezone,
        calendar: Calendar::new(s.timezone, s.closed_days),
        report_date: s.report_date,
        previous: raw.season.previous.as_deref().map(resolve),
        sensitivity: raw.report.sensitivity.as_deref().map(resolve),
        participants_path: input.participants,
        responses_path: input.responses,
        on_bad_row: raw.input.on_bad_row,
        delimiter: input.delimiter,
        encoding: raw.input.encoding,
        sheet: raw.input.sheet.clone(),
        max_problems: raw.input.max_problems.max(1),
        period: s.period,
        output_dir,
        templates_dir: raw.output.templates.as_deref().map(resolve),
        award,
        channels,
        areas,
        questions,
        wait_area,
        report_cx: report_cx.into_iter().map(QuestionIx).collect(),
        breakdowns,
        extra_columns,
        wait_within,
        handling_within,
        thresholds,
        drivers,
        templates,
        effective: raw,
        config_sha256: String::new(),
    })
}

/// Parses a span such as `90s`, `5m`, `4h`, `2d` or `3bd` at `key`; gives seconds and
/// whether it is in business time.
pub fn parse_span(key: &str, text: &str) -> CheckResult<(Span, bool)> {
    let fail = |m: String| Err(CheckError::new(key, m));
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let Ok(value) = number.parse::<f64>() else {
        return fail(format!(
            "`{text}` is not a length of time: write e.g. `90s`, `5m`, `4h`, `2d` or `3bd`"
        ));
    };
    let (unit_seconds, business) = match unit.trim() {
        "s" => (1.0, false),
        "m" | "min" => (60.0, false),
        "h" => (3600.0, false),
        "d" => (86400.0, false),
        "bd" => (86400.0, true),
        other => {
            return fail(format!(
                "`{text}` has the unknown unit `{other}`: use s, m, h, d or bd (business days)"
            ));
        }
    };
    let seconds = value * unit_seconds;
    if !seconds.is_finite() || seconds < 0.0 || seconds.fract() != 0.0 {
        return fail(format!("`{text}` is not a whole number of seconds"));
    }
    Ok((
        Span {
            seconds: seconds as i64,
        },
        business,
    ))
}

/// Removes `.` and inner `..` segments without touching the disk, so messages show
/// `out/ksp-2022` rather than `config/../out/ksp-2022`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// `id` among `ids`, or an error listing them (`no area `x`: the areas are a, b`).
fn find(ids: &[&str], id: &str, key: &str, what: &str) -> CheckResult<usize> {
    ids.iter().position(|x| *x == id).ok_or_else(|| CheckError {
        help: did_you_mean(id, ids.iter().copied()).map(|c| format!("did you mean `{c}`?")),
        ..CheckError::new(
            key,
            format!("no {what} `{id}`: the {what}s are {}", ids.join(", ")),
        )
    })
}

/// A report-only question of this id and kind, for the checks' tests.
#[cfg(test)]
fn test_question(id: &str, kind: super::raw::QuestionKind) -> super::season::Question {
    super::season::Question {
        id: id.into(),
        area: None,
        kind,
        scale: None,
        points: 0.0,
        options: vec![],
        channels: None,
        skip_sectors: vec![],
        report_only: true,
        top_box: 1,
        text: super::raw::Texts::plain(id),
        label: super::raw::Texts::plain(id),
    }
}

/// Areas with these ids, for the checks' tests.
#[cfg(test)]
fn test_areas(ids: &[&str]) -> Vec<super::season::Area> {
    ids.iter()
        .map(|id| super::season::Area {
            id: id.to_string(),
            name: super::raw::Texts::plain(id),
            weight: 1.0,
            points: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_every_unit() {
        let span = |t: &str| parse_span("k", t);
        assert_eq!(span("90s").unwrap(), (Span { seconds: 90 }, false));
        assert_eq!(span("5m").unwrap().0.seconds, 300);
        assert_eq!(span("1.5h").unwrap().0.seconds, 5400);
        assert_eq!(span("3bd").unwrap(), (Span { seconds: 259_200 }, true));
        let message = |t: &str| span(t).unwrap_err().message;
        assert!(message("5 minutes").contains("unknown unit `minutes`"));
        assert!(message("five").contains("not a length of time"));
        assert!(message("0.5s").contains("whole number"));
        assert_eq!(span("x").unwrap_err().key, "k");
    }

    #[test]
    fn paths_are_normalized_without_the_disk() {
        assert_eq!(
            normalize(Path::new("config/../out/x")),
            PathBuf::from("out/x")
        );
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
    }

    #[test]
    fn a_missing_required_value_names_what_to_add() {
        let e = required::<String>(&None, "output.dir", "add dir").unwrap_err();
        assert_eq!(e.to_string(), "output.dir: missing: add dir");
    }
}
