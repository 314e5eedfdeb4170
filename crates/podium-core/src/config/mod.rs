//! The daemon's configuration: one TOML file, every key with a default
//! (SPEC §9), so `podium serve` runs without one. A mistake in the file is
//! reported with the file, the line and the key.

use crate::core_error::CoreError;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod cluster;
mod values;

mod open;
pub use open::{OpenConfig, ProgramConfig};

pub use cluster::{ClusterConfig, check_host_name};
pub use values::{Every, Geometry};

/// Where the config file lives unless `--config` says otherwise.
pub const DEFAULT_PATH: &str = "/etc/podium/podium.toml";

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the daemon listens and keeps its files.
    pub server: ServerConfig,
    /// How sessions are made and ended.
    pub session: SessionConfig,
    /// Which Unix groups give which role, and who may log on.
    pub roles: RolesConfig,
    /// The web API and dashboard.
    pub web: WebConfig,
    /// The HTTPS certificate.
    pub tls: TlsConfig,
    /// Live desktop thumbnails.
    pub thumbnails: ThumbnailConfig,
    /// Several hosts on one dashboard.
    pub cluster: ClusterConfig,
    /// What pupils are told about being watched.
    pub privacy: PrivacyConfig,

    /// What Open… may start on a desktop: the website opener and the
    /// administrator's list of programs.
    pub open: OpenConfig,
}

/// `[privacy]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Show a bar on the desktop naming whoever views it from the
    /// dashboard (a school's privacy rule). Taking control is always
    /// shown, whatever this says: the pupil's desktop moves under them.
    pub show_watched: bool,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig { show_watched: true }
    }
}

/// `[thumbnails]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThumbnailConfig {
    /// A watched desktop that changes is captured at most once per this many
    /// milliseconds; one that does not change is never captured.
    pub interval_ms: u32,
}

impl Default for ThumbnailConfig {
    fn default() -> Self {
        ThumbnailConfig { interval_ms: 1000 }
    }
}

/// `[web]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address of the HTTPS listener (`--listen` overrides it).
    pub listen: SocketAddr,
    /// An extra plain-HTTP listener, for a reverse proxy or tests; loopback
    /// addresses only. Off unless set.
    pub plain_http: Option<SocketAddr>,
    /// A web login ends after this many minutes without a request.
    pub idle_timeout_minutes: u32,
    /// Failed logins allowed per user and per address within the window;
    /// further attempts are refused without asking PAM.
    pub max_login_failures: u32,
    /// The window for `max_login_failures`, in seconds.
    pub login_failure_window_seconds: u32,
    /// Reverse proxies whose `X-Forwarded-For` header is believed: a
    /// request from one of these addresses is taken to come from the
    /// address the proxy names (for the login throttle, the audit log and
    /// the station's address). Anyone else's header is ignored, so a
    /// client cannot choose its own address. None by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            plain_http: None,
            idle_timeout_minutes: 120,
            max_login_failures: 5,
            login_failure_window_seconds: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

/// `[tls]`: a certificate of your own; without one, Podium makes a
/// self-signed certificate in the state directory on first start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: Option<PathBuf>,
    /// PEM private key.
    pub key: Option<PathBuf>,
}

/// `[server]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// The local control socket (mode 0666; peer credentials give the role).
    pub socket: PathBuf,
    /// SQLite registry and audit log, TLS key and certificate.
    pub state_dir: PathBuf,
    /// Per-session runtime files: VNC socket, X authority, worker socket.
    pub run_dir: PathBuf,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            socket: PathBuf::from("/run/podium/podium.sock"),
            state_dir: PathBuf::from("/var/lib/podium"),
            run_dir: PathBuf::from("/run/podium"),
        }
    }
}

/// `[session]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// The desktop command, run as the user with the session's environment.
    /// Split like a shell would (quotes work), but not run through a shell.
    pub command: String,
    /// Screen size of new sessions, `WIDTHxHEIGHT`.
    pub geometry: Geometry,
    /// Warning before a log off closes applications, when the request gives none.
    pub grace_seconds: u32,
    /// How long applications get to close after being asked, before the kill.
    pub terminate_timeout_seconds: u32,
    /// Most processes one session may have at once (fork bombs stop here).
    pub max_processes: u32,
    /// The PAM service sessions are opened with.
    pub pam_service: String,
    /// The TigerVNC X server.
    pub xvnc: PathBuf,
    /// Name of the cgroup that holds every session: under the cgroup v2
    /// root, or under the service's cgroup when systemd delegates one and
    /// the pids controller is on cgroup v1.
    pub cgroup: String,
    /// Log off sessions left disconnected this long (abandoned desktops
    /// hold memory and a seat); never by default.
    pub disconnected_logoff_after: Every,
    /// Whether the desktop takes the size of the station's screen area
    /// (and of the browser window, as it changes). Off, every desktop keeps
    /// `geometry` and the station scales it to fit.
    pub follow_station_size: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            command: default_command().to_owned(),
            geometry: Geometry {
                width: 1280,
                height: 800,
            },
            grace_seconds: 10,
            terminate_timeout_seconds: 5,
            max_processes: 1024,
            pam_service: "podium".to_owned(),
            xvnc: PathBuf::from("/usr/bin/Xvnc"),
            cgroup: "podium".to_owned(),
            disconnected_logoff_after: Every::Never,
            follow_station_size: true,
        }
    }
}

/// The system's session script when it has one, else a terminal.
fn default_command() -> &'static str {
    if Path::new("/etc/X11/Xsession").exists() {
        "/etc/X11/Xsession"
    } else {
        "xterm"
    }
}

/// `[roles]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RolesConfig {
    /// Members of any of these groups are administrators (root always is).
    pub admin_groups: Vec<String>,
    /// Members of any of these groups are dashboard users.
    pub dashboard_groups: Vec<String>,
    /// Members of this group may not log on at all.
    pub deny_group: String,
    /// Accounts below this uid may not log on (system accounts).
    pub min_uid: u32,
}

impl Default for RolesConfig {
    fn default() -> Self {
        RolesConfig {
            admin_groups: vec!["podium-admin".into(), "sudo".into(), "wheel".into()],
            dashboard_groups: vec!["podium-dashboard".into()],
            deny_group: "podium-deny".into(),
            min_uid: 1000,
        }
    }
}

impl Config {
    /// Parses a config file's text. `file` is only used in error messages.
    ///
    /// # Errors
    /// [`CoreError::Config`], naming the file, line and key.
    pub fn parse(text: &str, file: &str) -> Result<Config, CoreError> {
        let error = |span: Option<std::ops::Range<usize>>, key: String, message: &str| CoreError::Config {
            file: file.to_owned(),
            line: span.map_or(1, |s| line_of(text, s.start)),
            key: if key.is_empty() || key == "." { "-".into() } else { key },
            message: message.trim().to_owned(),
        };
        let de = toml::de::Deserializer::parse(text).map_err(|e| error(e.span(), String::new(), e.message()))?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            error(inner.span(), key, inner.message())
        })?;
        config.validate().map_err(|(key, message)| {
            let span = find_key(text, key);
            error(span, key.to_owned(), &message)
        })?;
        config.open.check(text, file)?;
        Ok(config)
    }

    /// Checks values serde cannot: non-empty names, sane ranges.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let s = &self.session;
        if shell_words_count(&s.command) == 0 {
            return Err(("session.command", "must name a program".into()));
        }
        if s.grace_seconds > crate::limits::MAX_GRACE_SECONDS {
            return Err(("session.grace_seconds", "must be at most 600".into()));
        }
        if !(1..=600).contains(&s.terminate_timeout_seconds) {
            return Err(("session.terminate_timeout_seconds", "must be 1 to 600".into()));
        }
        if s.max_processes < 16 {
            return Err(("session.max_processes", "must be at least 16".into()));
        }
        if s.pam_service.is_empty() || s.pam_service.contains('/') {
            return Err(("session.pam_service", "must be a PAM service name".into()));
        }
        if s.cgroup.is_empty() || s.cgroup.contains("..") || s.cgroup.starts_with('/') {
            return Err(("session.cgroup", "must be a relative cgroup name".into()));
        }
        if !self.server.run_dir.is_absolute() {
            return Err(("server.run_dir", "must be an absolute path".into()));
        }
        if !self.server.state_dir.is_absolute() {
            return Err(("server.state_dir", "must be an absolute path".into()));
        }
        if self.web.plain_http.is_some_and(|a| !a.ip().is_loopback()) {
            return Err((
                "web.plain_http",
                "must be a loopback address (127.0.0.1 or ::1): plain HTTP is for a local proxy".into(),
            ));
        }
        if self.web.idle_timeout_minutes == 0 {
            return Err(("web.idle_timeout_minutes", "must be at least 1".into()));
        }
        if self.web.max_login_failures == 0 {
            return Err(("web.max_login_failures", "must be at least 1".into()));
        }
        if self.web.login_failure_window_seconds == 0 {
            return Err(("web.login_failure_window_seconds", "must be at least 1".into()));
        }
        if !(100..=60_000).contains(&self.thumbnails.interval_ms) {
            return Err(("thumbnails.interval_ms", "must be 100 to 60000".into()));
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err(("tls.cert", "give both tls.cert and tls.key, or neither".into()));
        }
        self.cluster.validate()
    }
}

fn shell_words_count(command: &str) -> usize {
    command.split_whitespace().count()
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// Where `section.key` is written, for errors found after parsing.
fn find_key(text: &str, dotted: &str) -> Option<std::ops::Range<usize>> {
    let (section, key) = dotted.split_once('.')?;
    let mut in_section = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = t.trim_matches(|c| c == '[' || c == ']').trim() == section;
        } else if in_section && t.split('=').next().map(str::trim) == Some(key) {
            return Some(offset..offset);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config mistake, field by field, as `Config::parse` reports it.
    struct Mistake {
        file: String,
        line: usize,
        key: String,
        said: String,
    }

    impl std::fmt::Display for Mistake {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.said)
        }
    }

    /// The mistake `text` holds, read as the file `p.toml`.
    fn mistake(text: &str) -> Mistake {
        let e = Config::parse(text, "p.toml").expect_err("a mistake");
        let said = e.to_string();
        let CoreError::Config { file, line, key, .. } = e else {
            panic!("not a config error: {said}");
        };
        Mistake { file, line, key, said }
    }

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let c = Config::parse("", "x.toml").expect("empty config is valid");
        assert_eq!(c.session.grace_seconds, 10);
        assert_eq!(c.session.terminate_timeout_seconds, 5);
        assert_eq!(c.session.geometry.to_string(), "1280x800");
        assert_eq!(c.server.socket, PathBuf::from("/run/podium/podium.sock"));
        assert_eq!(c.server.state_dir, PathBuf::from("/var/lib/podium"));
        assert_eq!(c.session.max_processes, 1024);
        assert_eq!(c.session.disconnected_logoff_after, Every::Never);
        assert!(c.session.follow_station_size);
    }

    #[test]
    fn follow_station_size_is_a_boolean_named_with_its_line() {
        let c = Config::parse("[session]\nfollow_station_size = false\n", "p.toml").expect("valid");
        assert!(!c.session.follow_station_size);
        let e = mistake("[session]\n\nfollow_station_size = \"no\"\n");
        assert_eq!((e.key.as_str(), e.line), ("session.follow_station_size", 3), "{e}");
    }

    #[test]
    fn unknown_key_is_named_with_file_and_line() {
        let e = mistake("[session]\ngrace_seconds = 3\ngrace = 4\n");
        assert_eq!(e.file, "p.toml");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.to_string().contains("grace"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_dotted_key() {
        let e = mistake("\n[session]\ngrace_seconds = \"ten\"\n");
        assert_eq!(e.key, "session.grace_seconds");
        assert_eq!(e.line, 3);
        assert!(e.to_string().starts_with("p.toml:3: session.grace_seconds: "), "{e}");
    }

    #[test]
    fn bad_geometry_and_ranges_are_refused() {
        let e = mistake("[session]\ngeometry = \"big\"\n");
        assert_eq!(e.key, "session.geometry");
        let e = mistake("[session]\n\ngrace_seconds = 900\n");
        assert_eq!((e.key.as_str(), e.line), ("session.grace_seconds", 3));
        let e = mistake("[server]\nrun_dir = \"rel\"\n");
        assert_eq!(e.key, "server.run_dir");
    }

    #[test]
    fn plain_http_is_loopback_only_and_tls_comes_in_pairs() {
        let e = mistake("[web]\nplain_http = \"0.0.0.0:8080\"\n");
        assert_eq!((e.key.as_str(), e.line), ("web.plain_http", 2));
        assert!(Config::parse("[web]\nplain_http = \"127.0.0.1:8080\"\n", "p.toml").is_ok());
        let e = mistake("[web]\nlisten = \"nowhere\"\n");
        assert_eq!(e.key, "web.listen");
        let e = mistake("[tls]\ncert = \"/x.pem\"\n");
        assert_eq!(e.key, "tls.cert");
    }

    #[test]
    fn times_need_units_and_read_back_the_same() {
        for (text, secs) in [
            ("90s", 90),
            ("30m", 1800),
            ("2h", 7200),
            ("1h30m", 5400),
            ("1h0m5s", 3605),
        ] {
            assert_eq!(text.parse::<Every>(), Ok(Every::Seconds(secs)), "{text}");
        }
        assert_eq!("never".parse::<Every>(), Ok(Every::Never));
        assert_eq!(Every::Seconds(5400).to_string(), "1h30m");
        assert_eq!(Every::Seconds(3605).to_string(), "1h5s");
        assert_eq!(Every::Never.to_string(), "never");
        for bad in [
            "",
            "30",
            "m",
            "0s",
            "30m1h",
            "1h1h",
            "5 m",
            "-5m",
            "99999999999999999999h",
            "400d",
        ] {
            assert!(bad.parse::<Every>().is_err(), "{bad:?} should be refused");
        }
        let e = mistake("[session]\ndisconnected_logoff_after = 30\n");
        assert_eq!(
            (e.line, e.key.as_str()),
            (2, "session.disconnected_logoff_after"),
            "{e}"
        );
        let e = mistake("[session]\ndisconnected_logoff_after = \"30\"\n");
        assert!(e.to_string().contains("\"30m\""), "{e}");
        let c = Config::parse("[session]\ndisconnected_logoff_after = \"45m\"\n", "p.toml").expect("valid");
        assert_eq!(
            c.session.disconnected_logoff_after.duration(),
            Some(std::time::Duration::from_secs(2700))
        );
    }

    #[test]
    fn the_watched_bar_is_on_unless_switched_off() {
        assert!(Config::default().privacy.show_watched);
        let c = Config::parse("[privacy]\nshow_watched = false\n", "p.toml").expect("valid");
        assert!(!c.privacy.show_watched);
        let e = mistake("[privacy]\n\nshow_watched = \"no\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "privacy.show_watched"), "{e}");
        let e = mistake("[privacy]\nshow_watch = true\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.to_string().contains("show_watch"), "{e}");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let e = mistake("[session\n");
        assert_eq!(e.line, 1);
        assert_eq!(e.key, "-");
    }

    /// The commented example shipped as /etc/podium/podium.toml lists every
    /// key with its default: uncommented, it must give exactly the defaults.
    #[test]
    fn the_shipped_example_documents_every_key_with_its_default() {
        let shipped = include_str!("../../../../dist/podium.toml");
        assert_eq!(
            Config::parse(shipped, "podium.toml").expect("parses as shipped"),
            Config::default()
        );
        let uncommented: String = shipped
            .lines()
            .map(|l| {
                l.strip_prefix('#')
                    .filter(|r| r.contains(" = ") || r.starts_with("[["))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut expected = Config::default();
        expected.web.plain_http = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
        expected.web.trusted_proxies = vec![
            std::net::IpAddr::from([127, 0, 0, 1]),
            std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ];
        expected.tls.cert = Some(PathBuf::from("/etc/ssl/certs/podium.pem"));
        expected.tls.key = Some(PathBuf::from("/etc/ssl/private/podium.key"));
        expected.session.command = "/etc/X11/Xsession".into();
        expected.cluster.host = "room-12".into();
        expected.cluster.urls = (1..=3).map(|n| format!("tls://nats{n}.school.lan:4222")).collect();
        expected.cluster.ca = Some(PathBuf::from("/etc/podium/cluster/ca.pem"));
        expected.cluster.address = Some("https://room-12.school.lan:8443".into());
        expected.cluster.peers.insert(
            "room-13".into(),
            "UJP3NKOAHGAFTNMKSPV3ZE73HBRIBXYSOGNJB3AXPLUMJT5LCJAAS3GX".into(),
        );
        expected.open.programs.push(ProgramConfig {
            name: "calculator".into(),
            label: "Calculator".into(),
            label_fr: Some("Calculatrice".into()),
            command: vec!["galculator".into()],
        });
        assert_eq!(
            Config::parse(&uncommented, "podium.toml").expect("parses uncommented"),
            expected
        );
        let keys = uncommented
            .lines()
            .filter(|l| l.contains(" = ") && !l.starts_with('#'))
            .count();
        let written = toml::to_string(&expected).expect("serializes");
        assert_eq!(
            keys,
            written.lines().filter(|l| l.contains(" = ")).count(),
            "every key is in the example:\n{written}"
        );
    }

    #[test]
    fn a_written_config_parses_back() {
        let c = Config::default();
        let text = toml::to_string(&c).expect("serializes");
        assert_eq!(Config::parse(&text, "x").expect("parses"), c);
    }
}
