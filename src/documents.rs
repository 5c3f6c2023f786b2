//! The data each template reads, built from the standings in one place. Numbers arrive both
//! as values (for charts) and as text formatted for the report's language.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{Language, Season};
use crate::input::Dataset;
use crate::rank::{AwardKind, Standings};
use crate::score::Scores;
use crate::stats;

/// Formats a number with `decimals` decimals: decimal comma and space-grouped thousands in
/// Norwegian (`4 700`, `94,7`), decimal point and comma-grouped thousands in English.
pub fn format_number(x: f64, decimals: usize, language: Language) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = match language {
        Language::Nb => (' ', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "−" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

/// A figure for a template: its value and its text (`–` when not applicable).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub v: Option<f64>,
    pub t: String,
}

fn figure(x: Option<f64>, decimals: usize, language: Language) -> Figure {
    Figure {
        v: x,
        t: x.map_or_else(|| "–".to_string(), |v| format_number(v, decimals, language)),
    }
}

/// A ratio shown as a percent with one decimal.
fn percent(x: Option<f64>, language: Language) -> Figure {
    figure(x.map(|r| 100.0 * r), 1, language)
}

/// Seconds as a readable duration (`42 s`, `3 min 5 s`, `4 t 12 min`, `1,5 virkedager`).
pub fn format_duration(seconds: Option<f64>, business: bool, language: Language) -> String {
    let Some(s) = seconds else {
        return "–".into();
    };
    let nb = language == Language::Nb;
    if business && s >= 86_400.0 {
        let days = format_number(s / 86_400.0, 1, language);
        return if nb {
            format!("{days} virkedager")
        } else {
            format!("{days} business days")
        };
    }
    let s = s.round() as i64;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let hours = if nb { "t" } else { "h" };
    match (h, m) {
        (0, 0) => format!("{sec} s"),
        (0, _) if sec > 0 => format!("{m} min {sec} s"),
        (0, _) => format!("{m} min"),
        _ => format!("{h} {hours} {m} min"),
    }
}

pub fn format_date(date: NaiveDate, language: Language) -> String {
    const NB: [&str; 12] = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = date.month0() as usize;
    match language {
        Language::Nb => format!("{}. {} {}", date.day(), NB[m], date.year()),
        Language::En => format!("{} {} {}", date.day(), EN[m], date.year()),
    }
}

#[derive(Serialize)]
pub struct SeasonInfo {
    pub name: String,
    pub year: i32,
    pub date: String,
    pub period: String,
}

#[derive(Serialize)]
pub struct ParticipantReport {
    pub lang: &'static str,
    pub season: SeasonInfo,
    pub participant: ParticipantInfo,
    pub eligible: bool,
    pub min_inquiries: usize,
    pub rank: Option<usize>,
    pub ranked_in_class: usize,
    pub summary: Summary,
    pub areas: Vec<AreaRow>,
    pub channels: Vec<ChannelRow>,
    pub comments: Vec<CommentRow>,
}

#[derive(Serialize)]
pub struct ParticipantInfo {
    pub id: String,
    pub name: String,
    pub class: String,
    pub public: bool,
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
pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub weight: Figure,
    pub score: Figure,
    pub class_mean: Figure,
    pub class_best: Figure,
}

#[derive(Serialize)]
pub struct ChannelRow {
    pub id: String,
    pub name: String,
    pub inquiries: usize,
    pub score: Figure,
    pub answer_rate: Figure,
    pub wait_median: String,
    pub wait_p90: String,
    pub limit: String,
}

#[derive(Serialize)]
pub struct CommentRow {
    pub group: String,
    pub channel: String,
    pub date: String,
    pub text: String,
}

fn lang_code(language: Language) -> &'static str {
    match language {
        Language::Nb => "nb",
        Language::En => "en",
    }
}

/// The season's first and last inquiry days, formatted.
fn season_info(season: &Season, data: &Dataset, date: NaiveDate) -> SeasonInfo {
    let tz = season.timezone;
    let days: Vec<NaiveDate> = data
        .inquiries
        .iter()
        .map(|i| i.sent_at.with_timezone(&tz).date_naive())
        .collect();
    let period = match (days.iter().min(), days.iter().max()) {
        (Some(a), Some(b)) => format!(
            "{} – {}",
            format_date(*a, season.language),
            format_date(*b, season.language)
        ),
        _ => String::new(),
    };
    SeasonInfo {
        name: season.name.clone(),
        year: season.year,
        date: format_date(date, season.language),
        period,
    }
}

pub fn participant_report(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
    date: NaiveDate,
    p: usize,
) -> ParticipantReport {
    let lang = season.language;
    let part = &data.participants[p];
    let f = &scores.participants[p];
    let class = &standings.classes[standings.class_of[p]];
    let eligible_totals: Vec<f64> = (0..data.participants.len())
        .filter(|&i| standings.eligible[i])
        .filter_map(|i| scores.participants[i].total)
        .collect();
    let areas = season
        .areas
        .iter()
        .enumerate()
        .map(|(a, area)| AreaRow {
            id: area.id.clone(),
            name: area.name.get(lang).to_string(),
            weight: figure(Some(area.weight), 0, lang),
            score: figure(f.areas[a], 1, lang),
            class_mean: figure(class.mean_areas[a], 1, lang),
            class_best: figure(class.best_areas[a], 1, lang),
        })
        .collect();
    let channels = season
        .channels
        .iter()
        .enumerate()
        .filter(|(c, _)| f.channels[*c].inquiries > 0)
        .map(|(c, channel)| {
            let cf = &f.channels[c];
            ChannelRow {
                id: channel.id.clone(),
                name: channel.name.get(lang).to_string(),
                inquiries: cf.inquiries,
                score: figure(cf.score, 1, lang),
                answer_rate: percent(cf.answer_rate, lang),
                wait_median: format_duration(cf.wait_median, channel.business_time, lang),
                wait_p90: format_duration(cf.wait_p90, channel.business_time, lang),
                limit: channel.limit.map_or_else(
                    || "–".into(),
                    |l| format_duration(Some(l.seconds as f64), channel.business_time, lang),
                ),
            }
        })
        .collect();
    let mut comments: Vec<(chrono::DateTime<chrono::Utc>, CommentRow)> = data
        .inquiries
        .iter()
        .filter(|i| i.participant == p)
        .flat_map(|i| {
            i.comments.iter().map(move |(group, text)| {
                let group_name = season.area_index(group).map_or_else(
                    || group.clone(),
                    |a| season.areas[a].name.get(lang).to_string(),
                );
                (
                    i.sent_at,
                    CommentRow {
                        group: group_name,
                        channel: season.channels[i.channel].name.get(lang).to_string(),
                        date: format_date(
                            i.sent_at.with_timezone(&season.timezone).date_naive(),
                            lang,
                        ),
                        text: text.clone(),
                    },
                )
            })
        })
        .collect();
    comments.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.group.cmp(&b.1.group)));
    ParticipantReport {
        lang: lang_code(lang),
        season: season_info(season, data, date),
        participant: ParticipantInfo {
            id: part.id.clone(),
            name: part.name.clone(),
            class: part.class.clone(),
            public: part.sector == crate::config::Sector::Public,
        },
        eligible: standings.eligible[p],
        min_inquiries: season.award.min_inquiries,
        rank: standings.class_rank[p],
        ranked_in_class: class.n_eligible,
        summary: Summary {
            total: figure(f.total, 1, lang),
            ci_low: figure(f.ci.map(|c| c.0), 1, lang),
            ci_high: figure(f.ci.map(|c| c.1), 1, lang),
            total_answered: figure(f.total_answered, 1, lang),
            answer_rate: percent(f.answer_rate, lang),
            n_inquiries: format_number(f.n_inquiries as f64, 0, lang),
            n_answered: format_number(f.n_answered as f64, 0, lang),
            class_mean: figure(class.mean_total, 1, lang),
            class_best: figure(class.best_total, 1, lang),
            all_mean: figure(stats::mean(&eligible_totals), 1, lang),
        },
        areas,
        channels,
        comments: comments.into_iter().map(|(_, c)| c).collect(),
    }
}

#[derive(Serialize)]
pub struct AwardSummary {
    pub lang: &'static str,
    pub season: SeasonInfo,
    pub overall: Vec<Winner>,
    pub classes: Vec<ClassTable>,
    pub best_channel: Vec<Winner>,
    pub not_ranked: Vec<NotRanked>,
    pub counts: Counts,
    pub min_inquiries: usize,
    pub min_class_size: usize,
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

pub fn award_summary(
    season: &Season,
    data: &Dataset,
    scores: &Scores,
    standings: &Standings,
    date: NaiveDate,
) -> AwardSummary {
    let lang = season.language;
    let winner = |kind: AwardKind| -> Vec<Winner> {
        standings
            .awards
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| Winner {
                name: data.participants[a.participant].name.clone(),
                class: a.class.clone(),
                channel: a
                    .channel
                    .map(|c| season.channels[c].name.get(lang).to_string())
                    .unwrap_or_default(),
                score: figure(a.score, 1, lang),
            })
            .collect()
    };
    let classes = standings
        .classes
        .iter()
        .map(|c| ClassTable {
            class: c.class.clone(),
            n_participants: c.n_participants,
            n_eligible: c.n_eligible,
            has_winner: c.has_winner,
            too_close: c.too_close == Some(true),
            rows: c
                .members
                .iter()
                .filter_map(|&p| {
                    let f = &scores.participants[p];
                    Some(ClassTableRow {
                        rank: standings.class_rank[p]?,
                        name: data.participants[p].name.clone(),
                        total: figure(f.total, 1, lang),
                        ci: f.ci.map_or_else(
                            || "–".into(),
                            |(lo, hi)| {
                                format!(
                                    "{}–{}",
                                    format_number(lo, 1, lang),
                                    format_number(hi, 1, lang)
                                )
                            },
                        ),
                        total_answered: figure(f.total_answered, 1, lang),
                        inquiries: f.n_inquiries,
                        winner: c.winners.contains(&p),
                    })
                })
                .collect(),
        })
        .collect();
    let mut not_ranked: Vec<NotRanked> = (0..data.participants.len())
        .filter(|&p| !standings.eligible[p])
        .map(|p| NotRanked {
            name: data.participants[p].name.clone(),
            class: data.participants[p].class.clone(),
            inquiries: scores.participants[p].n_inquiries,
        })
        .collect();
    not_ranked.sort_by(|a, b| a.class.cmp(&b.class).then_with(|| a.name.cmp(&b.name)));
    AwardSummary {
        lang: lang_code(lang),
        season: season_info(season, data, date),
        overall: winner(AwardKind::OverallWinner),
        classes,
        best_channel: winner(AwardKind::BestChannel),
        not_ranked,
        counts: Counts {
            rows_read: format_number(data.rows_read as f64, 0, lang),
            rows_accepted: format_number(data.rows_accepted() as f64, 0, lang),
            rows_rejected: format_number(data.rows_rejected as f64, 0, lang),
            participants: format_number(data.participants.len() as f64, 0, lang),
            inquiries: format_number(data.inquiries.len() as f64, 0, lang),
        },
        min_inquiries: season.award.min_inquiries,
        min_class_size: season.award.min_class_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(format_number(94.66, 1, Language::Nb), "94,7");
        assert_eq!(format_number(94.66, 1, Language::En), "94.7");
        assert_eq!(format_number(4700.0, 0, Language::Nb), "4 700");
        assert_eq!(format_number(1234567.0, 0, Language::En), "1,234,567");
        assert_eq!(format_number(-12.34, 1, Language::Nb), "−12,3");
        assert_eq!(format_number(-0.01, 1, Language::Nb), "0,0");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(Some(42.0), false, Language::Nb), "42 s");
        assert_eq!(
            format_duration(Some(185.0), false, Language::Nb),
            "3 min 5 s"
        );
        assert_eq!(
            format_duration(Some(129_600.0), true, Language::Nb),
            "1,5 virkedager"
        );
        assert_eq!(format_duration(None, false, Language::En), "–");
    }
}
