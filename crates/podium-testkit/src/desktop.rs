//! Real desktops in tests: Xfce through `/etc/X11/Xsession`, applications
//! the pupil starts at login (Xfce's autostart), typed into with
//! `xdotool`, their windows watched as root through the session's cookie.

use crate::host::Kit;
use crate::system::TestUser;
use podium_x11::DisplayAccess;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// The `[session]` lines of a daemon whose users get Xfce, as Debian
/// starts it for a display manager, with the terminate timeout
/// docs/ADMIN.md recommends for real desktops.
pub const XFCE: &str = "command = \"/etc/X11/Xsession\"\nterminate_timeout_seconds = 10\n";

/// Has `exec` start when `user`'s desktop starts, as a pupil who ticked
/// it in Xfce's "Session and Startup" would.
pub fn autostart(user: &TestUser, name: &str, exec: &str) {
    let dir = user.home.join(".config/autostart");
    std::fs::create_dir_all(&dir).expect("autostart directory");
    let entry = format!("[Desktop Entry]\nType=Application\nName={name}\nExec={exec}\n");
    std::fs::write(dir.join(format!("{name}.desktop")), entry).expect("autostart entry");
    let owner = format!("{}:{}", user.uid, user.gid);
    let config = user.home.join(".config");
    let status = Command::new("chown")
        .args(["-R", &owner])
        .arg(&config)
        .status()
        .expect("chown");
    assert!(status.success(), "chown {}", config.display());
}

/// A window on the screen, as a teacher would see it named.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    /// `WM_CLASS`'s class ("Mousepad").
    pub class: String,
    /// The title.
    pub title: String,
}

/// Where text goes in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The document of an editor (Writer, Mousepad): where the keyboard is
    /// once the window is active.
    Document,
    /// The text field at the top left of the page a browser shows (the
    /// test pages put it there).
    PageField,
}

/// One session's real desktop.
pub struct Desktop {
    access: DisplayAccess,
    display: String,
    xauthority: PathBuf,
}

impl Desktop {
    /// Session `id` of `user`.
    #[must_use]
    pub fn of(kit: &Kit, id: u32, user: &TestUser) -> Desktop {
        Desktop {
            access: kit.display_access(id, user),
            display: kit.display_of(id),
            xauthority: PathBuf::from(format!("/run/user/{}/podium-Xauthority", user.uid)),
        }
    }

    /// Runs an X program (`xdotool`, `xclip`) on the display, as root with
    /// the session's cookie; its output.
    #[must_use]
    pub fn run(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .env("XAUTHORITY", &self.xauthority)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs an X program for what it does, not what it prints.
    pub fn act(&self, program: &str, args: &[&str]) {
        let _ = self.run(program, args);
    }

    /// Every viewable window with a title, frames looked into.
    #[must_use]
    pub fn windows(&self) -> Vec<Seen> {
        on_screen(&self.access).into_iter().map(|(_, seen)| seen).collect()
    }

    /// The first viewable window whose title contains `title`, waiting up
    /// to `timeout` for it.
    #[must_use]
    pub fn wait_window(&self, title: &str, timeout: Duration) -> Window {
        let until = Instant::now() + timeout;
        loop {
            if let Some((w, _)) = on_screen(&self.access)
                .into_iter()
                .find(|(_, s)| s.title.contains(title))
            {
                return w;
            }
            assert!(
                Instant::now() < until,
                "no window titled {title:?} within {timeout:?}; on the screen: {:?}",
                self.windows()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Makes `text` the whole text of `field` in `window`: select all and
    /// type over it, again until it reads back (an application that has
    /// just mapped its window may not take keys yet). Whether it did.
    #[must_use]
    pub fn write(&self, window: Window, field: Field, text: &str) -> bool {
        for _ in 0..10 {
            self.focus(window, field);
            self.act("xdotool", &["key", "--clearmodifiers", "ctrl+a"]);
            // Into the focused window: applications ignore the synthetic
            // events `--window` sends.
            self.act("xdotool", &["type", "--delay", "30", text]);
            if self.text(window, field).trim() == text {
                return true;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        false
    }

    /// The whole text of `field` in `window`: select all, copy, and read
    /// the clipboard.
    #[must_use]
    pub fn text(&self, window: Window, field: Field) -> String {
        self.focus(window, field);
        self.act("xdotool", &["key", "--clearmodifiers", "ctrl+a", "ctrl+c"]);
        std::thread::sleep(Duration::from_millis(500));
        self.run("xclip", &["-o", "-selection", "clipboard"])
    }

    /// Activates `window` and puts the keyboard in `field`.
    fn focus(&self, window: Window, field: Field) {
        let w = window.to_string();
        self.act("xdotool", &["windowactivate", "--sync", &w]);
        std::thread::sleep(Duration::from_millis(500));
        if field == Field::PageField {
            // Below the browser's toolbars (about 100 pixels).
            self.act("xdotool", &["mousemove", "--window", &w, "100", "200", "click", "1"]);
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Saves a picture of the screen (for a failing test's report).
    pub fn screenshot(&self, png: &std::path::Path) {
        let png = png.to_string_lossy();
        self.act("import", &["-window", "root", &png]);
    }

    /// The words on the screen, read by OCR (`tesseract`, language `lang`
    /// such as `fra`), one string for the whole screen.
    #[must_use]
    pub fn read_screen(&self, lang: &str, png: &std::path::Path) -> String {
        self.screenshot(png);
        let out = Command::new("tesseract")
            .arg(png)
            .args(["stdout", "-l", lang])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("tesseract: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts noting every window that appears, every 100 ms, until the
    /// watch is stopped.
    #[must_use]
    pub fn watch(&self) -> WindowWatch {
        let access = self.access.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let now = on_screen(&access);
                    let mut s = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    s.extend(now.into_iter().map(|(_, seen)| seen));
                    drop(s);
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        WindowWatch {
            stop,
            seen,
            thread: Some(thread),
        }
    }
}

/// Windows noted while a log off ran.
pub struct WindowWatch {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<BTreeSet<Seen>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WindowWatch {
    /// Stops watching; every window seen.
    #[must_use]
    pub fn stop(mut self) -> BTreeSet<Seen> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for WindowWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Every viewable window with a title or a class, frames looked into
/// (none when the display cannot be reached).
fn on_screen(access: &DisplayAccess) -> Vec<(Window, Seen)> {
    let Ok(conn) = access.connect() else {
        return Vec::new();
    };
    let root = conn.setup().roots[0].root;
    let mut out = Vec::new();
    collect(&conn, root, 0, &mut out);
    out
}

fn text(conn: &RustConnection, w: Window, prop: AtomEnum) -> String {
    conn.get_property(false, w, prop, AtomEnum::ANY, 0, 256)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| String::from_utf8_lossy(&r.value).into_owned())
        .unwrap_or_default()
}

fn net_wm_name(conn: &RustConnection, w: Window) -> String {
    let atom = |name: &[u8]| {
        conn.intern_atom(false, name)
            .ok()
            .and_then(|c| c.reply().ok())
            .map_or(0, |r| r.atom)
    };
    let (name, utf8) = (atom(b"_NET_WM_NAME"), atom(b"UTF8_STRING"));
    conn.get_property(false, w, name, utf8, 0, 256)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| String::from_utf8_lossy(&r.value).into_owned())
        .unwrap_or_default()
}

fn collect(conn: &RustConnection, w: Window, depth: u32, out: &mut Vec<(Window, Seen)>) {
    let Some(tree) = conn.query_tree(w).ok().and_then(|c| c.reply().ok()) else {
        return;
    };
    for child in tree.children {
        let viewable = conn
            .get_window_attributes(child)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == MapState::VIEWABLE);
        if !viewable {
            continue;
        }
        let mut title = net_wm_name(conn, child);
        if title.is_empty() {
            title = text(conn, child, AtomEnum::WM_NAME);
        }
        let class = text(conn, child, AtomEnum::WM_CLASS)
            .split('\0')
            .filter(|s| !s.is_empty())
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if !title.is_empty() || !class.is_empty() {
            out.push((child, Seen { class, title }));
        }
        if depth < 3 {
            collect(conn, child, depth + 1, out);
        }
    }
}
