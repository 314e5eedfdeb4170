//! Tables for people.

use podium_core::{ActionResult, AuditList, Outcome, SessionInfo};

/// Left-aligned columns, two spaces apart.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_owned()
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.clone()));
    }
    out
}

/// `podium session list`.
pub fn sessions(list: &[SessionInfo]) -> String {
    if list.is_empty() {
        return "No sessions.".into();
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            vec![
                // In a school of several hosts, the id that names it anywhere.
                s.host
                    .as_ref()
                    .map_or_else(|| s.id.to_string(), |h| format!("{h}/{}", s.id)),
                s.user.clone(),
                s.full_name.clone(),
                s.role.to_string(),
                s.station
                    .as_ref()
                    .map_or_else(|| "-".into(), |st| format!("{} {}", st.kind, st.address)),
                match s.logoff_deadline {
                    Some(d) => format!("{} (until {})", s.state, d),
                    None => s.state.to_string(),
                },
                if s.blocked { "yes".into() } else { "no".into() },
                s.display.clone(),
                s.created_at.to_string(),
            ]
        })
        .collect();
    table(
        &[
            "ID", "USER", "NAME", "ROLE", "STATION", "STATE", "BLOCKED", "DISPLAY", "SINCE",
        ],
        &rows,
    )
}

/// Per-session outcomes of an action.
pub fn results(results: &[ActionResult]) -> String {
    if results.is_empty() {
        return "No sessions to act on.".into();
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let mut detail = match (r.outcome, &r.reason, r.ended) {
                (Outcome::Done, _, Some(end)) => match r.duration_ms {
                    Some(ms) => format!("{end} after {:.1} s", ms as f64 / 1000.0),
                    None => end.to_string(),
                },
                (_, Some(reason), _) => reason.clone(),
                _ => String::new(),
            };
            with_applications(&mut detail, &r.applications);
            vec![
                r.session.to_string(),
                r.user.clone().unwrap_or_else(|| "-".into()),
                r.outcome.to_string(),
                detail,
            ]
        })
        .collect();
    table(&["ID", "USER", "OUTCOME", "DETAIL"], &rows)
}

/// `podium session programs`: the programs Open… may start.
pub fn programs(list: &[podium_core::ProgramInfo]) -> String {
    if list.is_empty() {
        return "No programs are configured ([[open.programs]] in the config).".into();
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.label.clone(),
                p.label_fr.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(&["NAME", "LABEL", "LABEL (FR)"], &rows)
}

/// `podium hosts`: one row per host.
pub fn hosts(list: &podium_core::HostList) -> String {
    let rows: Vec<Vec<String>> = list
        .hosts
        .iter()
        .map(|h| {
            vec![
                if h.local {
                    format!("{} (this host)", h.name)
                } else {
                    h.name.clone()
                },
                match h.state {
                    podium_core::HostState::Reachable => "reachable".into(),
                    podium_core::HostState::Unreachable => "unreachable".into(),
                },
                format!("{}/{}", h.sessions, h.capacity),
                format!("{:.2}", h.load1),
                if h.memory_total_kib == 0 {
                    "-".into()
                } else {
                    format!("{} MiB", h.memory_available_kib / 1024)
                },
            ]
        })
        .collect();
    let mut out = table(&["HOST", "STATE", "SESSIONS", "LOAD", "MEMORY FREE"], &rows);
    if list.cluster_connected == Some(false) {
        out.push_str("\nThis host cannot reach the school's NATS now: it works on its own.");
    }
    out
}

/// `podium audit`: with a HOST column for the school's log.
pub fn audit(list: &AuditList) -> String {
    let records = &list.records;
    let mut out = if records.is_empty() {
        "No audit records.".to_owned()
    } else {
        audit_table(records)
    };
    if let Some(why) = &list.school_error {
        out.push_str(&format!(
            "\nThe school's audit log cannot be read now ({why}): these are this host's records only."
        ));
    }
    out
}

fn audit_table(records: &[podium_core::AuditRecord]) -> String {
    let school = records.iter().any(|r| r.host.is_some());
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let host = school.then(|| r.host.clone().unwrap_or_else(|| "-".into()));
            host.into_iter()
                .chain([
                    r.at.to_string(),
                    r.actor.clone(),
                    match &r.action {
                        Some(a) => format!("{} {a}", r.kind),
                        None => r.kind.to_string(),
                    },
                    r.session.map_or_else(|| "-".into(), |s| s.to_string()),
                    r.target_user.clone().unwrap_or_else(|| "-".into()),
                    r.outcome.clone(),
                    r.duration_ms
                        .map_or_else(String::new, |d| format!("{:.1} s", d as f64 / 1000.0)),
                    {
                        let mut detail = r.reason.clone().unwrap_or_default();
                        with_applications(&mut detail, &r.applications);
                        detail
                    },
                ])
                .collect()
        })
        .collect();
    let header = [
        "HOST", "TIME", "ACTOR", "WHAT", "SESSION", "USER", "OUTCOME", "TOOK", "DETAIL",
    ];
    table(if school { &header } else { &header[1..] }, &rows)
}

/// Adds what became of each application to a result's detail:
/// `forced after 5.2 s — forced: Mousepad ("*Untitled 1 - Mousepad", unsaved)`.
fn with_applications(detail: &mut String, apps: &[podium_core::AppOutcome]) {
    if apps.is_empty() {
        return;
    }
    if !detail.is_empty() {
        detail.push_str(" — ");
    }
    detail.push_str(&podium_core::apps::summary(apps));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schools_log_names_each_records_host() {
        let record = |host: Option<&str>| podium_core::AuditRecord {
            id: 3,
            at: podium_core::Timestamp::from_unix(1_795_000_000),
            actor: "root".into(),
            kind: podium_core::AuditKind::SessionStart,
            action: None,
            session: Some(1),
            target_user: Some("alice".into()),
            outcome: "done".into(),
            reason: None,
            duration_ms: None,
            applications: Vec::new(),
            host: host.map(str::to_owned),
        };
        let own = audit(&AuditList {
            records: vec![record(None)],
            school_error: None,
        });
        assert!(own.starts_with("TIME  "), "{own}");
        let school = audit(&AuditList {
            records: vec![record(Some("room-13"))],
            school_error: None,
        });
        assert!(school.starts_with("HOST     TIME  "), "{school}");
        assert!(
            school.lines().nth(1).is_some_and(|l| l.starts_with("room-13  ")),
            "{school}"
        );
        let alone = audit(&AuditList {
            records: vec![record(Some("room-12"))],
            school_error: Some("this host cannot reach the school's NATS now".into()),
        });
        assert!(alone.ends_with("these are this host's records only."), "{alone}");
    }

    #[test]
    fn columns_line_up() {
        let t = table(
            &["A", "LONG"],
            &[vec!["xyz".into(), "1".into()], vec!["q".into(), "22".into()]],
        );
        assert_eq!(t, "A    LONG\nxyz  1\nq    22");
    }
}
