//! Parquet files, every column read as text; and CSV converted to Parquet, as survey tools
//! export it.

use std::path::Path;

use polars::prelude::{Column, DataFrame, DataType, ParquetReader, ParquetWriter, SerReader};

use super::{Body, Bytes, InputError, Row, Table, read_csv, whole};

pub(super) fn read_parquet(path: &Path, bytes: &Bytes) -> Result<Table, Box<InputError>> {
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
