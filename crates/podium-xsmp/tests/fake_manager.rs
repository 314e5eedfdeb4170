//! The client against a session manager played by the test over a socket
//! pair, with this crate's own encoder and decoder: both byte orders,
//! Pings at any time, authentication, refusals, a manager that goes
//! silent, closes early or sends too much.

use podium_xsmp::wire::{ByteOrder, ErrorInfo, Message, Save, decode, encode, frame_len, sm};
use podium_xsmp::{Client, Cookies, LogoutOutcome, XsmpError};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const COOKIE: [u8; 16] = [0x5a; 16];

/// The manager's end of the connection.
struct Manager {
    s: UnixStream,
    order: ByteOrder,
    client_order: ByteOrder,
    /// The opcode the manager sends XSMP with.
    op: u8,
    /// The opcode the client said it sends XSMP with.
    client_op: Option<u8>,
}

impl Manager {
    /// Exchanges byte orders, as a libICE manager does on accepting.
    fn accept(s: UnixStream, order: ByteOrder, op: u8) -> Manager {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read timeout");
        let mut m = Manager {
            s,
            order,
            client_order: order,
            op,
            client_op: None,
        };
        m.send(&Message::ByteOrder(order));
        let mut first = [0u8; 8];
        m.s.read_exact(&mut first).expect("the client's first message");
        m.client_order = match decode(&first, order, None).expect("a ByteOrder message") {
            Message::ByteOrder(o) => o,
            other => panic!("the client began with {other:?}"),
        };
        m
    }

    fn send(&mut self, msg: &Message) {
        let b = encode(msg, self.order, self.op).expect("the manager's message encodes");
        self.s.write_all(&b).expect("the client reads");
    }

    /// The client's next message; `None` at the end of the stream.
    fn recv(&mut self) -> Option<Message> {
        let mut header = [0u8; 8];
        let n = self.s.read(&mut header[..1]).expect("the client writes");
        if n == 0 {
            return None;
        }
        self.s.read_exact(&mut header[1..]).expect("a whole header");
        let mut b = vec![0u8; frame_len(&header, self.client_order).expect("a length we accept")];
        b[..8].copy_from_slice(&header);
        self.s.read_exact(&mut b[8..]).expect("a whole message");
        Some(decode(&b, self.client_order, self.client_op).expect("a well-formed message from the client"))
    }

    fn expect(&mut self, name: &str) -> Message {
        let m = self
            .recv()
            .unwrap_or_else(|| panic!("the client closed instead of sending {name}"));
        assert_eq!(m.name(), name, "{m:?}");
        m
    }

    /// Pings, and checks the answer.
    fn ping(&mut self) {
        self.send(&Message::Ping);
        self.expect("PingReply");
    }

    /// Asks for the cookie, and checks it.
    fn authenticate(&mut self) {
        self.send(&Message::AuthRequired {
            auth_index: 0,
            data: Vec::new(),
        });
        assert_eq!(self.expect("AuthReply"), Message::AuthReply { data: COOKIE.to_vec() });
    }

    /// ConnectionSetup and ProtocolSetup, authenticated, with a Ping in each.
    fn set_up(&mut self) {
        let Message::ConnectionSetup(setup) = self.expect("ConnectionSetup") else {
            unreachable!()
        };
        assert_eq!(setup.auth_names, ["MIT-MAGIC-COOKIE-1"]);
        assert_eq!(setup.vendor, "Podium");
        self.ping();
        self.authenticate();
        self.send(&Message::ConnectionReply {
            version_index: 0,
            vendor: "Fake".into(),
            release: "1".into(),
        });
        let Message::ProtocolSetup {
            protocol_opcode,
            protocol_name,
            ..
        } = self.expect("ProtocolSetup")
        else {
            unreachable!()
        };
        assert_eq!(protocol_name, "XSMP");
        self.client_op = Some(protocol_opcode);
        self.authenticate();
        self.send(&Message::ProtocolReply {
            version_index: 0,
            protocol_opcode: self.op,
            vendor: "Fake".into(),
            release: "1".into(),
        });
    }

    /// Registration and the first save a new client makes.
    fn register(&mut self) {
        self.set_up();
        self.expect("RegisterClient");
        self.send(&Message::RegisterClientReply {
            client_id: b"1fake".to_vec(),
        });
        self.ping();
        self.send(&Message::SaveYourself(save(sm::SAVE_LOCAL, false)));
        self.expect_saved();
        self.send(&Message::SaveComplete);
    }

    /// SetProperties with restart style "never", then SaveYourselfDone.
    fn expect_saved(&mut self) {
        let Message::SetProperties(props) = self.expect("SetProperties") else {
            unreachable!()
        };
        let hint = props
            .iter()
            .find(|p| p.name == "RestartStyleHint")
            .expect("a restart style");
        assert_eq!(hint.values, [vec![sm::RESTART_NEVER]]);
        assert_eq!(
            self.expect("SaveYourselfDone"),
            Message::SaveYourselfDone { success: true }
        );
    }

    /// The log-out request Podium makes.
    fn expect_logout_request(&mut self) {
        assert_eq!(
            self.expect("SaveYourselfRequest"),
            Message::SaveYourselfRequest {
                save: Save {
                    save_type: sm::SAVE_BOTH,
                    shutdown: true,
                    interact_style: sm::INTERACT_NONE,
                    fast: true
                },
                global: true
            }
        );
    }

    /// The shutdown's save, answered.
    fn shutdown_save(&mut self) {
        self.send(&Message::SaveYourself(save(sm::SAVE_BOTH, true)));
        self.expect_saved();
    }

    /// CloseConnection with no reasons, then the end of the stream.
    fn expect_goodbye(&mut self) {
        assert_eq!(
            self.expect("CloseConnection"),
            Message::CloseConnection { reasons: Vec::new() }
        );
        assert_eq!(self.recv(), None);
    }
}

fn save(save_type: u8, shutdown: bool) -> Save {
    Save {
        save_type,
        shutdown,
        interact_style: sm::INTERACT_NONE,
        fast: shutdown,
    }
}

fn cookies() -> Cookies {
    Cookies {
        ice: Some(COOKIE.to_vec()),
        xsmp: Some(COOKIE.to_vec()),
    }
}

/// Runs `manager` on one end of a socket pair; the client gets the other.
fn with_manager(
    order: ByteOrder,
    op: u8,
    manager: impl FnOnce(&mut Manager) + Send + 'static,
) -> (UnixStream, JoinHandle<()>) {
    let (ours, theirs) = UnixStream::pair().expect("a socket pair");
    let handle = std::thread::spawn(move || manager(&mut Manager::accept(theirs, order, op)));
    (ours, handle)
}

fn logout(stream: UnixStream) -> Result<LogoutOutcome, XsmpError> {
    let client = Client::register(stream, &cookies(), Duration::from_secs(5))?;
    assert_eq!(client.client_id(), "1fake");
    client.request_logout(Duration::from_secs(5))
}

#[test]
fn logs_out_with_a_little_endian_manager_that_pings() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 3, |m| {
        m.register();
        m.expect_logout_request();
        m.ping();
        m.shutdown_save();
        m.send(&Message::SaveComplete);
        m.send(&Message::Die);
        m.expect_goodbye();
    });
    assert_eq!(logout(s).expect("the log-out"), LogoutOutcome::Died);
    m.join().expect("the manager's side holds");
}

#[test]
fn follows_a_big_endian_manager_to_a_cancelled_shutdown() {
    let (s, m) = with_manager(ByteOrder::MsbFirst, 2, |m| {
        m.register();
        m.expect_logout_request();
        m.shutdown_save();
        m.send(&Message::SaveYourselfPhase2);
        assert_eq!(
            m.expect("SaveYourselfDone"),
            Message::SaveYourselfDone { success: true }
        );
        m.send(&Message::ShutdownCancelled);
        m.expect_goodbye();
    });
    assert_eq!(logout(s).expect("the log-out"), LogoutOutcome::Cancelled);
    m.join().expect("the manager's side holds");
}

#[test]
fn a_manager_closing_during_the_shutdown_is_ending() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.register();
        m.expect_logout_request();
        m.shutdown_save();
    });
    assert_eq!(logout(s).expect("the log-out"), LogoutOutcome::ManagerClosed);
    m.join().expect("the manager's side holds");
}

#[test]
fn a_manager_closing_before_the_shutdown_dropped_us() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.register();
        m.expect_logout_request();
    });
    assert!(matches!(logout(s), Err(XsmpError::Dropped)));
    m.join().expect("the manager's side holds");
}

#[test]
fn a_rejected_cookie_is_reported_in_the_managers_words() {
    let (s, m) = with_manager(ByteOrder::MsbFirst, 1, |m| {
        m.expect("ConnectionSetup");
        m.send(&Message::AuthRequired {
            auth_index: 0,
            data: Vec::new(),
        });
        m.expect("AuthReply");
        let mut values = vec![0, 8];
        values.extend_from_slice(b"rejected\0\0");
        m.send(&Message::Error(ErrorInfo {
            major: 0,
            class: 4, // IceAuthRejected
            offending_minor: 4,
            severity: 2,
            sequence: 1,
            values,
        }));
    });
    let err = Client::register(s, &cookies(), Duration::from_secs(5)).unwrap_err();
    assert!(
        matches!(&err, XsmpError::Peer { class: 4, reason: Some(r), .. } if r == "rejected"),
        "{err:?}"
    );
    m.join().expect("the manager's side holds");
}

#[test]
fn no_cookie_is_offered_and_none_can_be_given() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        let Message::ConnectionSetup(setup) = m.expect("ConnectionSetup") else {
            unreachable!()
        };
        assert!(setup.auth_names.is_empty());
        m.send(&Message::AuthRequired {
            auth_index: 0,
            data: Vec::new(),
        });
    });
    let err = Client::register(s, &Cookies::default(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, XsmpError::NoCookie { protocol: "ICE" }), "{err:?}");
    m.join().expect("the manager's side holds");
}

#[test]
fn a_silent_manager_times_out() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.expect("ConnectionSetup");
        // Holds the connection open, answering nothing, until the client gives up.
        assert_eq!(m.recv(), None);
    });
    let started = Instant::now();
    let err = Client::register(s, &cookies(), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(err, XsmpError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    m.join().expect("the manager's side holds");
}

#[test]
fn an_oversized_message_is_refused_unread() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.expect("ConnectionSetup");
        // A ConnectionReply header announcing 8 MiB.
        m.s.write_all(&[0, 6, 0, 0, 0, 0, 0x10, 0]).expect("the client reads");
    });
    let err = Client::register(s, &cookies(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, XsmpError::TooLong(n) if n > 8 << 20), "{err:?}");
    m.join().expect("the manager's side holds");
}

#[test]
fn a_manager_must_begin_with_its_byte_order() {
    let (ours, mut theirs) = UnixStream::pair().expect("a socket pair");
    theirs.write_all(&[0, 9, 0, 0, 0, 0, 0, 0]).expect("the client reads"); // a Ping
    let err = Client::register(ours, &cookies(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, XsmpError::Unexpected { .. }), "{err:?}");
}

#[test]
fn a_manager_that_skips_the_first_save_is_waited_for_briefly() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.set_up();
        m.expect("RegisterClient");
        m.send(&Message::RegisterClientReply {
            client_id: b"1fake".to_vec(),
        });
        m.expect_logout_request();
        m.shutdown_save();
        m.send(&Message::Die);
        m.expect_goodbye();
    });
    let started = Instant::now();
    let client = Client::register(s, &cookies(), Duration::from_secs(10)).expect("registers");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(
        client.request_logout(Duration::from_secs(5)).expect("the log-out"),
        LogoutOutcome::Died
    );
    m.join().expect("the manager's side holds");
}

#[test]
fn a_client_given_up_on_still_says_goodbye() {
    let (s, m) = with_manager(ByteOrder::LsbFirst, 1, |m| {
        m.register();
        m.expect_goodbye();
    });
    drop(Client::register(s, &cookies(), Duration::from_secs(5)).expect("registers"));
    m.join().expect("the manager's side holds");
}
