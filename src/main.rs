//! The `ksp` command line: parses arguments, calls the library, reports errors and maps them
//! to exit codes (0 ok, 1 config or data, 2 usage, 3 rendering or writing).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  ksp run                                   run the bundled 2022 season into out/ksp-2022
  ksp run config/ksp-2022.toml --out /tmp/season
  ksp run config/panel-2013.toml            a panel-index season (50 respondents to rank)
  ksp run config/chat-study.toml            a channel study: one report, no awards
  ksp run --set areas.agent.weight=40 --set award.min_inquiries=15
  ksp run --only P001,P017 --force          render two reports again, keep the others
  ksp run --weights new-weights.toml --out out/reweighted
  ksp diff out/ksp-2022 out/reweighted      what moved; exit 1 when anything did
  ksp sensitivity --vary areas.agent.weight=±20% --vary areas.wait.weight=±20%
  ksp run --shard 2/3 --out shard2          one part of the reports, for CI matrices
  ksp merge shard1 shard2 shard3 --out out/ksp-2022
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
    },
    /// Show what changed between two runs (exit 1 when anything did).
    ///
    /// Compares config keys, winners, eligibility, classes, class ranks and totals, prints a
    /// table and writes diff.csv and diff.json. Exits 0 when nothing changed, 1 when something
    /// did, 2 when a folder is not a ksp output.
    #[command(
        after_help = "Example:\n  ksp diff last-night/ksp-2022 out/ksp-2022 --threshold 0.1 --out diff/"
    )]
    Diff {
        /// The earlier run's output folder.
        old: PathBuf,
        /// The later run's output folder.
        new: PathBuf,
        /// Totals count as changed when they moved by more than this many points.
        #[arg(long, default_value_t = 0.01, value_name = "POINTS")]
        threshold: f64,
        /// Where to write diff.csv and diff.json.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Join the output folders of `ksp run --shard 1/N … N/N` into one.
    ///
    /// Checks that every shard is there once, from the same ksp, config and inputs, and that
    /// every file is as its manifest says; the result equals a single run's output.
    #[command(after_help = "Example:\n  ksp merge shard-1 shard-2 shard-3 --out out/ksp-2022")]
    Merge {
        /// The shards' output folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The merged output folder (replaced all or nothing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// When another run is writing into DIR, wait for it instead of failing.
        #[arg(long)]
        wait: bool,
    },
    /// Check that an output folder is complete: every file its manifest lists, unchanged.
    ///
    /// Exits 0 when every file of manifest.json is there with its SHA-256 and size, 1 with the
    /// list of missing or changed files, 2 when the folder has no readable manifest. Files the
    /// manifest does not list are named but do not fail the check. A publishing step can run
    /// it before it copies the folder anywhere.
    #[command(
        after_help = "Example:\n  ksp verify out/ksp-2022 && rsync -a out/ksp-2022/ publish/"
    )]
    Verify {
        /// The output folder of `ksp run` or `ksp merge`.
        dir: PathBuf,
    },
    /// How often each participant wins its class under other weights.
    ///
    /// Re-scores the season under many random weightings, each varied key drawn uniformly
    /// within its bounds. Seeded: the same seed gives the same table. Renders nothing; writes
    /// sensitivity.csv and sensitivity.json.
    #[command(
        after_help = "Example:\n  ksp sensitivity config/ksp-2022.toml --vary areas.agent.weight=±20% \\\n      --vary questions.agent_solution.points=±50% --runs 500 --seed 7 --out /tmp/sens"
    )]
    Sensitivity {
        /// The season's config file.
        #[arg(default_value = "config/ksp-2022.toml")]
        config: PathBuf,
        /// A numeric config key and how far to vary it, as KEY=±PCT. Repeatable.
        #[arg(long, value_name = "KEY=±PCT", required = true)]
        vary: Vec<ksp::sensitivity::Vary>,
        /// Weightings to try.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Seed of the random weightings.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Override a config value by its dotted path before varying. Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Where to write sensitivity.csv and sensitivity.json.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
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
    /// Render the documents `ksp run` sends on standard input into its staging folder.
    #[command(hide = true)]
    RenderPart {
        #[arg(long)]
        staging: PathBuf,
        /// The template folder; the built-in templates when absent.
        #[arg(long)]
        templates: Option<PathBuf>,
        /// The report date, YYYY-MM-DD.
        #[arg(long)]
        date: chrono::NaiveDate,
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

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    ksp::output::parse_shard(text)
        .ok_or_else(|| format!("`{text}`: expected K/N with 1 ≤ K ≤ N, e.g. 2/3"))
}

fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), ksp::Error> {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| ksp::Error::Output(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ksp::output::clean_up_on_interrupt();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ksp::Error::Changed) => ExitCode::from(1),
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
            force,
            shard,
            wait,
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
                force,
                shard,
                wait,
            })?;
            for dir in &summary.removed_stale {
                eprintln!(
                    "ksp: removed {}, the staging folder of an earlier run that did not finish",
                    dir.display()
                );
            }
            print_warnings(&summary.warnings);
            let total: f64 = summary.timings.iter().map(|(_, d)| d.as_secs_f64()).sum();
            let shard = summary
                .shard
                .as_ref()
                .map(|s| format!(" (shard {s})"))
                .unwrap_or_default();
            println!(
                "ksp: {} rows read = {} accepted + {} rejected; {}, {}; \
results and {}{shard} written to {} in {:.2} s",
                summary.rows_read,
                summary.rows_read - summary.rows_rejected,
                summary.rows_rejected,
                counted(summary.participants, "participant"),
                counted(summary.inquiries, "inquiry"),
                counted(summary.rendered.len() + summary.reused, "document"),
                summary.out.display(),
                total
            );
            if summary.rendered.is_empty() {
                println!(
                    "ksp: nothing to render: all {} documents are unchanged since the last run (--force renders them anyway)",
                    summary.reused
                );
            } else {
                println!(
                    "ksp: {} rendered ({} with new content), {} unchanged since the last run",
                    summary.rendered.len(),
                    summary.changed.len(),
                    summary.reused
                );
            }
            if timings {
                for (stage, d) in &summary.timings {
                    println!("  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            Ok(())
        }
        Command::RenderPart {
            staging,
            templates,
            date,
        } => ksp::run::render_worker(&ksp::run::PartOptions {
            staging,
            templates,
            date,
        }),
        Command::Diff {
            old,
            new,
            threshold,
            out,
        } => {
            let changes = ksp::diff::diff(&old, &new, threshold)
                .map_err(|e| ksp::Error::Usage(e.to_string()))?;
            write_files(
                &out,
                &[
                    ("diff.csv", ksp::diff::to_csv(&changes)),
                    (
                        "diff.json",
                        ksp::diff::to_json(&old, &new, threshold, &changes),
                    ),
                ],
            )?;
            if changes.is_empty() {
                println!(
                    "ksp: no changes from {} to {} (diff.csv and diff.json in {})",
                    old.display(),
                    new.display(),
                    out.display()
                );
                Ok(())
            } else {
                print!("{}", ksp::diff::to_table(&changes));
                println!(
                    "ksp: {} changes from {} to {} (diff.csv and diff.json in {})",
                    changes.len(),
                    old.display(),
                    new.display(),
                    out.display()
                );
                Err(ksp::Error::Changed)
            }
        }
        Command::Merge { shards, out, wait } => {
            let lock = ksp::output::OutputLock::acquire(&out, wait, |holder| {
                eprintln!(
                    "ksp: waiting for the other run into {} ({holder}) to finish",
                    out.display()
                )
            })?;
            let files = ksp::output::merge(&shards, &out, &lock).map_err(ksp::Error::Output)?;
            println!(
                "ksp: merged {} shards, {files} files, into {}",
                shards.len(),
                out.display()
            );
            Ok(())
        }
        Command::Sensitivity {
            config,
            vary,
            runs,
            seed,
            overrides,
            out,
        } => {
            let table = ksp::sensitivity::sensitivity(&ksp::sensitivity::Options {
                config,
                overrides,
                vary,
                runs,
                seed,
            })?;
            write_files(
                &out,
                &[
                    ("sensitivity.csv", table.csv()),
                    ("sensitivity.json", table.json()),
                ],
            )?;
            print!("{}", table.summary());
            println!(
                "ksp: {runs} weightings (seed {seed}); sensitivity.csv and sensitivity.json in {}",
                out.display()
            );
            Ok(())
        }
        Command::Verify { dir } => {
            let found = ksp::output::verify(&dir).map_err(ksp::Error::Usage)?;
            for path in &found.unlisted {
                eprintln!("note: {path} is not in the manifest");
            }
            if found.is_intact() {
                println!(
                    "ksp: {} is complete: all {} files of its manifest are there, unchanged",
                    dir.display(),
                    found.listed
                );
                return Ok(());
            }
            for path in &found.missing {
                println!("missing: {path}");
            }
            for path in &found.changed {
                println!("changed: {path}");
            }
            println!(
                "ksp: {} is not as its manifest says: {} missing, {} changed of {} files",
                dir.display(),
                found.missing.len(),
                found.changed.len(),
                found.listed
            );
            Err(ksp::Error::Changed)
        }
        Command::Validate { config, overrides } => {
            let prepared = ksp::prepare_config(&config, &overrides)?;
            // The files the config names for the reports (last season, a sensitivity table).
            prepared.context(ksp::report_date(&prepared.season, &prepared.data))?;
            print_warnings(&prepared.data.warnings);
            let ranked = prepared.standings.eligible.iter().filter(|e| **e).count();
            println!(
                "ksp: {} is valid: {} ({} ranked) in {}, {}",
                config.display(),
                counted(prepared.data.participants.len(), "participant"),
                ranked,
                counted(prepared.standings.classes.len(), "class"),
                counted(prepared.data.inquiries.len(), "inquiry")
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
                    let bytes =
                        ksp::input::table::csv_to_parquet(Path::new(&name), text.as_bytes())
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

/// `1 participant`, `2 participants`, `3 inquiries`, `4 classes`.
fn counted(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "inquiry") => format!("{n} inquiries"),
        (_, "class") => format!("{n} classes"),
        _ => format!("{n} {word}s"),
    }
}
