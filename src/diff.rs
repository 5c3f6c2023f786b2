//! `ksp diff`: what changed between two runs of a season — the config keys, the winners,
//! eligibility, class ranks, totals and chances of winning the class — read from each run's
//! `results/results.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::config::overrides::flatten;
use crate::output::ReadError;
use crate::results::{AwardKind, Num, ParticipantResult, ResultsFile, name_of};

/// One difference between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `config`, `winner`, `participant`, `eligibility`, `class`, `rank`, `total` or
    /// `win_chance`.
    pub kind: &'static str,
    /// A dotted config key, an award, or a participant id.
    pub subject: String,
    /// The participant's name, when the subject is a participant.
    pub name: String,
    pub old: Value,
    pub new: Value,
    /// New minus old, for ranks, totals and win chances.
    pub change: Option<f64>,
}

/// The results of one run, as `ksp diff` reads them.
type Results = ResultsFile<Value>;

/// How far a figure must move to count as a change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Points of a total.
    pub total: f64,
    /// Of `p_class_win` (a share, 0–1).
    pub win_chance: f64,
}

/// Every change from `old_dir` to `new_dir`, config first, then winners, then participants by
/// id. Totals and win chances count when they moved by more than their threshold.
pub fn diff(
    old_dir: &Path,
    new_dir: &Path,
    threshold: Thresholds,
) -> Result<Vec<Change>, ReadError> {
    let old = read_results(old_dir)?;
    let new = read_results(new_dir)?;
    let mut changes = config_changes(&old, &new);
    changes.extend(winner_changes(&old, &new));
    changes.extend(participant_changes(&old, &new, threshold));
    Ok(changes)
}

fn read_results(dir: &Path) -> Result<Results, ReadError> {
    let path = dir.join("results").join("results.json");
    ResultsFile::read(&path).map_err(|e| ReadError {
        message: format!("{}; give two output folders of `ksp run`", e.message),
        ..e
    })
}

fn config_changes(old: &Results, new: &Results) -> Vec<Change> {
    let (old_config, new_config) = (flatten(&old.config), flatten(&new.config));
    let keys: BTreeSet<&String> = old_config.keys().chain(new_config.keys()).collect();
    keys.into_iter()
        .filter(|key| old_config.get(*key) != new_config.get(*key))
        .map(|key| Change {
            kind: "config",
            subject: key.clone(),
            name: String::new(),
            old: old_config.get(key).cloned().unwrap_or(Value::Null),
            new: new_config.get(key).cloned().unwrap_or(Value::Null),
            change: None,
        })
        .collect()
}

fn winner_changes(old: &Results, new: &Results) -> Vec<Change> {
    let (old_awards, new_awards) = (winners(old), winners(new));
    let awards: BTreeSet<&String> = old_awards.keys().chain(new_awards.keys()).collect();
    let ids = |m: &BTreeMap<String, BTreeSet<String>>, award: &str| {
        m.get(award)
            .map(|s| s.iter().cloned().collect::<Vec<_>>().join("|"))
            .unwrap_or_default()
    };
    awards
        .into_iter()
        .filter_map(|award| {
            let (a, b) = (ids(&old_awards, award), ids(&new_awards, award));
            (a != b).then(|| Change {
                kind: "winner",
                subject: award.clone(),
                name: String::new(),
                old: a.into(),
                new: b.into(),
                change: None,
            })
        })
        .collect()
}

fn participant_changes(old: &Results, new: &Results, threshold: Thresholds) -> Vec<Change> {
    let by_id = |r: &Results| -> BTreeMap<String, ParticipantResult> {
        r.participants
            .iter()
            .map(|p| (p.participant_id.clone(), p.clone()))
            .collect()
    };
    let (old_people, new_people) = (by_id(old), by_id(new));
    let ids: BTreeSet<&String> = old_people.keys().chain(new_people.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let (a, b) = (old_people.get(id), new_people.get(id));
        let name = b.or(a).map(|p| p.name.clone()).unwrap_or_default();
        let change = |kind, old: Value, new: Value, change| Change {
            kind,
            subject: id.clone(),
            name: name.clone(),
            old,
            new,
            change,
        };
        match (a, b) {
            (Some(a), Some(b)) => changes.extend(
                moves(a, b, threshold)
                    .into_iter()
                    .map(|(kind, old, new, by)| change(kind, old, new, by)),
            ),
            (Some(_), None) => changes.push(change(
                "participant",
                "present".into(),
                "removed".into(),
                None,
            )),
            _ => changes.push(change("participant", "absent".into(), "added".into(), None)),
        }
    }
    changes
}

/// What changed for one participant: eligibility, class, class rank, and a total or chance
/// of winning the class that moved by more than its threshold (or appeared or vanished).
fn moves(
    a: &ParticipantResult,
    b: &ParticipantResult,
    threshold: Thresholds,
) -> Vec<(&'static str, Value, Value, Option<f64>)> {
    let rank = |r: Option<usize>| r.map_or(Value::Null, Value::from);
    let mut out = Vec::new();
    if a.eligible != b.eligible {
        out.push(("eligibility", a.eligible.into(), b.eligible.into(), None));
    }
    if a.class != b.class {
        out.push((
            "class",
            a.class.clone().into(),
            b.class.clone().into(),
            None,
        ));
    }
    if a.class_rank != b.class_rank {
        let by = a
            .class_rank
            .zip(b.class_rank)
            .map(|(a, b)| b as f64 - a as f64);
        out.push(("rank", rank(a.class_rank), rank(b.class_rank), by));
    }
    out.extend(moved("total", a.total, b.total, threshold.total));
    out.extend(moved(
        "win_chance",
        a.p_class_win,
        b.p_class_win,
        threshold.win_chance,
    ));
    out
}

/// A figure that moved by more than `threshold`, appeared or vanished.
fn moved(
    kind: &'static str,
    a: Num,
    b: Num,
    threshold: f64,
) -> Option<(&'static str, Value, Value, Option<f64>)> {
    let value = |t: Num| serde_json::to_value(t).expect("a figure serializes");
    let by = a.0.zip(b.0).map(|(a, b)| b - a);
    let appeared = a.0.is_none() != b.0.is_none();
    (appeared || by.is_some_and(|d| d.abs() > threshold)).then(|| (kind, value(a), value(b), by))
}

/// Award → its winners' ids. A class award is named by its class, a channel award by its
/// channel (the class column of other awards is the winner's, which may change).
fn winners(results: &Results) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for award in &results.awards {
        let within = if award.award == AwardKind::ClassWinner {
            &award.class
        } else {
            &award.channel
        };
        let kind = name_of(&award.award);
        let name = [kind.as_str(), within.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.entry(name)
            .or_default()
            .insert(award.participant_id.clone());
    }
    out
}

/// A JSON value as plain text: strings unquoted, null empty.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `diff.csv`: one change per row.
pub fn to_csv(changes: &[Change]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["kind", "subject", "name", "old", "new", "change"])
        .expect("writing to memory");
    for c in changes {
        w.write_record([
            c.kind.to_string(),
            c.subject.clone(),
            c.name.clone(),
            text(&c.old),
            text(&c.new),
            c.change.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// `diff.json`: the two runs, the thresholds and every change.
pub fn to_json(old: &Path, new: &Path, threshold: Thresholds, changes: &[Change]) -> Vec<u8> {
    let doc = serde_json::json!({
        "old": old.display().to_string(),
        "new": new.display().to_string(),
        "total_threshold": threshold.total,
        "win_chance_threshold": threshold.win_chance,
        "changed": !changes.is_empty(),
        "changes": changes,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("the diff serializes");
    bytes.push(b'\n');
    bytes
}

/// The changes as an aligned table for the terminal.
pub fn to_table(changes: &[Change]) -> String {
    let rows: Vec<[String; 5]> = changes
        .iter()
        .map(|c| {
            let subject = if c.name.is_empty() {
                c.subject.clone()
            } else {
                format!("{} {}", c.subject, c.name)
            };
            // Totals to four decimals on the terminal; the files keep full precision.
            let short = |v: &Value| match v.as_f64() {
                Some(x) if c.kind == "total" || c.kind == "win_chance" => format!("{x:.4}"),
                _ => text(v),
            };
            [
                c.kind.to_string(),
                subject,
                short(&c.old),
                short(&c.new),
                c.change
                    .map(|d| match c.kind {
                        "rank" => format!("{d:+.0}"),
                        _ => format!("{d:+.4}"),
                    })
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["kind", "what", "old", "new", "change"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count().min(48));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                let cell: String = cell.chars().take(48).collect();
                format!("{cell:<w$}")
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winners_are_named_by_award_class_and_channel() {
        let award = |award: &str, channel: &str, id: &str| {
            serde_json::json!({"award": award, "class": "Bank", "channel": channel,
                "participant_id": id, "total": null, "score": null, "too_close": null})
        };
        let results: Results = serde_json::from_value(serde_json::json!({
            "tool": "ksp", "version": "0", "season": "s", "year": 2022, "rows_read": 0,
            "rows_accepted": 0, "rows_rejected": 0, "inquiries_accepted": 0,
            "participants": [], "classes": [], "config": {},
            "awards": [
                award("class_winner", "", "P2"),
                award("class_winner", "", "P1"),
                award("best_channel", "phone", "P1"),
            ],
        }))
        .unwrap();
        let w = winners(&results);
        assert_eq!(
            w["class_winner Bank"].iter().collect::<Vec<_>>(),
            ["P1", "P2"]
        );
        assert!(w.contains_key("best_channel phone"));
    }
}
