//! A teacher's keyboard and pointer on a pupil's display, through the X
//! server's XTEST extension.
//!
//! Why not Xvnc's own VNC input: blocking a session switches that off for
//! every VNC client ([`crate::vncext::set_input_allowed`]), and a teacher
//! who takes control of a blocked desktop must still drive it while the
//! pupil's keyboard and mouse stay off. XTEST events come from an X client
//! (the daemon, holding the session's cookie), beside the VNC input, so
//! the block does not touch them.
//!
//! Keys arrive as keysyms and are pressed as keycodes ([`crate::keymap`]);
//! a keysym the mapping lacks is bound for the moment on a spare keycode
//! (what `xdotool` does), and the spare keycodes are cleared again when
//! control ends. [`Remote`] runs it all on one thread per control, fed by
//! a channel, and releases every key and button still down at the end.

use crate::access::DisplayAccess;
use crate::error::Result;
use crate::keymap::{self, Keymap, Plan, ShiftFix};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread::JoinHandle;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT,
    MOTION_NOTIFY_EVENT, Mapping, Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

/// One input event from a controller's viewer, as RFB carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// RFB `KeyEvent`: a keysym went down or up.
    Key {
        /// The X keysym.
        keysym: u32,
        /// Pressed (true) or released.
        down: bool,
    },
    /// RFB `PointerEvent`: where the pointer is and which buttons are
    /// down (bit 0 is button 1, … bit 7 is button 8; 4 and 5 are the wheel).
    Pointer {
        /// Button mask.
        buttons: u8,
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
}

/// Presses keys and moves the pointer on one display. Blocking; see
/// [`Remote`] for the thread that runs it.
pub struct Injector {
    conn: RustConnection,
    access: DisplayAccess,
    root: Window,
    keymap: Keymap,
    /// Keysyms down, and the keycode each was pressed on.
    held: BTreeMap<u32, u8>,
    /// Keycodes with no symbols when control began, and which keysym each
    /// is bound to now, oldest binding first.
    spare: Vec<u8>,
    bound: Vec<(u8, u32)>,
    buttons: u8,
}

impl std::fmt::Debug for Injector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Injector")
            .field("display", &self.access.name())
            .finish_non_exhaustive()
    }
}

impl Injector {
    /// Connects to the display, checks that it has XTEST and reads its
    /// keyboard mapping.
    ///
    /// # Errors
    /// When the display cannot be reached or has no XTEST.
    pub fn connect(access: &DisplayAccess) -> Result<Injector> {
        let conn = access.connect()?;
        let e = |err: &dyn std::fmt::Display| access.error(err);
        conn.xtest_get_version(2, 2)
            .map_err(|x| e(&x))?
            .reply()
            .map_err(|x| e(&format!("the display has no XTEST extension: {x}")))?;
        let root = conn.setup().roots.first().ok_or_else(|| e(&"no screen"))?.root;
        let keymap = read_keymap(&conn).map_err(|x| e(&x))?;
        let spare = keymap.spare();
        Ok(Injector {
            conn,
            access: access.clone(),
            root,
            keymap,
            held: BTreeMap::new(),
            spare,
            bound: Vec::new(),
            buttons: 0,
        })
    }

    /// Applies one event. Errors are the connection's: the display is gone.
    ///
    /// # Errors
    /// When the display cannot be reached any more.
    pub fn apply(&mut self, input: Input) -> Result<()> {
        self.follow_mapping()?;
        match input {
            Input::Key { keysym, down: true } => self.key_down(keysym),
            Input::Key { keysym, down: false } => self.key_up(keysym),
            Input::Pointer { buttons, x, y } => self.pointer(buttons, x, y),
        }?;
        self.conn.flush().map_err(|e| self.access.error(e))
    }

    /// Reads the mapping again when the server says it changed (the user
    /// ran `setxkbmap`, or a VNC viewer's key made Xvnc add one).
    fn follow_mapping(&mut self) -> Result<()> {
        let mut changed = false;
        while let Some(event) = self.conn.poll_for_event().map_err(|e| self.access.error(e))? {
            changed |= matches!(event, Event::MappingNotify(m) if m.request == Mapping::KEYBOARD);
        }
        if changed {
            self.keymap = read_keymap(&self.conn).map_err(|e| self.access.error(e))?;
        }
        Ok(())
    }

    fn fake(&self, kind: u8, detail: u8, x: i16, y: i16) -> Result<()> {
        self.conn
            .xtest_fake_input(kind, detail, x11rb::CURRENT_TIME, self.root, x, y, 0)
            .map(drop)
            .map_err(|e| self.access.error(e))
    }

    fn press(&self, keycode: u8, down: bool) -> Result<()> {
        let kind = if down { KEY_PRESS_EVENT } else { KEY_RELEASE_EVENT };
        self.fake(kind, keycode, 0, 0)
    }

    fn shift_down(&self) -> bool {
        self.held.contains_key(&keymap::SHIFT_L) || self.held.contains_key(&keymap::SHIFT_R)
    }

    fn key_down(&mut self, keysym: u32) -> Result<()> {
        if keysym == keymap::NO_SYMBOL {
            return Ok(());
        }
        if let Some(&keycode) = self.held.get(&keysym) {
            // Auto-repeat from the viewer: press again without a release.
            return self.press(keycode, true);
        }
        let plan = match self.keymap.plan(keysym, self.shift_down()) {
            Plan::Bind => match self.bind(keysym)? {
                Some(keycode) => Plan::Press {
                    keycode,
                    shift: ShiftFix::Keep,
                },
                None => {
                    tracing::debug!(display = %self.access.name(), keysym, "no spare keycode for this keysym; skipped");
                    return Ok(());
                }
            },
            plan => plan,
        };
        let Plan::Press { keycode, shift } = plan else {
            return Ok(());
        };
        let shifts: Vec<u8> = [keymap::SHIFT_L, keymap::SHIFT_R]
            .iter()
            .filter_map(|s| self.held.get(s).copied())
            .collect();
        let shift_key = self.keymap.find(keymap::SHIFT_L).map(|(kc, _)| kc);
        match (shift, shift_key) {
            (ShiftFix::Press, Some(s)) => {
                self.press(s, true)?;
                self.press(keycode, true)?;
                self.press(s, false)?;
            }
            (ShiftFix::Release, _) => {
                for s in &shifts {
                    self.press(*s, false)?;
                }
                self.press(keycode, true)?;
                for s in &shifts {
                    self.press(*s, true)?;
                }
            }
            _ => self.press(keycode, true)?,
        }
        self.held.insert(keysym, keycode);
        Ok(())
    }

    fn key_up(&mut self, keysym: u32) -> Result<()> {
        match self.held.remove(&keysym) {
            Some(keycode) => self.press(keycode, false),
            None => Ok(()),
        }
    }

    /// Binds `keysym` on a spare keycode, reusing the oldest binding no
    /// held key uses when every spare one is taken; `None` when there is
    /// none free.
    fn bind(&mut self, keysym: u32) -> Result<Option<u8>> {
        let in_use = |kc: u8, held: &BTreeMap<u32, u8>| held.values().any(|h| *h == kc);
        let fresh = self
            .spare
            .iter()
            .copied()
            .find(|kc| !self.bound.iter().any(|(b, _)| b == kc));
        let keycode = match fresh {
            Some(kc) => kc,
            None => {
                let Some(i) = self.bound.iter().position(|(kc, _)| !in_use(*kc, &self.held)) else {
                    return Ok(None);
                };
                self.bound.remove(i).0
            }
        };
        let per = self.keymap.per_keycode();
        let syms = vec![keysym; usize::from(per)];
        self.conn
            .change_keyboard_mapping(1, keycode, per, &syms)
            .map_err(|e| self.access.error(e))?;
        self.keymap.bind(keycode, keysym);
        self.bound.push((keycode, keysym));
        Ok(Some(keycode))
    }

    fn pointer(&mut self, buttons: u8, x: u16, y: u16) -> Result<()> {
        let (x, y) = (
            i16::try_from(x).unwrap_or(i16::MAX),
            i16::try_from(y).unwrap_or(i16::MAX),
        );
        self.fake(MOTION_NOTIFY_EVENT, 0, x, y)?;
        let changed = buttons ^ self.buttons;
        for bit in 0..8u8 {
            if changed & (1 << bit) != 0 {
                let kind = if buttons & (1 << bit) != 0 {
                    BUTTON_PRESS_EVENT
                } else {
                    BUTTON_RELEASE_EVENT
                };
                self.fake(kind, bit + 1, 0, 0)?;
            }
        }
        self.buttons = buttons;
        Ok(())
    }

    /// Releases every key and button the controller still holds and clears
    /// the keycodes it bound, so nothing stays pressed on the pupil's
    /// desktop once control ends.
    pub fn release_all(&mut self) {
        let held: Vec<u8> = std::mem::take(&mut self.held).into_values().collect();
        for keycode in held {
            let _ = self.press(keycode, false);
        }
        for bit in 0..8u8 {
            if self.buttons & (1 << bit) != 0 {
                let _ = self.fake(BUTTON_RELEASE_EVENT, bit + 1, 0, 0);
            }
        }
        self.buttons = 0;
        let per = self.keymap.per_keycode();
        let empty = vec![keymap::NO_SYMBOL; usize::from(per)];
        for (keycode, _) in std::mem::take(&mut self.bound) {
            let _ = self.conn.change_keyboard_mapping(1, keycode, per, &empty);
        }
        // A round trip, so it is all done when this returns.
        let _ = self.conn.get_input_focus().map(|c| c.reply());
    }
}

fn read_keymap(conn: &RustConnection) -> std::result::Result<Keymap, x11rb::errors::ReplyError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let reply = conn
        .get_keyboard_mapping(min, max.saturating_sub(min).saturating_add(1))?
        .reply()?;
    Ok(Keymap::new(min, reply.keysyms_per_keycode, reply.keysyms))
}

/// A controller's thread: the events sent to it are applied in order on
/// the display; when the [`Remote`] is dropped, every key and button still
/// down is released and the thread ends.
pub struct Remote {
    tx: mpsc::Sender<Input>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").finish_non_exhaustive()
    }
}

impl Remote {
    /// Connects to the display (blocking) and starts the thread.
    ///
    /// # Errors
    /// When the display cannot be reached or has no XTEST.
    pub fn start(access: &DisplayAccess) -> Result<Remote> {
        let mut injector = Injector::connect(access)?;
        let (tx, rx) = mpsc::channel::<Input>();
        let thread = std::thread::Builder::new()
            .name(format!("control {}", access.name()))
            .spawn(move || {
                for input in rx {
                    if let Err(e) = injector.apply(input) {
                        tracing::warn!(error = %e, "cannot drive the desktop any more");
                        return;
                    }
                }
                injector.release_all();
            })
            .map_err(|e| access.error(e))?;
        Ok(Remote {
            tx,
            thread: Some(thread),
        })
    }

    /// Queues one event; never blocks. Dropped silently once the display
    /// is gone.
    pub fn send(&self, input: Input) {
        let _ = self.tx.send(input);
    }

    /// Ends control and waits until every key is released (tests, and
    /// callers on a blocking thread; dropping does the same without waiting).
    pub fn finish(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}
