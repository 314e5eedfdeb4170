//! The teacher's dashboard watching the whole school: one events
//! WebSocket on the teacher's host with `?school=true&thumbnails=small`,
//! as the dashboard opens it. Each picture names its host; a real
//! desktop's picture is read for its square's colour, which ends the wait
//! for every change of that desktop up to the one that drew the colour.

use super::super::live::{PALETTE, colour_at, now_ns, ticks};
use super::setup::SQUARE;
use crate::web::{Events, Message};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a stretch of watching saw.
#[derive(Debug, Default)]
pub(crate) struct Watched {
    /// Change-to-picture latencies of the real desktops' changes made
    /// while watching, by host.
    pub latencies: BTreeMap<String, Vec<Duration>>,
    /// The same, from the moment the test client asked for each change
    /// (its period's multiple): longer by the client's own wake-up and
    /// drawing, never shorter than the truth.
    pub from_request: BTreeMap<String, Vec<Duration>>,
    /// Pictures received, by host.
    pub pictures: BTreeMap<String, usize>,
    /// Their JPEG bytes, by host.
    pub bytes: BTreeMap<String, usize>,
}

/// Up to `count` different pictures of host `from`'s desktops, as the
/// dashboard received them within `limit`: real thumbnails of the size
/// shown, for the simulated hosts to send.
pub(crate) fn collect(events: &mut Events, from: &str, count: usize, limit: Duration) -> Vec<Vec<u8>> {
    let mut seen = BTreeSet::new();
    let mut jpegs = Vec::new();
    let end = Instant::now() + limit;
    while Instant::now() < end && jpegs.len() < count {
        let wait = end.saturating_duration_since(Instant::now());
        if let Some(Message::Picture { host, etag, jpeg, .. }) = events.next_message(wait)
            && host.as_deref() == Some(from)
            && seen.insert(etag)
        {
            jpegs.push(jpeg);
        }
    }
    jpegs
}

/// Reads everything `events` sends for `length`, without measuring.
pub(crate) fn drain(events: &mut Events, length: Duration) {
    let end = Instant::now() + length;
    while Instant::now() < end {
        let _ = events.next_message(end.saturating_duration_since(Instant::now()));
    }
}

/// Watches for `length`: every picture counted by host, and for the real
/// desktops (`desktops`: each one's log of changes and its period in ms,
/// by host and session id), the latency of every change made while
/// watching.
///
/// A change's moment is when its log says the X server had drawn it. A
/// picture may come before the test client has written that down (the
/// client is one process of hundreds on two cores): the change's moment is
/// then when the client asked for it, on its period's multiple, which is
/// earlier than the drawing, so the latency counted is never too short.
pub(crate) fn watch(
    events: &mut Events,
    desktops: &BTreeMap<(String, u32), (PathBuf, u64)>,
    length: Duration,
) -> Watched {
    let from = now_ns();
    let ms = |ns: u128| u64::try_from(ns / 1_000_000).unwrap_or(u64::MAX);
    let mut w = Watched::default();
    // The latest change a picture of each desktop has shown.
    let mut shown: BTreeMap<(String, u32), u64> = BTreeMap::new();
    let end = Instant::now() + length;
    while Instant::now() < end {
        let wait = end
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(200));
        let Some(Message::Picture { id, host, jpeg, .. }) = events.next_message(wait) else {
            continue;
        };
        let received = now_ns();
        let host = host.unwrap_or_default();
        *w.pictures.entry(host.clone()).or_default() += 1;
        *w.bytes.entry(host.clone()).or_default() += jpeg.len();
        let key = (host, id);
        let Some((log, period)) = desktops.get(&key) else {
            continue;
        };
        let period = (*period).max(1);
        // Changes asked for before the watching began are not waited for.
        let before = *shown.entry(key.clone()).or_insert(ms(from) / period);
        let Some(colour) = colour_at(&jpeg, 1280, SQUARE) else {
            continue;
        };
        // The latest change asked for before the picture came that has its colour.
        let now = ms(received) / period;
        let Some(k) = (now.saturating_sub(7)..=now)
            .rev()
            .find(|k| PALETTE[usize::try_from(k % 8).unwrap_or(0)] == PALETTE[colour])
        else {
            continue;
        };
        if k > before {
            let changes = ticks(log);
            let since = |at: u128| Duration::from_nanos(u64::try_from(received - at).unwrap_or(u64::MAX));
            for j in before + 1..=k {
                let asked = u128::from(j * period) * 1_000_000;
                let at = changes.get(&j).copied().filter(|at| *at <= received).unwrap_or(asked);
                if at >= from {
                    w.latencies.entry(key.0.clone()).or_default().push(since(at));
                    w.from_request.entry(key.0.clone()).or_default().push(since(asked));
                }
            }
            shown.insert(key, k);
        }
    }
    w
}
