//! The largest values a request may carry: checked when a request is
//! validated, and given in the API's schema.

/// The most a log off may be postponed, in seconds.
pub const MAX_GRACE_SECONDS: u32 = 600;
/// The longest text a block notice or a message may carry, in characters:
/// what fits on a screen in large type.
pub const MAX_MESSAGE_LEN: usize = 500;
/// The longest desktop command accepted.
pub const MAX_COMMAND_LEN: usize = 4096;
/// The longest password accepted.
pub const MAX_PASSWORD_LEN: usize = 1024;
