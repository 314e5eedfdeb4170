//! Accounts and roles, from the system's user and group databases (NSS).

use crate::error::{HostError, Result};
use nix::unistd::{Gid, Group, Uid, User};
use podium_core::config::RolesConfig;
use podium_core::{Caller, Role};
use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A Unix account, as much of it as a session needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// First GECOS field, or the login name.
    pub full_name: String,
    /// Home directory.
    pub home: PathBuf,
    /// Login shell.
    pub shell: PathBuf,
}

impl Account {
    fn from_user(u: User) -> Account {
        let gecos = u.gecos.to_string_lossy();
        let full = gecos.split(',').next().unwrap_or("").trim();
        Account {
            full_name: if full.is_empty() {
                u.name.clone()
            } else {
                full.to_owned()
            },
            name: u.name,
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
            home: u.dir,
            shell: u.shell,
        }
    }

    /// Looks an account up by login name.
    ///
    /// # Errors
    /// [`HostError::UnknownUser`] when there is none, or the lookup failed.
    pub fn by_name(name: &str) -> Result<Account> {
        match User::from_name(name) {
            Ok(Some(u)) => Ok(Account::from_user(u)),
            Ok(None) => Err(HostError::UnknownUser(name.to_owned())),
            Err(e) => Err(HostError::Sys {
                what: "look up user",
                source: e,
            }),
        }
    }

    /// Looks an account up by uid.
    ///
    /// # Errors
    /// [`HostError::UnknownUser`] when there is none, or the lookup failed.
    pub fn by_uid(uid: u32) -> Result<Account> {
        match User::from_uid(Uid::from_raw(uid)) {
            Ok(Some(u)) => Ok(Account::from_user(u)),
            Ok(None) => Err(HostError::UnknownUser(format!("uid {uid}"))),
            Err(e) => Err(HostError::Sys {
                what: "look up user",
                source: e,
            }),
        }
    }

    /// Supplementary group ids (primary included), as `initgroups` would set them.
    ///
    /// # Errors
    /// When NSS cannot answer.
    pub fn group_ids(&self) -> Result<Vec<u32>> {
        let name = CString::new(self.name.as_str()).map_err(|_| HostError::UnknownUser(self.name.clone()))?;
        let groups =
            nix::unistd::getgrouplist(&name, Gid::from_raw(self.gid)).map_err(HostError::sys("getgrouplist"))?;
        Ok(groups.into_iter().map(Gid::as_raw).collect())
    }

    /// Names of the account's groups.
    ///
    /// # Errors
    /// When NSS cannot answer.
    pub fn group_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for gid in self.group_ids()? {
            if let Ok(Some(g)) = Group::from_gid(Gid::from_raw(gid)) {
                names.push(g.name);
            }
        }
        Ok(names)
    }
}

/// What the role rule concluded for one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The role.
    pub role: Role,
    /// Whether the account may have a session at all.
    pub may_log_on: bool,
}

/// Turns accounts into roles (SPEC §2), looking groups up again whenever
/// `/etc/group` changes and at least every few seconds, so that
/// `usermod -aG podium-dashboard alice` takes effect without a restart
/// while a list of 200 sessions does not cost 200 NSS lookups.
#[derive(Debug)]
pub struct Roles {
    config: RolesConfig,
    cache: Mutex<RoleCache>,
}

#[derive(Debug, Default)]
struct RoleCache {
    group_file: Option<SystemTime>,
    passwd_file: Option<SystemTime>,
    group_file_checked: Option<Instant>,
    entries: HashMap<(u32, String), (Standing, Instant)>,
    /// Accounts by uid: every web request names its caller by uid, and an
    /// NSS lookup (the passwd file, systemd's user database) per request
    /// cost more than the rest of a thumbnail's request.
    accounts: HashMap<u32, (Account, Instant)>,
}

/// How often `/etc/group` is looked at for changes.
const GROUP_FILE_CHECK: Duration = Duration::from_secs(1);

impl RoleCache {
    /// Drops everything cached when `/etc/group` or `/etc/passwd` changed
    /// (looked at once per [`GROUP_FILE_CHECK`]).
    fn forget_if_files_changed(&mut self, now: Instant) {
        if self
            .group_file_checked
            .is_some_and(|t| now.duration_since(t) < GROUP_FILE_CHECK)
        {
            return;
        }
        let stamp = |p: &str| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let (group, passwd) = (stamp("/etc/group"), stamp("/etc/passwd"));
        self.group_file_checked = Some(now);
        if self.group_file != group || self.passwd_file != passwd {
            self.entries.clear();
            self.accounts.clear();
            self.group_file = group;
            self.passwd_file = passwd;
        }
    }
}

/// How long a cached standing is trusted when `/etc/group` did not change
/// (other NSS sources, such as LDAP, give no change signal).
const ROLE_TTL: Duration = Duration::from_secs(5);

impl Roles {
    /// A resolver for this configuration.
    #[must_use]
    pub fn new(config: RolesConfig) -> Roles {
        Roles {
            config,
            cache: Mutex::new(RoleCache::default()),
        }
    }

    /// The pure rule, from the account's uid and group names.
    #[must_use]
    pub fn standing_from_groups(&self, uid: u32, groups: &[String]) -> Standing {
        let member = |list: &[String]| groups.iter().any(|g| list.contains(g));
        let role = if uid == 0 || member(&self.config.admin_groups) {
            Role::Admin
        } else if member(&self.config.dashboard_groups) {
            Role::Dashboard
        } else {
            Role::Standard
        };
        let denied = groups.contains(&self.config.deny_group);
        Standing {
            role,
            may_log_on: uid >= self.config.min_uid && !denied,
        }
    }

    /// The account with user id `uid` that a web login made as `name`
    /// stands for, as NSS gave it at most [`ROLE_TTL`] ago, and not before
    /// the last change of `/etc/passwd` or `/etc/group`. A cached account
    /// of another name is looked up again: a deleted account's uid may be
    /// given to a new one at once.
    ///
    /// # Errors
    /// [`HostError::UnknownUser`] when the uid has no account.
    pub fn account_of_login(&self, uid: u32, name: &str) -> Result<Account> {
        let now = Instant::now();
        if let Ok(mut cache) = self.cache.lock() {
            cache.forget_if_files_changed(now);
            if let Some((a, at)) = cache.accounts.get(&uid)
                && a.name == name
                && now.duration_since(*at) < ROLE_TTL
            {
                return Ok(a.clone());
            }
        }
        let account = Account::by_uid(uid)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.accounts.insert(uid, (account.clone(), now));
        }
        Ok(account)
    }

    /// The account's standing now.
    #[must_use]
    pub fn standing(&self, account: &Account) -> Standing {
        let now = Instant::now();
        if let Ok(mut cache) = self.cache.lock() {
            cache.forget_if_files_changed(now);
            // Keyed by name too: a deleted account's uid may be reused at once.
            if let Some((s, at)) = cache.entries.get(&(account.uid, account.name.clone()))
                && now.duration_since(*at) < ROLE_TTL
            {
                return *s;
            }
        }
        // A failed group lookup gives the least privilege.
        let groups = account.group_names().unwrap_or_default();
        let s = self.standing_from_groups(account.uid, &groups);
        if let Ok(mut cache) = self.cache.lock() {
            cache.entries.insert((account.uid, account.name.clone()), (s, now));
        }
        s
    }

    /// The caller a uid stands for (the Unix socket's peer credentials).
    ///
    /// # Errors
    /// [`HostError::UnknownUser`] when the uid has no account.
    pub fn caller_for_uid(&self, uid: u32) -> Result<Caller> {
        // Asked afresh: the peer's uid is all there is to go by.
        let account = Account::by_uid(uid)?;
        let role = self.standing(&account).role;
        Ok(Caller {
            user: account.name,
            uid,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Roles {
        Roles::new(RolesConfig::default())
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn groups_give_roles_as_the_spec_says() {
        let r = roles();
        assert_eq!(r.standing_from_groups(1001, &names(&["users"])).role, Role::Standard);
        assert_eq!(
            r.standing_from_groups(1001, &names(&["podium-dashboard"])).role,
            Role::Dashboard
        );
        for admin in ["podium-admin", "sudo", "wheel"] {
            assert_eq!(
                r.standing_from_groups(1001, &names(&[admin, "podium-dashboard"])).role,
                Role::Admin
            );
        }
        assert_eq!(r.standing_from_groups(0, &[]).role, Role::Admin);
    }

    #[test]
    fn system_accounts_and_the_deny_group_may_not_log_on() {
        let r = roles();
        assert!(r.standing_from_groups(1000, &[]).may_log_on);
        assert!(!r.standing_from_groups(999, &[]).may_log_on);
        assert!(!r.standing_from_groups(1001, &names(&["podium-deny"])).may_log_on);
    }

    #[test]
    fn root_is_found_and_is_an_administrator() {
        let root = Account::by_name("root").expect("root exists");
        assert_eq!(root.uid, 0);
        assert_eq!(roles().standing(&root).role, Role::Admin);
        assert!(matches!(
            Account::by_name("no-such-user-podium"),
            Err(HostError::UnknownUser(_))
        ));
    }
}
