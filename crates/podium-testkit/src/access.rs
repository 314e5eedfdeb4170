//! Acting as one test user on the host, with that user's ids and groups and
//! a clean environment: running a program, connecting to a Unix socket,
//! and speaking HTTP to the daemon's control socket (whose API serves the
//! same routes as HTTPS, with the peer's uid as the caller).

use crate::error::TestkitError;
use crate::system::TestUser;
use std::path::Path;
use std::process::{Command, Stdio};

/// What a program run as a user printed and returned.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, raw.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl Ran {
    /// Standard output as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `program` as `user` (real and effective ids, the user's groups)
/// with only `HOME`, `USER`, `LOGNAME`, `PATH` and `env` set, so nothing of
/// root's environment (`XAUTHORITY`, `DISPLAY` …) leaks into the attempt.
#[must_use]
pub fn run_as(user: &TestUser, program: &str, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let out = as_user(user, program, args, env).output().expect("run setpriv");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `program` as `user`, with the environment [`run_as`] describes and no stdin.
fn as_user(user: &TestUser, program: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new("/usr/bin/setpriv");
    command
        .args([
            format!("--reuid={}", user.uid),
            format!("--regid={}", user.gid),
            "--init-groups".into(),
            "--".into(),
            program.into(),
        ])
        .args(args)
        .env_clear()
        .env("HOME", &user.home)
        .env("USER", &user.name)
        .env("LOGNAME", &user.name)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .envs(env.iter().copied())
        .current_dir("/")
        .stdin(Stdio::null());
    command
}

/// Starts `program` as `user`, as [`run_as`] runs it, and leaves it
/// running (a program on the user's display, say).
#[must_use]
pub fn spawn_as(user: &TestUser, program: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    as_user(user, program, args, env)
        .stdout(Stdio::null())
        .spawn()
        .expect("start setpriv")
}

/// Connects to a Unix socket (and, with a request, sends it and reads the
/// whole answer; without, reads the first bytes the server sends). Perl is
/// in every Debian system (`perl-base`), so this needs nothing installed.
const UNIX_CLIENT: &str = r#"
use IO::Socket::UNIX;
binmode STDOUT;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]);
unless ($s) { print STDERR "connect: $!\n"; exit 3; }
my $buf;
if (@ARGV > 1) {
    print $s $ARGV[1];
    while (sysread($s, $buf, 65536)) { print $buf; }
} else {
    sysread($s, $buf, 12);
    print $buf;
}
exit 0;
"#;

/// Connects to the Unix socket at `path` as `user`: the first bytes its
/// server sends, or why the connection was refused (`connect: Permission
/// denied` …).
///
/// # Errors
/// The error the kernel gave the user.
pub fn connect_unix_as(user: &TestUser, path: &Path) -> Result<Vec<u8>, TestkitError> {
    let ran = run_as(user, "perl", &["-e", UNIX_CLIENT, &path.to_string_lossy()], &[]);
    if ran.code == 0 {
        Ok(ran.stdout)
    } else {
        Err(TestkitError::UnixConnect {
            user: user.name.clone(),
            path: path.to_owned(),
            message: ran.stderr.trim().to_owned(),
        })
    }
}

/// An HTTP answer read off a Unix socket.
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// Status code.
    pub status: u16,
    /// Header lines, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// The first value of header `name` (lowercase).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET path` on the daemon's control socket as `user` (the daemon takes
/// the caller from the socket's peer credentials).
///
/// # Panics
/// When the socket cannot be reached or the answer is not HTTP.
#[must_use]
pub fn http_get_as(user: &TestUser, socket: &Path, path: &str) -> HttpReply {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let ran = run_as(
        user,
        "perl",
        &["-e", UNIX_CLIENT, &socket.to_string_lossy(), &request],
        &[],
    );
    assert_eq!(ran.code, 0, "GET {path} as {}: {}", user.name, ran.stderr);
    parse_http(&ran.stdout).unwrap_or_else(|| panic!("not an HTTP answer: {}", ran.text()))
}

fn parse_http(raw: &[u8]) -> Option<HttpReply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body)?;
    }
    Some(HttpReply { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_answers_are_read_plain_and_chunked() {
        let plain = parse_http(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{}").expect("parsed");
        assert_eq!(plain.status, 404);
        assert_eq!(plain.header("content-type"), Some("application/json"));
        assert_eq!(plain.body, b"{}");
        let chunked =
            parse_http(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .expect("parsed");
        assert_eq!(chunked.body, b"abcde");
        assert!(parse_http(b"garbage").is_none());
    }
}
