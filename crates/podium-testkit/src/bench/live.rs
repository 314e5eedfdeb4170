//! Fifty live desktops on one dashboard: how fresh the pictures are, from
//! a change on the screen to the dashboard holding a picture of it, and
//! what watching costs the host with the clocks ticking and with the
//! desktops idle.
//!
//! Each desktop runs a clock ticking every second and the test client's
//! `cycle`, which paints a square a new colour on every whole second and
//! writes down when the X server had drawn it. The dashboard client reads
//! the square's colour in each medium thumbnail it fetches: a picture
//! showing colour K (or a later one) ends the wait for change K.

use super::cpu::{Meter, Used};
use super::judge::{Bound, Check, Report, table};
use super::{Ctx, Stats};
use crate::web::{Events, Message, Web};
use crate::{Kit, TestUser, procfs, wait_until};
use podium_core::Role;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The colours `podium-test-client cycle` goes through, in its order: far
/// apart, so a thumbnail's JPEG still tells them apart.
pub const PALETTE: [u32; 8] = [
    0x00e0_1010,
    0x0010_c020,
    0x0020_40f0,
    0x00f0_e010,
    0x00e0_20e0,
    0x0010_e0e0,
    0x00f0_8010,
    0x00f0_f0f0,
];

/// Where the square is on the screen, and its size.
const SQUARE: (u32, u32, u32) = (16, 16, 48);

/// The palette entry nearest to a colour (JPEG shifts colours a little).
#[must_use]
pub fn nearest(rgb: [u8; 3]) -> usize {
    let d = |c: u32| {
        let [_, r, g, b] = c.to_be_bytes();
        [(r, rgb[0]), (g, rgb[1]), (b, rgb[2])]
            .iter()
            .map(|(a, b)| (i32::from(*a) - i32::from(*b)).pow(2))
            .sum::<i32>()
    };
    (0..PALETTE.len()).min_by_key(|&i| d(PALETTE[i])).unwrap_or(0)
}

/// The colour at the square's centre in a medium thumbnail.
fn square_colour(jpeg: &[u8], screen_width: u32) -> Option<usize> {
    colour_at(jpeg, screen_width, SQUARE)
}

/// The palette entry at the centre of `square` (x, y, side, in pixels of
/// a screen `screen_width` wide) in a thumbnail of any size.
pub(crate) fn colour_at(jpeg: &[u8], screen_width: u32, square: (u32, u32, u32)) -> Option<usize> {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let rgb = d.decode().ok()?;
    let info = d.info()?;
    let (w, scale) = (u32::from(info.width), f64::from(screen_width) / f64::from(info.width));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let at = |v: u32| (f64::from(v) / scale) as u32;
    let (x, y) = (at(square.0 + square.2 / 2), at(square.1 + square.2 / 2));
    let i = usize::try_from((y * w + x) * 3).ok()?;
    rgb.get(i..i + 3).map(|p| nearest([p[0], p[1], p[2]]))
}

/// A desktop's changes, as its `cycle` wrote them down: change K at
/// (nanoseconds since the epoch).
pub(crate) fn ticks(log: &std::path::Path) -> BTreeMap<u64, u128> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (k, t) = l.split_once(' ')?;
            Some((k.parse().ok()?, t.parse().ok()?))
        })
        .collect()
}

pub(crate) fn now_ns() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// Watches every desktop for `length` on `events`, which pushes each new
/// medium thumbnail as the dashboard receives it; the change-to-picture
/// latencies of the changes made while watching, and the pictures received.
fn watch(events: &mut Events, logs: &HashMap<u64, PathBuf>, length: Duration) -> (Vec<Duration>, usize) {
    let from = now_ns();
    // The latest change a picture of each desktop has shown.
    let mut seen: HashMap<u64, Option<u64>> = HashMap::new();
    let (mut latencies, mut pictures) = (Vec::new(), 0);
    let end = Instant::now() + length;
    while Instant::now() < end {
        let wait = end
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(200));
        let Some(Message::Picture { id, jpeg, .. }) = events.next_message(wait) else {
            continue;
        };
        let received = now_ns();
        let id = u64::from(id);
        pictures += 1;
        // Changes drawn before the watching began are not waited for.
        let shown = seen.entry(id).or_insert_with(|| {
            logs.get(&id)
                .and_then(|l| ticks(l).iter().rev().find(|(_, at)| **at < from).map(|(k, _)| *k))
        });
        let (Some(colour), Some(log)) = (square_colour(&jpeg, 1280), logs.get(&id)) else {
            continue;
        };
        let changes = ticks(log);
        // The latest change drawn before the picture that has this colour.
        let Some(k) = changes
            .iter()
            .rev()
            .find(|(k, at)| **at <= received && PALETTE[usize::try_from(**k % 8).unwrap_or(0)] == PALETTE[colour])
            .map(|(k, _)| *k)
        else {
            continue;
        };
        // Every change up to it, made while watching and not shown before,
        // waited until now.
        if let Some(before) = shown.filter(|before| *before < k) {
            for (_, at) in changes.range(before + 1..=k).filter(|(_, at)| **at >= from) {
                latencies.push(Duration::from_nanos(u64::try_from(received - at).unwrap_or(u64::MAX)));
            }
        }
        *shown = Some(shown.map_or(k, |p| p.max(k)));
    }
    (latencies, pictures)
}

/// The groups whose CPU counts: the daemon's (with the workers), and the
/// sessions' displays.
fn meters(kit: &Kit, ids: &[u32]) -> (Meter, Meter) {
    (
        Meter::start(vec![kit.daemon_cgroup()]),
        Meter::start(ids.iter().map(|id| kit.display_cgroup(*id)).collect()),
    )
}

/// Alternates unwatched and watched stretches; the CPU of all processes
/// while watched (daemon and workers in all, the displays' extra over
/// unwatched), in percent of one core, with the latencies and pictures.
fn stretches(
    kit: &Kit,
    web: &Web,
    ids: &[u32],
    logs: &HashMap<u64, PathBuf>,
    stretch: Duration,
    rounds: usize,
) -> (f64, Vec<Duration>, usize) {
    let (mut podium, mut xvnc, mut xvnc_idle) = (Used::default(), Used::default(), Used::default());
    let (mut latencies, mut pictures) = (Vec::new(), 0);
    for _ in 0..rounds {
        let (_, x) = meters(kit, ids);
        std::thread::sleep(stretch);
        xvnc_idle = xvnc_idle.plus(x.read());
        // The dashboard's connection is made once and kept: its handshake
        // is not part of watching.
        let Ok(mut events) = Events::pictures(kit, web, "medium") else {
            continue;
        };
        // The pictures of now, sent at once, are not part of the stretch.
        let settled = Instant::now() + Duration::from_secs(1);
        while Instant::now() < settled && events.next_message(Duration::from_millis(300)).is_some() {}
        let (p, x) = meters(kit, ids);
        let (l, n) = watch(&mut events, logs, stretch);
        podium = podium.plus(p.read());
        xvnc = xvnc.plus(x.read());
        drop(events);
        latencies.extend(l);
        pictures += n;
    }
    let all = podium.cpu + xvnc.extra_over(xvnc_idle);
    let percent = all.as_secs_f64() / podium.wall.as_secs_f64().max(1e-9) * 100.0;
    (percent, latencies, pictures)
}

/// Runs the benchmark with `n` desktops; its section and checks.
#[must_use]
pub fn live(ctx: &Ctx, n: usize) -> Report {
    let interval = ctx.thumbnail_interval_ms.unwrap_or(1000);
    let kit = Kit::start_measured(&ctx.podium, &format!("[thumbnails]\ninterval_ms = {interval}\n"));
    let users: Vec<TestUser> = (0..n).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    let (ids, logs) = ticking_desktops(&kit, &users);
    let admin = TestUser::create_fresh(Role::Admin);
    let web = Web::login(&kit, &admin);
    let stretch = ctx.pick(Duration::from_secs(15), Duration::from_secs(3));
    let rounds = ctx.pick(2, 1);
    let (busy, latencies, pictures) = stretches(&kit, &web, &ids, &logs, stretch, rounds);

    // The same desktops idle: nothing moves any more.
    for u in &users {
        for p in procfs::of_user(u.uid) {
            if p.cmdline.starts_with("xclock") || p.cmdline.contains("podium-test-client") {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p.pid), nix::sys::signal::Signal::SIGKILL);
            }
        }
    }
    std::thread::sleep(Duration::from_secs(2));
    let (idle, _, idle_pictures) = stretches(&kit, &web, &ids, &HashMap::new(), stretch, rounds);
    let daemon_rss = super::rss_kib(kit.daemon_pid());
    drop(users);
    report(
        ctx,
        n,
        interval,
        &Watched {
            stretch,
            rounds,
            busy,
            latencies,
            pictures,
            idle,
            idle_pictures,
            daemon_rss,
        },
    )
}

/// A session for each of `users` with a clock and a square changing colour
/// every second, logged to the user's `changes.log`: their ids, and each
/// one's log, once every desktop ticks.
fn ticking_desktops(kit: &Kit, users: &[TestUser]) -> (Vec<u32>, HashMap<u64, PathBuf>) {
    let client = kit.test_client();
    let mut logs = HashMap::new();
    let mut ids = Vec::new();
    for u in users {
        let log = u.home.join("changes.log");
        let command = format!(
            "sh -c 'xclock -geometry 200x200+600+200 -update 1 & {} cycle {} {} {s} {s} 1000 {} & exec sleep infinity'",
            client.display(),
            SQUARE.0,
            SQUARE.1,
            log.display(),
            s = SQUARE.2,
        );
        let id = kit.start_session(u, Some(&command));
        logs.insert(u64::from(id), log);
        ids.push(id);
    }
    wait_until(Duration::from_secs(60), "every desktop ticks", || {
        logs.values().all(|l| ticks(l).len() >= 2)
    });
    (ids, logs)
}

/// What watching the desktops measured.
struct Watched {
    stretch: Duration,
    rounds: usize,
    /// CPU, % of one core, with the clocks ticking.
    busy: f64,
    /// Change-to-picture latencies.
    latencies: Vec<Duration>,
    pictures: usize,
    /// CPU, % of one core, with the desktops idle.
    idle: f64,
    idle_pictures: usize,
    daemon_rss: u64,
}

/// The section and its checks.
fn report(ctx: &Ctx, n: usize, interval: u32, w: &Watched) -> Report {
    let Watched {
        stretch,
        rounds,
        busy,
        ref latencies,
        pictures,
        idle,
        idle_pictures,
        daemon_rss,
    } = *w;
    let l = (!latencies.is_empty()).then(|| Stats::of(latencies));
    let checks = vec![
        Check::new(
            format!("change to picture, p95, at the default {interval} ms interval"),
            l.map(|s| s.p95),
            " ms",
            Bound::AtMost(1200.0),
            ctx.targets,
        ),
        Check::new(
            format!("CPU of all processes, {n} clocks ticking, watched"),
            Some(busy),
            " %",
            Bound::Below(10.0),
            ctx.targets,
        ),
        Check::new(
            format!("CPU of all processes, the same {n} desktops idle, watched"),
            Some(idle),
            " %",
            Bound::Below(0.5),
            ctx.targets,
        ),
    ];
    let latency = l.map_or_else(
        || "no picture came".to_owned(),
        |s| {
            format!(
                "p50 {:.0} ms · p95 **{:.0} ms** · max {:.0} ms ({} changes)",
                s.p50,
                s.p95,
                s.max,
                latencies.len()
            )
        },
    );
    let body = format!(
        "## {n} live desktops on one dashboard\n\n\
         {}\n\n\
         {n} real sessions, each with `xclock -update 1` and a square that the test client paints a new \
         colour on every whole second, noting when the X server had drawn it. One dashboard client holds the \
         events WebSocket with `?thumbnails=medium`, as the dashboard does, receives each new medium \
         thumbnail on it, and reads the square's colour in it. **Change to picture**: from the moment a colour was on the \
         screen to the moment the client holds a picture showing it (or a later one), for every change \
         made while watching. **CPU of all processes**: the daemon and the session workers (their cgroup's \
         `cpu.stat`, everything they did while watched) plus the X servers' extra time (watched stretches \
         minus unwatched ones, {} s each); the desktops' own drawing is not counted.\n\n\
         | measure | value |\n|---|---|\n\
         | change to picture | {latency} |\n\
         | pictures received | {pictures} in {} s watched |\n\
         | CPU, clocks ticking, watched | **{busy:.2} %** of one core |\n\
         | CPU, the same desktops idle, watched | **{idle:.3} %** of one core ({idle_pictures} pictures) |\n\
         | daemon memory afterwards | {:.1} MiB RSS |\n\n{}",
        ctx.header(),
        stretch.as_secs(),
        stretch.as_secs() * u64::try_from(rounds).unwrap_or(1),
        daemon_rss as f64 / 1024.0,
        table(&checks),
    );
    Report {
        name: "thumbnails-live",
        body,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_a_little_off_are_still_told_apart() {
        for (i, c) in PALETTE.iter().enumerate() {
            let [_, r, g, b] = c.to_be_bytes();
            let off = |v: u8| v.saturating_add(9).saturating_sub(4);
            assert_eq!(nearest([off(r), off(g), off(b)]), i);
        }
    }
}
