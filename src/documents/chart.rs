//! What the charts drawn in Typst share: round axis ticks, and names placed beside their
//! dots so that no two overlap. Positions are in points on a plot area with its origin at
//! the top left.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// A label line of 6.5 pt text, and the width of one terminal cell of it (a little over
/// Inter's average, so names do not wrap).
const LABEL_HEIGHT: f64 = 8.0;
const CELL_WIDTH: f64 = 3.9;
/// Names are cut to this many characters on a chart, as lib/chart.typ cuts them (its table
/// has them whole).
const LABEL_CHARS: usize = 32;
const DOT_RADIUS: f64 = 2.0;
/// How many label rows a name may move up or down from its dot; further away, a leader line
/// is harder to follow than the table under the chart.
const MAX_ROWS_AWAY: i32 = 8;

/// A tick on an axis: where, in points, and its text.
#[derive(Serialize)]
pub struct Tick {
    pub at: f64,
    pub text: String,
}

/// A name beside its dot; `leader` joins them when the name had to move away.
#[derive(Serialize)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub text: String,
    pub right_aligned: bool,
    pub leader: Option<[f64; 4]>,
}

/// Round values across a range, 3 to 7 of them, at steps of 1, 2 or 5 times a power of ten
/// no smaller than `finest`.
pub fn ticks([lo, hi]: [f64; 2], finest: f64) -> Vec<f64> {
    let span = (hi - lo).max(finest);
    let magnitude = 10f64.powf((span / 5.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * magnitude)
        .max(finest);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The ticks of `range` placed by `at` and written by `text`.
pub fn tick_marks(
    range: [f64; 2],
    finest: f64,
    at: impl Fn(f64) -> f64,
    text: impl Fn(f64) -> String,
) -> Vec<Tick> {
    ticks(range, finest)
        .into_iter()
        .map(|v| Tick {
            at: at(v),
            text: text(v),
        })
        .collect()
}

/// A rectangle on the plot: left, top, right, bottom.
#[derive(Clone, Copy)]
struct Rect([f64; 4]);

impl Rect {
    fn overlaps(&self, other: &Rect) -> bool {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (self.0, other.0);
        a0 < b2 && b0 < a2 && a1 < b3 && b1 < a3
    }
}

/// A plot area of `width` × `height` points.
#[derive(Clone, Copy)]
pub struct Plot {
    pub width: f64,
    pub height: f64,
}

impl Plot {
    fn holds(&self, r: &Rect) -> bool {
        let [l, t, right, b] = r.0;
        l >= 0.0 && t >= 0.0 && right <= self.width && b <= self.height
    }

    /// Places `names` (dot index, text), in the order given, each at the nearest free spot
    /// beside or above or below its dot that covers no other name and, where possible, no
    /// dot. A name that finds no spot within `MAX_ROWS_AWAY` rows is left out.
    pub fn place_labels(&self, dots: &[[f64; 2]], names: &[(usize, String)]) -> Vec<Label> {
        let dot_rects: Vec<Rect> = dots
            .iter()
            .map(|[x, y]| {
                Rect([
                    x - DOT_RADIUS,
                    y - DOT_RADIUS,
                    x + DOT_RADIUS,
                    y + DOT_RADIUS,
                ])
            })
            .collect();
        let mut taken: Vec<Rect> = Vec::new();
        let mut labels = Vec::new();
        for (dot, name) in names {
            let text: String = name.chars().take(LABEL_CHARS).collect();
            let width = (text.width().max(1) as f64) * CELL_WIDTH + 2.0;
            let [x, y] = dots[*dot];
            let spot = self
                .free_spot(x, y, width, &taken, &dot_rects)
                .or_else(|| self.free_spot(x, y, width, &taken, &[]));
            if let Some((rect, right_aligned)) = spot {
                taken.push(rect);
                labels.push(label([x, y], rect, width, name.clone(), right_aligned));
            }
        }
        labels
    }

    /// The first free rectangle for a name, trying rows ever further from the dot, right of
    /// it before left of it.
    fn free_spot(
        &self,
        x: f64,
        y: f64,
        width: f64,
        taken: &[Rect],
        dots: &[Rect],
    ) -> Option<(Rect, bool)> {
        let offsets = (0..=MAX_ROWS_AWAY)
            .flat_map(|k| [k, -k])
            .map(|k| f64::from(k) * LABEL_HEIGHT);
        for dy in offsets {
            let top = y - LABEL_HEIGHT / 2.0 + dy;
            for (left, right_aligned) in [
                (x + DOT_RADIUS + 2.0, false),
                (x - DOT_RADIUS - 2.0 - width, true),
            ] {
                let rect = Rect([left, top, left + width, top + LABEL_HEIGHT]);
                let free = self.holds(&rect)
                    && !taken.iter().any(|t| t.overlaps(&rect))
                    && !dots.iter().any(|d| d.overlaps(&rect));
                if free {
                    return Some((rect, right_aligned));
                }
            }
        }
        None
    }
}

fn label([x, y]: [f64; 2], rect: Rect, width: f64, text: String, right_aligned: bool) -> Label {
    let [l, t, r, b] = rect.0;
    let mid = (t + b) / 2.0;
    let moved = (mid - y).abs() > LABEL_HEIGHT / 2.0;
    let edge = if right_aligned { r } else { l };
    Label {
        x: l,
        y: t,
        width,
        text,
        right_aligned,
        leader: moved.then_some([x, y, edge, mid]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_steps_inside_the_range() {
        assert_eq!(ticks([20.0, 29.0], 1.0), vec![20.0, 22.0, 24.0, 26.0, 28.0]);
        assert_eq!(ticks([41.0, 92.0], 1.0), vec![50.0, 60.0, 70.0, 80.0, 90.0]);
        assert_eq!(ticks([40.0, 700.0], 1.0), vec![200.0, 400.0, 600.0]);
        let fine = ticks([0.2, 0.7], 0.01);
        assert_eq!(fine.len(), 6);
        assert!(
            fine.iter()
                .zip([0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
                .all(|(a, b)| (a - b).abs() < 1e-12),
            "{fine:?}"
        );
    }

    #[test]
    fn names_of_dots_in_one_place_never_overlap() {
        let plot = Plot {
            width: 411.0,
            height: 227.0,
        };
        let dots: Vec<[f64; 2]> = (0..12).map(|i| [200.0, 40.0 + i as f64]).collect();
        let names: Vec<(usize, String)> = (0..12)
            .map(|i| (i, format!("Company number {i}")))
            .collect();
        let labels = plot.place_labels(&dots, &names);
        assert_eq!(labels.len(), 12);
        let rect = |l: &Label| Rect([l.x, l.y, l.x + l.width, l.y + LABEL_HEIGHT]);
        for (i, a) in labels.iter().enumerate() {
            assert!(plot.holds(&rect(a)));
            for b in &labels[i + 1..] {
                assert!(
                    !rect(a).overlaps(&rect(b)),
                    "{} and {} overlap",
                    a.text,
                    b.text
                );
            }
        }
        assert!(
            labels.iter().any(|l| l.leader.is_some()),
            "moved names get a leader line"
        );
    }
}
