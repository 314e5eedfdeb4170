//! `podium hosts`.

use super::Status;
use crate::cli::HostsArgs;
use crate::client::Client;
use crate::output;
use anyhow::Result;
use podium_core::HostList;

/// Prints the school's hosts.
pub async fn run(client: &Client, args: HostsArgs) -> Result<Status> {
    let reply = client.get("/api/v1/hosts").await?;
    let list: HostList = reply.parse()?;
    if args.json {
        println!("{}", reply.text());
    } else {
        println!("{}", output::hosts(&list));
    }
    Ok(Status::Ok)
}
