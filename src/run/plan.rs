//! What a run renders: its documents, the data each template reads, the key of everything a
//! document's bytes depend on, and which documents the last run into the same folder already
//! rendered from the same inputs.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::Error;
use crate::config::Season;
use crate::documents::Context;
use crate::glyphs::{Coverage, Fix};
use crate::input::Dataset;
use crate::output::{Entry, Staging};
use crate::render::Job;

/// A document of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// The report of the participant with this index.
    Report(usize),
    Summary,
}

/// The participants `--only` names, in its order; everyone when `None`.
pub fn select(
    season: &Season,
    data: &Dataset,
    only: Option<&[String]>,
) -> Result<Vec<usize>, Error> {
    if season.templates.participant.is_none() {
        return match only {
            None => Ok(vec![]),
            Some(_) => Err(Error::Usage(
                "--only: this season has no participant reports (report.participant_reports = false)".into(),
            )),
        };
    }
    match only {
        None => Ok((0..data.participants.len()).collect()),
        Some(ids) => ids
            .iter()
            .map(|id| {
                data.participants
                    .iter()
                    .position(|p| &p.id == id)
                    .ok_or_else(|| {
                        Error::Usage(format!("--only: no participant has the id `{id}`"))
                    })
            })
            .collect(),
    }
}

/// The award summary then the selected reports; with `--shard K/N` every N-th report from
/// the K-th, and the award summary in shard 1. The summary goes first: it takes longest, so
/// no worker idles at the end waiting for it, and its worker lays it out on a heap that
/// thousands of reports have not yet fragmented.
pub fn documents_of(selected: &[usize], shard: Option<(usize, usize)>) -> Vec<Doc> {
    let (k, n) = shard.unwrap_or((1, 1));
    let summary = (k == 1).then_some(Doc::Summary);
    let reports = selected
        .iter()
        .skip(k - 1)
        .step_by(n)
        .map(|&p| Doc::Report(p));
    summary.into_iter().chain(reports).collect()
}

/// Builds each document's template data, made showable with the fonts' coverage.
pub struct Jobs<'a> {
    pub context: &'a Context<'a>,
    pub coverage: Coverage,
    /// What the last line of defence changed in texts that did not come from the input files
    /// (which are cleaned as they are read): the config's texts, last season's name.
    repaired: Mutex<BTreeSet<Fix>>,
}

impl<'a> Jobs<'a> {
    pub fn new(context: &'a Context<'a>, coverage: Coverage) -> Jobs<'a> {
        Jobs {
            context,
            coverage,
            repaired: Mutex::new(BTreeSet::new()),
        }
    }

    pub fn make(&self, doc: Doc) -> Job {
        let context = self.context;
        let data = context.data();
        let templates = &context.season().templates;
        let job = match doc {
            Doc::Report(p) => Job {
                template: templates
                    .participant
                    .clone()
                    .expect("reports are planned only with a participant template"),
                subject: format!("participant {}", data.participants[p].id),
                output: format!("reports/{}.pdf", data.participants[p].id),
                parts: 1,
                data: serde_json::to_vec(&context.participant_report(p))
                    .expect("report data serializes"),
            },
            Doc::Summary => {
                let summary = context.award_summary();
                Job {
                    template: templates.summary.clone(),
                    subject: "award summary".into(),
                    output: templates.summary_file.clone(),
                    parts: summary.parts.len(),
                    data: serde_json::to_vec(&summary).expect("summary data serializes"),
                }
            }
        };
        let mut fixes = Vec::new();
        let text = std::str::from_utf8(&job.data).expect("serde_json writes UTF-8");
        match self.coverage.clean_json(text, &mut fixes) {
            Cow::Borrowed(_) => job,
            Cow::Owned(clean) => {
                self.repaired.lock().expect("not poisoned").extend(fixes);
                Job {
                    data: clean.into_bytes(),
                    ..job
                }
            }
        }
    }

    /// One warning for what [`Jobs::make`] had to change, if anything.
    pub fn repaired(&self) -> Option<String> {
        let fixes = self.repaired.lock().expect("not poisoned");
        let first = fixes.iter().next()?;
        let others = fixes.len() - 1;
        Some(format!(
            "a text of the config or of last season's results: {}{}",
            first.describe(),
            if others > 0 {
                format!(" (and {others} other characters)")
            } else {
                String::new()
            }
        ))
    }
}

/// Where `--emit-data` puts a document's template data.
pub fn data_path(output: &str) -> String {
    format!(
        "data/{}",
        output
            .trim_start_matches("reports/")
            .replace(".pdf", ".json")
    )
}

/// Everything a document's bytes depend on: ksp (and with it Typst), the template folder,
/// the report date and the document's data, which carries every config value it shows.
pub fn document_key(fingerprint: &str, date: NaiveDate, job: &Job) -> String {
    let mut bytes = format!(
        "ksp {}\0{fingerprint}\0{date}\0{}\0",
        env!("CARGO_PKG_VERSION"),
        job.template
    )
    .into_bytes();
    bytes.extend_from_slice(&job.data);
    crate::hash::sha256_hex(&bytes)
}

/// One document of a run and whether the last run's copy could be kept.
pub struct Planned {
    pub doc: Doc,
    pub path: String,
    pub key: String,
    pub reused: bool,
}

/// What planning needs to know of the run.
pub struct Plan<'p> {
    pub out: &'p Path,
    pub fingerprint: &'p str,
    pub date: NaiveDate,
    pub emit_data: bool,
    /// The last run's outputs by path; empty with `--force`.
    pub previous: &'p HashMap<&'p str, &'p Entry>,
}

impl Plan<'_> {
    /// Every document with its key; one whose key and file are unchanged since the last run
    /// into the same folder is copied into `staging` and marked reused.
    pub fn documents(
        &self,
        jobs: &Jobs,
        docs: &[Doc],
        staging: &Staging,
    ) -> Result<Vec<Planned>, Error> {
        let write = |path: &str, bytes: &[u8]| staging.write(path, bytes).map_err(Error::from);
        docs.par_iter()
            .map(|&doc| {
                let job = jobs.make(doc);
                if self.emit_data {
                    write(&data_path(&job.output), &job.data)?;
                }
                let key = document_key(self.fingerprint, self.date, &job);
                let reused = self
                    .previous
                    .get(job.output.as_str())
                    .filter(|e| e.input_sha256.as_deref() == Some(key.as_str()))
                    .and_then(|e| {
                        let bytes = std::fs::read(self.out.join(&e.path)).ok()?;
                        (crate::hash::sha256_hex(&bytes) == e.sha256).then_some(bytes)
                    });
                if let Some(bytes) = &reused {
                    write(&job.output, bytes)?;
                }
                Ok(Planned {
                    doc,
                    path: job.output,
                    key,
                    reused: reused.is_some(),
                })
            })
            .collect()
    }

    /// With `--only`, the reports of everyone else are carried over from the previous output,
    /// with what the last manifest knew of them.
    pub fn keep_other_reports(
        &self,
        data: &Dataset,
        selected: &[usize],
        staging: &Staging,
    ) -> Result<Vec<Entry>, Error> {
        let mut kept = Vec::new();
        for (p, participant) in data.participants.iter().enumerate() {
            if selected.contains(&p) {
                continue;
            }
            let relative = format!("reports/{}.pdf", participant.id);
            if let Ok(bytes) = std::fs::read(self.out.join(&relative)) {
                staging.write(&relative, &bytes)?;
                if let Some(entry) = self.previous.get(relative.as_str()) {
                    kept.push((*entry).clone());
                }
            }
        }
        Ok(kept)
    }
}
