//! CSV text: the header read at once, the rows read in batches where they are checked, and
//! the line of an error shown with the field at fault.

use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Batch, Body, Bytes, InputError, Table, whole};
use crate::config::Encoding;
use crate::snippet::Snippet;

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
pub(super) struct CsvRows<'t> {
    table: &'t Table,
    text: &'t [u8],
    reader: csv::Reader<&'t [u8]>,
    /// A byte offset and the line it is on.
    counted: (usize, usize),
    failed: bool,
}

impl<'t> CsvRows<'t> {
    /// The rows of `text`, which starts on `line`.
    pub(super) fn new(table: &'t Table, text: &'t [u8], delimiter: u8, line: usize) -> Self {
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
    pub(super) fn read_into(
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

/// Cuts CSV text into batches of whole records. Finding where records end is a light pass
/// over the text ([`after_records`]: no fields kept, no UTF-8 checks, done for the whole file
/// already); the batches' rows are read where they are checked, in parallel.
pub(super) struct CsvBatches<'t> {
    table: &'t Table,
    text: &'t [u8],
    delimiter: u8,
    rows_per_batch: usize,
    /// Where the next batch starts and the line it starts on.
    next: (usize, usize),
}

impl<'t> CsvBatches<'t> {
    pub(super) fn new(
        table: &'t Table,
        text: &'t [u8],
        delimiter: u8,
        rows_per_batch: usize,
    ) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::table::{Row, read};
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
