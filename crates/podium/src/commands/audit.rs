//! `podium audit`.

use super::Status;
use crate::cli::AuditArgs;
use crate::client::Client;
use crate::output;
use anyhow::Result;
use podium_core::AuditList;

/// Prints the audit log.
pub async fn run(client: &Client, args: AuditArgs) -> Result<Status> {
    let mut path = format!("/api/v1/audit?limit={}", args.limit);
    if let Some(since) = args.since {
        path.push_str(&format!("&since={since}"));
    }
    if args.school {
        path.push_str("&school=true");
    }
    let reply = client.get(&path).await?;
    let list: AuditList = reply.parse()?;
    if args.json {
        println!("{}", reply.text());
    } else {
        println!("{}", output::audit(&list));
    }
    Ok(Status::Ok)
}
