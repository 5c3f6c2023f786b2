//! `ksp new`.

use std::path::PathBuf;

use chrono::Datelike;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The folder to create the season in.
    dir: PathBuf,
    /// Write into DIR even when it is not empty, replacing files of the same names.
    #[arg(long)]
    force: bool,
}

pub fn new(args: Args) -> Result<Outcome, ksp::Error> {
    super::refuse_non_empty(&args.dir, args.force)?;
    let year = chrono::Local::now().year();
    for (name, bytes) in ksp::starter::season_files(year) {
        ksp::output::write_file(&args.dir, name, &bytes)?;
    }
    let dir = args.dir.display();
    say!("ksp: a new season in {dir}: season.toml, participants.csv, responses.csv, README.md");
    say!("ksp: render it with `ksp run {dir}/season.toml`, or `ksp run` in {dir}");
    Ok(Outcome::Done)
}
