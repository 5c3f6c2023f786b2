//! `[times]` and `[[thresholds]]`.

use super::{CheckError, CheckResult, find, parse_span};
use crate::config::raw::{QuestionKind, RawThreshold, Texts};
use crate::config::season::{Channel, ChannelIx, Question, QuestionIx, Threshold, TimeLimit};

/// Limits of `[times]` (`times.wait_within` etc.), shortest first.
pub(super) fn limits(key: &str, list: &[String]) -> CheckResult<Vec<TimeLimit>> {
    let mut out: Vec<TimeLimit> = Vec::new();
    for (i, text) in list.iter().enumerate() {
        let key = format!("{key}.{i}");
        let (span, _) = parse_span(&key, text)?;
        if out.last().is_some_and(|l| l.span.seconds >= span.seconds) {
            return Err(CheckError::new(
                key,
                "list the limits shortest first, each longer than the one before",
            ));
        }
        out.push(TimeLimit {
            span,
            label: text.clone(),
        });
    }
    Ok(out)
}

pub(super) fn thresholds(
    raw: &[RawThreshold],
    channels: &[Channel],
    questions: &[Question],
) -> CheckResult<Vec<Threshold>> {
    let mut thresholds: Vec<Threshold> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let key = format!("thresholds.{i}");
        if t.id.trim().is_empty() || thresholds.iter().any(|x| x.id == t.id) {
            return Err(CheckError::new(
                format!("{key}.id"),
                format!("threshold ids must be unique and not empty (`{}`)", t.id),
            ));
        }
        thresholds.push(Threshold::check(&key, t, channels, questions)?);
    }
    Ok(thresholds)
}

impl Threshold {
    fn check(
        key: &str,
        t: &RawThreshold,
        channels: &[Channel],
        questions: &[Question],
    ) -> CheckResult<Threshold> {
        let outcome = questions
            .iter()
            .position(|q| q.id == t.outcome && q.kind == QuestionKind::YesNo)
            .ok_or_else(|| {
                CheckError::new(
                    format!("{key}.outcome"),
                    format!("`{}` is not a yes_no question of the config", t.outcome),
                )
            })?;
        let ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
        let channel = t
            .channel
            .as_ref()
            .map(|c| find(&ids, c, &format!("{key}.channel"), "channel").map(ChannelIx))
            .transpose()?;
        if t.min_group == 0 {
            return Err(CheckError::new(
                format!("{key}.min_group"),
                "must be at least 1",
            ));
        }
        Ok(Threshold {
            id: t.id.clone(),
            title: t.title.clone().unwrap_or_else(|| Texts::plain(&t.id)),
            measure: t.measure,
            outcome: QuestionIx(outcome),
            channel,
            min_group: t.min_group,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::raw::Measure;

    fn yes_no() -> Question {
        crate::config::check::test_question("short", QuestionKind::YesNo)
    }

    fn threshold(id: &str) -> RawThreshold {
        RawThreshold {
            id: id.into(),
            measure: Measure::Wait,
            outcome: "short".into(),
            channel: None,
            min_group: 10,
            title: None,
        }
    }

    #[test]
    fn limits_shortest_first() {
        assert_eq!(
            limits("times.wait_within", &["30s".into(), "2m".into()]).unwrap()[1]
                .span
                .seconds,
            120
        );
        let e = limits("times.wait_within", &["2m".into(), "30s".into()])
            .err()
            .unwrap();
        assert_eq!(e.key, "times.wait_within.1");
        let e = limits("times.handling_within", &["soon".into()])
            .err()
            .unwrap();
        assert_eq!(e.key, "times.handling_within.0");
    }

    #[test]
    fn every_threshold_error_names_its_key() {
        let q = [yes_no()];
        assert_eq!(
            thresholds(&[threshold("t")], &[], &q).unwrap()[0].outcome,
            QuestionIx(0)
        );
        let e = thresholds(&[threshold("t"), threshold("t")], &[], &q)
            .err()
            .unwrap();
        assert_eq!(e.key, "thresholds.1.id");
        let e = thresholds(
            &[RawThreshold {
                outcome: "x".into(),
                ..threshold("t")
            }],
            &[],
            &q,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "thresholds.0.outcome");
        let e = thresholds(
            &[RawThreshold {
                channel: Some("fax".into()),
                ..threshold("t")
            }],
            &[],
            &q,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "thresholds.0.channel");
        let e = thresholds(
            &[RawThreshold {
                min_group: 0,
                ..threshold("t")
            }],
            &[],
            &q,
        )
        .err()
        .unwrap();
        assert_eq!(e.key, "thresholds.0.min_group");
    }
}
