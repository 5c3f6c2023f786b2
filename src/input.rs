//! Loading and checking the season's participants and responses (methodology.md §2).
//! Every problem is collected with its file, line and column. A run with problems stops
//! before anything is scored or written, or, with `on_bad_row = "reject"`, sets the rows with
//! problems aside for `rejects.csv` and goes on.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::{OnBadRow, QuestionKind, RESERVED_COLUMNS, Season, Sector};
use crate::glyphs::{Coverage, Fix};
use crate::table::{self, InputError, Place, Row, Table};

#[derive(Debug, Clone)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub class: String,
    pub sector: Sector,
    /// Indexes into `Season::channels`.
    pub channels: Vec<usize>,
    /// The participant's line in the participants file.
    pub line: usize,
}

/// One answer, checked against its question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Scale(i64),
    YesNo(bool),
    /// Index into the question's options.
    Choice(usize),
}

impl Answer {
    /// The value of a scale answer.
    pub fn scale(self) -> Option<i64> {
        match self {
            Answer::Scale(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Inquiry {
    pub id: String,
    /// Index into `Dataset::participants`.
    pub participant: usize,
    pub shopper_id: String,
    /// Index into `Season::channels`.
    pub channel: usize,
    pub attempts: u8,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// One entry per question of `Season::questions`.
    pub answers: Vec<Option<Answer>>,
    /// Non-empty comments by their column suffix (`comment_agent` → `agent`), in column order.
    pub comments: Vec<(String, String)>,
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
            sha256: table.sha256.clone(),
            size: table.size,
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

impl Dataset {
    pub fn rows_accepted(&self) -> usize {
        self.participants.len() + self.inquiries.len()
    }

    /// Each participant's inquiries, as indexes into `inquiries`, in inquiry order.
    pub fn inquiries_by_participant(&self) -> Vec<Vec<usize>> {
        let mut by_participant = vec![Vec::new(); self.participants.len()];
        for (index, inquiry) in self.inquiries.iter().enumerate() {
            by_participant[inquiry.participant].push(index);
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

struct Findings<'c> {
    errors: Vec<InputError>,
    warnings: BTreeMap<String, (usize, Place)>,
    coverage: &'c Coverage,
    fixes: Vec<TextFix>,
}

impl Findings<'_> {
    fn error(&mut self, place: Place, value: &str, message: impl Into<String>) {
        self.errors.push(InputError {
            place,
            value: value.to_string(),
            message: message.into(),
        });
    }

    fn warn(&mut self, place: Place, message: impl Into<String>) {
        self.warnings
            .entry(message.into())
            .and_modify(|(n, _)| *n += 1)
            .or_insert((1, place));
    }

    /// A text as the reports can show it; what had to change is recorded for `participant`.
    fn showable(&mut self, text: &str, place: impl Fn() -> Place, participant: &str) -> String {
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
fn text_fix_warnings(fixes: &[TextFix]) -> Vec<Warning> {
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

/// Loads both input files and checks them against the season. Problems with a file as a
/// whole (unreadable, missing columns) always fail; problems of single rows fail under
/// `on_bad_row = "fail"` and set the row aside under `"reject"`.
pub fn load(season: &Season, coverage: &Coverage) -> Result<Dataset, InputErrors> {
    let sheet = season.sheet.as_deref();
    let participants = table::read(
        &season.participants_path,
        season.delimiter,
        season.encoding,
        sheet,
    );
    let responses = table::read(
        &season.responses_path,
        season.delimiter,
        season.encoding,
        sheet,
    );
    match (participants, responses) {
        (Ok(p), Ok(r)) => check_tables(season, &p, &r, coverage),
        (p, r) => Err(sorted_errors(
            season,
            [p.err(), r.err()].into_iter().flatten().collect(),
        )),
    }
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
) -> Result<Dataset, InputErrors> {
    let mut findings = Findings {
        errors: Vec::new(),
        warnings: BTreeMap::new(),
        coverage,
        fixes: Vec::new(),
    };
    let mut dataset = check(season, participants, responses, &mut findings);
    let (row_errors, file_errors): (Vec<InputError>, Vec<InputError>) = findings
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
    let mut fixes = findings.fixes;
    fixes.retain(|f| !rows.contains(&(f.place.file.as_path(), f.place.line)));
    fixes.sort_by(|a, b| a.place.cmp(&b.place));
    dataset.rows_rejected = rows.len();
    dataset.rejects = rejects;
    dataset.warnings = findings
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

/// Maps required and optional columns to their positions; reports missing and duplicated ones.
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(table: &Table, required: &[&str], findings: &mut Findings) -> Self {
        let mut index = HashMap::new();
        for (i, h) in table.headers.iter().enumerate() {
            if h.is_empty() {
                findings.error(
                    table.place(Some(1), Some(i)),
                    "",
                    "a column has no name: name it or remove it",
                );
            } else if index.insert(h.clone(), i).is_some() {
                findings.error(
                    table.place(Some(1), Some(i)),
                    h,
                    format!("the column `{h}` appears twice: remove or rename one"),
                );
            }
        }
        for name in required {
            if !index.contains_key(*name) {
                findings.error(
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

    fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// Rows that are not blank; a blank row is skipped with a warning and is not counted as read.
fn data_rows<'t>(table: &'t Table, findings: &mut Findings) -> Vec<&'t Row> {
    table
        .rows
        .iter()
        .filter(|row| {
            let blank = row.fields.iter().all(|f| f.trim().is_empty());
            if blank {
                findings.warn(table.place(Some(row.line), None), "blank rows are skipped");
            }
            !blank
        })
        .collect()
}

/// Checks the row's width; a ragged row is reported once and not read further.
fn ragged(table: &Table, row: &Row, findings: &mut Findings) -> bool {
    let n = table.headers.len();
    if row.fields.len() == n {
        return false;
    }
    let what = if row.fields.len() < n {
        "too few"
    } else {
        "too many"
    };
    findings.error(
        table.place(Some(row.line), None),
        "",
        format!("{what} fields: the row has {} but the header has {n} (check the delimiter and the quotes)", row.fields.len()),
    );
    true
}

fn check(season: &Season, pt: &Table, rt: &Table, findings: &mut Findings) -> Dataset {
    let participant_rows = data_rows(pt, findings);
    let response_rows = data_rows(rt, findings);
    let rows_read = participant_rows.len() + response_rows.len();
    let (participants, rejected_participants) =
        check_participants(season, pt, &participant_rows, findings);
    let by_id: HashMap<&str, usize> = participants
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();

    let mut required: Vec<&str> = vec![
        "inquiry_id",
        "participant_id",
        "channel",
        "sent_at",
        "answered_at",
    ];
    required.extend(season.questions.iter().map(|q| q.id.as_str()));
    required.extend(season.extra_columns.iter().map(String::as_str));
    let columns = Columns::new(rt, &required, findings);
    for (i, h) in rt.headers.iter().enumerate() {
        let known = RESERVED_COLUMNS.contains(&h.as_str())
            || h.starts_with("comment_")
            || season.questions.iter().any(|q| &q.id == h)
            || season.extra_columns.contains(h);
        if !known && !h.is_empty() {
            findings.warn(
                rt.place(Some(1), Some(i)),
                format!("the column `{h}` is not a question of the config and is not read"),
            );
        }
    }
    if response_rows.is_empty() {
        findings.error(
            rt.place(None, None),
            "",
            "the responses file has no rows: it needs one row per inquiry",
        );
    }
    let empty = |participants| Dataset {
        participants,
        inquiries: vec![],
        comment_columns: vec![],
        rows_read,
        rows_rejected: 0,
        rejects: vec![],
        inputs: vec![InputFile::of(pt), InputFile::of(rt)],
        warnings: vec![],
        text_fixes: vec![],
    };
    if findings.errors.iter().any(|e| e.place.file == rt.file) {
        // Without the right columns every row would repeat the same problem.
        return empty(participants);
    }
    let comment_columns: Vec<(usize, String)> = rt
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("comment_").map(|s| (i, s.to_string())))
        .collect();
    let question_columns: Vec<Option<usize>> = season
        .questions
        .iter()
        .map(|q| columns.get(&q.id))
        .collect();
    let mut inquiries = Vec::with_capacity(response_rows.len());
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let col = |name: &str| columns.get(name);
    for row in response_rows {
        if ragged(rt, row, findings) {
            continue;
        }
        if let Some(inquiry) = check_inquiry(
            season,
            rt,
            row,
            &col,
            &question_columns,
            &comment_columns,
            &participants,
            &by_id,
            &rejected_participants,
            &mut seen_ids,
            findings,
        ) {
            inquiries.push(inquiry);
        }
    }

    // A participant without inquiries cannot be scored: its row is the problem.
    let mut per_participant = vec![0usize; participants.len()];
    for i in &inquiries {
        per_participant[i.participant] += 1;
    }
    let id_column = pt.headers.iter().position(|h| h == "participant_id");
    for (p, n) in participants.iter().zip(&per_participant) {
        if *n == 0 {
            findings.error(
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

    // Keep the participants with inquiries, in a canonical order (by id) so sums, and so
    // every last digit of a figure, never depend on the order of the input rows.
    let mut order: Vec<usize> = (0..participants.len())
        .filter(|&p| per_participant[p] > 0)
        .collect();
    order.sort_by(|&a, &b| participants[a].id.cmp(&participants[b].id));
    let mut new_index = vec![usize::MAX; participants.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Participant>> = participants.into_iter().map(Some).collect();
    let participants: Vec<Participant> = order
        .iter()
        .map(|&old| slots[old].take().expect("each taken once"))
        .collect();
    for inquiry in &mut inquiries {
        inquiry.participant = new_index[inquiry.participant];
    }
    inquiries.sort_by(|a, b| a.id.cmp(&b.id));
    let mut dataset = empty(participants);
    dataset.inquiries = inquiries;
    dataset.comment_columns = comment_columns.into_iter().map(|(_, s)| s).collect();
    dataset
}

/// Checks one responses row; `None` when it has a problem (already recorded).
#[allow(clippy::too_many_arguments)]
fn check_inquiry(
    season: &Season,
    rt: &Table,
    row: &Row,
    col: &dyn Fn(&str) -> Option<usize>,
    question_columns: &[Option<usize>],
    comment_columns: &[(usize, String)],
    participants: &[Participant],
    by_id: &HashMap<&str, usize>,
    rejected_participants: &HashMap<String, usize>,
    seen_ids: &mut HashMap<String, usize>,
    findings: &mut Findings,
) -> Option<Inquiry> {
    let at = |c: Option<usize>| rt.place(Some(row.line), c);
    let field = |c: Option<usize>| c.map_or("", |c| row.fields[c].trim());
    let errors_before = findings.errors.len();

    let id = field(col("inquiry_id"));
    if id.is_empty() {
        findings.error(at(col("inquiry_id")), id, "the inquiry_id is empty");
    } else if let Some(first) = seen_ids.insert(id.to_string(), row.line) {
        findings.error(
            at(col("inquiry_id")),
            id,
            format!("the inquiry_id `{id}` is also used on line {first}"),
        );
    }
    let pid = field(col("participant_id"));
    let participant = by_id.get(pid).copied();
    if participant.is_none() {
        match rejected_participants.get(pid) {
            // Under `fail` the participant's own row already stops the run.
            Some(_) if season.on_bad_row == OnBadRow::Fail => return None,
            Some(line) => findings.error(
                at(col("participant_id")),
                pid,
                format!("participant `{pid}` was set aside: see line {line} of the participants file"),
            ),
            None => findings.error(
                at(col("participant_id")),
                pid,
                format!("unknown participant_id `{pid}`: add it to the participants file or correct the id"),
            ),
        }
    }
    let channel_name = field(col("channel"));
    let channel = season.channel_index(&channel_name.to_lowercase());
    match (channel, participant) {
        (None, _) => {
            let known: Vec<&str> = season.channels.iter().map(|c| c.id.as_str()).collect();
            findings.error(
                at(col("channel")),
                channel_name,
                format!(
                    "unknown channel `{channel_name}`: the config knows {}",
                    known.join(", ")
                ),
            );
        }
        (Some(c), Some(p)) if !participants[p].channels.contains(&c) => findings.warn(
            at(col("channel")),
            "an inquiry uses a channel its participant does not list in the participants file",
        ),
        _ => {}
    }
    let attempts = match field(col("attempts")) {
        "" | "1" => 1,
        "2" => 2,
        other => {
            findings.error(
                at(col("attempts")),
                other,
                format!("attempts `{other}` must be 1 or 2"),
            );
            1
        }
    };
    let mut stamp = |name: &str| -> Option<DateTime<Utc>> {
        let text = field(col(name));
        if text.is_empty() {
            return None;
        }
        parse_timestamp(text, season.timezone)
            .map_err(|m| findings.error(at(col(name)), text, m))
            .ok()
    };
    let sent_at = stamp("sent_at");
    let answered_at = stamp("answered_at");
    let ended_at = stamp("ended_at");
    if field(col("sent_at")).is_empty() {
        findings.error(
            at(col("sent_at")),
            "",
            "sent_at is empty: every inquiry needs the time it was sent",
        );
    }
    if let (Some(s), Some(a)) = (sent_at, answered_at)
        && a < s
    {
        findings.error(
            at(col("answered_at")),
            field(col("answered_at")),
            "answered_at is before sent_at",
        );
    }
    if let (Some(a), Some(e)) = (answered_at, ended_at)
        && e < a
    {
        findings.error(
            at(col("ended_at")),
            field(col("ended_at")),
            "ended_at is before answered_at",
        );
    }
    if let (Some(s), Some((from, to))) = (sent_at, season.period) {
        let day = s.with_timezone(&season.timezone).date_naive();
        if day < from || day > to {
            findings.error(
                at(col("sent_at")),
                field(col("sent_at")),
                format!("sent_at is outside the season's period {from} – {to} (season.period)"),
            );
        }
    }

    let mut answers = Vec::with_capacity(season.questions.len());
    if let (Some(participant), Some(channel)) = (participant, channel) {
        let sector = participants[participant].sector;
        let answered = season.channels[channel].limit.is_none() || answered_at.is_some();
        for (q, c) in season.questions.iter().zip(question_columns) {
            let text = field(*c);
            let answer = if text.is_empty() {
                None
            } else {
                match parse_answer(q, text) {
                    Err(m) => {
                        findings.error(at(*c), text, m);
                        None
                    }
                    Ok(_) if !answered => {
                        findings.warn(at(*c), "answers on unanswered inquiries are ignored");
                        None
                    }
                    Ok(_) if !q.applies(channel, sector) => {
                        findings.warn(at(*c), format!("answers to `{}` where it does not apply (channel or sector) are ignored", q.id));
                        None
                    }
                    Ok(answer) => Some(answer),
                }
            };
            answers.push(answer);
        }
    }
    let mut extra = Vec::with_capacity(season.extra_columns.len());
    for (index, name) in season.extra_columns.iter().enumerate() {
        let c = col(name);
        let value = field(c);
        for b in &season.breakdowns {
            if b.column == crate::config::BreakdownColumn::Free(index)
                && !b.categories.is_empty()
                && !value.is_empty()
                && !b.categories.iter().any(|k| k.key == value)
            {
                let keys: Vec<&str> = b.categories.iter().map(|k| k.key.as_str()).collect();
                findings.error(
                    at(c),
                    value,
                    format!(
                        "`{value}` is not a category of breakdown `{}`: use one of {} (or leave it empty)",
                        b.id,
                        keys.join(", ")
                    ),
                );
            }
        }
        extra.push(value.to_string());
    }
    if findings.errors.len() > errors_before {
        return None;
    }
    let comments = comment_columns
        .iter()
        .filter_map(|(c, suffix)| {
            let text = row.fields[*c].trim();
            (!text.is_empty()).then(|| {
                (
                    suffix.clone(),
                    findings.showable(text, || at(Some(*c)), pid),
                )
            })
        })
        .collect();
    let extra = extra
        .iter()
        .zip(&season.extra_columns)
        .map(|(value, name)| findings.showable(value, || at(col(name)), pid))
        .collect();
    let shopper_id = findings.showable(field(col("shopper_id")), || at(col("shopper_id")), pid);
    Some(Inquiry {
        id: id.to_string(),
        participant: participant?,
        shopper_id,
        channel: channel?,
        attempts,
        sent_at: sent_at?,
        answered_at,
        ended_at,
        answers,
        comments,
        extra,
    })
}

/// Checks the participants rows. Returns the accepted participants and, by id, the line of
/// each participant row that was set aside.
fn check_participants(
    season: &Season,
    pt: &Table,
    rows: &[&Row],
    findings: &mut Findings,
) -> (Vec<Participant>, HashMap<String, usize>) {
    const COLUMNS: [&str; 5] = ["participant_id", "name", "class", "sector", "channels"];
    let columns = Columns::new(pt, &COLUMNS, findings);
    for (i, h) in pt.headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) && !h.is_empty() {
            findings.warn(
                pt.place(Some(1), Some(i)),
                format!("the column `{h}` of the participants file is not read"),
            );
        }
    }
    if rows.is_empty() {
        findings.error(
            pt.place(None, None),
            "",
            "the participants file has no rows: it needs one row per participant",
        );
    }
    let mut rejected = HashMap::new();
    if findings.errors.iter().any(|e| e.place.file == pt.file) {
        return (vec![], rejected);
    }
    let [id_c, name_c, class_c, sector_c, channels_c] =
        COLUMNS.map(|c| columns.get(c).expect("checked above"));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut participants = Vec::new();
    for row in rows {
        let at = |c: usize| pt.place(Some(row.line), Some(c));
        if ragged(pt, row, findings) {
            continue;
        }
        let field = |c: usize| row.fields[c].trim();
        let errors_before = findings.errors.len();
        for (c, what) in [
            (id_c, "participant_id"),
            (name_c, "name"),
            (class_c, "class"),
        ] {
            if field(c).is_empty() {
                findings.error(at(c), "", format!("the {what} is empty"));
            }
        }
        let id = field(id_c);
        if !id.is_empty() {
            if let Some(first) = seen.insert(id.to_string(), row.line) {
                findings.error(
                    at(id_c),
                    id,
                    format!("the participant_id `{id}` is also used on line {first}"),
                );
            } else if id.starts_with('.')
                || !id
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                findings.error(
                    at(id_c),
                    id,
                    format!("the participant_id `{id}` cannot name its report file: use letters, digits, `-`, `_` and `.`"),
                );
            }
        }
        let sector = match field(sector_c).to_lowercase().as_str() {
            "private" => Sector::Private,
            "public" => Sector::Public,
            other => {
                findings.error(
                    at(sector_c),
                    other,
                    format!("sector `{other}` must be `private` or `public`"),
                );
                Sector::Private
            }
        };
        let mut channels = Vec::new();
        for name in field(channels_c)
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match season.channel_index(&name.to_lowercase()) {
                Some(c) if !channels.contains(&c) => channels.push(c),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = season.channels.iter().map(|c| c.id.as_str()).collect();
                    findings.error(
                        at(channels_c),
                        field(channels_c),
                        format!("unknown channel `{name}`: the config knows {} (separate channels with |)", known.join(", ")),
                    );
                }
            }
        }
        if findings.errors.len() > errors_before {
            // A duplicate keeps the first row's participant; only the repeat is set aside.
            if !seen.get(id).is_some_and(|first| *first != row.line) {
                rejected.insert(id.to_string(), row.line);
            }
            continue;
        }
        participants.push(Participant {
            id: id.to_string(),
            name: findings.showable(field(name_c), || at(name_c), id),
            class: findings.showable(field(class_c), || at(class_c), id),
            sector,
            channels,
            line: row.line,
        });
    }
    (participants, rejected)
}

/// Parses an answer by the question's kind.
pub fn parse_answer(q: &crate::config::Question, text: &str) -> Result<Answer, String> {
    match q.kind {
        QuestionKind::Scale => {
            let (lo, hi) = q.scale.expect("scale questions have a scale");
            let v: i64 = text.parse().map_err(|_| {
                format!(
                    "`{text}` is not a whole number on the scale {lo}–{hi} of `{}`",
                    q.id
                )
            })?;
            if v < lo || v > hi {
                return Err(format!("{v} is outside the scale {lo}–{hi} of `{}`", q.id));
            }
            Ok(Answer::Scale(v))
        }
        QuestionKind::YesNo => match text.to_lowercase().as_str() {
            "ja" | "yes" | "1" => Ok(Answer::YesNo(true)),
            "nei" | "no" | "0" => Ok(Answer::YesNo(false)),
            _ => Err(format!(
                "`{text}` is not an answer to the yes/no question `{}`: use ja/nei, yes/no or 1/0",
                q.id
            )),
        },
        QuestionKind::Choice => q
            .options
            .iter()
            .position(|o| o.key.eq_ignore_ascii_case(text))
            .map(Answer::Choice)
            .ok_or_else(|| {
                let keys: Vec<&str> = q.options.iter().map(|o| o.key.as_str()).collect();
                format!(
                    "`{text}` is not an option of `{}`: use one of {}",
                    q.id,
                    keys.join(", ")
                )
            }),
    }
}

/// Parses RFC 3339 with an offset, or `YYYY-MM-DD HH:MM[:SS]` local time in the season's zone.
/// A local time that falls in the autumn's repeated hour is taken as its first occurrence.
pub fn parse_timestamp(text: &str, timezone: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    const LOCAL: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ];
    let naive = LOCAL
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| {
            format!("`{text}` is not a timestamp: write RFC 3339 (2022-03-04T10:00:00+01:00) or local YYYY-MM-DD HH:MM[:SS]")
        })?;
    timezone
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            format!(
                "`{text}` does not exist in {timezone}: the clocks skipped it (daylight saving)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_local_and_offset() {
        let oslo = chrono_tz::Europe::Oslo;
        let a = parse_timestamp("2022-03-04 10:00", oslo).unwrap();
        let b = parse_timestamp("2022-03-04T10:00:00+01:00", oslo).unwrap();
        assert_eq!(a, b);
        // Summer time: 10:00 in Oslo is 08:00 UTC.
        assert_eq!(
            parse_timestamp("2022-06-01 10:00:00", oslo)
                .unwrap()
                .to_rfc3339(),
            "2022-06-01T08:00:00+00:00"
        );
        assert!(
            parse_timestamp("2022-03-27 02:30", oslo)
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(parse_timestamp("04.03.2022", oslo).is_err());
        // The repeated hour of 30 Oct 2022 resolves to its first (summer-time) occurrence.
        assert_eq!(
            parse_timestamp("2022-10-30 02:30", oslo)
                .unwrap()
                .to_rfc3339(),
            "2022-10-30T00:30:00+00:00"
        );
    }
}
