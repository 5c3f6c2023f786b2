//! Award robustness (methodology.md §7): how firm every rank is. Resampled ranks and win
//! chances, the funnel of totals against inquiries, the inquiries a class would need to
//! separate its top two, and observers who grade differently. Only eligible participants
//! get figures.

pub mod funnel;
mod observers;
pub mod resample;

use std::convert::Infallible;

pub use funnel::{Funnel, Position, Z95, Z998};
pub use observers::Observer;
pub use resample::{RankTally, rank_by, tally_replicates};

use crate::config::Season;
use crate::input::{Dataset, ParticipantIx};
use crate::random::Rng;
use crate::rank::Standings;
use crate::score::Scores;

/// The §7 figures of a season.
#[derive(Debug, Clone, PartialEq)]
pub struct Robustness {
    /// `award.resamples`; 0 when §7.1 is off.
    pub resamples: usize,
    /// Per participant, in dataset order.
    pub participants: Vec<Firmness>,
    /// Per class, in standings order: inquiries each of the top two would need (§7.3).
    pub inquiries_needed: Vec<Option<usize>>,
    /// `None` with fewer than two scored inquiries among the eligible.
    pub funnel: Option<Funnel>,
    pub observers: Vec<Observer>,
}

/// How firm one participant's place is; all `None` for one not ranked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Firmness {
    pub rank_low: Option<usize>,
    pub rank_high: Option<usize>,
    /// Only in classes with a winner.
    pub p_class_win: Option<f64>,
    pub p_overall_win: Option<f64>,
    pub funnel: Option<Position>,
    pub funnel_95: Option<Position>,
}

pub fn assess(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
) -> Robustness {
    let rules = &season.award;
    let tally = (rules.resamples > 0)
        .then(|| resampled_ranks(rules.seed, rules.resamples, scores, standings));
    let eligible_scores: Vec<f64> = (0..data.participants.len())
        .filter(|&p| standings.eligible[p])
        .flat_map(|p| scores.participants[p].scores.iter().copied())
        .collect();
    let funnel = Funnel::of(&eligible_scores);
    let participants = (0..data.participants.len())
        .map(|p| firmness(p, tally.as_ref(), funnel.as_ref(), scores, standings))
        .collect();
    Robustness {
        resamples: rules.resamples,
        participants,
        inquiries_needed: standings
            .classes
            .iter()
            .map(|c| top_two_needed(c, scores))
            .collect(),
        funnel,
        observers: observers::observers(deviations(data, scores, standings)),
    }
}

fn firmness(
    p: usize,
    tally: Option<&RankTally>,
    funnel: Option<&Funnel>,
    scores: &Scores,
    standings: &Standings,
) -> Firmness {
    if !standings.eligible[p] {
        return Firmness::default();
    }
    let f = &scores.participants[p];
    let position = |z| Some(funnel?.position(f.total?, f.n_inquiries, z));
    let in_winner_class = standings.class_of(p).has_winner;
    let win = |share: fn(&RankTally, usize) -> f64| {
        tally.filter(|_| in_winner_class).map(|t| share(t, p))
    };
    Firmness {
        rank_low: tally.and_then(|t| t.rank_quantile(p, 0.05)),
        rank_high: tally.and_then(|t| t.rank_quantile(p, 0.95)),
        p_class_win: win(RankTally::class_win_share),
        p_overall_win: win(RankTally::overall_win_share),
        funnel: position(Z998),
        funnel_95: position(Z95),
    }
}

/// §7.1: every eligible participant's total recomputed from n of its own inquiries drawn
/// with replacement, the classes ranked on those totals, `resamples` times.
pub fn resampled_ranks(
    seed: u64,
    resamples: usize,
    scores: &Scores,
    standings: &Standings,
) -> RankTally {
    let n = scores.participants.len();
    let eligible: Vec<usize> = (0..n).filter(|&p| standings.eligible[p]).collect();
    let classes: Vec<(Vec<usize>, bool)> = standings
        .classes
        .iter()
        .map(|c| {
            let ranked = c
                .members
                .iter()
                .map(|p| p.0)
                .filter(|&p| standings.eligible[p])
                .collect();
            (ranked, c.has_winner)
        })
        .collect();
    let run = |rng: &mut Rng, tally: &mut RankTally| -> Result<(), Infallible> {
        let mut total = vec![0.0; n];
        for &p in &eligible {
            let s = &scores.participants[p].scores;
            let sum: f64 = (0..s.len()).map(|_| s[rng.below(s.len())]).sum();
            total[p] = sum / s.len() as f64;
        }
        let mut ranks = vec![None; n];
        let mut winners: Vec<Vec<usize>> = Vec::new();
        for (members, has_winner) in &classes {
            let first = rank_by(members, &total, &mut ranks);
            if *has_winner {
                winners.push(first);
            }
        }
        let all_winners: Vec<usize> = winners.iter().flatten().copied().collect();
        let overall = rank_by(&all_winners, &total, &mut vec![None; n]);
        let groups: Vec<&[usize]> = winners.iter().map(Vec::as_slice).collect();
        tally.add(&ranks, &groups, &overall);
        Ok(())
    };
    match tally_replicates(seed, resamples, n, run) {
        Ok(tally) => tally,
        Err(never) => match never {},
    }
}

/// §7.3 for a class with one winner and a runner-up.
fn top_two_needed(class: &crate::rank::ClassFigures, scores: &Scores) -> Option<usize> {
    let [winner] = class.winners.as_slice() else {
        return None;
    };
    let runner_up = *class.members.get(1).filter(|_| class.n_eligible > 1)?;
    let s = |p: ParticipantIx| &scores.participants[p.0].scores;
    funnel::inquiries_needed(s(*winner), s(runner_up))
}

/// §7.4's e(i) for every answered inquiry of an eligible participant with a shopper id.
fn deviations<'d>(
    data: &'d Dataset,
    scores: &'d Scores,
    standings: &'d Standings,
) -> impl Iterator<Item = (&'d str, f64)> + 'd {
    data.inquiries
        .iter()
        .zip(&scores.inquiries)
        .filter_map(|(i, s)| {
            let ParticipantIx(p) = i.participant;
            if !standings.eligible[p] || !s.answered || i.shopper_id.is_empty() {
                return None;
            }
            Some((
                i.shopper_id.as_str(),
                s.score? - scores.participants[p].total_answered?,
            ))
        })
}
