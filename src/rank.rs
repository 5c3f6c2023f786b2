//! Classes and awards (methodology.md §4): eligibility, class ranks with their tie rules,
//! class figures, class winners, the overall winner, best per channel, too close to call.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::config::{AreaIx, ChannelIx, Season};
use crate::input::{Dataset, ParticipantIx};
use crate::score::{ParticipantFigures, QuestionStats, Scores};
use crate::stats;

#[derive(Debug, Clone, PartialEq)]
pub struct ClassFigures {
    pub class: String,
    /// Ranked members first by rank, then the rest by id.
    pub members: Vec<ParticipantIx>,
    pub n_participants: usize,
    pub n_eligible: usize,
    pub mean_total: Option<f64>,
    pub best_total: Option<f64>,
    pub mean_areas: Vec<Option<f64>>,
    pub best_areas: Vec<Option<f64>>,
    /// Per question: the mean share of points (0–100) over eligible members that have one.
    pub question_shares: Vec<Option<f64>>,
    /// Per question: the mean of the eligible members' [`QuestionStats`] (no NPS split).
    pub question_stats: Vec<QuestionStats>,
    /// Whether the class has enough eligible participants for a winner.
    pub has_winner: bool,
    pub winners: Vec<ParticipantIx>,
    /// Welch's test between the winner and the runner-up; `None` when rank 1 is shared, no one
    /// is below it, or the class has no winner.
    pub too_close: Option<bool>,
    pub p_value: Option<f64>,
}

/// An award, as `awards.csv` names it (`class_winner`, `overall_winner`, `best_channel`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    ClassWinner,
    OverallWinner,
    BestChannel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub kind: AwardKind,
    pub class: String,
    /// For best-per-channel awards.
    pub channel: Option<ChannelIx>,
    pub participant: ParticipantIx,
    pub total: Option<f64>,
    /// The figure ranked on: the total, or the channel score.
    pub score: Option<f64>,
    pub too_close: Option<bool>,
}

/// A class's place in `Standings::classes`: a type of its own, so a participant's index is
/// never taken for a class's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassIx(pub usize);

#[derive(Debug, Clone)]
pub struct Standings {
    pub eligible: Vec<bool>,
    pub class_rank: Vec<Option<usize>>,
    /// Each participant's class.
    pub class_index: Vec<ClassIx>,
    /// Sorted by class name.
    pub classes: Vec<ClassFigures>,
    pub awards: Vec<Award>,
}

impl Standings {
    /// The class of participant `p` (an index into the dataset's participants).
    pub fn class_of(&self, p: usize) -> &ClassFigures {
        &self.classes[self.class_index[p].0]
    }
}

/// Rounds half away from zero to one decimal, as totals are compared for ties.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Orders two participants best first: rounded total, then total_answered, then the
/// tie-break area at full precision. `Equal` means they share a rank.
pub fn compare(a: &ParticipantFigures, b: &ParticipantFigures, tie_break_area: AreaIx) -> Ordering {
    let key = |f: &ParticipantFigures| {
        [
            f.total.map_or(f64::NEG_INFINITY, round1),
            f.total_answered.unwrap_or(f64::NEG_INFINITY),
            f.areas[tie_break_area.0].unwrap_or(f64::NEG_INFINITY),
        ]
    };
    let (ka, kb) = (key(a), key(b));
    kb.iter()
        .zip(&ka)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

pub fn rank(season: &Season, data: &Dataset, scores: &Scores) -> Standings {
    let figures = &scores.participants;
    let eligible: Vec<bool> = figures
        .iter()
        .map(|f| f.n_inquiries >= season.award.min_inquiries)
        .collect();
    let mut by_class: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in data.participants.iter().enumerate() {
        by_class.entry(p.class.as_str()).or_default().push(i);
    }
    let mut class_rank = vec![None; figures.len()];
    let mut class_index = vec![ClassIx(0); figures.len()];
    let mut classes = Vec::new();
    for (ci, (class, members)) in by_class.into_iter().enumerate() {
        for &m in &members {
            class_index[m] = ClassIx(ci);
        }
        let ranking = Ranking {
            season,
            data,
            figures,
            eligible: &eligible,
        };
        classes.push(ranking.class(class, &members, &mut class_rank));
    }
    let mut awards = class_awards(&classes, figures);
    awards.extend(overall_awards(season, data, figures, &classes));
    awards.extend(channel_awards(season, data, figures, &eligible));
    Standings {
        eligible,
        class_rank,
        class_index,
        classes,
        awards,
    }
}

/// What ranking a class needs.
struct Ranking<'a> {
    season: &'a Season,
    data: &'a Dataset,
    figures: &'a [ParticipantFigures],
    eligible: &'a [bool],
}

impl Ranking<'_> {
    /// The class's eligible members ranked into `class_rank`, and its figures.
    fn class(
        &self,
        class: &str,
        members: &[usize],
        class_rank: &mut [Option<usize>],
    ) -> ClassFigures {
        let (season, figures) = (self.season, self.figures);
        let ranked = self.ranked(members, class_rank);
        let by_id = |a: &usize, b: &usize| {
            self.data.participants[*a]
                .id
                .cmp(&self.data.participants[*b].id)
        };
        let mut rest: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| !self.eligible[i])
            .collect();
        rest.sort_by(by_id);
        let totals: Vec<f64> = ranked.iter().filter_map(|&p| figures[p].total).collect();
        let area_values =
            |a: usize| -> Vec<f64> { ranked.iter().filter_map(|&p| figures[p].areas[a]).collect() };
        let best = |v: &[f64]| v.iter().copied().reduce(f64::max);
        let has_winner = season.award.enabled && ranked.len() >= season.award.min_class_size;
        let winners: Vec<usize> = match has_winner {
            true => ranked
                .iter()
                .copied()
                .filter(|&p| class_rank[p] == Some(1))
                .collect(),
            false => vec![],
        };
        let (too_close, p_value) = too_close(figures, &winners, ranked.get(winners.len()).copied());
        ClassFigures {
            class: class.to_string(),
            n_participants: members.len(),
            n_eligible: ranked.len(),
            mean_total: stats::mean(&totals),
            best_total: best(&totals),
            mean_areas: (0..season.areas.len())
                .map(|a| stats::mean(&area_values(a)))
                .collect(),
            best_areas: (0..season.areas.len())
                .map(|a| best(&area_values(a)))
                .collect(),
            question_shares: question_shares(season, figures, &ranked),
            question_stats: question_stats(season, figures, &ranked),
            has_winner,
            winners: winners.into_iter().map(ParticipantIx).collect(),
            too_close,
            p_value,
            members: ranked.into_iter().chain(rest).map(ParticipantIx).collect(),
        }
    }

    /// The eligible members best first (ties by id), each given its rank: equal under
    /// [`compare`] share one (1, 2, 2, 4).
    fn ranked(&self, members: &[usize], class_rank: &mut [Option<usize>]) -> Vec<usize> {
        let (figures, tb) = (self.figures, self.season.award.tie_break_area);
        let mut ranked: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| self.eligible[i])
            .collect();
        ranked.sort_by(|&a, &b| {
            compare(&figures[a], &figures[b], tb).then_with(|| {
                self.data.participants[a]
                    .id
                    .cmp(&self.data.participants[b].id)
            })
        });
        for (pos, &p) in ranked.iter().enumerate() {
            let shared = pos > 0 && compare(&figures[ranked[pos - 1]], &figures[p], tb).is_eq();
            class_rank[p] = Some(if shared {
                class_rank[ranked[pos - 1]].expect("ranked above")
            } else {
                pos + 1
            });
        }
        ranked
    }
}

/// Welch's test between a single winner and the runner-up: whether they are too close to
/// call, and the p-value. `None` when rank 1 is shared or nobody is below it.
fn too_close(
    figures: &[ParticipantFigures],
    winners: &[usize],
    runner_up: Option<usize>,
) -> (Option<bool>, Option<f64>) {
    match (winners, runner_up) {
        ([winner], Some(runner_up)) => {
            let p = stats::welch_p_value(&figures[*winner].scores, &figures[runner_up].scores);
            // Fewer than two scores on a side leaves nothing to tell them apart with.
            (Some(p.is_none_or(|p| p >= 0.05)), p)
        }
        _ => (None, None),
    }
}

fn class_awards(classes: &[ClassFigures], figures: &[ParticipantFigures]) -> Vec<Award> {
    classes
        .iter()
        .flat_map(|c| {
            c.winners.iter().map(|&w| Award {
                kind: AwardKind::ClassWinner,
                class: c.class.clone(),
                channel: None,
                participant: w,
                total: figures[w.0].total,
                score: figures[w.0].total,
                too_close: c.too_close,
            })
        })
        .collect()
}

/// The class winners with the best total (same tie rules; an exact tie shares it).
fn overall_awards(
    season: &Season,
    data: &Dataset,
    figures: &[ParticipantFigures],
    classes: &[ClassFigures],
) -> Vec<Award> {
    let tb = season.award.tie_break_area;
    let class_winners: Vec<usize> = classes
        .iter()
        .flat_map(|c| c.winners.iter().map(|w| w.0))
        .collect();
    let Some(&best) = class_winners
        .iter()
        .min_by(|&&a, &&b| compare(&figures[a], &figures[b], tb))
    else {
        return vec![];
    };
    class_winners
        .iter()
        .filter(|&&w| compare(&figures[w], &figures[best], tb).is_eq())
        .map(|&w| Award {
            kind: AwardKind::OverallWinner,
            class: data.participants[w].class.clone(),
            channel: None,
            participant: ParticipantIx(w),
            total: figures[w].total,
            score: figures[w].total,
            too_close: None,
        })
        .collect()
}

/// Per channel, the eligible participants with the highest channel score among those with
/// enough inquiries on it; none in a season without awards.
fn channel_awards(
    season: &Season,
    data: &Dataset,
    figures: &[ParticipantFigures],
    eligible: &[bool],
) -> Vec<Award> {
    if !season.award.enabled {
        return vec![];
    }
    let mut awards = Vec::new();
    for c in 0..season.channels.len() {
        let contenders: Vec<(usize, f64)> = (0..figures.len())
            .filter(|&p| {
                eligible[p]
                    && figures[p].channels[c].inquiries >= season.award.min_channel_inquiries
            })
            .filter_map(|p| figures[p].channels[c].score.map(|s| (p, s)))
            .collect();
        let Some(top) = contenders.iter().map(|(_, s)| *s).reduce(f64::max) else {
            continue;
        };
        let mut best: Vec<usize> = contenders
            .iter()
            .filter(|(_, s)| *s == top)
            .map(|(p, _)| *p)
            .collect();
        best.sort_by(|&a, &b| data.participants[a].id.cmp(&data.participants[b].id));
        awards.extend(best.into_iter().map(|p| Award {
            kind: AwardKind::BestChannel,
            class: data.participants[p].class.clone(),
            channel: Some(ChannelIx(c)),
            participant: ParticipantIx(p),
            total: figures[p].total,
            score: Some(top),
            too_close: None,
        }));
    }
    awards
}

/// The mean of the figures that exist.
fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    stats::mean(&values.flatten().collect::<Vec<_>>())
}

/// Per question, the class's mean share of points over `members`.
fn question_shares(
    season: &Season,
    figures: &[ParticipantFigures],
    members: &[usize],
) -> Vec<Option<f64>> {
    (0..season.questions.len())
        .map(|q| mean_of(members.iter().map(|&p| figures[p].questions[q])))
        .collect()
}

/// Per question, the mean of the members' answer figures.
fn question_stats(
    season: &Season,
    figures: &[ParticipantFigures],
    members: &[usize],
) -> Vec<QuestionStats> {
    (0..season.questions.len())
        .map(|q| {
            let of = |f: &dyn Fn(&QuestionStats) -> Option<f64>| {
                mean_of(members.iter().map(|&p| f(&figures[p].question_stats[q])))
            };
            QuestionStats {
                mean: of(&|s| s.mean),
                top: of(&|s| s.top),
                yes: of(&|s| s.yes),
                shares: (0..season.questions[q].options.len())
                    .map(|o| of(&|s| s.shares[o]))
                    .collect(),
                nps_split: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(total: f64, answered: f64, agent: f64) -> ParticipantFigures {
        ParticipantFigures {
            n_inquiries: 20,
            n_answered: 20,
            answer_rate: Some(1.0),
            total: Some(total),
            total_answered: Some(answered),
            ci: None,
            areas: vec![Some(agent)],
            channels: vec![],
            questions: vec![],
            question_stats: vec![],
            nps: None,
            scores: vec![],
        }
    }

    #[test]
    fn ties_on_rounded_total_then_answered_then_area() {
        // 80.04 and 79.96 both round to 80.0: tied on total, so total_answered decides.
        assert_eq!(
            compare(
                &figures(80.04, 81.0, 50.0),
                &figures(79.96, 82.0, 50.0),
                AreaIx(0)
            ),
            Ordering::Greater
        );
        // Equal totals and total_answered: the agent area decides.
        assert_eq!(
            compare(
                &figures(80.0, 81.0, 60.0),
                &figures(80.0, 81.0, 50.0),
                AreaIx(0)
            ),
            Ordering::Less
        );
        // Everything equal: a shared rank.
        assert_eq!(
            compare(
                &figures(80.0, 81.0, 50.0),
                &figures(80.01, 81.0, 50.0),
                AreaIx(0)
            ),
            Ordering::Equal
        );
        // 80.05 rounds half away from zero to 80.1, above 80.04's 80.0.
        assert_eq!(
            compare(
                &figures(80.05, 0.0, 0.0),
                &figures(80.04, 99.0, 99.0),
                AreaIx(0)
            ),
            Ordering::Less
        );
    }

    #[test]
    fn round_half_away_from_zero() {
        assert_eq!(round1(94.65), 94.7);
        assert_eq!(round1(94.64), 94.6);
        assert_eq!(round1(-2.25), -2.3);
    }
}
