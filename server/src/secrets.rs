//! Secrets lockstep must keep but never show (an alert webhook URL is a bearer credential):
//! sealed with ChaCha20-Poly1305 under the server's secret key before they reach the database.
//!
//! The key: `LOCKSTEP_SECRET_KEY` (64 hex characters), else `<data-dir>/secret.key`, made on
//! first start (mode 0600). Several servers on one PostgreSQL database must share the key (set
//! the variable on each); a server with another key cannot open what the others sealed, and
//! says so.

use anyhow::Context;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::Path;

pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl SecretBox {
    pub fn from_key(key: [u8; 32]) -> SecretBox {
        SecretBox { cipher: ChaCha20Poly1305::new(Key::from_slice(&key)) }
    }

    /// A key for this process only (tests, and anything that never reads back across restarts).
    pub fn ephemeral() -> SecretBox {
        SecretBox::from_key(rand::random())
    }

    /// The configured key (hex), else the data dir's key file, made if missing.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<SecretBox> {
        if let Some(k) = configured.filter(|k| !k.trim().is_empty()) {
            let bytes = unhex(k).filter(|b| b.len() == 32).ok_or_else(|| {
                anyhow::anyhow!(
                    "LOCKSTEP_SECRET_KEY must be 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`"
                )
            })?;
            let mut key = [0u8; 32];
            key.copy_from_slice(&bytes);
            return Ok(SecretBox::from_key(key));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = unhex(&text).filter(|b| b.len() == 32).ok_or_else(|| {
                    anyhow::anyhow!("{} is not a lockstep secret key (64 hex characters)", path.display())
                })?;
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                Ok(SecretBox::from_key(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
                let key: [u8; 32] = rand::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                use std::io::Write;
                let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
                file.write_all(hex(&key).as_bytes())?;
                Ok(SecretBox::from_key(key))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// `nonce || ciphertext`, hex.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, plain.as_bytes()).expect("ChaCha20-Poly1305 encryption cannot fail");
        format!("{}{}", hex(&nonce), hex(&sealed))
    }

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let bytes = unhex(sealed).filter(|b| b.len() > 12).ok_or("the sealed value is damaged")?;
        let (nonce, ct) = bytes.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ct).map_err(|_| {
            "this server's secret key is not the one that sealed it (several servers need the same LOCKSTEP_SECRET_KEY)"
                .to_string()
        })?;
        String::from_utf8(plain).map_err(|_| "the sealed value is not text".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key() {
        let a = SecretBox::from_key([1; 32]);
        let url = "https://hooks.slack.com/services/T000/B000/XXXX";
        let sealed = a.seal(url);
        assert!(!sealed.contains("hooks.slack.com"), "nothing readable is stored");
        assert_ne!(sealed, a.seal(url), "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), url);
        assert!(SecretBox::from_key([2; 32]).open(&sealed).unwrap_err().contains("LOCKSTEP_SECRET_KEY"));
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = SecretBox::load(None, dir.path()).unwrap().seal("x");
        assert_eq!(SecretBox::load(None, dir.path()).unwrap().open(&sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(SecretBox::load(Some("abc"), dir.path()).is_err());
    }
}
