//! Small statistics the methodology needs: means, the Student's t interval, Welch's t-test,
//! Fisher's exact test and numpy-style percentiles. No I/O, plain `f64`.

/// Sum in ascending order with Neumaier's compensation: the same values in any order give
/// the same bits, so participants with identical inquiry scores tie exactly rather than by
/// a rounding accident of the input order. (Values equal under `total_cmp` have the same bits,
/// so an unstable sort gives the same order as a stable one, without its scratch buffer.)
pub fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut sorted: Vec<f64> = values.into_iter().collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let (mut total, mut compensation) = (0.0f64, 0.0f64);
    for v in sorted {
        let t = total + v;
        compensation += if total.abs() >= v.abs() {
            (total - t) + v
        } else {
            (v - t) + total
        };
        total = t;
    }
    total + compensation
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| sum(values.iter().copied()) / values.len() as f64)
}

/// Sample variance (n − 1 in the denominator); `None` below two values.
pub fn sample_variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    Some(sum(values.iter().map(|v| (v - m).powi(2))) / (values.len() - 1) as f64)
}

/// 95 % interval of the mean: mean ± t(0.975, n−1) · s / √n; `None` below two values.
pub fn t_interval_95(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    let m = mean(values)?;
    let s = sample_variance(values)?.sqrt();
    let half = t_975(n - 1) * s / (n as f64).sqrt();
    Some((m - half, m + half))
}

/// t(0.975, df) for whole degrees of freedom, computed once per df: a season has few
/// distinct inquiry counts but may have tens of thousands of participants.
fn t_975(df: usize) -> f64 {
    static CACHE: std::sync::Mutex<Vec<f64>> = std::sync::Mutex::new(Vec::new());
    if let Some(&t) = CACHE
        .lock()
        .expect("not poisoned")
        .get(df)
        .filter(|t| !t.is_nan())
    {
        return t;
    }
    let t = t_quantile(0.975, df as f64);
    let mut cache = CACHE.lock().expect("not poisoned");
    if cache.len() <= df {
        cache.resize(df + 1, f64::NAN);
    }
    cache[df] = t;
    t
}

/// Two-sided p-value of Welch's unequal-variances t-test. `None` when a group has fewer than
/// two values. Both variances zero: 1 when the means are equal, else 0.
pub fn welch_p_value(a: &[f64], b: &[f64]) -> Option<f64> {
    let (va, vb) = (sample_variance(a)?, sample_variance(b)?);
    let (ma, mb) = (mean(a)?, mean(b)?);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (sa, sb) = (va / na, vb / nb);
    if sa + sb == 0.0 {
        return Some(if ma == mb { 1.0 } else { 0.0 });
    }
    Some(welch_p(ma - mb, sa, sb, na, nb))
}

/// Welch's two-sided p from the difference of means and the squared standard errors.
fn welch_p(difference: f64, sa: f64, sb: f64, na: f64, nb: f64) -> f64 {
    let t = difference / (sa + sb).sqrt();
    let df = (sa + sb).powi(2) / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
    t_two_sided_p(t, df)
}

/// Count, mean and sum of squared deviations of some values: enough for Welch's test, and
/// two of them combine exactly (Chan et al.) without keeping the values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    pub fn of(values: &[f64]) -> Moments {
        let Some(m) = mean(values) else {
            return Moments::default();
        };
        Moments {
            n: values.len(),
            mean: m,
            m2: sum(values.iter().map(|v| (v - m).powi(2))),
        }
    }

    pub fn combine(self, other: Moments) -> Moments {
        if self.n == 0 || other.n == 0 {
            return if self.n == 0 { other } else { self };
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let weight = other.n as f64 / n as f64;
        Moments {
            n,
            mean: self.mean + delta * weight,
            m2: self.m2 + other.m2 + delta * delta * self.n as f64 * weight,
        }
    }

    pub fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| self.m2 / (self.n - 1) as f64)
    }
}

/// Welch's two-sided p between two groups given by their moments; `None` when either has
/// fewer than two values or neither varies (§8.2).
pub fn welch_p_moments(a: Moments, b: Moments) -> Option<f64> {
    let (va, vb) = (a.variance()?, b.variance()?);
    let (na, nb) = (a.n as f64, b.n as f64);
    let (sa, sb) = (va / na, vb / nb);
    (sa + sb > 0.0).then(|| welch_p(a.mean - b.mean, sa, sb, na, nb))
}

/// Pearson's correlation of paired values; `None` below two pairs or when either side does
/// not vary.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (mx, my) = (mean(&xs)?, mean(&ys)?);
    let sxy = sum(pairs.iter().map(|(x, y)| (x - mx) * (y - my)));
    let sxx = sum(xs.iter().map(|x| (x - mx).powi(2)));
    let syy = sum(ys.iter().map(|y| (y - my).powi(2)));
    (pairs.len() >= 2 && sxx > 0.0 && syy > 0.0)
        .then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    regularized_beta(x, df / 2.0, 0.5).clamp(0.0, 1.0)
}

/// The `p` quantile of Student's t (0 < p < 1), by bisection on the distribution function.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let cdf = |t: f64| {
        let tail = t_two_sided_p(t, df) / 2.0;
        if t >= 0.0 { 1.0 - tail } else { tail }
    };
    let (mut lo, mut hi) = (-1e6, 1e6);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Percentile with linear interpolation between closest ranks (numpy's default), `q` in
/// [0, 1]. `sorted` must be ascending.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Fisher's exact test of the 2×2 table [[a, b], [c, d]], two-sided as
/// `scipy.stats.fisher_exact` computes it: with the margins fixed, the probability of every
/// table no more likely than the observed one (within a relative 1e-14), at most 1; 1 when a
/// row or column is empty or the observed table is the most likely one.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, row2, col1) = (a + b, c + d, a + c);
    let n = row1 + row2;
    if row1 == 0 || row2 == 0 || col1 == 0 || col1 == n {
        return 1.0;
    }
    // Probabilities of the top-left cell x relative to the most likely x (the mode), built
    // outward from it by the ratio pmf(x + 1) / pmf(x): no factorials, so nothing to overflow
    // and only a rounding per step.
    let (lo, hi) = (col1.saturating_sub(row2), col1.min(row1));
    let mode = ((col1 + 1) * (row1 + 1) / (n + 2)).clamp(lo, hi);
    let ratio =
        |x: u64| ((row1 - x) * (col1 - x)) as f64 / ((x + 1) * (row2 + x + 1 - col1)) as f64;
    let mut weight = vec![0.0f64; (hi - lo + 1) as usize];
    weight[(mode - lo) as usize] = 1.0;
    for x in mode..hi {
        weight[(x + 1 - lo) as usize] = weight[(x - lo) as usize] * ratio(x);
    }
    for x in (lo..mode).rev() {
        weight[(x - lo) as usize] = weight[(x + 1 - lo) as usize] / ratio(x);
    }
    let observed = weight[(a - lo) as usize];
    if (1.0 - observed).abs() <= 1e-14 {
        return 1.0;
    }
    let limit = observed * (1.0 + 1e-14);
    let tail = sum(weight.iter().copied().filter(|&w| w <= limit));
    (tail / sum(weight.iter().copied())).min(1.0)
}

// The special functions under Student's t (ln Γ, the regularized incomplete beta and its
// continued fraction) are kept here rather than taken from `statrs`: they are three short
// functions checked against scipy to 1e-12 (the tests below), every p-value, interval and
// "too close to call" flag in the results files comes from exactly these, so another
// library's last digits would change recorded outputs and could move a flag sitting at
// p = 0.05, and `statrs` would bring a dependency tree for what is 100 lines.

fn ln_gamma(x: f64) -> f64 {
    // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized incomplete beta function I_x(a, b).
fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

/// Lentz's method for the continued fraction of the incomplete beta function.
fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..10_000 {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + even * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + even / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        f *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + odd * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + odd / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn sums_do_not_depend_on_order() {
        let a = [100.0, 500.0 / 6.0, 100.0 / 3.0];
        let b = [100.0 / 3.0, 100.0, 500.0 / 6.0];
        assert_eq!(mean(&a).unwrap().to_bits(), mean(&b).unwrap().to_bits());
        assert_eq!(sum([0.1, 0.2, 0.3]), 0.6);
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Table values of t(0.975, df).
        assert!(close(t_quantile(0.975, 1.0), 12.706_204_736, 1e-6));
        assert!(close(t_quantile(0.975, 2.0), 4.302_652_730, 1e-8));
        assert!(close(t_quantile(0.975, 24.0), 2.063_898_562, 1e-8));
        assert!(close(t_quantile(0.975, 1000.0), 1.962_339_081, 1e-8));
    }

    #[test]
    fn t_interval_of_known_values() {
        // Values 70, 80, 90: mean 80, s = 10, s/√3 = 5.773 502 692, t(0.975, 2) = 4.302 652 730
        // → half-width 24.841 377 ⇒ (55.158 623, 104.841 377).
        let (lo, hi) = t_interval_95(&[70.0, 80.0, 90.0]).unwrap();
        assert!(close(lo, 55.158_622_7, 1e-6), "{lo}");
        assert!(close(hi, 104.841_377_3, 1e-6), "{hi}");
        assert_eq!(t_interval_95(&[50.0]), None);
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind([1,2,3,4,5], [2,4,6,8,10,12], equal_var=False).pvalue
        // t = (3 − 7) / √(2.5/5 + 14/6) = −2.376 354, df = 6.972 256 → p = 0.049 284 338.
        let p = welch_p_value(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
        )
        .unwrap();
        assert!(close(p, 0.049_284_338_2, 1e-9), "{p}");
        assert_eq!(welch_p_value(&[1.0, 1.0], &[1.0, 1.0]), Some(1.0));
        assert_eq!(welch_p_value(&[1.0, 1.0], &[2.0, 2.0]), Some(0.0));
        assert_eq!(welch_p_value(&[1.0], &[2.0, 3.0]), None);
    }

    #[test]
    fn welch_from_moments_matches_the_values_and_scipy() {
        // The scipy example above, its groups given by their moments; one group split in two
        // and combined gives the same moments.
        let a = Moments::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = Moments::of(&[2.0, 4.0, 6.0]).combine(Moments::of(&[8.0, 10.0, 12.0]));
        assert_eq!((b.n, b.mean), (6, 7.0));
        assert!(
            close(b.m2, 70.0, 1e-12),
            "Σ(x − 7)² = 25 + 9 + 1 + 1 + 9 + 25"
        );
        assert!(close(welch_p_moments(a, b).unwrap(), 0.049_284_338_2, 1e-9));
        let flat = Moments::of(&[1.0, 1.0]);
        assert_eq!(welch_p_moments(flat, flat), None, "neither varies");
        assert_eq!(welch_p_moments(Moments::of(&[1.0]), b), None, "one value");
    }

    #[test]
    fn pearson_by_hand() {
        // x 1, 2, 3; y 2, 4, 5: means 2 and 11/3; Sxy = 3, Sxx = 2, Syy = 14/3;
        // r = 3 / √(28/3) = 0.981 980 506 (numpy.corrcoef).
        let r = pearson(&[(1.0, 2.0), (2.0, 4.0), (3.0, 5.0)]).unwrap();
        assert!(close(r, 0.981_980_506_061_965_7, 1e-12), "{r}");
        assert_eq!(pearson(&[(1.0, 2.0), (1.0, 3.0)]), None, "x does not vary");
        assert_eq!(pearson(&[(1.0, 2.0)]), None);
    }

    #[test]
    fn fisher_exact_by_hand_and_against_scipy() {
        // Fisher's tea-tasting table [[3, 1], [1, 3]]: margins 4/4, so the top-left cell x runs
        // 0..=4 with probabilities C(4,x)·C(4,4−x)/C(8,4) = 1, 16, 36, 16, 1 (/70). The
        // observed x = 3 has 16/70; the tables no more likely are x = 0, 1, 3, 4:
        // p = (1 + 16 + 16 + 1) / 70 = 34/70.
        assert!(close(
            fisher_exact_two_sided(3, 1, 1, 3),
            34.0 / 70.0,
            1e-14
        ));
        // scipy.stats.fisher_exact(table).pvalue, scipy 1.17.1.
        for (table, scipy) in [
            ([8, 2, 1, 5], 0.034_965_034_965_034_975),
            ([6, 2, 1, 4], 0.102_564_102_564_102_56),
            ([60, 40, 35, 65], 0.000_640_792_045_220_773_9),
            ([0, 5, 5, 0], 0.007_936_507_936_507_938),
            ([120, 80, 90, 110], 0.003_635_185_555_881_440_2),
            ([1, 9, 11, 3], 0.002_759_456_185_220_083_6),
            ([10, 10, 10, 10], 1.0),
            ([2, 0, 0, 0], 1.0),
        ] {
            let [a, b, c, d] = table;
            let p = fisher_exact_two_sided(a, b, c, d);
            assert!(
                (p - scipy).abs() <= 1e-12 * scipy.max(1e-3),
                "{table:?}: {p} vs {scipy}"
            );
        }
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([10, 20, 30, 40], [50, 75, 90]) = [25, 32.5, 37]
        let v = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&v, 0.5), Some(25.0));
        assert_eq!(percentile(&v, 0.75), Some(32.5));
        assert!(close(percentile(&v, 0.9).unwrap(), 37.0, 1e-12));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
