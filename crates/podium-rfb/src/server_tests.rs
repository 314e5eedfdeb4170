use super::*;

const PF: [u8; 16] = [32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];

fn rect(s: &mut Vec<u8>, w: u16, h: u16, encoding: i32) {
    s.extend_from_slice(&[0, 1, 0, 2]);
    s.extend_from_slice(&w.to_be_bytes());
    s.extend_from_slice(&h.to_be_bytes());
    s.extend_from_slice(&encoding.to_be_bytes());
}

/// A server's stream with every message, every encoding and every Tight
/// form; the kinds expected; the bytes a viewer must get (no clipboard).
fn stream() -> (Vec<u8>, Vec<ServerKind>, Vec<u8>) {
    let mut s = Vec::new();
    let mut k = Vec::new();
    let mut dropped = Vec::new();
    s.extend_from_slice(VERSION);
    k.push(ServerKind::Version);
    s.extend_from_slice(&[1, 1]);
    k.push(ServerKind::SecurityTypes);
    s.extend_from_slice(&[0, 0, 0, 0]);
    k.push(ServerKind::SecurityResult);
    s.extend_from_slice(&[5, 0, 3, 32]);
    s.extend_from_slice(&PF);
    s.extend_from_slice(&[0, 0, 0, 4]);
    s.extend_from_slice(b"x:12");
    k.push(ServerKind::ServerInit);
    // An update with 13 rectangles.
    s.extend_from_slice(&[0, 0, 0, 13]);
    rect(&mut s, 3, 2, enc::RAW);
    s.extend_from_slice(&[7; 24]);
    rect(&mut s, 3, 2, enc::COPY_RECT);
    s.extend_from_slice(&[0, 0, 0, 0]);
    rect(&mut s, 64, 64, enc::ZRLE);
    s.extend_from_slice(&[0, 0, 0, 5, 1, 2, 3, 4, 5]);
    rect(&mut s, 100, 100, enc::TIGHT);
    s.extend_from_slice(&[0x80, 1, 2, 3]); // fill
    rect(&mut s, 100, 100, enc::TIGHT);
    s.extend_from_slice(&[0x90, 0x81, 0x01]); // JPEG of 129 bytes
    s.extend_from_slice(&[9; 129]);
    rect(&mut s, 100, 100, enc::TIGHT);
    s.extend_from_slice(&[0x01, 3, 1, 2, 3]); // basic copy, stream 0 reset, 3 bytes
    rect(&mut s, 2, 1, enc::TIGHT);
    s.extend_from_slice(&[0x40, 0, 1, 2, 3, 4, 5, 6]); // copy filter, 6 bytes raw
    rect(&mut s, 16, 2, enc::TIGHT);
    // Two-colour palette: 2 bits rows of 2 bytes, 4 bytes raw.
    s.extend_from_slice(&[0x50, 1, 1, 1, 1, 1, 2, 2, 2, 0xaa, 0xbb, 0xcc, 0xdd]);
    rect(&mut s, 10, 10, enc::TIGHT);
    // Four-colour palette: 100 indexes, compressed to 2 bytes.
    s.extend_from_slice(&[0x60, 1, 3]);
    s.extend_from_slice(&[5; 12]);
    s.extend_from_slice(&[2, 0xee, 0xff]);
    rect(&mut s, 10, 10, enc::TIGHT);
    s.extend_from_slice(&[0x70, 2, 0x80, 0x80, 0x01]); // gradient, 3-byte length 16384
    s.extend_from_slice(&vec![4; 16384][..]);
    rect(&mut s, 2, 2, enc::CURSOR);
    s.extend_from_slice(&[1; 16 + 2]);
    rect(&mut s, 0, 0, enc::DESKTOP_NAME);
    s.extend_from_slice(&[0, 0, 0, 2, b'h', b'i']);
    rect(&mut s, 1280, 800, enc::EXTENDED_DESKTOP_SIZE);
    s.extend_from_slice(&[1, 0, 0, 0]);
    s.extend_from_slice(&[0; 16]);
    k.push(ServerKind::Update);
    // LastRect-ended update, with empty pseudo-rectangles.
    s.extend_from_slice(&[0, 0, 0xff, 0xff]);
    for e in [enc::DESKTOP_SIZE, enc::QEMU_EXTENDED_KEY, enc::QEMU_LED_STATE] {
        rect(&mut s, 0, 0, e);
    }
    s.push(4);
    rect(&mut s, 0, 0, enc::LAST_RECT);
    k.push(ServerKind::Update);
    s.extend_from_slice(&[0, 0, 0, 0]);
    k.push(ServerKind::Update);
    s.extend_from_slice(&[1, 0, 0, 0, 0, 2]);
    s.extend_from_slice(&[3; 12]);
    k.push(ServerKind::ColourMap);
    s.push(2);
    k.push(ServerKind::Bell);
    let cut_start = s.len();
    s.extend_from_slice(&[3, 0, 0, 0, 0, 0, 0, 3, b'a', b'b', b'c']);
    k.push(ServerKind::CutText);
    // Extended clipboard: negative length.
    s.extend_from_slice(&[3, 0, 0, 0, 0xff, 0xff, 0xff, 0xf8]);
    s.extend_from_slice(&[0x10, 0, 0, 1, 0, 0, 0, 9]);
    k.push(ServerKind::CutText);
    let cut_end = s.len();
    s.push(150);
    k.push(ServerKind::EndOfContinuousUpdates);
    s.extend_from_slice(&[248, 0, 0, 0, 0x80, 0, 0, 3, 1, 7]);
    k.push(ServerKind::Fence);
    s.extend_from_slice(&[250, 0, 1, 1]);
    k.push(ServerKind::Xvp);
    dropped.extend_from_slice(&s[..cut_start]);
    dropped.extend_from_slice(&s[cut_end..]);
    (s, k, dropped)
}

fn feed(r: &mut ServerReader, data: &[u8], out: &mut Vec<u8>, kinds: &mut Vec<ServerKind>) {
    kinds.extend(r.feed(data, out).expect("framable").into_iter().map(|(_, k)| k));
}

#[test]
fn every_message_and_encoding_ends_where_it_should_wherever_the_stream_is_split() {
    let (s, kinds, passed) = stream();
    for split in 0..=s.len() {
        let (mut r, mut out, mut got) = (ServerReader::new(), Vec::new(), Vec::new());
        feed(&mut r, &s[..split], &mut out, &mut got);
        feed(&mut r, &s[split..], &mut out, &mut got);
        assert_eq!(got, kinds, "split at {split}");
        assert_eq!(out, passed, "split at {split}");
    }
}

#[test]
fn offsets_point_just_past_each_message() {
    let (s, _, _) = stream();
    let mut r = ServerReader::new();
    let ends = r.feed(&s, &mut Vec::new()).expect("framable");
    assert_eq!(ends.last().map(|e| e.0), Some(s.len()));
    assert_eq!(ends[0].0, 12);
    assert_eq!(ends[3], (12 + 2 + 4 + 24 + 4, ServerKind::ServerInit));
}

#[test]
fn a_stream_fed_byte_by_byte_drops_only_the_clipboard() {
    let (s, kinds, passed) = stream();
    let (mut r, mut out, mut got) = (ServerReader::new(), Vec::new(), Vec::new());
    for b in &s {
        feed(&mut r, &[*b], &mut out, &mut got);
    }
    assert_eq!((got, out), (kinds, passed));
}

#[test]
fn sixteen_bit_pixels_change_raw_and_tight_lengths_from_the_next_update() {
    let mut pf16 = PF;
    pf16[0] = 16;
    pf16[1] = 16;
    let mut s = Vec::new();
    s.extend_from_slice(VERSION);
    s.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 8, 0, 8]);
    s.extend_from_slice(&PF);
    s.extend_from_slice(&[0, 0, 0, 0]);
    let mut r = ServerReader::new();
    r.feed(&s, &mut Vec::new()).expect("init");
    r.set_pixel_format(PixelFormat::parse(&pf16).expect("pf"));
    let mut u = vec![0, 0, 0, 2];
    rect(&mut u, 2, 2, enc::RAW);
    u.extend_from_slice(&[0; 8]);
    rect(&mut u, 2, 2, enc::TIGHT);
    u.extend_from_slice(&[0x80, 1, 2]);
    let ends = r.feed(&u, &mut Vec::new()).expect("update");
    assert_eq!(ends, vec![(u.len(), ServerKind::Update)]);
}

#[test]
fn a_refused_handshake_ends_with_its_reason() {
    let mut s = Vec::new();
    s.extend_from_slice(VERSION);
    s.extend_from_slice(&[0, 0, 0, 0, 3, b'n', b'o', b'!']);
    let ends = ServerReader::new().feed(&s, &mut Vec::new()).expect("framable");
    assert_eq!(
        ends.iter().map(|e| e.1).collect::<Vec<_>>(),
        vec![ServerKind::Version, ServerKind::SecurityResult]
    );
}

#[test]
fn unknown_encodings_and_messages_are_errors() {
    let (s, _, _) = stream();
    let init_end = 12 + 2 + 4 + 24 + 4;
    let mut r = ServerReader::new();
    r.feed(&s[..init_end], &mut Vec::new()).expect("init");
    let mut hextile = vec![0, 0, 0, 1];
    rect(&mut hextile, 1, 1, 5);
    assert_eq!(r.feed(&hextile, &mut Vec::new()), Err(RfbError::Encoding(5)));
    let mut r = ServerReader::new();
    r.feed(&s[..init_end], &mut Vec::new()).expect("init");
    assert_eq!(
        r.feed(&[99], &mut Vec::new()),
        Err(RfbError::UnknownMessage {
            direction: "server",
            kind: 99
        })
    );
    let mut r = ServerReader::new();
    r.feed(&s[..init_end], &mut Vec::new()).expect("init");
    let mut png = vec![0, 0, 0, 1];
    rect(&mut png, 1, 1, enc::TIGHT);
    png.push(0xa0);
    assert_eq!(r.feed(&png, &mut Vec::new()), Err(RfbError::TightControl(0xa0)));
}
