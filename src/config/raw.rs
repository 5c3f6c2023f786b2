//! The config file as written: serde structs with a `///` doc on every field. A section whose
//! fields have defaults takes them from its one `Default`; a field the file must give is an
//! `Option` here and reported by the checks when it is missing, with its place in the file.
//! Serialized back (after `--set`), this is the effective config in `results.json`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

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

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Nb => &self.nb,
            Language::En => self.en.as_deref().unwrap_or(&self.nb),
        }
    }
}

/// The language of the reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nb,
    En,
}

impl Language {
    /// The code the templates and the PDF metadata use: `nb` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::En => "en",
        }
    }
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

/// The whole config file as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// The season: name, year, language, time zone.
    pub season: RawSeason,
    /// Where the input files are and how to read them.
    pub input: RawInput,
    /// Where the outputs go.
    pub output: RawOutput,
    /// The award rules.
    pub award: RawAward,
    /// The channels, in the order reports show them.
    pub channels: IndexMap<String, RawChannel>,
    /// The performance areas, in the order reports show them.
    pub areas: IndexMap<String, RawArea>,
    /// The questionnaire, scored and report-only questions alike.
    pub questions: Vec<RawQuestion>,
    /// What the reports show beyond the scores, and which templates render them.
    pub report: RawReport,
    /// Categorical columns counted per participant, class and season, with the mean of chosen
    /// figures per category.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<RawBreakdown>,
    /// Shares of waits and handling times within chosen limits.
    #[serde(skip_serializing_if = "RawTimes::is_empty")]
    pub times: RawTimes,
    /// Threshold analyses: the cut-off of a time that best separates a yes/no outcome.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<RawThreshold>,
    /// Key drivers: the outcome question the other scored questions are correlated with.
    #[serde(skip_serializing_if = "RawDrivers::is_empty")]
    pub drivers: RawDrivers,
}

/// `[drivers]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDrivers {
    /// The id of a scale or yes/no question, scored or not (e.g. `"csat"`); every other scored
    /// question's share is correlated with it. Absent: no drivers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The outcome's name in the reports' sentences ("customer satisfaction"); default the
    /// question's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Texts>,
}

impl RawDrivers {
    fn is_empty(&self) -> bool {
        self.outcome.is_none()
    }
}

/// `[season]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawSeason {
    /// The season's name as printed on reports, e.g. "Kundeserviceprisen 2022". Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The award year. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// The days inquiries may be sent on, inclusive; an inquiry outside is a bad row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<RawPeriod>,
    /// Report language: `nb` (default) or `en`.
    pub language: Language,
    /// IANA time zone of local timestamps and of business days; default Europe/Oslo.
    pub timezone: String,
    /// Extra days (YYYY-MM-DD) on which participants were closed by rule; not business time.
    pub closed_days: Vec<String>,
    /// Last season's `results/results.json`, for year-over-year figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The date printed on reports and stamped into the PDFs (YYYY-MM-DD). Default:
    /// `SOURCE_DATE_EPOCH` when set, else the day of the season's last inquiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_date: Option<String>,
}

impl Default for RawSeason {
    fn default() -> Self {
        RawSeason {
            name: None,
            year: None,
            period: None,
            language: Language::Nb,
            timezone: "Europe/Oslo".into(),
            closed_days: Vec::new(),
            previous: None,
            report_date: None,
        }
    }
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

/// `[input]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawInput {
    /// The participants file (CSV, Excel or Parquet), relative to the config file. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<String>,
    /// The responses file (CSV, Excel or Parquet), relative to the config file. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<String>,
    /// `fail` (default): stop on any bad row; `reject`: set bad rows aside and go on.
    pub on_bad_row: OnBadRow,
    /// CSV delimiter, `,` or `;`; detected from the header line when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The sheet to read from Excel input files; the first sheet when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// CSV text encoding: `utf-8` (default) or `windows-1252`.
    pub encoding: Encoding,
    /// Problems listed before the rest are only counted; default 50.
    pub max_problems: usize,
}

impl Default for RawInput {
    fn default() -> Self {
        RawInput {
            participants: None,
            responses: None,
            on_bad_row: OnBadRow::Fail,
            delimiter: None,
            sheet: None,
            encoding: Encoding::Utf8,
            max_problems: 50,
        }
    }
}

/// `[output]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawOutput {
    /// The output folder, relative to the config file; `--out` overrides it. Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// A template folder of your own, relative to the config file (`ksp templates export DIR`
    /// writes the built-in ones to start from); absent: the templates built into ksp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templates: Option<String>,
}

/// `[award]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawAward {
    /// Inquiries a participant needs to be ranked; default 20.
    pub min_inquiries: usize,
    /// Eligible participants a class needs to have a winner; default 3.
    pub min_class_size: usize,
    /// Inquiries on a channel a participant needs to compete for best on that channel; default 5.
    pub min_channel_inquiries: usize,
    /// The area whose score breaks ties after total_answered; default `agent`.
    pub tie_break_area: String,
    /// Whether the season gives awards; default true. A channel study sets false: no class
    /// winners, no overall winner, no best per channel.
    #[serde(skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Bootstrap resamples for the rank intervals and win chances (methodology §7.1);
    /// default 2000, 0 turns them off.
    pub resamples: usize,
    /// The seed of the resamples' draws; default 1. The same seed gives the same figures
    /// whatever the thread count.
    pub seed: u64,
}

impl Default for RawAward {
    fn default() -> Self {
        RawAward {
            min_inquiries: 20,
            min_class_size: 3,
            min_channel_inquiries: 5,
            tie_break_area: "agent".into(),
            enabled: true,
            resamples: 2000,
            seed: 1,
        }
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

/// `[channels.<id>]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawChannel {
    /// The channel's name in reports; default the id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Texts>,
    /// The longest wait that still counts as an answer (`5m`, `30m`, `3bd` for business days);
    /// absent for channels without a wait rule (panel interviews).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Wait bands, shortest first: the first band whose `within` the wait does not exceed
    /// gives its `share` of the wait points.
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

/// `[report]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawReport {
    /// Question ids shown under customer experience, in this order (scale questions as their
    /// mean, yes/no questions as the yes share); default every report-only scale question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cx: Option<Vec<String>>,
    /// A `sensitivity.json` written by `ksp sensitivity` (relative to this file): the award
    /// summary then shows how often each ranked participant won its class under the varied
    /// weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<String>,
    /// The participant report's template, in the template folder; default `participant.typ`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_template: Option<String>,
    /// Whether every participant gets a report; default true. A study of one company sets
    /// false and gets its one report from the summary template.
    #[serde(skip_serializing_if = "is_true")]
    pub participant_reports: bool,
    /// The summary's template, in the template folder; default `award-summary.typ`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_template: Option<String>,
    /// The summary's file name in the output folder; default `award-summary.pdf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_file: Option<String>,
    /// What breakdown tables call the inquiry score (`score` in `means`); default "Score".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_label: Option<Texts>,
    /// At most this many class-table rows are laid out in one compile of the award summary;
    /// default 400. A larger season's summary is laid out in parts, each starting on a new
    /// page, and joined into one PDF, so its memory stays that of a small season's. Raise it
    /// for fewer page breaks between classes at the cost of memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_rows_per_part: Option<usize>,
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
            summary_rows_per_part: None,
        }
    }
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
#[serde(default, deny_unknown_fields)]
pub struct RawTimes {
    /// Limits (e.g. `"30s"`, `"2m"`) for the share of measured waits at or below each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wait_within: Vec<String>,
    /// Limits for the share of measured handling times at or below each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handling_within: Vec<String>,
}

impl RawTimes {
    fn is_empty(&self) -> bool {
        self.wait_within.is_empty() && self.handling_within.is_empty()
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
    #[serde(default = "RawThreshold::default_min_group")]
    pub min_group: usize,
    /// The heading in reports; default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Texts>,
}

impl RawThreshold {
    fn default_min_group() -> usize {
        10
    }
}
