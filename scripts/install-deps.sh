#!/bin/sh
# Installs what building, running and testing Podium needs on Debian 12,
# as root. Idempotent: installs only what is missing, so it is quick the
# second time. Used by `make demo`, `make test`, `make bench` and CI.
set -eu

PACKAGES="
  tigervnc-standalone-server tigervnc-tools
  x11-apps x11-utils x11-xserver-utils xterm xdotool
  imagemagick
  libpam0g-dev libpam-modules pkg-config gcc
  passwd util-linux procps psmisc
  sqlite3 ca-certificates python3-venv
    systemd man-db dpkg-dev
  chromium fonts-dejavu-core nodejs
"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (sudo make …)" >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Node.js from another source (NodeSource) brings npm itself; Debian's
# nodejs needs its npm package.
if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: installing npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# The UI's type checker (web/) and the browser tests' playwright-core and
# axe-core (tests/e2e/), exactly as their lock files say; again only when
# the lock file changed since the last install.
for dir in web tests/e2e; do
    d="$(dirname "$0")/../$dir"
    if [ ! -f "$d/node_modules/.package-lock.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
        echo "install-deps: npm ci in $dir"
        (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
done

# Podium's groups and PAM service.
for g in podium-admin podium-dashboard podium-deny; do
    getent group "$g" >/dev/null || groupadd --system "$g"
done
install -m 0644 -D "$(dirname "$0")/../dist/pam/podium" /etc/pam.d/podium

# Schemathesis, which fuzzes the API against its OpenAPI document in the tests.
VENV=/opt/podium-test-venv
SCHEMATHESIS_VERSION=4.32.5
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "install-deps: installing schemathesis $SCHEMATHESIS_VERSION in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# cargo-deb, which makes the Debian package (`make deb`, and the packaging
# test), when the machine does not have it.
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version >/dev/null 2>&1; then
    echo "install-deps: installing cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked cargo-deb --version "$CARGO_DEB_VERSION" >/dev/null
fi

# The Rust test runner, when the machine does not have it.
if ! command -v cargo-nextest >/dev/null 2>&1 && ! cargo nextest --version >/dev/null 2>&1; then
    echo "install-deps: installing cargo-nextest"
    cargo install --locked cargo-nextest >/dev/null
fi
