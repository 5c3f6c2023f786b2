//! `ksp merge`: the shards of one run joined into one output folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{
    Entry, Manifest, OutputError, OutputLock, ReadError, Staging, parse_shard, write_file,
};
use crate::hash::sha256_hex;

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}: give the output folders of `ksp run --shard K/N`")]
    NoManifest(ReadError),
    #[error("give the output folders of every shard")]
    NoShards,
    #[error("{} is not a shard: its manifest has no `shard`; run it with --shard K/N", .0.display())]
    NotAShard(PathBuf),
    #[error("{} is shard {k}/{count} but {} is of {n} shards: merge the shards of one run", dir.display(), first.display())]
    OtherCount {
        dir: PathBuf,
        k: usize,
        count: usize,
        first: PathBuf,
        n: usize,
    },
    #[error("{} and {} are both shard {k}/{n}", .a.display(), .b.display())]
    Twice {
        a: PathBuf,
        b: PathBuf,
        k: usize,
        n: usize,
    },
    #[error("{} and {} were run with other versions, configs, templates or inputs: run every shard from the same commit", .a.display(), .b.display())]
    OtherRun { a: PathBuf, b: PathBuf },
    #[error("shard {k}/{n} is missing")]
    Missing { k: usize, n: usize },
    #[error("cannot read {}: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} has changed since its run wrote it (its SHA-256 is not the manifest's): render that shard again", .0.display())]
    Changed(PathBuf),
    #[error("{path} differs between {} and {}: the shards did not compute the same season", .a.display(), .b.display())]
    Differs {
        path: String,
        a: PathBuf,
        b: PathBuf,
    },
    #[error("{0}")]
    Output(#[from] OutputError),
    #[error("{0}")]
    Refused(#[from] super::Refusal),
}

impl From<super::CommitError> for MergeError {
    fn from(e: super::CommitError) -> MergeError {
        match e {
            super::CommitError::Refused(r) => MergeError::Refused(r),
            super::CommitError::Output(o) => MergeError::Output(o),
        }
    }
}

/// One shard's folder, its place among the shards and its manifest.
struct Shard<'a> {
    dir: &'a PathBuf,
    k: usize,
    n: usize,
    manifest: Manifest,
}

/// What `merge` did.
#[derive(Debug)]
pub struct Merged {
    /// Files written from the shards.
    pub files: usize,
    /// Entries of the old output that were not ksp's, carried into the new one.
    pub carried: Vec<String>,
    /// Where the old output was kept because files appeared in it during the merge.
    pub kept_aside: Option<PathBuf>,
}

/// The shard folders as inputs the merged output must not replace or lie inside.
pub fn shard_inputs(shards: &[PathBuf]) -> Vec<super::Input> {
    shards
        .iter()
        .map(|dir| super::Input::folder("a shard's output folder", dir))
        .collect()
}

/// Joins the output folders of `ksp run --shard 1/N … N/N` into `target`, all or nothing.
/// Checks that every shard is there once, that all come from the same ksp, config and
/// inputs, and that every file is still what its manifest says.
pub fn merge(shards: &[PathBuf], target: &Path, lock: &OutputLock) -> Result<Merged, MergeError> {
    let shards = read_shards(shards)?;
    check_complete(&shards)?;
    let files = files_of(&shards)?;
    let (mut staging, _) = Staging::new(target, lock)?;
    for (path, (entry, dir)) in &files {
        // As the shard's manifest has it, with the key of what it was rendered from.
        write_file(staging.dir(), path, &verified(dir, entry)?)?;
        staging.record(vec![(*entry).clone()]);
    }
    let merged = Manifest {
        shard: None,
        outputs: staging.entries(),
        ..shards[0].manifest.clone()
    };
    staging.write("manifest.json", &merged.to_bytes())?;
    let carried = staging.carry_over()?;
    let committed = staging.commit()?;
    Ok(Merged {
        files: files.len(),
        carried,
        kept_aside: committed.kept_aside,
    })
}

fn read_shards(dirs: &[PathBuf]) -> Result<Vec<Shard<'_>>, MergeError> {
    let shards = dirs
        .iter()
        .map(|dir| {
            let manifest = Manifest::read(dir).map_err(MergeError::NoManifest)?;
            let (k, n) = manifest
                .shard
                .as_deref()
                .and_then(parse_shard)
                .ok_or_else(|| MergeError::NotAShard(dir.clone()))?;
            Ok(Shard {
                dir,
                k,
                n,
                manifest,
            })
        })
        .collect::<Result<Vec<_>, MergeError>>()?;
    if shards.is_empty() {
        return Err(MergeError::NoShards);
    }
    Ok(shards)
}

/// Every shard of one run, each once.
fn check_complete(shards: &[Shard]) -> Result<(), MergeError> {
    let first = &shards[0];
    let n = first.n;
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n];
    let run = |m: &Manifest| {
        (
            m.tool.clone(),
            m.version.clone(),
            m.season.clone(),
            m.config_sha256.clone(),
            m.templates_sha256.clone(),
            m.inputs.clone(),
        )
    };
    for s in shards {
        if s.n != n {
            return Err(MergeError::OtherCount {
                dir: s.dir.clone(),
                k: s.k,
                count: s.n,
                first: first.dir.clone(),
                n,
            });
        }
        if let Some(other) = seen[s.k - 1].replace(s.dir) {
            return Err(MergeError::Twice {
                a: other.clone(),
                b: s.dir.clone(),
                k: s.k,
                n,
            });
        }
        if run(&s.manifest) != run(&first.manifest) {
            return Err(MergeError::OtherRun {
                a: first.dir.clone(),
                b: s.dir.clone(),
            });
        }
    }
    match seen.iter().position(Option::is_none) {
        Some(k) => Err(MergeError::Missing { k: k + 1, n }),
        None => Ok(()),
    }
}

/// Every file of every shard, once; a file in two shards must be the same in both.
fn files_of<'s>(
    shards: &'s [Shard],
) -> Result<BTreeMap<&'s str, (&'s Entry, &'s PathBuf)>, MergeError> {
    let mut files: BTreeMap<&str, (&Entry, &PathBuf)> = BTreeMap::new();
    for s in shards {
        for entry in &s.manifest.outputs {
            verified(s.dir, entry)?;
            match files.get(entry.path.as_str()) {
                Some((other, other_dir)) if other.sha256 != entry.sha256 => {
                    return Err(MergeError::Differs {
                        path: entry.path.clone(),
                        a: (*other_dir).clone(),
                        b: s.dir.clone(),
                    });
                }
                Some(_) => {}
                None => {
                    files.insert(&entry.path, (entry, s.dir));
                }
            }
        }
    }
    Ok(files)
}

/// The bytes of an output file, checked against its manifest entry.
fn verified(dir: &Path, entry: &Entry) -> Result<Vec<u8>, MergeError> {
    let path = dir.join(&entry.path);
    let bytes = std::fs::read(&path).map_err(|source| MergeError::Unreadable {
        path: path.clone(),
        source,
    })?;
    if sha256_hex(&bytes) != entry.sha256 {
        return Err(MergeError::Changed(path));
    }
    Ok(bytes)
}
