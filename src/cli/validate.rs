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
    let season = ksp::config::load(&config, &ksp::config::Overrides::set(&args.overrides))?;
    // Loading, scoring and ranking is all that can find a problem; resampled ranks, analyses,
    // findings and key drivers check nothing and would cost a large season seconds.
    let checked = ksp::check(season)?;
    ksp::named_files(&checked.season)?;
    print_warnings(&checked.data.warnings);
    let ranked = checked.standings.eligible.iter().filter(|e| **e).count();
    say!(
        "ksp: {} is valid: {} ({} ranked) in {}, {}",
        config.display(),
        counted(checked.data.participants.len(), "participant"),
        ranked,
        counted(checked.standings.classes.len(), "class"),
        counted(checked.data.inquiries.len(), "inquiry")
    );
    // The process ends here: freeing a large season's millions of small allocations one by
    // one took seconds the operating system does at once.
    std::mem::forget(checked);
    Ok(Outcome::Done)
}
