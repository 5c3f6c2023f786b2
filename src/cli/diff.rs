//! `ksp diff`.

use std::path::PathBuf;

use super::Outcome;
use super::messages::write_files;

#[derive(clap::Args)]
pub struct Args {
    /// The earlier run's output folder.
    old: PathBuf,
    /// The later run's output folder.
    new: PathBuf,
    /// Totals count as changed when they moved by more than this many points.
    #[arg(long, default_value_t = 0.01, value_name = "POINTS")]
    threshold: f64,
    /// Chances of winning the class (p_class_win, a share from 0 to 1) count as changed
    /// when they moved by more than this.
    #[arg(long, default_value_t = 0.05, value_name = "SHARE")]
    win_threshold: f64,
    /// Where to write diff.csv and diff.json.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
}

pub fn diff(args: Args) -> Result<Outcome, ksp::Error> {
    let thresholds = ksp::diff::Thresholds {
        total: args.threshold,
        win_chance: args.win_threshold,
    };
    let changes = ksp::diff::diff(&args.old, &args.new, thresholds)?;
    write_files(
        &args.out,
        &[
            ("diff.csv", ksp::diff::to_csv(&changes)),
            (
                "diff.json",
                ksp::diff::to_json(&args.old, &args.new, thresholds, &changes),
            ),
        ],
    )?;
    let (old, new, out) = (args.old.display(), args.new.display(), args.out.display());
    if changes.is_empty() {
        say!("ksp: no changes from {old} to {new} (diff.csv and diff.json in {out})");
        return Ok(Outcome::Done);
    }
    print!("{}", ksp::diff::to_table(&changes));
    say!(
        "ksp: {} changes from {old} to {new} (diff.csv and diff.json in {out})",
        changes.len()
    );
    Ok(Outcome::Differs)
}
