//! SHA-256 as lower-case hex: what the manifest records of every file, and the key of what a
//! document was rendered from. At the bottom of the crate, so any stage can use it.

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 over named parts: each part's name, a NUL, its length and its bytes, so no two
/// lists of parts hash alike by shifting bytes from one part to the next.
pub fn sha256_of_parts<'a>(parts: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hasher = Sha256::new();
    for (name, bytes) in parts {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hex(&hasher.finalize())
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            sha256_of_parts([("a", b"bc".as_slice()), ("d", b"".as_slice())]),
            sha256_of_parts([("a", b"b".as_slice()), ("d", b"c".as_slice())])
        );
    }
}
