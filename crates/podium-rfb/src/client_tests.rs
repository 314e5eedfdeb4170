use super::*;

const PF: [u8; 16] = [32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];

/// A viewer's stream with every message kind, as noVNC and TigerVNC's
/// vncviewer send them, and the kinds expected from it.
fn stream() -> (Vec<u8>, Vec<ClientKind>) {
    let mut s = Vec::new();
    let mut k = Vec::new();
    s.extend_from_slice(VERSION);
    k.push(ClientKind::Version);
    s.push(1);
    k.push(ClientKind::SecurityType);
    s.push(0);
    k.push(ClientKind::ClientInit { shared: false });
    s.extend_from_slice(&[0, 0, 0, 0]);
    s.extend_from_slice(&PF);
    k.push(ClientKind::SetPixelFormat(PixelFormat::parse(&PF).expect("pf")));
    s.extend_from_slice(&[2, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 16, 0xff, 0xff, 0xff, 0x21]);
    k.push(ClientKind::SetEncodings);
    s.extend_from_slice(&[3, 0, 0, 0, 0, 0, 5, 0, 3, 32]);
    k.push(ClientKind::UpdateRequest);
    s.extend_from_slice(&[4, 1, 0, 0, 0, 0, 0, 0x61]);
    k.push(ClientKind::Key {
        down: true,
        keysym: 0x61,
    });
    s.extend_from_slice(&[5, 1, 1, 2, 0, 7]);
    k.push(ClientKind::Pointer {
        buttons: 1,
        x: 258,
        y: 7,
    });
    s.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 5]);
    s.extend_from_slice(b"hello");
    k.push(ClientKind::CutText);
    // Extended clipboard: a negative length.
    s.extend_from_slice(&[6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc]);
    s.extend_from_slice(&[0x10, 0, 0, 1]);
    k.push(ClientKind::CutText);
    s.extend_from_slice(&[150, 1, 0, 0, 0, 0, 5, 0, 3, 32]);
    k.push(ClientKind::ContinuousUpdates);
    s.extend_from_slice(&[248, 0, 0, 0, 0x80, 0, 0, 3, 2, 9, 9]);
    k.push(ClientKind::Fence);
    s.extend_from_slice(&[250, 0, 1, 2]);
    k.push(ClientKind::Xvp);
    s.extend_from_slice(&[251, 0, 6, 64, 3, 132, 1, 0]);
    s.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 6, 64, 3, 132, 0, 0, 0, 0]);
    k.push(ClientKind::SetDesktopSize);
    s.extend_from_slice(&[255, 0, 0, 1, 0, 0, 0xff, 0x0d, 0, 0, 0, 28]);
    k.push(ClientKind::QemuKey {
        down: true,
        keysym: 0xff0d,
    });
    s.extend_from_slice(&[4, 0, 0, 0, 0, 0, 0, 0x61]);
    k.push(ClientKind::Key {
        down: false,
        keysym: 0x61,
    });
    (s, k)
}

fn read_all(r: &mut ClientReader) -> Vec<ClientMessage> {
    let mut out = Vec::new();
    while let Some(m) = r.next_message().expect("framable") {
        out.push(m);
    }
    out
}

#[test]
fn every_message_kind_is_cut_at_its_end_wherever_the_stream_is_split() {
    let (s, kinds) = stream();
    for split in 0..=s.len() {
        let mut r = ClientReader::new();
        r.push(&s[..split]);
        let mut got = read_all(&mut r);
        r.push(&s[split..]);
        got.extend(read_all(&mut r));
        let got_kinds: Vec<ClientKind> = got.iter().map(|m| m.kind).collect();
        assert_eq!(got_kinds, kinds, "split at {split}");
    }
}

#[test]
fn a_stream_fed_byte_by_byte_gives_the_same_messages() {
    let (s, kinds) = stream();
    let mut r = ClientReader::new();
    let mut got = Vec::new();
    for b in &s {
        r.push(&[*b]);
        got.extend(read_all(&mut r));
    }
    assert_eq!(got.iter().map(|m| m.kind).collect::<Vec<_>>(), kinds);
    // Every byte but the clipboard texts is in a message.
    let total: usize = got.iter().map(|m| m.bytes.len()).sum();
    assert_eq!(total, s.len() - 5 - 4);
}

#[test]
fn an_unknown_message_type_ends_the_stream() {
    let mut r = ClientReader::new();
    r.push(VERSION);
    r.push(&[1, 1, 7, 0, 0]);
    read_all_until_error(
        &mut r,
        RfbError::UnknownMessage {
            direction: "client",
            kind: 7,
        },
    );
}

fn read_all_until_error(r: &mut ClientReader, want: RfbError) {
    loop {
        match r.next_message() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("no error"),
            Err(e) => {
                assert_eq!(e, want);
                return;
            }
        }
    }
}

#[test]
fn other_security_types_and_versions_are_refused() {
    let mut r = ClientReader::new();
    r.push(b"RFB 003.003\n");
    assert!(matches!(r.next_message(), Err(RfbError::Version(_))));
    let mut r = ClientReader::new();
    r.push(VERSION);
    r.push(&[2]);
    read_all_until_error(&mut r, RfbError::SecurityType(2));
}

#[test]
fn qemu_messages_other_than_keys_are_refused() {
    let mut r = ClientReader::new();
    r.push(VERSION);
    r.push(&[1, 1, 255, 1, 0, 0]);
    read_all_until_error(&mut r, RfbError::QemuSubmessage(1));
}
