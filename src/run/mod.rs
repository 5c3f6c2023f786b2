//! The run: a season from its config to a committed output folder, as a short sequence of
//! named, timed steps. Nothing is written into the output folder itself: everything goes to a
//! staging folder that replaces it only when every step succeeded.

mod plan;
mod prepare;
mod preview;
mod progress;
mod watch;
mod workers;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use plan::Doc;
pub use prepare::{
    Checked, Prepared, check, named_files, prepare, prepare_config, report_date, season_inputs,
};
pub use preview::{Preview, PreviewOptions};
pub use watch::{FileWatch, changed_files};
pub use workers::{PartOptions, render_worker};

use crate::config::{self, OnBadRow};
use crate::input::Warning;
use crate::output::{self, Manifest, OutputLock, Staging};
use crate::render::Renderer;
use crate::{Error, results};
use plan::{Jobs, Plan, Planned};
use progress::Progress;

/// What `ksp run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: PathBuf,
    pub overrides: config::Overrides,
    /// Overrides `output.dir`.
    pub out: Option<PathBuf>,
    /// Worker threads; all cores when `None`.
    pub jobs: Option<usize>,
    /// Render only these participants' reports; results are always computed in full.
    pub only: Option<Vec<String>>,
    /// Also write each document's template data under `data/`, for designers.
    pub emit_data: bool,
    /// The `ksp` executable, to render in one process per thread; in-process threads when
    /// `None` (as when ksp is used as a library).
    pub worker: Option<PathBuf>,
    /// Report rendering progress (and waiting for another run) on standard error.
    pub progress: bool,
    /// Render every document, even those unchanged since the last run into the same folder.
    pub force: bool,
    /// `(K, N)`: render only the K-th of N partitions of the reports (results in full).
    pub shard: Option<(usize, usize)>,
    /// Wait for another run into the same output folder to finish, instead of failing.
    pub wait: bool,
}

/// What a run did, for the summary line.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub out: PathBuf,
    pub participants: usize,
    pub inquiries: usize,
    pub rows_read: usize,
    /// `Dataset::rows_accepted`: rows read = accepted + rejected.
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    pub reports: usize,
    /// Documents rendered in this run (their inputs changed, or `--force`).
    pub rendered: Vec<String>,
    /// Documents carried over unchanged from the last run into the same folder.
    pub reused: usize,
    /// Rendered documents whose bytes differ from the last run's (or are new).
    pub changed: Vec<String>,
    pub shard: Option<String>,
    pub warnings: Vec<Warning>,
    /// Characters shown as a placeholder (no font has them) and control characters removed,
    /// and the participants they were in.
    pub text_fixes: TextFixCounts,
    /// Staging folders of earlier runs that did not finish, removed by this one.
    pub removed_stale: Vec<PathBuf>,
    /// Entries of the old output that ksp did not write, carried into the new one.
    pub carried_over: Vec<String>,
    /// Where the old output was kept because files that are not ksp's appeared in it during
    /// the run.
    pub kept_aside: Option<PathBuf>,
    pub timings: Vec<(&'static str, Duration)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextFixCounts {
    pub replaced: usize,
    pub removed: usize,
    pub participants: usize,
}

impl RunSummary {
    /// `run-summary.json`, for machines: counts, warnings, timings and what was rendered.
    pub fn to_json(&self) -> Vec<u8> {
        let warnings: Vec<serde_json::Value> = self
            .warnings
            .iter()
            .map(|w| {
                serde_json::json!({
                    "where": w.first.to_string(),
                    "message": w.message,
                    "count": w.count,
                })
            })
            .collect();
        let timings: serde_json::Map<String, serde_json::Value> = self
            .timings
            .iter()
            .map(|(stage, d)| {
                (
                    format!("{stage}_ms"),
                    serde_json::json!(d.as_secs_f64() * 1000.0),
                )
            })
            .collect();
        let doc = serde_json::json!({
            "tool": "ksp",
            "version": env!("CARGO_PKG_VERSION"),
            "shard": self.shard,
            "participants": self.participants,
            "inquiries": self.inquiries,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "reports_selected": self.reports,
            "documents_rendered": self.rendered.len(),
            "documents_reused": self.reused,
            "rendered": self.rendered,
            "changed": self.changed,
            "characters_replaced": self.text_fixes.replaced,
            "characters_removed": self.text_fixes.removed,
            "participants_with_changed_characters": self.text_fixes.participants,
            "removed_stale_staging": self.removed_stale.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "carried_over": self.carried_over,
            "warnings": warnings,
            "timings": timings,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("the summary serializes");
        bytes.push(b'\n');
        bytes
    }
}

fn thread_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .stack_size(crate::render::WORKER_STACK)
        .build()
        .map_err(|e| Error::Workers(format!("cannot start worker threads: {e}")))
}

/// Runs a season: results files, one report per participant and the award summary, written
/// all or nothing into the output folder, which no other run writes meanwhile.
pub fn run(options: &RunOptions) -> Result<RunSummary, Error> {
    if options.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    if options.shard.is_some() && options.only.is_some() {
        return Err(Error::Usage(
            "--shard and --only cannot be combined: a shard renders its own part of everyone"
                .into(),
        ));
    }
    let pool = thread_pool(options.jobs)?;
    pool.install(|| run_in_pool(options))
}

/// The steps of a run, each timed.
struct Timer(Vec<(&'static str, Duration)>);

impl Timer {
    fn step<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.0.push((name, start.elapsed()));
        value
    }
}

fn run_in_pool(options: &RunOptions) -> Result<RunSummary, Error> {
    let mut timer = Timer(Vec::new());
    let season = timer.step("config", || {
        config::load(&options.config, &options.overrides)
    })?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| season.output_dir.clone());
    let inputs = season_inputs(&options.config, &options.overrides, &season);
    output::check_target(&out, &inputs)?;
    let lock = OutputLock::acquire(&out, options.wait, |holder| {
        if options.progress {
            eprintln!(
                "ksp: waiting for the other run into {} ({holder}) to finish",
                out.display()
            );
        }
    })?;
    let prepared = prepare(season)?;
    timer.0.extend(prepared.timings.iter().copied());
    let (season, data) = (&prepared.season, &prepared.data);
    let selected = plan::select(season, data, options.only.as_deref())?;
    let date = report_date(season, data);
    let context = prepared.context(date)?;
    let jobs = Jobs::new(&context, prepared.fonts.coverage());

    let (mut staging, removed_stale) = Staging::new(&out, &lock)?;
    timer.step("results", || write_results(&prepared, date, &staging))?;

    let previous_run = (!options.force)
        .then(|| Manifest::read(&out).ok())
        .flatten();
    let previous: HashMap<&str, &output::Entry> = previous_run
        .iter()
        .flat_map(|m| &m.outputs)
        .map(|e| (e.path.as_str(), e))
        .collect();
    let fingerprint = prepared.templates.fingerprint();
    let plan = Plan {
        out: &out,
        fingerprint: &fingerprint,
        date,
        emit_data: options.emit_data,
        previous: &previous,
    };
    let docs = plan::documents_of(&selected, options.shard);
    let (planned, kept) = timer.step("plan", || -> Result<_, Error> {
        let planned = plan.documents(&jobs, &docs, &staging)?;
        let kept = match options.only {
            Some(_) => plan.keep_other_reports(data, &selected, &staging)?,
            None => Vec::new(),
        };
        Ok((planned, kept))
    })?;
    timer.step("render", || {
        render(options, &prepared, &jobs, &planned, date, &staging)
    })?;

    let start = Instant::now();
    let mut summary = summarise(options, &prepared, &out, &selected, &planned);
    summary
        .warnings
        .extend(jobs.repaired().map(|message| Warning {
            message,
            count: 1,
            first: crate::input::Place {
                file: options.config.clone(),
                sheet: None,
                line: None,
                column: None,
            },
        }));
    summary.removed_stale = removed_stale;
    let shard = summary.shard.clone();
    let manifest = manifest(&prepared, &fingerprint, &staging, &planned, kept, shard);
    staging.write("manifest.json", &manifest.to_bytes())?;
    summary.changed = changed(&planned, &previous, &manifest);
    summary.carried_over = staging.carry_over()?;
    // Not in the manifest: it describes this run (timings), not the season.
    summary.timings = timer.0.clone();
    output::write_file(staging.dir(), "run-summary.json", &summary.to_json())?;
    summary.kept_aside = staging.commit()?.kept_aside;
    drop(lock);
    timer.0.push(("write", start.elapsed()));
    summary.timings = timer.0;
    Ok(summary)
}

/// The results tables (and `rejects.csv` when rows were set aside) into the staging folder,
/// one file at a time so a big season's tables are held once.
fn write_results(
    prepared: &Prepared,
    date: chrono::NaiveDate,
    staging: &Staging,
) -> Result<(), Error> {
    let (season, data) = (&prepared.season, &prepared.data);
    let tables = results::tables(prepared.figures());
    for sheet in tables.sheets() {
        staging.write(&format!("results/{}.csv", sheet.name), &sheet.csv())?;
    }
    let xlsx = tables
        .xlsx(season, date, staging.dir())
        .map_err(|e| output::OutputError {
            action: "write",
            path: "results/results.xlsx".into(),
            source: std::io::Error::other(e),
        })?;
    staging.write("results/results.xlsx", &xlsx)?;
    drop(xlsx);
    staging.write("results/results.json", &tables.json(season, data))?;
    if season.on_bad_row == OnBadRow::Reject {
        staging.write("rejects.csv", &results::rejects_csv(data))?;
    }
    Ok(())
}

/// Renders the planned documents not carried over: in one process per thread when the run
/// has a `ksp` executable and enough documents, else on this process's threads.
fn render(
    options: &RunOptions,
    prepared: &Prepared,
    jobs: &Jobs,
    planned: &[Planned],
    date: chrono::NaiveDate,
    staging: &Staging,
) -> Result<(), Error> {
    let to_render: Vec<Doc> = planned
        .iter()
        .filter(|p| !p.reused)
        .map(|p| p.doc)
        .collect();
    if to_render.is_empty() {
        return Ok(());
    }
    let threads = rayon::current_num_threads();
    let progress = Progress::new(to_render.len(), options.progress);
    let job = |k: usize| jobs.make(to_render[k]);
    let rendered = match &options.worker {
        Some(exe) if threads > 1 && to_render.len() >= 2 * threads => {
            let setup = workers::Setup {
                exe,
                templates: prepared.templates.dir(),
                date,
                staging: staging.dir(),
            };
            workers::render_in_processes(&setup, threads, to_render.len(), &job, &progress)
                .map(|entries| staging.record(entries))
        }
        _ => {
            let renderer = Renderer::new(&prepared.templates, prepared.fonts.clone(), date)?;
            renderer
                .render_all(to_render.len(), threads, job, |batch| {
                    for (job, pdf) in batch {
                        progress.add(1);
                        staging.write(&job.output, &pdf)?;
                    }
                    Ok(())
                })
                .map_err(Error::Render)
        }
    };
    progress.finish();
    rendered
}

fn summarise(
    options: &RunOptions,
    prepared: &Prepared,
    out: &std::path::Path,
    selected: &[usize],
    planned: &[Planned],
) -> RunSummary {
    let data = &prepared.data;
    let participants: std::collections::BTreeSet<&str> = data
        .text_fixes
        .iter()
        .map(|f| f.participant.as_str())
        .collect();
    let removed = data
        .text_fixes
        .iter()
        .filter(|f| matches!(f.fix, crate::glyphs::Fix::Removed(_)))
        .count();
    RunSummary {
        out: out.to_path_buf(),
        participants: data.participants.len(),
        inquiries: data.inquiries.len(),
        rows_read: data.rows_read,
        rows_accepted: data.rows_accepted(),
        rows_rejected: data.rows_rejected,
        reports: selected.len(),
        rendered: planned
            .iter()
            .filter(|p| !p.reused)
            .map(|p| p.path.clone())
            .collect(),
        reused: planned.iter().filter(|p| p.reused).count(),
        changed: Vec::new(),
        shard: options.shard.map(|(k, n)| format!("{k}/{n}")),
        warnings: data.warnings.clone(),
        text_fixes: TextFixCounts {
            replaced: data.text_fixes.len() - removed,
            removed,
            participants: participants.len(),
        },
        removed_stale: Vec::new(),
        carried_over: Vec::new(),
        kept_aside: None,
        timings: Vec::new(),
    }
}

/// Every file in the staging folder with, for documents, the key of what it was rendered
/// from, and the fingerprint of the templates; `kept` are the reports `--only` carried over.
fn manifest(
    prepared: &Prepared,
    fingerprint: &str,
    staging: &Staging,
    planned: &[Planned],
    kept: Vec<output::Entry>,
    shard: Option<String>,
) -> Manifest {
    let mut keys: HashMap<String, String> = planned
        .iter()
        .map(|p| (p.path.clone(), p.key.clone()))
        .collect();
    for entry in kept {
        keys.extend(entry.input_sha256.map(|key| (entry.path, key)));
    }
    let mut entries = staging.entries();
    for entry in &mut entries {
        entry.input_sha256 = keys.get(&entry.path).cloned();
    }
    let season = &prepared.season;
    Manifest::new(
        &season.name,
        [&season.config_sha256, fingerprint],
        input_entries(prepared),
        entries,
        shard,
    )
}

/// The input files with their SHA-256 and size, by the paths the config names them by, so
/// the manifest does not depend on where ksp was run from.
fn input_entries(prepared: &Prepared) -> Vec<output::Entry> {
    let named = [
        &prepared.season.effective.input.participants,
        &prepared.season.effective.input.responses,
    ];
    prepared
        .data
        .inputs
        .iter()
        .zip(named)
        .map(|(file, name)| output::Entry {
            path: name.clone().unwrap_or_default(),
            sha256: file.sha256.clone(),
            size: file.size,
            input_sha256: None,
        })
        .collect()
}

/// Rendered documents whose bytes differ from the last run's (or are new).
fn changed(
    planned: &[Planned],
    previous: &HashMap<&str, &output::Entry>,
    manifest: &Manifest,
) -> Vec<String> {
    let written: HashMap<&str, &str> = manifest
        .outputs
        .iter()
        .map(|e| (e.path.as_str(), e.sha256.as_str()))
        .collect();
    planned
        .iter()
        .filter(|p| !p.reused)
        .filter(|p| {
            previous.get(p.path.as_str()).map(|e| e.sha256.as_str())
                != written.get(p.path.as_str()).copied()
        })
        .map(|p| p.path.clone())
        .collect()
}
