//! `ksp diff`: what changed between two runs of a season — the config keys, the winners,
//! eligibility, class ranks and totals — read from each run's `results/results.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::config::overrides::flatten;

/// One difference between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `config`, `winner`, `participant`, `eligibility`, `class`, `rank` or `total`.
    pub kind: &'static str,
    /// A dotted config key, an award, or a participant id.
    pub subject: String,
    /// The participant's name, when the subject is a participant.
    pub name: String,
    pub old: Value,
    pub new: Value,
    /// New minus old, for ranks and totals.
    pub change: Option<f64>,
}

/// Every change from `old_dir` to `new_dir`, config first, then winners, then participants by
/// id. Totals count when they moved by more than `threshold` points.
pub fn diff(old_dir: &Path, new_dir: &Path, threshold: f64) -> Result<Vec<Change>, String> {
    let old = read_results(old_dir)?;
    let new = read_results(new_dir)?;
    let mut changes = Vec::new();

    let (old_config, new_config) = (flatten(&old["config"]), flatten(&new["config"]));
    let keys: BTreeSet<&String> = old_config.keys().chain(new_config.keys()).collect();
    for key in keys {
        let (a, b) = (old_config.get(key), new_config.get(key));
        if a != b {
            changes.push(Change {
                kind: "config",
                subject: key.clone(),
                name: String::new(),
                old: a.cloned().unwrap_or(Value::Null),
                new: b.cloned().unwrap_or(Value::Null),
                change: None,
            });
        }
    }

    let (old_awards, new_awards) = (winners(&old), winners(&new));
    let awards: BTreeSet<&String> = old_awards.keys().chain(new_awards.keys()).collect();
    for award in awards {
        let ids = |m: &BTreeMap<String, BTreeSet<String>>| {
            m.get(award)
                .map(|s| s.iter().cloned().collect::<Vec<_>>().join("|"))
                .unwrap_or_default()
        };
        let (a, b) = (ids(&old_awards), ids(&new_awards));
        if a != b {
            changes.push(Change {
                kind: "winner",
                subject: award.clone(),
                name: String::new(),
                old: a.into(),
                new: b.into(),
                change: None,
            });
        }
    }

    let (old_people, new_people) = (participants(&old), participants(&new));
    let ids: BTreeSet<&String> = old_people.keys().chain(new_people.keys()).collect();
    for id in ids {
        let (a, b) = (old_people.get(id), new_people.get(id));
        let name = b.or(a).map(|p| text(&p["name"])).unwrap_or_default();
        let mut push = |kind, old: Value, new: Value, change| {
            changes.push(Change {
                kind,
                subject: id.clone(),
                name: name.clone(),
                old,
                new,
                change,
            })
        };
        let (Some(a), Some(b)) = (a, b) else {
            let (old, new) = if a.is_some() {
                ("present", "removed")
            } else {
                ("absent", "added")
            };
            push("participant", old.into(), new.into(), None);
            continue;
        };
        for (field, kind) in [("eligible", "eligibility"), ("class", "class")] {
            if a[field] != b[field] {
                push(kind, a[field].clone(), b[field].clone(), None);
            }
        }
        if a["class_rank"] != b["class_rank"] {
            let moved = b["class_rank"]
                .as_f64()
                .zip(a["class_rank"].as_f64())
                .map(|(b, a)| b - a);
            push(
                "rank",
                a["class_rank"].clone(),
                b["class_rank"].clone(),
                moved,
            );
        }
        let moved = b["total"]
            .as_f64()
            .zip(a["total"].as_f64())
            .map(|(b, a)| b - a);
        let appeared = a["total"].is_null() != b["total"].is_null();
        if appeared || moved.is_some_and(|d| d.abs() > threshold) {
            push("total", a["total"].clone(), b["total"].clone(), moved);
        }
    }
    Ok(changes)
}

fn read_results(dir: &Path) -> Result<Value, String> {
    let path = dir.join("results").join("results.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; give two output folders of `ksp run`",
            path.display()
        )
    })?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{}: is not a results.json written by ksp: {e}",
            path.display()
        )
    })?;
    if !json["participants"].is_array() {
        return Err(format!(
            "{}: has no `participants` list: is it a results.json written by ksp?",
            path.display()
        ));
    }
    Ok(json)
}

/// Award → its winners' ids. A class award is named by its class, a channel award by its
/// channel (the class column of other awards is the winner's, which may change).
fn winners(results: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for award in results["awards"].as_array().into_iter().flatten() {
        let kind = text(&award["award"]);
        let within = if kind == "class_winner" {
            text(&award["class"])
        } else {
            text(&award["channel"])
        };
        let name = [kind, within]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.entry(name)
            .or_default()
            .insert(text(&award["participant_id"]));
    }
    out
}

fn participants(results: &Value) -> BTreeMap<String, &Value> {
    results["participants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (text(&p["participant_id"]), p))
        .collect()
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

/// `diff.json`: the two runs, the threshold and every change.
pub fn to_json(old: &Path, new: &Path, threshold: f64, changes: &[Change]) -> Vec<u8> {
    let doc = serde_json::json!({
        "old": old.display().to_string(),
        "new": new.display().to_string(),
        "total_threshold": threshold,
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
                Some(x) if c.kind == "total" => format!("{x:.4}"),
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
        let results = serde_json::json!({"awards": [
            {"award": "class_winner", "class": "Bank", "channel": "", "participant_id": "P2"},
            {"award": "class_winner", "class": "Bank", "channel": "", "participant_id": "P1"},
            {"award": "best_channel", "class": "Bank", "channel": "phone", "participant_id": "P1"},
        ]});
        let w = winners(&results);
        assert_eq!(
            w["class_winner Bank"].iter().collect::<Vec<_>>(),
            ["P1", "P2"]
        );
        assert!(w.contains_key("best_channel phone"));
    }
}
