//! The funnel plot's geometry (§7.2): every dot, limit line, tick and label in points on a
//! fixed plot area, so the template only places them. The labels of the participants outside
//! the 99.8 % limits are placed here because dots often share an inquiry count and their
//! names would lie on top of each other.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::format::{Figure, figure, number};
use crate::config::Language;
use crate::robustness::{Funnel, Z95, Z998};

/// The plot area in points (14.5 cm × 8 cm).
const WIDTH: f64 = 411.0;
const HEIGHT: f64 = 227.0;
/// A label line of 6.5 pt text, and the width of one terminal cell of it (a little over Inter's average, so names do not wrap).
const LABEL_HEIGHT: f64 = 8.0;
const CELL_WIDTH: f64 = 3.9;
/// Names are cut to this many characters on the plot (the table below has them whole).
const LABEL_CHARS: usize = 32;
const DOT_RADIUS: f64 = 2.0;
/// How many label rows a name may move up or down from its dot; further away, a leader line
/// is harder to follow than the table under the plot.
const MAX_ROWS_AWAY: i32 = 8;
/// How many limit points the funnel's lines are drawn through.
const LINE_STEPS: usize = 48;

#[derive(Serialize)]
pub struct FunnelView {
    pub centre: Figure,
    pub width: f64,
    pub height: f64,
    pub centre_y: f64,
    /// The 95 % and 99.8 % limits as polylines of `[x, y]` points.
    pub low95: Vec<[f64; 2]>,
    pub high95: Vec<[f64; 2]>,
    pub low998: Vec<[f64; 2]>,
    pub high998: Vec<[f64; 2]>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub points: Vec<PlotPoint>,
    pub labels: Vec<Label>,
    /// Ranked participants outside the 99.8 % limits, highest total first.
    pub outside: Vec<Participant>,
    pub n_points: usize,
    pub n_outside_95: usize,
}

#[derive(Serialize)]
pub struct Tick {
    pub at: f64,
    pub text: String,
}

#[derive(Serialize)]
pub struct PlotPoint {
    pub x: f64,
    pub y: f64,
    /// `above`, `within` or `below`, at 99.8 % and at 95 %.
    pub funnel: &'static str,
    pub funnel_95: &'static str,
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

/// A ranked participant as the funnel sees it.
#[derive(Clone, Serialize)]
pub struct Participant {
    pub name: String,
    pub n: usize,
    pub total: Figure,
    pub funnel: &'static str,
    pub funnel_95: &'static str,
}

/// Maps inquiries and totals onto the plot area.
struct Axes {
    n: [f64; 2],
    total: [f64; 2],
}

impl Axes {
    fn x(&self, n: f64) -> f64 {
        (n - self.n[0]) / (self.n[1] - self.n[0]).max(1.0) * WIDTH
    }

    fn y(&self, total: f64) -> f64 {
        HEIGHT - (total - self.total[0]) / (self.total[1] - self.total[0]).max(1.0) * HEIGHT
    }
}

pub fn view(funnel: &Funnel, participants: Vec<Participant>, lang: Language) -> Option<FunnelView> {
    let n_min = participants.iter().map(|p| p.n).min()? as f64;
    let n_max = participants.iter().map(|p| p.n).max()? as f64;
    let n = [(n_min * 0.8).floor().max(1.0), (n_max * 1.1).ceil()];
    let limit = |z: f64, sign: f64| funnel.centre + sign * z * funnel.sd / n[0].sqrt();
    let totals = participants.iter().filter_map(|p| p.total.v);
    let lowest = totals.clone().fold(limit(Z998, -1.0), f64::min);
    let highest = totals.fold(limit(Z998, 1.0), f64::max);
    let axes = Axes {
        n,
        total: [
            (lowest - 2.0).max(0.0).floor(),
            (highest + 2.0).min(100.0).ceil(),
        ],
    };
    let line = |z: f64, sign: f64| limit_line(funnel, &axes, z * sign);
    let points: Vec<PlotPoint> = participants.iter().map(|p| plot_point(&axes, p)).collect();
    let mut outside: Vec<Participant> = participants
        .iter()
        .filter(|p| p.funnel != "within")
        .cloned()
        .collect();
    outside.sort_by(|a, b| {
        b.total
            .v
            .unwrap_or(0.0)
            .total_cmp(&a.total.v.unwrap_or(0.0))
    });
    Some(FunnelView {
        centre: figure(Some(funnel.centre), 1, lang),
        width: WIDTH,
        height: HEIGHT,
        centre_y: axes.y(funnel.centre),
        low95: line(Z95, -1.0),
        high95: line(Z95, 1.0),
        low998: line(Z998, -1.0),
        high998: line(Z998, 1.0),
        x_ticks: ticks(axes.n)
            .into_iter()
            .map(|v| Tick {
                at: axes.x(v),
                text: number(v, 0, lang),
            })
            .collect(),
        y_ticks: ticks(axes.total)
            .into_iter()
            .map(|v| Tick {
                at: axes.y(v),
                text: number(v, 0, lang),
            })
            .collect(),
        labels: place_labels(&axes, funnel, &outside, &points),
        n_points: participants.len(),
        n_outside_95: participants
            .iter()
            .filter(|p| p.funnel_95 != "within")
            .count(),
        points,
        outside,
    })
}

fn plot_point(axes: &Axes, p: &Participant) -> PlotPoint {
    PlotPoint {
        x: axes.x(p.n as f64),
        y: axes.y(p.total.v.unwrap_or(axes.total[0])),
        funnel: p.funnel,
        funnel_95: p.funnel_95,
    }
}

/// centre + z·s/√n across the inquiry axis, closer together where the funnel bends most.
fn limit_line(funnel: &Funnel, axes: &Axes, z: f64) -> Vec<[f64; 2]> {
    let [from, to] = axes.n;
    (0..=LINE_STEPS)
        .map(|i| {
            let n = from * (to / from).powf(i as f64 / LINE_STEPS as f64);
            [axes.x(n), axes.y(funnel.centre + z * funnel.sd / n.sqrt())]
        })
        .collect()
}

/// Round values across a range, 3 to 7 of them, at steps of 1, 2 or 5 times a power of ten.
fn ticks([lo, hi]: [f64; 2]) -> Vec<f64> {
    let span = (hi - lo).max(1.0);
    let magnitude = 10f64.powf((span / 5.0).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A rectangle on the plot: left, top, right, bottom.
#[derive(Clone, Copy)]
struct Rect([f64; 4]);

impl Rect {
    fn overlaps(&self, other: &Rect) -> bool {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (self.0, other.0);
        a0 < b2 && b0 < a2 && a1 < b3 && b1 < a3
    }

    fn inside_plot(&self) -> bool {
        let [l, t, r, b] = self.0;
        l >= 0.0 && t >= 0.0 && r <= WIDTH && b <= HEIGHT
    }
}

/// Names the participants outside the 99.8 % limits, the most extreme first: each at the
/// nearest free spot beside or above or below its dot that covers no other name and, where
/// possible, no dot. A name that finds no spot within `MAX_ROWS_AWAY` rows is left to the
/// table below the plot.
fn place_labels(
    axes: &Axes,
    funnel: &Funnel,
    outside: &[Participant],
    points: &[PlotPoint],
) -> Vec<Label> {
    let dots: Vec<Rect> = points
        .iter()
        .map(|p| {
            Rect([
                p.x - DOT_RADIUS,
                p.y - DOT_RADIUS,
                p.x + DOT_RADIUS,
                p.y + DOT_RADIUS,
            ])
        })
        .collect();
    let mut order: Vec<&Participant> = outside.iter().collect();
    let extremeness = |p: &Participant| {
        let total = p.total.v.unwrap_or(funnel.centre);
        ((total - funnel.centre) * (p.n as f64).sqrt()).abs()
    };
    order.sort_by(|a, b| extremeness(b).total_cmp(&extremeness(a)));
    let mut taken: Vec<Rect> = Vec::new();
    let mut labels = Vec::new();
    for p in order {
        let dot = plot_point(axes, p);
        let text: String = p.name.chars().take(LABEL_CHARS).collect();
        let width = (text.width().max(1) as f64) * CELL_WIDTH + 2.0;
        let spot = free_spot(dot.x, dot.y, width, &taken, &dots, true)
            .or_else(|| free_spot(dot.x, dot.y, width, &taken, &dots, false));
        if let Some((rect, right_aligned)) = spot {
            taken.push(rect);
            labels.push(label(&dot, rect, width, p.name.clone(), right_aligned));
        }
    }
    labels
}

/// The first free rectangle for a name, trying rows ever further from the dot, right of it
/// before left of it.
fn free_spot(
    x: f64,
    y: f64,
    width: f64,
    taken: &[Rect],
    dots: &[Rect],
    avoid_dots: bool,
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
            let free = rect.inside_plot()
                && !taken.iter().any(|t| t.overlaps(&rect))
                && !(avoid_dots && dots.iter().any(|d| d.overlaps(&rect)));
            if free {
                return Some((rect, right_aligned));
            }
        }
    }
    None
}

fn label(dot: &PlotPoint, rect: Rect, width: f64, text: String, right_aligned: bool) -> Label {
    let [l, t, r, b] = rect.0;
    let mid = (t + b) / 2.0;
    let moved = (mid - dot.y).abs() > LABEL_HEIGHT / 2.0;
    let edge = if right_aligned { r } else { l };
    Label {
        x: l,
        y: t,
        width,
        text,
        right_aligned,
        leader: moved.then_some([dot.x, dot.y, edge, mid]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(name: &str, n: usize, total: f64, funnel: &'static str) -> Participant {
        Participant {
            name: name.into(),
            n,
            total: figure(Some(total), 1, Language::En),
            funnel,
            funnel_95: funnel,
        }
    }

    #[test]
    fn ticks_are_round_steps_inside_the_range() {
        assert_eq!(ticks([20.0, 29.0]), vec![20.0, 22.0, 24.0, 26.0, 28.0]);
        assert_eq!(ticks([41.0, 92.0]), vec![50.0, 60.0, 70.0, 80.0, 90.0]);
        assert_eq!(ticks([40.0, 700.0]), vec![200.0, 400.0, 600.0]);
    }

    #[test]
    fn names_of_dots_at_one_count_never_overlap() {
        let funnel = Funnel {
            centre: 66.0,
            sd: 20.0,
        };
        let people: Vec<Participant> = (0..12)
            .map(|i| {
                participant(
                    &format!("Company number {i}"),
                    25,
                    90.0 - 0.1 * i as f64,
                    "above",
                )
            })
            .collect();
        let view = view(&funnel, people, Language::En).unwrap();
        assert_eq!(view.labels.len(), 12);
        for (i, a) in view.labels.iter().enumerate() {
            for b in &view.labels[i + 1..] {
                let ra = Rect([a.x, a.y, a.x + a.width, a.y + LABEL_HEIGHT]);
                let rb = Rect([b.x, b.y, b.x + b.width, b.y + LABEL_HEIGHT]);
                assert!(!ra.overlaps(&rb), "{} and {} overlap", a.text, b.text);
            }
            assert!(Rect([a.x, a.y, a.x + a.width, a.y + LABEL_HEIGHT]).inside_plot());
        }
        assert!(
            view.labels.iter().any(|l| l.leader.is_some()),
            "moved names get a leader line"
        );
    }

    #[test]
    fn the_limits_narrow_with_more_inquiries() {
        let funnel = Funnel {
            centre: 60.0,
            sd: 20.0,
        };
        let people = vec![
            participant("a", 10, 60.0, "within"),
            participant("b", 100, 60.0, "within"),
        ];
        let view = view(&funnel, people, Language::En).unwrap();
        let (first, last) = (view.high998[0], view.high998[LINE_STEPS]);
        assert!(
            first[1] < last[1],
            "the upper limit comes down towards the centre"
        );
        assert!((view.centre_y - view.high998[0][1]) > (view.centre_y - last[1]));
    }
}
