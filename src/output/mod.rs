//! Writing outputs all or nothing: files go into a staging folder of the run's own beside
//! the output folder (`staging`), which replaces the output folder only when the whole run
//! succeeded, under a lock no other run can take meanwhile (`lock`). Every file written is
//! recorded for `manifest.json` (`manifest`), which `ksp verify` checks a folder against and
//! `ksp merge` joins shards by. An output folder is replaced only when it is ksp's, and never
//! when it holds an input (`guard`).

pub mod guard;
mod lock;
mod manifest;
mod merge;
mod staging;
mod verify;

use std::path::{Path, PathBuf};

pub use guard::{Input, Refusal, check_target};
pub use lock::{LockError, OutputLock};
pub use manifest::Manifest;
pub use merge::{MergeError, Merged, merge, shard_inputs};
pub use staging::{CommitError, Committed, Staging, clean_up_on_interrupt, track_worker};
pub use verify::{Verification, verify};

use crate::hash::sha256_hex;

/// Writing a file or folder of the output failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {source}", path.display())]
pub struct OutputError {
    /// What was being done: `write`, `create the staging folder beside`, …
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// A file ksp wrote earlier (a manifest, results, a sensitivity table) could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub message: String,
}

impl ReadError {
    /// Reads and parses a JSON file ksp wrote; `what` names it in the message.
    pub fn read_json<T: serde::de::DeserializeOwned>(
        path: &Path,
        what: &str,
    ) -> Result<T, ReadError> {
        let fail = |message: String| ReadError {
            path: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| fail(format!("is not {what}: {e}")))
    }
}

/// Writes `relative` under `dir`, creating folders, and describes the file for the manifest.
pub fn write_file(dir: &Path, relative: &str, bytes: &[u8]) -> Result<Entry, OutputError> {
    let path = dir.join(relative);
    let fail = |source| OutputError {
        action: "write",
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(&path, bytes).map_err(fail)?;
    Ok(Entry {
        path: relative.to_string(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        input_sha256: None,
    })
}

/// One file of the output, as listed in the manifest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
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

/// `.<name>.<what>` in the folder that holds `target`.
pub(crate) fn beside(target: &Path, what: &str) -> PathBuf {
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into())
}

/// `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Option<(usize, usize)> {
    let (k, n) = text.split_once('/')?;
    let (k, n): (usize, usize) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
    (1..=n).contains(&k).then_some((k, n))
}
