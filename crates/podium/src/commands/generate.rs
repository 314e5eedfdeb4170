//! `podium manpages DIR` and `podium completions SHELL`: documentation made
//! from the CLI definition (`cli.rs`) and the shipped configuration file,
//! so it cannot drift from the code. The Debian package runs both
//! (`scripts/build-deb.sh`).

use super::Status;
use crate::cli::{Cli, CompletionShell};
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};
use std::path::Path;

/// The commented configuration file installed as /etc/podium/podium.toml;
/// podium.toml(5) is made from its comments.
const SHIPPED_CONFIG: &str = include_str!("../../../../dist/podium.toml");

/// The manual's name in each page's header.
const MANUAL: &str = "Podium Manual";

/// Writes podium(1), one page per visible subcommand (podium-serve(1),
/// podium-session(1), podium-session-logoff(1) …) and podium.toml(5).
pub fn manpages(dir: &Path) -> Result<Status> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in pages()? {
        let path = dir.join(&name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(Status::Ok)
}

/// Prints the completion script for `shell`.
pub fn completions(shell: CompletionShell) -> Result<Status> {
    let mut out = std::io::stdout().lock();
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut visible_commands(), "podium", &mut out);
    std::io::Write::flush(&mut out).context("cannot write the completion script")?;
    Ok(Status::Ok)
}

/// The CLI without its hidden (internal) subcommands, which completion
/// scripts would otherwise offer.
fn visible_commands() -> clap::Command {
    let full = Cli::command();
    let visible = clap::Command::new("podium")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .disable_help_subcommand(true)
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    match full.get_about() {
        Some(about) => visible.about(about.clone()),
        None => visible,
    }
}

/// Every page: file name and roff text.
fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = Vec::new();
    command_pages(&root, &mut pages)?;
    pages.push(("podium.toml.5".to_owned(), config_page().into_bytes()));
    Ok(pages)
}

/// The page of `cmd`, then those of its visible subcommands.
fn command_pages(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let man = Man::new(cmd.clone())
        .manual(MANUAL)
        .source(format!("podium {}", env!("CARGO_PKG_VERSION")));
    let name = man.get_filename();
    let mut text = Vec::new();
    man.render(&mut text).context("cannot render a man page")?;
    extra_sections(cmd, &name)
        .to_writer(&mut text)
        .context("cannot render a man page")?;
    pages.push((name, text));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_pages(sub, pages)?;
    }
    Ok(())
}

/// A `.TP` paragraph: a bold tag and its text.
fn item(roff: &mut Roff, tag: &str, text: &str) {
    roff.control("TP", []).text([bold(tag)]).text([roman(text)]);
}

/// What clap does not know: files, environment, exit status, related pages.
fn extra_sections(cmd: &clap::Command, file_name: &str) -> Roff {
    let mut roff = Roff::new();
    let page = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem);
    if page == "podium" {
        roles_status_environment(&mut roff);
    }
    if page == "podium" || page == "podium-serve" {
        files(&mut roff);
    }
    if page == "podium-serve" {
        signals_notes(&mut roff);
    }
    see_also(&mut roff, cmd, page);
    roff
}

/// `podium(1)`'s ROLES, EXIT STATUS and ENVIRONMENT.
fn roles_status_environment(roff: &mut Roff) {
    roff.control("SH", ["ROLES"]);
    roff.text([roman(
        "The daemon asks the kernel who is on the other end of its socket, and that person's Unix groups, \
         at the time of each request, give their role:",
    )]);
    item(
        roff,
        "standard user",
        "any account with a uid of at least 1000 that is not in podium-deny: their own session only.",
    );
    item(
        roff,
        "dashboard user",
        "a member of podium-dashboard: every session but administrators'.",
    );
    item(
        roff,
        "administrator",
        "root, or a member of podium-admin, sudo or wheel: everything.",
    );
    roff.control("SH", ["EXIT STATUS"]);
    item(roff, "0", "Every target was done.");
    item(roff, "1", "Something was refused or failed; each is printed.");
    item(roff, "2", "Usage error.");
    roff.control("SH", ["ENVIRONMENT"]);
    item(roff, "PODIUM_SOCKET", "The daemon's control socket, as --socket.");
    item(roff, "PODIUM_SERVER", "A daemon to talk to over HTTPS, as --server.");
    item(roff, "PODIUM_USER", "The user to log in as with --server, as --user.");
    item(
        roff,
        "PODIUM_PASSWORD",
        "That user's password; without it, the password is asked for.",
    );
    item(
        roff,
        "PODIUM_LOG",
        "What the daemon logs, as a tracing filter, e.g. info or podium_host=debug.",
    );
}

/// The FILES the daemon reads and writes.
fn files(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    item(
        roff,
        "/etc/podium/podium.toml",
        "The configuration; see podium.toml(5). Every key has a default.",
    );
    item(
        roff,
        "/etc/pam.d/podium",
        "The PAM service for web logins and desktop sessions.",
    );
    item(
        roff,
        "/var/lib/podium/",
        "The state directory: podium.db (SQLite: the session registry and the audit log) and the TLS key \
         and self-signed certificate.",
    );
    item(
        roff,
        "/run/podium/podium.sock",
        "The control socket. Anyone may connect; the kernel tells the daemon who is asking.",
    );
    item(
        roff,
        "/lib/systemd/system/podium.service",
        "The systemd unit. Restarting or stopping the daemon does not end any session: the next daemon \
         takes them back.",
    );
}

/// `podium-serve(1)`'s SIGNALS and NOTES.
fn signals_notes(roff: &mut Roff) {
    roff.control("SH", ["SIGNALS"]);
    item(
        roff,
        "SIGTERM, SIGINT",
        "Stop the daemon. Sessions keep running and are taken back at the next start.",
    );
    roff.control("SH", ["NOTES"]);
    roff.text([roman(
        "Under systemd (Type=notify) the daemon sends READY=1 to $NOTIFY_SOCKET once it listens on every \
         address and has taken back the sessions that were running.",
    )]);
}

/// SEE ALSO: the main page, the subcommands' pages, and podium.toml(5).
fn see_also(roff: &mut Roff, cmd: &clap::Command, page: &str) {
    roff.control("SH", ["SEE ALSO"]);
    let mut related: Vec<String> = Vec::new();
    if page != "podium" {
        related.push("podium(1)".into());
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        related.push(format!("{page}-{}(1)", sub.get_name()));
    }
    related.push("podium.toml(5)".into());
    roff.text([roman(related.join(", "))]);
}

/// One documented key (or a few sharing one description) of podium.toml.
#[derive(Debug, Default)]
struct Entry {
    /// `key = default` lines, as written in the shipped file.
    keys: Vec<String>,
    /// The comment above them.
    text: String,
}

/// The shipped file's sections: each `[name]` with its documented keys.
fn documented_keys(shipped: &str) -> Vec<(String, Vec<Entry>)> {
    let mut sections: Vec<(String, Vec<Entry>)> = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    let mut last_was_key = false;
    for line in shipped.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_owned(), Vec::new()));
            comment.clear();
            last_was_key = false;
            continue;
        }
        let Some((_, entries)) = sections.last_mut() else {
            continue; // the file's own header, before the first table
        };
        let Some(rest) = line.strip_prefix('#') else {
            comment.clear();
            last_was_key = false;
            continue;
        };
        let is_key = rest
            .split_once(" = ")
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        match (is_key, last_was_key, entries.last_mut()) {
            (true, true, Some(previous)) => previous.keys.push(rest.to_owned()),
            (true, _, _) => entries.push(Entry {
                keys: vec![rest.to_owned()],
                text: comment.join(" "),
            }),
            (false, _, _) => comment.push(rest.trim()),
        }
        if is_key {
            comment.clear();
        }
        last_was_key = is_key;
    }
    sections
}

/// podium.toml(5), from the comments of the shipped file.
fn config_page() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let source = format!("podium {version}");
    let mut roff = Roff::new();
    roff.control("TH", ["PODIUM.TOML", "5", "", source.as_str(), MANUAL]);
    roff.control("SH", ["NAME"]);
    roff.text([roman("podium.toml - the configuration of the Podium daemon")]);
    roff.control("SH", ["SYNOPSIS"]);
    roff.text([bold("/etc/podium/podium.toml")]);
    roff.control("SH", ["DESCRIPTION"]);
    roff.text([
        italic("podium serve"),
        roman(
            " reads this TOML file at start (another one with --config). Every key is optional and has a \
             default, so the daemon also runs without the file. The file installed by the package lists every \
             key with its default, commented out: uncomment a line to change it. Keys that are off unless \
             set (web.plain_http, tls.cert and tls.key) are shown with an example instead.",
        ),
    ]);
    roff.control("PP", []);
    roff.text([
        roman("A mistake stops the daemon with the file's name, the line and the key, for example "),
        bold("/etc/podium/podium.toml:12: session.grace_seconds: must be at most 600"),
        roman(". "),
        bold("podium check-config"),
        roman(
            " finds the same mistakes without starting anything, and prints the configuration the daemon \
             would run with. Changes take effect when the daemon restarts (",
        ),
        bold("systemctl restart podium"),
        roman("); sessions keep running across the restart."),
    ]);
    for (section, entries) in documented_keys(SHIPPED_CONFIG) {
        roff.control("SH", [format!("[{section}]").as_str()]);
        for entry in entries {
            for (i, key) in entry.keys.iter().enumerate() {
                roff.control(if i == 0 { "TP" } else { "TQ" }, []);
                roff.text([bold(key.as_str())]);
            }
            roff.text([roman(entry.text.as_str())]);
        }
    }
    roff.control("SH", ["EXAMPLE"]);
    roff.text([roman(
        "A longer warning, and a reverse proxy in front of the web dashboard:",
    )]);
    roff.control("PP", []);
    roff.control("nf", []);
    roff.control("RS", ["4"]);
    for line in [
        "[session]",
        "grace_seconds = 30",
        "",
        "[web]",
        "plain_http = \"127.0.0.1:8080\"",
    ] {
        roff.text([roman(line)]);
    }
    roff.control("RE", []);
    roff.control("fi", []);
    roff.control("SH", ["FILES"]);
    item(&mut roff, "/etc/podium/podium.toml", "This file.");
    item(
        &mut roff,
        "/var/lib/podium/",
        "The default state directory (server.state_dir).",
    );
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman("podium(1), podium-serve(1), podium-check-config(1)")]);
    roff.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn page(name: &str) -> String {
        let pages = pages().expect("pages render");
        let (_, text) = pages
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no page {name}"));
        String::from_utf8(text).expect("utf-8")
    }

    #[test]
    fn there_is_a_page_per_visible_command_and_none_for_internal_ones() {
        let names: Vec<String> = pages().expect("pages").into_iter().map(|(n, _)| n).collect();
        for expected in [
            "podium.1",
            "podium-serve.1",
            "podium-session.1",
            "podium-session-logoff.1",
            "podium-audit.1",
            "podium-check-config.1",
            "podium.toml.5",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
        }
        for hidden in ["session-worker", "auth-check", "manpages", "completions"] {
            assert!(!names.iter().any(|n| n.contains(hidden)), "{hidden} in {names:?}");
        }
    }

    #[test]
    fn the_session_page_lists_its_subcommands_and_links_back() {
        let text = page("podium-session.1");
        assert!(
            text.starts_with(".ie") || text.contains(".TH podium-session 1"),
            "{text}"
        );
        for word in ["logoff", "list", "start", "podium(1)", "podium.toml(5)"] {
            assert!(text.contains(word), "{word} in:\n{text}");
        }
    }

    #[test]
    fn the_config_page_documents_every_key_of_the_config() {
        let text = config_page();
        let mut full = podium_core::Config::default();
        full.web.plain_http = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
        full.tls.cert = Some(PathBuf::from("/c.pem"));
        full.tls.key = Some(PathBuf::from("/k.pem"));
        let tree = serde_json::to_value(&full).expect("serializes");
        let sections = tree.as_object().expect("a table of tables");
        assert!(!sections.is_empty());
        for (section, keys) in sections {
            assert!(text.contains(&format!(".SH [{section}]")), "[{section}] in:\n{text}");
            for (key, value) in keys.as_object().expect("a table") {
                if value.is_object() {
                    // A table of its own ([cluster.peers]) has its own heading.
                    let heading = format!(".SH [{section}.{key}]");
                    assert!(text.contains(&heading), "{heading} in:\n{text}");
                    continue;
                }
                if value.is_array() && text.contains(&format!("[[{section}.{key}]]")) {
                    // A list of tables ([[open.programs]]) is shown by one
                    // example table, its keys each documented.
                    continue;
                }
                assert!(
                    text.contains(&format!("\\fB{key} = ")),
                    "{section}.{key} documented in:\n{text}"
                );
            }
        }
        assert!(
            text.contains("Warning before a log off"),
            "descriptions are kept:\n{text}"
        );
    }

    #[test]
    fn keys_without_their_own_comment_share_the_one_above() {
        let sections = documented_keys(SHIPPED_CONFIG);
        let (_, tls) = sections.iter().find(|(n, _)| n == "tls").expect("[tls]");
        assert_eq!(tls.len(), 1, "{tls:?}");
        assert_eq!(tls[0].keys.len(), 2, "{tls:?}");
        assert!(tls[0].text.starts_with("Your own certificate"), "{tls:?}");
    }
}
