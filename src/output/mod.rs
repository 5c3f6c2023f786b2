//! Writing outputs all or nothing: files go into a staging folder beside the output folder,
//! which replaces the output folder only when the whole run succeeded. Every file written is
//! recorded for `manifest.json`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::hash::sha256_hex;
use serde::Serialize;

/// Writes `relative` under `dir`, creating folders, and describes the file for the manifest.
pub fn write_file(dir: &Path, relative: &str, bytes: &[u8]) -> std::io::Result<Entry> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)?;
    Ok(Entry {
        path: relative.to_string(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        input_sha256: None,
    })
}

pub mod lock;

pub use lock::{LockError, OutputLock};

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

/// `.<name>.<what>` in the folder that holds `target`.
fn beside(target: &Path, what: &str) -> PathBuf {
    parent_of(target).join(format!(".{}.{what}", file_name(target)))
}

fn parent_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A name no other run uses: this process's id and a random number.
fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{}-{random:016x}", std::process::id())
}

/// One file of the output, as listed in the manifest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// For a rendered document: the SHA-256 of everything it was rendered from (ksp's
    /// version, the template folder, the report date and the document's data), so the next
    /// run into the same folder can skip it when none of that changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_sha256: Option<String>,
}

/// A staging folder that is removed when dropped unless committed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    written: Mutex<Vec<Entry>>,
    committed: bool,
}

impl Staging {
    /// Creates a staging folder of this run's own beside `target`, whose lock the caller
    /// holds. Staging folders left by runs that were killed are removed first; their paths
    /// are returned so the caller can say so.
    pub fn new(target: &Path, _lock: &OutputLock) -> std::io::Result<(Staging, Vec<PathBuf>)> {
        let parent = parent_of(target);
        std::fs::create_dir_all(parent)?;
        let stale = remove_stale(target)?;
        let dir = beside(target, &format!("ksp-staging-{}", unique_suffix()));
        std::fs::create_dir_all(&dir)?;
        ACTIVE.lock().expect("not poisoned").push(dir.clone());
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            written: Mutex::new(Vec::new()),
            committed: false,
        };
        Ok((staging, stale))
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) -> std::io::Result<()> {
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

    /// Puts the staged folder in place of the target. On Linux the two are exchanged in one
    /// step, so the target is at every moment either the old output or the new one; elsewhere
    /// (or where the file system cannot exchange) the old output is renamed aside first.
    pub fn commit(mut self) -> std::io::Result<()> {
        if self.target.exists() {
            if exchange(&self.dir, &self.target).is_ok() {
                self.committed = true;
                forget(&self.dir);
                // `dir` now holds the old output; a leftover is removed by the next run.
                let _ = std::fs::remove_dir_all(&self.dir);
                return Ok(());
            }
            let old = beside(&self.target, &format!("ksp-old-{}", unique_suffix()));
            std::fs::rename(&self.target, &old)?;
            if let Err(e) = std::fs::rename(&self.dir, &self.target) {
                std::fs::rename(&old, &self.target)?;
                return Err(e);
            }
            self.committed = true;
            forget(&self.dir);
            let _ = std::fs::remove_dir_all(&old);
            return Ok(());
        }
        std::fs::rename(&self.dir, &self.target)?;
        self.committed = true;
        forget(&self.dir);
        Ok(())
    }
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into())
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

/// `manifest.json`: what a run read and wrote.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub season: String,
    pub config_sha256: String,
    /// `K/N` when the run rendered one shard of the documents (`--shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub inputs: Vec<Entry>,
    pub outputs: Vec<Entry>,
}

impl Manifest {
    /// What a run of `season` (named so in the config, whose text hashes to `config_sha256`)
    /// read and wrote, by this version of ksp.
    pub fn new(
        season: &str,
        config_sha256: &str,
        inputs: Vec<Entry>,
        outputs: Vec<Entry>,
        shard: Option<String>,
    ) -> Manifest {
        Manifest {
            tool: "ksp".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            season: season.to_string(),
            config_sha256: config_sha256.to_string(),
            shard,
            inputs,
            outputs,
        }
    }

    /// The manifest of the output folder `dir`, if it has a readable one.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join("manifest.json");
        let text =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_slice(&text)
            .map_err(|e| format!("{}: is not a manifest written by ksp: {e}", path.display()))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("manifest serializes");
        bytes.push(b'\n');
        bytes
    }
}

/// `ksp merge`: joins the output folders of `ksp run --shard 1/N … N/N` into `target`, all or
/// nothing. Checks that every shard is there once, that all come from the same ksp, config
/// and inputs, and that every file is still what its manifest says. Returns the files written.
pub fn merge(shards: &[PathBuf], target: &Path, lock: &OutputLock) -> Result<usize, String> {
    let mut manifests = Vec::new();
    for dir in shards {
        let manifest = Manifest::read(dir)
            .map_err(|e| format!("{e}: give the output folders of `ksp run --shard K/N`"))?;
        let Some((k, n)) = manifest.shard.as_deref().and_then(parse_shard) else {
            return Err(format!(
                "{} is not a shard: its manifest has no `shard`; run it with --shard K/N",
                dir.display()
            ));
        };
        manifests.push((dir, k, n, manifest));
    }
    let Some((first_dir, _, n, first)) = manifests.first() else {
        return Err("give the output folders of every shard".into());
    };
    let mut seen = vec![None; *n];
    for (dir, k, count, manifest) in &manifests {
        if count != n {
            return Err(format!(
                "{} is shard {k}/{count} but {} is of {n} shards: merge the shards of one run",
                dir.display(),
                first_dir.display()
            ));
        }
        if let Some(other) = seen[k - 1].replace(dir) {
            return Err(format!(
                "{} and {} are both shard {k}/{n}",
                other.display(),
                dir.display()
            ));
        }
        let same = |a: &Manifest| {
            (&a.tool, &a.version, &a.season, &a.config_sha256, &a.inputs)
                == (
                    &first.tool,
                    &first.version,
                    &first.season,
                    &first.config_sha256,
                    &first.inputs,
                )
        };
        if !same(manifest) {
            return Err(format!(
                "{} and {} were run with other versions, configs or inputs: run every shard from the same commit",
                first_dir.display(),
                dir.display()
            ));
        }
    }
    if let Some(k) = seen.iter().position(Option::is_none) {
        return Err(format!("shard {}/{n} is missing", k + 1));
    }
    let mut files: std::collections::BTreeMap<&str, (&Entry, &PathBuf)> = Default::default();
    for (dir, _, _, manifest) in &manifests {
        for entry in &manifest.outputs {
            verified(dir, entry)?;
            match files.get(entry.path.as_str()) {
                Some((other, other_dir)) if other.sha256 != entry.sha256 => {
                    return Err(format!(
                        "{} differs between {} and {}: the shards did not compute the same season",
                        entry.path,
                        other_dir.display(),
                        dir.display()
                    ));
                }
                Some(_) => {}
                None => {
                    files.insert(&entry.path, (entry, dir));
                }
            }
        }
    }
    let (staging, _) = Staging::new(target, lock).map_err(|e| {
        format!(
            "cannot create a staging folder beside {}: {e}",
            target.display()
        )
    })?;
    for (path, (entry, dir)) in &files {
        let bytes = verified(dir, entry)?;
        write_file(staging.dir(), path, &bytes)
            .map_err(|e| format!("cannot write {path} in the staging folder: {e}"))?;
        staging.record(vec![(*entry).clone()]);
    }
    let merged = Manifest {
        shard: None,
        outputs: staging.entries(),
        ..first.clone()
    };
    staging
        .write("manifest.json", &merged.to_bytes())
        .map_err(|e| format!("cannot write manifest.json: {e}"))?;
    staging
        .commit()
        .map_err(|e| format!("cannot move the output into {}: {e}", target.display()))?;
    Ok(files.len())
}

/// The bytes of an output file, checked against its manifest entry.
fn verified(dir: &Path, entry: &Entry) -> Result<Vec<u8>, String> {
    let source = dir.join(&entry.path);
    let bytes =
        std::fs::read(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    if sha256_hex(&bytes) != entry.sha256 {
        return Err(format!(
            "{} has changed since its run wrote it (its SHA-256 is not the manifest's): render that shard again",
            source.display()
        ));
    }
    Ok(bytes)
}

/// What `ksp verify` found in an output folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verification {
    /// Files the manifest lists.
    pub listed: usize,
    /// Listed but not there.
    pub missing: Vec<String>,
    /// There, but not with the manifest's SHA-256 and size.
    pub changed: Vec<String>,
    /// There but not listed (`run-summary.json`, which describes the run, aside).
    pub unlisted: Vec<String>,
}

impl Verification {
    /// Whether every listed file is there as the manifest says.
    pub fn is_intact(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}

/// `ksp verify`: checks every file of an output folder's manifest against its SHA-256 and
/// size. Fails when the folder has no readable manifest.
pub fn verify(dir: &Path) -> Result<Verification, String> {
    let manifest = Manifest::read(dir)?;
    let mut result = Verification {
        listed: manifest.outputs.len(),
        ..Verification::default()
    };
    let mut listed = std::collections::BTreeSet::new();
    for entry in &manifest.outputs {
        listed.insert(entry.path.as_str());
        match std::fs::read(dir.join(&entry.path)) {
            Err(_) => result.missing.push(entry.path.clone()),
            Ok(bytes) if bytes.len() as u64 != entry.size || sha256_hex(&bytes) != entry.sha256 => {
                result.changed.push(entry.path.clone())
            }
            Ok(_) => {}
        }
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .expect("under the folder")
                .to_string_lossy()
                .replace('\\', "/");
            if !listed.contains(relative.as_str())
                && relative != "manifest.json"
                && relative != "run-summary.json"
            {
                result.unlisted.push(relative);
            }
        }
    }
    result.unlisted.sort();
    Ok(result)
}

/// `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Option<(usize, usize)> {
    let (k, n) = text.split_once('/')?;
    let (k, n): (usize, usize) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
    (1..=n).contains(&k).then_some((k, n))
}
