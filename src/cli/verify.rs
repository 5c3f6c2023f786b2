//! `ksp verify`.

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The output folder of `ksp run` or `ksp merge`.
    dir: PathBuf,
}

pub fn verify(args: Args) -> Result<Outcome, ksp::Error> {
    let dir = args.dir.display();
    let found = ksp::output::verify(&args.dir)?;
    for path in &found.unlisted {
        note!("note: {path} is not in the manifest");
    }
    if found.is_intact() {
        say!(
            "ksp: {dir} is complete: all {} files of its manifest are there, unchanged",
            found.listed
        );
        return Ok(Outcome::Done);
    }
    for path in &found.missing {
        say!("missing: {path}");
    }
    for path in &found.changed {
        say!("changed: {path}");
    }
    say!(
        "ksp: {dir} is not as its manifest says: {} missing, {} changed of {} files",
        found.missing.len(),
        found.changed.len(),
        found.listed
    );
    Ok(Outcome::Differs)
}
