//! ksp runs a customer-service award season end to end: config → input → score → rank →
//! results and reports → output. Each stage is a module; `run` drives them.

pub mod analysis;
pub mod calendar;
pub mod config;
pub mod diff;
pub mod documents;
mod error;
pub mod figures;
pub mod findings;
pub mod generate;
pub mod glyphs;
pub mod hash;
pub mod input;
pub mod output;
pub mod random;
pub mod rank;
pub mod render;
pub mod results;
pub mod robustness;
pub mod run;
pub mod score;
pub mod sensitivity;
pub mod snippet;
pub mod starter;
pub mod stats;

pub use error::Error;
pub use run::{
    Checked, Prepared, RunOptions, RunSummary, check, named_files, prepare, prepare_config,
    report_date, run,
};
