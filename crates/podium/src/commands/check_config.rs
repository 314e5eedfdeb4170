//! `podium check-config FILE`: reads a configuration file the way the
//! daemon does and prints the configuration it would run with.

use super::Status;
use crate::cli::CheckConfigArgs;
use anyhow::{Context, Result};
use podium_core::Config;

/// Checks the file; prints the effective configuration as TOML on success.
/// A mistake comes back as an error naming the file, the line and the key.
pub fn run(args: &CheckConfigArgs) -> Result<Status> {
    let config = super::serve::load_config(Some(&args.file))?;
    print!("# {} is valid. The effective configuration:\n\n", args.file.display());
    print!("{}", effective_toml(&config)?);
    Ok(Status::Ok)
}

/// The whole configuration as TOML, every key with its value, defaults
/// included. Keys that are not set (they have no default, like `tls.cert`)
/// appear as comments, so every key is listed.
pub fn effective_toml(config: &Config) -> Result<String> {
    let text = toml::to_string(config).context("cannot write the configuration as TOML")?;
    let tree = serde_json::to_value(config).context("cannot list the configuration's keys")?;
    let unset = |section: &str| -> Vec<String> {
        tree.get(section)
            .and_then(serde_json::Value::as_object)
            .map(|keys| {
                keys.iter()
                    .filter(|(_, v)| v.is_null())
                    .map(|(k, _)| format!("# {k} is not set\n"))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Each table's block ends before the blank line that precedes the next
    // table header: the unset keys go there, inside their table.
    let mut out = String::new();
    let mut block = String::new();
    let mut section = String::new();
    let finish = |section: &str, block: &mut String, out: &mut String| {
        let trimmed = block.trim_end_matches('\n');
        if !trimmed.is_empty() {
            out.push_str(trimmed);
            out.push('\n');
        }
        for line in unset(section) {
            out.push_str(&line);
        }
        if !trimmed.is_empty() {
            out.push('\n');
        }
        block.clear();
    };
    for line in text.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            finish(&section, &mut block, &mut out);
            name.clone_into(&mut section);
        }
        block.push_str(line);
        block.push('\n');
    }
    finish(&section, &mut block, &mut out);
    Ok(out.trim_end_matches('\n').to_owned() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_listed_and_the_output_parses_back() {
        let config = Config::default();
        let text = effective_toml(&config).expect("renders");
        assert_eq!(Config::parse(&text, "effective.toml").expect("parses back"), config);
        for key in [
            "[tls]",
            "# cert is not set",
            "# key is not set",
            "# plain_http is not set",
        ] {
            assert!(text.contains(key), "{key} in:\n{text}");
        }
        let tls = text.split("[tls]").nth(1).expect("a [tls] table");
        assert!(tls.trim_start().starts_with("# cert is not set"), "{text}");
    }

    #[test]
    fn set_optional_keys_are_written_as_values() {
        let mut config = Config::default();
        config.web.plain_http = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
        let text = effective_toml(&config).expect("renders");
        assert!(text.contains("plain_http = \"127.0.0.1:8080\""), "{text}");
        assert!(!text.contains("# plain_http"), "{text}");
        assert_eq!(Config::parse(&text, "effective.toml").expect("parses back"), config);
    }
}
