//! `podium demo`: the first thing a new user runs. Starts a daemon on this
//! machine with a few demo users and live desktops, says how to look at
//! them and log them off, and on Ctrl-C removes everything it made.

use super::Status;
use crate::cli::DemoArgs;
use crate::client::Client;
use crate::output;
use anyhow::{Context, Result, bail};
use podium_core::{ActionResults, LogoffRequest, SessionInfo, SessionList, StartRequest};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The demo's dashboard user.
const TEACHER: &str = "podium-demo-teacher";

const FULL_NAMES: [&str; 9] = [
    "Alice Martin",
    "Bruno Lefèvre",
    "Chloé Dubois",
    "David Bernard",
    "Emma Petit",
    "Farid Haddad",
    "Gabrielle Roux",
    "Hugo Moreau",
    "Inès Garnier",
];

/// A demo account, removed at the end.
struct DemoUser {
    name: String,
    password: String,
}

/// Everything the demo made, undone in reverse on drop.
struct Demo {
    users: Vec<DemoUser>,
    daemon: Option<Child>,
    state_dir: PathBuf,
    client: Client,
}

fn password() -> Result<String> {
    let mut bytes = [0u8; 9];
    podium_sys::random::fill(&mut bytes)?;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

fn run(cmd: &str, args: &[&str], input: Option<&str>) -> Result<()> {
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {cmd}"))?;
    if let (Some(text), Some(stdin)) = (input, child.stdin.as_mut()) {
        std::io::Write::write_all(stdin, text.as_bytes())?;
    }
    drop(child.stdin.take());
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "{cmd} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// What a demo user's desktop is: the host's own real desktop (Xfce
/// through `/etc/X11/Xsession`, as a school runs it) when it has one, with
/// the second pupil in French; otherwise a small test desktop.
fn desktop_for(n: usize, full_name: &str) -> (Option<String>, Option<String>) {
    if has_real_desktop() {
        let french = (n == 1 && has_locale("fr_FR.utf8")).then(|| "fr_FR.UTF-8".to_owned());
        (Some(REAL_DESKTOP.to_owned()), french)
    } else {
        (Some(desktop_command(n, full_name)), None)
    }
}

/// The system's session, which starts the desktop the host has installed.
const REAL_DESKTOP: &str = "/etc/X11/Xsession";

fn has_real_desktop() -> bool {
    Path::new(REAL_DESKTOP).exists() && Path::new("/usr/bin/xfce4-session").exists()
}

fn has_locale(name: &str) -> bool {
    Command::new("locale")
        .arg("-a")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == name))
}

/// The test desktop: a coloured background, a clock, eyes and a terminal.
fn desktop_command(n: usize, full_name: &str) -> String {
    let colors = [
        "#1f4e79", "#5b2c6f", "#1e6f5c", "#7b3f00", "#2e4053", "#6e2c00", "#145a32", "#4a235a", "#1b2631",
    ];
    let color = colors[n % colors.len()];
    let script = format!(
        "xsetroot -solid '{color}'; xclock -geometry 220x220+60+60 -update 1 & xeyes -geometry 200x140+320+60 & \
         exec xterm -geometry 100x24+60+340 -T 'Podium demo: {full_name}' -e sh -c 'echo Welcome to Podium, {full_name}.; echo This is your own desktop session.; exec sh'"
    );
    format!("sh -c {}", shell_quote(&script))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Demo {
    /// Makes the account `name` with a random password; `groups` as for useradd -G.
    fn add_account(&mut self, name: &str, full: &str, groups: Option<&str>) -> Result<()> {
        if nix::unistd::User::from_name(name).ok().flatten().is_some() {
            bail!("user {name} exists already (left by an earlier demo?); remove it with `userdel -r {name}`");
        }
        let mut args = vec!["-m", "-s", "/bin/sh", "-c", full];
        if let Some(g) = groups {
            args.extend(["-G", g]);
        }
        args.push(name);
        run("useradd", &args, None)?;
        let password = password()?;
        self.users.push(DemoUser {
            name: name.to_owned(),
            password: password.clone(),
        });
        run("chpasswd", &[], Some(&format!("{name}:{password}\n")))?;
        Ok(())
    }

    fn add_user(&mut self, n: usize) -> Result<String> {
        let name = format!("podium-demo-{}", n + 1);
        self.add_account(&name, FULL_NAMES[n % FULL_NAMES.len()], None)?;
        Ok(name)
    }

    async fn start_daemon(&mut self, exe: &Path, socket: &Path) -> Result<()> {
        let config = self.state_dir.join("podium.toml");
        std::fs::write(
            &config,
            format!(
                "[server]\nsocket = \"{}\"\nstate_dir = \"{}\"\n\n[session]\ncgroup = \"podium-demo\"\n",
                socket.display(),
                self.state_dir.join("state").display()
            ),
        )?;
        let log = std::fs::File::create(self.state_dir.join("daemon.log"))?;
        let child = Command::new(exe)
            .args(["serve", "--config"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group: Ctrl-C reaches the demo, which then
            // logs the sessions off through the daemon before stopping it.
            .process_group(0)
            .spawn()
            .context("cannot start the daemon")?;
        self.daemon = Some(child);
        for _ in 0..100 {
            if self.client.get("/api/v1/sessions").await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the daemon did not start; see {}",
            self.state_dir.join("daemon.log").display()
        )
    }

    async fn clean_up(&mut self) {
        if self.daemon.is_some() {
            println!("Logging the demo sessions off…");
            let req = LogoffRequest {
                all: true,
                grace_seconds: Some(0),
                wait: true,
                ..Default::default()
            };
            match self
                .client
                .post("/api/v1/sessions/logoff", &req)
                .await
                .map(|r| r.parse::<ActionResults>())
            {
                Ok(Ok(r)) => println!("{}", output::results(&r.results)),
                Ok(Err(e)) => eprintln!("log off failed: {e}"),
                Err(e) => eprintln!("log off failed: {e:#}"),
            }
        }
        if let Some(mut d) = self.daemon.take() {
            let pid = nix::unistd::Pid::from_raw(i32::try_from(d.id()).unwrap_or(0));
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let _ = d.wait();
        }
        for u in self.users.drain(..) {
            if let Err(e) = run("userdel", &["-r", &u.name], None) {
                eprintln!("{e:#}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

/// Runs the demo until Ctrl-C.
pub async fn run_demo(socket: &Path, args: DemoArgs) -> Result<Status> {
    if !nix::unistd::geteuid().is_root() {
        bail!("podium demo must run as root: it creates users and starts their sessions");
    }
    let client = Client::unix(socket);
    if client.get("/api/v1/sessions").await.is_ok() {
        bail!(
            "a Podium daemon already answers on {}; stop it first, or give the demo another --socket",
            socket.display()
        );
    }
    let exe = std::env::current_exe().context("cannot find the podium binary")?;
    let state_dir = std::env::temp_dir().join(format!("podium-demo-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir)?;
    let mut demo = Demo {
        users: Vec::new(),
        daemon: None,
        state_dir,
        client: client.clone(),
    };
    let result = async {
        demo.start_daemon(&exe, socket).await?;
        run("groupadd", &["-f", "podium-dashboard"], None)?;
        demo.add_account(TEACHER, "Marie Curie (teacher)", Some("podium-dashboard"))?;
        for n in 0..usize::from(args.users) {
            let name = demo.add_user(n)?;
            let full = FULL_NAMES[n % FULL_NAMES.len()];
            let (command, locale) = desktop_for(n, full);
            let req = StartRequest {
                user: name.clone(),
                command,
                locale,
            };
            let _: SessionInfo = client.post("/api/v1/sessions", &req).await?.parse()?;
        }
        let list: SessionList = client.get("/api/v1/sessions").await?.parse()?;
        print_welcome(&demo, &list, socket);
        wait_for_ctrl_c().await;
        anyhow::Ok(())
    }
    .await;
    println!();
    demo.clean_up().await;
    result?;
    println!("Demo over: sessions logged off, demo users removed.");
    Ok(Status::Ok)
}

fn print_welcome(demo: &Demo, list: &SessionList, socket: &Path) {
    // The command as it can be typed here: this binary, by its full path
    // unless `podium` on the PATH is this very file.
    let exe = std::env::current_exe().unwrap_or_else(|_| "podium".into());
    let on_path = which_podium().is_some_and(|p| p == exe);
    let mut podium = if on_path {
        "podium".to_owned()
    } else {
        exe.display().to_string()
    };
    if socket != Path::new("/run/podium/podium.sock") {
        podium.push_str(&format!(" --socket {}", socket.display()));
    }
    println!(
        "Podium demo is running: {} desktop sessions on this machine.\n",
        list.sessions.len()
    );
    println!("{}\n", output::sessions(&list.sessions));
    let host = nix::unistd::gethostname().map_or_else(|_| "localhost".into(), |h| h.to_string_lossy().into_owned());
    println!("The Podium Dashboard: https://{host}:8443/  (or https://localhost:8443/ on this machine)");
    println!("The certificate is self-signed: the browser asks once whether to trust it.\n");
    println!("Demo logins (user / password):");
    for u in &demo.users {
        let what = if u.name == TEACHER {
            "the dashboard (a teacher)"
        } else if u.name == "podium-demo-2" && desktop_for(1, "").1.is_some() {
            "a pupil with a desktop in French"
        } else {
            "a pupil with a desktop"
        };
        println!("  {}  /  {}    {what}", u.name, u.password);
    }
    let first = list.sessions.first().map_or(1, |s| s.id);
    println!(
        "\nTry, in another terminal:\n  {podium} session list\n  {podium} session logoff {first} --grace 10     # warns on screen for 10 s, then logs off\n  {podium} session logoff --all --grace 5\n  {podium} audit\n"
    );
    println!("Press Ctrl-C to end the demo: every demo session is logged off and the demo users are removed.");
}

/// `podium` as the shell would find it on the PATH.
fn which_podium() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join("podium"))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

async fn wait_for_ctrl_c() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}
