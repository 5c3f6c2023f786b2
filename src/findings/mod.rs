//! Findings (methodology.md §8): how each participant's areas and questions compare with its
//! class, and which questions go with the outcome the season cares about (key drivers).
//! Every participant gets findings, ranked or not; class values are over eligible members.

mod drivers;

pub use drivers::{Driver, drivers, median_r, priorities};

use rayon::prelude::*;

use crate::config::Season;
use crate::input::{Dataset, ParticipantIx};
use crate::rank::Standings;
use crate::score::{self, Scores};
use crate::stats::{self, Moments};

/// A participant's figure against its class: `gap = value − class_value`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Finding {
    pub value: Option<f64>,
    pub class_value: Option<f64>,
    pub gap: Option<f64>,
    /// Welch's test of the per-inquiry shares against the class's other eligible members;
    /// questions only.
    pub p_value: Option<f64>,
}

impl Finding {
    fn new(value: Option<f64>, class_value: Option<f64>, p_value: Option<f64>) -> Finding {
        Finding {
            value,
            class_value,
            gap: value.zip(class_value).map(|(v, c)| v - c),
            p_value,
        }
    }
}

/// One participant's findings, in config order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantFindings {
    pub areas: Vec<Finding>,
    /// `None` for report-only questions and scored ones without a share.
    pub questions: Vec<Option<Finding>>,
}

/// The findings of a season.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Per participant, in dataset order.
    pub participants: Vec<ParticipantFindings>,
    /// With `[drivers]`: every scored question but the outcome, in config order.
    pub drivers: Vec<Driver>,
}

pub fn find(season: &Season, data: &Dataset, scores: &Scores, standings: &Standings) -> Findings {
    let by_participant = data.inquiries_by_participant();
    let moments: Vec<Vec<Moments>> = by_participant
        .par_iter()
        .map(|inquiries| question_moments(season, data, scores, inquiries))
        .collect();
    let others: Vec<Vec<Vec<Moments>>> = standings
        .classes
        .par_iter()
        .map(|class| class_others(season, standings, &moments, &class.members))
        .collect();
    let places = eligible_places(standings);
    let participants = (0..data.participants.len())
        .into_par_iter()
        .map(|p| {
            let others = &others[standings.class_index[p].0];
            participant_findings(season, scores, standings, &moments[p], others, places[p], p)
        })
        .collect();
    Findings {
        participants,
        drivers: season
            .drivers
            .as_ref()
            .map(|d| drivers(season, data, scores, d.outcome))
            .unwrap_or_default(),
    }
}

/// Per question, [`others_moments`] of a class's eligible members (empty for report-only
/// questions).
fn class_others(
    season: &Season,
    standings: &Standings,
    moments: &[Vec<Moments>],
    members: &[ParticipantIx],
) -> Vec<Vec<Moments>> {
    let eligible: Vec<usize> = members
        .iter()
        .map(|m| m.0)
        .filter(|&m| standings.eligible[m])
        .collect();
    season
        .questions
        .iter()
        .enumerate()
        .map(|(q, question)| {
            if question.report_only {
                return Vec::new();
            }
            others_moments(&eligible, moments, q)
        })
        .collect()
}

/// Each participant's place among its class's eligible members, in member order; one not
/// eligible gets the place past their end, where [`others_moments`] pools them all.
fn eligible_places(standings: &Standings) -> Vec<usize> {
    let mut places = vec![0; standings.class_index.len()];
    for class in &standings.classes {
        let eligible = class.members.iter().filter(|m| standings.eligible[m.0]);
        let k = eligible.count();
        let mut next = 0;
        for &ParticipantIx(m) in &class.members {
            places[m] = if standings.eligible[m] { next } else { k };
            next += usize::from(standings.eligible[m]);
        }
    }
    places
}

/// Participant `p`'s findings: areas against the class's means, questions against the
/// class's other eligible members (`others`, at `place`) with Welch's test.
fn participant_findings(
    season: &Season,
    scores: &Scores,
    standings: &Standings,
    moments: &[Moments],
    others: &[Vec<Moments>],
    place: usize,
    p: usize,
) -> ParticipantFindings {
    let class = &standings.class_of(p);
    let figures = &scores.participants[p];
    ParticipantFindings {
        areas: (0..season.areas.len())
            .map(|a| Finding::new(figures.areas[a], class.mean_areas[a], None))
            .collect(),
        questions: (0..season.questions.len())
            .map(|q| {
                let share = figures.questions[q].filter(|_| !season.questions[q].report_only)?;
                let p_value = stats::welch_p_moments(moments[q], others[q][place]);
                Some(Finding::new(Some(share), class.question_shares[q], p_value))
            })
            .collect(),
    }
}

/// Per question, the moments of the participant's per-inquiry shares earned/P(q).
fn question_moments(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    inquiries: &[usize],
) -> Vec<Moments> {
    (0..season.questions.len())
        .map(|q| {
            let shares: Vec<f64> = inquiries
                .iter()
                .filter_map(|&i| {
                    let inquiry = &data.inquiries[i];
                    score::question_points(season, data, inquiry, &scores.inquiries[i], q)
                })
                .map(|(earned, possible)| earned / possible)
                .collect();
            Moments::of(&shares)
        })
        .collect()
}

/// For each eligible member i, the moments of every other eligible member's shares pooled
/// (from prefix and suffix combinations, so no subtraction loses precision); the last entry
/// pools all of them, for members that are not eligible.
fn others_moments(eligible: &[usize], moments: &[Vec<Moments>], q: usize) -> Vec<Moments> {
    let of = |i: usize| moments[eligible[i]][q];
    let k = eligible.len();
    let mut prefix = vec![Moments::default(); k + 1];
    for i in 0..k {
        prefix[i + 1] = prefix[i].combine(of(i));
    }
    let mut suffix = vec![Moments::default(); k + 1];
    for i in (0..k).rev() {
        suffix[i] = of(i).combine(suffix[i + 1]);
    }
    let mut others: Vec<Moments> = (0..k).map(|i| prefix[i].combine(suffix[i + 1])).collect();
    others.push(prefix[k]);
    others
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_is_value_minus_class_value() {
        let f = Finding::new(Some(72.5), Some(78.0), None);
        assert_eq!(f.gap, Some(-5.5));
        assert_eq!(Finding::new(None, Some(78.0), None).gap, None);
    }

    #[test]
    fn others_leave_out_exactly_one_member() {
        // Three members with shares {1, 0}, {1, 1}, {0, 0}: leaving out the second pools
        // {1, 0, 0, 0}: n 4, mean 0.25, m2 = 0.5625 + 3 · 0.0625 = 0.75.
        let moments: Vec<Vec<Moments>> = [[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
            .iter()
            .map(|v| vec![Moments::of(v)])
            .collect();
        let others = others_moments(&[0, 1, 2], &moments, 0);
        assert_eq!(others.len(), 4);
        assert_eq!((others[1].n, others[1].mean), (4, 0.25));
        assert!((others[1].m2 - 0.75).abs() < 1e-12);
        assert_eq!(
            others[3].n, 6,
            "everyone, for a member that is not eligible"
        );
    }
}
