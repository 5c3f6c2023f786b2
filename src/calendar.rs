//! Business time: time on local working days in the season's time zone, skipping weekends,
//! Norwegian public holidays and the season's closed days (methodology.md §3.2).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone)]
pub struct Calendar {
    timezone: Tz,
    closed_days: BTreeSet<NaiveDate>,
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("easter is a valid date")
}

/// Norwegian public holidays of a year that can fall on a weekday.
pub fn norwegian_holidays(year: i32) -> Vec<NaiveDate> {
    let easter = easter_sunday(year);
    let from_easter = |days: i64| easter + chrono::Duration::days(days);
    let fixed = |month, day| {
        NaiveDate::from_ymd_opt(year, month, day).expect("fixed holiday is a valid date")
    };
    vec![
        fixed(1, 1),
        from_easter(-3), // Maundy Thursday
        from_easter(-2), // Good Friday
        from_easter(1),  // Easter Monday
        fixed(5, 1),
        fixed(5, 17),
        from_easter(39), // Ascension Day
        from_easter(50), // Whit Monday
        fixed(12, 25),
        fixed(12, 26),
    ]
}

/// Whether a date is a Norwegian public holiday, without building the year's list: this runs
/// for every day of every e-mail wait.
pub fn is_norwegian_holiday(date: NaiveDate) -> bool {
    match (date.month(), date.day()) {
        (1, 1) | (5, 1) | (5, 17) | (12, 25) | (12, 26) => true,
        // Easter-based holidays fall between 19 March (Maundy Thursday) and 14 June (Whit Monday).
        (3..=6, _) => {
            let from_easter = (date - easter_sunday(date.year())).num_days();
            matches!(from_easter, -3 | -2 | 1 | 39 | 50)
        }
        _ => false,
    }
}

impl Calendar {
    pub fn new(timezone: Tz, closed_days: BTreeSet<NaiveDate>) -> Self {
        Calendar {
            timezone,
            closed_days,
        }
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !is_norwegian_holiday(date)
            && !self.closed_days.contains(&date)
    }

    /// The instant a local day starts; a day whose midnight falls in a DST gap starts at
    /// the first instant that exists.
    fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        match self.timezone.from_local_datetime(&midnight).earliest() {
            Some(t) => t.with_timezone(&Utc),
            None => (1..=180)
                .find_map(|minutes| {
                    self.timezone
                        .from_local_datetime(&(midnight + chrono::Duration::minutes(minutes)))
                        .earliest()
                })
                .expect("a gap is shorter than three hours")
                .with_timezone(&Utc),
        }
    }

    /// Seconds of business time between two instants (0 when `to` is not after `from`). Each
    /// local business day contributes its real length, so a daylight-saving day counts 23 or
    /// 25 hours.
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut date = from.with_timezone(&self.timezone).date_naive();
        let last = to.with_timezone(&self.timezone).date_naive();
        let mut total = 0;
        while date <= last {
            let next = date.checked_add_days(Days::new(1)).expect("date in range");
            if self.is_business_day(date) {
                let start = self.day_start(date).max(from);
                let end = self.day_start(next).min(to);
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            date = next;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oslo() -> Calendar {
        Calendar::new(chrono_tz::Europe::Oslo, BTreeSet::new())
    }

    fn local(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Europe::Oslo
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    const DAY: i64 = 86_400;

    #[test]
    fn easter_dates() {
        assert_eq!(
            easter_sunday(2022),
            NaiveDate::from_ymd_opt(2022, 4, 17).unwrap()
        );
        assert_eq!(
            easter_sunday(2023),
            NaiveDate::from_ymd_opt(2023, 4, 9).unwrap()
        );
        assert_eq!(
            easter_sunday(2024),
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert_eq!(
            easter_sunday(2038),
            NaiveDate::from_ymd_opt(2038, 4, 25).unwrap()
        );
    }

    #[test]
    fn holiday_test_matches_the_holiday_list() {
        for year in 1990..2100 {
            let holidays = norwegian_holidays(year);
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while day.year() == year {
                assert_eq!(is_norwegian_holiday(day), holidays.contains(&day), "{day}");
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn friday_to_monday_is_one_business_day() {
        // Fri 2022-03-04 10:00 → Mon 2022-03-07 10:00: Friday 14 h + Monday 10 h = 24 h.
        assert_eq!(
            oslo().business_seconds(local("2022-03-04 10:00"), local("2022-03-07 10:00")),
            DAY
        );
    }

    #[test]
    fn easter_is_skipped() {
        // 2022: Maundy Thursday 14 Apr, Good Friday 15 Apr, Easter Monday 18 Apr.
        // Wed 13 Apr 12:00 → Tue 19 Apr 12:00: Wednesday 12 h + Tuesday 12 h = 1 business day.
        assert_eq!(
            oslo().business_seconds(local("2022-04-13 12:00"), local("2022-04-19 12:00")),
            DAY
        );
    }

    #[test]
    fn may_17_and_ascension_are_skipped() {
        // 2022: 17 May is a Tuesday. Mon 16 May 16:00 → Wed 18 May 08:00: 8 h + 8 h = 16 h.
        assert_eq!(
            oslo().business_seconds(local("2022-05-16 16:00"), local("2022-05-18 08:00")),
            16 * 3600
        );
        // 2022: Ascension Day is Thursday 26 May. Wed 25 May 12:00 → Fri 27 May 12:00: 12 h + 12 h.
        assert_eq!(
            oslo().business_seconds(local("2022-05-25 12:00"), local("2022-05-27 12:00")),
            DAY
        );
    }

    #[test]
    fn closed_days_are_skipped() {
        let cal = Calendar::new(
            chrono_tz::Europe::Oslo,
            [NaiveDate::from_ymd_opt(2022, 3, 8).unwrap()].into(),
        );
        // Mon 7 Mar 12:00 → Wed 9 Mar 12:00 with Tuesday closed: 12 h + 12 h.
        assert_eq!(
            cal.business_seconds(local("2022-03-07 12:00"), local("2022-03-09 12:00")),
            DAY
        );
    }

    #[test]
    fn daylight_saving_weekend_counts_business_hours_not_wall_clock() {
        // Oslo moved to summer time on Sun 27 Mar 2022. Fri 25 Mar 12:00 → Mon 28 Mar 12:00 is
        // 71 wall-clock hours but 12 h + 12 h of business time.
        assert_eq!(
            oslo().business_seconds(local("2022-03-25 12:00"), local("2022-03-28 12:00")),
            DAY
        );
        // A closed Sunday-to-Monday stretch across the autumn change (Sun 30 Oct 2022) likewise.
        assert_eq!(
            oslo().business_seconds(local("2022-10-28 12:00"), local("2022-10-31 12:00")),
            DAY
        );
    }

    #[test]
    fn midnight_in_a_gap_starts_the_day_at_the_first_instant() {
        // São Paulo skipped 00:00–01:00 on Sun 4 Nov 2018; with Sundays open by being a
        // closed-days-free weekday is impossible, so check the day start directly.
        let cal = Calendar::new(chrono_tz::America::Sao_Paulo, BTreeSet::new());
        let start = cal.day_start(NaiveDate::from_ymd_opt(2018, 11, 4).unwrap());
        assert_eq!(start.to_rfc3339(), "2018-11-04T03:00:00+00:00");
    }

    #[test]
    fn reversed_interval_is_zero() {
        assert_eq!(
            oslo().business_seconds(local("2022-03-07 12:00"), local("2022-03-07 11:00")),
            0
        );
    }
}
