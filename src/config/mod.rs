//! The season config: a TOML file deserialized into raw structs (`raw`), `--set` overrides
//! applied to the document first (`overrides`), then checked section by section (`check`)
//! into a [`Season`] that later stages can trust.

mod check;
pub mod overrides;
pub mod raw;
mod season;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::snippet::{self, Snippet};

pub use check::{CheckError, parse_span};
pub use overrides::{apply_overrides, overlay_overrides};
pub use raw::{Encoding, Language, Measure, OnBadRow, QuestionKind, RawConfig, Sector, Texts};
pub use season::*;

/// A problem with the config, placed in the file where possible.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// What is wrong and what to do, lowercase.
    pub message: String,
    /// The line at fault with the part marked, when the problem has a place.
    pub snippet: Option<Box<Snippet>>,
    /// A hint such as `did you mean `min_inquiries`?`.
    pub help: Option<String>,
}

impl ConfigError {
    /// A problem of the file as a whole (it cannot be read, or a `--set` is wrong).
    pub fn whole(file: &Path, message: String) -> ConfigError {
        ConfigError {
            file: file.to_path_buf(),
            position: None,
            help: snippet::suggestion_for_message(&message),
            message,
            snippet: None,
        }
    }

    /// A problem at byte `span` of the file's `text`.
    pub fn at(file: &Path, text: &str, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            position: Some(line_column(text, span.start)),
            snippet: Snippet::of_span(text, span).map(Box::new),
            ..ConfigError::whole(file, message)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        snippet::write_notes(f, self.snippet.as_deref(), self.help.as_deref())
    }
}

/// Columns of the responses file that are not questions.
pub const RESERVED_COLUMNS: &[&str] = &[
    "inquiry_id",
    "participant_id",
    "shopper_id",
    "channel",
    "attempts",
    "sent_at",
    "answered_at",
    "ended_at",
];

/// What the command line changes in a config before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// A TOML overlay of any part of the config (`--weights`), applied first.
    pub weights: Option<PathBuf>,
    /// `KEY=VALUE` overrides (`--set`), applied after the overlay.
    pub set: Vec<String>,
    /// What to do with bad input rows (`--on-bad-row`), whatever the file says.
    pub on_bad_row: Option<OnBadRow>,
}

impl Overrides {
    /// Just `--set` overrides.
    pub fn set(set: &[String]) -> Overrides {
        Overrides {
            set: set.to_vec(),
            ..Overrides::default()
        }
    }
}

/// Reads, overrides and checks a config file.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Season, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::whole(path, format!("cannot read the config file: {e}")))?;
    let mut sets = match &overrides.weights {
        Some(file) => overlay_overrides(file)?,
        None => Vec::new(),
    };
    sets.extend(overrides.set.iter().cloned());
    parse_overridden(path, &text, &sets, overrides.on_bad_row)
}

/// Parses config text with `--set` overrides; `path` names the file in errors and anchors
/// relative paths.
pub fn parse(path: &Path, text: &str, overrides: &[String]) -> Result<Season, ConfigError> {
    parse_overridden(path, text, overrides, None)
}

fn parse_overridden(
    path: &Path,
    text: &str,
    overrides: &[String],
    on_bad_row: Option<OnBadRow>,
) -> Result<Season, ConfigError> {
    let whole = |message: String| ConfigError::whole(path, message);
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let mut raw = if overrides.is_empty() {
        raw
    } else {
        let applied = apply_overrides(text, overrides).map_err(|e| whole(e.0))?;
        toml::from_str(&applied).map_err(|e| {
            let sets = overrides.join(" --set ");
            whole(format!("after --set {sets}: {}", e.message().trim()))
        })?
    };
    if let Some(mode) = on_bad_row {
        raw.input.on_bad_row = mode;
    }
    let mut season = check::check(path, raw).map_err(|e| {
        let set_by = overrides.iter().find(|o| {
            o.split('=')
                .next()
                .is_some_and(|k| e.key.starts_with(k.trim()))
        });
        let error = match (set_by, overrides::locate_key(text, &e.key)) {
            (Some(o), _) => whole(format!("{e} (from --set {o})")),
            (None, Some(span)) => ConfigError::at(path, text, span, e.to_string()),
            // A key the file leaves out entirely is placed at its start.
            (None, None) => ConfigError {
                position: Some((1, 1)),
                ..whole(e.to_string())
            },
        };
        ConfigError {
            help: e.help.clone().or(error.help.clone()),
            ..error
        }
    })?;
    season.config_sha256 = crate::hash::sha256_hex(text.as_bytes());
    Ok(season)
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => ConfigError::at(path, text, span, message),
        None => ConfigError::whole(path, message),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("a\nbæc", 5), (2, 3));
        assert_eq!(line_column("", 0), (1, 1));
    }

    #[test]
    fn check_errors_are_placed_at_their_key() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/handworked/ksp.toml"
        ))
        .unwrap();
        let broken = text.replace("tie_break_area = \"agent\"", "tie_break_area = \"service\"");
        let e = parse(Path::new("k.toml"), &broken, &[]).unwrap_err();
        let line = broken
            .lines()
            .position(|l| l.contains("\"service\""))
            .unwrap()
            + 1;
        assert_eq!(e.position.map(|p| p.0), Some(line), "{e}");
        let e = parse(
            Path::new("k.toml"),
            &text,
            &["award.tie_break_area=\"x\"".into()],
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("(from --set award.tie_break_area=\"x\")"),
            "{e}"
        );
        let no_output = text
            .replace("[output]", "[unused]")
            .replace("dir = \"out\"\n", "");
        let e = parse(Path::new("k.toml"), &no_output, &[]).unwrap_err();
        assert!(e.to_string().contains("unknown field `unused`"), "{e}");
    }
}
