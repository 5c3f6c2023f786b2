//! `ksp merge`.

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The shards' output folders, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// The merged output folder, replaced all or nothing: it must not exist yet, be empty,
    /// or be a ksp output (files you added to that are carried over).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// When another run is writing into DIR, wait for it instead of failing.
    #[arg(long)]
    wait: bool,
}

pub fn merge(args: Args) -> Result<Outcome, ksp::Error> {
    ksp::output::check_target(&args.out, &ksp::output::shard_inputs(&args.shards))?;
    let lock = ksp::output::OutputLock::acquire(&args.out, args.wait, |holder| {
        note!(
            "ksp: waiting for the other run into {} ({holder}) to finish",
            args.out.display()
        )
    })?;
    let merged = ksp::output::merge(&args.shards, &args.out, &lock)?;
    super::messages::print_kept(&args.out, &merged.carried, merged.kept_aside.as_deref());
    say!(
        "ksp: merged {} shards, {} files, into {}",
        args.shards.len(),
        merged.files,
        args.out.display()
    );
    Ok(Outcome::Done)
}
