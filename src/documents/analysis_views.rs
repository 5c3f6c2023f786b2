//! Breakdowns, time distributions and threshold analyses as the templates read them.

use serde::Serialize;

use super::Context;
use super::format::{
    Duration, Figure, Name, change, duration, p_value, percent, score, time_figure,
};
use crate::analysis::{Counts, Distribution};
use crate::config::{Category, Language, MeanOf, Measure};

/// One breakdown: a row per category with its count, share and means, beside the figures of
/// the scope it is compared with (the class in a participant report).
#[derive(Serialize)]
pub struct BreakdownView {
    pub id: String,
    pub title: String,
    /// Inquiries with a value in the column.
    pub n: usize,
    /// The names of the averaged figures, in the order of each row's `means`.
    pub means: Vec<Name>,
    pub rows: Vec<BreakdownRow>,
    /// Last season's name when its shares are known.
    pub previous_season: Option<String>,
    /// In the summary: every class's shares, in class order.
    pub classes: Vec<ClassShares>,
}

#[derive(Serialize)]
pub struct BreakdownRow {
    pub key: String,
    pub label: Name,
    pub count: usize,
    /// Percent (0–100).
    pub share: Figure,
    /// The class's share in a participant report, else empty.
    pub class_share: Figure,
    pub season_share: Figure,
    /// The same scope's share last season, and the change in percentage points.
    pub previous_share: Figure,
    pub change: Figure,
    pub means: Vec<Figure>,
    /// The class's means in a participant report, the season's in the summary.
    pub compare_means: Vec<Figure>,
}

#[derive(Serialize)]
pub struct ClassShares {
    pub class: String,
    pub n: usize,
    pub shares: Vec<Figure>,
}

/// One channel's distribution of a measured time.
#[derive(Serialize)]
pub struct TimesView {
    pub channel: String,
    /// `wait` or `handling`.
    pub measure: &'static str,
    pub n: usize,
    pub median: Option<Duration>,
    pub p75: Option<Duration>,
    pub p90: Option<Duration>,
    pub within: Vec<WithinShare>,
    pub histogram: Vec<Bin>,
}

#[derive(Serialize)]
pub struct WithinShare {
    pub limit: Duration,
    pub share: Figure,
}

/// One bin of a histogram: `[from, from + width)` seconds.
#[derive(Serialize)]
pub struct Bin {
    /// Where the bin starts.
    pub label: Duration,
    pub count: usize,
}

#[derive(Serialize)]
pub struct ThresholdView {
    pub id: String,
    pub title: String,
    /// `wait` or `handling`.
    pub measure: &'static str,
    pub outcome: String,
    pub channel: Option<String>,
    pub n: usize,
    pub yes_share: Figure,
    pub min_group: usize,
    pub best: Option<SplitView>,
    /// Every cut-off tried, ascending: seconds and −log10 p for the chart.
    pub curve: Vec<(f64, f64)>,
    /// The first and last cut-off tried, for the chart's axis.
    pub curve_first: Option<Duration>,
    pub curve_last: Option<Duration>,
    pub tried: usize,
}

#[derive(Serialize)]
pub struct SplitView {
    pub cutoff: Duration,
    pub cutoff_seconds: f64,
    pub below_n: usize,
    pub below_yes: Figure,
    pub above_n: usize,
    pub above_yes: Figure,
    pub p: String,
    pub p_value: f64,
    pub significant: bool,
}

/// Bin widths a histogram may use, seconds.
const BIN_WIDTHS: [i64; 16] = [
    5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 604_800,
];

/// Bins of one nice width from 0, at most 12 of them, up to the longest time.
fn histogram(values: &[i64], lang: Language) -> Vec<Bin> {
    let Some(&max) = values.last() else {
        return vec![];
    };
    let width = BIN_WIDTHS
        .iter()
        .copied()
        .find(|w| max / w < 12)
        .unwrap_or(max / 11 + 1);
    let bins = (max / width + 1) as usize;
    let mut counts = vec![0usize; bins];
    for v in values {
        counts[((*v).max(0) / width) as usize] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Bin {
            label: duration((i as i64 * width) as f64, false, lang),
            count,
        })
        .collect()
}

impl Context<'_> {
    fn mean_name(&self, what: MeanOf) -> Name {
        let text = |t: &crate::config::Texts| Name::Text(t.get(self.lang).to_string());
        match what {
            MeanOf::Score => match &self.season.effective.report.score_label {
                Some(label) => text(label),
                None => Name::Code { code: "score" },
            },
            MeanOf::Area(a) => text(&self.season.areas[a].name),
            MeanOf::Question(q) => text(&self.season.questions[q].label),
            MeanOf::Wait => Name::Code { code: "wait" },
            MeanOf::Handling => Name::Code { code: "handling" },
        }
    }

    fn mean_figure(&self, what: MeanOf, x: Option<f64>) -> Figure {
        match what {
            MeanOf::Wait | MeanOf::Handling => time_figure(x, false, self.lang),
            _ => score(x, self.lang),
        }
    }

    /// A breakdown of `counts`, compared with `compare` (shares and means), the season's
    /// shares, and last season's shares of `previous_scope` ("" for the season).
    fn breakdown_view(
        &self,
        b: usize,
        counts: &Counts,
        compare: Option<&Counts>,
        previous_scope: &str,
    ) -> BreakdownView {
        let (breakdown, result, lang) = (
            &self.season.breakdowns[b],
            &self.analysis.breakdowns[b],
            self.lang,
        );
        let previous_key = |category: &Category| {
            (
                breakdown.id.clone(),
                previous_scope.to_string(),
                category.key.clone(),
            )
        };
        // Last season knew this scope when it has a share for any of its categories.
        let previous = self.previous.as_ref().filter(|prev| {
            result
                .categories
                .iter()
                .any(|c| prev.shares.contains_key(&previous_key(c)))
        });
        let rows = result
            .categories
            .iter()
            .enumerate()
            .map(|(k, category)| {
                let cell = &counts.cells[k];
                let previous_share = previous.map(|prev| {
                    prev.shares
                        .get(&previous_key(category))
                        .copied()
                        .unwrap_or(0.0)
                });
                let change_pp = previous_share
                    .zip(cell.share)
                    .map(|(then, now)| 100.0 * (now - then));
                let compare_cell = compare
                    .map(|c| &c.cells[k])
                    .unwrap_or(&result.season.cells[k]);
                BreakdownRow {
                    key: category.key.clone(),
                    label: self.name(&category.label),
                    count: cell.count,
                    share: percent(cell.share, lang),
                    class_share: percent(compare.and_then(|c| c.cells[k].share), lang),
                    season_share: percent(result.season.cells[k].share, lang),
                    previous_share: percent(previous_share, lang),
                    change: change(change_pp, lang),
                    means: breakdown
                        .means
                        .iter()
                        .zip(&cell.means)
                        .map(|((_, what), x)| self.mean_figure(*what, *x))
                        .collect(),
                    compare_means: breakdown
                        .means
                        .iter()
                        .zip(&compare_cell.means)
                        .map(|((_, what), x)| self.mean_figure(*what, *x))
                        .collect(),
                }
            })
            .collect();
        BreakdownView {
            id: breakdown.id.clone(),
            title: breakdown.title.get(lang).to_string(),
            n: counts.n,
            means: breakdown
                .means
                .iter()
                .map(|(_, what)| self.mean_name(*what))
                .collect(),
            rows,
            previous_season: previous.map(|p| p.season.clone()),
            classes: vec![],
        }
    }

    pub(super) fn participant_breakdowns(&self, p: usize) -> Vec<BreakdownView> {
        let class = self.standings.class_index[p].0;
        let id = &self.data.participants[p].id;
        (0..self.season.breakdowns.len())
            .map(|b| {
                let result = &self.analysis.breakdowns[b];
                self.breakdown_view(b, &result.participants[p], Some(&result.classes[class]), id)
            })
            .collect()
    }

    pub(super) fn season_breakdowns(&self) -> Vec<BreakdownView> {
        (0..self.season.breakdowns.len())
            .map(|b| {
                let result = &self.analysis.breakdowns[b];
                let mut view = self.breakdown_view(b, &result.season, None, "");
                view.classes = self
                    .standings
                    .classes
                    .iter()
                    .zip(&result.classes)
                    .map(|(c, counts)| ClassShares {
                        class: c.class.clone(),
                        n: counts.n,
                        shares: counts
                            .cells
                            .iter()
                            .map(|cell| percent(cell.share, self.lang))
                            .collect(),
                    })
                    .collect();
                view
            })
            .collect()
    }

    pub(super) fn season_times(&self) -> Vec<TimesView> {
        let lang = self.lang;
        let mut views = Vec::new();
        for (channel, times) in self.season.channels.iter().zip(&self.analysis.season_times) {
            for (measure, d, limits, business) in [
                (
                    "wait",
                    &times.wait,
                    &self.season.wait_within,
                    channel.business_time,
                ),
                (
                    "handling",
                    &times.handling,
                    &self.season.handling_within,
                    false,
                ),
            ] {
                if d.values.is_empty() {
                    continue;
                }
                let time = |x: Option<f64>| x.map(|s| duration(s, business, lang));
                let Distribution {
                    values,
                    median,
                    p75,
                    p90,
                    within,
                } = d;
                views.push(TimesView {
                    channel: channel.name.get(lang).to_string(),
                    measure,
                    n: values.len(),
                    median: time(*median),
                    p75: time(*p75),
                    p90: time(*p90),
                    within: limits
                        .iter()
                        .zip(within)
                        .map(|(l, share)| WithinShare {
                            limit: duration(l.span.seconds as f64, business, lang),
                            share: percent(*share, lang),
                        })
                        .collect(),
                    histogram: histogram(values, lang),
                });
            }
        }
        views
    }

    pub(super) fn threshold_views(&self) -> Vec<ThresholdView> {
        let lang = self.lang;
        self.season
            .thresholds
            .iter()
            .zip(&self.analysis.thresholds)
            .map(|(t, result)| {
                let business = t.measure == Measure::Wait
                    && t.channel
                        .is_some_and(|c| self.season.channel(c).business_time);
                let time = |s: i64| duration(s as f64, business, lang);
                let yes_share = (result.n > 0).then(|| result.n_yes as f64 / result.n as f64);
                ThresholdView {
                    id: t.id.clone(),
                    title: t.title.get(lang).to_string(),
                    measure: t.measure.as_str(),
                    outcome: self.season.question(t.outcome).text.get(lang).to_string(),
                    channel: t
                        .channel
                        .map(|c| self.season.channel(c).name.get(lang).to_string()),
                    n: result.n,
                    yes_share: percent(yes_share, lang),
                    min_group: t.min_group,
                    best: result.best.map(|k| {
                        let s = &result.splits[k];
                        SplitView {
                            cutoff: time(s.cutoff),
                            cutoff_seconds: s.cutoff as f64,
                            below_n: s.below_yes + s.below_no,
                            below_yes: percent(s.below_share(), lang),
                            above_n: s.above_yes + s.above_no,
                            above_yes: percent(s.above_share(), lang),
                            p: p_value(s.p_value, lang),
                            p_value: s.p_value,
                            significant: s.p_value < 0.05,
                        }
                    }),
                    curve: result
                        .splits
                        .iter()
                        .map(|s| (s.cutoff as f64, -s.p_value.max(1e-300).log10()))
                        .collect(),
                    curve_first: result.splits.first().map(|s| time(s.cutoff)),
                    curve_last: result.splits.last().map(|s| time(s.cutoff)),
                    tried: result.splits.len(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_are_nice_and_few() {
        // Longest 95 s: 10 s bins give 10 of them (0–10 … 90–100).
        let bins = histogram(&[0, 9, 10, 59, 95], Language::En);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins[0].label, duration(0.0, false, Language::En));
        assert_eq!(bins[9].label, duration(90.0, false, Language::En));
        assert_eq!(bins[0].count, 2);
        assert_eq!(bins[1].count, 1);
        assert_eq!(bins[9].count, 1);
        assert_eq!(histogram(&[], Language::En).len(), 0);
    }
}
