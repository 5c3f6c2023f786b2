//! `ksp run`.

use std::path::PathBuf;

use super::Outcome;
use super::messages::{counted, print_warnings};
use ksp::config::{OnBadRow, Overrides};

#[derive(clap::Args)]
pub struct Args {
    /// The season's config file; default season.toml in this folder (in ksp's repository:
    /// the bundled config/ksp-2022.toml).
    config: Option<PathBuf>,
    /// The output folder; overrides output.dir of the config. ksp replaces it as a whole, so
    /// it must not exist yet, be empty, or be the output of an earlier ksp run (files you
    /// added to that are carried over); a folder holding the season's inputs is refused.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Override a config value by its dotted path, e.g. areas.agent.weight=40 or
    /// questions.would_buy.points=3 (array entries by id or index). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// A TOML overlay of new weights, points, bands or award rules (any subset of the
    /// config, e.g. `[areas.agent] weight = 40`); applied before --set.
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    /// Render processes (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Render only these participants' reports (comma-separated ids); results are still
    /// computed for everyone and the other reports already in the output are kept.
    #[arg(long, value_name = "ID,ID,...", value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Print the time each stage took.
    #[arg(long)]
    timings: bool,
    /// Also write each document's template data as JSON under data/, to preview a real
    /// participant with the typst CLI.
    #[arg(long)]
    emit_data: bool,
    /// What to do with a bad input row: `fail` (report every problem, write nothing) or
    /// `reject` (set it aside in rejects.csv and go on); overrides input.on_bad_row.
    #[arg(long, value_name = "fail|reject", value_parser = on_bad_row())]
    on_bad_row: Option<OnBadRow>,
    /// Render every document. Without it, a document whose template folder, data and
    /// report date are unchanged since the last run into the same output folder (per
    /// manifest.json) is carried over instead of rendered again.
    #[arg(long)]
    force: bool,
    /// Render only the K-th of N parts of the reports (K from 1; the award summary is in
    /// part 1). Results are computed in full on every shard; join the shards' output
    /// folders with `ksp merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// When another run is writing into the same output folder, wait for it to finish
    /// instead of failing at once (exit 3).
    #[arg(long)]
    wait: bool,
}

fn on_bad_row() -> impl clap::builder::TypedValueParser<Value = OnBadRow> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["fail", "reject"]).map(|mode| match mode.as_str() {
        "reject" => OnBadRow::Reject,
        _ => OnBadRow::Fail,
    })
}

/// A clap value parser, so its error is the message clap prints as a usage error.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    ksp::output::parse_shard(text)
        .ok_or_else(|| format!("`{text}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/3"))
}

pub fn run(args: Args) -> Result<Outcome, ksp::Error> {
    let summary = ksp::run(&ksp::RunOptions {
        config: args.config.map_or_else(super::default_config, Ok)?,
        overrides: Overrides {
            weights: args.weights,
            set: args.overrides,
            on_bad_row: args.on_bad_row,
        },
        out: args.out,
        jobs: args.jobs,
        only: args.only,
        emit_data: args.emit_data,
        worker: std::env::current_exe().ok(),
        progress: !super::messages::quiet(),
        force: args.force,
        shard: args.shard,
        wait: args.wait,
    })?;
    for dir in &summary.removed_stale {
        note!(
            "ksp: removed {}, the staging folder of an earlier run that did not finish",
            dir.display()
        );
    }
    super::messages::print_kept(
        &summary.out,
        &summary.carried_over,
        summary.kept_aside.as_deref(),
    );
    print_warnings(&summary.warnings);
    print_summary(&summary);
    if args.timings {
        for (stage, d) in &summary.timings {
            say!("  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
        }
    }
    Ok(Outcome::Done)
}

fn print_summary(summary: &ksp::RunSummary) {
    let total: f64 = summary.timings.iter().map(|(_, d)| d.as_secs_f64()).sum();
    let shard = summary
        .shard
        .as_ref()
        .map(|s| format!(" (shard {s})"))
        .unwrap_or_default();
    say!(
        "ksp: {} rows read = {} accepted + {} rejected; {}, {}; results and {}{shard} written to {} in {:.2} s",
        summary.rows_read,
        summary.rows_accepted,
        summary.rows_rejected,
        counted(summary.participants, "participant"),
        counted(summary.inquiries, "inquiry"),
        counted(summary.rendered.len() + summary.reused, "document"),
        summary.out.display(),
        total
    );
    if summary.rendered.is_empty() {
        say!(
            "ksp: nothing to render: all {} documents are unchanged since the last run (--force renders them anyway)",
            summary.reused
        );
    } else {
        say!(
            "ksp: {} rendered ({} with new content), {} unchanged since the last run",
            summary.rendered.len(),
            summary.changed.len(),
            summary.reused
        );
    }
}
