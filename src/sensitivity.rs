//! `ksp sensitivity`: how robust the class winners are to the weights. The season is loaded
//! once, then scored and ranked again under many random settings of the varied keys, each
//! drawn uniformly within its bounds from a seeded generator, so the same seed gives the same
//! table whatever the thread count. Nothing is rendered.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};
use crate::random::Rng;
use crate::robustness::{RankTally, tally_replicates};
use crate::{Error, input, rank, score};

/// One `--vary KEY=±PCT`: the key's value is multiplied by a factor in [1 − f, 1 + f].
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    pub key: String,
    pub fraction: f64,
}

impl std::str::FromStr for Vary {
    type Err = String;

    /// `areas.agent.weight=±20%`; `+-20%`, `20%` and `20` mean the same.
    fn from_str(text: &str) -> Result<Vary, String> {
        let hint = "expected KEY=±PCT, e.g. --vary areas.agent.weight=±20%";
        let (key, pct) = text
            .split_once('=')
            .ok_or_else(|| format!("--vary {text}: {hint}"))?;
        let pct = pct.trim();
        let pct = pct
            .strip_prefix('±')
            .or_else(|| pct.strip_prefix("+-"))
            .unwrap_or(pct);
        let pct = pct.strip_suffix('%').unwrap_or(pct);
        let percent: f64 = pct
            .trim()
            .parse()
            .map_err(|_| format!("--vary {text}: `{pct}` is not a percentage; {hint}"))?;
        if !(0.0..=100.0).contains(&percent) {
            return Err(format!(
                "--vary {text}: the percentage must be between 0 and 100"
            ));
        }
        Ok(Vary {
            key: key.trim().to_string(),
            fraction: percent / 100.0,
        })
    }
}

/// What `ksp sensitivity` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub overrides: Vec<String>,
    pub vary: Vec<Vary>,
    pub runs: usize,
    pub seed: u64,
}

/// How one participant fared over every setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub class: String,
    pub participant_id: String,
    pub name: String,
    /// Rank and winner under the config as it is.
    pub baseline_rank: Option<usize>,
    pub baseline_winner: bool,
    /// Settings under which it won its class (a shared win counts for each).
    pub wins: usize,
    pub win_share: f64,
    pub best_rank: Option<usize>,
    pub worst_rank: Option<usize>,
    pub mean_rank: Option<f64>,
}

/// The table: every ranked participant of every class that has a winner, by class, then by
/// wins (most first), then by baseline rank.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    pub runs: usize,
    pub seed: u64,
    pub vary: Vec<(String, f64, f64)>,
    pub rows: Vec<Row>,
}

pub fn sensitivity(options: &Options) -> Result<Table, Error> {
    if options.runs == 0 {
        return Err(Error::Usage("--runs must be at least 1".into()));
    }
    if options.vary.is_empty() {
        return Err(Error::Usage(
            "give at least one --vary KEY=±PCT, e.g. --vary areas.agent.weight=±20%".into(),
        ));
    }
    let path = &options.config;
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::whole(path, format!("cannot read the config file: {e}")))?;
    let base = config::parse(path, &text, &options.overrides)?;
    let bounds = bounds(options, &base)?;
    let data = input::load(
        &base,
        &crate::glyphs::Coverage::everything(),
        input::Hashes::Skip,
    )?;
    let baseline = rank::rank(&base, &data, &score::score(&base, &data));
    let run = |rng: &mut Rng, tally: &mut RankTally| -> Result<(), Error> {
        let season = config::parse(path, &text, &setting(options, &bounds, rng))?;
        let standings = rank::rank(&season, &data, &score::score(&season, &data));
        let winners: Vec<Vec<usize>> = standings
            .classes
            .iter()
            .map(|c| c.winners.iter().map(|w| w.0).collect())
            .collect();
        let winners: Vec<&[usize]> = winners.iter().map(Vec::as_slice).collect();
        tally.add(&standings.class_rank, &winners, &[]);
        Ok(())
    };
    let tally = tally_replicates(options.seed, options.runs, data.participants.len(), run)?;
    Ok(Table {
        runs: options.runs,
        seed: options.seed,
        vary: options
            .vary
            .iter()
            .zip(&bounds)
            .map(|(v, (value, _))| {
                (
                    v.key.clone(),
                    value * (1.0 - v.fraction),
                    value * (1.0 + v.fraction),
                )
            })
            .collect(),
        rows: rows(&baseline, &tally, &data),
    })
}

/// Each varied key's value in the config, and whether it is a whole number.
fn bounds(options: &Options, base: &config::Season) -> Result<Vec<(f64, bool)>, Error> {
    let effective = serde_json::to_value(&base.effective).expect("the config serializes");
    options
        .vary
        .iter()
        .map(|v| {
            let value = config::overrides::number_at(&effective, &v.key).ok_or_else(|| {
                usage_in(
                    &options.config,
                    format!("--vary {}: the config has no number at this key", v.key),
                )
            })?;
            Ok((
                value.as_f64().expect("a number"),
                value.is_u64() || value.is_i64(),
            ))
        })
        .collect()
}

/// A setting as `--set` overrides: each key drawn uniformly within its bounds from the
/// setting's own stream, so it does not depend on the thread count.
fn setting(options: &Options, bounds: &[(f64, bool)], rng: &mut Rng) -> Vec<String> {
    let mut overrides = options.overrides.clone();
    for (v, (value, integer)) in options.vary.iter().zip(bounds) {
        let varied = value * (1.0 + v.fraction * (2.0 * rng.f64() - 1.0));
        overrides.push(if *integer {
            format!("{}={}", v.key, varied.round() as i64)
        } else {
            format!("{}={varied:?}", v.key)
        });
    }
    overrides
}

/// Every ranked participant of a class with a winner, by wins, then baseline rank.
fn rows(baseline: &rank::Standings, tally: &RankTally, data: &input::Dataset) -> Vec<Row> {
    let mut rows = Vec::new();
    for class in baseline.classes.iter().filter(|c| c.has_winner) {
        let mut class_rows: Vec<Row> = class
            .members
            .iter()
            .filter(|p| baseline.eligible[p.0])
            .map(|&p| row(baseline, class, tally, data, p.0))
            .collect();
        class_rows.sort_by(|a, b| {
            b.wins
                .cmp(&a.wins)
                .then(a.baseline_rank.cmp(&b.baseline_rank))
                .then_with(|| a.participant_id.cmp(&b.participant_id))
        });
        rows.extend(class_rows);
    }
    rows
}

fn row(
    baseline: &rank::Standings,
    class: &rank::ClassFigures,
    tally: &RankTally,
    data: &input::Dataset,
    p: usize,
) -> Row {
    let wins = tally.class_wins(p);
    let range = tally.rank_range(p);
    Row {
        class: class.class.clone(),
        participant_id: data.participants[p].id.clone(),
        name: data.participants[p].name.clone(),
        baseline_rank: baseline.class_rank[p],
        baseline_winner: class.winners.contains(&input::ParticipantIx(p)),
        wins,
        win_share: wins as f64 / tally.replicates() as f64,
        best_rank: range.map(|r| r.0),
        worst_rank: range.map(|r| r.1),
        mean_rank: range.map(|r| r.2),
    }
}

fn usage_in(path: &Path, message: String) -> Error {
    Error::Usage(format!("{}: {message}", path.display()))
}

impl Table {
    /// Reads a `sensitivity.json` written by `ksp sensitivity`.
    pub fn read(path: &Path) -> Result<Table, crate::output::ReadError> {
        crate::output::ReadError::read_json(path, "a sensitivity.json written by `ksp sensitivity`")
    }

    /// `sensitivity.csv`: one row per ranked participant.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "class",
            "participant_id",
            "name",
            "baseline_rank",
            "baseline_winner",
            "wins",
            "win_share",
            "best_rank",
            "worst_rank",
            "mean_rank",
        ])
        .expect("writing to memory");
        let opt = |x: Option<usize>| x.map(|r| r.to_string()).unwrap_or_default();
        for r in &self.rows {
            w.write_record([
                r.class.clone(),
                r.participant_id.clone(),
                r.name.clone(),
                opt(r.baseline_rank),
                r.baseline_winner.to_string(),
                r.wins.to_string(),
                r.win_share.to_string(),
                opt(r.best_rank),
                opt(r.worst_rank),
                r.mean_rank.map(|m| m.to_string()).unwrap_or_default(),
            ])
            .expect("writing to memory");
        }
        w.into_inner().expect("writing to memory")
    }

    pub fn json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("the table serializes");
        bytes.push(b'\n');
        bytes
    }

    /// For the terminal: per class, everyone who won under at least one setting.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{:<28} {:<36} {:>8} {:>7} {:>7}\n",
            "class", "participant", "baseline", "wins", "share"
        );
        for r in self.rows.iter().filter(|r| r.wins > 0 || r.baseline_winner) {
            let name: String = format!("{} {}", r.participant_id, r.name)
                .chars()
                .take(36)
                .collect();
            let class: String = r.class.chars().take(28).collect();
            let baseline = r.baseline_rank.map(|x| x.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "{class:<28} {name:<36} {baseline:>8} {:>7} {:>6.1}%\n",
                r.wins,
                r.win_share * 100.0
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_accepts_the_usual_spellings() {
        for text in ["a.b=±20%", "a.b=+-20%", "a.b=20%", "a.b=20"] {
            let v: Vary = text.parse().unwrap();
            assert_eq!(
                v,
                Vary {
                    key: "a.b".into(),
                    fraction: 0.2
                }
            );
        }
        assert!("a.b".parse::<Vary>().is_err());
        assert!("a.b=much".parse::<Vary>().is_err());
        assert!("a.b=150%".parse::<Vary>().is_err());
    }
}
