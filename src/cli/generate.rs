//! `ksp generate`.

use std::path::PathBuf;

use super::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// Participants to generate.
    #[arg(long, default_value_t = 188)]
    participants: usize,
    /// Inquiries in all (default: 25 per participant).
    #[arg(long)]
    inquiries: Option<usize>,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// The season's year.
    #[arg(long, default_value_t = 2022)]
    year: i32,
    /// The folder to write into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write Parquet files (participants.parquet, responses.parquet) instead of CSV.
    #[arg(long)]
    parquet: bool,
    /// Replace participants and responses files already in DIR.
    #[arg(long)]
    force: bool,
}

pub fn generate(args: Args) -> Result<Outcome, ksp::Error> {
    let spec = ksp::generate::Spec {
        participants: args.participants,
        inquiries: args.inquiries.unwrap_or(args.participants * 25),
        seed: args.seed,
        year: args.year,
        classes: 0,
    };
    let extension = if args.parquet { "parquet" } else { "csv" };
    let names = ["participants", "responses"].map(|name| format!("{name}.{extension}"));
    refuse_existing(&args.out, &names, args.force)?;
    let (participants, responses) = ksp::generate::generate(&spec);
    for (name, text) in [
        ("participants.csv", participants),
        ("responses.csv", responses),
    ] {
        let (name, bytes) = if args.parquet {
            let bytes = ksp::input::table::csv_to_parquet(text.as_bytes()).map_err(|e| {
                ksp::output::OutputError {
                    action: "write as Parquet",
                    path: args.out.join(name),
                    source: std::io::Error::other(e),
                }
            })?;
            (name.replace(".csv", ".parquet"), bytes)
        } else {
            (name.to_string(), text.into_bytes())
        };
        ksp::output::write_file(&args.out, &name, &bytes)?;
    }
    say!(
        "ksp: wrote {} participants and {} inquiries to {}",
        args.participants,
        spec.inquiries,
        args.out.display()
    );
    Ok(Outcome::Done)
}

/// Refuses to replace files already in `dir`, unless `force`.
fn refuse_existing(dir: &std::path::Path, names: &[String], force: bool) -> Result<(), ksp::Error> {
    let existing: Vec<String> = names
        .iter()
        .filter(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
        .cloned()
        .collect();
    if existing.is_empty() || force {
        return Ok(());
    }
    Err(ksp::Error::Usage(format!(
        "{} already holds {}: choose another folder, or add --force to replace {}",
        dir.display(),
        ksp::output::guard::listing(&existing),
        if existing.len() == 1 { "it" } else { "them" }
    )))
}
