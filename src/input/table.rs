//! Reading an input file into rows of text, each with its line (CSV) or row (Parquet) number.
//! Typed checks happen in `input`; this module only knows file formats.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Encoding;
use crate::snippet::Snippet;
use polars::prelude::{Column, DataFrame, DataType, ParquetReader, ParquetWriter, SerReader};

/// Where in an input file something is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub file: PathBuf,
    /// The sheet of an Excel file.
    pub sheet: Option<String>,
    /// 1-based line in a CSV file (the header is line 1), the row number in an Excel sheet,
    /// or data row + 1 in Parquet, so all read the same way. `None` for the file as a whole.
    pub line: Option<usize>,
    /// 1-based column number and header name.
    pub column: Option<(usize, String)>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            write!(f, "[{sheet}]")?;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some((number, _)) = &self.column {
                write!(f, ":{number}")?;
            }
        }
        if let Some((_, name)) = &self.column {
            write!(f, ": column `{name}`")?;
        }
        Ok(())
    }
}

/// A problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
#[error("{place}: {message}")]
pub struct InputError {
    pub place: Place,
    /// The offending value as written, empty when the problem is not one value.
    pub value: String,
    pub message: String,
    /// A hint such as `did you mean `email`?`.
    pub help: Option<String>,
    /// The line of a CSV file with the field at fault marked, added by [`annotate`] when
    /// the errors are shown.
    pub snippet: Option<Snippet>,
}

/// An input file as header and rows of text; empty cells are empty strings.
#[derive(Debug)]
pub struct Table {
    pub file: PathBuf,
    /// The sheet an Excel table was read from.
    pub sheet: Option<String>,
    /// The file's bytes as read (before any decoding), hashed for the manifest only once
    /// they are needed, so the hash runs beside the checks.
    source: Bytes,
    pub headers: Vec<String>,
    body: Body,
}

/// A table's data rows: read already, or CSV text read row by row as it is checked, so a
/// large file is held once as text rather than again as a million rows.
#[derive(Debug)]
enum Body {
    Rows(Vec<Row>),
    Csv {
        /// The file's text; its first record is the header.
        text: Bytes,
        /// Where the text starts, after a byte-order mark.
        start: usize,
        delimiter: u8,
    },
}

/// A file's bytes: mapped when they are read as they are, else in memory (decoded text,
/// tables built in memory); shared, so the file can be hashed while it is read.
#[derive(Debug, Clone)]
pub enum Bytes {
    Mapped(Arc<memmap2::Mmap>),
    Owned(Arc<Vec<u8>>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes::Owned(Arc::new(bytes))
    }
}

impl Bytes {
    /// The file mapped into memory, or read when it cannot be (an empty file, a pipe).
    fn of_file(path: &Path) -> std::io::Result<Bytes> {
        let file = std::fs::File::open(path)?;
        // SAFETY: the map is only read. Another program truncating the file while ksp
        // reads it would end the run (SIGBUS) before anything is written; rewriting it
        // would change what is read, as it would with a copy read at that moment.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) if !map.is_empty() => Ok(Bytes::Mapped(Arc::new(map))),
            _ => std::fs::read(path).map(Bytes::from),
        }
    }
}

/// A data row: its line and its cells, in one buffer. The cells are UTF-8 however the row was
/// read: CSV text is checked whole before its rows are read, and Parquet and Excel cells come
/// as text. So they are read as bytes and not checked a second time, record by record (the
/// csv crate's check was a twentieth of `ksp validate` of a million inquiries).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    cells: csv::ByteRecord,
}

impl Row {
    fn of_texts<T: AsRef<str>>(line: usize, texts: &[T]) -> Row {
        let mut cells = csv::ByteRecord::with_capacity(0, texts.len());
        for text in texts {
            cells.push_field(text.as_ref().as_bytes());
        }
        Row { line, cells }
    }

    /// The number of cells.
    pub fn width(&self) -> usize {
        self.cells.len()
    }

    /// Cell `c`; panics past the last (rows are checked against the header's width first).
    pub fn field(&self, c: usize) -> &str {
        // SAFETY: a row's cells are UTF-8 (see `Row`): the CSV delimiter (`,` or `;`), quote
        // and line ends that split and unquote the checked text are ASCII, and an ASCII byte
        // never stands inside a character of several bytes.
        unsafe { std::str::from_utf8_unchecked(&self.cells[c]) }
    }

    /// Every cell, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.width()).map(|c| self.field(c))
    }
}

impl Table {
    /// Every data row in file order, read in one go (for small files); a CSV record that
    /// cannot be read is an error at its line.
    pub fn rows(&self) -> Vec<Result<Row, Box<InputError>>> {
        let mut rows = Vec::new();
        for batch in self.batches(usize::MAX) {
            batch.for_each(|row| rows.push(row.cloned()));
        }
        rows
    }

    /// The data rows in batches of about `rows_per_batch`, in file order, to check in
    /// parallel.
    pub fn batches(
        &self,
        rows_per_batch: usize,
    ) -> Box<dyn Iterator<Item = Batch<'_>> + Send + '_> {
        match &self.body {
            Body::Rows(rows) => Box::new(rows.chunks(rows_per_batch).map(Batch::Rows)),
            Body::Csv {
                text,
                start,
                delimiter,
            } => Box::new(CsvBatches::new(
                self,
                &text[*start..],
                *delimiter,
                rows_per_batch,
            )),
        }
    }

    /// SHA-256 of the file's bytes, for the manifest.
    pub fn sha256(&self) -> String {
        crate::hash::sha256_hex(&self.source)
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.source.len() as u64
    }

    pub fn place(&self, line: Option<usize>, column: Option<usize>) -> Place {
        Place {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            line,
            column: column.map(|c| (c + 1, self.headers.get(c).cloned().unwrap_or_default())),
        }
    }
}

/// A problem with a file as a whole, or with one of its lines as a whole.
fn whole(
    file: &Path,
    sheet: Option<&str>,
    line: Option<usize>,
    message: String,
) -> Box<InputError> {
    Box::new(InputError {
        place: Place {
            file: file.to_path_buf(),
            sheet: sheet.map(str::to_string),
            line,
            column: None,
        },
        value: String::new(),
        message,
        help: None,
        snippet: None,
    })
}

/// Reads a CSV, Excel or Parquet file, chosen by its extension. CSV text is UTF-8 unless the
/// config says `input.encoding = "windows-1252"` (Excel's Western European default); an Excel
/// workbook is read from its first sheet or the one named by `input.sheet`.
pub fn read(
    path: &Path,
    delimiter: Option<u8>,
    encoding: Encoding,
    sheet: Option<&str>,
) -> Result<Table, Box<InputError>> {
    let whole = |message: String| whole(path, None, None, message);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = Bytes::of_file(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
    let table = match extension.as_str() {
        "parquet" | "pq" => read_parquet(path, &bytes),
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, &bytes, sheet),
        _ if encoding == Encoding::Windows1252 => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            read_csv(path, text.into_owned().into_bytes(), delimiter)
        }
        _ => read_csv(path, bytes.clone(), delimiter),
    };
    table.map(|t| Table { source: bytes, ..t })
}

/// Reads CSV text: UTF-8 with or without a byte-order mark, `,` or `;`, LF or CRLF, quoted
/// fields with newlines. Only the header is read here; rows are read as they are checked
/// ([`Table::rows`]), and ragged ones kept as they are for `input` to report.
pub fn read_csv(
    path: &Path,
    bytes: impl Into<Bytes>,
    delimiter: Option<u8>,
) -> Result<Table, Box<InputError>> {
    let bytes = bytes.into();
    let whole = |line: Option<usize>, message: String| whole(path, None, line, message);
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = &bytes[start..];
    if let Some(valid_up_to) = first_invalid_utf8(text) {
        let line = count_lines(&text[..valid_up_to]) + 1;
        return Err(whole(
            Some(line),
            "the file is not UTF-8 (perhaps Windows-1252 from Excel): save it as \"CSV UTF-8\" or set input.encoding = \"windows-1252\" in the config"
                .into(),
        ));
    }
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(whole(
            None,
            "the file is empty: it needs a header row and at least one data row".into(),
        ));
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    // Rows are read as bytes that are UTF-8 because the text is and the bytes that cut it are
    // ASCII (`Row::field`); the config allows `,` and `;` only.
    if !delimiter.is_ascii() {
        return Err(whole(None, "the CSV delimiter must be `,` or `;`".into()));
    }
    let mut header = csv::StringRecord::new();
    csv_reader(text, delimiter)
        .read_record(&mut header)
        .map_err(|e| whole(Some(1), format!("cannot read the CSV: {e}")))?;
    Ok(Table {
        file: path.to_path_buf(),
        sheet: None,
        source: bytes.clone(),
        headers: header.iter().map(|h| h.trim().to_string()).collect(),
        body: Body::Csv {
            text: bytes,
            start,
            delimiter,
        },
    })
}

/// Where the first byte that is not UTF-8 is, checked in parallel in pieces that start on a
/// character (UTF-8 resynchronises there, so the pieces are valid exactly when the whole is).
fn first_invalid_utf8(text: &[u8]) -> Option<usize> {
    const PIECE: usize = 1 << 22;
    let mut starts = vec![0];
    while let Some(&last) = starts.last() {
        let mut next = last + PIECE;
        while next < text.len() && (text[next] & 0xC0) == 0x80 {
            next += 1;
        }
        if next >= text.len() {
            break;
        }
        starts.push(next);
    }
    starts.push(text.len());
    starts
        .par_windows(2)
        .filter_map(|w| {
            let piece = &text[w[0]..w[1]];
            std::str::from_utf8(piece)
                .err()
                .map(|e| w[0] + e.valid_up_to())
        })
        .min()
}

fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

/// The data rows of CSV text with their lines. The csv crate does not count newlines inside
/// quoted fields, so lines are counted here from byte offsets.
struct CsvRows<'t> {
    table: &'t Table,
    text: &'t [u8],
    reader: csv::Reader<&'t [u8]>,
    /// A byte offset and the line it is on.
    counted: (usize, usize),
    failed: bool,
}

impl<'t> CsvRows<'t> {
    /// The rows of `text`, which starts on `line`.
    fn new(table: &'t Table, text: &'t [u8], delimiter: u8, line: usize) -> Self {
        CsvRows {
            table,
            text,
            reader: csv_reader(text, delimiter),
            counted: (0, line),
            failed: false,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let (from, line) = self.counted;
        // With CRLF the reported start is the record's leading `\n`: skip line ends.
        let mut offset = offset.min(self.text.len()).max(from);
        while offset < self.text.len() && matches!(self.text[offset], b'\r' | b'\n') {
            offset += 1;
        }
        let line = line + count_lines(&self.text[from..offset]);
        self.counted = (offset, line);
        line
    }

    /// Reads the next row into `fields` and gives its line.
    fn read_into(
        &mut self,
        fields: &mut csv::ByteRecord,
    ) -> Option<Result<usize, Box<InputError>>> {
        if self.failed {
            return None;
        }
        let start = self.reader.position().byte() as usize;
        match self.reader.read_byte_record(fields) {
            Ok(false) => None,
            Ok(true) => {
                let at = fields.position().map_or(start, |p| p.byte() as usize);
                Some(Ok(self.line_at(at)))
            }
            // Text already checked as UTF-8 read from memory has no error the csv crate
            // reports, but should one come, it is the line's and reading stops there.
            Err(e) => {
                self.failed = true;
                let line = self.line_at(e.position().map_or(start, |p| p.byte() as usize));
                let message = format!("cannot read the CSV: {e}");
                Some(Err(whole(&self.table.file, None, Some(line), message)))
            }
        }
    }
}

fn count_lines(text: &[u8]) -> usize {
    text.iter().filter(|b| **b == b'\n').count()
}

/// A run of a table's rows that one thread checks.
pub enum Batch<'t> {
    Rows(&'t [Row]),
    /// CSV text that starts on `line`, read when the batch is checked.
    Csv {
        table: &'t Table,
        text: &'t [u8],
        line: usize,
        delimiter: u8,
    },
}

impl Batch<'_> {
    /// Calls `f` with each row in turn; CSV rows are read into one reused record.
    pub fn for_each(self, mut f: impl FnMut(Result<&Row, Box<InputError>>)) {
        match self {
            Batch::Rows(rows) => rows.iter().for_each(|row| f(Ok(row))),
            Batch::Csv {
                table,
                text,
                line,
                delimiter,
            } => {
                let mut rows = CsvRows::new(table, text, delimiter, line);
                let mut row = Row {
                    line,
                    cells: csv::ByteRecord::new(),
                };
                while let Some(read) = rows.read_into(&mut row.cells) {
                    match read {
                        Ok(line) => {
                            row.line = line;
                            f(Ok(&row));
                        }
                        Err(e) => f(Err(e)),
                    }
                }
            }
        }
    }
}

/// Cuts CSV text into batches of whole records. Finding where records end is a light pass
/// over the text ([`after_records`]: no fields kept, no UTF-8 checks, done for the whole file
/// already); the batches' rows are read where they are checked, in parallel.
struct CsvBatches<'t> {
    table: &'t Table,
    text: &'t [u8],
    delimiter: u8,
    rows_per_batch: usize,
    /// Where the next batch starts and the line it starts on.
    next: (usize, usize),
}

impl<'t> CsvBatches<'t> {
    fn new(table: &'t Table, text: &'t [u8], delimiter: u8, rows_per_batch: usize) -> Self {
        // After the header, read by `read_csv` already.
        let start = after_records(text, 0, 1, delimiter);
        CsvBatches {
            table,
            text,
            delimiter,
            rows_per_batch,
            next: (start, 1 + count_lines(&text[..start])),
        }
    }
}

impl<'t> Iterator for CsvBatches<'t> {
    type Item = Batch<'t>;

    fn next(&mut self) -> Option<Batch<'t>> {
        let (start, line) = self.next;
        let end = after_records(self.text, start, self.rows_per_batch, self.delimiter);
        self.next = (end, line + count_lines(&self.text[start..end]));
        (end > start).then_some(Batch::Csv {
            table: self.table,
            text: &self.text[start..end],
            line,
            delimiter: self.delimiter,
        })
    }
}

/// Where the `records` records from `at` end: just past the last one's line end, or at the
/// end of the text. Reads as the csv crate does (its defaults, which `csv_reader` keeps): blank
/// lines are no records, `\r`, `\n` and `\r\n` end one, a quote opens a quoted field only at
/// the start of a field, and in one `""` is a quote. It jumps from one quote, delimiter or
/// line end to the next instead of stepping through every byte as the csv crate does.
fn after_records(text: &[u8], mut at: usize, records: usize, delimiter: u8) -> usize {
    let mut read = 0;
    while read < records && at < text.len() {
        if matches!(text[at], b'\r' | b'\n') {
            at += 1;
        } else {
            at = record_end(text, at, delimiter);
            read += 1;
        }
    }
    at
}

/// Just past the line end of the record that starts at `at` (the start of a field).
fn record_end(text: &[u8], mut at: usize, delimiter: u8) -> usize {
    loop {
        at = field_end(text, at, delimiter);
        match text.get(at) {
            Some(&b) if b == delimiter => at += 1,
            Some(_) => return at + 1,
            None => return at,
        }
    }
}

/// Where the field that starts at `at` ends: at the delimiter or line end after it (a quoted
/// one's own are inside it), or at the end of the text.
fn field_end(text: &[u8], mut at: usize, delimiter: u8) -> usize {
    if text.get(at) == Some(&b'"') {
        at += 1;
        loop {
            let Some(quote) = memchr::memchr(b'"', &text[at..]) else {
                return text.len();
            };
            at += quote + 1;
            if text.get(at) != Some(&b'"') {
                break;
            }
            at += 1;
        }
    }
    // The rest of the field: after a closing quote, what follows is kept as it is.
    memchr::memchr3(delimiter, b'\n', b'\r', &text[at..]).map_or(text.len(), |stop| at + stop)
}

/// Adds to each error placed on a line of a CSV file that line, with the field at fault
/// marked. The files are read again: errors are few, and keeping every file's text for
/// them would double what a large season holds in memory.
pub fn annotate(errors: &mut [InputError], delimiter: Option<u8>, encoding: Encoding) {
    let mut files: Vec<(PathBuf, Option<String>)> = Vec::new();
    for e in errors.iter_mut().filter(|e| e.place.line.is_some()) {
        let file = &e.place.file;
        if !files.iter().any(|(f, _)| f == file) {
            files.push((file.clone(), csv_text(file, encoding)));
        }
        let Some((_, Some(text))) = files.iter().find(|(f, _)| f == file) else {
            continue;
        };
        let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text.as_bytes()));
        let line = e.place.line.unwrap_or(1);
        let field = e.place.column.as_ref().map(|(number, _)| number - 1);
        e.snippet =
            record_span(text, line, field, delimiter).and_then(|span| Snippet::of_span(text, span));
    }
}

/// A CSV file's text as `read` decodes it, without a byte-order mark; `None` for other
/// formats and undecodable files.
fn csv_text(path: &Path, encoding: Encoding) -> Option<String> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    if matches!(
        extension.as_str(),
        "parquet" | "pq" | "xlsx" | "xlsm" | "xls" | "ods"
    ) {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let text = match encoding {
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
        Encoding::Utf8 => String::from_utf8(bytes).ok()?,
    };
    Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// The byte range of field `field` (0-based) of the record starting on `line` (1-based),
/// quotes included; the whole line when `field` is `None`.
fn record_span(
    text: &str,
    line: usize,
    field: Option<usize>,
    delimiter: u8,
) -> Option<Range<usize>> {
    let start = match line.checked_sub(2) {
        None => 0,
        Some(newlines) => text.match_indices('\n').nth(newlines)?.0 + 1,
    };
    let rest = &text.as_bytes()[start..];
    let line_end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let Some(field) = field else {
        return Some(start..start + line_end);
    };
    let mut from = 0;
    for _ in 0..field {
        let end = field_end(rest, from, delimiter);
        if rest.get(end) != Some(&delimiter) {
            return None;
        }
        from = end + 1;
    }
    Some(start + from..start + field_end(rest, from, delimiter))
}

/// `;` when the header line has more semicolons than commas (Norwegian exports), else `,`.
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    let count = |c: u8| header.iter().filter(|b| **b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

fn read_parquet(path: &Path, bytes: &Bytes) -> Result<Table, Box<InputError>> {
    let whole = |message: String| whole(path, None, None, message);
    let frame = ParquetReader::new(std::io::Cursor::new(&bytes[..]))
        .finish()
        .map_err(|e| whole(format!("cannot read the Parquet file: {e}")))?;
    let headers: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows: Vec<Row> = (0..frame.height())
        .map(|i| Row {
            line: i + 2,
            cells: csv::ByteRecord::with_capacity(0, headers.len()),
        })
        .collect();
    for column in frame.columns() {
        let text = column.cast(&DataType::String).map_err(|e| {
            whole(format!(
                "column `{}` cannot be read as text: {e}",
                column.name()
            ))
        })?;
        let text = text
            .str()
            .map_err(|e| whole(format!("column `{}`: {e}", column.name())))?;
        for (row, value) in rows.iter_mut().zip(text.iter()) {
            row.cells.push_field(value.unwrap_or("").as_bytes());
        }
    }
    Ok(Table {
        file: path.to_path_buf(),
        sheet: None,
        source: bytes.clone(),
        headers,
        body: Body::Rows(rows),
    })
}

fn read_workbook(
    path: &Path,
    bytes: &Bytes,
    sheet: Option<&str>,
) -> Result<Table, Box<InputError>> {
    use calamine::{Data, DataType, Reader};
    let whole = |message: String| whole(path, sheet, None, message);
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&bytes[..]))
        .map_err(|e| whole(format!("cannot read the workbook: {e}")))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(whole(format!(
                "the workbook has no sheet `{s}`: it has {}",
                names.join(", ")
            )));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| whole("the workbook has no sheets".into()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| whole(format!("cannot read sheet `{name}`: {e}")))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let text = |cell: &Data| match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) => cell
            .as_datetime()
            .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
        Data::Error(e) => format!("#{e:?}"),
    };
    // Columns left of the used range are empty in the sheet; keep positions as Excel shows them.
    let mut rows = range.rows().enumerate().map(|(i, cells)| {
        let mut fields = vec![String::new(); first_column];
        fields.extend(cells.iter().map(text));
        Row::of_texts(first_row + i + 1, &fields)
    });
    let headers = match rows.next() {
        Some(row) if row.line == 1 => row.fields().map(|h| h.trim().to_string()).collect(),
        _ => {
            return Err(whole(format!(
                "sheet `{name}` does not start with a header row in row 1"
            )));
        }
    };
    let rows: Vec<Row> = rows.collect();
    Ok(Table {
        file: path.to_path_buf(),
        sheet: Some(name),
        source: bytes.clone(),
        headers,
        body: Body::Rows(rows),
    })
}

/// Converts CSV text to Parquet with every column as text, the way survey tools export it.
pub fn csv_to_parquet(bytes: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let table = read_csv(Path::new("input.csv"), bytes.to_vec(), None)?;
    let rows = table.rows().into_iter().collect::<Result<Vec<_>, _>>()?;
    let columns: Vec<Column> = table
        .headers
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values: Vec<&str> = rows
                .iter()
                .map(|r| if c < r.width() { r.field(c) } else { "" })
                .collect();
            Column::new(name.as_str().into(), values)
        })
        .collect();
    let mut frame = DataFrame::new(rows.len(), columns)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut frame)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Where the csv crate's reader stands after each record of `text`.
    fn csv_record_ends(text: &[u8], delimiter: u8) -> Vec<usize> {
        let mut reader = csv_reader(text, delimiter);
        let mut record = csv::ByteRecord::new();
        let mut ends = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            ends.push(reader.position().byte() as usize);
        }
        ends
    }

    /// [`after_records`] one record at a time, to where only blank lines are left.
    fn record_ends(text: &[u8], delimiter: u8) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut at = 0;
        while !text[at..].iter().all(|b| matches!(b, b'\r' | b'\n')) {
            at = after_records(text, at, 1, delimiter);
            ends.push(at);
        }
        ends
    }

    #[test]
    fn record_ends_with_quotes_blank_lines_and_crlf() {
        let text = b"a,\"b\"\"\nc\"x\r\n\n\r\n1,2\"3,\"\n\"\"\n";
        assert_eq!(record_ends(text, b','), csv_record_ends(text, b','));
        // The first record ends at its `\r` (the quoted `\n` is inside it); the second runs
        // to the end of the text in an unclosed quoted field, past a literal quote in `2"3`.
        assert_eq!(after_records(text, 0, 1, b','), 11);
        assert_eq!(after_records(text, 0, 2, b','), text.len());
        assert_eq!(after_records(text, 11, 1, b','), text.len());
    }

    proptest! {
        /// The batches' boundaries are the csv crate's record ends, whatever the quoting.
        #[test]
        fn record_ends_are_the_csv_crates(text in proptest::collection::vec(
            prop_oneof![Just(b'a'), Just(b','), Just(b';'), Just(b'"'), Just(b'\n'), Just(b'\r')], 0..60)
        ) {
            prop_assert_eq!(record_ends(&text, b','), csv_record_ends(&text, b','));
        }
    }

    #[test]
    fn a_record_span_finds_the_field_past_quotes_and_lines() {
        let text = "a,b,c\n1,\"x, \"\"y\"\"\",fax\n2,\"p\nq\",r\n";
        let at = |line, field| record_span(text, line, field, b',').map(|r| &text[r]);
        assert_eq!(at(2, Some(0)), Some("1"));
        assert_eq!(at(2, Some(1)), Some("\"x, \"\"y\"\"\""));
        assert_eq!(at(2, Some(2)), Some("fax"));
        assert_eq!(at(2, None), Some("1,\"x, \"\"y\"\"\",fax"));
        assert_eq!(at(3, Some(2)), Some("r"), "a field after a quoted newline");
        assert_eq!(at(2, Some(3)), None, "a row too short has no such field");
        assert_eq!(at(9, Some(0)), None);
    }

    #[test]
    fn semicolons_bom_crlf_and_quoted_newlines() {
        let text = "\u{feff}a;b\r\n1;\"x\r\ny\"\r\n2;z\r\n";
        let t = read_csv(Path::new("t.csv"), text.as_bytes().to_vec(), None).unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        let rows: Vec<_> = t.rows().into_iter().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].fields().collect::<Vec<_>>(), vec!["1", "x\r\ny"]);
        assert_eq!(rows[1].line, 4);
    }

    /// Every row with its line, read through batches of `n` rows, or in one go for `None`.
    fn rows_of(t: &Table, n: Option<usize>) -> Vec<(usize, Vec<String>)> {
        let pair = |r: &Row| (r.line, r.fields().map(String::from).collect());
        let Some(n) = n else {
            return t.rows().into_iter().map(|r| pair(&r.unwrap())).collect();
        };
        let mut rows = Vec::new();
        for batch in t.batches(n) {
            batch.for_each(|r| rows.push(pair(r.unwrap())));
        }
        rows
    }

    #[test]
    fn batches_read_the_rows_and_lines_that_reading_in_one_go_does() {
        let text = "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n3,\"p\"\"q\"\n4\n5,\"\n\n\"\n";
        let t = read_csv(Path::new("t.csv"), text.as_bytes().to_vec(), None).unwrap();
        let whole = rows_of(&t, None);
        let lines: Vec<usize> = whole.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 5, 6, 7, 8]);
        assert_eq!(whole[2].1, ["3", "p\"q"]);
        for n in 1..=6 {
            assert_eq!(rows_of(&t, Some(n)), whole, "{n} rows per batch");
        }
    }

    #[test]
    fn the_manifest_hash_is_of_the_files_bytes_not_the_decoded_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let bytes = b"a,b\n1,\xe6\n";
        std::fs::write(&path, bytes).unwrap();
        let t = read(&path, None, Encoding::Windows1252, None).unwrap();
        assert_eq!(
            t.rows()[0].as_ref().unwrap().fields().collect::<Vec<_>>(),
            vec!["1", "æ"]
        );
        assert_eq!(t.sha256(), crate::hash::sha256_hex(bytes));
        assert_eq!(t.size(), 8, "decoded, `æ` would be two bytes");
    }

    #[test]
    fn not_utf8_names_the_line() {
        let e = read_csv(Path::new("t.csv"), b"a,b\n1,\xe6\n".to_vec(), None).unwrap_err();
        assert_eq!(e.place.line, Some(2));
        assert!(e.message.contains("not UTF-8"));
    }

    /// Rows are read as bytes known to be UTF-8 because only ASCII bytes cut the text.
    #[test]
    fn a_delimiter_that_could_cut_a_character_is_refused() {
        let text = "a\u{e6}b\n1\u{e6}2\n".as_bytes().to_vec();
        let e = read_csv(Path::new("t.csv"), text, Some(0xC3)).unwrap_err();
        assert!(e.message.contains("delimiter"), "{}", e.message);
        let t = read_csv(
            Path::new("t.csv"),
            "a;b\n1;\u{e6}\n".as_bytes().to_vec(),
            None,
        )
        .unwrap();
        assert_eq!(t.rows()[0].as_ref().unwrap().field(1), "\u{e6}");
    }
}
