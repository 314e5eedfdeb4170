# Podium — the two commands a newcomer types, as root on Debian 12:
#   make demo    install what is needed, build, run the demo
#   make test    install what is needed, lint, run the whole test suite

CARGO ?= cargo
PREFIX ?= /usr/local

.PHONY: all deps deps-check build release deb demo test lint modules-check typecheck webfmt vendor unit e2e bench bench-smoke soak install clean-test-leftovers fuzz

all: build

deps:
	@scripts/install-deps.sh

build:
	$(CARGO) build --workspace --bins

release:
	$(CARGO) build --release --workspace --bins

# The Debian package, target/debian/podium_<version>-1_<arch>.deb (cargo-deb;
# see [package.metadata.deb] in crates/podium/Cargo.toml and docs/ADMIN.md).
deb: deps release
	scripts/build-deb.sh

demo: deps release
	target/release/podium demo

lint: typecheck webfmt modules-check
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# No module may use a module that uses it back (podium-modules-check reads
# each crate's modules, `use` lines and paths written in place; test code
# does not count), in any package of the workspace.
modules-check:
	$(CARGO) run --quiet -p podium-testkit --bin podium-modules-check

# The UI is plain ES modules checked by TypeScript (checkJs), and its
# vendored libraries must be exactly those of web/package-lock.json.
typecheck:
	cd web && npm run --silent typecheck && node vendor.mjs --check

# The UI's JavaScript must be as Biome formats it (web/biome.json says
# which files, and how); `cd web && npm run format` formats it.
webfmt:
	cd web && npm run --silent format-check

# Copies the UI's libraries into web/vendor/ after a version change.
vendor:
	cd web && npm install --no-audit --no-fund && node vendor.mjs

# Removes what an interrupted test run may have left (test users, daemons, cgroups).
clean-test-leftovers:
	@scripts/clean-test-leftovers.sh

# Everything the build links and the tests start comes from a package
# scripts/install-deps.sh installs (scripts/debian-packages.txt).
deps-check: build
	target/debug/podium-deps-check

test: deps lint build deps-check clean-test-leftovers
	$(CARGO) nextest run --workspace --no-fail-fast

# Every speed and memory target, measured and judged: exits 1 naming each
# target missed or left without data. Figures go to docs/BENCHMARKS.md (and
# the 100-session load to docs/RELIABILITY.md) with the commit measured.
bench: deps release
	target/release/podium-bench --out docs/BENCHMARKS.md
	target/release/podium-bench --only load --out docs/RELIABILITY.md

# Every benchmark with a few sessions for a few seconds, and proof that a
# missed target or a run without data fails: part of `make test` (the
# podium-testkit test bench_smoke), runnable alone. Times nothing.
bench-smoke: deps build
	$(CARGO) nextest run -p podium-testkit --test bench_smoke

# An hour of sessions starting and ending, counting leaks (not in CI).
SOAK_MINUTES ?= 60
soak: deps release
	target/release/podium-bench --only soak --minutes $(SOAK_MINUTES) --out docs/RELIABILITY.md

# Runs every cargo-fuzz target (fuzz/) for FUZZ_SECONDS each, 60 unless
# given (make fuzz FUZZ_SECONDS=300); needs the nightly toolchain, installs
# cargo-fuzz if missing. The table of executions, corpus sizes and findings
# goes to target/fuzz-report.md; a finding fails the run and names its input.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

install: release
	install -m 0755 -D target/release/podium $(DESTDIR)$(PREFIX)/bin/podium
	install -m 0644 -D dist/pam/podium $(DESTDIR)/etc/pam.d/podium
	DESTDIR=$(DESTDIR) scripts/install-desktop-files.sh dist
