//! One value of a results table, typed: the CSV, the JSON and the Excel sheet each write it
//! their own way from the same value, and `results.json` reads back into it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A figure at full precision, or not applicable.
///
/// CSV writes Rust's shortest round-trip form (`94.625`, `100`); JSON writes a
/// figure that is a whole number as an integer (`100`, as the CSV reads) and others as
/// serde_json writes floats; `null` when not applicable.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Num(pub Option<f64>);

impl Num {
    pub fn text(self) -> String {
        self.0.map(|v| format!("{v}")).unwrap_or_default()
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_none(),
            Some(v) => match format!("{v}").parse::<i64>() {
                Ok(i) => s.serialize_i64(i),
                Err(_) => s.serialize_f64(v),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        Option::<f64>::deserialize(d).map(Num)
    }
}

/// A cell of a table whose columns depend on the config (`area_<id>`, `n_<channel>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Bool(bool),
    Count(u64),
    Num(Num),
    Text(String),
}

impl Cell {
    pub fn count(n: usize) -> Cell {
        Cell::Count(n as u64)
    }

    pub fn num(x: Option<f64>) -> Cell {
        Cell::Num(Num(x))
    }

    /// The cell as the CSV writes it: empty when not applicable.
    pub fn text(&self) -> String {
        match self {
            Cell::Bool(b) => b.to_string(),
            Cell::Count(n) => n.to_string(),
            Cell::Num(x) => x.text(),
            Cell::Text(t) => t.clone(),
        }
    }

    /// The figure of a numeric cell.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Count(n) => Some(*n as f64),
            Cell::Num(x) => x.0,
            _ => None,
        }
    }
}

impl From<Num> for Cell {
    fn from(x: Num) -> Cell {
        Cell::Num(x)
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

impl From<&str> for Cell {
    fn from(t: &str) -> Cell {
        Cell::Text(t.to_string())
    }
}

impl From<String> for Cell {
    fn from(t: String) -> Cell {
        Cell::Text(t)
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::count(n)
    }
}

impl From<Option<usize>> for Cell {
    fn from(n: Option<usize>) -> Cell {
        match n {
            Some(n) => Cell::count(n),
            None => Cell::num(None),
        }
    }
}

impl From<Option<bool>> for Cell {
    fn from(b: Option<bool>) -> Cell {
        match b {
            Some(b) => Cell::Bool(b),
            None => Cell::num(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_figures_are_integers_in_json_and_the_rest_round_trip() {
        let json =
            serde_json::to_string(&[Num(Some(100.0)), Num(Some(94.625)), Num(None)]).unwrap();
        assert_eq!(json, "[100,94.625,null]");
        let back: Vec<Num> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Num(Some(100.0)), Num(Some(94.625)), Num(None)]);
        assert_eq!(Num(Some(0.1)).text(), "0.1");
        assert_eq!(Num(None).text(), "");
    }

    #[test]
    fn cells_read_back_as_their_kind() {
        let cells: Vec<Cell> = serde_json::from_str(r#"[true, 3, 2.5, null, "P001"]"#).unwrap();
        assert_eq!(
            cells,
            [
                Cell::Bool(true),
                Cell::Count(3),
                Cell::num(Some(2.5)),
                Cell::num(None),
                Cell::from("P001")
            ]
        );
        assert_eq!(
            cells.iter().map(Cell::text).collect::<Vec<_>>(),
            ["true", "3", "2.5", "", "P001"]
        );
    }
}
