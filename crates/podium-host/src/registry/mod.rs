//! The registry: SQLite in the state directory, holding the live sessions
//! (so a restarted daemon finds them) and the audit log.
//!
//! WAL journal and one transaction per change: a daemon killed at any
//! moment leaves either the old or the new state, never half of one. Ending
//! a session deletes its row and writes its audit record in one transaction.

//!
//! One file per table: [`sessions`], [`messages`], [`audit`], [`logins`],
//! [`locales`], [`outbox`]; opening the database is [`db`].

pub mod audit;
pub mod db;
pub mod locales;
pub mod logins;
pub mod messages;
pub mod outbox;
pub mod sessions;

pub use db::Registry;
pub use logins::StoredLogin;
pub use messages::NewMessage;
pub use sessions::{StoredLogoff, StoredSession};
