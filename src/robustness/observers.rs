//! Observers who grade differently (§7.4): each answered inquiry's score against its
//! participant's score for answered inquiries, averaged per shopper and scaled to a z.

use std::collections::BTreeMap;

use super::funnel::Z998;
use crate::stats;

/// One shopper's effect. `z` is `None` when the deviations do not vary.
#[derive(Debug, Clone, PartialEq)]
pub struct Observer {
    pub shopper_id: String,
    pub n: usize,
    pub effect: f64,
    pub z: Option<f64>,
    pub flagged: bool,
}

/// `deviations`: (shopper id, e(i) = S(i) − total_answered of its participant) for every
/// answered inquiry of an eligible participant with a shopper id. Sorted by shopper id.
pub fn observers<'a>(deviations: impl IntoIterator<Item = (&'a str, f64)>) -> Vec<Observer> {
    let mut by_shopper: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for (shopper, e) in deviations {
        by_shopper.entry(shopper).or_default().push(e);
        all.push(e);
    }
    let spread = stats::sample_variance(&all)
        .map(f64::sqrt)
        .filter(|s| *s > 0.0);
    by_shopper
        .into_iter()
        .map(|(shopper, es)| {
            let n = es.len();
            let effect = stats::mean(&es).expect("a shopper has inquiries");
            let z = spread.map(|s| effect / (s / (n as f64).sqrt()));
            Observer {
                shopper_id: shopper.to_string(),
                n,
                effect,
                z,
                flagged: z.is_some_and(|z| z.abs() > Z998),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_by_hand() {
        // e: S1 −10, −10, −10, −10; S2 +10, +10, +10, +10; S3 0, 0.
        // s_e² = 800 / 9 = 88.89, s_e = 9.428; S1: z = −10 / (9.428 / 2) = −2.1213.
        let mut e = vec![("S1", -10.0); 4];
        e.extend(vec![("S2", 10.0); 4]);
        e.extend(vec![("S3", 0.0); 2]);
        let o = observers(e);
        assert_eq!(
            o.iter().map(|o| o.shopper_id.as_str()).collect::<Vec<_>>(),
            ["S1", "S2", "S3"]
        );
        assert_eq!((o[0].n, o[0].effect), (4, -10.0));
        assert!((o[0].z.unwrap() + 2.121_320_343_559_642).abs() < 1e-12);
        assert!(!o[0].flagged);
        assert_eq!(o[2].z, Some(0.0));
    }

    #[test]
    fn a_far_harder_observer_is_flagged() {
        // 40 inquiries within ±1 of their participants' scores, one shopper 8 below on 4.
        let mut e: Vec<(&str, f64)> = (0..40)
            .map(|i| ("A", if i % 2 == 0 { 1.0 } else { -1.0 }))
            .collect();
        e.extend(vec![("B", -8.0); 4]);
        let o = observers(e);
        assert!(o[1].flagged, "{o:?}");
        assert!(!o[0].flagged);
        assert_eq!(
            observers(vec![("A", 2.0), ("B", 2.0)])[0].z,
            None,
            "no spread"
        );
    }
}
