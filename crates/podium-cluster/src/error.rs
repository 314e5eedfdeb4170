//! The one error type of the cluster crate.

/// What can go wrong between a host and the school's NATS.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The host's key file is missing, unsafe or not a key.
    #[error("the host key {path}: {why}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// NATS could not be reached or refused something.
    #[error("NATS: {0}")]
    Nats(String),
    /// A record from another host could not be read.
    #[error("a record from NATS: {0}")]
    Record(String),
    /// The host's own audit log, or the mark of how far it went out,
    /// could not be used.
    #[error("the host's audit log: {0}")]
    Log(String),
}

/// The cluster crate's results.
pub type Result<T> = std::result::Result<T, ClusterError>;

impl ClusterError {
    /// A NATS error, in its own words.
    pub(crate) fn nats(e: impl std::fmt::Display) -> ClusterError {
        ClusterError::Nats(e.to_string())
    }
}
