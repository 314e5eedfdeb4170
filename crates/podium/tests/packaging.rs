//! Packaging: `podium check-config`, the man pages and shell completions
//! made from the CLI, the systemd readiness notification, the maintainer
//! scripts, and the Debian package itself, installed and purged for real.
//!
//! How the package is built here: the test packages the `podium` binary this
//! test run has just built (target/debug), with the same script `make deb`
//! runs (`scripts/build-deb.sh`, with `--profile dev`). That takes seconds,
//! always tests the current code, and never compiles anything while other
//! tests run: building the release binary here would take minutes of both
//! CPUs, and `make test` building it first would slow every run for a check
//! that does not depend on optimisation. `make deb` packages the release
//! binary the same way.
//!
//! The install test changes the machine (/usr/bin/podium, /etc/pam.d/podium,
//! /etc/podium, /var/lib/podium), so `.config/nextest.toml` runs it alone.
//! It puts back what was there before: a purge removes /etc/pam.d/podium,
//! which `scripts/install-deps.sh` installed and `podium demo` uses.

use podium_core::Config;
use podium_testkit::Kit;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// What a command printed and returned.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(&self) -> bool {
        self.code == 0
    }
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn podium(args: &[&str]) -> Run {
    run(Command::new(PODIUM).args(args))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository")
}

/// A fresh directory for one test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("podium-packaging-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_config_accepts_the_shipped_file_and_prints_every_key() {
    let shipped = repo().join("dist/podium.toml");
    let out = podium(&["check-config", &shipped.to_string_lossy()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let effective = Config::parse(&out.stdout, "output").expect("the output is a valid config");
    assert_eq!(effective, Config::default(), "the shipped file only documents defaults");
    for line in [
        "grace_seconds = 10",
        "terminate_timeout_seconds = 5",
        "geometry = \"1280x800\"",
        "socket = \"/run/podium/podium.sock\"",
        "state_dir = \"/var/lib/podium\"",
        "listen = \"0.0.0.0:8443\"",
        "# plain_http is not set",
        "# cert is not set",
    ] {
        assert!(out.stdout.contains(line), "{line} in:\n{}", out.stdout);
    }
}

#[test]
fn check_config_names_the_file_line_and_key_of_a_mistake() {
    let dir = TempDir::new("check-config");
    let cases = [
        (
            "[session]\n\ngrace_seconds = 900\n",
            3,
            "session.grace_seconds: must be at most 600",
        ),
        (
            "[web]\nlisten = \"0.0.0.0:8443\"\nplain_http = \"0.0.0.0:80\"\n",
            3,
            "web.plain_http: must be a loopback",
        ),
        (
            "\n[session]\ngeometry = \"huge\"\n",
            3,
            "session.geometry: expected WIDTHxHEIGHT",
        ),
    ];
    for (i, (text, line, what)) in cases.into_iter().enumerate() {
        let file = dir.0.join(format!("broken-{i}.toml"));
        std::fs::write(&file, text).expect("write config");
        let out = podium(&["check-config", &file.to_string_lossy()]);
        assert_eq!(out.code, 1, "{text}: {}{}", out.stdout, out.stderr);
        let expected = format!("{}:{line}: {what}", file.display());
        assert!(out.stderr.contains(&expected), "{expected} in {:?}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
    }

    let missing = dir.0.join("missing.toml");
    let out = podium(&["check-config", &missing.to_string_lossy()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);

    let out = podium(&["check-config", "a.toml", "b.toml"]);
    assert_eq!(out.code, 2, "a usage error: {}", out.stderr);
    assert!(out.stderr.contains("Usage: podium check-config"), "{}", out.stderr);
}

/// What bash's completion of `words` (the last one being completed) offers,
/// using the script `podium completions bash` prints.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}' || exit 9; complete -p podium >/dev/null || exit 8; \
         COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
         _podium podium \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let out = run(Command::new("bash").args(["--norc", "--noprofile", "-c", &program]));
    assert!(out.ok(), "bash completion failed ({}): {}", out.code, out.stderr);
    out.stdout
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

fn check_bash_completion(script: &Path) {
    assert_eq!(bash_completes(script, &["podium", "session", "lo"]), ["logoff"]);
    assert_eq!(bash_completes(script, &["podium", "ses"]), ["session"]);
    assert_eq!(bash_completes(script, &["podium", "check"]), ["check-config"]);
    assert_eq!(
        bash_completes(script, &["podium", "session", "logoff", "--gr"]),
        ["--grace"]
    );
    let top = bash_completes(script, &["podium", ""]);
    for internal in ["session-worker", "auth-check", "manpages", "completions"] {
        assert!(!top.iter().any(|w| w == internal), "{internal} offered: {top:?}");
    }
}

#[test]
fn bash_completion_completes_subcommands_and_options() {
    let dir = TempDir::new("completions");
    let out = podium(&["completions", "bash"]);
    assert!(out.ok(), "{}", out.stderr);
    // As a user would load it: `source <(podium completions bash)`.
    let loaded = run(Command::new("bash").args([
        "--norc",
        "--noprofile",
        "-c",
        &format!("source <('{PODIUM}' completions bash); complete -p podium"),
    ]));
    assert!(loaded.ok(), "{}", loaded.stderr);
    assert!(loaded.stdout.contains("-F _podium"), "{}", loaded.stdout);
    let script = dir.0.join("podium.bash");
    std::fs::write(&script, &out.stdout).expect("write script");
    check_bash_completion(&script);

    for (shell, check) in [("zsh", "zsh"), ("fish", "fish")] {
        let out = podium(&["completions", shell]);
        assert!(out.ok(), "{shell}: {}", out.stderr);
        assert!(
            out.stdout.contains("logoff") && out.stdout.contains("check-config"),
            "{shell}"
        );
        assert!(
            !out.stdout.contains("session-worker"),
            "{shell} offers internal commands"
        );
        // Syntax-check it where the shell is installed.
        if Path::new("/usr/bin").join(check).exists() {
            let file = dir.0.join(format!("podium.{shell}"));
            std::fs::write(&file, &out.stdout).expect("write script");
            let checked = run(Command::new(check).arg("-n").arg(&file));
            assert!(checked.ok(), "{shell} -n: {}", checked.stderr);
        }
    }
    let out = podium(&["completions", "tcsh"]);
    assert_eq!(out.code, 2, "an unknown shell is a usage error");
}

/// Man's output without overstrike (bold is `c\bc`, underline `_\bc`).
fn plain(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

fn man_renders(page: &Path) -> String {
    let out = run(Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(page)
        .env("MANWIDTH", "200"));
    assert!(out.ok(), "man {}: {}", page.display(), out.stderr);
    assert!(
        !out.stderr.contains("warning"),
        "man {} warns: {}",
        page.display(),
        out.stderr
    );
    plain(&out.stdout)
}

#[test]
fn man_pages_are_made_from_the_cli_and_render() {
    let dir = TempDir::new("man");
    let out = podium(&["manpages", &dir.0.to_string_lossy()]);
    assert!(out.ok(), "{}", out.stderr);
    let session = man_renders(&dir.0.join("podium-session.1"));
    for word in ["podium-session", "logoff", "list", "start", "podium(1)"] {
        assert!(session.contains(word), "{word} in podium-session(1):\n{session}");
    }
    let main = man_renders(&dir.0.join("podium.1"));
    for word in [
        "check-config",
        "EXIT STATUS",
        "/etc/podium/podium.toml",
        "podium-dashboard",
    ] {
        assert!(main.contains(word), "{word} in podium(1):\n{main}");
    }
    let logoff = man_renders(&dir.0.join("podium-session-logoff.1"));
    assert!(logoff.contains("--grace"), "{logoff}");
    let config = man_renders(&dir.0.join("podium.toml.5"));
    for word in ["grace_seconds = 10", "plain_http", "[roles]", "check-config"] {
        assert!(config.contains(word), "{word} in podium.toml(5):\n{config}");
    }
    assert!(!dir.0.join("podium-session-worker.1").exists(), "no page for internals");
}

#[test]
fn serve_tells_systemd_when_it_is_ready_and_when_it_stops() {
    let mut kit = Kit::start(PODIUM);
    kit.kill_daemon();
    let name = format!("podium-test-notify-{}", std::process::id());
    let addr =
        <std::os::unix::net::SocketAddr as std::os::linux::net::SocketAddrExt>::from_abstract_name(name.as_bytes())
            .expect("address");
    let notify = UnixDatagram::bind_addr(&addr).expect("bind the notify socket");
    notify.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(kit.path("daemon.log"))
        .expect("log");
    let mut daemon = Command::new(PODIUM)
        .args(["serve", "--config"])
        .arg(&kit.config_path)
        .env("NOTIFY_SOCKET", format!("@{name}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start podium serve");

    let mut buf = [0u8; 512];
    let n = notify.recv(&mut buf).expect("READY=1 arrives");
    // Readiness means every listener is bound already.
    let unix = std::os::unix::net::UnixStream::connect(&kit.socket);
    let https = std::net::TcpStream::connect(kit.https);
    assert_eq!(String::from_utf8_lossy(&buf[..n]), "READY=1");
    assert!(unix.is_ok(), "the control socket answers at READY=1: {unix:?}");
    assert!(https.is_ok(), "HTTPS answers at READY=1: {https:?}");
    let out = kit.cli().args(["session", "list", "--json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);

    let pid = nix::unistd::Pid::from_raw(i32::try_from(daemon.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    let n = notify.recv(&mut buf).expect("STOPPING=1 arrives");
    assert_eq!(String::from_utf8_lossy(&buf[..n]), "STOPPING=1");
    let status = daemon.wait().expect("the daemon exits");
    assert!(status.success(), "{status:?}\n{}", kit.log_tail());
}

/// A directory of stand-ins for the commands the maintainer scripts run,
/// each logging its arguments, so the scripts can run without changing the
/// machine.
fn stub_commands(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("stub dir");
    let log = dir.join("calls.log");
    for (name, status) in [
        ("getent", 2),
        ("groupadd", 0),
        ("install", 0),
        ("systemctl", 0),
        ("rm", 0),
    ] {
        let path = bin.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"{name} $*\" >> '{}'\nexit {status}\n", log.display()),
        )
        .expect("write stub");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod stub");
    }
}

fn run_script(dir: &Path, script: &str, args: &[&str]) -> Vec<String> {
    let log = dir.join("calls.log");
    let _ = std::fs::remove_file(&log);
    let path = format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", dir.join("bin").display());
    let out = run(Command::new("sh")
        .arg(repo().join("dist/debian").join(script))
        .args(args)
        .env("PATH", path));
    assert!(out.ok(), "{script} {args:?}: {}{}", out.stdout, out.stderr);
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn maintainer_scripts_make_the_groups_and_touch_systemd_only_when_it_runs() {
    let dir = TempDir::new("scripts");
    stub_commands(&dir.0);
    let systemd = Path::new("/run/systemd/system").is_dir();

    // First installation: every group is missing (the stub getent says so).
    let calls = run_script(&dir.0, "postinst", &["configure", ""]);
    for group in ["podium-admin", "podium-dashboard", "podium-deny"] {
        assert!(
            calls.contains(&format!("groupadd --system {group}")),
            "{group} is made: {calls:?}"
        );
    }
    if !Path::new("/var/lib/podium").is_dir() {
        assert!(
            calls.contains(&"install -d -m 0700 -o root -g root /var/lib/podium".to_owned()),
            "{calls:?}"
        );
    }
    let systemctl: Vec<&String> = calls.iter().filter(|c| c.starts_with("systemctl")).collect();
    if systemd {
        assert_eq!(
            systemctl,
            [
                "systemctl daemon-reload",
                "systemctl enable podium.service",
                "systemctl start podium.service"
            ]
        );
    } else {
        assert!(systemctl.is_empty(), "no systemd here, yet: {systemctl:?}");
    }

    // An upgrade restarts a running daemon, and only that.
    let calls = run_script(&dir.0, "postinst", &["configure", "0.0.9-1"]);
    let systemctl: Vec<&String> = calls.iter().filter(|c| c.starts_with("systemctl")).collect();
    if systemd {
        assert_eq!(
            systemctl,
            ["systemctl daemon-reload", "systemctl try-restart podium.service"]
        );
    } else {
        assert!(systemctl.is_empty(), "{systemctl:?}");
    }

    let calls = run_script(&dir.0, "prerm", &["remove"]);
    assert_eq!(
        calls.iter().any(|c| c == "systemctl stop podium.service"),
        systemd,
        "{calls:?}"
    );
    let calls = run_script(&dir.0, "postrm", &["remove"]);
    assert!(
        !calls.iter().any(|c| c.starts_with("rm")),
        "remove keeps the state: {calls:?}"
    );
    let calls = run_script(&dir.0, "postrm", &["purge"]);
    assert!(
        calls.contains(&"rm -rf /etc/podium /var/lib/podium".to_owned()),
        "purge removes the configuration and the state: {calls:?}"
    );
    assert!(!calls.iter().any(|c| c.starts_with("groupdel")), "{calls:?}");
}

/// Whether dpkg is told not to install man pages (Docker "slim" images).
fn man_pages_excluded() -> bool {
    std::fs::read_dir("/etc/dpkg/dpkg.cfg.d")
        .map(|d| {
            d.flatten().any(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap_or_default()
                    .lines()
                    .any(|l| l.trim().starts_with("path-exclude") && l.contains("/usr/share/man"))
            })
        })
        .unwrap_or(false)
}

fn is_installed() -> bool {
    run(Command::new("dpkg-query").args(["-W", "-f=${Status}", "podium"]))
        .stdout
        .contains("install ok installed")
}

fn apt(args: &[&str]) -> Run {
    run(Command::new("apt-get")
        .args([
            "-y",
            "-o",
            "Dpkg::Options::=--force-confdef",
            "-o",
            "Dpkg::Options::=--force-confold",
        ])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// What the install test changes, put back as it was when dropped: the
/// package purged if a failure left it installed, the previous
/// /etc/podium and /var/lib/podium restored, and the files the package
/// shares with `scripts/install-deps.sh` (the PAM service, LibreOffice's
/// session extension and defaults, Firefox's policies), which the purge
/// removes and the other tests need.
struct MachineGuard {
    /// Set aside for the test: (where it was, where it waits).
    moved: Vec<(PathBuf, PathBuf)>,
    /// The shared files' contents before the test.
    shared: Vec<(&'static str, Vec<u8>)>,
}

const PAM_FILE: &str = "/etc/pam.d/podium";

/// Files both the package and `scripts/install-deps.sh` install.
const SHARED_FILES: [&str; 7] = [
    PAM_FILE,
    "/usr/lib/libreoffice/share/extensions/podium-session/META-INF/manifest.xml",
    "/usr/lib/libreoffice/share/extensions/podium-session/description.xml",
    "/usr/lib/libreoffice/share/extensions/podium-session/Jobs.xcu",
    "/usr/lib/libreoffice/share/extensions/podium-session/podium_session.py",
    "/etc/libreoffice/registry/podium.xcd",
    "/etc/firefox/policies/policies.json",
];

impl MachineGuard {
    fn new() -> MachineGuard {
        let mut moved = Vec::new();
        for path in ["/etc/podium", "/var/lib/podium"] {
            let path = Path::new(path);
            if path.exists() {
                // Next to it: a rename within one file system.
                let aside = path.with_extension(format!("podium-test-{}", std::process::id()));
                std::fs::rename(path, &aside).unwrap_or_else(|e| panic!("cannot set {} aside: {e}", path.display()));
                eprintln!("{} set aside as {} during the test", path.display(), aside.display());
                moved.push((path.to_owned(), aside));
            }
        }
        let shared = SHARED_FILES
            .iter()
            .filter_map(|path| std::fs::read(path).ok().map(|text| (*path, text)))
            .collect();
        MachineGuard { moved, shared }
    }
}

impl Drop for MachineGuard {
    fn drop(&mut self) {
        if is_installed() {
            let _ = apt(&["purge", "podium"]);
        }
        for (path, aside) in &self.moved {
            let _ = std::fs::remove_dir_all(path);
            if let Err(e) = std::fs::rename(aside, path) {
                eprintln!("cannot put {} back from {}: {e}", path.display(), aside.display());
            }
        }
        for (path, text) in &self.shared {
            if std::fs::read(path).ok().as_ref() != Some(text) {
                let path = Path::new(path);
                let tmp = path.with_extension("podium-test-restore");
                let restored = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&tmp, text))
                    .and_then(|()| std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)))
                    .and_then(|()| std::fs::rename(&tmp, path));
                if let Err(e) = restored {
                    eprintln!("cannot restore {}: {e}", path.display());
                }
            }
        }
    }
}

fn mode_of(path: &str) -> (bool, u32, u32) {
    let meta = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{path} is installed: {e}"));
    (meta.is_dir(), meta.mode() & 0o7777, meta.uid())
}

/// Processes running `exe` right now.
fn processes_running(exe: &Path) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
                .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the package from this run's binary into `work`: its path.
fn build_deb(work: &Path) -> PathBuf {
    let target = Path::new(PODIUM)
        .parent()
        .and_then(Path::parent)
        .expect("the target directory");
    let out_dir = work.join("out");
    let build = run(Command::new(repo().join("scripts/build-deb.sh"))
        .args([
            "--profile",
            "dev",
            "--fast",
            "--no-separate-debug-symbols",
            "--strip",
            "-o",
        ])
        .arg(format!("{}/", out_dir.display()))
        .env("CARGO_TARGET_DIR", target));
    assert!(build.ok(), "build-deb failed: {}{}", build.stdout, build.stderr);
    let deb = std::fs::read_dir(&out_dir)
        .expect("output dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .expect("a .deb was made");
    let name = deb.file_name().expect("name").to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("podium_{}-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    deb
}

/// The installed files with their modes, the conffiles, the shipped
/// configuration, the groups, and the binary's version.
fn installed_files_are_right() {
    for (path, dir, mode) in [
        ("/usr/bin/podium", false, 0o755),
        ("/etc/pam.d/podium", false, 0o644),
        ("/etc/podium/podium.toml", false, 0o644),
        ("/lib/systemd/system/podium.service", false, 0o644),
        ("/usr/share/bash-completion/completions/podium", false, 0o644),
        ("/usr/share/zsh/vendor-completions/_podium", false, 0o644),
        ("/usr/share/fish/vendor_completions.d/podium.fish", false, 0o644),
        ("/var/lib/podium", true, 0o700),
    ] {
        assert_eq!(mode_of(path), (dir, mode, 0), "{path}: (directory, mode, owner)");
    }
    let conffiles = run(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "podium"]));
    for conffile in ["/etc/podium/podium.toml", "/etc/pam.d/podium"] {
        assert!(
            conffiles.stdout.contains(conffile),
            "{conffile} is a conffile: {}",
            conffiles.stdout
        );
    }
    assert_eq!(
        std::fs::read_to_string("/etc/podium/podium.toml").expect("config"),
        include_str!("../../../dist/podium.toml")
    );
    for group in ["podium-admin", "podium-dashboard", "podium-deny"] {
        assert!(run(Command::new("getent").args(["group", group])).ok(), "group {group}");
    }
    let version = run(Command::new("/usr/bin/podium").arg("--version"));
    assert_eq!(version.stdout.trim(), format!("podium {}", env!("CARGO_PKG_VERSION")));
}

/// The unit declares what Podium needs, `systemd-analyze` finds it valid,
/// and without systemd the package neither starts nor enables it.
fn the_service_is_declared_valid_and_not_started(man_excluded: bool) {
    let unit = std::fs::read_to_string("/lib/systemd/system/podium.service").expect("unit");
    for line in [
        "Type=notify",
        "ExecStart=/usr/bin/podium serve",
        "KillMode=process",
        "Restart=on-failure",
        "Delegate=yes",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} in the unit:\n{unit}");
    }
    let mut verify = Command::new("systemd-analyze");
    verify.arg("verify");
    if man_excluded {
        verify.arg("--man=no");
    }
    let verified = run(verify.arg("/lib/systemd/system/podium.service"));
    assert!(
        verified.ok() && verified.stderr.trim().is_empty(),
        "systemd-analyze verify ({}): {}{}",
        verified.code,
        verified.stdout,
        verified.stderr
    );
    if !Path::new("/run/systemd/system").is_dir() {
        assert!(
            processes_running(Path::new("/usr/bin/podium")).is_empty(),
            "the package started a daemon without systemd"
        );
        assert!(
            !Path::new("/etc/systemd/system/multi-user.target.wants/podium.service").exists(),
            "the package enabled the unit without systemd"
        );
    }
}

/// The man pages where `man` finds them (unless dpkg excludes
/// /usr/share/man here), and in the package.
fn man_pages_are_installed(excluded: bool, deb: &Path) {
    if excluded {
        eprintln!("dpkg excludes /usr/share/man on this machine: man pages checked from the package instead");
    } else {
        for page in [
            "/usr/share/man/man1/podium.1.gz",
            "/usr/share/man/man1/podium-serve.1.gz",
            "/usr/share/man/man1/podium-session.1.gz",
            "/usr/share/man/man5/podium.toml.5.gz",
        ] {
            assert_eq!(mode_of(page), (false, 0o644, 0), "{page}");
        }
        let man = run(Command::new("man")
            .args(["-P", "cat", "podium-session"])
            .env("MANWIDTH", "100"));
        assert!(
            man.ok() && plain(&man.stdout).contains("logoff"),
            "man podium-session: {}",
            man.stderr
        );
        let man = run(Command::new("man")
            .args(["-P", "cat", "5", "podium.toml"])
            .env("MANWIDTH", "100"));
        assert!(
            man.ok() && plain(&man.stdout).contains("grace_seconds"),
            "man 5 podium.toml: {}",
            man.stderr
        );
    }
    let contents = run(Command::new("dpkg-deb").arg("-c").arg(deb));
    assert!(
        contents.stdout.contains("./usr/share/man/man1/podium-session.1.gz"),
        "{}",
        contents.stdout
    );
}

/// A purge removes the binary, the configuration, the state and the unit,
/// and leaves the groups.
fn purge_leaves_only_the_groups() {
    let mut db = std::fs::File::create("/var/lib/podium/podium.db").expect("state file");
    let _ = std::io::Write::write_all(&mut db, b"state");
    drop(db);
    let purge = apt(&["purge", "podium"]);
    assert!(purge.ok(), "apt-get purge: {}{}", purge.stdout, purge.stderr);
    assert!(!is_installed());
    for gone in [
        "/usr/bin/podium",
        "/etc/podium",
        "/var/lib/podium",
        "/etc/pam.d/podium",
        "/lib/systemd/system/podium.service",
    ] {
        assert!(!Path::new(gone).exists(), "{gone} is left after the purge");
    }
    for group in ["podium-admin", "podium-dashboard", "podium-deny"] {
        assert!(
            run(Command::new("getent").args(["group", group])).ok(),
            "group {group} stays"
        );
    }
}

#[test]
fn installs_and_purges_the_debian_package() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the packaging test runs as root (it installs the package)"
    );
    assert!(
        !is_installed(),
        "the podium package is installed on this machine; this test installs and purges it: remove it first"
    );
    let work = TempDir::new("deb");
    let pam_before = std::fs::read(PAM_FILE).ok();
    let guard = MachineGuard::new();

    // Build the package from this run's binary (see the top of the file).
    let deb = build_deb(&work.0);
    let depends = run(Command::new("dpkg-deb").args(["-f"]).arg(&deb).arg("Depends"));
    for dep in [
        "tigervnc-standalone-server",
        "libpam0g",
        "libpam-modules",
        "x11-xserver-utils",
        "libc6",
        // The thumbnails' JPEG encoder, found by dpkg-shlibdeps.
        "libturbojpeg0",
    ] {
        assert!(depends.stdout.contains(dep), "{dep} in Depends: {}", depends.stdout);
    }

    let install = apt(&["install", &deb.to_string_lossy()]);
    assert!(install.ok(), "apt-get install: {}{}", install.stdout, install.stderr);
    assert!(is_installed());

    // The files, with their modes.
    installed_files_are_right();
    // The service: declared as asked, valid, and not started without systemd.
    let excluded = man_pages_excluded();
    the_service_is_declared_valid_and_not_started(excluded);
    let checked = run(Command::new("/usr/bin/podium").args(["check-config", "/etc/podium/podium.toml"]));
    assert!(checked.ok(), "check-config: {}", checked.stderr);

    // The man pages, as `man` finds them.
    man_pages_are_installed(excluded, &deb);
    // The installed completion script completes.
    check_bash_completion(Path::new("/usr/share/bash-completion/completions/podium"));

    // Purge: the configuration and the state go; the groups stay.
    purge_leaves_only_the_groups();

    drop(guard);
    assert_eq!(std::fs::read(PAM_FILE).ok(), pam_before, "{PAM_FILE} is as it was");
}
