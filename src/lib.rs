//! ksp runs a customer-service award season end to end: config → input → score → rank →
//! results and reports → output. Each stage is a module; `run` drives them.

pub mod analysis;
pub mod calendar;
pub mod config;
pub mod diff;
pub mod documents;
pub mod generate;
pub mod glyphs;
pub mod hash;
pub mod input;
pub mod output;
pub mod random;
pub mod rank;
pub mod render;
pub mod results;
pub mod run;
pub mod score;
pub mod sensitivity;
pub mod stats;

use crate::config::ConfigError;
use crate::input::InputErrors;
use crate::output::LockError;
use crate::render::RenderError;

pub use run::{Prepared, RunOptions, RunSummary, prepare, prepare_config, report_date, run};

/// Everything that can stop a run, by the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{}", render_errors(.0))]
    Render(Vec<RenderError>),
    #[error("{0}")]
    Output(String),
    /// Another run holds the output folder.
    #[error("{0}")]
    Lock(#[from] LockError),
    #[error("{0}")]
    Usage(String),
    /// `ksp diff` found changes: not a failure, but exit 1 so CI can act on it.
    #[error("the runs differ")]
    Changed,
}

fn render_errors(errors: &[RenderError]) -> String {
    let mut text = format!("{} document(s) failed to render:", errors.len());
    for e in errors {
        text.push_str(&format!("\n{e}"));
    }
    text
}

impl Error {
    /// 1 for config or data errors, 2 for usage errors, 3 when rendering or writing failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Input(_) | Error::Changed => 1,
            Error::Usage(_) => 2,
            Error::Render(_) | Error::Output(_) | Error::Lock(_) => 3,
        }
    }
}
