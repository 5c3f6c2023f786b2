//! Writing outputs all or nothing: files go into a staging folder beside the output folder,
//! which replaces the output folder only when the whole run succeeded.

use std::path::{Path, PathBuf};

/// A staging folder that is removed when dropped unless committed.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.<name>.ksp-staging` beside `target`, clearing a leftover from a killed run.
    pub fn new(target: &Path) -> std::io::Result<Staging> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let dir = parent.join(format!(".{name}.ksp-staging"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    /// Moves the staged folder into place. The old output is first renamed aside, so the
    /// target never holds a mix of two runs.
    pub fn commit(mut self) -> std::io::Result<()> {
        let parent = self
            .dir
            .parent()
            .expect("staging has a parent")
            .to_path_buf();
        let old = parent.join(format!(
            ".{}.ksp-old",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
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
        if had_previous {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
