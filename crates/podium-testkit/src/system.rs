//! The machine-wide set-up tests need, and test users.

use podium_core::Role;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The PAM service tests use: the system stack plus a `pam_exec` line that
/// leaves a marker per user, so tests can see open and close happen.
pub const TEST_PAM_SERVICE: &str = "podium-test";
/// Where the marker lines go: one file per user.
pub const PAM_MARKER_DIR: &str = "/var/tmp/podium-pam-markers";
const MARKER_SCRIPT: &str = "/usr/local/sbin/podium-test-pam-marker";

/// Runs a command; panics with its output when it fails.
pub fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Once per test process: groups, the test PAM service and its marker script.
pub fn ensure_host_setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        assert!(
            nix::unistd::geteuid().is_root(),
            "Podium's end-to-end tests run as root (they create users and sessions)"
        );
        for g in ["podium-admin", "podium-dashboard", "podium-deny"] {
            run("groupadd", &["-f", g]);
        }
        std::fs::create_dir_all(PAM_MARKER_DIR).expect("marker dir");
        let script = "#!/bin/sh\necho \"$PAM_TYPE\" >> /var/tmp/podium-pam-markers/\"$PAM_USER\"\n";
        write_if_changed(Path::new(MARKER_SCRIPT), script, 0o755);
        // The shipped service, plus a marker for each password check (first,
        // so failed checks are recorded too) and each PAM session call.
        let pam = format!(
            "auth optional pam_exec.so quiet {MARKER_SCRIPT}\n{}session optional pam_exec.so quiet {MARKER_SCRIPT}\n",
            include_str!("../../../dist/pam/podium")
        );
        write_if_changed(&Path::new("/etc/pam.d").join(TEST_PAM_SERVICE), &pam, 0o644);
    });
}

fn write_if_changed(path: &Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        let tmp = path.with_extension(format!("podium-tmp-{}", std::process::id()));
        std::fs::write(&tmp, text).expect("write set-up file");
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).expect("chmod");
        std::fs::rename(&tmp, path).expect("install set-up file");
    }
}

/// A Unix user made for one test, removed (with its home) when dropped.
#[derive(Debug)]
pub struct TestUser {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Home directory.
    pub home: PathBuf,
    /// Password, for PAM logins.
    pub password: String,
    /// Full name.
    pub full_name: String,
}

impl TestUser {
    /// Makes a user with a home, a password, a full name, an extra group
    /// (`podium-t-extra`, to check supplementary groups) and the groups of `role`.
    #[must_use]
    pub fn create(role: Role) -> TestUser {
        Self::create_with(role, true)
    }

    /// Like [`TestUser::create`], with a given full name (for screenshots).
    #[must_use]
    pub fn create_named(role: Role, full_name: &str) -> TestUser {
        let mut u = Self::create_with(role, true);
        run("usermod", &["-c", full_name, &u.name]);
        u.full_name = full_name.to_owned();
        u
    }

    /// Like [`TestUser::create`], with a uid no earlier user left a trace
    /// of (no account, no runtime directory, no process, no X socket), so
    /// a count of what sessions leave behind starts from nothing.
    #[must_use]
    pub fn create_fresh(role: Role) -> TestUser {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = 30_000 + (std::process::id() % 500) * 40;
        // Another test process may take the uid between the look and
        // useradd (its own useradd picks the next free one): then the next.
        (0..20_000)
            .map(|i| base + (NEXT.fetch_add(1, Ordering::SeqCst) + i) % 20_000)
            .filter(|&uid| uid_untouched(uid))
            .find_map(|uid| Self::try_create_as(role, true, Some(uid)))
            .expect("a uid nobody used")
    }

    /// Like [`TestUser::create`]; `with_home` false leaves the home missing.
    #[must_use]
    pub fn create_with(role: Role, with_home: bool) -> TestUser {
        Self::create_as(role, with_home, None)
    }

    fn create_as(role: Role, with_home: bool, uid: Option<u32>) -> TestUser {
        Self::try_create_as(role, with_home, uid).unwrap_or_else(|| panic!("uid {uid:?} is taken"))
    }

    /// The user, or `None` when `uid` was given and useradd found it taken.
    fn try_create_as(role: Role, with_home: bool, uid: Option<u32>) -> Option<TestUser> {
        ensure_host_setup();
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "pt{}x{}",
            std::process::id() % 100_000,
            N.fetch_add(1, Ordering::SeqCst)
        );
        let full_name = format!("Test {} {}", role.as_str(), name);
        run("groupadd", &["-f", "podium-t-extra"]);
        let mut groups = vec!["podium-t-extra"];
        match role {
            Role::Admin => groups.push("podium-admin"),
            Role::Dashboard => groups.push("podium-dashboard"),
            Role::Standard => {}
        }
        let groups = groups.join(",");
        let home_flag = if with_home { "-m" } else { "-M" };
        let uid_flag = uid.map(|u| u.to_string());
        let mut args = vec![home_flag, "-s", "/bin/sh", "-c", &full_name, "-G", &groups];
        if let Some(u) = &uid_flag {
            args.extend(["-u", u.as_str()]);
        }
        args.push(&name);
        let out = Command::new("useradd")
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run useradd: {e}"));
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            if uid.is_some() && why.contains("is not unique") {
                return None;
            }
            panic!("useradd {args:?} failed: {why}");
        }
        let password = format!("pw-{name}-Secret1");
        let mut child = Command::new("chpasswd")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("chpasswd");
        if let Some(stdin) = child.stdin.as_mut() {
            use std::io::Write;
            writeln!(stdin, "{name}:{password}").expect("write to chpasswd");
        }
        assert!(child.wait().expect("chpasswd").success());
        let user = nix::unistd::User::from_name(&name)
            .expect("getpwnam")
            .expect("user just made");
        let _ = std::fs::remove_file(Path::new(PAM_MARKER_DIR).join(&name));
        Some(TestUser {
            name,
            uid: user.uid.as_raw(),
            gid: user.gid.as_raw(),
            home: user.dir,
            password,
            full_name,
        })
    }

    /// What PAM recorded for this user's sessions (`open_session`, `close_session`).
    #[must_use]
    pub fn pam_markers(&self) -> Vec<String> {
        self.all_pam_markers()
            .into_iter()
            .filter(|m| m.ends_with("_session"))
            .collect()
    }

    /// How many times PAM was asked to check this user's password.
    #[must_use]
    pub fn pam_auth_calls(&self) -> usize {
        self.all_pam_markers().iter().filter(|m| *m == "auth").count()
    }

    fn all_pam_markers(&self) -> Vec<String> {
        std::fs::read_to_string(Path::new(PAM_MARKER_DIR).join(&self.name))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Adds the user to a group.
    pub fn join(&self, group: &str) {
        run("gpasswd", &["-a", &self.name, group]);
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        // Wait until the user's sessions are really gone (their runtime
        // directory too) before the uid is freed for the next test user.
        let runtime = PathBuf::from(format!("/run/user/{}", self.uid));
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let _ = Command::new("pkill")
                .args(["-KILL", "-U", &self.uid.to_string()])
                .status();
            if (crate::procfs::of_user(self.uid).is_empty() && !runtime.exists()) || Instant::now() > until {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::fs::remove_dir_all(&runtime);
        let _ = Command::new("userdel").args(["-f", "-r", &self.name]).output();
        let _ = std::fs::remove_file(Path::new(PAM_MARKER_DIR).join(&self.name));
    }
}

/// Whether nothing on the host belongs to `uid`: no account, no runtime
/// directory, no process, no X server socket.
fn uid_untouched(uid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).is_ok_and(|u| u.is_none())
        && !Path::new(&format!("/run/user/{uid}")).exists()
        && crate::procfs::of_user(uid).is_empty()
        && std::fs::read_dir("/tmp/.X11-unix").map_or(true, |d| {
            d.filter_map(Result::ok)
                .all(|e| e.metadata().map_or(true, |m| m.uid() != uid))
        })
}

/// Polls `check` every 50 ms until it holds; panics naming `what` after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + timeout;
    while !check() {
        assert!(
            Instant::now() < until,
            "timed out after {timeout:?} waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `pid`'s process exists and is not a zombie.
#[must_use]
pub fn alive(pid: i32) -> bool {
    crate::procfs::Proc::read(pid).is_some_and(|p| p.state != 'Z')
}

/// Pause helper for readability in tests.
pub fn sleep(d: Duration) {
    std::thread::sleep(d);
}
