//! The staging folder of one run, and what an interrupted run cleans up.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::guard::{self, Found, Refusal};
use super::{
    Entry, Manifest, OutputError, OutputLock, beside, file_name, lock, parent_of, unique_suffix,
    write_file,
};

/// Staging folders of runs in progress, removed by the interrupt handler.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Render processes of runs in progress, ended by the interrupt handler.
static WORKERS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Registers a render process, so an interrupted run ends it before removing its staging
/// folder; `false` removes it again once it has exited.
pub fn track_worker(pid: u32, running: bool) {
    let mut workers = WORKERS.lock().expect("not poisoned");
    if running {
        workers.push(pid);
    } else {
        workers.retain(|p| *p != pid);
    }
}

/// On Ctrl-C, SIGTERM or SIGHUP: ends the render processes, removes the staging folders and
/// lock files of runs in progress and exits with 130, so an interrupted run leaves the
/// previous output as it was and no debris.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(workers) = WORKERS.lock() {
            end_processes(&workers);
        }
        if let Ok(active) = ACTIVE.lock() {
            for dir in active.iter() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        lock::release_all();
        eprintln!("ksp: interrupted; the output folder was left as it was");
        std::process::exit(130);
    });
}

/// Kills the processes and waits (a second at most) until they are gone, so none writes into
/// a staging folder as it is removed.
#[cfg(unix)]
fn end_processes(pids: &[u32]) {
    for &pid in pids {
        // SAFETY: kill and waitpid take plain integers; a pid already reaped fails harmlessly.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    for &pid in pids {
        while std::time::Instant::now() < deadline {
            // SAFETY: as above; WNOHANG never blocks.
            let reaped =
                unsafe { libc::waitpid(pid as libc::pid_t, std::ptr::null_mut(), libc::WNOHANG) };
            if reaped != 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

#[cfg(not(unix))]
fn end_processes(_pids: &[u32]) {}

/// A staging folder that is removed when dropped unless committed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    written: Mutex<Vec<Entry>>,
    /// The output being replaced, once `carry_over` found it: its manifest and the entries
    /// that were not ksp's and were carried over.
    replaced: Option<(Manifest, Vec<String>)>,
    committed: bool,
}

/// Committing failed: the output folder was no longer ksp's, or the file system failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What a commit did besides putting the new output in place.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// The old output, kept under this name because files that are not ksp's appeared in it
    /// after they were carried over (so nothing of the user's is deleted).
    pub kept_aside: Option<PathBuf>,
}

impl Staging {
    /// Creates a staging folder of this run's own beside `target`, whose lock the caller
    /// holds. Staging folders left by runs that were killed are removed first; their paths
    /// are returned so the caller can say so.
    pub fn new(target: &Path, _lock: &OutputLock) -> Result<(Staging, Vec<PathBuf>), OutputError> {
        let fail = |source| OutputError {
            action: "create a staging folder beside",
            path: target.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(parent_of(target)).map_err(fail)?;
        let stale = remove_stale(target).map_err(fail)?;
        let dir = beside(target, &format!("ksp-staging-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).map_err(fail)?;
        ACTIVE.lock().expect("not poisoned").push(dir.clone());
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            written: Mutex::new(Vec::new()),
            replaced: None,
            committed: false,
        };
        Ok((staging, stale))
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let entry = write_file(&self.dir, relative, bytes)?;
        self.written.lock().expect("not poisoned").push(entry);
        Ok(())
    }

    /// The staging folder, for render processes that write into it themselves.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds files written into the folder by render processes to the manifest.
    pub fn record(&self, entries: Vec<Entry>) {
        self.written.lock().expect("not poisoned").extend(entries);
    }

    /// Every file written so far, sorted by path.
    pub fn entries(&self) -> Vec<Entry> {
        let mut entries = self.written.lock().expect("not poisoned").clone();
        entries.sort();
        entries
    }

    /// Checks, under the lock, that the target may still be replaced, and copies into the
    /// staging folder what a user put into the old output that is not ksp's (files its
    /// manifest does not list, links, empty folders), so the new output keeps them. Hard
    /// links where the file system has them, so this costs no space. Returns their paths.
    pub fn carry_over(&mut self) -> Result<Vec<String>, CommitError> {
        let Found::Output(manifest) = guard::inspect(&self.target)? else {
            return Ok(Vec::new());
        };
        let fail = |source| OutputError {
            action: "carry over what is not ksp's in",
            path: self.target.clone(),
            source,
        };
        let foreign = guard::foreign_entries(&self.target, &manifest).map_err(fail)?;
        let clashes: Vec<String> = foreign
            .iter()
            .filter(|path| std::fs::symlink_metadata(self.dir.join(path)).is_ok())
            .filter(|path| !same_file_staged(&self.target, &self.dir, path))
            .cloned()
            .collect();
        if !clashes.is_empty() {
            return Err(Refusal::Collides {
                target: self.target.clone(),
                listing: guard::listing(&clashes),
                count: clashes.len(),
            }
            .into());
        }
        for path in &foreign {
            carry(&self.target.join(path), &self.dir.join(path)).map_err(fail)?;
        }
        self.replaced = Some((manifest, foreign.clone()));
        Ok(foreign)
    }

    /// Puts the staged folder in place of the target. On Linux the two are exchanged in one
    /// step, so the target is at every moment either the old output or the new one; elsewhere
    /// (or where the file system cannot exchange) the old output is renamed aside first.
    /// Call `carry_over` first when the target may be an earlier output.
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        let target = self.target.clone();
        let old = self.swap().map_err(|source| OutputError {
            action: "move the output into",
            path: target,
            source,
        })?;
        Ok(self.remove_old(old))
    }

    /// Swaps the staged folder into place; returns where the old output now is.
    fn swap(&mut self) -> std::io::Result<Option<PathBuf>> {
        if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.dir, &self.target)?;
            self.committed = true;
            forget(&self.dir);
            return Ok(None);
        }
        if exchange(&self.dir, &self.target).is_ok() {
            // `dir` now holds the old output; a leftover is removed by the next run.
            self.committed = true;
            forget(&self.dir);
            return Ok(Some(self.dir.clone()));
        }
        let old = beside(&self.target, &format!("ksp-old-{}", unique_suffix()));
        std::fs::rename(&self.target, &old)?;
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            std::fs::rename(&old, &self.target)?;
            return Err(e);
        }
        self.committed = true;
        forget(&self.dir);
        Ok(Some(old))
    }

    /// Removes the old output, unless something that is not ksp's appeared in it after
    /// `carry_over`: then it is kept aside under a name of its own, so nothing is lost.
    fn remove_old(&self, old: Option<PathBuf>) -> Committed {
        let Some(old) = old else {
            return Committed::default();
        };
        let unseen = match &self.replaced {
            Some((manifest, carried)) => guard::foreign_entries(&old, manifest)
                .map(|found| found.iter().any(|path| !carried.contains(path)))
                .unwrap_or(true),
            // Empty when the run began: anything in it now appeared during the run.
            None => std::fs::read_dir(&old).map_or(true, |mut e| e.next().is_some()),
        };
        if !unseen {
            let _ = std::fs::remove_dir_all(&old);
            return Committed::default();
        }
        let aside = parent_of(&self.target).join(format!(
            "{}.ksp-kept-{}",
            file_name(&self.target),
            unique_suffix()
        ));
        match std::fs::rename(&old, &aside) {
            Ok(()) => Committed {
                kept_aside: Some(aside),
            },
            Err(_) => Committed {
                kept_aside: Some(old),
            },
        }
    }
}

/// Whether `path` is already in the staging folder with the bytes it has in the target, as
/// a report `--only` carried over is.
fn same_file_staged(target: &Path, staging: &Path, path: &str) -> bool {
    match (
        std::fs::read(target.join(path)),
        std::fs::read(staging.join(path)),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Copies one entry that is not ksp's into the staging folder: a hard link to a file (a copy
/// where links cannot be made), the link itself for a symbolic link, an empty folder as one.
fn carry(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        return std::fs::create_dir_all(to);
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Ok(()); // staged with the same bytes already
    }
    if meta.is_symlink() {
        return copy_link(from, to);
    }
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{} is not a file, folder or link, so ksp cannot carry it into the new output; move it out of the folder",
            from.display()
        )));
    }
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(drop))
}

#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
}

#[cfg(not(unix))]
fn copy_link(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to).map(drop)
}

/// Swaps two paths atomically (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange here"))
}

/// Removes the staging folders (and set-aside old outputs) of earlier runs into `target`.
/// Only called with the target's lock held, so none of them belongs to a live run.
fn remove_stale(target: &Path) -> std::io::Result<Vec<PathBuf>> {
    let name = file_name(target);
    let prefixes = [format!(".{name}.ksp-staging"), format!(".{name}.ksp-old")];
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(parent_of(target))? {
        let entry = entry?;
        let file = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file.starts_with(p.as_str())) && entry.path().is_dir() {
            std::fs::remove_dir_all(entry.path())?;
            removed.push(entry.path());
        }
    }
    removed.sort();
    Ok(removed)
}

fn forget(dir: &Path) {
    ACTIVE.lock().expect("not poisoned").retain(|d| d != dir);
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
            forget(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ksp output at `dir/out` whose manifest lists `results/a.csv`.
    fn output(dir: &Path) -> PathBuf {
        let out = dir.join("out");
        write_file(&out, "results/a.csv", b"a").unwrap();
        let listed = Entry {
            path: "results/a.csv".into(),
            sha256: String::new(),
            size: 1,
            input_sha256: None,
        };
        let manifest = Manifest::new("s", ["c", "t"], Vec::new(), vec![listed], None);
        write_file(&out, "manifest.json", &manifest.to_bytes()).unwrap();
        out
    }

    #[test]
    fn a_users_files_are_carried_into_the_new_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = output(dir.path());
        write_file(&out, "notes/mine.txt", b"mine").unwrap();
        let lock = OutputLock::acquire(&out, false, |_| {}).unwrap();
        let (mut staging, _) = Staging::new(&out, &lock).unwrap();
        staging.write("results/a.csv", b"new").unwrap();
        assert_eq!(staging.carry_over().unwrap(), ["notes/mine.txt"]);
        let committed = staging.commit().unwrap();
        assert!(committed.kept_aside.is_none());
        assert_eq!(std::fs::read(out.join("notes/mine.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(out.join("results/a.csv")).unwrap(), b"new");
    }

    #[test]
    fn a_file_that_appears_after_the_carry_keeps_the_old_output_aside() {
        let dir = tempfile::tempdir().unwrap();
        let out = output(dir.path());
        let lock = OutputLock::acquire(&out, false, |_| {}).unwrap();
        let (mut staging, _) = Staging::new(&out, &lock).unwrap();
        staging.write("results/a.csv", b"new").unwrap();
        assert!(staging.carry_over().unwrap().is_empty());
        write_file(&out, "late.txt", b"written during the run").unwrap();
        let aside = staging.commit().unwrap().kept_aside.expect("kept aside");
        assert_eq!(
            std::fs::read(aside.join("late.txt")).unwrap(),
            b"written during the run"
        );
        assert!(
            aside
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("out.ksp-kept-")
        );
        assert_eq!(std::fs::read(out.join("results/a.csv")).unwrap(), b"new");
    }

    #[test]
    fn a_users_file_where_the_run_writes_one_is_refused_and_nothing_moves() {
        let dir = tempfile::tempdir().unwrap();
        let out = output(dir.path());
        write_file(&out, "data/A.json", b"mine").unwrap();
        let lock = OutputLock::acquire(&out, false, |_| {}).unwrap();
        let (mut staging, _) = Staging::new(&out, &lock).unwrap();
        staging.write("data/A.json", b"ksp's").unwrap();
        let err = staging.carry_over().unwrap_err().to_string();
        assert!(err.contains("data/A.json is not ksp's"), "{err}");
        drop(staging);
        assert_eq!(std::fs::read(out.join("data/A.json")).unwrap(), b"mine");
    }
}
