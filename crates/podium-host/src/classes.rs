//! Classes from the system's groups: a school's directory makes a group
//! per class, so the dashboard selects a class by its group. Groups every
//! account has are left out: system groups (below the first user id) and
//! a user's own private group, which would be a "class" of one.

use crate::users::Account;
use nix::unistd::{Gid, Group};
use podium_core::{Class, ClassList};
use std::collections::{BTreeMap, BTreeSet};

/// The lowest id of a group that can be a class, as of user accounts.
const FIRST_CLASS_GID: u32 = 1000;
/// `nogroup`.
const NO_GROUP: u32 = 65534;

/// The classes of `users` (login names), each with those of `users` in it.
/// An account NSS does not know is left out.
#[must_use]
pub fn of(users: &BTreeSet<String>) -> ClassList {
    let mut names: BTreeMap<u32, Option<String>> = BTreeMap::new();
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for user in users {
        let Ok(account) = Account::by_name(user) else {
            continue;
        };
        let Ok(gids) = account.group_ids() else {
            continue;
        };
        for gid in gids {
            if gid < FIRST_CLASS_GID || gid == NO_GROUP {
                continue;
            }
            let name = names
                .entry(gid)
                .or_insert_with(|| Group::from_gid(Gid::from_raw(gid)).ok().flatten().map(|g| g.name));
            match name {
                Some(group) if group != user => {
                    members.entry(group.clone()).or_default().insert(user.clone());
                }
                _ => {}
            }
        }
    }
    ClassList {
        classes: members
            .into_iter()
            .map(|(name, members)| Class {
                name,
                members: members.into_iter().collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_unknown_users_make_no_class() {
        // root's only group is its own, below the first user id; an
        // account NSS does not know is skipped. The several-hosts browser
        // walk selects a real class of test users.
        let users = BTreeSet::from(["root".to_owned(), "no-such-user-podium".to_owned()]);
        assert_eq!(of(&users), ClassList::default());
    }
}
