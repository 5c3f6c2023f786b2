//! Loading and checking the season's participants and responses (methodology.md §2).
//! Every problem is collected with its file, line and column. A run with problems stops
//! before anything is scored or written, or, with `on_bad_row = "reject"`, sets the rows with
//! problems aside for `rejects.csv` and goes on. Texts are made showable as they are read.

mod diagnostics;
mod participants;
mod responses;
pub mod table;
mod values;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use table::{InputError, Place, Row, Table};
pub use values::{ValueError, parse_answer, parse_timestamp};

use crate::config::{ChannelIx, OnBadRow, Season, Sector};
use crate::glyphs::{Coverage, Fix};
use diagnostics::{Diagnostics, data_rows, text_fix_warnings};

#[derive(Debug, Clone)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub class: String,
    pub sector: Sector,
    pub channels: Vec<ChannelIx>,
    /// The participant's line in the participants file.
    pub line: usize,
}

/// One answer, checked against its question: eight bytes, as a large season holds tens of
/// millions of them (a scale's ends fit in `i32`, which the config checks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Scale(i32),
    YesNo(bool),
    /// Index into the question's options.
    Choice(u32),
}

impl Answer {
    /// The value of a scale answer.
    pub fn scale(self) -> Option<i64> {
        match self {
            Answer::Scale(v) => Some(v.into()),
            _ => None,
        }
    }

    /// The option of a choice answer, as an index into the question's options.
    pub fn choice(self) -> Option<usize> {
        match self {
            Answer::Choice(o) => Some(o as usize),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Inquiry {
    pub id: String,
    /// The inquiry's line in the responses file.
    pub line: usize,
    pub participant: ParticipantIx,
    pub shopper_id: String,
    pub channel: ChannelIx,
    pub attempts: u8,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// One entry per question of `Season::questions`.
    pub answers: Vec<Option<Answer>>,
    /// Non-empty comments by their column, an index into `Dataset::comment_columns`, in
    /// column order.
    pub comments: Vec<(usize, String)>,
    /// The values of `Season::extra_columns`, trimmed; empty when not given.
    pub extra: Vec<String>,
}

/// A character of a participant's texts changed so the reports can show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFix {
    pub participant: String,
    /// The cell the character is in.
    pub place: Place,
    pub fix: Fix,
}

/// An input file as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
}

impl InputFile {
    fn of(table: &Table) -> InputFile {
        InputFile {
            path: table.file.clone(),
            sha256: table.sha256(),
            size: table.size(),
        }
    }
}

/// A warning counted over the whole input, with the first place it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub count: usize,
    pub first: Place,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub participants: Vec<Participant>,
    pub inquiries: Vec<Inquiry>,
    /// Comment column suffixes, in file order.
    pub comment_columns: Vec<String>,
    /// Data rows in both files, blank rows not counted: accepted + rejected.
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// With `on_bad_row = "reject"`: every problem of every rejected row, by file and line.
    pub rejects: Vec<InputError>,
    /// The input files read: participants, then responses.
    pub inputs: Vec<InputFile>,
    pub warnings: Vec<Warning>,
    /// Characters of names, classes, comments and other texts that no font has (shown as a
    /// placeholder) or that were control characters (removed), in file and line order.
    pub text_fixes: Vec<TextFix>,
}

/// A participant's place in `Dataset::participants`, typed where it sits beside other
/// indexes (an inquiry's participant, a class's members and winners, an award's winner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParticipantIx(pub usize);

impl Dataset {
    pub fn participant(&self, p: ParticipantIx) -> &Participant {
        &self.participants[p.0]
    }

    pub fn rows_accepted(&self) -> usize {
        self.participants.len() + self.inquiries.len()
    }

    /// Each participant's inquiries, as indexes into `inquiries`, in inquiry order.
    pub fn inquiries_by_participant(&self) -> Vec<Vec<usize>> {
        let mut by_participant = vec![Vec::new(); self.participants.len()];
        for (index, inquiry) in self.inquiries.iter().enumerate() {
            by_participant[inquiry.participant.0].push(index);
        }
        by_participant
    }
}

/// All problems found, sorted by file and line, listing at most `input.max_problems`.
#[derive(Debug, Clone, thiserror::Error)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    pub total: usize,
}

impl std::fmt::Display for InputErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
            crate::snippet::write_notes(f, e.snippet.as_ref(), e.help.as_deref())?;
        }
        if self.total > self.errors.len() {
            write!(
                f,
                "\n… and {} more problems (raise input.max_problems to list them)",
                self.total - self.errors.len()
            )?;
        }
        Ok(())
    }
}

/// Whether loading hashes the input files for the manifest, beside its checks: a run's
/// manifest needs them, `ksp validate` and `ksp sensitivity` do not (hashing a large
/// responses file was a tenth of validate's work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashes {
    Make,
    Skip,
}

/// Loads both input files and checks them against the season. Problems with a file as a
/// whole (unreadable, missing columns) always fail; problems of single rows fail under
/// `on_bad_row = "fail"` and set the row aside under `"reject"`.
pub fn load(season: &Season, coverage: &Coverage, hashes: Hashes) -> Result<Dataset, InputErrors> {
    let read = |path| {
        table::read(
            path,
            season.delimiter,
            season.encoding,
            season.sheet.as_deref(),
        )
    };
    let checked = match (
        read(&season.participants_path),
        read(&season.responses_path),
    ) {
        (Ok(p), Ok(r)) => check_tables(season, &p, &r, coverage, hashes),
        (p, r) => Err(sorted_errors(
            season,
            [p.err(), r.err()]
                .into_iter()
                .flatten()
                .map(|e| *e)
                .collect(),
        )),
    };
    checked.map_err(|mut e| {
        table::annotate(&mut e.errors, season.delimiter, season.encoding);
        e
    })
}

/// The participants file first, as its problems often explain those of the responses; then
/// by line and column.
fn sort_errors(season: &Season, errors: &mut [InputError]) {
    errors.sort_by(|a, b| {
        (a.place.file != season.participants_path, a)
            .cmp(&(b.place.file != season.participants_path, b))
    });
}

/// Sorted, with at most `input.max_problems` listed.
fn sorted_errors(season: &Season, mut errors: Vec<InputError>) -> InputErrors {
    sort_errors(season, &mut errors);
    let total = errors.len();
    errors.truncate(season.max_problems);
    InputErrors { errors, total }
}

/// Checks two tables already read (from files or memory) against the season; texts are made
/// showable with the fonts of `coverage`.
pub fn check_tables(
    season: &Season,
    participants: &Table,
    responses: &Table,
    coverage: &Coverage,
    hashes: Hashes,
) -> Result<Dataset, InputErrors> {
    let mut diagnostics = Diagnostics::new(coverage);
    let mut dataset = match hashes {
        // The files are hashed for the manifest while their rows are checked: a core's work
        // of a third of a second for a large season, which would otherwise hold up the other.
        Hashes::Make => {
            let (inputs, dataset) = rayon::join(
                || vec![InputFile::of(participants), InputFile::of(responses)],
                || check(season, participants, responses, &mut diagnostics),
            );
            Dataset { inputs, ..dataset }
        }
        Hashes::Skip => check(season, participants, responses, &mut diagnostics),
    };
    let (row_errors, file_errors): (Vec<InputError>, Vec<InputError>) = diagnostics
        .errors
        .into_iter()
        .partition(|e| e.place.line.is_some_and(|l| l > 1));
    if !file_errors.is_empty() || (season.on_bad_row == OnBadRow::Fail && !row_errors.is_empty()) {
        return Err(sorted_errors(
            season,
            file_errors.into_iter().chain(row_errors).collect(),
        ));
    }
    let mut rejects = row_errors;
    sort_errors(season, &mut rejects);
    let mut rows: Vec<(&std::path::Path, Option<usize>)> = rejects
        .iter()
        .map(|e| (e.place.file.as_path(), e.place.line))
        .collect();
    rows.dedup();
    // A rejected row's texts are not shown, so what was changed in them does not matter.
    let mut fixes = diagnostics.fixes;
    fixes.retain(|f| !rows.contains(&(f.place.file.as_path(), f.place.line)));
    fixes.sort_by(|a, b| a.place.cmp(&b.place));
    dataset.rows_rejected = rows.len();
    dataset.rejects = rejects;
    dataset.warnings = diagnostics
        .warnings
        .into_iter()
        .map(|(message, (count, first))| Warning {
            message,
            count,
            first,
        })
        .chain(text_fix_warnings(&fixes))
        .collect();
    dataset.text_fixes = fixes;
    Ok(dataset)
}

fn check(season: &Season, pt: &Table, rt: &Table, diagnostics: &mut Diagnostics) -> Dataset {
    let participant_rows = data_rows(pt, diagnostics);
    let checked = participants::check(season, pt, &participant_rows, diagnostics);
    let mut dataset = Dataset {
        participants: Vec::new(),
        inquiries: Vec::new(),
        comment_columns: Vec::new(),
        rows_read: participant_rows.len(),
        rows_rejected: 0,
        rejects: Vec::new(),
        // Hashed beside the checks when asked, in `check_tables`.
        inputs: Vec::new(),
        warnings: Vec::new(),
        text_fixes: Vec::new(),
    };
    let Some(responses) = responses::Responses::new(
        season,
        rt,
        &checked.participants,
        &checked.rejected,
        diagnostics,
    ) else {
        // Counted still, so a file without rows says so beside its header's problems.
        no_rows(rt, data_rows(rt, diagnostics).len(), diagnostics);
        dataset.participants = checked.participants;
        return dataset;
    };
    let mut read = responses.read_all(diagnostics);
    if no_rows(rt, read.rows, diagnostics) {
        dataset.participants = checked.participants;
        return dataset;
    }
    dataset.rows_read += read.rows;
    responses.set_aside_repeats(&mut read.inquiries, &mut read.ids_set_aside, diagnostics);
    dataset.comment_columns = responses.comment_columns();
    let (participants, inquiries) =
        canonical(pt, rt, checked.participants, read.inquiries, diagnostics);
    dataset.participants = participants;
    dataset.inquiries = inquiries;
    dataset
}

/// Whether the responses file has no rows, an error of the file.
fn no_rows(rt: &Table, rows: usize, diagnostics: &mut Diagnostics) -> bool {
    if rows == 0 {
        diagnostics.error(
            rt.place(None, None),
            "",
            "the responses file has no rows: it needs one row per inquiry",
        );
    }
    rows == 0
}

/// The participants with inquiries (one without is an error of its row), sorted by id, with
/// the inquiries renumbered to them. The inquiries come sorted by id
/// ([`responses::Responses::set_aside_repeats`]): sums, and so every last digit of a figure,
/// never depend on the order of the input rows.
fn canonical(
    pt: &Table,
    rt: &Table,
    participants: Vec<Participant>,
    mut inquiries: Vec<Inquiry>,
    diagnostics: &mut Diagnostics,
) -> (Vec<Participant>, Vec<Inquiry>) {
    let mut per_participant = vec![0usize; participants.len()];
    for i in &inquiries {
        per_participant[i.participant.0] += 1;
    }
    let id_column = pt.headers.iter().position(|h| h == "participant_id");
    for (p, n) in participants.iter().zip(&per_participant) {
        if *n == 0 {
            diagnostics.error(
                pt.place(Some(p.line), id_column),
                &p.id,
                format!(
                    "participant `{}` has no inquiries in {}",
                    p.id,
                    rt.file.display()
                ),
            );
        }
    }
    let mut order: Vec<usize> = (0..participants.len())
        .filter(|&p| per_participant[p] > 0)
        .collect();
    order.sort_by(|&a, &b| participants[a].id.cmp(&participants[b].id));
    let mut new_index = vec![usize::MAX; participants.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Participant>> = participants.into_iter().map(Some).collect();
    let participants = order
        .iter()
        .map(|&old| slots[old].take().expect("each taken once"))
        .collect();
    for inquiry in &mut inquiries {
        inquiry.participant = ParticipantIx(new_index[inquiry.participant.0]);
    }
    (participants, inquiries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The hand-worked season's participants with these responses, bad rows set aside.
    fn with_responses(rows: &[&str]) -> Dataset {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/handworked");
        let overrides = crate::config::Overrides::set(&["input.on_bad_row=reject".into()]);
        let season = crate::config::load(&root.join("ksp.toml"), &overrides).unwrap();
        let participants = std::fs::read(&season.participants_path).unwrap();
        let participants = table::read_csv(&season.participants_path, participants, None);
        let header = "inquiry_id,participant_id,shopper_id,channel,attempts,sent_at,answered_at,ended_at,listened,answers,would_buy,grade,nps,comment_agent";
        let text = std::iter::once(header).chain(rows.iter().copied());
        let text = text.collect::<Vec<_>>().join("\n").into_bytes();
        let responses = table::read_csv(&season.responses_path, text, None);
        let coverage = Coverage::everything();
        check_tables(
            &season,
            &participants.unwrap(),
            &responses.unwrap(),
            &coverage,
            Hashes::Make,
        )
        .unwrap()
    }

    #[test]
    fn a_repeated_inquiry_id_is_set_aside_naming_the_line_it_was_last_used_on() {
        let row = |id: &str, channel: &str| {
            format!("{id},A,S1,{channel},1,2022-03-01 10:00:00,2022-03-01 10:00:45,,5,ja,nei,4,9,")
        };
        let rows = [
            row("X1", "phone"),
            row("X2", "fax"),
            row("X1", "phone"),
            row("X2", "phone"),
            row("X1", "email"),
        ];
        let data = with_responses(&rows.iter().map(String::as_str).collect::<Vec<_>>());
        let ids: Vec<(&str, usize)> = data
            .inquiries
            .iter()
            .map(|i| (i.id.as_str(), i.line))
            .collect();
        assert_eq!(ids, [("X1", 2)]);
        let problems: Vec<(Option<usize>, &str)> = data
            .rejects
            .iter()
            .filter(|e| e.place.file.ends_with("responses.csv"))
            .map(|e| (e.place.line, e.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                (
                    Some(3),
                    "unknown channel `fax`: the config knows phone, email"
                ),
                (Some(4), "the inquiry_id `X1` is also used on line 2"),
                (Some(5), "the inquiry_id `X2` is also used on line 3"),
                (Some(6), "the inquiry_id `X1` is also used on line 4"),
            ]
        );
    }
}
