//! A school of ten hosts on one dashboard (issue 18): three real hosts,
//! each a daemon in its own network namespace with real sessions, and
//! seven simulated ones, NATS clients that behave like hosts, all on a
//! three-node NATS cluster. Measured on the teacher's host a: "Log off
//! all" of the whole school with grace 0 until every final outcome is
//! back; change to picture for the other hosts' desktops; what losing a
//! host costs; NATS traffic and the dashboard host's CPU, unwatched and
//! watched.

mod phases;
mod report;
mod setup;
mod sim;
mod watch;

use super::Ctx;
use super::judge::Report;
use crate::TestUser;
use podium_core::Role;
use std::time::Duration;

/// Simulated hosts beside the three real ones.
const SIMULATED: usize = 7;

/// Runs the benchmark with `n` sessions per host; its section and checks.
#[must_use]
pub fn school(ctx: &Ctx, n: usize) -> Report {
    let interval = ctx.thumbnail_interval_ms.unwrap_or(1000);
    let mut school = match setup::School::start(&ctx.podium, SIMULATED, n, interval) {
        Ok(s) => s,
        Err(why) => return report::report(ctx, n, &report::Measured::failed(why)),
    };
    let teacher = TestUser::create_fresh(Role::Dashboard);
    let mut m = report::Measured::default();
    match phases::calibrate(&mut school).and_then(|c| {
        school.wait_for_everyone(Duration::from_secs(60))?;
        Ok(c)
    }) {
        Ok(c) => m.calibration = c,
        Err(why) => m.problems.push(why),
    }
    m.unwatched = phases::unwatched(&school, ctx.pick(Duration::from_secs(20), Duration::from_secs(3)));
    let collect_for = ctx.pick(Duration::from_secs(15), Duration::from_secs(4));
    let length = ctx.pick(Duration::from_secs(30), Duration::from_secs(12));
    match phases::watched(&school, &teacher, collect_for, length) {
        Ok(w) => m.watching = w,
        Err(why) => m.problems.push(why),
    }
    m.loss = phases::lose_a_host(&mut school, &teacher);
    m.click = phases::click(&school, &teacher);
    report::report(ctx, n, &m)
}
