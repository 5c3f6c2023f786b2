//! A season loaded, checked, scored and ranked, with the templates and fonts it renders with.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::Error;
use crate::analysis::{self, Analysis};
use crate::config::{ConfigError, Season};
use crate::documents;
use crate::figures::Figures;
use crate::findings::{self, Findings};
use crate::input::{self, Dataset, Hashes};
use crate::rank::{self, Standings};
use crate::render::{Fonts, TemplateFolder};
use crate::results::ResultsFile;
use crate::robustness::{self, Robustness};
use crate::score::{self, Scores};
use crate::sensitivity;

/// A loaded, scored and ranked season, with the templates and fonts it renders with.
pub struct Prepared {
    pub season: Season,
    pub templates: TemplateFolder,
    pub fonts: Arc<Fonts>,
    pub data: Dataset,
    pub scores: Scores,
    pub standings: Standings,
    pub robustness: Robustness,
    pub analysis: Analysis,
    pub findings: Findings,
    pub timings: Vec<(&'static str, Duration)>,
}

/// A season loaded, checked, scored and ranked: all that can find a problem, and what
/// `ksp validate` reports on. The stages after it cannot fail and check nothing.
pub struct Checked {
    pub season: Season,
    pub templates: TemplateFolder,
    pub fonts: Arc<Fonts>,
    pub data: Dataset,
    pub scores: Scores,
    pub standings: Standings,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Loads the inputs of a checked season, then scores and ranks it; writes nothing. The
/// template folder and fonts come first: what the fonts can show decides how texts are read.
/// The input files are not hashed: nothing is written that would name them.
pub fn check(season: Season) -> Result<Checked, Error> {
    check_with(season, Hashes::Skip)
}

fn check_with(season: Season, hashes: Hashes) -> Result<Checked, Error> {
    let mut timings = Vec::new();
    let start = Instant::now();
    let templates = TemplateFolder::read(season.templates_dir.as_deref())?;
    let names: Vec<&str> = season
        .templates
        .participant
        .iter()
        .chain([&season.templates.summary])
        .map(String::as_str)
        .collect();
    templates.check(&names)?;
    let fonts = Arc::new(Fonts::load(&templates.fonts()));
    let data = input::load(&season, &fonts.coverage(), hashes)?;
    timings.push(("load", start.elapsed()));
    let start = Instant::now();
    let scores = score::score(&season, &data);
    timings.push(("score", start.elapsed()));
    let start = Instant::now();
    let standings = rank::rank(&season, &data, &scores);
    timings.push(("rank", start.elapsed()));
    Ok(Checked {
        season,
        templates,
        fonts,
        data,
        scores,
        standings,
        timings,
    })
}

/// [`check`]s a season (hashing its input files for the manifest), then assesses its awards'
/// robustness, analyses it and finds what its reports say in words.
pub fn prepare(season: Season) -> Result<Prepared, Error> {
    let Checked {
        season,
        templates,
        fonts,
        data,
        scores,
        standings,
        mut timings,
    } = check_with(season, Hashes::Make)?;
    let start = Instant::now();
    let robustness = robustness::assess(&season, &data, &scores, &standings);
    timings.push(("robustness", start.elapsed()));
    let start = Instant::now();
    let analysis = analysis::analyse(&season, &data, &scores, &standings);
    timings.push(("analyse", start.elapsed()));
    let start = Instant::now();
    let findings = findings::find(&season, &data, &scores, &standings);
    timings.push(("findings", start.elapsed()));
    Ok(Prepared {
        season,
        templates,
        fonts,
        data,
        scores,
        standings,
        robustness,
        analysis,
        findings,
        timings,
    })
}

/// Reads and checks the config (with `overrides`), then [`prepare`]s the season.
pub fn prepare_config(
    config: &Path,
    overrides: &crate::config::Overrides,
) -> Result<Prepared, Error> {
    prepare(crate::config::load(config, overrides)?)
}

/// Every file and folder the season reads, which an output must not replace: the config,
/// the `--weights` overlay, the input files, the template folder and the files the config
/// names for the reports.
pub fn season_inputs(
    config: &Path,
    overrides: &crate::config::Overrides,
    season: &Season,
) -> Vec<crate::output::Input> {
    use crate::output::Input;
    let mut inputs = vec![
        Input::file("the config", config),
        Input::file(
            "the participants file (input.participants)",
            &season.participants_path,
        ),
        Input::file(
            "the responses file (input.responses)",
            &season.responses_path,
        ),
    ];
    let named = [
        (
            overrides.weights.as_deref(),
            "the weights overlay (--weights)",
        ),
        (
            season.previous.as_deref(),
            "last season's results (season.previous)",
        ),
        (
            season.sensitivity.as_deref(),
            "the sensitivity table (report.sensitivity)",
        ),
    ];
    inputs.extend(
        named
            .into_iter()
            .filter_map(|(path, what)| path.map(|path| Input::file(what, path))),
    );
    inputs.extend(
        season
            .templates_dir
            .as_deref()
            .map(|dir| Input::folder("the template folder (output.templates)", dir)),
    );
    inputs
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

/// The files the config names for the reports, read when named: last season's results and
/// the sensitivity table. A problem with one is a config error.
pub fn named_files(
    season: &Season,
) -> Result<
    (
        Option<documents::Previous>,
        Option<documents::WeightSensitivity>,
    ),
    Error,
> {
    let previous = load_named(
        season.previous.as_deref(),
        "last season's results (season.previous)",
        |path| Ok(documents::Previous::of(&ResultsFile::read(path)?)),
    )?;
    let weight_sensitivity = load_named(
        season.sensitivity.as_deref(),
        "the sensitivity table (report.sensitivity)",
        |path| {
            Ok(documents::WeightSensitivity::of(&sensitivity::Table::read(
                path,
            )?))
        },
    )?;
    Ok((previous, weight_sensitivity))
}

/// A file the config names (last season's results, a sensitivity table), read when named;
/// a problem with it is a config error.
fn load_named<T>(
    path: Option<&Path>,
    what: &str,
    load: impl FnOnce(&Path) -> Result<T, crate::output::ReadError>,
) -> Result<Option<T>, Error> {
    path.map(|path| {
        load(path)
            .map_err(|e| Error::Config(ConfigError::whole(path, format!("{what}: {}", e.message))))
    })
    .transpose()
}

impl Prepared {
    /// Every stage's figures, borrowed together.
    pub fn figures(&self) -> Figures<'_> {
        Figures {
            season: &self.season,
            data: &self.data,
            scores: &self.scores,
            standings: &self.standings,
            robustness: &self.robustness,
            analysis: &self.analysis,
            findings: &self.findings,
        }
    }

    /// What every document of the season shares, with last season's figures and the
    /// sensitivity table when the config names them.
    pub fn context(&self, date: NaiveDate) -> Result<documents::Context<'_>, Error> {
        let (previous, weight_sensitivity) = named_files(&self.season)?;
        Ok(documents::Context::new(self.figures(), date, previous)
            .with_sensitivity(weight_sensitivity))
    }
}
