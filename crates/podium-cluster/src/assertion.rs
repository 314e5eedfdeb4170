//! Who asks, told from one host to another: the dashboard's host signs the
//! caller's login name for the one host that owns the session, for a
//! minute, with a nonce. The receiving host checks the signature with the
//! issuer's key from its own configuration, refuses a replay, and then
//! decides permission itself from its own view of that user's groups.

use crate::identity::{self, Identity};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// What a signature covers begins with this, so no other message of the
/// host can pass for an assertion.
const DOMAIN: &[u8] = b"podium-caller-v1.";
/// How long an assertion is good for.
pub const LIFETIME_MS: u64 = 60_000;
/// Clocks of the school's hosts may differ this much.
const SKEW_MS: u64 = 30_000;

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

/// Signs that `user` asks, for `audience`, as `identity`'s host.
///
/// # Errors
/// When signing fails (never in practice).
pub fn sign(identity: &Identity, audience: &str, user: &str, now_ms: u64) -> crate::Result<String> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| crate::ClusterError::Record(format!("no randomness: {e}")))?;
    let claims = Claims {
        issuer: identity.host.clone(),
        audience: audience.to_owned(),
        user: user.to_owned(),
        expires_ms: now_ms + LIFETIME_MS,
        nonce: URL_SAFE_NO_PAD.encode(nonce),
    };
    let json = serde_json::to_vec(&claims).map_err(|e| crate::ClusterError::Record(e.to_string()))?;
    let signature = identity.sign(&[DOMAIN, &json].concat())?;
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

    /// The claims of `token` if it is good now; else why not, in words.
    ///
    /// # Errors
    /// A refusal reason: malformed, unknown issuer, bad signature, meant
    /// for another host, expired, or replayed.
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, String> {
        let (body, signature) = token.split_once('.').ok_or("a malformed caller")?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| "a malformed caller")?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| "a malformed caller")?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| "a malformed caller")?;
        let key = self
            .peers
            .get(&claims.issuer)
            .ok_or_else(|| format!("host {:?} is not among this host's peers", claims.issuer))?;
        if !identity::verify(key, &[DOMAIN, &json].concat(), &signature) {
            return Err(format!("the caller's signature is not host {}'s", claims.issuer));
        }
        if claims.audience != self.host {
            return Err(format!("the request was meant for host {}", claims.audience));
        }
        if claims.expires_ms <= now_ms {
            return Err("the request has expired".into());
        }
        if claims.expires_ms > now_ms + LIFETIME_MS + SKEW_MS {
            return Err("the request is good for too long; are the hosts' clocks set?".into());
        }
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, expires| *expires > now_ms);
        let once = format!("{}/{}", claims.issuer, claims.nonce);
        if seen.insert(once, claims.expires_ms).is_some() {
            return Err("the request was already made once (a replay)".into());
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

    #[test]
    fn a_signed_caller_is_believed_once_by_its_audience_only() {
        let (a, c) = (host("a"), host("c"));
        let peers = |hosts: &[&Identity]| {
            hosts
                .iter()
                .map(|h| (h.host.clone(), h.signing_public_key()))
                .collect::<BTreeMap<_, _>>()
        };
        let at_b = Verifier::new("b", peers(&[&a]));
        let now = 1_800_000_000_000;
        let token = sign(&a, "b", "marie", now).expect("signed");
        let claims = at_b.verify(&token, now + 10).expect("believed");
        assert_eq!((claims.user.as_str(), claims.issuer.as_str()), ("marie", "a"));
        assert!(at_b.verify(&token, now + 20).is_err_and(|e| e.contains("replay")));
        let at_c = Verifier::new("c", peers(&[&a]));
        assert!(at_c.verify(&token, now).is_err_and(|e| e.contains("meant for host b")));
        let late = sign(&a, "b", "marie", now).expect("signed");
        assert!(
            at_b.verify(&late, now + LIFETIME_MS + 1)
                .is_err_and(|e| e.contains("expired"))
        );
        let stranger = sign(&c, "b", "marie", now).expect("signed");
        assert!(at_b.verify(&stranger, now).is_err_and(|e| e.contains("not among")));
        // c signing as a: the signature does not match a's key.
        let forged = sign(&c, "b", "root", now).expect("signed").replacen(
            &URL_SAFE_NO_PAD.encode(br#"{"issuer":"c""#)[..8],
            &URL_SAFE_NO_PAD.encode(br#"{"issuer":"a""#)[..8],
            1,
        );
        assert!(at_b.verify(&forged, now).is_err());
        let (body, sig) = token.split_once('.').expect("two parts");
        let mut tampered: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).expect("b64")).expect("json");
        tampered.user = "root".into();
        tampered.nonce = "other".into();
        let tampered = format!(
            "{}.{sig}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).expect("json"))
        );
        assert!(at_b.verify(&tampered, now).is_err_and(|e| e.contains("signature")));
        assert!(at_b.verify("garbage", now).is_err_and(|e| e.contains("malformed")));
    }
}
