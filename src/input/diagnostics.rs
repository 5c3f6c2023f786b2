//! Diagnostics of the input files: errors with their place, warnings counted with the
//! first place they were seen, and the characters changed so reports can show them.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::table::{InputError, Place, Row, Table};
use super::{TextFix, Warning};
use crate::glyphs::Coverage;

pub(super) struct Diagnostics<'c> {
    pub errors: Vec<InputError>,
    pub warnings: BTreeMap<String, (usize, Place)>,
    pub coverage: &'c Coverage,
    pub fixes: Vec<TextFix>,
}

impl<'c> Diagnostics<'c> {
    pub fn new(coverage: &'c Coverage) -> Diagnostics<'c> {
        Diagnostics {
            errors: Vec::new(),
            warnings: BTreeMap::new(),
            coverage,
            fixes: Vec::new(),
        }
    }

    pub fn error(&mut self, place: Place, value: &str, message: impl Into<String>) {
        self.error_with_help(place, value, message, None);
    }

    /// An error with a hint, such as the name a misspelt value is closest to.
    pub fn error_with_help(
        &mut self,
        place: Place,
        value: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.errors.push(InputError {
            place,
            value: value.to_string(),
            message: message.into(),
            help,
            snippet: None,
        });
    }

    pub fn warn(&mut self, place: Place, message: impl Into<String>) {
        self.warnings
            .entry(message.into())
            .and_modify(|(n, _)| *n += 1)
            .or_insert((1, place));
    }

    /// Adds what checking a later part of the input found: a warning keeps the place it was
    /// first seen at.
    pub fn absorb(&mut self, later: Diagnostics) {
        self.errors.extend(later.errors);
        self.fixes.extend(later.fixes);
        for (message, (count, place)) in later.warnings {
            self.warnings
                .entry(message)
                .and_modify(|(n, _)| *n += count)
                .or_insert((count, place));
        }
    }

    /// Errors found so far, to tell whether a row added any.
    pub fn mark(&self) -> usize {
        self.errors.len()
    }

    /// A text as the reports can show it; what had to change is recorded for `participant`.
    pub fn showable(&mut self, text: &str, place: impl Fn() -> Place, participant: &str) -> String {
        let mut fixes = Vec::new();
        let clean = self.coverage.clean(text, &mut fixes).into_owned();
        self.fixes.extend(fixes.into_iter().map(|(_, fix)| TextFix {
            participant: participant.to_string(),
            place: place(),
            fix,
        }));
        clean
    }
}

/// One warning per participant whose texts had characters changed, at the first of them.
pub(super) fn text_fix_warnings(fixes: &[TextFix]) -> Vec<Warning> {
    let mut by_participant: BTreeMap<&str, Vec<&TextFix>> = BTreeMap::new();
    for f in fixes {
        by_participant.entry(&f.participant).or_default().push(f);
    }
    by_participant
        .into_iter()
        .map(|(participant, fixes)| {
            let code = |f: &TextFix| format!("U+{:04X}", f.fix.char() as u32);
            let mut others: Vec<String> = Vec::new();
            for f in &fixes[1..] {
                if code(f) != code(fixes[0]) && !others.contains(&code(f)) && others.len() < 5 {
                    others.push(code(f));
                }
            }
            let more = match (fixes.len(), others.is_empty()) {
                (1, _) => String::new(),
                (n, true) => format!("; {n} characters in all"),
                (n, false) => format!("; {n} characters in all, also {}", others.join(", ")),
            };
            Warning {
                message: format!(
                    "participant `{participant}`: {}{more}",
                    fixes[0].fix.describe()
                ),
                count: 1,
                first: fixes[0].place.clone(),
            }
        })
        .collect()
}

/// Maps required and optional columns to their positions; reports missing and duplicated ones.
pub(super) struct Columns {
    /// Looked up a dozen times per row: a fast hash.
    index: FxHashMap<String, usize>,
}

impl Columns {
    pub fn new(table: &Table, required: &[&str], diagnostics: &mut Diagnostics) -> Self {
        let mut index = FxHashMap::default();
        for (i, h) in table.headers.iter().enumerate() {
            if h.is_empty() {
                diagnostics.error(
                    table.place(Some(1), Some(i)),
                    "",
                    "a column has no name: name it or remove it",
                );
            } else if index.insert(h.clone(), i).is_some() {
                diagnostics.error(
                    table.place(Some(1), Some(i)),
                    h,
                    format!("the column `{h}` appears twice: remove or rename one"),
                );
            }
        }
        for name in required {
            if !index.contains_key(*name) {
                diagnostics.error(
                    table.place(Some(1), None),
                    "",
                    format!(
                        "missing column `{name}`: the header has {}",
                        table.headers.join(", ")
                    ),
                );
            }
        }
        Columns { index }
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// The rows that are not blank, read whole: for the participants file, which is small.
pub(super) fn data_rows(table: &Table, diagnostics: &mut Diagnostics) -> Vec<Row> {
    table
        .rows()
        .into_iter()
        .filter_map(|row| match row {
            Ok(row) => (!blank(table, &row, diagnostics)).then_some(row),
            Err(e) => {
                diagnostics.errors.push(*e);
                None
            }
        })
        .collect()
}

/// A blank row is skipped with a warning and is not counted as read.
pub(super) fn blank(table: &Table, row: &Row, diagnostics: &mut Diagnostics) -> bool {
    let blank = row.fields().all(|f| f.trim().is_empty());
    if blank {
        diagnostics.warn(table.place(Some(row.line), None), "blank rows are skipped");
    }
    blank
}

/// Checks the row's width; a ragged row is reported once and not read further.
pub(super) fn ragged(table: &Table, row: &Row, diagnostics: &mut Diagnostics) -> bool {
    let n = table.headers.len();
    if row.width() == n {
        return false;
    }
    let what = if row.width() < n {
        "too few"
    } else {
        "too many"
    };
    diagnostics.error(
        table.place(Some(row.line), None),
        "",
        format!(
            "{what} fields: the row has {} but the header has {n} (check the delimiter and the quotes)",
            row.width()
        ),
    );
    true
}
