//! The award summary's data: winners, ranked class tables, best per channel, who is not
//! ranked, the run's counts, last season's movers, and the season-wide analyses.

use serde::Serialize;

use super::analysis_views::{BreakdownView, ThresholdView, TimesView};
use super::findings_views::DriversTable;
use super::format::{Figure, change, count, percent, score, score_range, weight};
use super::funnel_plot::FunnelView;
use super::previous::PreviousEntry;
use super::robustness_views::ObserversView;
use super::{Context, Methodology, SeasonInfo};
use crate::rank::AwardKind;

#[derive(Serialize)]
pub struct AwardSummary<'c> {
    /// The version of this data's shape ([`super::SCHEMA`]).
    pub schema: u32,
    pub lang: &'static str,
    pub season: &'c SeasonInfo,
    pub overall: Vec<Winner>,
    pub classes: Vec<ClassTable>,
    pub best_channel: Vec<Winner>,
    pub not_ranked: Vec<NotRanked>,
    pub counts: Counts,
    /// When `season.previous` is set: last season's name and the participants whose total
    /// moved most, largest change first.
    pub movers: Option<Movers>,
    /// With `report.sensitivity`: how many weightings were tried, and within which bounds.
    pub weight_sensitivity: Option<SensitivityInfo>,
    /// `award.resamples` as text; `None` when resampling is off.
    pub resamples: Option<String>,
    /// The funnel of totals against inquiries (§7.2).
    pub funnel: Option<FunnelView>,
    /// Observers who grade differently (§7.4), for the organiser.
    pub observers: ObserversView,
    /// With `[drivers]`: the questions by how strongly they go with the outcome (§8.4).
    pub drivers: Option<DriversTable>,
    /// Whether the season gives awards (`award.enabled`).
    pub awards_enabled: bool,
    /// The season's breakdowns, season-wide and per class.
    pub breakdowns: Vec<BreakdownView>,
    /// Per channel and measure with measured times: the distribution and the shares within
    /// the limits of `[times]`.
    pub times: Vec<TimesView>,
    pub thresholds: Vec<ThresholdView>,
    pub methodology: &'c Methodology,
    /// The class tables cut into the parts the summary is laid out in, one compile each
    /// (`report.summary_rows_per_part`); one part for most seasons.
    pub parts: Vec<Vec<Slice>>,
}

/// Rows `from..to` of one class's table (`class` indexes `classes`), in a part of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slice {
    pub class: usize,
    pub from: usize,
    pub to: usize,
}

/// The class tables, of `row_counts` rows each, in parts of at most `rows` rows. A class
/// that does not fit in what is left of a part starts the next one, so only a table longer
/// than a whole part is cut; a class without rows still gets a slice (its heading and note).
/// With more than one part, the sections after the class tables are a last part, empty here.
pub fn parts(row_counts: &[usize], rows: usize) -> Vec<Vec<Slice>> {
    let mut parts = vec![Vec::new()];
    let mut room = rows;
    for (class, &n) in row_counts.iter().enumerate() {
        let current = parts.last().expect("at least one part");
        if n > room && n <= rows && !current.is_empty() {
            room = 0;
        }
        let mut from = 0;
        loop {
            if room == 0 && from < n {
                parts.push(Vec::new());
                room = rows;
            }
            let take = (n - from).min(room);
            let slice = Slice {
                class,
                from,
                to: from + take,
            };
            parts.last_mut().expect("at least one part").push(slice);
            (from, room) = (from + take, room - take);
            if from == n {
                break;
            }
        }
    }
    // What follows the tables (the funnel plots every participant) gets a part of its own.
    if parts.len() > 1 {
        parts.push(Vec::new());
    }
    parts
}

#[derive(Serialize)]
pub struct SensitivityInfo {
    pub runs: usize,
    pub vary: Vec<String>,
}

/// How many participants the award summary lists as the biggest movers.
const MOVERS: usize = 10;

#[derive(Serialize)]
pub struct Movers {
    pub season: String,
    pub rows: Vec<Mover>,
}

#[derive(Serialize)]
pub struct Mover {
    pub name: String,
    pub class: String,
    pub previous: Figure,
    pub total: Figure,
    pub change: Figure,
    pub previous_rank: Option<usize>,
    pub rank: Option<usize>,
}

#[derive(Serialize)]
pub struct Winner {
    pub name: String,
    pub class: String,
    pub channel: String,
    pub score: Figure,
}

#[derive(Serialize)]
pub struct ClassTable {
    pub class: String,
    pub n_participants: usize,
    pub n_eligible: usize,
    pub has_winner: bool,
    pub too_close: bool,
    /// The mean total over the class's ranked participants.
    pub mean_total: Figure,
    /// Inquiries each of the top two would need to be told apart (§7.3).
    pub inquiries_needed: Option<String>,
    pub rows: Vec<ClassTableRow>,
}

#[derive(Serialize)]
pub struct ClassTableRow {
    pub rank: usize,
    pub name: String,
    pub total: Figure,
    pub ci: String,
    pub total_answered: Figure,
    pub inquiries: usize,
    pub winner: bool,
    /// With `report.sensitivity`: the share of weightings under which it won its class.
    pub win_share: Option<Figure>,
    /// The 90 % interval of its resampled rank (`2–5`), and its chance of winning the class
    /// in percent.
    pub rank_interval: Option<String>,
    pub win_chance: Option<String>,
}

#[derive(Serialize)]
pub struct NotRanked {
    pub name: String,
    pub class: String,
    pub inquiries: usize,
}

#[derive(Serialize)]
pub struct Counts {
    pub rows_read: String,
    pub rows_accepted: String,
    pub rows_rejected: String,
    pub participants: String,
    pub inquiries: String,
}

impl AwardSummary<'_> {
    fn cut(self, rows: usize) -> Self {
        let counts: Vec<usize> = self.classes.iter().map(|c| c.rows.len()).collect();
        AwardSummary {
            parts: parts(&counts, rows),
            ..self
        }
    }
}

impl Context<'_> {
    pub fn award_summary(&self) -> AwardSummary<'_> {
        let (season, lang) = (self.season, self.lang);
        AwardSummary {
            schema: super::SCHEMA,
            lang: lang.code(),
            season: &self.info,
            overall: self.winners(AwardKind::OverallWinner),
            classes: self.class_tables(),
            best_channel: self.winners(AwardKind::BestChannel),
            not_ranked: self.not_ranked(),
            counts: self.counts(),
            movers: self.movers(),
            weight_sensitivity: self.sensitivity.as_ref().map(|r| SensitivityInfo {
                runs: r.runs,
                vary: r
                    .vary
                    .iter()
                    .map(|(key, lo, hi)| {
                        format!("{key} {}–{}", weight(*lo, lang).t, weight(*hi, lang).t)
                    })
                    .collect(),
            }),
            resamples: (self.robustness.resamples > 0)
                .then(|| count(self.robustness.resamples, lang)),
            funnel: self.funnel_view(),
            observers: self.observers_view(),
            drivers: self.drivers_table(),
            awards_enabled: season.award.enabled,
            breakdowns: self.season_breakdowns(),
            times: self.season_times(),
            thresholds: self.threshold_views(),
            methodology: &self.methodology,
            parts: Vec::new(),
        }
        .cut(season.templates.summary_rows_per_part)
    }

    fn winners(&self, kind: AwardKind) -> Vec<Winner> {
        self.standings
            .awards
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| Winner {
                name: self.data.participant(a.participant).name.clone(),
                class: a.class.clone(),
                channel: a
                    .channel
                    .map(|c| self.season.channel(c).name.get(self.lang).to_string())
                    .unwrap_or_default(),
                score: score(a.score, self.lang),
            })
            .collect()
    }

    /// Every class with its ranked participants, best first.
    fn class_tables(&self) -> Vec<ClassTable> {
        let lang = self.lang;
        self.standings
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| ClassTable {
                class: c.class.clone(),
                n_participants: c.n_participants,
                n_eligible: c.n_eligible,
                has_winner: c.has_winner,
                too_close: c.too_close == Some(true),
                mean_total: score(c.mean_total, lang),
                inquiries_needed: self.robustness.inquiries_needed[i].map(|n| count(n, lang)),
                rows: c
                    .members
                    .iter()
                    .filter_map(|&p| self.class_table_row(p.0, c.winners.contains(&p)))
                    .collect(),
            })
            .collect()
    }

    /// A ranked participant's row; `None` for one not ranked.
    fn class_table_row(&self, p: usize, winner: bool) -> Option<ClassTableRow> {
        let lang = self.lang;
        let f = &self.scores.participants[p];
        let ci = f.ci.map_or_else(|| "–".into(), |ci| score_range(ci, lang));
        let (rank_interval, win_chance) = self.rank_interval(p);
        Some(ClassTableRow {
            rank: self.standings.class_rank[p]?,
            name: self.data.participants[p].name.clone(),
            total: score(f.total, lang),
            ci,
            total_answered: score(f.total_answered, lang),
            inquiries: f.n_inquiries,
            winner,
            rank_interval,
            win_chance,
            win_share: self.sensitivity.as_ref().map(|r| {
                percent(
                    r.win_share.get(&self.data.participants[p].id).copied(),
                    lang,
                )
            }),
        })
    }

    /// Participants with too few inquiries, by class and name.
    fn not_ranked(&self) -> Vec<NotRanked> {
        let data = self.data;
        let mut not_ranked: Vec<NotRanked> = (0..data.participants.len())
            .filter(|&p| !self.standings.eligible[p])
            .map(|p| NotRanked {
                name: data.participants[p].name.clone(),
                class: data.participants[p].class.clone(),
                inquiries: self.scores.participants[p].n_inquiries,
            })
            .collect();
        not_ranked.sort_by(|a, b| a.class.cmp(&b.class).then_with(|| a.name.cmp(&b.name)));
        not_ranked
    }

    fn counts(&self) -> Counts {
        let (data, lang) = (self.data, self.lang);
        let n = |x: usize| count(x, lang);
        Counts {
            rows_read: n(data.rows_read),
            rows_accepted: n(data.rows_accepted()),
            rows_rejected: n(data.rows_rejected),
            participants: n(data.participants.len()),
            inquiries: n(data.inquiries.len()),
        }
    }

    /// Participants of both seasons (matched by id) by how far their total moved, either way;
    /// ties by id, so the list is the same from run to run.
    fn movers(&self) -> Option<Movers> {
        let previous = self.previous.as_ref()?;
        let mut moved: Vec<(f64, usize, &PreviousEntry)> = (0..self.data.participants.len())
            .filter_map(|p| {
                let then = previous.participants.get(&self.data.participants[p].id)?;
                let delta = self.scores.participants[p].total? - then.total?;
                Some((delta, p, then))
            })
            .collect();
        moved.sort_by(|a, b| {
            b.0.abs().total_cmp(&a.0.abs()).then_with(|| {
                self.data.participants[a.1]
                    .id
                    .cmp(&self.data.participants[b.1].id)
            })
        });
        let lang = self.lang;
        Some(Movers {
            season: previous.season.clone(),
            rows: moved
                .into_iter()
                .take(MOVERS)
                .map(|(delta, p, then)| Mover {
                    name: self.data.participants[p].name.clone(),
                    class: self.data.participants[p].class.clone(),
                    previous: score(then.total, lang),
                    total: score(self.scores.participants[p].total, lang),
                    change: change(Some(delta), lang),
                    previous_rank: then.class_rank,
                    rank: self.standings.class_rank[p],
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Slice, parts};

    fn s(class: usize, from: usize, to: usize) -> Slice {
        Slice { class, from, to }
    }

    #[test]
    fn a_class_that_fits_a_part_is_never_cut() {
        // 3 + 2 fill the first part of 5; the class of 4 starts the next.
        assert_eq!(
            parts(&[3, 2, 4], 5),
            [vec![s(0, 0, 3), s(1, 0, 2)], vec![s(2, 0, 4)], vec![]]
        );
        assert_eq!(
            parts(&[3, 2, 4], 9),
            [vec![s(0, 0, 3), s(1, 0, 2), s(2, 0, 4)]]
        );
    }

    #[test]
    fn a_class_longer_than_a_part_is_cut_into_full_parts() {
        // 7 rows in parts of 3: 3, 3, then 1 with room for the next class's 1.
        assert_eq!(
            parts(&[7, 1], 3),
            [
                vec![s(0, 0, 3)],
                vec![s(0, 3, 6)],
                vec![s(0, 6, 7), s(1, 0, 1)],
                vec![]
            ]
        );
        // A long class after a short one fills the short one's part first.
        assert_eq!(
            parts(&[1, 4], 3),
            [vec![s(0, 0, 1), s(1, 0, 2)], vec![s(1, 2, 4)], vec![]]
        );
    }

    #[test]
    fn classes_without_rows_keep_their_place_and_one_part_has_no_tail() {
        assert_eq!(
            parts(&[0, 2, 0], 1),
            [
                vec![s(0, 0, 0), s(1, 0, 1)],
                vec![s(1, 1, 2), s(2, 0, 0)],
                vec![]
            ]
        );
        assert_eq!(parts(&[], 400), [Vec::<Slice>::new()]);
    }
}
