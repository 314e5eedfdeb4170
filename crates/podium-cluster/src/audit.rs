//! The school's audit log: the JetStream stream `podium-audit`, where each
//! host's records arrive through its outbox ([`crate::outbox`]) and any
//! host reads every host's.
//!
//! Each record has a subject of its own, `podium.audit.HOST.ID`, and the
//! stream keeps at most one message per subject and refuses a second one
//! (discard new, per subject). A record sent again, after an
//! acknowledgement lost with the network or hours later, is refused as
//! already there, so it is never doubled; JetStream's duplicate window
//! (2 minutes) is not relied on. Only the host itself may publish under
//! its name ([`crate::permissions`]), and no host may update, purge or
//! delete the stream, so it is made once, by the first host that finds
//! it missing, and never changed by a host.

use crate::error::{ClusterError, Result};
use crate::outbox::{Delivery, Sink, SinkFuture};
use crate::subjects;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use podium_core::{AuditRecord, Timestamp};
use std::time::Duration;

/// How long one NATS call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long reading the school's log may take in all.
const READ_TIMEOUT: Duration = Duration::from_secs(20);
/// How far a host's clock may be ahead of the NATS servers' when reading
/// from a time: a record reaches the stream after it was written, so a
/// record written at or after `since` arrived at or after it, by the
/// writer's clock.
const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The audit stream's configuration, kept on `replicas` servers.
#[must_use]
pub fn stream_config(replicas: usize) -> stream::Config {
    stream::Config {
        name: subjects::AUDIT_STREAM.to_owned(),
        description: Some("Podium: every host's audit records, one subject per record".to_owned()),
        subjects: vec![subjects::ALL_AUDIT.to_owned()],
        max_messages_per_subject: 1,
        discard: stream::DiscardPolicy::New,
        discard_new_per_subject: true,
        num_replicas: replicas,
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        storage: stream::StorageType::File,
        ..Default::default()
    }
}

/// What is wrong with an audit stream found already made, if anything:
/// one that may hold two messages for a subject, or drop a record, could
/// double or lose records.
#[must_use]
pub fn config_problem(found: &stream::Config) -> Option<String> {
    let wanted = stream_config(found.num_replicas);
    let mut problems = Vec::new();
    if found.max_messages_per_subject != 1 {
        problems.push(format!(
            "keeps {} messages per subject, not 1",
            found.max_messages_per_subject
        ));
    }
    if found.discard != wanted.discard || !found.discard_new_per_subject {
        problems.push("does not refuse a second message for a subject".to_owned());
    }
    if found.max_age != Duration::ZERO || found.max_messages > 0 || found.max_bytes > 0 {
        problems.push("drops records by age or size".to_owned());
    }
    if !found.subjects.iter().any(|s| s == subjects::ALL_AUDIT) {
        problems.push(format!("does not take {}", subjects::ALL_AUDIT));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// The audit stream, made with `replicas` replicas if nobody made it yet.
/// A stream found already made is used as it is (no host may change it),
/// with a warning if it could double or lose records.
///
/// # Errors
/// [`ClusterError::Nats`] when it can be neither found nor made.
pub async fn ensure_stream(client: &async_nats::Client, replicas: usize) -> Result<stream::Stream> {
    let js = jetstream::new(client.clone());
    let found = match tokio::time::timeout(CALL_TIMEOUT, js.get_stream(subjects::AUDIT_STREAM)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(e)) => {
            tracing::debug!("the audit stream: {e}");
            None
        }
        Err(_) => return Err(ClusterError::Nats(format!("no answer in {CALL_TIMEOUT:?}"))),
    };
    let stream = match found {
        Some(stream) => stream,
        None => match tokio::time::timeout(CALL_TIMEOUT, js.create_stream(stream_config(replicas))).await {
            Ok(Ok(stream)) => {
                tracing::info!(replicas, "made the school's audit stream");
                stream
            }
            // Another host may have made it meanwhile.
            Ok(Err(e)) => tokio::time::timeout(CALL_TIMEOUT, js.get_stream(subjects::AUDIT_STREAM))
                .await
                .map_err(|_| ClusterError::Nats(format!("no answer in {CALL_TIMEOUT:?}")))?
                .map_err(|_| ClusterError::Nats(format!("cannot make the audit stream: {e}")))?,
            Err(_) => return Err(ClusterError::Nats(format!("no answer in {CALL_TIMEOUT:?}"))),
        },
    };
    if let Some(problem) = config_problem(&stream.cached_info().config) {
        tracing::warn!(
            stream = subjects::AUDIT_STREAM,
            "the school's audit stream {problem}: records may be doubled or lost; make it again as docs/ADMIN.md says"
        );
    }
    Ok(stream)
}

/// The school's audit stream as a [`Sink`] for this host's outbox.
#[derive(Debug)]
pub struct StreamSink {
    js: jetstream::Context,
    stream: stream::Stream,
}

impl StreamSink {
    /// Publishing through `client` to `stream` (from [`ensure_stream`]).
    #[must_use]
    pub fn new(client: &async_nats::Client, stream: stream::Stream) -> StreamSink {
        StreamSink {
            js: jetstream::new(client.clone()),
            stream,
        }
    }

    /// The stream said it has a message on `subject` already: the same
    /// record, or another one under the same number?
    async fn already(&self, subject: &str, payload: &[u8]) -> Delivery {
        let stored = tokio::time::timeout(CALL_TIMEOUT, self.stream.get_last_raw_message_by_subject(subject)).await;
        match stored {
            Ok(Ok(message)) if same_record(&message.payload, payload) => Delivery::AlreadyThere,
            Ok(Ok(_)) => Delivery::Conflict,
            // The server said the record is there; believe it.
            Ok(Err(e)) => {
                tracing::debug!(subject, "cannot read back an audit record the stream holds: {e}");
                Delivery::AlreadyThere
            }
            Err(_) => Delivery::Failed(format!("no answer in {CALL_TIMEOUT:?}")),
        }
    }
}

/// Whether two messages hold the same record: the same number, time,
/// actor and kind (the rest follows from them on one host).
fn same_record(a: &[u8], b: &[u8]) -> bool {
    let key = |bytes: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(bytes).ok().map(|v| {
            ["id", "at", "actor", "kind"]
                .iter()
                .map(|k| v.get(*k).cloned().unwrap_or_default())
                .collect::<Vec<_>>()
        })
    };
    matches!((key(a), key(b)), (Some(x), Some(y)) if x == y)
}

/// Whether a refused publish means the subject holds a message already.
fn already_there(e: &async_nats::jetstream::context::PublishError) -> bool {
    e.to_string().contains("maximum messages per subject exceeded")
}

impl Sink for StreamSink {
    fn publish(&self, messages: Vec<(String, Vec<u8>)>) -> SinkFuture<'_> {
        Box::pin(async move {
            // Every message goes out first; the acknowledgements come back
            // together.
            let mut sent = Vec::with_capacity(messages.len());
            let mut unsent = None;
            for (subject, payload) in messages {
                let publish = self.js.publish(subject.clone(), payload.clone().into());
                match tokio::time::timeout(CALL_TIMEOUT, publish).await {
                    Ok(Ok(ack)) => sent.push((subject, payload, ack)),
                    Ok(Err(e)) => {
                        unsent = Some(e.to_string());
                        break;
                    }
                    Err(_) => {
                        unsent = Some(format!("cannot send in {CALL_TIMEOUT:?}"));
                        break;
                    }
                }
            }
            let mut answers = Vec::with_capacity(sent.len() + 1);
            for (subject, payload, ack) in sent {
                let answer = match tokio::time::timeout(CALL_TIMEOUT, ack.into_future()).await {
                    Ok(Ok(ack)) if ack.duplicate => self.already(&subject, &payload).await,
                    Ok(Ok(_)) => Delivery::Stored,
                    Ok(Err(e)) if already_there(&e) => self.already(&subject, &payload).await,
                    Ok(Err(e)) => Delivery::Failed(e.to_string()),
                    Err(_) => Delivery::Failed(format!("no acknowledgement in {CALL_TIMEOUT:?}")),
                };
                let failed = matches!(answer, Delivery::Failed(_));
                answers.push(answer);
                if failed {
                    return answers;
                }
            }
            if let Some(why) = unsent {
                answers.push(Delivery::Failed(why));
            }
            answers
        })
    }
}

/// The school's audit log: at most `limit` records (the newest to reach
/// the stream), at or after `since` when given, each with its `host`,
/// oldest first by time (then host and number).
///
/// # Errors
/// [`ClusterError::Nats`] when the stream cannot be read in time.
pub async fn read(client: &async_nats::Client, since: Option<Timestamp>, limit: u32) -> Result<Vec<AuditRecord>> {
    let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let js = jetstream::new(client.clone());
    let timed_out = || ClusterError::Nats(format!("the audit stream: no answer in {CALL_TIMEOUT:?}"));
    // Found with its state as of now.
    let stream = tokio::time::timeout(CALL_TIMEOUT, js.get_stream(subjects::AUDIT_STREAM))
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| ClusterError::Nats(format!("the audit stream: {e}")))?;
    let state = stream.cached_info().state.clone();
    if state.messages == 0 {
        return Ok(Vec::new());
    }
    let deliver_policy = match since {
        Some(t) => consumer::DeliverPolicy::ByStartTime {
            start_time: start_time(t)?,
        },
        None => consumer::DeliverPolicy::ByStartSequence {
            start_sequence: state
                .last_sequence
                .saturating_sub(u64::try_from(limit).unwrap_or(u64::MAX) - 1)
                .max(state.first_sequence),
        },
    };
    let config = consumer::push::OrderedConfig {
        deliver_subject: client.new_inbox(),
        filter_subject: subjects::ALL_AUDIT.to_owned(),
        deliver_policy,
        ..Default::default()
    };
    let consumer = tokio::time::timeout(CALL_TIMEOUT, stream.create_consumer(config))
        .await
        .map_err(|_| timed_out())?
        .map_err(ClusterError::nats)?;
    if consumer.cached_info().num_pending == 0 {
        return Ok(Vec::new());
    }
    let messages = consumer.messages().await.map_err(ClusterError::nats)?;
    let records = tokio::time::timeout(READ_TIMEOUT, collect(messages, state.last_sequence, since, limit))
        .await
        .map_err(|_| ClusterError::Nats(format!("the audit stream: not read in {READ_TIMEOUT:?}")))??;
    Ok(records)
}

/// When to start reading for records at or after `since`.
fn start_time(since: Timestamp) -> Result<time::OffsetDateTime> {
    let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(since.unix().saturating_sub(skew).max(0))
        .map_err(|e| ClusterError::Record(format!("a start time: {e}")))
}

/// Reads `messages` up to stream sequence `last`, keeping the newest
/// `limit` records at or after `since`.
async fn collect(
    mut messages: consumer::push::Ordered,
    last: u64,
    since: Option<Timestamp>,
    limit: usize,
) -> Result<Vec<AuditRecord>> {
    let mut kept = Vec::new();
    loop {
        let message = tokio::time::timeout(CALL_TIMEOUT, messages.next())
            .await
            .map_err(|_| ClusterError::Nats(format!("the audit stream: no message in {CALL_TIMEOUT:?}")))?;
        let Some(message) = message else {
            break;
        };
        let message = message.map_err(ClusterError::nats)?;
        let (sequence, pending) = message
            .info()
            .map(|i| (i.stream_sequence, i.pending))
            .map_err(ClusterError::nats)?;
        if let Some(record) = record_of(&message.subject, &message.payload)
            && since.is_none_or(|t| record.at >= t)
        {
            kept.push(record);
            if kept.len() >= limit.saturating_mul(2) {
                newest(&mut kept, limit);
            }
        }
        if sequence >= last || pending == 0 {
            break;
        }
    }
    newest(&mut kept, limit);
    Ok(kept)
}

/// Sorts `records` oldest first and keeps the newest `limit`.
pub fn newest(records: &mut Vec<AuditRecord>, limit: usize) {
    records.sort_by(|a, b| (a.at, &a.host, a.id).cmp(&(b.at, &b.host, b.id)));
    let extra = records.len().saturating_sub(limit);
    records.drain(..extra);
}

/// The record a message holds, with its host from the subject (which only
/// that host may publish on); `None`, with a warning, for anything else.
#[must_use]
pub fn record_of(subject: &str, payload: &[u8]) -> Option<AuditRecord> {
    let Some((host, id)) = subjects::parse_audit_record(subject) else {
        tracing::warn!(
            subject,
            "a message in the audit stream that names no host and record; ignored"
        );
        return None;
    };
    match serde_json::from_slice::<AuditRecord>(payload) {
        Ok(mut record) if record.id == id => {
            record.host = Some(host.to_owned());
            Some(record)
        }
        Ok(_) => {
            tracing::warn!(subject, "an audit record under another number; ignored");
            None
        }
        Err(e) => {
            tracing::warn!(subject, "an unreadable audit record: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podium_core::AuditKind;

    fn record(id: i64, at: i64) -> AuditRecord {
        AuditRecord {
            id,
            at: Timestamp::from_unix(at),
            actor: "root".into(),
            kind: AuditKind::Logoff,
            action: None,
            session: Some(2),
            target_user: Some("alice".into()),
            outcome: "closed".into(),
            reason: None,
            duration_ms: Some(1200),
            applications: Vec::new(),
            host: None,
        }
    }

    #[test]
    fn the_stream_keeps_one_message_per_record_and_refuses_a_second() {
        let c = stream_config(3);
        assert_eq!(c.name, "podium-audit");
        assert_eq!(c.subjects, ["podium.audit.>"]);
        assert_eq!(c.max_messages_per_subject, 1);
        assert_eq!(c.discard, stream::DiscardPolicy::New);
        assert!(c.discard_new_per_subject && c.deny_delete && c.deny_purge);
        assert_eq!(c.num_replicas, 3);
        assert_eq!(config_problem(&c), None);
        let json = serde_json::to_value(&c).expect("json");
        assert_eq!(json["max_msgs_per_subject"], 1);
        assert_eq!(json["discard"], "new");
        assert_eq!(json["discard_new_per_subject"], true);
    }

    #[test]
    fn a_stream_that_could_double_or_lose_is_told() {
        let mut c = stream_config(1);
        c.max_messages_per_subject = 0;
        c.discard_new_per_subject = false;
        c.max_age = Duration::from_secs(86_400);
        let problem = config_problem(&c).expect("a problem");
        assert!(problem.contains("not 1") && problem.contains("second") && problem.contains("age"));
    }

    #[test]
    fn a_record_takes_its_host_from_its_subject() {
        let bytes = crate::outbox::payload(&record(4, 100)).expect("json");
        let r = record_of("podium.audit.c.4", &bytes).expect("a record");
        assert_eq!(r.host.as_deref(), Some("c"));
        assert_eq!(r.id, 4);
        assert_eq!(record_of("podium.audit.c.5", &bytes), None, "another number");
        assert_eq!(record_of("podium.audit.c", &bytes), None);
        assert_eq!(record_of("podium.audit.c.4", b"{}"), None);
    }

    #[test]
    fn the_newest_are_kept_oldest_first() {
        let mut records = vec![record(3, 30), record(1, 10), record(2, 20), record(9, 20)];
        records[3].host = Some("b".into());
        newest(&mut records, 3);
        let order: Vec<i64> = records.iter().map(|r| r.id).collect();
        assert_eq!(order, [2, 9, 3]);
    }

    #[test]
    fn the_same_record_is_told_from_another() {
        let a = crate::outbox::payload(&record(4, 100)).expect("json");
        let mut other = record(4, 101);
        other.actor = "bob".into();
        let b = crate::outbox::payload(&other).expect("json");
        assert!(same_record(&a, &a));
        assert!(!same_record(&a, &b));
        assert!(!same_record(&a, b"not json"));
    }

    #[test]
    fn reading_from_a_time_starts_early_enough() {
        let t = start_time(Timestamp::from_unix(10_000)).expect("a time");
        assert_eq!(t.unix_timestamp(), 10_000 - 300);
        assert_eq!(start_time(Timestamp::from_unix(5)).expect("a time").unix_timestamp(), 0);
    }
}
