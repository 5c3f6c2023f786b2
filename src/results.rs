//! The results tables of methodology.md §5 as bytes: participants.csv, classes.csv,
//! awards.csv, results.json and results.xlsx. Full precision, `.` decimal point, empty for not applicable.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde::Serialize;

use crate::analysis::Analysis;
use crate::config::{RawConfig, Season};
use crate::input::Dataset;
use crate::rank::{Award, Standings};
use crate::score::Scores;

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// The column names and values of one participant's row, shared by the CSV and the JSON.
pub fn participant_row(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
    p: usize,
) -> Vec<(String, String)> {
    let part = &data.participants[p];
    let f = &scores.participants[p];
    let mut row = vec![
        ("participant_id".to_string(), part.id.clone()),
        ("name".into(), part.name.clone()),
        ("class".into(), part.class.clone()),
        ("eligible".into(), standings.eligible[p].to_string()),
        ("n_inquiries".into(), f.n_inquiries.to_string()),
        ("n_answered".into(), f.n_answered.to_string()),
        ("answer_rate".into(), num(f.answer_rate)),
        ("total".into(), num(f.total)),
        ("total_answered".into(), num(f.total_answered)),
        ("ci_low".into(), num(f.ci.map(|c| c.0))),
        ("ci_high".into(), num(f.ci.map(|c| c.1))),
        (
            "class_rank".into(),
            standings.class_rank[p]
                .map(|r| r.to_string())
                .unwrap_or_default(),
        ),
    ];
    for (a, area) in season.areas.iter().enumerate() {
        row.push((format!("area_{}", area.id), num(f.areas[a])));
    }
    for (c, channel) in season.channels.iter().enumerate() {
        row.push((format!("channel_{}", channel.id), num(f.channels[c].score)));
    }
    row.push(("nps".into(), num(f.nps)));
    for (name, value) in &f.unscored {
        row.push((name.clone(), num(*value)));
    }
    for (c, channel) in season.channels.iter().enumerate() {
        let cf = &f.channels[c];
        let id = &channel.id;
        row.push((format!("n_{id}"), cf.inquiries.to_string()));
        row.push((format!("answer_rate_{id}"), num(cf.answer_rate)));
        row.push((format!("wait_median_{id}"), num(cf.wait_median)));
        row.push((format!("wait_p75_{id}"), num(cf.wait_p75)));
        row.push((format!("wait_p90_{id}"), num(cf.wait_p90)));
        row.push((format!("within_first_band_{id}"), num(cf.within_first_band)));
        row.push((format!("handling_median_{id}"), num(cf.handling_median)));
        row.push((format!("handling_p75_{id}"), num(cf.handling_p75)));
        row.push((format!("handling_p90_{id}"), num(cf.handling_p90)));
    }
    row
}

/// Participants sorted by id, so input order never shows in outputs.
pub fn participant_order(data: &Dataset) -> Vec<usize> {
    let mut order: Vec<usize> = (0..data.participants.len()).collect();
    order.sort_by(|&a, &b| data.participants[a].id.cmp(&data.participants[b].id));
    order
}

pub fn class_row(
    season: &Season,
    data: &Dataset,
    standings: &Standings,
    c: usize,
) -> Vec<(String, String)> {
    let class = &standings.classes[c];
    let mut row = vec![
        ("class".to_string(), class.class.clone()),
        ("n_participants".into(), class.n_participants.to_string()),
        ("n_eligible".into(), class.n_eligible.to_string()),
        ("mean_total".into(), num(class.mean_total)),
        ("best_total".into(), num(class.best_total)),
    ];
    for (a, area) in season.areas.iter().enumerate() {
        row.push((format!("mean_area_{}", area.id), num(class.mean_areas[a])));
        row.push((format!("best_area_{}", area.id), num(class.best_areas[a])));
    }
    let winners: Vec<&str> = class
        .winners
        .iter()
        .map(|&w| data.participants[w].id.as_str())
        .collect();
    row.push(("winner_ids".into(), winners.join("|")));
    row.push((
        "too_close".into(),
        class.too_close.map(|b| b.to_string()).unwrap_or_default(),
    ));
    row.push(("p_value".into(), num(class.p_value)));
    row
}

pub fn award_row(season: &Season, data: &Dataset, a: &Award) -> Vec<(String, String)> {
    vec![
        ("award".to_string(), a.kind.as_str().to_string()),
        ("class".into(), a.class.clone()),
        (
            "channel".into(),
            a.channel
                .map(|c| season.channels[c].id.clone())
                .unwrap_or_default(),
        ),
        (
            "participant_id".into(),
            data.participants[a.participant].id.clone(),
        ),
        ("total".into(), num(a.total)),
        ("score".into(), num(a.score)),
        (
            "too_close".into(),
            a.too_close.map(|b| b.to_string()).unwrap_or_default(),
        ),
    ]
}

/// Columns holding text even when a value looks like a number or a boolean.
const TEXT_COLUMNS: [&str; 13] = [
    "participant_id",
    "name",
    "class",
    "winner_ids",
    "award",
    "channel",
    "breakdown",
    "scope",
    "scope_id",
    "category",
    "measure",
    "threshold",
    "outcome",
];

/// One results table: a header and rows of cells as text (empty: not applicable).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    fn new(name: &'static str, header: Vec<String>, rows: Vec<Vec<(String, String)>>) -> Sheet {
        Sheet {
            name,
            header,
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|(_, v)| v).collect())
                .collect(),
        }
    }

    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).expect("writing to memory");
        for r in &self.rows {
            w.write_record(r).expect("writing to memory");
        }
        w.into_inner().expect("writing to memory")
    }

    fn is_text(&self, column: usize) -> bool {
        TEXT_COLUMNS.contains(&self.header[column].as_str())
    }

    /// Rows as JSON objects: numbers and booleans typed, empty cells `null`.
    fn json(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(c, v)| {
                        let value = if self.is_text(c) {
                            serde_json::Value::String(v.clone())
                        } else if v.is_empty() {
                            serde_json::Value::Null
                        } else if let Ok(b) = v.parse::<bool>() {
                            serde_json::Value::Bool(b)
                        } else if let Ok(i) = v.parse::<i64>() {
                            serde_json::Value::from(i)
                        } else if let Ok(x) = v.parse::<f64>() {
                            serde_json::Value::from(x)
                        } else {
                            serde_json::Value::String(v.clone())
                        };
                        (self.header[c].clone(), value)
                    })
                    .collect()
            })
            .collect()
    }
}

/// The three results tables of §5, and the tables of the season's breakdowns, `[times]` and
/// threshold analyses when it has them.
pub struct Tables {
    pub participants: Sheet,
    pub classes: Sheet,
    pub awards: Sheet,
    pub extra: Vec<Sheet>,
}

pub fn tables(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
    analysis: &Analysis,
) -> Tables {
    let participant_rows: Vec<Vec<(String, String)>> = participant_order(data)
        .into_iter()
        .map(|p| participant_row(season, data, scores, standings, p))
        .collect();
    let header = |rows: &[Vec<(String, String)>]| {
        rows.first()
            .map(|r| r.iter().map(|(k, _)| k.clone()).collect())
            .unwrap_or_default()
    };
    let participants = Sheet::new("participants", header(&participant_rows), participant_rows);
    let class_rows: Vec<Vec<(String, String)>> = (0..standings.classes.len())
        .map(|c| class_row(season, data, standings, c))
        .collect();
    let classes = Sheet::new("classes", header(&class_rows), class_rows);
    let award_header = [
        "award",
        "class",
        "channel",
        "participant_id",
        "total",
        "score",
        "too_close",
    ]
    .map(String::from)
    .to_vec();
    let awards = Sheet::new(
        "awards",
        award_header,
        standings
            .awards
            .iter()
            .map(|a| award_row(season, data, a))
            .collect(),
    );
    let mut extra = Vec::new();
    if !season.breakdowns.is_empty() {
        extra.push(breakdowns_sheet(season, data, standings, analysis));
    }
    if !season.wait_within.is_empty() || !season.handling_within.is_empty() {
        extra.push(times_sheet(season, data, analysis));
    }
    if !season.thresholds.is_empty() {
        extra.push(thresholds_sheet(season, analysis));
    }
    Tables {
        participants,
        classes,
        awards,
        extra,
    }
}

/// `breakdowns.csv`: per breakdown, scope (season, class, participant) and category, the
/// count, the share and the mean of each chosen figure.
fn breakdowns_sheet(
    season: &Season,
    data: &Dataset,
    standings: &Standings,
    analysis: &Analysis,
) -> Sheet {
    let mut figures: Vec<&str> = Vec::new();
    for b in &season.breakdowns {
        for (id, _) in &b.means {
            if !figures.contains(&id.as_str()) {
                figures.push(id);
            }
        }
    }
    let mut header: Vec<String> = [
        "breakdown",
        "scope",
        "scope_id",
        "category",
        "count",
        "share",
    ]
    .map(String::from)
    .to_vec();
    header.extend(figures.iter().map(|f| format!("mean_{f}")));
    let mut rows = Vec::new();
    for (b, result) in season.breakdowns.iter().zip(&analysis.breakdowns) {
        let scopes = std::iter::once(("season", String::new(), &result.season))
            .chain(
                standings
                    .classes
                    .iter()
                    .zip(&result.classes)
                    .map(|(c, counts)| ("class", c.class.clone(), counts)),
            )
            .chain(participant_order(data).into_iter().map(|p| {
                (
                    "participant",
                    data.participants[p].id.clone(),
                    &result.participants[p],
                )
            }));
        for (scope, id, counts) in scopes {
            for (category, cell) in result.categories.iter().zip(&counts.cells) {
                let mut row = vec![
                    b.id.clone(),
                    scope.to_string(),
                    id.clone(),
                    category.key.clone(),
                    cell.count.to_string(),
                    num(cell.share),
                ];
                row.extend(figures.iter().map(|f| {
                    b.means
                        .iter()
                        .position(|(id, _)| id == f)
                        .map(|m| num(cell.means[m]))
                        .unwrap_or_default()
                }));
                rows.push(row);
            }
        }
    }
    Sheet {
        name: "breakdowns",
        header,
        rows,
    }
}

/// `times.csv`: per scope, channel and measure with measured times, the count, median, 75th
/// and 90th percentile (seconds) and the share within each limit of `[times]`.
fn times_sheet(season: &Season, data: &Dataset, analysis: &Analysis) -> Sheet {
    let mut labels: Vec<&str> = Vec::new();
    for l in season.wait_within.iter().chain(&season.handling_within) {
        if !labels.contains(&l.label.as_str()) {
            labels.push(&l.label);
        }
    }
    let mut header: Vec<String> = [
        "scope", "scope_id", "channel", "measure", "n", "median", "p75", "p90",
    ]
    .map(String::from)
    .to_vec();
    header.extend(labels.iter().map(|l| format!("within_{l}")));
    let mut rows = Vec::new();
    let scopes = std::iter::once(("season", String::new(), &analysis.season_times)).chain(
        participant_order(data).into_iter().map(|p| {
            (
                "participant",
                data.participants[p].id.clone(),
                &analysis.participant_times[p],
            )
        }),
    );
    for (scope, id, channels) in scopes {
        for (channel, times) in season.channels.iter().zip(channels) {
            for (measure, d, limits) in [
                ("wait", &times.wait, &season.wait_within),
                ("handling", &times.handling, &season.handling_within),
            ] {
                if d.values.is_empty() {
                    continue;
                }
                let mut row = vec![
                    scope.to_string(),
                    id.clone(),
                    channel.id.clone(),
                    measure.to_string(),
                    d.values.len().to_string(),
                    num(d.median),
                    num(d.p75),
                    num(d.p90),
                ];
                row.extend(labels.iter().map(|label| {
                    limits
                        .iter()
                        .position(|l| l.label == *label)
                        .map(|i| num(d.within[i]))
                        .unwrap_or_default()
                }));
                rows.push(row);
            }
        }
    }
    Sheet {
        name: "times",
        header,
        rows,
    }
}

/// `thresholds.csv`: every cut-off tried (seconds; at or below against above), its table of
/// outcomes, the two-sided Fisher p-value, and which one is best.
fn thresholds_sheet(season: &Season, analysis: &Analysis) -> Sheet {
    let header = [
        "threshold",
        "measure",
        "outcome",
        "channel",
        "cutoff",
        "below_n",
        "below_yes",
        "above_n",
        "above_yes",
        "below_yes_share",
        "above_yes_share",
        "p_value",
        "best",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for (t, result) in season.thresholds.iter().zip(&analysis.thresholds) {
        for (k, split) in result.splits.iter().enumerate() {
            rows.push(vec![
                t.id.clone(),
                t.measure.as_str().to_string(),
                season.questions[t.outcome].id.clone(),
                t.channel
                    .map(|c| season.channels[c].id.clone())
                    .unwrap_or_default(),
                split.cutoff.to_string(),
                (split.below_yes + split.below_no).to_string(),
                split.below_yes.to_string(),
                (split.above_yes + split.above_no).to_string(),
                split.above_yes.to_string(),
                num(split.below_share()),
                num(split.above_share()),
                format!("{}", split.p_value),
                (result.best == Some(k)).to_string(),
            ]);
        }
    }
    Sheet {
        name: "thresholds",
        header,
        rows,
    }
}

#[derive(Serialize)]
struct ResultsJson<'a> {
    tool: &'static str,
    version: &'static str,
    season: &'a str,
    year: i32,
    rows_read: usize,
    rows_accepted: usize,
    rows_rejected: usize,
    inquiries_accepted: usize,
    participants: Vec<serde_json::Map<String, serde_json::Value>>,
    classes: Vec<serde_json::Map<String, serde_json::Value>>,
    awards: Vec<serde_json::Map<String, serde_json::Value>>,
    /// `breakdowns`, `times` and `thresholds`, when the season has them.
    #[serde(flatten)]
    extra: indexmap::IndexMap<&'static str, Vec<serde_json::Map<String, serde_json::Value>>>,
    config: &'a RawConfig,
}

impl Tables {
    /// `results.json`: every table plus the effective config (after `--set`).
    pub fn json(&self, season: &Season, data: &Dataset) -> Vec<u8> {
        let doc = ResultsJson {
            tool: "ksp",
            version: env!("CARGO_PKG_VERSION"),
            season: &season.name,
            year: season.year,
            rows_read: data.rows_read,
            rows_accepted: data.rows_accepted(),
            rows_rejected: data.rows_rejected,
            inquiries_accepted: data.inquiries.len(),
            participants: self.participants.json(),
            classes: self.classes.json(),
            awards: self.awards.json(),
            extra: self.extra.iter().map(|s| (s.name, s.json())).collect(),
            config: &season.effective,
        };
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("results serialize");
        bytes.push(b'\n');
        bytes
    }

    /// `results.xlsx`: one sheet per table, numbers as numbers, dated `date` so the bytes
    /// stay the same from run to run.
    pub fn xlsx(&self, date: NaiveDate) -> Result<Vec<u8>, String> {
        let mut workbook = Workbook::new();
        let stamp =
            ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
                .map_err(|e| e.to_string())?;
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&stamp)
                .set_author("ksp"),
        );
        let bold = Format::new().set_bold();
        let sheets = [&self.participants, &self.classes, &self.awards]
            .into_iter()
            .chain(&self.extra);
        for sheet in sheets {
            let ws = workbook.add_worksheet();
            ws.set_name(sheet.name).map_err(|e| e.to_string())?;
            for (c, h) in sheet.header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)
                    .map_err(|e| e.to_string())?;
            }
            for (r, row) in sheet.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, v) in row.iter().enumerate() {
                    let c16 = c as u16;
                    let written = if v.is_empty() {
                        continue;
                    } else if sheet.is_text(c) {
                        ws.write_string(r, c16, v)
                    } else if let Ok(b) = v.parse::<bool>() {
                        ws.write_boolean(r, c16, b)
                    } else if let Ok(x) = v.parse::<f64>() {
                        ws.write_number(r, c16, x)
                    } else {
                        ws.write_string(r, c16, v)
                    };
                    written.map_err(|e| e.to_string())?;
                }
            }
            ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        }
        workbook
            .save_to_buffer()
            .map_err(|e| format!("cannot write results.xlsx: {e}"))
    }
}

/// `rejects.csv`: one line per problem of every row set aside under `on_bad_row = "reject"`.
pub fn rejects_csv(data: &Dataset) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["file", "line", "column", "value", "reason"])
        .expect("writing to memory");
    for e in &data.rejects {
        let file = e
            .place
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let line = e.place.line.map(|l| l.to_string()).unwrap_or_default();
        let column = e
            .place
            .column
            .as_ref()
            .map(|(_, name)| name.clone())
            .unwrap_or_default();
        w.write_record([
            file.as_str(),
            line.as_str(),
            column.as_str(),
            e.value.as_str(),
            e.message.as_str(),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}
