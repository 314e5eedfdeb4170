#!/bin/sh
# Installs Podium's files for the desktops' own applications, from the
# dist/ directory given as $1, under $DESTDIR (empty: this machine):
#
#   LibreOffice  the session extension that keeps every open document at a
#                log off (a bundled extension), and defaults without
#                first-run screens (/etc/libreoffice/registry/podium.xcd)
#   Firefox      policies without first-run pages, restoring the previous
#                session (/etc/firefox/policies/policies.json)
#
# Idempotent. Used by install-deps.sh (demo, tests) and `make install`.
set -eu

DIST="${1:?usage: install-desktop-files.sh DIST_DIR}"
DESTDIR="${DESTDIR:-}"

# LibreOffice looks at its bundled extensions again when the directory
# that holds them is newer than what a user's profile last saw: touch it
# only when a file really changed, so profiles do not resynchronise for
# nothing.
extensions="$DESTDIR/usr/lib/libreoffice/share/extensions"
ext="$extensions/podium-session"
mkdir -p "$ext/META-INF"
changed=no
for f in META-INF/manifest.xml description.xml Jobs.xcu podium_session.py; do
    if ! cmp -s "$DIST/libreoffice/podium-session/$f" "$ext/$f"; then
        install -m 0644 "$DIST/libreoffice/podium-session/$f" "$ext/$f"
        changed=yes
    fi
done
[ "$changed" = yes ] && touch "$extensions"
install -m 0644 -D "$DIST/libreoffice/podium.xcd" "$DESTDIR/etc/libreoffice/registry/podium.xcd"
install -m 0644 -D "$DIST/firefox/policies.json" "$DESTDIR/etc/firefox/policies/policies.json"
