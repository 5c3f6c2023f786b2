//! What ksp may replace. An output folder is replaced as a whole, so it must be ksp's: absent,
//! empty, or an output an earlier run wrote (it has ksp's `manifest.json`). It must not hold
//! an input of the season, the folder the command runs in, or lie inside a folder the season
//! reads (the templates, a shard). Files a user put into a ksp output since its run are not
//! ksp's: they are carried over into the new output (see `Staging::carry_over`).

use std::path::{Component, Path, PathBuf};

use super::Manifest;

/// Files of an output folder that are ksp's although its manifest does not list them.
const OWN_UNLISTED: [&str; 2] = ["manifest.json", "run-summary.json"];

/// How many names a refusal lists before it says how many more there are.
const LISTED: usize = 5;

/// Why ksp will not write where it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(
        "{} is not a folder: ksp writes its output into a folder of its own; give --out (or output.dir) a folder that does not exist yet",
        .0.display()
    )]
    NotAFolder(PathBuf),
    #[error(
        "{} is a symbolic link (to {}): ksp replaces its output folder as a whole and would replace the link; give the folder itself",
        .target.display(), .to.display()
    )]
    Link { target: PathBuf, to: PathBuf },
    #[error(
        "{} is not an output folder of ksp (it has no manifest.json written by ksp) and holds {listing}: ksp replaces its output folder as a whole and writes only into a folder that does not exist yet, an empty one, or one an earlier ksp run wrote; choose another folder, e.g. {}",
        .target.display(), .target.join("ksp-out").display()
    )]
    Foreign { target: PathBuf, listing: String },
    #[error(
        "{} is {what}: ksp would replace it with its output; give the output another name",
        .target.display()
    )]
    IsInput { target: PathBuf, what: String },
    #[error(
        "{} holds {what}, {}: ksp replaces its output folder as a whole and would delete it; choose an output folder that holds none of the season's inputs, e.g. {}",
        .target.display(), .input.display(), .target.join("out").display()
    )]
    HoldsInput {
        target: PathBuf,
        what: String,
        input: PathBuf,
    },
    #[error(
        "{} lies inside {what}, {}: the output would become part of it; choose an output folder outside it",
        .target.display(), .input.display()
    )]
    InsideInput {
        target: PathBuf,
        what: String,
        input: PathBuf,
    },
    #[error(
        "{} is the folder ksp runs in, or holds it: ksp replaces its output folder as a whole; choose a folder below it, e.g. {}",
        .0.display(), .0.join("out").display()
    )]
    HoldsCurrentFolder(PathBuf),
    #[error(
        "{} exists and is not a PDF: ksp writes only a new file or a PDF it can replace; give another file name",
        .0.display()
    )]
    NotAPdf(PathBuf),
    #[error(
        "{}: {listing} {verb} not ksp's, and this run writes files of the same names; move them out of the folder and run again",
        .target.display(), verb = if .count == &1 { "is" } else { "are" }
    )]
    Collides {
        target: PathBuf,
        listing: String,
        count: usize,
    },
    #[error("cannot look into {}: {source}", .target.display())]
    Unreadable {
        target: PathBuf,
        source: std::io::Error,
    },
}

/// A file or folder the season reads, which an output must not replace.
#[derive(Debug, Clone)]
pub struct Input {
    /// What it is, as a message names it: `the config`, `the template folder (output.templates)`.
    pub what: String,
    pub path: PathBuf,
    /// A folder the output must not lie inside either (the templates, a shard).
    pub folder: bool,
}

impl Input {
    pub fn file(what: impl Into<String>, path: &Path) -> Input {
        Input {
            what: what.into(),
            path: path.to_path_buf(),
            folder: false,
        }
    }

    pub fn folder(what: impl Into<String>, path: &Path) -> Input {
        Input {
            folder: true,
            ..Input::file(what, path)
        }
    }
}

/// What is at an output path that ksp may replace.
#[derive(Debug)]
pub enum Found {
    Absent,
    Empty,
    /// An earlier run's output, with its manifest.
    Output(Manifest),
}

/// Checks, before anything is read or written, that `target` may be replaced by a new
/// output: it is not an input, does not hold one, does not hold the current folder, and is
/// absent, empty or ksp's.
pub fn check_target(target: &Path, inputs: &[Input]) -> Result<Found, Refusal> {
    let resolved = resolve(target);
    check_inputs(target, &resolved, inputs, true)?;
    let here = std::env::current_dir().map(|d| resolve(&d));
    if here.is_ok_and(|here| here.starts_with(&resolved)) {
        return Err(Refusal::HoldsCurrentFolder(target.to_path_buf()));
    }
    inspect(target)
}

/// That `target` (`resolved`: where it really is) is no input and lies inside no folder
/// input; and for a folder `target`, that it holds no input.
fn check_inputs(
    target: &Path,
    resolved: &Path,
    inputs: &[Input],
    folder: bool,
) -> Result<(), Refusal> {
    for input in inputs {
        let input_path = resolve(&input.path);
        let (target, what, path) = (target.to_path_buf(), input.what.clone(), input.path.clone());
        if input_path == resolved {
            return Err(Refusal::IsInput { target, what });
        }
        if folder && input_path.starts_with(resolved) {
            return Err(Refusal::HoldsInput {
                target,
                what,
                input: path,
            });
        }
        if input.folder && resolved.starts_with(&input_path) {
            return Err(Refusal::InsideInput {
                target,
                what,
                input: path,
            });
        }
    }
    Ok(())
}

/// What is at `target`: nothing, an empty folder or ksp's output; anything else is refused.
pub fn inspect(target: &Path) -> Result<Found, Refusal> {
    let unreadable = |source| Refusal::Unreadable {
        target: target.to_path_buf(),
        source,
    };
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        other => other.map_err(unreadable)?,
    };
    if meta.is_symlink() {
        return Err(Refusal::Link {
            target: target.to_path_buf(),
            to: std::fs::read_link(target).unwrap_or_default(),
        });
    }
    if !meta.is_dir() {
        return Err(Refusal::NotAFolder(target.to_path_buf()));
    }
    let mut names: Vec<String> = std::fs::read_dir(target)
        .map_err(unreadable)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(unreadable)?;
    if names.is_empty() {
        return Ok(Found::Empty);
    }
    match Manifest::read(target) {
        Ok(manifest) if manifest.tool == "ksp" => Ok(Found::Output(manifest)),
        _ => {
            names.sort();
            Err(Refusal::Foreign {
                target: target.to_path_buf(),
                listing: listing(&names),
            })
        }
    }
}

/// A file `path` that a command replaces (`ksp preview --out`): not an input nor inside a
/// folder input, and if it exists, a PDF.
pub fn check_file_target(path: &Path, inputs: &[Input]) -> Result<(), Refusal> {
    check_inputs(path, &resolve(path), inputs, false)?;
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => Err(Refusal::NotAPdf(path.to_path_buf())),
        Ok(_) => {
            let mut head = [0u8; 5];
            let is_pdf = std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .is_ok_and(|()| &head == b"%PDF-");
            if is_pdf {
                Ok(())
            } else {
                Err(Refusal::NotAPdf(path.to_path_buf()))
            }
        }
    }
}

/// The entries of the ksp output `dir` that are not ksp's: files and links its manifest does
/// not list, and empty folders, by `/`-separated path relative to `dir`, sorted.
pub fn foreign_entries(dir: &Path, manifest: &Manifest) -> std::io::Result<Vec<String>> {
    let own: std::collections::HashSet<&str> = manifest
        .outputs
        .iter()
        .map(|e| e.path.as_str())
        .chain(OWN_UNLISTED)
        .collect();
    let mut foreign = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let mut empty = true;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            empty = false;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = relative_of(dir, &path);
            if !own.contains(relative.as_str()) {
                foreign.push(relative);
            }
        }
        if empty && folder != dir {
            foreign.push(relative_of(dir, &folder));
        }
    }
    foreign.sort();
    Ok(foreign)
}

fn relative_of(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .expect("walked from dir")
        .to_string_lossy()
        .replace('\\', "/")
}

/// `a, b, c and 4 more`.
pub fn listing(names: &[String]) -> String {
    let shown = names.iter().take(LISTED).cloned().collect::<Vec<_>>();
    let more = names.len().saturating_sub(LISTED);
    match (shown.as_slice(), more) {
        ([], _) => "nothing".into(),
        ([one], 0) => one.clone(),
        (_, 0) => {
            let (last, rest) = shown.split_last().expect("two or more");
            format!("{} and {last}", rest.join(", "))
        }
        _ => format!("{} and {more} more", shown.join(", ")),
    }
}

/// `path` absolute, with the links of its existing part resolved and `.` and `..` taken as the
/// file system would, so two names of one place compare equal. The part that does not exist
/// yet is kept as written.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => {
                resolved.push(other);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(outputs: &[&str]) -> Manifest {
        let entry = |path: &&str| super::super::Entry {
            path: path.to_string(),
            sha256: String::new(),
            size: 0,
            input_sha256: None,
        };
        Manifest::new(
            "s",
            ["c", "t"],
            Vec::new(),
            outputs.iter().map(entry).collect(),
            None,
        )
    }

    #[test]
    fn listing_names_five_then_counts() {
        let names = |n: usize| (1..=n).map(|i| format!("f{i}")).collect::<Vec<_>>();
        assert_eq!(listing(&names(1)), "f1");
        assert_eq!(listing(&names(3)), "f1, f2 and f3");
        assert_eq!(listing(&names(7)), "f1, f2, f3, f4, f5 and 2 more");
    }

    #[test]
    fn resolve_takes_dots_and_links_as_the_file_system_does() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("season")).unwrap();
        std::os::unix::fs::symlink(real.join("season"), real.join("link")).unwrap();
        assert_eq!(resolve(&real.join("link/out/../x")), real.join("season/x"));
        assert_eq!(resolve(&real.join("season/./new/..")), real.join("season"));
        assert_eq!(resolve(&real.join("link/..")), real);
    }

    #[test]
    fn an_input_inside_the_target_or_a_target_inside_a_folder_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let season = dir.path().join("season");
        std::fs::create_dir_all(season.join("templates")).unwrap();
        std::fs::write(season.join("season.toml"), "").unwrap();
        let inputs = [
            Input::file("the config", &season.join("season.toml")),
            Input::folder("the template folder", &season.join("templates")),
        ];
        let refused = |target: &Path| check_target(target, &inputs).unwrap_err().to_string();
        assert!(refused(&season).contains("holds the config"));
        assert!(refused(&season.join("../season/.")).contains("holds the config"));
        assert!(refused(&season.join("templates/out")).contains("lies inside the template"));
        assert!(matches!(
            check_target(&season.join("out"), &inputs),
            Ok(Found::Absent)
        ));
    }

    #[test]
    fn a_folder_is_ksps_only_with_ksps_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        assert!(matches!(inspect(&out), Ok(Found::Empty)));
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = inspect(&out).unwrap_err().to_string();
        assert!(err.contains("is not an output folder of ksp"), "{err}");
        assert!(err.contains("holds notes.txt"), "{err}");
        std::fs::write(out.join("manifest.json"), manifest(&[]).to_bytes()).unwrap();
        assert!(matches!(inspect(&out), Ok(Found::Output(_))));
        std::fs::write(out.join("manifest.json"), r#"{"tool": "other"}"#).unwrap();
        assert!(inspect(&out).is_err());
        std::fs::write(dir.path().join("file"), "").unwrap();
        assert!(matches!(
            inspect(&dir.path().join("file")),
            Err(Refusal::NotAFolder(_))
        ));
        std::os::unix::fs::symlink(&out, dir.path().join("link")).unwrap();
        assert!(matches!(
            inspect(&dir.path().join("link")),
            Err(Refusal::Link { .. })
        ));
    }

    #[test]
    fn foreign_entries_are_what_the_manifest_does_not_list() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for file in [
            "results/a.csv",
            "reports/P1.pdf",
            "reports/mine.pdf",
            "notes.txt",
        ] {
            std::fs::create_dir_all(out.join(file).parent().unwrap()).unwrap();
            std::fs::write(out.join(file), file).unwrap();
        }
        std::fs::write(out.join("run-summary.json"), "{}").unwrap();
        std::fs::create_dir_all(out.join("empty/inner")).unwrap();
        let m = manifest(&["results/a.csv", "reports/P1.pdf"]);
        assert_eq!(
            foreign_entries(out, &m).unwrap(),
            ["empty/inner", "notes.txt", "reports/mine.pdf"]
        );
    }

    #[test]
    fn a_file_target_must_be_new_or_a_pdf() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("P1.pdf");
        assert!(check_file_target(&pdf, &[]).is_ok());
        std::fs::write(&pdf, "%PDF-1.7 …").unwrap();
        assert!(check_file_target(&pdf, &[]).is_ok());
        let toml = dir.path().join("season.toml");
        std::fs::write(&toml, "[season]").unwrap();
        assert!(matches!(
            check_file_target(&toml, &[]),
            Err(Refusal::NotAPdf(_))
        ));
        let input = [Input::file("the config", &toml)];
        assert!(matches!(
            check_file_target(&toml, &input),
            Err(Refusal::IsInput { .. })
        ));
    }
}
