//! `[[questions]]`: ids, areas, kinds with their scales, points and options, channels and
//! the top box.

use std::collections::BTreeSet;

use super::{CheckError, CheckResult, find};
use crate::config::RESERVED_COLUMNS;
use crate::config::raw::{QuestionKind, RawOption, RawQuestion, Texts};
use crate::config::season::{Area, Channel, ChoiceOption, Question};
use crate::config::season::{AreaIx, ChannelIx};

pub(super) fn check_all(
    raw: &[RawQuestion],
    areas: &[Area],
    channels: &[Channel],
) -> CheckResult<Vec<Question>> {
    let mut seen = BTreeSet::new();
    let mut questions = Vec::new();
    for (i, q) in raw.iter().enumerate() {
        if !seen.insert(q.id.clone()) {
            return Err(CheckError::new(
                format!("questions.{i}.id"),
                format!("the question id `{}` is used twice", q.id),
            ));
        }
        questions.push(Question::check(
            &format!("questions.{i}"),
            q,
            areas,
            channels,
        )?);
    }
    Ok(questions)
}

impl Question {
    pub(super) fn check(
        key: &str,
        q: &RawQuestion,
        areas: &[Area],
        channels: &[Channel],
    ) -> CheckResult<Question> {
        check_id(key, &q.id)?;
        let area = area(key, q, areas)?;
        let scale = scale(key, q)?;
        let own_points = match q.kind {
            QuestionKind::Choice => None,
            _ => Some(points(key, q)?),
        };
        let options = options(key, q)?;
        let points =
            own_points.unwrap_or_else(|| options.iter().map(|o| o.points).fold(0.0, f64::max));
        if q.kind == QuestionKind::Choice && !q.report_only && points <= 0.0 {
            return Err(CheckError::new(
                key,
                format!("no option of scored question `{}` earns points", q.id),
            ));
        }
        let channel_ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
        let channels = q
            .channels
            .as_ref()
            .map(|list| {
                list.iter()
                    .map(|c| {
                        find(&channel_ids, c, &format!("{key}.channels"), "channel").map(ChannelIx)
                    })
                    .collect::<CheckResult<Vec<ChannelIx>>>()
            })
            .transpose()?;
        Ok(Question {
            id: q.id.clone(),
            area: area.map(AreaIx),
            kind: q.kind,
            scale,
            points,
            options,
            channels,
            skip_sectors: q.skip_sectors.clone(),
            report_only: q.report_only,
            top_box: top_box(key, q, scale)?,
            text: q.text.clone().unwrap_or_else(|| Texts::plain(&q.id)),
            label: q.label.clone().unwrap_or_else(|| Texts::plain(&q.id)),
        })
    }
}

/// An id that can name a column of the responses file and is not one ksp reads itself.
fn check_id(key: &str, id: &str) -> CheckResult<()> {
    let key = format!("{key}.id");
    if id.trim().is_empty() || !id.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(CheckError::new(
            key,
            format!("`{id}` is not a usable question id: use letters, digits and _"),
        ));
    }
    if RESERVED_COLUMNS.contains(&id) || id.starts_with("comment_") {
        return Err(CheckError::new(
            key,
            format!("`{id}` is a column ksp reads itself: choose another id"),
        ));
    }
    Ok(())
}

/// The area a scored question scores in; `None` for a report-only one.
fn area(key: &str, q: &RawQuestion, areas: &[Area]) -> CheckResult<Option<usize>> {
    let ids: Vec<&str> = areas.iter().map(|a| a.id.as_str()).collect();
    match &q.area {
        Some(a) => {
            let index = find(&ids, a, &format!("{key}.area"), "area")?;
            if areas[index].id == "wait" {
                return Err(CheckError::new(
                    format!("{key}.area"),
                    "the wait area is scored from the wait itself and takes no questions",
                ));
            }
            Ok((!q.report_only).then_some(index))
        }
        None if q.report_only => Ok(None),
        None => Err(CheckError::new(
            key,
            format!(
                "question `{}` needs an area (one of {}) or report_only = true",
                q.id,
                ids.join(", ")
            ),
        )),
    }
}

fn scale(key: &str, q: &RawQuestion) -> CheckResult<Option<(i64, i64)>> {
    match (q.kind, q.scale) {
        (QuestionKind::Scale, Some(ends)) if ends.iter().any(|v| i32::try_from(*v).is_err()) => {
            Err(CheckError::new(
                format!("{key}.scale"),
                format!(
                    "the scale's ends must lie within {} and {}",
                    i32::MIN,
                    i32::MAX
                ),
            ))
        }
        (QuestionKind::Scale, Some([lo, hi])) if lo < hi => Ok(Some((lo, hi))),
        (QuestionKind::Scale, Some(_)) => Err(CheckError::new(
            format!("{key}.scale"),
            "the scale must be [lo, hi] with lo below hi",
        )),
        (QuestionKind::Scale, None) => Err(CheckError::new(
            key,
            format!("scale question `{}` needs scale = [lo, hi]", q.id),
        )),
        (_, Some(_)) => Err(CheckError::new(
            format!("{key}.scale"),
            "only scale questions take a scale",
        )),
        (_, None) => Ok(None),
    }
}

/// The points of a scale or yes/no question: above 0 when scored, none when not.
fn points(key: &str, q: &RawQuestion) -> CheckResult<f64> {
    let points_key = format!("{key}.points");
    match (!q.report_only, q.points) {
        (false, None) => Ok(0.0),
        (false, Some(_)) => Err(CheckError::new(
            points_key,
            "a report_only question carries no points",
        )),
        (true, Some(p)) if p.is_finite() && p > 0.0 => Ok(p),
        (true, Some(p)) => Err(CheckError::new(
            points_key,
            format!("points {p} must be above 0"),
        )),
        (true, None) => Err(CheckError::new(
            key,
            format!("scored question `{}` needs points", q.id),
        )),
    }
}

fn options(key: &str, q: &RawQuestion) -> CheckResult<Vec<ChoiceOption>> {
    if q.kind != QuestionKind::Choice {
        if q.options.is_empty() {
            return Ok(Vec::new());
        }
        return Err(CheckError::new(
            format!("{key}.options"),
            "only choice questions take options",
        ));
    }
    if q.points.is_some() {
        return Err(CheckError::new(
            format!("{key}.points"),
            "a choice question's points are given per option",
        ));
    }
    if q.options.is_empty() {
        return Err(CheckError::new(
            key,
            format!("choice question `{}` needs options", q.id),
        ));
    }
    let mut keys = BTreeSet::new();
    q.options
        .iter()
        .enumerate()
        .map(|(j, o)| {
            let key = format!("{key}.options.{j}");
            if !keys.insert(o.key.to_lowercase()) {
                return Err(CheckError::new(
                    key,
                    format!("the option `{}` is listed twice", o.key),
                ));
            }
            option(&key, o, !q.report_only)
        })
        .collect()
}

fn option(key: &str, o: &RawOption, scored: bool) -> CheckResult<ChoiceOption> {
    let points = match (scored, o.points) {
        (true, Some(p)) if p.is_finite() && p >= 0.0 => p,
        (true, Some(p)) => {
            return Err(CheckError::new(
                key,
                format!("points {p} must be 0 or more"),
            ));
        }
        (true, None) => {
            return Err(CheckError::new(
                key,
                format!("option `{}` of a scored question needs points", o.key),
            ));
        }
        (false, Some(_)) => {
            return Err(CheckError::new(
                key,
                "options of a report_only question carry no points",
            ));
        }
        (false, None) => 0.0,
    };
    Ok(ChoiceOption {
        key: o.key.clone(),
        points,
        text: o.text.clone().unwrap_or_else(|| Texts::plain(&o.key)),
    })
}

/// How many top values of the scale count as top box: 3 of a 7-point scale, else 2.
fn top_box(key: &str, q: &RawQuestion, scale: Option<(i64, i64)>) -> CheckResult<i64> {
    match (scale, q.top_box) {
        (Some((lo, hi)), Some(t)) if t >= 1 && t <= hi - lo + 1 => Ok(t),
        (Some(_), Some(t)) => Err(CheckError::new(
            format!("{key}.top_box"),
            format!("top_box {t} does not fit the scale"),
        )),
        (None, Some(_)) => Err(CheckError::new(
            format!("{key}.top_box"),
            "only scale questions have a top box",
        )),
        (Some((lo, hi)), None) => Ok(if hi - lo + 1 == 7 { 3 } else { 2 }),
        (None, None) => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::season::{Band, Channel};

    fn areas() -> Vec<Area> {
        super::super::test_areas(&["wait", "agent"])
    }

    fn channels() -> Vec<Channel> {
        vec![Channel {
            id: "phone".into(),
            name: Texts::plain("phone"),
            limit: None,
            business_time: false,
            bands: Vec::<Band>::new(),
        }]
    }

    fn scale_q() -> RawQuestion {
        RawQuestion {
            id: "listened".into(),
            area: Some("agent".into()),
            kind: QuestionKind::Scale,
            scale: Some([1, 5]),
            points: Some(4.0),
            options: vec![],
            channels: None,
            skip_sectors: vec![],
            report_only: false,
            top_box: None,
            text: None,
            label: None,
        }
    }

    fn option(key: &str, points: Option<f64>) -> RawOption {
        RawOption {
            key: key.into(),
            points,
            text: None,
        }
    }

    fn choice_q() -> RawQuestion {
        RawQuestion {
            id: "named".into(),
            kind: QuestionKind::Choice,
            scale: None,
            points: None,
            options: vec![option("both", Some(2.0)), option("none", Some(0.0))],
            ..scale_q()
        }
    }

    fn error(q: RawQuestion) -> CheckError {
        Question::check("questions.0", &q, &areas(), &channels()).expect_err("an error")
    }

    #[test]
    fn valid_questions_of_each_kind() {
        let q = Question::check("questions.0", &scale_q(), &areas(), &channels()).unwrap();
        assert_eq!((q.area, q.points, q.top_box), (Some(AreaIx(1)), 4.0, 2));
        let seven = RawQuestion {
            scale: Some([1, 7]),
            ..scale_q()
        };
        assert_eq!(
            Question::check("q", &seven, &areas(), &channels())
                .unwrap()
                .top_box,
            3
        );
        let q = Question::check("q", &choice_q(), &areas(), &channels()).unwrap();
        assert_eq!((q.points, q.options.len()), (2.0, 2));
        let report_only = RawQuestion {
            area: None,
            points: None,
            report_only: true,
            ..scale_q()
        };
        assert_eq!(
            Question::check("q", &report_only, &areas(), &channels())
                .unwrap()
                .area,
            None
        );
    }

    #[test]
    fn every_question_error_names_its_key() {
        let cases: Vec<(RawQuestion, &str, &str)> = vec![
            (
                RawQuestion {
                    id: "a b".into(),
                    ..scale_q()
                },
                "questions.0.id",
                "not a usable question id",
            ),
            (
                RawQuestion {
                    id: "channel".into(),
                    ..scale_q()
                },
                "questions.0.id",
                "a column ksp reads itself",
            ),
            (
                RawQuestion {
                    id: "comment_x".into(),
                    ..scale_q()
                },
                "questions.0.id",
                "a column ksp reads itself",
            ),
            (
                RawQuestion {
                    area: Some("service".into()),
                    ..scale_q()
                },
                "questions.0.area",
                "no area `service`",
            ),
            (
                RawQuestion {
                    area: Some("wait".into()),
                    ..scale_q()
                },
                "questions.0.area",
                "takes no questions",
            ),
            (
                RawQuestion {
                    area: None,
                    ..scale_q()
                },
                "questions.0",
                "needs an area",
            ),
            (
                RawQuestion {
                    scale: Some([5, 1]),
                    ..scale_q()
                },
                "questions.0.scale",
                "lo below hi",
            ),
            (
                RawQuestion {
                    scale: Some([0, 1 << 31]),
                    ..scale_q()
                },
                "questions.0.scale",
                "must lie within -2147483648 and 2147483647",
            ),
            (
                RawQuestion {
                    scale: None,
                    ..scale_q()
                },
                "questions.0",
                "needs scale",
            ),
            (
                RawQuestion {
                    kind: QuestionKind::YesNo,
                    ..scale_q()
                },
                "questions.0.scale",
                "only scale questions",
            ),
            (
                RawQuestion {
                    points: None,
                    ..scale_q()
                },
                "questions.0",
                "needs points",
            ),
            (
                RawQuestion {
                    points: Some(0.0),
                    ..scale_q()
                },
                "questions.0.points",
                "must be above 0",
            ),
            (
                RawQuestion {
                    report_only: true,
                    ..scale_q()
                },
                "questions.0.points",
                "carries no points",
            ),
            (
                RawQuestion {
                    points: Some(2.0),
                    ..choice_q()
                },
                "questions.0.points",
                "given per option",
            ),
            (
                RawQuestion {
                    options: vec![],
                    ..choice_q()
                },
                "questions.0",
                "needs options",
            ),
            (
                RawQuestion {
                    options: vec![option("a", Some(1.0)), option("A", Some(1.0))],
                    ..choice_q()
                },
                "questions.0.options.1",
                "listed twice",
            ),
            (
                RawQuestion {
                    options: vec![option("a", Some(-1.0))],
                    ..choice_q()
                },
                "questions.0.options.0",
                "0 or more",
            ),
            (
                RawQuestion {
                    options: vec![option("a", None)],
                    ..choice_q()
                },
                "questions.0.options.0",
                "needs points",
            ),
            (
                RawQuestion {
                    options: vec![option("a", Some(1.0))],
                    report_only: true,
                    ..choice_q()
                },
                "questions.0.options.0",
                "carry no points",
            ),
            (
                RawQuestion {
                    options: vec![option("a", Some(0.0))],
                    ..choice_q()
                },
                "questions.0",
                "earns points",
            ),
            (
                RawQuestion {
                    kind: QuestionKind::YesNo,
                    scale: None,
                    options: vec![option("a", None)],
                    ..scale_q()
                },
                "questions.0.options",
                "only choice questions",
            ),
            (
                RawQuestion {
                    channels: Some(vec!["fax".into()]),
                    ..scale_q()
                },
                "questions.0.channels",
                "no channel `fax`: the channels are phone",
            ),
            (
                RawQuestion {
                    top_box: Some(6),
                    ..scale_q()
                },
                "questions.0.top_box",
                "does not fit",
            ),
            (
                RawQuestion {
                    kind: QuestionKind::YesNo,
                    scale: None,
                    top_box: Some(1),
                    ..scale_q()
                },
                "questions.0.top_box",
                "only scale questions",
            ),
        ];
        for (q, key, message) in cases {
            let e = error(q);
            assert_eq!(e.key, key, "{e}");
            assert!(e.message.contains(message), "{key}: {e}");
        }
        let twice = check_all(&[scale_q(), scale_q()], &areas(), &channels())
            .err()
            .unwrap();
        assert_eq!(
            twice.to_string(),
            "questions.1.id: the question id `listened` is used twice"
        );
    }
}
