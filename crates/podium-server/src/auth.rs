//! Web logins: the cookie's token (kept only hashed, in memory and in the
//! registry so a restart logs nobody out), idle expiry, and the throttle
//! on failed logins.

use base64::Engine;
use podium_core::Timestamp;
use podium_host::Host;
use podium_host::registry::StoredLogin;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "podium_session";

/// How often a login's last use is written to the registry.
const PERSIST_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone)]
struct Login {
    user: String,
    uid: u32,
    created_at: Timestamp,
    last_seen: i64,
    persisted: i64,
}

/// The live web logins.
#[derive(Debug)]
pub struct Logins {
    host: Arc<Host>,
    idle: Duration,
    map: Mutex<HashMap<[u8; 32], Login>>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn random_token() -> Result<String, podium_sys::SysError> {
    let mut bytes = [0u8; 32];
    podium_sys::random::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

impl Logins {
    /// Loads the logins still valid from the registry.
    #[must_use]
    pub fn load(host: Arc<Host>, idle: Duration) -> Logins {
        let since = Timestamp::from_unix(Timestamp::now().unix() - i64::try_from(idle.as_secs()).unwrap_or(i64::MAX));
        let mut map = HashMap::new();
        match host.registry().logins_since(since) {
            Ok(rows) => {
                for r in rows {
                    if let Ok(h) = <[u8; 32]>::try_from(r.token_hash.as_slice()) {
                        let seen = r.last_seen.unix();
                        map.insert(
                            h,
                            Login {
                                user: r.user,
                                uid: r.uid,
                                created_at: r.created_at,
                                last_seen: seen,
                                persisted: seen,
                            },
                        );
                    }
                }
            }
            Err(e) => tracing::error!("cannot load web logins: {e}"),
        }
        Logins {
            host,
            idle,
            map: Mutex::new(map),
        }
    }

    fn store(&self, h: &[u8; 32], l: &Login) {
        let row = StoredLogin {
            token_hash: h.to_vec(),
            user: l.user.clone(),
            uid: l.uid,
            created_at: l.created_at,
            last_seen: Timestamp::from_unix(l.last_seen),
        };
        if let Err(e) = self.host.registry().save_login(&row) {
            tracing::error!("cannot record a web login: {e}");
        }
    }

    /// A new login for `user`; returns the cookie's token.
    ///
    /// # Errors
    /// When the system has no randomness to give.
    pub fn create(&self, user: &str, uid: u32) -> Result<String, podium_sys::SysError> {
        let token = random_token()?;
        let now = Timestamp::now();
        let login = Login {
            user: user.to_owned(),
            uid,
            created_at: now,
            last_seen: now.unix(),
            persisted: now.unix(),
        };
        let h = hash(&token);
        self.store(&h, &login);
        self.map.lock().unwrap_or_else(PoisonError::into_inner).insert(h, login);
        Ok(token)
    }

    /// The user a token stands for, if it is valid and not idle too long.
    /// Counts as a use of the login.
    pub fn check(&self, token: &str) -> Option<(String, u32)> {
        let h = hash(token);
        let now = Timestamp::now().unix();
        let idle = i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX);
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let login = map.get_mut(&h)?;
        if now - login.last_seen > idle {
            map.remove(&h);
            drop(map);
            let _ = self.host.registry().delete_login(&h);
            return None;
        }
        login.last_seen = now;
        let answer = (login.user.clone(), login.uid);
        if now - login.persisted >= PERSIST_EVERY_SECS {
            login.persisted = now;
            let copy = login.clone();
            drop(map);
            self.store(&h, &copy);
        }
        Some(answer)
    }

    /// Ends a login.
    pub fn remove(&self, token: &str) {
        let h = hash(token);
        self.map.lock().unwrap_or_else(PoisonError::into_inner).remove(&h);
        let _ = self.host.registry().delete_login(&h);
    }
}

/// Failed logins per key (a user, an address) within a sliding window.
/// A password check under way counts against the limit until it ends, so
/// that many attempts sent at once get no more checks than attempts sent
/// one after another.
#[derive(Debug)]
pub struct Throttle {
    max: usize,
    window: Duration,
    keys: Mutex<HashMap<String, KeyCount>>,
}

/// What one key has used of its limit.
#[derive(Debug, Default)]
struct KeyCount {
    failures: VecDeque<Instant>,
    checking: usize,
}

impl KeyCount {
    /// Failures in the window (older ones are forgotten) plus checks under way.
    fn used(&mut self, now: Instant, window: Duration) -> usize {
        while self.failures.front().is_some_and(|t| now.duration_since(*t) > window) {
            self.failures.pop_front();
        }
        self.failures.len() + self.checking
    }
}

impl Throttle {
    /// At most `max` failures per key within `window`.
    #[must_use]
    pub fn new(max: u32, window: Duration) -> Throttle {
        Throttle {
            max: usize::try_from(max).unwrap_or(usize::MAX),
            window,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyCount>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether any of `keys` has used up its failures.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let mut map = self.lock();
        keys.iter()
            .any(|k| map.get_mut(k).is_some_and(|c| c.used(now, self.window) >= self.max))
    }

    /// Counts a failure against each of `keys`.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.lock();
        Self::bound(&mut map, now, self.window);
        for k in keys {
            map.entry(k.clone()).or_default().failures.push_back(now);
        }
    }

    /// Starts a password check for `keys`, or `None` when any of them has
    /// used up its limit. The check counts as a failure until it ends with
    /// [`Attempt::passed`]; one that never ends (its request was dropped)
    /// stays a failure.
    #[must_use]
    pub fn begin(self: &Arc<Self>, keys: &[String]) -> Option<Attempt> {
        let now = Instant::now();
        let mut map = self.lock();
        if keys
            .iter()
            .any(|k| map.get_mut(k).is_some_and(|c| c.used(now, self.window) >= self.max))
        {
            return None;
        }
        Self::bound(&mut map, now, self.window);
        for k in keys {
            map.entry(k.clone()).or_default().checking += 1;
        }
        Some(Attempt {
            throttle: self.clone(),
            keys: keys.to_vec(),
            failed: true,
        })
    }

    /// Under a flood of distinct keys, forgets those with nothing left to count.
    fn bound(map: &mut HashMap<String, KeyCount>, now: Instant, window: Duration) {
        if map.len() > 100_000 {
            map.retain(|_, c| c.checking > 0 || c.failures.back().is_some_and(|t| now.duration_since(*t) <= window));
        }
    }
}

/// A password check under way (see [`Throttle::begin`]).
#[derive(Debug)]
pub struct Attempt {
    throttle: Arc<Throttle>,
    keys: Vec<String>,
    failed: bool,
}

impl Attempt {
    /// The password was right, or could not be checked: nothing is counted.
    pub fn passed(mut self) {
        self.failed = false;
    }

    /// The password was wrong: a failure for each key.
    pub fn failed(self) {}
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut map = self.throttle.lock();
        for k in &self.keys {
            let c = map.entry(k.clone()).or_default();
            c.checking = c.checking.saturating_sub(1);
            if self.failed {
                c.failures.push_back(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_the_window_is_blocked() {
        let t = Throttle::new(5, Duration::from_secs(60));
        let keys = vec!["user:alice".to_owned(), "addr:10.0.0.1".to_owned()];
        for _ in 0..5 {
            assert!(!t.blocked(&keys));
            t.fail(&keys);
        }
        assert!(t.blocked(&keys));
        assert!(t.blocked(&["addr:10.0.0.1".to_owned()]), "per address");
        assert!(!t.blocked(&["user:bob".to_owned()]));
    }

    #[test]
    fn checks_under_way_count_until_they_end() {
        let t = Arc::new(Throttle::new(2, Duration::from_secs(60)));
        let keys = vec!["user:alice".to_owned(), "addr:10.0.0.1".to_owned()];
        let first = t.begin(&keys).expect("first check");
        let second = t.begin(&keys).expect("second check");
        assert!(
            t.begin(&keys).is_none(),
            "a third at the same time waits for the window"
        );
        assert!(t.blocked(&["addr:10.0.0.1".to_owned()]));
        first.passed();
        let third = t.begin(&keys).expect("a right password frees its place");
        second.failed();
        drop(third);
        assert!(t.begin(&keys).is_none(), "a failure and a dropped check both count");
        assert!(t.begin(&["user:bob".to_owned()]).is_some());
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let t = Throttle::new(1, Duration::from_millis(30));
        let k = vec!["user:x".to_owned()];
        t.fail(&k);
        assert!(t.blocked(&k));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!t.blocked(&k));
    }

    #[test]
    fn tokens_are_long_and_hashed() {
        let a = random_token().expect("urandom");
        assert_eq!(a.len(), 43);
        assert_ne!(hash(&a), hash(&random_token().expect("urandom")));
    }
}
