//! The results tables of methodology.md §5: participants, classes, awards and, when the season
//! has them, breakdowns, times and threshold analyses — as typed rows (`schema`), written as
//! CSV, as `results.json` with the effective config, and as one Excel workbook. Full
//! precision, `.` decimal point, empty for not applicable.

mod cell;
mod columns;
mod labels;
mod schema;
mod workbook;

use indexmap::IndexMap;
use serde::Serialize;

pub use cell::{Cell, Num};
pub use columns::{cells, name_of};
pub use schema::{
    AwardKind, AwardResult, BreakdownResult, ClassResult, DriverResult, FindingKind, FindingResult,
    FunnelPosition, Measure, ParticipantResult, ResultsFile, Scope, ShopperResult, ThresholdResult,
    TimesResult,
};

use crate::analysis::Analysis;
use crate::config::Season;
use crate::figures::Figures;
use crate::findings::{Finding, Findings};
use crate::input::Dataset;
use crate::rank::{Award, Standings};
use crate::robustness::Robustness;
use crate::score::Scores;

/// Every results table of a run.
pub struct Tables {
    pub participants: Vec<ParticipantResult>,
    pub classes: Vec<ClassResult>,
    pub awards: Vec<AwardResult>,
    pub shoppers: Vec<ShopperResult>,
    pub breakdowns: Option<Vec<BreakdownResult>>,
    pub times: Option<Vec<TimesResult>>,
    pub thresholds: Option<Vec<ThresholdResult>>,
    pub findings: Vec<FindingResult>,
    pub drivers: Option<Vec<DriverResult>>,
}

/// Participants sorted by id, so input order never shows in outputs.
pub fn participant_order(data: &Dataset) -> Vec<usize> {
    let mut order: Vec<usize> = (0..data.participants.len()).collect();
    order.sort_by(|&a, &b| data.participants[a].id.cmp(&data.participants[b].id));
    order
}

pub fn tables(figures: Figures) -> Tables {
    let Figures {
        season,
        data,
        scores,
        standings,
        robustness,
        analysis,
        findings,
    } = figures;
    Tables {
        participants: participant_order(data)
            .into_iter()
            .map(|p| participant(season, data, scores, standings, p).with(robustness, p))
            .collect(),
        classes: (0..standings.classes.len())
            .map(|c| ClassResult {
                inquiries_needed: robustness.inquiries_needed[c],
                ..class(season, data, standings, c)
            })
            .collect(),
        awards: standings
            .awards
            .iter()
            .map(|a| award(season, data, a))
            .collect(),
        shoppers: robustness.observers.iter().map(shopper).collect(),
        breakdowns: (!season.breakdowns.is_empty())
            .then(|| breakdowns(season, data, standings, analysis)),
        times: (!season.wait_within.is_empty() || !season.handling_within.is_empty())
            .then(|| times(season, data, analysis)),
        thresholds: (!season.thresholds.is_empty()).then(|| thresholds(season, analysis)),
        findings: finding_rows(season, data, findings),
        drivers: season
            .drivers
            .as_ref()
            .map(|_| driver_rows(season, findings)),
    }
}

/// Per participant by id: its areas, then its questions with a share, in config order.
fn finding_rows(season: &Season, data: &Dataset, findings: &Findings) -> Vec<FindingResult> {
    let row = |p: usize, kind: FindingKind, id: &str, f: &Finding| FindingResult {
        participant_id: data.participants[p].id.clone(),
        kind,
        id: id.into(),
        value: Num(f.value),
        class_value: Num(f.class_value),
        gap: Num(f.gap),
        p_value: Num(f.p_value),
    };
    let mut rows = Vec::new();
    for p in participant_order(data) {
        let of = &findings.participants[p];
        rows.extend(
            season
                .areas
                .iter()
                .zip(&of.areas)
                .map(|(a, f)| row(p, FindingKind::Area, &a.id, f)),
        );
        rows.extend(
            season
                .questions
                .iter()
                .zip(&of.questions)
                .filter_map(|(q, f)| Some(row(p, FindingKind::Question, &q.id, f.as_ref()?))),
        );
    }
    rows
}

fn driver_rows(season: &Season, findings: &Findings) -> Vec<DriverResult> {
    findings
        .drivers
        .iter()
        .map(|d| DriverResult {
            question: season.question(d.question).id.clone(),
            n: d.n,
            r: Num(d.r),
        })
        .collect()
}

fn participant(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
    p: usize,
) -> ParticipantResult {
    let part = &data.participants[p];
    let f = &scores.participants[p];
    let mut figures: IndexMap<String, Cell> = IndexMap::new();
    for (a, area) in season.areas.iter().enumerate() {
        figures.insert(format!("area_{}", area.id), Cell::num(f.areas[a]));
    }
    for (c, channel) in season.channels.iter().enumerate() {
        figures.insert(
            format!("channel_{}", channel.id),
            Cell::num(f.channels[c].score),
        );
    }
    figures.insert("nps".into(), Cell::num(f.nps));
    for (name, value) in f.unscored(season) {
        figures.insert(name, Cell::num(value));
    }
    for (c, channel) in season.channels.iter().enumerate() {
        let cf = &f.channels[c];
        let id = &channel.id;
        figures.insert(format!("n_{id}"), cf.inquiries.into());
        for (name, x) in [
            ("answer_rate", cf.answer_rate),
            ("wait_median", cf.wait_median),
            ("wait_p75", cf.wait_p75),
            ("wait_p90", cf.wait_p90),
            ("within_first_band", cf.within_first_band),
            ("handling_median", cf.handling_median),
            ("handling_p75", cf.handling_p75),
            ("handling_p90", cf.handling_p90),
        ] {
            figures.insert(format!("{name}_{id}"), Cell::num(x));
        }
    }
    ParticipantResult {
        participant_id: part.id.clone(),
        name: part.name.clone(),
        class: part.class.clone(),
        eligible: standings.eligible[p],
        n_inquiries: f.n_inquiries,
        n_answered: f.n_answered,
        answer_rate: Num(f.answer_rate),
        total: Num(f.total),
        total_answered: Num(f.total_answered),
        ci_low: Num(f.ci.map(|c| c.0)),
        ci_high: Num(f.ci.map(|c| c.1)),
        class_rank: standings.class_rank[p],
        figures,
        rank_low: None,
        rank_high: None,
        p_class_win: Num(None),
        p_overall_win: Num(None),
        funnel: None,
        funnel_95: None,
    }
}

impl ParticipantResult {
    /// With participant `p`'s §7 figures.
    fn with(self, robustness: &Robustness, p: usize) -> ParticipantResult {
        let r = &robustness.participants[p];
        ParticipantResult {
            rank_low: r.rank_low,
            rank_high: r.rank_high,
            p_class_win: Num(r.p_class_win),
            p_overall_win: Num(r.p_overall_win),
            funnel: r.funnel,
            funnel_95: r.funnel_95,
            ..self
        }
    }
}

fn shopper(o: &crate::robustness::Observer) -> ShopperResult {
    ShopperResult {
        shopper_id: o.shopper_id.clone(),
        n: o.n,
        effect: Num(Some(o.effect)),
        z: Num(o.z),
        flagged: o.flagged,
    }
}

fn class(season: &Season, data: &Dataset, standings: &Standings, c: usize) -> ClassResult {
    let class = &standings.classes[c];
    let mut areas = IndexMap::new();
    for (a, area) in season.areas.iter().enumerate() {
        areas.insert(
            format!("mean_area_{}", area.id),
            Cell::num(class.mean_areas[a]),
        );
        areas.insert(
            format!("best_area_{}", area.id),
            Cell::num(class.best_areas[a]),
        );
    }
    let winners: Vec<&str> = class
        .winners
        .iter()
        .map(|&w| data.participant(w).id.as_str())
        .collect();
    ClassResult {
        class: class.class.clone(),
        n_participants: class.n_participants,
        n_eligible: class.n_eligible,
        mean_total: Num(class.mean_total),
        best_total: Num(class.best_total),
        areas,
        winner_ids: winners.join("|"),
        too_close: class.too_close,
        p_value: Num(class.p_value),
        inquiries_needed: None,
    }
}

fn award(season: &Season, data: &Dataset, a: &Award) -> AwardResult {
    AwardResult {
        award: a.kind,
        class: a.class.clone(),
        channel: a
            .channel
            .map(|c| season.channel(c).id.clone())
            .unwrap_or_default(),
        participant_id: data.participant(a.participant).id.clone(),
        total: Num(a.total),
        score: Num(a.score),
        too_close: a.too_close,
    }
}

/// Per breakdown, scope (season, class, participant) and category: the count, the share
/// and the mean of every figure any breakdown averages (empty where this one does not).
fn breakdowns(
    season: &Season,
    data: &Dataset,
    standings: &Standings,
    analysis: &Analysis,
) -> Vec<BreakdownResult> {
    let mut figures: Vec<&str> = Vec::new();
    for b in &season.breakdowns {
        for (id, _) in &b.means {
            if !figures.contains(&id.as_str()) {
                figures.push(id);
            }
        }
    }
    let mut rows = Vec::new();
    for (b, result) in season.breakdowns.iter().zip(&analysis.breakdowns) {
        let scopes = std::iter::once((Scope::Season, String::new(), &result.season))
            .chain(
                standings
                    .classes
                    .iter()
                    .zip(&result.classes)
                    .map(|(c, counts)| (Scope::Class, c.class.clone(), counts)),
            )
            .chain(participant_order(data).into_iter().map(|p| {
                let id = data.participants[p].id.clone();
                (Scope::Participant, id, &result.participants[p])
            }));
        for (scope, id, counts) in scopes {
            for (category, cell) in result.categories.iter().zip(&counts.cells) {
                let means = figures
                    .iter()
                    .map(|f| {
                        let mean = b.means.iter().position(|(id, _)| id == f);
                        (
                            format!("mean_{f}"),
                            Cell::num(mean.and_then(|m| cell.means[m])),
                        )
                    })
                    .collect();
                rows.push(BreakdownResult {
                    breakdown: b.id.clone(),
                    scope,
                    scope_id: id.clone(),
                    category: category.key.clone(),
                    count: cell.count,
                    share: Num(cell.share),
                    means,
                });
            }
        }
    }
    rows
}

/// Per scope, channel and measure with measured times: the count, median, 75th and 90th
/// percentile (seconds) and the share within each limit of `[times]`.
fn times(season: &Season, data: &Dataset, analysis: &Analysis) -> Vec<TimesResult> {
    let mut labels: Vec<&str> = Vec::new();
    for l in season.wait_within.iter().chain(&season.handling_within) {
        if !labels.contains(&l.label.as_str()) {
            labels.push(&l.label);
        }
    }
    let scopes = std::iter::once((Scope::Season, String::new(), &analysis.season_times)).chain(
        participant_order(data).into_iter().map(|p| {
            let id = data.participants[p].id.clone();
            (Scope::Participant, id, &analysis.participant_times[p])
        }),
    );
    let mut rows = Vec::new();
    for (scope, id, channels) in scopes {
        for (channel, times) in season.channels.iter().zip(channels) {
            for (measure, d, limits) in [
                (Measure::Wait, &times.wait, &season.wait_within),
                (Measure::Handling, &times.handling, &season.handling_within),
            ] {
                if d.values.is_empty() {
                    continue;
                }
                let within = labels
                    .iter()
                    .map(|label| {
                        let limit = limits.iter().position(|l| l.label == *label);
                        (
                            format!("within_{label}"),
                            Cell::num(limit.and_then(|i| d.within[i])),
                        )
                    })
                    .collect();
                rows.push(TimesResult {
                    scope,
                    scope_id: id.clone(),
                    channel: channel.id.clone(),
                    measure,
                    n: d.values.len(),
                    median: Num(d.median),
                    p75: Num(d.p75),
                    p90: Num(d.p90),
                    within,
                });
            }
        }
    }
    rows
}

/// Every cut-off tried (seconds; at or below against above), its table of outcomes, the
/// two-sided Fisher p-value, and which one is best.
fn thresholds(season: &Season, analysis: &Analysis) -> Vec<ThresholdResult> {
    let mut rows = Vec::new();
    for (t, result) in season.thresholds.iter().zip(&analysis.thresholds) {
        for (k, split) in result.splits.iter().enumerate() {
            rows.push(ThresholdResult {
                threshold: t.id.clone(),
                measure: t.measure,
                outcome: season.question(t.outcome).id.clone(),
                channel: t
                    .channel
                    .map(|c| season.channel(c).id.clone())
                    .unwrap_or_default(),
                cutoff: split.cutoff,
                below_n: split.below_yes + split.below_no,
                below_yes: split.below_yes,
                above_n: split.above_yes + split.above_no,
                above_yes: split.above_yes,
                below_yes_share: Num(split.below_share()),
                above_yes_share: Num(split.above_share()),
                p_value: Num(Some(split.p_value)),
                best: result.best == Some(k),
            });
        }
    }
    rows
}

/// One table as the CSV and the workbook write it. Its rows are made one at a time as they
/// are written, so the largest table of a big season is never held a second time as cells.
pub struct Sheet<'a> {
    pub name: &'static str,
    pub header: Vec<String>,
    len: usize,
    row: Box<dyn Fn(usize) -> Vec<Cell> + 'a>,
}

impl<'a> Sheet<'a> {
    /// A table of `rows`, its header the first row's columns, or for an empty table
    /// `empty_header` (a row type with a flattened map has no columns without a row).
    fn of<R: Serialize>(name: &'static str, rows: &'a [R], empty_header: Vec<String>) -> Sheet<'a> {
        let header = match rows.first() {
            Some(first) => cells(first).into_iter().map(|(k, _)| k).collect(),
            None => empty_header,
        };
        Sheet {
            name,
            header,
            len: rows.len(),
            row: Box::new(|i| cells(&rows[i]).into_iter().map(|(_, v)| v).collect()),
        }
    }

    /// A table whose columns do not depend on the config: the same header with no rows.
    fn fixed<R: Serialize + serde::de::DeserializeOwned>(
        name: &'static str,
        rows: &'a [R],
    ) -> Sheet<'a> {
        Sheet::of(name, rows, columns::columns::<R>())
    }

    pub fn rows(&self) -> impl Iterator<Item = Vec<Cell>> + '_ {
        (0..self.len).map(|i| (self.row)(i))
    }

    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).expect("writing to memory");
        for row in self.rows() {
            w.write_record(row.iter().map(Cell::text))
                .expect("writing to memory");
        }
        w.into_inner().expect("writing to memory")
    }
}

impl Tables {
    /// Every table, the three of §5 first.
    pub fn sheets(&self) -> Vec<Sheet<'_>> {
        let mut sheets = vec![
            Sheet::of("participants", &self.participants, Vec::new()),
            Sheet::of("classes", &self.classes, Vec::new()),
            Sheet::fixed("awards", &self.awards),
            Sheet::fixed("shoppers", &self.shoppers),
            Sheet::fixed("findings", &self.findings),
        ];
        sheets.extend(self.drivers.as_deref().map(|r| Sheet::fixed("drivers", r)));
        sheets.extend(
            self.breakdowns
                .as_deref()
                .map(|r| Sheet::of("breakdowns", r, Vec::new())),
        );
        sheets.extend(
            self.times
                .as_deref()
                .map(|r| Sheet::of("times", r, Vec::new())),
        );
        sheets.extend(
            self.thresholds
                .as_deref()
                .map(|r| Sheet::fixed("thresholds", r)),
        );
        sheets
    }

    /// `results.json`: every table plus the effective config (after `--set`). Consumes the
    /// tables, the last thing written from them, rather than copying them.
    pub fn json(self, season: &Season, data: &Dataset) -> Vec<u8> {
        let doc = ResultsFile {
            tool: "ksp".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            season: season.name.clone(),
            year: season.year,
            rows_read: data.rows_read,
            rows_accepted: data.rows_accepted(),
            rows_rejected: data.rows_rejected,
            inquiries_accepted: data.inquiries.len(),
            participants: self.participants,
            classes: self.classes,
            awards: self.awards,
            shoppers: self.shoppers,
            breakdowns: self.breakdowns,
            times: self.times,
            thresholds: self.thresholds,
            findings: self.findings,
            drivers: self.drivers,
            config: &season.effective,
        };
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("results serialize");
        bytes.push(b'\n');
        bytes
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
