//! A minimal VNC (RFB 3.8) viewer for tests: it connects through a
//! station's WebSocket relay (as a browser does) or straight to a session's
//! VNC socket, and types keys and moves the pointer. It is how a test
//! plays the person at the station, or a teacher watching: it can ask for
//! pictures and tell which server messages came ([`Viewer::pump`]).

use crate::error::TestkitError;
use crate::web::Events;
use podium_rfb::server::{ServerKind, ServerReader};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// Where the RFB bytes travel.
enum Transport {
    Relay(Box<Events>),
    Socket(UnixStream),
}

/// A connected viewer, past the handshake.
pub struct Viewer {
    transport: Transport,
    buffered: Vec<u8>,
    /// The desktop's size, from the server's init message.
    pub size: (u16, u16),
    /// The desktop's name.
    pub name: String,
    /// Follows the server's messages in every byte received.
    reader: ServerReader,
    /// The server messages that ended, in order.
    pub seen: Vec<ServerKind>,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("size", &self.size)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

const TIMEOUT: Duration = Duration::from_secs(5);

impl Viewer {
    /// Does the handshake over an open station relay.
    ///
    /// # Errors
    /// When the server does not speak RFB 3.8 with the None security type.
    pub fn over_relay(ws: Events) -> Result<Viewer, TestkitError> {
        Viewer::handshake(Transport::Relay(Box::new(ws)))
    }

    /// Connects straight to a VNC socket (as root, in tests).
    ///
    /// # Errors
    /// When the socket cannot be reached or does not speak RFB.
    pub fn over_socket(path: &Path) -> Result<Viewer, TestkitError> {
        let s = UnixStream::connect(path).map_err(|source| TestkitError::VncConnect {
            path: path.to_owned(),
            source,
        })?;
        s.set_read_timeout(Some(TIMEOUT))
            .map_err(|source| TestkitError::VncSocket {
                doing: "setting a read timeout on",
                source,
            })?;
        Viewer::handshake(Transport::Socket(s))
    }

    fn handshake(transport: Transport) -> Result<Viewer, TestkitError> {
        let mut v = Viewer {
            transport,
            buffered: Vec::new(),
            size: (0, 0),
            name: String::new(),
            reader: ServerReader::new(),
            seen: Vec::new(),
        };
        let version = v.read_exact(12)?;
        if version != b"RFB 003.008\n" {
            return Err(TestkitError::RfbVersion(String::from_utf8_lossy(&version).into_owned()));
        }
        v.write(b"RFB 003.008\n")?;
        let n = v.read_exact(1)?[0];
        let types = v.read_exact(usize::from(n))?;
        if !types.contains(&1) {
            return Err(TestkitError::RfbSecurityTypes(types));
        }
        v.write(&[1])?;
        let result = v.read_exact(4)?;
        if result != [0, 0, 0, 0] {
            return Err(TestkitError::RfbSecurityRefused(result));
        }
        v.write(&[1])?; // shared
        let init = v.read_exact(24)?;
        v.size = (
            u16::from_be_bytes([init[0], init[1]]),
            u16::from_be_bytes([init[2], init[3]]),
        );
        let len = u32::from_be_bytes([init[20], init[21], init[22], init[23]]) as usize;
        v.name = String::from_utf8_lossy(&v.read_exact(len)?).into_owned();
        Ok(v)
    }

    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, TestkitError> {
        while self.buffered.len() < n {
            let more = match &mut self.transport {
                Transport::Relay(ws) => ws
                    .next_binary(TIMEOUT)
                    .ok_or(TestkitError::RelayClosed { waited: TIMEOUT })?,
                Transport::Socket(s) => {
                    let mut buf = [0u8; 4096];
                    let got = s.read(&mut buf).map_err(|source| TestkitError::VncSocket {
                        doing: "reading",
                        source,
                    })?;
                    if got == 0 {
                        return Err(TestkitError::SocketClosed);
                    }
                    buf[..got].to_vec()
                }
            };
            self.note(&more)?;
            self.buffered.extend(more);
        }
        Ok(self.buffered.drain(..n).collect())
    }

    /// Follows the server's messages in bytes just received.
    fn note(&mut self, data: &[u8]) -> Result<(), TestkitError> {
        let ends = self
            .reader
            .feed(data, &mut Vec::new())
            .map_err(|e| TestkitError::RfbFraming(e.to_string()))?;
        self.seen.extend(ends.into_iter().map(|(_, kind)| kind));
        Ok(())
    }

    /// Asks for these encodings (by RFB number), as a browser's noVNC does.
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn ask_encodings(&mut self, encodings: &[i32]) -> Result<(), TestkitError> {
        let mut m = vec![2, 0];
        m.extend_from_slice(&u16::try_from(encodings.len()).unwrap_or(0).to_be_bytes());
        for e in encodings {
            m.extend_from_slice(&e.to_be_bytes());
        }
        self.write(&m)
    }

    /// For `time`, asks for screen updates and reads every server message
    /// (answering the relay's pings); the kinds that came, in order.
    ///
    /// # Errors
    /// When the connection is gone or a message cannot be framed.
    pub fn pump(&mut self, time: Duration) -> Result<Vec<ServerKind>, TestkitError> {
        let start = self.seen.len();
        let until = std::time::Instant::now() + time;
        self.request(false)?;
        while std::time::Instant::now() < until {
            let wait = until
                .saturating_duration_since(std::time::Instant::now())
                .min(Duration::from_millis(300));
            let more = match &mut self.transport {
                Transport::Relay(ws) => match ws.poll_binary(wait) {
                    Ok(Some(b)) => b,
                    Ok(None) => continue,
                    Err(code) => return Err(TestkitError::RelayClosedWith { code }),
                },
                Transport::Socket(s) => {
                    let _ = s.set_read_timeout(Some(wait.max(Duration::from_millis(1))));
                    let mut buf = vec![0u8; 256 * 1024];
                    match s.read(&mut buf) {
                        Ok(0) => return Err(TestkitError::SocketClosed),
                        Ok(n) => buf[..n].to_vec(),
                        Err(_) => continue,
                    }
                }
            };
            let before = self.seen.len();
            self.note(&more)?;
            if self.seen[before..].contains(&ServerKind::Update) {
                self.request(true)?;
            }
        }
        Ok(self.seen[start..].to_vec())
    }

    /// Asks for an update of the whole screen.
    fn request(&mut self, incremental: bool) -> Result<(), TestkitError> {
        let [w1, w2] = self.size.0.to_be_bytes();
        let [h1, h2] = self.size.1.to_be_bytes();
        self.write(&[3, u8::from(incremental), 0, 0, 0, 0, w1, w2, h1, h2])
    }

    fn write(&mut self, data: &[u8]) -> Result<(), TestkitError> {
        match &mut self.transport {
            Transport::Relay(ws) => ws.send_binary(data),
            Transport::Socket(s) => s.write_all(data).map_err(|source| TestkitError::VncSocket {
                doing: "writing",
                source,
            }),
        }
    }

    /// Moves the pointer to (x, y), buttons up.
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn point(&mut self, x: u16, y: u16) -> Result<(), TestkitError> {
        let [x1, x2] = x.to_be_bytes();
        let [y1, y2] = y.to_be_bytes();
        self.write(&[5, 0, x1, x2, y1, y2])
    }

    /// Clicks the left button at (x, y).
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn click(&mut self, x: u16, y: u16) -> Result<(), TestkitError> {
        let [x1, x2] = x.to_be_bytes();
        let [y1, y2] = y.to_be_bytes();
        self.write(&[5, 1, x1, x2, y1, y2])?;
        self.write(&[5, 0, x1, x2, y1, y2])
    }

    /// Presses and releases one key (an X keysym).
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn key(&mut self, keysym: u32) -> Result<(), TestkitError> {
        let k = keysym.to_be_bytes();
        self.write(&[4, 1, 0, 0, k[0], k[1], k[2], k[3]])?;
        self.write(&[4, 0, 0, 0, k[0], k[1], k[2], k[3]])
    }

    /// Types `text` (ASCII and Latin-1 letters, `\n` for Return).
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn type_text(&mut self, text: &str) -> Result<(), TestkitError> {
        for c in text.chars() {
            let keysym = match c {
                '\n' => 0xff0d,
                c if u32::from(c) < 0x100 => u32::from(c),
                c => 0x0100_0000 | u32::from(c),
            };
            self.key(keysym)?;
        }
        Ok(())
    }

    /// Whether the server has closed the connection (waits up to `timeout`).
    #[must_use]
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        match &mut self.transport {
            Transport::Relay(ws) => {
                ws.close_code(timeout).is_some() || ws.next_binary(Duration::from_millis(10)).is_none()
            }
            Transport::Socket(s) => {
                let _ = s.set_read_timeout(Some(timeout));
                let mut buf = [0u8; 4096];
                loop {
                    match s.read(&mut buf) {
                        Ok(0) => return true,
                        Ok(_) => {}
                        Err(e) => {
                            return !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut);
                        }
                    }
                }
            }
        }
    }
}
