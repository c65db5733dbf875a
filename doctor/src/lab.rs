//! Test harness: the HTTPS lab of `lab/lab.sh` (dnsmasq, pebble, nginx with one server per
//! misconfiguration, a tiny backend), for tests of the doctor and of the Nginx path.
//!
//! `Lab::start()` reuses the lab named by `LOCKSTEP_LAB_DIR` (the test command starts one per run)
//! or brings up its own in a temp dir and stops it, by the PIDs it recorded, when dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;

pub struct Lab {
    pub dir: PathBuf,
    pub env: HashMap<String, String>,
    owned: bool,
    /// Held open while the lab is wanted; see [`Lab::stop_when_process_exits`].
    watchdog: Option<Mutex<ChildStdin>>,
}

impl Lab {
    pub fn start() -> Result<Lab, String> {
        if let Some(dir) = std::env::var_os("LOCKSTEP_LAB_DIR") {
            let dir = PathBuf::from(dir);
            return Ok(Lab { env: read_env(&dir)?, dir, owned: false, watchdog: None });
        }
        let dir = std::env::temp_dir().join(format!("lockstep-lab-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let script = repo_root().join("lab/lab.sh");
        let out = Command::new("bash").arg(&script).arg("up").arg(&dir).output().map_err(|e| e.to_string())?;
        let mut lab = Lab { env: read_env(&dir).unwrap_or_default(), dir, owned: true, watchdog: None };
        if !out.status.success() {
            return Err(format!(
                "the lab did not start ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        lab.env = read_env(&lab.dir)?;
        Ok(lab)
    }

    /// For a lab kept in a `static` (never dropped): a watchdog shell waits on a pipe this
    /// process holds, and stops the lab when the pipe closes, that is when the process ends
    /// (even by a panic or a kill). A reused lab (`LOCKSTEP_LAB_DIR`) is left alone.
    pub fn stop_when_process_exits(mut self) -> Lab {
        if self.owned {
            let script = repo_root().join("lab/lab.sh");
            let child = Command::new("sh")
                .args(["-c", "cat >/dev/null; bash \"$0\" down \"$1\" >/dev/null 2>&1; rm -rf \"$1\""])
                .arg(&script)
                .arg(&self.dir)
                .stdin(Stdio::piped())
                .spawn();
            if let Ok(mut child) = child {
                self.watchdog = child.stdin.take().map(Mutex::new);
                // The lab is now the watchdog's to stop.
                self.owned = false;
            }
        }
        self
    }

    pub fn var(&self, k: &str) -> &str {
        self.env.get(k).map(String::as_str).unwrap_or_else(|| panic!("lab.env has no {k}"))
    }
    pub fn dns(&self) -> SocketAddr {
        self.var("LAB_DNS").parse().expect("LAB_DNS is ip:port")
    }
    pub fn ca_bundle(&self) -> PathBuf {
        PathBuf::from(self.var("LAB_CA_BUNDLE"))
    }
    pub fn http_port(&self) -> u16 {
        self.var("LAB_HTTP_PORT").parse().expect("port")
    }
    pub fn https_port(&self) -> u16 {
        self.var("LAB_HTTPS_PORT").parse().expect("port")
    }
    pub fn zone(&self) -> &str {
        self.var("LAB_ZONE")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.owned {
            let _ = Command::new("bash").arg(repo_root().join("lab/lab.sh")).arg("down").arg(&self.dir).output();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the doctor crate sits in the repo").to_path_buf()
}

/// `KEY=VALUE` lines written with bash's `printf %q`.
fn read_env(dir: &Path) -> Result<HashMap<String, String>, String> {
    let text =
        std::fs::read_to_string(dir.join("lab.env")).map_err(|e| format!("{}: {e}", dir.join("lab.env").display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = if let Some(inner) = v.strip_prefix("$'").and_then(|x| x.strip_suffix('\'')) {
                inner.to_string()
            } else if let Some(inner) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
                inner.to_string()
            } else {
                let mut out = String::new();
                let mut esc = false;
                for c in v.chars() {
                    if esc || c != '\\' {
                        out.push(c);
                        esc = false;
                    } else {
                        esc = true;
                    }
                }
                out
            };
            (k.trim().to_string(), v)
        })
        .collect())
}
