//! LibreOffice at a log off: every open document kept for the next
//! session, the way a session manager has LibreOffice keep them.
//!
//! LibreOffice's gtk3 back end (Debian's under Xfce and GNOME) does not
//! answer XSMP, so the desktop's own log out cannot reach it. Podium's
//! LibreOffice extension (`dist/libreoffice/podium-session`) listens in
//! each LibreOffice process on `@podium-office/<pid>`; asked
//! `end-session`, it runs LibreOffice's session save and quiet quit and
//! says which documents it had and which held unsaved changes.

use super::socket::{self, Address};
use crate::cgroup::SessionCgroup;
use crate::error::{HostError, Result};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::Duration;

/// LibreOffice's process name.
pub const PROCESS: &str = "soffice.bin";
/// The program as a teacher knows it.
const PROGRAM: &str = "LibreOffice";
/// The longest answer read: a few hundred documents' titles and URLs.
const MAX_ANSWER: u64 = 256 * 1024;

/// One document LibreOffice had open.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Document {
    /// Its title, as in the window ("Untitled 2", "report.odt").
    pub title: String,
    /// Whether it held changes that were not saved.
    pub modified: bool,
    /// Where it is stored; empty for a document never saved.
    #[serde(default)]
    pub url: String,
}

/// What one LibreOffice process answered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Answer {
    /// Whether LibreOffice kept every document for its next start (and quits).
    #[serde(default)]
    pub kept: bool,
    /// The documents it had open.
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Why it could not keep them.
    #[serde(default)]
    pub error: Option<String>,
}

/// The LibreOffice processes of a session.
#[must_use]
pub fn processes(cgroup: &SessionCgroup, uid: u32) -> Vec<i32> {
    super::procs::named(cgroup, PROCESS, uid)
}

/// Asks LibreOffice process `pid` of user `uid` to keep its documents and
/// quit, waiting up to `patience` for the answer.
///
/// # Errors
/// [`HostError::DesktopProgram`] when the process does not listen (no
/// extension, or still starting), is not the user's, or answers nonsense.
pub fn end_session(pid: i32, uid: u32, patience: Duration) -> Result<Answer> {
    let fail = |why: String| HostError::DesktopProgram {
        program: PROGRAM,
        pid,
        why,
    };
    let address = Address::Abstract(format!("podium-office/{pid}"));
    let mut stream = socket::connect(PROGRAM, pid, uid, &address, patience)?;
    stream
        .write_all(b"end-session\n")
        .map_err(|e| fail(format!("cannot ask: {e}")))?;
    let mut line = String::new();
    BufReader::new((&stream).take(MAX_ANSWER))
        .read_line(&mut line)
        .map_err(|e| fail(format!("no answer: {e}")))?;
    let answer = parse(pid, &line)?;
    match &answer.error {
        Some(why) if !answer.kept => Err(fail(why.clone())),
        _ => Ok(answer),
    }
}

/// Reads the answer line of LibreOffice process `pid`.
///
/// # Errors
/// [`HostError::DesktopProgram`] saying what is wrong with the line.
pub fn parse(pid: i32, line: &str) -> Result<Answer> {
    let fail = |why: String| HostError::DesktopProgram {
        program: PROGRAM,
        pid,
        why,
    };
    if !line.ends_with('\n') {
        return Err(fail("the answer was cut short".into()));
    }
    serde_json::from_str(line.trim_end()).map_err(|e| fail(format!("a malformed answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_extension_answers() {
        let a = parse(
            7,
            "{\"kept\": true, \"documents\": [{\"title\": \"Untitled 2\", \"modified\": true, \"url\": \"\"}]}\n",
        );
        assert_eq!(
            a.ok(),
            Some(Answer {
                kept: true,
                documents: vec![Document {
                    title: "Untitled 2".into(),
                    modified: true,
                    url: String::new()
                }],
                error: None
            })
        );
        let failed = parse(7, "{\"kept\": false, \"error\": \"disk full\"}\n");
        assert_eq!(failed.ok().and_then(|a| a.error), Some("disk full".into()));
    }

    #[test]
    fn refuses_a_cut_or_malformed_answer() {
        let cut = parse(7, "{\"kept\": true").map_err(|e| e.to_string());
        assert_eq!(cut, Err("LibreOffice (process 7): the answer was cut short".into()));
        let bad = parse(7, "{\"kept\": tru}\n").map_err(|e| e.to_string());
        assert!(bad.is_err_and(|e| e.contains("malformed")));
        assert!(parse(7, "{\"documents\": 3}\n").is_err());
    }
}
