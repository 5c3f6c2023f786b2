//! `[report]`: which templates render the season, and what customer experience shows.

use super::{CheckError, CheckResult};
use crate::config::raw::{QuestionKind, RawReport};
use crate::config::season::{Question, Templates};

fn template_name(key: &str, name: &str) -> CheckResult<String> {
    if name.ends_with(".typ") && !name.starts_with('/') && !name.contains("..") {
        Ok(name.to_string())
    } else {
        Err(CheckError::new(
            key,
            format!("`{name}` is not a .typ file inside the template folder"),
        ))
    }
}

pub(super) fn templates(raw: &RawReport) -> CheckResult<Templates> {
    let summary_file = raw
        .summary_file
        .clone()
        .unwrap_or_else(|| "award-summary.pdf".into());
    if !summary_file.ends_with(".pdf")
        || summary_file.contains(['/', '\\'])
        || summary_file.starts_with('.')
    {
        return Err(CheckError::new(
            "report.summary_file",
            format!("`{summary_file}` must be a file name ending in .pdf, without folders"),
        ));
    }
    let participant = raw
        .participant_reports
        .then(|| {
            template_name(
                "report.participant_template",
                raw.participant_template
                    .as_deref()
                    .unwrap_or("participant.typ"),
            )
        })
        .transpose()?;
    let summary_rows_per_part = raw.summary_rows_per_part.unwrap_or(400);
    if summary_rows_per_part == 0 {
        return Err(CheckError::new(
            "report.summary_rows_per_part",
            "must be at least 1 (rows of the class tables per part of the award summary); leave it out for 400",
        ));
    }
    Ok(Templates {
        participant,
        summary: template_name(
            "report.summary_template",
            raw.summary_template
                .as_deref()
                .unwrap_or("award-summary.typ"),
        )?,
        summary_file,
        summary_rows_per_part,
    })
}

/// The questions customer experience shows: those `report.cx` lists, else every report-only
/// scale question.
pub(super) fn cx(raw: &RawReport, questions: &[Question]) -> CheckResult<Vec<usize>> {
    let Some(ids) = &raw.cx else {
        return Ok(questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.report_only && q.kind == QuestionKind::Scale)
            .map(|(i, _)| i)
            .collect());
    };
    ids.iter()
        .map(|id| {
            let i = questions.iter().position(|q| &q.id == id).ok_or_else(|| {
                CheckError::new(
                    "report.cx",
                    format!("no question `{id}`: list question ids from [[questions]]"),
                )
            })?;
            if questions[i].kind == QuestionKind::Choice {
                return Err(CheckError::new(
                    "report.cx",
                    format!("`{id}` is a choice question: list scale or yes/no questions"),
                ));
            }
            Ok(i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_part_holds_at_least_one_row() {
        assert_eq!(
            templates(&RawReport::default())
                .unwrap()
                .summary_rows_per_part,
            400
        );
        let zero = RawReport {
            summary_rows_per_part: Some(0),
            ..RawReport::default()
        };
        let e = templates(&zero).unwrap_err();
        assert_eq!(e.key, "report.summary_rows_per_part");
    }

    #[test]
    fn templates_stay_inside_the_folder_and_summaries_are_pdfs() {
        let t = templates(&RawReport::default()).unwrap();
        assert_eq!(
            (t.participant.as_deref(), t.summary.as_str()),
            (Some("participant.typ"), "award-summary.typ")
        );
        let study = RawReport {
            participant_reports: false,
            ..RawReport::default()
        };
        assert!(templates(&study).unwrap().participant.is_none());
        for (raw, key) in [
            (
                RawReport {
                    participant_template: Some("../x.typ".into()),
                    ..RawReport::default()
                },
                "report.participant_template",
            ),
            (
                RawReport {
                    summary_template: Some("summary.html".into()),
                    ..RawReport::default()
                },
                "report.summary_template",
            ),
            (
                RawReport {
                    summary_file: Some("out/s.pdf".into()),
                    ..RawReport::default()
                },
                "report.summary_file",
            ),
            (
                RawReport {
                    summary_file: Some("s.txt".into()),
                    ..RawReport::default()
                },
                "report.summary_file",
            ),
        ] {
            assert_eq!(templates(&raw).err().unwrap().key, key);
        }
    }

    #[test]
    fn cx_lists_scale_or_yes_no_questions() {
        assert!(cx(&RawReport::default(), &[]).unwrap().is_empty());
        let raw = RawReport {
            cx: Some(vec!["csat".into()]),
            ..RawReport::default()
        };
        assert!(
            cx(&raw, &[])
                .err()
                .unwrap()
                .message
                .contains("no question `csat`")
        );
    }
}
