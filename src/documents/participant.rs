//! The participant report's data, one builder per section.

use serde::Serialize;

use super::analysis_views::BreakdownView;
use super::findings_views::FindingsView;
use super::format::{
    Date, Duration, Figure, change, count, date, duration, percent, score, weight,
};
use super::robustness_views::Firmness;
use super::{Context, Methodology, SeasonInfo};
use crate::config::{AreaIx, QuestionKind, Sector};
use crate::input::{Answer, Inquiry, ParticipantIx};
use crate::rank::AwardKind;

#[derive(Serialize)]
pub struct ParticipantReport<'c> {
    /// The version of this data's shape ([`super::SCHEMA`]).
    pub schema: u32,
    pub lang: &'static str,
    pub season: &'c SeasonInfo,
    pub participant: ParticipantInfo,
    pub eligible: bool,
    pub rank: Option<usize>,
    pub ranked_in_class: usize,
    /// When ranked and resampled: the rank's 90 % interval and the chance to win the class.
    pub firmness: Option<Firmness>,
    /// The areas and questions furthest from the class, and the key drivers (§8).
    pub findings: FindingsView,
    /// The awards the participant won.
    pub awards: Vec<AwardName>,
    pub summary: Summary,
    pub previous: Option<PreviousFigures>,
    pub areas: Vec<AreaRow>,
    pub channels: Vec<ChannelRow>,
    pub cx: Vec<CxRow>,
    pub nps: Option<NpsSplit>,
    pub facts: Vec<Fact>,
    pub comment_groups: Vec<CommentGroup>,
    pub inquiries: Vec<InquiryRow>,
    pub questions: Vec<QuestionCode>,
    /// The season's breakdowns for this participant, against its class and the season.
    pub breakdowns: Vec<BreakdownView>,
    pub methodology: &'c Methodology,
}

#[derive(Serialize)]
pub struct ParticipantInfo {
    pub id: String,
    pub name: String,
    pub class: String,
    pub public: bool,
}

/// An award won: its kind (`class_winner`, `overall_winner`, `best_channel`), with the class
/// or the channel it is in.
#[derive(Serialize)]
pub struct AwardName {
    pub kind: AwardKind,
    pub class: String,
    pub channel: Option<String>,
}

#[derive(Serialize)]
pub struct Summary {
    pub total: Figure,
    pub ci_low: Figure,
    pub ci_high: Figure,
    pub total_answered: Figure,
    pub answer_rate: Figure,
    pub n_inquiries: String,
    pub n_answered: String,
    pub class_mean: Figure,
    pub class_best: Figure,
    pub all_mean: Figure,
}

#[derive(Serialize)]
pub struct PreviousFigures {
    pub season: String,
    pub total: Figure,
    pub change: Figure,
    pub rank: Option<usize>,
}

/// An area's figures; its name, weight and questions' texts are `methodology.areas[i]`, in
/// the same order, so each is sent once.
#[derive(Serialize)]
pub struct AreaRow {
    pub id: String,
    pub score: Figure,
    pub class_mean: Figure,
    pub class_best: Figure,
    pub questions: Vec<QuestionRow>,
}

/// A question's share of points; its code and text are `methodology.areas[i].questions[j]`,
/// in the same order.
#[derive(Serialize)]
pub struct QuestionRow {
    pub share: Figure,
    pub class_mean: Figure,
}

#[derive(Serialize)]
pub struct ChannelRow {
    pub id: String,
    pub name: String,
    pub inquiries: usize,
    pub answered: usize,
    pub score: Figure,
    pub answer_rate: Figure,
    pub within_first_band: Figure,
    pub wait_median: Option<Duration>,
    pub wait_p75: Option<Duration>,
    pub wait_p90: Option<Duration>,
    pub handling_median: Option<Duration>,
    pub handling_p75: Option<Duration>,
    pub handling_p90: Option<Duration>,
    /// `None`: no wait rule.
    pub limit: Option<Duration>,
    pub chart: Option<WaitChart>,
}

/// Waits as fractions of the channel's limit, with the band edges, for a strip chart.
#[derive(Serialize)]
pub struct WaitChart {
    pub waits: Vec<f64>,
    pub bands: Vec<BandMark>,
    pub unanswered: usize,
}

#[derive(Serialize)]
pub struct BandMark {
    pub at: f64,
    pub label: String,
    /// The band's share of the wait points, a percent.
    pub share: String,
}

#[derive(Serialize)]
pub struct CxRow {
    pub label: String,
    pub text: String,
    /// `1–5` for a scale question; `None` for a yes/no question, shown as its yes share.
    pub scale: Option<String>,
    pub value: Figure,
    pub class_mean: Figure,
    /// The value's position on its scale, 0 to 1, for bars.
    pub position: Option<f64>,
    pub class_position: Option<f64>,
}

#[derive(Serialize)]
pub struct NpsSplit {
    pub promoters: Figure,
    pub passives: Figure,
    pub detractors: Figure,
}

#[derive(Serialize)]
pub struct Fact {
    pub text: String,
    pub options: Vec<FactOption>,
}

#[derive(Serialize)]
pub struct FactOption {
    /// The option's text; `None` for the yes share of a yes/no question.
    pub label: Option<String>,
    pub share: Figure,
    pub class_mean: Figure,
}

#[derive(Serialize)]
pub struct CommentGroup {
    pub name: String,
    pub comments: Vec<CommentRow>,
}

#[derive(Serialize)]
pub struct CommentRow {
    pub date: Date,
    pub channel: String,
    pub text: String,
    /// The comment reads right to left (Arabic, Hebrew): set as a right-to-left paragraph.
    pub rtl: bool,
}

#[derive(Serialize)]
pub struct InquiryRow {
    pub id: String,
    pub date: Date,
    pub channel: String,
    pub wait: Option<Duration>,
    pub answered: bool,
    pub score: Figure,
    /// Every answer given, by the question's code (as in the methodology): a scale value,
    /// `true`/`false` for yes/no, an option's text.
    pub answers: Vec<(String, AnswerValue)>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Scale(i64),
    YesNo(bool),
    Option(String),
}

#[derive(Serialize)]
pub struct QuestionCode {
    pub code: String,
    pub label: String,
}

impl Context<'_> {
    pub fn participant_report(&self, p: usize) -> ParticipantReport<'_> {
        let (season, lang) = (self.season, self.lang);
        let part = &self.data.participants[p];
        let class = &self.standings.class_of(p);
        ParticipantReport {
            schema: super::SCHEMA,
            lang: lang.code(),
            season: &self.info,
            participant: ParticipantInfo {
                id: part.id.clone(),
                name: part.name.clone(),
                class: part.class.clone(),
                public: part.sector == Sector::Public,
            },
            eligible: self.standings.eligible[p],
            rank: self.standings.class_rank[p],
            ranked_in_class: class.n_eligible,
            firmness: self.firmness(p),
            findings: self.findings_view(p),
            awards: self.awards_of(p),
            summary: self.summary(p),
            previous: self.previous_figures(p),
            areas: self.area_rows(p),
            channels: self.channel_rows(p),
            cx: self.cx_rows(p),
            nps: self.nps_split(p),
            facts: self.facts(p),
            comment_groups: self.comment_groups(p),
            inquiries: self.inquiry_rows(p),
            questions: season
                .questions
                .iter()
                .enumerate()
                .map(|(qi, q)| QuestionCode {
                    code: format!("Q{}", qi + 1),
                    label: q.label.get(lang).to_string(),
                })
                .collect(),
            breakdowns: self.participant_breakdowns(p),
            methodology: &self.methodology,
        }
    }

    fn awards_of(&self, p: usize) -> Vec<AwardName> {
        self.standings
            .awards
            .iter()
            .filter(|a| a.participant == ParticipantIx(p))
            .map(|a| AwardName {
                kind: a.kind,
                class: a.class.clone(),
                channel: (a.kind == AwardKind::BestChannel)
                    .then(|| {
                        a.channel
                            .map(|c| self.season.channel(c).name.get(self.lang).to_string())
                    })
                    .flatten(),
            })
            .collect()
    }

    fn summary(&self, p: usize) -> Summary {
        let lang = self.lang;
        let f = &self.scores.participants[p];
        let class = &self.standings.class_of(p);
        Summary {
            total: score(f.total, lang),
            ci_low: score(f.ci.map(|c| c.0), lang),
            ci_high: score(f.ci.map(|c| c.1), lang),
            total_answered: score(f.total_answered, lang),
            answer_rate: percent(f.answer_rate, lang),
            n_inquiries: count(f.n_inquiries, lang),
            n_answered: count(f.n_answered, lang),
            class_mean: score(class.mean_total, lang),
            class_best: score(class.best_total, lang),
            all_mean: score(self.all_mean_total, lang),
        }
    }

    fn previous_figures(&self, p: usize) -> Option<PreviousFigures> {
        let prev = self.previous.as_ref()?;
        let entry = prev.participants.get(&self.data.participants[p].id)?;
        let total = self.scores.participants[p].total;
        Some(PreviousFigures {
            season: prev.season.clone(),
            total: score(entry.total, self.lang),
            change: change(
                total.zip(entry.total).map(|(now, then)| now - then),
                self.lang,
            ),
            rank: entry.class_rank,
        })
    }

    fn area_rows(&self, p: usize) -> Vec<AreaRow> {
        let (season, lang) = (self.season, self.lang);
        let f = &self.scores.participants[p];
        let class = &self.standings.class_of(p);
        season
            .areas
            .iter()
            .enumerate()
            .map(|(a, area)| AreaRow {
                id: area.id.clone(),
                score: score(f.areas[a], lang),
                class_mean: score(class.mean_areas[a], lang),
                class_best: score(class.best_areas[a], lang),
                questions: season
                    .questions
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.area == Some(AreaIx(a)))
                    .map(|(qi, _)| QuestionRow {
                        share: score(f.questions[qi], lang),
                        class_mean: score(class.question_shares[qi], lang),
                    })
                    .collect(),
            })
            .collect()
    }

    fn channel_rows(&self, p: usize) -> Vec<ChannelRow> {
        let lang = self.lang;
        let f = &self.scores.participants[p];
        self.season
            .channels
            .iter()
            .enumerate()
            .filter(|(c, _)| f.channels[*c].inquiries > 0)
            .map(|(c, channel)| {
                let cf = &f.channels[c];
                let wait = |x: Option<f64>| x.map(|s| duration(s, channel.business_time, lang));
                let handling = |x: Option<f64>| x.map(|s| duration(s, false, lang));
                ChannelRow {
                    id: channel.id.clone(),
                    name: channel.name.get(lang).to_string(),
                    inquiries: cf.inquiries,
                    answered: cf.answered,
                    score: score(cf.score, lang),
                    answer_rate: percent(cf.answer_rate, lang),
                    within_first_band: percent(cf.within_first_band, lang),
                    wait_median: wait(cf.wait_median),
                    wait_p75: wait(cf.wait_p75),
                    wait_p90: wait(cf.wait_p90),
                    handling_median: handling(cf.handling_median),
                    handling_p75: handling(cf.handling_p75),
                    handling_p90: handling(cf.handling_p90),
                    limit: wait(channel.limit.map(|l| l.seconds as f64)),
                    chart: channel.limit.map(|limit| {
                        let of_limit = |s: i64| s as f64 / limit.seconds as f64;
                        WaitChart {
                            waits: cf.waits.iter().map(|w| of_limit(*w).min(1.0)).collect(),
                            bands: channel
                                .bands
                                .iter()
                                .map(|b| BandMark {
                                    at: of_limit(b.within.seconds).min(1.0),
                                    label: b.label.clone(),
                                    share: weight(100.0 * b.share, lang).t,
                                })
                                .collect(),
                            unanswered: cf.inquiries - cf.answered,
                        }
                    }),
                }
            })
            .collect()
    }

    fn cx_rows(&self, p: usize) -> Vec<CxRow> {
        let lang = self.lang;
        let stats = &self.scores.participants[p].question_stats;
        let class_stats = &self.standings.class_of(p).question_stats;
        self.season
            .report_cx
            .iter()
            .map(|&ix| {
                let (q, qi) = (self.season.question(ix), ix.0);
                let (value, class_mean, scale, position, class_position) = match q.kind {
                    QuestionKind::Scale => {
                        let (lo, hi) = q.scale.expect("scale questions have a scale");
                        let pos = |x: Option<f64>| x.map(|v| (v - lo as f64) / (hi - lo) as f64);
                        (
                            score(stats[qi].mean, lang),
                            score(class_stats[qi].mean, lang),
                            Some(format!("{lo}–{hi}")),
                            pos(stats[qi].mean),
                            pos(class_stats[qi].mean),
                        )
                    }
                    _ => (
                        percent(stats[qi].yes, lang),
                        percent(class_stats[qi].yes, lang),
                        None,
                        stats[qi].yes,
                        class_stats[qi].yes,
                    ),
                };
                CxRow {
                    label: q.label.get(lang).to_string(),
                    text: q.text.get(lang).to_string(),
                    scale,
                    value,
                    class_mean,
                    position,
                    class_position,
                }
            })
            .collect()
    }

    fn nps_split(&self, p: usize) -> Option<NpsSplit> {
        let qi = self.season.questions.iter().position(|q| q.id == "nps")?;
        let [pro, pas, det] = self.scores.participants[p].question_stats[qi].nps_split?;
        Some(NpsSplit {
            promoters: percent(Some(pro), self.lang),
            passives: percent(Some(pas), self.lang),
            detractors: percent(Some(det), self.lang),
        })
    }

    /// Every report-only question that is not a scale: its yes share, or each option's share.
    fn facts(&self, p: usize) -> Vec<Fact> {
        let lang = self.lang;
        let stats = &self.scores.participants[p].question_stats;
        let class_stats = &self.standings.class_of(p).question_stats;
        self.season
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.report_only && q.kind != QuestionKind::Scale)
            .map(|(qi, q)| Fact {
                text: q.text.get(lang).to_string(),
                options: match q.kind {
                    QuestionKind::YesNo => vec![FactOption {
                        label: None,
                        share: percent(stats[qi].yes, lang),
                        class_mean: percent(class_stats[qi].yes, lang),
                    }],
                    _ => q
                        .options
                        .iter()
                        .enumerate()
                        .map(|(o, option)| FactOption {
                            label: Some(option.text.get(lang).to_string()),
                            share: percent(stats[qi].shares[o], lang),
                            class_mean: percent(class_stats[qi].shares[o], lang),
                        })
                        .collect(),
                },
            })
            .collect()
    }

    fn day_of(&self, inquiry: &Inquiry) -> Date {
        date(
            inquiry
                .sent_at
                .with_timezone(&self.season.timezone)
                .date_naive(),
        )
    }

    /// Comments by column, areas first in the config's order, each group in inquiry order.
    fn comment_groups(&self, p: usize) -> Vec<CommentGroup> {
        let (season, data, lang) = (self.season, self.data, self.lang);
        let mut groups: Vec<(usize, &String)> = data.comment_columns.iter().enumerate().collect();
        groups.sort_by_key(|(_, g)| season.area_index(g).map_or(usize::MAX, |a| a.0));
        groups
            .into_iter()
            .map(|(column, group)| CommentGroup {
                name: season.area_index(group).map_or_else(
                    || group.replace('_', " "),
                    |a| season.area(a).name.get(lang).to_string(),
                ),
                comments: self.inquiries_of[p]
                    .iter()
                    .map(|&i| &data.inquiries[i])
                    .flat_map(|inquiry| {
                        inquiry
                            .comments
                            .iter()
                            .filter(|(c, _)| *c == column)
                            .map(move |(_, text)| (inquiry, text))
                    })
                    .map(|(inquiry, text)| CommentRow {
                        date: self.day_of(inquiry),
                        channel: season.channel(inquiry.channel).name.get(lang).to_string(),
                        text: text.clone(),
                        rtl: crate::glyphs::is_right_to_left(text),
                    })
                    .collect(),
            })
            .filter(|g| !g.comments.is_empty())
            .collect()
    }

    /// Every inquiry in the order it was sent, with its answers.
    fn inquiry_rows(&self, p: usize) -> Vec<InquiryRow> {
        let (season, data, lang) = (self.season, self.data, self.lang);
        let mut by_time: Vec<usize> = self.inquiries_of[p].clone();
        by_time.sort_by(|&a, &b| {
            data.inquiries[a]
                .sent_at
                .cmp(&data.inquiries[b].sent_at)
                .then(a.cmp(&b))
        });
        by_time
            .iter()
            .map(|&i| {
                let inquiry = &data.inquiries[i];
                let s = &self.scores.inquiries[i];
                let channel = &season.channel(inquiry.channel);
                InquiryRow {
                    id: inquiry.id.clone(),
                    date: self.day_of(inquiry),
                    channel: channel.name.get(lang).to_string(),
                    wait: s
                        .wait
                        .map(|w| duration(w as f64, channel.business_time, lang)),
                    answered: s.answered,
                    score: score(s.score, lang),
                    answers: season
                        .questions
                        .iter()
                        .zip(&inquiry.answers)
                        .enumerate()
                        .filter_map(|(qi, (q, a))| {
                            let value = match a.as_ref()? {
                                Answer::Scale(v) => AnswerValue::Scale((*v).into()),
                                Answer::YesNo(yes) => AnswerValue::YesNo(*yes),
                                Answer::Choice(o) => {
                                    let option = &q.options[*o as usize];
                                    AnswerValue::Option(option.text.get(lang).to_string())
                                }
                            };
                            Some((format!("Q{}", qi + 1), value))
                        })
                        .collect(),
                }
            })
            .collect()
    }
}
