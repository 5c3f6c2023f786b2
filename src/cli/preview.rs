//! `ksp preview`.

use std::path::PathBuf;

use super::Outcome;
use ksp::run::{FileWatch, Preview, PreviewOptions};

#[derive(clap::Args)]
pub struct Args {
    /// The season's config file, then the participant's id (or `summary`); the config
    /// defaults to season.toml in this folder.
    #[arg(value_name = "[CONFIG] ID", num_args = 1..=2, required = true)]
    what: Vec<String>,
    /// The PDF to write; default ID.pdf in this folder.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Render again whenever a template, the config or an input file changes, until Ctrl-C.
    #[arg(long)]
    watch: bool,
    /// Override a config value by its dotted path. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

pub fn preview(args: Args) -> Result<Outcome, ksp::Error> {
    let (config, document) = match args.what.as_slice() {
        [id] => (super::default_config()?, id.clone()),
        [config, id] => (PathBuf::from(config), id.clone()),
        _ => unreachable!("clap takes one or two values"),
    };
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{document}.pdf")));
    let _lock = ksp::output::OutputLock::acquire(&out, false, |_| {})?;
    let mut preview = Preview::load(PreviewOptions {
        config,
        overrides: ksp::config::Overrides::set(&args.overrides),
        document,
        out: out.clone(),
    })?;
    let took = preview.render()?;
    say!("ksp: {} rendered in {} ms", out.display(), took.as_millis());
    if !args.watch {
        return Ok(Outcome::Done);
    }
    // What the files are now, before saying so: an edit right after the message is a change.
    let mut watch = FileWatch::new(&preview.watched());
    let how = if watch.on_events() {
        "on file-system events"
    } else {
        "looking every 100 ms"
    };
    say!("ksp: watching the templates, the config and the input files ({how}); Ctrl-C ends");
    loop {
        let files = watch.wait(&preview.watched());
        if let Err(e) = preview.reload(&files) {
            eprintln!("error: {e}");
        }
        match preview.render() {
            Ok(took) => say!(
                "ksp: {} rendered again in {} ms",
                out.display(),
                took.as_millis()
            ),
            Err(e) => eprintln!(
                "error: {e}\nksp: still watching; the last good {} is kept",
                out.display()
            ),
        }
    }
}
