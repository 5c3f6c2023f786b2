//! ksp runs a customer-service award season end to end: config → input → score → rank →
//! results and reports → output. Each stage is a module; this file wires them together.

pub mod analysis;
pub mod calendar;
pub mod config;
pub mod diff;
pub mod documents;
pub mod generate;
pub mod input;
pub mod output;
pub mod rank;
pub mod render;
pub mod results;
pub mod score;
pub mod sensitivity;
pub mod stats;
pub mod table;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::{ConfigError, Season};
use crate::input::{Dataset, InputErrors, Warning};
use crate::rank::Standings;
use crate::render::{Job, RenderError, Renderer};
use crate::score::Scores;

/// Everything that can stop a run, by the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{}", render_errors(.0))]
    Render(Vec<RenderError>),
    #[error("{0}")]
    Output(String),
    #[error("{0}")]
    Usage(String),
    /// `ksp diff` found changes: not a failure, but exit 1 so CI can act on it.
    #[error("the runs differ")]
    Changed,
}

fn render_errors(errors: &[RenderError]) -> String {
    let mut text = format!("{} document(s) failed to render:", errors.len());
    for e in errors {
        text.push_str(&format!("\n{e}"));
    }
    text
}

impl Error {
    /// 1 for config or data errors, 2 for usage errors, 3 when rendering or writing failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Input(_) | Error::Changed => 1,
            Error::Usage(_) => 2,
            Error::Render(_) | Error::Output(_) => 3,
        }
    }
}

/// What `ksp run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: PathBuf,
    pub overrides: Vec<String>,
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
    /// Report rendering progress on standard error.
    pub progress: bool,
    /// Render every document, even those unchanged since the last run into the same folder.
    pub force: bool,
    /// `(K, N)`: render only the K-th of N partitions of the reports (results in full).
    pub shard: Option<(usize, usize)>,
}

/// A loaded, scored and ranked season.
pub struct Prepared {
    pub season: Season,
    pub data: Dataset,
    pub scores: Scores,
    pub standings: Standings,
    pub analysis: analysis::Analysis,
    pub timings: Vec<(&'static str, Duration)>,
}

/// What a run did, for the summary line.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub out: PathBuf,
    pub participants: usize,
    pub inquiries: usize,
    pub rows_read: usize,
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
    pub timings: Vec<(&'static str, Duration)>,
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
            "rows_accepted": self.rows_read - self.rows_rejected,
            "rows_rejected": self.rows_rejected,
            "reports_selected": self.reports,
            "documents_rendered": self.rendered.len(),
            "documents_reused": self.reused,
            "rendered": self.rendered,
            "changed": self.changed,
            "warnings": warnings,
            "timings": timings,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("the summary serializes");
        bytes.push(b'\n');
        bytes
    }
}

/// Loads, checks, scores and ranks a season without writing anything.
pub fn prepare(config: &std::path::Path, overrides: &[String]) -> Result<Prepared, Error> {
    let mut timings = Vec::new();
    let start = Instant::now();
    let season = config::load(config, overrides)?;
    let data = input::load(&season)?;
    timings.push(("load", start.elapsed()));
    let start = Instant::now();
    let scores = score::score(&season, &data);
    timings.push(("score", start.elapsed()));
    let start = Instant::now();
    let standings = rank::rank(&season, &data, &scores);
    timings.push(("rank", start.elapsed()));
    let start = Instant::now();
    let analysis = analysis::analyse(&season, &data, &scores, &standings);
    timings.push(("analyse", start.elapsed()));
    Ok(Prepared {
        season,
        data,
        scores,
        standings,
        analysis,
        timings,
    })
}

/// The report date: from the config, else `SOURCE_DATE_EPOCH`, else the day of the season's
/// last inquiry, so the same inputs always stamp the same date.
pub fn report_date(season: &Season, data: &Dataset) -> NaiveDate {
    if let Some(date) = season.report_date {
        return date;
    }
    if let Some(date) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
    {
        return date.date_naive();
    }
    data.inquiries
        .iter()
        .map(|i| i.sent_at.with_timezone(&season.timezone).date_naive())
        .max()
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(season.year, 12, 31).unwrap_or_default())
}

fn thread_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    // Typst's layout recursion overflows rayon's default 2 MB worker stacks in debug builds.
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .stack_size(32 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Output(format!("cannot start worker threads: {e}")))
}

/// Runs a season: results files, one report per participant and the award summary, written
/// all or nothing into the output folder.
pub fn run(options: &RunOptions) -> Result<RunSummary, Error> {
    if options.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    let pool = thread_pool(options.jobs)?;
    pool.install(|| run_in_pool(options))
}

fn run_in_pool(options: &RunOptions) -> Result<RunSummary, Error> {
    if options.shard.is_some() && options.only.is_some() {
        return Err(Error::Usage(
            "--shard and --only cannot be combined: a shard renders its own part of everyone"
                .into(),
        ));
    }
    let prepared = prepare(&options.config, &options.overrides)?;
    let Prepared {
        season,
        data,
        scores,
        standings,
        ..
    } = &prepared;
    let mut timings = prepared.timings.clone();
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| season.output_dir.clone());
    let selected = select(season, data, options.only.as_deref())?;

    let start = Instant::now();
    let date = report_date(season, data);
    // Fail on a missing or broken template folder before anything is written.
    let templates: Vec<&str> = season
        .templates
        .participant
        .iter()
        .chain([&season.templates.summary])
        .map(String::as_str)
        .collect();
    Renderer::check_templates(&season.templates_dir, &templates).map_err(Error::Output)?;
    let fingerprint = render::fingerprint(&season.templates_dir).map_err(Error::Output)?;
    let context = prepared.context(date)?;
    let staging = output::Staging::new(&out).map_err(|e| {
        Error::Output(format!(
            "cannot create a staging folder beside {}: {e}",
            out.display()
        ))
    })?;
    let write = |path: &str, bytes: &[u8]| {
        staging
            .write(path, bytes)
            .map_err(|e| format!("cannot write {path} in the staging folder: {e}"))
    };
    let tables = results::tables(season, data, scores, standings, &prepared.analysis);
    let xlsx = tables.xlsx(date).map_err(Error::Output)?;
    let mut files = vec![
        ("results/participants.csv", tables.participants.csv()),
        ("results/classes.csv", tables.classes.csv()),
        ("results/awards.csv", tables.awards.csv()),
        ("results/results.json", tables.json(season, data)),
        ("results/results.xlsx", xlsx),
    ];
    if season.on_bad_row == config::OnBadRow::Reject {
        files.push(("rejects.csv", results::rejects_csv(data)));
    }
    for (path, bytes) in files {
        write(path, &bytes).map_err(Error::Output)?;
    }
    for sheet in &tables.extra {
        write(&format!("results/{}.csv", sheet.name), &sheet.csv()).map_err(Error::Output)?;
    }
    timings.push(("results", start.elapsed()));

    // What to render: this run's documents whose inputs changed since the last run into the
    // same folder; the others are carried over as they are.
    let start = Instant::now();
    let previous_run = if options.force {
        None
    } else {
        output::Manifest::read(&out).ok()
    };
    let previous_outputs: HashMap<&str, &output::Entry> = previous_run
        .iter()
        .flat_map(|m| &m.outputs)
        .map(|e| (e.path.as_str(), e))
        .collect();
    let docs = documents_of(&selected, options.shard);
    let planned: Vec<Result<Planned, String>> = docs
        .par_iter()
        .map(|&doc| {
            let job = job(&context, data, doc);
            if options.emit_data {
                write(&data_path(&job.output), &job.data)?;
            }
            let key = document_key(&fingerprint, date, &job);
            let reused = previous_outputs
                .get(job.output.as_str())
                .filter(|e| e.input_sha256.as_deref() == Some(key.as_str()))
                .and_then(|e| {
                    let bytes = std::fs::read(out.join(&e.path)).ok()?;
                    (output::sha256_hex(&bytes) == e.sha256).then_some(bytes)
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
        .collect();
    let planned: Vec<Planned> = planned
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(Error::Output)?;
    let mut keys: HashMap<String, String> = planned
        .iter()
        .map(|p| (p.path.clone(), p.key.clone()))
        .collect();
    if options.only.is_some() {
        for entry in keep_other_reports(&out, data, &selected, &previous_outputs, &write)? {
            keys.extend(entry.input_sha256.map(|key| (entry.path, key)));
        }
    }
    let to_render: Vec<Doc> = planned
        .iter()
        .filter(|p| !p.reused)
        .map(|p| p.doc)
        .collect();

    let threads = rayon::current_num_threads();
    let progress = Progress::new(to_render.len(), options.progress && !to_render.is_empty());
    let rendered = match &options.worker {
        // Separate processes scale where threads do not: Typst's memo caches are shared by
        // every thread of a process and contended.
        Some(exe) if threads > 1 && to_render.len() >= 2 * threads => {
            render_in_processes(exe, options, staging.dir(), &to_render, threads, &progress)
                .map(|entries| staging.record(entries))
        }
        _ if to_render.is_empty() => Ok(()),
        _ => {
            let counted = |path: &str, bytes: &[u8]| {
                progress.add(1);
                write(path, bytes)
            };
            let renderer = Renderer::new(&season.templates_dir, date).map_err(Error::Output)?;
            render_docs(&renderer, &context, &to_render, threads, &counted)
        }
    };
    progress.finish();
    rendered?;
    timings.push(("render", start.elapsed()));

    let start = Instant::now();
    let mut entries = staging.entries();
    for entry in &mut entries {
        entry.input_sha256 = keys.get(&entry.path).cloned();
    }
    let written: HashMap<&str, &str> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.sha256.as_str()))
        .collect();
    let changed: Vec<String> = planned
        .iter()
        .filter(|p| !p.reused)
        .filter(|p| {
            previous_outputs
                .get(p.path.as_str())
                .map(|e| e.sha256.as_str())
                != written.get(p.path.as_str()).copied()
        })
        .map(|p| p.path.clone())
        .collect();
    let shard = options.shard.map(|(k, n)| format!("{k}/{n}"));
    let manifest = output::Manifest::new(season, data, entries, shard.clone());
    write("manifest.json", &manifest.to_bytes()).map_err(Error::Output)?;
    let mut summary = RunSummary {
        out: out.clone(),
        participants: data.participants.len(),
        inquiries: data.inquiries.len(),
        rows_read: data.rows_read,
        rows_rejected: data.rows_rejected,
        reports: selected.len(),
        rendered: planned
            .iter()
            .filter(|p| !p.reused)
            .map(|p| p.path.clone())
            .collect(),
        reused: planned.iter().filter(|p| p.reused).count(),
        changed,
        shard,
        warnings: data.warnings.clone(),
        timings: timings.clone(),
    };
    // Not in the manifest: it describes this run (timings), not the season.
    output::write_file(staging.dir(), "run-summary.json", &summary.to_json())
        .map_err(|e| Error::Output(format!("cannot write run-summary.json: {e}")))?;
    staging.commit().map_err(|e| {
        Error::Output(format!(
            "cannot move the output into {}: {e}",
            out.display()
        ))
    })?;
    timings.push(("write", start.elapsed()));
    summary.timings = timings;
    Ok(summary)
}

/// One document of a run and whether the last run's copy could be kept.
struct Planned {
    doc: Doc,
    path: String,
    key: String,
    reused: bool,
}

/// A document of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// The report of the participant with this index.
    Report(usize),
    Summary,
}

/// The selected reports then the award summary; with `--shard K/N` every N-th report from the
/// K-th, and the award summary in shard 1.
fn documents_of(selected: &[usize], shard: Option<(usize, usize)>) -> Vec<Doc> {
    let (k, n) = shard.unwrap_or((1, 1));
    let mut docs: Vec<Doc> = selected
        .iter()
        .skip(k - 1)
        .step_by(n)
        .map(|&p| Doc::Report(p))
        .collect();
    if k == 1 {
        docs.push(Doc::Summary);
    }
    docs
}

fn job(context: &documents::Context, data: &Dataset, doc: Doc) -> Job {
    let templates = &context.season().templates;
    match doc {
        Doc::Report(p) => Job {
            template: templates
                .participant
                .clone()
                .expect("reports are planned only with a participant template"),
            subject: format!("participant {}", data.participants[p].id),
            output: format!("reports/{}.pdf", data.participants[p].id),
            data: serde_json::to_vec(&context.participant_report(p))
                .expect("report data serializes"),
        },
        Doc::Summary => Job {
            template: templates.summary.clone(),
            subject: "award summary".into(),
            output: templates.summary_file.clone(),
            data: serde_json::to_vec(&context.award_summary()).expect("summary data serializes"),
        },
    }
}

/// Where `--emit-data` puts a document's template data.
fn data_path(output: &str) -> String {
    format!(
        "data/{}",
        output
            .trim_start_matches("reports/")
            .replace(".pdf", ".json")
    )
}

/// Everything a document's bytes depend on: ksp (and with it Typst), the template folder,
/// the report date and the document's data, which carries every config value it shows.
fn document_key(fingerprint: &str, date: NaiveDate, job: &Job) -> String {
    let mut bytes = format!(
        "ksp {}\0{fingerprint}\0{date}\0{}\0",
        env!("CARGO_PKG_VERSION"),
        job.template
    )
    .into_bytes();
    bytes.extend_from_slice(&job.data);
    output::sha256_hex(&bytes)
}

/// A file the config names (last season's results, a sensitivity table), read when named;
/// a problem with it is a config error.
fn load_named<T>(
    path: Option<&std::path::Path>,
    load: fn(&std::path::Path) -> Result<T, String>,
) -> Result<Option<T>, Error> {
    path.map(|path| {
        load(path).map_err(|message| {
            Error::Config(ConfigError {
                file: path.to_path_buf(),
                position: None,
                message,
            })
        })
    })
    .transpose()
}

impl Prepared {
    /// What every document of the season shares, with last season's figures and the
    /// sensitivity table when the config names them.
    pub fn context(&self, date: NaiveDate) -> Result<documents::Context<'_>, Error> {
        let previous = load_named(self.season.previous.as_deref(), documents::Previous::load)?;
        let robustness = load_named(
            self.season.sensitivity.as_deref(),
            documents::Robustness::load,
        )?;
        Ok(documents::Context::new(
            &self.season,
            &self.data,
            &self.scores,
            &self.standings,
            &self.analysis,
            date,
            previous,
        )
        .with_robustness(robustness))
    }
}

/// Rendering progress: a bar on a terminal, else a plain line every few seconds (CI logs).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    last_line: std::sync::Mutex<Instant>,
}

impl Progress {
    fn new(total: usize, show: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (show && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} documents, {eta} left",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix("ksp: rendering");
            bar
        });
        Progress {
            bar,
            total,
            done: 0.into(),
            last_line: std::sync::Mutex::new(Instant::now()),
        }
    }

    fn add(&self, n: usize) {
        let done = self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        match &self.bar {
            Some(bar) => bar.set_position(done as u64),
            None => {
                let mut last = self.last_line.lock().expect("not poisoned");
                if last.elapsed() >= Duration::from_secs(2) && done < self.total {
                    eprintln!("ksp: rendered {done} of {} documents", self.total);
                    *last = Instant::now();
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Renders `docs` with `threads` threads, handing each PDF to `write`.
pub fn render_docs(
    renderer: &Renderer,
    context: &documents::Context,
    docs: &[Doc],
    threads: usize,
    write: &(dyn Fn(&str, &[u8]) -> Result<(), String> + Sync),
) -> Result<(), Error> {
    let data = context.data();
    renderer
        .render_all(
            docs.len(),
            threads,
            |k| job(context, data, docs[k]),
            |batch| {
                for (job, pdf) in batch {
                    write(&job.output, &pdf)?;
                }
                Ok(())
            },
        )
        .map_err(Error::Render)
}

/// One line of a render worker's report to its parent.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum WorkerLine {
    File(output::Entry),
    Failed { subject: String, message: String },
}

/// Runs `ksp render-part` in `count` processes, each rendering every `count`-th of `docs`
/// into the staging folder, and collects what they wrote.
fn render_in_processes(
    exe: &std::path::Path,
    options: &RunOptions,
    staging: &std::path::Path,
    docs: &[Doc],
    count: usize,
    progress: &Progress,
) -> Result<Vec<output::Entry>, Error> {
    let mut children = Vec::new();
    for index in 0..count {
        let part: Vec<String> = docs
            .iter()
            .skip(index)
            .step_by(count)
            .map(|doc| match doc {
                Doc::Report(p) => p.to_string(),
                Doc::Summary => "summary".into(),
            })
            .collect();
        let mut command = std::process::Command::new(exe);
        command
            .arg("render-part")
            .arg(&options.config)
            .arg("--staging")
            .arg(staging)
            .arg("--docs")
            .arg(part.join(","));
        for o in &options.overrides {
            command.arg("--set").arg(o);
        }
        command.stdout(std::process::Stdio::piped());
        let child = command.spawn().map_err(|e| {
            Error::Output(format!(
                "cannot start a render process ({}): {e}",
                exe.display()
            ))
        })?;
        children.push(child);
    }
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut failed = None;
    std::thread::scope(|scope| {
        let readers: Vec<_> =
            children
                .into_iter()
                .map(|mut child| {
                    let stdout = child.stdout.take().expect("stdout is piped");
                    scope.spawn(move || {
                    use std::io::BufRead;
                    let mut lines = Vec::new();
                    for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                        if let Ok(parsed) = serde_json::from_str::<WorkerLine>(&line) {
                            if matches!(&parsed, WorkerLine::File(e) if e.path.ends_with(".pdf")) {
                                progress.add(1);
                            }
                            lines.push(parsed);
                        }
                    }
                    (child.wait(), lines)
                })
                })
                .collect();
        for reader in readers {
            let (status, lines) = reader.join().expect("a reader thread does not panic");
            let before = errors.len();
            for line in lines {
                match line {
                    WorkerLine::File(entry) => entries.push(entry),
                    WorkerLine::Failed { subject, message } => {
                        errors.push(RenderError { subject, message })
                    }
                }
            }
            match status {
                Ok(s) if !s.success() && errors.len() == before => {
                    failed = Some(format!("a render process stopped with {s}"))
                }
                Err(e) => failed = Some(format!("a render process failed: {e}")),
                _ => {}
            }
        }
    });
    if let Some(message) = failed {
        return Err(Error::Output(message));
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        errors.sort_by(|a, b| a.subject.cmp(&b.subject));
        Err(Error::Render(errors))
    }
}

/// What `ksp render-part` was asked to do: some of a run's documents, written into the
/// parent's staging folder, each file reported on standard output as a line of JSON.
#[derive(Debug, Clone)]
pub struct PartOptions {
    pub config: PathBuf,
    pub overrides: Vec<String>,
    pub staging: PathBuf,
    /// Participant indices in the loaded season's order, and `summary`.
    pub docs: Vec<String>,
}

pub fn render_worker(options: &PartOptions) -> Result<(), Error> {
    let prepared = prepare(&options.config, &options.overrides)?;
    let (season, data) = (&prepared.season, &prepared.data);
    let docs = options
        .docs
        .iter()
        .map(|d| match d.as_str() {
            "summary" => Some(Doc::Summary),
            index => index
                .parse()
                .ok()
                .filter(|&p| p < data.participants.len())
                .map(Doc::Report),
        })
        .collect::<Option<Vec<Doc>>>()
        .ok_or_else(|| Error::Usage("--docs: expected participant indices and `summary`".into()))?;
    let date = report_date(season, data);
    let context = prepared.context(date)?;
    let renderer = Renderer::new(&season.templates_dir, date).map_err(Error::Output)?;
    let stdout = std::sync::Mutex::new(std::io::stdout());
    let say = |line: &WorkerLine| {
        use std::io::Write;
        let text = serde_json::to_string(line).expect("worker lines serialize");
        let _ = writeln!(stdout.lock().expect("not poisoned"), "{text}");
    };
    let write = |relative: &str, bytes: &[u8]| {
        let entry = output::write_file(&options.staging, relative, bytes)
            .map_err(|e| format!("cannot write {relative} in the staging folder: {e}"))?;
        say(&WorkerLine::File(entry));
        Ok(())
    };
    match render_docs(&renderer, &context, &docs, 1, &write) {
        Err(Error::Render(errors)) => {
            for e in &errors {
                say(&WorkerLine::Failed {
                    subject: e.subject.clone(),
                    message: e.message.clone(),
                });
            }
            Err(Error::Render(errors))
        }
        other => other,
    }
}

/// The participants `--only` names, in its order; everyone when `None`.
fn select(season: &Season, data: &Dataset, only: Option<&[String]>) -> Result<Vec<usize>, Error> {
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

/// With `--only`, the reports of everyone else are carried over from the previous output,
/// with what the last manifest knew of them.
fn keep_other_reports(
    out: &std::path::Path,
    data: &Dataset,
    selected: &[usize],
    previous_outputs: &HashMap<&str, &output::Entry>,
    write: &impl Fn(&str, &[u8]) -> Result<(), String>,
) -> Result<Vec<output::Entry>, Error> {
    let mut kept = Vec::new();
    for (p, participant) in data.participants.iter().enumerate() {
        if selected.contains(&p) {
            continue;
        }
        let relative = format!("reports/{}.pdf", participant.id);
        if let Ok(bytes) = std::fs::read(out.join(&relative)) {
            write(&relative, &bytes).map_err(Error::Output)?;
            if let Some(entry) = previous_outputs.get(relative.as_str()) {
                kept.push((*entry).clone());
            }
        }
    }
    Ok(kept)
}
