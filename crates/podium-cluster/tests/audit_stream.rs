//! The audit stream on a real `nats-server` (Debian's 2.9, JetStream on,
//! one node on the loopback, no TLS): the server takes the stream's
//! configuration, keeps one message per record however often it is sent,
//! and the outbox and the reader go through it as a host's would. Needs
//! `nats-server` installed; fails and says so without it.

use podium_cluster::audit::{self, StreamSink};
use podium_cluster::outbox::{self, AuditLog, Delivery, Sink};
use podium_core::{AuditKind, AuditRecord, Timestamp};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A `nats-server` of the test's own, killed and its store removed when dropped.
struct Server {
    child: Child,
    dir: std::path::PathBuf,
    url: String,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("podium-audit-stream-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the store's directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("nats-server (Debian's package nats-server) cannot start: {e}"));
        Server {
            child,
            dir,
            url: format!("nats://127.0.0.1:{port}"),
        }
    }

    async fn client(&self) -> async_nats::Client {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            match async_nats::connect(&self.url).await {
                Ok(c) => return c,
                Err(e) if Instant::now() > until => panic!("nats-server at {} does not answer: {e}", self.url),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn record(id: i64) -> AuditRecord {
    AuditRecord {
        id,
        at: Timestamp::from_unix(1_700_000_000 + id * 60),
        actor: "teacher".into(),
        kind: AuditKind::Logoff,
        action: None,
        session: Some(4),
        target_user: Some("pupil".into()),
        outcome: "closed".into(),
        reason: None,
        duration_ms: Some(900),
        applications: Vec::new(),
        host: None,
    }
}

/// A host's log in memory, with its cursor.
struct Log {
    records: Vec<AuditRecord>,
    cursor: Mutex<BTreeMap<String, i64>>,
}

impl Log {
    fn new(ids: std::ops::RangeInclusive<i64>) -> Log {
        Log {
            records: ids.map(record).collect(),
            cursor: Mutex::new(BTreeMap::new()),
        }
    }
}

impl AuditLog for Log {
    fn audit_after(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>, String> {
        Ok(self
            .records
            .iter()
            .filter(|r| r.id > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    fn audit_cursor(&self, outbox: &str) -> Result<i64, String> {
        Ok(self
            .cursor
            .lock()
            .map_err(|e| e.to_string())?
            .get(outbox)
            .copied()
            .unwrap_or(0))
    }

    fn audit_delivered(&self, outbox: &str, id: i64) -> Result<(), String> {
        self.cursor
            .lock()
            .map_err(|e| e.to_string())?
            .insert(outbox.to_owned(), id);
        Ok(())
    }
}

async fn messages(client: &async_nats::Client) -> (u64, u64) {
    let js = async_nats::jetstream::new(client.clone());
    let mut stream = js.get_stream("podium-audit").await.expect("the stream");
    let state = stream.info().await.expect("its state").state.clone();
    (state.messages, state.subjects_count)
}

#[tokio::test]
async fn a_record_sent_again_is_never_doubled() {
    let server = Server::start("again");
    let client = server.client().await;
    let stream = audit::ensure_stream(&client, 1).await.expect("the stream is made");
    let config = &stream.cached_info().config;
    assert_eq!(config.max_messages_per_subject, 1);
    assert!(
        config.discard_new_per_subject,
        "nats-server 2.9 keeps discard_new_per_subject"
    );
    assert_eq!(audit::config_problem(config), None);
    // Found, not made again, by the next host.
    audit::ensure_stream(&client, 1).await.expect("the stream is found");

    let sink = StreamSink::new(&client, stream);
    let one = outbox::payload(&record(1)).expect("json");
    let subject = "podium.audit.c.1".to_owned();
    assert_eq!(
        sink.publish(vec![(subject.clone(), one.clone())]).await,
        [Delivery::Stored]
    );
    // Hours later, well past the 2-minute duplicate window for all the
    // stream knows: the same subject again.
    assert_eq!(
        sink.publish(vec![(subject.clone(), one)]).await,
        [Delivery::AlreadyThere]
    );
    let other = outbox::payload(&record(2)).expect("json");
    assert_eq!(sink.publish(vec![(subject, other)]).await, [Delivery::Conflict]);
    assert_eq!(messages(&client).await, (1, 1));
}

#[tokio::test]
async fn an_outbox_delivers_each_record_once_even_from_a_lost_cursor() {
    let server = Server::start("outbox");
    let client = server.client().await;
    let sink = StreamSink::new(&client, audit::ensure_stream(&client, 1).await.expect("the stream"));
    let log = Log::new(1..=300);
    assert_eq!(outbox::deliver("c", &log, &sink).await.expect("delivered"), 300);
    assert_eq!(log.audit_cursor(&outbox::cursor_name("c")), Ok(300));
    // The same records from a cursor at 0 (a crash before it was written):
    // found there, counted, not doubled; then new ones.
    let again = Log::new(1..=320);
    let took = Instant::now();
    assert_eq!(outbox::deliver("c", &again, &sink).await.expect("delivered"), 320);
    eprintln!(
        "320 records sent again, 300 of them already there, in {:?}",
        took.elapsed()
    );
    assert_eq!(messages(&client).await, (320, 320));
    // Another host's records beside them.
    assert_eq!(outbox::deliver("b", &Log::new(1..=5), &sink).await.expect("b's"), 5);

    let all = audit::read(&client, None, 10_000).await.expect("the school's log");
    assert_eq!(all.len(), 325);
    let from_b: Vec<i64> = all
        .iter()
        .filter(|r| r.host.as_deref() == Some("b"))
        .map(|r| r.id)
        .collect();
    assert_eq!(from_b, [1, 2, 3, 4, 5]);
    let newest = audit::read(&client, None, 10).await.expect("the newest");
    assert_eq!(newest.len(), 10);
    assert!(newest.windows(2).all(|w| w[0].at <= w[1].at), "oldest first");
    // Records at or after a time (records are a minute apart).
    let since = record(318).at;
    let late = audit::read(&client, Some(since), 1000).await.expect("since");
    let ids: Vec<(Option<String>, i64)> = late.into_iter().map(|r| (r.host, r.id)).collect();
    let c = |id| (Some("c".to_owned()), id);
    assert_eq!(ids, [c(318), c(319), c(320)]);
    let none = audit::read(&client, Some(Timestamp::from_unix(2_000_000_000)), 1000)
        .await
        .expect("nothing so late");
    assert!(none.is_empty());
}
