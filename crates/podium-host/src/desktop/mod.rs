//! The desktop's own way out, asked before Podium closes anything itself.
//!
//! A real desktop knows how to end a session without losing work: its
//! session manager asks every application to save, and LibreOffice keeps
//! its documents for the next start. At the log-off deadline Podium first
//! asks these programs, and only then sends `WM_DELETE_WINDOW` to what is
//! left, then SIGTERM, then `cgroup.kill` (`crate::host::logoff`).

pub mod apps;
pub mod bus;
pub mod launch;
pub mod manager;
pub mod office;
pub mod procs;
pub mod socket;

use crate::cgroup::SessionCgroup;
use crate::users::Account;
use std::time::{Duration, Instant};

/// What the desktop's programs answered when asked to end.
#[derive(Debug, Default)]
pub struct Asked {
    /// What the session manager did (none when it could not be asked).
    pub manager: Option<crate::Result<manager::Asked>>,
    /// Each LibreOffice process and its answer (or why there was none).
    pub offices: Vec<(i32, crate::Result<office::Answer>)>,
}

impl Asked {
    /// Whether the session manager or a LibreOffice did something (so the
    /// screen is worth looking at again).
    #[must_use]
    pub fn acted(&self) -> bool {
        matches!(
            self.manager,
            Some(Ok(manager::Asked::LoggedOut { .. } | manager::Asked::Cancelled { .. }))
        ) || self.offices.iter().any(|(_, a)| a.as_ref().is_ok_and(|a| a.kept))
    }
}

/// Asks the session's own programs to end as at a log out of the desktop,
/// all at once, within `patience`: the session manager over XSMP, and
/// (or, failing that, over D-Bus), and every LibreOffice to keep its documents and quit (LibreOffice's gtk3
/// back end does not answer the manager). Those that kept their documents
/// are waited for: a signal while LibreOffice quits would leave its
/// "crashed" mark, and the next start would offer a recovery instead of
/// restoring the session.
#[must_use]
pub fn ask_to_end(cgroup: &SessionCgroup, account: &Account, patience: Duration) -> Asked {
    let uid = account.uid;
    let until = Instant::now() + patience;
    let pids = office::processes(cgroup, uid);
    std::thread::scope(|s| {
        let manager = s.spawn(move || manager::log_out(cgroup, account, patience));
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
        let offices = asks
            .into_iter()
            .map(|(pid, ask)| (pid, ask.join().unwrap_or_else(|_| Err(lost("LibreOffice", pid)))))
            .collect();
        Asked {
            manager: manager.join().ok(),
            offices,
        }
    })
}

fn lost(program: &'static str, pid: i32) -> crate::HostError {
    crate::HostError::DesktopProgram {
        program,
        pid,
        why: "the request failed".into(),
    }
}
