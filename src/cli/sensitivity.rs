//! `ksp sensitivity`.

use std::path::PathBuf;

use super::Outcome;
use super::messages::write_files;

#[derive(clap::Args)]
pub struct Args {
    /// The season's config file; default season.toml in this folder (in ksp's repository:
    /// the bundled config/ksp-2022.toml).
    config: Option<PathBuf>,
    /// A numeric config key and how far to vary it, as KEY=±PCT. Repeatable.
    #[arg(long, value_name = "KEY=±PCT", required = true)]
    vary: Vec<ksp::sensitivity::Vary>,
    /// Weightings to try.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Seed of the random weightings.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Override a config value by its dotted path before varying. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Where to write sensitivity.csv and sensitivity.json.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
}

pub fn sensitivity(args: Args) -> Result<Outcome, ksp::Error> {
    let table = ksp::sensitivity::sensitivity(&ksp::sensitivity::Options {
        config: args.config.map_or_else(super::default_config, Ok)?,
        overrides: args.overrides,
        vary: args.vary,
        runs: args.runs,
        seed: args.seed,
    })?;
    write_files(
        &args.out,
        &[
            ("sensitivity.csv", table.csv()),
            ("sensitivity.json", table.json()),
        ],
    )?;
    print!("{}", table.summary());
    say!(
        "ksp: {} weightings (seed {}); sensitivity.csv and sensitivity.json in {}",
        args.runs,
        args.seed,
        args.out.display()
    );
    Ok(Outcome::Done)
}
