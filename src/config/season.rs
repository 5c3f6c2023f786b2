//! The checked season: everything later stages need, with references resolved to indexes.

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::raw::{Encoding, Language, Measure, OnBadRow, QuestionKind, RawConfig, Sector, Texts};
use crate::calendar::Calendar;

/// A length of time: wall-clock seconds or business seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub seconds: i64,
}

/// A checked channel.
#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub name: Texts,
    /// `None`: no wait rule, every inquiry is answered and `wait` does not apply.
    pub limit: Option<Span>,
    /// Whether waits are measured in business time.
    pub business_time: bool,
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone)]
pub struct Band {
    pub within: Span,
    pub share: f64,
    /// As written in the config, for reports (`4h`, `1bd`).
    pub label: String,
}

/// A checked area.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub name: Texts,
    pub weight: f64,
    /// P(wait) for the wait area.
    pub points: Option<f64>,
}

/// An area's place in `Season::areas`: a type of its own where it sits beside other indexes
/// (a question's area), so it cannot be taken for a channel's or a question's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaIx(pub usize);

/// A channel's place in `Season::channels`, typed for the same reason (a question's or a
/// participant's channels, an inquiry's channel, a best-per-channel award).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelIx(pub usize);

/// A question's place in `Season::questions`, typed where it sits beside other indexes (an
/// outcome, a driver, the customer-experience questions a report shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuestionIx(pub usize);

/// A checked question.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    /// `None` for report-only questions.
    pub area: Option<AreaIx>,
    pub kind: QuestionKind,
    pub scale: Option<(i64, i64)>,
    pub points: f64,
    pub options: Vec<ChoiceOption>,
    /// `None` means every channel.
    pub channels: Option<Vec<ChannelIx>>,
    pub skip_sectors: Vec<Sector>,
    pub report_only: bool,
    pub top_box: i64,
    pub text: Texts,
    pub label: Texts,
}

/// The outcome the key drivers are correlated with (§8.4).
#[derive(Debug, Clone)]
pub struct Drivers {
    pub outcome: QuestionIx,
    /// Its name in the reports' sentences.
    pub name: Texts,
}

#[derive(Debug, Clone)]
pub struct ChoiceOption {
    pub key: String,
    pub points: f64,
    pub text: Texts,
}

impl Question {
    pub fn applies(&self, channel: ChannelIx, sector: Sector) -> bool {
        self.channels.as_ref().is_none_or(|c| c.contains(&channel))
            && !self.skip_sectors.contains(&sector)
    }

    /// Whether a scale value is in the top box: the `top_box` highest values of the scale.
    pub fn in_top_box(&self, value: f64) -> bool {
        let (_, hi) = self.scale.expect("scale questions have a scale");
        value > (hi - self.top_box) as f64
    }
}

/// Award rules, checked.
#[derive(Debug, Clone)]
pub struct AwardRules {
    pub min_inquiries: usize,
    pub min_class_size: usize,
    pub min_channel_inquiries: usize,
    pub tie_break_area: AreaIx,
    /// False: nobody wins anything (a channel study).
    pub enabled: bool,
    /// Bootstrap resamples of §7.1; 0 for none.
    pub resamples: usize,
    pub seed: u64,
}

/// What a breakdown counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakdownColumn {
    Channel,
    Attempts,
    /// The participant's sector.
    Sector,
    /// Index into `Season::questions`; only answers on answered inquiries count.
    Question(usize),
    /// Index into `Season::extra_columns`.
    Free(usize),
}

/// A figure averaged per category of a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeanOf {
    /// The inquiry score S(i), 0 for an unanswered inquiry.
    Score,
    /// An area percent, over the inquiries it applies to.
    Area(usize),
    /// A scale question's value.
    Question(usize),
    Wait,
    Handling,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub key: String,
    pub label: Label,
}

/// What reports call something: a text of the config, or a label the templates hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    Text(Texts),
    /// The code of a label in the templates (`sector-private`, `answer-yes`).
    Builtin(&'static str),
}

/// A checked breakdown.
#[derive(Debug, Clone)]
pub struct Breakdown {
    pub id: String,
    pub title: Texts,
    pub column: BreakdownColumn,
    /// Known before the data is read; empty for a free column without `categories`, whose
    /// categories are the values found.
    pub categories: Vec<Category>,
    /// Each figure's id as written in the config, and what it is.
    pub means: Vec<(String, MeanOf)>,
}

/// A limit of `[times]`, with its label as written.
#[derive(Debug, Clone)]
pub struct TimeLimit {
    pub span: Span,
    pub label: String,
}

/// A checked threshold analysis.
#[derive(Debug, Clone)]
pub struct Threshold {
    pub id: String,
    pub title: Texts,
    pub measure: Measure,
    /// A yes/no question.
    pub outcome: QuestionIx,
    pub channel: Option<ChannelIx>,
    pub min_group: usize,
}

/// The templates of a season, relative to the template folder.
#[derive(Debug, Clone)]
pub struct Templates {
    /// `None`: no participant reports.
    pub participant: Option<String>,
    pub summary: String,
    /// The summary's path in the output folder.
    pub summary_file: String,
    /// `report.summary_rows_per_part`: class-table rows per compile of the summary, ≥ 1.
    pub summary_rows_per_part: usize,
}

/// The checked season: everything later stages need, with references resolved to indexes.
#[derive(Debug, Clone)]
pub struct Season {
    pub name: String,
    pub year: i32,
    pub language: Language,
    pub timezone: Tz,
    pub calendar: Calendar,
    pub report_date: Option<NaiveDate>,
    pub previous: Option<PathBuf>,
    /// `report.sensitivity`, resolved.
    pub sensitivity: Option<PathBuf>,
    pub participants_path: PathBuf,
    pub responses_path: PathBuf,
    pub on_bad_row: OnBadRow,
    pub delimiter: Option<u8>,
    pub encoding: Encoding,
    pub sheet: Option<String>,
    pub max_problems: usize,
    /// Inclusive first and last day of the season.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub output_dir: PathBuf,
    /// `output.templates`, resolved; `None`: the templates built into ksp.
    pub templates_dir: Option<PathBuf>,
    pub award: AwardRules,
    pub channels: Vec<Channel>,
    pub areas: Vec<Area>,
    pub questions: Vec<Question>,
    /// Index of the `wait` area, when configured.
    pub wait_area: Option<AreaIx>,
    /// Questions shown under customer experience.
    pub report_cx: Vec<QuestionIx>,
    pub breakdowns: Vec<Breakdown>,
    /// Columns of the responses file read for breakdowns, besides the questions.
    pub extra_columns: Vec<String>,
    pub wait_within: Vec<TimeLimit>,
    pub handling_within: Vec<TimeLimit>,
    pub thresholds: Vec<Threshold>,
    /// `[drivers]`, when the season names an outcome.
    pub drivers: Option<Drivers>,
    pub templates: Templates,
    /// The config as it was after `--set`, for results.json and the report appendix.
    pub effective: RawConfig,
    /// SHA-256 of the config file's text, for the manifest.
    pub config_sha256: String,
}

impl Season {
    pub fn channel_index(&self, id: &str) -> Option<ChannelIx> {
        self.channels.iter().position(|c| c.id == id).map(ChannelIx)
    }

    pub fn area_index(&self, id: &str) -> Option<AreaIx> {
        self.areas.iter().position(|a| a.id == id).map(AreaIx)
    }

    pub fn channel(&self, c: ChannelIx) -> &Channel {
        &self.channels[c.0]
    }

    pub fn area(&self, a: AreaIx) -> &Area {
        &self.areas[a.0]
    }

    pub fn question(&self, q: QuestionIx) -> &Question {
        &self.questions[q.0]
    }
}
