//! One value of the responses file: an answer by its question's kind, and a timestamp.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::Answer;
use crate::config::{Question, QuestionKind};

/// A value that cannot be read, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub message: String,
    /// The allowed value a misspelt one is closest to, as `did you mean `x`?`.
    pub help: Option<String>,
}

impl ValueError {
    fn new(message: String) -> ValueError {
        ValueError {
            message,
            help: None,
        }
    }
}

/// `did you mean `x`?` when `value` is close to one of `allowed`.
pub fn suggestion(value: &str, allowed: &[&str]) -> Option<String> {
    crate::snippet::did_you_mean(value, allowed.iter().copied())
        .map(|c| format!("did you mean `{c}`?"))
}

/// Parses an answer by the question's kind.
pub fn parse_answer(q: &Question, text: &str) -> Result<Answer, ValueError> {
    let fail = |m: String| Err(ValueError::new(m));
    match q.kind {
        QuestionKind::Scale => {
            let (lo, hi) = q.scale.expect("scale questions have a scale");
            let Ok(v) = text.parse::<i64>() else {
                return fail(format!(
                    "`{text}` is not a whole number on the scale {lo}–{hi} of `{}`",
                    q.id
                ));
            };
            if v < lo || v > hi {
                return fail(format!("{v} is outside the scale {lo}–{hi} of `{}`", q.id));
            }
            // Within the config's scale, whose ends fit in i32.
            Ok(Answer::Scale(v as i32))
        }
        QuestionKind::YesNo => match text.to_lowercase().as_str() {
            "ja" | "yes" | "1" => Ok(Answer::YesNo(true)),
            "nei" | "no" | "0" => Ok(Answer::YesNo(false)),
            _ => fail(format!(
                "`{text}` is not an answer to the yes/no question `{}`: use ja/nei, yes/no or 1/0",
                q.id
            )),
        },
        QuestionKind::Choice => match q
            .options
            .iter()
            .position(|o| o.key.eq_ignore_ascii_case(text))
        {
            Some(o) => Ok(Answer::Choice(o as u32)),
            None => {
                let keys: Vec<&str> = q.options.iter().map(|o| o.key.as_str()).collect();
                Err(ValueError {
                    help: suggestion(text, &keys),
                    message: format!(
                        "`{text}` is not an option of `{}`: use one of {}",
                        q.id,
                        keys.join(", ")
                    ),
                })
            }
        },
    }
}

/// Parses RFC 3339 with an offset, or `YYYY-MM-DD HH:MM[:SS]` local time in the season's zone.
/// A local time that falls in the autumn's repeated hour is taken as its first occurrence.
pub fn parse_timestamp(text: &str, timezone: Tz) -> Result<DateTime<Utc>, ValueError> {
    // A local time has no offset, so it is never RFC 3339: the common case skips that parser.
    let strict = strict_local(text);
    if strict.is_none()
        && let Ok(t) = DateTime::parse_from_rfc3339(text)
    {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = strict
        .or_else(|| general_local(text))
        .ok_or_else(|| {
            ValueError::new(format!(
                "`{text}` is not a timestamp: write RFC 3339 (2022-03-04T10:00:00+01:00) or local YYYY-MM-DD HH:MM[:SS]"
            ))
        })?;
    timezone
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            ValueError::new(format!(
                "`{text}` does not exist in {timezone}: the clocks skipped it (daylight saving)"
            ))
        })
}

/// The local forms a timestamp may take, read by chrono's format parser.
fn general_local(text: &str) -> Option<NaiveDateTime> {
    const LOCAL: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ];
    LOCAL
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// `YYYY-MM-DD HH:MM[:SS]` (or with `T`) in exactly that many digits, read without chrono's
/// format parser: a million inquiries have three timestamps each, and the parser was a tenth of
/// `ksp validate`. Anything else (and an impossible date) goes the general way.
fn strict_local(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if !(b.len() == 16 || b.len() == 19 && b[16] == b':') {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?)?;
    let seconds = if b.len() == 19 { number(17, 19)? } else { 0 };
    date.and_hms_opt(number(11, 13)?, number(14, 16)?, seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_local_times_read_as_chrono_reads_them() {
        for text in [
            "2022-03-04 10:00",
            "2022-03-04T10:00:59",
            "1999-12-31 23:59:59",
            "2024-02-29 00:00",
        ] {
            assert_eq!(strict_local(text), general_local(text), "{text}");
        }
        for text in [
            "2023-02-29 10:00",
            "2022-13-01 10:00",
            "2022-03-04 24:00",
            "2022-3-04 10:00",
            "2022-03-04 10:00:00+01:00",
            "2022-03-04 10:0x",
        ] {
            assert_eq!(strict_local(text), None, "{text}");
        }
    }

    #[test]
    fn timestamps_local_and_offset() {
        let oslo = chrono_tz::Europe::Oslo;
        let a = parse_timestamp("2022-03-04 10:00", oslo).unwrap();
        let b = parse_timestamp("2022-03-04T10:00:00+01:00", oslo).unwrap();
        assert_eq!(a, b);
        // Summer time: 10:00 in Oslo is 08:00 UTC.
        assert_eq!(
            parse_timestamp("2022-06-01 10:00:00", oslo)
                .unwrap()
                .to_rfc3339(),
            "2022-06-01T08:00:00+00:00"
        );
        assert!(
            parse_timestamp("2022-03-27 02:30", oslo)
                .unwrap_err()
                .message
                .contains("does not exist")
        );
        assert!(parse_timestamp("04.03.2022", oslo).is_err());
        // The repeated hour of 30 Oct 2022 resolves to its first (summer-time) occurrence.
        assert_eq!(
            parse_timestamp("2022-10-30 02:30", oslo)
                .unwrap()
                .to_rfc3339(),
            "2022-10-30T00:30:00+00:00"
        );
    }

    #[test]
    fn a_misspelt_option_gets_the_closest_key() {
        assert_eq!(
            suggestion("emial", &["phone", "email"]).as_deref(),
            Some("did you mean `email`?")
        );
        assert_eq!(suggestion("fax", &["phone", "email"]), None);
    }
}
