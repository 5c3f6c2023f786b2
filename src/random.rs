//! Seeded random numbers: the same seed gives the same draws on every platform and thread
//! count. The season generator, `ksp sensitivity` and the resampled ranks draw from here.

/// SplitMix64: small, fast and stable across platforms and versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The `index`-th of many independent streams from one seed (one per resample or per
    /// setting), so what each draws does not depend on which thread draws it.
    pub fn stream(seed: u64, index: u64) -> Rng {
        Rng::new(seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.f64() * n as f64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal, Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u = self.f64().max(1e-12);
        let v = self.f64();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_and_differ() {
        let draw = |mut r: Rng| (0..3).map(|_| r.next_u64()).collect::<Vec<_>>();
        assert_eq!(draw(Rng::stream(1, 7)), draw(Rng::stream(1, 7)));
        assert_ne!(draw(Rng::stream(1, 7)), draw(Rng::stream(1, 8)));
        assert_ne!(draw(Rng::stream(1, 7)), draw(Rng::stream(2, 7)));
        let mut r = Rng::new(3);
        assert!((0..1000).map(|_| r.f64()).all(|x| (0.0..1.0).contains(&x)));
    }
}
