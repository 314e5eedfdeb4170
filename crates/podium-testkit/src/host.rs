//! A real Podium daemon for one test, and the CLI to talk to it.

use crate::cli::Cli;
use crate::system::{TEST_PAM_SERVICE, TestUser, ensure_host_setup, wait_until};
use podium_core::SessionList;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A daemon started for one test, with its own directory, socket, state
/// and cgroup subtree. Dropping it logs every session off, stops the
/// daemon and removes what it made.
#[derive(Debug)]
pub struct Kit {
    /// The `podium` binary under test, where every user can run it
    /// ([`crate::bins::reachable`]).
    pub podium: PathBuf,
    /// The build's directory, where the other test programs are.
    build_dir: PathBuf,
    /// The test's directory (socket, state, runtime files, scripts).
    pub dir: PathBuf,
    /// The control socket.
    pub socket: PathBuf,
    /// The config file.
    pub config_path: PathBuf,
    /// Name of the cgroup subtree under the cgroup v2 root (or under
    /// [`Kit::delegated`]).
    pub cgroup_name: String,
    /// The cgroup the daemon starts in when it plays a systemd service with
    /// `Delegate=yes` (see [`Kit::start_delegated`]).
    pub delegated: Option<PathBuf>,
    /// The cgroup of its own a benchmark's daemon (and its workers) runs
    /// in, so their CPU is counted apart (see [`Kit::start_measured`]).
    measured: Option<PathBuf>,
    /// The HTTPS address.
    pub https: std::net::SocketAddr,
    /// The words that run the daemon in a host's network namespace
    /// (`nsenter --net=…`), for several hosts on one machine.
    netns: Vec<String>,
    daemon: Option<Child>,
}

/// Where a kit's daemon starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// In the test's own cgroup.
    Inherited,
    /// In a cgroup systemd would delegate to `podium.service`.
    Delegated,
    /// In a plain cgroup of its own, for counting its CPU.
    Measured,
}

/// A loopback address with a port nobody listens on right now.
#[must_use]
pub fn free_port() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address")
}

/// `DIR/daemon.log`, opened to append what a daemon started there prints.
pub(crate) fn daemon_log(dir: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("daemon.log"))
        .expect("the daemon's log file")
}

/// The cgroup v2 mount point.
#[must_use]
pub fn cgroup2_root() -> PathBuf {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .find_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            if right.starts_with("cgroup2 ") {
                left.split(' ').nth(4).map(PathBuf::from)
            } else {
                None
            }
        })
        .expect("cgroup v2 is mounted")
}

impl Kit {
    /// A daemon with the default test configuration.
    #[must_use]
    pub fn start(podium: &str) -> Kit {
        Kit::start_with(podium, "")
    }

    /// A daemon whose `[session]` section also holds `session_toml`.
    #[must_use]
    pub fn start_with(podium: &str, session_toml: &str) -> Kit {
        Kit::start_in(podium, session_toml, "", "", Placement::Inherited, None)
    }

    /// A daemon whose `[web]` section also holds `web_toml`.
    #[must_use]
    pub fn start_with_web(podium: &str, web_toml: &str) -> Kit {
        Kit::start_in(podium, "", web_toml, "", Placement::Inherited, None)
    }

    /// A daemon for a benchmark: in a cgroup of its own, which its session
    /// workers and their helpers share, so [`Kit::daemon_cgroup`] counts
    /// their CPU apart from everything else on the machine; `sections` is
    /// more configuration (`[thumbnails]` …).
    #[must_use]
    pub fn start_measured(podium: &str, sections: &str) -> Kit {
        Kit::start_in(podium, "", "", sections, Placement::Measured, None)
    }

    /// A benchmark's daemon ([`Kit::start_measured`]) whose `[session]`
    /// section also holds `session_toml` (real desktops: [`crate::desktop::XFCE`]).
    #[must_use]
    pub fn start_measured_with(podium: &str, session_toml: &str, sections: &str) -> Kit {
        Kit::start_in(podium, session_toml, "", sections, Placement::Measured, None)
    }

    /// A daemon started as systemd starts `podium.service` with
    /// `Delegate=yes`: in a cgroup of its own (`<v2>/<cgroup_name>.slice/
    /// podium.service`) marked with the `trusted.delegate` attribute.
    #[must_use]
    pub fn start_delegated(podium: &str) -> Kit {
        Kit::start_in(podium, "", "", "", Placement::Delegated, None)
    }

    /// A daemon of a school's several hosts: run in `net`'s namespace,
    /// listening for HTTPS on its address, with `sections` (`[cluster]` …).
    #[must_use]
    pub fn start_on_host(podium: &str, net: &crate::cluster::HostNet, sections: &str) -> Kit {
        Kit::start_in_net(podium, net, sections, Placement::Inherited)
    }

    /// A daemon of a school's several hosts, as [`Kit::start_on_host`],
    /// in a cgroup of its own as [`Kit::start_measured`]: a benchmark
    /// counts the CPU of that host's daemon and workers.
    #[must_use]
    pub fn start_measured_on_host(podium: &str, net: &crate::cluster::HostNet, sections: &str) -> Kit {
        Kit::start_in_net(podium, net, sections, Placement::Measured)
    }

    /// A daemon in `net`'s namespace, listening for HTTPS on its address.
    fn start_in_net(podium: &str, net: &crate::cluster::HostNet, sections: &str, placement: Placement) -> Kit {
        let https = std::net::SocketAddr::from((net.address(), 8443));
        Kit::start_in(podium, "", "", sections, placement, Some((https, net.exec_prefix())))
    }

    fn start_in(
        podium: &str,
        session_toml: &str,
        web_toml: &str,
        sections: &str,
        placement: Placement,
        on_host: Option<(std::net::SocketAddr, Vec<String>)>,
    ) -> Kit {
        ensure_host_setup();
        static N: AtomicU32 = AtomicU32::new(0);
        let tag = format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let dir = PathBuf::from(format!("/tmp/podium-test-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("test dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod test dir");
        let cgroup_name = format!("podium-test-{tag}");
        let config_path = dir.join("podium.toml");
        let socket = dir.join("podium.sock");
        let (https, netns) = on_host.unwrap_or_else(|| (free_port(), Vec::new()));
        let sets_command = session_toml.lines().any(|l| l.trim_start().starts_with("command"));
        let default_command = if sets_command { "" } else { "command = \"xclock\"\n" };
        let config = format!(
            "[server]\nsocket = \"{}\"\nstate_dir = \"{}\"\nrun_dir = \"{}\"\n\n[web]\nlisten = \"{https}\"\n{web_toml}\n[session]\ncgroup = \"{cgroup_name}\"\npam_service = \"{TEST_PAM_SERVICE}\"\n{default_command}{session_toml}\n{sections}",
            socket.display(),
            dir.join("state").display(),
            dir.join("run").display(),
        );
        std::fs::write(&config_path, config).expect("write config");
        let own_cgroup = |path: PathBuf| {
            std::fs::create_dir_all(&path).expect("the daemon's own cgroup");
            path
        };
        let measured = (placement == Placement::Measured)
            .then(|| own_cgroup(cgroup2_root().join(format!("{cgroup_name}-daemon"))));
        let delegated = (placement == Placement::Delegated).then(|| {
            let service = cgroup2_root()
                .join(format!("{cgroup_name}.slice"))
                .join("podium.service");
            std::fs::create_dir_all(&service).expect("the service's cgroup");
            podium_sys::xattr::set(&service, "trusted.delegate", b"1").expect("mark it delegated");
            service
        });
        let built = PathBuf::from(podium);
        let mut kit = Kit {
            podium: crate::bins::reachable(&built),
            build_dir: built.parent().map(Path::to_path_buf).unwrap_or_default(),
            dir,
            socket,
            config_path,
            cgroup_name,
            delegated,
            measured,
            https,
            netns,
            daemon: None,
        };
        kit.start_daemon();
        kit
    }

    /// Starts (or restarts) the daemon and waits until it answers.
    pub fn start_daemon(&mut self) {
        let log = daemon_log(&self.dir);
        let err = log.try_clone().expect("log");
        let mut command = match self.delegated.as_ref().or(self.measured.as_ref()) {
            // As systemd does: the service's processes start in its cgroup.
            // (in its host's network namespace, if it has one).
            Some(service) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg("echo $$ > \"$0/cgroup.procs\" && exec \"$@\"")
                    .arg(service)
                    .args(&self.netns)
                    .arg(&self.podium);
                c
            }
            None if !self.netns.is_empty() => {
                let mut c = Command::new(&self.netns[0]);
                c.args(&self.netns[1..]).arg(&self.podium);
                c
            }
            None => Command::new(&self.podium),
        };
        let child = command
            .args(["serve", "--config"])
            .arg(&self.config_path)
            .env("PODIUM_LOG", "info,podium_host=debug,podium_cluster=debug")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .expect("start podium serve");
        self.daemon = Some(child);
        wait_until(Duration::from_secs(15), "the daemon answers", || {
            self.cli().args(["session", "list", "--json"]).run().code == 0
                && std::net::TcpStream::connect(self.https).is_ok()
        });
    }

    /// The daemon's pid.
    #[must_use]
    pub fn daemon_pid(&self) -> i32 {
        self.daemon.as_ref().map_or(0, |c| i32::try_from(c.id()).unwrap_or(0))
    }

    /// `kill -9` of the daemon; sessions keep running.
    pub fn kill_daemon(&mut self) {
        if let Some(mut c) = self.daemon.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A CLI run against this daemon (as root unless [`Cli::as_user`]).
    #[must_use]
    pub fn cli(&self) -> Cli<'_> {
        Cli::new(&self.podium, &self.socket)
    }

    /// Starts a session for `user` as root; returns its id.
    #[must_use]
    pub fn start_session(&self, user: &TestUser, command: Option<&str>) -> u32 {
        let mut args = vec!["session".to_owned(), "start".into(), user.name.clone()];
        if let Some(c) = command {
            args.push("--command".into());
            args.push(c.into());
        }
        let out = self.cli().args(args).run();
        assert_eq!(
            out.code,
            0,
            "session start failed: {}{}\n{}",
            out.stdout,
            out.stderr,
            self.log_tail()
        );
        out.stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("session start printed {:?}", out.stdout))
    }

    /// The sessions, as root sees them.
    #[must_use]
    pub fn sessions(&self) -> SessionList {
        let out = self.cli().args(["session", "list", "--json"]).run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        serde_json::from_str(&out.stdout).expect("session list --json parses")
    }

    /// Whether the daemon nests its cgroups in [`Kit::delegated`]: only
    /// where that cgroup does not offer the v2 pids controller (on hybrid
    /// hosts pids is on cgroup v1); elsewhere they stay under the root.
    #[must_use]
    pub fn nests_in_delegated(&self) -> bool {
        self.delegated
            .as_ref()
            .is_some_and(|d| !podium_host::cgroup::offers_pids(d))
    }

    /// The cgroup directory that holds the sessions.
    #[must_use]
    pub fn sessions_cgroup_dir(&self) -> PathBuf {
        match &self.delegated {
            Some(d) if self.nests_in_delegated() => d.join(&self.cgroup_name),
            _ => cgroup2_root().join(&self.cgroup_name),
        }
    }

    /// The cgroup of session `id`, as `/proc/<pid>/cgroup` shows it.
    #[must_use]
    pub fn session_cgroup(&self, id: u32) -> String {
        let dir = self.session_cgroup_dir(id);
        let rel = dir.strip_prefix(cgroup2_root()).unwrap_or(&dir);
        format!("/{}", rel.display())
    }

    /// The cgroup directory of session `id`.
    #[must_use]
    pub fn session_cgroup_dir(&self, id: u32) -> PathBuf {
        self.sessions_cgroup_dir().join(format!("session-{id}"))
    }

    /// The cgroup the daemon and its workers run in (a benchmark's kit,
    /// [`Kit::start_measured`]; elsewhere the test's own).
    ///
    /// # Panics
    /// When the kit was not started with [`Kit::start_measured`].
    #[must_use]
    pub fn daemon_cgroup(&self) -> PathBuf {
        self.measured
            .clone()
            .expect("a daemon started with Kit::start_measured")
    }

    /// The cgroup of session `id`'s display server (Xvnc, alone).
    #[must_use]
    pub fn display_cgroup(&self, id: u32) -> PathBuf {
        self.session_cgroup_dir(id).join("display")
    }

    /// Session `id`'s display, e.g. `:3`.
    #[must_use]
    pub fn display_of(&self, id: u32) -> String {
        self.sessions()
            .sessions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.display.clone())
            .expect("the session is listed")
    }

    /// How root reaches session `id`'s display as an X client: its cookie
    /// and its Xvnc, as the daemon's thumbnails and notices reach it.
    #[must_use]
    pub fn display_access(&self, id: u32, user: &TestUser) -> podium_x11::DisplayAccess {
        let cookie = podium_x11::xauth::read_cookie(&self.session_run_dir(id).join("display/xauth"))
            .expect("the session's cookie");
        let xvnc = crate::procfs::in_cgroup(&format!("{}/display", self.session_cgroup(id)));
        podium_x11::DisplayAccess {
            display: self
                .display_of(id)
                .trim_start_matches(':')
                .parse()
                .expect("a display number"),
            cookie,
            server_uid: user.uid,
            server_pid: xvnc.first().expect("Xvnc runs").pid,
        }
    }

    /// The runtime directory of session `id`.
    #[must_use]
    pub fn session_run_dir(&self, id: u32) -> PathBuf {
        self.dir.join("run").join(format!("session-{id}"))
    }

    /// Writes an executable shell script into the test directory.
    #[must_use]
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod script");
        path
    }

    /// The test X client binary (built with the workspace), where the
    /// sessions' users can run it.
    #[must_use]
    pub fn test_client(&self) -> PathBuf {
        crate::bins::reachable(&self.build_dir.join("podium-test-client"))
    }

    /// The daemon's log so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("daemon.log")).unwrap_or_default()
    }

    /// The last lines of the daemon's log, for assertion messages.
    #[must_use]
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Path of a file in the test directory.
    #[must_use]
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Kit {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- daemon log ({}) ---\n{}", self.dir.display(), self.log_tail());
        }
        if self.daemon.is_none() {
            self.start_daemon_quietly();
        }
        let _ = self
            .cli()
            .args(["session", "logoff", "--all", "--grace", "0", "--yes"])
            .run();
        if let Some(mut c) = self.daemon.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(i32::try_from(c.id()).unwrap_or(0)),
                nix::sys::signal::Signal::SIGTERM,
            );
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir(self.sessions_cgroup_dir());
        if let Some(service) = &self.delegated {
            // Workers of the last sessions may still be leaving the leaf.
            let leaf = service.join(podium_host::cgroup::DAEMON_LEAF);
            for _ in 0..50 {
                if std::fs::remove_dir(&leaf).is_ok() || !leaf.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = std::fs::remove_dir(service);
            let _ = service.parent().map(std::fs::remove_dir);
        }
        if let Some(own) = &self.measured {
            // Workers of the last sessions may still be leaving.
            for _ in 0..50 {
                if std::fs::remove_dir(own).is_ok() || !own.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = std::fs::remove_dir(Path::new("/sys/fs/cgroup/pids").join(&self.cgroup_name));
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Kit {
    fn start_daemon_quietly(&mut self) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.start_daemon()));
        if result.is_err() {
            eprintln!("could not restart the daemon to clean up");
        }
    }
}
