//! Finding a session manager's cookies in the user's ICE authority file
//! (`~/.ICEauthority`, written by `iceauth`).
//!
//! The file is a sequence of entries of five fields — protocol name,
//! protocol data, network id, authentication name, authentication data —
//! each a big-endian CARD16 length and that many bytes. A session manager
//! such as xfce4-session listens on two sockets, the abstract
//! `@/tmp/.ICE-unix/PID` (network id `local/HOST:@/tmp/.ICE-unix/PID`) and
//! the path `/tmp/.ICE-unix/PID` (`unix/HOST:/tmp/.ICE-unix/PID`), and
//! writes a different cookie for each socket and each protocol ("ICE" for
//! the connection, "XSMP" for the protocol on it), so which cookie applies
//! depends on the socket the caller connected to.
//!
//! The file belongs to the session's user, who can write anything in it:
//! its size is bounded, every length is checked, and nothing of an entry
//! that does not match is kept.

use crate::error::{Result, XsmpError};

/// The largest authority file we read. Entries accumulate when sessions
/// end without their manager removing its own (a killed session leaves
/// four), so this leaves room for hundreds of them.
pub const MAX_AUTHORITY: usize = 64 * 1024;

/// The only authentication method ICE session managers use.
const MAGIC_COOKIE: &[u8] = b"MIT-MAGIC-COOKIE-1";

/// Which of a session manager's two listening sockets a stream is
/// connected to; each has cookies of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceSocket {
    /// The abstract socket `@/tmp/.ICE-unix/PID` (transport `local`).
    Abstract,
    /// The socket file `/tmp/.ICE-unix/PID` (transport `unix`).
    Path,
}

impl IceSocket {
    /// The socket's address as network ids write it: `@/tmp/.ICE-unix/PID`
    /// or `/tmp/.ICE-unix/PID`. For [`IceSocket::Abstract`] the name to
    /// connect to is this without the `@`.
    #[must_use]
    pub fn address(self, manager_pid: u32) -> String {
        match self {
            IceSocket::Abstract => format!("@/tmp/.ICE-unix/{manager_pid}"),
            IceSocket::Path => format!("/tmp/.ICE-unix/{manager_pid}"),
        }
    }
}

/// The MIT-MAGIC-COOKIE-1 cookies to prove to a session manager that we
/// may act for its user: the one to answer the ICE connection set-up's
/// AuthRequired with, and the one for XSMP's protocol set-up. A missing
/// one is not offered: a manager may not ask for it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cookies {
    /// For the ICE connection set-up.
    pub ice: Option<Vec<u8>>,
    /// For the XSMP protocol set-up.
    pub xsmp: Option<Vec<u8>>,
}

impl std::fmt::Debug for Cookies {
    /// Says which cookies there are, never what they are.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |c: &Option<Vec<u8>>| c.as_ref().map(|c| format!("{} bytes", c.len()));
        f.debug_struct("Cookies")
            .field("ice", &shown(&self.ice))
            .field("xsmp", &shown(&self.xsmp))
            .finish()
    }
}

/// The cookies in `authority` (an ICE authority file's bytes) for the
/// session manager of process `manager_pid`, reached on `socket`.
///
/// An entry matches when its network id's address (after the host name,
/// which may be out of date) is the socket's, and its method is
/// MIT-MAGIC-COOKIE-1; the first match wins, as in libICE, and entries
/// with an empty cookie are skipped.
///
/// Both cookies are the "ICE" entry's, as libICE has them: its
/// MIT-MAGIC-COOKIE-1 code looks up the "ICE" entry for every protocol
/// set up on a connection, on the manager's side as on the client's, so
/// xfce4-session rejects the "XSMP" entry's own cookie in the protocol
/// set-up. An "XSMP" entry only says that authentication is offered for
/// XSMP: [`Cookies::xsmp`] is set when there is one.
///
/// # Errors
/// [`XsmpError::Authority`] when the file is over [`MAX_AUTHORITY`] bytes
/// or an entry is cut short.
pub fn cookies_for(authority: &[u8], manager_pid: u32, socket: IceSocket) -> Result<Cookies> {
    if authority.len() > MAX_AUTHORITY {
        return Err(XsmpError::Authority("the file is larger than allowed"));
    }
    let suffix = format!(":{}", socket.address(manager_pid));
    let mut ice: Option<&[u8]> = None;
    let mut xsmp_offered = false;
    let mut rest = authority;
    while !rest.is_empty() {
        let entry = Entry::read(&mut rest)?;
        if entry.auth_name != MAGIC_COOKIE || entry.data.is_empty() || !entry.network_id.ends_with(suffix.as_bytes()) {
            continue;
        }
        match entry.protocol {
            b"ICE" if ice.is_none() => ice = Some(entry.data),
            b"ICE" => tracing::debug!(manager_pid, "ICE authority: a later matching entry is ignored"),
            b"XSMP" => xsmp_offered = true,
            _ => {}
        }
    }
    let ice = ice.map(<[u8]>::to_vec);
    Ok(Cookies {
        xsmp: ice.clone().filter(|_| xsmp_offered),
        ice,
    })
}

/// One entry, borrowed from the file.
struct Entry<'a> {
    protocol: &'a [u8],
    network_id: &'a [u8],
    auth_name: &'a [u8],
    data: &'a [u8],
}

impl<'a> Entry<'a> {
    /// Reads the entry at the start of `rest` and moves past it.
    fn read(rest: &mut &'a [u8]) -> Result<Entry<'a>> {
        let protocol = field(rest)?;
        let _protocol_data = field(rest)?;
        let network_id = field(rest)?;
        let auth_name = field(rest)?;
        let data = field(rest)?;
        Ok(Entry {
            protocol,
            network_id,
            auth_name,
            data,
        })
    }
}

/// A big-endian CARD16 length and that many bytes.
fn field<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8]> {
    let cut = || XsmpError::Authority("an entry is cut short");
    let (len, after) = rest.split_at_checked(2).ok_or_else(cut)?;
    let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
    let (value, after) = after.split_at_checked(len).ok_or_else(cut)?;
    *rest = after;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(protocol: &str, network_id: &str, auth_name: &str, cookie: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for f in [
            protocol.as_bytes(),
            b"",
            network_id.as_bytes(),
            auth_name.as_bytes(),
            cookie,
        ] {
            out.extend_from_slice(&u16::try_from(f.len()).unwrap().to_be_bytes());
            out.extend_from_slice(f);
        }
        out
    }

    /// What xfce4-session (pid 4724) writes, after an older session's
    /// entries (pid 472, host renamed since) and another program's.
    fn file() -> Vec<u8> {
        [
            entry(
                "ICE",
                "local/oldhost:@/tmp/.ICE-unix/472",
                "MIT-MAGIC-COOKIE-1",
                &[9; 16],
            ),
            entry(
                "XSMP",
                "local/oldhost:@/tmp/.ICE-unix/472",
                "MIT-MAGIC-COOKIE-1",
                &[8; 16],
            ),
            entry("ICE", "local/vm:@/tmp/.ICE-unix/4724", "MIT-MAGIC-COOKIE-1", &[1; 16]),
            entry("XSMP", "local/vm:@/tmp/.ICE-unix/4724", "MIT-MAGIC-COOKIE-1", &[2; 16]),
            entry("ICE", "unix/vm:/tmp/.ICE-unix/4724", "MIT-MAGIC-COOKIE-1", &[3; 16]),
            entry("XSMP", "unix/vm:/tmp/.ICE-unix/4724", "MIT-MAGIC-COOKIE-1", &[4; 16]),
            entry("OTHER", "unix/vm:/tmp/.ICE-unix/4724", "MIT-MAGIC-COOKIE-1", &[5; 16]),
        ]
        .concat()
    }

    #[test]
    fn each_socket_gets_its_ice_cookie_for_both_set_ups() {
        let abs = cookies_for(&file(), 4724, IceSocket::Abstract).unwrap();
        assert_eq!(abs.ice, Some(vec![1; 16]));
        assert_eq!(abs.xsmp, Some(vec![1; 16]), "libICE checks XSMP against the ICE entry");
        let path = cookies_for(&file(), 4724, IceSocket::Path).unwrap();
        assert_eq!(path.ice, Some(vec![3; 16]));
        assert_eq!(path.xsmp, Some(vec![3; 16]));
        let old = cookies_for(&file(), 472, IceSocket::Abstract).unwrap();
        assert_eq!(old.ice, Some(vec![9; 16]), "the host name may have changed");
    }

    #[test]
    fn another_pid_or_a_pid_sharing_digits_matches_nothing() {
        for pid in [4725, 24, 47245, 724] {
            assert_eq!(
                cookies_for(&file(), pid, IceSocket::Abstract).unwrap(),
                Cookies::default()
            );
        }
        assert_eq!(cookies_for(&file(), 472, IceSocket::Path).unwrap(), Cookies::default());
        assert_eq!(cookies_for(&[], 4724, IceSocket::Path).unwrap(), Cookies::default());
    }

    #[test]
    fn no_xsmp_entry_means_no_xsmp_cookie_offered() {
        let only_ice = entry("ICE", "unix/vm:/tmp/.ICE-unix/7", "MIT-MAGIC-COOKIE-1", &[6; 16]);
        let c = cookies_for(&only_ice, 7, IceSocket::Path).unwrap();
        assert_eq!((c.ice, c.xsmp), (Some(vec![6; 16]), None));
    }

    #[test]
    fn empty_fields_other_methods_and_empty_cookies_are_skipped() {
        let f = [
            entry("", "", "", b""),
            entry("ICE", "unix/vm:/tmp/.ICE-unix/7", "XDM-AUTHORIZATION-1", &[1; 8]),
            entry("ICE", "unix/vm:/tmp/.ICE-unix/7", "MIT-MAGIC-COOKIE-1", b""),
            entry("ICE", "unix/vm:/tmp/.ICE-unix/7", "MIT-MAGIC-COOKIE-1", &[2; 16]),
            entry("ICE", "unix/vm:/tmp/.ICE-unix/7", "MIT-MAGIC-COOKIE-1", &[3; 16]),
        ]
        .concat();
        assert_eq!(cookies_for(&f, 7, IceSocket::Path).unwrap().ice, Some(vec![2; 16]));
    }

    #[test]
    fn a_cut_file_is_an_error_wherever_it_is_cut() {
        let f = file();
        let ends: Vec<usize> = (1..=7).map(|n| file_of(n).len()).collect();
        for cut in 1..f.len() {
            let r = cookies_for(&f[..cut], 4724, IceSocket::Path);
            if ends.contains(&cut) {
                assert!(r.is_ok(), "cut at an entry's end ({cut})");
            } else {
                assert!(matches!(r, Err(XsmpError::Authority(_))), "cut at {cut}");
            }
        }
    }

    fn file_of(entries: usize) -> Vec<u8> {
        let mut rest = &file()[..];
        let total = rest.len();
        for _ in 0..entries {
            Entry::read(&mut rest).unwrap();
        }
        file()[..total - rest.len()].to_vec()
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let big = vec![0u8; MAX_AUTHORITY + 2];
        assert!(matches!(
            cookies_for(&big, 1, IceSocket::Path),
            Err(XsmpError::Authority(_))
        ));
        // Exactly at the limit, all empty entries (10 zero bytes each) but the last.
        let mut full = vec![0u8; MAX_AUTHORITY - MAX_AUTHORITY % 10];
        let last = entry("ICE", "unix/h:/tmp/.ICE-unix/1", "MIT-MAGIC-COOKIE-1", &[7; 4]);
        full.truncate(full.len() - 60);
        full.extend_from_slice(&last);
        assert!(full.len() <= MAX_AUTHORITY);
        assert_eq!(cookies_for(&full, 1, IceSocket::Path).unwrap().ice, Some(vec![7; 4]));
    }

    #[test]
    fn cookies_are_not_printed() {
        let c = cookies_for(&file(), 4724, IceSocket::Path).unwrap();
        assert_eq!(
            format!("{c:?}"),
            r#"Cookies { ice: Some("16 bytes"), xsmp: Some("16 bytes") }"#
        );
    }
}
