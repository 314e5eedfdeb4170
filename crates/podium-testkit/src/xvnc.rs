//! A bare TigerVNC display for tests of Podium's X11 code: an Xvnc started
//! as Podium's sessions start theirs (as root, with its own cookie and VNC
//! socket, no TCP), without a session around it.

use crate::system::wait_until;
use podium_x11::DisplayAccess;
use podium_x11::xauth::{self, Cookie};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use x11rb::rust_connection::RustConnection;

/// The display's size when it starts.
pub const WIDTH: u16 = 1280;
/// The display's size when it starts.
pub const HEIGHT: u16 = 800;

/// A TigerVNC display of our own, stopped when dropped.
pub struct Display {
    xvnc: Child,
    /// Its directory: X authority file, VNC socket, log.
    pub dir: PathBuf,
    /// How Podium's code reaches it.
    pub access: DisplayAccess,
    clients: Vec<Child>,
}

impl Display {
    /// Starts Xvnc as Podium's sessions do (`-AllowOverride` included
    /// unless `allow_override` is false).
    #[must_use]
    pub fn start(allow_override: bool) -> Display {
        Display::start_with(allow_override, &[])
    }

    /// Starts Xvnc as [`Display::start`] does, with more arguments (such as
    /// `-extension MIT-SHM`, to turn an extension off).
    #[must_use]
    pub fn start_with(allow_override: bool, extra: &[&str]) -> Display {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "podium-x11-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("test directory");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let cookie = Cookie::generate().expect("cookie");
        let host = nix::unistd::gethostname().expect("hostname");
        let contents = xauth::file_contents(&host.to_string_lossy(), "", &cookie);
        std::fs::write(dir.join("xauth"), contents).expect("xauth file");
        let mut args: Vec<String> = [
            "-displayfd",
            "1",
            "-geometry",
            &format!("{WIDTH}x{HEIGHT}"),
            "-depth",
            "24",
            "-nolisten",
            "tcp",
            "-auth",
            &dir.join("xauth").to_string_lossy(),
            "-rfbport",
            "-1",
            "-rfbunixpath",
            &dir.join("vnc.sock").to_string_lossy(),
            "-SecurityTypes",
            "None",
            "-AlwaysShared",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        if allow_override {
            args.extend([
                "-AllowOverride".to_owned(),
                podium_host::display::ALLOW_OVERRIDE.to_owned(),
            ]);
        }
        let mut xvnc = Command::new("Xvnc")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("xvnc.log")).expect("log file"))
            .spawn()
            .expect("Xvnc (TigerVNC) is installed");
        let mut line = String::new();
        BufReader::new(xvnc.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("Xvnc tells its display number");
        let display: u32 = line.trim().parse().expect("a display number");
        let access = DisplayAccess {
            display,
            cookie,
            server_uid: nix::unistd::getuid().as_raw(),
            server_pid: i32::try_from(xvnc.id()).expect("pid"),
        };
        wait_until(Duration::from_secs(5), "the VNC socket exists", || {
            dir.join("vnc.sock").exists()
        });
        Display {
            xvnc,
            dir,
            access,
            clients: Vec::new(),
        }
    }

    /// A new X connection to it, with its cookie.
    #[must_use]
    pub fn conn(&self) -> RustConnection {
        self.access.connect().expect("connects to the display")
    }

    /// Runs an X program on the display, killed with the display.
    pub fn client(&mut self, program: &str, args: &[&str]) {
        let child = self.command(program, args).spawn().expect("X client starts");
        self.clients.push(child);
    }

    /// Runs an X program on the display to its end.
    pub fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program, args).output().expect("X program runs");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A command for an X program on the display.
    #[must_use]
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env("DISPLAY", self.access.name())
            .env("XAUTHORITY", self.dir.join("xauth"))
            .env("PS1", "$ ")
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    }

    /// The VNC socket viewers connect to.
    #[must_use]
    pub fn vnc_socket(&self) -> PathBuf {
        self.dir.join("vnc.sock")
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        for c in &mut self.clients {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.xvnc.kill();
        let _ = self.xvnc.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
