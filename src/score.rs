//! Scoring (methodology.md §3): per inquiry, then per participant. Pure and parallel.

use rayon::prelude::*;

use crate::config::{AreaIx, Channel, ChannelIx, Question, QuestionKind, Season, Sector};
use crate::input::{Answer, Dataset, Inquiry};
use crate::stats;

/// The scored view of one inquiry.
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryScore {
    pub answered: bool,
    /// `answered_at − sent_at` in seconds, business seconds on business-time channels; `None`
    /// without an answer time.
    pub wait: Option<i64>,
    /// `ended_at − answered_at` in seconds.
    pub handling: Option<i64>,
    /// pct(i, a) per area; `None` where the area is not applicable.
    pub area_pct: Vec<Option<f64>>,
    /// S(i); `None` only for an answered inquiry with no applicable area.
    pub score: Option<f64>,
}

/// Wait and handling-time figures of one participant on one channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelFigures {
    pub inquiries: usize,
    pub answered: usize,
    /// channel_<c>: mean S(i) on the channel.
    pub score: Option<f64>,
    pub answer_rate: Option<f64>,
    pub wait_median: Option<f64>,
    pub wait_p75: Option<f64>,
    pub wait_p90: Option<f64>,
    /// Inquiries answered within the first band ÷ inquiries on the channel.
    pub within_first_band: Option<f64>,
    pub handling_median: Option<f64>,
    pub handling_p75: Option<f64>,
    pub handling_p90: Option<f64>,
    /// Answered waits, ascending, for charts.
    pub waits: Vec<i64>,
}

/// Every figure of one participant.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantFigures {
    pub n_inquiries: usize,
    pub n_answered: usize,
    pub answer_rate: Option<f64>,
    pub total: Option<f64>,
    pub total_answered: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// area_<a> per area.
    pub areas: Vec<Option<f64>>,
    pub channels: Vec<ChannelFigures>,
    /// Achieved share of points (0–100) per question; `None` for unscored questions.
    pub questions: Vec<Option<f64>>,
    /// What the answers to each question add up to, over answered inquiries.
    pub question_stats: Vec<QuestionStats>,
    pub nps: Option<f64>,
    /// S(i) of every scored inquiry, in input order, for Welch's test.
    pub scores: Vec<f64>,
}

/// What one participant's answers to one question add up to, over its answered inquiries
/// (§3.8): the figures of unscored questions, and what reports show of every question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionStats {
    /// The mean value of a scale question.
    pub mean: Option<f64>,
    /// The top-box share of a scale question, a ratio.
    pub top: Option<f64>,
    /// The yes share of a yes/no question.
    pub yes: Option<f64>,
    /// The share of each option of a choice question.
    pub shares: Vec<Option<f64>>,
    /// Promoters, passives and detractors of the question `nps`, as ratios.
    pub nps_split: Option<[f64; 3]>,
}

impl ParticipantFigures {
    /// The unscored columns of §3.8 for `participants.csv`, in config order: `mean_<id>` and
    /// `top_<id>` of report-only scale questions, `yes_<id>`, and `share_<id>_<option>`.
    pub fn unscored(&self, season: &Season) -> Vec<(String, Option<f64>)> {
        let mut columns = Vec::new();
        for (q, stats) in season.questions.iter().zip(&self.question_stats) {
            if !q.report_only {
                continue;
            }
            match q.kind {
                QuestionKind::Scale => {
                    columns.push((format!("mean_{}", q.id), stats.mean));
                    columns.push((format!("top_{}", q.id), stats.top));
                }
                QuestionKind::YesNo => columns.push((format!("yes_{}", q.id), stats.yes)),
                QuestionKind::Choice => {
                    for (option, share) in q.options.iter().zip(&stats.shares) {
                        columns.push((format!("share_{}_{}", q.id, option.key), *share));
                    }
                }
            }
        }
        columns
    }
}

/// The scored season: one entry per inquiry and per participant, in dataset order.
#[derive(Debug, Clone)]
pub struct Scores {
    pub inquiries: Vec<InquiryScore>,
    pub participants: Vec<ParticipantFigures>,
}

pub fn score(season: &Season, data: &Dataset) -> Scores {
    let inquiries: Vec<InquiryScore> = data
        .inquiries
        .par_iter()
        .map(|i| score_inquiry(season, data, i))
        .collect();
    let participants = data
        .inquiries_by_participant()
        .par_iter()
        .enumerate()
        .map(|(p, indexes)| {
            let pairs: Vec<(&Inquiry, &InquiryScore)> = indexes
                .iter()
                .map(|&i| (&data.inquiries[i], &inquiries[i]))
                .collect();
            participant_figures(season, data.participants[p].sector, &pairs)
        })
        .collect();
    Scores {
        inquiries,
        participants,
    }
}

/// The wait of an inquiry in the channel's own measure.
pub fn wait_seconds(season: &Season, channel: &Channel, inquiry: &Inquiry) -> Option<i64> {
    let answered_at = inquiry.answered_at?;
    Some(if channel.business_time {
        season
            .calendar
            .business_seconds(inquiry.sent_at, answered_at)
    } else {
        (answered_at - inquiry.sent_at).num_seconds()
    })
}

/// The share of the wait points for a wait: the first band whose `within` it does not exceed.
pub fn band_share(channel: &Channel, wait: i64) -> f64 {
    channel
        .bands
        .iter()
        .find(|b| wait <= b.within.seconds)
        .map_or(0.0, |b| b.share)
}

pub fn score_inquiry(season: &Season, data: &Dataset, inquiry: &Inquiry) -> InquiryScore {
    let channel = &season.channel(inquiry.channel);
    let sector = data.participant(inquiry.participant).sector;
    let wait = wait_seconds(season, channel, inquiry);
    let answered = match channel.limit {
        None => true,
        Some(limit) => wait.is_some_and(|w| w <= limit.seconds),
    };
    let handling = match (inquiry.answered_at, inquiry.ended_at) {
        (Some(a), Some(e)) if answered => Some((e - a).num_seconds()),
        _ => None,
    };
    let mut area_pct = vec![None; season.areas.len()];
    if !answered {
        if let Some(w) = season.wait_area {
            area_pct[w.0] = Some(0.0);
        }
        return InquiryScore {
            answered,
            wait,
            handling,
            area_pct,
            score: Some(0.0),
        };
    }
    let mut earned = vec![0.0; season.areas.len()];
    let mut possible = vec![0.0; season.areas.len()];
    for (qi, q) in season.questions.iter().enumerate() {
        if let (Some(area), Some((points, most))) = (q.area, points(season, inquiry, sector, qi)) {
            earned[area.0] += points;
            possible[area.0] += most;
        }
    }
    for (a, pct) in area_pct.iter_mut().enumerate() {
        if Some(AreaIx(a)) == season.wait_area {
            if channel.limit.is_some() {
                let share = band_share(
                    channel,
                    wait.expect("answered inquiries on a limited channel have a wait"),
                );
                *pct = Some(100.0 * share);
            }
        } else if possible[a] > 0.0 {
            *pct = Some(100.0 * earned[a] / possible[a]);
        }
    }
    let (weighted, weights) = season
        .areas
        .iter()
        .zip(&area_pct)
        .filter_map(|(area, pct)| pct.map(|p| (area.weight * p, area.weight)))
        .fold((0.0, 0.0), |(s, w), (x, y)| (s + x, w + y));
    let score = (weights > 0.0).then(|| weighted / weights);
    InquiryScore {
        answered,
        wait,
        handling,
        area_pct,
        score,
    }
}

/// The points question `qi` earned on a scored inquiry, with the points it could earn;
/// `None` where it earned nothing possible (an unanswered inquiry, a question in no area,
/// no answer, or a question that does not apply). Computed when asked rather than kept:
/// a million inquiries of twenty questions would hold half a gigabyte of them.
pub fn question_points(
    season: &Season,
    data: &Dataset,
    inquiry: &Inquiry,
    score: &InquiryScore,
    qi: usize,
) -> Option<(f64, f64)> {
    let sector = data.participant(inquiry.participant).sector;
    score
        .answered
        .then(|| points(season, inquiry, sector, qi))
        .flatten()
}

/// [`question_points`] of an answered inquiry of a participant in `sector`.
fn points(season: &Season, inquiry: &Inquiry, sector: Sector, qi: usize) -> Option<(f64, f64)> {
    let q = &season.questions[qi];
    let answer = inquiry.answers[qi]?;
    if q.area.is_none() || !q.applies(inquiry.channel, sector) {
        return None;
    }
    let points = match (q.kind, answer) {
        (QuestionKind::Scale, Answer::Scale(v)) => {
            let (lo, hi) = q.scale.expect("scale questions have a scale");
            q.points * (i64::from(v) - lo) as f64 / (hi - lo) as f64
        }
        (QuestionKind::YesNo, Answer::YesNo(yes)) => {
            if yes {
                q.points
            } else {
                0.0
            }
        }
        (QuestionKind::Choice, Answer::Choice(o)) => q.options[o as usize].points,
        _ => unreachable!("answers are parsed by their question's kind"),
    };
    Some((points, q.points))
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// The figures of one participant, in `sector`, from its inquiries.
pub fn participant_figures(
    season: &Season,
    sector: Sector,
    inquiries: &[(&Inquiry, &InquiryScore)],
) -> ParticipantFigures {
    let n_inquiries = inquiries.len();
    let n_answered = inquiries.iter().filter(|(_, s)| s.answered).count();
    let scores: Vec<f64> = inquiries.iter().filter_map(|(_, s)| s.score).collect();
    let answered_scores: Vec<f64> = inquiries
        .iter()
        .filter(|(_, s)| s.answered)
        .filter_map(|(_, s)| s.score)
        .collect();
    let areas = (0..season.areas.len())
        .map(|a| {
            let values: Vec<f64> = inquiries
                .iter()
                .filter_map(|(_, s)| s.area_pct[a])
                .collect();
            stats::mean(&values)
        })
        .collect();
    let channels = season
        .channels
        .iter()
        .enumerate()
        .map(|(c, channel)| {
            let on: Vec<&(&Inquiry, &InquiryScore)> = inquiries
                .iter()
                .filter(|(i, _)| i.channel == ChannelIx(c))
                .collect();
            let answered: Vec<&InquiryScore> =
                on.iter().map(|(_, s)| *s).filter(|s| s.answered).collect();
            let waits = sorted(
                answered
                    .iter()
                    .filter_map(|s| s.wait)
                    .map(|w| w as f64)
                    .collect(),
            );
            let handling = sorted(
                answered
                    .iter()
                    .filter_map(|s| s.handling)
                    .map(|h| h as f64)
                    .collect(),
            );
            let first_band = channel.bands.first().map(|b| b.within.seconds);
            let within = answered
                .iter()
                .filter(|s| s.wait.zip(first_band).is_some_and(|(w, b)| w <= b))
                .count();
            let on_scores: Vec<f64> = on.iter().filter_map(|(_, s)| s.score).collect();
            let n = on.len();
            ChannelFigures {
                inquiries: n,
                answered: answered.len(),
                score: stats::mean(&on_scores),
                answer_rate: (n > 0).then(|| answered.len() as f64 / n as f64),
                wait_median: stats::percentile(&waits, 0.5),
                wait_p75: stats::percentile(&waits, 0.75),
                wait_p90: stats::percentile(&waits, 0.9),
                within_first_band: (n > 0 && first_band.is_some())
                    .then(|| within as f64 / n as f64),
                handling_median: stats::percentile(&handling, 0.5),
                handling_p75: stats::percentile(&handling, 0.75),
                handling_p90: stats::percentile(&handling, 0.9),
                waits: waits.iter().map(|w| *w as i64).collect(),
            }
        })
        .collect();
    let questions = season
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            if q.report_only {
                return None;
            }
            let (earned, possible) = inquiries
                .iter()
                .filter(|(_, s)| s.answered)
                .filter_map(|(i, _)| points(season, i, sector, qi))
                .fold((0.0, 0.0), |(e, p), (x, y)| (e + x, p + y));
            (possible > 0.0).then(|| 100.0 * earned / possible)
        })
        .collect();
    let (question_stats, nps) = question_stats(season, inquiries);
    ParticipantFigures {
        n_inquiries,
        n_answered,
        answer_rate: (n_inquiries > 0).then(|| n_answered as f64 / n_inquiries as f64),
        total: stats::mean(&scores),
        total_answered: stats::mean(&answered_scores),
        ci: stats::t_interval_95(&scores),
        areas,
        channels,
        questions,
        question_stats,
        nps,
        scores,
    }
}

/// Net Promoter Score of 0–10 answers: 100 · (promoters 9–10 − detractors 0–6) / answers.
pub fn nps(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let promoters = values.iter().filter(|v| **v >= 9).count() as f64;
    let detractors = values.iter().filter(|v| **v <= 6).count() as f64;
    Some(100.0 * (promoters - detractors) / values.len() as f64)
}

/// Every question's [`QuestionStats`] over the answered inquiries, and NPS from the question
/// `nps`.
fn question_stats(
    season: &Season,
    inquiries: &[(&Inquiry, &InquiryScore)],
) -> (Vec<QuestionStats>, Option<f64>) {
    let mut nps_value = None;
    let all = season
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let answers: Vec<Answer> = inquiries
                .iter()
                .filter(|(_, s)| s.answered)
                .filter_map(|(i, _)| i.answers[qi])
                .collect();
            if q.id == "nps" {
                let values: Vec<i64> = answers.iter().filter_map(|a| a.scale()).collect();
                nps_value = nps(&values);
            }
            answer_stats(q, &answers)
        })
        .collect();
    (all, nps_value)
}

fn answer_stats(q: &Question, answers: &[Answer]) -> QuestionStats {
    let n = answers.len() as f64;
    let share = |hits: usize| (n > 0.0).then(|| hits as f64 / n);
    let mut stats = QuestionStats::default();
    match q.kind {
        QuestionKind::Scale => {
            let values: Vec<f64> = answers
                .iter()
                .filter_map(|a| a.scale())
                .map(|v| v as f64)
                .collect();
            stats.mean = stats::mean(&values);
            stats.top = share(values.iter().filter(|v| q.in_top_box(**v)).count());
            if q.id == "nps" && n > 0.0 {
                let part =
                    |f: &dyn Fn(f64) -> bool| values.iter().filter(|v| f(**v)).count() as f64 / n;
                stats.nps_split = Some([
                    part(&|v| v >= 9.0),
                    part(&|v| v == 7.0 || v == 8.0),
                    part(&|v| v <= 6.0),
                ]);
            }
        }
        QuestionKind::YesNo => {
            stats.yes = share(
                answers
                    .iter()
                    .filter(|a| **a == Answer::YesNo(true))
                    .count(),
            )
        }
        QuestionKind::Choice => {
            stats.shares = (0..q.options.len())
                .map(|o| share(answers.iter().filter(|a| a.choice() == Some(o)).count()))
                .collect();
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Participant;
    use chrono::{DateTime, TimeZone, Utc};

    /// Weights wait 10, agent 60, overall 30; an e-mail channel with business-day bands.
    const CONFIG: &str = r#"
        [season]
        name = "t"
        year = 2022
        [input]
        participants = "p.csv"
        responses = "r.csv"
        [output]
        dir = "out"
        [channels.phone]
        limit = "5m"
        bands = [{ within = "1m", share = 1.0 }, { within = "3m", share = 0.6 }, { within = "5m", share = 0.3 }]
        [channels.email]
        limit = "3bd"
        bands = [{ within = "4h", share = 1.0 }, { within = "1bd", share = 0.7 }, { within = "3bd", share = 0.3 }]
        [areas.wait]
        name = { nb = "Vent" }
        weight = 10
        points = 4
        [areas.agent]
        name = { nb = "Agent" }
        weight = 60
        [areas.overall]
        name = { nb = "Total" }
        weight = 30
        [[questions]]
        id = "listened"
        area = "agent"
        kind = "scale"
        scale = [1, 5]
        points = 4
        [[questions]]
        id = "answers"
        area = "agent"
        kind = "yes_no"
        points = 2
        [[questions]]
        id = "named"
        area = "overall"
        kind = "choice"
        options = [{ key = "both", points = 2 }, { key = "one", points = 1 }, { key = "none", points = 0 }]
        [[questions]]
        id = "ivr"
        area = "overall"
        kind = "scale"
        scale = [1, 5]
        points = 2
        channels = ["phone"]
        [[questions]]
        id = "would_buy"
        area = "overall"
        kind = "yes_no"
        points = 2
        skip_sectors = ["public"]
    "#;

    fn season() -> Season {
        crate::config::parse(std::path::Path::new("t.toml"), CONFIG, &[]).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        chrono_tz::Europe::Oslo
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn dataset(sector: Sector) -> Dataset {
        let participants = vec![Participant {
            id: "P".into(),
            name: "P".into(),
            class: "K".into(),
            sector,
            channels: vec![ChannelIx(0), ChannelIx(1)],
            line: 2,
        }];
        Dataset {
            participants,
            inquiries: vec![],
            comment_columns: vec![],
            rows_read: 0,
            rows_rejected: 0,
            rejects: vec![],
            inputs: vec![],
            warnings: vec![],
            text_fixes: vec![],
        }
    }

    /// An inquiry on `channel` (0 phone, 1 e-mail) with answers in question order.
    fn inquiry(
        channel: usize,
        sent: &str,
        answered: Option<&str>,
        answers: [Option<Answer>; 5],
    ) -> Inquiry {
        Inquiry {
            id: "I".into(),
            line: 2,
            participant: crate::input::ParticipantIx(0),
            shopper_id: String::new(),
            channel: ChannelIx(channel),
            attempts: 1,
            sent_at: at(sent),
            answered_at: answered.map(at),
            ended_at: None,
            answers: answers.to_vec(),
            comments: vec![],
            extra: vec![],
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn each_question_kind_and_the_wait_band() {
        let season = season();
        let data = dataset(Sector::Private);
        // Phone answered after 2 min → band 3m, wait 60. listened 4 → 4·3/4 = 3 of 4,
        // answers nei → 0 of 2: agent 3/6 = 50. named "one" → 1 of 2, ivr 5 → 2 of 2,
        // would_buy ja → 2 of 2: overall 5/6 = 83.33.
        // S = (10·60 + 60·50 + 30·83.33) / 100 = (600 + 3000 + 2500) / 100 = 61.
        let i = inquiry(
            0,
            "2022-03-01 10:00:00",
            Some("2022-03-01 10:02:00"),
            [
                Some(Answer::Scale(4)),
                Some(Answer::YesNo(false)),
                Some(Answer::Choice(1)),
                Some(Answer::Scale(5)),
                Some(Answer::YesNo(true)),
            ],
        );
        let s = score_inquiry(&season, &data, &i);
        assert!(s.answered);
        assert_eq!(s.area_pct[0], Some(60.0));
        assert!(close(s.area_pct[1].unwrap(), 50.0));
        assert!(close(s.area_pct[2].unwrap(), 500.0 / 6.0));
        assert!(close(s.score.unwrap(), 61.0));
        assert_eq!(question_points(&season, &data, &i, &s, 0), Some((3.0, 4.0)));
        assert_eq!(question_points(&season, &data, &i, &s, 2), Some((1.0, 2.0)));
    }

    #[test]
    fn one_second_after_the_limit_is_no_answer() {
        let season = season();
        let data = dataset(Sector::Private);
        let none = [None; 5];
        // 5:00 exactly is inside the inclusive limit and the last band: wait 30.
        let on_time = score_inquiry(
            &season,
            &data,
            &inquiry(0, "2022-03-01 10:00:00", Some("2022-03-01 10:05:00"), none),
        );
        assert!(on_time.answered);
        assert_eq!(on_time.area_pct[0], Some(30.0));
        // 5:01 is over the limit: unanswered, S = 0 and only the wait area, at 0.
        let late = score_inquiry(
            &season,
            &data,
            &inquiry(0, "2022-03-01 10:00:00", Some("2022-03-01 10:05:01"), none),
        );
        assert!(!late.answered);
        assert_eq!(late.score, Some(0.0));
        assert_eq!(late.area_pct, vec![Some(0.0), None, None]);
    }

    #[test]
    fn an_area_with_nothing_applicable_drops_out_of_the_score() {
        let season = season();
        let data = dataset(Sector::Public);
        // E-mail, Fri 10:00 → Mon 10:00 = 1 business day → band 1bd, wait 70. Agent questions
        // unanswered (N/A); ivr does not apply to e-mail and would_buy not to the public
        // sector, named "both" → overall 100. Agent is not applicable:
        // S = (10·70 + 30·100) / (10 + 30) = 92.5.
        let i = inquiry(
            1,
            "2022-03-04 10:00:00",
            Some("2022-03-07 10:00:00"),
            [None, None, Some(Answer::Choice(0)), None, None],
        );
        let s = score_inquiry(&season, &data, &i);
        assert_eq!(s.wait, Some(86_400));
        assert_eq!(s.area_pct, vec![Some(70.0), None, Some(100.0)]);
        assert!(close(s.score.unwrap(), 92.5));
    }

    #[test]
    fn nps_of_a_known_list() {
        // 10, 9, 9 promoters; 8, 7 passives; 6, 0 detractors: 100 · (3 − 2) / 7 = 14.285 714…
        let v = nps(&[10, 9, 9, 8, 7, 6, 0]).unwrap();
        assert!((v - 100.0 / 7.0).abs() < 1e-12);
        assert_eq!(nps(&[10, 10]), Some(100.0));
        assert_eq!(nps(&[0, 6]), Some(-100.0));
        assert_eq!(nps(&[]), None);
    }
}
