//! ICE and XSMP messages as values ([`Message`]) and as bytes
//! ([`encode`], [`frame_len`], [`decode`]): pure functions over byte
//! slices, for the client, for tests that play a session manager, and
//! for the fuzz target.

pub use crate::codec::{ByteOrder, MAX_ITEMS, MAX_MESSAGE};
pub use crate::decode::{decode, error_reason, frame_len};
pub use crate::encode::encode;
pub use crate::message::{ErrorInfo, Message, Property, Save, Setup, Version, ice, sm};
