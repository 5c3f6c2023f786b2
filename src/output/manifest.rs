//! `manifest.json`: what a run read and wrote.

use std::path::Path;

use serde::Serialize;

use super::{Entry, ReadError};

/// `manifest.json`: what a run read and wrote.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub season: String,
    pub config_sha256: String,
    /// The fingerprint of the templates and fonts the documents were rendered with: the
    /// built-in set's, or that of the folder `output.templates` names.
    #[serde(default)]
    pub templates_sha256: String,
    /// `K/N` when the run rendered one shard of the documents (`--shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub inputs: Vec<Entry>,
    pub outputs: Vec<Entry>,
}

impl Manifest {
    /// What a run of `season` (named so in the config, whose text hashes to `config_sha256`)
    /// with the templates of `templates_sha256` read and wrote, by this version of ksp.
    pub fn new(
        season: &str,
        [config_sha256, templates_sha256]: [&str; 2],
        inputs: Vec<Entry>,
        outputs: Vec<Entry>,
        shard: Option<String>,
    ) -> Manifest {
        Manifest {
            tool: "ksp".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            season: season.to_string(),
            config_sha256: config_sha256.to_string(),
            templates_sha256: templates_sha256.to_string(),
            shard,
            inputs,
            outputs,
        }
    }

    /// The manifest of the output folder `dir`, if it has a readable one.
    pub fn read(dir: &Path) -> Result<Manifest, ReadError> {
        ReadError::read_json(&dir.join("manifest.json"), "a manifest written by ksp")
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("manifest serializes");
        bytes.push(b'\n');
        bytes
    }
}
