//! What the command line prints: warnings, counts in words, and errors with the exit code
//! their result maps to.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Outcome;

/// `--quiet`: errors only.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints an error, and gives the exit code of the result.
pub fn report(result: Result<Outcome, ksp::Error>) -> u8 {
    match result {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::Differs) => 1,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

pub fn print_warnings(warnings: &[ksp::input::Warning]) {
    for w in warnings {
        let times = if w.count > 1 {
            format!(" ({} times, first here)", w.count)
        } else {
            String::new()
        };
        note!("warning: {}: {}{times}", w.first, w.message);
    }
}

/// Says which entries that are not ksp's were carried into the new output `out`, and where
/// the old output was kept when files appeared in it during the run.
pub fn print_kept(out: &std::path::Path, carried: &[String], kept_aside: Option<&std::path::Path>) {
    if !carried.is_empty() {
        note!(
            "ksp: kept {} in {} that {} not written by ksp: {}",
            counted(carried.len(), "entry"),
            out.display(),
            if carried.len() == 1 { "was" } else { "were" },
            ksp::output::guard::listing(carried)
        );
    }
    if let Some(aside) = kept_aside {
        note!(
            "warning: files that are not ksp's appeared in {} during the run; the previous output is kept, with them, in {}",
            out.display(),
            aside.display()
        );
    }
}

/// `1 participant`, `2 participants`, `3 inquiries`, `4 classes`.
pub fn counted(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "inquiry") => format!("{n} inquiries"),
        (_, "class") => format!("{n} classes"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {word}s"),
    }
}

/// Writes `files` into `dir` (`ksp diff`, `ksp sensitivity`).
pub fn write_files(dir: &std::path::Path, files: &[(&str, Vec<u8>)]) -> Result<(), ksp::Error> {
    for (name, bytes) in files {
        ksp::output::write_file(dir, name, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_words() {
        assert_eq!(counted(1, "inquiry"), "1 inquiry");
        assert_eq!(counted(2, "inquiry"), "2 inquiries");
        assert_eq!(counted(4, "class"), "4 classes");
        assert_eq!(counted(0, "participant"), "0 participants");
    }
}
