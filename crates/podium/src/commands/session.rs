//! `podium session list | logoff | disconnect | block | unblock | message | open | programs | project | start | view`.

use super::Status;
use crate::cli::{LogoffArgs, SessionCommand};
use crate::client::Client;
use crate::output;
use anyhow::{Result, bail};
use podium_core::{ActionResults, BlockRequest, LogoffRequest, MessageRequest, SessionInfo, SessionList, StartRequest};
use std::io::{BufRead, IsTerminal, Write};

/// Runs a `podium session` subcommand.
pub async fn run(client: &Client, cmd: SessionCommand) -> Result<Status> {
    match cmd {
        SessionCommand::List { json, school } => {
            let path = if school {
                "/api/v1/sessions?school=true"
            } else {
                "/api/v1/sessions"
            };
            let reply = client.get(path).await?;
            let list: SessionList = reply.parse()?;
            if json {
                println!("{}", reply.text());
            } else {
                println!("{}", output::sessions(&list.sessions));
            }
            Ok(Status::Ok)
        }
        SessionCommand::Start {
            user,
            command,
            locale,
            json,
        } => {
            let reply = client
                .post("/api/v1/sessions", &StartRequest { user, command, locale })
                .await?;
            let info: SessionInfo = reply.parse()?;
            if json {
                println!("{}", reply.text());
            } else {
                println!("{}", info.id);
            }
            Ok(Status::Ok)
        }
        SessionCommand::Logoff(args) => logoff(client, args).await,
        SessionCommand::Disconnect(t) => act(client, "disconnect", &t.request(), t.json).await,
        SessionCommand::Block { targets: t, message } => {
            let req = BlockRequest {
                sessions: t.ids,
                all: t.all,
                school: t.school,
                message,
            };
            act(client, "block", &req, t.json).await
        }
        SessionCommand::Unblock(t) => act(client, "unblock", &t.request(), t.json).await,
        SessionCommand::Project(p) => {
            if p.stop {
                return act(client, "project/stop", &serde_json::json!({}), p.json).await;
            }
            let req = podium_core::TargetsRequest {
                sessions: p.ids,
                all: p.all,
                school: false,
            };
            act(client, "project", &req, p.json).await
        }
        SessionCommand::Message { targets: t, text } => {
            let req = MessageRequest {
                sessions: t.ids,
                all: t.all,
                school: t.school,
                text,
            };
            act(client, "message", &req, t.json).await
        }
        SessionCommand::View { id, control, listen } => super::view::run(client, id, control, listen).await,
        SessionCommand::Open(o) => {
            let req = podium_core::OpenRequest {
                sessions: o.ids,
                all: o.all,
                url: o.url,
                program: o.program,
            };
            act(client, "open", &req, o.json).await
        }
        SessionCommand::Programs { json } => programs(client, json).await,
    }
}

/// Prints the programs the administrator listed for Open….
async fn programs(client: &Client, json: bool) -> Result<Status> {
    let reply = client.get("/api/v1/programs").await?;
    let list: podium_core::ProgramList = reply.parse()?;
    if json {
        println!("{}", reply.text());
    } else {
        println!("{}", output::programs(&list.programs));
    }
    Ok(Status::Ok)
}

/// Posts an action and prints each session's outcome.
async fn act(client: &Client, action: &str, body: &impl serde::Serialize, json: bool) -> Result<Status> {
    let reply = client.post(&format!("/api/v1/sessions/{action}"), body).await?;
    let results: ActionResults = reply.parse()?;
    if json {
        println!("{}", reply.text());
    } else {
        println!("{}", output::results(&results.results));
    }
    Ok(if results.all_done() {
        Status::Ok
    } else {
        Status::Partial
    })
}

async fn logoff(client: &Client, args: LogoffArgs) -> Result<Status> {
    if !args.yes && std::io::stdin().is_terminal() && !confirm(client, &args).await? {
        bail!("nothing was done");
    }
    let req = LogoffRequest {
        sessions: args.ids,
        all: args.all,
        school: args.school,
        grace_seconds: args.grace,
        wait: !args.no_wait,
    };
    act(client, "logoff", &req, args.json).await
}

/// Asks the person at the terminal, listing whose sessions would end.
async fn confirm(client: &Client, args: &LogoffArgs) -> Result<bool> {
    let list: SessionList = client.get("/api/v1/sessions").await?.parse()?;
    let whose: Vec<String> = list
        .sessions
        .iter()
        .filter(|s| args.all || args.ids.contains(&podium_core::SessionRef::here(s.id)))
        .map(|s| format!("{} ({})", s.user, s.id))
        .collect();
    let grace = args
        .grace
        .map_or_else(|| "the configured".into(), |g| format!("a {g} s"));
    let what = if whose.is_empty() {
        "the named sessions".into()
    } else {
        whose.join(", ")
    };
    print!("Log off {what} with {grace} warning? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
