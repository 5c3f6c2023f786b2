//! The data each template reads: one serde struct per document, built from the standings in
//! one place. Rust sends numbers (formatted for the report's language as well as raw, for
//! charts), dates, lengths of time and codes; the templates hold every word
//! (`report-templates/lib/labels.typ`).

mod analysis_views;
mod chart;
mod findings_views;
mod format;
mod funnel_plot;
mod methodology;
mod participant;
mod previous;
mod robustness_views;
mod summary;

use chrono::NaiveDate;
use serde::Serialize;

pub use analysis_views::{BreakdownView, ThresholdView, TimesView};
use format::date;
pub use format::{Date, Duration, Figure, Name};
pub use methodology::Methodology;
pub use participant::ParticipantReport;
pub use previous::{Previous, PreviousEntry, WeightSensitivity};
pub use summary::AwardSummary;

use crate::analysis::Analysis;
use crate::config::{Label, Language, Season};
use crate::findings::Findings;
use crate::input::Dataset;
use crate::rank::Standings;
use crate::robustness::Robustness;
use crate::score::Scores;
use crate::stats;

/// The version of the data's shape that every document's root carries as `"schema"`, so a
/// template (and its sample) can tell which shape it was written for. Raised when a field
/// is renamed, removed or changes meaning; adding a field keeps it.
pub const SCHEMA: u32 = 1;

/// Everything the documents share, computed once per run.
pub struct Context<'a> {
    season: &'a Season,
    data: &'a Dataset,
    scores: &'a Scores,
    standings: &'a Standings,
    robustness: &'a Robustness,
    analysis: &'a Analysis,
    findings: &'a Findings,
    lang: Language,
    info: SeasonInfo,
    methodology: Methodology,
    previous: Option<Previous>,
    sensitivity: Option<WeightSensitivity>,
    inquiries_of: Vec<Vec<usize>>,
    all_mean_total: Option<f64>,
}

/// The season as every document shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SeasonInfo {
    pub name: String,
    pub year: i32,
    /// The report date.
    pub date: Date,
    /// The days of the season's first and last inquiry.
    pub period: Option<[Date; 2]>,
}

pub use crate::figures::Figures;

impl<'a> Context<'a> {
    pub fn new(
        figures: Figures<'a>,
        report_date: NaiveDate,
        previous: Option<Previous>,
    ) -> Context<'a> {
        let Figures {
            season,
            data,
            scores,
            standings,
            robustness,
            analysis,
            findings,
        } = figures;
        let eligible_totals: Vec<f64> = (0..data.participants.len())
            .filter(|&p| standings.eligible[p])
            .filter_map(|p| scores.participants[p].total)
            .collect();
        Context {
            season,
            data,
            scores,
            standings,
            robustness,
            analysis,
            findings,
            lang: season.language,
            info: season_info(season, data, report_date),
            methodology: methodology::of(season),
            previous,
            sensitivity: None,
            inquiries_of: data.inquiries_by_participant(),
            all_mean_total: stats::mean(&eligible_totals),
        }
    }

    /// Shows in the award summary how often each ranked participant won under other weights.
    pub fn with_sensitivity(mut self, sensitivity: Option<WeightSensitivity>) -> Self {
        self.sensitivity = sensitivity;
        self
    }

    pub fn data(&self) -> &'a Dataset {
        self.data
    }

    pub fn season(&self) -> &'a Season {
        self.season
    }

    /// What a config label is called in the report: its text, or a template label's code.
    fn name(&self, label: &Label) -> Name {
        match label {
            Label::Text(t) => Name::Text(t.get(self.lang).to_string()),
            Label::Builtin(code) => Name::Code { code },
        }
    }
}

/// The season's report date and the days of its first and last inquiry.
fn season_info(season: &Season, data: &Dataset, report_date: NaiveDate) -> SeasonInfo {
    let days = data
        .inquiries
        .iter()
        .map(|i| i.sent_at.with_timezone(&season.timezone).date_naive());
    let first_last = days.fold(None, |range: Option<(NaiveDate, NaiveDate)>, d| {
        Some(range.map_or((d, d), |(a, b)| (a.min(d), b.max(d))))
    });
    SeasonInfo {
        name: season.name.clone(),
        year: season.year,
        date: date(report_date),
        period: first_last.map(|(a, b)| [date(a), date(b)]),
    }
}
