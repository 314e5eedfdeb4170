//! Podium's domain: what a session, a role, an action and an outcome are,
//! the one rule that decides who may do what to whom, the configuration,
//! and every type that crosses a wire (HTTP bodies, CLI `--json` output).
//!
//! This crate does no I/O: the daemon, the CLI and the web server all use
//! these types, so they cannot drift apart. Making sessions real on a host
//! is `podium-host`'s job; serving them is `podium-server`'s.
#![forbid(unsafe_code)]

pub mod action;
pub mod apps;
pub mod audit;
pub mod classes;
pub mod config;
pub mod core_error;
pub mod error;
pub mod events;
pub mod hosts;
pub mod limits;
pub mod me;
pub mod open;
pub mod outcome;
pub mod permission;
pub mod reason;
pub mod request;
pub mod role;
pub mod session;
pub mod session_ref;
pub mod timestamp;
pub mod whole;

pub use action::Action;
pub use apps::{AppFate, AppOutcome};
pub use audit::{AuditKind, AuditList, AuditOutcome, AuditRecord, NewAudit};
pub use config::{Config, Every};
pub use core_error::CoreError;

pub use classes::{Class, ClassList};
pub use error::{ErrorBody, ErrorCode};
pub use events::{Event, PictureFrame};
pub use hosts::{HostInfo, HostList, HostState};
pub use me::{Handoff, LoginAnswer, Me};
pub use open::{OpenRequest, OpenWhat, ProgramInfo, ProgramList};
pub use outcome::{ActionResult, ActionResults, EndKind, Outcome};
pub use permission::{Caller, Refusal, Selection};
pub use reason::ReasonCode;
pub use request::{
    BlockRequest, Language, LoginRequest, LogoffRequest, MessageRequest, StartRequest, StationOpenRequest, Targets,
    TargetsRequest, UnlockRequest,
};
pub use role::Role;
pub use session::{SessionId, SessionInfo, SessionList, SessionState, Station, StationStatus, UserMessage};
pub use session_ref::SessionRef;
pub use timestamp::Timestamp;
