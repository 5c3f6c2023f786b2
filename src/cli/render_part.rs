//! `ksp render-part`: a render process of `ksp run` (hidden).

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    staging: PathBuf,
    /// The template folder; the built-in templates when absent.
    #[arg(long)]
    templates: Option<PathBuf>,
    /// The report date, YYYY-MM-DD.
    #[arg(long)]
    date: chrono::NaiveDate,
}

pub fn render_part(args: Args) -> Result<Outcome, ksp::Error> {
    ksp::run::render_worker(&ksp::run::PartOptions {
        staging: args.staging,
        templates: args.templates,
        date: args.date,
    })?;
    Ok(Outcome::Done)
}
