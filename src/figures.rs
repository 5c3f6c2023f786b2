//! The figures of a prepared season, borrowed together: what the results tables and the
//! documents are both made of.

use crate::analysis::Analysis;
use crate::config::Season;
use crate::findings::Findings;
use crate::input::Dataset;
use crate::rank::Standings;
use crate::robustness::Robustness;
use crate::score::Scores;

#[derive(Clone, Copy)]
pub struct Figures<'a> {
    pub season: &'a Season,
    pub data: &'a Dataset,
    pub scores: &'a Scores,
    pub standings: &'a Standings,
    pub robustness: &'a Robustness,
    pub analysis: &'a Analysis,
    pub findings: &'a Findings,
}
