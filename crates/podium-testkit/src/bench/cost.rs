//! What one thumbnail costs the host, end to end, against ImageMagick's
//! `import` on the same desktop in the same run.
//!
//! Podium's side is everything the host does because a dashboard watches:
//! the daemon (capture, scaling, encoding, events, HTTPS), the session
//! workers, and the X server's extra work (the shared-memory copy, DAMAGE),
//! measured as the difference between stretches watched and unwatched of
//! the same desktop, divided by the thumbnails the dashboard received.
//! `import`'s side is its own process plus the X server's extra work for it.

use super::cpu::{Meter, Used};
use super::judge::{Bound, Check, Report, table};
use super::{Ctx, Stats, children_cpu, thread_cpu};
use crate::web::{Events, Message, Web};
use crate::{Kit, TestUser, procfs, wait_until};
use podium_core::Role;
use podium_thumbnail::Size;
use podium_thumbnail::capture::Capturer;
use podium_thumbnail::encode::{self, Encoder};
use podium_thumbnail::scale::Scaler;
use std::path::Path;
use std::time::{Duration, Instant};

/// The daemon's capture interval here: short, so a stretch yields many
/// thumbnails; a thumbnail's cost does not depend on it.
const INTERVAL_MS: u32 = 100;

/// A desktop with real content — a coloured root, two terminals full of
/// text, a clock, eyes — and a small square that changes colour every
/// 100 ms, as a cursor or a typed word would.
fn busy_desktop(kit: &Kit, client: &Path) -> String {
    let script = kit.script(
        "bench-desktop",
        &format!(
            "xsetroot -solid '#1f4e79'\n\
             xclock -geometry 220x220+40+40 -update 1 &\n\
             xeyes -geometry 200x140+300+40 &\n\
             xterm -geometry 110x36+40+300 -e sh -c 'ls -l /usr/bin | head -60; exec sleep 100000' &\n\
             xterm -geometry 60x20+760+40 -e sh -c 'cat /etc/services; exec sleep 100000' &\n\
             {} cycle 1100 700 40 24 100 &\n\
             wait",
            client.display()
        ),
    );
    script.to_string_lossy().into_owned()
}

/// Watches every desktop for `length` on `events` as the dashboard does:
/// the stream pushes each new medium thumbnail. How many came.
fn watch(events: &mut Events, length: Duration) -> usize {
    let mut delivered = 0;
    let end = Instant::now() + length;
    while Instant::now() < end {
        let wait = end
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(200));
        if let Some(Message::Picture { jpeg, .. }) = events.next_message(wait)
            && !jpeg.is_empty()
        {
            delivered += 1;
        }
    }
    delivered
}

/// Podium's side, alternating unwatched and watched stretches so that any
/// drift in the desktop's own drawing falls on both.
struct Side {
    podium: Used,
    podium_idle: Used,
    xvnc: Used,
    xvnc_idle: Used,
    delivered: usize,
}

impl Side {
    fn measure(kit: &Kit, web: &Web, display: &Path, stretch: Duration, rounds: usize) -> Side {
        let mut s = Side {
            podium: Used::default(),
            podium_idle: Used::default(),
            xvnc: Used::default(),
            xvnc_idle: Used::default(),
            delivered: 0,
        };
        let groups = || {
            (
                Meter::start(vec![kit.daemon_cgroup()]),
                Meter::start(vec![display.to_path_buf()]),
            )
        };
        for _ in 0..rounds {
            let (p, x) = groups();
            std::thread::sleep(stretch);
            s.podium_idle = s.podium_idle.plus(p.read());
            s.xvnc_idle = s.xvnc_idle.plus(x.read());
            // The dashboard's connection is made once and kept: its
            // handshake is not part of a thumbnail's cost.
            let Ok(mut events) = Events::pictures(kit, web, "medium") else {
                continue;
            };
            // The pictures of now, sent at once, are not part of the stretch.
            let settled = Instant::now() + Duration::from_secs(1);
            while Instant::now() < settled && events.next_message(Duration::from_millis(300)).is_some() {}
            let (p, x) = groups();
            s.delivered += watch(&mut events, stretch);
            s.podium = s.podium.plus(p.read());
            s.xvnc = s.xvnc.plus(x.read());
            drop(events);
        }
        s
    }

    /// CPU per delivered thumbnail, all processes, in ms (`None`: none came).
    fn per_thumbnail(&self) -> Option<f64> {
        (self.delivered > 0).then(|| {
            let extra = self.podium.extra_over(self.podium_idle) + self.xvnc.extra_over(self.xvnc_idle);
            extra.as_secs_f64() * 1000.0 / count(self.delivered)
        })
    }

    fn xvnc_per_thumbnail(&self) -> f64 {
        self.xvnc.extra_over(self.xvnc_idle).as_secs_f64() * 1000.0 / count(self.delivered.max(1))
    }
}

#[allow(clippy::cast_precision_loss)]
fn count(n: usize) -> f64 {
    n as f64
}

/// One `import` command, `runs` times: its CPU per run, the X server's
/// extra CPU per run, and the size of its JPEG.
fn import(args: &[&str], runs: u32, display: &str, xauth: &str, xvnc: &Path, baseline: Used) -> (f64, f64, usize) {
    let meter = Meter::start(vec![xvnc.to_path_buf()]);
    let before = children_cpu();
    let mut bytes = 0;
    for _ in 0..runs {
        let out = std::process::Command::new("import")
            .args(args)
            .env("DISPLAY", display)
            .env("XAUTHORITY", xauth)
            .output()
            .expect("ImageMagick import");
        assert!(out.status.success() && !out.stdout.is_empty(), "import {args:?} failed");
        bytes = out.stdout.len();
    }
    let cpu = (children_cpu() - before) / runs;
    let xvnc = meter.read().extra_over(baseline) / runs;
    (cpu.as_secs_f64() * 1000.0, xvnc.as_secs_f64() * 1000.0, bytes)
}

/// The two JPEG encoders on the same scaled picture of `access`'s screen:
/// (pure-Rust ms, bytes, libjpeg-turbo ms, bytes).
fn encoders(kit: &Kit, user: &TestUser, id: u32, n: u32) -> (f64, usize, f64, usize) {
    let access = kit.display_access(id, user);
    let conn = access.connect().expect("connect to the display");
    let root = x11rb::connection::Connection::setup(&conn).roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("capturer");
    let px = capturer.grab(&conn).expect("grab");
    let (w, h) = Size::Medium.dimensions(px.width, px.height);
    let scaled = Scaler::default().scale(&px, w, h).expect("scale");
    let mut turbo = Encoder::new().expect("libjpeg-turbo");
    let (mut rust, mut tj) = (Vec::new(), Vec::new());
    let (mut rust_bytes, mut tj_bytes) = (0, 0);
    for _ in 0..n {
        let t0 = thread_cpu();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, encode::QUALITY)
            .encode(
                &scaled.data,
                u16::try_from(w).expect("small"),
                u16::try_from(h).expect("small"),
                jpeg_encoder::ColorType::Bgra,
            )
            .expect("encode");
        let t1 = thread_cpu();
        let j = turbo.jpeg(&scaled).expect("turbojpeg");
        let t2 = thread_cpu();
        (rust_bytes, tj_bytes) = (out.len(), j.len());
        rust.push(t1 - t0);
        tj.push(t2 - t1);
    }
    (Stats::of(&rust).mean, rust_bytes, Stats::of(&tj).mean, tj_bytes)
}

/// Runs the benchmark; its section and checks.
#[must_use]
pub fn cost(ctx: &Ctx) -> Report {
    report(ctx, &measure(ctx))
}

/// What the benchmark measured.
struct Figures {
    interval: u32,
    stretch: Duration,
    runs: u32,
    /// Podium with a small square changing: the case judged.
    side: Side,
    /// Podium with the whole screen changing.
    worst: Side,
    /// `import` with its defaults: its CPU, the X server's, its bytes.
    im: (f64, f64, usize),
    /// `import` with Podium's filter and quality.
    boxed: (f64, f64, usize),
    /// The encoders: pure-Rust ms and bytes, libjpeg-turbo ms and bytes.
    encoders: (f64, usize, f64, usize),
}

/// The desktop drawn, Podium watched on it twice (a small change, the
/// whole screen changing), then ImageMagick and the encoders.
fn measure(ctx: &Ctx) -> Figures {
    let interval = ctx.thumbnail_interval_ms.unwrap_or(INTERVAL_MS);
    let kit = Kit::start_measured(&ctx.podium, &format!("[thumbnails]\ninterval_ms = {interval}\n"));
    let user = TestUser::create_fresh(Role::Standard);
    let client = kit.test_client();
    let id = kit.start_session(&user, Some(&busy_desktop(&kit, &client)));
    wait_until(Duration::from_secs(20), "the desktop is drawn", || {
        procfs::of_user(user.uid)
            .iter()
            .filter(|p| p.cmdline.starts_with("xterm"))
            .count()
            == 2
    });
    std::thread::sleep(Duration::from_secs(2));
    let admin = TestUser::create_fresh(Role::Admin);
    let web = Web::login(&kit, &admin);
    let display_group = kit.display_cgroup(id);
    let stretch = ctx.pick(Duration::from_secs(8), Duration::from_secs(2));
    let side = Side::measure(&kit, &web, &display_group, stretch, ctx.pick(2, 1));

    // The whole screen changing (a window dragged, a video): the worst case.
    let display = kit.display_of(id);
    let xauth = format!("/run/user/{}/podium-Xauthority", user.uid);
    let mut whole = crate::access::spawn_as(
        &user,
        &client.to_string_lossy(),
        &["cycle", "0", "0", "0", "0", "100"],
        &[("DISPLAY", display.as_str()), ("XAUTHORITY", xauth.as_str())],
    );
    std::thread::sleep(Duration::from_millis(500));
    let worst = Side::measure(&kit, &web, &display_group, stretch, 1);
    let _ = whole.kill();
    let _ = whole.wait();

    // ImageMagick, a process per thumbnail, with the X server's share.
    let runs = ctx.pick(20, 3);
    let defaults = ["-window", "root", "-resize", "320x200", "jpeg:-"];
    let im = import(&defaults, runs, &display, &xauth, &display_group, side.xvnc_idle);
    let ours = [
        "-window", "root", "-filter", "Box", "-resize", "320x200", "-quality", "80", "jpeg:-",
    ];
    let boxed = import(&ours, runs, &display, &xauth, &display_group, side.xvnc_idle);
    let encoders = encoders(&kit, &user, id, ctx.pick(200, 10));
    Figures {
        interval,
        stretch,
        runs,
        side,
        worst,
        im,
        boxed,
        encoders,
    }
}

/// The section and its checks.
fn report(ctx: &Ctx, f: &Figures) -> Report {
    let (interval, runs, side, worst) = (f.interval, f.runs, &f.side, &f.worst);
    let (im_cpu, im_xvnc, im_bytes) = f.im;
    let (box_cpu, box_xvnc, box_bytes) = f.boxed;
    let (rust_ms, rust_bytes, tj_ms, tj_bytes) = f.encoders;
    let podium_ms = side.per_thumbnail();
    let import_all = im_cpu + im_xvnc;
    let ratio = podium_ms.map(|p| import_all / p);
    let t = |ms: Option<f64>| ms.map_or_else(|| "no data".to_owned(), |v| format!("{v:.2} ms"));

    let checks = vec![
        Check::new(
            "CPU per delivered medium thumbnail, all processes (daemon, workers, Xvnc's extra)",
            podium_ms,
            " ms",
            Bound::AtMost(1.5),
            ctx.targets,
        ),
        Check::new(
            "`import` (a process per thumbnail, with Xvnc's share) against Podium",
            ratio,
            "×",
            Bound::AtLeast(40.0),
            ctx.targets,
        ),
    ];
    let body = format!(
        "## Thumbnail cost: Podium against ImageMagick\n\n\
         {}\n\n\
         One 1280×800 Xvnc desktop with real content (two terminals full of text, a clock ticking every \
         second, eyes, a coloured background) and a small square (40×24) changing colour every 100 ms, as a \
         cursor or a typed word does. The daemon captures a watched, changed desktop at most every {interval} \
         ms. A dashboard client holds the events WebSocket with `?thumbnails=medium`, as the dashboard does, \
         and receives each new medium (320×200) thumbnail on it. **Podium's CPU** is everything the host does \
         because the desktop is watched: the daemon and the session workers (capture, scaling, JPEG, events, TLS; \
         their cgroup's `cpu.stat`) and the X server's extra time (its own cgroup), watched stretches minus \
         unwatched ones of the same desktop ({} s each, alternated), divided by the thumbnails the client \
         received. **ImageMagick**: `import -window root -resize 320x200 jpeg:-`, a process per thumbnail \
         as a shell script or Epoptes does, {runs} runs: the process's CPU (`getrusage`) plus the X \
         server's extra time.\n\n\
         | | per thumbnail |\n|---|---|\n\
         | Podium, all processes | **{}** ({} thumbnails; X server's share {:.2} ms) |\n\
         | Podium when the whole screen changes every 100 ms (worst case, no target) | {} ({} thumbnails) |\n\
         | `import -window root -resize 320x200 jpeg:-` (defaults: Lanczos, quality 92) | **{:.1} ms** ({:.1} ms + X server {:.1} ms), {im_bytes} bytes |\n\
         | `import … -filter Box -resize 320x200 -quality 80` (Podium's filter and quality) | {:.1} ms ({:.1} ms + X server {:.1} ms), {box_bytes} bytes |\n\n\
         Podium is **{}** cheaper than `import` with its defaults.\n\n\
         Why: Podium copies out of the X server only the part DAMAGE reports changed (here the square and the \
         clock's hands), through shared memory, scales only that part into the thumbnail it keeps, and \
         encodes with libjpeg-turbo. The encoders on the same 320×200 picture, in-process: libjpeg-turbo \
         {tj_ms:.2} ms, {tj_bytes} bytes (the daemon's); the pure-Rust `jpeg-encoder` with SIMD {rust_ms:.2} \
         ms, {rust_bytes} bytes.\n\n{}",
        ctx.header(),
        f.stretch.as_secs(),
        t(podium_ms),
        side.delivered,
        side.xvnc_per_thumbnail(),
        t(worst.per_thumbnail()),
        worst.delivered,
        import_all,
        im_cpu,
        im_xvnc,
        box_cpu + box_xvnc,
        box_cpu,
        box_xvnc,
        ratio.map_or_else(|| "(no data)".to_owned(), |r| format!("{r:.0}×")),
        table(&checks),
    );
    Report {
        name: "thumbnail-cost",
        body,
        checks,
    }
}
