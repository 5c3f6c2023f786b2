//! Everything that can stop a command, by the exit code it maps to.

use crate::config::ConfigError;
use crate::input::InputErrors;
use crate::output::{CommitError, LockError, MergeError, OutputError, ReadError, Refusal};
use crate::render::{RenderError, TemplateError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Usage(String),
    /// A folder or file that is not what ksp wrote (`ksp diff`, `ksp verify`).
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("{0}")]
    Templates(#[from] TemplateError),
    #[error("{}", render_errors(.0))]
    Render(Vec<RenderError>),
    /// A render process or thread could not start or stopped before it was done.
    #[error("{0}")]
    Workers(String),
    #[error("{0}")]
    Output(#[from] OutputError),
    /// Another run holds the output folder.
    #[error("{0}")]
    Lock(#[from] LockError),
    #[error("{0}")]
    Merge(#[from] MergeError),
    /// The output folder is not ksp's, holds an input or the current folder: nothing was
    /// read or written.
    #[error("{0}")]
    Refused(#[from] Refusal),
}

impl From<CommitError> for Error {
    fn from(e: CommitError) -> Error {
        match e {
            CommitError::Refused(r) => Error::Refused(r),
            CommitError::Output(o) => Error::Output(o),
        }
    }
}

fn render_errors(errors: &[RenderError]) -> String {
    let mut text = format!("{} document(s) failed to render:", errors.len());
    for e in errors {
        text.push_str(&format!("\n{e}"));
    }
    text
}

impl Error {
    /// 1 for config or data errors and output folders ksp will not replace, 2 for usage
    /// errors, 3 when rendering or writing failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_)
            | Error::Input(_)
            | Error::Refused(_)
            | Error::Merge(MergeError::Refused(_)) => 1,
            Error::Usage(_) | Error::Read(_) => 2,
            Error::Templates(_)
            | Error::Render(_)
            | Error::Workers(_)
            | Error::Output(_)
            | Error::Lock(_)
            | Error::Merge(_) => 3,
        }
    }
}
