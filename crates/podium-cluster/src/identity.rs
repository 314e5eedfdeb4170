//! A host's identity in the school: its NATS nkey, and a signing key
//! derived from it for what the host vouches for to other hosts (a
//! caller's name, a log-in hand-off).
//!
//! The signing key is not the NATS key itself: to authenticate, a NATS
//! client signs whatever nonce the server sends, so a server could make
//! the host sign a message of its choosing. The derived key signs only
//! Podium's own messages.

use crate::error::{ClusterError, Result};
use nkeys::{KeyPair, KeyPairType};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::Zeroizing;

/// Largest key file read (a seed is 58 characters).
const MAX_FILE: u64 = 4096;

/// A host's keys.
pub struct Identity {
    /// This host's name.
    pub host: String,
    seed: Zeroizing<String>,
    nats: KeyPair,
    signer: KeyPair,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("host", &self.host)
            .field("nats", &self.nats.public_key())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Reads the seed at `path`: a regular file of root's (or of the
    /// daemon's own user) that no one else may read, not a link.
    ///
    /// # Errors
    /// [`ClusterError::Key`] saying what is wrong with the file.
    pub fn load(host: &str, path: &Path) -> Result<Identity> {
        let fail = |why: String| ClusterError::Key {
            path: path.display().to_string(),
            why,
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| fail(format!("cannot open it: {e} (make one with `podium cluster keygen`)")))?;
        let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
        if !meta.file_type().is_file() {
            return Err(fail("is not a regular file".into()));
        }
        if meta.uid() != effective_uid() {
            return Err(fail(format!("belongs to uid {}, not to the daemon's user", meta.uid())));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(fail(format!(
                "can be read by others (mode {:o}); `chmod 600` it",
                meta.mode() & 0o777
            )));
        }
        let mut text = Zeroizing::new(String::new());
        std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_FILE), &mut text)
            .map_err(|e| fail(format!("cannot read it: {e}")))?;
        Identity::from_seed(host, text.trim()).map_err(fail)
    }

    /// The identity of `seed` (an nkey user seed, `SU…`).
    ///
    /// # Errors
    /// When `seed` is not a user seed.
    pub fn from_seed(host: &str, seed: &str) -> std::result::Result<Identity, String> {
        let nats = KeyPair::from_seed(seed).map_err(|e| format!("not an nkey seed: {e}"))?;
        if nats.key_pair_type() != KeyPairType::User {
            return Err("not a user seed (it must start with SU)".into());
        }
        let (_, raw) = nkeys::decode_seed(seed).map_err(|e| format!("not an nkey seed: {e}"))?;
        let mut derive = Sha256::new();
        derive.update(b"podium host signing key v1\0");
        derive.update(raw);
        let derived: [u8; 32] = derive.finalize().into();
        let signer = KeyPair::new_from_raw(KeyPairType::User, derived).map_err(|e| e.to_string())?;
        Ok(Identity {
            host: host.to_owned(),
            seed: Zeroizing::new(seed.to_owned()),
            nats,
            signer,
        })
    }

    /// Makes a new identity and writes its seed to `path` (mode 0600,
    /// never over an existing file).
    ///
    /// # Errors
    /// [`ClusterError::Key`] when the file exists or cannot be written.
    pub fn generate(host: &str, path: &Path) -> Result<Identity> {
        let fail = |why: String| ClusterError::Key {
            path: path.display().to_string(),
            why,
        };
        let pair = KeyPair::new_user();
        let seed = Zeroizing::new(pair.seed().map_err(|e| fail(e.to_string()))?);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create its directory: {e}")))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| fail(format!("cannot create it: {e}")))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .and_then(|()| file.write_all(format!("{}\n", seed.as_str()).as_bytes()))
            .map_err(|e| fail(format!("cannot write it: {e}")))?;
        Identity::from_seed(host, &seed).map_err(fail)
    }

    /// The public key the NATS servers know this host by.
    #[must_use]
    pub fn nats_public_key(&self) -> String {
        self.nats.public_key()
    }

    /// The public key other hosts check this host's signatures with (their
    /// `[cluster.peers]`).
    #[must_use]
    pub fn signing_public_key(&self) -> String {
        self.signer.public_key()
    }

    /// The seed, for the NATS client.
    pub(crate) fn seed(&self) -> String {
        self.seed.as_str().to_owned()
    }

    /// Signs `message` with the derived key.
    ///
    /// # Errors
    /// Never in practice (ed25519 signing of bytes).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.signer
            .sign(message)
            .map_err(|e| ClusterError::Record(e.to_string()))
    }
}

/// Whether `signature` over `message` was made by the host whose signing
/// public key is `public_key`.
#[must_use]
pub fn verify(public_key: &str, message: &[u8], signature: &[u8]) -> bool {
    KeyPair::from_public_key(public_key).is_ok_and(|k| k.verify(message, signature).is_ok())
}

fn effective_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("podium-identity-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_generated_key_loads_back_and_signs() {
        let dir = scratch("gen");
        let path = dir.join("a.nk");
        let made = Identity::generate("a", &path).expect("generated");
        assert!(Identity::generate("a", &path).is_err(), "never over an existing key");
        let loaded = Identity::load("a", &path).expect("loads");
        assert_eq!(made.nats_public_key(), loaded.nats_public_key());
        assert_ne!(
            made.nats_public_key(),
            made.signing_public_key(),
            "the signing key is derived"
        );
        let signature = loaded.sign(b"hello").expect("signs");
        assert!(verify(&made.signing_public_key(), b"hello", &signature));
        assert!(!verify(&made.signing_public_key(), b"hellO", &signature));
        assert!(!verify(&made.nats_public_key(), b"hello", &signature));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unsafe_or_wrong_file_is_refused_with_the_reason() {
        let dir = scratch("bad");
        let path = dir.join("a.nk");
        let made = Identity::generate("a", &path).expect("generated");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = Identity::load("a", &path).expect_err("readable by others");
        assert!(e.to_string().contains("chmod 600"), "{e}");
        let link = dir.join("link.nk");
        std::os::unix::fs::symlink(&path, &link).expect("link");
        assert!(Identity::load("a", &link).is_err(), "a link is not followed");
        let other = dir.join("other.nk");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&other)
            .expect("create");
        f.write_all(made.nats_public_key().as_bytes()).expect("write");
        let e = Identity::load("a", &other).expect_err("a public key is no seed");
        assert!(e.to_string().contains("seed"), "{e}");
        let e = Identity::load("a", &dir.join("missing.nk")).expect_err("missing");
        assert!(e.to_string().contains("podium cluster keygen"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
