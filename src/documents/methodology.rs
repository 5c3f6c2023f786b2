//! The methodology as configured, printed in every report so a re-run with new weights
//! documents itself.

use serde::Serialize;

use super::format::{Duration, duration, weight};
use crate::config::{AreaIx, Language, QuestionKind, Season};

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
    /// The wait area's points: it is scored from the wait against the channel's limit and
    /// bands, not from questions.
    pub wait_points: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodQuestion {
    pub code: String,
    pub text: String,
    pub scoring: Scoring,
    /// Not asked in the public sector.
    pub not_public: bool,
    /// The channels it applies to; every channel when `None`.
    pub channels: Option<Vec<String>>,
}

/// How a question earns points.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scoring {
    Scale { lo: i64, hi: i64, points: String },
    YesNo { points: String },
    Choice { options: Vec<(String, String)> },
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodChannel {
    pub name: String,
    /// `None`: no limit, every inquiry counts as answered.
    pub limit: Option<Duration>,
    /// Each band's upper bound as configured and its share of the wait points (percent).
    pub bands: Vec<(String, String)>,
}

/// Points or a weight as configured, as every document shows them.
fn points(p: f64, lang: Language) -> String {
    weight(p, lang).t
}

pub(super) fn of(season: &Season) -> Methodology {
    let lang = season.language;
    Methodology {
        areas: (0..season.areas.len()).map(|a| area(season, a)).collect(),
        channels: season
            .channels
            .iter()
            .map(|c| MethodChannel {
                name: c.name.get(lang).to_string(),
                limit: c
                    .limit
                    .map(|l| duration(l.seconds as f64, c.business_time, lang)),
                bands: c
                    .bands
                    .iter()
                    .map(|b| (b.label.clone(), points(100.0 * b.share, lang)))
                    .collect(),
            })
            .collect(),
        min_inquiries: season.award.min_inquiries,
        min_class_size: season.award.min_class_size,
        min_channel_inquiries: season.award.min_channel_inquiries,
        tie_break_area: season
            .area(season.award.tie_break_area)
            .name
            .get(lang)
            .to_string(),
    }
}

fn area(season: &Season, a: usize) -> MethodArea {
    let lang = season.language;
    let area = &season.areas[a];
    let questions = season
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.area == Some(AreaIx(a)))
        .map(|(qi, q)| MethodQuestion {
            code: format!("Q{}", qi + 1),
            text: q.text.get(lang).to_string(),
            scoring: match q.kind {
                QuestionKind::Scale => {
                    let (lo, hi) = q.scale.expect("scale questions have a scale");
                    Scoring::Scale {
                        lo,
                        hi,
                        points: points(q.points, lang),
                    }
                }
                QuestionKind::YesNo => Scoring::YesNo {
                    points: points(q.points, lang),
                },
                QuestionKind::Choice => Scoring::Choice {
                    options: q
                        .options
                        .iter()
                        .map(|o| (o.text.get(lang).to_string(), points(o.points, lang)))
                        .collect(),
                },
            },
            not_public: !q.skip_sectors.is_empty(),
            channels: q.channels.as_ref().map(|list| {
                list.iter()
                    .map(|&c| season.channel(c).name.get(lang).to_string())
                    .collect()
            }),
        })
        .collect();
    MethodArea {
        name: area.name.get(lang).to_string(),
        weight: points(area.weight, lang),
        questions,
        wait_points: (Some(AreaIx(a)) == season.wait_area)
            .then(|| points(area.points.unwrap_or(1.0), lang)),
    }
}
