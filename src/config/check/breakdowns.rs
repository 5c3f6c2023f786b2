//! `[[breakdowns]]`: what to count by, its categories, and the figures averaged per category.

use std::collections::BTreeSet;

use super::{CheckError, CheckResult};
use crate::config::RESERVED_COLUMNS;
use crate::config::raw::{QuestionKind, RawBreakdown, RawCategory, Texts};
use crate::config::season::{
    Area, Breakdown, BreakdownColumn, Category, Channel, Label, MeanOf, Question,
};

/// The checked breakdowns, and the free columns of the responses file they read, in config
/// order.
pub(super) fn check_all(
    raw: &[RawBreakdown],
    channels: &[Channel],
    areas: &[Area],
    questions: &[Question],
) -> CheckResult<(Vec<Breakdown>, Vec<String>)> {
    let mut breakdowns: Vec<Breakdown> = Vec::new();
    let mut extra_columns: Vec<String> = Vec::new();
    for (i, b) in raw.iter().enumerate() {
        let key = format!("breakdowns.{i}");
        if b.id.trim().is_empty() || !b.id.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(CheckError::new(
                format!("{key}.id"),
                format!(
                    "`{}` is not a usable breakdown id: use letters, digits and _",
                    b.id
                ),
            ));
        }
        if breakdowns.iter().any(|x| x.id == b.id) {
            return Err(CheckError::new(
                format!("{key}.id"),
                format!("the breakdown id `{}` is used twice", b.id),
            ));
        }
        let (column, categories) = column(&key, b, channels, questions, &mut extra_columns)?;
        breakdowns.push(Breakdown {
            id: b.id.clone(),
            title: b.title.clone().unwrap_or_else(|| Texts::plain(&b.column)),
            column,
            categories,
            means: means(&key, &b.means, areas, questions)?,
        });
    }
    Ok((breakdowns, extra_columns))
}

/// What the breakdown counts by, with the categories known before the data is read.
fn column(
    key: &str,
    b: &RawBreakdown,
    channels: &[Channel],
    questions: &[Question],
    extra_columns: &mut Vec<String>,
) -> CheckResult<(BreakdownColumn, Vec<Category>)> {
    let keyed = |keys: &[&str]| -> Vec<Category> {
        keys.iter()
            .map(|k| Category {
                key: k.to_string(),
                label: Label::Text(Texts::plain(k)),
            })
            .collect()
    };
    let question = questions.iter().position(|q| q.id == b.column);
    let found = match (b.column.as_str(), question) {
        ("channel", _) => (
            BreakdownColumn::Channel,
            channels
                .iter()
                .map(|c| Category {
                    key: c.id.clone(),
                    label: Label::Text(c.name.clone()),
                })
                .collect(),
        ),
        ("attempts", _) => (BreakdownColumn::Attempts, keyed(&["1", "2"])),
        ("sector", _) => (
            BreakdownColumn::Sector,
            vec![
                Category {
                    key: "private".into(),
                    label: Label::Builtin("sector-private"),
                },
                Category {
                    key: "public".into(),
                    label: Label::Builtin("sector-public"),
                },
            ],
        ),
        (_, Some(q)) => (
            BreakdownColumn::Question(q),
            question_categories(&questions[q]),
        ),
        (name, None) => free_column(key, name, &b.categories, extra_columns)?,
    };
    if !b.categories.is_empty() && !matches!(found.0, BreakdownColumn::Free(_)) {
        return Err(CheckError::new(
            format!("{key}.categories"),
            format!(
                "`{}` has categories of its own (channels, options, values): remove categories",
                b.column
            ),
        ));
    }
    Ok(found)
}

/// A question's answers as categories: its options, yes and no, or every scale value.
fn question_categories(question: &Question) -> Vec<Category> {
    match question.kind {
        QuestionKind::Choice => question
            .options
            .iter()
            .map(|o| Category {
                key: o.key.clone(),
                label: Label::Text(o.text.clone()),
            })
            .collect(),
        QuestionKind::YesNo => vec![
            Category {
                key: "yes".into(),
                label: Label::Builtin("answer-yes"),
            },
            Category {
                key: "no".into(),
                label: Label::Builtin("answer-no"),
            },
        ],
        QuestionKind::Scale => {
            let (lo, hi) = question.scale.expect("scale questions have a scale");
            (lo..=hi)
                .map(|v| Category {
                    key: v.to_string(),
                    label: Label::Text(Texts::plain(&v.to_string())),
                })
                .collect()
        }
    }
}

/// A column of the responses file that is not a question, with its configured categories.
fn free_column(
    key: &str,
    name: &str,
    raw: &[RawCategory],
    extra_columns: &mut Vec<String>,
) -> CheckResult<(BreakdownColumn, Vec<Category>)> {
    if name.trim().is_empty() || RESERVED_COLUMNS.contains(&name) || name.starts_with("comment_") {
        return Err(CheckError::new(
            format!("{key}.column"),
            format!(
                "`{name}` cannot be broken down: use channel, attempts, sector, a question id or another column of the responses file"
            ),
        ));
    }
    let index = extra_columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| {
            extra_columns.push(name.to_string());
            extra_columns.len() - 1
        });
    let mut seen = BTreeSet::new();
    let categories = raw
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let k = c.key.trim();
            if k.is_empty() || !seen.insert(k.to_string()) {
                return Err(CheckError::new(
                    format!("{key}.categories.{j}"),
                    format!("category keys must be unique and not empty (`{}`)", c.key),
                ));
            }
            Ok(Category {
                key: k.to_string(),
                label: Label::Text(c.text.clone().unwrap_or_else(|| Texts::plain(k))),
            })
        })
        .collect::<CheckResult<Vec<_>>>()?;
    Ok((BreakdownColumn::Free(index), categories))
}

fn means(
    key: &str,
    raw: &[String],
    areas: &[Area],
    questions: &[Question],
) -> CheckResult<Vec<(String, MeanOf)>> {
    let mut means: Vec<(String, MeanOf)> = Vec::new();
    for (j, m) in raw.iter().enumerate() {
        let what = mean_of(m, areas, questions).ok_or_else(|| {
            CheckError::new(
                format!("{key}.means.{j}"),
                format!(
                    "`{m}` is not a figure to average: use score, wait, handling, area_<id> or the id of a scale question"
                ),
            )
        })?;
        if means.iter().any(|(id, _)| id == m) {
            return Err(CheckError::new(
                format!("{key}.means.{j}"),
                format!("`{m}` is listed twice"),
            ));
        }
        means.push((m.clone(), what));
    }
    Ok(means)
}

fn mean_of(id: &str, areas: &[Area], questions: &[Question]) -> Option<MeanOf> {
    match id {
        "score" => Some(MeanOf::Score),
        "wait" => Some(MeanOf::Wait),
        "handling" => Some(MeanOf::Handling),
        other => other
            .strip_prefix("area_")
            .and_then(|a| areas.iter().position(|x| x.id == a))
            .map(MeanOf::Area)
            .or_else(|| {
                questions
                    .iter()
                    .position(|q| q.id == other && q.kind == QuestionKind::Scale)
                    .map(MeanOf::Question)
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breakdown(column: &str) -> RawBreakdown {
        RawBreakdown {
            id: "b".into(),
            column: column.into(),
            title: None,
            categories: vec![],
            means: vec![],
        }
    }

    fn area() -> Vec<Area> {
        vec![Area {
            id: "agent".into(),
            name: Texts::plain("Agent"),
            weight: 1.0,
            points: None,
        }]
    }

    fn check(raw: &[RawBreakdown]) -> CheckResult<(Vec<Breakdown>, Vec<String>)> {
        check_all(raw, &[], &area(), &[])
    }

    fn category(key: &str) -> RawCategory {
        RawCategory {
            key: key.into(),
            text: None,
        }
    }

    #[test]
    fn columns_of_every_kind() {
        let named = |id: &str, column: &str| RawBreakdown {
            id: id.into(),
            ..breakdown(column)
        };
        let (b, extra) = check(&[
            named("s", "sector"),
            named("c", "contact"),
            named("a", "attempts"),
        ])
        .unwrap();
        assert_eq!(b[0].categories.len(), 2);
        assert_eq!(
            (b[1].column, extra),
            (BreakdownColumn::Free(0), vec!["contact".to_string()])
        );
        let means = RawBreakdown {
            means: vec!["score".into(), "area_agent".into(), "wait".into()],
            ..breakdown("sector")
        };
        let (b, _) = check(&[means]).unwrap();
        assert_eq!(b[0].means[1].1, MeanOf::Area(0));
    }

    #[test]
    fn every_breakdown_error_names_its_key() {
        let cases: Vec<(Vec<RawBreakdown>, &str, &str)> = vec![
            (
                vec![RawBreakdown {
                    id: "a b".into(),
                    ..breakdown("sector")
                }],
                "breakdowns.0.id",
                "not a usable",
            ),
            (
                vec![breakdown("sector"), breakdown("channel")],
                "breakdowns.1.id",
                "used twice",
            ),
            (
                vec![breakdown("inquiry_id")],
                "breakdowns.0.column",
                "cannot be broken down",
            ),
            (
                vec![breakdown("comment_agent")],
                "breakdowns.0.column",
                "cannot be broken down",
            ),
            (
                vec![RawBreakdown {
                    categories: vec![category("x")],
                    ..breakdown("sector")
                }],
                "breakdowns.0.categories",
                "remove categories",
            ),
            (
                vec![RawBreakdown {
                    categories: vec![category("x"), category("x")],
                    ..breakdown("contact")
                }],
                "breakdowns.0.categories.1",
                "unique",
            ),
            (
                vec![RawBreakdown {
                    categories: vec![category(" ")],
                    ..breakdown("contact")
                }],
                "breakdowns.0.categories.0",
                "not empty",
            ),
            (
                vec![RawBreakdown {
                    means: vec!["r_overal".into()],
                    ..breakdown("sector")
                }],
                "breakdowns.0.means.0",
                "not a figure to average",
            ),
            (
                vec![RawBreakdown {
                    means: vec!["score".into(), "score".into()],
                    ..breakdown("sector")
                }],
                "breakdowns.0.means.1",
                "listed twice",
            ),
        ];
        for (raw, key, message) in cases {
            let e = check(&raw).expect_err("an error");
            assert_eq!(e.key, key, "{e}");
            assert!(e.message.contains(message), "{e}");
        }
    }
}
