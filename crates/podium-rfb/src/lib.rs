//! Where one RFB (VNC) message ends and the next begins, in both
//! directions of an RFB 3.8 connection with the None security type.
//!
//! A relay that lets a teacher watch a pupil's desktop must read the
//! viewer's messages (to drop keys, pointer, clipboard and resizes from a
//! viewer who is only watching) and the server's (to drop the desktop's
//! clipboard). RFB messages carry no length of their own, so finding their
//! ends means knowing every message and every rectangle encoding the peer
//! may send: [`client::ClientReader`] cuts the viewer's stream into
//! messages, [`server::ServerReader`] follows the server's stream and says
//! what to pass on, and [`encodings::rewrite`] narrows the viewer's
//! `SetEncodings` to the encodings the server reader can frame.
//!
//! This crate does no I/O and decodes no pictures: bytes in, boundaries and
//! verdicts out. It is not a VNC client or server.
#![forbid(unsafe_code)]

mod be;
pub mod client;
pub mod encodings;
mod error;
pub mod pixel;
pub mod server;
mod tight;

pub use error::RfbError;
pub use pixel::PixelFormat;
