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
//! nothing; what a host audits while cut off reaches the school's audit
//! log once it is back, each record once. What a pupil relies on: logging
//! in at any host's address brings them to their own desktop, wherever it
//! runs.

use podium_core::Role;
use podium_testkit::cluster::{HostNet, NatsCluster};
use podium_testkit::web::{Web, WebReply};
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

    /// Each of `hosts`' daemon socket, for a browser walk's CLI calls.
    fn sockets(&self, hosts: &[&str]) -> Value {
        hosts
            .iter()
            .map(|h| {
                (
                    (*h).to_owned(),
                    self.kit(h).socket.to_string_lossy().into_owned().into(),
                )
            })
            .collect::<serde_json::Map<String, Value>>()
            .into()
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
    let ids: Vec<u32> = pupils
        .iter()
        .zip(homes)
        .map(|(pupil, host)| school.kit(host).start_session(pupil, None))
        .collect();
    school.wait_for(
        "a",
        &[("a", "reachable", 1), ("b", "reachable", 2), ("c", "reachable", 1)],
        Duration::from_secs(20),
    );
    thumbnails_are_named_host_and_id(&school, &teacher, ids[1]);
    let config = serde_json::json!({
        "sockets": school.sockets(&HOSTS),
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

/// `GET /api/v1/sessions/HOST/ID/thumbnail` at a: b's desktop as a JPEG,
/// asked of b when a was not watching it, then `304` for its `ETag`; a
/// host or session nobody knows is `404`, a host name that cannot be one
/// is `400`.
fn thumbnails_are_named_host_and_id(school: &School, teacher: &TestUser, on_b: u32) {
    let web = Web::login(school.kit("a"), teacher);
    let path = format!("/api/v1/sessions/b/{on_b}/thumbnail?size=small");
    let asked = Instant::now();
    let (status, headers, jpeg) = web.get_bytes(&path, &[]);
    eprintln!("b's picture reached a in {} ms", asked.elapsed().as_millis());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&jpeg));
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(jpeg.starts_with(&[0xff, 0xd8]) && jpeg.len() > 100, "a JPEG");
    let etag = headers["etag"].to_str().unwrap_or_default().to_owned();
    let (status, _, _) = web.get_bytes(&path, &[("if-none-match", &etag)]);
    assert_eq!(status, 304, "unchanged");
    let (status, _, _) = web.get_bytes("/api/v1/sessions/a/999/thumbnail", &[]);
    assert_eq!(status, 404, "no session 999 on a");
    let (status, _, _) = web.get_bytes(&format!("/api/v1/sessions/z/{on_b}/thumbnail"), &[]);
    assert_eq!(status, 404, "no host z");
    let (status, _, body) = web.get_bytes(&format!("/api/v1/sessions/B_/{on_b}/thumbnail"), &[]);
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

/// A station's login at `host`'s address, as the login page sends it:
/// the browser (its cookies) and the answer.
fn station_login(school: &School, host: &str, user: &TestUser) -> (Web, WebReply) {
    let web = Web::new(school.kit(host));
    let body = serde_json::json!({"username": user.name, "password": user.password, "station": true});
    let reply = web.post("/api/v1/auth/login", &body);
    (web, reply)
}

/// Where a login answer hands the browser: the host and the URL.
fn handed_to(reply: &WebReply) -> (String, String) {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.header("set-cookie").is_none(),
        "no login here: {:?}",
        reply.headers
    );
    let answer = reply.json();
    let host = answer["handoff"]["host"]
        .as_str()
        .unwrap_or_else(|| panic!("a hand-off: {answer}"));
    let url = answer["handoff"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("a URL: {answer}"));
    (host.to_owned(), url.to_owned())
}

/// A fresh browser of `host` following `url` (which must be `host`'s),
/// redirects and all: the browser and the last answer.
fn follow(school: &School, host: &str, url: &str) -> (Web, WebReply) {
    let web = Web::new(school.kit(host));
    let path = url
        .strip_prefix(&format!("{}/", web.base))
        .unwrap_or_else(|| panic!("{url} is not on host {host} ({})", web.base));
    let reply = web.get(&format!("/{path}"));
    (web, reply)
}

/// The users whose sessions `host` runs.
fn users_on(school: &School, host: &str) -> Vec<String> {
    let mut users: Vec<String> = school
        .kit(host)
        .sessions()
        .sessions
        .into_iter()
        .map(|s| s.user)
        .collect();
    users.sort();
    users
}

#[test]
fn a_pupil_logging_in_anywhere_is_sent_to_their_desktop_or_to_the_host_with_most_room() {
    let school = School::start();
    let pupils: Vec<TestUser> = (0..5).map(|_| TestUser::create(Role::Standard)).collect();
    let marie = &pupils[0];
    let _ = school.kit("a").start_session(&pupils[1], None);
    let _ = school.kit("a").start_session(&pupils[2], None);
    let maries = school.kit("b").start_session(marie, None);
    let _ = school.kit("b").start_session(&pupils[3], None);
    let _ = school.kit("c").start_session(&pupils[4], None);
    let loads = [("a", "reachable", 2), ("b", "reachable", 2), ("c", "reachable", 1)];
    school.wait_for("a", &loads, Duration::from_secs(20));
    let on_a = users_on(&school, "a");
    a_pupil_with_a_desktop_on_b_gets_it_through_a(&school, marie, maries);
    assert_eq!(users_on(&school, "a"), on_a, "no session was started on a");
    assert_eq!(school.kit("b").sessions().sessions.len(), 2, "nor a second one on b");
    let _newcomer = a_new_pupil_goes_to_the_least_loaded_host(&school);
    assert_eq!(users_on(&school, "a"), on_a);
    teachers_and_other_logins_are_not_handed_off(&school, marie);
    assert_eq!(users_on(&school, "a"), on_a, "no second desktop for Marie on a");

    // The same in a real browser: the login page at a lands on b's station.
    let config = serde_json::json!({
        "b_url": format!("https://{}", school.kit("b").https),
        "sockets": school.sockets(&["a", "b"]),
        "pupil": {"user": marie.name, "password": marie.password},
    });
    podium_testkit::browser::walk(school.kit("a"), "school-station.mjs", config);
    assert_eq!(users_on(&school, "a"), on_a, "no desktop for Marie on a");

    // b cut off: Marie is told her desktop is on b, and gets none elsewhere.
    school.hosts["b"].0.cut().unwrap_or_else(|e| panic!("{e}"));
    let cut = [("a", "reachable", 2), ("b", "unreachable", 2), ("c", "reachable", 2)];
    school.wait_for("a", &cut, Duration::from_secs(10));
    let asked = Instant::now();
    let (_, reply) = station_login(&school, "a", marie);
    eprintln!("a refused the login in {} ms", asked.elapsed().as_millis());
    assert_eq!(reply.status, 503, "{}", reply.text);
    let error = &reply.json()["error"];
    assert_eq!(error["host"], "b", "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("host b, which cannot be reached")),
        "{error}"
    );
    assert!(reply.header("set-cookie").is_none());
    assert_eq!(users_on(&school, "a"), on_a, "no second session on a");
    assert!(!users_on(&school, "c").contains(&marie.name), "nor on c");
    school.hosts["b"].0.restore().unwrap_or_else(|e| panic!("{e}"));
}

/// Marie's desktop (session `maries`) runs on b: logging in through a's
/// address hands her to b, where b's own cookie shows her that session;
/// the hand-off is good at b only, and once.
fn a_pupil_with_a_desktop_on_b_gets_it_through_a(school: &School, marie: &TestUser, maries: u32) {
    let asked = Instant::now();
    let (_, reply) = station_login(school, "a", marie);
    eprintln!("a answered the login in {} ms", asked.elapsed().as_millis());
    let (host, url) = handed_to(&reply);
    assert_eq!(host, "b");
    // The token is b's alone: c refuses it (and it stays good for b).
    let (b, c) = (school.kit("b").https.to_string(), school.kit("c").https.to_string());
    let (_, at_c) = follow(school, "c", &url.replace(&b, &c));
    assert_eq!(at_c.status, 401, "{}", at_c.text);
    assert!(at_c.text.contains("meant for host b"), "{}", at_c.text);
    let followed = Instant::now();
    let (at_b, landed) = follow(school, "b", &url);
    eprintln!("b took the hand-off in {} ms", followed.elapsed().as_millis());
    assert_eq!(landed.status, 200, "the station page: {}", landed.text);
    assert!(
        at_b.cookie_header().is_some_and(|c| c.contains("podium_session=")),
        "b's cookie"
    );
    assert_eq!(at_b.get("/api/v1/me").json()["user"], marie.name.as_str());
    let opened = at_b.post("/api/v1/station/session", &serde_json::json!({}));
    assert_eq!(opened.status, 200, "{}", opened.text);
    assert_eq!(
        opened.json()["session"]["id"],
        maries,
        "her session on b: {}",
        opened.text
    );
    // The same hand-off again is refused, and so is anything not signed.
    let (_, again) = follow(school, "b", &url);
    assert_eq!(again.status, 401, "{}", again.text);
    assert!(again.text.contains("already used"), "{}", again.text);
    let stranger = Web::new(school.kit("b"));
    let none = stranger.get("/api/v1/auth/handoff");
    assert_eq!(none.status, 400, "no token: {}", none.text);
    let forged = stranger.get("/api/v1/auth/handoff?token=e30.AAAA");
    assert_eq!(forged.status, 401, "not a peer's: {}", forged.text);
}

/// A new pupil logging in at a, which runs more sessions than c, is sent
/// to c, where their session starts; the pupil, whose session lasts as
/// long as their account.
fn a_new_pupil_goes_to_the_least_loaded_host(school: &School) -> TestUser {
    let newcomer = TestUser::create(Role::Standard);
    let (_, reply) = station_login(school, "a", &newcomer);
    let (host, url) = handed_to(&reply);
    assert_eq!(host, "c", "the least-loaded host");
    let (at_c, _) = follow(school, "c", &url);
    let opened = at_c.post("/api/v1/station/session", &serde_json::json!({}));
    assert_eq!(opened.status, 200, "{}", opened.text);
    assert!(users_on(school, "c").contains(&newcomer.name), "started on c");
    newcomer
}

/// A teacher is never handed off; nor is a login that opens no station
/// (the CLI's), but a's station then starts no second desktop for Marie.
fn teachers_and_other_logins_are_not_handed_off(school: &School, marie: &TestUser) {
    let teacher = TestUser::create(Role::Dashboard);
    let (_, reply) = station_login(school, "a", &teacher);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.json().get("handoff").is_none() && reply.header("set-cookie").is_some());
    let at_a = Web::login(school.kit("a"), marie);
    let refused = at_a.post("/api/v1/station/session", &serde_json::json!({}));
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.json()["error"]["host"], "b", "{}", refused.text);
}

/// `podium audit --json` on `host`, as root: its own log, or with
/// `--school` the school's.
fn audit_log(school: &School, host: &str, whole: bool) -> Vec<Value> {
    let mut args = vec!["audit", "--json"];
    if whole {
        args.push("--school");
    }
    let out = school.kit(host).cli().args(args).run();
    assert_eq!(out.code, 0, "podium audit on {host}: {}{}", out.stdout, out.stderr);
    let list: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    assert!(
        !whole || list.get("school_error").is_none(),
        "{host} reads the school's log: {list}"
    );
    list["records"].as_array().cloned().unwrap_or_default()
}

/// Host `of`'s records in the school's log as `on` reads it, by number,
/// each as its own log has it (without `host`), and how many times each
/// is there.
fn school_records_of(school: &School, on: &str, of: &str) -> BTreeMap<i64, (Value, usize)> {
    let mut found: BTreeMap<i64, (Value, usize)> = BTreeMap::new();
    for mut r in audit_log(school, on, true) {
        if r["host"] != of {
            continue;
        }
        if let Some(o) = r.as_object_mut() {
            o.remove("host");
        }
        let id = r["id"].as_i64().unwrap_or_default();
        found.entry(id).or_insert((r, 0)).1 += 1;
    }
    found
}

/// Waits until every record of `of`'s own log is in the school's log as
/// `on` reads it, exactly once and the same; how long it took.
fn wait_for_records(school: &School, on: &str, of: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    let own: BTreeMap<i64, Value> = audit_log(school, of, false)
        .into_iter()
        .map(|r| (r["id"].as_i64().unwrap_or_default(), r))
        .collect();
    loop {
        let found = school_records_of(school, on, of);
        let doubled: Vec<&i64> = found.iter().filter(|(_, (_, n))| *n > 1).map(|(id, _)| id).collect();
        assert!(
            doubled.is_empty(),
            "{of}'s records {doubled:?} are doubled in the school's log"
        );
        let same = own.len() == found.len() && own.iter().all(|(id, r)| found.get(id).is_some_and(|(f, _)| f == r));
        if same {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < timeout,
            "after {timeout:?}, {on} reads {} of {of}'s {} records in the school's log: missing {:?}\n{}",
            found.len(),
            own.len(),
            own.keys().filter(|id| !found.contains_key(id)).collect::<Vec<_>>(),
            school.kit(of).log_tail()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits until the audit stream holds one message per subject, and as
/// many as the hosts' own logs have records together.
fn wait_for_stream(school: &School, timeout: Duration) -> u64 {
    let start = Instant::now();
    loop {
        let total: u64 = HOSTS.iter().map(|h| audit_log(school, h, false).len() as u64).sum();
        let state = school.nats.stream_state("podium-audit");
        if let Ok((messages, subjects)) = state {
            assert_eq!(messages, subjects, "one message per record's subject");
            assert!(messages <= total, "{messages} messages for {total} records");
            if messages == total {
                return total;
            }
        }
        assert!(
            start.elapsed() < timeout,
            "the audit stream holds {state:?} (messages, subjects), the hosts {total} records"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_host_cut_off_sends_its_audit_records_once_it_is_back() {
    let mut school = School::start();
    let quiet = [("a", "reachable", 0), ("b", "reachable", 0), ("c", "reachable", 0)];
    school.wait_for("a", &quiet, Duration::from_secs(20));
    let before = wait_for_stream(&school, Duration::from_secs(20));
    eprintln!("the audit stream holds the {before} records of the three hosts");

    // c cut off: it works alone, and audits what it does.
    school.hosts["c"].0.cut().unwrap_or_else(|e| panic!("{e}"));
    school.wait_for(
        "a",
        &[("a", "reachable", 0), ("b", "reachable", 0), ("c", "unreachable", 0)],
        Duration::from_secs(10),
    );
    let pupil = TestUser::create(Role::Standard);
    let id = school.kit("c").start_session(&pupil, None);
    let out = school
        .kit("c")
        .cli()
        .args(["session", "logoff", &id.to_string(), "--grace", "0", "--yes", "--json"])
        .run();
    assert_eq!(out.code, 0, "c logs its pupil off alone: {}{}", out.stdout, out.stderr);
    let own = audit_log(&school, "c", false);
    let while_cut: Vec<&Value> = own.iter().filter(|r| r["target_user"] == pupil.name.as_str()).collect();
    let kinds: Vec<&str> = while_cut.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert!(
        kinds.contains(&"session_start") && kinds.contains(&"logoff"),
        "c audits the pupil's session while cut off: {while_cut:?}"
    );
    let pupils_records = |found: &BTreeMap<i64, (Value, usize)>| {
        while_cut
            .iter()
            .filter(|r| found.contains_key(&r["id"].as_i64().unwrap_or_default()))
            .count()
    };
    // a's school log lacks them meanwhile, and says nothing is wrong with
    // reading it: c is the one away.
    assert_eq!(pupils_records(&school_records_of(&school, "a", "c")), 0);
    // c's own school log says it cannot read the school's stream now.
    let out = school.kit("c").cli().args(["audit", "--school", "--json"]).run();
    let list: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    assert!(list["school_error"].is_string(), "{list}");
    assert!(
        list["records"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["host"] == "c"),
        "c's own records, named: {list}"
    );

    // The link back: every record of c reaches the stream, once.
    school.hosts["c"].0.restore().unwrap_or_else(|e| panic!("{e}"));
    let took = wait_for_records(&school, "a", "c", Duration::from_secs(30));
    eprintln!(
        "c's {} records written while cut off reached the school's log {} ms after its link came back",
        while_cut.len(),
        took.as_millis()
    );
    assert_eq!(pupils_records(&school_records_of(&school, "a", "c")), while_cut.len());
    let total = wait_for_stream(&school, Duration::from_secs(20));
    eprintln!("the audit stream holds {total} records, one message each");

    // c's daemon killed and started again: it resumes from its cursor and
    // sends nothing twice.
    school.hosts.get_mut("c").expect("c").1.kill_daemon();
    school.hosts.get_mut("c").expect("c").1.start_daemon();
    school.wait_for("a", &quiet, Duration::from_secs(20));
    let total = wait_for_stream(&school, Duration::from_secs(20));
    wait_for_records(&school, "b", "c", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        wait_for_stream(&school, Duration::from_secs(1)),
        total,
        "nothing sent twice"
    );
}
