//! `GET /api/v1/sessions` over HTTPS with many real sessions and many
//! concurrent clients: latency percentiles, with `GET /api/v1/me` measured
//! in the same run as the reference (the cheapest logged-in request).

use super::judge::{Bound, Check, Report, table};
use super::{Ctx, Stats, rss_kib};
use crate::web::Web;
use crate::{Kit, TestUser};
use podium_core::Role;
use std::time::{Duration, Instant};

/// `clients` logged-in administrators, each sending `per_client` GETs of
/// `path` on its own keep-alive connection; every latency, and the wall time.
pub(crate) fn hammer(
    kit: &Kit,
    admin: &TestUser,
    clients: usize,
    path: &str,
    per_client: usize,
) -> (Vec<Duration>, Duration) {
    let webs: Vec<Web> = (0..clients).map(|_| Web::login(kit, admin)).collect();
    let started = Instant::now();
    let handles: Vec<_> = webs
        .into_iter()
        .map(|w| {
            let path = path.to_owned();
            std::thread::spawn(move || {
                // One warm-up request opens the keep-alive connection.
                assert_eq!(w.get(&path).status, 200);
                (0..per_client)
                    .map(|_| {
                        let t = Instant::now();
                        let r = w.get(&path);
                        assert_eq!(r.status, 200, "{}", r.text);
                        t.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let samples = handles
        .into_iter()
        .flat_map(|h| h.join().expect("client thread"))
        .collect();
    (samples, started.elapsed())
}

/// Runs the benchmark; its section and checks.
#[must_use]
pub fn sessions_list(ctx: &Ctx, sessions: usize, clients: usize) -> Report {
    let kit = Kit::start(&ctx.podium);
    let admin = TestUser::create_fresh(Role::Admin);
    let users: Vec<TestUser> = (0..sessions).map(|_| TestUser::create_fresh(Role::Standard)).collect();
    for u in &users {
        let _ = kit.start_session(u, Some("xclock"));
    }
    let listed = Web::login(&kit, &admin).get("/api/v1/sessions").json();
    let n = listed["sessions"].as_array().map_or(0, Vec::len);
    assert_eq!(n, sessions, "every session listed");
    let body_kib = Web::login(&kit, &admin).get("/api/v1/sessions").text.len() / 1024;
    let per_client = ctx.pick(250, 20);
    let (me, me_wall) = hammer(&kit, &admin, clients, "/api/v1/me", per_client);
    let (list, list_wall) = hammer(&kit, &admin, clients, "/api/v1/sessions", per_client);
    let daemon_rss = rss_kib(kit.daemon_pid()) / 1024;
    let (l, m) = (Stats::of(&list), Stats::of(&me));
    #[allow(clippy::cast_precision_loss)]
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let checks = vec![Check::new(
        format!("`GET /api/v1/sessions` p99, {sessions} sessions, {clients} clients"),
        Some(l.p99),
        " ms",
        Bound::Below(20.0),
        ctx.targets,
    )];
    let body = format!(
        "## `GET /api/v1/sessions` with {sessions} sessions and {clients} clients\n\n\
         {}\n\n\
         {sessions} real sessions (Xvnc + PAM + `xclock`), an administrator's login per client, {clients} \
         clients on keep-alive HTTPS connections, {per_client} requests each, all on this machine (clients and \
         daemon share the 2 cores). The list answer is {body_kib} KiB of JSON. `GET /api/v1/me` is the reference: \
         the cheapest logged-in request, measured in the same run.\n\n\
         | request | p50 | p95 | p99 | max | requests/s |\n|---|---|---|---|---|---|\n\
         | `GET /api/v1/sessions` | {:.1} ms | {:.1} ms | **{:.1} ms** | {:.1} ms | {:.0} |\n\
         | `GET /api/v1/me` (reference) | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} |\n\n\
         Daemon memory after the run: {daemon_rss} MiB.\n\n{}",
        ctx.header(),
        l.p50,
        l.p95,
        l.p99,
        l.max,
        rate(list.len(), list_wall),
        m.p50,
        m.p95,
        m.p99,
        m.max,
        rate(me.len(), me_wall),
        table(&checks),
    );
    drop(users);
    Report {
        name: "api",
        body,
        checks,
    }
}
