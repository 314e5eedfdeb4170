//! What each host may do on the school's NATS, as a `nats-server`
//! `authorization` block: `podium cluster authorization` prints it for the
//! hosts' public keys, and every NATS node of the school uses the same.
//!
//! A host publishes only under its own name: its load and thumbnails
//! (`podium.host.HOST.>`), its sessions' keys (`$KV.podium-sessions.HOST.>`)
//! and its audit records (`podium.audit.HOST.>`). It may send a request to
//! any host (`podium.request.>`), but only receive its own. JetStream's API
//! is open except what would delete or rewrite a stream. Replies go back
//! through `allow_responses`, so no host can answer for another.

use crate::subjects;

/// One host of the school, as the NATS servers know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostKey {
    /// The host's name.
    pub host: String,
    /// Its NATS public key (`U…`).
    pub public_key: String,
}

/// JetStream API calls no host may make: the buckets and streams are the
/// school's, not one host's.
const DENIED: [&str; 4] = [
    "$JS.API.STREAM.DELETE.>",
    "$JS.API.STREAM.PURGE.>",
    "$JS.API.STREAM.MSG.DELETE.>",
    "$JS.API.STREAM.UPDATE.>",
];

/// The `authorization { … }` block for `hosts`.
#[must_use]
pub fn authorization(hosts: &[HostKey]) -> String {
    let quote = |items: &[String]| items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let mut out = String::from("authorization {\n  users = [\n");
    for h in hosts {
        let publish = [
            subjects::host_prefix(&h.host),
            subjects::session_keys_subject(&h.host),
            subjects::audit_prefix(&h.host),
            "podium.request.>".to_owned(),
            "$JS.API.>".to_owned(),
            "$JS.ACK.>".to_owned(),
            "$JS.FC.>".to_owned(),
        ];
        let subscribe = [
            "_INBOX.>".to_owned(),
            "podium.host.*.>".to_owned(),
            format!("podium.request.{}.>", h.host),
        ];
        let denied: Vec<String> = DENIED.iter().map(|s| (*s).to_owned()).collect();
        out.push_str(&format!(
            "    # host {host}\n    {{ nkey: \"{key}\"\n      permissions: {{\n        publish: {{ allow: [{publish}], deny: [{deny}] }}\n        subscribe: {{ allow: [{subscribe}] }}\n        allow_responses: true\n      }}\n    }}\n",
            host = h.host,
            key = h.public_key,
            publish = quote(&publish),
            deny = quote(&denied),
            subscribe = quote(&subscribe),
        ));
    }
    out.push_str("  ]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_host_publishes_only_its_own() {
        let block = authorization(&[
            HostKey {
                host: "a".into(),
                public_key: "UAAA".into(),
            },
            HostKey {
                host: "b".into(),
                public_key: "UBBB".into(),
            },
        ]);
        let a = &block[block.find("# host a").expect("a")..block.find("# host b").expect("b")];
        assert!(a.contains("nkey: \"UAAA\""));
        assert!(a.contains("\"$KV.podium-sessions.a.>\"") && !a.contains("podium-sessions.b"));
        assert!(a.contains("\"podium.request.a.>\"") && !a.contains("podium.request.b"));
        assert!(a.contains("\"podium.audit.a.>\"") && !a.contains("podium.audit.b"));
        assert!(a.contains("$JS.API.STREAM.DELETE.>"));
        assert!(block.starts_with("authorization {") && block.trim_end().ends_with('}'));
    }
}
