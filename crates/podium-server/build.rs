//! The web UI is embedded with `include_dir!`, which Cargo cannot see
//! through: this makes a change to any file of it rebuild the crate.

fn main() {
    for dir in ["../../web/app", "../../web/vendor", "../../web/index.html"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
