//! The display's keyboard mapping as a remote controller needs it: which
//! key to press for a keysym, and with Shift or without.
//!
//! A teacher's browser sends keysyms (RFB `KeyEvent`), and XTEST presses
//! keycodes, so the keysym is looked up in the server's core mapping
//! (`GetKeyboardMapping`). The controller's viewer sends its own Shift and
//! AltGr presses, so the key is pressed in the column the keysym is in: a
//! keysym found only in the shifted column while Shift is up gets Shift
//! pressed around it, and one found only in the plain column while Shift is
//! down gets Shift released around it (a French keyboard's Shift+`&` is
//! `1`, a plain key on the pupil's US one). This module only decides; the
//! X requests are [`crate::xtest`]'s.

/// A keysym with no symbol.
pub const NO_SYMBOL: u32 = 0;
/// `Shift_L`.
pub const SHIFT_L: u32 = 0xffe1;
/// `Shift_R`.
pub const SHIFT_R: u32 = 0xffe2;

/// A snapshot of the server's core keyboard mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    min_keycode: u8,
    per_keycode: usize,
    /// `per_keycode` keysyms for each keycode from `min_keycode` up.
    syms: Vec<u32>,
}

/// How Shift must change around a key press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftFix {
    /// Leave it as the controller holds it.
    Keep,
    /// Press Shift before the key and release it after.
    Press,
    /// Release the held Shift keys before the key and press them again after.
    Release,
}

/// What to do for a keysym pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Press `keycode`, changing Shift as said.
    Press {
        /// The key.
        keycode: u8,
        /// Shift around it.
        shift: ShiftFix,
    },
    /// The mapping has no key for it: bind it on a spare keycode first.
    Bind,
}

impl Keymap {
    /// A mapping as `GetKeyboardMapping` returns it.
    #[must_use]
    pub fn new(min_keycode: u8, keysyms_per_keycode: u8, syms: Vec<u32>) -> Keymap {
        Keymap {
            min_keycode,
            per_keycode: usize::from(keysyms_per_keycode.max(1)),
            syms,
        }
    }

    /// How many keysyms each keycode has.
    #[must_use]
    pub fn per_keycode(&self) -> u8 {
        u8::try_from(self.per_keycode).unwrap_or(u8::MAX)
    }

    /// The keysyms of `keycode`, empty outside the mapping.
    #[must_use]
    pub fn row(&self, keycode: u8) -> &[u32] {
        let Some(i) = keycode.checked_sub(self.min_keycode) else {
            return &[];
        };
        let start = usize::from(i) * self.per_keycode;
        self.syms.get(start..start + self.per_keycode).unwrap_or(&[])
    }

    fn keycodes(&self) -> impl Iterator<Item = u8> + '_ {
        let count = self.syms.len() / self.per_keycode;
        (0..count).filter_map(|i| u8::try_from(usize::from(self.min_keycode) + i).ok())
    }

    /// Where `keysym` is: its keycode and column, the plain column first,
    /// then the shifted one, then the others (AltGr's, a second group's).
    #[must_use]
    pub fn find(&self, keysym: u32) -> Option<(u8, usize)> {
        if keysym == NO_SYMBOL {
            return None;
        }
        (0..self.per_keycode).find_map(|col| {
            self.keycodes()
                .find(|kc| self.row(*kc).get(col) == Some(&keysym))
                .map(|kc| (kc, col))
        })
    }

    /// Keycodes with no keysym at all, which a controller may bind a
    /// missing keysym on.
    #[must_use]
    pub fn spare(&self) -> Vec<u8> {
        self.keycodes()
            .filter(|kc| self.row(*kc).iter().all(|s| *s == NO_SYMBOL))
            .collect()
    }

    /// Records that `keycode` now has `keysym` in every column (what
    /// [`crate::xtest`] asks the server for when it binds one).
    pub fn bind(&mut self, keycode: u8, keysym: u32) {
        let Some(i) = keycode.checked_sub(self.min_keycode) else {
            return;
        };
        let start = usize::from(i) * self.per_keycode;
        if let Some(row) = self.syms.get_mut(start..start + self.per_keycode) {
            row.fill(keysym);
        }
    }

    /// What to press for `keysym`, with Shift held down or not.
    #[must_use]
    pub fn plan(&self, keysym: u32, shift_down: bool) -> Plan {
        let Some((keycode, col)) = self.find(keysym) else {
            return Plan::Bind;
        };
        let row = self.row(keycode);
        let same_shifted = row.get(1).is_none_or(|s| *s == keysym || *s == NO_SYMBOL);
        let shift = match col {
            0 if shift_down && !same_shifted && !is_modifier(keysym) => ShiftFix::Release,
            1 if !shift_down => ShiftFix::Press,
            _ => ShiftFix::Keep,
        };
        Plan::Press { keycode, shift }
    }
}

/// Whether `keysym` is a modifier key (Shift, Control, Alt, AltGr …),
/// which is pressed as it is, whatever else is held.
#[must_use]
pub fn is_modifier(keysym: u32) -> bool {
    // Shift_L … Hyper_R, and ISO_Lock … ISO_Level5_Lock (AltGr among them).
    (0xffe1..=0xffee).contains(&keysym) || (0xfe01..=0xfe13).contains(&keysym)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small US-like mapping from keycode 8: 8 spare, 9 Escape, 10
    /// `1 !`, 24 `q Q`, 50 Shift_L, 22 BackSpace in both columns.
    fn us() -> Keymap {
        let mut syms = vec![NO_SYMBOL; 4 * 60];
        let mut set = |kc: usize, row: [u32; 4]| syms[(kc - 8) * 4..(kc - 8) * 4 + 4].copy_from_slice(&row);
        set(9, [0xff1b, 0, 0xff1b, 0]);
        set(10, [u32::from(b'1'), u32::from(b'!'), u32::from(b'1'), u32::from(b'!')]);
        set(24, [u32::from(b'q'), u32::from(b'Q'), u32::from(b'q'), u32::from(b'Q')]);
        set(22, [0xff08, 0xff08, 0xff08, 0xff08]);
        set(50, [SHIFT_L, 0, SHIFT_L, 0]);
        Keymap::new(8, 4, syms)
    }

    #[test]
    fn a_keysym_is_pressed_where_it_is_with_shift_fixed() {
        let m = us();
        let press = |keycode, shift| Plan::Press { keycode, shift };
        assert_eq!(m.plan(u32::from(b'q'), false), press(24, ShiftFix::Keep));
        assert_eq!(m.plan(u32::from(b'Q'), true), press(24, ShiftFix::Keep));
        // The viewer sent `Q` without Shift (caps lock on its side).
        assert_eq!(m.plan(u32::from(b'Q'), false), press(24, ShiftFix::Press));
        // A French keyboard's Shift+& is `1`: plain on this one.
        assert_eq!(m.plan(u32::from(b'1'), true), press(10, ShiftFix::Release));
        // Keys that are the same shifted, and Shift itself, keep Shift.
        assert_eq!(m.plan(0xff08, true), press(22, ShiftFix::Keep));
        assert_eq!(m.plan(0xff1b, true), press(9, ShiftFix::Keep));
        assert_eq!(m.plan(SHIFT_L, true), press(50, ShiftFix::Keep));
    }

    #[test]
    fn a_missing_keysym_is_bound_on_a_spare_keycode() {
        let mut m = us();
        let euro = 0x20ac;
        assert_eq!(m.plan(euro, false), Plan::Bind);
        let spare = m.spare();
        assert_eq!(spare.first(), Some(&8));
        assert!(!spare.contains(&9) && !spare.contains(&50));
        m.bind(8, euro);
        assert_eq!(m.find(euro), Some((8, 0)));
        assert_eq!(
            m.plan(euro, true),
            Plan::Press {
                keycode: 8,
                shift: ShiftFix::Keep
            }
        );
        assert!(!m.spare().contains(&8));
        assert_eq!(m.plan(NO_SYMBOL, false), Plan::Bind);
    }

    #[test]
    fn rows_outside_the_mapping_are_empty() {
        let m = us();
        assert!(m.row(7).is_empty());
        assert!(m.row(255).is_empty());
        assert_eq!(m.row(24).len(), 4);
        assert!(is_modifier(0xfe03) && is_modifier(SHIFT_R) && !is_modifier(u32::from(b'a')));
    }
}
