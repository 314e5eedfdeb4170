//! The framing checked against a real TigerVNC Xvnc: a viewer asks for
//! hundreds of updates of a changing screen, one at a time, in each
//! encoding; every update must end exactly where the bytes received end
//! (with one request outstanding, the server sends nothing more), and the
//! captured bytes must frame the same wherever they are split.

use podium_rfb::PixelFormat;
use podium_rfb::encodings as enc;
use podium_rfb::server::{ServerKind, ServerReader};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An Xvnc with a scrolling xterm, a clock and a photo-like picture.
struct Desktop {
    children: Vec<Child>,
    socket: PathBuf,
    display: String,
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn start_desktop(tag: &str) -> Desktop {
    let number = 400 + (std::process::id() % 200) + tag.len() as u32 * 7 % 50;
    let socket = std::env::temp_dir().join(format!("podium-rfb-test-{}-{tag}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let display = format!(":{number}");
    let xvnc = Command::new("Xvnc")
        .args([
            &display,
            "-geometry",
            "640x400",
            "-depth",
            "24",
            "-nolisten",
            "tcp",
            "-rfbport",
            "-1",
        ])
        .arg("-rfbunixpath")
        .arg(&socket)
        .args(["-SecurityTypes", "None", "-AlwaysShared", "-desktop", "rfb-test"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvnc starts");
    let mut d = Desktop {
        children: vec![xvnc],
        socket,
        display,
    };
    let start = Instant::now();
    while !d.socket.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "Xvnc did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let x = |cmd: &str| {
        Command::new("sh")
            .args(["-c", cmd])
            .env("DISPLAY", &d.display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("client starts")
    };
    let a = x("exec xterm -geometry 70x20+0+0 -e sh -c 'while :; do ls --color=always -l /usr/bin /usr/lib; done'");
    let b = x("exec xclock -update 1 -geometry 120x120+500+0");
    let c = x("exec display -geometry +420+200 -size 200x180 plasma:fractal");
    d.children.extend([a, b, c]);
    d
}

struct Viewer {
    s: UnixStream,
    reader: ServerReader,
    /// Every byte received, for the split test.
    captured: Vec<u8>,
}

impl Viewer {
    fn connect(path: &Path, encodings: &[i32]) -> Viewer {
        let s = UnixStream::connect(path).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let mut v = Viewer {
            s,
            reader: ServerReader::new(),
            captured: Vec::new(),
        };
        v.until(ServerKind::Version);
        v.send(b"RFB 003.008\n");
        v.until(ServerKind::SecurityTypes);
        v.send(&[1]);
        v.until(ServerKind::SecurityResult);
        v.send(&[1]);
        v.until(ServerKind::ServerInit);
        let mut m = vec![2, 0];
        m.extend_from_slice(&u16::try_from(encodings.len()).expect("few").to_be_bytes());
        for e in encodings {
            m.extend_from_slice(&e.to_be_bytes());
        }
        v.send(&m);
        v
    }

    fn send(&mut self, data: &[u8]) {
        self.s.write_all(data).expect("write");
    }

    /// Reads until a message of `kind` ends; it must end with the bytes read.
    fn until(&mut self, kind: ServerKind) -> Vec<ServerKind> {
        let mut seen = Vec::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = self.s.read(&mut buf).expect("read");
            assert!(n > 0, "server closed");
            self.captured.extend_from_slice(&buf[..n]);
            let ends = self.reader.feed(&buf[..n], &mut Vec::new()).expect("framable");
            for (at, k) in ends {
                seen.push(k);
                if k == kind {
                    assert_eq!(at, n, "{kind:?} ended at {at} of {n} bytes read");
                    return seen;
                }
            }
        }
    }

    fn update(&mut self, incremental: bool) -> Vec<ServerKind> {
        self.send(&[3, u8::from(incremental), 0, 0, 0, 0, 2, 128, 1, 144]);
        self.until(ServerKind::Update)
    }
}

const PSEUDO: [i32; 8] = [
    enc::DESKTOP_SIZE,
    enc::EXTENDED_DESKTOP_SIZE,
    enc::LAST_RECT,
    enc::CURSOR,
    enc::DESKTOP_NAME,
    enc::QEMU_EXTENDED_KEY,
    enc::QEMU_LED_STATE,
    -254,
];

fn drive(tag: &str, first: i32, extra: &[i32]) -> Vec<u8> {
    let desktop = start_desktop(tag);
    std::thread::sleep(Duration::from_millis(800));
    let mut list = vec![first];
    list.extend_from_slice(extra);
    list.extend_from_slice(&PSEUDO);
    let mut v = Viewer::connect(&desktop.socket, &list);
    let started = Instant::now();
    let mut updates = 0;
    for i in 0..300 {
        v.update(i % 50 != 0);
        updates += 1;
        if i % 7 == 0 {
            // Move the pointer over the xterm (a cursor change) and back.
            let x: u16 = if i % 14 == 0 { 100 } else { 600 };
            let [x1, x2] = x.to_be_bytes();
            v.send(&[5, 0, x1, x2, 0, 100]);
        }
        if i == 150 {
            let _ = Command::new("xrandr")
                .args(["-s", "800x600"])
                .env("DISPLAY", &desktop.display)
                .status();
        }
        if i == 200 {
            // 16-bit pixels from here: Raw, Cursor and Tight lengths change.
            let pf16 = [16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0];
            let mut m = vec![0, 0, 0, 0];
            m.extend_from_slice(&pf16);
            v.send(&m);
            v.reader.set_pixel_format(PixelFormat::parse(&pf16).expect("pf"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "{tag}: {updates} updates, {} bytes in {:?}",
        v.captured.len(),
        started.elapsed()
    );
    v.captured
}

/// The captured bytes frame the same in two pieces, wherever cut.
fn frames_the_same_when_split(captured: &[u8]) {
    let head = &captured[..captured.len().min(6000)];
    let whole: Vec<(usize, ServerKind)> = ServerReader::new().feed(head, &mut Vec::new()).expect("framable");
    for split in 0..=head.len() {
        let mut r = ServerReader::new();
        let mut ends = r.feed(&head[..split], &mut Vec::new()).expect("first part");
        ends.extend(
            r.feed(&head[split..], &mut Vec::new())
                .expect("second part")
                .into_iter()
                .map(|(at, k)| (at + split, k)),
        );
        assert_eq!(ends, whole, "split at {split}");
    }
}

fn skip_without_xvnc() -> bool {
    if have("Xvnc") && have("xterm") && have("xclock") {
        return false;
    }
    eprintln!("Xvnc, xterm or xclock missing: skipped");
    true
}

#[test]
fn raw_and_copyrect_updates_of_a_real_xvnc_end_where_framed() {
    if skip_without_xvnc() {
        return;
    }
    frames_the_same_when_split(&drive("raw", enc::COPY_RECT, &[enc::RAW]));
}

#[test]
fn zrle_updates_of_a_real_xvnc_end_where_framed() {
    if skip_without_xvnc() {
        return;
    }
    frames_the_same_when_split(&drive("zrle", enc::ZRLE, &[enc::COPY_RECT]));
}

#[test]
fn tight_updates_with_jpeg_of_a_real_xvnc_end_where_framed() {
    if skip_without_xvnc() {
        return;
    }
    frames_the_same_when_split(&drive("tight-jpeg", enc::TIGHT, &[enc::COPY_RECT, -27]));
}

#[test]
fn lossless_tight_updates_of_a_real_xvnc_end_where_framed() {
    if skip_without_xvnc() {
        return;
    }
    frames_the_same_when_split(&drive("tight", enc::TIGHT, &[enc::COPY_RECT, -255]));
}
