//! Several Podium hosts on one dashboard, over NATS.
//!
//! Each host's daemon keeps its own registry as the truth and acts locally
//! without waiting on NATS; it publishes a copy of its sessions (a
//! JetStream key-value bucket, keys `HOST.ID`), a heartbeat with its load
//! every 2 s on a plain subject, and reads everyone else's into a
//! [`Directory`]. A host that cannot reach NATS goes on as a single host.
//!
//! Each host's audit records go, in order and each once, to the school's
//! audit stream ([`audit`]) through an outbox whose cursor the host keeps
//! in its own registry ([`outbox`]); any host reads every host's there.
//!
//! Each host has its own NATS identity (an nkey, [`identity`]), and the
//! NATS servers let it publish only its own subjects and keys
//! ([`permissions`]).
//!
//! A pupil who logs in at any host is sent to the host of their session,
//! or to the one with the most room ([`placement`]), with a login signed
//! for that host alone ([`assertion`]).

pub mod assertion;
pub mod audit;
pub mod bucket;
pub mod directory;
pub mod error;
pub mod identity;
pub mod node;
pub mod outbox;
pub mod permissions;
pub mod pictures;
pub mod placement;
pub mod record;
pub mod service;
pub mod subjects;

pub use directory::{Change, Directory, Ended, HostView};
pub use error::{ClusterError, Result};
pub use identity::Identity;
pub use node::Node;
pub use node::{BoxFuture, Local};
pub use outbox::AuditLog;
pub use pictures::{Lease, Picture};
pub use placement::{Here, Placement};
pub use record::HostLoad;
pub use service::Remote;
