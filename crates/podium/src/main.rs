fn main() {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("session-worker") {
        if args.get(2).map(String::as_str) == Some("--reclaim") {
            std::process::exit(podium_host::worker::reclaim_main());
        }
        std::process::exit(podium_host::worker::worker_main());
    }
}
