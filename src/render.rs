//! Rendering with Typst as a library. Fonts, the standard library and the template folder are
//! loaded once per process into a [`Renderer`]; each report compiles in a small [`ReportWorld`]
//! that serves the template folder and one JSON data file from memory, and nothing else.

use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// The virtual path every report's data is served at; templates read `sys.inputs.data`.
pub const DATA_PATH: &str = "/data.json";

/// Reports compiled between two evictions of Typst's memo cache, which otherwise grows with
/// every report (several megabytes each here), so memory stays flat however many
/// participants a season has.
const BATCH: usize = 32;

/// Typst's layout recursion needs more than the default stack, above all in debug builds.
const WORKER_STACK: usize = 32 * 1024 * 1024;

/// A failed report: whose it is and Typst's diagnostics, placed in the template.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{subject}: {message}")]
pub struct RenderError {
    pub subject: String,
    pub message: String,
}

/// One document to render: a template, its JSON data and its PDF identity.
pub struct Job {
    /// The template's path in the template folder, e.g. `participant.typ`.
    pub template: String,
    /// What the document is about, for errors: a participant id or `award summary`.
    pub subject: String,
    /// The output path, relative to the output folder.
    pub output: String,
    pub data: Vec<u8>,
}

/// Fonts, library and templates, shared by every report and thread.
pub struct Renderer {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
    library: LazyHash<Library>,
    templates_dir: PathBuf,
    /// Every file of the template folder by its virtual id, read once.
    files: HashMap<FileId, Bytes>,
    sources: HashMap<FileId, Source>,
    data_id: FileId,
    today: Datetime,
    timestamp: Timestamp,
    standards: PdfStandards,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    )
    .intern()
}

/// SHA-256 over every file of the template folder (paths and bytes, fonts included), so a
/// changed template, style or font renders every document again.
pub fn fingerprint(templates_dir: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    let mut stack = vec![templates_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read the template folder {}: {e}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = sha2::Sha256::new();
    for path in files {
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let relative = path.strip_prefix(templates_dir).unwrap_or(&path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl Renderer {
    /// Checks that the template folder holds the season's templates.
    pub fn check_templates(templates_dir: &Path, templates: &[&str]) -> Result<(), String> {
        for template in templates {
            if !templates_dir.join(template).is_file() {
                return Err(format!(
                    "the template {} is missing: set output.templates in the config to the template folder, and report.participant_template / report.summary_template to files in it",
                    templates_dir.join(template).display()
                ));
            }
        }
        Ok(())
    }

    /// Loads embedded fonts, the fonts under `<templates>/fonts/`, and every file of the
    /// template folder. `date` is the report date, used for `today()` and the PDF timestamp.
    pub fn new(templates_dir: &Path, date: NaiveDate) -> Result<Renderer, String> {
        let mut files = HashMap::new();
        let mut sources = HashMap::new();
        let mut fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let mut stack = vec![templates_dir.to_path_buf()];
        if !templates_dir.is_dir() {
            return Err(format!(
                "the template folder {} does not exist: set output.templates in the config",
                templates_dir.display()
            ));
        }
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read the template folder {}: {e}", dir.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let relative = path
                    .strip_prefix(templates_dir)
                    .expect("under the template folder");
                let virtual_path = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
                let extension = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(extension.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                    fonts.extend(Font::iter(Bytes::new(bytes)));
                    continue;
                }
                let Ok(vpath) = VirtualPath::new(&virtual_path) else {
                    continue;
                };
                let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
                if extension == "typ" {
                    let text = String::from_utf8(bytes.clone())
                        .map_err(|_| format!("{} is not UTF-8", path.display()))?;
                    sources.insert(id, Source::new(id, text));
                }
                files.insert(id, Bytes::new(bytes));
            }
        }
        let mut inputs = Dict::new();
        inputs.insert("data".into(), DATA_PATH.into_value());
        let library = Library::builder().with_inputs(inputs).build();
        let today = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .expect("valid date");
        let stamp =
            Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 12, 0, 0)
                .expect("valid date");
        Ok(Renderer {
            book: LazyHash::new(FontBook::from_fonts(fonts.iter())),
            fonts,
            library: LazyHash::new(library),
            templates_dir: templates_dir.to_path_buf(),
            files,
            sources,
            data_id: file_id(DATA_PATH),
            today,
            timestamp: Timestamp::new_utc(stamp),
            standards: PdfStandards::new(&[PdfStandard::Ua_1])
                .expect("PDF/UA-1 alone is a valid set"),
        })
    }

    /// Compiles one document to PDF bytes.
    pub fn render(&self, job: &Job) -> Result<Vec<u8>, RenderError> {
        let main = file_id(&format!("/{}", job.template));
        if !self.sources.contains_key(&main) {
            return Err(RenderError {
                subject: job.subject.clone(),
                message: format!(
                    "the template {} is missing",
                    self.templates_dir.join(&job.template).display()
                ),
            });
        }
        let world = ReportWorld {
            renderer: self,
            main,
            data: Bytes::new(job.data.clone()),
        };
        let fail = |diagnostics: &[SourceDiagnostic]| RenderError {
            subject: job.subject.clone(),
            message: self.describe(&world, diagnostics),
        };
        let document: PagedDocument = typst::compile(&world).output.map_err(|d| fail(&d))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("ksp:{}", job.output)),
            timestamp: Some(self.timestamp),
            standards: self.standards.clone(),
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|d| fail(&d))
    }

    fn describe(&self, world: &ReportWorld, diagnostics: &[SourceDiagnostic]) -> String {
        let mut lines = Vec::new();
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            let place = d.span.id().and_then(|id| {
                let source = world.source(id).ok()?;
                let range = world.range(d.span)?;
                let (line, column) = source.lines().byte_to_line_column(range.start)?;
                let path = id.vpath().get_without_slash().to_string();
                let file = if id == self.data_id {
                    path
                } else {
                    self.templates_dir.join(path).display().to_string()
                };
                Some(format!("{file}:{}:{}: ", line + 1, column + 1))
            });
            let mut text = format!("{}error: {}", place.unwrap_or_default(), d.message);
            // typst's hints about its CLI's `--root` do not apply to ksp's fixed sandbox.
            for hint in d.hints.iter().filter(|h| !h.v.contains("--root")) {
                text.push_str(&format!("\n  hint: {}", hint.v));
            }
            lines.push(text);
        }
        lines.join("\n")
    }

    /// Renders jobs `0..count` on `threads` worker threads in batches, building each job's
    /// data only when its batch comes up so memory stays flat however large the season. Each
    /// finished batch goes to `sink` in job order; every failure is collected and nothing
    /// failed is handed on.
    ///
    /// Each worker is a rayon pool of its own with one thread: krilla (typst's PDF writer)
    /// spawns page serialization onto the current rayon pool and, while waiting for it, runs
    /// whatever else is queued there. In a shared pool that nests whole reports inside each
    /// other's export; in a private pool it is just this report's own pages, on this thread.
    pub fn render_all(
        &self,
        count: usize,
        threads: usize,
        job: impl Fn(usize) -> Job + Sync,
        mut sink: impl FnMut(Vec<(Job, Vec<u8>)>) -> Result<(), String>,
    ) -> Result<(), Vec<RenderError>> {
        let pools: Vec<rayon::ThreadPool> = (0..threads.max(1))
            .map(|_| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .stack_size(WORKER_STACK)
                    .build()
                    .expect("a worker thread starts")
            })
            .collect();
        let mut errors = Vec::new();
        for start in (0..count).step_by(BATCH) {
            let end = count.min(start + BATCH);
            let next = AtomicUsize::new(start);
            let slots: Vec<Mutex<Option<Result<(Job, Vec<u8>), RenderError>>>> =
                (start..end).map(|_| Mutex::new(None)).collect();
            std::thread::scope(|scope| {
                for pool in &pools {
                    scope.spawn(|| {
                        pool.install(|| {
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= end {
                                    break;
                                }
                                let job = job(i);
                                let result = self.render(&job).map(|pdf| (job, pdf));
                                *slots[i - start].lock().expect("no panics while locked") =
                                    Some(result);
                            }
                        })
                    });
                }
            });
            // Eviction costs time (dropping every cached layout), so the last batch skips it.
            if end < count {
                typst::comemo::evict(0);
            }
            let mut done = Vec::with_capacity(end - start);
            for slot in slots {
                match slot
                    .into_inner()
                    .expect("no panics while locked")
                    .expect("every job ran")
                {
                    Ok(rendered) => done.push(rendered),
                    Err(e) => errors.push(e),
                }
            }
            if let Err(message) = sink(done) {
                errors.push(RenderError {
                    subject: "output".into(),
                    message,
                });
                break;
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort_by(|a, b| a.subject.cmp(&b.subject));
            Err(errors)
        }
    }
}

struct ReportWorld<'a> {
    renderer: &'a Renderer,
    main: FileId,
    data: Bytes,
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.renderer.data_id {
            let text =
                std::str::from_utf8(self.data.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
            return Ok(Source::new(id, text.to_string()));
        }
        self.renderer
            .sources
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.data_id {
            return Ok(self.data.clone());
        }
        self.renderer
            .files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.renderer.today)
    }
}
