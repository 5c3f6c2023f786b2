//! Key drivers (§8.4): Pearson's r between each scored question's share earned/P(q) and the
//! outcome question's value, over the season's answered inquiries where both have a value.

use super::ParticipantFindings;
use crate::config::{QuestionIx, QuestionKind, Season};
use crate::input::{Answer, Dataset};
use crate::score::{self, Scores};
use crate::stats;

/// One question as a driver of the outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Driver {
    /// Index into `Season::questions`.
    pub question: QuestionIx,
    pub n: usize,
    pub r: Option<f64>,
}

pub fn drivers(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    outcome: QuestionIx,
) -> Vec<Driver> {
    let value = |answer: Option<Answer>| match (season.question(outcome).kind, answer?) {
        (QuestionKind::Scale, Answer::Scale(v)) => Some(v as f64),
        (QuestionKind::YesNo, Answer::YesNo(yes)) => Some(if yes { 1.0 } else { 0.0 }),
        _ => None,
    };
    (0..season.questions.len())
        .filter(|&q| QuestionIx(q) != outcome && !season.questions[q].report_only)
        .map(|q| {
            let pairs: Vec<(f64, f64)> = data
                .inquiries
                .iter()
                .zip(&scores.inquiries)
                .filter(|(_, s)| s.answered)
                .filter_map(|(i, s)| {
                    let (earned, possible) = score::question_points(season, data, i, s, q)?;
                    Some((earned / possible, value(i.answers[outcome.0])?))
                })
                .collect();
            Driver {
                question: QuestionIx(q),
                n: pairs.len(),
                r: stats::pearson(&pairs),
            }
        })
        .collect()
}

/// The median r of the drivers that have one: where the stronger drivers begin.
pub fn median_r(drivers: &[Driver]) -> Option<f64> {
    let mut rs: Vec<f64> = drivers.iter().filter_map(|d| d.r).collect();
    rs.sort_by(f64::total_cmp);
    stats::percentile(&rs, 0.5)
}

/// Up to three questions that matter most where the participant is furthest below its class:
/// among the stronger drivers (r at or above the median r), those with a negative gap, the
/// largest first.
pub fn priorities(drivers: &[Driver], findings: &ParticipantFindings) -> Vec<QuestionIx> {
    let Some(median) = median_r(drivers) else {
        return Vec::new();
    };
    let mut behind: Vec<(QuestionIx, f64)> = drivers
        .iter()
        .filter(|d| d.r.is_some_and(|r| r >= median))
        .filter_map(|d| Some((d.question, findings.questions[d.question.0]?.gap?)))
        .filter(|(_, gap)| *gap < 0.0)
        .collect();
    behind.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    behind.into_iter().take(3).map(|(q, _)| q).collect()
}

#[cfg(test)]
mod tests {
    use super::super::Finding;
    use super::*;

    fn gap(g: f64) -> Option<Finding> {
        Some(Finding {
            gap: Some(g),
            ..Finding::default()
        })
    }

    #[test]
    fn priorities_are_the_stronger_drivers_furthest_behind() {
        let drivers: Vec<Driver> = [0.1, 0.6, 0.5, 0.7, 0.2]
            .iter()
            .enumerate()
            .map(|(q, &r)| Driver {
                question: QuestionIx(q),
                n: 10,
                r: Some(r),
            })
            .collect();
        // Median r 0.5: questions 1, 2 and 3 are the stronger drivers.
        let findings = ParticipantFindings {
            areas: vec![],
            questions: vec![gap(-20.0), gap(-3.0), gap(2.0), gap(-8.0), gap(-1.0)],
        };
        assert_eq!(
            priorities(&drivers, &findings),
            vec![QuestionIx(3), QuestionIx(1)]
        );
    }
}
