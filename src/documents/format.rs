//! How figures reach the templates: numbers formatted for the report's language (decimal
//! comma and space-grouped thousands in Norwegian), dates as numbers, lengths of time as
//! numbers with unit codes, and names as text from the config or a code. Every word is the
//! templates' (`lib/labels.typ`): nothing here is Norwegian or English.
//!
//! One function per quantity, so a quantity reads the same wherever a document shows it:
//! [`score`] (scores, totals, means), [`weight`] (weights, points and shares as configured),
//! [`percent`], [`change`], [`chance`], [`correlation`], [`statistic`], [`p_value`],
//! [`count`] and [`time_figure`] / [`duration`]. [`number`] is left for chart ticks.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::Language;

/// Formats a number with `decimals` decimals: `4 700`, `94,7` in Norwegian; `4,700`, `94.7`
/// in English; a true minus sign; `−0,0` written as `0,0`.
pub fn number(x: f64, decimals: usize, language: Language) -> String {
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub v: Option<f64>,
    pub t: String,
    /// For a length of time: the value in the report's units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<Duration>,
}

fn figure(x: Option<f64>, decimals: usize, language: Language) -> Figure {
    Figure {
        v: x,
        t: x.map_or_else(|| "–".to_string(), |v| number(v, decimals, language)),
        d: None,
    }
}

/// A score, a total or a mean of scores or of a scale's answers: one decimal (`94,7`).
pub fn score(x: Option<f64>, language: Language) -> Figure {
    figure(x, 1, language)
}

/// A range of scores, e.g. a total's interval: `82,1–90,4`.
pub fn score_range((lo, hi): (f64, f64), language: Language) -> String {
    format!("{}–{}", number(lo, 1, language), number(hi, 1, language))
}

/// A value as configured — an area's weight, a question's points, a band's share in
/// percent — with as many decimals as it has, at most two: `40`, `12,5`, `12,25`.
pub fn weight(x: f64, language: Language) -> Figure {
    let decimals = (0..2)
        .find(|&d| {
            let scaled = x * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-9
        })
        .unwrap_or(2) as usize;
    figure(Some(x), decimals, language)
}

/// A count: `4 700`.
pub fn count(n: usize, language: Language) -> String {
    number(n as f64, 0, language)
}

/// A correlation coefficient: two decimals.
pub fn correlation(r: Option<f64>, language: Language) -> Figure {
    figure(r, 2, language)
}

/// A test statistic such as an observer's z: one decimal.
pub fn statistic(z: Option<f64>, language: Language) -> Figure {
    figure(z, 1, language)
}

/// A p-value: four decimals, or `< 0,0001`.
pub fn p_value(p: f64, language: Language) -> String {
    if p < 0.0001 {
        format!("< {}", number(0.0001, 4, language))
    } else {
        number(p, 4, language)
    }
}

/// A chance as a whole percent: `<1` and `>99` where rounding would say 0 or 100 of
/// something that did or did not always happen.
pub fn chance(p: f64, language: Language) -> String {
    let pct = 100.0 * p;
    match pct.round() {
        _ if p > 0.0 && pct < 0.5 => "<1".into(),
        _ if p < 1.0 && pct >= 99.5 => ">99".into(),
        r => number(r, 0, language),
    }
}

/// A ratio shown as a percent with one decimal; the templates add the ` %`.
pub fn percent(x: Option<f64>, language: Language) -> Figure {
    figure(x.map(|r| 100.0 * r), 1, language)
}

/// A signed change with its sign, e.g. `+2,4` / `−1,0`.
pub fn change(x: Option<f64>, language: Language) -> Figure {
    let t = match x {
        None => "–".to_string(),
        Some(v) if v > 0.0 && (v * 10.0).round() != 0.0 => format!("+{}", number(v, 1, language)),
        Some(v) => number(v, 1, language),
    };
    Figure { v: x, t, d: None }
}

/// A length of time in seconds as a figure whose text the templates write from `d`.
pub fn time_figure(seconds: Option<f64>, business: bool, language: Language) -> Figure {
    Figure {
        v: seconds,
        t: if seconds.is_some() {
            String::new()
        } else {
            "–".into()
        },
        d: seconds.map(|s| duration(s, business, language)),
    }
}

/// A date as `[year, month, day]`; the templates name the month.
pub type Date = [i32; 3];

pub fn date(d: NaiveDate) -> Date {
    [d.year(), d.month() as i32, d.day() as i32]
}

/// A length of time as numbers with unit codes, largest first: `[["3", "min"], ["5", "s"]]`.
/// Units: `s`, `min`, `h` and `bd` (business days).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duration(pub Vec<(String, &'static str)>);

/// Seconds as they read best: `42 s`, `3 min 5 s`, `4 h 12 min`, or, measured in business
/// time and a day or more, `1,5 bd`.
pub fn duration(seconds: f64, business: bool, language: Language) -> Duration {
    if business && seconds >= 86_400.0 {
        return Duration(vec![(number(seconds / 86_400.0, 1, language), "bd")]);
    }
    let s = seconds.round() as i64;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let n = |x: i64| x.to_string();
    Duration(match (h, m) {
        (0, 0) => vec![(n(sec), "s")],
        (0, _) if sec > 0 => vec![(n(m), "min"), (n(sec), "s")],
        (0, _) => vec![(n(m), "min")],
        _ => vec![(n(h), "h"), (n(m), "min")],
    })
}

/// A name in a report: text from the config or the data, or the code of a label the
/// templates hold (`{"code": "wait"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Name {
    Text(String),
    Code { code: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(number(94.66, 1, Language::Nb), "94,7");
        assert_eq!(number(94.66, 1, Language::En), "94.7");
        assert_eq!(number(4700.0, 0, Language::Nb), "4 700");
        assert_eq!(number(1234567.0, 0, Language::En), "1,234,567");
        assert_eq!(number(-12.34, 1, Language::Nb), "−12,3");
        assert_eq!(number(-0.01, 1, Language::Nb), "0,0");
        assert_eq!(change(Some(2.44), Language::Nb).t, "+2,4");
        assert_eq!(change(Some(0.04), Language::Nb).t, "0,0");
    }

    #[test]
    fn a_weight_reads_as_configured_wherever_it_is_shown() {
        let w = |x| weight(x, Language::Nb).t;
        assert_eq!(w(40.0), "40");
        assert_eq!(w(12.5), "12,5");
        assert_eq!(w(12.25), "12,25");
        assert_eq!(w(1.0 / 3.0), "0,33");
        assert_eq!(weight(2500.0, Language::En).t, "2,500");
    }

    #[test]
    fn p_values_and_chances() {
        assert_eq!(p_value(0.00004, Language::Nb), "< 0,0001");
        assert_eq!(p_value(0.01234, Language::Nb), "0,0123");
        assert_eq!(chance(0.123, Language::En), "12");
        assert_eq!(chance(0.0, Language::En), "0");
        assert_eq!(chance(0.004, Language::En), "<1");
        assert_eq!(chance(0.996, Language::Nb), ">99");
        assert_eq!(chance(1.0, Language::Nb), "100");
    }

    #[test]
    fn durations_in_units() {
        let d = |s, business| duration(s, business, Language::Nb).0;
        assert_eq!(d(42.0, false), [("42".into(), "s")]);
        assert_eq!(d(185.0, false), [("3".into(), "min"), ("5".into(), "s")]);
        assert_eq!(d(180.0, false), [("3".into(), "min")]);
        assert_eq!(
            d(15_120.0, false),
            [("4".into(), "h"), ("12".into(), "min")]
        );
        assert_eq!(d(129_600.0, true), [("1,5".to_string(), "bd")]);
        assert_eq!(d(3_600.0, true), [("1".into(), "h"), ("0".into(), "min")]);
    }

    #[test]
    fn names_are_text_or_a_label_code() {
        let json =
            serde_json::to_string(&[Name::Text("Agent".into()), Name::Code { code: "wait" }])
                .unwrap();
        assert_eq!(json, r#"["Agent",{"code":"wait"}]"#);
        assert_eq!(
            serde_json::to_string(&date(NaiveDate::from_ymd_opt(2022, 3, 1).unwrap())).unwrap(),
            "[2022,3,1]"
        );
    }
}
