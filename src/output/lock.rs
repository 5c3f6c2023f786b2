//! One writer per output folder: an OS file lock in a file beside the folder, taken before a
//! run reads its inputs and held until its output is in place. The kernel releases the lock
//! when the process dies, however it dies, so a killed run never leaves a stale lock; the
//! file itself is removed when the lock is let go, and a leftover one is harmless.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Lock files held by this process, removed by the interrupt handler before it exits.
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Why the lock of an output folder could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{target} is being written by another ksp run ({holder}); wait for it to finish, or run again with --wait"
    )]
    Busy { target: PathBuf, holder: String },
    #[error("cannot lock {target} (lock file {lock}): {source}")]
    Io {
        target: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
}

/// The exclusive lock of one output path, held while the value lives.
#[derive(Debug)]
pub struct OutputLock {
    file: File,
    path: PathBuf,
}

/// `.<name>.ksp-lock` beside `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    super::beside(target, "ksp-lock")
}

impl OutputLock {
    /// Takes the lock of `target` (a folder or a file), creating the folder it is in. With
    /// `wait`, blocks until another run lets go of it, after calling `waiting` once with
    /// who holds it; without, fails at once naming the other run.
    pub fn acquire(
        target: &Path,
        wait: bool,
        waiting: impl FnOnce(&str),
    ) -> Result<OutputLock, LockError> {
        let path = lock_path(target);
        let io = |source| LockError::Io {
            target: target.to_path_buf(),
            lock: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut waiting = Some(waiting);
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let holder = holder(&file);
                    if !wait {
                        return Err(LockError::Busy {
                            target: target.to_path_buf(),
                            holder,
                        });
                    }
                    if let Some(say) = waiting.take() {
                        say(&holder);
                    }
                    file.lock().map_err(io)?;
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            // The holder before us may have removed the file as it let go: then this lock is
            // on a file nobody else will open, so start again with the one at the path.
            if same_file(&file, &path) {
                let mut lock = OutputLock {
                    file,
                    path: path.clone(),
                };
                lock.describe_self().map_err(io)?;
                HELD.lock().expect("not poisoned").push(lock.path.clone());
                return Ok(lock);
            }
        }
    }

    /// Writes this run's pid and start time into the lock file, for a second run to name.
    fn describe_self(&mut self) -> std::io::Result<()> {
        let started = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
        self.file.set_len(0)?;
        self.file.rewind()?;
        writeln!(self.file, "pid {}, started {started}", std::process::id())?;
        self.file.flush()
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other run can be holding it.
        let _ = std::fs::remove_file(&self.path);
        HELD.lock()
            .expect("not poisoned")
            .retain(|p| p != &self.path);
    }
}

/// The other run's description from the lock file, e.g. `pid 4711, started …`.
fn holder(file: &File) -> String {
    let mut text = String::new();
    let _ = (&*file).read_to_string(&mut text);
    let text = text.trim();
    if text.is_empty() {
        "pid unknown".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes the lock files of this process; for the interrupt handler, just before exiting.
pub(super) fn release_all() {
    if let Ok(held) = HELD.lock() {
        for path in held.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_naming_the_first_and_the_file_goes_with_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let first = OutputLock::acquire(&target, false, |_| {}).unwrap();
        let text = std::fs::read_to_string(lock_path(&target)).unwrap();
        assert!(
            text.starts_with(&format!("pid {}", std::process::id())),
            "{text}"
        );
        let err = OutputLock::acquire(&target, false, |_| {}).unwrap_err();
        assert!(
            matches!(&err, LockError::Busy { holder, .. } if holder.starts_with("pid ")),
            "{err}"
        );
        assert!(err.to_string().contains("--wait"), "{err}");
        drop(first);
        assert!(!lock_path(&target).exists());
        let again = OutputLock::acquire(&target, false, |_| {}).unwrap();
        drop(again);
    }

    #[test]
    fn a_waiting_lock_gets_it_when_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let first = OutputLock::acquire(&target, false, |_| {}).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let target = target.clone();
            std::thread::spawn(move || {
                OutputLock::acquire(&target, true, |holder| tx.send(holder.to_string()).unwrap())
                    .map(drop)
            })
        };
        let holder = rx.recv().unwrap();
        assert!(holder.starts_with("pid "), "{holder}");
        drop(first);
        waiter.join().unwrap().unwrap();
    }
}
