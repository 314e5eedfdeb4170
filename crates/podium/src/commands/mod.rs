//! One module per subcommand.

pub mod audit;
pub mod check_config;
pub mod cluster;
pub mod demo;
pub mod generate;
pub mod hosts;
pub mod serve;
pub mod session;
// View and Take control (issue 19).
pub mod view;

/// How a command ended, as the exit status says (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: every target done.
    Ok,
    /// 1: something refused or failed (each printed).
    Partial,
}
