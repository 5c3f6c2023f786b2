//! `[season]` and `[input]`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{CheckError, CheckResult, required};
use crate::config::raw::{RawInput, RawSeason};

/// The checked parts of `[season]` that need more than copying.
pub(super) struct SeasonSection {
    pub name: String,
    pub year: i32,
    pub timezone: Tz,
    pub closed_days: BTreeSet<NaiveDate>,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub report_date: Option<NaiveDate>,
}

fn date(key: &str, text: &str) -> CheckResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| CheckError::new(key, format!("`{text}` is not a date written YYYY-MM-DD")))
}

impl SeasonSection {
    pub fn check(raw: &RawSeason) -> CheckResult<SeasonSection> {
        let name = required(
            &raw.name,
            "season.name",
            "give the season a name, e.g. name = \"Kundeserviceprisen 2022\"",
        )?;
        if name.trim().is_empty() {
            return Err(CheckError::new("season.name", "the season needs a name"));
        }
        let year = required(
            &raw.year,
            "season.year",
            "give the award year, e.g. year = 2022",
        )?;
        let timezone: Tz = raw.timezone.parse().map_err(|_| {
            CheckError::new(
                "season.timezone",
                format!(
                    "`{}` is not an IANA time zone such as Europe/Oslo",
                    raw.timezone
                ),
            )
        })?;
        let closed_days = raw
            .closed_days
            .iter()
            .map(|d| date("season.closed_days", d))
            .collect::<CheckResult<BTreeSet<_>>>()?;
        let period = match &raw.period {
            None => None,
            Some(p) => {
                let (from, to) = (
                    date("season.period.from", &p.from)?,
                    date("season.period.to", &p.to)?,
                );
                if to < from {
                    return Err(CheckError::new(
                        "season.period",
                        format!("the period ends ({to}) before it starts ({from})"),
                    ));
                }
                Some((from, to))
            }
        };
        let report_date = raw
            .report_date
            .as_deref()
            .map(|d| date("season.report_date", d))
            .transpose()?;
        Ok(SeasonSection {
            name,
            year,
            timezone,
            closed_days,
            period,
            report_date,
        })
    }
}

/// The checked parts of `[input]` that need more than copying.
pub(super) struct InputSection {
    pub participants: PathBuf,
    pub responses: PathBuf,
    pub delimiter: Option<u8>,
}

impl InputSection {
    pub fn check(raw: &RawInput, resolve: &dyn Fn(&str) -> PathBuf) -> CheckResult<InputSection> {
        let participants = required(
            &raw.participants,
            "input.participants",
            "name the participants file, e.g. participants = \"participants.csv\"",
        )?;
        let responses = required(
            &raw.responses,
            "input.responses",
            "name the responses file, e.g. responses = \"responses.csv\"",
        )?;
        let delimiter = match raw.delimiter.as_deref() {
            None => None,
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some("\t") | Some("\\t") => Some(b'\t'),
            Some(other) => {
                return Err(CheckError::new(
                    "input.delimiter",
                    format!("`{other}` is not a supported delimiter: use \",\" or \";\""),
                ));
            }
        };
        Ok(InputSection {
            participants: resolve(&participants),
            responses: resolve(&responses),
            delimiter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::raw::RawPeriod;

    fn season() -> RawSeason {
        RawSeason {
            name: Some("Prisen 2022".into()),
            year: Some(2022),
            ..RawSeason::default()
        }
    }

    fn key_of(raw: RawSeason) -> (String, String) {
        let e = SeasonSection::check(&raw).err().expect("an error");
        (e.key, e.message)
    }

    #[test]
    fn a_valid_season_takes_the_defaults() {
        let s = SeasonSection::check(&season()).unwrap();
        assert_eq!((s.name.as_str(), s.year), ("Prisen 2022", 2022));
        assert_eq!(s.timezone, chrono_tz::Europe::Oslo);
        assert!(s.period.is_none() && s.report_date.is_none() && s.closed_days.is_empty());
    }

    #[test]
    fn every_season_error_names_its_key() {
        let cases: Vec<(RawSeason, &str, &str)> = vec![
            (
                RawSeason {
                    name: None,
                    ..season()
                },
                "season.name",
                "missing",
            ),
            (
                RawSeason {
                    name: Some(" ".into()),
                    ..season()
                },
                "season.name",
                "needs a name",
            ),
            (
                RawSeason {
                    year: None,
                    ..season()
                },
                "season.year",
                "missing",
            ),
            (
                RawSeason {
                    timezone: "Oslo".into(),
                    ..season()
                },
                "season.timezone",
                "IANA",
            ),
            (
                RawSeason {
                    closed_days: vec!["27.12.2022".into()],
                    ..season()
                },
                "season.closed_days",
                "YYYY-MM-DD",
            ),
            (
                RawSeason {
                    period: Some(RawPeriod {
                        from: "2022-13-01".into(),
                        to: "2022-12-01".into(),
                    }),
                    ..season()
                },
                "season.period.from",
                "YYYY-MM-DD",
            ),
            (
                RawSeason {
                    period: Some(RawPeriod {
                        from: "2022-03-01".into(),
                        to: "2022-02-01".into(),
                    }),
                    ..season()
                },
                "season.period",
                "ends (2022-02-01) before it starts",
            ),
            (
                RawSeason {
                    report_date: Some("soon".into()),
                    ..season()
                },
                "season.report_date",
                "YYYY-MM-DD",
            ),
        ];
        for (raw, key, message) in cases {
            let (k, m) = key_of(raw);
            assert_eq!(k, key);
            assert!(m.contains(message), "{key}: {m}");
        }
    }

    #[test]
    fn input_files_are_required_and_delimiters_known() {
        let resolve = |p: &str| PathBuf::from(p);
        let raw = RawInput {
            participants: Some("p.csv".into()),
            responses: Some("r.csv".into()),
            delimiter: Some(";".into()),
            ..RawInput::default()
        };
        assert_eq!(
            InputSection::check(&raw, &resolve).unwrap().delimiter,
            Some(b';')
        );
        let e = InputSection::check(
            &RawInput {
                responses: None,
                ..raw.clone()
            },
            &resolve,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "input.responses");
        let e = InputSection::check(
            &RawInput {
                participants: None,
                ..raw.clone()
            },
            &resolve,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "input.participants");
        let e = InputSection::check(
            &RawInput {
                delimiter: Some("|".into()),
                ..raw
            },
            &resolve,
        )
        .err()
        .unwrap();
        assert!(e.message.contains("not a supported delimiter"));
    }
}
