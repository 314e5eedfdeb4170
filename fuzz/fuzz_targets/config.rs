//! The config file, read the way `podium serve` and `podium check-config`
//! read it (`Config::parse`): whatever the text, an error naming a line of
//! the file, or a configuration whose values are within their documented
//! ranges and that `check-config` can print and read back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_core::CoreError;
use podium_core::config::{Config, Every};
use podium_core::limits::MAX_GRACE_SECONDS;

fuzz_target!(|data: &[u8]| {
    // The daemon reads the file into a String: it is UTF-8 or refused.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, "podium.toml") {
        Err(CoreError::Config { file, line, key, message }) => {
            let lines = text.bytes().filter(|b| *b == b'\n').count() + 1;
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {key}: {message}");
            assert!(!key.is_empty(), "{line}: {message}");
            assert_eq!(file, "podium.toml");
        }
        Err(other) => panic!("a config file's mistake is a config error, not: {other}"),
        Ok(c) => {
            let s = &c.session;
            assert!(!s.command.trim().is_empty());
            assert!(s.grace_seconds <= MAX_GRACE_SECONDS);
            assert!((1..=600).contains(&s.terminate_timeout_seconds));
            assert!(s.max_processes >= 16);
            assert!(!s.pam_service.is_empty() && !s.pam_service.contains('/'));
            assert!(!s.cgroup.is_empty() && !s.cgroup.contains("..") && !s.cgroup.starts_with('/'));
            assert!((320..=8192).contains(&s.geometry.width) && (200..=8192).contains(&s.geometry.height));
            if let Every::Seconds(n) = s.disconnected_logoff_after {
                assert!((1..=366 * 24 * 3600).contains(&n), "{n}");
            }
            assert!(c.server.run_dir.is_absolute() && c.server.state_dir.is_absolute());
            assert!(c.web.plain_http.is_none_or(|a| a.ip().is_loopback()));
            assert!(c.web.idle_timeout_minutes >= 1);
            assert!(c.web.max_login_failures >= 1 && c.web.login_failure_window_seconds >= 1);
            assert!((100..=60_000).contains(&c.thumbnails.interval_ms));
            assert_eq!(c.tls.cert.is_some(), c.tls.key.is_some());
            // `podium check-config` prints the configuration as TOML: what
            // it prints must read back as the same configuration.
            let written = toml::to_string(&c).expect("a parsed configuration can be written");
            match Config::parse(&written, "effective.toml") {
                Ok(back) => assert_eq!(back, c, "{written}"),
                Err(e) => panic!("the written configuration does not parse back: {e}\n{written}"),
            }
        }
    }
});
