//! `[drivers]`: the outcome the key drivers are correlated with.

use super::{CheckError, CheckResult, find};
use crate::config::raw::{QuestionKind, RawDrivers};
use crate::config::season::{Drivers, Question, QuestionIx};

pub(super) fn outcome(raw: &RawDrivers, questions: &[Question]) -> CheckResult<Option<Drivers>> {
    let Some(id) = &raw.outcome else {
        return Ok(None);
    };
    let ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    let q = find(&ids, id, "drivers.outcome", "question")?;
    if questions[q].kind == QuestionKind::Choice {
        return Err(CheckError::new(
            "drivers.outcome",
            format!("`{id}` is a choice question: name a scale or yes/no question"),
        ));
    }
    Ok(Some(Drivers {
        outcome: QuestionIx(q),
        name: raw
            .name
            .clone()
            .unwrap_or_else(|| questions[q].label.clone()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::check::test_question as question;

    #[test]
    fn the_outcome_is_a_scale_or_yes_no_question() {
        let questions = [
            question("csat", QuestionKind::Scale),
            question("reason", QuestionKind::Choice),
        ];
        let outcome = |id: &str| {
            outcome(
                &RawDrivers {
                    outcome: Some(id.into()),
                    name: None,
                },
                &questions,
            )
        };
        let csat = outcome("csat").unwrap().unwrap();
        assert_eq!(
            (csat.outcome, csat.name.get(crate::config::Language::En)),
            (QuestionIx(0), "csat")
        );
        assert_eq!(outcome("").unwrap_err().key, "drivers.outcome");
        let misspelt = outcome("cstat").unwrap_err();
        assert_eq!(misspelt.help.as_deref(), Some("did you mean `csat`?"));
        assert!(
            outcome("reason")
                .unwrap_err()
                .message
                .contains("choice question")
        );
        assert!(
            super::outcome(&RawDrivers::default(), &questions)
                .unwrap()
                .is_none()
        );
    }
}
