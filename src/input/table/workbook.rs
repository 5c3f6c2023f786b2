//! Excel and OpenDocument workbooks: one sheet, cells as the text Excel shows.

use std::path::Path;

use super::{Body, Bytes, InputError, Row, Table, whole};

pub(super) fn read_workbook(
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
