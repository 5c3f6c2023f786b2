//! The data each template reads, built from the standings in one place. Numbers arrive both
//! as values (for charts) and as text formatted for the report's language.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

mod analysis_views;

pub use analysis_views::{BreakdownView, ThresholdView, TimesView};

use crate::analysis::Analysis;
use crate::config::{Language, QuestionKind, Season};
use crate::input::{Answer, Dataset};
use crate::rank::{AwardKind, Standings};
use crate::results::ResultsFile;
use crate::score::Scores;
use crate::stats;

/// Formats a number with `decimals` decimals: decimal comma and space-grouped thousands in
/// Norwegian (`4 700`, `94,7`), decimal point and comma-grouped thousands in English.
pub fn format_number(x: f64, decimals: usize, language: Language) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = match language {
        Language::Nb => (' ', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "−" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

/// A figure for a template: its value and its text (`–` when not applicable).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub v: Option<f64>,
    pub t: String,
}

fn figure(x: Option<f64>, decimals: usize, language: Language) -> Figure {
    Figure {
        v: x,
        t: x.map_or_else(|| "–".to_string(), |v| format_number(v, decimals, language)),
    }
}

/// A ratio shown as a percent with one decimal.
fn percent(x: Option<f64>, language: Language) -> Figure {
    figure(x.map(|r| 100.0 * r), 1, language)
}

/// A ratio as a percent with its sign (`92,0 %`), or `–`.
fn percent_sign(x: Option<f64>, language: Language) -> Figure {
    let mut f = percent(x, language);
    if x.is_some() {
        f.t.push_str(" %");
    }
    f
}

/// Seconds as a readable duration (`42 s`, `3 min 5 s`, `4 t 12 min`, `1,5 virkedager`).
pub fn format_duration(seconds: Option<f64>, business: bool, language: Language) -> String {
    let Some(s) = seconds else {
        return "–".into();
    };
    let nb = language == Language::Nb;
    if business && s >= 86_400.0 {
        let days = format_number(s / 86_400.0, 1, language);
        return if nb {
            format!("{days} virkedager")
        } else {
            format!("{days} business days")
        };
    }
    let s = s.round() as i64;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let hours = if nb { "t" } else { "h" };
    match (h, m) {
        (0, 0) => format!("{sec} s"),
        (0, _) if sec > 0 => format!("{m} min {sec} s"),
        (0, _) => format!("{m} min"),
        _ => format!("{h} {hours} {m} min"),
    }
}

pub fn format_date(date: NaiveDate, language: Language) -> String {
    const NB: [&str; 12] = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = date.month0() as usize;
    match language {
        Language::Nb => format!("{}. {} {}", date.day(), NB[m], date.year()),
        Language::En => format!("{} {} {}", date.day(), EN[m], date.year()),
    }
}

/// A signed change with its sign, e.g. `+2,4` / `−1,0`.
fn change(x: Option<f64>, language: Language) -> Figure {
    let t = match x {
        None => "–".to_string(),
        Some(v) if v > 0.0 && (v * 10.0).round() != 0.0 => {
            format!("+{}", format_number(v, 1, language))
        }
        Some(v) => format_number(v, 1, language),
    };
    Figure { v: x, t }
}

fn lang_code(language: Language) -> &'static str {
    match language {
        Language::Nb => "nb",
        Language::En => "en",
    }
}

/// Last season's figures of one participant, from its `results.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousEntry {
    pub total: Option<f64>,
    pub class_rank: Option<usize>,
}

/// Last season, read from `season.previous`.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    pub season: String,
    pub participants: HashMap<String, PreviousEntry>,
    /// Breakdown shares by (breakdown id, participant id or "" for the season, category).
    pub shares: HashMap<(String, String, String), f64>,
}

impl Previous {
    /// What the reports show of last season's `results.json`.
    pub fn of(results: &ResultsFile<serde_json::Value>) -> Previous {
        let participants = results
            .participants
            .iter()
            .map(|p| {
                let entry = PreviousEntry {
                    total: p.total.0,
                    class_rank: p.class_rank,
                };
                (p.participant_id.clone(), entry)
            })
            .collect();
        let shares = results
            .breakdowns
            .iter()
            .flatten()
            .filter(|row| matches!(row.scope.as_str(), "season" | "participant"))
            .filter_map(|row| {
                let key = (
                    row.breakdown.clone(),
                    row.scope_id.clone(),
                    row.category.clone(),
                );
                Some((key, row.share.0?))
            })
            .collect();
        Previous {
            season: results.season.clone(),
            participants,
            shares,
        }
    }
}

/// How often each participant won its class under other weights: a `sensitivity.json`
/// written by `ksp sensitivity`, named by `report.sensitivity`.
#[derive(Debug, Clone, Default)]
pub struct Robustness {
    pub runs: usize,
    /// Each varied key with its bounds.
    pub vary: Vec<(String, f64, f64)>,
    pub win_share: HashMap<String, f64>,
}

impl Robustness {
    pub fn of(table: &crate::sensitivity::Table) -> Robustness {
        Robustness {
            runs: table.runs,
            vary: table.vary.clone(),
            win_share: table
                .rows
                .iter()
                .map(|r| (r.participant_id.clone(), r.win_share))
                .collect(),
        }
    }
}

/// What one participant's answers to one question add up to, over answered inquiries.
#[derive(Debug, Clone, Default)]
struct QuestionStats {
    mean: Option<f64>,
    top: Option<f64>,
    yes: Option<f64>,
    /// Per option of a choice question.
    shares: Vec<Option<f64>>,
    /// Promoters, passives and detractors of an NPS question, as ratios.
    nps_split: Option<[f64; 3]>,
}

fn question_stats(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    inquiries: &[usize],
) -> Vec<QuestionStats> {
    season
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let answers: Vec<Answer> = inquiries
                .iter()
                .filter(|&&i| scores.inquiries[i].answered)
                .filter_map(|&i| data.inquiries[i].answers[qi])
                .collect();
            let n = answers.len() as f64;
            let share = |hits: usize| (n > 0.0).then(|| hits as f64 / n);
            let values: Vec<f64> = answers
                .iter()
                .filter_map(|a| a.scale())
                .map(|v| v as f64)
                .collect();
            let mut stats = QuestionStats::default();
            match q.kind {
                QuestionKind::Scale => {
                    stats.mean = stats::mean(&values);
                    stats.top = share(values.iter().filter(|v| q.in_top_box(**v)).count());
                    if q.id == "nps" && n > 0.0 {
                        let count = |f: &dyn Fn(f64) -> bool| {
                            values.iter().filter(|v| f(**v)).count() as f64 / n
                        };
                        stats.nps_split = Some([
                            count(&|v| v >= 9.0),
                            count(&|v| v == 7.0 || v == 8.0),
                            count(&|v| v <= 6.0),
                        ]);
                    }
                }
                QuestionKind::YesNo => {
                    stats.yes = share(
                        answers
                            .iter()
                            .filter(|a| **a == Answer::YesNo(true))
                            .count(),
                    )
                }
                QuestionKind::Choice => {
                    stats.shares = (0..q.options.len())
                        .map(|o| share(answers.iter().filter(|a| **a == Answer::Choice(o)).count()))
                        .collect();
                }
            }
            stats
        })
        .collect()
}

/// Everything the documents share, computed once per run.
pub struct Context<'a> {
    season: &'a Season,
    data: &'a Dataset,
    scores: &'a Scores,
    standings: &'a Standings,
    analysis: &'a Analysis,
    lang: Language,
    info: SeasonInfo,
    methodology: Methodology,
    previous: Option<Previous>,
    robustness: Option<Robustness>,
    inquiries_of: Vec<Vec<usize>>,
    stats: Vec<Vec<QuestionStats>>,
    /// Per class, per question: the mean over eligible members of their stats.
    class_stats: Vec<Vec<QuestionStats>>,
    /// Per class, per question: the mean achieved share of points over eligible members.
    class_question_share: Vec<Vec<Option<f64>>>,
    all_mean_total: Option<f64>,
}

impl<'a> Context<'a> {
    pub fn data(&self) -> &'a Dataset {
        self.data
    }

    pub fn season(&self) -> &'a Season {
        self.season
    }

    /// Shows in the award summary how often each ranked participant won under other weights.
    pub fn with_robustness(mut self, robustness: Option<Robustness>) -> Self {
        self.robustness = robustness;
        self
    }

    pub fn new(
        season: &'a Season,
        data: &'a Dataset,
        scores: &'a Scores,
        standings: &'a Standings,
        analysis: &'a Analysis,
        date: NaiveDate,
        previous: Option<Previous>,
    ) -> Context<'a> {
        let inquiries_of = data.inquiries_by_participant();
        let stats: Vec<Vec<QuestionStats>> = inquiries_of
            .iter()
            .map(|ids| question_stats(season, data, scores, ids))
            .collect();
        let eligible_members = |c: &crate::rank::ClassFigures| -> Vec<usize> {
            c.members
                .iter()
                .copied()
                .filter(|&p| standings.eligible[p])
                .collect()
        };
        let mean_of = |values: Vec<Option<f64>>| {
            stats::mean(&values.into_iter().flatten().collect::<Vec<_>>())
        };
        let class_stats = standings
            .classes
            .iter()
            .map(|c| {
                let members = eligible_members(c);
                (0..season.questions.len())
                    .map(|q| QuestionStats {
                        mean: mean_of(members.iter().map(|&p| stats[p][q].mean).collect()),
                        top: mean_of(members.iter().map(|&p| stats[p][q].top).collect()),
                        yes: mean_of(members.iter().map(|&p| stats[p][q].yes).collect()),
                        shares: (0..season.questions[q].options.len())
                            .map(|o| {
                                mean_of(members.iter().map(|&p| stats[p][q].shares[o]).collect())
                            })
                            .collect(),
                        nps_split: None,
                    })
                    .collect()
            })
            .collect();
        let class_question_share = standings
            .classes
            .iter()
            .map(|c| {
                let members = eligible_members(c);
                (0..season.questions.len())
                    .map(|q| {
                        mean_of(
                            members
                                .iter()
                                .map(|&p| scores.participants[p].questions[q])
                                .collect(),
                        )
                    })
                    .collect()
            })
            .collect();
        let eligible_totals: Vec<f64> = (0..data.participants.len())
            .filter(|&p| standings.eligible[p])
            .filter_map(|p| scores.participants[p].total)
            .collect();
        Context {
            season,
            data,
            scores,
            standings,
            analysis,
            lang: season.language,
            info: season_info(season, data, date),
            methodology: methodology(season),
            previous,
            robustness: None,
            inquiries_of,
            stats,
            class_stats,
            class_question_share,
            all_mean_total: stats::mean(&eligible_totals),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeasonInfo {
    pub name: String,
    pub year: i32,
    pub date: String,
    pub period: String,
}

/// The season's first and last inquiry days, formatted.
fn season_info(season: &Season, data: &Dataset, date: NaiveDate) -> SeasonInfo {
    let tz = season.timezone;
    let days: Vec<NaiveDate> = data
        .inquiries
        .iter()
        .map(|i| i.sent_at.with_timezone(&tz).date_naive())
        .collect();
    let period = match (days.iter().min(), days.iter().max()) {
        (Some(a), Some(b)) => format!(
            "{} – {}",
            format_date(*a, season.language),
            format_date(*b, season.language)
        ),
        _ => String::new(),
    };
    SeasonInfo {
        name: season.name.clone(),
        year: season.year,
        date: format_date(date, season.language),
        period,
    }
}

/// The methodology as configured, printed in every report so a re-run documents itself.
#[derive(Debug, Clone, Serialize)]
pub struct Methodology {
    pub areas: Vec<MethodArea>,
    pub channels: Vec<MethodChannel>,
    pub min_inquiries: usize,
    pub min_class_size: usize,
    pub min_channel_inquiries: usize,
    pub tie_break_area: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodArea {
    pub name: String,
    pub weight: String,
    pub questions: Vec<MethodQuestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodQuestion {
    pub code: String,
    pub text: String,
    pub scoring: String,
    pub channels: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodChannel {
    pub name: String,
    pub limit: String,
    pub bands: String,
}

fn methodology(season: &Season) -> Methodology {
    let lang = season.language;
    let nb = lang == Language::Nb;
    let pct = |share: f64| format!("{} %", format_number(100.0 * share, 0, lang));
    let pts = |p: f64| format_number(p, if p.fract() == 0.0 { 0 } else { 1 }, lang);
    let channel_names = |c: &Option<Vec<usize>>| match c {
        None => if nb { "alle" } else { "all" }.to_string(),
        Some(list) => list
            .iter()
            .map(|&c| season.channels[c].name.get(lang).to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let areas = season
        .areas
        .iter()
        .enumerate()
        .map(|(a, area)| {
            let mut questions: Vec<MethodQuestion> = season
                .questions
                .iter()
                .enumerate()
                .filter(|(_, q)| q.area == Some(a))
                .map(|(qi, q)| MethodQuestion {
                    code: format!("Q{}", qi + 1),
                    text: q.text.get(lang).to_string(),
                    scoring: match q.kind {
                        QuestionKind::Scale => {
                            let (lo, hi) = q.scale.expect("scale");
                            format!("{lo}–{hi}: {} p", pts(q.points))
                        }
                        QuestionKind::YesNo => {
                            format!("{}: {} p", if nb { "ja" } else { "yes" }, pts(q.points))
                        }
                        QuestionKind::Choice => q
                            .options
                            .iter()
                            .map(|o| format!("{} {} p", o.text.get(lang), pts(o.points)))
                            .collect::<Vec<_>>()
                            .join(" · "),
                    } + &if q.skip_sectors.is_empty() {
                        String::new()
                    } else if nb {
                        " (ikke offentlig sektor)".to_string()
                    } else {
                        " (not public sector)".to_string()
                    },
                    channels: channel_names(&q.channels),
                })
                .collect();
            if Some(a) == season.wait_area {
                questions.push(MethodQuestion {
                    code: String::new(),
                    text: if nb {
                        "Svartid mot kanalens frist og bånd"
                    } else {
                        "Wait against the channel's limit and bands"
                    }
                    .to_string(),
                    scoring: format!("{} p", pts(area.points.unwrap_or(1.0))),
                    channels: channel_names(&None),
                });
            }
            MethodArea {
                name: area.name.get(lang).to_string(),
                weight: pts(area.weight),
                questions,
            }
        })
        .collect();
    let channels = season
        .channels
        .iter()
        .map(|c| MethodChannel {
            name: c.name.get(lang).to_string(),
            limit: c.limit.map_or_else(
                || if nb { "ingen frist" } else { "no limit" }.to_string(),
                |l| format_duration(Some(l.seconds as f64), c.business_time, lang),
            ),
            bands: c
                .bands
                .iter()
                .map(|b| format!("≤ {}: {}", b.label, pct(b.share)))
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    Methodology {
        areas,
        channels,
        min_inquiries: season.award.min_inquiries,
        min_class_size: season.award.min_class_size,
        min_channel_inquiries: season.award.min_channel_inquiries,
        tie_break_area: season.areas[season.award.tie_break_area]
            .name
            .get(lang)
            .to_string(),
    }
}

#[derive(Serialize)]
pub struct ParticipantReport<'c> {
    pub lang: &'static str,
    pub season: &'c SeasonInfo,
    pub participant: ParticipantInfo,
    pub eligible: bool,
    pub min_inquiries: usize,
    pub rank: Option<usize>,
    pub ranked_in_class: usize,
    /// The awards the participant won, named in the report's language.
    pub awards: Vec<String>,
    pub summary: Summary,
    pub previous: Option<PreviousFigures>,
    pub areas: Vec<AreaRow>,
    pub channels: Vec<ChannelRow>,
    pub cx: Vec<CxRow>,
    pub nps: Option<NpsSplit>,
    pub facts: Vec<Fact>,
    pub comment_groups: Vec<CommentGroup>,
    pub inquiries: Vec<InquiryRow>,
    pub questions: Vec<QuestionCode>,
    /// The season's breakdowns for this participant, against its class and the season.
    pub breakdowns: Vec<BreakdownView>,
    pub methodology: &'c Methodology,
}

#[derive(Serialize)]
pub struct ParticipantInfo {
    pub id: String,
    pub name: String,
    pub class: String,
    pub public: bool,
}

#[derive(Serialize)]
pub struct Summary {
    pub total: Figure,
    pub ci_low: Figure,
    pub ci_high: Figure,
    pub total_answered: Figure,
    pub answer_rate: Figure,
    pub n_inquiries: String,
    pub n_answered: String,
    pub class_mean: Figure,
    pub class_best: Figure,
    pub all_mean: Figure,
}

#[derive(Serialize)]
pub struct PreviousFigures {
    pub season: String,
    pub total: Figure,
    pub change: Figure,
    pub rank: Option<usize>,
}

#[derive(Serialize)]
pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub weight: Figure,
    pub score: Figure,
    pub class_mean: Figure,
    pub class_best: Figure,
    pub questions: Vec<QuestionRow>,
}

#[derive(Serialize)]
pub struct QuestionRow {
    pub code: String,
    pub text: String,
    pub share: Figure,
    pub class_mean: Figure,
}

#[derive(Serialize)]
pub struct ChannelRow {
    pub id: String,
    pub name: String,
    pub inquiries: usize,
    pub answered: usize,
    pub score: Figure,
    pub answer_rate: Figure,
    pub within_first_band: Figure,
    pub wait_median: String,
    pub wait_p75: String,
    pub wait_p90: String,
    pub handling_median: String,
    pub handling_p75: String,
    pub handling_p90: String,
    pub limit: String,
    pub chart: Option<WaitChart>,
}

/// Waits as fractions of the channel's limit, with the band edges, for a strip chart.
#[derive(Serialize)]
pub struct WaitChart {
    pub waits: Vec<f64>,
    pub bands: Vec<BandMark>,
    pub unanswered: usize,
}

#[derive(Serialize)]
pub struct BandMark {
    pub at: f64,
    pub label: String,
    pub share: String,
}

#[derive(Serialize)]
pub struct CxRow {
    pub label: String,
    pub text: String,
    pub scale: String,
    pub value: Figure,
    pub class_mean: Figure,
    /// The value's position on its scale, 0 to 1, for bars.
    pub position: Option<f64>,
    pub class_position: Option<f64>,
}

#[derive(Serialize)]
pub struct NpsSplit {
    pub promoters: Figure,
    pub passives: Figure,
    pub detractors: Figure,
}

#[derive(Serialize)]
pub struct Fact {
    pub text: String,
    pub options: Vec<FactOption>,
}

#[derive(Serialize)]
pub struct FactOption {
    pub label: String,
    pub share: Figure,
    pub class_mean: Figure,
}

#[derive(Serialize)]
pub struct CommentGroup {
    pub name: String,
    pub comments: Vec<CommentRow>,
}

#[derive(Serialize)]
pub struct CommentRow {
    pub date: String,
    pub channel: String,
    pub text: String,
    /// The comment reads right to left (Arabic, Hebrew): set as a right-to-left paragraph.
    pub rtl: bool,
}

#[derive(Serialize)]
pub struct InquiryRow {
    pub id: String,
    pub date: String,
    pub channel: String,
    pub wait: String,
    pub answered: bool,
    pub score: Figure,
    /// Every answer given, as `Q1 4 · Q2 ja · …` (codes as in the methodology).
    pub summary: String,
}

#[derive(Serialize)]
pub struct QuestionCode {
    pub code: String,
    pub label: String,
}

impl Context<'_> {
    pub fn participant_report(&self, p: usize) -> ParticipantReport<'_> {
        let (season, data, lang) = (self.season, self.data, self.lang);
        let nb = lang == Language::Nb;
        let part = &data.participants[p];
        let f = &self.scores.participants[p];
        let ci = self.standings.class_of[p];
        let class = &self.standings.classes[ci];
        let stats = &self.stats[p];
        let class_stats = &self.class_stats[ci];
        let percent_of = |x: Option<f64>| percent(x, lang);
        let areas = season
            .areas
            .iter()
            .enumerate()
            .map(|(a, area)| AreaRow {
                id: area.id.clone(),
                name: area.name.get(lang).to_string(),
                weight: figure(Some(area.weight), 0, lang),
                score: figure(f.areas[a], 1, lang),
                class_mean: figure(class.mean_areas[a], 1, lang),
                class_best: figure(class.best_areas[a], 1, lang),
                questions: season
                    .questions
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.area == Some(a))
                    .map(|(qi, q)| QuestionRow {
                        code: format!("Q{}", qi + 1),
                        text: q.text.get(lang).to_string(),
                        share: figure(f.questions[qi], 1, lang),
                        class_mean: figure(self.class_question_share[ci][qi], 1, lang),
                    })
                    .collect(),
            })
            .collect();
        let channels = season
            .channels
            .iter()
            .enumerate()
            .filter(|(c, _)| f.channels[*c].inquiries > 0)
            .map(|(c, channel)| {
                let cf = &f.channels[c];
                let duration = |x: Option<f64>| format_duration(x, channel.business_time, lang);
                let handling = |x: Option<f64>| format_duration(x, false, lang);
                ChannelRow {
                    id: channel.id.clone(),
                    name: channel.name.get(lang).to_string(),
                    inquiries: cf.inquiries,
                    answered: cf.answered,
                    score: figure(cf.score, 1, lang),
                    answer_rate: percent_of(cf.answer_rate),
                    within_first_band: percent_of(cf.within_first_band),
                    wait_median: duration(cf.wait_median),
                    wait_p75: duration(cf.wait_p75),
                    wait_p90: duration(cf.wait_p90),
                    handling_median: handling(cf.handling_median),
                    handling_p75: handling(cf.handling_p75),
                    handling_p90: handling(cf.handling_p90),
                    limit: channel
                        .limit
                        .map_or_else(|| "–".into(), |l| duration(Some(l.seconds as f64))),
                    chart: channel.limit.map(|limit| {
                        let of_limit = |s: i64| s as f64 / limit.seconds as f64;
                        WaitChart {
                            waits: cf.waits.iter().map(|w| of_limit(*w).min(1.0)).collect(),
                            bands: channel
                                .bands
                                .iter()
                                .map(|b| BandMark {
                                    at: of_limit(b.within.seconds).min(1.0),
                                    label: b.label.clone(),
                                    share: format!("{} %", format_number(100.0 * b.share, 0, lang)),
                                })
                                .collect(),
                            unanswered: cf.inquiries - cf.answered,
                        }
                    }),
                }
            })
            .collect();
        let cx = season
            .report_cx
            .iter()
            .map(|&qi| {
                let q = &season.questions[qi];
                let (value, class_mean, scale, position, class_position) = match q.kind {
                    QuestionKind::Scale => {
                        let (lo, hi) = q.scale.expect("scale");
                        let pos = |x: Option<f64>| x.map(|v| (v - lo as f64) / (hi - lo) as f64);
                        (
                            figure(stats[qi].mean, 1, lang),
                            figure(class_stats[qi].mean, 1, lang),
                            format!("{lo}–{hi}"),
                            pos(stats[qi].mean),
                            pos(class_stats[qi].mean),
                        )
                    }
                    _ => (
                        percent_sign(stats[qi].yes, lang),
                        percent_sign(class_stats[qi].yes, lang),
                        if nb {
                            "andel ja".to_string()
                        } else {
                            "share yes".to_string()
                        },
                        stats[qi].yes,
                        class_stats[qi].yes,
                    ),
                };
                CxRow {
                    label: q.label.get(lang).to_string(),
                    text: q.text.get(lang).to_string(),
                    scale,
                    value,
                    class_mean,
                    position,
                    class_position,
                }
            })
            .collect();
        let nps = season
            .questions
            .iter()
            .position(|q| q.id == "nps")
            .and_then(|qi| stats[qi].nps_split)
            .map(|[pro, pas, det]| NpsSplit {
                promoters: percent_of(Some(pro)),
                passives: percent_of(Some(pas)),
                detractors: percent_of(Some(det)),
            });
        let facts = season
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.report_only && q.kind != QuestionKind::Scale)
            .map(|(qi, q)| Fact {
                text: q.text.get(lang).to_string(),
                options: match q.kind {
                    QuestionKind::YesNo => vec![FactOption {
                        label: if nb { "Ja" } else { "Yes" }.to_string(),
                        share: percent_of(stats[qi].yes),
                        class_mean: percent_of(class_stats[qi].yes),
                    }],
                    _ => q
                        .options
                        .iter()
                        .enumerate()
                        .map(|(o, option)| FactOption {
                            label: option.text.get(lang).to_string(),
                            share: percent_of(stats[qi].shares[o]),
                            class_mean: percent_of(class_stats[qi].shares[o]),
                        })
                        .collect(),
                },
            })
            .collect();
        let inquiries = &self.inquiries_of[p];
        let date_of = |i: &crate::input::Inquiry| {
            format_date(i.sent_at.with_timezone(&season.timezone).date_naive(), lang)
        };
        let mut groups: Vec<String> = data.comment_columns.clone();
        groups.sort_by_key(|g| season.area_index(g).unwrap_or(usize::MAX));
        let comment_groups = groups
            .iter()
            .map(|group| CommentGroup {
                name: season.area_index(group).map_or_else(
                    || group.replace('_', " "),
                    |a| season.areas[a].name.get(lang).to_string(),
                ),
                comments: inquiries
                    .iter()
                    .map(|&i| &data.inquiries[i])
                    .flat_map(|inquiry| {
                        inquiry
                            .comments
                            .iter()
                            .filter(|(g, _)| g == group)
                            .map(move |(_, text)| (inquiry, text))
                    })
                    .map(|(inquiry, text)| CommentRow {
                        date: date_of(inquiry),
                        channel: season.channels[inquiry.channel].name.get(lang).to_string(),
                        text: text.clone(),
                        rtl: crate::glyphs::is_right_to_left(text),
                    })
                    .collect(),
            })
            .filter(|g: &CommentGroup| !g.comments.is_empty())
            .collect();
        let mut by_time: Vec<usize> = inquiries.clone();
        by_time.sort_by(|&a, &b| {
            data.inquiries[a]
                .sent_at
                .cmp(&data.inquiries[b].sent_at)
                .then(a.cmp(&b))
        });
        let inquiry_rows = by_time
            .iter()
            .map(|&i| {
                let inquiry = &data.inquiries[i];
                let s = &self.scores.inquiries[i];
                let channel = &season.channels[inquiry.channel];
                InquiryRow {
                    id: inquiry.id.clone(),
                    date: date_of(inquiry),
                    channel: channel.name.get(lang).to_string(),
                    wait: format_duration(s.wait.map(|w| w as f64), channel.business_time, lang),
                    answered: s.answered,
                    score: figure(s.score, 1, lang),
                    summary: season
                        .questions
                        .iter()
                        .zip(&inquiry.answers)
                        .enumerate()
                        .filter_map(|(qi, (q, a))| {
                            let answer = match a.as_ref()? {
                                Answer::Scale(v) => v.to_string(),
                                Answer::YesNo(true) => if nb { "ja" } else { "yes" }.to_string(),
                                Answer::YesNo(false) => if nb { "nei" } else { "no" }.to_string(),
                                Answer::Choice(o) => q.options[*o].text.get(lang).to_string(),
                            };
                            Some(format!("Q{} {answer}", qi + 1))
                        })
                        .collect::<Vec<_>>()
                        .join(" · "),
                }
            })
            .collect();
        let previous = self.previous.as_ref().and_then(|prev| {
            let entry = prev.participants.get(&part.id)?;
            Some(PreviousFigures {
                season: prev.season.clone(),
                total: figure(entry.total, 1, lang),
                change: change(f.total.zip(entry.total).map(|(now, then)| now - then), lang),
                rank: entry.class_rank,
            })
        });
        ParticipantReport {
            lang: lang_code(lang),
            season: &self.info,
            participant: ParticipantInfo {
                id: part.id.clone(),
                name: part.name.clone(),
                class: part.class.clone(),
                public: part.sector == crate::config::Sector::Public,
            },
            eligible: self.standings.eligible[p],
            min_inquiries: season.award.min_inquiries,
            rank: self.standings.class_rank[p],
            ranked_in_class: class.n_eligible,
            awards: self
                .standings
                .awards
                .iter()
                .filter(|a| a.participant == p)
                .map(|a| match (a.kind, nb) {
                    (AwardKind::ClassWinner, true) => format!("Vinner i klassen {}", a.class),
                    (AwardKind::ClassWinner, false) => format!("Winner of the class {}", a.class),
                    (AwardKind::OverallWinner, true) => "Årets Kundeservice".to_string(),
                    (AwardKind::OverallWinner, false) => "Customer Service of the Year".to_string(),
                    (AwardKind::BestChannel, _) => {
                        let channel = a
                            .channel
                            .map(|c| season.channels[c].name.get(lang).to_lowercase())
                            .unwrap_or_default();
                        if nb {
                            format!("Best på {channel}")
                        } else {
                            format!("Best on {channel}")
                        }
                    }
                })
                .collect(),
            summary: Summary {
                total: figure(f.total, 1, lang),
                ci_low: figure(f.ci.map(|c| c.0), 1, lang),
                ci_high: figure(f.ci.map(|c| c.1), 1, lang),
                total_answered: figure(f.total_answered, 1, lang),
                answer_rate: percent_of(f.answer_rate),
                n_inquiries: format_number(f.n_inquiries as f64, 0, lang),
                n_answered: format_number(f.n_answered as f64, 0, lang),
                class_mean: figure(class.mean_total, 1, lang),
                class_best: figure(class.best_total, 1, lang),
                all_mean: figure(self.all_mean_total, 1, lang),
            },
            previous,
            areas,
            channels,
            cx,
            nps,
            facts,
            comment_groups,
            inquiries: inquiry_rows,
            questions: season
                .questions
                .iter()
                .enumerate()
                .map(|(qi, q)| QuestionCode {
                    code: format!("Q{}", qi + 1),
                    label: q.label.get(lang).to_string(),
                })
                .collect(),
            breakdowns: self.participant_breakdowns(p),
            methodology: &self.methodology,
        }
    }
}

#[derive(Serialize)]
pub struct AwardSummary<'c> {
    pub lang: &'static str,
    pub season: &'c SeasonInfo,
    pub overall: Vec<Winner>,
    pub classes: Vec<ClassTable>,
    pub best_channel: Vec<Winner>,
    pub not_ranked: Vec<NotRanked>,
    pub counts: Counts,
    pub min_inquiries: usize,
    pub min_class_size: usize,
    /// When `season.previous` is set: last season's name and the participants whose total
    /// moved most, largest change first.
    pub movers: Option<Movers>,
    /// With `report.sensitivity`: how many weightings were tried, and within which bounds.
    pub robustness: Option<RobustnessInfo>,
    /// Whether the season gives awards (`award.enabled`).
    pub awards_enabled: bool,
    /// The season's breakdowns, season-wide and per class.
    pub breakdowns: Vec<BreakdownView>,
    /// Per channel and measure with measured times: the distribution and the shares within
    /// the limits of `[times]`.
    pub times: Vec<TimesView>,
    pub thresholds: Vec<ThresholdView>,
    pub methodology: &'c Methodology,
}

#[derive(Serialize)]
pub struct RobustnessInfo {
    pub runs: usize,
    pub vary: Vec<String>,
}

/// How many participants the award summary lists as the biggest movers.
const MOVERS: usize = 10;

#[derive(Serialize)]
pub struct Movers {
    pub season: String,
    pub rows: Vec<Mover>,
}

#[derive(Serialize)]
pub struct Mover {
    pub name: String,
    pub class: String,
    pub previous: Figure,
    pub total: Figure,
    pub change: Figure,
    pub previous_rank: Option<usize>,
    pub rank: Option<usize>,
}

#[derive(Serialize)]
pub struct Winner {
    pub name: String,
    pub class: String,
    pub channel: String,
    pub score: Figure,
}

#[derive(Serialize)]
pub struct ClassTable {
    pub class: String,
    pub n_participants: usize,
    pub n_eligible: usize,
    pub has_winner: bool,
    pub too_close: bool,
    /// The mean total over the class's ranked participants.
    pub mean_total: Figure,
    pub rows: Vec<ClassTableRow>,
}

#[derive(Serialize)]
pub struct ClassTableRow {
    pub rank: usize,
    pub name: String,
    pub total: Figure,
    pub ci: String,
    pub total_answered: Figure,
    pub inquiries: usize,
    pub winner: bool,
    /// With `report.sensitivity`: the share of weightings under which it won its class.
    pub win_share: Option<Figure>,
}

#[derive(Serialize)]
pub struct NotRanked {
    pub name: String,
    pub class: String,
    pub inquiries: usize,
}

#[derive(Serialize)]
pub struct Counts {
    pub rows_read: String,
    pub rows_accepted: String,
    pub rows_rejected: String,
    pub participants: String,
    pub inquiries: String,
}

impl Context<'_> {
    pub fn award_summary(&self) -> AwardSummary<'_> {
        let (season, data, scores, standings, lang) = (
            self.season,
            self.data,
            self.scores,
            self.standings,
            self.lang,
        );
        let winner = |kind: AwardKind| -> Vec<Winner> {
            standings
                .awards
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| Winner {
                    name: data.participants[a.participant].name.clone(),
                    class: a.class.clone(),
                    channel: a
                        .channel
                        .map(|c| season.channels[c].name.get(lang).to_string())
                        .unwrap_or_default(),
                    score: figure(a.score, 1, lang),
                })
                .collect()
        };
        let classes = standings
            .classes
            .iter()
            .map(|c| ClassTable {
                class: c.class.clone(),
                n_participants: c.n_participants,
                n_eligible: c.n_eligible,
                has_winner: c.has_winner,
                too_close: c.too_close == Some(true),
                mean_total: figure(c.mean_total, 1, lang),
                rows: c
                    .members
                    .iter()
                    .filter_map(|&p| {
                        let f = &scores.participants[p];
                        Some(ClassTableRow {
                            rank: standings.class_rank[p]?,
                            name: data.participants[p].name.clone(),
                            total: figure(f.total, 1, lang),
                            ci: f.ci.map_or_else(
                                || "–".into(),
                                |(lo, hi)| {
                                    format!(
                                        "{}–{}",
                                        format_number(lo, 1, lang),
                                        format_number(hi, 1, lang)
                                    )
                                },
                            ),
                            total_answered: figure(f.total_answered, 1, lang),
                            inquiries: f.n_inquiries,
                            winner: c.winners.contains(&p),
                            win_share: self.robustness.as_ref().map(|r| {
                                percent(r.win_share.get(&data.participants[p].id).copied(), lang)
                            }),
                        })
                    })
                    .collect(),
            })
            .collect();
        let mut not_ranked: Vec<NotRanked> = (0..data.participants.len())
            .filter(|&p| !standings.eligible[p])
            .map(|p| NotRanked {
                name: data.participants[p].name.clone(),
                class: data.participants[p].class.clone(),
                inquiries: scores.participants[p].n_inquiries,
            })
            .collect();
        not_ranked.sort_by(|a, b| a.class.cmp(&b.class).then_with(|| a.name.cmp(&b.name)));
        AwardSummary {
            lang: lang_code(lang),
            season: &self.info,
            overall: winner(AwardKind::OverallWinner),
            classes,
            best_channel: winner(AwardKind::BestChannel),
            not_ranked,
            counts: Counts {
                rows_read: format_number(data.rows_read as f64, 0, lang),
                rows_accepted: format_number(data.rows_accepted() as f64, 0, lang),
                rows_rejected: format_number(data.rows_rejected as f64, 0, lang),
                participants: format_number(data.participants.len() as f64, 0, lang),
                inquiries: format_number(data.inquiries.len() as f64, 0, lang),
            },
            min_inquiries: season.award.min_inquiries,
            min_class_size: season.award.min_class_size,
            movers: self.movers(),
            robustness: self.robustness.as_ref().map(|r| RobustnessInfo {
                runs: r.runs,
                vary: r
                    .vary
                    .iter()
                    .map(|(key, lo, hi)| {
                        format!(
                            "{key} {}–{}",
                            format_number(*lo, 1, lang),
                            format_number(*hi, 1, lang)
                        )
                    })
                    .collect(),
            }),
            awards_enabled: season.award.enabled,
            breakdowns: self.season_breakdowns(),
            times: self.season_times(),
            thresholds: self.threshold_views(),
            methodology: &self.methodology,
        }
    }

    /// Participants of both seasons (matched by id) by how far their total moved, either way;
    /// ties by id, so the list is the same from run to run.
    fn movers(&self) -> Option<Movers> {
        let previous = self.previous.as_ref()?;
        let mut moved: Vec<(f64, usize, &PreviousEntry)> = (0..self.data.participants.len())
            .filter_map(|p| {
                let then = previous.participants.get(&self.data.participants[p].id)?;
                let delta = self.scores.participants[p].total? - then.total?;
                Some((delta, p, then))
            })
            .collect();
        moved.sort_by(|a, b| {
            b.0.abs().total_cmp(&a.0.abs()).then_with(|| {
                self.data.participants[a.1]
                    .id
                    .cmp(&self.data.participants[b.1].id)
            })
        });
        let lang = self.lang;
        Some(Movers {
            season: previous.season.clone(),
            rows: moved
                .into_iter()
                .take(MOVERS)
                .map(|(delta, p, then)| Mover {
                    name: self.data.participants[p].name.clone(),
                    class: self.data.participants[p].class.clone(),
                    previous: figure(then.total, 1, lang),
                    total: figure(self.scores.participants[p].total, 1, lang),
                    change: change(Some(delta), lang),
                    previous_rank: then.class_rank,
                    rank: self.standings.class_rank[p],
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(format_number(94.66, 1, Language::Nb), "94,7");
        assert_eq!(format_number(94.66, 1, Language::En), "94.7");
        assert_eq!(format_number(4700.0, 0, Language::Nb), "4 700");
        assert_eq!(format_number(1234567.0, 0, Language::En), "1,234,567");
        assert_eq!(format_number(-12.34, 1, Language::Nb), "−12,3");
        assert_eq!(format_number(-0.01, 1, Language::Nb), "0,0");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(Some(42.0), false, Language::Nb), "42 s");
        assert_eq!(
            format_duration(Some(185.0), false, Language::Nb),
            "3 min 5 s"
        );
        assert_eq!(
            format_duration(Some(129_600.0), true, Language::Nb),
            "1,5 virkedager"
        );
        assert_eq!(format_duration(None, false, Language::En), "–");
    }
}
