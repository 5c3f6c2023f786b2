//! The participants file: one row per participant.

use std::collections::HashMap;

use super::Participant;
use super::diagnostics::{Columns, Diagnostics, ragged};
use super::table::{Row, Table};
use super::values::suggestion;
use crate::config::{ChannelIx, Season, Sector};

const COLUMNS: [&str; 5] = ["participant_id", "name", "class", "sector", "channels"];

/// The accepted participants, and by id the line of each participant row set aside.
pub(super) struct AcceptedParticipants {
    pub participants: Vec<Participant>,
    pub rejected: HashMap<String, usize>,
}

pub(super) fn check(
    season: &Season,
    pt: &Table,
    rows: &[Row],
    diagnostics: &mut Diagnostics,
) -> AcceptedParticipants {
    let columns = Columns::new(pt, &COLUMNS, diagnostics);
    for (i, h) in pt.headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) && !h.is_empty() {
            diagnostics.warn(
                pt.place(Some(1), Some(i)),
                format!("the column `{h}` of the participants file is not read"),
            );
        }
    }
    if rows.is_empty() {
        diagnostics.error(
            pt.place(None, None),
            "",
            "the participants file has no rows: it needs one row per participant",
        );
    }
    let mut checked = AcceptedParticipants {
        participants: Vec::new(),
        rejected: HashMap::new(),
    };
    if diagnostics.errors.iter().any(|e| e.place.file == pt.file) {
        return checked;
    }
    let reader = Reader {
        season,
        table: pt,
        columns: COLUMNS.map(|c| columns.get(c).expect("checked above")),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in rows {
        if ragged(pt, row, diagnostics) {
            continue;
        }
        let before = diagnostics.mark();
        let participant = reader.read(row, &mut seen, diagnostics);
        if diagnostics.mark() > before {
            // A duplicate keeps the first row's participant; only the repeat is set aside.
            let id = participant.id;
            if seen.get(&id).is_none_or(|first| *first == row.line) {
                checked.rejected.insert(id, row.line);
            }
            continue;
        }
        checked.participants.push(participant);
    }
    checked
}

/// Reads participant rows: the positions of the five columns, in `COLUMNS` order.
struct Reader<'a> {
    season: &'a Season,
    table: &'a Table,
    columns: [usize; 5],
}

impl Reader<'_> {
    /// The row's participant; its problems, if any, are in `diagnostics`.
    fn read(
        &self,
        row: &Row,
        seen: &mut HashMap<String, usize>,
        diagnostics: &mut Diagnostics,
    ) -> Participant {
        let [id_c, name_c, class_c, sector_c, channels_c] = self.columns;
        let at = |c: usize| self.table.place(Some(row.line), Some(c));
        let field = |c: usize| row.field(c).trim();
        for (c, what) in [
            (id_c, "participant_id"),
            (name_c, "name"),
            (class_c, "class"),
        ] {
            if field(c).is_empty() {
                diagnostics.error(at(c), "", format!("the {what} is empty"));
            }
        }
        let id = field(id_c);
        self.check_id(id, row.line, seen, diagnostics);
        Participant {
            id: id.to_string(),
            name: diagnostics.showable(field(name_c), || at(name_c), id),
            class: diagnostics.showable(field(class_c), || at(class_c), id),
            sector: self.sector(field(sector_c), at(sector_c), diagnostics),
            channels: self.channels(field(channels_c), at(channels_c), diagnostics),
            line: row.line,
        }
    }

    /// An id used once, that can name its report file.
    fn check_id(
        &self,
        id: &str,
        line: usize,
        seen: &mut HashMap<String, usize>,
        diagnostics: &mut Diagnostics,
    ) {
        let at = self.table.place(Some(line), Some(self.columns[0]));
        if id.is_empty() {
            return;
        }
        if let Some(first) = seen.insert(id.to_string(), line) {
            diagnostics.error(
                at,
                id,
                format!("the participant_id `{id}` is also used on line {first}"),
            );
        } else if id.starts_with('.')
            || !id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            diagnostics.error(
                at,
                id,
                format!("the participant_id `{id}` cannot name its report file: use letters, digits, `-`, `_` and `.`"),
            );
        }
    }

    fn sector(&self, text: &str, at: super::table::Place, diagnostics: &mut Diagnostics) -> Sector {
        match text.to_lowercase().as_str() {
            "private" => Sector::Private,
            "public" => Sector::Public,
            other => {
                diagnostics.error(
                    at,
                    other,
                    format!("sector `{other}` must be `private` or `public`"),
                );
                Sector::Private
            }
        }
    }

    /// The channels listed with `|`, as indexes into the season's channels.
    fn channels(
        &self,
        text: &str,
        at: super::table::Place,
        diagnostics: &mut Diagnostics,
    ) -> Vec<ChannelIx> {
        let mut channels = Vec::new();
        for name in text.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            match self.season.channel_index(&name.to_lowercase()) {
                Some(c) if !channels.contains(&c) => channels.push(c),
                Some(_) => {}
                None => {
                    let known: Vec<&str> =
                        self.season.channels.iter().map(|c| c.id.as_str()).collect();
                    diagnostics.error_with_help(
                        at.clone(),
                        text,
                        format!(
                            "unknown channel `{name}`: the config knows {} (separate channels with |)",
                            known.join(", ")
                        ),
                        suggestion(name, &known),
                    );
                }
            }
        }
        channels
    }
}
