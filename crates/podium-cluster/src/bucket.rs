//! The JetStream stream behind a key-value bucket, made directly:
//! async-nats's `create_key_value` first reads account limits that
//! nats-server 2.9 does not send, and fails there. This is the stream it
//! would make (one message per key, deletes as markers, direct gets).

use async_nats::jetstream::stream;

/// The stream of key-value bucket `bucket`, kept on `replicas` servers.
#[must_use]
pub fn stream_of(bucket: &str, replicas: usize) -> stream::Config {
    stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(format!("Podium's {bucket}")),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        discard: stream::DiscardPolicy::New,
        num_replicas: replicas,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        storage: stream::StorageType::File,
        ..Default::default()
    }
}
