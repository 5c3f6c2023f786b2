//! Render processes: `ksp run` starts one `ksp render-part` per core (Typst's memo caches are
//! shared by the threads of a process and contended, so processes scale where threads do
//! not). The parent builds every document's data and hands the documents out one at a time
//! over the worker's standard input; the worker renders each into the staging folder and
//! answers with a line of JSON on its standard output. After `PER_PROCESS` documents a worker
//! is told it is done and a fresh one takes its place, so memory stays flat however many
//! documents a season has.
//!
//! A worker never outlives its parent: on Linux the kernel kills it when the parent dies, and
//! everywhere it exits as soon as its standard input closes without the parent saying it is
//! done.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::progress::Progress;
use crate::Error;
use crate::output::{self, Entry};
use crate::render::{Fonts, Job, RenderError, Renderer, TemplateFolder};

/// Documents a worker is sent ahead of the one it renders, so it never waits for the next.
const AHEAD: usize = 1;

/// Reports compiled between two evictions of Typst's memo cache in a worker.
const EVICT_EVERY: usize = 32;

/// Documents one worker renders before a fresh one takes over. Typst's caches keep what they
/// grew to after an eviction (comemo's tables keep their capacity), so a process that renders
/// thousands of reports grows with each batch (in use after eviction 44 → 108 MB over 2,500
/// reports); a fresh process every 256 documents keeps a 5,000-participant season's render
/// processes at a 500-participant season's size, for ≈ 0.1 s of start-up each.
const PER_PROCESS: usize = 256;

/// [`PER_PROCESS`], or the number in `KSP_DOCS_PER_PROCESS` (for tests of the hand-over).
fn per_process() -> usize {
    std::env::var("KSP_DOCS_PER_PROCESS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(PER_PROCESS)
}

/// A message from the parent to a worker: a header line of JSON, then for a job its data.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ToWorker {
    /// A document; its template data (`data_len` bytes) follows the line.
    Job {
        template: String,
        subject: String,
        output: String,
        /// Compiles it is laid out in ([`Job::parts`]).
        parts: usize,
        data_len: usize,
    },
    /// No more documents: finish and exit.
    Done,
}

/// One line of a worker's answer.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FromWorker {
    File(Entry),
    Failed { subject: String, message: String },
}

/// What every worker of a run renders with.
pub struct Setup<'a> {
    pub exe: &'a Path,
    /// The template folder; `None` for the built-in templates.
    pub templates: Option<&'a Path>,
    pub date: NaiveDate,
    pub staging: &'a Path,
}

/// Renders documents `0..count` (built by `job`) in `workers` processes, into the staging
/// folder; returns the files they wrote.
pub fn render_in_processes(
    setup: &Setup,
    workers: usize,
    count: usize,
    job: &(dyn Fn(usize) -> Job + Sync),
    progress: &Progress,
) -> Result<Vec<Entry>, Error> {
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Answers, Error>> = std::thread::scope(|scope| {
        let drivers: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| drive(setup, &next, count, job, progress)))
            .collect();
        drivers
            .into_iter()
            .map(|d| d.join().expect("a worker's driver does not panic"))
            .collect()
    });
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for answers in results {
        let answers = answers?;
        entries.extend(answers.files);
        errors.extend(answers.failed);
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        errors.sort_by(|a, b| a.subject.cmp(&b.subject));
        Err(Error::Render(errors))
    }
}

#[derive(Default)]
struct Answers {
    files: Vec<Entry>,
    failed: Vec<RenderError>,
}

/// Starts workers one after another and feeds each documents until none are left. Runs on a
/// thread of its own that lives as long as its workers, which the kernel ties their lives to.
fn drive(
    setup: &Setup,
    next: &AtomicUsize,
    count: usize,
    job: &(dyn Fn(usize) -> Job + Sync),
    progress: &Progress,
) -> Result<Answers, Error> {
    let queue = Queue {
        next,
        count,
        per_process: per_process(),
    };
    let mut answers = Answers::default();
    // A document is taken before a process starts, so none starts for nothing.
    while let Some(first) = queue.take() {
        let mut child = spawn(setup)?;
        let pid = child.id();
        output::track_worker(pid, true);
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let fed = feed(
            &mut stdin,
            &mut stdout,
            first,
            &queue,
            job,
            progress,
            &mut answers,
        );
        drop(stdin);
        let status = child.wait();
        output::track_worker(pid, false);
        match (fed, status) {
            (Ok(()), Ok(s)) if s.success() => {}
            (_, Ok(s)) => {
                return Err(Error::Workers(format!(
                    "a render process stopped with {s} before it had rendered its documents"
                )));
            }
            (_, Err(e)) => return Err(Error::Workers(format!("a render process failed: {e}"))),
        }
    }
    Ok(answers)
}

/// The documents not yet handed to a worker, shared by the workers' drivers, and how many
/// one worker is handed.
struct Queue<'a> {
    next: &'a AtomicUsize,
    count: usize,
    per_process: usize,
}

impl Queue<'_> {
    fn take(&self) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.count).then_some(i)
    }
}

fn spawn(setup: &Setup) -> Result<Child, Error> {
    let mut command = Command::new(setup.exe);
    command
        .arg("render-part")
        .arg("--staging")
        .arg(setup.staging)
        .arg("--date")
        .arg(setup.date.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    if let Some(dir) = setup.templates {
        command.arg("--templates").arg(dir);
    }
    die_with_parent(&mut command);
    command.spawn().map_err(|e| {
        Error::Workers(format!(
            "cannot start a render process ({}): {e}",
            setup.exe.display()
        ))
    })
}

/// Asks the kernel to kill the worker when the thread that started it (and so its parent)
/// dies, and lets it exit at once when that happened before it could ask.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl, getppid and _exit are async-signal-safe, as pre_exec requires.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// Sends documents from `first` on, keeping `AHEAD` queued behind the one being rendered,
/// and collects the answers until every document sent has one. A worker is sent at most
/// `queue.per_process` documents.
fn feed(
    stdin: &mut ChildStdin,
    stdout: &mut impl BufRead,
    first: usize,
    queue: &Queue,
    job: &(dyn Fn(usize) -> Job + Sync),
    progress: &Progress,
    answers: &mut Answers,
) -> std::io::Result<()> {
    let mut first = Some(first);
    let (mut sent, mut in_flight) = (0, 0);
    loop {
        while in_flight <= AHEAD && sent < queue.per_process {
            let Some(i) = first.take().or_else(|| queue.take()) else {
                break;
            };
            send(stdin, &job(i))?;
            sent += 1;
            in_flight += 1;
        }
        if in_flight == 0 {
            send_done(stdin)?;
            return Ok(());
        }
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        in_flight -= 1;
        match serde_json::from_str::<FromWorker>(&line).map_err(std::io::Error::other)? {
            FromWorker::File(entry) => {
                progress.add(1);
                answers.files.push(entry);
            }
            FromWorker::Failed { subject, message } => {
                answers.failed.push(RenderError { subject, message })
            }
        }
    }
}

fn header(job: &Job) -> ToWorker {
    ToWorker::Job {
        template: job.template.clone(),
        subject: job.subject.clone(),
        output: job.output.clone(),
        parts: job.parts,
        data_len: job.data.len(),
    }
}

fn send(stdin: &mut ChildStdin, job: &Job) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(&header(job)).expect("a header serializes");
    bytes.push(b'\n');
    bytes.extend_from_slice(&job.data);
    stdin.write_all(&bytes)?;
    stdin.flush()
}

fn send_done(stdin: &mut ChildStdin) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(&ToWorker::Done).expect("a message serializes");
    bytes.push(b'\n');
    stdin.write_all(&bytes)?;
    stdin.flush()
}

/// What `ksp render-part` was asked to do.
#[derive(Debug, Clone)]
pub struct PartOptions {
    pub staging: PathBuf,
    /// The template folder; `None` for the built-in templates.
    pub templates: Option<PathBuf>,
    pub date: NaiveDate,
}

/// The worker: renders the documents its parent sends until it says it is done.
pub fn render_worker(options: &PartOptions) -> Result<(), Error> {
    let folder = TemplateFolder::read(options.templates.as_deref())?;
    let fonts = std::sync::Arc::new(Fonts::load(&folder.fonts()));
    let renderer = Renderer::new(&folder, fonts, options.date)?;
    let (sender, jobs) = std::sync::mpsc::sync_channel::<Job>(AHEAD + 1);
    // Reads the parent's messages on a thread of its own, so a parent that dies mid-render
    // ends this process at once rather than after the document at hand.
    std::thread::spawn(move || {
        let mut stdin = BufReader::new(std::io::stdin().lock());
        loop {
            match read_message(&mut stdin) {
                Ok(Some(job)) => {
                    if sender.send(job).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(_) => std::process::exit(3),
            }
        }
    });
    let mut stdout = std::io::stdout().lock();
    renderer.render_each(jobs.into_iter(), EVICT_EVERY, |job, result| {
        let line = match result {
            Ok(pdf) => match output::write_file(&options.staging, &job.output, &pdf) {
                Ok(entry) => FromWorker::File(entry),
                Err(e) => FromWorker::Failed {
                    subject: "output".into(),
                    message: format!("cannot write {} in the staging folder: {e}", job.output),
                },
            },
            Err(e) => FromWorker::Failed {
                subject: e.subject,
                message: e.message,
            },
        };
        let text = serde_json::to_string(&line).expect("an answer serializes");
        if writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            // The parent is gone: nobody will use what this process renders.
            std::process::exit(3);
        }
    });
    Ok(())
}

/// The next job from the parent; `None` when it says it is done. A closed input without that
/// (the parent died) is an error.
fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Job>> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    match serde_json::from_str(&line).map_err(std::io::Error::other)? {
        ToWorker::Done => Ok(None),
        ToWorker::Job {
            template,
            subject,
            output,
            parts,
            data_len,
        } => {
            let mut data = vec![0; data_len];
            input.read_exact(&mut data)?;
            Ok(Some(Job {
                template,
                subject,
                output,
                parts,
                data,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_goes_through_the_pipe_as_it_was() {
        let job = Job {
            template: "participant.typ".into(),
            subject: "participant P1".into(),
            output: "reports/P1.pdf".into(),
            parts: 3,
            data: "{\"name\":\"Ærlig\\nTale 😊\"}".as_bytes().to_vec(),
        };
        let mut wire = serde_json::to_vec(&header(&job)).unwrap();
        wire.push(b'\n');
        wire.extend_from_slice(&job.data);
        wire.extend(serde_json::to_vec(&ToWorker::Done).unwrap());
        wire.push(b'\n');
        let mut input = std::io::Cursor::new(wire);
        let read = read_message(&mut input).unwrap().unwrap();
        assert_eq!(
            (read.output, read.parts, read.data),
            (job.output, job.parts, job.data)
        );
        assert!(read_message(&mut input).unwrap().is_none());
        assert!(
            read_message(&mut input).is_err(),
            "a closed pipe is an error"
        );
    }
}
