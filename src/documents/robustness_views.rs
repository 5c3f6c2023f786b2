//! How firm the ranks are (§7), as the documents show it: a participant's rank interval and
//! win chance, the funnel plot, and the observers who grade differently.

use serde::Serialize;

use super::Context;
use super::format::{Figure, chance, count, score, statistic};
use super::funnel_plot::{self, FunnelView};

/// A participant's rank with its 90 % resampled interval and its chance of winning the class.
#[derive(Serialize)]
pub struct Firmness {
    pub rank: usize,
    pub of: usize,
    pub low: usize,
    pub high: usize,
    /// In a class with a winner: the share of resamples it wins, as a percent text.
    pub win_chance: Option<String>,
    pub resamples: String,
}

/// The observers whose grading stands out, for the organiser.
#[derive(Serialize)]
pub struct ObserversView {
    pub n_observers: usize,
    pub n_inquiries: String,
    pub flagged: Vec<ObserverRow>,
}

#[derive(Serialize)]
pub struct ObserverRow {
    pub shopper_id: String,
    pub n: usize,
    pub effect: Figure,
    pub z: Figure,
    /// `harder` or `softer` than the others on the same participants.
    pub direction: &'static str,
}

impl Context<'_> {
    pub(super) fn firmness(&self, p: usize) -> Option<Firmness> {
        let r = &self.robustness.participants[p];
        let class = &self.standings.class_of(p);
        Some(Firmness {
            rank: self.standings.class_rank[p]?,
            of: class.n_eligible,
            low: r.rank_low?,
            high: r.rank_high?,
            win_chance: r.p_class_win.map(|w| chance(w, self.lang)),
            resamples: count(self.robustness.resamples, self.lang),
        })
    }

    /// The ranked participant's interval and win chance for a class table row.
    pub(super) fn rank_interval(&self, p: usize) -> (Option<String>, Option<String>) {
        let r = &self.robustness.participants[p];
        let interval = match (r.rank_low, r.rank_high) {
            (Some(lo), Some(hi)) if lo == hi => Some(lo.to_string()),
            (Some(lo), Some(hi)) => Some(format!("{lo}–{hi}")),
            _ => None,
        };
        (interval, r.p_class_win.map(|w| chance(w, self.lang)))
    }

    pub(super) fn funnel_view(&self) -> Option<FunnelView> {
        let points = (0..self.data.participants.len())
            .filter_map(|p| self.funnel_point(p))
            .collect();
        funnel_plot::view(&self.robustness.funnel?, points, self.lang)
    }

    fn funnel_point(&self, p: usize) -> Option<funnel_plot::Participant> {
        let r = &self.robustness.participants[p];
        let f = &self.scores.participants[p];
        Some(funnel_plot::Participant {
            name: self.data.participants[p].name.clone(),
            n: f.n_inquiries,
            total: score(f.total, self.lang),
            funnel: r.funnel?,
            funnel_95: r.funnel_95?,
        })
    }

    pub(super) fn observers_view(&self) -> ObserversView {
        let observers = &self.robustness.observers;
        let lang = self.lang;
        ObserversView {
            n_observers: observers.len(),
            n_inquiries: count(observers.iter().map(|o| o.n).sum(), lang),
            flagged: observers
                .iter()
                .filter(|o| o.flagged)
                .map(|o| ObserverRow {
                    shopper_id: o.shopper_id.clone(),
                    n: o.n,
                    effect: super::format::change(Some(o.effect), lang),
                    z: statistic(o.z, lang),
                    direction: if o.effect < 0.0 { "harder" } else { "softer" },
                })
                .collect(),
        }
    }
}
