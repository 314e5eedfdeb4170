#!/bin/sh
# Makes the Debian package with cargo-deb from a podium binary that is
# already built: writes its man pages and shell completion scripts next to
# it (where [package.metadata.deb] in crates/podium/Cargo.toml finds them),
# then packages. Writes target/debian/podium_<version>-1_<arch>.deb.
#
#   scripts/build-deb.sh [--profile release|dev] [cargo-deb options …]
#
# `make deb` builds the release binary and runs this. The test suite
# packages the dev binary it has just built (crates/podium/tests/packaging.rs).
set -eu
cd "$(dirname "$0")/.."

profile=release
if [ "${1:-}" = "--profile" ]; then
    profile=${2:?--profile needs a value}
    shift 2
fi
case "$profile" in
dev | debug) profile=dev dir=debug ;;
*) dir=$profile ;;
esac

if ! cargo deb --version >/dev/null 2>&1; then
    echo "build-deb: cargo-deb is missing: run scripts/install-deps.sh (as root) or make deps" >&2
    exit 1
fi
target=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}
bin="$target/$dir/podium"
if [ ! -x "$bin" ]; then
    echo "build-deb: $bin is missing: build it first (make release)" >&2
    exit 1
fi

assets="$target/$dir/deb-assets"
rm -rf "$assets"
mkdir -p "$assets/man" "$assets/completions"
"$bin" manpages "$assets/man" >/dev/null
# Debian policy: compressed man pages (cargo-deb compresses only the assets
# it does not consider build output).
gzip -9n "$assets"/man/*
"$bin" completions bash >"$assets/completions/podium.bash"
"$bin" completions zsh >"$assets/completions/_podium"
"$bin" completions fish >"$assets/completions/podium.fish"

exec cargo deb -p podium --no-build --profile "$profile" "$@"
