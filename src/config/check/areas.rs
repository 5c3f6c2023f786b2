//! `[areas.<id>]`: weights, and the wait area's own points.

use indexmap::IndexMap;

use super::{CheckError, CheckResult};
use crate::config::raw::RawArea;
use crate::config::season::Area;

pub(super) fn check_all(raw: &IndexMap<String, RawArea>) -> CheckResult<Vec<Area>> {
    if raw.is_empty() {
        return Err(CheckError::new(
            "areas",
            "the config defines no areas: add e.g. [areas.agent] with a weight",
        ));
    }
    let areas = raw
        .iter()
        .map(|(id, a)| Area::check(id, a))
        .collect::<CheckResult<Vec<Area>>>()?;
    if areas.iter().map(|a| a.weight).sum::<f64>() <= 0.0 {
        return Err(CheckError::new(
            "areas",
            "the area weights add up to 0: give at least one area a weight above 0",
        ));
    }
    Ok(areas)
}

impl Area {
    pub(super) fn check(id: &str, raw: &RawArea) -> CheckResult<Area> {
        let key = format!("areas.{id}");
        if !(raw.weight.is_finite() && raw.weight >= 0.0) {
            return Err(CheckError::new(
                format!("{key}.weight"),
                format!("weight {} must be a number of 0 or more", raw.weight),
            ));
        }
        let points_key = format!("{key}.points");
        match (id, raw.points) {
            ("wait", Some(p)) if !(p.is_finite() && p > 0.0) => {
                return Err(CheckError::new(
                    points_key,
                    "the wait area's points must be above 0",
                ));
            }
            ("wait", _) | (_, None) => {}
            (_, Some(_)) => {
                return Err(CheckError::new(
                    points_key,
                    "only the wait area has points of its own; give points to its questions",
                ));
            }
        }
        Ok(Area {
            id: id.to_string(),
            name: raw.name.clone(),
            weight: raw.weight,
            points: raw.points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::raw::Texts;

    fn area(weight: f64, points: Option<f64>) -> RawArea {
        RawArea {
            name: Texts::plain("A"),
            weight,
            points,
        }
    }

    #[test]
    fn every_area_error_names_its_key() {
        assert!(Area::check("wait", &area(10.0, Some(4.0))).is_ok());
        let e = Area::check("agent", &area(-1.0, None)).err().unwrap();
        assert_eq!(e.key, "areas.agent.weight");
        let e = Area::check("agent", &area(f64::NAN, None)).err().unwrap();
        assert!(e.message.contains("0 or more"));
        let e = Area::check("wait", &area(10.0, Some(0.0))).err().unwrap();
        assert_eq!(e.key, "areas.wait.points");
        let e = Area::check("agent", &area(10.0, Some(2.0))).err().unwrap();
        assert!(e.message.contains("only the wait area"));
        let mut all = IndexMap::new();
        all.insert("agent".to_string(), area(0.0, None));
        assert!(
            check_all(&all)
                .err()
                .unwrap()
                .message
                .contains("add up to 0")
        );
        assert!(
            check_all(&IndexMap::new())
                .err()
                .unwrap()
                .message
                .contains("no areas")
        );
    }
}
