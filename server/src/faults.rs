//! Fault injection for crash tests.
//!
//! With `LOCKSTEP_FAULT_PAUSE=<point>` set, the process prints `LOCKSTEP_FAULT_PAUSED <point>`
//! to stderr when it reaches that point and then blocks that step forever, so a test can
//! `kill -9` it exactly there (no timing guesswork). Without the variable this is a no-op.

use std::io::Write;

pub async fn point(name: &str) {
    if std::env::var("LOCKSTEP_FAULT_PAUSE").is_ok_and(|v| v == name) {
        {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "LOCKSTEP_FAULT_PAUSED {name}");
            let _ = err.flush();
        }
        std::future::pending::<()>().await;
    }
}
