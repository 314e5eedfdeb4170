//! A classroom of real desktops for the capacity benchmark: pupils whose
//! Xfce sessions, started through the daemon, open LibreOffice Writer and
//! Firefox at login; what each session holds in memory (the PSS of every
//! one of its processes, Xvnc included); what the sessions and the daemon
//! use in CPU over a stretch; and pupils typing into Writer.

use super::cpu::{Meter, Used, host_busy};
use super::memory::Held;
use crate::desktop::{self, Desktop};
use crate::procfs::{self, Proc};
use crate::{Kit, TestUser};
use podium_core::Role;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The title of the page each pupil's Firefox shows.
pub const PAGE_TITLE: &str = "Lesson";

/// What Writer's window title ends with.
pub const WRITER: &str = "LibreOffice Writer";

/// Between two keys typed: 5 characters a second.
pub const KEY_DELAY: Duration = Duration::from_millis(200);

/// What the pupils type, again and again.
const PROSE: &str = "The cat sleeps on the blue mat and dreams of fish. ";

/// One pupil and their session.
pub struct Pupil {
    /// The account.
    pub user: TestUser,
    /// The session.
    pub id: u32,
    /// Its screen.
    pub screen: Desktop,
    /// From the start of the session until every window was up; `None`
    /// when they were not within the limit.
    pub ready: Option<Duration>,
}

/// Makes `n` pupils whose desktops open Writer (and Firefox on a lesson in
/// their home unless `writer_only`) at login, as they would have ticked it.
#[must_use]
pub fn accounts(n: usize, writer_only: bool) -> Vec<TestUser> {
    (0..n)
        .map(|_| {
            let user = TestUser::create_fresh(Role::Standard);
            desktop::autostart(&user, "writer", "lowriter");
            if !writer_only {
                let page = lesson_page(&user);
                desktop::autostart(&user, "firefox", &format!("firefox file://{}", page.display()));
            }
            user
        })
        .collect()
}

/// Starts each user's session, one after another, each once the one
/// before has every window up (or `limit` has passed).
#[must_use]
pub fn start(kit: &Kit, users: Vec<TestUser>, titles: &[&str], limit: Duration) -> Vec<Pupil> {
    users
        .into_iter()
        .map(|user| {
            let t = Instant::now();
            let id = kit.start_session(&user, None);
            let screen = Desktop::of(kit, id, &user);
            let ready = windows_up(&screen, titles, limit).then(|| t.elapsed());
            Pupil {
                user,
                id,
                screen,
                ready,
            }
        })
        .collect()
}

/// Waits until a window with each of `titles` is on the screen; whether
/// they all came within `limit`.
fn windows_up(screen: &Desktop, titles: &[&str], limit: Duration) -> bool {
    let until = Instant::now() + limit;
    loop {
        let seen = screen.windows();
        if titles.iter().all(|t| seen.iter().any(|w| w.title.contains(t))) {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A lesson page in the pupil's home: a title, some text and a field.
fn lesson_page(user: &TestUser) -> PathBuf {
    let page = user.home.join("lesson.html");
    let text = "<p>Read the text, then write a summary of it in LibreOffice Writer.</p>".repeat(20);
    std::fs::write(
        &page,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{PAGE_TITLE}</title></head>\
             <body><h1>{PAGE_TITLE}</h1>{text}<textarea rows=\"8\" cols=\"60\"></textarea></body></html>"
        ),
    )
    .expect("the lesson page");
    std::os::unix::fs::chown(&page, Some(user.uid), Some(user.gid)).expect("chown the lesson page");
    page
}

/// What a session's processes hold, by what they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionMemory {
    /// Xvnc (the session's `display` cgroup).
    pub xvnc: Held,
    /// Xfce and everything else of the desktop that is neither of the two
    /// applications (the session bus, the settings daemon …).
    pub desktop: Held,
    /// LibreOffice.
    pub writer: Held,
    /// Firefox and its content processes.
    pub firefox: Held,
    /// Processes of the pupil outside the session's cgroups (none, when
    /// the session holds everything it started).
    pub outside: Held,
}

impl SessionMemory {
    /// Session `id` of `uid`, among `all` (one look at /proc for every session).
    #[must_use]
    pub fn of(all: &[Proc], cgroup: &str, uid: u32) -> SessionMemory {
        let live: Vec<&Proc> = all.iter().filter(|p| p.state != 'Z').collect();
        let inside = |p: &Proc| p.cgroup == cgroup || p.cgroup.starts_with(&format!("{cgroup}/"));
        let display = format!("{cgroup}/display");
        let desktop: Vec<&Proc> = live
            .iter()
            .copied()
            .filter(|p| inside(p) && p.cgroup != display)
            .collect();
        let app = |p: &Proc| {
            if p.cmdline.contains("libreoffice") || p.cmdline.contains("soffice") {
                "writer"
            } else if p.cmdline.contains("firefox") {
                "firefox"
            } else {
                "desktop"
            }
        };
        let of_app = |a: &str| Held::of(desktop.iter().copied().filter(|p| app(p) == a));
        SessionMemory {
            xvnc: Held::of(live.iter().copied().filter(|p| p.cgroup == display)),
            desktop: of_app("desktop"),
            writer: of_app("writer"),
            firefox: of_app("firefox"),
            outside: Held::of(live.iter().copied().filter(|p| p.uid == uid && !inside(p))),
        }
    }

    /// Every process of the session.
    #[must_use]
    pub fn total(&self) -> Held {
        self.xvnc
            .plus(self.desktop)
            .plus(self.writer)
            .plus(self.firefox)
            .plus(self.outside)
    }
}

/// Each pupil's session's memory, and the daemon's with its workers'.
#[must_use]
pub fn memory(kit: &Kit, pupils: &[Pupil]) -> (Vec<SessionMemory>, Held) {
    let all = procfs::all();
    let sessions = pupils
        .iter()
        .map(|p| SessionMemory::of(&all, &kit.session_cgroup(p.id), p.user.uid))
        .collect();
    let dir = kit.daemon_cgroup();
    let root = crate::host::cgroup2_root();
    let daemon = format!("/{}", dir.strip_prefix(&root).unwrap_or(&dir).display());
    let daemon = Held::of(all.iter().filter(|p| p.state != 'Z' && p.cgroup == daemon));
    (sessions, daemon)
}

/// CPU used over one stretch, by who used it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stretch {
    /// The sessions' Xvnc servers.
    pub xvnc: Used,
    /// Everything of the sessions' desktops.
    pub desktops: Used,
    /// The daemon with its session workers.
    pub daemon: Used,
    /// The whole host, every process on it (the neighbours' builds too).
    pub host: Used,
    /// The host's load average over the last minute, at the end.
    pub load: f64,
}

impl Stretch {
    /// Sessions and daemon together, % of one core.
    #[must_use]
    pub fn percent(&self) -> f64 {
        Used {
            cpu: self.xvnc.cpu + self.desktops.cpu + self.daemon.cpu,
            wall: self.daemon.wall,
        }
        .percent()
    }
}

/// Measures what the sessions `ids` and the daemon use in CPU while `work` runs.
pub fn measure(kit: &Kit, ids: &[u32], work: impl FnOnce()) -> Stretch {
    let groups = |part: &str| ids.iter().map(|id| kit.session_cgroup_dir(*id).join(part)).collect();
    let (xvnc, desktops) = (Meter::start(groups("display")), Meter::start(groups("desktop")));
    let daemon = Meter::start(vec![kit.daemon_cgroup()]);
    let (host0, at) = (host_busy(), Instant::now());
    work();
    let host = Used {
        cpu: host_busy().saturating_sub(host0),
        wall: at.elapsed(),
    };
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    Stretch {
        xvnc: xvnc.read(),
        desktops: desktops.read(),
        daemon: daemon.read(),
        host,
        load,
    }
}

/// Brings each pupil's Writer to the front, ready to be typed into; the
/// pupils whose Writer is up, with its window.
#[must_use]
pub fn writers(pupils: &[Pupil]) -> Vec<(&Pupil, u32)> {
    let up: Vec<(&Pupil, u32)> = pupils
        .iter()
        .filter(|p| p.ready.is_some())
        .map(|p| (p, p.screen.wait_window(WRITER, Duration::from_secs(30))))
        .collect();
    for (p, w) in &up {
        p.screen.act("xdotool", &["windowactivate", "--sync", &w.to_string()]);
    }
    // What bringing them forward redrew is not part of the typing.
    std::thread::sleep(Duration::from_secs(2));
    up
}

/// Types prose into the focused window of `screen` for about `length`,
/// one key every [`KEY_DELAY`], with `xdotool` (the X server gets the keys
/// as from a keyboard); the characters typed.
pub fn type_for(screen: &Desktop, length: Duration) -> usize {
    let chars = usize::try_from(length.as_millis() / KEY_DELAY.as_millis()).unwrap_or(0);
    let text: String = PROSE.chars().cycle().take(chars).collect();
    // Debian 12's xdotool (3.20160805) waits half its `--delay` per key.
    let delay = (KEY_DELAY.as_millis() * 2).to_string();
    screen.act("xdotool", &["type", "--delay", &delay, &text]);
    chars
}

/// How many characters the document in Writer `window` holds.
#[must_use]
pub fn document_chars(screen: &Desktop, window: u32) -> usize {
    screen
        .text(window, crate::desktop::Field::Document)
        .trim()
        .chars()
        .count()
}
