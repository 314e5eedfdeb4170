#!/bin/sh
# Installs what building, running and testing Podium needs on Debian 12,
# as root. Idempotent: installs only what is missing, so it is quick the
# second time. Used by `make demo`, `make test`, `make bench` and CI.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
# Every Debian package named in debian-packages.txt (the table that
# `make test`'s podium-deps-check holds against what the build links and
# the tests run).
PACKAGES=$(sed -e 's/#.*//' "$HERE/debian-packages.txt" | awk 'NF >= 3 { print $3 }' | sort -u)

if [ "${1:-}" = "--list" ]; then
    echo "$PACKAGES"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (sudo make …)" >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    # Node.js from NodeSource is the package nodejs too, and brings npm
    # itself; Debian's npm package would conflict with it.
    [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
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

# The UI's type checker and formatter (web/) and the browser tests'
# playwright-core and axe-core (tests/e2e/), exactly as their lock files
# say; again only when the lock file changed since the last install.
for dir in web tests/e2e; do
    d="$HERE/../$dir"
    if [ ! -f "$d/node_modules/.package-lock.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
        echo "install-deps: npm ci in $dir"
        (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
done

# Podium's groups and PAM service.
for g in podium-admin podium-dashboard podium-deny; do
    getent group "$g" >/dev/null || groupadd --system "$g"
done
install -m 0644 -D "$HERE/../dist/pam/podium" /etc/pam.d/podium

# The French locale: one pupil of the demo and of the real-desktop tests
# speaks French.
if ! locale -a 2>/dev/null | grep -qx 'fr_FR.utf8'; then
    echo "install-deps: generating fr_FR.UTF-8"
    sed -i 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -qx 'fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
fi

# Podium's desktop integration, as `make install` puts it: LibreOffice's
# session extension and defaults, Firefox's policies.
"$HERE/install-desktop-files.sh" "$HERE/../dist"

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
