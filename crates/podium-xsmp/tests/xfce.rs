//! The client against a real Xfce desktop: a Unix user of its own, a
//! TigerVNC display, `/etc/X11/Xsession` starting Xfce as a display
//! manager would, then a log-out through xfce4-session's XSMP socket.
//! The desktop's programs must be gone within 10 s and no log-out dialog
//! may ever have been on the screen (a window is looked for every 100 ms).
//!
//! Runs as root: it creates the user, and removes it and everything it
//! ran at the end, also when it fails.

use podium_xsmp::{Client, IceSocket, LogoutOutcome, XsmpError, cookies_for};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The desktop's programs that must end with the session.
const DESKTOP: [&str; 4] = ["xfce4-session", "xfwm4", "xfce4-panel", "xfdesktop"];
/// Words in the titles of a log-out dialog (xfce4-session's has its
/// program's name as title, "Log out NAME" inside).
const DIALOG_WORDS: [&str; 5] = ["xfce4-session", "log out", "logout", "déconnexion", "abmelden"];

/// A test user with a desktop; everything of it goes when dropped.
struct Desktop {
    user: String,
    uid: u32,
    home: PathBuf,
    display: u32,
    /// The `runuser` processes that started Xvnc and the session.
    started: Vec<Child>,
}

impl Desktop {
    /// Creates the user, starts its display and its Xfce session.
    fn start() -> Desktop {
        assert!(
            nix::unistd::geteuid().is_root(),
            "this test creates a user: run it as root"
        );
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let user = format!("xsmpt{}x{}", std::process::id() % 100_000, nanos % 1_000_000);
        run("useradd", &["-m", "-s", "/bin/sh", &user]);
        let pw = nix::unistd::User::from_name(&user)
            .expect("getpwnam")
            .expect("the user just made");
        let mut desktop = Desktop {
            user,
            uid: pw.uid.as_raw(),
            home: pw.dir,
            display: 0,
            started: Vec::new(),
        };
        desktop.display = desktop.start_display();
        let session = format!("DISPLAY=:{} exec /etc/X11/Xsession startxfce4", desktop.display);
        let runuser = Command::new("runuser")
            .args(["-l", &desktop.user, "-c", &session])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("runuser starts the session");
        desktop.started.push(runuser);
        desktop
    }

    /// Starts Xvnc as the user on the first free display from :60.
    fn start_display(&mut self) -> u32 {
        for n in 60..160 {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let mut xvnc = Command::new("runuser")
                .args(["-u", &self.user, "--", "Xvnc", &display])
                .args([
                    "-SecurityTypes",
                    "None",
                    "-rfbport",
                    "-1",
                    "-localhost",
                    "-geometry",
                    "1280x800",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("runuser starts Xvnc");
            let until = Instant::now() + Duration::from_secs(10);
            while Instant::now() < until && xvnc.try_wait().expect("Xvnc's status").is_none() {
                if owned_by(&format!("/tmp/.X11-unix/X{n}"), self.uid) {
                    self.started.push(xvnc);
                    return n;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // Another server took the number meanwhile, or this one hangs.
            let _ = xvnc.kill();
            let _ = xvnc.wait();
        }
        panic!("no free display for Xvnc");
    }

    /// The pid of the user's process named `name`, once there is one.
    fn wait_for_process(&self, name: &str) -> i32 {
        let mut found = None;
        self.wait_until(Duration::from_secs(60), &format!("{name} runs"), || {
            found = processes(self.uid).into_iter().find(|(_, n)| n == name).map(|(p, _)| p);
            found.is_some()
        });
        found.unwrap_or_default()
    }

    /// Polls `check` every 50 ms; fails after `timeout` with the session's log.
    fn wait_until(&self, timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
        let until = Instant::now() + timeout;
        while !check() {
            if Instant::now() > until {
                let log = std::fs::read_to_string(self.home.join(".xsession-errors")).unwrap_or_default();
                panic!("timed out after {timeout:?} waiting until {what}; ~/.xsession-errors:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// What an X client run on `display` prints.
fn x(display: u32, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .env("DISPLAY", format!(":{display}"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("the X client runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for Desktop {
    fn drop(&mut self) {
        // Everything of the user, the display included: asked first, so
        // Xvnc removes its socket and lock, then killed.
        let pkill = |signal: &str| {
            let _ = Command::new("pkill").args([signal, "-u", &self.user]).status();
        };
        pkill("-TERM");
        let started = Instant::now();
        while !processes(self.uid).is_empty() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
            if started.elapsed() > Duration::from_secs(2) {
                pkill("-KILL");
            }
        }
        for child in &mut self.started {
            // runuser ends with the program it started; kill it if not.
            if !poll_until(Duration::from_secs(2), || child.try_wait().is_ok_and(|s| s.is_some())) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = Command::new("userdel").args(["-f", "-r", &self.user]).output();
        let n = self.display;
        let mut leftovers = vec![format!("/tmp/.X11-unix/X{n}"), format!("/tmp/.X{n}-lock")];
        if let Ok(dir) = std::fs::read_dir("/tmp/.ICE-unix") {
            leftovers.extend(dir.flatten().map(|e| e.path().to_string_lossy().into_owned()));
        }
        for f in leftovers.iter().filter(|f| owned_by(f, self.uid)) {
            let _ = std::fs::remove_file(f);
        }
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn owned_by(path: &str, uid: u32) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.uid() == uid)
}

/// The live (not zombie) processes of `uid`: pid and name.
fn processes(uid: u32) -> Vec<(i32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| std::fs::metadata(format!("/proc/{pid}")).is_ok_and(|m| m.uid() == uid))
        .filter(|pid| alive(*pid))
        .filter_map(|pid| {
            Some((
                pid,
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .ok()?
                    .trim()
                    .to_owned(),
            ))
        })
        .collect()
}

/// Whether `pid` exists and is not a zombie.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}

/// The titles of the windows on the screen, and whether one of them is
/// xfce4-session's own, every 100 ms until stopped.
struct Watcher {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<(Duration, Vec<String>, bool)>>,
}

impl Watcher {
    fn start(desktop: &Desktop, manager: i32) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let display = desktop.display;
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut seen = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                let titles = x(
                    display,
                    "xdotool",
                    &["search", "--onlyvisible", "--name", ".", "getwindowname", "%@"],
                );
                let own = !x(
                    display,
                    "xdotool",
                    &["search", "--onlyvisible", "--pid", &manager.to_string()],
                )
                .trim()
                .is_empty();
                seen.push((started.elapsed(), titles.lines().map(str::to_owned).collect(), own));
                std::thread::sleep(Duration::from_millis(100));
            }
            seen
        });
        Watcher { stop, thread }
    }

    fn finish(self) -> Vec<(Duration, Vec<String>, bool)> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("the watcher")
    }
}

/// Registers on the abstract socket and asks for the log-out; asks again
/// while xfce4-session drops the request because it is still busy
/// starting the session. Returns the outcome (or the error), the last
/// registration's time, the moment of the last request, and how many
/// tries it took.
fn log_out(desktop: &Desktop, manager: i32) -> (Result<LogoutOutcome, XsmpError>, Duration, Instant, u32) {
    let pid = u32::try_from(manager).expect("a pid");
    let authority = std::fs::read(desktop.home.join(".ICEauthority")).expect("the ICE authority file");
    let cookies = cookies_for(&authority, pid, IceSocket::Abstract).expect("a readable authority file");
    let name = IceSocket::Abstract.address(pid);
    let addr = SocketAddr::from_abstract_name(name.trim_start_matches('@')).expect("an abstract name");
    let mut attempt = 1;
    loop {
        let stream = UnixStream::connect_addr(&addr).expect("connects to xfce4-session");
        let started = Instant::now();
        let client = Client::register(stream, &cookies, Duration::from_secs(5)).expect("registers");
        let registered = started.elapsed();
        let requested = Instant::now();
        match client.request_logout(Duration::from_secs(15)) {
            Err(XsmpError::Dropped) if alive(manager) && attempt < 30 => std::thread::sleep(Duration::from_secs(1)),
            result => return (result, registered, requested, attempt),
        }
        attempt += 1;
    }
}

#[test]
fn xfce_logs_out_without_a_dialog() {
    let desktop = Desktop::start();
    let manager = desktop.wait_for_process("xfce4-session");
    let pids: Vec<i32> = DESKTOP.iter().map(|p| desktop.wait_for_process(p)).collect();
    let pid = u32::try_from(manager).expect("a pid");
    desktop.wait_until(Duration::from_secs(30), "the ICE socket and its cookies exist", || {
        let authority = std::fs::read(desktop.home.join(".ICEauthority")).unwrap_or_default();
        let both = [IceSocket::Abstract, IceSocket::Path]
            .into_iter()
            .all(|s| cookies_for(&authority, pid, s).is_ok_and(|c| c.ice.is_some() && c.xsmp.is_some()));
        Path::new(&IceSocket::Path.address(pid)).exists() && both
    });
    desktop.wait_until(Duration::from_secs(30), "the panel is on the screen", || {
        x(
            desktop.display,
            "xdotool",
            &["search", "--onlyvisible", "--name", "xfce4-panel"],
        )
        .lines()
        .count()
            > 0
    });

    // The socket file has cookies of its own: registering there works too.
    let authority = std::fs::read(desktop.home.join(".ICEauthority")).expect("the ICE authority file");
    let on_path = cookies_for(&authority, pid, IceSocket::Path).expect("cookies");
    let stream = UnixStream::connect(IceSocket::Path.address(pid)).expect("connects to the socket file");
    drop(Client::register(stream, &on_path, Duration::from_secs(5)).expect("registers on the socket file"));

    let watcher = Watcher::start(&desktop, manager);
    std::thread::sleep(Duration::from_millis(500));
    let (outcome, registered, requested, attempts) = log_out(&desktop, manager);
    let mut ended = Vec::new();
    let all_ended = poll_until(Duration::from_secs(10), || {
        for (name, pid) in DESKTOP.iter().zip(&pids) {
            if !alive(*pid) && !ended.iter().any(|(n, _)| n == name) {
                ended.push((*name, requested.elapsed()));
            }
        }
        ended.len() == DESKTOP.len()
    });
    std::thread::sleep(Duration::from_millis(500));
    let seen = watcher.finish();

    println!(
        "registered in {registered:?}; {attempts} request(s); outcome {outcome:?}; exits after the request: {ended:?}"
    );
    assert!(
        seen.iter()
            .any(|(_, titles, _)| titles.iter().any(|t| t == "xfce4-panel")),
        "the watcher never saw the panel: it cannot see a dialog either"
    );
    for (at, titles, own) in &seen {
        let dialog = titles
            .iter()
            .find(|t| DIALOG_WORDS.iter().any(|w| t.to_lowercase().contains(w)));
        assert!(!own && dialog.is_none(), "a log-out dialog at {at:?}: {titles:?}");
    }
    assert!(
        matches!(outcome, Ok(LogoutOutcome::Died | LogoutOutcome::ManagerClosed)),
        "{outcome:?}"
    );
    assert!(all_ended, "still running 10 s after the request: only {ended:?} ended");
}

/// Polls `check` every 50 ms until it holds (true) or `timeout` passes (false).
fn poll_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + timeout;
    while !check() {
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}
