//! The `ksp` command line: parses arguments, calls the library, reports errors and maps them
//! to exit codes (0 ok, 1 config or data, 2 usage, 3 rendering or writing).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  ksp run                                   run the bundled 2022 season into out/ksp-2022
  ksp run config/ksp-2022.toml --out /tmp/season
  ksp run --set areas.agent.weight=40 --set award.min_inquiries=15
  ksp run --only P001,P017 --jobs 2         re-render two reports, keep the others
  ksp validate config/ksp-2022.toml         check config and data, render nothing
  ksp generate --participants 1000 --seed 7 --out /tmp/big";

#[derive(Parser)]
#[command(name = "ksp", version, about = "Runs a customer-service award season end to end: \
loads the responses, scores and ranks every participant, picks the winners and renders one PDF \
report per participant plus the award summary.", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score, rank and render a season into its output folder (all or nothing).
    #[command(after_help = EXAMPLES)]
    Run {
        /// The season's config file.
        #[arg(default_value = "config/ksp-2022.toml")]
        config: PathBuf,
        /// The output folder; overrides output.dir of the config.
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
        #[arg(long, value_name = "fail|reject", value_parser = ["fail", "reject"])]
        on_bad_row: Option<String>,
    },
    /// Check the config and the input files without rendering or writing anything.
    Validate {
        /// The season's config file.
        #[arg(default_value = "config/ksp-2022.toml")]
        config: PathBuf,
        /// Override a config value by its dotted path. Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
    },
    /// Render one part of a run's documents into its staging folder (used by `ksp run`).
    #[command(hide = true)]
    RenderPart {
        config: PathBuf,
        #[arg(long = "set")]
        overrides: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
        #[arg(long)]
        staging: PathBuf,
        /// K/N: every N-th document from the K-th (0-based).
        #[arg(long)]
        part: String,
        #[arg(long)]
        emit_data: bool,
    },
    /// Write a synthetic season (participants.csv, responses.csv) for tests and benchmarks.
    Generate {
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ksp::output::clean_up_on_interrupt();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn print_warnings(warnings: &[ksp::input::Warning]) {
    for w in warnings {
        let times = if w.count > 1 {
            format!(" ({} times, first here)", w.count)
        } else {
            String::new()
        };
        eprintln!("warning: {}: {}{times}", w.first, w.message);
    }
}

fn execute(command: Command) -> Result<(), ksp::Error> {
    match command {
        Command::Run {
            config,
            out,
            overrides,
            jobs,
            only,
            timings,
            emit_data,
            on_bad_row,
            weights,
        } => {
            let mut overrides = match weights {
                Some(file) => ksp::config::overlay_overrides(&file)?
                    .into_iter()
                    .chain(overrides)
                    .collect(),
                None => overrides,
            };
            if let Some(mode) = on_bad_row {
                overrides.push(format!("input.on_bad_row={mode}"));
            }
            let summary = ksp::run(&ksp::RunOptions {
                config,
                overrides,
                out,
                jobs,
                only,
                emit_data,
                worker: std::env::current_exe().ok(),
                progress: true,
            })?;
            print_warnings(&summary.warnings);
            let total: f64 = summary.timings.iter().map(|(_, d)| d.as_secs_f64()).sum();
            println!(
                "ksp: {} rows read = {} accepted + {} rejected; {} participants, {} inquiries; \
{} reports and the award summary written to {} in {:.2} s",
                summary.rows_read,
                summary.rows_read - summary.rows_rejected,
                summary.rows_rejected,
                summary.participants,
                summary.inquiries,
                summary.reports,
                summary.out.display(),
                total
            );
            if timings {
                for (stage, d) in &summary.timings {
                    println!("  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            Ok(())
        }
        Command::RenderPart {
            config,
            overrides,
            only,
            staging,
            part,
            emit_data,
        } => {
            let (index, count) = part
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
                .filter(|(k, n): &(usize, usize)| k < n)
                .ok_or_else(|| {
                    ksp::Error::Usage(format!("--part {part}: expected K/N with K < N"))
                })?;
            ksp::render_worker(&ksp::PartOptions {
                config,
                overrides,
                only,
                staging,
                part: ksp::Part { index, count },
                emit_data,
            })
        }
        Command::Validate { config, overrides } => {
            let prepared = ksp::prepare(&config, &overrides)?;
            print_warnings(&prepared.data.warnings);
            let ranked = prepared.standings.eligible.iter().filter(|e| **e).count();
            println!(
                "ksp: {} is valid: {} participants ({} ranked) in {} classes, {} inquiries",
                config.display(),
                prepared.data.participants.len(),
                ranked,
                prepared.standings.classes.len(),
                prepared.data.inquiries.len()
            );
            Ok(())
        }
        Command::Generate {
            participants,
            inquiries,
            seed,
            year,
            out,
            parquet,
        } => {
            let spec = ksp::generate::Spec {
                participants,
                inquiries: inquiries.unwrap_or(participants * 25),
                seed,
                year,
            };
            let (p, r) = ksp::generate::generate(&spec);
            let write = |name: &str, text: &str| {
                let (name, bytes) = if parquet {
                    let name = name.replace(".csv", ".parquet");
                    let bytes = ksp::table::csv_to_parquet(Path::new(&name), text.as_bytes())
                        .map_err(ksp::Error::Output)?;
                    (name, bytes)
                } else {
                    (name.to_string(), text.as_bytes().to_vec())
                };
                let path = out.join(&name);
                std::fs::create_dir_all(&out)
                    .and_then(|()| std::fs::write(&path, bytes))
                    .map_err(|e| {
                        ksp::Error::Output(format!("cannot write {}: {e}", path.display()))
                    })
            };
            write("participants.csv", &p)?;
            write("responses.csv", &r)?;
            println!(
                "ksp: wrote {} participants and {} inquiries to {}",
                participants,
                spec.inquiries,
                out.display()
            );
            Ok(())
        }
    }
}
