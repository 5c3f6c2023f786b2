//! What the command line prints: warnings, counts in words, and errors with the exit code
//! their result maps to.

use super::Outcome;

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
        eprintln!("warning: {}: {}{times}", w.first, w.message);
    }
}

/// `1 participant`, `2 participants`, `3 inquiries`, `4 classes`.
pub fn counted(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "inquiry") => format!("{n} inquiries"),
        (_, "class") => format!("{n} classes"),
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
