//! The config file's own value syntaxes: durations (`config::Every`,
//! `"1h30m"`, `"never"`) and screen sizes (`Geometry`, `"1280x800"`). An
//! accepted value is within its documented range and prints as text that
//! reads back as the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_core::config::{Every, Geometry};

fuzz_target!(|text: &str| {
    match text.parse::<Every>() {
        Ok(Every::Never) => assert_eq!(text.trim(), "never"),
        Ok(e @ Every::Seconds(n)) => {
            assert!((1..=366 * 24 * 3600).contains(&n), "{text:?} gave {n} s");
            assert_eq!(e.duration(), Some(std::time::Duration::from_secs(n)));
            assert_eq!(e.to_string().parse::<Every>(), Ok(e), "{text:?} printed as {e}");
        }
        Err(message) => assert!(!message.is_empty()),
    }
    match text.parse::<Geometry>() {
        Ok(g) => {
            assert!(
                (320..=8192).contains(&g.width) && (200..=8192).contains(&g.height),
                "{text:?}"
            );
            assert_eq!(g.to_string().parse::<Geometry>(), Ok(g), "{text:?} printed as {g}");
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
