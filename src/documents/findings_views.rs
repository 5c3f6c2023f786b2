//! Findings in the reports (§8): what a participant does best and worst against its class,
//! the importance–performance chart of the key drivers with its priorities, and the award
//! summary's ranking of the drivers. Words are the templates'; here are the figures.

use serde::Serialize;

use super::Context;
use super::chart::{Label, Plot, Tick, tick_marks};
use super::format::{Figure, change, correlation, count, number, score};
use crate::config::{Language, QuestionIx};
use crate::findings::{self, Finding};

/// Gaps smaller than this (points) do not stand out.
const WITHIN: f64 = 1.0;
/// The importance–performance chart's plot area in points (14.5 cm × 4.8 cm).
const CHART: Plot = Plot {
    width: 411.0,
    height: 136.0,
};

#[derive(Serialize)]
pub struct FindingsView {
    /// Whether any area or question has a gap to its class.
    pub comparable: bool,
    /// Every gap is within a point of the class: nothing stands out.
    pub within_one: bool,
    pub strongest: Option<GapRow>,
    pub weakest: Option<GapRow>,
    /// Up to three questions furthest above and below the class, furthest first.
    pub above: Vec<GapRow>,
    pub below: Vec<GapRow>,
    pub drivers: Option<DriversChart>,
}

/// An area or a question against the class.
#[derive(Serialize)]
pub struct GapRow {
    /// `Q3` for a question; empty for an area.
    pub code: String,
    pub name: String,
    pub value: Figure,
    pub class_value: Figure,
    /// Signed, and its size without sign.
    pub gap: Figure,
    pub gap_size: String,
    /// `above`, `below` or `level`.
    pub direction: &'static str,
    /// Questions: `significant` (p < 0.05), `not_significant` or `untested`.
    pub significance: &'static str,
}

/// The importance–performance chart: each driver question at (r, gap to the class).
#[derive(Serialize)]
pub struct DriversChart {
    /// The outcome's short name and wording.
    pub outcome: String,
    pub outcome_text: String,
    pub width: f64,
    pub height: f64,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// The quadrant lines: the median r, and no gap.
    pub median_x: f64,
    pub median_r: Figure,
    pub zero_y: f64,
    pub points: Vec<ChartPoint>,
    pub labels: Vec<Label>,
    /// Every driver question by r, strongest first.
    pub rows: Vec<DriverRow>,
    pub priorities: Vec<Priority>,
}

/// A priority: a strong driver where the participant is behind its class.
#[derive(Serialize)]
pub struct Priority {
    pub r: Figure,
    #[serde(flatten)]
    pub row: GapRow,
}

#[derive(Serialize)]
pub struct ChartPoint {
    pub x: f64,
    pub y: f64,
    pub priority: bool,
}

#[derive(Serialize)]
pub struct DriverRow {
    pub code: String,
    pub text: String,
    pub r: Figure,
    pub n: String,
    pub gap: Figure,
    pub priority: bool,
}

/// The award summary's ranking of the drivers.
#[derive(Serialize)]
pub struct DriversTable {
    pub outcome: String,
    pub outcome_text: String,
    pub rows: Vec<DriverRow>,
}

/// `+20`, `0`, `−20`.
fn signed_whole(v: f64, lang: Language) -> String {
    let sign = if v > 0.0 { "+" } else { "" };
    format!("{sign}{}", number(v, 0, lang))
}

fn direction(gap: f64) -> &'static str {
    match gap {
        g if g >= 0.05 => "above",
        g if g <= -0.05 => "below",
        _ => "level",
    }
}

fn significance(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p < 0.05 => "significant",
        Some(_) => "not_significant",
        None => "untested",
    }
}

fn gap_row(code: String, name: String, f: &Finding, lang: Language) -> Option<GapRow> {
    let gap = f.gap?;
    Some(GapRow {
        code,
        name,
        value: score(f.value, lang),
        class_value: score(f.class_value, lang),
        gap: change(Some(gap), lang),
        gap_size: score(Some(gap.abs()), lang).t,
        direction: direction(gap),
        significance: significance(f.p_value),
    })
}

impl Context<'_> {
    fn question_row(&self, p: usize, q: usize) -> Option<GapRow> {
        let f = self.findings.participants[p].questions[q]?;
        let text = self.season.questions[q].text.get(self.lang).to_string();
        gap_row(format!("Q{}", q + 1), text, &f, self.lang)
    }

    pub(super) fn findings_view(&self, p: usize) -> FindingsView {
        let of = &self.findings.participants[p];
        let mut areas: Vec<(f64, GapRow)> = (0..self.season.areas.len())
            .filter_map(|a| {
                let name = self.season.areas[a].name.get(self.lang).to_string();
                Some((
                    of.areas[a].gap?,
                    gap_row(String::new(), name, &of.areas[a], self.lang)?,
                ))
            })
            .collect();
        let mut questions: Vec<(f64, GapRow)> = (0..self.season.questions.len())
            .filter_map(|q| Some((of.questions[q]?.gap?, self.question_row(p, q)?)))
            .collect();
        let gaps = areas.iter().chain(&questions).map(|(g, _)| *g);
        let comparable = gaps.clone().next().is_some();
        let within_one = comparable && gaps.clone().all(|g| g.abs() < WITHIN);
        areas.sort_by(|a, b| b.0.total_cmp(&a.0));
        questions.sort_by(|a, b| b.0.total_cmp(&a.0));
        let weakest = (areas.len() > 1)
            .then(|| areas.pop().map(|(_, r)| r))
            .flatten();
        let strongest = areas.into_iter().next().map(|(_, r)| r);
        let (above, below): (Vec<_>, Vec<_>) = questions.into_iter().partition(|(g, _)| *g > 0.0);
        let below = below
            .into_iter()
            .rev()
            .filter(|(g, _)| *g < 0.0)
            .take(3)
            .map(|(_, r)| r)
            .collect();
        let above = above.into_iter().take(3).map(|(_, r)| r).collect();
        FindingsView {
            comparable,
            within_one,
            strongest,
            weakest,
            above,
            below,
            drivers: self.drivers_chart(p),
        }
    }

    fn driver_rows(&self, p: Option<usize>, priorities: &[QuestionIx]) -> Vec<DriverRow> {
        let lang = self.lang;
        let mut drivers: Vec<&findings::Driver> = self
            .findings
            .drivers
            .iter()
            .filter(|d| d.r.is_some())
            .collect();
        drivers.sort_by(|a, b| {
            b.r.unwrap_or(0.0)
                .total_cmp(&a.r.unwrap_or(0.0))
                .then(a.question.cmp(&b.question))
        });
        drivers
            .into_iter()
            .map(|d| DriverRow {
                code: format!("Q{}", d.question.0 + 1),
                text: self.season.question(d.question).text.get(lang).to_string(),
                r: correlation(d.r, lang),
                n: count(d.n, lang),
                gap: change(
                    p.and_then(|p| self.findings.participants[p].questions[d.question.0]?.gap),
                    lang,
                ),
                priority: priorities.contains(&d.question),
            })
            .collect()
    }

    pub(super) fn drivers_table(&self) -> Option<DriversTable> {
        let drivers = self.season.drivers.as_ref()?;
        let outcome = self.season.question(drivers.outcome);
        Some(DriversTable {
            outcome: drivers.name.get(self.lang).to_string(),
            outcome_text: outcome.text.get(self.lang).to_string(),
            rows: self.driver_rows(None, &[]),
        })
    }

    fn drivers_chart(&self, p: usize) -> Option<DriversChart> {
        let drivers = self.season.drivers.as_ref()?;
        let outcome = self.season.question(drivers.outcome);
        let of = &self.findings.participants[p];
        let priorities = findings::priorities(&self.findings.drivers, of);
        let placed: Vec<(QuestionIx, f64, f64)> = self
            .findings
            .drivers
            .iter()
            .filter_map(|d| Some((d.question, d.r?, of.questions[d.question.0]?.gap?)))
            .collect();
        let median = findings::median_r(&self.findings.drivers)?;
        let axes = ChartAxes::around(&placed);
        let dots: Vec<[f64; 2]> = placed
            .iter()
            .map(|&(_, r, gap)| [axes.x(r), axes.y(gap)])
            .collect();
        let names: Vec<(usize, String)> = placed
            .iter()
            .enumerate()
            .map(|(i, (q, _, _))| (i, format!("Q{}", q.0 + 1)))
            .collect();
        let lang = self.lang;
        Some(DriversChart {
            outcome: drivers.name.get(lang).to_string(),
            outcome_text: outcome.text.get(lang).to_string(),
            width: CHART.width,
            height: CHART.height,
            x_ticks: tick_marks(
                axes.r,
                0.01,
                |v| axes.x(v),
                |v| number(v, axes.r_decimals(), lang),
            ),
            y_ticks: tick_marks(axes.gap, 1.0, |v| axes.y(v), |v| signed_whole(v, lang)),
            median_x: axes.x(median),
            median_r: correlation(Some(median), lang),
            zero_y: axes.y(0.0),
            labels: CHART.place_labels(&dots, &names),
            points: placed
                .iter()
                .zip(&dots)
                .map(|((q, _, _), [x, y])| ChartPoint {
                    x: *x,
                    y: *y,
                    priority: priorities.contains(q),
                })
                .collect(),
            rows: self.driver_rows(Some(p), &priorities),
            priorities: priorities
                .iter()
                .filter_map(|&q| {
                    let r = self.findings.drivers.iter().find(|d| d.question == q)?.r;
                    Some(Priority {
                        r: correlation(r, lang),
                        row: self.question_row(p, q.0)?,
                    })
                })
                .collect(),
        })
    }
}

/// The chart's axes: r from a round value below the weakest driver to one above the
/// strongest, and gaps symmetric around zero.
struct ChartAxes {
    r: [f64; 2],
    gap: [f64; 2],
}

impl ChartAxes {
    fn around(placed: &[(QuestionIx, f64, f64)]) -> ChartAxes {
        let (lo, hi) = placed
            .iter()
            .fold((1.0f64, -1.0f64), |(lo, hi), &(_, r, _)| {
                (lo.min(r), hi.max(r))
            });
        let (lo, hi) = if lo > hi { (0.0, 1.0) } else { (lo, hi) };
        let pad = (0.1 * (hi - lo)).max(0.01);
        let unit = ChartAxes::r_unit(hi - lo + 2.0 * pad);
        let r_lo = ((lo - pad) / unit).floor() * unit;
        let r_hi = ((hi + pad) / unit).ceil() * unit;
        let widest = placed.iter().fold(2.0f64, |m, &(_, _, g)| m.max(g.abs()));
        let g = (widest * 1.15 / 5.0).ceil() * 5.0;
        ChartAxes {
            r: [r_lo.max(-1.0), r_hi.min(1.0)],
            gap: [-g, g],
        }
    }

    /// The step the r axis is rounded to: finer when the drivers lie close together.
    fn r_unit(span: f64) -> f64 {
        match span {
            s if s > 0.3 => 0.1,
            s if s > 0.1 => 0.05,
            _ => 0.01,
        }
    }

    /// Two decimals on a narrow r axis, one on a wide one.
    fn r_decimals(&self) -> usize {
        if self.r[1] - self.r[0] > 0.3 { 1 } else { 2 }
    }

    fn x(&self, r: f64) -> f64 {
        (r - self.r[0]) / (self.r[1] - self.r[0]) * CHART.width
    }

    fn y(&self, gap: f64) -> f64 {
        (self.gap[1] - gap) / (self.gap[1] - self.gap[0]) * CHART.height
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_have_a_direction_and_questions_a_significance() {
        assert_eq!(direction(6.2), "above");
        assert_eq!(direction(-0.04), "level");
        assert_eq!(direction(-0.05), "below");
        assert_eq!(significance(Some(0.049)), "significant");
        assert_eq!(significance(Some(0.05)), "not_significant");
        assert_eq!(significance(None), "untested");
        assert_eq!(signed_whole(20.0, Language::Nb), "+20");
        assert_eq!(signed_whole(-20.0, Language::Nb), "−20");
        assert_eq!(signed_whole(0.0, Language::En), "0");
    }

    #[test]
    fn chart_axes_hold_every_driver() {
        let axes = ChartAxes::around(&[(QuestionIx(0), 0.34, -12.0), (QuestionIx(1), 0.59, 3.0)]);
        assert!(
            (axes.r[0] - 0.3).abs() < 1e-12 && (axes.r[1] - 0.65).abs() < 1e-12,
            "{:?}",
            axes.r
        );
        assert_eq!(axes.gap, [-15.0, 15.0]);
        assert_eq!(axes.y(0.0), CHART.height / 2.0);
        assert!(axes.x(0.34) > 0.0 && axes.x(0.59) < CHART.width);
        let close = ChartAxes::around(&[(QuestionIx(0), 0.651, -1.5), (QuestionIx(1), 0.662, 0.8)]);
        assert!(
            (close.r[0] - 0.64).abs() < 1e-12 && (close.r[1] - 0.68).abs() < 1e-12,
            "{:?}",
            close.r
        );
        assert_eq!(close.gap, [-5.0, 5.0]);
    }
}
