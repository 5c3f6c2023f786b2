//! `ksp preview`: one document of a season rendered to a file, and with `--watch` again
//! whenever a template, the config or an input file changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::plan::{Doc, Jobs};
use super::prepare::{Prepared, prepare, report_date};
use crate::config::{self, Overrides};
use crate::render::{Fonts, Renderer, TemplateFolder};
use crate::{Error, output};

/// What to preview.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    pub config: PathBuf,
    pub overrides: Overrides,
    /// A participant's id, or `summary`.
    pub document: String,
    pub out: PathBuf,
}

/// A loaded season with the renderer of its templates, ready to render one document again
/// and again.
pub struct Preview {
    options: PreviewOptions,
    prepared: Prepared,
    renderer: Renderer,
}

impl Preview {
    /// Loads, checks and scores the season, and loads its templates and fonts.
    pub fn load(options: PreviewOptions) -> Result<Preview, Error> {
        let season = config::load(&options.config, &options.overrides)?;
        let inputs = super::season_inputs(&options.config, &options.overrides, &season);
        output::guard::check_file_target(&options.out, &inputs)?;
        let prepared = prepare(season)?;
        let renderer = renderer_of(&prepared, &prepared.templates)?;
        let preview = Preview {
            options,
            prepared,
            renderer,
        };
        preview.doc()?;
        Ok(preview)
    }

    fn doc(&self) -> Result<Doc, Error> {
        let data = &self.prepared.data;
        match self.options.document.as_str() {
            "summary" => Ok(Doc::Summary),
            id => match data.participants.iter().position(|p| p.id == id) {
                Some(p) if self.prepared.season.templates.participant.is_some() => Ok(Doc::Report(p)),
                Some(_) => Err(Error::Usage(
                    "this season has no participant reports (report.participant_reports = false): preview `summary`".into(),
                )),
                None => Err(Error::Usage(format!(
                    "no participant has the id `{id}`: give a participant_id of the participants file, or `summary`"
                ))),
            },
        }
    }

    /// Renders the document into the output file, replacing it in one step.
    pub fn render(&self) -> Result<Duration, Error> {
        let start = Instant::now();
        let date = report_date(&self.prepared.season, &self.prepared.data);
        let context = self.prepared.context(date)?;
        let jobs = Jobs::new(&context, self.prepared.fonts.coverage());
        let job = jobs.make(self.doc()?);
        let mut result = None;
        self.renderer
            .render_each(std::iter::once(job), usize::MAX, |_, r| result = Some(r));
        let pdf = result
            .expect("one job rendered")
            .map_err(|e| Error::Render(vec![e]))?;
        write_replacing(&self.options.out, &pdf)?;
        // Keep what recent renders cached, so the next one after a small edit is quick.
        typst::comemo::evict(8);
        Ok(start.elapsed())
    }

    /// The files whose changes call for rendering again: the config and the weights file,
    /// the input files and the template folder's files.
    pub fn watched(&self) -> Vec<PathBuf> {
        let season = &self.prepared.season;
        let mut files = vec![self.options.config.clone()];
        files.extend(self.options.overrides.weights.clone());
        files.extend([
            season.participants_path.clone(),
            season.responses_path.clone(),
        ]);
        files.extend(season.previous.clone());
        files.extend(season.sensitivity.clone());
        files.extend(self.prepared.templates.files_on_disk());
        files
    }

    /// After `changed` files changed: the whole season loaded again when the config or an
    /// input file did, else only the templates. On an error the preview stays as it was.
    pub fn reload(&mut self, changed: &[PathBuf]) -> Result<(), Error> {
        let templates = self.prepared.season.templates_dir.clone();
        let only_templates = templates
            .as_deref()
            .is_some_and(|dir| changed.iter().all(|f| f.starts_with(dir)));
        if !only_templates {
            *self = Preview::load(self.options.clone())?;
            return Ok(());
        }
        let folder = TemplateFolder::read(templates.as_deref())?;
        self.renderer = renderer_of(&self.prepared, &folder)?;
        self.prepared.templates = folder;
        Ok(())
    }
}

fn renderer_of(prepared: &Prepared, folder: &TemplateFolder) -> Result<Renderer, Error> {
    let date = report_date(&prepared.season, &prepared.data);
    let fonts = if folder.fonts() == prepared.templates.fonts() {
        prepared.fonts.clone()
    } else {
        Arc::new(Fonts::load(&folder.fonts()))
    };
    Ok(Renderer::new(folder, fonts, date)?)
}

/// Writes beside the file and renames it into place, so a PDF viewer never reads half a file.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = format!(".{name}.ksp-preview");
    output::write_file(dir, &temporary, bytes)?;
    std::fs::rename(dir.join(&temporary), path).map_err(|source| output::OutputError {
        action: "write",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(())
}
