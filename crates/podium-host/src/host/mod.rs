//! The daemon side of the host: every step a session goes through, one file
//! each. [`state`] holds the sessions and what they share; a session is
//! started ([`start`]), acted on ([`actions`], [`screen`], [`station`]),
//! watched and driven from the dashboard ([`watch`]),
//! logged off ([`logoff`], [`autologoff`]), ends ([`ending`]), and is taken
//! back after a restart ([`recover`]).

pub mod actions;
pub mod autologoff;
pub mod ending;
pub mod logoff;
pub mod open;
pub mod projection;
pub mod recover;
pub mod screen;
pub mod start;
pub mod state;
pub mod station;
pub mod watch;

pub use state::{Host, HostEvent, SESSION_PATH};
