//! `ksp completions SHELL` and `ksp man`: the completion scripts and the man page an
//! installed command line ships, made from the same clap definitions as `--help`.

use clap::CommandFactory;

use super::{Cli, Outcome};

pub const COMPLETIONS_HELP: &str = "\
Install, e.g.:
  bash:  ksp completions bash > ~/.local/share/bash-completion/completions/ksp
  zsh:   ksp completions zsh > ~/.zfunc/_ksp      (with fpath+=~/.zfunc before compinit)
  fish:  ksp completions fish > ~/.config/fish/completions/ksp.fish
  PowerShell:  ksp completions powershell >> $PROFILE";

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> Result<Outcome, ksp::Error> {
    let mut command = shown(Cli::command());
    clap_complete::generate(args.shell, &mut command, "ksp", &mut std::io::stdout());
    Ok(Outcome::Done)
}

/// The command without its hidden subcommands (`render-part`, which `ksp run` starts), so
/// `ksp r<Tab>` completes to `ksp run`.
fn shown(command: clap::Command) -> clap::Command {
    let visible: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut shown = clap::Command::new("ksp")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommands(visible);
    for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
        if !matches!(arg.get_id().as_str(), "help" | "version") {
            shown = shown.arg(arg.clone());
        }
    }
    shown
}

pub fn man() -> Result<Outcome, ksp::Error> {
    clap_mangen::Man::new(Cli::command())
        .render(&mut std::io::stdout())
        .map_err(|e| ksp::Error::Usage(format!("cannot write the man page: {e}")))?;
    Ok(Outcome::Done)
}
