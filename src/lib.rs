//! ksp runs a customer-service award season end to end: config → input → score → rank →
//! results and reports → output. Each stage is a module; this file wires them together.

pub mod calendar;
pub mod config;
pub mod documents;
pub mod generate;
pub mod input;
pub mod output;
pub mod rank;
pub mod render;
pub mod results;
pub mod score;
pub mod stats;
pub mod table;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

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
            Error::Config(_) | Error::Input(_) => 1,
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
}

/// A loaded, scored and ranked season.
pub struct Prepared {
    pub season: Season,
    pub data: Dataset,
    pub scores: Scores,
    pub standings: Standings,
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
    pub warnings: Vec<Warning>,
    pub timings: Vec<(&'static str, Duration)>,
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
    Ok(Prepared {
        season,
        data,
        scores,
        standings,
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
    let selected = select(data, options.only.as_deref())?;

    let start = Instant::now();
    let date = report_date(season, data);
    // Fail on a missing or broken template folder before anything is written.
    Renderer::check_templates(&season.templates_dir).map_err(Error::Output)?;
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
    let tables = results::tables(season, data, scores, standings);
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
    timings.push(("results", start.elapsed()));

    let start = Instant::now();
    if options.only.is_some() {
        keep_other_reports(&out, data, &selected, &write)?;
    }
    let documents = selected.len() + 1;
    let threads = rayon::current_num_threads();
    let progress = Progress::new(documents, options.progress);
    let rendered = match &options.worker {
        // Separate processes scale where threads do not: Typst's memo caches are shared by
        // every thread of a process and contended.
        Some(exe) if threads > 1 && documents >= 2 * threads => {
            render_in_processes(exe, options, staging.dir(), threads, &progress)
                .map(|entries| staging.record(entries))
        }
        _ => {
            let counted = |path: &str, bytes: &[u8]| {
                if path.ends_with(".pdf") {
                    progress.add(1);
                }
                write(path, bytes)
            };
            let all = Part { index: 0, count: 1 };
            render_part(
                &prepared,
                &selected,
                date,
                all,
                threads,
                options.emit_data,
                &counted,
            )
        }
    };
    progress.finish();
    rendered?;
    timings.push(("render", start.elapsed()));

    let start = Instant::now();
    let manifest = output::manifest(season, data, staging.entries());
    write("manifest.json", &manifest).map_err(Error::Output)?;
    staging.commit().map_err(|e| {
        Error::Output(format!(
            "cannot move the output into {}: {e}",
            out.display()
        ))
    })?;
    timings.push(("write", start.elapsed()));
    Ok(RunSummary {
        out,
        participants: data.participants.len(),
        inquiries: data.inquiries.len(),
        rows_read: data.rows_read,
        rows_rejected: data.rows_rejected,
        reports: selected.len(),
        warnings: data.warnings.clone(),
        timings,
    })
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

/// Which of a run's documents a process renders: every `count`-th, starting at `index`
/// (documents are the selected reports in order, then the award summary).
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub index: usize,
    pub count: usize,
}

/// Renders this part's documents with `threads` threads, handing each file to `write`.
pub fn render_part(
    prepared: &Prepared,
    selected: &[usize],
    date: NaiveDate,
    part: Part,
    threads: usize,
    emit_data: bool,
    write: &(dyn Fn(&str, &[u8]) -> Result<(), String> + Sync),
) -> Result<(), Error> {
    let Prepared {
        season,
        data,
        scores,
        standings,
        ..
    } = prepared;
    let renderer = Renderer::new(&season.templates_dir, date).map_err(Error::Output)?;
    let previous = season
        .previous
        .as_deref()
        .map(documents::Previous::load)
        .transpose()
        .map_err(Error::Output)?;
    let context = documents::Context::new(season, data, scores, standings, date, previous);
    let mine: Vec<usize> = (part.index..selected.len() + 1)
        .step_by(part.count.max(1))
        .collect();
    let job = |k: usize| match selected.get(mine[k]) {
        Some(&p) => Job {
            template: "participant.typ",
            subject: format!("participant {}", data.participants[p].id),
            output: format!("reports/{}.pdf", data.participants[p].id),
            data: serde_json::to_vec(&context.participant_report(p))
                .expect("report data serializes"),
        },
        None => Job {
            template: "award-summary.typ",
            subject: "award summary".into(),
            output: "award-summary.pdf".into(),
            data: serde_json::to_vec(&context.award_summary()).expect("summary data serializes"),
        },
    };
    renderer
        .render_all(mine.len(), threads, job, |batch| {
            for (job, pdf) in batch {
                write(&job.output, &pdf)?;
                if emit_data {
                    let name = job
                        .output
                        .trim_start_matches("reports/")
                        .replace(".pdf", ".json");
                    write(&format!("data/{name}"), &job.data)?;
                }
            }
            Ok(())
        })
        .map_err(Error::Render)
}

/// One line of a render worker's report to its parent.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum WorkerLine {
    File(output::Entry),
    Failed { subject: String, message: String },
}

/// Runs `ksp render-part` in `count` processes, each rendering every `count`-th document
/// into the staging folder, and collects what they wrote.
fn render_in_processes(
    exe: &std::path::Path,
    options: &RunOptions,
    staging: &std::path::Path,
    count: usize,
    progress: &Progress,
) -> Result<Vec<output::Entry>, Error> {
    let mut children = Vec::new();
    for index in 0..count {
        let mut command = std::process::Command::new(exe);
        command
            .arg("render-part")
            .arg(&options.config)
            .arg("--staging")
            .arg(staging);
        command.arg("--part").arg(format!("{index}/{count}"));
        for o in &options.overrides {
            command.arg("--set").arg(o);
        }
        if let Some(only) = &options.only {
            command.arg("--only").arg(only.join(","));
        }
        if options.emit_data {
            command.arg("--emit-data");
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

/// What `ksp render-part` was asked to do: one part of a run's documents, written into the
/// parent's staging folder, each file reported on standard output as a line of JSON.
#[derive(Debug, Clone)]
pub struct PartOptions {
    pub config: PathBuf,
    pub overrides: Vec<String>,
    pub only: Option<Vec<String>>,
    pub staging: PathBuf,
    pub part: Part,
    pub emit_data: bool,
}

pub fn render_worker(options: &PartOptions) -> Result<(), Error> {
    let prepared = prepare(&options.config, &options.overrides)?;
    let selected = select(&prepared.data, options.only.as_deref())?;
    let date = report_date(&prepared.season, &prepared.data);
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
    match render_part(
        &prepared,
        &selected,
        date,
        options.part,
        1,
        options.emit_data,
        &write,
    ) {
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
fn select(data: &Dataset, only: Option<&[String]>) -> Result<Vec<usize>, Error> {
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

/// With `--only`, the reports of everyone else are carried over from the previous output.
fn keep_other_reports(
    out: &std::path::Path,
    data: &Dataset,
    selected: &[usize],
    write: &impl Fn(&str, &[u8]) -> Result<(), String>,
) -> Result<(), Error> {
    for (p, participant) in data.participants.iter().enumerate() {
        if selected.contains(&p) {
            continue;
        }
        let relative = format!("reports/{}.pdf", participant.id);
        if let Ok(bytes) = std::fs::read(out.join(&relative)) {
            write(&relative, &bytes).map_err(Error::Output)?;
        }
    }
    Ok(())
}
