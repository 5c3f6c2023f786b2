//! Loading and checking the season's participants and responses (methodology.md §2).
//! Every problem is collected with its file, line and column; a run with problems stops
//! before anything is scored or written.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::config::{QuestionKind, RESERVED_COLUMNS, Season, Sector};
use crate::table::{self, InputError, Place, Table};

/// How many problems are listed before the rest are only counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

#[derive(Debug, Clone)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub class: String,
    pub sector: Sector,
    /// Indexes into `Season::channels`.
    pub channels: Vec<usize>,
}

/// One answer, checked against its question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Scale(i64),
    YesNo(bool),
    /// Index into the question's options.
    Choice(usize),
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
    pub rows_read: usize,
    pub warnings: Vec<Warning>,
}

/// All problems found, sorted by file and line, listing at most [`MAX_LISTED_PROBLEMS`].
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
                "\n… and {} more problems",
                self.total - self.errors.len()
            )?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Findings {
    errors: Vec<InputError>,
    warnings: BTreeMap<String, (usize, Place)>,
}

impl Findings {
    fn error(&mut self, place: Place, message: impl Into<String>) {
        self.errors.push(InputError {
            place,
            message: message.into(),
        });
    }

    fn warn(&mut self, place: Place, message: impl Into<String>) {
        self.warnings
            .entry(message.into())
            .and_modify(|(n, _)| *n += 1)
            .or_insert((1, place));
    }
}

/// Loads both input files and checks them against the season.
pub fn load(season: &Season) -> Result<Dataset, InputErrors> {
    let mut findings = Findings::default();
    let participants = table::read(&season.participants_path, season.delimiter);
    let responses = table::read(&season.responses_path, season.delimiter);
    let (participants, responses) = match (participants, responses) {
        (Ok(p), Ok(r)) => (p, r),
        (p, r) => {
            let errors: Vec<InputError> = [p.err(), r.err()].into_iter().flatten().collect();
            return Err(InputErrors {
                total: errors.len(),
                errors,
            });
        }
    };
    let dataset = check(season, &participants, &responses, &mut findings);
    if findings.errors.is_empty() {
        let mut dataset = dataset;
        dataset.warnings = findings
            .warnings
            .into_iter()
            .map(|(message, (count, first))| Warning {
                message,
                count,
                first,
            })
            .collect();
        Ok(dataset)
    } else {
        let mut errors = findings.errors;
        errors.sort();
        let total = errors.len();
        errors.truncate(MAX_LISTED_PROBLEMS);
        Err(InputErrors { errors, total })
    }
}

/// Maps required and optional columns to their positions; reports missing and duplicated ones.
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(table: &Table, required: &[&str], findings: &mut Findings) -> Self {
        let mut index = HashMap::new();
        for (i, h) in table.headers.iter().enumerate() {
            if index.insert(h.clone(), i).is_some() {
                findings.error(
                    table.place(Some(1), Some(i)),
                    format!("the column `{h}` appears twice: remove or rename one"),
                );
            }
        }
        for name in required {
            if !index.contains_key(*name) {
                findings.error(
                    table.place(Some(1), None),
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

fn check(season: &Season, pt: &Table, rt: &Table, findings: &mut Findings) -> Dataset {
    let participants = check_participants(season, pt, findings);
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
    let columns = Columns::new(rt, &required, findings);
    for (i, h) in rt.headers.iter().enumerate() {
        let known = RESERVED_COLUMNS.contains(&h.as_str())
            || h.starts_with("comment_")
            || season.questions.iter().any(|q| &q.id == h);
        if !known && !h.is_empty() {
            findings.warn(
                rt.place(Some(1), Some(i)),
                format!("the column `{h}` is not a question of the config and is not read"),
            );
        }
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
    let ncols = rt.headers.len();
    let mut inquiries = Vec::with_capacity(rt.rows.len());
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut per_participant = vec![0usize; participants.len()];

    if findings.errors.iter().any(|e| e.place.file == rt.file) {
        // Without the right columns every row would repeat the same problem.
        return Dataset {
            participants,
            inquiries,
            comment_columns: vec![],
            rows_read: pt.rows.len() + rt.rows.len(),
            warnings: vec![],
        };
    }
    let col = |name: &str| columns.get(name);
    for row in &rt.rows {
        let at = |c: Option<usize>| rt.place(Some(row.line), c);
        if row.fields.len() != ncols {
            if row.fields.iter().all(|f| f.trim().is_empty()) {
                findings.warn(at(None), "blank rows are skipped");
                continue;
            }
            findings.error(
                at(None),
                format!(
                    "the row has {} fields but the header has {ncols}",
                    row.fields.len()
                ),
            );
            continue;
        }
        let field = |c: Option<usize>| c.map_or("", |c| row.fields[c].trim());
        let mut ok = true;

        let id = field(col("inquiry_id"));
        if id.is_empty() {
            findings.error(at(col("inquiry_id")), "the inquiry_id is empty");
            ok = false;
        } else if let Some(first) = seen_ids.insert(id.to_string(), row.line) {
            findings.error(
                at(col("inquiry_id")),
                format!("the inquiry_id `{id}` is also used on line {first}"),
            );
            ok = false;
        }
        let pid = field(col("participant_id"));
        let participant = by_id.get(pid).copied();
        if participant.is_none() {
            findings.error(
                at(col("participant_id")),
                format!(
                    "unknown participant_id `{pid}`: it is not in {}",
                    pt.file.display()
                ),
            );
            ok = false;
        }
        let channel_name = field(col("channel"));
        let channel = season.channel_index(&channel_name.to_lowercase());
        match (channel, participant) {
            (None, _) => {
                let known: Vec<&str> = season.channels.iter().map(|c| c.id.as_str()).collect();
                findings.error(
                    at(col("channel")),
                    format!(
                        "unknown channel `{channel_name}`: the config knows {}",
                        known.join(", ")
                    ),
                );
                ok = false;
            }
            (Some(c), Some(p)) if !participants[p].channels.contains(&c) => findings.warn(
                at(col("channel")),
                "an inquiry uses a channel its participant does not list in participants.csv"
                    .to_string(),
            ),
            _ => {}
        }
        let attempts = match field(col("attempts")) {
            "" => 1,
            "1" => 1,
            "2" => 2,
            other => {
                findings.error(
                    at(col("attempts")),
                    format!("attempts `{other}` must be 1 or 2"),
                );
                ok = false;
                1
            }
        };
        let stamp = |name: &str, findings: &mut Findings| -> Option<Option<DateTime<Utc>>> {
            let text = field(col(name));
            if text.is_empty() {
                return Some(None);
            }
            match parse_timestamp(text, season.timezone) {
                Ok(t) => Some(Some(t)),
                Err(m) => {
                    findings.error(at(col(name)), m);
                    None
                }
            }
        };
        let sent_at = stamp("sent_at", findings);
        let answered_at = stamp("answered_at", findings);
        let ended_at = stamp("ended_at", findings);
        let (Some(sent_at), Some(answered_at), Some(ended_at)) = (sent_at, answered_at, ended_at)
        else {
            continue;
        };
        let Some(sent_at) = sent_at else {
            findings.error(
                at(col("sent_at")),
                "sent_at is empty: every inquiry needs the time it was sent",
            );
            continue;
        };
        if let Some(a) = answered_at
            && a < sent_at
        {
            findings.error(at(col("answered_at")), "answered_at is before sent_at");
            ok = false;
        }
        if let (Some(a), Some(e)) = (answered_at, ended_at)
            && e < a
        {
            findings.error(at(col("ended_at")), "ended_at is before answered_at");
            ok = false;
        }

        let (Some(participant), Some(channel)) = (participant, channel) else {
            continue;
        };
        let sector = participants[participant].sector;
        let limit = season.channels[channel].limit;
        let answered = limit.is_none() || answered_at.is_some();
        let mut answers = Vec::with_capacity(season.questions.len());
        for (q, c) in season.questions.iter().zip(&question_columns) {
            let text = field(*c);
            if text.is_empty() {
                answers.push(None);
                continue;
            }
            match parse_answer(q, text) {
                Ok(answer) => {
                    if !answered {
                        findings.warn(at(*c), "answers on unanswered inquiries are ignored");
                        answers.push(None);
                    } else if !q.applies(channel, sector) {
                        findings.warn(at(*c), format!("answers to `{}` where it does not apply (channel or sector) are ignored", q.id));
                        answers.push(None);
                    } else {
                        answers.push(Some(answer));
                    }
                }
                Err(m) => {
                    findings.error(at(*c), m);
                    ok = false;
                    answers.push(None);
                }
            }
        }
        if !ok {
            continue;
        }
        let comments = comment_columns
            .iter()
            .filter_map(|(c, suffix)| {
                let text = row.fields[*c].trim();
                (!text.is_empty()).then(|| (suffix.clone(), text.to_string()))
            })
            .collect();
        per_participant[participant] += 1;
        inquiries.push(Inquiry {
            id: id.to_string(),
            participant,
            shopper_id: field(col("shopper_id")).to_string(),
            channel,
            attempts,
            sent_at,
            answered_at,
            ended_at,
            answers,
            comments,
        });
    }
    // A canonical order, so sums (and so every last digit of a figure) never depend on the
    // order of the input rows.
    let mut order: Vec<usize> = (0..participants.len()).collect();
    order.sort_by(|&a, &b| participants[a].id.cmp(&participants[b].id));
    let mut new_index = vec![0; participants.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let per_participant: Vec<usize> = order.iter().map(|&old| per_participant[old]).collect();
    let mut slots: Vec<Option<Participant>> = participants.into_iter().map(Some).collect();
    let participants: Vec<Participant> = order
        .iter()
        .map(|&old| slots[old].take().expect("each taken once"))
        .collect();
    for inquiry in &mut inquiries {
        inquiry.participant = new_index[inquiry.participant];
    }
    inquiries.sort_by(|a, b| a.id.cmp(&b.id));
    for (p, n) in participants.iter().zip(&per_participant) {
        if *n == 0 {
            findings.warn(
                pt.place(None, None),
                format!("participant `{}` has no inquiries", p.id),
            );
        }
    }
    Dataset {
        participants,
        inquiries,
        comment_columns: comment_columns.into_iter().map(|(_, s)| s).collect(),
        rows_read: pt.rows.len() + rt.rows.len(),
        warnings: vec![],
    }
}

fn check_participants(season: &Season, pt: &Table, findings: &mut Findings) -> Vec<Participant> {
    const COLUMNS: [&str; 5] = ["participant_id", "name", "class", "sector", "channels"];
    let columns = Columns::new(pt, &COLUMNS, findings);
    for (i, h) in pt.headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            findings.warn(
                pt.place(Some(1), Some(i)),
                format!("the column `{h}` of the participants file is not read"),
            );
        }
    }
    if findings.errors.iter().any(|e| e.place.file == pt.file) {
        return vec![];
    }
    let [id_c, name_c, class_c, sector_c, channels_c] =
        COLUMNS.map(|c| columns.get(c).expect("checked above"));
    let ncols = pt.headers.len();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut participants = Vec::new();
    for row in &pt.rows {
        let at = |c: Option<usize>| pt.place(Some(row.line), c);
        if row.fields.len() != ncols {
            if row.fields.iter().all(|f| f.trim().is_empty()) {
                findings.warn(at(None), "blank rows are skipped");
            } else {
                findings.error(
                    at(None),
                    format!(
                        "the row has {} fields but the header has {ncols}",
                        row.fields.len()
                    ),
                );
            }
            continue;
        }
        let field = |c: usize| row.fields[c].trim();
        let mut ok = true;
        for (c, what) in [
            (id_c, "participant_id"),
            (name_c, "name"),
            (class_c, "class"),
        ] {
            if field(c).is_empty() {
                findings.error(at(Some(c)), format!("the {what} is empty"));
                ok = false;
            }
        }
        if let Some(first) = seen.insert(field(id_c).to_string(), row.line)
            && !field(id_c).is_empty()
        {
            findings.error(
                at(Some(id_c)),
                format!(
                    "the participant_id `{}` is also used on line {first}",
                    field(id_c)
                ),
            );
            ok = false;
        }
        let sector = match field(sector_c).to_lowercase().as_str() {
            "private" => Sector::Private,
            "public" => Sector::Public,
            other => {
                findings.error(
                    at(Some(sector_c)),
                    format!("sector `{other}` must be `private` or `public`"),
                );
                ok = false;
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
                        at(Some(channels_c)),
                        format!(
                            "unknown channel `{name}`: the config knows {}",
                            known.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
        }
        if ok {
            participants.push(Participant {
                id: field(id_c).to_string(),
                name: field(name_c).to_string(),
                class: field(class_c).to_string(),
                sector,
                channels,
            });
        }
    }
    if pt.rows.is_empty() {
        findings.error(pt.place(None, None), "the participants file has no rows");
    }
    participants
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
