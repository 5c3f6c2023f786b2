//! Reading an input file into rows of text, each with its line (CSV) or row (Parquet) number.
//! Typed checks happen in `input`; this module only knows file formats: one file per format
//! (`delimited` for CSV, `workbook`, `parquet`), each giving the one [`Table`] of [`Row`]s.

mod delimited;
mod parquet;
mod workbook;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Encoding;
use crate::snippet::Snippet;
use delimited::{CsvBatches, CsvRows};
pub use delimited::{annotate, read_csv};
pub use parquet::csv_to_parquet;
use parquet::read_parquet;
use workbook::read_workbook;

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
