//! Delivering a host's audit log to the school's stream, in order, with a
//! cursor: the number of the last record the stream acknowledged, kept in
//! the host's own registry beside the records. Delivery resumes from the
//! cursor after a restart or hours offline, so nothing is skipped; and
//! since each record has a subject of its own that the stream keeps at
//! most one message of ([`crate::audit`]), sending a record again never
//! doubles it. A record is marked delivered only once the stream said it
//! holds it.

use crate::error::{ClusterError, Result};
use crate::subjects;
use podium_core::AuditRecord;
use std::future::Future;
use std::pin::Pin;

/// How many records go out at once; their acknowledgements are awaited
/// together, then the cursor moves once.
pub const BATCH: u32 = 256;

/// What an outbox needs of the host's audit log. Calls are quick (the
/// registry is local), and none of them waits on NATS.
pub trait AuditLog: Send + Sync {
    /// The first `limit` records numbered above `after`, in order.
    ///
    /// # Errors
    /// The log cannot be read, in words.
    fn audit_after(&self, after: i64, limit: u32) -> std::result::Result<Vec<AuditRecord>, String>;

    /// The number of the last record `outbox` delivered (0: none yet).
    ///
    /// # Errors
    /// The mark cannot be read, in words.
    fn audit_cursor(&self, outbox: &str) -> std::result::Result<i64, String>;

    /// `outbox` delivered every record up to number `id`; kept durably.
    ///
    /// # Errors
    /// The mark cannot be written, in words.
    fn audit_delivered(&self, outbox: &str, id: i64) -> std::result::Result<(), String>;
}

/// How one message fared with the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Stored now.
    Stored,
    /// The stream already held this record (an earlier attempt whose
    /// acknowledgement was lost, or a delivery before a crash that the
    /// cursor did not note yet).
    AlreadyThere,
    /// The subject holds another record than this one: the host's
    /// registry was made anew and numbers its records from 1 again. This
    /// record stays in the host's own log only.
    Conflict,
    /// Not delivered; tried again later.
    Failed(String),
}

/// A future a [`Sink`] returns.
pub type SinkFuture<'a> = Pin<Box<dyn Future<Output = Vec<Delivery>> + Send + 'a>>;

/// Where the records go: the school's stream, or a fake in tests.
pub trait Sink: Send + Sync {
    /// Publishes each `(subject, payload)` in order and says how each
    /// fared, in the same order; the answer may stop after the first
    /// [`Delivery::Failed`].
    fn publish(&self, messages: Vec<(String, Vec<u8>)>) -> SinkFuture<'_>;
}

/// The name of `host`'s cursor for the audit stream in its registry.
#[must_use]
pub fn cursor_name(host: &str) -> String {
    format!("{}:{host}", subjects::AUDIT_STREAM)
}

/// The message of record `record`: its JSON, without a host (the subject
/// names it).
///
/// # Errors
/// [`ClusterError::Record`] if it cannot be written as JSON.
pub fn payload(record: &AuditRecord) -> Result<Vec<u8>> {
    let mut record = record.clone();
    record.host = None;
    serde_json::to_vec(&record).map_err(|e| ClusterError::Record(e.to_string()))
}

/// Sends `host`'s records past its cursor to `sink`, batch after batch,
/// until there are none left; returns how many records the cursor moved
/// over. Stops at the first record not delivered, with the cursor just
/// before it.
///
/// # Errors
/// [`ClusterError::Log`] when the log or the cursor cannot be used;
/// [`ClusterError::Nats`] when a record could not be delivered (the
/// records before it are marked).
pub async fn deliver(host: &str, log: &dyn AuditLog, sink: &dyn Sink) -> Result<u64> {
    let name = cursor_name(host);
    let mut cursor = log.audit_cursor(&name).map_err(ClusterError::Log)?;
    let mut moved = 0;
    loop {
        let batch = log.audit_after(cursor, BATCH).map_err(ClusterError::Log)?;
        let Some(last) = batch.last().map(|r| r.id) else {
            return Ok(moved);
        };
        let messages = batch
            .iter()
            .map(|r| Ok((subjects::audit_record(host, r.id), payload(r)?)))
            .collect::<Result<Vec<_>>>()?;
        let answers = sink.publish(messages).await;
        let mut through = cursor;
        let mut failure = None;
        for (record, answer) in batch.iter().zip(&answers) {
            match answer {
                Delivery::Stored | Delivery::AlreadyThere => {}
                Delivery::Conflict => tracing::error!(
                    host,
                    id = record.id,
                    "the school's audit stream holds another record under this number (was this \
                     host's registry made anew?): this record stays in the host's own log"
                ),
                Delivery::Failed(why) => {
                    failure = Some(why.clone());
                    break;
                }
            }
            through = record.id;
        }
        if through > cursor {
            log.audit_delivered(&name, through).map_err(ClusterError::Log)?;
            moved += batch.iter().filter(|r| r.id > cursor && r.id <= through).count() as u64;
            cursor = through;
        }
        if let Some(why) = failure {
            return Err(ClusterError::Nats(why));
        }
        if through < last {
            return Err(ClusterError::Nats(format!(
                "no answer for record {} and after",
                through.saturating_add(1)
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podium_core::{AuditKind, Timestamp};
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// A log of numbered records and its cursors, in memory.
    #[derive(Default)]
    struct FakeLog {
        records: Vec<AuditRecord>,
        cursors: Mutex<BTreeMap<String, i64>>,
    }

    impl FakeLog {
        fn with(ids: impl IntoIterator<Item = i64>) -> FakeLog {
            FakeLog {
                records: ids.into_iter().map(record).collect(),
                ..FakeLog::default()
            }
        }

        fn cursor(&self) -> i64 {
            self.audit_cursor(&cursor_name("c")).expect("cursor")
        }
    }

    impl AuditLog for FakeLog {
        fn audit_after(&self, after: i64, limit: u32) -> std::result::Result<Vec<AuditRecord>, String> {
            Ok(self
                .records
                .iter()
                .filter(|r| r.id > after)
                .take(limit as usize)
                .cloned()
                .collect())
        }

        fn audit_cursor(&self, outbox: &str) -> std::result::Result<i64, String> {
            Ok(self
                .cursors
                .lock()
                .map_err(|e| e.to_string())?
                .get(outbox)
                .copied()
                .unwrap_or(0))
        }

        fn audit_delivered(&self, outbox: &str, id: i64) -> std::result::Result<(), String> {
            self.cursors
                .lock()
                .map_err(|e| e.to_string())?
                .insert(outbox.to_owned(), id);
            Ok(())
        }
    }

    fn record(id: i64) -> AuditRecord {
        AuditRecord {
            id,
            at: Timestamp::from_unix(1_800_000_000 + id),
            actor: "root".into(),
            kind: AuditKind::SessionStart,
            action: None,
            session: Some(3),
            target_user: Some("alice".into()),
            outcome: "done".into(),
            reason: None,
            duration_ms: None,
            applications: Vec::new(),
            host: None,
        }
    }

    /// A stream that keeps one message per subject and refuses a second,
    /// and can be told to stop answering after some messages.
    #[derive(Default)]
    struct FakeStream {
        held: Mutex<BTreeMap<String, Vec<u8>>>,
        /// Messages it takes before it stops answering (`None`: all).
        budget: Mutex<Option<usize>>,
        /// Every publish it saw, in order.
        seen: Mutex<Vec<String>>,
    }

    impl FakeStream {
        fn cut_after(&self, n: usize) {
            *self.budget.lock().expect("budget") = Some(n);
        }

        fn restore(&self) {
            *self.budget.lock().expect("budget") = None;
        }

        fn held(&self) -> Vec<String> {
            self.held.lock().expect("held").keys().cloned().collect()
        }
    }

    impl Sink for FakeStream {
        fn publish(&self, messages: Vec<(String, Vec<u8>)>) -> SinkFuture<'_> {
            Box::pin(async move {
                let mut answers = Vec::new();
                for (subject, bytes) in messages {
                    self.seen.lock().expect("seen").push(subject.clone());
                    let mut budget = self.budget.lock().expect("budget");
                    if let Some(left) = budget.as_mut() {
                        if *left == 0 {
                            answers.push(Delivery::Failed("timed out".into()));
                            break;
                        }
                        *left -= 1;
                    }
                    let mut held = self.held.lock().expect("held");
                    answers.push(match held.get(&subject) {
                        Some(b) if *b == bytes => Delivery::AlreadyThere,
                        Some(_) => Delivery::Conflict,
                        None => {
                            held.insert(subject, bytes);
                            Delivery::Stored
                        }
                    });
                }
                answers
            })
        }
    }

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn every_record_goes_once_in_order_and_the_cursor_follows() {
        let log = FakeLog::with(1..=600);
        let stream = FakeStream::default();
        assert_eq!(run(deliver("c", &log, &stream)).expect("delivered"), 600);
        assert_eq!(log.cursor(), 600);
        assert_eq!(stream.held().len(), 600);
        let seen = stream.seen.lock().expect("seen").clone();
        let expected: Vec<String> = (1..=600).map(|id| subjects::audit_record("c", id)).collect();
        assert_eq!(seen, expected, "in order, each once");
        // Nothing new: nothing sent.
        assert_eq!(run(deliver("c", &log, &stream)).expect("nothing"), 0);
        assert_eq!(stream.seen.lock().expect("seen").len(), 600);
    }

    #[test]
    fn a_cut_stops_at_the_first_record_not_acknowledged_and_resumes_there() {
        let mut log = FakeLog::with(1..=10);
        let stream = FakeStream::default();
        stream.cut_after(4);
        assert!(run(deliver("c", &log, &stream)).is_err());
        assert_eq!(log.cursor(), 4, "marked up to the last acknowledged");
        // Records written while cut off, then the link back.
        log.records.extend((11..=15).map(record));
        assert!(run(deliver("c", &log, &stream)).is_err(), "still cut");
        assert_eq!(log.cursor(), 4);
        stream.restore();
        assert_eq!(run(deliver("c", &log, &stream)).expect("delivered"), 11);
        assert_eq!(log.cursor(), 15);
        let expected: Vec<String> = {
            let mut v: Vec<String> = (1..=15).map(|id| subjects::audit_record("c", id)).collect();
            v.sort();
            v
        };
        assert_eq!(stream.held(), expected, "none lost, none doubled");
    }

    #[test]
    fn a_cursor_behind_the_stream_sends_again_without_doubling() {
        // The stream acknowledged 1–5 but the host stopped before marking
        // them (a crash): they go again, are found there, and count.
        let log = FakeLog::with(1..=8);
        let stream = FakeStream::default();
        run(deliver("c", &FakeLog::with(1..=5), &stream)).expect("first host run");
        assert_eq!(run(deliver("c", &log, &stream)).expect("delivered"), 8);
        assert_eq!(log.cursor(), 8);
        assert_eq!(stream.held().len(), 8);
    }

    #[test]
    fn gaps_in_the_numbers_are_no_loss_and_a_conflict_is_passed() {
        let log = FakeLog::with([2, 3, 7, 9]);
        let stream = FakeStream::default();
        stream
            .held
            .lock()
            .expect("held")
            .insert(subjects::audit_record("c", 7), b"another record".to_vec());
        assert_eq!(run(deliver("c", &log, &stream)).expect("delivered"), 4);
        assert_eq!(log.cursor(), 9);
    }

    #[test]
    fn a_short_answer_is_not_taken_for_a_delivery() {
        struct Mute;
        impl Sink for Mute {
            fn publish(&self, messages: Vec<(String, Vec<u8>)>) -> SinkFuture<'_> {
                let n = messages.len().min(2);
                Box::pin(async move { vec![Delivery::Stored; n] })
            }
        }
        let log = FakeLog::with(1..=5);
        assert!(run(deliver("c", &log, &Mute)).is_err());
        assert_eq!(log.cursor(), 2);
    }

    #[test]
    fn the_payload_names_no_host() {
        let mut r = record(4);
        r.host = Some("c".into());
        let back: AuditRecord = serde_json::from_slice(&payload(&r).expect("json")).expect("reads back");
        assert_eq!(back, record(4));
    }
}
