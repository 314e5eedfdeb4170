//! One NATS operation as one host: signed in with the host's nkey seed,
//! over TLS checked against the test CA, from wherever it runs — inside a
//! test host's network namespace (`ip netns exec`), so the traffic takes
//! that host's link — and a test sees what the servers let that host do.
//!
//! ```text
//! podium-nats-probe --seed FILE --ca FILE --servers URL[,URL…]
//!                   [--replicas N] [--timeout SECONDS] COMMAND
//!   put BUCKET KEY VALUE   puts VALUE at KEY (printing the revision),
//!                          making the bucket with N replicas if missing
//!   get BUCKET KEY         prints KEY's value
//!   pub SUBJECT TEXT       publishes TEXT on SUBJECT
//! ```
//!
//! Exits 0 when the operation succeeded; 1 when it did not, with the
//! server's own words on standard error when the server refused (`nats:
//! Permissions Violation for Publish to …`); 2 on bad usage; 3 when `get`
//! finds no such key.
#![forbid(unsafe_code)]

use async_nats::jetstream;
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;

const USAGE: &str = "usage: podium-nats-probe --seed FILE --ca FILE --servers URL[,URL…] \
                     [--replicas N] [--timeout SECONDS] (put BUCKET KEY VALUE | get BUCKET KEY | pub SUBJECT TEXT)";

/// How a refusal is told apart from a slow answer: the server says `-ERR`
/// at once, before the reply that will then never come.
const REFUSAL_WAIT: Duration = Duration::from_millis(300);

/// What the command line asks for.
struct Probe {
    seed: String,
    ca: String,
    servers: Vec<String>,
    replicas: usize,
    timeout: Duration,
    op: Op,
}

enum Op {
    Put { bucket: String, key: String, value: String },
    Get { bucket: String, key: String },
    Pub { subject: String, text: String },
}

/// Why the probe failed, and so its exit code.
enum Failure {
    Failed(String),
    NoSuchKey,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Failed(message)
    }
}

fn parse(args: &[String]) -> Option<Probe> {
    let (mut seed, mut ca, mut servers) = (None, None, None);
    let (mut replicas, mut timeout) = (1, Duration::from_secs(3));
    let mut rest = args;
    while let [flag, value, tail @ ..] = rest {
        match flag.as_str() {
            "--seed" => seed = Some(value.clone()),
            "--ca" => ca = Some(value.clone()),
            "--servers" => servers = Some(value.split(',').map(str::to_owned).collect()),
            "--replicas" => replicas = value.parse().ok()?,
            "--timeout" => timeout = Duration::from_secs_f64(value.parse().ok()?),
            _ => break,
        }
        rest = tail;
    }
    let owned = |s: &String| s.clone();
    let op = match rest {
        [cmd, bucket, key, value] if cmd == "put" => Op::Put {
            bucket: owned(bucket),
            key: owned(key),
            value: owned(value),
        },
        [cmd, bucket, key] if cmd == "get" => Op::Get {
            bucket: owned(bucket),
            key: owned(key),
        },
        [cmd, subject, text] if cmd == "pub" => Op::Pub {
            subject: owned(subject),
            text: owned(text),
        },
        _ => return None,
    };
    Some(Probe {
        seed: seed?,
        ca: ca?,
        servers: servers?,
        replicas,
        timeout,
        op,
    })
}

/// Connects as the seed's user; the server's `-ERR`s arrive on the
/// returned channel.
async fn connect(probe: &Probe) -> Result<(async_nats::Client, mpsc::UnboundedReceiver<String>), String> {
    let seed = std::fs::read_to_string(&probe.seed).map_err(|e| format!("cannot read the seed {}: {e}", probe.seed))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let client = async_nats::ConnectOptions::with_nkey(seed.trim().to_owned())
        .add_root_certificates(probe.ca.clone().into())
        .require_tls(true)
        .connection_timeout(probe.timeout)
        .request_timeout(Some(probe.timeout))
        .event_callback(move |event| {
            let tx = tx.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    let _ = tx.send(e.to_string());
                }
            }
        })
        .connect(probe.servers.as_slice())
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", probe.servers.join(",")))?;
    Ok((client, rx))
}

/// Runs `work`, failing with the server's words as soon as it refuses.
async fn unless_refused<T, E: std::fmt::Display>(
    refusals: &mut mpsc::UnboundedReceiver<String>,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    tokio::select! {
        done = work => match done {
            Ok(value) => Ok(value),
            Err(e) => match refusals.try_recv() {
                Ok(refusal) => Err(refusal),
                Err(_) => Err(e.to_string()),
            },
        },
        Some(refusal) = refusals.recv() => Err(refusal),
    }
}

async fn run(probe: &Probe) -> Result<(), Failure> {
    let (client, mut refusals) = connect(probe).await?;
    let mut js = jetstream::new(client.clone());
    js.set_timeout(probe.timeout);
    match &probe.op {
        Op::Put { bucket, key, value } => {
            let store = match js.get_key_value(bucket).await {
                Ok(store) => store,
                Err(_) => {
                    unless_refused(
                        &mut refusals,
                        js.create_stream(podium_cluster::bucket::stream_of(bucket, probe.replicas)),
                    )
                    .await
                    .map_err(|e| format!("cannot make the bucket {bucket}: {e}"))?;
                    unless_refused(&mut refusals, js.get_key_value(bucket))
                        .await
                        .map_err(|e| format!("cannot open the bucket {bucket}: {e}"))?
                }
            };
            let put = store.put(key, value.clone().into_bytes().into());
            let revision = unless_refused(&mut refusals, put)
                .await
                .map_err(|e| format!("cannot put {bucket} {key}: {e}"))?;
            println!("{revision}");
        }
        Op::Get { bucket, key } => {
            let store = unless_refused(&mut refusals, js.get_key_value(bucket))
                .await
                .map_err(|e| format!("cannot open the bucket {bucket}: {e}"))?;
            let value = unless_refused(&mut refusals, store.get(key))
                .await
                .map_err(|e| format!("cannot get {bucket} {key}: {e}"))?
                .ok_or(Failure::NoSuchKey)?;
            println!("{}", String::from_utf8_lossy(&value));
        }
        Op::Pub { subject, text } => {
            let sent = async {
                client.publish(subject.clone(), text.clone().into()).await?;
                client.flush().await?;
                // No reply to wait for: a refusal is a `-ERR` now or never.
                tokio::time::sleep(REFUSAL_WAIT).await;
                Ok::<(), async_nats::Error>(())
            };
            unless_refused(&mut refusals, sent)
                .await
                .map_err(|e| format!("cannot publish on {subject}: {e}"))?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(probe) = parse(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("podium-nats-probe: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(&probe)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::NoSuchKey) => {
            eprintln!("podium-nats-probe: no such key");
            ExitCode::from(3)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("podium-nats-probe: {message}");
            ExitCode::from(1)
        }
    }
}
