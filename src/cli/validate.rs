//! `ksp validate`.

use std::path::PathBuf;

use super::Outcome;
use super::messages::{counted, print_warnings};

#[derive(clap::Args)]
pub struct Args {
    /// The season's config file; default season.toml in this folder (in ksp's repository:
    /// the bundled config/ksp-2022.toml).
    config: Option<PathBuf>,
    /// Override a config value by its dotted path. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

pub fn validate(args: Args) -> Result<Outcome, ksp::Error> {
    let config = args.config.map_or_else(super::default_config, Ok)?;
    let mut season = ksp::config::load(&config, &ksp::config::Overrides::set(&args.overrides))?;
    // Resampled ranks and key drivers check nothing and would cost a large season seconds.
    season.award.resamples = 0;
    season.drivers = None;
    let prepared = ksp::prepare(season)?;
    // The files the config names for the reports (last season, a sensitivity table).
    prepared.context(ksp::report_date(&prepared.season, &prepared.data))?;
    print_warnings(&prepared.data.warnings);
    let ranked = prepared.standings.eligible.iter().filter(|e| **e).count();
    println!(
        "ksp: {} is valid: {} ({} ranked) in {}, {}",
        config.display(),
        counted(prepared.data.participants.len(), "participant"),
        ranked,
        counted(prepared.standings.classes.len(), "class"),
        counted(prepared.data.inquiries.len(), "inquiry")
    );
    // The process ends here: freeing a large season's millions of small allocations one by
    // one took seconds the operating system does at once.
    std::mem::forget(prepared);
    Ok(Outcome::Done)
}
