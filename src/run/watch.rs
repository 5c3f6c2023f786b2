//! Waiting until one of a set of files changes: on file-system events (inotify and the like,
//! through `notify`, as typst-cli's watch does), with a look at the files' stamps as the
//! judge of what changed, and a poll every 100 ms where events cannot be had.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, SystemTime};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

/// How long a poll waits between looks, and how often events are backed by a look anyway.
const POLL: Duration = Duration::from_millis(100);
const BACKSTOP: Duration = Duration::from_secs(1);
/// An editor saves in several writes: a change is taken once the files are quiet this long.
const QUIET: Duration = Duration::from_millis(120);

/// What tells a file changed: its modification time and size (an edit within the clock's
/// tick still changes the size), `None` when it cannot be read.
pub type Stamp = Option<(SystemTime, u64)>;

/// The files of `files` whose stamp changed since `seen`, which is updated.
pub fn changed_files(files: &[PathBuf], seen: &mut HashMap<PathBuf, Stamp>) -> Vec<PathBuf> {
    let mut changed = Vec::new();
    for file in files {
        let stamp = std::fs::metadata(file)
            .and_then(|m| Ok((m.modified()?, m.len())))
            .ok();
        if seen.insert(file.clone(), stamp) != Some(stamp) {
            changed.push(file.clone());
        }
    }
    changed
}

/// Events from the folders the watched files are in; editors replace a file by renaming a
/// new one over it, which a watch on the file itself would lose.
struct Events {
    watcher: RecommendedWatcher,
    receiver: Receiver<notify::Result<notify::Event>>,
    folders: BTreeSet<PathBuf>,
}

/// Watches files for changes.
pub struct FileWatch {
    events: Option<Events>,
    seen: HashMap<PathBuf, Stamp>,
}

impl FileWatch {
    /// Notes how `files` are now, so only later changes count.
    pub fn new(files: &[PathBuf]) -> FileWatch {
        let (sender, receiver) = channel();
        let events = notify::recommended_watcher(sender)
            .ok()
            .map(|watcher| Events {
                watcher,
                receiver,
                folders: BTreeSet::new(),
            });
        let mut watch = FileWatch {
            events,
            seen: HashMap::new(),
        };
        watch.follow(files);
        changed_files(files, &mut watch.seen);
        watch
    }

    /// Whether changes arrive as file-system events (else the files are polled).
    pub fn on_events(&self) -> bool {
        self.events.is_some()
    }

    /// Blocks until one or more of `files` changed and have been quiet for a moment; returns
    /// them. The set may differ from call to call (a template folder gains a file).
    pub fn wait(&mut self, files: &[PathBuf]) -> Vec<PathBuf> {
        self.follow(files);
        loop {
            self.pause();
            let mut changed = changed_files(files, &mut self.seen);
            if changed.is_empty() {
                continue;
            }
            loop {
                std::thread::sleep(QUIET);
                self.drain();
                let more = changed_files(files, &mut self.seen);
                if more.is_empty() {
                    break;
                }
                changed.extend(more);
            }
            changed.sort();
            changed.dedup();
            return changed;
        }
    }

    /// Watches the folder of every file; a folder that cannot be watched turns events off,
    /// so a change there is still seen by polling.
    fn follow(&mut self, files: &[PathBuf]) {
        let Some(events) = &mut self.events else {
            return;
        };
        let folders: BTreeSet<PathBuf> = files.iter().map(|f| folder_of(f)).collect();
        for folder in folders.difference(&events.folders.clone()) {
            if events
                .watcher
                .watch(folder, RecursiveMode::NonRecursive)
                .is_err()
            {
                self.events = None;
                return;
            }
            events.folders.insert(folder.clone());
        }
    }

    /// Waits for an event (a backstop's length at most), or a poll's length without events.
    fn pause(&mut self) {
        match &self.events {
            Some(events) => match events.receiver.recv_timeout(BACKSTOP) {
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.events = None,
            },
            None => std::thread::sleep(POLL),
        }
    }

    /// Drops the events already taken into account by a look at the stamps.
    fn drain(&self) {
        if let Some(events) = &self.events {
            while events.receiver.try_recv().is_ok() {}
        }
    }
}

fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_save_is_seen_as_an_event_and_returned_once_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("participant.typ");
        let other = dir.path().join("notes.txt");
        std::fs::write(&file, "= One").unwrap();
        let files = vec![file.clone()];
        let mut watch = FileWatch::new(&files);
        assert!(watch.on_events(), "inotify is there on Linux");
        let writer = {
            let (file, other) = (file.clone(), other.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(150));
                std::fs::write(&other, "not watched").unwrap();
                // As an editor saves: a new file renamed over the old one.
                let temporary = file.with_extension("typ~");
                std::fs::write(&temporary, "= Two, longer").unwrap();
                std::fs::rename(&temporary, &file).unwrap();
            })
        };
        let start = Instant::now();
        let changed = watch.wait(&files);
        writer.join().unwrap();
        assert_eq!(changed, files);
        assert!(
            start.elapsed() < BACKSTOP,
            "seen on the event, not the backstop"
        );
    }

    #[test]
    fn only_files_whose_stamp_changed_are_returned() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "1").unwrap();
        std::fs::write(&b, "1").unwrap();
        let mut seen = HashMap::new();
        let files = vec![a.clone(), b.clone()];
        assert_eq!(
            changed_files(&files, &mut seen),
            files,
            "first look: all new"
        );
        std::fs::write(&b, "22").unwrap();
        assert_eq!(changed_files(&files, &mut seen), [b]);
        assert!(changed_files(&files, &mut seen).is_empty());
    }
}
