//! `podium cluster keygen` and `podium cluster authorization`: setting up
//! several hosts, on this machine alone.

use super::Status;
use crate::cli::ClusterCommand;
use anyhow::Result;
use podium_cluster::Identity;
use podium_cluster::permissions::{self, HostKey};

/// Runs a `cluster` subcommand.
///
/// # Errors
/// When the key cannot be written.
pub fn run(command: &ClusterCommand) -> Result<Status> {
    match command {
        ClusterCommand::Keygen { host, out } => {
            let identity = Identity::generate(host, out)?;
            println!("# The key of host {host} is in {}.", out.display());
            println!("# For `podium cluster authorization` (the NATS servers):");
            println!("{host}={}", identity.nats_public_key());
            println!("# For the other hosts' podium.toml, under [cluster.peers]:");
            println!("{host} = \"{}\"", identity.signing_public_key());
        }
        ClusterCommand::Authorization { hosts } => {
            let keys: Vec<HostKey> = hosts
                .iter()
                .map(|(host, public_key)| HostKey {
                    host: host.clone(),
                    public_key: public_key.clone(),
                })
                .collect();
            print!("{}", permissions::authorization(&keys));
        }
    }
    Ok(Status::Ok)
}
