//! The desktop's own way out, asked before Podium closes anything itself.
//!
//! A real desktop knows how to end a session without losing work: its
//! session manager asks every application to save, and LibreOffice keeps
//! its documents for the next start. At the log-off deadline Podium first
//! asks these programs, and only then sends `WM_DELETE_WINDOW` to what is
//! left, then SIGTERM, then `cgroup.kill` (`crate::host::logoff`).

pub mod apps;
pub mod office;
pub mod procs;
pub mod socket;

use crate::cgroup::SessionCgroup;
use std::time::{Duration, Instant};

/// What the desktop's programs answered when asked to end.
#[derive(Debug, Default)]
pub struct Asked {
    /// Each LibreOffice process and its answer (or why there was none).
    pub offices: Vec<(i32, crate::Result<office::Answer>)>,
}

/// Asks every LibreOffice of the session to keep its documents and quit,
/// all at once, each for at most `patience`, and waits for those that
/// kept them to be gone: a signal while LibreOffice quits would leave its
/// "crashed" mark, and the next start would offer a recovery instead of
/// restoring the session.
#[must_use]
pub fn ask_to_end(cgroup: &SessionCgroup, uid: u32, patience: Duration) -> Asked {
    let until = Instant::now() + patience;
    let pids = office::processes(cgroup, uid);
    let offices = std::thread::scope(|s| {
        let asks: Vec<_> = pids
            .iter()
            .map(|&pid| {
                let ask = move || {
                    let answer = office::end_session(pid, uid, patience)?;
                    if answer.kept && !procs::wait_gone(pid, until) {
                        tracing::warn!(pid, "LibreOffice kept its documents but has not quit yet");
                    }
                    Ok(answer)
                };
                (pid, s.spawn(ask))
            })
            .collect();
        asks.into_iter()
            .map(|(pid, ask)| {
                let answer = ask.join().unwrap_or_else(|_| {
                    Err(crate::HostError::DesktopProgram {
                        program: "LibreOffice",
                        pid,
                        why: "the request failed".into(),
                    })
                });
                (pid, answer)
            })
            .collect()
    });
    Asked { offices }
}
