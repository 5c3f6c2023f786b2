//! Writing outputs all or nothing: files go into a staging folder beside the output folder,
//! which replaces the output folder only when the whole run succeeded. Every file written is
//! recorded for `manifest.json`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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
    })
}

/// Staging folders of runs in progress, removed by the interrupt handler.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On Ctrl-C or SIGTERM, removes the staging folders of runs in progress and exits with 130,
/// so an interrupted run leaves the previous output as it was and no debris.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(active) = ACTIVE.lock() {
            for dir in active.iter() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        eprintln!("ksp: interrupted; the output folder was left as it was");
        std::process::exit(130);
    });
}

/// One file of the output, as listed in the manifest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// A staging folder that is removed when dropped unless committed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    written: Mutex<Vec<Entry>>,
    committed: bool,
}

impl Staging {
    /// Creates `.<name>.ksp-staging` beside `target`, clearing a leftover from a killed run.
    pub fn new(target: &Path) -> std::io::Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let dir = parent.join(format!(".{}.ksp-staging", file_name(target)));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        ACTIVE.lock().expect("not poisoned").push(dir.clone());
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            written: Mutex::new(Vec::new()),
            committed: false,
        })
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

    /// Moves the staged folder into place. The old output is first renamed aside, so the
    /// target never holds a mix of two runs.
    pub fn commit(mut self) -> std::io::Result<()> {
        let parent = self
            .dir
            .parent()
            .expect("staging has a parent")
            .to_path_buf();
        let old = parent.join(format!(".{}.ksp-old", file_name(&self.target)));
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        let had_previous = self.target.exists();
        if had_previous {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_previous {
                std::fs::rename(&old, &self.target)?;
            }
            return Err(e);
        }
        self.committed = true;
        forget(&self.dir);
        if had_previous {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
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

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    season: &'a str,
    config_sha256: &'a str,
    inputs: Vec<Entry>,
    outputs: Vec<Entry>,
}

/// `manifest.json`: every output with its SHA-256 and size, the tool's version and the
/// inputs' SHA-256. Paths are as the config names them, so the manifest does not depend on
/// where ksp was run from.
pub fn manifest(
    season: &crate::config::Season,
    data: &crate::input::Dataset,
    outputs: Vec<Entry>,
) -> Vec<u8> {
    let named = [
        &season.effective.input.participants,
        &season.effective.input.responses,
    ];
    let inputs = data
        .inputs
        .iter()
        .zip(named)
        .map(|((path, sha256), name)| Entry {
            path: name.clone(),
            sha256: sha256.clone(),
            size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        })
        .collect();
    let doc = Manifest {
        tool: "ksp",
        version: env!("CARGO_PKG_VERSION"),
        season: &season.name,
        config_sha256: &season.config_sha256,
        inputs,
        outputs,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("manifest serializes");
    bytes.push(b'\n');
    bytes
}
