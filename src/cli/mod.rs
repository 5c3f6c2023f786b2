//! The command line: clap definitions, one file per subcommand, and the outcome of each as
//! an exit code (0 done, 1 differences or config and data errors, 2 usage, 3 rendering or
//! writing failed).

/// Prints a line of a command's output on standard output, unless `--quiet`.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::cli::messages::quiet() {
            println!($($arg)*);
        }
    };
}

/// Prints a note or warning on standard error, unless `--quiet` (errors are always printed).
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::cli::messages::quiet() {
            eprintln!($($arg)*);
        }
    };
}

mod diff;
mod generate;
mod merge;
pub mod messages;
mod new;
mod preview;
mod render_part;
mod run;
mod sensitivity;
mod shell;
mod templates;
mod validate;
mod verify;

use clap::{Parser, Subcommand};

pub use messages::report;

const EXAMPLES: &str = "\
Examples:
  ksp new seasons/2026                      start a season: config, sample data, README
  ksp run seasons/2026/season.toml          render it (or `ksp run` inside the folder)
  ksp run                                   in the repository: the bundled 2022 season
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
  ksp verify out/ksp-2022                   is every file of the manifest there, unchanged?
  ksp validate config/ksp-2022.toml         check config and data, render nothing
  ksp preview season.toml P001 --watch      one report, rendered again on every edit
  ksp templates export my-templates         the built-in templates, to make them yours
  ksp generate --participants 1000 --seed 7 --out /tmp/big
  ksp completions bash > ~/.local/share/bash-completion/completions/ksp
  ksp run -q                                errors only, for scripts";

#[derive(Parser)]
#[command(name = "ksp", version, about = "Runs a customer-service award season end to end: \
loads the responses, scores and ranks every participant, picks the winners and renders one PDF \
report per participant plus the award summary.", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print errors only: no summaries, notes, warnings or progress (the exit code tells
    /// the outcome).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Score, rank and render a season into its output folder (all or nothing).
    #[command(after_help = EXAMPLES)]
    Run(run::Args),
    /// Show what changed between two runs (exit 1 when anything did).
    ///
    /// Compares config keys, winners, eligibility, classes, class ranks, totals and chances of
    /// winning the class (p_class_win), prints a
    /// table and writes diff.csv and diff.json. Exits 0 when nothing changed, 1 when something
    /// did, 2 when a folder is not a ksp output.
    #[command(
        after_help = "Example:\n  ksp diff last-night/ksp-2022 out/ksp-2022 --threshold 0.1 --out diff/"
    )]
    Diff(diff::Args),
    /// Join the output folders of `ksp run --shard 1/N … N/N` into one.
    ///
    /// Checks that every shard is there once, from the same ksp, config and inputs, and that
    /// every file is as its manifest says; the result equals a single run's output.
    #[command(after_help = "Example:\n  ksp merge shard-1 shard-2 shard-3 --out out/ksp-2022")]
    Merge(merge::Args),
    /// Check that an output folder is complete: every file its manifest lists, unchanged.
    ///
    /// Exits 0 when every file of manifest.json is there with its SHA-256 and size, 1 with the
    /// list of missing or changed files, 2 when the folder has no readable manifest. Files the
    /// manifest does not list are named but do not fail the check. A publishing step can run
    /// it before it copies the folder anywhere.
    #[command(
        after_help = "Example:\n  ksp verify out/ksp-2022 && rsync -a out/ksp-2022/ publish/"
    )]
    Verify(verify::Args),
    /// How often each participant wins its class under other weights.
    ///
    /// Re-scores the season under many random weightings, each varied key drawn uniformly
    /// within its bounds. Seeded: the same seed gives the same table. Renders nothing; writes
    /// sensitivity.csv and sensitivity.json.
    #[command(
        after_help = "Example:\n  ksp sensitivity config/ksp-2022.toml --vary areas.agent.weight=±20% \\\n      --vary questions.agent_solution.points=±50% --runs 500 --seed 7 --out /tmp/sens"
    )]
    Sensitivity(sensitivity::Args),
    /// Check the config, the input files and the files the config names for the reports,
    /// without rendering or writing anything.
    Validate(validate::Args),
    /// Start a season in a new folder: a commented season.toml, sample data and a README.
    #[command(after_help = "Example:\n  ksp new seasons/2026 && cd seasons/2026 && ksp run")]
    New(new::Args),
    /// Render one participant's report (or the summary) to a PDF, and with --watch again on
    /// every change to a template, the config or an input file.
    ///
    /// The season is loaded and scored once; a template edit shows in the PDF within a
    /// second. A template error is printed with its line, and the watch goes on.
    #[command(
        after_help = "Examples:\n  ksp preview P001                          season.toml in this folder, to P001.pdf\n  ksp preview config/ksp-2022.toml summary --out /tmp/summary.pdf --watch"
    )]
    Preview(preview::Args),
    /// The built-in templates: `ksp templates export DIR` writes them out to edit.
    #[command(subcommand)]
    Templates(templates::Args),
    /// Render the documents `ksp run` sends on standard input into its staging folder.
    #[command(hide = true)]
    RenderPart(render_part::Args),
    /// Write a synthetic season (participants.csv, responses.csv) for tests and benchmarks.
    Generate(generate::Args),
    /// Print a shell's completion script for ksp.
    #[command(after_help = shell::COMPLETIONS_HELP)]
    Completions(shell::CompletionsArgs),
    /// Print ksp's man page (roff), e.g. `ksp man > ~/.local/share/man/man1/ksp.1`.
    Man,
}

/// How a command ended that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// What was compared differs (`ksp diff`, `ksp verify`): exit 1, so CI can act on it.
    Differs,
}

pub fn execute(command: Command) -> Result<Outcome, ksp::Error> {
    match command {
        Command::Run(args) => run::run(args),
        Command::Diff(args) => diff::diff(args),
        Command::Merge(args) => merge::merge(args),
        Command::Verify(args) => verify::verify(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Validate(args) => validate::validate(args),
        Command::New(args) => new::new(args),
        Command::Preview(args) => preview::preview(args),
        Command::Templates(args) => templates::templates(args),
        Command::RenderPart(args) => render_part::render_part(args),
        Command::Generate(args) => generate::generate(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
    }
}

/// The config when none is named: `season.toml` in this folder (as `ksp new` writes it), else
/// the repository's bundled season.
fn default_config() -> Result<std::path::PathBuf, ksp::Error> {
    ["season.toml", "config/ksp-2022.toml"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            ksp::Error::Usage(
                "there is no season.toml in this folder: start a season with `ksp new DIR`, or name a config, e.g. `ksp run path/to/season.toml`".into(),
            )
        })
}

/// Refuses to write into a folder that has files, unless `force`.
fn refuse_non_empty(dir: &std::path::Path, force: bool) -> Result<(), ksp::Error> {
    let has_files = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if has_files && !force {
        return Err(ksp::Error::Usage(format!(
            "{} is not empty: choose a new folder, or add --force to write into it",
            dir.display()
        )));
    }
    Ok(())
}
