//! `ksp templates export`.

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Subcommand)]
pub enum Args {
    /// Write the built-in templates (all three surveys), their lib/, the fonts with their
    /// licences and sample data into DIR, to edit and use as output.templates = "DIR".
    #[command(
        after_help = "Then, in DIR, with the Typst CLI 0.15.1:\n  typst compile participant.typ --font-path fonts --input data=/samples/participant.json\n  typst compile panel/participant.typ --root . --font-path fonts --input data=/samples/panel-participant.json\nset output.templates = \"DIR\" in season.toml, and preview a real participant while you edit:\n  ksp preview season.toml P001 --watch"
    )]
    Export {
        /// The folder to write the templates into.
        dir: PathBuf,
        /// Write into DIR even when it is not empty, replacing files of the same names.
        #[arg(long)]
        force: bool,
    },
}

pub fn templates(args: Args) -> Result<Outcome, ksp::Error> {
    let Args::Export { dir, force } = args;
    super::refuse_non_empty(&dir, force)?;
    let files = ksp::render::builtin::FILES;
    for (path, bytes) in files {
        ksp::output::write_file(&dir, path, bytes)?;
    }
    say!(
        "ksp: {} files of the built-in templates in {}; set output.templates = \"{}\" in a season's config to use them",
        files.len(),
        dir.display(),
        dir.display()
    );
    Ok(Outcome::Done)
}
