//! The season config: a TOML file deserialized into raw structs, `--set` overrides applied
//! to the document first, then checked into a [`Season`] that later stages can trust.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// A problem with the config, placed in the file where possible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// What is wrong and what to do, lowercase.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.file.display(),
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Texts in the report languages; English falls back to Norwegian.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Norwegian (bokmål) text.
    pub nb: String,
    /// English text; the Norwegian text is used when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Texts {
    /// The same text in every language (an id, a key, a number).
    pub fn plain(text: &str) -> Texts {
        Texts {
            nb: text.to_string(),
            en: None,
        }
    }

    pub fn both(nb: &str, en: &str) -> Texts {
        Texts {
            nb: nb.to_string(),
            en: Some(en.to_string()),
        }
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Nb => &self.nb,
            Language::En => self.en.as_deref().unwrap_or(&self.nb),
        }
    }
}

/// The language of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    En,
}

/// What a run does with a row that fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnBadRow {
    /// Report every problem and write nothing.
    #[default]
    Fail,
    /// Set the row aside in `rejects.csv` and go on.
    Reject,
}

/// The text encoding of CSV input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252 (Excel's "CSV" on Western European Windows).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// A participant's sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    Private,
    Public,
}

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Scale,
    YesNo,
    Choice,
}

/// The whole config file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// The season: name, year, language, time zone.
    pub season: RawSeason,
    /// Where the input files are and how to read them.
    pub input: RawInput,
    /// Where the outputs go.
    pub output: RawOutput,
    /// The award rules.
    #[serde(default)]
    pub award: RawAward,
    /// The channels, in the order reports show them.
    pub channels: IndexMap<String, RawChannel>,
    /// The performance areas, in the order reports show them.
    pub areas: IndexMap<String, RawArea>,
    /// The questionnaire, scored and report-only questions alike.
    pub questions: Vec<RawQuestion>,
    /// What the reports show beyond the scores, and which templates render them.
    #[serde(default)]
    pub report: RawReport,
    /// Categorical columns counted per participant, class and season, with the mean of chosen
    /// figures per category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<RawBreakdown>,
    /// Shares of waits and handling times within chosen limits.
    #[serde(default, skip_serializing_if = "RawTimes::is_empty")]
    pub times: RawTimes,
    /// Threshold analyses: the cut-off of a time that best separates a yes/no outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<RawThreshold>,
}

/// `[[breakdowns]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreakdown {
    /// Unique id, used in `results/breakdowns.csv` and by templates.
    pub id: String,
    /// What to break down by: `channel`, `attempts`, `sector` (the participant's), the id of a
    /// question, or the name of any other column of the responses file.
    pub column: String,
    /// The heading in reports; default the column's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Texts>,
    /// For a column that is not a question: its categories in the order reports show them;
    /// any other value is a bad row. Absent: every value found, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<RawCategory>,
    /// Figures averaged per category: `score` (the inquiry score S), `area_<id>`, the id of a
    /// scale question, `wait` or `handling` (seconds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<String>,
}

/// One category of a breakdown over a free column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    /// The value written in the responses file.
    pub key: String,
    /// Its label in reports; default the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Texts>,
}

/// `[times]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimes {
    /// Limits (e.g. `"30s"`, `"2m"`) for the share of measured waits at or below each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wait_within: Vec<String>,
    /// Limits for the share of measured handling times at or below each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handling_within: Vec<String>,
}

impl RawTimes {
    fn is_empty(&self) -> bool {
        self.wait_within.is_empty() && self.handling_within.is_empty()
    }
}

/// The time a threshold analysis cuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// `answered_at − sent_at`, as scored.
    Wait,
    /// `ended_at − answered_at`.
    Handling,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Wait => "wait",
            Measure::Handling => "handling",
        }
    }
}

/// `[[thresholds]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThreshold {
    /// Unique id, used in `results/thresholds.csv` and by templates.
    pub id: String,
    /// The time to cut: `wait` or `handling`.
    pub measure: Measure,
    /// A yes/no question: the outcome the cut-off should separate.
    pub outcome: String,
    /// Only inquiries on this channel; default every channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Inquiries each side of a cut-off needs for it to be tried; default 10.
    #[serde(default = "default_min_group")]
    pub min_group: usize,
    /// The heading in reports; default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Texts>,
}

fn default_min_group() -> usize {
    10
}

/// `[report]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// Question ids shown under customer experience, in this order (scale questions as their
    /// mean, yes/no questions as the yes share); default every report-only scale question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cx: Option<Vec<String>>,
    /// A `sensitivity.json` written by `ksp sensitivity` (relative to this file): the award
    /// summary then shows how often each ranked participant won its class under the varied
    /// weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<String>,
    /// The participant report's template, in the template folder; default `participant.typ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_template: Option<String>,
    /// Whether every participant gets a report; default true. A study of one company sets
    /// false and gets its one report from the summary template.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub participant_reports: bool,
    /// The summary's template, in the template folder; default `award-summary.typ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_template: Option<String>,
    /// The summary's file name in the output folder; default `award-summary.pdf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_file: Option<String>,
    /// What breakdown tables call the inquiry score (`score` in `means`); default "Score".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_label: Option<Texts>,
}

impl Default for RawReport {
    fn default() -> Self {
        RawReport {
            cx: None,
            sensitivity: None,
            participant_template: None,
            participant_reports: true,
            summary_template: None,
            summary_file: None,
            score_label: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// `[season]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeason {
    /// The season's name as printed on reports, e.g. "Kundeserviceprisen 2022".
    pub name: String,
    /// The award year.
    pub year: i32,
    /// The days inquiries may be sent on, inclusive; an inquiry outside is a bad row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<RawPeriod>,
    /// Report language: `nb` (default) or `en`.
    #[serde(default = "default_language")]
    pub language: Language,
    /// IANA time zone of local timestamps and of business days; default Europe/Oslo.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Extra days (YYYY-MM-DD) on which participants were closed by rule; not business time.
    #[serde(default)]
    pub closed_days: Vec<String>,
    /// Last season's `results/results.json`, for year-over-year figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The date printed on reports and stamped into the PDFs (YYYY-MM-DD). Default:
    /// `SOURCE_DATE_EPOCH` when set, else the day of the season's last inquiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_date: Option<String>,
}

/// `season.period`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// The first day (YYYY-MM-DD).
    pub from: String,
    /// The last day (YYYY-MM-DD).
    pub to: String,
}

fn default_language() -> Language {
    Language::Nb
}

fn default_timezone() -> String {
    "Europe/Oslo".to_string()
}

/// `[input]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    /// The participants file (CSV or Parquet), relative to the config file.
    pub participants: String,
    /// The responses file (CSV or Parquet), relative to the config file.
    pub responses: String,
    /// `fail` (default): stop on any bad row; `reject`: set bad rows aside and go on.
    #[serde(default)]
    pub on_bad_row: OnBadRow,
    /// CSV delimiter, `,` or `;`; detected from the header line when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The sheet to read from Excel input files; the first sheet when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// CSV text encoding: `utf-8` (default) or `windows-1252`.
    #[serde(default)]
    pub encoding: Encoding,
    /// Problems listed before the rest are only counted; default 50.
    #[serde(default = "default_max_problems")]
    pub max_problems: usize,
}

fn default_max_problems() -> usize {
    50
}

/// `[output]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// The output folder, relative to the config file; `--out` overrides it.
    pub dir: String,
    /// A template folder of your own, relative to the config file (`ksp templates export DIR`
    /// writes the built-in ones to start from); absent: the templates built into ksp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<String>,
}

/// `[award]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAward {
    /// Inquiries a participant needs to be ranked; default 20.
    #[serde(default = "default_min_inquiries")]
    pub min_inquiries: usize,
    /// Eligible participants a class needs to have a winner; default 3.
    #[serde(default = "default_min_class_size")]
    pub min_class_size: usize,
    /// Inquiries on a channel a participant needs to compete for best on that channel; default 5.
    #[serde(default = "default_min_channel_inquiries")]
    pub min_channel_inquiries: usize,
    /// The area whose score breaks ties after total_answered; default `agent`.
    #[serde(default = "default_tie_break_area")]
    pub tie_break_area: String,
    /// Whether the season gives awards; default true. A channel study sets false: no class
    /// winners, no overall winner, no best per channel.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub enabled: bool,
}

impl Default for RawAward {
    fn default() -> Self {
        RawAward {
            min_inquiries: default_min_inquiries(),
            min_class_size: default_min_class_size(),
            min_channel_inquiries: default_min_channel_inquiries(),
            tie_break_area: default_tie_break_area(),
            enabled: true,
        }
    }
}

fn default_min_inquiries() -> usize {
    20
}
fn default_min_class_size() -> usize {
    3
}
fn default_min_channel_inquiries() -> usize {
    5
}
fn default_tie_break_area() -> String {
    "agent".to_string()
}

/// `[channels.<id>]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    /// The channel's name in reports; default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Texts>,
    /// The longest wait that still counts as an answer (`5m`, `30m`, `3bd` for business days);
    /// absent for channels without a wait rule (panel interviews).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Wait bands, shortest first: the first band whose `within` the wait does not exceed
    /// gives its `share` of the wait points.
    #[serde(default)]
    pub bands: Vec<RawBand>,
}

/// One wait band.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    /// The band's upper bound, inclusive (`1m`, `4h`, `1bd`).
    pub within: String,
    /// The share of the wait points earned within the band, 0 to 1.
    pub share: f64,
}

/// `[areas.<id>]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArea {
    /// The area's name in reports.
    pub name: Texts,
    /// The area's weight in the inquiry score.
    pub weight: f64,
    /// Points of the area's implicit question; only the `wait` area has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
}

/// `[[questions]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    /// The question's id, which is also its column in the responses file.
    pub id: String,
    /// The area the question scores in; required unless `report_only`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// `scale`, `yes_no` or `choice`.
    pub kind: QuestionKind,
    /// The range of a `scale` question, `[lo, hi]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<[i64; 2]>,
    /// The maximum points of a scored `scale` or `yes_no` question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// The options of a `choice` question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<RawOption>,
    /// The channels the question applies to; all channels when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<String>>,
    /// Sectors the question is not asked in (e.g. `["public"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_sectors: Vec<Sector>,
    /// Unscored: reported, never part of the total.
    #[serde(default)]
    pub report_only: bool,
    /// How many of the scale's top values count as top box; default 3 on a 7-point scale,
    /// else 2 (the top two of 1–5, 9–10 of 0–10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_box: Option<i64>,
    /// The question's wording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Texts>,
    /// A short name for charts and table headings (`CSAT`); default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Texts>,
}

/// One option of a `choice` question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// The value written in the responses file.
    pub key: String,
    /// Points earned with this option; required on scored questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// The option's wording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Texts>,
}

/// A length of time: wall-clock seconds or business seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    pub seconds: i64,
}

/// A checked channel.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: String,
    pub name: Texts,
    /// `None`: no wait rule, every inquiry is answered and `wait` does not apply.
    pub limit: Option<Span>,
    /// Whether waits are measured in business time.
    pub business_time: bool,
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub within: Span,
    pub share: f64,
    /// As written in the config, for reports (`4h`, `1bd`).
    pub label: String,
}

/// A checked area.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub id: String,
    pub name: Texts,
    pub weight: f64,
    /// P(wait) for the wait area.
    pub points: Option<f64>,
}

/// A checked question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    /// Index into `Season::areas`; `None` for report-only questions.
    pub area: Option<usize>,
    pub kind: QuestionKind,
    pub scale: Option<(i64, i64)>,
    pub points: f64,
    pub options: Vec<ChoiceOption>,
    /// Indexes into `Season::channels`; `None` means every channel.
    pub channels: Option<Vec<usize>>,
    pub skip_sectors: Vec<Sector>,
    pub report_only: bool,
    pub top_box: i64,
    pub text: Texts,
    pub label: Texts,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChoiceOption {
    pub key: String,
    pub points: f64,
    pub text: Texts,
}

impl Question {
    pub fn applies(&self, channel: usize, sector: Sector) -> bool {
        self.channels.as_ref().is_none_or(|c| c.contains(&channel))
            && !self.skip_sectors.contains(&sector)
    }

    pub fn is_scored(&self) -> bool {
        !self.report_only
    }

    /// Whether a scale value is in the top box: the `top_box` highest values of the scale.
    pub fn in_top_box(&self, value: f64) -> bool {
        let (_, hi) = self.scale.expect("scale questions have a scale");
        value > (hi - self.top_box) as f64
    }
}

/// Award rules, checked.
#[derive(Debug, Clone, Serialize)]
pub struct AwardRules {
    pub min_inquiries: usize,
    pub min_class_size: usize,
    pub min_channel_inquiries: usize,
    /// Index into `Season::areas`.
    pub tie_break_area: usize,
    /// False: nobody wins anything (a channel study).
    pub enabled: bool,
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
    pub label: Texts,
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
    /// Index into `Season::questions` (a yes/no question).
    pub outcome: usize,
    pub channel: Option<usize>,
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
    pub wait_area: Option<usize>,
    /// Questions shown under customer experience, as indexes into `questions`.
    pub report_cx: Vec<usize>,
    pub breakdowns: Vec<Breakdown>,
    /// Columns of the responses file read for breakdowns, besides the questions.
    pub extra_columns: Vec<String>,
    pub wait_within: Vec<TimeLimit>,
    pub handling_within: Vec<TimeLimit>,
    pub thresholds: Vec<Threshold>,
    pub templates: Templates,
    /// The config as it was after `--set`, for results.json and the report appendix.
    pub effective: RawConfig,
    /// SHA-256 of the config file's text, for the manifest.
    pub config_sha256: String,
}

impl Season {
    pub fn channel_index(&self, id: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.id == id)
    }

    pub fn area_index(&self, id: &str) -> Option<usize> {
        self.areas.iter().position(|a| a.id == id)
    }
}

/// Reads, overrides and checks a config file.
pub fn load(path: &Path, overrides: &[String]) -> Result<Season, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        position: None,
        message: format!("cannot read the config file: {e}"),
    })?;
    parse(path, &text, overrides)
}

/// Parses config text; `path` names the file in errors and anchors relative paths.
pub fn parse(path: &Path, text: &str, overrides: &[String]) -> Result<Season, ConfigError> {
    let err = |position, message: String| ConfigError {
        file: path.to_path_buf(),
        position,
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let raw = if overrides.is_empty() {
        raw
    } else {
        let applied = apply_overrides(text, overrides).map_err(|m| err(None, m))?;
        toml::from_str(&applied).map_err(|e| {
            err(
                None,
                format!(
                    "after --set {}: {}",
                    overrides.join(" --set "),
                    e.message().trim()
                ),
            )
        })?
    };
    let mut season = check(path, raw).map_err(|(key, message)| {
        let set_by = overrides.iter().find(|o| {
            o.split('=')
                .next()
                .is_some_and(|k| key.starts_with(k.trim()))
        });
        match set_by {
            Some(o) => err(None, format!("{key}: {message} (from --set {o})")),
            None => err(locate_key(text, &key), format!("{key}: {message}")),
        }
    })?;
    season.config_sha256 = crate::output::sha256_hex(text.as_bytes());
    Ok(season)
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    ConfigError {
        file: path.to_path_buf(),
        position: e.span().map(|s| line_column(text, s.start)),
        message: e.message().trim().to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Best-effort position of a dotted key such as `areas.agent.weight` in the original text:
/// the deepest segment that exists there (array elements are named by index).
fn locate_key(text: &str, key: &str) -> Option<(usize, usize)> {
    use toml_edit::{Item, TableLike, Value};
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut table: &dyn TableLike = doc.as_table();
    let mut best = None;
    let mut segments = key.split('.');
    while let Some(segment) = segments.next() {
        let Some((k, item)) = table.get_key_value(segment) else {
            break;
        };
        // Point at the value where it has a place of its own, else at the key.
        best = item
            .as_value()
            .and_then(|v| v.span())
            .or(k.span())
            .map(|s| s.start)
            .or(best);
        let element = |segments: &mut std::str::Split<'_, char>| {
            segments.next().and_then(|s| s.parse::<usize>().ok())
        };
        table = match item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            Item::ArrayOfTables(a) => {
                let Some(t) = element(&mut segments).and_then(|i| a.get(i)) else {
                    break;
                };
                best = t.span().map(|s| s.start).or(best);
                t
            }
            Item::Value(Value::Array(a)) => {
                let Some(v) = element(&mut segments).and_then(|i| a.get(i)) else {
                    break;
                };
                best = v.span().map(|s| s.start).or(best);
                match v.as_inline_table() {
                    Some(t) => t,
                    None => break,
                }
            }
            _ => break,
        };
    }
    best.map(|offset| line_column(text, offset))
}

/// Turns a weights overlay (a TOML file holding any subset of the config, e.g.
/// `[areas.agent] weight = 40`, `[questions.would_buy] points = 3`) into `KEY=VALUE`
/// overrides, so it is applied and checked exactly like `--set`.
pub fn overlay_overrides(path: &Path) -> Result<Vec<String>, ConfigError> {
    let err = |position, message: String| ConfigError {
        file: path.to_path_buf(),
        position,
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(None, format!("cannot read the weights file: {e}")))?;
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        err(
            e.span().map(|s| line_column(&text, s.start)),
            e.message().trim().to_string(),
        )
    })?;
    fn walk(prefix: &str, table: &dyn toml_edit::TableLike, out: &mut Vec<String>) {
        for (key, item) in table.iter() {
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            match item {
                toml_edit::Item::Table(t) => walk(&path, t, out),
                toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => walk(&path, t, out),
                toml_edit::Item::Value(v) => {
                    let mut v = v.clone();
                    v.decor_mut().clear();
                    out.push(format!("{path}={v}"));
                }
                _ => {}
            }
        }
    }
    let mut overrides = Vec::new();
    walk("", doc.as_table(), &mut overrides);
    Ok(overrides)
}

/// Applies `KEY=VALUE` overrides to the document, keeping every other line where it was.
/// A segment may name an array element by index or, for `questions`, by its `id`.
pub fn apply_overrides(text: &str, overrides: &[String]) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("cannot parse the config: {e}"))?;
    for pair in overrides {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            format!("--set {pair}: expected KEY=VALUE, e.g. --set areas.agent.weight=40")
        })?;
        let key = key.trim();
        let value = parse_override_value(value.trim());
        let segments: Vec<&str> = key.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(format!("--set {pair}: the key has an empty segment"));
        }
        // A section the file leaves out (e.g. `[report]`) is created; a misspelt one is then
        // reported by the config check as an unknown field.
        if segments.len() == 2 && !doc.contains_key(segments[0]) {
            doc.insert(segments[0], toml_edit::table());
        }
        set_path(doc.as_item_mut(), &segments, value).map_err(|m| format!("--set {pair}: {m}"))?;
    }
    Ok(doc.to_string())
}

/// A value as TOML when it parses as one (`40`, `true`, `"x"`, `[1, 5]`), else a bare string.
fn parse_override_value(raw: &str) -> toml_edit::Value {
    let probe = format!("v = {raw}");
    match probe.parse::<toml_edit::DocumentMut>() {
        Ok(doc) => doc["v"].as_value().cloned().unwrap_or_else(|| raw.into()),
        Err(_) => raw.into(),
    }
}

fn set_path(
    item: &mut toml_edit::Item,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), String> {
    let (first, rest) = segments.split_first().expect("segments are not empty");
    if rest.is_empty() {
        return match item {
            toml_edit::Item::Table(t) => {
                t.insert(first, toml_edit::Item::Value(value));
                Ok(())
            }
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                t.insert(*first, value);
                Ok(())
            }
            toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
                let index = array_index(
                    a.iter().map(|v| {
                        v.as_inline_table()
                            .and_then(|t| t.get("id"))
                            .and_then(|v| v.as_str())
                    }),
                    first,
                    a.len(),
                )?;
                a.replace(index, value);
                Ok(())
            }
            _ => Err(format!("`{first}` is not inside a table")),
        };
    }
    let child: &mut toml_edit::Item = match item {
        toml_edit::Item::Table(t) => t
            .get_mut(first)
            .ok_or_else(|| format!("there is no `{first}` in the config"))?,
        toml_edit::Item::ArrayOfTables(a) => {
            let index = array_index(
                a.iter().map(|t| t.get("id").and_then(|v| v.as_str())),
                first,
                a.len(),
            )?;
            return set_path_in_table(a.get_mut(index).expect("index checked"), rest, value);
        }
        toml_edit::Item::Value(v) => {
            return set_path_in_value(v, segments, value);
        }
        _ => return Err(format!("there is no `{first}` in the config")),
    };
    set_path(child, rest, value)
}

fn set_path_in_table(
    table: &mut toml_edit::Table,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), String> {
    let mut item = toml_edit::Item::Table(std::mem::take(table));
    let result = set_path(&mut item, segments, value);
    if let toml_edit::Item::Table(t) = item {
        *table = t;
    }
    result
}

fn set_path_in_value(
    v: &mut toml_edit::Value,
    segments: &[&str],
    value: toml_edit::Value,
) -> Result<(), String> {
    let (first, rest) = segments.split_first().expect("segments are not empty");
    let child = match v {
        toml_edit::Value::InlineTable(t) => t
            .get_mut(first)
            .ok_or_else(|| format!("there is no `{first}` in the config"))?,
        toml_edit::Value::Array(a) => {
            let index = array_index(
                a.iter().map(|v| {
                    v.as_inline_table()
                        .and_then(|t| t.get("id").or(t.get("key")))
                        .and_then(|v| v.as_str())
                }),
                first,
                a.len(),
            )?;
            a.get_mut(index).expect("index checked")
        }
        _ => return Err(format!("`{first}` is not inside a table")),
    };
    if rest.is_empty() {
        *child = value;
        return Ok(());
    }
    set_path_in_value(child, rest, value)
}

/// An array element named by its position or by its `id`.
fn array_index<'a>(
    ids: impl Iterator<Item = Option<&'a str>>,
    segment: &str,
    len: usize,
) -> Result<usize, String> {
    if let Ok(index) = segment.parse::<usize>() {
        return if index < len {
            Ok(index)
        } else {
            Err(format!("index {index} is past the {len} entries"))
        };
    }
    ids.enumerate()
        .find(|(_, id)| *id == Some(segment))
        .map(|(i, _)| i)
        .ok_or_else(|| format!("no entry has the id `{segment}`"))
}

/// Parses a span such as `90s`, `5m`, `4h`, `2d` or `3bd`; returns seconds and whether it
/// is in business time.
pub fn parse_span(text: &str) -> Result<(Span, bool), String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| {
        format!("`{text}` is not a length of time: write e.g. `90s`, `5m`, `4h`, `2d` or `3bd`")
    })?;
    let (unit_seconds, business) = match unit.trim() {
        "s" => (1.0, false),
        "m" | "min" => (60.0, false),
        "h" => (3600.0, false),
        "d" => (86400.0, false),
        "bd" => (86400.0, true),
        other => {
            return Err(format!(
                "`{text}` has the unknown unit `{other}`: use s, m, h, d or bd (business days)"
            ));
        }
    };
    let seconds = value * unit_seconds;
    if !seconds.is_finite() || seconds < 0.0 || seconds.fract() != 0.0 {
        return Err(format!("`{text}` is not a whole number of seconds"));
    }
    Ok((
        Span {
            seconds: seconds as i64,
        },
        business,
    ))
}

type CheckError = (String, String);

fn check(path: &Path, raw: RawConfig) -> Result<Season, CheckError> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: &str| normalize(&base.join(p));
    let e = |key: &str, message: String| (key.to_string(), message);

    let timezone: Tz = raw.season.timezone.parse().map_err(|_| {
        e(
            "season.timezone",
            format!(
                "`{}` is not an IANA time zone such as Europe/Oslo",
                raw.season.timezone
            ),
        )
    })?;
    let mut closed_days = BTreeSet::new();
    for day in &raw.season.closed_days {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
            e(
                "season.closed_days",
                format!("`{day}` is not a date written YYYY-MM-DD"),
            )
        })?;
        closed_days.insert(date);
    }
    let date = |key: &str, d: &str| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| e(key, format!("`{d}` is not a date written YYYY-MM-DD")))
    };
    let period = match &raw.season.period {
        None => None,
        Some(p) => {
            let (from, to) = (
                date("season.period.from", &p.from)?,
                date("season.period.to", &p.to)?,
            );
            if to < from {
                return Err(e(
                    "season.period",
                    format!("the period ends ({to}) before it starts ({from})"),
                ));
            }
            Some((from, to))
        }
    };
    let report_date = raw
        .season
        .report_date
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                e(
                    "season.report_date",
                    format!("`{d}` is not a date written YYYY-MM-DD"),
                )
            })
        })
        .transpose()?;
    if raw.season.name.trim().is_empty() {
        return Err(e("season.name", "the season needs a name".into()));
    }

    let delimiter = match raw.input.delimiter.as_deref() {
        None => None,
        Some(",") => Some(b','),
        Some(";") => Some(b';'),
        Some("\t") | Some("\\t") => Some(b'\t'),
        Some(other) => {
            return Err(e(
                "input.delimiter",
                format!("`{other}` is not a supported delimiter: use \",\" or \";\""),
            ));
        }
    };

    if raw.channels.is_empty() {
        return Err(e(
            "channels",
            "the config defines no channels: add e.g. [channels.phone] with a limit".into(),
        ));
    }
    let mut channels = Vec::new();
    for (id, c) in &raw.channels {
        let key = format!("channels.{id}");
        let (limit, business_time) = match &c.limit {
            Some(l) => {
                let (span, business) = parse_span(l).map_err(|m| e(&format!("{key}.limit"), m))?;
                (Some(span), business)
            }
            None => (None, false),
        };
        let mut bands = Vec::new();
        for (i, b) in c.bands.iter().enumerate() {
            let bkey = format!("{key}.bands.{i}");
            let (within, business) = parse_span(&b.within).map_err(|m| e(&bkey, m))?;
            if business && !business_time {
                return Err(e(
                    &bkey,
                    format!(
                        "`{}` is in business days but the channel's limit is not",
                        b.within
                    ),
                ));
            }
            if !(0.0..=1.0).contains(&b.share) {
                return Err(e(&bkey, format!("share {} is outside 0 to 1", b.share)));
            }
            if let Some(prev) = bands.last().map(|b: &Band| b.within.seconds)
                && within.seconds <= prev
            {
                return Err(e(
                    &bkey,
                    "bands must be listed shortest first, each longer than the one before".into(),
                ));
            }
            // In a business-time channel, `4h` means four business hours: same seconds.
            bands.push(Band {
                within,
                share: b.share,
                label: b.within.clone(),
            });
        }
        if limit.is_none() && !bands.is_empty() {
            return Err(e(
                &key,
                "bands need a limit: a channel without a limit has no wait rule".into(),
            ));
        }
        channels.push(Channel {
            id: id.clone(),
            name: c.name.clone().unwrap_or_else(|| Texts {
                nb: id.clone(),
                en: None,
            }),
            limit,
            business_time,
            bands,
        });
    }

    if raw.areas.is_empty() {
        return Err(e(
            "areas",
            "the config defines no areas: add e.g. [areas.agent] with a weight".into(),
        ));
    }
    let mut areas = Vec::new();
    for (id, a) in &raw.areas {
        let key = format!("areas.{id}");
        if !(a.weight.is_finite() && a.weight >= 0.0) {
            return Err(e(
                &format!("{key}.weight"),
                format!("weight {} must be a number of 0 or more", a.weight),
            ));
        }
        if id == "wait" {
            if a.points.is_some_and(|p| !(p.is_finite() && p > 0.0)) {
                return Err(e(
                    &format!("{key}.points"),
                    "the wait area's points must be above 0".into(),
                ));
            }
        } else if a.points.is_some() {
            return Err(e(
                &format!("{key}.points"),
                "only the wait area has points of its own; give points to its questions".into(),
            ));
        }
        areas.push(Area {
            id: id.clone(),
            name: a.name.clone(),
            weight: a.weight,
            points: a.points,
        });
    }
    if areas.iter().map(|a| a.weight).sum::<f64>() <= 0.0 {
        return Err(e(
            "areas",
            "the area weights add up to 0: give at least one area a weight above 0".into(),
        ));
    }
    let wait_area = areas.iter().position(|a| a.id == "wait");
    let area_ids = || {
        areas
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let channel_ids = || {
        channels
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };

    let mut questions = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, q) in raw.questions.iter().enumerate() {
        let key = format!("questions.{i}");
        if q.id.trim().is_empty() || !q.id.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(e(
                &format!("{key}.id"),
                format!(
                    "`{}` is not a usable question id: use letters, digits and _",
                    q.id
                ),
            ));
        }
        if !seen.insert(q.id.clone()) {
            return Err(e(
                &format!("{key}.id"),
                format!("the question id `{}` is used twice", q.id),
            ));
        }
        if RESERVED_COLUMNS.contains(&q.id.as_str()) || q.id.starts_with("comment_") {
            return Err(e(
                &format!("{key}.id"),
                format!("`{}` is a column ksp reads itself: choose another id", q.id),
            ));
        }
        let area = match (&q.area, q.report_only) {
            (Some(a), _) => {
                let index = areas.iter().position(|x| &x.id == a).ok_or_else(|| {
                    e(
                        &format!("{key}.area"),
                        format!("no area `{a}`: the areas are {}", area_ids()),
                    )
                })?;
                if Some(index) == wait_area {
                    return Err(e(
                        &format!("{key}.area"),
                        "the wait area is scored from the wait itself and takes no questions"
                            .into(),
                    ));
                }
                if q.report_only { None } else { Some(index) }
            }
            (None, true) => None,
            (None, false) => {
                return Err(e(
                    &key,
                    format!(
                        "question `{}` needs an area (one of {}) or report_only = true",
                        q.id,
                        area_ids()
                    ),
                ));
            }
        };
        let scale = match (q.kind, q.scale) {
            (QuestionKind::Scale, Some([lo, hi])) if lo < hi => Some((lo, hi)),
            (QuestionKind::Scale, Some(_)) => {
                return Err(e(
                    &format!("{key}.scale"),
                    "the scale must be [lo, hi] with lo below hi".into(),
                ));
            }
            (QuestionKind::Scale, None) => {
                return Err(e(
                    &key,
                    format!("scale question `{}` needs scale = [lo, hi]", q.id),
                ));
            }
            (_, Some(_)) => {
                return Err(e(
                    &format!("{key}.scale"),
                    "only scale questions take a scale".into(),
                ));
            }
            (_, None) => None,
        };
        let scored = !q.report_only;
        let points = match (q.kind, scored, q.points) {
            (QuestionKind::Choice, _, Some(_)) => {
                return Err(e(
                    &format!("{key}.points"),
                    "a choice question's points are given per option".into(),
                ));
            }
            (QuestionKind::Choice, _, None) | (_, false, None) => 0.0,
            (_, false, Some(_)) => {
                return Err(e(
                    &format!("{key}.points"),
                    "a report_only question carries no points".into(),
                ));
            }
            (_, true, Some(p)) if p.is_finite() && p > 0.0 => p,
            (_, true, Some(p)) => {
                return Err(e(
                    &format!("{key}.points"),
                    format!("points {p} must be above 0"),
                ));
            }
            (_, true, None) => {
                return Err(e(&key, format!("scored question `{}` needs points", q.id)));
            }
        };
        let mut options = Vec::new();
        if q.kind == QuestionKind::Choice {
            if q.options.is_empty() {
                return Err(e(&key, format!("choice question `{}` needs options", q.id)));
            }
            let mut keys = BTreeSet::new();
            for (j, o) in q.options.iter().enumerate() {
                let okey = format!("{key}.options.{j}");
                if !keys.insert(o.key.to_lowercase()) {
                    return Err(e(&okey, format!("the option `{}` is listed twice", o.key)));
                }
                let points = match (scored, o.points) {
                    (true, Some(p)) if p.is_finite() && p >= 0.0 => p,
                    (true, Some(p)) => {
                        return Err(e(&okey, format!("points {p} must be 0 or more")));
                    }
                    (true, None) => {
                        return Err(e(
                            &okey,
                            format!("option `{}` of a scored question needs points", o.key),
                        ));
                    }
                    (false, Some(_)) => {
                        return Err(e(
                            &okey,
                            "options of a report_only question carry no points".into(),
                        ));
                    }
                    (false, None) => 0.0,
                };
                options.push(ChoiceOption {
                    key: o.key.clone(),
                    points,
                    text: o.text.clone().unwrap_or_else(|| Texts {
                        nb: o.key.clone(),
                        en: None,
                    }),
                });
            }
        } else if !q.options.is_empty() {
            return Err(e(
                &format!("{key}.options"),
                "only choice questions take options".into(),
            ));
        }
        let points = if q.kind == QuestionKind::Choice {
            options.iter().map(|o| o.points).fold(0.0, f64::max)
        } else {
            points
        };
        if q.kind == QuestionKind::Choice && scored && points <= 0.0 {
            return Err(e(
                &key,
                format!("no option of scored question `{}` earns points", q.id),
            ));
        }
        let channels_of_question = match &q.channels {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|c| {
                        channels.iter().position(|x| &x.id == c).ok_or_else(|| {
                            e(
                                &format!("{key}.channels"),
                                format!("no channel `{c}`: the channels are {}", channel_ids()),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let top_box = match (scale, q.top_box) {
            (Some((lo, hi)), Some(t)) if t >= 1 && t <= hi - lo + 1 => t,
            (Some(_), Some(t)) => {
                return Err(e(
                    &format!("{key}.top_box"),
                    format!("top_box {t} does not fit the scale"),
                ));
            }
            (None, Some(_)) => {
                return Err(e(
                    &format!("{key}.top_box"),
                    "only scale questions have a top box".into(),
                ));
            }
            (Some((lo, hi)), None) => {
                if hi - lo + 1 == 7 {
                    3
                } else {
                    2
                }
            }
            (None, None) => 0,
        };
        questions.push(Question {
            id: q.id.clone(),
            area,
            kind: q.kind,
            scale,
            points,
            options,
            channels: channels_of_question,
            skip_sectors: q.skip_sectors.clone(),
            report_only: q.report_only,
            top_box,
            text: q.text.clone().unwrap_or_else(|| Texts {
                nb: q.id.clone(),
                en: None,
            }),
            label: q.label.clone().unwrap_or_else(|| Texts {
                nb: q.id.clone(),
                en: None,
            }),
        });
    }

    let tie_break_area = areas
        .iter()
        .position(|a| a.id == raw.award.tie_break_area)
        .ok_or_else(|| {
            e(
                "award.tie_break_area",
                format!(
                    "no area `{}`: the areas are {}",
                    raw.award.tie_break_area,
                    area_ids()
                ),
            )
        })?;
    if raw.award.min_inquiries == 0 {
        return Err(e("award.min_inquiries", "must be at least 1".into()));
    }
    let award = AwardRules {
        min_inquiries: raw.award.min_inquiries,
        min_class_size: raw.award.min_class_size.max(1),
        min_channel_inquiries: raw.award.min_channel_inquiries.max(1),
        tie_break_area,
        enabled: raw.award.enabled,
    };

    let (breakdowns, extra_columns) = check_breakdowns(&raw, &channels, &areas, &questions)?;
    let limits = |key: &str, list: &[String]| {
        let mut out: Vec<TimeLimit> = Vec::new();
        for (i, text) in list.iter().enumerate() {
            let (span, _) = parse_span(text).map_err(|m| e(&format!("{key}.{i}"), m))?;
            if out.last().is_some_and(|l| l.span.seconds >= span.seconds) {
                return Err(e(
                    &format!("{key}.{i}"),
                    "list the limits shortest first, each longer than the one before".into(),
                ));
            }
            out.push(TimeLimit {
                span,
                label: text.clone(),
            });
        }
        Ok(out)
    };
    let wait_within = limits("times.wait_within", &raw.times.wait_within)?;
    let handling_within = limits("times.handling_within", &raw.times.handling_within)?;
    let mut thresholds: Vec<Threshold> = Vec::new();
    for (i, t) in raw.thresholds.iter().enumerate() {
        let key = format!("thresholds.{i}");
        if t.id.trim().is_empty() || thresholds.iter().any(|x| x.id == t.id) {
            return Err(e(
                &format!("{key}.id"),
                format!("threshold ids must be unique and not empty (`{}`)", t.id),
            ));
        }
        let outcome = questions
            .iter()
            .position(|q| q.id == t.outcome && q.kind == QuestionKind::YesNo)
            .ok_or_else(|| {
                e(
                    &format!("{key}.outcome"),
                    format!("`{}` is not a yes_no question of the config", t.outcome),
                )
            })?;
        let channel = t
            .channel
            .as_ref()
            .map(|c| {
                channels.iter().position(|x| &x.id == c).ok_or_else(|| {
                    e(
                        &format!("{key}.channel"),
                        format!("no channel `{c}`: the channels are {}", channel_ids()),
                    )
                })
            })
            .transpose()?;
        if t.min_group == 0 {
            return Err(e(&format!("{key}.min_group"), "must be at least 1".into()));
        }
        thresholds.push(Threshold {
            id: t.id.clone(),
            title: t.title.clone().unwrap_or_else(|| Texts::plain(&t.id)),
            measure: t.measure,
            outcome,
            channel,
            min_group: t.min_group,
        });
    }
    let template_name = |key: &str, name: &str| {
        if name.ends_with(".typ") && !name.starts_with('/') && !name.contains("..") {
            Ok(name.to_string())
        } else {
            Err(e(
                key,
                format!("`{name}` is not a .typ file inside the template folder"),
            ))
        }
    };
    let summary_file = raw
        .report
        .summary_file
        .clone()
        .unwrap_or_else(|| "award-summary.pdf".into());
    if !summary_file.ends_with(".pdf")
        || summary_file.contains(['/', '\\'])
        || summary_file.starts_with('.')
    {
        return Err(e(
            "report.summary_file",
            format!("`{summary_file}` must be a file name ending in .pdf, without folders"),
        ));
    }
    let templates = Templates {
        participant: if raw.report.participant_reports {
            Some(template_name(
                "report.participant_template",
                raw.report
                    .participant_template
                    .as_deref()
                    .unwrap_or("participant.typ"),
            )?)
        } else {
            None
        },
        summary: template_name(
            "report.summary_template",
            raw.report
                .summary_template
                .as_deref()
                .unwrap_or("award-summary.typ"),
        )?,
        summary_file,
    };

    let report_cx = match &raw.report.cx {
        None => questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.report_only && q.kind == QuestionKind::Scale)
            .map(|(i, _)| i)
            .collect(),
        Some(ids) => ids
            .iter()
            .map(|id| {
                let i = questions.iter().position(|q| &q.id == id).ok_or_else(|| {
                    e(
                        "report.cx",
                        format!("no question `{id}`: list question ids from [[questions]]"),
                    )
                })?;
                if questions[i].kind == QuestionKind::Choice {
                    return Err(e(
                        "report.cx",
                        format!("`{id}` is a choice question: list scale or yes/no questions"),
                    ));
                }
                Ok(i)
            })
            .collect::<Result<Vec<_>, _>>()?,
    };

    Ok(Season {
        name: raw.season.name.clone(),
        year: raw.season.year,
        language: raw.season.language,
        timezone,
        calendar: Calendar::new(timezone, closed_days),
        report_date,
        previous: raw.season.previous.as_deref().map(resolve),
        sensitivity: raw.report.sensitivity.as_deref().map(resolve),
        participants_path: resolve(&raw.input.participants),
        responses_path: resolve(&raw.input.responses),
        on_bad_row: raw.input.on_bad_row,
        delimiter,
        encoding: raw.input.encoding,
        sheet: raw.input.sheet.clone(),
        max_problems: raw.input.max_problems.max(1),
        period,
        output_dir: resolve(&raw.output.dir),
        templates_dir: raw.output.templates.as_deref().map(resolve),
        award,
        channels,
        areas,
        questions,
        wait_area,
        report_cx,
        breakdowns,
        extra_columns,
        wait_within,
        handling_within,
        thresholds,
        templates,
        effective: raw,
        config_sha256: String::new(),
    })
}

/// Checks `[[breakdowns]]`; also gives the free columns they read, in config order.
fn check_breakdowns(
    raw: &RawConfig,
    channels: &[Channel],
    areas: &[Area],
    questions: &[Question],
) -> Result<(Vec<Breakdown>, Vec<String>), CheckError> {
    let e = |key: String, message: String| (key, message);
    let mut breakdowns: Vec<Breakdown> = Vec::new();
    let mut extra_columns: Vec<String> = Vec::new();
    for (i, b) in raw.breakdowns.iter().enumerate() {
        let key = format!("breakdowns.{i}");
        if b.id.trim().is_empty() || !b.id.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(e(
                format!("{key}.id"),
                format!(
                    "`{}` is not a usable breakdown id: use letters, digits and _",
                    b.id
                ),
            ));
        }
        if breakdowns.iter().any(|x| x.id == b.id) {
            return Err(e(
                format!("{key}.id"),
                format!("the breakdown id `{}` is used twice", b.id),
            ));
        }
        let question = questions.iter().position(|q| q.id == b.column);
        let (column, categories) = match (b.column.as_str(), question) {
            ("channel", _) => (
                BreakdownColumn::Channel,
                channels
                    .iter()
                    .map(|c| Category {
                        key: c.id.clone(),
                        label: c.name.clone(),
                    })
                    .collect(),
            ),
            ("attempts", _) => (
                BreakdownColumn::Attempts,
                ["1", "2"]
                    .iter()
                    .map(|k| Category {
                        key: k.to_string(),
                        label: Texts::plain(k),
                    })
                    .collect(),
            ),
            ("sector", _) => (
                BreakdownColumn::Sector,
                vec![
                    Category {
                        key: "private".into(),
                        label: Texts::both("Privat", "Private"),
                    },
                    Category {
                        key: "public".into(),
                        label: Texts::both("Offentlig", "Public"),
                    },
                ],
            ),
            (_, Some(q)) => {
                let question = &questions[q];
                let categories = match question.kind {
                    QuestionKind::Choice => question
                        .options
                        .iter()
                        .map(|o| Category {
                            key: o.key.clone(),
                            label: o.text.clone(),
                        })
                        .collect(),
                    QuestionKind::YesNo => vec![
                        Category {
                            key: "yes".into(),
                            label: Texts::both("Ja", "Yes"),
                        },
                        Category {
                            key: "no".into(),
                            label: Texts::both("Nei", "No"),
                        },
                    ],
                    QuestionKind::Scale => {
                        let (lo, hi) = question.scale.expect("scale questions have a scale");
                        (lo..=hi)
                            .map(|v| Category {
                                key: v.to_string(),
                                label: Texts::plain(&v.to_string()),
                            })
                            .collect()
                    }
                };
                (BreakdownColumn::Question(q), categories)
            }
            (name, None) => {
                if name.trim().is_empty()
                    || RESERVED_COLUMNS.contains(&name)
                    || name.starts_with("comment_")
                {
                    return Err(e(
                        format!("{key}.column"),
                        format!(
                            "`{name}` cannot be broken down: use channel, attempts, sector, a question id or another column of the responses file"
                        ),
                    ));
                }
                let index = extra_columns
                    .iter()
                    .position(|c| c == name)
                    .unwrap_or_else(|| {
                        extra_columns.push(name.to_string());
                        extra_columns.len() - 1
                    });
                let mut seen = BTreeSet::new();
                let mut categories = Vec::new();
                for (j, c) in b.categories.iter().enumerate() {
                    if c.key.trim().is_empty() || !seen.insert(c.key.trim().to_string()) {
                        return Err(e(
                            format!("{key}.categories.{j}"),
                            format!("category keys must be unique and not empty (`{}`)", c.key),
                        ));
                    }
                    categories.push(Category {
                        key: c.key.trim().to_string(),
                        label: c.text.clone().unwrap_or_else(|| Texts::plain(c.key.trim())),
                    });
                }
                (BreakdownColumn::Free(index), categories)
            }
        };
        if !b.categories.is_empty() && !matches!(column, BreakdownColumn::Free(_)) {
            return Err(e(
                format!("{key}.categories"),
                format!(
                    "`{}` has categories of its own (channels, options, values): remove categories",
                    b.column
                ),
            ));
        }
        let mut means = Vec::new();
        for (j, m) in b.means.iter().enumerate() {
            let what = match m.as_str() {
                "score" => MeanOf::Score,
                "wait" => MeanOf::Wait,
                "handling" => MeanOf::Handling,
                other => {
                    if let Some(area) = other
                        .strip_prefix("area_")
                        .and_then(|a| areas.iter().position(|x| x.id == a))
                    {
                        MeanOf::Area(area)
                    } else if let Some(q) = questions
                        .iter()
                        .position(|q| q.id == other && q.kind == QuestionKind::Scale)
                    {
                        MeanOf::Question(q)
                    } else {
                        return Err(e(
                            format!("{key}.means.{j}"),
                            format!(
                                "`{other}` is not a figure to average: use score, wait, handling, area_<id> or the id of a scale question"
                            ),
                        ));
                    }
                }
            };
            if means.iter().any(|(id, _)| id == m) {
                return Err(e(
                    format!("{key}.means.{j}"),
                    format!("`{m}` is listed twice"),
                ));
            }
            means.push((m.clone(), what));
        }
        breakdowns.push(Breakdown {
            id: b.id.clone(),
            title: b.title.clone().unwrap_or_else(|| Texts::plain(&b.column)),
            column,
            categories,
            means,
        });
    }
    Ok((breakdowns, extra_columns))
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

/// Columns of the responses file that are not questions.
pub const RESERVED_COLUMNS: &[&str] = &[
    "inquiry_id",
    "participant_id",
    "shopper_id",
    "channel",
    "attempts",
    "sent_at",
    "answered_at",
    "ended_at",
];
