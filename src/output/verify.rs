//! `ksp verify`: an output folder checked against its manifest.

use std::path::Path;

use super::{Manifest, ReadError};
use crate::hash::sha256_hex;

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
pub fn verify(dir: &Path) -> Result<Verification, ReadError> {
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
        let entries = std::fs::read_dir(&folder).map_err(|e| ReadError {
            path: folder.clone(),
            message: format!("cannot read the folder: {e}"),
        })?;
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
