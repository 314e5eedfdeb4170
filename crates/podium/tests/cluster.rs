//! A school's several hosts, for real, on this one machine: three Podium
//! daemons, each in a network namespace of its own with its own address,
//! config, state, run directory, socket and cgroup, joined by a three-node
//! NATS cluster (Debian's nats-server, JetStream and TLS on) with the
//! permissions `podium cluster authorization` prints for the keys
//! `podium cluster keygen` made.
//!
//! What a teacher relies on: every host's sessions are known everywhere;
//! a host that dies or loses its network shows as unreachable within 10 s
//! with its sessions kept, and comes back; a NATS node that stops changes
//! nothing.

use podium_core::Role;
use podium_testkit::cluster::{HostNet, NatsCluster};
use podium_testkit::{Kit, TestUser};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const HOSTS: [&str; 3] = ["a", "b", "c"];

/// What `podium cluster keygen` printed for one host.
struct Keys {
    nats: String,
    signing: String,
}

fn keygen(dir: &Path, host: &str) -> Keys {
    let out = std::process::Command::new(PODIUM)
        .args(["cluster", "keygen", "--host", host, "--out"])
        .arg(dir.join(format!("{host}.nk")))
        .output()
        .expect("podium cluster keygen");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "keygen: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().trim_matches('"').to_owned())
            .unwrap_or_else(|| panic!("{prefix} in {text}"))
    };
    Keys {
        nats: value(&format!("{host}=")),
        signing: value(&format!("{host} = ")),
    }
}

/// The school: the NATS cluster, and each host's namespace and daemon.
struct School {
    nats: NatsCluster,
    hosts: BTreeMap<&'static str, (HostNet, Kit)>,
}

impl School {
    fn start() -> School {
        let dir = std::env::temp_dir().join(format!("podium-test-school-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the school's directory");
        let keys: BTreeMap<&str, Keys> = HOSTS.iter().map(|h| (*h, keygen(&dir, h))).collect();
        let out = std::process::Command::new(PODIUM)
            .args(["cluster", "authorization"])
            .args(keys.iter().map(|(h, k)| format!("{h}={}", k.nats)))
            .output()
            .expect("podium cluster authorization");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let authorization = String::from_utf8_lossy(&out.stdout).into_owned();
        let nats = NatsCluster::start(3, &authorization).unwrap_or_else(|e| panic!("{e}"));
        let urls: Vec<String> = nats.client_urls().split(',').map(|u| format!("\"{u}\"")).collect();
        let mut hosts = BTreeMap::new();
        for host in HOSTS {
            let net = HostNet::create(host).unwrap_or_else(|e| panic!("{e}"));
            let peers: String = keys
                .iter()
                .filter(|(h, _)| **h != host)
                .map(|(h, k)| format!("{h} = \"{}\"\n", k.signing))
                .collect();
            let sections = format!(
                "[cluster]\nhost = \"{host}\"\nurls = [{urls}]\nseed_file = \"{seed}\"\nca = \"{ca}\"\n\
                 capacity = 40\naddress = \"https://{address}:8443\"\n\n[cluster.peers]\n{peers}",
                urls = urls.join(", "),
                seed = dir.join(format!("{host}.nk")).display(),
                ca = nats.ca_file().display(),
                address = net.address(),
            );
            let kit = Kit::start_on_host(PODIUM, &net, &sections);
            hosts.insert(host, (net, kit));
        }
        School { nats, hosts }
    }

    fn kit(&self, host: &str) -> &Kit {
        &self.hosts[host].1
    }

    /// `podium hosts --json` on `host`: each host's state and sessions.
    fn seen_from(&self, host: &str) -> BTreeMap<String, (String, u64)> {
        let out = self.kit(host).cli().args(["hosts", "--json"]).run();
        assert_eq!(out.code, 0, "podium hosts: {}{}", out.stdout, out.stderr);
        let list: Value = serde_json::from_str(&out.stdout).expect("the hosts' JSON");
        list["hosts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|h| {
                (
                    h["name"].as_str().unwrap_or_default().to_owned(),
                    (
                        h["state"].as_str().unwrap_or_default().to_owned(),
                        h["sessions"].as_u64().unwrap_or(u64::MAX),
                    ),
                )
            })
            .collect()
    }

    /// Waits until `host` sees `expected` (host → state, sessions); how long it took.
    fn wait_for(&self, host: &str, expected: &[(&str, &str, u64)], timeout: Duration) -> Duration {
        let start = Instant::now();
        let want: BTreeMap<String, (String, u64)> = expected
            .iter()
            .map(|(h, state, n)| ((*h).to_owned(), ((*state).to_owned(), *n)))
            .collect();
        let mut last = BTreeMap::new();
        while start.elapsed() < timeout {
            last = self.seen_from(host);
            if last == want {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!(
            "{host} does not see {want:?} after {timeout:?}, but {last:?}\n{}",
            self.kit(host).log_tail()
        );
    }
}

const EVERYONE_UP: [(&str, &str, u64); 3] = [("a", "reachable", 1), ("b", "reachable", 1), ("c", "reachable", 1)];

#[test]
fn every_host_is_known_everywhere_and_a_lost_host_costs_only_itself() {
    let mut school = School::start();
    let mut pupils = Vec::new();
    for host in HOSTS {
        let pupil = TestUser::create(Role::Standard);
        let _ = school.kit(host).start_session(&pupil, None);
        pupils.push(pupil);
    }
    for host in HOSTS {
        let took = school.wait_for(host, &EVERYONE_UP, Duration::from_secs(20));
        eprintln!("{host} sees the school in {} ms", took.as_millis());
    }
    // Every host lists the school's sessions, each with its host.
    let out = school
        .kit("a")
        .cli()
        .args(["session", "list", "--school", "--json"])
        .run();
    let list: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    let mut hosts: Vec<String> = list["sessions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["host"].as_str().unwrap_or("none").to_owned())
        .collect();
    hosts.sort();
    assert_eq!(hosts, ["a", "b", "c"], "{list}");
    let out = school.kit("a").cli().args(["session", "list", "--json"]).run();
    let list: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    assert_eq!(
        list["sessions"].as_array().map(Vec::len),
        Some(1),
        "this host's only: {list}"
    );

    // A host's daemon killed: shown unreachable within 10 s, its session
    // kept; the others keep working; back when it restarts.
    school.hosts.get_mut("c").expect("c").1.kill_daemon();
    let killed = [("a", "reachable", 1), ("b", "reachable", 1), ("c", "unreachable", 1)];
    let took = school.wait_for("a", &killed, Duration::from_secs(10));
    eprintln!("c unreachable after kill -9 in {} ms", took.as_millis());
    let pupil = TestUser::create(Role::Standard);
    let _ = school.kit("b").start_session(&pupil, None);
    pupils.push(pupil);
    school.wait_for(
        "a",
        &[("a", "reachable", 1), ("b", "reachable", 2), ("c", "unreachable", 1)],
        Duration::from_secs(10),
    );
    school.hosts.get_mut("c").expect("c").1.start_daemon();
    let back = [("a", "reachable", 1), ("b", "reachable", 2), ("c", "reachable", 1)];
    let took = school.wait_for("a", &back, Duration::from_secs(15));
    eprintln!("c back after its restart in {} ms", took.as_millis());
    for host in HOSTS {
        school.wait_for(host, &back, Duration::from_secs(10));
    }

    // One NATS node stopped: nothing visible changes.
    school.nats.stop_node(0).unwrap_or_else(|e| panic!("{e}"));
    let until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < until {
        for host in HOSTS {
            let seen = school.seen_from(host);
            assert!(
                seen.values().all(|(state, _)| state == "reachable"),
                "{host} sees {seen:?} with one NATS node stopped"
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    school.nats.start_node(0).unwrap_or_else(|e| panic!("{e}"));

    // One host's network cut: only that host is unreachable, from the
    // others; it goes on alone; everyone sees it again once it is back.
    school.hosts["b"].0.cut().unwrap_or_else(|e| panic!("{e}"));
    let cut = [("a", "reachable", 1), ("b", "unreachable", 2), ("c", "reachable", 1)];
    let took = school.wait_for("c", &cut, Duration::from_secs(10));
    eprintln!("b unreachable after its link was cut in {} ms", took.as_millis());
    let alone = school.kit("b").cli().args(["session", "list", "--json"]).run();
    assert_eq!(alone.code, 0, "b works on its own: {}", alone.stderr);
    school.hosts["b"].0.restore().unwrap_or_else(|e| panic!("{e}"));
    let took = school.wait_for("c", &back, Duration::from_secs(20));
    eprintln!("b back after its link was restored in {} ms", took.as_millis());
}

/// `podium session logoff HOST/ID …` on one host, as a teacher: each host
/// decides for its own sessions, with its own view of the teacher.
fn logoff(school: &School, on: &str, teacher: &TestUser, targets: &[String]) -> Value {
    let out = school
        .kit(on)
        .cli()
        .as_user(teacher)
        .args(["session", "logoff", "--grace", "0", "--yes", "--json"])
        .args(targets)
        .run();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr))
}

fn outcome(results: &Value, host: &str, id: u32) -> String {
    results["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["host"] == host && r["session"] == id)
        .map(|r| {
            format!(
                "{} {}",
                r["outcome"].as_str().unwrap_or_default(),
                r["reason"].as_str().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| panic!("no result for {host}/{id} in {results}"))
}

#[test]
fn a_teacher_on_one_host_logs_off_exactly_the_sessions_chosen_on_the_others() {
    let school = School::start();
    let teacher = TestUser::create(Role::Dashboard);
    let admin = TestUser::create(Role::Admin);
    let pupils: Vec<TestUser> = (0..3).map(|_| TestUser::create(Role::Standard)).collect();
    let on_a = school.kit("a").start_session(&pupils[0], None);
    let on_b = school.kit("b").start_session(&pupils[1], None);
    let on_c = school.kit("c").start_session(&pupils[2], None);
    let admins = school.kit("b").start_session(&admin, None);
    let all_up = [("a", "reachable", 1), ("b", "reachable", 2), ("c", "reachable", 1)];
    school.wait_for("a", &all_up, Duration::from_secs(20));

    let results = logoff(
        &school,
        "a",
        &teacher,
        &[format!("b/{on_b}"), format!("c/{on_c}"), format!("b/{admins}")],
    );
    eprintln!("{results}");
    assert_eq!(outcome(&results, "b", on_b).trim(), "done");
    assert_eq!(outcome(&results, "c", on_c).trim(), "done");
    assert!(
        outcome(&results, "b", admins).starts_with("refused"),
        "b refuses a dashboard user its administrator's session: {results}"
    );
    let ids = |host: &str| -> Vec<u32> { school.kit(host).sessions().sessions.iter().map(|s| s.id).collect() };
    assert_eq!(ids("a"), vec![on_a], "a's own session is untouched");
    assert_eq!(ids("b"), vec![admins], "only the pupil's session ended on b");
    assert!(ids("c").is_empty(), "the pupil's session ended on c");

    // A host that cannot be reached is reported, session by session, at once.
    let on_c = school.kit("c").start_session(&pupils[2], None);
    school.hosts["c"].0.cut().unwrap_or_else(|e| panic!("{e}"));
    school.wait_for(
        "a",
        &[("a", "reachable", 1), ("b", "reachable", 1), ("c", "unreachable", 1)],
        Duration::from_secs(10),
    );
    let asked = Instant::now();
    let results = logoff(&school, "a", &teacher, &[format!("c/{on_c}"), format!("z/{on_c}")]);
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "answered in {:?}",
        asked.elapsed()
    );
    assert_eq!(outcome(&results, "c", on_c), "failed host c is unreachable");
    assert_eq!(outcome(&results, "z", on_c), "failed no host named z in the school");
    school.hosts["c"].0.restore().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids("c"), vec![on_c], "nothing was done on c while it was cut off");

    // "Log off all users" of the school, from a: every pupil's session on
    // every host ends; b keeps its administrator's, and says so.
    school.wait_for(
        "a",
        &[("a", "reachable", 1), ("b", "reachable", 1), ("c", "reachable", 1)],
        Duration::from_secs(20),
    );
    let out = school
        .kit("a")
        .cli()
        .as_user(&teacher)
        .args([
            "session", "logoff", "--all", "--school", "--grace", "0", "--yes", "--json",
        ])
        .run();
    let results: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    eprintln!("{results}");
    let per_host = |host: Option<&str>| -> Vec<String> {
        results["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["host"].as_str() == host)
            .map(|r| r["outcome"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(per_host(None), vec!["done"], "a's own pupil: {results}");
    assert_eq!(per_host(Some("b")), vec!["refused"], "b's administrator: {results}");
    assert_eq!(per_host(Some("c")), vec!["done"], "c's pupil: {results}");
    assert!(ids("a").is_empty() && ids("c").is_empty(), "every pupil is logged off");
    assert_eq!(ids("b"), vec![admins]);
}

/// A Unix group made for one test, removed after it.
struct TestGroup(String);

impl TestGroup {
    fn create(name: String) -> TestGroup {
        let out = std::process::Command::new("groupadd")
            .args(["-f", &name])
            .output()
            .expect("groupadd");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        TestGroup(name)
    }
}

impl Drop for TestGroup {
    fn drop(&mut self) {
        let _ = std::process::Command::new("groupdel").arg(&self.0).output();
    }
}

/// One dashboard for the school, in Chromium on host a: every host's
/// sessions appear, with their desktops' pictures sent over NATS while
/// watched; the System list shows one host's; selecting a class (a Unix
/// group whose members have sessions on b and c) and logging it off ends
/// exactly those two sessions, checked on each host; "Log off all users"
/// ends every pupil's session on all three hosts, with results per host.
#[test]
fn one_dashboard_shows_the_whole_school_and_logs_off_a_class_then_everyone() {
    let school = School::start();
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let names = ["Alice Martin", "Bruno Lefèvre", "Chloé Dubois", "David Bernard"];
    let pupils: Vec<TestUser> = names
        .iter()
        .map(|n| TestUser::create_named(Role::Standard, n))
        .collect();
    let homes = ["a", "b", "c", "b"];
    let class = TestGroup::create(format!("podium-t-class{}", std::process::id() % 100_000));
    pupils[1].join(&class.0);
    pupils[2].join(&class.0);
    for (pupil, host) in pupils.iter().zip(homes) {
        let _ = school.kit(host).start_session(pupil, None);
    }
    school.wait_for(
        "a",
        &[("a", "reachable", 1), ("b", "reachable", 2), ("c", "reachable", 1)],
        Duration::from_secs(20),
    );
    let sockets: serde_json::Map<String, Value> = HOSTS
        .iter()
        .map(|h| {
            (
                (*h).to_owned(),
                school.kit(h).socket.to_string_lossy().into_owned().into(),
            )
        })
        .collect();
    let config = serde_json::json!({
        "sockets": sockets,
        "class": class.0,
        "teacher": {"user": teacher.name, "password": teacher.password},
        "pupils": pupils.iter().zip(homes).map(|(p, h)| serde_json::json!({
            "user": p.name, "full_name": p.full_name, "uid": p.uid, "host": h,
        })).collect::<Vec<_>>(),
    });
    podium_testkit::browser::walk(school.kit("a"), "school.mjs", config);

    // A host cut off: its desktop is still shown, greyed. The browser
    // starts after the cut, so no interface changes under it.
    let _ = school.kit("b").start_session(&pupils[0], None);
    let _ = school.kit("c").start_session(&pupils[1], None);
    school.hosts["c"].0.cut().unwrap_or_else(|e| panic!("{e}"));
    school.wait_for(
        "a",
        &[("a", "reachable", 0), ("b", "reachable", 1), ("c", "unreachable", 1)],
        Duration::from_secs(10),
    );
    let person = |p: &TestUser| serde_json::json!({"user": p.name, "full_name": p.full_name});
    let config = serde_json::json!({
        "teacher": {"user": teacher.name, "password": teacher.password},
        "near": person(&pupils[0]),
        "away": person(&pupils[1]),
    });
    podium_testkit::browser::walk(school.kit("a"), "school-away.mjs", config);
    school.hosts["c"].0.restore().unwrap_or_else(|e| panic!("{e}"));
}
