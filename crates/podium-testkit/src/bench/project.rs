//! Project my desktop to a classroom: what one encoding fanned out to many
//! stations costs the host, and how many frames each station gets.
//!
//! A teacher's real session plays a changing scene — a full-screen xterm
//! scrolling a line every 50 ms, so nearly the whole screen changes at
//! about 20 frames a second — and is projected onto `n` real pupils'
//! sessions. Each pupil's station is a WebSocket client of
//! `/api/v1/station/projection` that counts the frames it receives. The
//! same run measures, over windows of the same length, one station
//! watching and then all `n`: CPU of every process the feature makes work
//! (the daemon with its capture, encode, TLS and WebSocket sends, and the
//! teacher's Xvnc, which draws the scene and hands the pixels over; each
//! from its cgroup's `cpu.stat`), and frames per second at each station.

use super::Ctx;
use super::cpu::{Meter, Used};
use super::judge::{Bound, Check, Report, table};
use crate::web::{Events, Web};
use crate::{Kit, TestUser};
use podium_core::Role;
use serde_json::json;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The teacher's scene: an xterm as large as the screen, scrolling a line
/// of text every 50 ms.
const SCENE: &str = "xterm -geometry 210x61+0+0 -e sh -c 'i=0; while :; do i=$((i+1)); \
    echo \"$i  The quick brown fox jumps over the lazy dog. Projected to every pupil, encoded once.\"; \
    sleep 0.05; done'";

/// What one measuring window gave.
struct Window {
    /// CPU of the daemon and of the teacher's display.
    used: Used,
    /// Frames per second at each station watching.
    fps: Vec<f64>,
}

/// Counts the frames each of `viewers` (logins of projected pupils)
/// receives over `length`, all watching at once, while the CPU of
/// `groups` is measured over the same window.
fn window(kit: &Kit, viewers: &[&Web], groups: &[std::path::PathBuf], length: Duration) -> Window {
    let streams: Vec<Events> = viewers
        .iter()
        .filter_map(|w| {
            Events::open(
                kit,
                "/api/v1/station/projection",
                w.cookie_header().as_deref(),
                Some(w.origin()),
            )
            .ok()
        })
        .collect();
    // Every station starts counting at the same moment, once each has its
    // first frame (the one that waits for nobody).
    let start = Arc::new(Barrier::new(streams.len() + 1));
    let threads: Vec<_> = streams
        .into_iter()
        .map(|mut s| {
            let start = start.clone();
            std::thread::spawn(move || {
                let _ = s.next_binary(Duration::from_secs(5));
                start.wait();
                let (end, mut frames) = (Instant::now() + length, 0u32);
                while let Some(left) = end.checked_duration_since(Instant::now()) {
                    if left.is_zero() || s.next_binary(left).is_none() {
                        break;
                    }
                    frames += 1;
                }
                f64::from(frames) / length.as_secs_f64()
            })
        })
        .collect();
    start.wait();
    let meter = Meter::start(groups.to_vec());
    let fps: Vec<f64> = threads.into_iter().filter_map(|t| t.join().ok()).collect();
    Window {
        used: meter.read(),
        fps,
    }
}

/// Runs the benchmark with `n` pupils; its section and checks.
#[must_use]
pub fn project(ctx: &Ctx, n: usize) -> Report {
    let kit = Kit::start_measured(&ctx.podium, "");
    let teacher = TestUser::create_fresh(Role::Dashboard);
    let source = kit.start_session(&teacher, Some(SCENE));
    let pupils: Vec<TestUser> = (0..n).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    let ids: Vec<u32> = pupils
        .iter()
        .map(|p| kit.start_session(p, Some("sleep infinity")))
        .collect();
    let logins: Vec<Web> = pupils.iter().map(|p| Web::login(&kit, p)).collect();
    let dash = Web::login(&kit, &teacher);
    let r = dash.post("/api/v1/sessions/project", &json!({ "sessions": ids }));
    let projected = r.status == 200
        && r.json()["results"]
            .as_array()
            .is_some_and(|a| a.len() == n && a.iter().all(|x| x["outcome"] == "done"));
    if !projected {
        eprintln!(
            "podium-bench: project: the projection did not start: {} {}",
            r.status, r.text
        );
    }
    // The xterm up and scrolling.
    std::thread::sleep(Duration::from_secs(2));
    let groups = vec![kit.daemon_cgroup(), kit.display_cgroup(source)];
    let length = ctx.pick(Duration::from_secs(20), Duration::from_secs(3));
    let one = window(&kit, &[&logins[0]], &groups, length);
    let all: Vec<&Web> = logins.iter().collect();
    let many = window(&kit, &all, &groups, length);
    let _ = dash.post("/api/v1/sessions/project/stop", &json!({}));
    drop(pupils);
    report(ctx, n, length, &one, &many)
}

/// Minimum and median of frames per second, when any station counted.
fn spread(fps: &[f64]) -> Option<(f64, f64)> {
    let mut sorted = fps.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some((*sorted.first()?, sorted[sorted.len() / 2]))
}

/// The section and its checks.
fn report(ctx: &Ctx, n: usize, length: Duration, one: &Window, many: &Window) -> Report {
    let (one_cpu, many_cpu) = (one.used.percent(), many.used.percent());
    let ratio = (one_cpu > 0.0).then(|| many_cpu / one_cpu);
    let (min_many, median_many) = spread(&many.fps).unzip();
    let (min_one, _) = spread(&one.fps).unzip();
    let complete = many.fps.len() == n;
    let checks = vec![
        Check::new(
            format!("frames per second at the slowest of {n} stations"),
            min_many.filter(|_| complete),
            " fps",
            Bound::AtLeast(10.0),
            ctx.targets,
        ),
        Check::new(
            format!("CPU projecting to {n} stations over CPU projecting to 1"),
            ratio,
            "×",
            Bound::AtMost(2.0),
            ctx.targets,
        ),
    ];
    let f = |v: Option<f64>| v.map_or_else(|| "no data".to_owned(), |v| format!("{v:.1}"));
    let body = format!(
        "## Project my desktop to {n} stations\n\n\
         {}\n\n\
         A teacher's real session plays a changing scene: an xterm as large as the 1280×800 screen, \
         scrolling a line every 50 ms, so nearly the whole screen changes about 20 times a second. It is \
         projected onto {n} real pupils' sessions. Each pupil's station is a WebSocket client of \
         `/api/v1/station/projection`, counting the frames (whole JPEGs of the teacher's screen) it \
         receives. One window of {} s with one station watching, then one with all {n}, side by side in \
         one run. **CPU**: every process the projection makes work, from the cgroups' `cpu.stat` over the \
         window: the daemon (capture through MIT-SHM, one JPEG encode per frame, TLS and WebSocket \
         sends to each station) and the teacher's Xvnc (which draws the scene and hands its pixels \
         over). The stations' own decoding is not the host's and is not counted. The build measured is \
         the one `podium-bench` runs beside ({}).\n\n\
         | measure | 1 station | {n} stations |\n|---|---|---|\n\
         | CPU, % of one core | **{one_cpu:.1} %** | **{many_cpu:.1} %** |\n\
         | frames per second per station, min | {} | {} |\n\
         | frames per second per station, median | {} | {} |\n\
         | stations that counted | {} | {} |\n\n{}",
        ctx.header(),
        length.as_secs(),
        if cfg!(debug_assertions) {
            "a debug build"
        } else {
            "a release build"
        },
        f(min_one),
        f(min_many),
        f(spread(&one.fps).map(|s| s.1)),
        f(median_many),
        one.fps.len(),
        many.fps.len(),
        table(&checks),
    );
    Report {
        name: "project",
        body,
        checks,
    }
}
