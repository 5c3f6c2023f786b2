//! Figures beyond the award: breakdowns by a categorical column, time distributions with
//! shares within chosen limits, and threshold analyses (Fisher's exact test). Computed from
//! the scored inquiries after ranking; the results tables and the reports read them.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::config::{
    Breakdown, BreakdownColumn, Category, ChannelIx, Label, MeanOf, Measure, Season, Sector, Texts,
    TimeLimit,
};
use crate::input::{Answer, Dataset, Inquiry, ParticipantIx};
use crate::rank::Standings;
use crate::score::{InquiryScore, Scores};
use crate::stats;

/// Everything this stage computes.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// One per `Season::breakdowns`.
    pub breakdowns: Vec<BreakdownResult>,
    /// Per channel, the whole season.
    pub season_times: Vec<ChannelTimes>,
    /// Per participant, per channel.
    pub participant_times: Vec<Vec<ChannelTimes>>,
    /// One per `Season::thresholds`.
    pub thresholds: Vec<ThresholdResult>,
}

/// A breakdown's counts in every scope.
#[derive(Debug, Clone)]
pub struct BreakdownResult {
    /// The categories in report order: the configured ones, or the values found, sorted.
    pub categories: Vec<Category>,
    pub season: Counts,
    /// In the order of `Standings::classes`; pooled over every member's inquiries.
    pub classes: Vec<Counts>,
    pub participants: Vec<Counts>,
}

/// The inquiries of one scope by category.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    /// Inquiries of the scope with a value in the column.
    pub n: usize,
    /// One per category.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub count: usize,
    /// count / n, a ratio 0–1; `None` when n is 0.
    pub share: Option<f64>,
    /// One per figure of the breakdown's `means`; `None` where the figure has no value.
    pub means: Vec<Option<f64>>,
}

/// Wait and handling-time distributions of one channel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelTimes {
    pub wait: Distribution,
    pub handling: Distribution,
}

/// A distribution of measured times (seconds; business seconds on business-time channels).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Distribution {
    /// Ascending.
    pub values: Vec<i64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    /// The share of the values at or below each limit of `[times]`, a ratio 0–1.
    pub within: Vec<Option<f64>>,
}

/// A threshold analysis: every cut-off tried and the best one.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdResult {
    /// Inquiries with both the time and the outcome.
    pub n: usize,
    pub n_yes: usize,
    /// Ascending by cut-off.
    pub splits: Vec<Split>,
    /// The split with the smallest p-value (the shortest cut-off among equals).
    pub best: Option<usize>,
}

/// The inquiries at or below a cut-off against those above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub cutoff: i64,
    pub below_yes: usize,
    pub below_no: usize,
    pub above_yes: usize,
    pub above_no: usize,
    /// Fisher's exact test, two-sided.
    pub p_value: f64,
}

impl Split {
    pub fn below_share(&self) -> Option<f64> {
        share(self.below_yes, self.below_yes + self.below_no)
    }

    pub fn above_share(&self) -> Option<f64> {
        share(self.above_yes, self.above_yes + self.above_no)
    }
}

fn share(count: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| count as f64 / n as f64)
}

pub fn analyse(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
) -> Analysis {
    let inquiries_of = data.inquiries_by_participant();
    let all: Vec<usize> = (0..data.inquiries.len()).collect();
    let breakdowns = season
        .breakdowns
        .iter()
        .map(|b| {
            let categories = categories(b, data);
            let counts =
                |ids: &mut dyn Iterator<Item = usize>| count(data, scores, b, &categories, ids);
            BreakdownResult {
                season: counts(&mut all.iter().copied()),
                classes: standings
                    .classes
                    .iter()
                    .map(|c| {
                        counts(
                            &mut c
                                .members
                                .iter()
                                .flat_map(|&ParticipantIx(p)| inquiries_of[p].iter().copied()),
                        )
                    })
                    .collect(),
                participants: inquiries_of
                    .par_iter()
                    .map(|ids| counts(&mut ids.iter().copied()))
                    .collect(),
                categories,
            }
        })
        .collect();
    let times = |ids: &[usize]| -> Vec<ChannelTimes> {
        (0..season.channels.len())
            .map(|c| {
                let on: Vec<&InquiryScore> = ids
                    .iter()
                    .filter(|&&i| data.inquiries[i].channel == ChannelIx(c))
                    .map(|&i| &scores.inquiries[i])
                    .filter(|s| s.answered)
                    .collect();
                ChannelTimes {
                    wait: distribution(on.iter().filter_map(|s| s.wait), &season.wait_within),
                    handling: distribution(
                        on.iter().filter_map(|s| s.handling),
                        &season.handling_within,
                    ),
                }
            })
            .collect()
    };
    Analysis {
        breakdowns,
        season_times: times(&all),
        participant_times: inquiries_of.par_iter().map(|ids| times(ids)).collect(),
        thresholds: season
            .thresholds
            .iter()
            .map(|t| {
                let pairs: Vec<(i64, bool)> = data
                    .inquiries
                    .iter()
                    .zip(&scores.inquiries)
                    .filter(|(i, _)| t.channel.is_none_or(|c| i.channel == c))
                    .filter_map(|(i, s)| {
                        let time = match t.measure {
                            Measure::Wait => s.wait,
                            Measure::Handling => s.handling,
                        }?;
                        match i.answers[t.outcome.0]? {
                            Answer::YesNo(yes) => Some((time, yes)),
                            _ => None,
                        }
                    })
                    .collect();
                threshold(pairs, t.min_group)
            })
            .collect(),
    }
}

/// The index of an inquiry's category; `None` without a value.
fn category_index(
    b: &Breakdown,
    categories: &[Category],
    data: &Dataset,
    inquiry: &Inquiry,
) -> Option<usize> {
    let key: String = match b.column {
        BreakdownColumn::Channel => return Some(inquiry.channel.0),
        BreakdownColumn::Attempts => inquiry.attempts.to_string(),
        BreakdownColumn::Sector => match data.participant(inquiry.participant).sector {
            Sector::Private => "private".into(),
            Sector::Public => "public".into(),
        },
        BreakdownColumn::Question(q) => match inquiry.answers[q]? {
            Answer::Choice(option) => return Some(option as usize),
            Answer::Scale(v) => v.to_string(),
            Answer::YesNo(yes) => if yes { "yes" } else { "no" }.into(),
        },
        BreakdownColumn::Free(c) => {
            let value = &inquiry.extra[c];
            if value.is_empty() {
                return None;
            }
            value.clone()
        }
    };
    categories.iter().position(|c| c.key == key)
}

/// The configured categories, or for a free column without them every value found, sorted.
fn categories(b: &Breakdown, data: &Dataset) -> Vec<Category> {
    match b.column {
        BreakdownColumn::Free(c) if b.categories.is_empty() => data
            .inquiries
            .iter()
            .map(|i| &i.extra[c])
            .filter(|v| !v.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|v| Category {
                key: v.clone(),
                label: Label::Text(Texts::plain(v)),
            })
            .collect(),
        _ => b.categories.clone(),
    }
}

fn count(
    data: &Dataset,
    scores: &Scores,
    b: &Breakdown,
    categories: &[Category],
    ids: &mut dyn Iterator<Item = usize>,
) -> Counts {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); categories.len()];
    for i in ids {
        if let Some(c) = category_index(b, categories, data, &data.inquiries[i]) {
            members[c].push(i);
        }
    }
    let n: usize = members.iter().map(Vec::len).sum();
    let cells = members
        .iter()
        .map(|ids| Cell {
            count: ids.len(),
            share: share(ids.len(), n),
            means: b
                .means
                .iter()
                .map(|(_, what)| {
                    let values: Vec<f64> = ids
                        .iter()
                        .filter_map(|&i| figure(data, scores, *what, i))
                        .collect();
                    stats::mean(&values)
                })
                .collect(),
        })
        .collect();
    Counts { n, cells }
}

/// One inquiry's value of a figure averaged by breakdowns.
fn figure(data: &Dataset, scores: &Scores, what: MeanOf, i: usize) -> Option<f64> {
    let s = &scores.inquiries[i];
    match what {
        MeanOf::Score => s.score,
        MeanOf::Area(a) => s.area_pct[a],
        MeanOf::Question(q) => data.inquiries[i].answers[q]?.scale().map(|v| v as f64),
        MeanOf::Wait => s.wait.map(|w| w as f64),
        MeanOf::Handling => s.handling.map(|h| h as f64),
    }
}

fn distribution(values: impl Iterator<Item = i64>, limits: &[TimeLimit]) -> Distribution {
    let mut values: Vec<i64> = values.collect();
    values.sort_unstable();
    let sorted: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    Distribution {
        median: stats::percentile(&sorted, 0.5),
        p75: stats::percentile(&sorted, 0.75),
        p90: stats::percentile(&sorted, 0.9),
        within: limits
            .iter()
            .map(|l| {
                let at_or_below = values.partition_point(|&v| v <= l.span.seconds);
                share(at_or_below, values.len())
            })
            .collect(),
        values,
    }
}

/// Tries every observed time as a cut-off (at or below it against above it) that leaves at
/// least `min_group` inquiries on each side, and keeps the one whose 2×2 table of outcomes
/// has the smallest two-sided Fisher p-value.
pub fn threshold(mut pairs: Vec<(i64, bool)>, min_group: usize) -> ThresholdResult {
    pairs.sort_unstable();
    let n = pairs.len();
    let n_yes = pairs.iter().filter(|(_, yes)| *yes).count();
    let mut splits = Vec::new();
    let mut below_yes = 0;
    for (k, &(time, yes)) in pairs.iter().enumerate() {
        below_yes += usize::from(yes);
        let below = k + 1;
        let last_of_value = pairs.get(k + 1).is_none_or(|next| next.0 != time);
        if !last_of_value || below < min_group || n - below < min_group {
            continue;
        }
        let (below_no, above_yes) = (below - below_yes, n_yes - below_yes);
        let above_no = n - below - above_yes;
        splits.push(Split {
            cutoff: time,
            below_yes,
            below_no,
            above_yes,
            above_no,
            p_value: stats::fisher_exact_two_sided(
                below_yes as u64,
                below_no as u64,
                above_yes as u64,
                above_no as u64,
            ),
        });
    }
    let best = (0..splits.len()).min_by(|&a, &b| splits[a].p_value.total_cmp(&splits[b].p_value));
    ThresholdResult {
        n,
        n_yes,
        splits,
        best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_finds_the_cut_that_separates() {
        // Waits 10..=80 s in steps of 10; the first four felt fast, the last four did not.
        // With at least 2 a side the cuts are 20, 30, 40, 50, 60. At 40 the table is
        // [[4, 0], [0, 4]]: p = 2 · 1/C(8,4) = 2/70, the smallest. At 30 it is [[3, 0], [1, 4]]:
        // margins 3/5 and 4/4, top-left x = 0..=3 with C(3,x)·C(5,4−x) = 5, 30, 30, 5 (/70);
        // x = 3 and x = 0 are no more likely than the observed 5/70, so p = 10/70.
        let pairs: Vec<(i64, bool)> = (1..=8).map(|k| (10 * k, k <= 4)).collect();
        let t = threshold(pairs, 2);
        assert_eq!(t.n, 8);
        assert_eq!(t.n_yes, 4);
        let cutoffs: Vec<i64> = t.splits.iter().map(|s| s.cutoff).collect();
        assert_eq!(cutoffs, [20, 30, 40, 50, 60]);
        let best = &t.splits[t.best.unwrap()];
        assert_eq!(best.cutoff, 40);
        assert_eq!(
            (best.below_yes, best.below_no, best.above_yes, best.above_no),
            (4, 0, 0, 4)
        );
        assert!((best.p_value - 2.0 / 70.0).abs() < 1e-15);
        assert!((t.splits[1].p_value - 10.0 / 70.0).abs() < 1e-15);
    }

    #[test]
    fn threshold_cuts_between_values_only() {
        // Three inquiries of 30 s can't be split: 30 is a cut-off only after the last of them.
        let pairs = vec![
            (30, true),
            (30, false),
            (30, true),
            (60, false),
            (60, false),
        ];
        let t = threshold(pairs, 1);
        assert_eq!(t.splits.len(), 1);
        assert_eq!(t.splits[0].cutoff, 30);
        assert_eq!(t.splits[0].below_yes + t.splits[0].below_no, 3);
        assert!(threshold(vec![(5, true)], 1).best.is_none());
    }

    #[test]
    fn distribution_shares_are_inclusive() {
        let limits = [30, 60].map(|s| TimeLimit {
            span: crate::config::Span { seconds: s },
            label: format!("{s}s"),
        });
        // 10, 30, 45, 60, 90: two at or below 30 s, four at or below 60 s.
        let d = distribution([90, 10, 60, 30, 45].into_iter(), &limits);
        assert_eq!(d.values, [10, 30, 45, 60, 90]);
        assert_eq!(d.within, [Some(0.4), Some(0.8)]);
        assert_eq!(d.median, Some(45.0));
        assert_eq!(d.p75, Some(60.0));
    }
}
