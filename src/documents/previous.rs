//! What the documents show of files the config names: last season's results
//! (`season.previous`) and a sensitivity table (`report.sensitivity`).

use std::collections::HashMap;

use crate::results::{ResultsFile, Scope};
use crate::sensitivity;

/// Last season's figures of one participant.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousEntry {
    pub total: Option<f64>,
    pub class_rank: Option<usize>,
}

/// Last season, from its `results.json`.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    pub season: String,
    pub participants: HashMap<String, PreviousEntry>,
    /// Breakdown shares by (breakdown id, participant id or "" for the season, category).
    pub shares: HashMap<(String, String, String), f64>,
}

impl Previous {
    pub fn of(results: &ResultsFile<serde_json::Value>) -> Previous {
        let participants = results
            .participants
            .iter()
            .map(|p| {
                let entry = PreviousEntry {
                    total: p.total.0,
                    class_rank: p.class_rank,
                };
                (p.participant_id.clone(), entry)
            })
            .collect();
        let shares = results
            .breakdowns
            .iter()
            .flatten()
            .filter(|row| matches!(row.scope, Scope::Season | Scope::Participant))
            .filter_map(|row| {
                let key = (
                    row.breakdown.clone(),
                    row.scope_id.clone(),
                    row.category.clone(),
                );
                Some((key, row.share.0?))
            })
            .collect();
        Previous {
            season: results.season.clone(),
            participants,
            shares,
        }
    }
}

/// How often each participant won its class under other weights.
#[derive(Debug, Clone, Default)]
pub struct WeightSensitivity {
    pub runs: usize,
    /// Each varied key with its bounds.
    pub vary: Vec<(String, f64, f64)>,
    pub win_share: HashMap<String, f64>,
}

impl WeightSensitivity {
    pub fn of(table: &sensitivity::Table) -> WeightSensitivity {
        WeightSensitivity {
            runs: table.runs,
            vary: table.vary.clone(),
            win_share: table
                .rows
                .iter()
                .map(|r| (r.participant_id.clone(), r.win_share))
                .collect(),
        }
    }
}
