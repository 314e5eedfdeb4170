//! The command line (SPEC §7), defined once: clap builds the parser, the
//! man pages and the shell completions (`commands::generate`) from these types.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Podium: every user their own desktop on one Linux host, overseen from a web dashboard.
#[derive(Debug, Parser)]
#[command(name = "podium", version, propagate_version = true, disable_help_subcommand = true)]
pub struct Cli {
    /// Which daemon to talk to, and how.
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that say which daemon to talk to.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The daemon's control socket [default: /run/podium/podium.sock, or the config's for `serve`].
    #[arg(long, global = true, value_name = "PATH", env = "PODIUM_SOCKET")]
    pub socket: Option<PathBuf>,

    /// Talk to a daemon over HTTPS instead of the local socket, e.g. https://podium.school.lan:8443.
    #[arg(long, global = true, value_name = "URL", env = "PODIUM_SERVER")]
    pub server: Option<String>,

    /// With --server: the user to log in as (the password comes from
    /// PODIUM_PASSWORD or is asked for).
    #[arg(
        long = "user",
        id = "login_user",
        global = true,
        value_name = "NAME",
        env = "PODIUM_USER"
    )]
    pub login_user: Option<String>,

    /// With --server: trust this PEM certificate (e.g. the daemon's self-signed one).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// With --server: do not check the server's certificate at all.
    #[arg(long, global = true)]
    pub insecure: bool,
}

/// Options that talk to a daemon, given on the command line to a
/// subcommand that talks to none (or, for `--server` and the options
/// that go with it, to one that only works on the local host): the
/// message naming the first, and the subcommand's name. Values from the
/// environment (`PODIUM_SERVER` …) are not complained about.
#[must_use]
pub fn misplaced_option(command: &Command, matches: &clap::ArgMatches) -> Option<(String, &'static str)> {
    let (name, allowed): (&'static str, &[&str]) = match command {
        Command::Serve(_) => ("serve", &["socket"]),
        Command::Demo(_) => ("demo", &["socket"]),
        Command::CheckConfig(_) => ("check-config", &[]),
        Command::Cluster(_) => ("cluster", &[]),
        _ => return None,
    };
    let options = [
        ("socket", "--socket"),
        ("server", "--server"),
        ("login_user", "--user"),
        ("ca_cert", "--ca-cert"),
        ("insecure", "--insecure"),
    ];
    options
        .iter()
        .filter(|(id, _)| !allowed.contains(id))
        .find(|(id, _)| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
        .map(|(_, flag)| {
            let why = if name == "check-config" || name == "cluster" {
                "it reads a file and talks to no daemon"
            } else {
                "it runs on this host, with no login"
            };
            (format!("{flag} does not apply to `podium {name}`: {why}"), name)
        })
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon (host, API, dashboard). As root.
    Serve(ServeArgs),
    /// Start a daemon with demo users and live sessions; clean up on Ctrl-C.
    Demo(DemoArgs),
    /// List and act on sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Show the audit log.
    Audit(AuditArgs),
    /// List the school's hosts with their state, sessions and load.
    Hosts(HostsArgs),
    /// Set up several hosts: make a host's key, print the NATS servers' permissions.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Check a configuration file and print the effective configuration.
    CheckConfig(CheckConfigArgs),
    /// Internal: write the man pages into DIR (for packaging).
    #[command(hide = true)]
    Manpages {
        /// Directory to write podium.1, podium-serve.1 … and podium.toml.5 into.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Internal: print the shell completion script for SHELL.
    #[command(hide = true)]
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: CompletionShell,
    },
    /// Internal: the per-session worker the daemon starts.
    #[command(hide = true)]
    SessionWorker(WorkerArgs),
    /// Internal: one PAM password check for the daemon.
    #[command(hide = true)]
    AuthCheck,
}

/// `podium hosts`.
#[derive(Debug, Args)]
pub struct HostsArgs {
    /// Print the API's JSON.
    #[arg(long)]
    pub json: bool,
}

/// `podium cluster …`: set-up that talks to no daemon.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Make this host's key (its NATS identity) and print its public keys:
    /// one for the NATS servers' permissions, one for the other hosts'
    /// `[cluster.peers]`.
    Keygen {
        /// The host's name in the school (lower-case letters, digits, '-').
        #[arg(long, value_name = "NAME", value_parser = host_name)]
        host: String,
        /// Where to write the key (mode 0600; never over an existing file).
        #[arg(long, value_name = "FILE", default_value = "/etc/podium/cluster/host.nk")]
        out: PathBuf,
    },
    /// Print the `authorization` block every NATS server of the school
    /// uses: each host may publish only its own sessions, load and audit.
    Authorization {
        /// Each host as NAME=NATS_PUBLIC_KEY (what `keygen` printed).
        #[arg(value_name = "NAME=KEY", required = true, value_parser = host_key)]
        hosts: Vec<(String, String)>,
    },
}

fn host_name(text: &str) -> Result<String, String> {
    podium_core::config::check_host_name(text).map(|()| text.to_owned())
}

fn host_key(text: &str) -> Result<(String, String), String> {
    let (name, key) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=KEY"))?;
    host_name(name)?;
    if !(key.len() == 56 && key.starts_with('U')) {
        return Err(format!(
            "{key:?} is not a NATS user public key (56 characters starting with U)"
        ));
    }
    Ok((name.to_owned(), key.to_owned()))
}

/// `podium serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State directory (registry, audit log, TLS key), instead of the config's.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// HTTPS address, instead of the config's (default 0.0.0.0:8443).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
}

/// `podium demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many demo users and sessions to create (1–9).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=9))]
    pub users: u8,
}

/// `podium session …`.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Sessions with id, user, station, state, blocked, since.
    List {
        /// Print the API's JSON body instead of a table.
        #[arg(long)]
        json: bool,
        /// Also the sessions of the school's other hosts.
        #[arg(long)]
        school: bool,
    },
    /// Log sessions off: warn, ask applications to close, then end them.
    Logoff(LogoffArgs),
    /// Drop the sessions' stations; the sessions keep running.
    Disconnect(TargetArgs),
    /// Cover the sessions' screens with a notice and ignore their input.
    Block {
        #[command(flatten)]
        targets: TargetArgs,
        /// The notice's text (default: "This station is blocked." in each user's language).
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
    },
    /// End the block of sessions.
    Unblock(TargetArgs),
    /// Show a message on the sessions' screens until each user dismisses it.
    Message {
        #[command(flatten)]
        targets: TargetArgs,
        /// What the users read.
        #[arg(long, value_name = "TEXT", required = true)]
        text: String,
    },
    /// Open a website or a program the administrator listed on the sessions' desktops.
    Open(OpenArgs),
    /// The programs the administrator listed for `session open --program`.
    Programs {
        /// Print the API's JSON body instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show your own desktop full-screen on the sessions' stations and
    /// desktops, their keyboard and mouse off, until `--stop`.
    Project(ProjectArgs),
    /// Start a session for USER without a password (administrators).
    Start {
        /// Login name.
        user: String,
        /// Desktop command instead of the configured one.
        #[arg(long, value_name = "CMD")]
        command: Option<String>,
        /// The session's locale (e.g. fr_FR.UTF-8) instead of the user's own.
        #[arg(long, value_name = "LOCALE", value_parser = parse_locale)]
        locale: Option<String>,
        /// Print the API's JSON body instead of the id.
        #[arg(long)]
        json: bool,
    },
    // View and Take control (issue 19).
    /// Watch a session's desktop in a native VNC viewer (`vncviewer
    /// 127.0.0.1:5900`), through the daemon: read-only, or with --control.
    /// Runs until Ctrl-C.
    View {
        /// The session's id on this host.
        #[arg(value_name = "ID")]
        id: u32,
        /// Drive the desktop: the viewer's keys and pointer reach it.
        #[arg(long)]
        control: bool,
        /// Where the viewer connects (default: 127.0.0.1:5900, or the first free port from there).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
    },
}

/// `podium session logoff`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("targets").required(true).args(["ids", "all"]))]
pub struct LogoffArgs {
    /// Sessions: ID on this host, HOST/ID on another host of the school.
    #[arg(value_name = "ID")]
    pub ids: Vec<podium_core::SessionRef>,
    /// Every session you may log off, except your own.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// With --all: on every host of the school, not only this one.
    #[arg(long, requires = "all")]
    pub school: bool,
    /// Seconds of on-screen warning first (0–600; default from the config).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(0..=600))]
    pub grace: Option<u32>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Return once the log offs are under way instead of when they are done.
    #[arg(long)]
    pub no_wait: bool,
    /// Print the API's JSON body instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The sessions an action is for, and how to print its results.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("targets").required(true).args(["ids", "all"]))]
pub struct TargetArgs {
    /// Sessions: ID on this host, HOST/ID on another host of the school.
    #[arg(value_name = "ID")]
    pub ids: Vec<podium_core::SessionRef>,
    /// Every session you may act on, except your own.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// With --all: on every host of the school, not only this one.
    #[arg(long, requires = "all")]
    pub school: bool,
    /// Print the API's JSON body instead of a table.
    #[arg(long)]
    pub json: bool,
}

impl TargetArgs {
    /// The API's request body naming these sessions.
    #[must_use]
    pub fn request(&self) -> podium_core::TargetsRequest {
        podium_core::TargetsRequest {
            sessions: self.ids.clone(),
            all: self.all,
            school: self.school,
        }
    }
}

/// `podium session open`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("targets").required(true).args(["ids", "all"]))]
#[command(group = clap::ArgGroup::new("what").required(true).args(["url", "program"]))]
pub struct OpenArgs {
    /// Sessions of this host, by ID.
    #[arg(value_name = "ID")]
    pub ids: Vec<podium_core::SessionRef>,
    /// Every session you may act on, except your own.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// A website (http:// or https://) to open in each user's default browser.
    #[arg(long, value_name = "HTTP_URL", value_parser = parse_url)]
    pub url: Option<String>,
    /// A program the administrator listed (`podium session programs`).
    #[arg(long, value_name = "PROGRAM", value_parser = parse_program)]
    pub program: Option<String>,
    /// Print the API's JSON body instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `podium session project`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("targets").required(true).args(["ids", "all", "stop"]))]
pub struct ProjectArgs {
    /// Sessions of this host to show your desktop on (added to those
    /// already showing it).
    #[arg(value_name = "ID")]
    pub ids: Vec<podium_core::SessionRef>,
    /// Every session you may act on, except your own.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// Stop projecting: every session gets its own desktop back.
    #[arg(long, conflicts_with_all = ["ids", "all"])]
    pub stop: bool,
    /// Print the API's JSON body instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_url(s: &str) -> Result<String, String> {
    podium_core::open::check_url(s)
        .map(|()| s.to_owned())
        .map_err(|e| match e {
            podium_core::CoreError::Url(why) => why,
            other => other.to_string(),
        })
}

fn parse_program(s: &str) -> Result<String, String> {
    if podium_core::open::is_program_name(s) {
        Ok(s.to_owned())
    } else {
        Err("not a program name (lower-case letters, digits, '-' and '_'); `podium session programs` lists them".into())
    }
}

/// `podium audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only records at or after this time (RFC 3339, e.g. 2026-11-24T08:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<podium_core::Timestamp>,
    /// At most this many records (the newest).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub limit: u32,
    /// Print the API's JSON body instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The school's log: every host's records, each with its host.
    #[arg(long)]
    pub school: bool,
}

fn parse_locale(s: &str) -> Result<String, String> {
    if podium_core::request::is_locale_name(s) {
        Ok(s.to_owned())
    } else {
        Err("not a locale name such as fr_FR.UTF-8".into())
    }
}

fn parse_time(s: &str) -> Result<podium_core::Timestamp, String> {
    podium_core::Timestamp::parse(s).ok_or_else(|| format!("not an RFC 3339 time: {s:?}"))
}

/// `podium check-config`.
#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// The configuration file to check.
    #[arg(value_name = "FILE", default_value = podium_core::config::DEFAULT_PATH)]
    pub file: PathBuf,
}

/// The shells `podium completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// GNU Bash.
    Bash,
    /// Z shell.
    Zsh,
    /// The friendly interactive shell.
    Fish,
}

/// `podium session-worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Clean up after a dead worker instead of starting a session.
    #[arg(long)]
    pub reclaim: bool,
}
