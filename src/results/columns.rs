//! A results row's columns from its serde form. The row struct is the one declaration of a
//! table's columns: its fields in order (a flattened map's entries where it stands) are the
//! cells the CSV and the workbook write, and its field names the header of an empty table.

use serde::de::{self, DeserializeOwned, Visitor};
use serde::ser::{self, Impossible, Serialize};

use super::cell::{Cell, Num};

/// The row's cells, named, in column order.
pub fn cells<R: Serialize>(row: &R) -> Vec<(String, Cell)> {
    let mut cells = Vec::new();
    row.serialize(RowSerializer { cells: &mut cells })
        .expect("a results row is a struct of cells");
    cells
}

/// The columns of a row type with no flattened map, without a row: its field names as its
/// `Deserialize` declares them (the header of an empty awards or shoppers table).
pub fn columns<R: DeserializeOwned>() -> Vec<String> {
    let mut fields: &'static [&'static str] = &[];
    let _ = R::deserialize(FieldNames(&mut fields));
    fields.iter().map(|f| f.to_string()).collect()
}

/// A value of a closed set (an award kind, a scope) by the name the results give it.
pub fn name_of<T: Serialize>(value: &T) -> String {
    value
        .serialize(CellSerializer)
        .map(|cell| cell.text())
        .unwrap_or_default()
}

/// Why a value is not a cell: only plain values, options and unit enum variants are.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotACell(String);

impl ser::Error for NotACell {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotACell(msg.to_string())
    }
}

impl de::Error for NotACell {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotACell(msg.to_string())
    }
}

fn not_a_cell<T>(what: &str) -> Result<T, NotACell> {
    Err(NotACell(format!("{what} is not a cell")))
}

/// Collects a struct's fields, or a map's entries (a struct with a flattened map is
/// serialized as a map), as named cells.
struct RowSerializer<'a> {
    cells: &'a mut Vec<(String, Cell)>,
}

/// One map entry's key, waiting for its value.
struct RowMap<'a> {
    cells: &'a mut Vec<(String, Cell)>,
    key: Option<String>,
}

/// The methods of a row serializer for values that are not rows: each is refused.
macro_rules! not_a_row {
    ($($method:ident($($arg:ty)?)),* $(,)?) => {
        $(fn $method(self $(, _: $arg)?) -> Result<(), NotACell> {
            not_a_cell("a row")
        })*
    };
}

impl<'a> ser::Serializer for RowSerializer<'a> {
    type Ok = ();
    type Error = NotACell;
    type SerializeSeq = Impossible<(), NotACell>;
    type SerializeTuple = Impossible<(), NotACell>;
    type SerializeTupleStruct = Impossible<(), NotACell>;
    type SerializeTupleVariant = Impossible<(), NotACell>;
    type SerializeMap = RowMap<'a>;
    type SerializeStruct = RowMap<'a>;
    type SerializeStructVariant = Impossible<(), NotACell>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<RowMap<'a>, NotACell> {
        Ok(RowMap {
            cells: self.cells,
            key: None,
        })
    }

    fn serialize_map(self, _: Option<usize>) -> Result<RowMap<'a>, NotACell> {
        self.serialize_struct("", 0)
    }

    not_a_row! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_none(),
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_unit(self) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotACell> {
        not_a_cell("a row")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotACell> {
        not_a_cell("a row")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotACell> {
        not_a_cell("a row")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotACell> {
        not_a_cell("a row")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotACell> {
        not_a_cell("a row")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotACell> {
        not_a_cell("a row")
    }
}

impl ser::SerializeStruct for RowMap<'_> {
    type Ok = ();
    type Error = NotACell;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotACell> {
        self.cells
            .push((key.to_string(), value.serialize(CellSerializer)?));
        Ok(())
    }

    fn end(self) -> Result<(), NotACell> {
        Ok(())
    }
}

impl ser::SerializeMap for RowMap<'_> {
    type Ok = ();
    type Error = NotACell;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NotACell> {
        match key.serialize(CellSerializer)? {
            Cell::Text(key) => self.key = Some(key),
            _ => return not_a_cell("a key that is not text"),
        }
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NotACell> {
        let key = self.key.take().expect("serde gives a key before its value");
        self.cells.push((key, value.serialize(CellSerializer)?));
        Ok(())
    }

    fn end(self) -> Result<(), NotACell> {
        Ok(())
    }
}

/// One value as a cell: counts stay counts, other numbers are figures, `None` is empty, and
/// a unit variant (an award kind, a scope) is its name as serde writes it.
struct CellSerializer;

impl ser::Serializer for CellSerializer {
    type Ok = Cell;
    type Error = NotACell;
    type SerializeSeq = Impossible<Cell, NotACell>;
    type SerializeTuple = Impossible<Cell, NotACell>;
    type SerializeTupleStruct = Impossible<Cell, NotACell>;
    type SerializeTupleVariant = Impossible<Cell, NotACell>;
    type SerializeMap = Impossible<Cell, NotACell>;
    type SerializeStruct = Impossible<Cell, NotACell>;
    type SerializeStructVariant = Impossible<Cell, NotACell>;

    fn serialize_bool(self, v: bool) -> Result<Cell, NotACell> {
        Ok(Cell::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Cell, NotACell> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Cell, NotACell> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Cell, NotACell> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Cell, NotACell> {
        Ok(Cell::Num(Num(Some(v as f64))))
    }
    fn serialize_u8(self, v: u8) -> Result<Cell, NotACell> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Cell, NotACell> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Cell, NotACell> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Cell, NotACell> {
        Ok(Cell::Count(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Cell, NotACell> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Cell, NotACell> {
        Ok(Cell::Num(Num(Some(v))))
    }
    fn serialize_char(self, v: char) -> Result<Cell, NotACell> {
        Ok(Cell::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Cell, NotACell> {
        Ok(Cell::Text(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Cell, NotACell> {
        not_a_cell("bytes")
    }
    fn serialize_none(self) -> Result<Cell, NotACell> {
        Ok(Cell::Num(Num(None)))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Cell, NotACell> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Cell, NotACell> {
        Ok(Cell::Num(Num(None)))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Cell, NotACell> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Cell, NotACell> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Cell, NotACell> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Cell, NotACell> {
        not_a_cell("an enum variant with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotACell> {
        not_a_cell("a list")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotACell> {
        not_a_cell("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotACell> {
        not_a_cell("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotACell> {
        not_a_cell("an enum variant with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotACell> {
        not_a_cell("a map")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotACell> {
        not_a_cell("a struct")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotACell> {
        not_a_cell("an enum variant with data")
    }
}

/// A deserializer that only notes the field names a struct asks for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = NotACell;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, NotACell> {
        *self.0 = fields;
        not_a_cell("a field list")
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, NotACell> {
        not_a_cell("a row with a flattened map")
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        ClassWinner,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Fixed {
        id: String,
        n: usize,
        rank: Option<usize>,
        x: Num,
        cutoff: i64,
        kind: Kind,
        flagged: Option<bool>,
    }

    #[derive(serde::Serialize)]
    struct Flat {
        id: String,
        #[serde(flatten)]
        more: IndexMap<String, Cell>,
        last: bool,
    }

    #[test]
    fn fields_are_cells_in_order() {
        let row = Fixed {
            id: "P1".into(),
            n: 3,
            rank: None,
            x: Num(Some(94.625)),
            cutoff: -30,
            kind: Kind::ClassWinner,
            flagged: Some(true),
        };
        let texts: Vec<(String, String)> = cells(&row)
            .into_iter()
            .map(|(k, v)| (k, v.text()))
            .collect();
        let expected = [
            ("id", "P1"),
            ("n", "3"),
            ("rank", ""),
            ("x", "94.625"),
            ("cutoff", "-30"),
            ("kind", "class_winner"),
            ("flagged", "true"),
        ];
        assert_eq!(texts, expected.map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(cells(&row)[1].1, Cell::Count(3));
        assert_eq!(columns::<Fixed>(), expected.map(|(k, _)| k.to_string()));
    }

    #[test]
    fn a_flattened_map_stands_where_its_field_does() {
        let more = IndexMap::from([
            ("area_b".to_string(), Cell::num(Some(100.0))),
            ("area_a".to_string(), Cell::num(None)),
        ]);
        let row = Flat {
            id: "P1".into(),
            more,
            last: false,
        };
        let names: Vec<String> = cells(&row).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["id", "area_b", "area_a", "last"]);
        // A whole figure serializes as an integer but stays a figure (100, not a count).
        assert_eq!(cells(&row)[1].1.text(), "100");
    }
}
