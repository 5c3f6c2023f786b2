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
        input_sha256: None,
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
    /// Every output with its SHA-256 and size, the tool's version and the inputs' SHA-256.
    /// Paths are as the config names them, so the manifest does not depend on where ksp was
    /// run from.
    pub fn new(
        season: &crate::config::Season,
        data: &crate::input::Dataset,
        outputs: Vec<Entry>,
        shard: Option<String>,
    ) -> Manifest {
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
                input_sha256: None,
            })
            .collect();
        Manifest {
            tool: "ksp".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            season: season.name.clone(),
            config_sha256: season.config_sha256.clone(),
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
pub fn merge(shards: &[PathBuf], target: &Path) -> Result<usize, String> {
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
    let staging = Staging::new(target).map_err(|e| {
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

/// `K/N` with 1 ≤ K ≤ N.
pub fn parse_shard(text: &str) -> Option<(usize, usize)> {
    let (k, n) = text.split_once('/')?;
    let (k, n): (usize, usize) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
    (1..=n).contains(&k).then_some((k, n))
}
