//! Starting a program in a running session, as its user: in the desktop's
//! cgroup (so the session's end ends it too), with the user's own groups,
//! in their home, with only the environment given.
//!
//! The daemon runs as root; some of the desktop's services answer only
//! their own user (the session's D-Bus checks the caller's uid), so the
//! daemon asks them through a program started this way.

use crate::cgroup::{Part, SessionCgroup};
use crate::error::Result;
use crate::users::Account;
use podium_sys::spawn::{Credentials, ExecPlan, Output};

/// Starts `program` (an absolute path) with `argv` (argv\[0\] included)
/// and `env` as `account`, in the desktop part of `cgroup`; its pid. The
/// daemon's reaper collects it when it exits.
///
/// # Errors
/// When the user's groups cannot be read or a step of the start fails
/// (which one is said).
pub fn as_user(
    cgroup: &SessionCgroup,
    account: &Account,
    program: &str,
    argv: &[String],
    env: &[(String, String)],
) -> Result<i32> {
    let credentials = Credentials {
        uid: account.uid,
        gid: account.gid,
        groups: account.group_ids()?,
    };
    let plan = ExecPlan::new(program, argv)?
        .env(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
        .cgroups(cgroup.join_fds(Part::Desktop)?)
        .credentials(credentials)
        .workdir(&account.home.to_string_lossy())?
        .output(Output::Null);
    Ok(plan.spawn()?)
}
