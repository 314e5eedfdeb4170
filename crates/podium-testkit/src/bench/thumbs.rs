//! Thumbnail benchmarks: the CPU cost of one medium thumbnail against
//! ImageMagick's `import` on the same desktop, and fifty live desktops
//! watched at once.

use super::{Stats, machine, today};
use crate::web::{Events, Web};
use crate::{Kit, TestUser, procfs, wait_until};
use nix::time::{ClockId, clock_gettime};
use podium_core::Role;
use podium_host::x11::DisplayAccess;
use podium_thumbnail::capture::Capturer;
use podium_thumbnail::scale::Scaler;
use podium_thumbnail::{Size, encode};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn thread_cpu() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

fn children_cpu() -> Duration {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).map_or(Duration::ZERO, |u| {
        let tv = |t: nix::sys::time::TimeVal| {
            Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
                + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
        };
        tv(u.user_time()) + tv(u.system_time())
    })
}

/// CPU time (user + system) a process has used.
fn process_cpu(pid: i32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 =
        f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    let hz = u64::try_from(
        nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100),
    )
    .unwrap_or(100);
    Duration::from_micros(ticks * 1_000_000 / hz.max(1))
}

/// A desktop with real content: a coloured root, a terminal full of text, a clock, eyes.
fn busy_desktop(kit: &Kit) -> String {
    let script = kit.script(
        "bench-desktop",
        "xsetroot -solid '#1f4e79'\n\
         xclock -geometry 220x220+40+40 &\n\
         xeyes -geometry 200x140+300+40 &\n\
         xterm -geometry 110x36+40+300 -e sh -c 'ls -l /usr/bin | head -60; exec sleep 100000' &\n\
         xterm -geometry 60x20+760+40 -e sh -c 'cat /etc/services; exec sleep 100000' &\n\
         wait",
    );
    script.to_string_lossy().into_owned()
}

fn access(kit: &Kit, user: &TestUser, id: u32, display: &str) -> DisplayAccess {
    let xauth = kit.session_run_dir(id).join("display/xauth");
    let cookie = podium_host::xauth::read_cookie(&xauth).expect("the session's cookie");
    let xvnc = procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(id)));
    DisplayAccess {
        display: display.trim_start_matches(':').parse().expect("display number"),
        cookie,
        server_uid: user.uid,
        server_pid: xvnc.first().expect("Xvnc runs").pid,
    }
}

/// CPU per medium thumbnail (in-process, thread CPU time) against the
/// whole `import -window root -resize 320x200 jpeg:-` process.
#[must_use]
pub fn cost(podium: &str) -> String {
    let kit = Kit::start(podium);
    let user = TestUser::create(Role::Standard);
    let id = kit.start_session(&user, Some(&busy_desktop(&kit)));
    wait_until(Duration::from_secs(10), "the desktop is drawn", || {
        procfs::of_user(user.uid)
            .iter()
            .filter(|p| p.cmdline.starts_with("xterm"))
            .count()
            == 2
    });
    std::thread::sleep(Duration::from_secs(2));
    let display = kit
        .sessions()
        .sessions
        .iter()
        .find(|s| s.id == id)
        .expect("listed")
        .display
        .clone();
    let access = access(&kit, &user, id, &display);
    let conn = access.connect().expect("connect to the display");
    let root = x11rb::connection::Connection::setup(&conn).roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("capturer");
    let mut scaler = Scaler::default();
    let mut turbo = encode::Encoder::new().expect("libjpeg-turbo");
    let xvnc = procfs::in_cgroup(&format!("{}/display", kit.session_cgroup(id)))[0].pid;

    let n = 300;
    let (mut grab, mut scale, mut enc_rust, mut enc_turbo, mut total) = (vec![], vec![], vec![], vec![], vec![]);
    let mut sizes = (0, 0);
    let xvnc_before = process_cpu(xvnc);
    for _ in 0..n {
        let t0 = thread_cpu();
        let px = capturer.grab(&conn).expect("grab");
        let t1 = thread_cpu();
        let (w, h) = Size::Medium.dimensions(px.width, px.height);
        let scaled = scaler.scale(&px, w, h).expect("scale");
        let t2 = thread_cpu();
        let jpeg = {
            let mut out = Vec::new();
            jpeg_encoder::Encoder::new(&mut out, encode::QUALITY)
                .encode(&scaled.data, w as u16, h as u16, jpeg_encoder::ColorType::Bgra)
                .expect("encode");
            out
        };
        let _etag = encode::etag(&jpeg);
        let t3 = thread_cpu();
        let tj = turbo.jpeg(&scaled).expect("turbojpeg");
        let t4 = thread_cpu();
        sizes = (jpeg.len(), tj.len());
        grab.push(t1 - t0);
        scale.push(t2 - t1);
        enc_rust.push(t3 - t2);
        enc_turbo.push(t4 - t3);
        total.push(t3 - t0);
    }
    let xvnc_per_podium = (process_cpu(xvnc) - xvnc_before) / n;

    let runs = 20;
    let xauth = format!("/run/user/{}/podium-Xauthority", user.uid);
    let before = children_cpu();
    let xvnc_before = process_cpu(xvnc);
    let wall = Instant::now();
    for _ in 0..runs {
        let out = std::process::Command::new("import")
            .args(["-window", "root", "-resize", "320x200", "jpeg:-"])
            .env("DISPLAY", &display)
            .env("XAUTHORITY", &xauth)
            .output()
            .expect("ImageMagick import");
        assert!(out.status.success() && !out.stdout.is_empty(), "import failed");
    }
    let im_wall = wall.elapsed() / runs;
    let im_cpu = (children_cpu() - before) / runs;
    let xvnc_per_import = (process_cpu(xvnc) - xvnc_before) / runs;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (tot, g, s, er, et) = (
        Stats::of(&total),
        Stats::of(&grab),
        Stats::of(&scale),
        Stats::of(&enc_rust),
        Stats::of(&enc_turbo),
    );
    let ratio = ms(im_cpu) / tot.mean;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    format!(
        "## Thumbnail cost: Podium against ImageMagick\n\n\
         Run {} on {}.\n\n\
         One 1280×800 Xvnc desktop with real content (two terminals full of text, a clock, eyes, a coloured \
         background), measured side by side in one run. Podium: capture (MIT-SHM `GetImage`) + scale to 320×200 \
         (fast_image_resize, box filter) + JPEG (quality {}) + ETag, {n} times in-process, **CPU time of the \
         calling thread**. ImageMagick: `import -window root -resize 320x200 jpeg:-`, {runs} runs, **CPU time of \
         the whole `import` process** (user + system, from `getrusage`). The X server's own CPU for the copy is \
         shown apart for both.\n\n\
         | | Podium (per medium thumbnail) | ImageMagick `import` |\n|---|---|---|\n\
         | CPU, mean | **{:.2} ms** (p50 {:.2}, p99 {:.2}) | {:.1} ms (wall {:.1} ms) |\n\
         | of which capture · scale · encode | {:.2} · {:.2} · {:.2} ms | |\n\
         | Xvnc CPU serving the capture | {:.2} ms | {:.2} ms |\n\
         | JPEG size | {} bytes | |\n\n\
         Podium is **{ratio:.0}× cheaper** than ImageMagick (target ≥ 30×: {}); {:.2} ms per thumbnail \
         (target ≤ 2 ms: {}).\n\n\
         Encoders, same scaled image: built-in pure-Rust encoder (SIMD) {:.2} ms mean, {} bytes; system \
         libjpeg-turbo 2.1 through its C API {:.2} ms mean, {} bytes. The daemon uses the built-in encoder: \
         no C library to link, and the difference is {:.2} ms per thumbnail.\n",
        today(),
        machine(),
        encode::QUALITY,
        tot.mean,
        tot.p50,
        tot.p99,
        ms(im_cpu),
        ms(im_wall),
        g.mean,
        s.mean,
        er.mean,
        ms(xvnc_per_podium),
        ms(xvnc_per_import),
        sizes.0,
        verdict(ratio >= 30.0),
        tot.mean,
        verdict(tot.mean <= 2.0),
        er.mean,
        sizes.0,
        et.mean,
        sizes.1,
        er.mean - et.mean,
    )
}

/// Daemon CPU and thumbnail freshness with `n` live desktops watched, then idle.
#[must_use]
pub fn live(podium: &str, n: usize) -> String {
    let secs = 30;
    let (busy_cpu, gaps, updates) = watch(podium, n, "xclock -update 1", secs, true);
    let (idle_cpu, _, idle_updates) = watch(podium, n, "xclock", secs, false);
    let g = Stats::of(&gaps);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    format!(
        "## {n} live desktops on one dashboard\n\n\
         Run {} on {}.\n\n\
         {n} real sessions, each running `xclock -update 1` (a second hand that moves every second); one \
         dashboard client holds the events WebSocket and fetches each new medium thumbnail it is told about \
         (`If-None-Match`), as the dashboard does, for {secs} s. Age of a picture: the time between two \
         consecutive new pictures of the same desktop, which bounds how old the one on screen can be (the clock \
         changes every second). Daemon CPU: its user + system time over the {secs} s (capture threads, TLS, \
         events, HTTP all included).\n\n\
         | measure | value |\n|---|---|\n\
         | new pictures | {updates} in {secs} s ({:.1} per desktop per second) |\n\
         | age of pictures | p50 {:.0} ms · p95 {:.0} ms · p99 {:.0} ms · max {:.0} ms |\n\
         | daemon CPU, {n} clocks ticking | **{:.1} %** of one core (target < 25 %: {}) |\n\
         | daemon CPU, the same {n} desktops idle (`xclock` without seconds), still watched | **{:.2} %** of one core (target < 2 %: {}); {idle_updates} pictures |\n",
        today(),
        machine(),
        f64::from(u32::try_from(updates).unwrap_or(0))
            / f64::from(u32::try_from(n).unwrap_or(1))
            / f64::from(u32::try_from(secs).unwrap_or(1)),
        g.p50,
        g.p95,
        g.p99,
        g.max,
        busy_cpu,
        verdict(busy_cpu < 25.0 && g.p99 <= 1100.0),
        idle_cpu,
        verdict(idle_cpu < 2.0),
    )
}

/// Starts `n` sessions running `command`, watches them for `secs` seconds;
/// returns daemon CPU %, gaps between new pictures per desktop, and how many came.
fn watch(podium: &str, n: usize, command: &str, secs: u64, fetch: bool) -> (f64, Vec<Duration>, usize) {
    let kit = Kit::start(podium);
    let teacher = TestUser::create(Role::Dashboard);
    let users: Vec<TestUser> = (0..n).map(|_| TestUser::create(Role::Standard)).collect();
    for u in &users {
        let _ = kit.start_session(u, Some(command));
    }
    let web = Web::login(&kit, &teacher);
    let mut events = Events::connect(&kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events");
    // Let every desktop draw and get its first picture before measuring.
    let settle = Instant::now() + Duration::from_secs(5);
    while Instant::now() < settle {
        let _ = events.next(Duration::from_millis(200));
    }
    let pid = kit.daemon_pid();
    let cpu0 = process_cpu(pid);
    let t0 = Instant::now();
    let mut last: HashMap<u64, Instant> = HashMap::new();
    let mut etags: HashMap<u64, String> = HashMap::new();
    let mut gaps = Vec::new();
    let mut updates = 0;
    while t0.elapsed() < Duration::from_secs(secs) {
        let Some(e) = events.next(Duration::from_millis(500)) else {
            continue;
        };
        if e["type"] != "thumbnail_updated" {
            continue;
        }
        let Some(id) = e["id"].as_u64() else { continue };
        updates += 1;
        let now = Instant::now();
        if let Some(prev) = last.insert(id, now) {
            gaps.push(now - prev);
        }
        if fetch {
            let old = etags.get(&id).cloned().unwrap_or_default();
            let (status, headers, _) =
                web.get_bytes(&format!("/api/v1/sessions/{id}/thumbnail"), &[("if-none-match", &old)]);
            if status == 200
                && let Some(t) = headers.get("etag").and_then(|v| v.to_str().ok())
            {
                etags.insert(id, t.to_owned());
            }
        }
    }
    let wall = t0.elapsed();
    let cpu = (process_cpu(pid) - cpu0).as_secs_f64() / wall.as_secs_f64() * 100.0;
    if gaps.is_empty() {
        gaps.push(Duration::ZERO);
    }
    drop(users);
    (cpu, gaps, updates)
}
