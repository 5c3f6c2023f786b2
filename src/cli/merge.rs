//! `ksp merge`.

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The shards' output folders, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// The merged output folder (replaced all or nothing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// When another run is writing into DIR, wait for it instead of failing.
    #[arg(long)]
    wait: bool,
}

pub fn merge(args: Args) -> Result<Outcome, ksp::Error> {
    let lock = ksp::output::OutputLock::acquire(&args.out, args.wait, |holder| {
        eprintln!(
            "ksp: waiting for the other run into {} ({holder}) to finish",
            args.out.display()
        )
    })?;
    let files = ksp::output::merge(&args.shards, &args.out, &lock)?;
    println!(
        "ksp: merged {} shards, {files} files, into {}",
        args.shards.len(),
        args.out.display()
    );
    Ok(Outcome::Done)
}
