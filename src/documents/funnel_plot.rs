//! The funnel plot's geometry (§7.2): every dot, limit line, tick and label in points on a
//! fixed plot area, so the template only places them. The labels of the participants outside
//! the 99.8 % limits are placed here because dots often share an inquiry count and their
//! names would lie on top of each other.

use serde::Serialize;

use super::chart::{Label, Plot, Tick, tick_marks};
use super::format::{Figure, number, score};
use crate::config::Language;
use crate::robustness::{Funnel, Position, Z95, Z998};

/// The plot area in points (14.5 cm × 8 cm).
const WIDTH: f64 = 411.0;
const HEIGHT: f64 = 227.0;
const PLOT: Plot = Plot {
    width: WIDTH,
    height: HEIGHT,
};
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
pub struct PlotPoint {
    pub x: f64,
    pub y: f64,
    /// `above`, `within` or `below`, at 99.8 % and at 95 %.
    pub funnel: Position,
    pub funnel_95: Position,
}

/// A ranked participant as the funnel sees it.
#[derive(Clone, Serialize)]
pub struct Participant {
    pub name: String,
    pub n: usize,
    pub total: Figure,
    pub funnel: Position,
    pub funnel_95: Position,
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
    let widest = funnel.half_width(n[0], Z998);
    let totals = participants.iter().filter_map(|p| p.total.v);
    let lowest = totals.clone().fold(funnel.centre - widest, f64::min);
    let highest = totals.fold(funnel.centre + widest, f64::max);
    let axes = Axes {
        n,
        total: [
            (lowest - 2.0).max(0.0).floor(),
            (highest + 2.0).min(100.0).ceil(),
        ],
    };
    let line = |z: f64, sign: f64| limit_line(funnel, &axes, z * sign);
    let points: Vec<PlotPoint> = participants.iter().map(|p| plot_point(&axes, p)).collect();
    let total = |i: usize| participants[i].total.v.unwrap_or(0.0);
    let mut outside: Vec<usize> = (0..participants.len())
        .filter(|&i| participants[i].funnel != Position::Within)
        .collect();
    outside.sort_by(|&a, &b| total(b).total_cmp(&total(a)));
    Some(FunnelView {
        centre: score(Some(funnel.centre), lang),
        width: WIDTH,
        height: HEIGHT,
        centre_y: axes.y(funnel.centre),
        low95: line(Z95, -1.0),
        high95: line(Z95, 1.0),
        low998: line(Z998, -1.0),
        high998: line(Z998, 1.0),
        x_ticks: tick_marks(axes.n, 1.0, |v| axes.x(v), |v| number(v, 0, lang)),
        y_ticks: tick_marks(axes.total, 1.0, |v| axes.y(v), |v| number(v, 0, lang)),
        labels: place_labels(funnel, &participants, &outside, &points),
        n_points: participants.len(),
        n_outside_95: participants
            .iter()
            .filter(|p| p.funnel_95 != Position::Within)
            .count(),
        points,
        outside: outside.iter().map(|&i| participants[i].clone()).collect(),
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

/// centre + z·s/√n across the inquiry axis (z < 0 for the lower limit), the points closer
/// together where the funnel bends most.
fn limit_line(funnel: &Funnel, axes: &Axes, z: f64) -> Vec<[f64; 2]> {
    let [from, to] = axes.n;
    (0..=LINE_STEPS)
        .map(|i| {
            let n = from * (to / from).powf(i as f64 / LINE_STEPS as f64);
            [axes.x(n), axes.y(funnel.centre + funnel.half_width(n, z))]
        })
        .collect()
}

/// Names the participants outside the 99.8 % limits (`outside`, indexes into `participants`
/// and `points`), the most extreme first; a name that finds no free spot is left to the
/// table below the plot.
fn place_labels(
    funnel: &Funnel,
    participants: &[Participant],
    outside: &[usize],
    points: &[PlotPoint],
) -> Vec<Label> {
    let extremeness = |i: usize| {
        let p = &participants[i];
        let total = p.total.v.unwrap_or(funnel.centre);
        ((total - funnel.centre) * (p.n as f64).sqrt()).abs()
    };
    let mut order = outside.to_vec();
    order.sort_by(|&a, &b| extremeness(b).total_cmp(&extremeness(a)));
    let dots: Vec<[f64; 2]> = points.iter().map(|p| [p.x, p.y]).collect();
    let names: Vec<(usize, String)> = order
        .into_iter()
        .map(|i| (i, participants[i].name.clone()))
        .collect();
    PLOT.place_labels(&dots, &names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(name: &str, n: usize, total: f64, funnel: Position) -> Participant {
        Participant {
            name: name.into(),
            n,
            total: score(Some(total), Language::En),
            funnel,
            funnel_95: funnel,
        }
    }

    #[test]
    fn the_limits_narrow_with_more_inquiries() {
        let funnel = Funnel {
            centre: 60.0,
            sd: 20.0,
        };
        let people = vec![
            participant("a", 10, 60.0, Position::Within),
            participant("b", 100, 60.0, Position::Within),
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
