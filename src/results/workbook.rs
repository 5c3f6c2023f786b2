//! `results.xlsx` as an analyst opens it: an "About" sheet first (the season, the run, the
//! config's key figures, what every sheet and column holds, in the season's language), then
//! one sheet per results table with its CSV's column names, a filter on the header, the
//! header frozen, widths that fit, and number formats by kind of figure. Only the display
//! changes: every cell holds the CSV's value at full precision.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::cell::{Cell, Num};
use super::labels::{self, Kind};
use super::{Sheet, Tables};
use crate::config::Season;

/// Rows looked at to size a column: enough to see typical values, few enough to stay cheap.
const SIZING_ROWS: usize = 200;
/// The widest a column of text grows before its cells wrap.
const TEXT_WIDTH: usize = 40;

/// The number format of each kind of figure.
struct Formats {
    header: Format,
    wrap: Format,
    date: Format,
    /// A flag as TRUE or FALSE in every spreadsheet (LibreOffice shows a bare boolean as 1/0).
    flag: Format,
    count: Format,
    score: Format,
    share: Format,
    p_value: Format,
    correlation: Format,
    seconds: Format,
}

impl Formats {
    fn new() -> Formats {
        let number = |code: &str| Format::new().set_num_format(code);
        Formats {
            header: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            date: number("yyyy-mm-dd").set_align(FormatAlign::Left),
            flag: number("\"TRUE\";\"TRUE\";\"FALSE\""),
            count: number("0"),
            score: number("0.0"),
            share: number("0.0%"),
            p_value: number("0.000"),
            correlation: number("0.00"),
            seconds: number("0"),
        }
    }

    fn of(&self, kind: Kind) -> Option<&Format> {
        match kind {
            Kind::Count => Some(&self.count),
            Kind::Score => Some(&self.score),
            Kind::Share => Some(&self.share),
            Kind::PValue => Some(&self.p_value),
            Kind::Correlation => Some(&self.correlation),
            Kind::Seconds => Some(&self.seconds),
            Kind::Text | Kind::Flag => None,
        }
    }
}

impl Tables {
    /// `results.xlsx`, dated `date` so the bytes stay the same from run to run. The tables'
    /// sheets are written in rust_xlsxwriter's low-memory mode: each row goes to a temporary
    /// file in `scratch` as it is written, and strings are stored in their cells, so a big
    /// season's cells are never all held at once (holding them took the parent process of a
    /// 5,000-participant season to 520 MB).
    pub fn xlsx(
        &self,
        season: &Season,
        date: NaiveDate,
        scratch: &Path,
    ) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(scratch)?;
        let stamp = excel_date(date)?;
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&stamp)
                .set_author("ksp"),
        );
        let formats = Formats::new();
        let sheets = self.sheets();
        about(workbook.add_worksheet(), season, &stamp, &sheets, &formats)?;
        for sheet in &sheets {
            let ws = workbook.add_worksheet_with_low_memory()?;
            table(ws, sheet, &formats)?;
        }
        workbook.save_to_buffer()
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
}

/// One results table: the header with a filter, frozen; widths from the header and the first
/// rows; each cell formatted by its column's kind.
fn table(ws: &mut Worksheet, sheet: &Sheet, formats: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    let kinds: Vec<Kind> = sheet.header.iter().map(|h| labels::kind(h)).collect();
    for (c, width) in widths(sheet, &kinds).into_iter().enumerate() {
        ws.set_column_width(c as u16, width as f64)?;
    }
    for (c, h) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &formats.header)?;
    }
    let mut rows = 0;
    for (r, row) in sheet.rows().enumerate() {
        let r = r as u32 + 1;
        rows = r;
        for (c, cell) in row.iter().enumerate() {
            let (col, kind) = (c as u16, kinds[c]);
            match cell {
                Cell::Text(t) if t.is_empty() => continue,
                Cell::Text(t) if kind == Kind::Text && t.chars().count() > TEXT_WIDTH => {
                    ws.write_string_with_format(r, col, t, &formats.wrap)?
                }
                Cell::Text(t) => ws.write_string(r, col, t)?,
                Cell::Bool(b) => ws.write_boolean_with_format(r, col, *b, &formats.flag)?,
                Cell::Count(n) => ws.write_number_with_format(r, col, *n as f64, &formats.count)?,
                Cell::Num(Num(Some(x))) => match formats.of(kind) {
                    Some(format) => ws.write_number_with_format(r, col, *x, format)?,
                    None => ws.write_number(r, col, *x)?,
                },
                Cell::Num(Num(None)) => continue,
            };
        }
    }
    if !sheet.header.is_empty() {
        ws.autofilter(0, 0, rows, sheet.header.len() as u16 - 1)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Each column's width in characters: its title with room for the filter button, and for
/// text the longest of the first rows up to a limit (longer texts wrap).
fn widths(sheet: &Sheet, kinds: &[Kind]) -> Vec<usize> {
    let mut widths: Vec<usize> = sheet
        .header
        .iter()
        .zip(kinds)
        .map(|(h, kind)| (h.chars().count() + 3).max(if *kind == Kind::Text { 8 } else { 9 }))
        .collect();
    for row in sheet.rows().take(SIZING_ROWS) {
        for (c, cell) in row.iter().enumerate() {
            if let Cell::Text(t) = cell {
                widths[c] = widths[c].max((t.chars().count() + 1).min(TEXT_WIDTH));
            }
        }
    }
    widths
}

/// The "About" sheet: what the workbook is, the run, the config's key figures, and what
/// every sheet and column holds.
fn about(
    ws: &mut Worksheet,
    season: &Season,
    stamp: &ExcelDateTime,
    sheets: &[Sheet],
    formats: &Formats,
) -> Result<(), XlsxError> {
    let lang = season.language;
    let words = labels::words(lang);
    ws.set_name(words.about)?;
    for (c, width) in [50.0, 22.0, 70.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, width)?;
    }
    let mut at = Lines {
        ws,
        row: 0,
        formats,
    };
    at.heading(words.title)?;
    at.line(&[words.season, &season.name])?;
    at.ws.write_string(at.row, 0, words.report_date)?;
    at.ws
        .write_datetime_with_format(at.row, 1, stamp, &formats.date)?;
    at.row += 1;
    at.line(&[words.made_by, &format!("ksp {}", env!("CARGO_PKG_VERSION"))])?;
    at.line(&[words.full_precision])?;
    for (title, rows) in labels::key_figures(season) {
        at.row += 1;
        at.heading(&title)?;
        for (what, value) in rows {
            at.figure(&what, &value)?;
        }
    }
    at.row += 1;
    at.heading(words.sheets)?;
    for sheet in sheets {
        at.line(&[sheet.name, "", labels::sheet(sheet.name, lang)])?;
    }
    at.row += 1;
    at.heading(words.columns)?;
    for sheet in sheets {
        for column in &sheet.header {
            at.line(&[sheet.name, column, &labels::column(column, season)])?;
        }
    }
    Ok(())
}

/// Writes the About sheet a line at a time.
struct Lines<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    formats: &'a Formats,
}

impl Lines<'_> {
    fn heading(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(self.row, 0, text, &self.formats.header)?;
        self.row += 1;
        Ok(())
    }

    /// A key figure: its name, and its value as a number where it is one (a weight, a
    /// minimum), else as written (a limit such as `3bd`).
    fn figure(&mut self, what: &str, value: &str) -> Result<(), XlsxError> {
        self.ws.write_string(self.row, 0, what)?;
        match value.parse::<f64>() {
            Ok(x) => self.ws.write_number(self.row, 1, x)?,
            Err(_) => self.ws.write_string(self.row, 1, value)?,
        };
        self.row += 1;
        Ok(())
    }

    fn line(&mut self, cells: &[&str]) -> Result<(), XlsxError> {
        for (c, text) in cells.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
            self.ws.write_string(self.row, c as u16, *text)?;
        }
        self.row += 1;
        Ok(())
    }
}
