//! The responses file: one row per inquiry (or interview), checked field by field against
//! the season and the participants.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rayon::iter::{ParallelBridge, ParallelIterator};
use rayon::slice::ParallelSliceMut;
use rustc_hash::{FxHashMap, FxHashSet};

use super::diagnostics::{Columns, Diagnostics, blank, ragged};
use super::table::{Batch, Place, Row, Table};
use super::values::{parse_answer, parse_timestamp, suggestion};
use super::{Answer, Inquiry, Participant, ParticipantIx};
use crate::config::{BreakdownColumn, ChannelIx, OnBadRow, RESERVED_COLUMNS, Season};
use crate::glyphs::Coverage;

/// `sent_at`, `answered_at` and `ended_at` of a row, each when given and readable.
type Times = (
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// Rows one thread checks at a time: large enough that handing out batches costs nothing,
/// small enough that both cores stay busy to the end.
const BATCH_ROWS: usize = 4096;

/// What reading the responses rows found.
pub(super) struct Read {
    /// The inquiries of rows without problems, in file order.
    pub inquiries: Vec<Inquiry>,
    /// Rows read, blank rows not counted.
    pub rows: usize,
    /// The ids of rows set aside, with their lines: a repeat of one is still a repeat.
    pub ids_set_aside: Vec<(String, usize)>,
}

/// What one batch of rows gave.
struct Part<'c> {
    diagnostics: Diagnostics<'c>,
    read: Read,
}

/// What reading a responses row needs to know.
pub(super) struct Responses<'a> {
    season: &'a Season,
    table: &'a Table,
    columns: Columns,
    /// The column of each question of the season.
    questions: Vec<Option<usize>>,
    /// `comment_*` columns with their suffix.
    comments: Vec<(usize, String)>,
    participants: &'a [Participant],
    by_id: FxHashMap<&'a str, usize>,
    /// Participants whose own row was set aside, with its line.
    rejected: &'a HashMap<String, usize>,
}

/// The responses row being read: its table, line and fields.
struct Fields<'r> {
    table: &'r Table,
    row: &'r Row,
}

impl Fields<'_> {
    fn at(&self, column: Option<usize>) -> Place {
        self.table.place(Some(self.row.line), column)
    }

    fn get(&self, column: Option<usize>) -> &str {
        column.map_or("", |c| self.row.field(c).trim())
    }
}

impl<'a> Responses<'a> {
    /// Checks the header; `None` when it lacks a column, since every row would then repeat
    /// the same problem.
    pub fn new(
        season: &'a Season,
        table: &'a Table,
        participants: &'a [Participant],
        rejected: &'a HashMap<String, usize>,
        diagnostics: &mut Diagnostics,
    ) -> Option<Responses<'a>> {
        let mut required: Vec<&str> = vec![
            "inquiry_id",
            "participant_id",
            "channel",
            "sent_at",
            "answered_at",
        ];
        required.extend(season.questions.iter().map(|q| q.id.as_str()));
        required.extend(season.extra_columns.iter().map(String::as_str));
        let columns = Columns::new(table, &required, diagnostics);
        for (i, h) in table.headers.iter().enumerate() {
            let known = RESERVED_COLUMNS.contains(&h.as_str())
                || h.starts_with("comment_")
                || season.questions.iter().any(|q| &q.id == h)
                || season.extra_columns.contains(h);
            if !known && !h.is_empty() {
                diagnostics.warn(
                    table.place(Some(1), Some(i)),
                    format!("the column `{h}` is not a question of the config and is not read"),
                );
            }
        }
        if diagnostics
            .errors
            .iter()
            .any(|e| e.place.file == table.file)
        {
            return None;
        }
        Some(Responses {
            season,
            table,
            questions: season
                .questions
                .iter()
                .map(|q| columns.get(&q.id))
                .collect(),
            columns,
            comments: table
                .headers
                .iter()
                .enumerate()
                .filter_map(|(i, h)| h.strip_prefix("comment_").map(|s| (i, s.to_string())))
                .collect(),
            participants,
            by_id: participants
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect(),
            rejected,
        })
    }

    /// The comment columns' suffixes, in file order.
    pub fn comment_columns(&self) -> Vec<String> {
        self.comments.iter().map(|(_, s)| s.clone()).collect()
    }

    /// Every row that passes its checks, as an inquiry, in file order. Rows are checked in
    /// batches in parallel; what each batch finds is added in file order, so the outcome does
    /// not depend on the number of threads.
    pub fn read_all(&self, diagnostics: &mut Diagnostics) -> Read {
        let coverage = diagnostics.coverage;
        let mut parts: Vec<(usize, Part)> = self
            .table
            .batches(BATCH_ROWS)
            .enumerate()
            .par_bridge()
            .map(|(i, batch)| (i, self.read_batch(batch, coverage)))
            .collect();
        parts.sort_unstable_by_key(|(i, _)| *i);
        let inquiries = parts.iter().map(|(_, p)| p.read.inquiries.len()).sum();
        let mut read = Read {
            inquiries: Vec::with_capacity(inquiries),
            rows: 0,
            ids_set_aside: Vec::new(),
        };
        for (_, part) in parts {
            diagnostics.absorb(part.diagnostics);
            read.inquiries.extend(part.read.inquiries);
            read.rows += part.read.rows;
            read.ids_set_aside.extend(part.read.ids_set_aside);
        }
        read
    }

    fn read_batch<'c>(&self, batch: Batch, coverage: &'c Coverage) -> Part<'c> {
        let mut diagnostics = Diagnostics::new(coverage);
        let mut read = Read {
            inquiries: Vec::with_capacity(BATCH_ROWS),
            rows: 0,
            ids_set_aside: Vec::new(),
        };
        let id_column = self.col("inquiry_id");
        batch.for_each(|row| {
            let row = match row {
                Ok(row) => row,
                Err(e) => return diagnostics.errors.push(*e),
            };
            if blank(self.table, row, &mut diagnostics) {
                return;
            }
            read.rows += 1;
            if ragged(self.table, row, &mut diagnostics) {
                return;
            }
            match self.read(row, &mut diagnostics) {
                Some(inquiry) => read.inquiries.push(inquiry),
                None => {
                    let id = id_column.map_or("", |c| row.field(c).trim());
                    if !id.is_empty() {
                        read.ids_set_aside.push((id.to_string(), row.line));
                    }
                }
            }
        });
        Part { diagnostics, read }
    }

    /// Sets aside every row that repeats an inquiry id used on an earlier line (read or set
    /// aside itself), as an error naming the line the id was last used on. Leaves the
    /// inquiries sorted by id.
    pub fn set_aside_repeats(
        &self,
        inquiries: &mut Vec<Inquiry>,
        ids_set_aside: &mut [(String, usize)],
        diagnostics: &mut Diagnostics,
    ) {
        inquiries.par_sort_unstable_by(|a, b| (&a.id, a.line).cmp(&(&b.id, b.line)));
        ids_set_aside.sort_unstable();
        let mut read = inquiries.iter().map(|i| (i.id.as_str(), i.line)).peekable();
        let mut aside = ids_set_aside
            .iter()
            .map(|(id, line)| (id.as_str(), *line))
            .peekable();
        let uses = std::iter::from_fn(|| match (read.peek(), aside.peek()) {
            (Some(r), Some(a)) if a < r => aside.next(),
            (Some(_), _) => read.next(),
            _ => aside.next(),
        });
        let column = self.col("inquiry_id");
        let mut repeats = FxHashSet::default();
        let mut last: Option<(&str, usize)> = None;
        for (id, line) in uses {
            if let Some((_, before)) = last.filter(|(before_id, _)| *before_id == id) {
                diagnostics.error(
                    self.table.place(Some(line), column),
                    id,
                    format!("the inquiry_id `{id}` is also used on line {before}"),
                );
                repeats.insert(line);
            }
            last = Some((id, line));
        }
        if !repeats.is_empty() {
            inquiries.retain(|i| !repeats.contains(&i.line));
        }
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name)
    }

    /// One row's inquiry; `None` when it has a problem (recorded in `diagnostics`).
    fn read(&self, row: &Row, diagnostics: &mut Diagnostics) -> Option<Inquiry> {
        let f = Fields {
            table: self.table,
            row,
        };
        let before = diagnostics.mark();
        let id = self.inquiry_id(&f, diagnostics);
        let pid = f.get(self.col("participant_id"));
        let participant = self.participant(&f, pid, diagnostics)?;
        let channel = self.channel(&f, participant, diagnostics);
        let attempts = self.attempts(&f, diagnostics);
        let (sent_at, answered_at, ended_at) = self.times(&f, diagnostics);
        let answers = match (participant, channel) {
            (Some(p), Some(c)) => self.answers(&f, p, c, answered_at.is_some(), diagnostics),
            _ => Vec::new(),
        };
        let extra = self.extra(&f, diagnostics);
        if diagnostics.mark() > before {
            return None;
        }
        Some(Inquiry {
            id: id.to_string(),
            line: row.line,
            participant: ParticipantIx(participant?),
            shopper_id: diagnostics.showable(
                f.get(self.col("shopper_id")),
                || f.at(self.col("shopper_id")),
                pid,
            ),
            channel: channel?,
            attempts,
            sent_at: sent_at?,
            answered_at,
            ended_at,
            answers,
            comments: self.comments(&f, pid, diagnostics),
            extra: extra
                .iter()
                .zip(&self.season.extra_columns)
                .map(|(value, name)| diagnostics.showable(value, || f.at(self.col(name)), pid))
                .collect(),
        })
    }

    /// The row's inquiry id; repeats are found once every row is read
    /// ([`Responses::set_aside_repeats`]).
    fn inquiry_id<'r>(&self, f: &Fields<'r>, diagnostics: &mut Diagnostics) -> &'r str {
        let c = self.col("inquiry_id");
        let id = c.map_or("", |c| f.row.field(c).trim());
        if id.is_empty() {
            diagnostics.error(f.at(c), id, "the inquiry_id is empty");
        }
        id
    }

    /// The row's participant: `Some(None)` for an unknown one (an error), `None` when the row
    /// is not read at all (its participant's own row already stops the run).
    fn participant(
        &self,
        f: &Fields,
        pid: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Option<usize>> {
        let participant = self.by_id.get(pid).copied();
        if participant.is_some() {
            return Some(participant);
        }
        let at = f.at(self.col("participant_id"));
        match self.rejected.get(pid) {
            Some(_) if self.season.on_bad_row == OnBadRow::Fail => return None,
            Some(line) => diagnostics.error(
                at,
                pid,
                format!("participant `{pid}` was set aside: see line {line} of the participants file"),
            ),
            None => diagnostics.error(
                at,
                pid,
                format!("unknown participant_id `{pid}`: add it to the participants file or correct the id"),
            ),
        }
        Some(None)
    }

    fn channel(
        &self,
        f: &Fields,
        participant: Option<usize>,
        diagnostics: &mut Diagnostics,
    ) -> Option<ChannelIx> {
        let c = self.col("channel");
        let name = f.get(c);
        let channel = self.season.channel_index(&name.to_lowercase());
        match (channel, participant) {
            (None, _) => {
                let known: Vec<&str> = self.season.channels.iter().map(|c| c.id.as_str()).collect();
                diagnostics.error_with_help(
                    f.at(c),
                    name,
                    format!(
                        "unknown channel `{name}`: the config knows {}",
                        known.join(", ")
                    ),
                    suggestion(name, &known),
                );
            }
            (Some(ch), Some(p)) if !self.participants[p].channels.contains(&ch) => diagnostics.warn(
                f.at(c),
                "an inquiry uses a channel its participant does not list in the participants file",
            ),
            _ => {}
        }
        channel
    }

    fn attempts(&self, f: &Fields, diagnostics: &mut Diagnostics) -> u8 {
        let c = self.col("attempts");
        match f.get(c) {
            "" | "1" => 1,
            "2" => 2,
            other => {
                diagnostics.error(f.at(c), other, format!("attempts `{other}` must be 1 or 2"));
                1
            }
        }
    }

    /// `sent_at`, `answered_at` and `ended_at`, in order and within the season's period.
    fn times(&self, f: &Fields, diagnostics: &mut Diagnostics) -> Times {
        let (tz, period) = (self.season.timezone, self.season.period);
        let mut stamp = |name: &str| {
            let c = self.col(name);
            let text = f.get(c);
            if text.is_empty() {
                return None;
            }
            parse_timestamp(text, tz)
                .map_err(|e| diagnostics.error_with_help(f.at(c), text, e.message, e.help))
                .ok()
        };
        let (sent, answered, ended) = (stamp("sent_at"), stamp("answered_at"), stamp("ended_at"));
        let at = |name: &str| (f.at(self.col(name)), f.get(self.col(name)));
        if f.get(self.col("sent_at")).is_empty() {
            diagnostics.error(
                at("sent_at").0,
                "",
                "sent_at is empty: every inquiry needs the time it was sent",
            );
        }
        if sent.zip(answered).is_some_and(|(s, a)| a < s) {
            let (place, text) = at("answered_at");
            diagnostics.error(place, text, "answered_at is before sent_at");
        }
        if answered.zip(ended).is_some_and(|(a, e)| e < a) {
            let (place, text) = at("ended_at");
            diagnostics.error(place, text, "ended_at is before answered_at");
        }
        if let (Some(s), Some((from, to))) = (sent, period) {
            let day = s.with_timezone(&tz).date_naive();
            if day < from || day > to {
                let (place, text) = at("sent_at");
                diagnostics.error(
                    place,
                    text,
                    format!("sent_at is outside the season's period {from} – {to} (season.period)"),
                );
            }
        }
        (sent, answered, ended)
    }

    /// One answer per question: those given where the question applies, on an answered
    /// inquiry; others are ignored with a warning.
    fn answers(
        &self,
        f: &Fields,
        participant: usize,
        channel: ChannelIx,
        has_answer_time: bool,
        diagnostics: &mut Diagnostics,
    ) -> Vec<Option<Answer>> {
        let sector = self.participants[participant].sector;
        let answered = self.season.channel(channel).limit.is_none() || has_answer_time;
        self.season
            .questions
            .iter()
            .zip(&self.questions)
            .map(|(q, &c)| {
                let text = f.get(c);
                if text.is_empty() {
                    return None;
                }
                match parse_answer(q, text) {
                    Err(e) => {
                        diagnostics.error_with_help(f.at(c), text, e.message, e.help);
                        None
                    }
                    Ok(_) if !answered => {
                        diagnostics.warn(f.at(c), "answers on unanswered inquiries are ignored");
                        None
                    }
                    Ok(_) if !q.applies(channel, sector) => {
                        diagnostics.warn(
                            f.at(c),
                            format!("answers to `{}` where it does not apply (channel or sector) are ignored", q.id),
                        );
                        None
                    }
                    Ok(answer) => Some(answer),
                }
            })
            .collect()
    }

    /// The values of the free columns breakdowns read, each in its breakdown's categories.
    fn extra(&self, f: &Fields, diagnostics: &mut Diagnostics) -> Vec<String> {
        let mut values = Vec::with_capacity(self.season.extra_columns.len());
        for (index, name) in self.season.extra_columns.iter().enumerate() {
            let c = self.col(name);
            let value = f.get(c);
            let limited =
                self.season.breakdowns.iter().filter(|b| {
                    b.column == BreakdownColumn::Free(index) && !b.categories.is_empty()
                });
            for b in limited {
                if !value.is_empty() && !b.categories.iter().any(|k| k.key == value) {
                    let keys: Vec<&str> = b.categories.iter().map(|k| k.key.as_str()).collect();
                    diagnostics.error_with_help(
                        f.at(c),
                        value,
                        format!(
                            "`{value}` is not a category of breakdown `{}`: use one of {} (or leave it empty)",
                            b.id,
                            keys.join(", ")
                        ),
                        suggestion(value, &keys),
                    );
                }
            }
            values.push(value.to_string());
        }
        values
    }

    /// Non-empty comments by their column's place in [`Responses::comment_columns`].
    fn comments(
        &self,
        f: &Fields,
        pid: &str,
        diagnostics: &mut Diagnostics,
    ) -> Vec<(usize, String)> {
        self.comments
            .iter()
            .enumerate()
            .filter_map(|(index, (c, _))| {
                let text = f.row.field(*c).trim();
                (!text.is_empty())
                    .then(|| (index, diagnostics.showable(text, || f.at(Some(*c)), pid)))
            })
            .collect()
    }
}
