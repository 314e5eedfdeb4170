//! Who asks, told from one host to another: a host signs a user's login
//! name for one other host only, for a short while, with a nonce. The
//! receiving host checks the signature with the issuer's key from its own
//! configuration, refuses a replay, and then decides everything else
//! itself, from its own view of that user.
//!
//! Two things are signed so, each for its own [`Purpose`]: a caller's
//! action on the receiving host's sessions (a NATS request), and a pupil's
//! login handed to the host that is to show their desktop (a browser's
//! redirect). Each purpose signs under a prefix of its own, so an
//! assertion made for one can never pass for the other.

use crate::identity::{self, Identity};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Clocks of the school's hosts may differ this much.
const SKEW_MS: u64 = 30_000;

/// What an assertion is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A caller's action on the receiving host's sessions: a NATS request
    /// waits at most a minute.
    Action,
    /// A pupil's login handed to the receiving host: the browser follows
    /// it at once, so half a minute is plenty, and a link copied from the
    /// address bar is soon worthless.
    Handoff,
}

impl Purpose {
    /// What a signature covers begins with this, so no other message of
    /// the host, nor an assertion of the other purpose, can pass for one
    /// of this purpose.
    fn domain(self) -> &'static [u8] {
        match self {
            Purpose::Action => b"podium-caller-v1.",
            Purpose::Handoff => b"podium-handoff-v1.",
        }
    }

    /// How long an assertion of this purpose is good for, in milliseconds.
    #[must_use]
    pub fn lifetime_ms(self) -> u64 {
        match self {
            Purpose::Action => 60_000,
            Purpose::Handoff => 30_000,
        }
    }

    /// What a refusal calls it.
    fn noun(self) -> &'static str {
        match self {
            Purpose::Action => "request",
            Purpose::Handoff => "hand-off",
        }
    }
}

/// The claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The host that vouches.
    pub issuer: String,
    /// The host it is meant for.
    pub audience: String,
    /// The caller's login name.
    pub user: String,
    /// When it stops being good, ms since the Unix epoch.
    pub expires_ms: u64,
    /// Random, once.
    pub nonce: String,
}

/// Signs, as `identity`'s host, that `user` is who asks (for `purpose`),
/// for host `audience` only.
///
/// # Errors
/// When signing fails (never in practice).
pub fn sign(identity: &Identity, purpose: Purpose, audience: &str, user: &str, now_ms: u64) -> crate::Result<String> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| crate::ClusterError::Record(format!("no randomness: {e}")))?;
    let claims = Claims {
        issuer: identity.host.clone(),
        audience: audience.to_owned(),
        user: user.to_owned(),
        expires_ms: now_ms + purpose.lifetime_ms(),
        nonce: URL_SAFE_NO_PAD.encode(nonce),
    };
    let json = serde_json::to_vec(&claims).map_err(|e| crate::ClusterError::Record(e.to_string()))?;
    let signature = identity.sign(&[purpose.domain(), &json].concat())?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// Checks assertions for one host: signatures against the peers' keys,
/// audience, time, and nonces already seen.
#[derive(Debug)]
pub struct Verifier {
    host: String,
    peers: BTreeMap<String, String>,
    seen: Mutex<HashMap<String, u64>>,
}

impl Verifier {
    /// A verifier for `host`, believing `peers` (host → signing public key).
    #[must_use]
    pub fn new(host: &str, peers: BTreeMap<String, String>) -> Verifier {
        Verifier {
            host: host.to_owned(),
            peers,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of `token` if it is a good assertion for `purpose` now;
    /// else why not, in words. A good one is remembered until it expires,
    /// so it is believed once only.
    ///
    /// # Errors
    /// A refusal reason: malformed, unknown issuer, bad signature (which
    /// is also what an assertion of another purpose gets), meant for
    /// another host, expired, or replayed.
    pub fn verify(&self, purpose: Purpose, token: &str, now_ms: u64) -> Result<Claims, String> {
        let noun = purpose.noun();
        let malformed = || format!("a malformed {noun}");
        let (body, signature) = token.split_once('.').ok_or_else(malformed)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| malformed())?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| malformed())?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| malformed())?;
        let key = self
            .peers
            .get(&claims.issuer)
            .ok_or_else(|| format!("host {:?} is not among this host's peers", claims.issuer))?;
        if !identity::verify(key, &[purpose.domain(), &json].concat(), &signature) {
            return Err(format!("the {noun}'s signature is not host {}'s", claims.issuer));
        }
        if claims.audience != self.host {
            return Err(format!("the {noun} was meant for host {}", claims.audience));
        }
        if claims.expires_ms <= now_ms {
            return Err(format!("the {noun} has expired"));
        }
        if claims.expires_ms > now_ms + purpose.lifetime_ms() + SKEW_MS {
            return Err(format!("the {noun} is good for too long; are the hosts' clocks set?"));
        }
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, expires| *expires > now_ms);
        let once = format!("{purpose:?}/{}/{}", claims.issuer, claims.nonce);
        if seen.insert(once, claims.expires_ms).is_some() {
            return Err(format!("the {noun} was already used once (a replay)"));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> Identity {
        let pair = nkeys::KeyPair::new_user();
        Identity::from_seed(name, &pair.seed().expect("seed")).expect("identity")
    }

    fn peers(hosts: &[&Identity]) -> BTreeMap<String, String> {
        hosts.iter().map(|h| (h.host.clone(), h.signing_public_key())).collect()
    }

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_signed_caller_is_believed_once_by_its_audience_only() {
        let (a, c) = (host("a"), host("c"));
        let at_b = Verifier::new("b", peers(&[&a]));
        let now = NOW;
        let action = Purpose::Action;
        let token = sign(&a, action, "b", "marie", now).expect("signed");
        let claims = at_b.verify(action, &token, now + 10).expect("believed");
        assert_eq!((claims.user.as_str(), claims.issuer.as_str()), ("marie", "a"));
        assert!(
            at_b.verify(action, &token, now + 20)
                .is_err_and(|e| e.contains("replay"))
        );
        let at_c = Verifier::new("c", peers(&[&a]));
        assert!(
            at_c.verify(action, &token, now)
                .is_err_and(|e| e.contains("meant for host b"))
        );
        let late = sign(&a, action, "b", "marie", now).expect("signed");
        assert!(
            at_b.verify(action, &late, now + action.lifetime_ms() + 1)
                .is_err_and(|e| e.contains("expired"))
        );
        let stranger = sign(&c, action, "b", "marie", now).expect("signed");
        assert!(
            at_b.verify(action, &stranger, now)
                .is_err_and(|e| e.contains("not among"))
        );
        // c signing as a: the signature does not match a's key.
        let forged = sign(&c, action, "b", "root", now).expect("signed").replacen(
            &URL_SAFE_NO_PAD.encode(br#"{"issuer":"c""#)[..8],
            &URL_SAFE_NO_PAD.encode(br#"{"issuer":"a""#)[..8],
            1,
        );
        assert!(at_b.verify(action, &forged, now).is_err());
        let (body, sig) = token.split_once('.').expect("two parts");
        let mut tampered: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).expect("b64")).expect("json");
        tampered.user = "root".into();
        tampered.nonce = "other".into();
        let tampered = format!(
            "{}.{sig}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).expect("json"))
        );
        assert!(
            at_b.verify(action, &tampered, now)
                .is_err_and(|e| e.contains("signature"))
        );
        assert!(
            at_b.verify(action, "garbage", now)
                .is_err_and(|e| e.contains("malformed request"))
        );
    }

    #[test]
    fn a_handoff_is_good_for_half_a_minute_once_at_its_host_only() {
        let a = host("a");
        let at_b = Verifier::new("b", peers(&[&a]));
        let at_c = Verifier::new("c", peers(&[&a]));
        let handoff = Purpose::Handoff;
        let token = sign(&a, handoff, "b", "marie", NOW).expect("signed");
        assert!(
            at_c.verify(handoff, &token, NOW)
                .is_err_and(|e| e == "the hand-off was meant for host b"),
            "a hand-off for b is refused at c"
        );
        let claims = at_b.verify(handoff, &token, NOW + 1_000).expect("believed at b");
        assert_eq!((claims.issuer.as_str(), claims.user.as_str()), ("a", "marie"));
        assert_eq!(claims.expires_ms, NOW + 30_000);
        assert!(
            at_b.verify(handoff, &token, NOW + 2_000)
                .is_err_and(|e| e == "the hand-off was already used once (a replay)")
        );
        let slow = sign(&a, handoff, "b", "marie", NOW).expect("signed");
        assert!(
            at_b.verify(handoff, &slow, NOW + 30_000)
                .is_err_and(|e| e == "the hand-off has expired")
        );
        let fresh = sign(&a, handoff, "b", "marie", NOW).expect("signed");
        assert!(at_b.verify(handoff, &fresh, NOW + 29_999).is_ok(), "good until its end");
        // Made by a host whose clock runs far ahead of b's.
        let ahead = sign(&a, handoff, "b", "marie", NOW + 60_000).expect("signed");
        assert!(at_b.verify(handoff, &ahead, NOW).is_err_and(|e| e.contains("clocks")));
        assert!(
            at_b.verify(handoff, "not.a-token", NOW)
                .is_err_and(|e| e == "a malformed hand-off")
        );
    }

    #[test]
    fn an_assertion_never_passes_for_the_other_purpose() {
        let a = host("a");
        let at_b = Verifier::new("b", peers(&[&a]));
        let action = sign(&a, Purpose::Action, "b", "marie", NOW).expect("signed");
        let handoff = sign(&a, Purpose::Handoff, "b", "marie", NOW).expect("signed");
        assert!(
            at_b.verify(Purpose::Handoff, &action, NOW)
                .is_err_and(|e| e == "the hand-off's signature is not host a's"),
            "a caller's action is no login at b"
        );
        assert!(
            at_b.verify(Purpose::Action, &handoff, NOW)
                .is_err_and(|e| e == "the request's signature is not host a's"),
            "a login hand-off acts on no session"
        );
        // Refused for the wrong purpose, each is still good once for its own.
        assert!(at_b.verify(Purpose::Action, &action, NOW).is_ok());
        assert!(at_b.verify(Purpose::Handoff, &handoff, NOW).is_ok());
    }
}
