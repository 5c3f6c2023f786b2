//! `[award]`.

use super::{CheckError, CheckResult, find};
use crate::config::raw::RawAward;
use crate::config::season::{Area, AreaIx, AwardRules};

pub(super) fn check(raw: &RawAward, areas: &[Area]) -> CheckResult<AwardRules> {
    let ids: Vec<&str> = areas.iter().map(|a| a.id.as_str()).collect();
    let tie_break_area = find(&ids, &raw.tie_break_area, "award.tie_break_area", "area")?;
    if raw.min_inquiries == 0 {
        return Err(CheckError::new("award.min_inquiries", "must be at least 1"));
    }
    if raw.resamples > MAX_RESAMPLES {
        return Err(CheckError::new(
            "award.resamples",
            format!(
                "{} is more than {MAX_RESAMPLES}: 2000 give win chances within about ±0.02",
                raw.resamples
            ),
        ));
    }
    Ok(AwardRules {
        min_inquiries: raw.min_inquiries,
        min_class_size: raw.min_class_size.max(1),
        min_channel_inquiries: raw.min_channel_inquiries.max(1),
        tie_break_area: AreaIx(tie_break_area),
        enabled: raw.enabled,
        resamples: raw.resamples,
        seed: raw.seed,
    })
}

/// More resamples than this take minutes and tell nothing more.
const MAX_RESAMPLES: usize = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> Vec<Area> {
        super::super::test_areas(&["wait", "agent"])
    }

    #[test]
    fn the_tie_break_area_must_exist_and_rules_are_at_least_one() {
        let rules = check(&RawAward::default(), &areas()).unwrap();
        assert_eq!((rules.tie_break_area, rules.min_inquiries), (AreaIx(1), 20));
        let raw = RawAward {
            tie_break_area: "service".into(),
            ..RawAward::default()
        };
        let e = check(&raw, &areas()).err().unwrap();
        assert_eq!(
            e.to_string(),
            "award.tie_break_area: no area `service`: the areas are wait, agent"
        );
        let raw = RawAward {
            min_inquiries: 0,
            ..RawAward::default()
        };
        assert_eq!(
            check(&raw, &areas()).err().unwrap().key,
            "award.min_inquiries"
        );
        let raw = RawAward {
            min_class_size: 0,
            min_channel_inquiries: 0,
            ..RawAward::default()
        };
        let rules = check(&raw, &areas()).unwrap();
        assert_eq!((rules.min_class_size, rules.min_channel_inquiries), (1, 1));
    }
}
