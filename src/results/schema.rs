//! `results/results.json` and the rows of every results table, as one typed schema: ksp
//! writes these structs and reads them back (`season.previous`, `ksp diff`) as they are.

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize, Serializer};

use super::cell::{Cell, Num};
use crate::output::ReadError;
pub use crate::rank::AwardKind;
pub use crate::robustness::Position as FunnelPosition;

/// What a row of `findings.csv` compares: an area or a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Area,
    Question,
}

/// Whom a row of `breakdowns.csv` or `times.csv` counts: the season, a class or a
/// participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Season,
    Class,
    Participant,
}

/// The time a row of `times.csv` or `thresholds.csv` measures.
pub use crate::config::Measure;

/// `results.json`. `C` is the effective config: the checked season's raw config when
/// written, plain JSON when read back, so a file from another version of ksp still reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsFile<C> {
    pub tool: String,
    pub version: String,
    pub season: String,
    pub year: i32,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    pub inquiries_accepted: usize,
    #[serde(serialize_with = "sorted")]
    pub participants: Vec<ParticipantResult>,
    #[serde(serialize_with = "sorted")]
    pub classes: Vec<ClassResult>,
    #[serde(serialize_with = "sorted")]
    pub awards: Vec<AwardResult>,
    /// §7.4, by shopper id.
    #[serde(default, serialize_with = "sorted")]
    pub shoppers: Vec<ShopperResult>,
    /// When the season has `[[breakdowns]]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "sorted_some"
    )]
    pub breakdowns: Option<Vec<BreakdownResult>>,
    /// When the season has `[times]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "sorted_some"
    )]
    pub times: Option<Vec<TimesResult>>,
    /// When the season has `[[thresholds]]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "sorted_some"
    )]
    pub thresholds: Option<Vec<ThresholdResult>>,
    /// §8.2: per participant, its areas and questions against its class.
    #[serde(default, serialize_with = "sorted")]
    pub findings: Vec<FindingResult>,
    /// §8.4, when the season has `[drivers]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "sorted_some"
    )]
    pub drivers: Option<Vec<DriverResult>>,
    pub config: C,
}

/// Rows as JSON objects with their keys in alphabetical order, as ksp has always written
/// them (the CSV keeps the column order). One row is turned into a JSON value at a time.
fn sorted<S: Serializer, R: Serialize>(rows: &[R], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(rows.iter().map(Sorted))
}

/// A row serialized through `serde_json::Value`, whose maps keep keys sorted.
struct Sorted<'a, R>(&'a R);

impl<R: Serialize> Serialize for Sorted<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        serde_json::to_value(self.0)
            .map_err(S::Error::custom)?
            .serialize(s)
    }
}

fn sorted_some<S: Serializer, R: Serialize>(
    rows: &Option<Vec<R>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    sorted(rows.as_deref().unwrap_or_default(), s)
}

impl ResultsFile<serde_json::Value> {
    /// Reads a `results.json` written by ksp.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        ReadError::read_json(path, "a results.json written by ksp")
    }
}

/// One row of `participants.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantResult {
    pub participant_id: String,
    pub name: String,
    pub class: String,
    pub eligible: bool,
    pub n_inquiries: usize,
    pub n_answered: usize,
    pub answer_rate: Num,
    pub total: Num,
    pub total_answered: Num,
    pub ci_low: Num,
    pub ci_high: Num,
    /// Empty when not eligible.
    pub class_rank: Option<usize>,
    /// `area_<a>`, `channel_<c>`, `nps`, the unscored figures of §3.8, and each channel's
    /// inquiries, answer rate, waits and handling times, in config order.
    #[serde(flatten)]
    pub figures: IndexMap<String, Cell>,
    /// §7: the 90 % interval of the resampled class rank, the chances of winning the class
    /// and overall, and the funnel positions; empty when not eligible (or resamples = 0).
    #[serde(default)]
    pub rank_low: Option<usize>,
    #[serde(default)]
    pub rank_high: Option<usize>,
    #[serde(default)]
    pub p_class_win: Num,
    #[serde(default)]
    pub p_overall_win: Num,
    /// `above`, `within` or `below` the 99.8 % limits (`funnel_95`: the 95 % limits).
    #[serde(default)]
    pub funnel: Option<FunnelPosition>,
    #[serde(default)]
    pub funnel_95: Option<FunnelPosition>,
}

/// One row of `classes.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassResult {
    pub class: String,
    pub n_participants: usize,
    pub n_eligible: usize,
    pub mean_total: Num,
    pub best_total: Num,
    /// `mean_area_<a>` and `best_area_<a>` per area.
    #[serde(flatten)]
    pub areas: IndexMap<String, Cell>,
    /// Joined with `|`.
    pub winner_ids: String,
    pub too_close: Option<bool>,
    pub p_value: Num,
    /// §7.3: inquiries each of the top two would need to be told apart.
    #[serde(default)]
    pub inquiries_needed: Option<usize>,
}

/// One row of `findings.csv` (§8.2): an area or a question of a participant against its
/// class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingResult {
    pub participant_id: String,
    pub kind: FindingKind,
    pub id: String,
    pub value: Num,
    pub class_value: Num,
    pub gap: Num,
    pub p_value: Num,
}

/// One row of `drivers.csv` (§8.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverResult {
    pub question: String,
    pub n: usize,
    pub r: Num,
}

/// One row of `shoppers.csv` (§7.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopperResult {
    pub shopper_id: String,
    pub n: usize,
    pub effect: Num,
    pub z: Num,
    pub flagged: bool,
}

/// One row of `awards.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwardResult {
    pub award: AwardKind,
    pub class: String,
    pub channel: String,
    pub participant_id: String,
    pub total: Num,
    /// The figure ranked on: the total, or `channel_<c>`.
    pub score: Num,
    pub too_close: Option<bool>,
}

/// One row of `breakdowns.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakdownResult {
    pub breakdown: String,
    pub scope: Scope,
    pub scope_id: String,
    pub category: String,
    pub count: usize,
    pub share: Num,
    /// `mean_<figure>` for every figure any breakdown averages.
    #[serde(flatten)]
    pub means: IndexMap<String, Cell>,
}

/// One row of `times.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimesResult {
    /// `season` or `participant`.
    pub scope: Scope,
    pub scope_id: String,
    pub channel: String,
    pub measure: Measure,
    pub n: usize,
    pub median: Num,
    pub p75: Num,
    pub p90: Num,
    /// `within_<limit>` for every limit of `[times]`.
    #[serde(flatten)]
    pub within: IndexMap<String, Cell>,
}

/// One row of `thresholds.csv`: a cut-off tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    pub threshold: String,
    pub measure: Measure,
    pub outcome: String,
    pub channel: String,
    /// Seconds; at or below against above.
    pub cutoff: i64,
    pub below_n: usize,
    pub below_yes: usize,
    pub above_n: usize,
    pub above_yes: usize,
    pub below_yes_share: Num,
    pub above_yes_share: Num,
    pub p_value: Num,
    pub best: bool,
}
