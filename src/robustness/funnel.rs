//! The funnel of §7.2 (Spiegelhalter 2005) and the inquiries a class needs to separate its
//! top two (§7.3).

use crate::stats;

/// Two-sided 95 % and 99.8 % normal quantiles, and the one-sided 80 % of a power of 0.8.
pub const Z95: f64 = 1.959964;
pub const Z998: f64 = 3.090232;
const Z_POWER80: f64 = 0.841621;

/// Where a participant's total falls against the funnel's limits for its inquiry count
/// (`above`, `within`, `below` in the results and the template data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Above,
    Within,
    Below,
}

/// The centre and spread of S(i) over every inquiry of the eligible participants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Funnel {
    pub centre: f64,
    pub sd: f64,
}

impl Funnel {
    /// `None` with fewer than two scores.
    pub fn of(scores: &[f64]) -> Option<Funnel> {
        Some(Funnel {
            centre: stats::mean(scores)?,
            sd: stats::sample_variance(scores)?.sqrt(),
        })
    }

    /// z·s/√n: how far the limits lie from the centre at `n` inquiries.
    pub fn half_width(&self, n: f64, z: f64) -> f64 {
        z * self.sd / n.sqrt()
    }

    /// The limits c ± z·s/√n.
    pub fn limits(&self, n: usize, z: f64) -> (f64, f64) {
        let half = self.half_width(n as f64, z);
        (self.centre - half, self.centre + half)
    }

    pub fn position(&self, total: f64, n: usize, z: f64) -> Position {
        let (low, high) = self.limits(n, z);
        if total > high {
            Position::Above
        } else if total < low {
            Position::Below
        } else {
            Position::Within
        }
    }
}

/// ⌈2·(z₀.₉₇₅ + z₀.₈)²·v / d²⌉ inquiries each, to tell two participants apart with a
/// two-sided 5 % test at 80 % power: d the difference of their totals, v the mean of their
/// sample variances. `None` when d = 0 or a side has fewer than two scores.
pub fn inquiries_needed(a: &[f64], b: &[f64]) -> Option<usize> {
    let d = (stats::mean(a)? - stats::mean(b)?).abs();
    let v = (stats::sample_variance(a)? + stats::sample_variance(b)?) / 2.0;
    (d > 0.0).then(|| (2.0 * (Z95 + Z_POWER80).powi(2) * v / (d * d)).ceil() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_hand() {
        // Scores 40, 60, 80, 100: c = 70, s² = (900 + 100 + 100 + 900) / 3 = 666.67, s = 25.82.
        let f = Funnel::of(&[40.0, 60.0, 80.0, 100.0]).unwrap();
        assert_eq!(f.centre, 70.0);
        assert!((f.sd - 25.819_888_974_716_11).abs() < 1e-12);
        // n = 25: s/√n = 5.163978; 95 %: 70 ± 10.121211; 99.8 %: 70 ± 15.957889.
        let (lo, hi) = f.limits(25, Z95);
        assert!((lo - 59.878_789).abs() < 1e-5 && (hi - 80.121_211).abs() < 1e-5);
        let (lo, hi) = f.limits(25, Z998);
        assert!((lo - 54.042_111).abs() < 1e-5 && (hi - 85.957_889).abs() < 1e-5);
        assert_eq!(f.position(81.0, 25, Z95), Position::Above);
        assert_eq!(f.position(81.0, 25, Z998), Position::Within);
        assert_eq!(f.position(54.0, 25, Z998), Position::Below);
        assert_eq!(f.position(80.121, 25, Z95), Position::Within);
    }

    #[test]
    fn inquiries_needed_by_hand() {
        // Means 80 and 75 (d = 5); variances 100 and 200 (v = 150).
        // 2 · (1.959964 + 0.841621)² · 150 / 25 = 12 · 7.848878 = 94.19 → 95.
        let a = [70.0, 90.0, 80.0];
        let b = [75.0 - 200f64.sqrt(), 75.0 + 200f64.sqrt(), 75.0];
        assert_eq!(inquiries_needed(&a, &b), Some(95));
        assert_eq!(inquiries_needed(&a, &a), None, "no difference");
        assert_eq!(inquiries_needed(&a, &[75.0]), None, "one score");
    }
}
