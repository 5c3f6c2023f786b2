//! Embeds `report-templates/` (templates, `lib/`, fonts, samples) into the binary, so an
//! installed ksp renders seasons that live anywhere.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates");
    // Relative to the package, so a target folder shared by two checkouts (a CI cache, a
    // bench clone) watches this checkout's templates, not those of the one built first.
    println!("cargo:rerun-if-changed=report-templates");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut code = String::from("/// Every file of `report-templates/`, by its path there.\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    // Paths and bytes, as `TemplateFolder::fingerprint` hashes a folder on disk.
    let mut hasher = Sha256::new();
    for path in &files {
        let relative = path
            .strip_prefix(&root)
            .expect("under the template folder")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).expect("a readable template file");
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    code.push_str(&format!(
        "/// SHA-256 over the paths and bytes of [`FILES`].\npub const FINGERPRINT: &str = {digest:?};\n"
    ));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("builtin_templates.rs"), code).expect("OUT_DIR is writable");
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("report-templates/ is readable") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
