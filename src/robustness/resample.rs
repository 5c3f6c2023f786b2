//! Replicates run in parallel and tallied: the resampled ranks of §7.1 and the weightings of
//! `ksp sensitivity` both go through here. Replicate r draws from stream r of the seed, and
//! the tally holds only counts, so the figures are the same whatever the thread count and
//! whichever thread finishes first.

use rayon::prelude::*;

use crate::random::Rng;

/// How often each participant got each class rank and won, over the replicates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankTally {
    replicates: u32,
    /// Per participant: replicates by rank (index rank − 1).
    ranks: Vec<Vec<u32>>,
    /// Per participant: class wins by how many shared them (index k − 1).
    class_wins: Vec<Vec<u32>>,
    /// Per participant: overall wins by how many shared them (index k − 1).
    overall_wins: Vec<Vec<u32>>,
}

fn bump(counts: &mut Vec<u32>, index: usize) {
    if counts.len() <= index {
        counts.resize(index + 1, 0);
    }
    counts[index] += 1;
}

fn add_counts(into: &mut [Vec<u32>], from: Vec<Vec<u32>>) {
    for (a, b) in into.iter_mut().zip(from) {
        if a.len() < b.len() {
            a.resize(b.len(), 0);
        }
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
    }
}

/// Σ_k count_k / k over wins shared by k, in k order (from +0, where `sum()` of nothing
/// gives −0).
fn shared_sum(counts: &[u32]) -> f64 {
    counts
        .iter()
        .enumerate()
        .fold(0.0, |sum, (k, &n)| sum + n as f64 / (k + 1) as f64)
}

impl RankTally {
    pub fn new(participants: usize) -> RankTally {
        RankTally {
            replicates: 0,
            ranks: vec![Vec::new(); participants],
            class_wins: vec![Vec::new(); participants],
            overall_wins: vec![Vec::new(); participants],
        }
    }

    /// One replicate: every ranked participant's class rank (1-based), the winners of each
    /// class that has one, and the overall winners.
    pub fn add(&mut self, ranks: &[Option<usize>], class_winners: &[&[usize]], overall: &[usize]) {
        self.replicates += 1;
        for (p, rank) in ranks.iter().enumerate() {
            if let Some(rank) = rank {
                bump(&mut self.ranks[p], rank - 1);
            }
        }
        for winners in class_winners {
            for &w in winners.iter() {
                bump(&mut self.class_wins[w], winners.len() - 1);
            }
        }
        for &w in overall {
            bump(&mut self.overall_wins[w], overall.len() - 1);
        }
    }

    pub fn merge(mut self, other: RankTally) -> RankTally {
        self.replicates += other.replicates;
        add_counts(&mut self.ranks, other.ranks);
        add_counts(&mut self.class_wins, other.class_wins);
        add_counts(&mut self.overall_wins, other.overall_wins);
        self
    }

    pub fn replicates(&self) -> usize {
        self.replicates as usize
    }

    /// The ⌈q·R⌉-th smallest of the participant's R ranks; `None` when it was never ranked.
    pub fn rank_quantile(&self, p: usize, q: f64) -> Option<usize> {
        let counts = &self.ranks[p];
        let total: u32 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let k = ((q * total as f64).ceil() as u32).clamp(1, total);
        let mut seen = 0;
        counts
            .iter()
            .position(|&n| {
                seen += n;
                seen >= k
            })
            .map(|i| i + 1)
    }

    /// The best, the worst and the mean of the participant's ranks.
    pub fn rank_range(&self, p: usize) -> Option<(usize, usize, f64)> {
        let counts = &self.ranks[p];
        let best = counts.iter().position(|&n| n > 0)? + 1;
        let worst = counts.iter().rposition(|&n| n > 0)? + 1;
        let (sum, n) = counts
            .iter()
            .enumerate()
            .fold((0u64, 0u64), |(s, m), (i, &c)| {
                (s + (i as u64 + 1) * c as u64, m + c as u64)
            });
        Some((best, worst, sum as f64 / n as f64))
    }

    /// Replicates the participant won its class in, a shared win counting once.
    pub fn class_wins(&self, p: usize) -> usize {
        self.class_wins[p].iter().map(|&n| n as usize).sum()
    }

    /// The share of replicates it won its class in, a win shared by k counting 1/k.
    pub fn class_win_share(&self, p: usize) -> f64 {
        shared_sum(&self.class_wins[p]) / self.replicates.max(1) as f64
    }

    /// The share of replicates it won overall, a win shared by k counting 1/k.
    pub fn overall_win_share(&self, p: usize) -> f64 {
        shared_sum(&self.overall_wins[p]) / self.replicates.max(1) as f64
    }
}

/// Runs replicates `0..count` in parallel, replicate r with stream r of `seed`; `run` adds
/// its outcome to the tally it is given.
pub fn tally_replicates<E, F>(
    seed: u64,
    count: usize,
    participants: usize,
    run: F,
) -> Result<RankTally, E>
where
    E: Send,
    F: Fn(&mut Rng, &mut RankTally) -> Result<(), E> + Sync,
{
    (0..count)
        .into_par_iter()
        .try_fold(
            || RankTally::new(participants),
            |mut tally, r| {
                run(&mut Rng::stream(seed, r as u64), &mut tally)?;
                Ok(tally)
            },
        )
        .try_reduce(|| RankTally::new(participants), |a, b| Ok(a.merge(b)))
}

/// Competition ranks (1, 2, 2, 4) of `members` by `value`, highest first, equal values
/// sharing a rank; written into `ranks`. Returns the members ranked 1.
pub fn rank_by(members: &[usize], value: &[f64], ranks: &mut [Option<usize>]) -> Vec<usize> {
    let mut order = members.to_vec();
    order.sort_by(|&a, &b| value[b].total_cmp(&value[a]));
    for (pos, &p) in order.iter().enumerate() {
        ranks[p] = Some(match pos {
            0 => 1,
            _ if value[order[pos - 1]] == value[p] => ranks[order[pos - 1]].expect("ranked"),
            _ => pos + 1,
        });
    }
    order.into_iter().filter(|&p| ranks[p] == Some(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranks_share_equal_values() {
        let value = [50.0, 70.0, 70.0, 10.0];
        let mut ranks = vec![None; 4];
        let first = rank_by(&[0, 1, 2, 3], &value, &mut ranks);
        assert_eq!(ranks, [Some(3), Some(1), Some(1), Some(4)]);
        assert_eq!(first, [1, 2]);
    }

    #[test]
    fn a_tally_gives_quantiles_and_shared_wins() {
        let mut t = RankTally::new(2);
        // Ranks of participant 0 over 20 replicates: 1 ×10, 2 ×9, 3 ×1.
        for r in 0..20 {
            let rank = if r < 10 {
                1
            } else if r < 19 {
                2
            } else {
                3
            };
            let winners: &[usize] = if r < 5 {
                &[0, 1]
            } else if r < 10 {
                &[0]
            } else {
                &[1]
            };
            t.add(&[Some(rank), Some(1)], &[winners], &[winners[0]]);
        }
        assert_eq!(t.rank_quantile(0, 0.05), Some(1), "the 1st smallest");
        assert_eq!(t.rank_quantile(0, 0.95), Some(2), "the 19th smallest");
        assert_eq!(t.rank_quantile(0, 1.0), Some(3));
        assert_eq!(t.rank_range(0), Some((1, 3, 31.0 / 20.0)));
        // 5 wins shared by two (½ each) and 5 alone: 7.5 of 20.
        assert!((t.class_win_share(0) - 0.375).abs() < 1e-15);
        assert!((t.class_win_share(1) - 0.625).abs() < 1e-15);
        assert_eq!(t.class_wins(0), 10);
        assert!((t.overall_win_share(0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn the_tally_does_not_depend_on_the_threads() {
        let run = |rng: &mut Rng, t: &mut RankTally| -> Result<(), ()> {
            let value = [rng.f64(), rng.f64(), rng.f64()];
            let mut ranks = vec![None; 3];
            let first = rank_by(&[0, 1, 2], &value, &mut ranks);
            t.add(&ranks, &[&first], &first);
            Ok(())
        };
        let many = tally_replicates(7, 500, 3, run).unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| tally_replicates(7, 500, 3, run).unwrap());
        assert_eq!(many, one);
        assert_ne!(many, tally_replicates(8, 500, 3, run).unwrap());
    }
}
